package sync

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// managerBrowser is one manager's browser on the hub's pages: a cookie jar and
// the loopback address it connects from (127.0.0.x stands for a machine of
// the LAN). It follows no redirect, so that every answer can be looked at.
type managerBrowser struct {
	t    *testing.T
	base string
	jar  *cookiejar.Jar
	c    *http.Client
}

func newManagerBrowser(t *testing.T, base, from string) *managerBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	t.Cleanup(tr.CloseIdleConnections)
	return &managerBrowser{t: t, base: base, jar: jar, c: &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; a form goes as a browser posts it, with the Origin
// given ("" for none).
func (b *managerBrowser) do(method, path string, form url.Values, origin string, header ...string) (*http.Response, string) {
	b.t.Helper()
	var req *http.Request
	var err error
	if form != nil {
		req, err = http.NewRequest(method, b.base+path, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(method, b.base+path, nil)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, sb.String()
}

var reCSRFField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrfOf is the CSRF token of a page's form, "" when it has none.
func csrfOf(body string) string {
	if m := reCSRFField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// tryToken fills in the sign-in form as it is served and sends it with the
// given token.
func (b *managerBrowser) tryToken(token string) (*http.Response, string) {
	b.t.Helper()
	_, form := b.do("GET", "/reports/login", nil, "")
	return b.do("POST", "/reports/login", url.Values{"token": {token}, "csrf": {csrfOf(form)}}, b.base)
}

// signIn signs in with the admin token and answers the Set-Cookie of the
// session.
func (b *managerBrowser) signIn(token string) *http.Cookie {
	b.t.Helper()
	res, body := b.tryToken(token)
	if res.StatusCode != 303 {
		b.t.Fatalf("sign-in: %d %s", res.StatusCode, body)
	}
	for _, c := range res.Cookies() {
		if c.Name == "hub_session" {
			return c
		}
	}
	b.t.Fatalf("sign-in set no hub_session cookie: %q", res.Header.Values("Set-Cookie"))
	return nil
}

// page is a report page's status, with its body.
func (b *managerBrowser) page() (int, string) {
	b.t.Helper()
	res, body := b.do("GET", "/reports/reconciliation", nil, "")
	return res.StatusCode, body
}

func TestTheSignInCookieHoldsASessionIDAndNeverTheToken(t *testing.T) {
	_, base := startHub(t, hubStore(t), "127.0.0.1:0")
	b := newManagerBrowser(t, base, "127.0.0.1")
	res, _ := b.tryToken(testAdminToken)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/reports/reconciliation" {
		t.Fatalf("sign-in: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range res.Cookies() {
		if strings.Contains(c.Value, testAdminToken) || strings.Contains(c.Value, url.QueryEscape(testAdminToken)) {
			t.Errorf("cookie %s holds the admin token", c.Name)
		}
		if c.Name == "hub_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no hub_session cookie in %q", res.Header.Values("Set-Cookie"))
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Secure {
		t.Errorf("cookie attributes %+v (plain HTTP: not Secure)", session)
	}
	if len(session.Value) < 22 {
		t.Errorf("session id %q is under 128 bits", session.Value)
	}
	if code, body := b.page(); code != 200 || !strings.Contains(body, "Đối soát") {
		t.Fatalf("the page with the session: %d", code)
	}
	if again := newManagerBrowser(t, base, "127.0.0.1").signIn(testAdminToken); again.Value == session.Value {
		t.Error("two sign-ins got the same session id")
	}
	forged := newManagerBrowser(t, base, "127.0.0.1")
	if res, _ := forged.do("GET", "/reports/reconciliation", nil, "", "Cookie", "hub_session="+testAdminToken); res.StatusCode != 401 {
		t.Errorf("the admin token as the session cookie: %d", res.StatusCode)
	}

	t.Run("over TLS the cookie is Secure", func(t *testing.T) {
		ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}})
		if err != nil {
			t.Fatal(err)
		}
		app := (&Hub{Store: hubStore(t), AdminHash: TokenHash(testAdminToken), Log: quiet()}).App()
		go app.Listener(ln)
		t.Cleanup(func() { app.ShutdownWithTimeout(time.Second) })
		c := newManagerBrowser(t, "https://"+ln.Addr().String(), "127.0.0.1").signIn(testAdminToken)
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie over TLS %+v", c)
		}
	})
}

func TestSigningOutTakesThePagesOwnForm(t *testing.T) {
	_, base := startHub(t, hubStore(t), "127.0.0.1:0")
	b := newManagerBrowser(t, base, "127.0.0.1")
	session := b.signIn(testAdminToken)
	code, page := b.page()
	token := csrfOf(page)
	if code != 200 || token == "" || !strings.Contains(page, `action="/reports/logout"`) {
		t.Fatalf("the page has no sign-out form with a CSRF token: %d", code)
	}
	for _, tt := range []struct {
		name   string
		method string
		form   url.Values
		origin string
	}{
		{"a foreign page's form posting no token", "POST", url.Values{}, "http://evil.example"},
		{"a foreign page's form posting the right token", "POST", url.Values{"csrf": {token}}, "http://evil.example"},
		{"a page without an origin of its own", "POST", url.Values{"csrf": {token}}, "null"},
		{"a form of the hub's origin with no token", "POST", url.Values{}, base},
		{"a form of the hub's origin with a wrong token", "POST", url.Values{"csrf": {strings.Repeat("A", len(token))}}, base},
		{"a link", "GET", nil, ""},
		{"a link from another site", "GET", nil, "http://evil.example"},
	} {
		t.Run(tt.name+" does not sign out", func(t *testing.T) {
			res, _ := b.do(tt.method, "/reports/logout", tt.form, tt.origin)
			if res.StatusCode < 400 {
				t.Errorf("answered %d", res.StatusCode)
			}
			for _, c := range res.Cookies() {
				if c.Name == "hub_session" {
					t.Errorf("the session cookie was touched: %+v", c)
				}
			}
			if code, _ := b.page(); code != 200 {
				t.Errorf("the session ended: the page answers %d", code)
			}
		})
	}
	t.Run("the page's form signs out, on the hub too", func(t *testing.T) {
		res, _ := b.do("POST", "/reports/logout", url.Values{"csrf": {token}}, base)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/reports/login" {
			t.Fatalf("%d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		if code, _ := b.page(); code != 401 {
			t.Errorf("after signing out the page answers %d", code)
		}
		kept := newManagerBrowser(t, base, "127.0.0.1")
		if res, _ := kept.do("GET", "/reports/reconciliation", nil, "", "Cookie", "hub_session="+session.Value); res.StatusCode != 401 {
			t.Errorf("the ended session's id still opens the page: %d", res.StatusCode)
		}
	})
}

func TestFormsWithoutTheirCSRFTokenAreRefused(t *testing.T) {
	_, base := startHub(t, hubStore(t), "127.0.0.1:0")
	signedIn := func(res *http.Response) bool {
		for _, c := range res.Cookies() {
			if c.Name == "hub_session" && c.Value != "" {
				return true
			}
		}
		return false
	}
	for _, tt := range []struct {
		name string
		send func(b *managerBrowser) *http.Response
	}{
		{"a sign-in with no token field", func(b *managerBrowser) *http.Response {
			b.do("GET", "/reports/login", nil, "")
			res, _ := b.do("POST", "/reports/login", url.Values{"token": {testAdminToken}}, b.base)
			return res
		}},
		{"a sign-in with a wrong token field", func(b *managerBrowser) *http.Response {
			_, form := b.do("GET", "/reports/login", nil, "")
			res, _ := b.do("POST", "/reports/login", url.Values{"token": {testAdminToken}, "csrf": {csrfOf(form) + "x"}}, b.base)
			return res
		}},
		{"a sign-in with another browser's token field", func(b *managerBrowser) *http.Response {
			other := newManagerBrowser(t, base, "127.0.0.1")
			_, form := other.do("GET", "/reports/login", nil, "")
			res, _ := b.do("POST", "/reports/login", url.Values{"token": {testAdminToken}, "csrf": {csrfOf(form)}}, b.base)
			return res
		}},
		{"a sign-in posted by a foreign page", func(b *managerBrowser) *http.Response {
			_, form := b.do("GET", "/reports/login", nil, "")
			res, _ := b.do("POST", "/reports/login", url.Values{"token": {testAdminToken}, "csrf": {csrfOf(form)}}, "http://evil.example")
			return res
		}},
		{"a sign-in posted with a foreign referrer and no origin", func(b *managerBrowser) *http.Response {
			_, form := b.do("GET", "/reports/login", nil, "")
			res, _ := b.do("POST", "/reports/login", url.Values{"token": {testAdminToken}, "csrf": {csrfOf(form)}}, "",
				"Referer", "http://evil.example/page")
			return res
		}},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			b := newManagerBrowser(t, base, "127.0.0.1")
			res := tt.send(b)
			if res.StatusCode != 403 || signedIn(res) {
				t.Errorf("%d, signed in: %v", res.StatusCode, signedIn(res))
			}
			if code, _ := b.page(); code != 401 {
				t.Errorf("the page answers %d", code)
			}
		})
	}
	t.Run("the sign-in form itself carries its token and works", func(t *testing.T) {
		b := newManagerBrowser(t, base, "127.0.0.1")
		b.signIn(testAdminToken)
		if code, _ := b.page(); code != 200 {
			t.Errorf("%d", code)
		}
	})
}

func TestGuessingTheAdminTokenIsLimited(t *testing.T) {
	_, base := startHub(t, hubStore(t), "127.0.0.1:0")
	wrong := "wrong-" + testAdminToken
	admin := newManagerBrowser(t, base, "127.0.0.9")
	admin.signIn(testAdminToken) // a manager who signed in from here before the guessing

	failures := 0
	t.Run("an address is locked out after five wrong tokens", func(t *testing.T) {
		b := newManagerBrowser(t, base, "127.0.0.2")
		for i := range loginAddrFailures {
			if res, _ := b.tryToken(wrong); res.StatusCode != 403 {
				t.Fatalf("wrong token %d: %d", i+1, res.StatusCode)
			}
			failures++
		}
		res, body := b.tryToken(wrong)
		retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != 429 || retry < 1 || !strings.Contains(body, `action="/reports/login"`) {
			t.Errorf("one more: %d Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		if res, _ := b.tryToken(testAdminToken); res.StatusCode != 429 {
			t.Errorf("the right token from the locked address: %d", res.StatusCode)
		}
		if res, _ := newManagerBrowser(t, base, "127.0.0.3").tryToken(testAdminToken); res.StatusCode != 303 {
			t.Errorf("the right token from another address: %d", res.StatusCode)
		}
	})
	t.Run("a burst of guesses is counted before any is checked", func(t *testing.T) {
		b := newManagerBrowser(t, base, "127.0.0.4")
		_, form := b.do("GET", "/reports/login", nil, "")
		csrf := csrfOf(form)
		var wg gosync.WaitGroup
		codes := make(chan int, 20)
		for range 20 {
			wg.Go(func() {
				res, _ := b.do("POST", "/reports/login", url.Values{"token": {wrong}, "csrf": {csrf}}, base)
				codes <- res.StatusCode
			})
		}
		wg.Wait()
		close(codes)
		count := map[int]int{}
		for c := range codes {
			count[c]++
		}
		if count[403] != loginAddrFailures || count[429] != 20-loginAddrFailures {
			t.Errorf("answers %v, want %d × 403 and the rest 429", count, loginAddrFailures)
		}
		failures += count[403]
	})
	t.Run("a wrong bearer token counts as well", func(t *testing.T) {
		b := newManagerBrowser(t, base, "127.0.0.5")
		for i := range loginAddrFailures + 1 {
			res, body := b.do("GET", "/api/v1/kiosks", nil, "", "Accept", "application/json", "Authorization", "Bearer "+wrong)
			want := 403
			if i == loginAddrFailures {
				want = 429
			} else {
				failures++
			}
			if res.StatusCode != want {
				t.Fatalf("bearer guess %d: %d %s", i+1, res.StatusCode, body)
			}
			if want == 429 && !strings.Contains(body, `"signin_locked"`) {
				t.Errorf("code: %s", body)
			}
		}
	})
	t.Run("guesses spread over many addresses lock out every new address", func(t *testing.T) {
		spread := 0
		for x := 1; failures < loginFailures && x < 250; x++ {
			b := newManagerBrowser(t, base, "127.0.1."+strconv.Itoa(x))
			for range loginAddrFailures - 1 {
				res, _ := b.tryToken(wrong)
				if res.StatusCode != 403 {
					t.Fatalf("guess %d overall: %d", failures+1, res.StatusCode)
				}
				if failures++; failures == loginFailures {
					break
				}
			}
			spread++
		}
		fresh := newManagerBrowser(t, base, "127.0.2.1")
		if res, _ := fresh.tryToken(wrong); res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
			t.Errorf("after %d wrong tokens from %d addresses a new address's guess: %d", failures, spread, res.StatusCode)
		}
		if res, _ := newManagerBrowser(t, base, "127.0.2.2").tryToken(testAdminToken); res.StatusCode != 429 {
			t.Errorf("the right token from an address never seen: %d", res.StatusCode)
		}
		if res, _ := admin.tryToken(testAdminToken); res.StatusCode != 303 {
			t.Errorf("the right token from the address that signed in before: %d", res.StatusCode)
		}
	})
}

// selfSigned is a throwaway certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hub"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestAWeakAdminTokenIsRefusedAtStart(t *testing.T) {
	for _, tok := range []string{"admin", "admin-secret", strings.Repeat("a", 40), "0123456789abcdef0123456789abcdef",
		"PasswordPasswordPasswordPassword", "7f3a9c2e51d8b4a6", "ocop-hub-admin-token-2026"} {
		t.Run(tok+" is refused", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			started := false
			err = RunHub(ctx, HubConfig{DataDir: t.TempDir(), Listener: ln, AdminToken: tok, Logger: quiet(),
				Ready: func(string) { started = true }})
			if err == nil || started || !strings.Contains(err.Error(), "-admin-token") || !strings.Contains(err.Error(), "128 bits") {
				t.Errorf("started %v, err %v", started, err)
			}
		})
	}
	t.Run("a strong token starts the hub", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		answered := false
		err = RunHub(ctx, HubConfig{DataDir: t.TempDir(), Listener: ln, AdminToken: testAdminToken, Logger: quiet(),
			Ready: func(addr string) {
				go func() { // once it answers, it serves, and stops when told
					defer cancel()
					if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
						answered = res.StatusCode == 200
						res.Body.Close()
					}
				}()
			}})
		if err != nil || !answered {
			t.Errorf("answered %v, err %v", answered, err)
		}
	})
}

func TestReportPagesBehindTheSignIn(t *testing.T) {
	f := newReconFair(t)
	app := reconApp(t, f.hub)
	page := func(path, cookie string, html bool) (*http.Response, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", "hub_session="+cookie)
		}
		if html {
			req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		}
		res, body := reconDo(t, app, req)
		return res, string(body)
	}
	login := func(token, next string) *http.Response {
		res, body := reconDo(t, app, httptest.NewRequest(http.MethodGet, "/reports/login", nil))
		form := url.Values{"token": {token}, "csrf": {csrfOf(string(body))}}
		if next != "" {
			form.Set("next", next)
		}
		req := httptest.NewRequest(http.MethodPost, "/reports/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range res.Cookies() {
			req.AddCookie(c)
		}
		res, _ = reconDo(t, app, req)
		return res
	}

	t.Run("without a token a browser gets the sign-in form, a script 401", func(t *testing.T) {
		res, body := page("/reports/reconciliation?day=2026-11-21", "", true)
		if res.StatusCode != 401 || !strings.Contains(body, `action="/reports/login"`) || !strings.Contains(body, `value="/reports/reconciliation?day=2026-11-21"`) {
			t.Errorf("%d %s", res.StatusCode, body)
		}
		if res, body := page("/reports/chart.svg", "", false); res.StatusCode != 401 || !strings.Contains(body, `"unauthorized"`) {
			t.Errorf("%d %s", res.StatusCode, body)
		}
		if res, _ := page("/reports/login", "", true); res.StatusCode != 200 {
			t.Errorf("the form: %d", res.StatusCode)
		}
	})

	t.Run("a wrong token is refused", func(t *testing.T) {
		res := login("nope", "")
		for _, c := range res.Cookies() {
			if c.Name == "hub_session" {
				t.Errorf("a session cookie for a wrong token: %v", c)
			}
		}
		if res.StatusCode != 403 {
			t.Errorf("%d", res.StatusCode)
		}
		if res, _ := page("/reports/reconciliation", "nope", false); res.StatusCode != 401 {
			t.Errorf("a made-up session: %d", res.StatusCode)
		}
	})

	var cookie *http.Cookie
	t.Run("the admin token starts a session with a strict, HttpOnly cookie", func(t *testing.T) {
		res := login(testAdminToken, "")
		if res.StatusCode != 303 || res.Header.Get("Location") != "/reports/reconciliation" {
			t.Fatalf("%d → %q", res.StatusCode, res.Header.Get("Location"))
		}
		for _, c := range res.Cookies() {
			if c.Name == "hub_session" {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" || cookie.Value == "" {
			t.Fatalf("cookie %+v", cookie)
		}
		if res := login(testAdminToken, "/reports/settlement?from=2026-11-21"); res.Header.Get("Location") != "/reports/settlement?from=2026-11-21" {
			t.Errorf("next: %q", res.Header.Get("Location"))
		}
		if res := login(testAdminToken, "https://example.com/"); res.Header.Get("Location") != "/reports/reconciliation" {
			t.Errorf("an outside next was followed: %q", res.Header.Get("Location"))
		}
	})
	if cookie == nil {
		t.FailNow()
	}

	t.Run("the reconciliation page", func(t *testing.T) {
		res, body := page("/reports/reconciliation?day=2026-11-21", cookie.Value, true)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		for _, want := range []string{
			`<img class="chart" src="/reports/chart.svg?from=2026-11-15&amp;to=2026-11-21"`,
			`<input type="date" name="day" value="2026-11-21"`,
			`href="/reports/reconciliation.xlsx?day=2026-11-21"`,
			`href="/reports/reconciliation.csv?day=2026-11-21&amp;table=gaps"`,
			"940.000 ₫", "850.000", "K02-000003", "K02-000004", "is not 40000", "Mật ong U Minh 500 ml", "-40.000",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("no %q in the page", want)
			}
		}
		if strings.Contains(body, "<script") {
			t.Error("the page carries a script")
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP %q", csp)
		}
	})
	t.Run("a bad day shows today with an error", func(t *testing.T) {
		res, body := page("/reports/reconciliation?day=nope", cookie.Value, true)
		if res.StatusCode != 400 || !strings.Contains(body, `class="error"`) {
			t.Errorf("%d", res.StatusCode)
		}
	})
	t.Run("the settlement page", func(t *testing.T) {
		res, body := page("/reports/settlement?from=2026-11-21&to=2026-11-21&commission=10", cookie.Value, true)
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		for _, want := range []string{"Cơ sở kẹo dừa Thanh Long", "243.000", "846.000 ₫", `name="commission" min="0" max="100" step="1" value="10"`,
			`href="/reports/settlement.csv?commission=10&amp;from=2026-11-21&amp;to=2026-11-21"`} {
			if !strings.Contains(body, want) {
				t.Errorf("no %q in the page", want)
			}
		}
	})
	t.Run("the chart and the downloads take the cookie too", func(t *testing.T) {
		res, body := page("/reports/chart.svg?from=2026-11-20&to=2026-11-22", cookie.Value, false)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml; charset=utf-8" {
			t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if got := svgLegend(t, []byte(body)); len(got) != 2 {
			t.Errorf("legend %v", got)
		}
		res, body = page("/reports/reconciliation.csv?day=2026-11-21&table=gaps", cookie.Value, false)
		if rows := readReportCSV(t, res, []byte(body)); len(rows) != 2 {
			t.Errorf("gaps %q", rows)
		}
		if res, _ := page("/reports/settlement.xlsx?from=2026-11-21", cookie.Value, false); res.StatusCode != 200 {
			t.Errorf("settlement.xlsx %d", res.StatusCode)
		}
	})
	t.Run("the bearer header works on the pages as well", func(t *testing.T) {
		if res, _ := reconGet(t, app, "/reports/settlement", testAdminToken); res.StatusCode != 200 {
			t.Errorf("%d", res.StatusCode)
		}
	})
	t.Run("signing out with the page's form ends the session", func(t *testing.T) {
		_, body := page("/reports/settlement", cookie.Value, true)
		form := url.Values{"csrf": {csrfOf(body)}}
		req := httptest.NewRequest(http.MethodPost, "/reports/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		res, _ := reconDo(t, app, req)
		cleared := false
		for _, c := range res.Cookies() {
			cleared = cleared || (c.Name == "hub_session" && c.Value == "" && (c.MaxAge < 0 || c.Expires.Before(time.Now())))
		}
		if res.StatusCode != 303 || !cleared {
			t.Errorf("%d %v", res.StatusCode, res.Header.Values("Set-Cookie"))
		}
		if res, _ := page("/reports/settlement", cookie.Value, false); res.StatusCode != 401 {
			t.Errorf("the ended session: %d", res.StatusCode)
		}
	})
}
