package kiosk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The manager adds a cashier on the manager page; the till, open already,
// asks for a cashier from then on: a sale without one opens the sign-in, the
// cashier picks their name and types their PIN, and the sale records who sold;
// the shift's report on the manager page totals it by cashier.
func TestBrowserACashierSignsInAtTheTillAndTheShiftTotalsThem(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	till := browser(t, 1280, 800)
	within(t, till, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, till)
	var hidden bool
	within(t, till, 5*time.Second, chromedp.Evaluate(`document.querySelector('[data-testid=cashier]').hidden`, &hidden))
	if !hidden {
		t.Error("a kiosk without cashiers shows the till a cashier sign-in")
	}

	mgr := managerIn(t, k, "Asia/Ho_Chi_Minh")
	within(t, mgr, 20*time.Second,
		chromedp.Click(tid("tab-cashiers"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cashier-add"), chromedp.ByQuery),
		chromedp.SendKeys(tid("cashier-name"), "Nguyễn Thị Lan", chromedp.ByQuery),
		chromedp.SendKeys(tid("cashier-new-pin"), "4821", chromedp.ByQuery),
		chromedp.Click(tid("cashier-add"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cashier-row"), chromedp.ByQuery),
	)

	// The till asks for a cashier now; a sale without one opens the sign-in.
	sku := firstInStock(t, till, 1)[0]
	within(t, till, 20*time.Second,
		poll(`!document.querySelector('[data-testid=cashier]').hidden`),
		poll(`document.querySelector('[data-testid=cashier]').textContent.includes('Đăng nhập thu ngân')`),
		chromedp.Click(tid("product", fmt.Sprintf(`[data-sku="%s"]`, sku)), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", fmt.Sprintf(`[data-sku="%s"]`, sku)), chromedp.ByQuery),
		chromedp.Click(tid("pay-exact"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cashier-dialog"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("cashier-pick"), chromedp.ByQuery),
		chromedp.Click(tid("cashier-pick"), chromedp.ByQuery),
		chromedp.SendKeys(tid("cashier-pin"), "1111", chromedp.ByQuery),
		chromedp.Click(tid("cashier-ok"), chromedp.ByQuery),
		poll(`document.querySelector('[data-testid=cashier-error]').textContent.includes('Sai mã PIN của thu ngân')`),
		chromedp.SendKeys(tid("cashier-pin"), "4821", chromedp.ByQuery),
		chromedp.Click(tid("cashier-ok"), chromedp.ByQuery),
		poll(`!document.querySelector('#cashier-dialog').open`),
		poll(`document.querySelector('[data-testid=cashier]').textContent === 'Thu ngân: Nguyễn Thị Lan'`),
	)
	screenshot(t, till, "till-cashier")
	if r := k.do("GET", "/api/v1/sales", nil); !strings.Contains(string(r.Body), `"count":0`) {
		t.Fatalf("a sale was made without a cashier: %s", r.Body)
	}
	var receipt string
	var ok bool
	// Back at the payment, which says why it was refused: paid again, it sells.
	within(t, till, 30*time.Second,
		chromedp.WaitVisible(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	var found struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &found)
	if len(found.Sales) != 1 || found.Sales[0].Cashier == nil || found.Sales[0].Cashier.Name != "Nguyễn Thị Lan" {
		t.Fatalf("sale %q: %+v", receipt, found.Sales)
	}

	var row string
	within(t, mgr, 20*time.Second,
		chromedp.Click(tid("tab-shift"), chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=by-cashier] tbody tr`, chromedp.ByQuery),
		chromedp.Text(`[data-testid=by-cashier] tbody tr`, &row, chromedp.ByQuery),
	)
	if !strings.Contains(row, "Nguyễn Thị Lan") || !strings.Contains(row, pos.FormatVND(found.Sales[0].Total)) {
		t.Errorf("the shift's row of the cashier: %q", row)
	}
	// The sales list names who sold.
	var who string
	within(t, mgr, 20*time.Second,
		chromedp.Click(tid("tab-sales"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-row", fmt.Sprintf(`[data-id="%s"] `, found.Sales[0].ID), tid("sale-cashier")), chromedp.ByQuery),
		chromedp.Text(tid("sale-row", fmt.Sprintf(`[data-id="%s"] `, found.Sales[0].ID), tid("sale-cashier")), &who, chromedp.ByQuery),
	)
	if who != "Thu ngân: Nguyễn Thị Lan" {
		t.Errorf("the sales list says %q of the sale's cashier", who)
	}
}
