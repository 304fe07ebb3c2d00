package kiosk

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The total a till and its customer display show is the total of the sale
// the checkout makes, whatever the cart: for random carts of unit and
// weighed goods under promotions of every kind (percent, an amount off each
// unit, buy 2 get 1, a bundle, a group's percent) with random line and sale
// discounts, the cart the screens were last sent and the sale agree on the
// total, the discount, the VAT and each product's total.
func TestTheCartTotalOnTheScreensIsTheSalesTotal(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for _, p := range []map[string]any{
		{"id": "P-PCT", "name": "Giảm 10% mật ong", "kind": "percent", "percent": 10, "scope": "sku", "target": "CM-MO-250", "bearer": "booth"},
		{"id": "P-AMT", "name": "Giảm 3.000/đv", "kind": "amount", "amount": 3000, "scope": "producer", "target": "CM-HTX-UMINH", "bearer": "producer"},
		{"id": "P-M2T1", "name": "Mua 2 tặng 1", "kind": "buy_get", "buy": 2, "get": 1, "scope": "sku", "target": "BT-KD-400", "bearer": "producer"},
		{"id": "P-BUN", "name": "3 hũ 300k", "kind": "bundle", "bundle_qty": 3, "bundle_price": 300000, "scope": "sku", "target": "CM-MO-500", "bearer": "booth"},
		{"id": "P-GRP", "name": "Đồ uống giảm 12,5%", "kind": "percent", "percent": 12.5, "scope": "group", "target": "beverage", "bearer": "booth"},
	} {
		k.promotion(t, p)
	}
	units := []string{"CM-MO-500", "CM-MO-250", "CM-PH-200", "BT-KD-400", "BT-KD-LD-400", "BT-NDX-330", "BT-RD-500", "BT-MVB-200"}
	display, _ := connect(t, k, "till=T1&role=display")
	rng := rand.New(rand.NewPCG(11, 2026))
	for n := range 20 {
		// Each cart from a screen of its own: one screen may send no more
		// than 60 messages at once and 30 a second after (wsrate.go), and
		// twenty carts sent as fast as the kiosk answers are more than that.
		till, _ := connect(t, k, "till=T1&role=till") // closed when the test ends
		var last map[string]any
		send := func(m map[string]any) {
			till.send(m)
			last = till.expect("cart")["cart"].(map[string]any)
		}
		for _, sku := range units {
			if rng.IntN(2) == 0 {
				continue
			}
			send(map[string]any{"type": "cart.add", "sku": sku, "qty": 1 + rng.IntN(4)})
			switch rng.IntN(4) {
			case 0:
				send(map[string]any{"type": "cart.discount", "sku": sku, "discount": map[string]any{"percent": float64(rng.IntN(3000)) / 100}, "reason": "thử", "pin": testPIN})
			case 1:
				send(map[string]any{"type": "cart.discount", "sku": sku, "discount": map[string]any{"amount": 500 * (1 + rng.IntN(10))}, "pin": testPIN})
			}
		}
		if n%3 == 0 || last == nil {
			send(map[string]any{"type": "cart.add", "sku": fishSKU, "weight_g": 50 + rng.IntN(700)})
		}
		if rng.IntN(2) == 0 {
			send(map[string]any{"type": "cart.discount", "discount": map[string]any{"percent": float64(rng.IntN(2500)) / 100}, "reason": "khách đoàn", "pin": testPIN})
		}
		// The display has been sent the same cart.
		for {
			d := display.expect("cart")["cart"].(map[string]any)
			if d["seq"] == last["seq"] {
				if d["total"] != last["total"] {
					t.Fatalf("cart %d: the display shows %v, the till %v", n, d["total"], last["total"])
				}
				break
			}
		}
		total := pos.Money(last["total"].(float64))
		till.send(map[string]any{"type": "checkout", "payments": cashPay(int64(total) + 1_000_000), "pin": testPIN, "lang": "vi"})
		var s pos.Sale
		remarshal(t, till.expect("sale")["sale"], &s)
		till.expect("cart") // emptied
		display.expect("cart")
		if s.Total != total || s.Discount != pos.Money(last["discount"].(float64)) {
			t.Fatalf("cart %d: the screens showed total %v, discount %v; the sale has %d, %d", n, last["total"], last["discount"], s.Total, s.Discount)
		}
		var vat []pos.VATLine
		remarshal(t, last["vat"], &vat)
		if fmt.Sprint(vat) != fmt.Sprint(s.VAT) {
			t.Fatalf("cart %d: VAT on the screens %v, on the sale %v", n, vat, s.VAT)
		}
		bySKU := map[string]pos.Money{}
		for _, l := range s.Lines {
			bySKU[l.SKU] += l.Total
		}
		for _, l := range last["lines"].([]any) {
			l := l.(map[string]any)
			if got := bySKU[l["sku"].(string)]; got != pos.Money(l["total"].(float64)) {
				t.Fatalf("cart %d: %s shows %v, the sale has %d", n, l["sku"], l["total"], got)
			}
		}
	}
}
