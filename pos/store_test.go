package pos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
)

var ictZone = time.FixedZone("ICT", 7*3600)

// testClock is the store's clock in tests: every reading is one second after the
// one before, so records have distinct, increasing times.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2026, 11, 23, 8, 0, 0, 0, ictZone)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// Set makes the next reading one second after t.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func withStock(p Product, n int64) Product { p.Stock = n; return p }

// testCatalog: honey 220.000 at 8%, rice 150.000 at 5%, coconut wine 45.000 at 10%
// and melon 79.000 at 0%, with one honey lot.
func testCatalog() Catalog {
	return Catalog{
		Producers: []Producer{
			{ID: "P-UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX},
			{ID: "P-RICE", Name: "Hộ kinh doanh Gạo Rạch Lọp", Kind: KindHousehold},
		},
		Products: []Product{withStock(prodHoney, 100), withStock(prodRice, 50), withStock(prodWine, 20), withStock(prodMelon, 1)},
		Lots:     []Lot{{SKU: "HONEY", Code: "UM2605-01", Quantity: 180}},
	}
}

type testStore struct {
	*Store
	clock *testClock
}

func openStoreAt(t *testing.T, path string, clock *testClock) *Store {
	t.Helper()
	s, err := Open(path, StoreOptions{KioskID: "K01", Timeout: 200 * time.Millisecond, Now: clock.Now})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openTestStore opens a fresh store in t.TempDir() holding testCatalog.
func openTestStore(t *testing.T) *testStore {
	t.Helper()
	clock := newTestClock()
	s := openStoreAt(t, filepath.Join(t.TempDir(), "kiosk.db"), clock)
	if err := s.PutCatalog(testCatalog(), "test catalog"); err != nil {
		t.Fatalf("PutCatalog: %v", err)
	}
	return &testStore{s, clock}
}

func lineReq(sku string, qty int64) LineRequest { return LineRequest{SKU: sku, Qty: qty} }

func saleOf(lines []LineRequest, pays ...PaymentRequest) SaleRequest {
	return SaleRequest{Lines: lines, Payments: pays}
}

func (s *testStore) sell(t *testing.T, req SaleRequest) Sale {
	t.Helper()
	sale, replayed, err := s.CommitSale(req, "")
	if err != nil {
		t.Fatalf("CommitSale(%+v): %v", req, err)
	}
	if replayed {
		t.Fatal("a sale without an idempotency key was replayed")
	}
	return sale
}

func (s *testStore) stock(t *testing.T, sku string) int64 {
	t.Helper()
	p, err := s.Product(sku)
	if err != nil {
		t.Fatalf("Product(%s): %v", sku, err)
	}
	return p.Stock
}

// snapshot is everything a rejected request must leave as it was.
type snapshot struct {
	Stock     map[string]int64
	Sales     int
	Outbox    int
	PrintJobs int
	Shifts    int
	ShiftErr  string
}

func (s *testStore) snapshot(t *testing.T) snapshot {
	t.Helper()
	st, err := s.Stock([]string{"HONEY", "RICE", "WINE", "MELON"})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.SaleCount()
	if err != nil {
		t.Fatal(err)
	}
	ob, err := s.OutboxDepth()
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := s.PrintJobs("")
	if err != nil {
		t.Fatal(err)
	}
	shifts, err := s.Shifts()
	if err != nil {
		t.Fatal(err)
	}
	snap := snapshot{Stock: st, Sales: n, Outbox: ob, PrintJobs: len(jobs), Shifts: len(shifts)}
	if _, err := s.CurrentShift(); err != nil {
		snap.ShiftErr = err.Error()
	}
	return snap
}

func TestOpenCreatesTheSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "nested", "kiosk.db")
	s := openStoreAt(t, path, newTestClock())
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("store file not created: %v", err)
	}
	if v, err := s.Meta("schema_version"); err != nil || v != "2" {
		t.Errorf("schema_version = %q, %v; want 2", v, err)
	}
	if v, err := s.Meta("store_kind"); err != nil || v != "ocop-kiosk-store" {
		t.Errorf("store_kind = %q, %v", v, err)
	}
	producers, products, lots, err := s.CatalogCounts()
	if err != nil || producers != 0 || products != 0 || lots != 0 {
		t.Errorf("CatalogCounts = %d, %d, %d, %v; want an empty catalog", producers, products, lots, err)
	}
	if n, err := s.SaleCount(); err != nil || n != 0 {
		t.Errorf("SaleCount = %d, %v; want 0", n, err)
	}
	if _, err := s.CurrentShift(); !errors.Is(err, ErrNoOpenShift) {
		t.Errorf("CurrentShift on a new store: %v, want ErrNoOpenShift", err)
	}
	if s.KioskID() != "K01" || s.Path() != path {
		t.Errorf("KioskID, Path = %q, %q", s.KioskID(), s.Path())
	}
}

func TestOpenFailsFastWhenAnotherStoreHoldsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	openStoreAt(t, path, newTestClock())
	start := time.Now()
	s2, err := Open(path, StoreOptions{Timeout: 200 * time.Millisecond})
	elapsed := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("a second Open of a store in use succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("second Open: %v, want ErrLocked", err)
	}
	if elapsed > 2*time.Second {
		t.Errorf("second Open took %v with a 200ms timeout", elapsed)
	}
}

func TestOpenRefusesAStoreFromANewerVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := Open(path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta("schema_version", "3"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, StoreOptions{})
	if err == nil {
		s.Close()
		t.Fatal("Open of a schema 3 store succeeded")
	}
	if !errors.Is(err, ErrSchema) {
		t.Errorf("Open: %v, want ErrSchema", err)
	}
}

func TestCommitSale(t *testing.T) {
	s := openTestStore(t)
	sale := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 2), lineReq("RICE", 1)}, cashReq(600000, 0)))

	if !ValidID(sale.ID) {
		t.Errorf("sale id %q is not a valid id", sale.ID)
	}
	if sale.Kind != KindSale || sale.KioskID != "K01" || sale.Status != StatusCompleted {
		t.Errorf("kind, kiosk, status = %s, %s, %s", sale.Kind, sale.KioskID, sale.Status)
	}
	if sale.Seq != 1 || sale.ReceiptNo != "K01-000001" {
		t.Errorf("first sale numbered %d %q, want 1 K01-000001", sale.Seq, sale.ReceiptNo)
	}
	if sale.Total != 590000 || sale.Change != 10000 {
		t.Errorf("total %d change %d, want 590000 and 10000", sale.Total, sale.Change)
	}
	wantPay := []Payment{{Method: MethodCash, Amount: 590000, Tendered: 600000, Change: 10000}}
	if !reflect.DeepEqual(sale.Payments, wantPay) {
		t.Errorf("payments = %+v, want %+v", sale.Payments, wantPay)
	}
	wantVAT := []VATLine{{Rate: 5, Gross: 150000, VAT: 7143}, {Rate: 8, Gross: 440000, VAT: 32593}}
	if !reflect.DeepEqual(sale.VAT, wantVAT) {
		t.Errorf("VAT = %+v, want %+v", sale.VAT, wantVAT)
	}
	if len(sale.Lines) != 2 || sale.Lines[0].Name != prodHoney.Name || sale.Lines[0].ProducerID != "P-UMINH" || sale.Lines[1].Total != 150000 {
		t.Errorf("lines = %+v", sale.Lines)
	}
	if got := s.stock(t, "HONEY"); got != 98 {
		t.Errorf("honey stock %d, want 98", got)
	}
	if got := s.stock(t, "RICE"); got != 49 {
		t.Errorf("rice stock %d, want 49", got)
	}

	stored, err := s.Sale(sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.ReceiptNo != sale.ReceiptNo || stored.Total != sale.Total || !reflect.DeepEqual(stored.Lines, sale.Lines) ||
		!stored.Time.Equal(sale.Time) || stored.ShiftID != sale.ShiftID {
		t.Errorf("stored sale differs from the one returned:\n%+v\n%+v", stored, sale)
	}

	ob, err := s.Outbox(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ob) != 1 || ob[0].Seq != 1 || ob[0].SaleID != sale.ID || ob[0].Sale.Total != 590000 || ob[0].Sale.ReceiptNo != "K01-000001" {
		t.Errorf("outbox = %+v, want one record of the sale", ob)
	}
	jobs, err := s.PrintJobs("pending")
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].SaleID != sale.ID || jobs[0].Doc != "receipt" || jobs[0].Printer != "receipt" || jobs[0].Copy {
		t.Errorf("pending print jobs = %+v, want one receipt of the sale", jobs)
	}
	if done, _ := s.PrintJobs("printed"); len(done) != 0 {
		t.Errorf("printed jobs = %+v, want none", done)
	}

	for i, want := range []string{"K01-000002", "K01-000003"} {
		next := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, payReq(MethodCard, 45000)))
		if next.ReceiptNo != want || next.Seq != uint64(i+2) {
			t.Errorf("sale %d numbered %d %q, want %s", i+2, next.Seq, next.ReceiptNo, want)
		}
	}
	if ob, _ := s.Outbox(1, 10); len(ob) != 2 || ob[0].Seq != 2 || ob[1].Seq != 3 {
		t.Errorf("outbox after seq 1 = %+v, want records 2 and 3", ob)
	}
	since, err := s.SalesSince(time.Time{}, 0)
	if err != nil || len(since) != 3 || since[0].ID != sale.ID {
		t.Errorf("SalesSince(zero) = %d sales, %v; want 3, oldest first", len(since), err)
	}
}

func TestReceiptNumbersCarryTheKioskID(t *testing.T) {
	clock := newTestClock()
	s, err := Open(filepath.Join(t.TempDir(), "k.db"), StoreOptions{KioskID: "K02", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutCatalog(testCatalog(), "test"); err != nil {
		t.Fatal(err)
	}
	ts := &testStore{s, clock}
	if got := ts.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0))).ReceiptNo; got != "K02-000001" {
		t.Errorf("receipt %q, want K02-000001", got)
	}
}

func TestCommitSaleIgnoresPricesSentByTheClient(t *testing.T) {
	s := openTestStore(t)
	body := `{"lines":[{"sku":"HONEY","qty":2,"price":1,"total":2}],"payments":[{"method":"card","amount":440000}],"total":2}`
	var req SaleRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	sale := s.sell(t, req)
	if sale.Lines[0].Price != 220000 || sale.Total != 440000 {
		t.Errorf("price %d total %d, want the catalog's 220000 and 440000", sale.Lines[0].Price, sale.Total)
	}

	var cheap SaleRequest
	if err := json.Unmarshal([]byte(`{"lines":[{"sku":"HONEY","qty":1,"price":1}],"payments":[{"method":"card","amount":1}]}`), &cheap); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CommitSale(cheap, ""); !errors.Is(err, ErrPaymentShort) {
		t.Errorf("paying the client's price of 1 đồng: %v, want ErrPaymentShort", err)
	}
}

func TestCommitSaleRejectsAndLeavesNothingBehind(t *testing.T) {
	tests := []struct {
		name string
		req  SaleRequest
		key  string
		want error
	}{
		{"more than the stock", saleOf([]LineRequest{lineReq("MELON", 2)}, cashReq(158000, 0)), "", ErrOutOfStock},
		{"one line in stock and one not", saleOf([]LineRequest{lineReq("HONEY", 1), lineReq("MELON", 2)}, cashReq(378000, 0)), "", ErrOutOfStock},
		{"two lines of one sku that together exceed its stock", saleOf([]LineRequest{lineReq("MELON", 1), lineReq("MELON", 1)}, cashReq(158000, 0)), "", ErrOutOfStock},
		{"an unknown sku after a good line", saleOf([]LineRequest{lineReq("HONEY", 1), lineReq("NOPE", 1)}, cashReq(300000, 0)), "", ErrUnknownSKU},
		{"a quantity of zero", saleOf([]LineRequest{lineReq("HONEY", 0)}, cashReq(220000, 0)), "", ErrBadQuantity},
		{"a quantity above the maximum", saleOf([]LineRequest{lineReq("HONEY", MaxQty+1)}, cashReq(220000, 0)), "", ErrBadQuantity},
		{"an unknown lot", saleOf([]LineRequest{{SKU: "HONEY", Qty: 1, Lot: "UM-404"}}, cashReq(220000, 0)), "", ErrUnknownLot},
		{"no lines", saleOf(nil, cashReq(220000, 0)), "", ErrEmptySale},
		{"cash short of the total", saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(200000, 0)), "", ErrPaymentShort},
		{"a card over the total", saleOf([]LineRequest{lineReq("HONEY", 1)}, payReq(MethodCard, 300000)), "", ErrOverpaid},
		{"no payment", saleOf([]LineRequest{lineReq("HONEY", 1)}), "", ErrBadPayment},
		{"an idempotency key that is too long", saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)), string(make([]byte, MaxIdempotencyKey+1)), ErrBadPayment},
		{"a till id that is too long", SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}, Till: string(make([]byte, 33))}, "", ErrBadPayment},
		{"a note that is too long", SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}, Note: string(make([]byte, 501))}, "", ErrBadPayment},
	}
	good := saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0))
	for _, tt := range tests {
		t.Run(tt.name+" is refused with nothing written", func(t *testing.T) {
			s := openTestStore(t)
			for round, wantReceipt := range []string{"K01-000001", "K01-000002"} {
				before := s.snapshot(t)
				sale, _, err := s.CommitSale(tt.req, tt.key)
				if !errors.Is(err, tt.want) {
					t.Fatalf("round %d: CommitSale = %s, %v; want %v", round, sale.ReceiptNo, err, tt.want)
				}
				if sale.ID != "" {
					t.Errorf("round %d: a refused sale came back with id %q", round, sale.ID)
				}
				if after := s.snapshot(t); !reflect.DeepEqual(after, before) {
					t.Errorf("round %d: a refused sale changed the store:\nbefore %+v\nafter  %+v", round, before, after)
				}
				if next := s.sell(t, good); next.ReceiptNo != wantReceipt {
					t.Errorf("round %d: the next good sale is %s, want %s", round, next.ReceiptNo, wantReceipt)
				}
			}
			if got := s.stock(t, "HONEY"); got != 98 {
				t.Errorf("honey stock %d after two good sales of one, want 98", got)
			}
		})
	}
}

func TestCommitSaleKeepsTotalsWithinBounds(t *testing.T) {
	s := openTestStore(t)
	dear := Product{SKU: "DEAR", Name: "Bình gốm Bát Tràng", Group: GroupHandicraft, Stars: 5, ProducerID: "P-RICE", Price: MaxPrice, VATRate: 8, Stock: 30000}
	if err := s.PutCatalog(Catalog{Products: []Product{dear}}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("DEAR", MaxQty), lineReq("DEAR", MaxQty)}, payReq(MethodCard, MaxSaleTotal)), ""); !errors.Is(err, ErrOverflow) {
		t.Errorf("two lines of 10.000 × 1.000.000.000: %v, want ErrOverflow", err)
	}
	if _, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("DEAR", MaxQty+1)}, payReq(MethodCard, MaxSaleTotal)), ""); !errors.Is(err, ErrBadQuantity) {
		t.Errorf("a quantity of 10.001: %v, want ErrBadQuantity", err)
	}
	sale := s.sell(t, saleOf([]LineRequest{lineReq("DEAR", MaxQty)}, payReq(MethodCard, MaxSaleTotal)))
	if sale.Total != MaxSaleTotal || sale.VAT[0].VAT != 740_740_740_741 {
		t.Errorf("total %d VAT %+v, want %d and 740.740.740.741", sale.Total, sale.VAT, MaxSaleTotal)
	}
	if got := s.stock(t, "DEAR"); got != 20000 {
		t.Errorf("stock %d, want 20000", got)
	}
}

func TestCommitSaleWithALot(t *testing.T) {
	s := openTestStore(t)
	sale := s.sell(t, saleOf([]LineRequest{{SKU: "HONEY", Qty: 1, Lot: "UM2605-01"}}, cashReq(220000, 0)))
	if sale.Lines[0].Lot != "UM2605-01" {
		t.Errorf("line lot %q, want UM2605-01", sale.Lines[0].Lot)
	}
}

func TestCommitSaleIdempotency(t *testing.T) {
	s := openTestStore(t)
	req := saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(500000, 0))

	first, replayed, err := s.CommitSale(req, "till-1/0001")
	if err != nil || replayed {
		t.Fatalf("first CommitSale: replayed %v, %v", replayed, err)
	}
	again, replayed, err := s.CommitSale(req, "till-1/0001")
	if err != nil {
		t.Fatalf("retried CommitSale: %v", err)
	}
	if !replayed {
		t.Error("a retry with the same key was not reported as replayed")
	}
	if again.ID != first.ID || again.ReceiptNo != first.ReceiptNo || again.Total != first.Total || again.Change != 280000 {
		t.Errorf("retry returned %s %s total %d change %d, want the first sale %s %s",
			again.ID, again.ReceiptNo, again.Total, again.Change, first.ID, first.ReceiptNo)
	}
	if got := s.stock(t, "HONEY"); got != 99 {
		t.Errorf("honey stock %d after a sale and its retry, want 99", got)
	}
	if n, _ := s.SaleCount(); n != 1 {
		t.Errorf("%d sales after a sale and its retry, want 1", n)
	}
	if n, _ := s.OutboxDepth(); n != 1 {
		t.Errorf("%d outbox records after a sale and its retry, want 1", n)
	}

	before := s.snapshot(t)
	other := saleOf([]LineRequest{lineReq("HONEY", 2)}, cashReq(500000, 0))
	if _, _, err := s.CommitSale(other, "till-1/0001"); !errors.Is(err, ErrIdempotencyReuse) {
		t.Errorf("same key, different lines: %v, want ErrIdempotencyReuse", err)
	}
	otherPay := saleOf([]LineRequest{lineReq("HONEY", 1)}, payReq(MethodCard, 220000))
	if _, _, err := s.CommitSale(otherPay, "till-1/0001"); !errors.Is(err, ErrIdempotencyReuse) {
		t.Errorf("same key, different payment: %v, want ErrIdempotencyReuse", err)
	}
	if after := s.snapshot(t); !reflect.DeepEqual(after, before) {
		t.Errorf("a reused key changed the store:\nbefore %+v\nafter  %+v", before, after)
	}

	second, replayed, err := s.CommitSale(req, "till-1/0002")
	if err != nil || replayed || second.ReceiptNo != "K01-000002" {
		t.Errorf("same request, new key: %s replayed %v, %v; want a new sale K01-000002", second.ReceiptNo, replayed, err)
	}
	if _, err := s.Void(first.ID, "test"); err != nil {
		t.Fatal(err)
	}
	voided, replayed, err := s.CommitSale(req, "till-1/0001")
	if err != nil || !replayed || voided.ID != first.ID || voided.Status != StatusVoided {
		t.Errorf("retry after a void: %s %s replayed %v, %v; want the first sale, voided", voided.ID, voided.Status, replayed, err)
	}
}

func TestCommitSaleIdempotencyUnderConcurrentRetries(t *testing.T) {
	s := openTestStore(t)
	req := saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0))
	var wg sync.WaitGroup
	ids := make([]string, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sale, _, err := s.CommitSale(req, "same-key")
			ids[i], errs[i] = sale.ID, err
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("retry %d: id %q, %v; want %q", i, ids[i], errs[i], ids[0])
		}
	}
	if got := s.stock(t, "RICE"); got != 49 {
		t.Errorf("rice stock %d after 8 concurrent retries of one sale, want 49", got)
	}
}

func TestVoid(t *testing.T) {
	s := openTestStore(t)
	sale := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 2), lineReq("RICE", 1)}, payReq(MethodVietQR, 300000), cashReq(300000, 0)))

	void, err := s.Void(sale.ID, "khách đổi ý")
	if err != nil {
		t.Fatal(err)
	}
	if void.Kind != KindVoid || void.Original != sale.ID || void.Total != -590000 || void.ReceiptNo != "K01-000002" || void.Reason != "khách đổi ý" {
		t.Errorf("void = kind %s original %s total %d receipt %s reason %q", void.Kind, void.Original, void.Total, void.ReceiptNo, void.Reason)
	}
	if void.ID == sale.ID {
		t.Error("the void reuses the sale's id")
	}
	for i, l := range void.Lines {
		o := sale.Lines[i]
		if l.SKU != o.SKU || l.Qty != -o.Qty || l.Total != -o.Total || l.VAT != -o.VAT || l.Price != o.Price {
			t.Errorf("void line %d = %+v, want the negation of %+v", i, l, o)
		}
	}
	wantPay := []Payment{{Method: MethodVietQR, Amount: -300000}, {Method: MethodCash, Amount: -290000}}
	if !reflect.DeepEqual(void.Payments, wantPay) {
		t.Errorf("void payments = %+v, want %+v", void.Payments, wantPay)
	}
	wantVAT := []VATLine{{Rate: 5, Gross: -150000, VAT: -7143}, {Rate: 8, Gross: -440000, VAT: -32593}}
	if !reflect.DeepEqual(void.VAT, wantVAT) {
		t.Errorf("void VAT = %+v, want %+v", void.VAT, wantVAT)
	}

	orig, err := s.Sale(sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if orig.Status != StatusVoided || !reflect.DeepEqual(orig.UndoneBy, []string{void.ID}) {
		t.Errorf("original status %s undone by %v, want voided by %s", orig.Status, orig.UndoneBy, void.ID)
	}
	if orig.Total != 590000 || len(orig.Lines) != 2 {
		t.Errorf("the original was edited: total %d, %d lines", orig.Total, len(orig.Lines))
	}
	if h, r := s.stock(t, "HONEY"), s.stock(t, "RICE"); h != 100 || r != 50 {
		t.Errorf("stock after void: honey %d rice %d, want 100 and 50", h, r)
	}
	if n, _ := s.OutboxDepth(); n != 2 {
		t.Errorf("outbox depth %d, want 2 (the sale and its void)", n)
	}
	if jobs, _ := s.PrintJobs("pending"); len(jobs) != 2 || jobs[1].SaleID != void.ID {
		t.Errorf("print jobs = %+v, want the sale's and the void's", jobs)
	}

	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"voiding the void", func() error { _, err := s.Void(void.ID, ""); return err }, ErrNotVoidable},
		{"voiding the sale again", func() error { _, err := s.Void(sale.ID, ""); return err }, ErrAlreadyVoided},
		{"refunding the voided sale", func() error { _, err := s.Refund(sale.ID, RefundRequest{}); return err }, ErrAlreadyVoided},
		{"refunding the void", func() error { _, err := s.Refund(void.ID, RefundRequest{}); return err }, ErrNotVoidable},
		{"voiding a sale that does not exist", func() error { _, err := s.Void("01JZZZZZZZZZZZZZZZZZZZZZZZ", ""); return err }, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			before := s.snapshot(t)
			if err := tt.do(); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if after := s.snapshot(t); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused undo changed the store:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

func TestRefund(t *testing.T) {
	s := openTestStore(t)
	sale := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 3), lineReq("RICE", 1)}, payReq(MethodCard, 810000)))
	if got := s.stock(t, "HONEY"); got != 97 {
		t.Fatalf("honey stock %d, want 97", got)
	}

	part, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Reason: "vỡ chai"})
	if err != nil {
		t.Fatal(err)
	}
	if part.Kind != KindRefund || part.Original != sale.ID || part.Total != -220000 || part.ReceiptNo != "K01-000002" {
		t.Errorf("refund = kind %s original %s total %d receipt %s", part.Kind, part.Original, part.Total, part.ReceiptNo)
	}
	if len(part.Lines) != 1 || part.Lines[0].Qty != -1 || part.Lines[0].Price != 220000 || part.Lines[0].VAT != -16296 {
		t.Errorf("refund lines = %+v, want one honey line of -1 at 220000 with VAT -16296", part.Lines)
	}
	if want := []Payment{{Method: MethodCash, Amount: -220000}}; !reflect.DeepEqual(part.Payments, want) {
		t.Errorf("refund payments = %+v, want %+v (cash by default)", part.Payments, want)
	}
	if got, _ := s.Sale(sale.ID); got.Status != StatusPartial {
		t.Errorf("status after a partial refund: %s, want %s", got.Status, StatusPartial)
	}
	if got := s.stock(t, "HONEY"); got != 98 {
		t.Errorf("honey stock after refunding one: %d, want 98", got)
	}

	tests := []struct {
		name string
		rr   RefundRequest
		want error
	}{
		{"more of a sku than is left", RefundRequest{Lines: []LineRequest{lineReq("HONEY", 3)}}, ErrRefundTooLarge},
		{"the same sku twice, adding up to more than is left", RefundRequest{Lines: []LineRequest{lineReq("HONEY", 2), lineReq("HONEY", 1)}}, ErrRefundTooLarge},
		{"a sku the sale did not sell", RefundRequest{Lines: []LineRequest{lineReq("WINE", 1)}}, ErrRefundTooLarge},
		{"a quantity of zero", RefundRequest{Lines: []LineRequest{lineReq("HONEY", 0)}}, ErrBadQuantity},
		{"a negative quantity", RefundRequest{Lines: []LineRequest{lineReq("HONEY", -1)}}, ErrBadQuantity},
		{"an unknown method", RefundRequest{Method: "bitcoin"}, ErrBadPayment},
	}
	for _, tt := range tests {
		t.Run("refunding "+tt.name+" is refused", func(t *testing.T) {
			before := s.snapshot(t)
			if _, err := s.Refund(sale.ID, tt.rr); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if after := s.snapshot(t); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused refund changed the store:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	if _, err := s.Void(sale.ID, ""); !errors.Is(err, ErrAlreadyVoided) {
		t.Errorf("voiding a partly refunded sale: %v, want ErrAlreadyVoided", err)
	}

	no := false
	rest, err := s.Refund(sale.ID, RefundRequest{Method: MethodCard, Restock: &no})
	if err != nil {
		t.Fatal(err)
	}
	if rest.Total != -590000 {
		t.Errorf("refund of the rest: total %d, want -590000 (2 honey + 1 rice)", rest.Total)
	}
	units := map[string]int64{}
	for _, l := range rest.Lines {
		units[l.SKU] += l.Qty
	}
	if !reflect.DeepEqual(units, map[string]int64{"HONEY": -2, "RICE": -1}) {
		t.Errorf("refund of the rest returns %v, want 2 honey and 1 rice", units)
	}
	if rest.Payments[0].Method != MethodCard {
		t.Errorf("refund method %s, want card", rest.Payments[0].Method)
	}
	if h, r := s.stock(t, "HONEY"), s.stock(t, "RICE"); h != 98 || r != 49 {
		t.Errorf("stock after a refund without restock: honey %d rice %d, want 98 and 49", h, r)
	}
	got, err := s.Sale(sale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusRefunded || len(got.UndoneBy) != 2 {
		t.Errorf("status %s undone by %v, want refunded by two records", got.Status, got.UndoneBy)
	}
	if _, err := s.Refund(sale.ID, RefundRequest{}); !errors.Is(err, ErrAlreadyVoided) {
		t.Errorf("refunding a wholly refunded sale: %v, want ErrAlreadyVoided", err)
	}
	if _, err := s.Void(sale.ID, ""); !errors.Is(err, ErrAlreadyVoided) {
		t.Errorf("voiding a wholly refunded sale: %v, want ErrAlreadyVoided", err)
	}
}

func TestShifts(t *testing.T) {
	s := openTestStore(t)
	sale := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))
	sh, err := s.CurrentShift()
	if err != nil {
		t.Fatalf("after a sale with no shift open: %v", err)
	}
	if !sh.Auto || sh.ID != "K01-S0001" || sale.ShiftID != sh.ID || sh.Float != 0 || !sh.Open() {
		t.Errorf("auto shift = %+v, sale in %s; want an open auto shift K01-S0001 with no float", sh, sale.ShiftID)
	}
	if _, err := s.OpenShift(500000, "lan"); !errors.Is(err, ErrShiftOpen) {
		t.Errorf("OpenShift with a shift open: %v, want ErrShiftOpen", err)
	}
	z, err := s.CloseShift("", 45000, "lan")
	if err != nil {
		t.Fatal(err)
	}
	if !z.Closed || z.Sales != 1 || z.CashDifference != 0 || z.Shift.ClosedBy != "lan" {
		t.Errorf("Z-report = %+v", z)
	}
	if _, err := s.CloseShift(sh.ID, 0, ""); !errors.Is(err, ErrShiftClosed) {
		t.Errorf("closing a closed shift: %v, want ErrShiftClosed", err)
	}
	if _, err := s.CloseShift("", 0, ""); !errors.Is(err, ErrNoOpenShift) {
		t.Errorf("closing with no shift open: %v, want ErrNoOpenShift", err)
	}
	if _, err := s.CloseShift("K01-S0099", 0, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("closing an unknown shift: %v, want ErrNotFound", err)
	}
	if _, err := s.CurrentShift(); !errors.Is(err, ErrNoOpenShift) {
		t.Errorf("CurrentShift after closing: %v, want ErrNoOpenShift", err)
	}
	for _, f := range []Money{-1, MaxFloat + 1} {
		if _, err := s.OpenShift(f, ""); !errors.Is(err, ErrBadAmount) {
			t.Errorf("OpenShift(%d): %v, want ErrBadAmount", f, err)
		}
		if _, err := s.CloseShift("", f, ""); !errors.Is(err, ErrBadAmount) {
			t.Errorf("CloseShift(%d): %v, want ErrBadAmount", f, err)
		}
	}
	opened, err := s.OpenShift(300000, "minh")
	if err != nil {
		t.Fatal(err)
	}
	if opened.ID != "K01-S0002" || opened.Auto || opened.Float != 300000 || opened.OpenedBy != "minh" {
		t.Errorf("opened shift = %+v", opened)
	}
	if next := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0))); next.ShiftID != "K01-S0002" {
		t.Errorf("sale after opening K01-S0002 went to %s", next.ShiftID)
	}
	shifts, err := s.Shifts()
	if err != nil || len(shifts) != 2 || shifts[0].Open() || !shifts[1].Open() {
		t.Errorf("Shifts = %+v, %v; want S0001 closed and S0002 open", shifts, err)
	}
}

func TestCloseShiftZReport(t *testing.T) {
	s := openTestStore(t)
	// An earlier shift whose sale must not count in the one under test.
	s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))
	if _, err := s.CloseShift("", 45000, ""); err != nil {
		t.Fatal(err)
	}

	sh, err := s.OpenShift(500000, "lan")
	if err != nil {
		t.Fatal(err)
	}
	// 1: 2 honey = 440.000 paid with 500.000 cash (60.000 change).
	s1 := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 2)}, cashReq(500000, 0)))
	// 2: 1 rice = 150.000 by card, voided below.
	s2 := s.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, payReq(MethodCard, 150000)))
	// 3: honey + rice = 370.000: 200.000 VietQR, cash 170.000 of 200.000 tendered.
	s3 := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1), lineReq("RICE", 1)}, payReq(MethodVietQR, 200000), cashReq(170000, 200000)))
	if s3.Change != 30000 {
		t.Fatalf("sale 3 change %d, want 30000", s3.Change)
	}
	// 4: refund one honey of sale 1 in cash: -220.000.
	if _, err := s.Refund(s1.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", 1)}}); err != nil {
		t.Fatal(err)
	}
	// 5: void sale 2: -150.000 card.
	if _, err := s.Void(s2.ID, "nhầm"); err != nil {
		t.Fatal(err)
	}

	x, err := s.ShiftReport("")
	if err != nil {
		t.Fatal(err)
	}
	if x.Closed || x.CashDifference != 0 || x.ExpectedCash != 890000 {
		t.Errorf("X-report of the open shift: closed %v, expected cash %d, difference %d", x.Closed, x.ExpectedCash, x.CashDifference)
	}

	z, err := s.CloseShift("", 880000, "lan")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"shift", z.Shift.ID, sh.ID},
		{"sales", z.Sales, 3},
		{"voids", z.Voids, 1},
		{"refunds", z.Refunds, 1},
		{"first receipt", z.FirstReceipt, "K01-000002"},
		{"last receipt", z.LastReceipt, "K01-000006"},
		{"gross", z.Gross, Money(440000 + 150000 + 370000)},
		{"void total", z.VoidTotal, Money(-150000)},
		{"refund total", z.RefundTotal, Money(-220000)},
		{"net", z.Net, Money(960000 - 150000 - 220000)},
		// cash 440.000 + 170.000 − 220.000; card 150.000 − 150.000; VietQR 200.000.
		{"by method", z.ByMethod, map[string]Money{MethodCash: 390000, MethodCard: 0, MethodVietQR: 200000}},
		// 8%: 440.000 + 220.000 − 220.000 = 440.000 → 32.592,59; 5%: 150.000 + 150.000 − 150.000 → 7.142,86.
		{"by VAT", z.ByVAT, []VATLine{{Rate: 5, Gross: 150000, VAT: 7143}, {Rate: 8, Gross: 440000, VAT: 32593}}},
		// Honey: units 2 + 1 − 1, VAT 32.593 + 16.296 − 16.296. Rice: 1 + 1 − 1, VAT 7.143 × (1 + 1 − 1).
		{"by producer", z.ByProducer, []ProducerTotal{{ProducerID: "P-RICE", Units: 1, Net: 150000, VAT: 7143}, {ProducerID: "P-UMINH", Units: 2, Net: 440000, VAT: 32593}}},
		{"units", z.Units, map[string]int64{"HONEY": 2, "RICE": 1}},
		{"expected cash (float 500.000 + cash 390.000)", z.ExpectedCash, Money(890000)},
		{"counted cash", z.CountedCash, Money(880000)},
		{"cash difference", z.CashDifference, Money(-10000)},
		{"closed", z.Closed, true},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}

	after := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))
	if after.ShiftID == sh.ID {
		t.Error("a sale after closing went into the closed shift")
	}
	again, err := s.ShiftReport(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Sales != 3 || again.Net != z.Net || again.CashDifference != -10000 {
		t.Errorf("report of the closed shift later: %d sales net %d difference %d, want it unchanged", again.Sales, again.Net, again.CashDifference)
	}
}

// A kiosk's clock is set back during a shift (NTP reaches it when the fair's
// network comes up, or a vendor corrects it). The sales after that carry the
// shift's id, and the Z-report must still count them: the drawer holds their cash.
func TestZReportCountsSalesTimedBeforeTheShiftOpened(t *testing.T) {
	s := openTestStore(t)
	opened := time.Date(2026, 11, 23, 9, 0, 0, 0, ictZone)
	s.clock.Set(opened)
	sh, err := s.OpenShift(100000, "")
	if err != nil {
		t.Fatal(err)
	}
	s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))
	s.clock.Set(opened.Add(-10 * time.Minute))
	late := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	if late.ShiftID != sh.ID {
		t.Fatalf("sale went to shift %s, want %s", late.ShiftID, sh.ID)
	}
	s.clock.Set(opened.Add(time.Hour))
	z, err := s.CloseShift("", 365000, "")
	if err != nil {
		t.Fatal(err)
	}
	if z.Sales != 2 || z.Gross != 265000 || z.ExpectedCash != 365000 || z.CashDifference != 0 {
		t.Errorf("Z-report: %d sales, gross %d, expected cash %d, difference %d; want 2 sales, 265000, 365000, 0",
			z.Sales, z.Gross, z.ExpectedCash, z.CashDifference)
	}
}

func TestPutCatalog(t *testing.T) {
	s := openTestStore(t)
	t.Run("a product of an unknown producer is reported on its row and nothing is written", func(t *testing.T) {
		before := s.snapshot(t)
		c := Catalog{
			Products: []Product{
				{SKU: "NEW-1", Name: "Cốm dẹp", Group: GroupFood, Stars: 3, ProducerID: "P-RICE", Price: 40000, VATRate: 8, Stock: 5},
				{SKU: "NEW-2", Name: "Mắm bò hóc", Group: GroupFood, Stars: 3, ProducerID: "P-NOPE", Price: 90000, VATRate: 8},
			},
			StockGiven:  []bool{true, false},
			ProductRows: []int{5, 9},
		}
		err := s.PutCatalog(c, "import")
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("PutCatalog: %v, want an *ImportError", err)
		}
		if !errors.Is(err, ErrImport) || ie.Kind != "products" || len(ie.Rows) != 1 || ie.Rows[0].Row != 9 || ie.Rows[0].Column != "producer_id" {
			t.Errorf("import error = %+v, want one row 9 in column producer_id", ie)
		}
		if _, err := s.Product("NEW-1"); !errors.Is(err, ErrUnknownSKU) {
			t.Errorf("the good product of a refused catalog was written: %v", err)
		}
		if after := s.snapshot(t); !reflect.DeepEqual(after, before) {
			t.Errorf("a refused catalog changed the store:\nbefore %+v\nafter  %+v", before, after)
		}
	})
	t.Run("without row numbers a record is reported as if the file had a header", func(t *testing.T) {
		err := s.PutCatalog(Catalog{Products: []Product{withStock(prodHoney, 1), {SKU: "X", Name: "X", Group: GroupFood, Stars: 3, ProducerID: "P-NOPE", Price: 1}}}, "")
		var ie *ImportError
		if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Row != 3 {
			t.Errorf("PutCatalog: %v, want row 3", err)
		}
	})
	t.Run("a lot of an unknown sku is reported", func(t *testing.T) {
		err := s.PutCatalog(Catalog{Lots: []Lot{{SKU: "NOPE", Code: "L1"}}, LotRows: []int{4}}, "")
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Kind != "lots" || len(ie.Rows) != 1 || ie.Rows[0].Row != 4 || ie.Rows[0].Column != "sku" {
			t.Errorf("PutCatalog: %v, want a lots error on row 4, column sku", err)
		}
	})
	t.Run("a producer and its product in one catalog land together", func(t *testing.T) {
		c := Catalog{
			Producers: []Producer{{ID: "P-NEW", Name: "HTX Mới", Kind: KindHTX}},
			Products:  []Product{{SKU: "NEW-3", Name: "Trà khổ qua", Group: GroupHerbal, Stars: 3, ProducerID: "P-NEW", Price: 60000, VATRate: 8, Stock: 7}},
			Lots:      []Lot{{SKU: "NEW-3", Code: "TKQ-01", Quantity: 7}},
		}
		if err := s.PutCatalog(c, "import"); err != nil {
			t.Fatal(err)
		}
		if got := s.stock(t, "NEW-3"); got != 7 {
			t.Errorf("stock %d, want 7", got)
		}
		if lots, _ := s.Lots("NEW-3"); len(lots) != 1 || lots[0].Code != "TKQ-01" {
			t.Errorf("lots = %+v", lots)
		}
	})
	t.Run("an invalid record is refused before anything is written", func(t *testing.T) {
		bad := withStock(prodHoney, 1)
		bad.Stars = 6
		if err := s.PutCatalog(Catalog{Products: []Product{bad}}, ""); err == nil {
			t.Error("a 6-star product was accepted")
		}
		if p, _ := s.Product("HONEY"); p.Stars != 5 {
			t.Errorf("honey stars %d, want 5", p.Stars)
		}
	})
	t.Run("an update without a stock cell keeps the stock and takes the new price", func(t *testing.T) {
		s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
		dearer := withStock(prodHoney, 0)
		dearer.Price = 230000
		if err := s.PutCatalog(Catalog{Products: []Product{dearer}, StockGiven: []bool{false}}, "price change"); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Product("HONEY")
		if p.Price != 230000 || p.Stock != 99 {
			t.Errorf("honey price %d stock %d, want 230000 and 99", p.Price, p.Stock)
		}
		if next := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(230000, 0))); next.Total != 230000 {
			t.Errorf("sale after the price change: total %d, want 230000", next.Total)
		}
	})
	t.Run("an update with a stock cell replaces the stock and logs the move", func(t *testing.T) {
		if err := s.PutCatalog(Catalog{Products: []Product{withStock(prodRice, 80)}, StockGiven: []bool{true}}, "kiểm kho"); err != nil {
			t.Fatal(err)
		}
		if got := s.stock(t, "RICE"); got != 80 {
			t.Errorf("rice stock %d, want 80", got)
		}
		moves, err := s.StockMoves()
		if err != nil {
			t.Fatal(err)
		}
		last := moves[len(moves)-1]
		if last.SKU != "RICE" || last.Delta != 30 || last.After != 80 || last.Reason != "kiểm kho" {
			t.Errorf("last stock move = %+v, want RICE +30 → 80 for kiểm kho", last)
		}
	})
}

func TestAdjustStock(t *testing.T) {
	tests := []struct {
		name  string
		sku   string
		delta int64
		want  int64 // stock after
		err   error
	}{
		{"a delivery adds to the stock", "HONEY", 24, 124, nil},
		{"breakage takes from the stock", "HONEY", -3, 97, nil},
		{"taking the whole stock leaves zero", "HONEY", -100, 0, nil},
		{"taking more than the stock is refused", "HONEY", -101, 100, ErrOutOfStock},
		{"an unknown sku is refused", "NOPE", 5, 100, ErrUnknownSKU},
		{"a change of zero is refused", "HONEY", 0, 100, ErrBadQuantity},
		{"a change above the maximum is refused", "HONEY", MaxStockDelta + 1, 100, ErrBadQuantity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			movesBefore, _ := s.StockMoves()
			after, err := s.AdjustStock(tt.sku, tt.delta, "đếm lại")
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("AdjustStock(%s, %d) = %d, %v; want %v", tt.sku, tt.delta, after, err, tt.err)
			}
			if got := s.stock(t, "HONEY"); got != tt.want {
				t.Errorf("honey stock %d, want %d", got, tt.want)
			}
			moves, _ := s.StockMoves()
			if tt.err != nil {
				if len(moves) != len(movesBefore) {
					t.Errorf("a refused adjustment logged a move: %+v", moves[len(moves)-1])
				}
				return
			}
			if after != tt.want {
				t.Errorf("AdjustStock returned %d, want %d", after, tt.want)
			}
			last := moves[len(moves)-1]
			if last.SKU != tt.sku || last.Delta != tt.delta || last.After != tt.want || last.Reason != "đếm lại" {
				t.Errorf("logged move %+v", last)
			}
		})
	}
}

func TestBackupCheckAndRestore(t *testing.T) {
	s := openTestStore(t)
	a := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	b := s.sell(t, saleOf([]LineRequest{lineReq("RICE", 2)}, payReq(MethodVietQR, 300000)))

	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	var announced int64 = -1
	n, err := s.Backup(f, func(size int64) { announced = size })
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if fi, _ := os.Stat(backup); n <= 0 || n != announced || fi.Size() != n {
		t.Errorf("Backup wrote %d bytes, announced %d, file has %d", n, announced, fi.Size())
	}
	if sales, err := CheckBackup(backup); err != nil || sales != 2 {
		t.Errorf("CheckBackup = %d, %v; want 2 sales", sales, err)
	}

	dst := filepath.Join(dir, "restored", "kiosk.db")
	if sales, err := Restore(backup, dst); err != nil || sales != 2 {
		t.Fatalf("Restore = %d, %v; want 2", sales, err)
	}
	r := &testStore{openStoreAt(t, dst, s.clock), s.clock}
	for _, want := range []Sale{a, b} {
		got, err := r.Sale(want.ID)
		if err != nil || got.ReceiptNo != want.ReceiptNo || got.Total != want.Total {
			t.Errorf("restored sale %s: %s total %d, %v", want.ReceiptNo, got.ReceiptNo, got.Total, err)
		}
	}
	if h, rc := r.stock(t, "HONEY"), r.stock(t, "RICE"); h != 99 || rc != 48 {
		t.Errorf("restored stock honey %d rice %d, want 99 and 48", h, rc)
	}
	// A restored store may be behind the hub: until it has asked, it numbers
	// in a provisional series that cannot clash with a number issued before.
	if next := r.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0))); next.ReceiptNo != "K01-R1-000001" {
		t.Errorf("first sale in the restored store is %s, want K01-R1-000001", next.ReceiptNo)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	// Restoring over a store that is not in use keeps the replaced file beside it.
	if sales, err := Restore(backup, dst); err != nil || sales != 2 {
		t.Fatalf("second Restore = %d, %v", sales, err)
	}
	kept, _ := filepath.Glob(dst + ".before-restore-*")
	if len(kept) != 1 {
		t.Errorf("replaced store kept as %v, want one file", kept)
	} else if sales, err := CheckBackup(kept[0]); err != nil || sales != 3 {
		t.Errorf("the kept store holds %d sales, %v; want the 3 it had", sales, err)
	}
}

func TestRestoreRefusesAStoreInUse(t *testing.T) {
	s := openTestStore(t)
	s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	backup := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(f, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()

	if _, err := Restore(backup, s.Path()); !errors.Is(err, ErrLocked) {
		t.Errorf("Restore into an open store: %v, want ErrLocked", err)
	}
	if n, err := s.SaleCount(); err != nil || n != 1 {
		t.Errorf("the open store after a refused restore: %d sales, %v", n, err)
	}
	if left, _ := filepath.Glob(s.Path() + ".*"); len(left) != 0 {
		t.Errorf("a refused restore left files behind: %v", left)
	}
}

func TestCheckBackupRefusesWhatIsNotAStore(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("sku,name\nA,B\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckBackup(junk); err == nil {
		t.Error("CheckBackup accepted a CSV file")
	}
	if _, err := Restore(junk, filepath.Join(dir, "kiosk.db")); err == nil {
		t.Error("Restore accepted a CSV file")
	}
	if _, err := os.Stat(filepath.Join(dir, "kiosk.db")); !os.IsNotExist(err) {
		t.Errorf("a refused restore created the store file: %v", err)
	}
}

func TestConcurrentSalesAreNumberedWithoutGaps(t *testing.T) {
	const tills, perTill = 16, 50
	s := openTestStore(t)
	if _, err := s.AdjustStock("RICE", 1000, "delivery"); err != nil {
		t.Fatal(err)
	}
	initial := s.stock(t, "RICE")

	var wg sync.WaitGroup
	sales := make([][]Sale, tills)
	errs := make(chan error, tills*perTill)
	for till := range tills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perTill {
				req := saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 0))
				req.Till = fmt.Sprintf("T%02d", till)
				var key string
				if i%2 == 0 {
					key = fmt.Sprintf("%s/%d", req.Till, i)
				}
				sale, _, err := s.CommitSale(req, key)
				if err != nil {
					errs <- fmt.Errorf("till %d sale %d: %w", till, i, err)
					continue
				}
				sales[till] = append(sales[till], sale)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	var seqs []int
	ids := map[string]bool{}
	for _, ts := range sales {
		for _, sl := range ts {
			seqs = append(seqs, int(sl.Seq))
			if want := ReceiptNo("K01", sl.Seq); sl.ReceiptNo != want {
				t.Errorf("seq %d has receipt %s, want %s", sl.Seq, sl.ReceiptNo, want)
			}
			if ids[sl.ID] {
				t.Errorf("sale id %s given twice", sl.ID)
			}
			ids[sl.ID] = true
		}
	}
	sort.Ints(seqs)
	if len(seqs) != tills*perTill {
		t.Fatalf("%d sales committed, want %d", len(seqs), tills*perTill)
	}
	for i, q := range seqs {
		if q != i+1 {
			t.Fatalf("receipt sequence has a gap or duplicate at %d: got %d", i+1, q)
		}
	}
	if got := s.stock(t, "RICE"); got != initial-tills*perTill {
		t.Errorf("rice stock %d, want %d − %d", got, initial, tills*perTill)
	}
	if n, _ := s.OutboxDepth(); n != tills*perTill {
		t.Errorf("outbox depth %d, want %d", n, tills*perTill)
	}
	if jobs, _ := s.PrintJobs("pending"); len(jobs) != tills*perTill {
		t.Errorf("%d print jobs, want %d", len(jobs), tills*perTill)
	}
}

func TestConcurrentSalesNeverSellMoreThanTheStock(t *testing.T) {
	s := openTestStore(t) // 20 bottles of wine
	var wg sync.WaitGroup
	var mu sync.Mutex
	sold, refused := 0, 0
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)), "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				sold++
			case errors.Is(err, ErrOutOfStock):
				refused++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if sold != 20 || refused != 20 {
		t.Errorf("sold %d and refused %d of 40 one-bottle sales with 20 in stock, want 20 and 20", sold, refused)
	}
	if got := s.stock(t, "WINE"); got != 0 {
		t.Errorf("wine stock %d, want 0", got)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s1, err := Open(path, StoreOptions{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.PutCatalog(testCatalog(), "test"); err != nil {
		t.Fatal(err)
	}
	ts := &testStore{s1, clock}
	if _, err := s1.OpenShift(200000, "lan"); err != nil {
		t.Fatal(err)
	}
	req := saleOf([]LineRequest{lineReq("HONEY", 2)}, cashReq(440000, 0))
	first, _, err := s1.CommitSale(req, "retry-me")
	if err != nil {
		t.Fatal(err)
	}
	ts.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, payReq(MethodCard, 150000)))
	if err := s1.SetMeta("manager_pin_hash", "abc"); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}

	s2 := &testStore{openStoreAt(t, path, clock), clock}
	got, err := s2.Sale(first.ID)
	if err != nil || got.ReceiptNo != "K01-000001" || got.Total != 440000 {
		t.Errorf("sale after reopen: %s %d, %v", got.ReceiptNo, got.Total, err)
	}
	if h, r := s2.stock(t, "HONEY"), s2.stock(t, "RICE"); h != 98 || r != 49 {
		t.Errorf("stock after reopen: honey %d rice %d, want 98 and 49", h, r)
	}
	if sh, err := s2.CurrentShift(); err != nil || sh.Float != 200000 || sh.OpenedBy != "lan" {
		t.Errorf("open shift after reopen: %+v, %v", sh, err)
	}
	if n, _ := s2.OutboxDepth(); n != 2 {
		t.Errorf("outbox depth after reopen %d, want 2", n)
	}
	if v, _ := s2.Meta("manager_pin_hash"); v != "abc" {
		t.Errorf("meta after reopen %q, want abc", v)
	}
	again, replayed, err := s2.CommitSale(req, "retry-me")
	if err != nil || !replayed || again.ID != first.ID {
		t.Errorf("retry after reopen: %s replayed %v, %v; want the first sale", again.ID, replayed, err)
	}
	if next := s2.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0))); next.ReceiptNo != "K01-000003" {
		t.Errorf("first new sale after reopen is %s, want K01-000003", next.ReceiptNo)
	}
}

// Shutting down races with requests still in flight: a write that arrives after
// Close must fail, not wait for a committer that has already gone.
func TestWritesAfterCloseFailInsteadOfHanging(t *testing.T) {
	s := openTestStore(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		done := make(chan error, 1)
		go func() {
			_, _, err := s.CommitSale(saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)), "")
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("attempt %d: CommitSale on a closed store: %v, want ErrClosed", i, err)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("attempt %d: CommitSale on a closed store still blocked after 2 s", i)
		}
	}
}

func TestLoadDemoIfEmpty(t *testing.T) {
	s := openStoreAt(t, filepath.Join(t.TempDir(), "kiosk.db"), newTestClock())
	loaded, err := s.LoadDemoIfEmpty()
	if err != nil || !loaded {
		t.Fatalf("first LoadDemoIfEmpty = %v, %v; want true", loaded, err)
	}
	c, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	producers, products, lots, err := s.CatalogCounts()
	if err != nil || producers != len(c.Producers) || products != len(c.Products) || lots != len(c.Lots) {
		t.Errorf("CatalogCounts = %d, %d, %d, %v; want %d, %d, %d", producers, products, lots, err, len(c.Producers), len(c.Products), len(c.Lots))
	}
	p, err := s.Product("CM-MO-500")
	if err != nil || p.Stock != 146 || p.Price != 220000 {
		t.Errorf("CM-MO-500 after the demo load: %+v, %v", p, err)
	}
	loaded, err = s.LoadDemoIfEmpty()
	if err != nil || loaded {
		t.Errorf("second LoadDemoIfEmpty = %v, %v; want false", loaded, err)
	}
	if _, err := s.AdjustStock("CM-MO-500", -6, "test"); err != nil {
		t.Fatal(err)
	}
	if loaded, _ := s.LoadDemoIfEmpty(); loaded {
		t.Error("LoadDemoIfEmpty loaded again into a store with products")
	}
	if p, _ := s.Product("CM-MO-500"); p.Stock != 140 {
		t.Errorf("stock %d, want 140: a second load must not reset it", p.Stock)
	}

	ts := openTestStore(t)
	if loaded, err := ts.LoadDemoIfEmpty(); err != nil || loaded {
		t.Errorf("LoadDemoIfEmpty into a store with its own catalog = %v, %v; want false", loaded, err)
	}
}

func TestExportCSVRoundTripsTheStoresCatalog(t *testing.T) {
	s := openStoreAt(t, filepath.Join(t.TempDir(), "kiosk.db"), newTestClock())
	if _, err := s.LoadDemoIfEmpty(); err != nil {
		t.Fatal(err)
	}
	want, err := s.Products()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.ExportCSV(FileProducts, &b); err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalogCSV(FileProducts, &b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Products, want) {
		t.Error("the exported products do not import back to the store's products")
	}
	if err := s.ExportCSV("pictures", &b); err == nil {
		t.Error("ExportCSV of an unknown kind succeeded")
	}
}

func TestSalesAfterFollowsReceiptOrderWhateverTheClock(t *testing.T) {
	s := openTestStore(t)
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, ictZone)
	s.clock.Set(start)
	a := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))
	s.clock.Set(start.Add(-time.Hour)) // the clock is set back an hour
	b := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))
	c := s.sell(t, saleOf([]LineRequest{lineReq("WINE", 1)}, cashReq(45000, 0)))

	receipts := func(ss []Sale) []string {
		out := []string{}
		for _, sl := range ss {
			out = append(out, sl.ReceiptNo)
		}
		return out
	}
	tests := []struct {
		name  string
		after uint64
		limit int
		want  []string
	}{
		{"from the start every record comes in receipt order", 0, 0, []string{a.ReceiptNo, b.ReceiptNo, c.ReceiptNo}},
		{"after the first receipt the rest follow", 1, 10, []string{b.ReceiptNo, c.ReceiptNo}},
		{"a limit cuts the page", 0, 2, []string{a.ReceiptNo, b.ReceiptNo}},
		{"after the last receipt there is nothing", 3, 10, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SalesAfter(tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if r := receipts(got); !reflect.DeepEqual(r, tt.want) {
				t.Errorf("SalesAfter(%d, %d) = %v, want %v", tt.after, tt.limit, r, tt.want)
			}
		})
	}
}

func TestPrintJobLifecycle(t *testing.T) {
	s := openTestStore(t)
	sale := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))

	pending, err := s.PendingPrintJobs()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].SaleID != sale.ID || pending[0].State != JobPending {
		t.Fatalf("pending jobs after a sale = %+v, want its receipt", pending)
	}
	receipt := pending[0]

	z, err := s.AddPrintJob(PrintJob{Doc: "zreport", Printer: "receipt", Ref: "K01-S0001", State: JobPrinted, Attempts: 9})
	if err != nil {
		t.Fatal(err)
	}
	if z.ID == receipt.ID || z.State != JobPending || z.Attempts != 0 || z.Created.IsZero() {
		t.Errorf("added job = %+v, want a new pending job with no attempts", z)
	}
	copyJob, err := s.AddPrintJob(PrintJob{SaleID: sale.ID, Doc: "receipt", Printer: "receipt", Copy: true})
	if err != nil {
		t.Fatal(err)
	}

	receipt.State, receipt.Attempts = JobPrinted, 1
	if err := s.UpdatePrintJob(receipt); err != nil {
		t.Fatal(err)
	}
	pending, _ = s.PendingPrintJobs()
	if len(pending) != 2 || pending[0].ID != z.ID || pending[1].ID != copyJob.ID || !pending[1].Copy {
		t.Errorf("pending jobs after printing the receipt = %+v, want the Z-report then the copy", pending)
	}
	if printed, _ := s.PrintJobs(JobPrinted); len(printed) != 1 || printed[0].ID != receipt.ID || printed[0].Attempts != 1 {
		t.Errorf("printed jobs = %+v, want the receipt with one attempt", printed)
	}
	if got, err := s.PrintJob(receipt.ID); err != nil || got.State != JobPrinted {
		t.Errorf("PrintJob(%d) = %+v, %v", receipt.ID, got, err)
	}

	z.State, z.Error = JobFailed, "printer gone"
	if err := s.UpdatePrintJob(z); err != nil {
		t.Fatal(err)
	}
	z.State = JobPending // a manager retries it
	if err := s.UpdatePrintJob(z); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.PendingPrintJobs(); len(pending) != 2 || pending[0].ID != z.ID {
		t.Errorf("pending jobs after a retry = %+v, want the Z-report back first", pending)
	}

	tests := []struct {
		name string
		do   func() error
		want error // nil: any error
	}{
		{"a job for a sale that does not exist", func() error {
			_, err := s.AddPrintJob(PrintJob{SaleID: "01JZZZZZZZZZZZZZZZZZZZZZZZ", Doc: "receipt", Printer: "receipt"})
			return err
		}, ErrNotFound},
		{"a job with no document", func() error { _, err := s.AddPrintJob(PrintJob{Printer: "receipt"}); return err }, nil},
		{"a job with no printer", func() error { _, err := s.AddPrintJob(PrintJob{Doc: "label"}); return err }, nil},
		{"an update of a job that does not exist", func() error { return s.UpdatePrintJob(PrintJob{ID: 999, State: JobPrinted}) }, ErrNotFound},
		{"reading a job that does not exist", func() error { _, err := s.PrintJob(999); return err }, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			before, _ := s.PrintJobs("")
			err := tt.do()
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if after, _ := s.PrintJobs(""); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused print job call changed the jobs")
			}
		})
	}
}
