package kiosk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// choose picks an option of a select as a person does, change event and all.
func choose(sel, value string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => { const s = document.querySelector('%s'); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); })()`, sel, value), nil)
}

func (k *testKiosk) promotions(t *testing.T) []pos.Promotion {
	t.Helper()
	var out struct{ Promotions []pos.Promotion }
	k.do("GET", "/api/v1/promotions", nil).json(t, &out)
	return out.Promotions
}

// The manager makes a promotion on the manager page, changes it, is told
// when someone else changed it meanwhile (nothing is overwritten), and ends
// it. Whether a promotion runs now is Vietnam's time, in a browser set to UTC.
func TestBrowserManagerMakesChangesAndEndsAPromotion(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	tomorrow := time.Now().In(pos.VietnamTime).AddDate(0, 0, 1).Format(time.DateOnly)
	k.promotion(t, map[string]any{"id": "KM-MAI", "name": "Giảm 5% đồ uống", "kind": "percent", "percent": 5,
		"scope": "group", "target": "beverage", "from": tomorrow, "bearer": "booth"})
	k.promotion(t, map[string]any{"id": "KM-MO", "name": "Giảm 10% mật ong", "kind": "percent", "percent": 10,
		"scope": "sku", "target": honeySKU, "bearer": "producer"})
	k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1, "discount": map[string]any{"amount": 10000},
		"discount_reason": "khách quen"}}, "payments": cashPay(500000)})
	if r := k.do("DELETE", "/api/v1/promotions/KM-MO", nil, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Fatalf("end KM-MO: %d %s", r.Status, r.Body)
	}
	ctx := managerIn(t, k, "UTC")
	// The shift's report lists what was given: by reason, by promotion.
	var byReason, byPromotion string
	within(t, ctx, 20*time.Second,
		chromedp.WaitVisible(tid("by-reason"), chromedp.ByQuery),
		chromedp.Evaluate(textOf(tid("by-reason")+" tbody"), &byReason),
		chromedp.Evaluate(textOf(tid("by-promotion")+" tbody"), &byPromotion),
	)
	if byReason != "khách quen 1 10.000 ₫" || byPromotion != "Giảm 10% mật ong 1 22.000 ₫" {
		t.Errorf("the X report's discounts %q and promotions %q", byReason, byPromotion)
	}
	row := func(id string, more ...string) string {
		return tid("promo-row", fmt.Sprintf(`[data-id="%s"] `, id)+strings.Join(more, ""))
	}
	var state, offer string
	within(t, ctx, 20*time.Second,
		chromedp.Click(tid("tab-promos"), chromedp.ByQuery),
		chromedp.WaitVisible(row("KM-MAI"), chromedp.ByQuery),
		chromedp.AttributeValue(row("KM-MAI"), "data-state", &state, nil, chromedp.ByQuery),
		chromedp.Click(tid("promo-new"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("promo-form"), chromedp.ByQuery),
		chromedp.SendKeys(tid("promo-id"), "M2T1", chromedp.ByQuery),
		chromedp.SendKeys(tid("promo-name"), "Mua 2 tặng 1", chromedp.ByQuery),
		choose(tid("promo-kind"), "buy_get"),
		chromedp.WaitVisible(tid("promo-buy"), chromedp.ByQuery),
		chromedp.SendKeys(tid("promo-target"), "BT-KD-400", chromedp.ByQuery),
		chromedp.SendKeys(tid("promo-hours_from"), "07:00", chromedp.ByQuery),
		chromedp.SendKeys(tid("promo-hours_to"), "22:30", chromedp.ByQuery),
		chromedp.Click(tid("promo-save"), chromedp.ByQuery),
		chromedp.WaitVisible(row("M2T1"), chromedp.ByQuery),
		chromedp.Text(row("M2T1", tid("promo-offer")), &offer, chromedp.ByQuery),
	)
	if state != "later" {
		t.Errorf("a promotion starting tomorrow in Vietnam shows as %q", state)
	}
	if offer != "Mua 2 tặng 1" {
		t.Errorf("the new promotion offers %q", offer)
	}
	var made pos.Promotion
	for _, p := range k.promotions(t) {
		if p.ID == "M2T1" {
			made = p
		}
	}
	if made.Kind != pos.PromoBuyGet || made.Buy != 2 || made.Get != 1 || made.Target != "BT-KD-400" || made.Hours != "07:00-22:30" ||
		made.Bearer != pos.BearerProducer || made.Scope != pos.ScopeSKU {
		t.Fatalf("the promotion made on the page: %+v", made)
	}

	// Someone changes it elsewhere while the form is open: saving the form is
	// refused, says why, and the list shows the other change.
	var msg string
	within(t, ctx, 20*time.Second,
		chromedp.Click(row("M2T1", tid("promo-edit")), chromedp.ByQuery),
		chromedp.WaitVisible(tid("promo-form"), chromedp.ByQuery),
	)
	if r := k.do("PUT", "/api/v1/promotions/M2T1", map[string]any{"name": "Mua 2 tặng 1 hội chợ", "kind": "buy_get", "buy": 2, "get": 1,
		"scope": "sku", "target": "BT-KD-400", "bearer": "producer", "hours": "07:00-22:30", "version": made.Version}, "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("edit elsewhere: %d %s", r.Status, r.Body)
	}
	within(t, ctx, 20*time.Second,
		chromedp.SendKeys(tid("promo-name_en"), "Buy 2 get 1 free", chromedp.ByQuery),
		chromedp.Click(tid("promo-save"), chromedp.ByQuery),
		chromedp.WaitVisible("#form-error", chromedp.ByQuery),
		chromedp.Text("#form-error", &msg, chromedp.ByQuery),
		poll(fmt.Sprintf(`document.querySelector('%s').textContent.includes('hội chợ')`, row("M2T1"))),
	)
	if !strings.Contains(msg, "vừa được sửa ở nơi khác") {
		t.Errorf("a stale edit says %q", msg)
	}
	if p := k.promotions(t); len(p) != 2 || p[1].NameEN != "" || p[1].Name != "Mua 2 tặng 1 hội chợ" {
		t.Fatalf("the stale edit changed something: %+v", p)
	}
	// Edited again from the fresh list, it is saved — even with the form
	// closed and opened again at once (the closed form's close event, which
	// comes a moment later, must not disarm the new form's save).
	within(t, ctx, 20*time.Second,
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector('#form-cancel').click(); document.querySelector('%s').click()`,
			row("M2T1", tid("promo-edit"))), nil),
		chromedp.WaitVisible(tid("promo-form"), chromedp.ByQuery),
		chromedp.SendKeys(tid("promo-name_en"), "Buy 2 get 1 free", chromedp.ByQuery),
		chromedp.Click(tid("promo-save"), chromedp.ByQuery),
		chromedp.WaitNotVisible(tid("promo-form"), chromedp.ByQuery),
	)
	if p := k.promotions(t); len(p) != 2 || p[1].NameEN != "Buy 2 get 1 free" || p[1].Name != "Mua 2 tặng 1 hội chợ" || p[1].Hours != "07:00-22:30" {
		t.Fatalf("after the edit: %+v", p)
	}
	within(t, ctx, 5*time.Second, chromedp.Evaluate(`document.querySelectorAll('[data-testid=toast]').forEach((e) => e.remove())`, nil))
	screenshot(t, ctx, "manager-promotions")

	// Ending it: the row goes, the kiosk keeps it only for the reports.
	within(t, ctx, 20*time.Second,
		chromedp.Click(row("M2T1", tid("promo-delete")), chromedp.ByQuery),
		chromedp.Click(tid("promo-delete-ok"), chromedp.ByQuery),
		chromedp.WaitNotPresent(row("M2T1"), chromedp.ByQuery),
	)
	if p := k.promotions(t); len(p) != 1 || p[0].ID != "KM-MAI" {
		t.Fatalf("after ending M2T1: %+v", p)
	}
}
