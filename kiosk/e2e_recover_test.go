package kiosk

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// payCashExact takes the till's cart through the checkout dialog up to the
// confirm button: cash, the exact amount.
func payCashExact() chromedp.Action {
	return chromedp.Tasks{
		poll(`!document.querySelector('` + tid("checkout") + `').disabled`),
		chromedp.Click(tid("checkout"), chromedp.ByQuery),
		chromedp.Click(tid("pay-cash"), chromedp.ByQuery),
		chromedp.Click(tid("tender-exact"), chromedp.ByQuery),
		poll(`!document.querySelector('` + tid("confirm-payment") + `').disabled`),
	}
}

// dropCheckouts makes the page's websocket swallow checkout messages: the tap
// goes out as far as the page knows, and the kiosk never hears of it.
const dropCheckouts = `(() => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    try { if (JSON.parse(d).type === 'checkout') return; } catch {}
    return send.call(this, d);
  };
  return true;
})()`

// closeAfterCheckout sends a checkout and closes the socket at once: the kiosk
// sells, and its answer never reaches the page.
const closeAfterCheckout = `(() => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    const r = send.call(this, d);
    try { if (JSON.parse(d).type === 'checkout') this.close(); } catch {}
    return r;
  };
  return true;
})()`

func TestBrowserTillRestartedMidCheckoutShowsOnlyItsOwnSale(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	k := startKiosk(t, dir, func(c *Config) { c.Listener = ln })
	restart := func() {
		k.stop()
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		k = startKiosk(t, dir, func(c *Config) { c.Listener = ln })
	}
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1"))
	waitConnected(t, ctx)
	addToTill := func(sku string) {
		t.Helper()
		s, _ := connect(t, k, "till=T1&role=till")
		s.send(map[string]any{"type": "cart.add", "sku": sku})
		s.expect("cart")
		s.conn.Close()
	}

	// The previous customer pays cash: receipt 1.
	addToTill("BT-KD-400")
	var first string
	var ok bool
	within(t, ctx, 15*time.Second, payCashExact(),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &first, &ok, chromedp.ByQuery),
		chromedp.Click(tid("new-sale"), chromedp.ByQuery),
	)

	// The next customer: the checkout is lost on the way and the kiosk
	// restarts (the cart, kept in memory, is gone). Nothing was sold, so the
	// till must not show the previous customer's receipt as this one's.
	addToTill("CM-MO-500")
	within(t, ctx, 15*time.Second, payCashExact(), chromedp.Evaluate(dropCheckouts, nil),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		poll(`document.querySelector('#checkout-dialog').dataset.mode === 'busy'`))
	restart()
	waitConnected(t, ctx)
	var mode, shown string
	within(t, ctx, 15*time.Second,
		poll(`document.querySelector('#checkout-dialog').dataset.mode !== 'busy'`),
		chromedp.Evaluate(`document.querySelector('#checkout-dialog').dataset.mode`, &mode),
		chromedp.Evaluate(`(document.querySelector('`+tid("sale-result")+`') || {dataset: {}}).dataset.receipt || ''`, &shown),
	)
	if shown != "" || mode == "result" {
		t.Fatalf("after the restart the till shows receipt %q (mode %s); nothing was sold (the previous customer's was %s)", shown, mode, first)
	}
	if n := len(listAllSales(t, k.url)); n != 1 {
		t.Fatalf("%d sales in the store, want the previous customer's only", n)
	}

	// Once more, and this time the kiosk sells before it restarts: the till
	// shows that sale, not the previous customer's.
	within(t, ctx, 20*time.Second, chromedp.Reload())
	waitConnected(t, ctx)
	addToTill("TV-GHC-5")
	within(t, ctx, 15*time.Second, payCashExact(), chromedp.Evaluate(closeAfterCheckout, nil),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery))
	waitFor(t, "the second sale", func() bool { return len(listAllSales(t, k.url)) == 2 })
	restart()
	want := listAllSales(t, k.url)[1].ReceiptNo
	within(t, ctx, 20*time.Second,
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &shown, &ok, chromedp.ByQuery))
	if shown != want || strings.EqualFold(shown, first) {
		t.Fatalf("the till shows receipt %q, the sale it made is %s (the previous customer's %s)", shown, want, first)
	}
}
