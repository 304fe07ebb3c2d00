package kiosk

import (
	"slices"
	"strings"
	"testing"
)

// honeyLink is the Digital Link of the demo honey lot's item serial, as its
// label or stamp carries it (printed by a kiosk with another base).
func honeyLink(serial string) string {
	return "https://other.example/01/" + honeyGTIN + "/10/UM2605-01/21/" + serial + "?17=280501"
}

// issueStamps registers n stamps of the demo honey lot (serials 0001 on).
func issueStamps(t *testing.T, k *testKiosk, n int) {
	t.Helper()
	r := k.do("POST", stampsPath, map[string]any{"count": n, "format": "pdf", "size": "25x25"}, "X-Manager-Pin", testPIN)
	if r.Status/100 != 2 {
		t.Fatalf("stamps: %d %.200s", r.Status, r.Body)
	}
}

func lineOf(t *testing.T, lines []any, sku, lot string) map[string]any {
	t.Helper()
	for _, l := range lines {
		m := l.(map[string]any)
		if m["sku"] == sku && (m["lot"] == lot || (lot == "" && m["lot"] == nil)) {
			return m
		}
	}
	t.Fatalf("no line of %s lot %q in %v", sku, lot, lines)
	return nil
}

func serialsOf(m map[string]any) []string {
	var out []string
	for _, s := range m["serials"].([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestAScannedSerialGoesOnItsLotsLineOnceAndTheSaleCarriesIt(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 3)
	till, _ := connect(t, k, "till=T1&role=till")

	till.send(map[string]any{"type": "cart.add", "code": honeyLink("0002")})
	till.expect("cart")
	till.send(map[string]any{"type": "cart.add", "code": honeyLink("0001")})
	till.send(map[string]any{"type": "cart.add", "code": honeyGTIN}) // the product's own barcode: no lot
	till.expect("cart")
	_, lines, total := cartOf(till.expect("cart"))
	if price := k.product("CM-MO-500").Price; total != float64(3*price) {
		t.Fatalf("the cart's total %v, want 3 × %d: a lot's line is priced like any other", total, price)
	}
	lot := lineOf(t, lines, "CM-MO-500", "UM2605-01")
	if lot["qty"].(float64) != 2 || !slices.Equal(serialsOf(lot), []string{"0002", "0001"}) {
		t.Fatalf("the lot's line %v, want 2 units with serials 0002, 0001", lot)
	}
	if plain := lineOf(t, lines, "CM-MO-500", ""); plain["qty"].(float64) != 1 || plain["serials"] != nil {
		t.Fatalf("the barcode's line %v, want 1 unit without serials", plain)
	}

	for _, tc := range []struct {
		name string
		msg  map[string]any
		code string
	}{
		{"the same label scanned twice", map[string]any{"type": "cart.add", "code": honeyLink("0002")}, "serial_in_cart"},
		{"a serial the kiosk never issued", map[string]any{"type": "cart.add", "code": honeyLink("0099")}, "unknown_serial"},
		{"a label of a lot the kiosk does not have", map[string]any{"type": "cart.add", "code": strings.Replace(honeyLink("0001"), "UM2605-01", "NOPE-1", 1)}, "unknown_lot"},
		{"a Digital Link that is not one", map[string]any{"type": "cart.add", "code": "https://x.vn/01/" + honeyGTIN + "/99/1"}, "bad_digital_link"},
		{"fewer units than the serials scanned", map[string]any{"type": "cart.set", "sku": "CM-MO-500", "lot": "UM2605-01", "qty": 1}, "serials_do_not_fit"},
	} {
		t.Run(tc.name+" is refused and changes nothing", func(t *testing.T) {
			till.send(tc.msg)
			till.expectError(tc.code)
			till.send(map[string]any{"type": "sync"})
			_, after, _ := cartOf(till.expect("state"))
			if l := lineOf(t, after, "CM-MO-500", "UM2605-01"); l["qty"].(float64) != 2 || len(serialsOf(l)) != 2 || len(after) != 2 {
				t.Fatalf("the cart changed: %v", after)
			}
		})
	}

	till.send(map[string]any{"type": "checkout", "idempotency_key": "T1-serials",
		"payments": []map[string]any{{"method": "cash", "amount": 5_000_000}}})
	sold := till.expect("sale")["sale"].(map[string]any)
	var got []string
	for _, l := range sold["lines"].([]any) {
		if s, ok := l.(map[string]any)["serials"].([]any); ok {
			for _, v := range s {
				got = append(got, v.(string))
			}
		}
	}
	if !slices.Equal(got, []string{"0002", "0001"}) {
		t.Fatalf("the sale's serials %v, want 0002, 0001: %v", got, sold["lines"])
	}

	t.Run("a serial sold is refused at the next scan", func(t *testing.T) {
		till.send(map[string]any{"type": "cart.add", "code": honeyLink("0001")})
		till.expectError("serial_sold")
	})
	t.Run("a sale naming a sold serial is refused with its code", func(t *testing.T) {
		r := k.do("POST", "/api/v1/sales", map[string]any{
			"lines":    []map[string]any{{"sku": "CM-MO-500", "qty": 1, "lot": "UM2605-01", "serials": []string{"0002"}}},
			"payments": []map[string]any{{"method": "cash", "amount": 5_000_000}}})
		if r.Status != 409 || r.errCode(t) != "serial_sold" {
			t.Fatalf("%d %s, want 409 serial_sold", r.Status, r.Body)
		}
	})
	t.Run("the lot's EPCIS sale event lists the serials as Digital Links", func(t *testing.T) {
		r := k.do("GET", "/api/v1/epcis/events?gtin="+honeyGTIN+"&lot=UM2605-01", nil)
		var doc epcisDoc
		r.json(t, &doc)
		var epcs []string
		for _, e := range doc.EPCISBody.EventList {
			if e["bizStep"] == "retail_selling" {
				for _, v := range e["epcList"].([]any) {
					// The kiosk's own base (its address on the LAN), then the label's path.
					epcs = append(epcs, v.(string)[strings.Index(v.(string), "/01/"):])
				}
			}
		}
		want := []string{"/01/" + honeyGTIN + "/10/UM2605-01/21/0002", "/01/" + honeyGTIN + "/10/UM2605-01/21/0001"}
		if !slices.Equal(epcs, want) {
			t.Fatalf("epcList %v, want %v", epcs, want)
		}
	})
}

// A tourist adds a stamped jar at the self-service screen by its stamp: the
// order keeps the serial, and the sale the till confirms sells that item, so
// the stamp cannot be sold a second time.
func TestAStampAddedAtSelfServiceIsSoldByItsSerialWhenTheOrderIsPaid(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 2)
	self, _ := connect(t, k, "till=SELF1&role=self")
	self.send(map[string]any{"type": "cart.add", "code": honeyLink("0002"), "qty": 1})
	_, lines, _ := cartOf(self.expect("cart"))
	if l := lineOf(t, lines, "CM-MO-500", "UM2605-01"); !slices.Equal(serialsOf(l), []string{"0002"}) {
		t.Fatalf("the self-service cart's line: %v", l)
	}
	self.send(map[string]any{"type": "checkout", "ref": "co"})
	var order map[string]any
	for order == nil {
		if m := self.expect("order"); m["ref"] == "co" {
			order = m["order"].(map[string]any)
		}
	}
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "order.confirm", "id": order["id"],
		"payments": []map[string]any{{"method": "cash", "amount": order["total"]}}})
	sold := till.expect("sale")["sale"].(map[string]any)
	if l := lineOf(t, sold["lines"].([]any), "CM-MO-500", "UM2605-01"); !slices.Equal(serialsOf(l), []string{"0002"}) {
		t.Fatalf("the sale's line: %v", l)
	}
	self.send(map[string]any{"type": "cart.add", "code": honeyLink("0002"), "qty": 1})
	if m := self.expect("error"); m["code"] != "serial_sold" {
		t.Errorf("the stamp sold through the order, scanned again: %v, want serial_sold", m)
	}
}

// A label's trace page says whether this kiosk can sell the item now (the
// self-service screen offers "Add to cart" by it): a stamp it printed and has
// not sold, yes; one it never printed, one sold, or a product sold out, no.
func TestATracePageSaysWhetherTheKioskCanSellTheItem(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	issueStamps(t, k, 2)
	sellable := func(serial string) bool {
		t.Helper()
		var v struct {
			Sellable *bool `json:"sellable"`
		}
		k.do("GET", "/01/"+honeyGTIN+"/10/UM2605-01/21/"+serial, nil, "Accept", "application/json").json(t, &v)
		if v.Sellable == nil {
			t.Fatal("the trace answer does not say whether the item sells")
		}
		return *v.Sellable
	}
	if !sellable("0001") || !sellable("0002") {
		t.Fatal("printed stamps not sold are not sellable")
	}
	if sellable("0009") {
		t.Error("a stamp the kiosk never printed is sellable")
	}
	price := int64(k.product("CM-MO-500").Price)
	k.sell(t, map[string]any{
		"lines":    []map[string]any{{"sku": "CM-MO-500", "lot": "UM2605-01", "qty": 1, "serials": []string{"0002"}}},
		"payments": []map[string]any{{"method": "cash", "amount": price}}})
	if sellable("0002") {
		t.Error("a sold stamp is sellable")
	}
	k.setStock(t, "CM-MO-500", 0)
	if sellable("0001") {
		t.Error("a stamp of a product sold out is sellable")
	}
}
