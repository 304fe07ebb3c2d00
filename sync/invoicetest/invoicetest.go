// Package invoicetest is the conformance suite of the hub's invoice stores:
// what delivering the kiosks' invoices relies on (sync.InvoiceStore), run the
// same way against each store that keeps them (bbolt and PostgreSQL), as
// sync/storetest is for sync.Store. The invoices it files are real ones,
// issued by kiosk stores in temporary folders.
package invoicetest

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// Store is a hub store that keeps invoices.
type Store interface {
	hubsync.Store
	hubsync.InvoiceStore
}

// Run runs every behaviour against stores made by open, one fresh, empty
// store per subtest; open closes what it makes when its test ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, st Store)
	}{
		{"a record's invoices wait in their series in number order", queued},
		{"a number not received yet holds its series", gapHolds},
		{"an invoice of another kiosk's series or under a number held is flagged and not delivered", refusedAtIngest},
		{"an outcome moves the series past the invoices answered and tells their kiosk in order", outcomes},
		{"an outcome that does not fit the series changes nothing", outcomeMismatch},
		{"after a lost answer the next call is exactly the same invoices", lostAnswer},
		{"blocks and symbols are given and refused by the same rules", registration},
		{"kiosks registering at once never share a block or a symbol", concurrentRegistration},
		{"a kiosk whose block runs out is given its next, and its old one stays its own", nextBlock},
		{"sellers' settings are kept with their secrets and forgotten on request", sellers},
		{"invoices not delivered by the end of their day are late", late},
		{"invoices are read by the time they were issued, and only those of the range", issuedBetween},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

// BoothMST is the tax code of the booth the suite's kiosks invoice for (its
// check digit is right).
const BoothMST = "0314409058"

// at is a fixed moment, whole microseconds in UTC, so that stores keeping
// microseconds (PostgreSQL) and nanoseconds (bbolt) answer the same.
var at = time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)

func invoicing(symbol string, block pos.InvoiceBlock) pos.InvoiceSettings {
	return pos.InvoiceSettings{Seller: pos.Party{Name: "Hộ kinh doanh Gian hàng OCOP Cà Mau", TaxCode: BoothMST, Address: "Số 1 Lý Thường Kiệt, Cà Mau"},
		TaxMethod: pos.TaxDirect, Form: pos.FormSales, Symbol: symbol, CQTCode: "A1B2C", Block: block}
}

// Kiosk is a real kiosk store of id that issues invoices of symbol from block.
func Kiosk(t *testing.T, id, symbol string, block pos.InvoiceBlock) *pos.Store {
	t.Helper()
	return KioskAt(t, id, symbol, block, nil)
}

// KioskAt is Kiosk with its clock (nil: the time now).
func KioskAt(t testing.TB, id, symbol string, block pos.InvoiceBlock, now func() time.Time) *pos.Store {
	t.Helper()
	s, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: id, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH",
			Price: 220000, VATRate: 8, Stock: pos.MaxStock}},
	}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetInvoicing(invoicing(symbol, block)); err != nil {
		t.Fatal(err)
	}
	return s
}

// Sell makes n sales of honey on k and returns its whole outbox.
func Sell(t *testing.T, k *pos.Store, n int) []pos.OutboxRecord {
	t.Helper()
	for range n {
		if _, _, err := k.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := k.Outbox(0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

var block5 = pos.InvoiceBlock{From: 5 * pos.BlockSize, To: 6*pos.BlockSize - 1}

// selling registers kiosk id on st and has it issue n invoices of C26MAA,
// all ingested; it returns the records.
func selling(t *testing.T, st Store, id string, n int) []pos.OutboxRecord {
	t.Helper()
	if _, err := hubsync.RegisterKiosk(st, id); err != nil {
		t.Fatal(err)
	}
	recs := Sell(t, Kiosk(t, id, "C26MAA", block5), n)
	ingest(t, st, id, recs)
	return recs
}

func ingest(t *testing.T, st Store, id string, recs []pos.OutboxRecord) {
	t.Helper()
	if _, err := st.Ingest(id, recs, at); err != nil {
		t.Fatal(err)
	}
}

func theStream(t *testing.T, st Store) hubsync.InvoiceStream {
	t.Helper()
	sts, err := st.Streams()
	if err != nil || len(sts) != 1 {
		t.Fatalf("series: %+v %v, want one", sts, err)
	}
	return sts[0]
}

func numbers(b hubsync.InvoiceBatch) []int64 {
	var out []int64
	for _, hi := range b.Invoices {
		out = append(out, hi.Invoice.Number)
	}
	return out
}

func next(t *testing.T, st Store, key string, limit int) hubsync.InvoiceBatch {
	t.Helper()
	b, err := st.NextInvoices(key, limit)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func delivered(keys ...string) []einvoice.Result {
	var out []einvoice.Result
	for _, k := range keys {
		out = append(out, einvoice.Result{Key: k, Outcome: einvoice.Delivered})
	}
	return out
}

func queued(t *testing.T, st Store) {
	recs := selling(t, st, "K01", 5)
	s := theStream(t, st)
	inv := recs[0].Sale.Invoices[0]
	want := hubsync.InvoiceStream{Key: fmt.Sprintf("%s|%d|%s", BoothMST, inv.Form, inv.Symbol), Seller: BoothMST, Form: inv.Form,
		Symbol: inv.Symbol, Kiosk: "K01", Next: 1, Highest: 5}
	if s != want {
		t.Fatalf("series %+v, want %+v", s, want)
	}
	pending, err := st.PendingStreams()
	if err != nil || len(pending) != 1 || len(pending[BoothMST]) != 1 || pending[BoothMST][0].Key != s.Key {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	b := next(t, st, s.Key, 3)
	if fmt.Sprint(numbers(b)) != "[1 2 3]" || b.Resend {
		t.Fatalf("next 3: %v (resend %v)", numbers(b), b.Resend)
	}
	for i, hi := range b.Invoices {
		inv := recs[i].Sale.Invoices[0]
		if hi.Key != inv.Key() || hi.Kiosk != "K01" || hi.State != pos.InvoiceIssued || !hi.Received.Equal(at) ||
			hi.Invoice.MCCQT != inv.MCCQT || hi.Invoice.SaleID != recs[i].SaleID || hi.Invoice.Total != inv.Total {
			t.Errorf("invoice %d held as %+v", i+1, hi)
		}
	}
	// The same batch again files nothing twice.
	ingest(t, st, "K01", recs)
	var all []int64
	for _, hi := range allHeld(t, st) {
		all = append(all, hi.Invoice.Number)
	}
	if fmt.Sprint(all) != "[1 2 3 4 5]" {
		t.Fatalf("the hub holds %v", all)
	}
	if held := heldSales(t, st, "K01"); held[0].Mismatch != "" {
		t.Fatalf("a good record flagged: %q", held[0].Mismatch)
	}
}

// allHeld is every invoice the hub holds, in issue order: the suite's
// invoices are all issued within a year of now.
func allHeld(t *testing.T, st Store) []hubsync.HubInvoice {
	t.Helper()
	var out []hubsync.HubInvoice
	now := time.Now()
	if err := st.InvoicesIssuedBetween(now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), func(hi hubsync.HubInvoice) error {
		out = append(out, hi)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// heldSales are the records the hub holds (of one kiosk when kiosk is set),
// read a page at a time.
func heldSales(t *testing.T, st Store, kiosk string) []hubsync.HubSale {
	t.Helper()
	var out []hubsync.HubSale
	var after hubsync.SalesCursor
	for {
		page, more, err := st.SalesPage(kiosk, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if !more || len(page) == 0 {
			return out
		}
		last := page[len(page)-1]
		after = hubsync.SalesCursor{KioskID: last.Sale.KioskID, Seq: last.Seq, SaleID: last.Sale.ID}
	}
}

func gapHolds(t *testing.T, st Store) {
	if _, err := hubsync.RegisterKiosk(st, "K01"); err != nil {
		t.Fatal(err)
	}
	recs := Sell(t, Kiosk(t, "K01", "C26MAA", block5), 4)
	ingest(t, st, "K01", []pos.OutboxRecord{recs[0], recs[1], recs[3]})
	s := theStream(t, st)
	if s.Highest != 4 {
		t.Fatalf("highest %d, want 4", s.Highest)
	}
	if got := numbers(next(t, st, s.Key, 10)); fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("before 3 arrives: %v", got)
	}
	if _, err := st.RecordDelivery(s.Key, hubsync.DeliveryOutcome{Results: delivered(recs[0].Sale.Invoices[0].Key(), recs[1].Sale.Invoices[0].Key())}, at); err != nil {
		t.Fatal(err)
	}
	if b := next(t, st, s.Key, 10); len(b.Invoices) != 0 {
		t.Fatalf("at the gap: %v", numbers(b))
	}
	// Waiting at a gap is still waiting: the series is listed.
	if p, _ := st.PendingStreams(); len(p[BoothMST]) != 1 {
		t.Fatalf("pending at the gap: %+v", p)
	}
	ingest(t, st, "K01", recs[2:3])
	if got := numbers(next(t, st, s.Key, 10)); fmt.Sprint(got) != "[3 4]" {
		t.Fatalf("after 3 arrived: %v", got)
	}
}

func refusedAtIngest(t *testing.T, st Store) {
	recs := selling(t, st, "K01", 2)
	// K02 issues the same series (a kiosk set up with K01's symbol).
	if _, err := hubsync.RegisterKiosk(st, "K02"); err != nil {
		t.Fatal(err)
	}
	other := Sell(t, Kiosk(t, "K02", "C26MAA", pos.InvoiceBlock{From: 7 * pos.BlockSize, To: 8*pos.BlockSize - 1}), 1)
	ingest(t, st, "K02", other)
	// K01 numbering again from a copy: number 1 under another code.
	again := Sell(t, Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 9 * pos.BlockSize, To: 10*pos.BlockSize - 1}), 1)
	again[0].Seq = 3 // past what the hub holds, so only the invoice is wrong
	ingest(t, st, "K01", again)
	// A number that is no number.
	odd := Sell(t, Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 11 * pos.BlockSize, To: 12*pos.BlockSize - 1}), 1)
	odd[0].Seq = 4
	odd[0].Sale.Invoices[0].Number = 0
	ingest(t, st, "K01", odd)

	flags := map[string]string{}
	for _, hs := range heldSales(t, st, "") {
		flags[hs.Sale.ID] = hs.Mismatch
	}
	for _, c := range []struct{ id, want string }{
		{other[0].SaleID, "the series is kiosk K01's, not delivered"},
		{again[0].SaleID, "is held already for " + recs[0].SaleID + " (MCCQT " + recs[0].Sale.Invoices[0].MCCQT + "): the kiosk numbered again"},
		{odd[0].SaleID, "number 0 of " + BoothMST + ": not a number, not delivered"},
	} {
		if !strings.Contains(flags[c.id], c.want) {
			t.Errorf("record %s flagged %q, want %q", c.id, flags[c.id], c.want)
		}
	}
	if flags[recs[0].SaleID] != "" || flags[recs[1].SaleID] != "" {
		t.Errorf("K01's own invoices flagged: %q %q", flags[recs[0].SaleID], flags[recs[1].SaleID])
	}
	s := theStream(t, st)
	if s.Kiosk != "K01" || s.Highest != 2 {
		t.Fatalf("series %+v", s)
	}
	b := next(t, st, s.Key, 10)
	if len(b.Invoices) != 2 || b.Invoices[0].Key != recs[0].Sale.Invoices[0].Key() {
		t.Fatalf("the series holds %+v", b.Invoices)
	}
}

func outcomes(t *testing.T, st Store) {
	recs := selling(t, st, "K01", 4)
	key := theStream(t, st).Key
	k := func(i int) string { return recs[i].Sale.Invoices[0].Key() }
	kiosks, err := st.RecordDelivery(key, hubsync.DeliveryOutcome{Results: []einvoice.Result{
		{Key: k(0), Outcome: einvoice.Delivered},
		{Key: k(1), Outcome: einvoice.Refused, Code: "ERR30", Reason: "ERR30: sai mẫu số"},
		{Key: k(2), Outcome: einvoice.Duplicate},
	}}, at)
	if err != nil || fmt.Sprint(kiosks) != "[K01]" {
		t.Fatalf("record delivery: %v %v", kiosks, err)
	}
	s := theStream(t, st)
	if s.Next != 4 || s.Delivered != 2 || s.Refused != 1 || s.LastError != "" || s.Uncertain != 0 || !s.LastTry.Equal(at) {
		t.Fatalf("series after the call: %+v", s)
	}
	states, last, err := st.InvoiceStates("K01", 0, 10)
	if err != nil || last != 3 || len(states) != 3 {
		t.Fatalf("states: %+v %d %v", states, last, err)
	}
	want := []pos.InvoiceState{{Key: k(0), State: pos.InvoiceDelivered, At: at}, {Key: k(1), State: pos.InvoiceRefused, Reason: "ERR30: sai mẫu số", At: at},
		{Key: k(2), State: pos.InvoiceDelivered, At: at}}
	for i := range want {
		if states[i].Key != want[i].Key || states[i].State != want[i].State || states[i].Reason != want[i].Reason || !states[i].At.Equal(at) {
			t.Errorf("state %d: %+v, want %+v", i+1, states[i], want[i])
		}
	}
	if page, last, _ := st.InvoiceStates("K01", 1, 1); len(page) != 1 || page[0].Key != k(1) || last != 2 {
		t.Fatalf("a page after 1: %+v %d", page, last)
	}
	if none, last, _ := st.InvoiceStates("K01", 3, 10); len(none) != 0 || last != 3 {
		t.Fatalf("after the last: %+v %d", none, last)
	}
	held := allHeld(t, st)
	if held[1].State != pos.InvoiceRefused || held[1].Reason != "ERR30: sai mẫu số" || !held[1].At.Equal(at) || held[3].State != pos.InvoiceIssued {
		t.Fatalf("held: %+v", held)
	}
	// The next call's states follow on.
	if _, err := st.RecordDelivery(key, hubsync.DeliveryOutcome{Results: delivered(k(3))}, at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if more, last, _ := st.InvoiceStates("K01", 3, 10); len(more) != 1 || more[0].Key != k(3) || last != 4 {
		t.Fatalf("the next call's state: %+v %d", more, last)
	}
	if p, _ := st.PendingStreams(); len(p) != 0 {
		t.Fatalf("pending when all are settled: %+v", p)
	}
	// How far the kiosk applied them is kept with its invoicing.
	if err := st.AckInvoiceStates("K01", 4); err != nil {
		t.Fatal(err)
	}
	if kk, _ := st.Kiosk("K01"); kk.Invoicing == nil || kk.Invoicing.StatesAcked != 4 {
		t.Fatalf("acked: %+v", kk.Invoicing)
	}
	if err := st.AckInvoiceStates("K09", 1); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Fatalf("an unknown kiosk's ack: %v", err)
	}
}

func outcomeMismatch(t *testing.T, st Store) {
	recs := selling(t, st, "K01", 2)
	key := theStream(t, st).Key
	for _, c := range []struct {
		name    string
		results []einvoice.Result
	}{
		{"a result for another invoice", delivered(recs[1].Sale.Invoices[0].Key())},
		{"more results than invoices held", delivered(recs[0].Sale.Invoices[0].Key(), recs[1].Sale.Invoices[0].Key(), "X")},
	} {
		if _, err := st.RecordDelivery(key, hubsync.DeliveryOutcome{Results: c.results}, at); err == nil {
			t.Errorf("%s was kept", c.name)
		}
	}
	if s := theStream(t, st); s.Next != 1 || s.Delivered != 0 {
		t.Fatalf("series changed: %+v", s)
	}
	if states, _, _ := st.InvoiceStates("K01", 0, 10); len(states) != 0 {
		t.Fatalf("states logged: %+v", states)
	}
}

func lostAnswer(t *testing.T, st Store) {
	recs := selling(t, st, "K01", 6)
	key := theStream(t, st).Key
	unavailable := fmt.Errorf("%w: timeout", einvoice.ErrUnavailable)
	if _, err := st.RecordDelivery(key, hubsync.DeliveryOutcome{Err: unavailable, Unknown: 4}, at); err != nil {
		t.Fatal(err)
	}
	s := theStream(t, st)
	if s.Uncertain != 4 || s.Next != 1 || !strings.Contains(s.LastError, "unavailable") {
		t.Fatalf("after the lost answer: %+v", s)
	}
	if b := next(t, st, key, 10); fmt.Sprint(numbers(b)) != "[1 2 3 4]" || !b.Resend {
		t.Fatalf("the repeat: %v (resend %v)", numbers(b), b.Resend)
	}
	// The seller's settings failing takes nothing and forgets nothing.
	if _, err := st.RecordDelivery(key, hubsync.DeliveryOutcome{Err: fmt.Errorf("%w: wrong password", einvoice.ErrSeller)}, at); err != nil {
		t.Fatal(err)
	}
	if s := theStream(t, st); s.Uncertain != 4 || !strings.Contains(s.LastError, "wrong password") {
		t.Fatalf("after a settings error: %+v", s)
	}
	var keys []string
	for _, r := range recs[:4] {
		keys = append(keys, r.Sale.Invoices[0].Key())
	}
	if _, err := st.RecordDelivery(key, hubsync.DeliveryOutcome{Results: delivered(keys...)}, at); err != nil {
		t.Fatal(err)
	}
	if s := theStream(t, st); s.Uncertain != 0 || s.LastError != "" || s.Next != 5 {
		t.Fatalf("after the repeat was answered: %+v", s)
	}
	if b := next(t, st, key, 10); fmt.Sprint(numbers(b)) != "[5 6]" || b.Resend {
		t.Fatalf("after: %v (resend %v)", numbers(b), b.Resend)
	}
}

func registration(t *testing.T, st Store) {
	for _, id := range []string{"K01", "K02", "K03", "K04"} {
		if _, err := hubsync.RegisterKiosk(st, id); err != nil {
			t.Fatal(err)
		}
	}
	blockN := func(n uint64) pos.InvoiceBlock {
		return pos.InvoiceBlock{From: n * pos.BlockSize, To: (n+1)*pos.BlockSize - 1}
	}
	if err := st.ReserveInvoiceBlock("K01", blockN(1)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, kiosk, symbol string
		block, want         pos.InvoiceBlock
		err                 error
	}{
		{"a kiosk reserved ahead gets its block", "K01", "C26MAA", pos.InvoiceBlock{}, blockN(1), nil},
		{"a kiosk without a block gets the lowest free one", "K02", "C26MBB", pos.InvoiceBlock{}, blockN(2), nil},
		{"a kiosk asking again keeps the block it has", "K02", "C26MBB", pos.InvoiceBlock{}, blockN(2), nil},
		{"a kiosk saying another block than the one held is refused", "K02", "C26MBB", blockN(7), pos.InvoiceBlock{}, hubsync.ErrInvoiceBlockMismatch},
		{"a block inside another kiosk's is refused", "K03", "C26MCC", pos.InvoiceBlock{From: blockN(1).From + 5, To: blockN(1).From + 9}, pos.InvoiceBlock{}, hubsync.ErrInvoiceBlockOverlap},
		{"a block across the end of another kiosk's is refused", "K03", "C26MCC", pos.InvoiceBlock{From: blockN(2).To, To: blockN(3).From + 10}, pos.InvoiceBlock{}, hubsync.ErrInvoiceBlockOverlap},
		{"another kiosk's symbol letters of the seller are refused, whatever the year", "K03", "C27MBB", blockN(5), pos.InvoiceBlock{}, hubsync.ErrInvoiceSymbolTaken},
		{"a block of its own and letters of its own are taken", "K03", "C26MCC", blockN(5), blockN(5), nil},
		{"a kiosk after a gap gets the lowest free block", "K04", "C26MDD", pos.InvoiceBlock{}, blockN(3), nil},
	}
	for _, s := range steps {
		got, err := st.RegisterInvoicing(s.kiosk, BoothMST, 2, s.symbol, s.block)
		if s.err != nil {
			if !errors.Is(err, s.err) {
				t.Fatalf("%s: %v, want %v", s.name, err, s.err)
			}
		} else if err != nil || got != s.want {
			t.Fatalf("%s: %s %v, want %s", s.name, got, err, s.want)
		}
	}
	k3, _ := st.Kiosk("K03")
	if k3.Invoicing == nil || k3.Invoicing.Block != blockN(5) || k3.Invoicing.Symbol != "C26MCC" || k3.Invoicing.Seller != BoothMST || k3.Invoicing.Form != 2 {
		t.Fatalf("K03 held as %+v", k3.Invoicing)
	}
	if k2, _ := st.Kiosk("K02"); k2.Invoicing == nil || k2.Invoicing.Block != blockN(2) {
		t.Fatalf("a refused block changed K02: %+v", k2.Invoicing)
	}
	// A revoked kiosk's block and symbol stay its own: what it issued stays issued.
	if err := st.RevokeKiosk("K03"); err != nil {
		t.Fatal(err)
	}
	if _, err := hubsync.RegisterKiosk(st, "K05"); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckInvoiceBlock("K05", blockN(5)); !errors.Is(err, hubsync.ErrInvoiceBlockOverlap) {
		t.Fatalf("a revoked kiosk's block: %v", err)
	}
	if _, err := st.RegisterInvoicing("K05", BoothMST, 2, "C26MCC", blockN(8)); !errors.Is(err, hubsync.ErrInvoiceSymbolTaken) {
		t.Fatalf("a revoked kiosk's symbol: %v", err)
	}
	if err := st.ReserveInvoiceBlock("K05", blockN(2)); !errors.Is(err, hubsync.ErrInvoiceBlockOverlap) {
		t.Fatalf("reserving K02's block: %v", err)
	}
	if k5, _ := st.Kiosk("K05"); k5.Invoicing != nil && !k5.Invoicing.Block.IsZero() {
		t.Fatalf("a refused registration changed K05: %+v", k5.Invoicing)
	}
	if err := st.CheckInvoiceBlock("K05", blockN(9)); err != nil {
		t.Fatalf("a free block: %v", err)
	}
	// Another seller may use the same letters.
	if got, err := st.RegisterInvoicing("K05", "0100233488", 2, "C26MCC", pos.InvoiceBlock{}); err != nil || got != blockN(4) {
		t.Fatalf("another seller's C26MCC: %s %v", got, err)
	}
	if _, err := st.RegisterInvoicing("K09", BoothMST, 2, "C26MZZ", pos.InvoiceBlock{}); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Fatalf("an unknown kiosk: %v", err)
	}
	list, err := st.Kiosks()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range list {
		if k.ID == "K04" && (k.Invoicing == nil || k.Invoicing.Block != blockN(3)) {
			t.Fatalf("K04 listed with %+v", k.Invoicing)
		}
	}
}

// nextBlock gives a kiosk the next block of the counter: the lowest free one
// or the one named; the old one stays the kiosk's (no other kiosk gets a
// number of it), and the kiosk naming its old block is answered its next
// rather than refused as a mismatch.
func nextBlock(t *testing.T, st Store) {
	for _, id := range []string{"K01", "K02"} {
		if _, err := hubsync.RegisterKiosk(st, id); err != nil {
			t.Fatal(err)
		}
	}
	blockN := func(n uint64) pos.InvoiceBlock {
		return pos.InvoiceBlock{From: n * pos.BlockSize, To: (n+1)*pos.BlockSize - 1}
	}
	if got, err := st.RegisterInvoicing("K01", BoothMST, 2, "C26MAA", pos.InvoiceBlock{}); err != nil || got != blockN(1) {
		t.Fatalf("K01: %s %v", got, err)
	}
	if got, err := st.RegisterInvoicing("K02", BoothMST, 2, "C26MBB", pos.InvoiceBlock{}); err != nil || got != blockN(2) {
		t.Fatalf("K02: %s %v", got, err)
	}
	got, err := st.NextInvoiceBlock("K01", pos.InvoiceBlock{})
	if err != nil || got != blockN(3) {
		t.Fatalf("K01's next: %s %v, want %s", got, err, blockN(3))
	}
	if again, err := st.RegisterInvoicing("K01", BoothMST, 2, "C26MAA", blockN(1)); err != nil || again != blockN(3) {
		t.Fatalf("K01 naming its old block: %s %v, want its next %s", again, err, blockN(3))
	}
	if again, err := st.RegisterInvoicing("K01", BoothMST, 2, "C26MAA", blockN(3)); err != nil || again != blockN(3) {
		t.Fatalf("K01 naming its next: %s %v", again, err)
	}
	if _, err := st.RegisterInvoicing("K01", BoothMST, 2, "C26MAA", blockN(7)); !errors.Is(err, hubsync.ErrInvoiceBlockMismatch) {
		t.Fatalf("K01 naming a block never its own: %v", err)
	}
	if err := st.CheckInvoiceBlock("K02", blockN(1)); !errors.Is(err, hubsync.ErrInvoiceBlockOverlap) {
		t.Fatalf("K01's old block for K02: %v", err)
	}
	if _, err := st.NextInvoiceBlock("K02", blockN(1)); !errors.Is(err, hubsync.ErrInvoiceBlockOverlap) {
		t.Fatalf("K01's old block as K02's next: %v", err)
	}
	if _, err := st.NextInvoiceBlock("K02", blockN(2)); !errors.Is(err, hubsync.ErrInvoiceBlockOverlap) {
		t.Fatalf("K02's own block as its next: %v", err)
	}
	if got, err := st.NextInvoiceBlock("K02", blockN(9)); err != nil || got != blockN(9) {
		t.Fatalf("K02's next named: %s %v", got, err)
	}
	if _, err := hubsync.RegisterKiosk(st, "K03"); err != nil {
		t.Fatal(err)
	}
	// K03 gets a block none of the others has or had.
	if got, err := st.RegisterInvoicing("K03", BoothMST, 2, "C26MCC", pos.InvoiceBlock{}); err != nil || got != blockN(4) {
		t.Fatalf("K03: %s %v, want %s", got, err, blockN(4))
	}
	if _, err := st.NextInvoiceBlock("K09", pos.InvoiceBlock{}); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Fatalf("an unknown kiosk: %v", err)
	}
}

// concurrentRegistration registers kiosks at once: each without a block gets
// one of its own, and of kiosks all claiming one symbol, one block or the
// same series, exactly one is taken.
func concurrentRegistration(t *testing.T, st Store) {
	const n = 8
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("K%02d", i+1)
		if _, err := hubsync.RegisterKiosk(st, ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	run := func(f func(i int) error) []error {
		errs := make([]error, n)
		var wg gosync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = f(i) })
		}
		wg.Wait()
		return errs
	}
	blocks := make([]pos.InvoiceBlock, n)
	for i, err := range run(func(i int) error {
		var err error
		blocks[i], err = st.RegisterInvoicing(ids[i], BoothMST, 2, fmt.Sprintf("C26M%c%c", 'A'+i, 'A'+i), pos.InvoiceBlock{})
		return err
	}) {
		if err != nil {
			t.Fatalf("%s: %v", ids[i], err)
		}
	}
	for i := range blocks {
		for j := range i {
			if blocks[i].Overlaps(blocks[j]) {
				t.Fatalf("%s and %s were both given %s", ids[i], ids[j], blocks[i])
			}
		}
	}
	// Each kiosk now wants the same series of another seller: one is taken.
	taken := 0
	for _, err := range run(func(i int) error {
		_, err := st.RegisterInvoicing(ids[i], "0100233488", 2, "C26MXX", blocks[i])
		return err
	}) {
		switch {
		case err == nil:
			taken++
		case !errors.Is(err, hubsync.ErrInvoiceSymbolTaken):
			t.Fatalf("refused with %v", err)
		}
	}
	if taken != 1 {
		t.Fatalf("%d kiosks took one series", taken)
	}
	// New kiosks reserving one block at once: one is taken.
	more := make([]string, n)
	for i := range more {
		more[i] = fmt.Sprintf("R%02d", i+1)
		if _, err := hubsync.RegisterKiosk(st, more[i]); err != nil {
			t.Fatal(err)
		}
	}
	b := pos.InvoiceBlock{From: 90 * pos.BlockSize, To: 91*pos.BlockSize - 1}
	taken = 0
	for _, err := range run(func(i int) error { return st.ReserveInvoiceBlock(more[i], b) }) {
		switch {
		case err == nil:
			taken++
		case !errors.Is(err, hubsync.ErrInvoiceBlockOverlap):
			t.Fatalf("refused with %v", err)
		}
	}
	if taken != 1 {
		t.Fatalf("%d kiosks reserved one block", taken)
	}
}

func sellers(t *testing.T, st Store) {
	if _, err := st.SellerSettings(BoothMST); !errors.Is(err, hubsync.ErrUnknownSeller) {
		t.Fatalf("no settings yet: %v", err)
	}
	set := einvoice.Settings{Provider: "vnpt", URL: "https://demo.vnpt-invoice.com.vn/PublishService.asmx", Account: "acc",
		ACPass: "s3cret-ac", Username: "svc", Password: "s3cret-pw", Timeout: einvoice.Duration(30 * time.Second)}
	if err := st.PutSellerSettings(BoothMST, set); err != nil {
		t.Fatal(err)
	}
	other := set
	other.Account = "htx"
	if err := st.PutSellerSettings("0100233488", other); err != nil {
		t.Fatal(err)
	}
	set.Password = "n3w-pw"
	if err := st.PutSellerSettings(BoothMST, set); err != nil {
		t.Fatal(err)
	}
	if got, err := st.SellerSettings(BoothMST); err != nil || got != set {
		t.Fatalf("read back %+v %v, want %+v", got, err, set)
	}
	all, err := st.Sellers()
	if err != nil || len(all) != 2 || all[BoothMST] != set || all["0100233488"] != other {
		t.Fatalf("sellers: %+v %v", all, err)
	}
	if err := st.DeleteSellerSettings(BoothMST); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteSellerSettings(BoothMST); !errors.Is(err, hubsync.ErrUnknownSeller) {
		t.Fatalf("deleting again: %v", err)
	}
	if all, _ := st.Sellers(); len(all) != 1 {
		t.Fatalf("after the delete: %+v", all)
	}
}

func late(t *testing.T, st Store) {
	recs := selling(t, st, "K01", 3)
	issued := recs[0].Sale.Invoices[0].Issued
	y, m, d := issued.In(pos.VietnamTime).Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, pos.VietnamTime)
	for _, tt := range []struct {
		name        string
		now         time.Time
		late, total int
	}{
		{"waiting during their day, they are not late", end.Add(-time.Minute), 0, 3},
		{"still waiting when their day ended, they are late", end, 3, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := hubsync.InvoiceReport(st, issued, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Totals.Late != tt.late || r.Totals.Waiting != tt.total {
				t.Fatalf("%+v", r.Totals)
			}
		})
	}
	// Delivered after the day's end: late still, once delivered.
	if _, err := st.RecordDelivery(theStream(t, st).Key, hubsync.DeliveryOutcome{Results: delivered(recs[0].Sale.Invoices[0].Key())}, end.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, err := hubsync.InvoiceReport(st, issued, end.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Delivered != 1 || r.Totals.Late != 3 || len(r.Kiosks) != 1 || len(r.Kiosks[0].LateList) != 3 {
		t.Fatalf("%+v", r.Totals)
	}
	if !slices.ContainsFunc(r.Streams, func(s hubsync.InvoiceStreamRow) bool { return s.Delivered == 1 }) {
		t.Fatalf("series rows: %+v", r.Streams)
	}
}

// issuedBetween files invoices of two kiosks issued around the edges of a
// Vietnam day and reads the day: exactly the invoices issued from its first
// instant up to, not including, the next day's, in issue order; the delivery
// report of the day counts those and lists them series by series.
func issuedBetween(t *testing.T, st Store) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, pos.VietnamTime)
	next := day.AddDate(0, 0, 1)
	var clock time.Time
	now := func() time.Time { return clock }
	kiosks := map[string]*pos.Store{}
	for i, id := range []string{"K01", "K02"} {
		if _, err := hubsync.RegisterKiosk(st, id); err != nil {
			t.Fatal(err)
		}
		b := pos.InvoiceBlock{From: uint64(5+i) * pos.BlockSize, To: uint64(6+i)*pos.BlockSize - 1}
		kiosks[id] = KioskAt(t, id, "C26MA"+string(rune('A'+i)), b, now)
	}
	sell := func(id string, when time.Time) {
		t.Helper()
		clock = when
		recs := Sell(t, kiosks[id], 1)
		ingest(t, st, id, recs[len(recs)-1:])
	}
	sell("K01", day.Add(-time.Second))  // the evening before
	sell("K02", day)                    // the day's first instant
	sell("K01", day.Add(9*time.Hour))   // K01's number 2
	sell("K02", day.Add(10*time.Hour))  // K02's number 2
	sell("K01", next.Add(-time.Second)) // K01's number 3, the day's last second
	sell("K02", next)                   // the next day's first instant
	sell("K01", next.Add(48*time.Hour)) // later still
	read := func(from, to time.Time) []string {
		t.Helper()
		var out []string
		if err := st.InvoicesIssuedBetween(from, to, func(hi hubsync.HubInvoice) error {
			out = append(out, fmt.Sprintf("%s#%d", hi.Kiosk, hi.Invoice.Number))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
		want     string
	}{
		{"the day holds its own invoices in issue order", day, next, "[K02#1 K01#2 K02#2 K01#3]"},
		{"a range of a few hours holds the invoices issued in it", day.Add(9 * time.Hour), day.Add(10*time.Hour + time.Second), "[K01#2 K02#2]"},
		{"a range's end is not in it", day.Add(-time.Second), day, "[K01#1]"},
		{"a range with nothing issued holds nothing", next.Add(time.Hour), next.Add(47 * time.Hour), "[]"},
		{"an empty range holds nothing", day, day, "[]"},
		{"a range backwards holds nothing", next, day, "[]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(read(tt.from, tt.to)); got != tt.want {
				t.Fatalf("read %s", got)
			}
		})
	}
	r, err := hubsync.InvoiceReport(st, day, next.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Issued != 4 || r.Totals.Late != 4 || len(r.Kiosks) != 2 || r.Kiosks[0].Issued != 2 || r.Kiosks[1].Issued != 2 {
		t.Fatalf("the day's report: %+v", r)
	}
	var late []int64
	for _, x := range r.Kiosks[0].LateList {
		late = append(late, x.Number)
	}
	if fmt.Sprint(late) != "[2 3]" {
		t.Fatalf("K01's late list: %v", late)
	}
}
