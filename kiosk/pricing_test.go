package kiosk

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The demo catalog's honey (220.000 ₫, 8 %) and the dried fish sold by weight
// (460.000 ₫ a kg).
const (
	honeySKU = "CM-MO-500"
	fishSKU  = "CM-KCL-KG"
)

func cashPay(amount int64) []map[string]any {
	return []map[string]any{{"method": "cash", "amount": amount}}
}

func TestASaleWithDiscountsAnswersEachLinesDiscountAndTotal(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	body := map[string]any{
		"lines": []map[string]any{
			{"sku": honeySKU, "qty": 2, "discount": map[string]any{"percent": 10}, "discount_reason": "khách quen"},
			{"sku": fishSKU, "weight_g": 1235},
		},
		"discount": map[string]any{"amount": 20000}, "discount_reason": "làm tròn",
		"payments": cashPay(1_000_000),
	}
	s := k.sell(t, body)
	// Honey: 440.000 − 44.000 = 396.000. Fish: 460.000 × 1,235 = 568.100.
	// The sale's 20.000 over 964.100: 8.214 (rounded down 8.214,9) and 11.785
	// (11.785,1), the đồng left over to the fish.
	if len(s.Lines) != 2 {
		t.Fatalf("lines %+v", s.Lines)
	}
	h, f := s.Lines[0], s.Lines[1]
	if h.Price != 220000 || h.Qty != 2 || h.LineDiscount != 44000 || h.SaleDiscount != 8214 || h.Discount != 52214 || h.Total != 387786 {
		t.Errorf("honey line %+v", h)
	}
	if f.Price != 460000 || f.WeightG != 1235 || f.Qty != 1 || f.SaleDiscount != 11786 || f.Total != 568100-11786 {
		t.Errorf("fish line %+v", f)
	}
	if s.Total != 964100-20000 || s.Discount != 64000 || s.SaleDiscount != 20000 || s.DiscountReason != "làm tròn" {
		t.Errorf("sale total %d discount %d sale discount %d reason %q", s.Total, s.Discount, s.SaleDiscount, s.DiscountReason)
	}
	if st := k.product(fishSKU).Stock; st != 25000-1235 {
		t.Errorf("fish stock %d g, want %d", st, 25000-1235)
	}
}

func TestADiscountAboveTheLimitNeedsTheManagerPIN(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	body := map[string]any{
		"lines":    []map[string]any{{"sku": honeySKU, "qty": 1, "discount": map[string]any{"percent": 15}, "discount_reason": "hàng trưng bày"}},
		"payments": cashPay(187000),
	}
	stock := k.product(honeySKU).Stock
	if r := k.do("POST", "/api/v1/sales", body); r.Status != 403 || r.errCode(t) != "discount_needs_pin" {
		t.Fatalf("15 %% without the PIN: %d %s", r.Status, r.Body)
	}
	if r := k.do("POST", "/api/v1/sales", body, "X-Manager-Pin", "000000"); r.Status != 403 || r.errCode(t) != "bad_pin" {
		t.Fatalf("15 %% with a wrong PIN: %d %s", r.Status, r.Body)
	}
	if n := k.salesCount(t); n != 0 || k.product(honeySKU).Stock != stock {
		t.Fatalf("refused discounts left %d sales and stock %d of %d", n, k.product(honeySKU).Stock, stock)
	}
	r := k.do("POST", "/api/v1/sales", body, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("15 %% with the PIN: %d %s", r.Status, r.Body)
	}
	var s pos.Sale
	r.json(t, &s)
	if s.Total != 187000 || s.Lines[0].DiscountReason != "hàng trưng bày" {
		t.Errorf("sale %+v", s)
	}
	// Within the limit, no PIN is asked.
	body["lines"] = []map[string]any{{"sku": honeySKU, "qty": 1, "discount": map[string]any{"amount": 22000}}}
	body["payments"] = cashPay(198000)
	if r := k.do("POST", "/api/v1/sales", body); r.Status != 201 {
		t.Errorf("10 %% as an amount: %d %s", r.Status, r.Body)
	}
}

func TestTheDiscountLimitIsTheKiosks(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.DiscountLimit = 0 })
	body := map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1, "discount": map[string]any{"amount": 1000}}},
		"payments": cashPay(219000)}
	if r := k.do("POST", "/api/v1/sales", body); r.Status != 403 || r.errCode(t) != "discount_needs_pin" {
		t.Errorf("any discount with a limit of 0: %d %s", r.Status, r.Body)
	}
}

func TestBadDiscountsAndWeightsChangeNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	line := func(extra map[string]any) []map[string]any {
		l := map[string]any{"sku": honeySKU, "qty": 1}
		for k, v := range extra {
			l[k] = v
		}
		return []map[string]any{l}
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"a discount above 100 %", map[string]any{"lines": line(map[string]any{"discount": map[string]any{"percent": 101}})}, 422, "bad_discount"},
		{"a discount above the line", map[string]any{"lines": line(map[string]any{"discount": map[string]any{"amount": 220001}})}, 422, "bad_discount"},
		{"a negative discount", map[string]any{"lines": line(map[string]any{"discount": map[string]any{"amount": -5}})}, 422, "bad_discount"},
		{"a percentage and an amount", map[string]any{"lines": line(map[string]any{"discount": map[string]any{"percent": 5, "amount": 5}})}, 422, "bad_discount"},
		{"a percentage with three decimals", map[string]any{"lines": line(map[string]any{"discount": map[string]any{"percent": 5.125}})}, 422, "bad_discount"},
		{"a sale discount above the sale", map[string]any{"lines": line(nil), "discount": map[string]any{"amount": 220001}}, 422, "bad_discount"},
		{"an empty discount", map[string]any{"lines": line(nil), "discount": map[string]any{}}, 422, "bad_discount"},
		{"a weight on a product sold by the unit", map[string]any{"lines": line(map[string]any{"weight_g": 500})}, 422, "bad_weight"},
		{"a weighed product without its weight", map[string]any{"lines": []map[string]any{{"sku": fishSKU, "qty": 1}}}, 422, "bad_weight"},
		{"a weighed product above 100 kg", map[string]any{"lines": []map[string]any{{"sku": fishSKU, "weight_g": 100001}}}, 422, "bad_weight"},
		{"more fish than is in stock", map[string]any{"lines": []map[string]any{{"sku": fishSKU, "weight_g": 25001}}}, 409, "out_of_stock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["payments"] = cashPay(20_000_000)
			r := k.do("POST", "/api/v1/sales", tt.body, "X-Manager-Pin", testPIN)
			if r.Status != tt.status || r.errCode(t) != tt.code {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
	if n := k.salesCount(t); n != 0 {
		t.Errorf("%d sales recorded by bad requests", n)
	}
}

func TestPromotionsByAPI(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	candy := map[string]any{"id": "KM-MO-M2T1", "name": "Mua 2 tặng 1", "kind": "buy_get", "scope": "sku", "target": honeySKU,
		"buy": 2, "get": 1, "bearer": "producer"}
	if r := k.do("POST", "/api/v1/promotions", candy); r.Status != 401 || r.errCode(t) != "pin_required" {
		t.Fatalf("a promotion without the PIN: %d %s", r.Status, r.Body)
	}
	r := k.do("POST", "/api/v1/promotions", candy, "X-Manager-Pin", testPIN)
	if r.Status != 201 {
		t.Fatalf("creating: %d %s", r.Status, r.Body)
	}
	var p pos.Promotion
	r.json(t, &p)
	if p.Version == 0 || p.ID != "KM-MO-M2T1" {
		t.Fatalf("created %+v", p)
	}
	if r := k.do("POST", "/api/v1/promotions", candy, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "promotion_exists" {
		t.Errorf("creating it twice: %d %s", r.Status, r.Body)
	}
	bad := map[string]any{"name": "x", "kind": "percent", "scope": "sku", "target": honeySKU, "percent": 150, "bearer": "booth"}
	if r := k.do("POST", "/api/v1/promotions", bad, "X-Manager-Pin", testPIN); r.Status != 422 || r.errCode(t) != "bad_promotion" {
		t.Errorf("150 %%: %d %s", r.Status, r.Body)
	}
	var list struct {
		Promotions []pos.Promotion
		Version    uint64
	}
	k.do("GET", "/api/v1/promotions?active=1", nil).json(t, &list)
	if len(list.Promotions) != 1 || list.Version != p.Version {
		t.Errorf("active promotions %+v", list)
	}

	// Three jars: two paid, the third a line of its own at price 0 naming the promotion.
	s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 3}}, "payments": cashPay(440000)})
	if len(s.Lines) != 2 || s.Total != 440000 || !s.Lines[1].Free || s.Lines[1].Price != 0 || s.Lines[1].Promotion != p.ID ||
		len(s.Promotions) != 1 || s.Promotions[0].Saved != 220000 || s.Promotions[0].Name != "Mua 2 tặng 1" {
		t.Fatalf("sale with the promotion %+v", s)
	}

	candy["buy"], candy["version"] = 3, 99
	if r := k.do("PUT", "/api/v1/promotions/"+p.ID, candy, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "promotion_changed" {
		t.Errorf("editing an old version: %d %s", r.Status, r.Body)
	}
	candy["version"] = p.Version
	if r := k.do("PUT", "/api/v1/promotions/"+p.ID, candy, "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Errorf("editing: %d %s", r.Status, r.Body)
	}
	if r := k.do("DELETE", "/api/v1/promotions/"+p.ID, nil, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Errorf("deleting: %d %s", r.Status, r.Body)
	}
	if r := k.do("GET", "/api/v1/promotions/"+p.ID, nil); r.Status != 404 {
		t.Errorf("a deleted promotion: %d %s", r.Status, r.Body)
	}
	if s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 3}}, "payments": cashPay(660000)}); s.Total != 660000 {
		t.Errorf("after deleting it, three jars cost %d", s.Total)
	}
	z := k.do("GET", "/api/v1/shifts/current", nil)
	var rep pos.ZReport
	z.json(t, &rep)
	if len(rep.ByPromotion) != 1 || rep.ByPromotion[0].Saved != 220000 || rep.ByPromotion[0].Name != "Mua 2 tặng 1" || rep.PromotionsSaved != 220000 {
		t.Errorf("the X-report's promotions %+v", rep.ByPromotion)
	}
}

func TestTheCartOnTheScreensIsPricedAsTheSale(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	if r := k.do("POST", "/api/v1/promotions", map[string]any{"id": "KM10", "name": "Giảm 10 % mật ong", "kind": "percent",
		"scope": "sku", "target": honeySKU, "percent": 10, "bearer": "booth"}, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("promotion: %d %s", r.Status, r.Body)
	}
	till, _ := connect(t, k, "till=T1&role=till")
	display, _ := connect(t, k, "till=T1&role=display")
	till.send(map[string]any{"type": "cart.add", "sku": honeySKU, "qty": 2})
	till.expect("cart")
	till.send(map[string]any{"type": "cart.add", "sku": fishSKU, "weight_g": 700})
	till.expect("cart")
	till.send(map[string]any{"type": "cart.weight", "sku": fishSKU, "weight_g": 1235})
	till.expect("cart")
	// 10 % off the honey line after its promotion: within the limit.
	till.send(map[string]any{"type": "cart.discount", "sku": honeySKU, "discount": map[string]any{"percent": 10}, "reason": "khách quen"})
	till.expect("cart")
	// 15 % off the sale is above it: refused without the PIN, taken with it.
	till.send(map[string]any{"type": "cart.discount", "discount": map[string]any{"percent": 15}, "reason": "khách đoàn"})
	till.expectError("discount_needs_pin")
	till.send(map[string]any{"type": "cart.discount", "discount": map[string]any{"percent": 15}, "reason": "khách đoàn", "pin": "000000"})
	till.expectError("bad_pin")
	till.send(map[string]any{"type": "cart.discount", "discount": map[string]any{"percent": 15}, "reason": "khách đoàn", "pin": testPIN})
	shown := till.expect("cart")
	var last map[string]any
	for {
		last = display.expect("cart")
		if last["cart"].(map[string]any)["seq"] == shown["cart"].(map[string]any)["seq"] {
			break
		}
	}
	c := last["cart"].(map[string]any)
	// Honey: 440.000 − 44.000 (promotion) = 396.000, − 39.600 = 356.400.
	// Fish: 568.100. The sale's 15 % of 924.500 is 138.675.
	if c["total"].(float64) != 924500-138675 || c["sale_discount"].(float64) != 138675 || c["discount_reason"] != "khách đoàn" {
		t.Fatalf("the display's cart %v", c)
	}
	hl := c["lines"].([]any)[0].(map[string]any)
	if hl["promotion"] != "KM10" || hl["promotion_saved"].(float64) != 44000 || hl["line_discount"].(float64) != 39600 ||
		hl["discount_request"].(map[string]any)["percent"].(float64) != 10 {
		t.Errorf("the honey line %v", hl)
	}
	fl := c["lines"].([]any)[1].(map[string]any)
	if fl["weight_g"].(float64) != 1235 || fl["gross"].(float64) != 568100 || fl["sold_by"] != "weight" {
		t.Errorf("the fish line %v", fl)
	}

	till.send(map[string]any{"type": "checkout", "ref": "co", "payments": []map[string]any{{"method": "cash", "amount": 800000}}})
	sm := till.expect("sale")
	var s pos.Sale
	remarshal(t, sm["sale"], &s)
	if float64(s.Total) != c["total"].(float64) || s.Discount != pos.Money(c["discount"].(float64)) || s.Lines[0].Promotion != "KM10" {
		t.Errorf("the sale (total %d, discount %d) differs from the cart it was (total %v, discount %v)", s.Total, s.Discount, c["total"], c["discount"])
	}
	var vat []pos.VATLine
	remarshal(t, c["vat"], &vat)
	if len(vat) != len(s.VAT) || vat[0] != s.VAT[0] {
		t.Errorf("the cart's VAT %+v, the sale's %+v", vat, s.VAT)
	}
}

func TestSelfServiceAndDisplaysNeverDiscount(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	self, _ := connect(t, k, "till=SELF1&role=self")
	self.send(map[string]any{"type": "cart.add", "sku": honeySKU, "qty": 1})
	self.expect("cart")
	self.send(map[string]any{"type": "cart.discount", "sku": honeySKU, "discount": map[string]any{"percent": 5}})
	self.expectError("forbidden")
	self.send(map[string]any{"type": "cart.discount", "discount": map[string]any{"amount": 1000}, "pin": testPIN})
	self.expectError("forbidden")
	display, _ := connect(t, k, "till=SELF1&role=display")
	display.send(map[string]any{"type": "cart.discount", "discount": map[string]any{"amount": 1000}})
	display.expectError("forbidden")
	self.send(map[string]any{"type": "sync"})
	st := self.expect("state")
	if cartTotal(st) != float64(k.product(honeySKU).Price) {
		t.Errorf("the self-service cart after refused discounts: %v", st["cart"])
	}
}

func TestACartChangeThatADiscountNoLongerFitsIsRefused(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "cart.add", "sku": honeySKU, "qty": 5})
	till.expect("cart")
	till.send(map[string]any{"type": "cart.discount", "sku": honeySKU, "discount": map[string]any{"amount": 300000}, "pin": testPIN})
	till.expect("cart")
	till.send(map[string]any{"type": "cart.set", "sku": honeySKU, "qty": 1})
	till.expectError("bad_discount")
	till.send(map[string]any{"type": "cart.set", "sku": honeySKU, "qty": 2})
	// 300.000 off two jars was approved as 27.28 % of five; it is 68 % of two.
	m := till.expect("cart")
	l := m["cart"].(map[string]any)["lines"].([]any)[0].(map[string]any)
	if l["qty"].(float64) != 2 || l["needs_pin"] != true {
		t.Errorf("two jars with the discount approved for five: %v", l)
	}
	till.send(map[string]any{"type": "checkout", "payments": []map[string]any{{"method": "cash", "amount": 440000}}})
	till.expectError("discount_needs_pin")
	till.send(map[string]any{"type": "checkout", "pin": testPIN, "payments": []map[string]any{{"method": "cash", "amount": 440000}}})
	if s := till.expect("sale"); s["sale"].(map[string]any)["total"].(float64) != 140000 {
		t.Errorf("the approved sale %v", s["sale"])
	}
	// A weighed product takes weights, not quantities.
	till.send(map[string]any{"type": "cart.add", "sku": fishSKU, "qty": 1})
	till.expectError("bad_weight")
	till.send(map[string]any{"type": "cart.set", "sku": fishSKU, "qty": 2})
	till.expectError("bad_weight")
	till.send(map[string]any{"type": "cart.weight", "sku": honeySKU, "weight_g": 200})
	till.expectError("bad_weight")
}

// remarshal decodes a message's field (decoded as any) into v.
func remarshal(t testing.TB, from, v any) {
	t.Helper()
	data, err := json.Marshal(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

func TestAnOrderWithAFreeUnitGoesBackIntoTheCartAsOneLine(t *testing.T) {
	k := startKiosk(t, t.TempDir(), withBank)
	if r := k.do("POST", "/api/v1/promotions", map[string]any{"id": "M2T1", "name": "Mua 2 tặng 1", "kind": "buy_get",
		"scope": "sku", "target": "BT-KD-400", "buy": 2, "get": 1, "bearer": "producer"}, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("promotion: %d %s", r.Status, r.Body)
	}
	self, _ := connect(t, k, "till=SELF1&role=self")
	order := selfOrder(t, self, "BT-KD-400", 3)
	if lines := order["lines"].([]any); len(lines) != 2 || order["total"].(float64) != 2*52000 {
		t.Fatalf("the order of three with one free: %v", order)
	}
	self.send(map[string]any{"type": "order.cancel", "id": order["id"]})
	_, lines, total := cartOf(self.expect("cart"))
	if len(lines) != 1 || lines[0].(map[string]any)["qty"].(float64) != 3 || lines[0].(map[string]any)["free_qty"].(float64) != 1 || total != 104000 {
		t.Fatalf("the cart after going back: %v (total %v)", lines, total)
	}
}

func TestAPrintedReceiptAddsUpToWhatTheCustomerPaid(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	if r := k.do("POST", "/api/v1/promotions", map[string]any{"id": "M2T1", "name": "Mua 2 tặng 1", "kind": "buy_get",
		"scope": "sku", "target": "BT-KD-400", "buy": 2, "get": 1, "bearer": "producer"}, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("promotion: %d %s", r.Status, r.Body)
	}
	s := k.sell(t, map[string]any{"lines": []map[string]any{
		{"sku": honeySKU, "qty": 2, "discount": map[string]any{"percent": 10}, "discount_reason": "khách quen"},
		{"sku": fishSKU, "weight_g": 1235},
		{"sku": "BT-KD-400", "qty": 3},
	}, "discount": map[string]any{"amount": 20000}, "payments": cashPay(2_000_000)})
	waitFor(t, "the receipt printed", func() bool { return len(printed(t, dir, s.ID)) == 1 })
	text := printed(t, dir, s.ID)[0]
	var total string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "TỔNG CỘNG") {
			total = l
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(total), pos.FormatVND(s.Total)) {
		t.Errorf("the receipt's total %q, the sale's %s:\n%s", total, pos.FormatVND(s.Total), text)
	}
	for _, want := range []string{"1,235 kg x 460.000", "Giảm giá: khách quen", "Khuyến mãi: Mua 2 tặng 1", "Cộng tiền hàng"} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt lacks %q:\n%s", want, text)
		}
	}
	var vat pos.Money
	for _, v := range s.VAT {
		vat += v.VAT
	}
	if !strings.Contains(text, pos.FormatVND(vat)) {
		t.Errorf("the receipt lacks the VAT contained in what was paid, %s:\n%s", pos.FormatVND(vat), text)
	}
}
