package kiosk

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// tid is a CSS selector for a data-testid.
func tid(id string, more ...string) string {
	return `[data-testid="` + id + `"]` + strings.Join(more, "")
}

// waitConnected waits for a page's websocket to be up.
func waitConnected(tb testing.TB, ctx context.Context) {
	tb.Helper()
	within(tb, ctx, 15*time.Second, connState("connected"))
}

// connState waits until the page's connection badge says state. It polls with
// JavaScript rather than waiting on DOM events, which a background tab delivers
// late.
func connState(state string) chromedp.Action {
	return chromedp.Poll(fmt.Sprintf(`(document.querySelector('%s') || {dataset: {}}).dataset.state === %q`, tid("conn-status"), state),
		nil, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

// screenshot saves the page as web/screenshots/NAME.png when KIOSK_SCREENSHOTS
// is set (the README shows them).
func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	if os.Getenv("KIOSK_SCREENSHOTS") == "" {
		return
	}
	var png []byte
	within(tb, ctx, 10*time.Second, chromedp.Sleep(300*time.Millisecond), chromedp.CaptureScreenshot(&png))
	if err := os.WriteFile(filepath.Join("..", "web", "screenshots", name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestBrowserTillSellsWhileTheCustomerDisplayMirrors(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	till := browser(t, 1280, 800)
	display := newTab(t, till)

	within(t, display, 20*time.Second, chromedp.Navigate(k.url+"/display?till=T1"))
	waitConnected(t, display)
	within(t, till, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, till)

	// Find the honey by typing without tone marks, twice (an add empties the
	// search box for the next product).
	honey := tid("product", `[data-sku="CM-MO-500"]`)
	within(t, till, 15*time.Second,
		searchTill("mat ong u minh", "CM-MO-500"),
		chromedp.Click(honey, chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').value === ''`, tid("search"))),
		searchTill("mat ong u minh", "CM-MO-500"),
		chromedp.Click(honey, chromedp.ByQuery),
	)
	price := k.product("CM-MO-500").Price
	want := pos.FormatVND(2*price) + " ₫"
	var tillTotal, displayTotal string
	within(t, till, 10*time.Second, chromedp.Poll(fmt.Sprintf(`document.querySelector('%s').textContent.includes(%q)`, tid("cart-total"), pos.FormatVND(2*price)), nil, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
		chromedp.Text(tid("cart-total"), &tillTotal, chromedp.ByQuery))
	within(t, display, 10*time.Second, chromedp.Poll(fmt.Sprintf(`document.querySelector('%s').textContent.includes(%q)`, tid("display-total"), pos.FormatVND(2*price)), nil, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
		chromedp.Text(tid("display-total"), &displayTotal, chromedp.ByQuery))
	if !strings.Contains(strings.ReplaceAll(tillTotal, "\u00a0", " "), want) || !strings.Contains(strings.ReplaceAll(displayTotal, "\u00a0", " "), want) {
		t.Fatalf("till shows %q, display %q, want %q", tillTotal, displayTotal, want)
	}
	screenshot(t, till, "till")
	screenshot(t, display, "display")

	// Cash: 500.000 tendered.
	var receipt string
	var ok bool
	within(t, till, 15*time.Second,
		chromedp.Click(tid("checkout"), chromedp.ByQuery),
		chromedp.Click(tid("pay-cash"), chromedp.ByQuery),
		chromedp.Click(tid("tender-500000"), chromedp.ByQuery),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	if !ok || !strings.HasPrefix(receipt, "K01-") {
		t.Fatalf("sale result receipt %q", receipt)
	}
	within(t, display, 10*time.Second, chromedp.WaitVisible(tid("display-thanks"), chromedp.ByQuery))

	// The sale is in the store and its receipt printed on the virtual printer.
	var list struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales", nil).json(t, &list)
	if len(list.Sales) != 1 || list.Sales[0].ReceiptNo != receipt || list.Sales[0].Total != 2*price {
		t.Fatalf("sales: %+v", list.Sales)
	}
	waitFor(t, "the receipt printed", func() bool {
		texts := printed(t, dir, list.Sales[0].ID)
		return len(texts) == 1 && strings.Contains(texts[0], receipt)
	})
}

func TestBrowserScannerAddsByBarcodeFromAnywhere(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	// A scanner types fast and ends with Enter, with nothing focused.
	within(t, ctx, 15*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes("8936072100152"),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
	)
}

func TestBrowserLanguageSwitch(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	ctx := browser(t, 1280, 800)
	var before, after string
	within(t, ctx, 20*time.Second,
		chromedp.Navigate(k.url+"/till?till=T1&lang=vi"),
		chromedp.WaitVisible(tid("lang-switch"), chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.lang`, &before),
		chromedp.Click(tid("lang-switch"), chromedp.ByQuery),
		chromedp.Poll(`document.documentElement.lang === "en"`, nil, chromedp.WithPollingTimeout(5*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
		chromedp.Evaluate(`document.documentElement.lang`, &after),
	)
	if before != "vi" || after != "en" {
		t.Fatalf("lang %q → %q", before, after)
	}
}

func TestBrowserReconnectsAfterTheKioskRestarts(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	k := startKiosk(t, dir, func(c *Config) { c.Listener = ln })
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	k.stop()
	within(t, ctx, 15*time.Second, connState("reconnecting"))
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	startKiosk(t, dir, func(c *Config) { c.Listener = ln2 })
	waitConnected(t, ctx)
	// The page works again: a product tapped lands in the cart.
	within(t, ctx, 15*time.Second,
		chromedp.SendKeys(tid("search"), "keo dua", chromedp.ByQuery),
		chromedp.WaitVisible(tid("product", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		chromedp.Click(tid("product", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="BT-KD-400"]`), chromedp.ByQuery),
	)
}

// touchTargets measures the visible buttons, links and inputs: how many, and
// which are smaller than 48 px either way.
const touchTargets = `(() => {
  const seen = [...document.querySelectorAll('button, a[href], input, select, [role=button]')]
    .filter(el => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && !el.closest('[hidden], dialog:not([open])'); });
  const small = seen.filter(el => { const r = el.getBoundingClientRect(); return r.width < 48 || r.height < 48; })
    .map(el => (el.dataset.testid || el.id || el.tagName) + ' ' + Math.round(el.getBoundingClientRect().width) + 'x' + Math.round(el.getBoundingClientRect().height));
  return {count: seen.length, small};
})()`

func TestBrowserTouchTargetsAreAtLeast48px(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for _, tt := range []struct {
		path          string
		width, height int
		atLeast       int // targets the page must show (the display has only its language switch)
		shot          string
	}{
		{"/till?till=T1", 1280, 800, 20, ""},
		{"/till?till=T1", 1920, 1080, 20, ""},
		{"/self?lang=en", 1080, 1920, 2, "self-attract"},
		{"/display?till=T1", 1280, 800, 1, ""},
	} {
		t.Run(fmt.Sprintf("%s at %dx%d", tt.path, tt.width, tt.height), func(t *testing.T) {
			ctx := browser(t, tt.width, tt.height)
			var got struct {
				Count int
				Small []string
			}
			within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+tt.path), connState("connected"),
				chromedp.Sleep(300*time.Millisecond), chromedp.Evaluate(touchTargets, &got))
			if got.Count < tt.atLeast {
				t.Fatalf("only %d touch targets found: the page did not render", got.Count)
			}
			if len(got.Small) > 0 {
				t.Errorf("touch targets under 48 px: %q", got.Small)
			}
			t.Logf("%d touch targets, all at least 48 px", got.Count)
			if tt.shot != "" {
				screenshot(t, ctx, tt.shot)
			}
		})
	}
}
