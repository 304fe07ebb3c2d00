package kiosk

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// pageText is a page's text as a reader sees it: tags dropped, entities read,
// blanks squeezed.
func pageText(body []byte) string {
	s := regexp.MustCompile(`(?s)<style.*?</style>|<[^>]+>`).ReplaceAllString(string(body), " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// The e-receipt a receipt's QR opens shows what the paper shows: each line at
// its worth with its promotion and the till's discount under it, a free unit
// as a line of its own, a weighed line in kg at the price per kg, the
// subtotal and the sale's own discount, the total and everything taken off.
func TestTheEReceiptShowsDiscountsPromotionsFreeUnitsAndWeighedLines(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	if r := k.do("POST", "/api/v1/promotions", map[string]any{"id": "M2T1", "name": "Mua 2 tặng 1", "name_en": "Buy 2 get 1 free",
		"kind": "buy_get", "scope": "sku", "target": "BT-KD-400", "buy": 2, "get": 1, "bearer": "producer"}, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("promotion: %d %s", r.Status, r.Body)
	}
	s := k.sell(t, map[string]any{"lines": []map[string]any{
		{"sku": honeySKU, "qty": 2, "discount": map[string]any{"percent": 10}, "discount_reason": "khách quen"},
		{"sku": fishSKU, "weight_g": 1235},
		{"sku": "BT-KD-400", "qty": 3},
	}, "discount": map[string]any{"amount": 20000}, "discount_reason": "bớt lẻ", "payments": cashPay(2_000_000)})
	var lineDiscount pos.Money
	for _, l := range s.Lines {
		lineDiscount += l.LineDiscount
	}
	vi := pageText(k.do("GET", "/r/"+s.ID, nil, "Accept-Language", "vi").Body)
	for _, w := range []string{
		"Mật ong rừng tràm U Minh Hạ 500ml 2 × 220.000 ₫ 440.000 ₫",
		"Giảm giá: khách quen -" + pos.Money(lineDiscount).String(),
		"1,235 kg × 460.000 ₫/kg 568.100 ₫",
		"2 × 52.000 ₫ 104.000 ₫",
		"1 × 0 ₫ · Tặng kèm 0 ₫ Khuyến mãi: Mua 2 tặng 1",
		"Cộng tiền hàng",
		"Giảm giá: bớt lẻ -20.000 ₫",
		"Tổng cộng " + s.Total.String(),
		"Tổng giảm giá " + pos.Money(lineDiscount+20000).String(),
		"Khách đưa",
	} {
		if !strings.Contains(vi, w) {
			t.Errorf("the e-receipt lacks %q:\n%s", w, vi)
		}
	}
	en := pageText(k.do("GET", "/r/"+s.ID+"?lang=en", nil).Body)
	for _, w := range []string{"1.235 kg × 460.000 ₫/kg", "Free", "Promotion: Buy 2 get 1 free", "Discount: khách quen", "Subtotal", "Total discount"} {
		if !strings.Contains(en, w) {
			t.Errorf("the English e-receipt lacks %q:\n%s", w, en)
		}
	}
}

// A line sold by its scanned stamps names their serials on the e-receipt, as
// on the paper.
func TestTheEReceiptNamesALinesScannedSerials(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 3)
	s := k.sell(t, map[string]any{"lines": []map[string]any{
		{"sku": honeySKU, "qty": 2, "lot": "UM2605-01", "serials": []string{"0002", "0001"}},
	}, "payments": cashPay(1_000_000)})
	if vi := pageText(k.do("GET", "/r/"+s.ID, nil, "Accept-Language", "vi").Body); !strings.Contains(vi, "Số sê-ri: 0002, 0001") {
		t.Errorf("the e-receipt lacks the serials:\n%s", vi)
	}
	if en := pageText(k.do("GET", "/r/"+s.ID+"?lang=en", nil).Body); !strings.Contains(en, "Serials: 0002, 0001") {
		t.Errorf("the English e-receipt lacks the serials:\n%s", en)
	}
}
