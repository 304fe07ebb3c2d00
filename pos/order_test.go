package pos

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// stopwatch is the order book's monotonic clock in tests: it moves only when
// the test says so, whatever the wall clock does.
type stopwatch struct {
	mu sync.Mutex
	d  time.Duration
}

func (w *stopwatch) Elapsed() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.d
}

func (w *stopwatch) Advance(d time.Duration) {
	w.mu.Lock()
	w.d += d
	w.mu.Unlock()
}

const testTTL = 15 * time.Minute

func newTestBook(s *Store) (*OrderBook, *stopwatch) {
	w := &stopwatch{}
	return NewOrderBook(s, OrderOptions{TTL: testTTL, Elapsed: w.Elapsed}), w
}

func orderOf(till string, lines ...LineRequest) OrderRequest {
	return OrderRequest{Lines: lines, Till: till}
}

func (s *testStore) order(t *testing.T, b *OrderBook, req OrderRequest) Order {
	t.Helper()
	o, replayed, err := b.Create(req, "")
	if err != nil {
		t.Fatalf("Create(%+v): %v", req, err)
	}
	if replayed {
		t.Fatal("an order without an idempotency key was replayed")
	}
	return o
}

func TestOrderHoldsItsStockAndIsNoSale(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	before := s.snapshot(t)
	o := s.order(t, b, orderOf("SELF1", lineReq("HONEY", 2), lineReq("RICE", 1)))

	if o.State != OrderOpen || o.Total != 2*220000+150000 || len(o.Lines) != 2 || o.Till != "SELF1" {
		t.Fatalf("order: %+v", o)
	}
	if code, ok := NormalizeOrderCode(o.Code); !ok || code != o.Code {
		t.Fatalf("pickup code %q is not a code", o.Code)
	}
	if o.Reference != "K01 "+o.Code {
		t.Fatalf("reference %q, want the kiosk id and the code", o.Reference)
	}
	// The reference survives VietQR as it is (tag 62/08: ≤ 19 letters, digits, spaces).
	payload, err := VietQR{BankBIN: "970405", Account: "7300205123456", Amount: o.Total, Reference: o.Reference}.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if q, err := ParseVietQR(payload); err != nil || q.Reference != o.Reference || q.Amount != o.Total {
		t.Fatalf("VietQR of the order: %+v %v", q, err)
	}
	if o.Expires.Sub(o.Created) != testTTL {
		t.Fatalf("the order holds its stock for %s, want %s", o.Expires.Sub(o.Created), testTTL)
	}

	after := s.snapshot(t)
	if after.Stock["HONEY"] != before.Stock["HONEY"]-2 || after.Stock["RICE"] != before.Stock["RICE"]-1 {
		t.Fatalf("stock shown is not what is left: %v → %v", before.Stock, after.Stock)
	}
	after.Stock, before.Stock = nil, nil
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("an order wrote sales, outbox records, print jobs or shifts: %+v → %+v", before, after)
	}
	// Nobody else can sell the stock the order holds.
	if _, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("HONEY", 99)}, cashReq(99*220000, 0)), ""); !errors.Is(err, ErrOutOfStock) {
		t.Fatalf("selling the held honey: %v, want out of stock", err)
	}
	s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 98)}, cashReq(98*220000, 0)))
	if n := s.stock(t, "HONEY"); n != 0 {
		t.Fatalf("honey left: %d", n)
	}
}

func TestOrderCreateRejectsAndLeavesNothingBehind(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	for _, tt := range []struct {
		name string
		req  OrderRequest
		want error
	}{
		{"more than the stock", orderOf("SELF1", lineReq("MELON", 2)), ErrOutOfStock},
		{"more than the stock over two lines", orderOf("SELF1", lineReq("WINE", 15), lineReq("WINE", 6)), ErrOutOfStock},
		{"an unknown product", orderOf("SELF1", lineReq("NOPE", 1)), ErrUnknownSKU},
		{"no lines", orderOf("SELF1"), ErrEmptySale},
		{"a zero quantity", orderOf("SELF1", lineReq("HONEY", 0)), ErrBadQuantity},
		{"an unknown lot", orderOf("SELF1", LineRequest{SKU: "HONEY", Qty: 1, Lot: "NOPE"}), ErrUnknownLot},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := s.snapshot(t)
			if _, _, err := b.Create(tt.req, ""); !errors.Is(err, tt.want) {
				t.Fatalf("Create: %v, want %v", err, tt.want)
			}
			if after := s.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("a refused order changed the store: %+v → %+v", before, after)
			}
			if open, _ := b.Orders(OrderOpen, 0); len(open) != 0 {
				t.Fatalf("%d open orders", len(open))
			}
		})
	}
}

func TestOrderCancelPutsTheStockBackOnce(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	o := s.order(t, b, orderOf("SELF1", lineReq("WINE", 5)))
	c, err := b.Cancel(o.ID, "T1", "changed her mind")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != OrderCancelled || c.ClosedBy != "T1" || c.Closed == nil || c.Reason != "changed her mind" {
		t.Fatalf("cancelled order: %+v", c)
	}
	if n := s.stock(t, "WINE"); n != 20 {
		t.Fatalf("wine after the cancel: %d, want 20", n)
	}
	if _, err := b.Cancel(o.ID, "T1", ""); !errors.Is(err, ErrOrderCancelled) {
		t.Fatalf("second cancel: %v", err)
	}
	if _, _, err := b.Confirm(o.ID, []PaymentRequest{payReq(MethodVietQR, o.Total)}, "T1", nil); !errors.Is(err, ErrOrderCancelled) {
		t.Fatalf("confirming a cancelled order: %v", err)
	}
	if n := s.stock(t, "WINE"); n != 20 {
		t.Fatalf("wine after all that: %d, want 20", n)
	}
	if _, err := b.Cancel("01KAAAAAAAAAAAAAAAAAAAAAAA", "T1", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cancelling no order: %v", err)
	}
}

func TestOrderConfirmMakesOneSaleWithTheReference(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	o := s.order(t, b, orderOf("SELF1", lineReq("HONEY", 1), lineReq("WINE", 2)))
	held := s.snapshot(t)

	paid, sale, err := b.Confirm(o.ID, []PaymentRequest{payReq(MethodVietQR, o.Total)}, "T1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sale.Kind != KindSale || sale.Total != o.Total || sale.Till != "T1" || sale.ReceiptNo != "K01-000001" || len(sale.Lines) != 2 {
		t.Fatalf("sale: %+v", sale)
	}
	if p := sale.Payments[0]; p.Method != MethodVietQR || p.Reference != o.Reference || p.Pending || p.Amount != o.Total {
		t.Fatalf("the sale's transfer: %+v, want the order's reference %q", p, o.Reference)
	}
	if paid.State != OrderPaid || paid.SaleID != sale.ID || paid.ReceiptNo != sale.ReceiptNo || paid.ClosedBy != "T1" {
		t.Fatalf("paid order: %+v", paid)
	}
	after := s.snapshot(t)
	if fmt.Sprint(after.Stock) != fmt.Sprint(held.Stock) {
		t.Fatalf("confirming took the stock twice: %v → %v", held.Stock, after.Stock)
	}
	if after.Sales != 1 || after.Outbox != 1 || after.PrintJobs != 1 {
		t.Fatalf("after the confirm: %+v, want one sale with its outbox record and print job", after)
	}
	z, err := s.ShiftReport("")
	if err != nil {
		t.Fatal(err)
	}
	if z.Sales != 1 || z.ByMethod[MethodVietQR] != o.Total {
		t.Fatalf("X-report: %d sales, %v", z.Sales, z.ByMethod)
	}
	if _, _, err := b.Confirm(o.ID, []PaymentRequest{payReq(MethodVietQR, o.Total)}, "T1", nil); !errors.Is(err, ErrOrderPaid) {
		t.Fatalf("second confirm: %v", err)
	}
	if _, err := b.Cancel(o.ID, "T1", ""); !errors.Is(err, ErrOrderPaid) {
		t.Fatalf("cancelling a paid order: %v", err)
	}
	if got := s.snapshot(t); fmt.Sprint(got) != fmt.Sprint(after) {
		t.Fatalf("a refused confirm or cancel changed the store: %+v → %+v", after, got)
	}
	got, err := b.Order(o.Code)
	if err != nil || got.ID != o.ID || got.State != OrderPaid {
		t.Fatalf("the paid order by its code: %+v %v", got, err)
	}
}

func TestOrderPaidAtTheTill(t *testing.T) {
	for _, tt := range []struct {
		name       string
		pays       func(total Money) []PaymentRequest
		wantChange Money
	}{
		{"in cash with change", func(total Money) []PaymentRequest { return []PaymentRequest{cashReq(total, 500000)} }, 500000 - 265000},
		{"by card", func(total Money) []PaymentRequest { return []PaymentRequest{payReq(MethodCard, total)} }, 0},
		{"part card, part cash", func(total Money) []PaymentRequest {
			return []PaymentRequest{payReq(MethodCard, 200000), cashReq(100000, 0)}
		}, 35000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			b, _ := newTestBook(s.Store)
			o := s.order(t, b, orderOf("SELF1", lineReq("HONEY", 1), lineReq("WINE", 1)))
			_, sale, err := b.Confirm(o.ID, tt.pays(o.Total), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			if sale.Change != tt.wantChange || sale.Till != "SELF1" {
				t.Fatalf("sale: change %d till %q, want change %d", sale.Change, sale.Till, tt.wantChange)
			}
		})
	}
}

func TestOrderConfirmRefusesBadPaymentsAndChangesNothing(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	o := s.order(t, b, orderOf("SELF1", lineReq("RICE", 1)))
	before := s.snapshot(t)
	for _, tt := range []struct {
		name string
		pays []PaymentRequest
		want error
	}{
		{"a transfer still pending", []PaymentRequest{{Method: MethodVietQR, Amount: o.Total, Pending: true}}, ErrBadPayment},
		{"too little", []PaymentRequest{payReq(MethodCard, o.Total-1)}, ErrPaymentShort},
		{"a card above the total", []PaymentRequest{payReq(MethodCard, o.Total+1)}, ErrOverpaid},
		{"no payment", nil, ErrBadPayment},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := b.Confirm(o.ID, tt.pays, "T1", nil); !errors.Is(err, tt.want) {
				t.Fatalf("Confirm: %v, want %v", err, tt.want)
			}
		})
	}
	if after := s.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("refused confirms changed the store: %+v → %+v", before, after)
	}
	if got, _ := b.Order(o.ID); got.State != OrderOpen {
		t.Fatalf("the order is %s", got.State)
	}
}

func TestOrderExpiresOnItsOwnClockNotTheWallClock(t *testing.T) {
	s := openTestStore(t)
	b, w := newTestBook(s.Store)
	o := s.order(t, b, orderOf("SELF1", lineReq("WINE", 4)))

	// The vendor sets the date, or the time server is reached after days
	// offline: the wall clock jumps two hours. The order keeps its minutes.
	s.clock.Set(o.Created.Add(2 * time.Hour))
	if got, err := b.Expire(); err != nil || len(got) != 0 {
		t.Fatalf("a clock jump expired %d orders (%v)", len(got), err)
	}
	w.Advance(testTTL - time.Second)
	if left := b.Remaining(o); left != time.Second {
		t.Fatalf("time left %s, want 1s", left)
	}
	if got, _ := b.Expire(); len(got) != 0 {
		t.Fatalf("expired a second early: %+v", got)
	}
	w.Advance(time.Second)

	// Time is up: a confirm now is refused, even before the loop has run.
	if _, _, err := b.Confirm(o.ID, []PaymentRequest{payReq(MethodVietQR, o.Total)}, "T1", nil); !errors.Is(err, ErrOrderExpired) {
		t.Fatalf("confirming an order whose time is up: %v", err)
	}
	if n, _ := s.SaleCount(); n != 0 {
		t.Fatalf("%d sales", n)
	}
	got, err := b.Expire()
	if err != nil || len(got) != 1 || got[0].ID != o.ID || got[0].State != OrderExpired {
		t.Fatalf("Expire: %+v %v", got, err)
	}
	if n := s.stock(t, "WINE"); n != 20 {
		t.Fatalf("wine after the expiry: %d, want 20", n)
	}
	if again, _ := b.Expire(); len(again) != 0 {
		t.Fatalf("expired twice: %+v", again)
	}
	if _, _, err := b.Confirm(o.ID, []PaymentRequest{payReq(MethodVietQR, o.Total)}, "T1", nil); !errors.Is(err, ErrOrderExpired) {
		t.Fatalf("confirming an expired order: %v", err)
	}
}

func TestOrderTimeAfterARestartComesFromTheWallClockAndIsNeverLonger(t *testing.T) {
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s := openStoreAt(t, path, clock)
	if err := s.PutCatalog(testCatalog(), "test"); err != nil {
		t.Fatal(err)
	}
	b, _ := newTestBook(s)
	ts := &testStore{s, clock}
	early := ts.order(t, b, orderOf("SELF1", lineReq("WINE", 1)))
	clock.Set(early.Created.Add(10 * time.Minute))
	late := ts.order(t, b, orderOf("SELF1", lineReq("WINE", 1)))
	s.Close()

	// Back up twelve minutes later by the wall clock.
	clock.Set(early.Created.Add(12 * time.Minute))
	s = openStoreAt(t, path, clock)
	b, w := newTestBook(s)
	if left := b.Remaining(early); left > 3*time.Minute || left < 2*time.Minute {
		t.Fatalf("the early order has %s left, want about 3 min", left)
	}
	w.Advance(4 * time.Minute)
	got, err := b.Expire()
	if err != nil || len(got) != 1 || got[0].ID != early.ID {
		t.Fatalf("after 4 more minutes: %+v %v", got, err)
	}

	// A clock set back by a day must not give an order a day to live.
	s.Close()
	clock.Set(late.Created.Add(-24 * time.Hour))
	s = openStoreAt(t, path, clock)
	b, _ = newTestBook(s)
	if left := b.Remaining(late); left != testTTL {
		t.Fatalf("after the clock went back a day the order has %s left, want at most %s", left, testTTL)
	}
}

func TestOrderConfirmAndCancelRacingCloseItExactlyOnce(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	const rounds = 20
	for i := range rounds {
		o := s.order(t, b, orderOf("SELF1", lineReq("WINE", 1)))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var confirmed, cancelled int
		for j := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if j%2 == 0 {
					_, _, err = b.Confirm(o.ID, []PaymentRequest{payReq(MethodVietQR, o.Total)}, "T1", nil)
				} else {
					_, err = b.Cancel(o.ID, "T2", "")
				}
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && j%2 == 0:
					confirmed++
				case err == nil:
					cancelled++
				case !errors.Is(err, ErrOrderPaid) && !errors.Is(err, ErrOrderCancelled):
					t.Errorf("round %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if confirmed+cancelled != 1 {
			t.Fatalf("round %d: %d confirms and %d cancels went through", i, confirmed, cancelled)
		}
	}
	sales, _ := s.SaleCount()
	open, _ := b.Orders(OrderOpen, 0)
	if n := s.stock(t, "WINE"); n != 20-int64(sales) || len(open) != 0 {
		t.Fatalf("after %d rounds: %d sales, wine %d, %d open orders", rounds, sales, n, len(open))
	}
}

func TestOrdersAndSalesRacingForTheLastUnitNeverGoBelowZero(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	// Twenty wines: twelve screens order two each while twelve tills sell two.
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := int64(0)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, _, err = b.Create(orderOf(fmt.Sprintf("SELF%d", i), lineReq("WINE", 2)), "")
			} else {
				_, _, err = s.CommitSale(saleOf([]LineRequest{lineReq("WINE", 2)}, payReq(MethodCard, 90000)), "")
			}
			if err == nil {
				mu.Lock()
				taken += 2
				mu.Unlock()
			} else if !errors.Is(err, ErrOutOfStock) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := s.stock(t, "WINE"); n != 0 || taken != 20 {
		t.Fatalf("wine left %d, taken %d", n, taken)
	}
}

func TestOrderIdempotencyKeyReturnsTheFirstOrder(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	req := orderOf("SELF1", lineReq("HONEY", 1))
	first, replayed, err := b.Create(req, "SELF1-abc")
	if err != nil || replayed || first.IdempotencyKey != "SELF1-abc" {
		t.Fatalf("first: %+v %v %v", first, replayed, err)
	}
	again, replayed, err := b.Create(req, "SELF1-abc")
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("retry: %+v %v %v", again, replayed, err)
	}
	if n := s.stock(t, "HONEY"); n != 99 {
		t.Fatalf("honey %d: the retry held stock again", n)
	}
	if _, _, err := b.Create(orderOf("SELF1", lineReq("HONEY", 2)), "SELF1-abc"); !errors.Is(err, ErrIdempotencyReuse) {
		t.Fatalf("the key with another basket: %v", err)
	}
}

func TestOneTillCannotHoldBackTheWholeShop(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	for range MaxOpenOrdersPerTill {
		s.order(t, b, orderOf("SELF1", lineReq("HONEY", 1)))
	}
	if _, _, err := b.Create(orderOf("SELF1", lineReq("HONEY", 1)), ""); !errors.Is(err, ErrTooManyOrders) {
		t.Fatalf("order %d on one till: %v", MaxOpenOrdersPerTill+1, err)
	}
	s.order(t, b, orderOf("SELF2", lineReq("HONEY", 1)))
}

func TestOrderCodesAreUniqueAmongOpenOrdersAndFoundAsTyped(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	seen := map[string]bool{}
	for i := range 40 {
		o := s.order(t, b, orderOf(fmt.Sprintf("S%d", i%3), lineReq("HONEY", 1)))
		if seen[o.Code] {
			t.Fatalf("code %s given to two open orders", o.Code)
		}
		seen[o.Code] = true
		typed := fmt.Sprintf("%s-%s", o.Code[:3], o.Code[3:])
		if got, err := b.Order(typed); err != nil || got.ID != o.ID {
			t.Fatalf("order by %q: %+v %v", typed, got, err)
		}
	}
	open, err := b.Orders(OrderOpen, 0)
	if err != nil || len(open) != 40 || open[0].ID < open[39].ID {
		t.Fatalf("open orders: %d %v, want 40 newest first", len(open), err)
	}
	if _, err := b.Order("ZZZZZ"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a code that cannot be: %v", err)
	}
}

func TestNormalizeOrderCode(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"7KP3M", "7KP3M", true},
		{"7kp3m", "7KP3M", true},
		{" 7KP-3M ", "7KP3M", true},
		{"7KP3", "7KP3", false},
		{"7KP3MM", "", false},
		{"0KP3M", "", false}, // 0 is never in a code: it reads as O
		{"K01 000123", "", false},
	} {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, ok := NormalizeOrderCode(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Fatalf("NormalizeOrderCode(%q) = %q, %v", tt.in, got, ok)
			}
		})
	}
}

func TestSaleByIdempotencyKeyFindsOnlyThatSale(t *testing.T) {
	s := openTestStore(t)
	prev, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)), "T1-previous")
	if err != nil {
		t.Fatal(err)
	}
	mine, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0)), "T1-mine")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"T1-previous": prev.ID, "T1-mine": mine.ID} {
		if got, err := s.SaleByIdempotencyKey(key); err != nil || got.ID != want {
			t.Errorf("%s: %s %v, want %s", key, got.ID, err, want)
		}
	}
	for _, key := range []string{"T1-never-sent", ""} {
		if got, err := s.SaleByIdempotencyKey(key); !errors.Is(err, ErrNotFound) {
			t.Errorf("%q: %+v %v, want not found", key, got, err)
		}
	}
}

func TestClosedOrdersAreForgottenBeyondTheNewest(t *testing.T) {
	s := openTestStore(t)
	b, _ := newTestBook(s.Store)
	var closed []Order
	for i := range 4 {
		o, _, err := b.Create(orderOf("SELF1", lineReq("RICE", 1)), fmt.Sprint("key-", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Cancel(o.ID, "T1", ""); err != nil {
			t.Fatal(err)
		}
		closed = append(closed, o)
	}
	open := s.order(t, b, orderOf("SELF1", lineReq("HONEY", 1)))
	n, err := s.TrimOrders(2)
	if err != nil || n != 2 {
		t.Fatalf("TrimOrders(2) = %d, %v; want the 2 oldest closed orders", n, err)
	}
	for i, o := range closed {
		_, err := b.Order(o.ID)
		if gone := errors.Is(err, ErrNotFound); gone != (i < 2) {
			t.Errorf("closed order %d: %v", i, err)
		}
		_, err = b.ByKey(fmt.Sprint("key-", i))
		if gone := errors.Is(err, ErrNotFound); gone != (i < 2) {
			t.Errorf("the key of closed order %d: %v", i, err)
		}
	}
	if got, err := b.Order(open.ID); err != nil || got.State != OrderOpen {
		t.Errorf("the open order: %+v, %v", got, err)
	}
}
