package kiosk

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// portOf is the port of a test kiosk's URL.
func portOf(k *testKiosk) string {
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(k.url, "http://"))
	return port
}

// withHost makes a request that names host in its Host header.
func withHost(t *testing.T, k *testKiosk, method, path, host string, body string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, k.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, body: b}
	var e struct{ Error struct{ Code string } }
	if json.Unmarshal(b, &e) == nil {
		a.code = e.Error.Code
	}
	return a
}

const cashSale = `{"lines":[{"sku":"CM-MO-500","qty":1}],"payments":[{"method":"cash","amount":500000}]}`

func TestRequestsForANameTheKioskDoesNotOwnAreRefused(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	port := portOf(k)
	for _, host := range []string{"rebind.example:" + port, "rebind.example", "192.0.2.10:" + port, "localhost.rebind.example:" + port} {
		t.Run("the till API for "+host, func(t *testing.T) {
			if a := withHost(t, k, "GET", "/api/v1/products", host, ""); a.status != http.StatusMisdirectedRequest {
				t.Fatalf("%d, want 421", a.status)
			}
			if a := withHost(t, k, "POST", "/api/v1/sales", host, cashSale); a.status != http.StatusMisdirectedRequest {
				t.Fatalf("a sale: %d, want 421", a.status)
			}
		})
		t.Run("the websocket for "+host, func(t *testing.T) {
			// DNS rebinding: the page's origin and the Host agree, and both
			// are the attacker's name.
			_, resp, err := dialScreen(t, k, "till=T1&role=till", http.Header{"Host": {host}, "Origin": {"http://" + host}})
			if err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Fatalf("upgrade: %v (status %d), want 421", err, status)
			}
		})
	}
	if n := k.salesCount(t); n != 0 {
		t.Fatalf("%d sales made through a foreign name", n)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port, "127.0.0.2:" + port} {
		t.Run("the kiosk's own name "+host+" is served", func(t *testing.T) {
			if a := withHost(t, k, "GET", "/api/v1/products", host, ""); a.status != 200 {
				t.Fatalf("%d", a.status)
			}
		})
	}
}

func TestTheKioskAnswersToItsBaseURLAndConfiguredNames(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) {
		c.BaseURL = "https://ocop.fair.example"
		c.Hosts = []string{"quay-ocop.local"}
	})
	port := portOf(k)
	hosts := []string{"ocop.fair.example", "OCOP.fair.example.", "quay-ocop.local:" + port}
	if ip := lanIP(); ip != "" {
		hosts = append(hosts, net.JoinHostPort(ip, port))
	}
	for _, host := range hosts {
		t.Run(host+" is served", func(t *testing.T) {
			if a := withHost(t, k, "GET", "/api/v1/products", host, ""); a.status != 200 {
				t.Fatalf("%d", a.status)
			}
		})
	}
	if a := withHost(t, k, "GET", "/healthz", "fair.example", ""); a.status != http.StatusMisdirectedRequest {
		t.Fatalf("a name the kiosk was not given: %d, want 421", a.status)
	}
}

func TestStateChangesFromTheKiosksOwnScreenNeedAHeaderAForeignPageCannotSend(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	own := "http://127.0.0.1:" + portOf(k)
	for _, tt := range []struct {
		name    string
		headers []string
	}{
		{"a text/plain POST, as a form or a no-cors fetch sends it", []string{"Content-Type", "text/plain"}},
		{"a form-encoded POST", []string{"Content-Type", "application/x-www-form-urlencoded"}},
		{"a multipart POST", []string{"Content-Type", "multipart/form-data; boundary=x", "body", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n"}},
		{"a POST with no content type", []string{"Content-Type", ""}},
		{"JSON from another origin", []string{"Content-Type", "application/json", "Origin", "http://127.0.0.1:1"}},
		{"JSON from an opaque origin", []string{"Content-Type", "application/json", "Origin", "null"}},
		{"JSON a browser calls same-site but not same-origin", []string{"Content-Type", "application/json", "Sec-Fetch-Site", "same-site"}},
		{"JSON a browser calls cross-site", []string{"Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"}},
		{"the client header from another origin", []string{"Content-Type", "text/plain", "X-Kiosk-Client", "1", "Origin", "http://evil.example"}},
	} {
		t.Run(tt.name+" makes no sale", func(t *testing.T) {
			body := cashSale
			for i := 0; i+1 < len(tt.headers); i += 2 {
				if tt.headers[i] == "body" {
					body = tt.headers[i+1]
				}
			}
			req, _ := http.NewRequest("POST", k.url+"/api/v1/sales", strings.NewReader(body))
			for i := 0; i+1 < len(tt.headers); i += 2 {
				if tt.headers[i] == "body" {
					continue
				}
				if tt.headers[i+1] == "" {
					req.Header.Del(tt.headers[i])
					continue
				}
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 403 || !strings.Contains(string(b), `"cross_site"`) {
				t.Fatalf("%d %s, want 403 cross_site", res.StatusCode, b)
			}
		})
	}
	if n := k.salesCount(t); n != 0 {
		t.Fatalf("%d sales made by requests a foreign page can send", n)
	}
	for _, tt := range []struct {
		name    string
		headers []string
	}{
		{"JSON from a script on the kiosk", []string{"Content-Type", "application/json"}},
		{"JSON from the kiosk's own page", []string{"Content-Type", "application/json", "Origin", own, "Sec-Fetch-Site", "same-origin"}},
		{"the screens' client header", []string{"Content-Type", "text/plain", "X-Kiosk-Client", "1"}},
	} {
		t.Run(tt.name+" sells", func(t *testing.T) {
			req, _ := http.NewRequest("POST", k.url+"/api/v1/sales", strings.NewReader(cashSale))
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 201 {
				t.Fatalf("%d, want 201", res.StatusCode)
			}
		})
	}
	s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	if r := k.do("POST", "/api/v1/sales/"+s.ID+"/reprint", nil); r.Status != 403 || r.errCode(t) != "cross_site" {
		t.Fatalf("a bare POST to reprint: %d %s, want 403 cross_site", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/sales/"+s.ID+"/reprint", nil, "X-Kiosk-Client", "1"); r.Status != 202 {
		t.Fatalf("a reprint with the client header: %d %s", r.Status, r.Body)
	}
}

// foreignPage serves, from its own origin, a page that tries to sell through
// the kiosk at kioskURL: a no-cors fetch with a text/plain body, a form
// posted as text/plain (its one field spells the JSON of a sale), and a
// no-cors POST to reprint a receipt. window.tried counts what has been sent.
func foreignPage(t *testing.T, kioskURL, saleID string) *httptest.Server {
	t.Helper()
	page := `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="post" enctype="text/plain" target="sink" action="` + kioskURL + `/api/v1/sales">
<input name='{"lines":[{"sku":"CM-MO-500","qty":1}],"payments":[{"method":"cash","amount":500000}],"x":"' value='"}'>
</form>
<script>
window.tried = 0;
const done = () => { window.tried++; };
const sale = JSON.stringify({lines: [{sku: 'CM-MO-500', qty: 1}], payments: [{method: 'cash', amount: 500000}]});
fetch('` + kioskURL + `/api/v1/sales', {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: sale}).then(done, done);
fetch('` + kioskURL + `/api/v1/sales/` + saleID + `/reprint', {method: 'POST', mode: 'no-cors'}).then(done, done);
document.querySelector('iframe').addEventListener('load', done, {once: true});
document.getElementById('f').submit();
</script></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowserAForeignPageInTheKiosksOwnBrowserCannotSell(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	first := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	jobs := func() int {
		var list struct{ Jobs []any }
		k.do("GET", "/api/v1/print-jobs?sale="+first.ID, nil).json(t, &list)
		return len(list.Jobs)
	}
	waitFor(t, "the first receipt's print job", func() bool { return jobs() == 1 })
	foreign := foreignPage(t, k.url, first.ID)
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second,
		chromedp.Navigate(foreign.URL),
		chromedp.Poll(`window.tried === 3`, nil, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
	)
	if n := k.salesCount(t); n != 1 {
		t.Fatalf("%d sales after the foreign page's attempts, want only the first", n)
	}
	if n := jobs(); n != 1 {
		t.Fatalf("%d print jobs for the first sale, want 1: the foreign page reprinted it", n)
	}
	// The kiosk's own pages go on working: api.js sends what they need.
	var got string
	within(t, ctx, 20*time.Second,
		chromedp.Navigate(k.url+"/till?till=T1"),
		chromedp.Evaluate(`import('/static/js/api.js').then((m) => m.api('/api/v1/sales/`+first.ID+`/reprint', {method: 'POST'})).then(() => 'ok', (e) => e.code)`,
			&got, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if got != "ok" {
		t.Fatalf("the till page's reprint: %s", got)
	}
	waitFor(t, "the reprint's print job", func() bool { return jobs() == 2 })
}
