package kiosk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A stamp of a stamp run scanned at the till sells that item: the cart's
// line names the lot and serial, the same stamp scanned again is refused on
// screen, and the lot's EPCIS story shows the serial in the sale's epcList.
func TestBrowserAStampScannedAtTheTillIsSoldByItsSerial(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 2)
	ctx := browser(t, 1280, 800)
	within(t, ctx, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, ctx)

	lotLine := tid("cart-line", `[data-lot="UM2605-01"]`)
	serials := `(document.querySelector('[data-testid=cart-line][data-lot="UM2605-01"] [data-testid=line-lot]') || {dataset: {}}).dataset.serials`
	within(t, ctx, 20*time.Second,
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(honeyLink("0002")),
		chromedp.WaitVisible(lotLine, chromedp.ByQuery),
		poll(serials+` === '0002'`),
		scannerTypes(honeyLink("0001")),
		poll(serials+` === '0002 0001'`),
		poll(`document.querySelector('[data-testid=cart-line][data-lot="UM2605-01"]').dataset.qty === '2'`),
	)
	var shown string
	within(t, ctx, 10*time.Second,
		chromedp.Text(tid("line-lot"), &shown, chromedp.ByQuery),
		scannerTypes(honeyLink("0002")),
		poll(`[...document.querySelectorAll('[data-testid=toast]')].some((e) => e.textContent.includes('Tem này đã quét rồi'))`),
	)
	if !strings.Contains(shown, "Lô UM2605-01") || !strings.Contains(shown, "Tem số 0002, 0001") {
		t.Errorf("the line shows %q, want its lot and serials", shown)
	}
	var qty string
	var ok bool
	within(t, ctx, 5*time.Second, chromedp.AttributeValue(lotLine, "data-qty", &qty, &ok, chromedp.ByQuery))
	if qty != "2" {
		t.Fatalf("after the same stamp scanned twice the line has %s units, want 2", qty)
	}
	screenshot(t, ctx, "till-serials")

	// The refusal's toast may cover the button: the click goes to the button itself.
	var receipt string
	within(t, ctx, 30*time.Second,
		chromedp.Evaluate(`document.querySelector('[data-testid=pay-exact]').click()`, nil),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	var found struct{ Sales []pos.Sale }
	k.do("GET", "/api/v1/sales?q="+receipt, nil).json(t, &found)
	if len(found.Sales) != 1 || !slices.Equal(found.Sales[0].Lines[0].Serials, []string{"0002", "0001"}) {
		t.Fatalf("sale %q: %+v", receipt, found.Sales)
	}

	var doc epcisDoc
	k.do("GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil).json(t, &doc)
	var epcs []string
	for _, e := range doc.EPCISBody.EventList {
		if e["bizStep"] == "retail_selling" && e["ocop:receiptNo"] == receipt {
			for _, v := range e["epcList"].([]any) {
				epcs = append(epcs, v.(string))
			}
		}
	}
	if len(epcs) != 2 || !strings.HasSuffix(epcs[0], "/01/"+honeyGTIN+"/10/UM2605-01/21/0002") ||
		!strings.HasSuffix(epcs[1], "/01/"+honeyGTIN+"/10/UM2605-01/21/0001") {
		t.Fatalf("the sale's epcList %v, want the two stamps' Digital Links", epcs)
	}
}

// A customer brings back one jar of three sold with stamps: the manager's
// refund dialog lists the stamps still with the customer under the line, the
// manager scans (or ticks) the one on the jar, and that serial — not the first scanned —
// may be sold again. The dialog then lists only the two left.
func TestBrowserTheRefundDialogGivesBackTheTickedSerial(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 3)
	price := int64(k.product("CM-MO-500").Price)
	s := k.sell(t, map[string]any{
		"lines":    []map[string]any{{"sku": "CM-MO-500", "lot": "UM2605-01", "qty": 3, "serials": []string{"0001", "0002", "0003"}}},
		"payments": []map[string]any{{"method": "cash", "amount": 3 * price}}})
	ctx := managerIn(t, k, "Asia/Ho_Chi_Minh")
	row := tid("sale-row", fmt.Sprintf(`[data-id="%s"] `, s.ID))
	var listed []string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("tab-sales"), chromedp.ByQuery),
		chromedp.Click(row+tid("sale-refund"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("refund-serial"), chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=refund-serial]')].map((b) => b.value)`, &listed),
		// The stamp on the jar brought back is scanned: its serial is ticked.
		chromedp.Evaluate(`document.activeElement && document.activeElement.blur()`, nil),
		scannerTypes(honeyLink("0002")),
		poll(`document.querySelector('[data-testid=refund-serial][data-serial="0002"]').checked`),
		poll(`document.querySelector('[data-testid=refund-qty]').value === '1'`),
		// A stamp that is not on this sale is named, and ticks nothing.
		scannerTypes(honeyLink("0007")),
		poll(`[...document.querySelectorAll('[data-testid=toast]')].some((e) => e.textContent.includes('Tem 0007 không có trong đơn này'))`),
		poll(`document.querySelectorAll('[data-testid=refund-serial]:checked').length === 1`),
		chromedp.SendKeys(tid("refund-reason"), "nắp hở", chromedp.ByQuery),
	)
	screenshot(t, ctx, "manager-refund-serials")
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("form-ok"), chromedp.ByQuery),
		poll(`!document.querySelector('#form-dialog').open`),
	)
	if !slices.Equal(listed, []string{"0001", "0002", "0003"}) {
		t.Fatalf("the dialog lists %v, want the three serials sold", listed)
	}
	var left struct {
		Status     string
		Refundable []pos.RefundableLine
	}
	k.do("GET", "/api/v1/sales/"+s.ID, nil).json(t, &left)
	if left.Status != pos.StatusPartial || len(left.Refundable) != 1 || left.Refundable[0].Qty != 2 ||
		!slices.Equal(left.Refundable[0].Serials, []string{"0001", "0003"}) {
		t.Fatalf("after the refund the sale says %+v", left)
	}
	within(t, ctx, 20*time.Second,
		chromedp.Click(row+tid("sale-refund"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("refund-serial"), chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=refund-serial]')].map((b) => b.value)`, &listed),
		chromedp.Click("#form-cancel", chromedp.ByQuery),
	)
	if !slices.Equal(listed, []string{"0001", "0003"}) {
		t.Errorf("the dialog lists %v the second time, want 0001 and 0003", listed)
	}
	// The jar that came back sells again; one still with a customer does not.
	sellOne := func(serial string) int {
		return k.do("POST", "/api/v1/sales", map[string]any{
			"lines":    []map[string]any{{"sku": "CM-MO-500", "lot": "UM2605-01", "qty": 1, "serials": []string{serial}}},
			"payments": []map[string]any{{"method": "cash", "amount": price}}}).Status
	}
	if got := sellOne("0002"); got != 201 {
		t.Errorf("selling 0002 again after its refund: %d, want 201", got)
	}
	if got := sellOne("0001"); got != 409 {
		t.Errorf("selling 0001, still with the customer: %d, want 409", got)
	}
}
