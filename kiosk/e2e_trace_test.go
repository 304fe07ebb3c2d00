package kiosk

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// scannerTypes types code the way a barcode scanner in keyboard mode does:
// the keys of the code, then Enter, in one burst. The keys are sent from
// within the page, one right after another, to whatever has the focus: a
// scanner's keys carry the time the scanner sent them, and keys sent one by
// one over the test's connection to the browser take as long as a loaded
// test machine makes them, which can be slower than any scanner (the scanner
// tests timed out under load). The till hears key events, whoever made them.
func scannerTypes(code string) chromedp.Action {
	keys, _ := json.Marshal(append(strings.Split(code, ""), "Enter"))
	return chromedp.Evaluate(fmt.Sprintf(`(() => {
	const to = document.activeElement || document.body;
	for (const key of %s) {
		to.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true, composed: true}));
		to.dispatchEvent(new KeyboardEvent('keyup', {key, bubbles: true, cancelable: true, composed: true}));
	}
})()`, keys), nil)
}

// poll waits until the JavaScript expression is true.
func poll(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

const traceFrameText = `(() => {
	const f = document.querySelector('[data-testid=trace-overlay] iframe');
	return f && f.contentDocument && f.contentDocument.body ? f.contentDocument.body.innerText : '';
})()`

func TestBrowserSelfScanOfALabelOpensItsTracePageHere(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1080, 1920)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/self?lang=vi"))
	waitConnected(t, ctx)

	// The label was printed by a kiosk with another -base-url: the scan must
	// open the same path on this kiosk, not other.example.
	within(t, ctx, 20*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes("http://other.example/01/08936072100152/10/UM2605-01/21/0007"),
		chromedp.WaitVisible(tid("trace-overlay"), chromedp.ByQuery),
		poll(traceFrameText+`.includes('Lô UM2605-01')`),
	)
	var text, src string
	within(t, ctx, 10*time.Second,
		chromedp.Evaluate(traceFrameText, &text),
		chromedp.Evaluate(`document.querySelector('[data-testid=trace-overlay] iframe').contentWindow.location.href`, &src),
	)
	for _, want := range []string{"Lô UM2605-01", "Tem số 0007", "Mật ong rừng tràm U Minh Hạ 500ml"} {
		if !strings.Contains(text, want) {
			t.Errorf("the trace page lacks %q:\n%s", want, text)
		}
	}
	u, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host; got != k.url {
		t.Errorf("trace page opened on %s, want this kiosk %s", got, k.url)
	}
	if u.Path != "/01/08936072100152/10/UM2605-01/21/0007" || u.Query().Get("lang") != "vi" {
		t.Errorf("trace page %s, want /01/08936072100152/10/UM2605-01/21/0007?lang=vi", src)
	}
	screenshot(t, ctx, "self-trace")

	// Back closes it, frame and all, and leaves the visit where it was.
	// A label the kiosk never printed is not offered for sale.
	var gone, addShown bool
	within(t, ctx, 5*time.Second, chromedp.Evaluate(`!document.querySelector('[data-testid=trace-add]').hidden`, &addShown))
	if addShown {
		t.Error("the trace page of a label the kiosk never printed offers Add to cart")
	}
	within(t, ctx, 10*time.Second,
		chromedp.Click(tid("trace-back"), chromedp.ByQuery),
		chromedp.WaitNotVisible(tid("trace-overlay"), chromedp.ByQuery),
		chromedp.Evaluate(`!document.querySelector('#trace').open && !document.querySelector('[data-testid=trace-overlay] iframe') && !document.querySelector('#app').hidden`, &gone),
	)
	if !gone {
		t.Error("after Back the overlay is still open, or the visit ended")
	}

	// Any other scan is a product, as before.
	within(t, ctx, 15*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes("8936072100152"),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
	)
	var overlay bool
	within(t, ctx, 5*time.Second, chromedp.Evaluate(`document.querySelector('#trace').open`, &overlay))
	if overlay {
		t.Error("a product barcode opened the trace overlay")
	}

	// A stamp scanned, read, and put in the cart from its trace page: the
	// cart's line names the stamp's lot and serial, and the overlay closes.
	issueStamps(t, k, 2)
	within(t, ctx, 20*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(honeyLink("0002")),
		chromedp.WaitVisible(tid("trace-overlay"), chromedp.ByQuery),
		poll(traceFrameText+`.includes('Tem số 0002')`),
		chromedp.WaitVisible(tid("trace-add"), chromedp.ByQuery),
	)
	screenshot(t, ctx, "self-trace-add")
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("trace-add"), chromedp.ByQuery),
		poll(`!document.querySelector('#trace').open`),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"][data-lot="UM2605-01"]`), chromedp.ByQuery),
	)
	var serials string
	within(t, ctx, 10*time.Second,
		poll(`!!document.querySelector('[data-testid=cart-line][data-lot="UM2605-01"] [data-testid=line-lot]')`),
		chromedp.Evaluate(`document.querySelector('[data-testid=cart-line][data-lot="UM2605-01"] [data-testid=line-lot]').dataset.serials`, &serials))
	if serials != "0002" {
		t.Errorf("the cart's line of lot UM2605-01 has serials %q after Add to cart, want 0002", serials)
	}
}

func TestBrowserManagerPrintsLabelsForALot(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Printers = map[string]string{"label": "file:" + dir + "/labels?profile=epson-tm-t20"}
	})
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second,
		signedInManager(k.url+"/manager?lang=vi"),
		chromedp.Click(tid("tab-lots"), chromedp.ByQuery),
		chromedp.SendKeys(tid("lot-product-search"), "mat ong u minh", chromedp.ByQuery),
		chromedp.Click(tid("lot-product-pick", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("lot-row", `[data-lot="UM2605-01"]`), chromedp.ByQuery),
		chromedp.Click(tid("lot-row", `[data-lot="UM2605-01"] `, tid("lot-labels")), chromedp.ByQuery),
		chromedp.WaitVisible(tid("label-count"), chromedp.ByQuery),
		// The printers come from GET /api/v1/printers; the label printer is chosen.
		poll(fmt.Sprintf(`document.querySelector('%s').value === 'label' && !document.querySelector('%s').disabled`, tid("label-printer"), tid("label-print"))),
		chromedp.SetValue(tid("label-count"), "2", chromedp.ByQuery),
		chromedp.Click(tid("label-print"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("label-serials"), chromedp.ByQuery),
	)
	var result string
	within(t, ctx, 5*time.Second, chromedp.Text(tid("label-result"), &result, chromedp.ByQuery))
	if !strings.Contains(result, "0001") || !strings.Contains(result, "0002") {
		t.Fatalf("label result %q, want serials 0001 and 0002", result)
	}
	screenshot(t, ctx, "manager-lots")
	waitFor(t, "two labels printed", func() bool {
		bins, _ := filepath.Glob(filepath.Join(dir, "labels", "*.bin"))
		return len(bins) == 2
	})
	bins, _ := filepath.Glob(filepath.Join(dir, "labels", "*.bin"))
	for _, b := range bins {
		if fi, err := os.Stat(b); err != nil || fi.Size() == 0 {
			t.Errorf("label %s is empty (%v)", b, err)
		}
	}
}
