package kiosk

import (
	"fmt"
	"strings"
	"testing"
)

// setStock sets a product's stock through the manager API.
func (k *testKiosk) setStock(t *testing.T, sku string, n int64) {
	t.Helper()
	delta := n - k.product(sku).Stock
	if delta == 0 {
		return
	}
	r := k.do("POST", "/api/v1/stock/"+sku, map[string]any{"delta": delta, "reason": "count"}, "X-Manager-Pin", testPIN)
	if r.Status != 200 {
		t.Fatalf("stock of %s: %d %s", sku, r.Status, r.Body)
	}
}

// stockRefusal reads the error a screen gets for a cart change beyond stock.
func stockRefusal(t *testing.T, s *screen) (message string, details map[string]any) {
	t.Helper()
	m := s.expect("error")
	if m["code"] != "out_of_stock" {
		t.Fatalf("error %v (%v), want out_of_stock", m["code"], m["message"])
	}
	details, _ = m["details"].(map[string]any)
	return fmt.Sprint(m["message"]), details
}

func TestTheCartRefusesASoldOutProductAndMoreThanTheStock(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	honey := k.product("CM-MO-500")
	candy := k.product("BT-KD-400")
	k.setStock(t, honey.SKU, 0)
	k.setStock(t, candy.SKU, 2)
	till, _ := connect(t, k, "till=T1&role=till")
	display, _ := connect(t, k, "till=T1&role=display")

	for _, tt := range []struct {
		name      string
		msg       map[string]any
		product   productView
		stock     float64
		wantWords string
	}{
		{"a sold-out product tapped", map[string]any{"type": "cart.add", "sku": honey.SKU}, honey, 0, "sold out"},
		{"a sold-out product scanned", map[string]any{"type": "cart.add", "code": "8936072100152"}, honey, 0, "sold out"},
		{"more than the stock at once", map[string]any{"type": "cart.add", "sku": candy.SKU, "qty": 3}, candy, 2, "2 in stock"},
		{"more than the stock as a quantity", map[string]any{"type": "cart.set", "sku": candy.SKU, "qty": 3}, candy, 2, "2 in stock"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			till.send(tt.msg)
			msg, d := stockRefusal(t, till)
			if !strings.Contains(msg, tt.product.Name) || !strings.Contains(msg, tt.wantWords) {
				t.Errorf("message %q: want the product's name and %q", msg, tt.wantWords)
			}
			if d["sku"] != tt.product.SKU || d["name"] != tt.product.Name || d["name_en"] != tt.product.NameEN || d["stock"] != tt.stock {
				t.Errorf("details %v: want the product named, with its stock %v", d, tt.stock)
			}
		})
	}

	// Up to the stock is fine; one more is refused and the cart keeps its two.
	till.send(map[string]any{"type": "cart.add", "sku": candy.SKU, "qty": 2})
	till.expect("cart")
	display.expect("cart")
	till.send(map[string]any{"type": "cart.add", "sku": candy.SKU})
	if _, d := stockRefusal(t, till); d["qty"] != 3.0 {
		t.Errorf("details %v: want the quantity asked for, 3", d)
	}
	// The stock falls under what the cart holds (sold at another till): the
	// line can still be lowered, never raised.
	k.setStock(t, candy.SKU, 1)
	till.send(map[string]any{"type": "cart.add", "sku": candy.SKU})
	stockRefusal(t, till)
	till.send(map[string]any{"type": "cart.set", "sku": candy.SKU, "qty": 1})
	if _, lines, _ := cartOf(till.expect("cart")); len(lines) != 1 || lines[0].(map[string]any)["qty"] != 1.0 {
		t.Fatalf("lowering the line: %v", lines)
	}
	till.send(map[string]any{"type": "sync"})
	if _, lines, _ := cartOf(till.expect("state")); len(lines) != 1 {
		t.Fatalf("a refused change reached the cart: %v", lines)
	}
	// The display saw only the changes that were made: the add of two and the lowering.
	if _, lines, _ := cartOf(display.expect("cart")); len(lines) != 1 || lines[0].(map[string]any)["qty"] != 1.0 {
		t.Fatalf("the display's next cart: %v", lines)
	}
}

func TestTheLowStockListHoldsWhatIsAtOrUnderTheKiosksThreshold(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	k.setStock(t, "CM-MO-500", 0)
	k.setStock(t, "BT-KD-400", 3)
	k.setStock(t, "CM-MO-250", 5)
	k.setStock(t, "TV-GHC-5", 6)
	type answer struct {
		Threshold int64
		Total     int
		Products  []lowStockItem
	}
	low := func(query string) answer {
		t.Helper()
		var a answer
		r := k.do("GET", "/api/v1/stock/low"+query, nil)
		if r.Status != 200 {
			t.Fatalf("GET /api/v1/stock/low%s: %d %s", query, r.Status, r.Body)
		}
		r.json(t, &a)
		return a
	}
	has := func(a answer, sku string) (int64, bool) {
		for _, p := range a.Products {
			if p.SKU == sku {
				return p.Stock, true
			}
		}
		return 0, false
	}
	a := low("")
	if a.Threshold != defaultLowStock || a.Total != len(a.Products) || len(a.Products) == 0 || a.Products[0].Stock != 0 {
		t.Fatalf("by default: %+v", a)
	}
	for sku, want := range map[string]int64{"CM-MO-500": 0, "BT-KD-400": 3, "CM-MO-250": 5} {
		if n, ok := has(a, sku); !ok || n != want {
			t.Errorf("%s: listed %v with %d, want %d", sku, ok, n, want)
		}
	}
	if _, ok := has(a, "TV-GHC-5"); ok {
		t.Error("a product with 6 left is listed under a threshold of 5")
	}
	for i := 1; i < len(a.Products); i++ {
		if a.Products[i].Stock < a.Products[i-1].Stock {
			t.Fatalf("not the fewest first: %+v", a.Products)
		}
	}

	// The manager sets the threshold for the kiosk; it stays.
	for _, bad := range []string{`{}`, `{"threshold":-1}`, `{"threshold":"3"}`, `{"threshold":null}`} {
		if r := k.do("PUT", "/api/v1/stock/low", bad, "X-Manager-Pin", testPIN); r.Status/100 != 4 {
			t.Errorf("PUT %s: %d, want a 4xx", bad, r.Status)
		}
	}
	if r := k.do("PUT", "/api/v1/stock/low", map[string]any{"threshold": 3}); r.Status != 401 {
		t.Errorf("without the PIN: %d, want 401", r.Status)
	}
	if r := k.do("PUT", "/api/v1/stock/low", map[string]any{"threshold": 3}, "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	a = low("")
	if _, ok := has(a, "CM-MO-250"); a.Threshold != 3 || ok {
		t.Errorf("after setting 3: threshold %d, 5 left listed %v", a.Threshold, ok)
	}
	if _, ok := has(low("?threshold=6"), "TV-GHC-5"); !ok {
		t.Error("?threshold=6 does not list a product with 6 left")
	}
	if low("").Threshold != 3 {
		t.Error("a look with ?threshold= changed the kiosk's threshold")
	}
}
