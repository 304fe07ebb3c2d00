package kiosk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

var (
	reStyleElem  = regexp.MustCompile(`(?s)<style[^>]*>(.*?)</style>`)
	reInlineJS   = regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`)
	reStyleAttr  = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	reEventAttr  = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	reScriptTags = regexp.MustCompile(`(?i)<script\b[^>]*>`)
)

// checkPolicyCoversPage fails when an HTML page holds something its policy
// would block: a <style> whose hash the policy lacks, an inline script, a
// style or event-handler attribute.
func checkPolicyCoversPage(t *testing.T, name, policy string, body []byte) {
	t.Helper()
	for _, m := range reStyleElem.FindAllSubmatch(body, -1) {
		sum := sha256.Sum256(m[1])
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(policy, h) {
			t.Errorf("%s: a <style> element whose hash %s the policy does not allow", name, h)
		}
	}
	for _, tag := range reScriptTags.FindAll(body, -1) {
		if !bytes.Contains(tag, []byte("src=")) {
			t.Errorf("%s: an inline script %s", name, tag)
		}
	}
	if reInlineJS.Match(body) {
		t.Errorf("%s: a script element with code inside", name)
	}
	if m := reStyleAttr.Find(body); m != nil {
		t.Errorf("%s: a style attribute: %s", name, m)
	}
	if m := reEventAttr.Find(body); m != nil {
		t.Errorf("%s: an event-handler attribute: %s", name, m)
	}
}

func TestEveryAnswerOfTheKioskCarriesTheContentSecurityPolicy(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	for _, tt := range []struct {
		path string
		html bool
	}{
		{"/", true}, {"/till", true}, {"/display?till=T1", true}, {"/self", true}, {"/manager", true}, {"/pair", true},
		{"/01/" + honeyGTIN, true},
		{"/01/" + honeyGTIN + "/10/UM2605-01", true},
		{"/01/" + honeyGTIN + "/10/UM2605-01/21/0001", true},
		{"/01/08936072199994", true}, // the 404 page
		{"/r/" + s.ID, true},
		{"/r/NOPE", true},
		{"/static/js/till.js", false},
		{"/static/css/app.css", false},
		{"/fonts/vn.ttf", false},
		{"/healthz", false},
		{"/api/v1/products?q=mat", false},
		{"/api/v1/nothing-here", false},
	} {
		r := k.do("GET", tt.path, nil, "Accept-Language", "vi")
		got := r.Header.Get("Content-Security-Policy")
		if got == "" {
			t.Errorf("GET %s (%d) answers no Content-Security-Policy", tt.path, r.Status)
			continue
		}
		if got != web.ContentSecurityPolicy() {
			t.Errorf("GET %s: policy %q, want the kiosk's", tt.path, got)
		}
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "img-src 'self'", "connect-src 'self'", "frame-ancestors 'self'"} {
			if !strings.Contains(got, d) {
				t.Errorf("GET %s: the policy lacks %q", tt.path, d)
			}
		}
		if strings.Contains(got, "unsafe-inline") || strings.Contains(got, "unsafe-eval") || strings.Contains(got, "*") {
			t.Errorf("GET %s: a policy that lets outside or inline code in: %q", tt.path, got)
		}
		if tt.html {
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("GET %s: %s, want an HTML page", tt.path, r.Header.Get("Content-Type"))
			}
			checkPolicyCoversPage(t, tt.path, got, r.Body)
		}
	}
}

// setProductImage gives a product of the running kiosk an image address, the
// way a manager would: by exporting the products file, editing it and
// importing it again.
func setProductImage(t *testing.T, k *testKiosk, sku, image string) {
	t.Helper()
	r := k.do("GET", "/api/v1/catalog/export?kind=products", nil)
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	pr, err := pos.ParseProductsCSV(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	for i := range pr.Products {
		if pr.Products[i].SKU == sku {
			pr.Products[i].Image = image
		}
	}
	var b bytes.Buffer
	if err := pos.WriteProductsCSV(&b, pr.Products); err != nil {
		t.Fatal(err)
	}
	if r := k.do("POST", "/api/v1/catalog/import?kind=products", b.Bytes(), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	if got := k.product(sku).Image; got != image {
		t.Fatalf("image of %s is %q after the import, want %q", sku, got, image)
	}
}

// outsideHost stands for a server on the internet: Chromium resolves
// evil.example to it, and it counts every connection made to it.
func outsideHost(t *testing.T) (rule string, hits *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	hits = new(atomic.Int64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	return "MAP evil.example " + ln.Addr().String(), hits
}

// cspViolations records, in every page the tab opens, what the policy blocked.
const cspViolations = `window.__csp = []; document.addEventListener('securitypolicyviolation',
	(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));`

func TestBrowserScreensFetchNoImageFromOutsideTheKiosk(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	rule, hits := outsideHost(t)
	setProductImage(t, k, "CM-MO-500", "https://evil.example/x.png")
	setProductImage(t, k, "CM-MO-250", "http://evil.example/y.png")
	ctx := browser(t, 1280, 800, chromedp.Flag("host-resolver-rules", rule))
	within(t, ctx, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(cspViolations).Do(ctx)
		return err
	}))

	// The till's grid shows both honeys with their pictures' frames.
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	within(t, ctx, 15*time.Second,
		chromedp.SendKeys(tid("search"), "mat ong u minh", chromedp.ByQuery),
		chromedp.WaitVisible(tid("product", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("product", `[data-sku="CM-MO-250"]`), chromedp.ByQuery),
		chromedp.Click(tid("product", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.Sleep(time.Second), // time for a lazy image to be asked for
	)
	var imgs, blocked []string
	within(t, ctx, 5*time.Second,
		chromedp.Evaluate(`[...document.querySelectorAll('img')].map((i) => i.src)`, &imgs),
		chromedp.Evaluate(`window.__csp`, &blocked))
	// The screen leaves an outside address out rather than leave it to the
	// policy to block.
	if len(blocked) > 0 {
		t.Errorf("the till asked for what the policy blocks: %q", blocked)
	}
	for _, src := range imgs {
		if strings.Contains(src, "evil.example") {
			t.Errorf("the till put an outside image on the page: %s", src)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("Chromium connected %d time(s) to evil.example for a product image", n)
	}
}

func TestBrowserScreensAndPagesRunUnderTheirPolicyWithoutAViolation(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}})
	ctx := browser(t, 1280, 800)
	within(t, ctx, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(cspViolations).Do(ctx)
		return err
	}))
	for _, tt := range []struct {
		path      string
		connected bool // a screen with a websocket, which must connect
	}{
		{"/till?till=T1", true}, {"/display?till=T1", true}, {"/self", true}, {"/manager", false}, {"/pair", false}, {"/", false},
		{"/01/" + honeyGTIN + "/10/UM2605-01/21/0001?lang=vi", false}, {"/r/" + s.ID, false}, {"/01/08936072199994", false},
	} {
		within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+tt.path))
		if tt.connected {
			waitConnected(t, ctx)
		}
		var blocked []string
		var styled bool
		within(t, ctx, 10*time.Second,
			chromedp.Sleep(500*time.Millisecond),
			chromedp.Evaluate(`window.__csp || ['the recorder did not run']`, &blocked),
			// The page's CSS applied (every page sets the body's margin to 0).
			chromedp.Evaluate(`getComputedStyle(document.body).marginTop === '0px'`, &styled),
		)
		if len(blocked) > 0 {
			t.Errorf("%s: the policy blocked %q", tt.path, blocked)
		}
		if !styled {
			t.Errorf("%s: no stylesheet applied", tt.path)
		}
	}
}
