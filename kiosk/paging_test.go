package kiosk

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// sellMany sells n one-jar sales through the API, 16 tills at a time.
func (k *testKiosk) sellMany(t *testing.T, n int) {
	t.Helper()
	if r := k.do("POST", "/api/v1/stock/BT-KD-400", map[string]any{"delta": n, "reason": "delivery"}, "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("stock: %d %s", r.Status, r.Body)
	}
	body := cardSale(k.product("BT-KD-400").Price)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				if r := k.do("POST", "/api/v1/sales", body); r.Status != 201 {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%d %s", r.Status, r.Body))
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("sales failed: %v", failed)
	}
}

func cardSale(price pos.Money) map[string]any {
	return map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}},
		"payments": []map[string]any{{"method": "card", "amount": price}}}
}

func TestSalesListsPageNewestFirstAndFindReceipts(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	k.sellMany(t, 1_050)
	type page struct {
		Sales []pos.Sale
		Next  uint64
	}
	var seen []uint64
	var before uint64
	for {
		var p page
		r := k.do("GET", fmt.Sprintf("/api/v1/sales?order=desc&limit=400&before=%d", before), nil)
		if r.Status != 200 {
			t.Fatalf("page before %d: %d %s", before, r.Status, r.Body)
		}
		r.json(t, &p)
		for _, s := range p.Sales {
			seen = append(seen, s.Seq)
		}
		if p.Next == 0 {
			break
		}
		before = p.Next
	}
	if len(seen) != 1_050 || seen[0] != 1_050 || seen[len(seen)-1] != 1 {
		t.Fatalf("walked %d records from %d to %d, want 1,050 newest first", len(seen), seen[0], seen[len(seen)-1])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] != seen[i-1]-1 {
			t.Fatalf("record %d follows %d", seen[i], seen[i-1])
		}
	}
	for _, q := range []string{"K01-001050", "1050", "k01-001050"} {
		var p page
		k.do("GET", "/api/v1/sales?q="+q, nil).json(t, &p)
		if len(p.Sales) != 1 || p.Sales[0].ReceiptNo != "K01-001050" {
			t.Errorf("q=%s found %+v", q, p.Sales)
		}
	}
	var none page
	if k.do("GET", "/api/v1/sales?q=K01-999999", nil).json(t, &none); len(none.Sales) != 0 {
		t.Errorf("an unknown receipt found %+v", none.Sales)
	}
	for _, bad := range []string{"order=sideways", "order=desc&before=x", "after=-1"} {
		if r := k.do("GET", "/api/v1/sales?"+bad, nil); r.Status != 400 || r.errCode(t) != "bad_query" {
			t.Errorf("%s: %d", bad, r.Status)
		}
	}
}

func TestStockMovesAndShiftsPageNewestFirst(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for i := range 5 {
		if r := k.do("POST", "/api/v1/stock/BT-KD-400", map[string]any{"delta": i + 1, "reason": fmt.Sprint("delivery ", i+1)}, "X-Manager-Pin", testPIN); r.Status != 200 {
			t.Fatalf("stock: %d %s", r.Status, r.Body)
		}
	}
	var moves struct {
		Moves []pos.StockMove
		Next  uint64
	}
	k.do("GET", "/api/v1/stock/moves?limit=2", nil, "X-Manager-Pin", testPIN).json(t, &moves)
	if len(moves.Moves) != 2 || !strings.HasPrefix(moves.Moves[0].Reason, "delivery 5") || moves.Next == 0 {
		t.Fatalf("first page of moves %+v", moves)
	}
	k.do("GET", fmt.Sprintf("/api/v1/stock/moves?limit=2&before=%d", moves.Next), nil, "X-Manager-Pin", testPIN).json(t, &moves)
	if len(moves.Moves) != 2 || !strings.HasPrefix(moves.Moves[0].Reason, "delivery 3") {
		t.Fatalf("second page of moves %+v", moves)
	}
	for range 3 {
		k.sell(t, cardSale(k.product("BT-KD-400").Price))
		if r := k.do("POST", "/api/v1/shifts/close", map[string]any{"counted": 0}, "X-Manager-Pin", testPIN); r.Status != 200 {
			t.Fatalf("close: %d %s", r.Status, r.Body)
		}
	}
	var shifts struct {
		Shifts []pos.Shift
		Next   string
	}
	k.do("GET", "/api/v1/shifts?limit=2", nil).json(t, &shifts)
	if len(shifts.Shifts) != 2 || shifts.Shifts[0].ID != "K01-S0003" || shifts.Next != "K01-S0002" {
		t.Fatalf("first page of shifts %+v", shifts)
	}
	k.do("GET", "/api/v1/shifts?limit=2&before="+shifts.Next, nil).json(t, &shifts)
	if len(shifts.Shifts) != 1 || shifts.Shifts[0].ID != "K01-S0001" || shifts.Next != "" {
		t.Fatalf("second page of shifts %+v", shifts)
	}
}

// TestBrowserManagerVoidsTheNewestOfManySales: the manager's list used to ask for
// the day's first 1,000 sales, oldest first, so after 1,000 the newest could not
// be voided from it.
func TestBrowserManagerVoidsTheNewestOfManySales(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	k.sellMany(t, 1_010)
	newest := "K01-001010"
	ctx := browser(t, 1280, 800)
	row := tid("sale-row", `[data-receipt="`+newest+`"]`)
	within(t, ctx, 30*time.Second,
		signedInManager(k.url+"/manager?lang=en"),
		chromedp.Click(tid("tab-sales"), chromedp.ByQuery),
		chromedp.WaitVisible(row, chromedp.ByQuery),
		chromedp.Click(row+" "+tid("sale-void"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("void-reason"), chromedp.ByQuery),
		chromedp.SetValue(tid("void-reason"), "wrong jar", chromedp.ByQuery),
		chromedp.Click(tid("form-ok"), chromedp.ByQuery),
	)
	waitFor(t, "the newest sale voided", func() bool {
		var p struct{ Sales []pos.Sale }
		k.do("GET", "/api/v1/sales?q="+newest, nil).json(t, &p)
		return len(p.Sales) == 1 && p.Sales[0].Status == pos.StatusVoided
	})
	// A receipt number finds an old one, and Older pages back.
	within(t, ctx, 20*time.Second,
		chromedp.WaitVisible(tid("sales-search"), chromedp.ByQuery),
		chromedp.SendKeys(tid("sales-search"), "K01-000007", chromedp.ByQuery),
		chromedp.Click(tid("sales-find"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-row", `[data-receipt="K01-000007"]`), chromedp.ByQuery),
		chromedp.Click(tid("sales-newest"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sales-older"), chromedp.ByQuery),
		chromedp.Click(tid("sales-older"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-row", `[data-receipt="K01-000961"]`), chromedp.ByQuery),
	)
	var rows int
	within(t, ctx, 5*time.Second, chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('%s').length`, tid("sale-row")), &rows))
	if rows != 50 {
		t.Errorf("the second page shows %d rows, want 50", rows)
	}
}
