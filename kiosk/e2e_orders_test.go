package kiosk

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// jsErrors collects the uncaught exceptions of a tab.
func jsErrors(ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			errs = append(errs, e.ExceptionDetails.Error())
			mu.Unlock()
		}
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

func text(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	var s string
	within(tb, ctx, 10*time.Second, chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
}

func TestBrowserSelfServiceOrderIsConfirmedAtTheTill(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	self := browser(t, 1080, 1920)
	selfErrs := jsErrors(self)
	till := newTab(t, self)
	tillErrs := jsErrors(till)
	within(t, till, 20*time.Second, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(k.url+"/till?till=T1&lang=en"))
	waitConnected(t, till)
	within(t, self, 20*time.Second, chromedp.Navigate(k.url+"/self?lang=en"))
	waitConnected(t, self)
	stock := k.product("BT-KD-400").Stock

	// The tourist's cart (filled over the websocket: the catalog taps are
	// another test's), then Check out.
	fill := func(sku string, qty int) {
		s, _ := connect(t, k, "till=SELF1&role=self")
		s.send(map[string]any{"type": "cart.add", "sku": sku, "qty": qty})
		s.expect("cart")
		s.conn.Close()
	}
	fill("BT-KD-400", 2)
	within(t, self, 15*time.Second,
		chromedp.Click(tid("start-en"), chromedp.ByQuery),
		poll(`!document.querySelector('`+tid("self-pay")+`').disabled`),
		chromedp.Click(tid("self-pay"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("self-order"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("self-qr"), chromedp.ByQuery),
	)
	code := text(t, self, tid("self-code"))
	ref := text(t, self, tid("self-ref"))
	bank := text(t, self, tid("self-bank"))
	total := 2 * k.product("BT-KD-400").Price
	if len(code) != pos.OrderCodeLen || ref != "K01 "+code {
		t.Fatalf("the tourist sees code %q and reference %q", code, ref)
	}
	for _, want := range []string{"Agribank (BIN 970405)", "7300 2051 2345 6", "HTX ONG MAT U MINH HA", ref} {
		if !strings.Contains(bank, want) {
			t.Errorf("beside the QR: %q lacks %q", bank, want)
		}
	}
	if got := text(t, self, tid("self-amount")); got != pos.FormatVND(total)+" ₫" {
		t.Errorf("amount %q, want %s ₫", got, pos.FormatVND(total))
	}
	if n := k.product("BT-KD-400").Stock; n != stock-2 {
		t.Fatalf("stock %d while the order waits, want %d", n, stock-2)
	}
	screenshot(t, self, "self-order")
	// "I have paid": the screen waits for the staff; nothing is sold yet.
	within(t, self, 10*time.Second, chromedp.Click(tid("self-paid"), chromedp.ByQuery),
		poll(`document.querySelector('`+tid("self-thanks")+`').dataset.state === 'submitted'`))
	if n := len(listAllSales(t, k.url)); n != 0 {
		t.Fatalf("%d sales before the staff confirmed", n)
	}

	// The till's queue shows it; the vendor sees the transfer and confirms.
	row := tid("order", `[data-code="`+code+`"]`)
	var receipt string
	var ok bool
	within(t, till, 15*time.Second,
		poll(`document.querySelector('`+tid("orders-open")+`').dataset.count === '1'`),
		chromedp.Click(tid("orders-open"), chromedp.ByQuery),
		chromedp.WaitVisible(row, chromedp.ByQuery))
	screenshot(t, till, "till-orders")
	within(t, till, 15*time.Second,
		chromedp.Click(row+` `+tid("order-transfer"), chromedp.ByQuery),
		poll(`document.querySelector('#checkout-dialog').dataset.mode === 'paying'`),
		poll(`document.querySelector('#qr-ref').textContent.includes('`+ref+`')`),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	within(t, self, 10*time.Second, poll(`document.querySelector('`+tid("self-thanks")+`').dataset.state === 'paid' && document.querySelector('`+tid("self-thanks")+`').dataset.receipt === '`+receipt+`'`))
	sales := listAllSales(t, k.url)
	if len(sales) != 1 || sales[0].ReceiptNo != receipt || sales[0].Total != total || sales[0].Payments[0].Reference != ref {
		t.Fatalf("sales: %+v", sales)
	}

	// Another tourist pays cash at the till: the vendor scans (or types) the
	// pickup code, and the checkout opens for that order.
	within(t, self, 15*time.Second, chromedp.Click(tid("self-done"), chromedp.ByQuery), chromedp.WaitVisible(tid("start-en"), chromedp.ByQuery))
	fill("CM-MO-500", 1)
	within(t, self, 15*time.Second,
		chromedp.Click(tid("start-en"), chromedp.ByQuery),
		poll(`!document.querySelector('`+tid("self-pay")+`').disabled`),
		chromedp.Click(tid("self-pay"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("self-code"), chromedp.ByQuery),
		poll(`document.querySelector('`+tid("self-code")+`').textContent.length === 5`),
	)
	code2 := text(t, self, tid("self-code"))
	within(t, till, 15*time.Second,
		chromedp.Click(tid("new-sale"), chromedp.ByQuery),
		poll(`document.querySelector('`+tid("orders-open")+`').dataset.count === '1'`),
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(strings.ToLower(code2)))
	within(t, till, 15*time.Second,
		poll(`document.querySelector('#checkout-dialog').dataset.mode === 'paying' && document.querySelector('#checkout-dialog').dataset.order !== ''`),
		chromedp.Click(tid("tender-500000"), chromedp.ByQuery),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-change"), chromedp.ByQuery),
	)
	within(t, self, 10*time.Second, poll(`document.querySelector('`+tid("self-thanks")+`').dataset.state === 'paid'`))
	if sales := listAllSales(t, k.url); len(sales) != 2 || sales[1].Payments[0].Method != pos.MethodCash || sales[1].Change != 500000-k.product("CM-MO-500").Price {
		t.Fatalf("the cash sale: %+v", sales[len(sales)-1])
	}
	for _, e := range append(selfErrs(), tillErrs()...) {
		t.Errorf("JavaScript error: %s", e)
	}
}

func TestBrowserCustomerDisplayShowsWhomATransferGoesTo(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	ctx := browser(t, 1280, 800)
	errs := jsErrors(ctx)
	within(t, ctx, 20*time.Second, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(k.url+"/display?till=T1&lang=vi"))
	waitConnected(t, ctx)
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "cart.add", "sku": "BT-KD-400"})
	till.expect("cart")
	till.send(map[string]any{"type": "pay.vietqr"})
	ref := till.expect("vietqr")["pending"].(map[string]any)["reference"].(string)
	within(t, ctx, 10*time.Second, chromedp.WaitVisible(tid("display-qr"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("display-bank-holder"), chromedp.ByQuery))
	for sel, want := range map[string]string{
		tid("display-bank-name"):    "Agribank (BIN 970405)",
		tid("display-bank-account"): "7300 2051 2345 6",
		tid("display-bank-holder"):  "HTX ONG MAT U MINH HA",
		"#qr-ref":                   ref,
	} {
		if got := text(t, ctx, sel); !strings.Contains(got, want) {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	// All of it on the screen, none below the fold.
	var bottom float64
	within(t, ctx, 5*time.Second, chromedp.Evaluate(`document.querySelector('#qr-bank').getBoundingClientRect().bottom`, &bottom))
	if bottom > 800 {
		t.Errorf("the account ends at %.0f px, below the 800 px screen", bottom)
	}
	screenshot(t, ctx, "display-vietqr")
	for _, e := range errs() {
		t.Errorf("JavaScript error: %s", e)
	}
}
