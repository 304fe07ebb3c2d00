// Package storetest is the conformance suite every hub store passes: the
// behaviour the hub relies on, run the same way against each implementation
// of sync.Store (bbolt and PostgreSQL), as testing/fstest does for file
// systems. The records it ingests are real kiosk records, made by a kiosk
// store in a temporary folder.
package storetest

import (
	"encoding/json"
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
)

// Run runs every behaviour against stores made by open, one fresh, empty
// store per subtest; open closes what it makes when its test ends.
func Run(t *testing.T, open func(t *testing.T) hubsync.Store) {
	for _, tt := range []struct {
		name string
		run  func(t *testing.T, st hubsync.Store)
	}{
		{"kiosks are registered once under a valid id and keep only their token's hash", registration},
		{"a revoked kiosk stays revoked", revocation},
		{"heartbeats and uplink problems are kept for the managers", contact},
		{"a batch replayed or repeated within itself is stored exactly once", exactlyOnce},
		{"a batch with a record of another kiosk is refused whole", foreignRecord},
		{"concurrent batches of one kiosk and of several store every sale once", concurrentBatches},
		{"the acknowledgement stops at a gap and passes ranges reported lost", acksWithGaps},
		{"a kiosk reads back what it sent, in order and in pages", readBack},
		{"records the hub could not have produced are flagged", tamperedRecords},
		{"a different sale under a sequence already held is kept and flagged", seqHeldTwice},
		{"each catalog change is a version and a kiosk gets only what changed", catalogVersions},
		{"a bad catalog changes nothing", badCatalog},
		{"every price of a product is kept from the moment it was set", priceHistory},
		{"promotions are versioned and a change made meanwhile is refused", promotions},
		{"settings are kept by key", meta},
		{"producers' EPCIS events stay on their lot and travel with it", capturedEvents},
		{"changes made of the catalog as it stands, many at once, are all kept", catalogUpdates},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

// at is a fixed moment, whole microseconds in UTC, so that stores keeping
// microseconds (PostgreSQL) and nanoseconds (bbolt) answer the same.
var at = time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)

var (
	producer = pos.Producer{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX, TaxCode: "2000000001",
		BankBIN: "970405", BankAccount: "1234567890", BankAccountName: "HTX ONG MAT U MINH HA"}
	honey = pos.Product{SKU: "MO-500", Name: "Mật ong U Minh Hạ 500 ml", Group: pos.GroupFood, Stars: 5,
		ProducerID: "UMINH", Unit: "chai", Price: 220000, VATRate: 8}
	candy = pos.Product{SKU: "KD-250", Name: "Kẹo dừa Bến Tre", Group: pos.GroupFood, Stars: 4,
		ProducerID: "UMINH", Unit: "gói", Price: 45000, VATRate: 8}
)

// kiosk is a real kiosk store of id that can sell honey and candy forever.
func kiosk(t *testing.T, id string) *pos.Store {
	t.Helper()
	s, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h, c := honey, candy
	h.Stock, c.Stock = pos.MaxStock, pos.MaxStock
	if err := s.PutCatalog(pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{h, c}}, "test"); err != nil {
		t.Fatal(err)
	}
	return s
}

// sell makes n sales of two honey and a candy on k and returns its outbox.
func sell(t *testing.T, k *pos.Store, n int) []pos.OutboxRecord {
	t.Helper()
	for range n {
		if _, _, err := k.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 2}, {SKU: "KD-250", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 485000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	return outbox(t, k)
}

func outbox(t *testing.T, k *pos.Store) []pos.OutboxRecord {
	t.Helper()
	recs, err := k.Outbox(0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func register(t *testing.T, st hubsync.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := hubsync.RegisterKiosk(st, id); err != nil {
			t.Fatal(err)
		}
	}
}

func ingest(t *testing.T, st hubsync.Store, kioskID string, recs []pos.OutboxRecord, wantAck uint64) {
	t.Helper()
	ack, err := st.Ingest(kioskID, recs, at)
	if err != nil || ack != wantAck {
		t.Fatalf("ingest of %d records: acknowledged %d (%v), want %d", len(recs), ack, err, wantAck)
	}
}

func sales(t *testing.T, st hubsync.Store, kioskID string) []hubsync.HubSale {
	t.Helper()
	out := []hubsync.HubSale{}
	var after hubsync.SalesCursor
	for {
		// Small pages, so that the paging itself is exercised.
		page, more, err := st.SalesPage(kioskID, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if !more {
			return out
		}
		after = hubsync.CursorOf(page[len(page)-1])
	}
}

// onceEach checks that the store holds exactly the records recs, each once,
// as the kiosk sent them.
func onceEach(t *testing.T, st hubsync.Store, kioskID string, recs []pos.OutboxRecord) {
	t.Helper()
	held := sales(t, st, kioskID)
	if len(held) != len(recs) {
		t.Fatalf("the hub holds %d records of %s, want %d", len(held), kioskID, len(recs))
	}
	want := map[string]pos.OutboxRecord{}
	for _, r := range recs {
		want[r.SaleID] = r
	}
	for i, hs := range held {
		r, ok := want[hs.Sale.ID]
		if !ok {
			t.Fatalf("record %s held twice or never sent", hs.Sale.ID)
		}
		delete(want, hs.Sale.ID)
		if hs.Seq != r.Seq || !sameSale(hs.Sale, r.Sale) || hs.Mismatch != "" || !hs.Received.Equal(at) {
			t.Errorf("record %s held as %+v (mismatch %q, received %s), sent as %+v", r.SaleID, hs.Sale, hs.Mismatch, hs.Received, r.Sale)
		}
		if i > 0 && held[i-1].Sale.Seq > hs.Sale.Seq {
			t.Errorf("records out of the kiosk's order: %d before %d", held[i-1].Sale.Seq, hs.Sale.Seq)
		}
	}
}

// sameSale compares sales as the kiosk sent them: field by field through JSON,
// and their times as moments.
func sameSale(a, b pos.Sale) bool {
	if !a.Time.Equal(b.Time) {
		return false
	}
	a.Time, b.Time = time.Time{}, time.Time{}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func registration(t *testing.T, st hubsync.Store) {
	hash := hubsync.TokenHash("a token")
	if err := st.AddKiosk("K02", hash); err != nil {
		t.Fatal(err)
	}
	if err := st.AddKiosk("K01", hubsync.TokenHash("another")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id   string
		want error
	}{{"K01", hubsync.ErrKioskExists}, {"k01", hubsync.ErrBadKioskID}, {"", hubsync.ErrBadKioskID},
		{"K-01", hubsync.ErrBadKioskID}, {"K0123456789AB", hubsync.ErrBadKioskID}} {
		if err := st.AddKiosk(tt.id, hash); !errors.Is(err, tt.want) {
			t.Errorf("AddKiosk(%q): %v, want %v", tt.id, err, tt.want)
		}
	}
	k, err := st.Kiosk("K02")
	if err != nil || k.ID != "K02" || string(k.TokenHash) != string(hash) || k.Revoked || k.Acked != 0 || k.Created.IsZero() {
		t.Errorf("Kiosk(K02) = %+v, %v", k, err)
	}
	if _, err := st.Kiosk("K09"); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Errorf("Kiosk(K09): %v, want ErrUnknownKiosk", err)
	}
	ks, err := st.Kiosks()
	if err != nil || len(ks) != 2 || ks[0].ID != "K01" || ks[1].ID != "K02" {
		t.Errorf("Kiosks() = %+v, %v; want K01, K02", ks, err)
	}
}

func revocation(t *testing.T, st hubsync.Store) {
	register(t, st, "K01", "K02")
	if err := st.RevokeKiosk("K01"); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeKiosk("K09"); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Errorf("RevokeKiosk(K09): %v", err)
	}
	st.Heartbeat("K01", 3, at)
	if k, _ := st.Kiosk("K01"); !k.Revoked {
		t.Error("K01 is not revoked")
	}
	if k, _ := st.Kiosk("K02"); k.Revoked {
		t.Error("K02 was revoked with K01")
	}
}

func contact(t *testing.T, st hubsync.Store) {
	register(t, st, "K01")
	if err := st.Heartbeat("K01", 7, at); err != nil {
		t.Fatal(err)
	}
	if err := st.UplinkError("K01", "message over the limit", at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	k, _ := st.Kiosk("K01")
	if k.Depth != 7 || !k.LastContact.Equal(at) || k.LastError != "message over the limit" || !k.LastErrorTime.Equal(at.Add(time.Second)) {
		t.Errorf("K01 after a heartbeat and an error: %+v", k)
	}
	if err := st.Heartbeat("K09", 1, at); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Errorf("Heartbeat(K09): %v", err)
	}
	if err := st.UplinkError("K09", "x", at); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Errorf("UplinkError(K09): %v", err)
	}
}

func exactlyOnce(t *testing.T, st hubsync.Store) {
	register(t, st, "K01")
	recs := sell(t, kiosk(t, "K01"), 6)
	ingest(t, st, "K01", recs[:3], 3)
	ingest(t, st, "K01", recs, 6)                          // a kiosk retrying after a lost acknowledgement
	ingest(t, st, "K01", append(recs[4:], recs[4:]...), 6) // a batch repeating itself
	onceEach(t, st, "K01", recs)
	k, _ := st.Kiosk("K01")
	if k.Acked != 6 || k.Top != 6 || !k.LastContact.Equal(at) {
		t.Errorf("K01: acked %d, top %d, last contact %s", k.Acked, k.Top, k.LastContact)
	}
	if _, err := st.Ingest("K09", recs, at); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Errorf("ingest for an unknown kiosk: %v", err)
	}
}

func foreignRecord(t *testing.T, st hubsync.Store) {
	register(t, st, "K01", "K02")
	mine, theirs := sell(t, kiosk(t, "K01"), 2), sell(t, kiosk(t, "K02"), 1)
	noSeq := mine[1]
	noSeq.Seq = 0
	otherID := mine[1]
	otherID.SaleID = theirs[0].SaleID
	for name, bad := range map[string]pos.OutboxRecord{"another kiosk's record": theirs[0], "a record without a sequence": noSeq,
		"a record whose id is not its sale's": otherID} {
		if _, err := st.Ingest("K01", []pos.OutboxRecord{mine[0], bad}, at); err == nil || !strings.Contains(err.Error(), "does not belong to kiosk K01") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	if held := sales(t, st, ""); len(held) != 0 {
		t.Errorf("a refused batch left %d records", len(held))
	}
	if k, _ := st.Kiosk("K01"); k.Acked != 0 || k.Top != 0 {
		t.Errorf("a refused batch moved the acknowledgement: %+v", k)
	}
}

func concurrentBatches(t *testing.T, st hubsync.Store) {
	register(t, st, "K01", "K02")
	byKiosk := map[string][]pos.OutboxRecord{"K01": sell(t, kiosk(t, "K01"), 60), "K02": sell(t, kiosk(t, "K02"), 40)}
	var wg gosync.WaitGroup
	errs := make(chan error, 64)
	for id, recs := range byKiosk {
		// Overlapping windows, each sent by two uploads at once.
		for from := 0; from < len(recs); from += 10 {
			for range 2 {
				wg.Go(func() {
					if _, err := st.Ingest(id, recs[from:min(from+20, len(recs))], at); err != nil {
						errs <- fmt.Errorf("%s from %d: %w", id, from, err)
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for id, recs := range byKiosk {
		onceEach(t, st, id, recs)
		if k, _ := st.Kiosk(id); k.Acked != uint64(len(recs)) {
			t.Errorf("%s acknowledged %d of %d", id, k.Acked, len(recs))
		}
	}
	if all := sales(t, st, ""); len(all) != 100 || all[0].Sale.KioskID != "K01" || all[99].Sale.KioskID != "K02" {
		t.Errorf("all kiosks: %d records, want 100 in kiosk order", len(all))
	}
}

func acksWithGaps(t *testing.T, st hubsync.Store) {
	register(t, st, "K01")
	recs := sell(t, kiosk(t, "K01"), 8) // sequences 1–8
	ingest(t, st, "K01", recs[:2], 2)
	ingest(t, st, "K01", recs[3:5], 2) // 4, 5: 3 is missing
	ingest(t, st, "K01", recs[6:8], 2) // 7, 8: 6 is missing too
	if _, err := st.MarkLost("K01", []pos.SeqRange{{From: 8, To: 9}}, at); err == nil {
		t.Error("a lost range above the newest record held was taken")
	}
	if _, err := st.MarkLost("K01", []pos.SeqRange{{From: 0, To: 1}}, at); err == nil {
		t.Error("a lost range from 0 was taken")
	}
	if k, _ := st.Kiosk("K01"); k.Acked != 2 || len(k.Lost) != 0 {
		t.Errorf("refused lost ranges changed the kiosk: %+v", k)
	}
	ack, err := st.MarkLost("K01", []pos.SeqRange{{From: 3, To: 3}}, at)
	if err != nil || ack != 5 {
		t.Fatalf("after 3 was lost: acknowledged %d (%v), want 5", ack, err)
	}
	ack, err = st.MarkLost("K01", []pos.SeqRange{{From: 6, To: 6}}, at)
	if err != nil || ack != 8 {
		t.Fatalf("after 6 was lost: acknowledged %d (%v), want 8", ack, err)
	}
	k, _ := st.Kiosk("K01")
	if !slices.Equal(k.Lost, []pos.SeqRange{{From: 3, To: 3}, {From: 6, To: 6}}) || k.Acked != 8 || k.Top != 8 {
		t.Errorf("K01: %+v", k)
	}
	// A record reported lost that turns up after all is held, unflagged.
	ingest(t, st, "K01", recs[5:6], 8)
	got, _, err := st.KioskRecords("K01", 0, 100)
	if err != nil || len(got) != 7 {
		t.Fatalf("read back %d records (%v), want 7: all but the lost 3", len(got), err)
	}
	for _, hs := range sales(t, st, "K01") {
		if hs.Mismatch != "" {
			t.Errorf("record %d flagged: %s", hs.Seq, hs.Mismatch)
		}
	}
}

func readBack(t *testing.T, st hubsync.Store) {
	register(t, st, "K01", "K02")
	k := kiosk(t, "K01")
	recs := sell(t, k, 5)
	if _, err := k.Void(recs[1].SaleID, "wrong item"); err != nil {
		t.Fatal(err)
	}
	recs = outbox(t, k)
	ingest(t, st, "K01", recs, 6)
	ingest(t, st, "K02", sell(t, kiosk(t, "K02"), 2), 2)
	var got []pos.OutboxRecord
	after := uint64(1)
	for {
		page, more, err := st.KioskRecords("K01", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("a page of %d records, limit 2", len(page))
		}
		got = append(got, page...)
		if !more {
			break
		}
		after = page[len(page)-1].Seq
	}
	if len(got) != 5 {
		t.Fatalf("read back %d records after 1, want 5", len(got))
	}
	for i, r := range got {
		w := recs[i+1]
		if r.Seq != w.Seq || r.SaleID != w.SaleID || !r.Time.Equal(w.Sale.Time) || !sameSale(r.Sale, w.Sale) {
			t.Errorf("read back %+v, sent %+v", r, w)
		}
	}
	if got[4].Sale.Kind != pos.KindVoid || got[4].Sale.Original != recs[1].SaleID {
		t.Errorf("the void came back as %+v", got[4].Sale)
	}
	if none, more, err := st.KioskRecords("K01", 6, 10); err != nil || len(none) != 0 || more {
		t.Errorf("after the newest: %d records, more %v, %v", len(none), more, err)
	}
	if _, _, err := st.KioskRecords("K09", 0, 10); !errors.Is(err, hubsync.ErrUnknownKiosk) {
		t.Errorf("read back of an unknown kiosk: %v", err)
	}
}

func putCatalog(t *testing.T, st hubsync.Store, c pos.Catalog, when time.Time) hubsync.CatalogVersion {
	t.Helper()
	cv, err := st.PutCatalog(c, when)
	if err != nil {
		t.Fatal(err)
	}
	return cv
}

func tamperedRecords(t *testing.T, st hubsync.Store) {
	register(t, st, "K01", "K02")
	putCatalog(t, st, pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{honey, candy}}, at)
	k := kiosk(t, "K01")
	recs := sell(t, k, 6)
	if _, err := k.Void(recs[0].SaleID, ""); err != nil {
		t.Fatal(err)
	}
	recs = outbox(t, k)
	void := recs[6]
	other := sell(t, kiosk(t, "K02"), 1)[0]
	ingest(t, st, "K02", []pos.OutboxRecord{other}, 1)

	refundOf := func(r pos.OutboxRecord, orig string, qty int64) pos.OutboxRecord {
		r.Sale.ID, r.SaleID = pos.NewID(at), ""
		r.SaleID = r.Sale.ID
		r.Sale.Kind, r.Sale.Original = pos.KindRefund, orig
		r.Sale.Lines = []pos.Line{r.Sale.Lines[0]}
		l := &r.Sale.Lines[0]
		l.Qty, l.Total, l.VAT = -qty, -pos.Money(qty)*l.Price, 0
		r.Sale.Total = l.Total
		r.Sale.Payments = []pos.Payment{{Method: pos.MethodCash, Amount: l.Total}}
		return r
	}
	ghost := refundOf(recs[1], pos.NewID(at), 1)
	ghost.Seq, ghost.Sale.Seq = 8, 8
	tooMuch := refundOf(recs[1], recs[2].SaleID, 3) // the sale had 2 honey
	tooMuch.Seq, tooMuch.Sale.Seq = 9, 9
	theirs := refundOf(recs[1], other.SaleID, 1)
	theirs.Seq, theirs.Sale.Seq = 10, 10
	unknown := recs[3]
	unknown.Sale.Lines = slices.Clone(unknown.Sale.Lines)
	unknown.Sale.Lines[0].SKU = "NOT-SOLD-HERE"
	bitcoin := recs[4]
	bitcoin.Sale.Payments = []pos.Payment{{Method: "bitcoin", Amount: bitcoin.Sale.Total}}
	inflated := recs[5]
	inflated.Sale.Total += 1000
	batch := []pos.OutboxRecord{recs[0], recs[1], recs[2], unknown, bitcoin, inflated, void, ghost, tooMuch, theirs}
	ingest(t, st, "K01", batch, 10)
	want := map[string]string{
		recs[0].SaleID: "", recs[1].SaleID: "", recs[2].SaleID: "",
		void.SaleID:    "", // its sale came in the same batch
		unknown.SaleID: `line 1: SKU "NOT-SOLD-HERE" is not in the central catalog`, bitcoin.SaleID: `unknown payment method "bitcoin"`,
		inflated.SaleID: "lines add up to", ghost.SaleID: "which the hub does not hold",
		tooMuch.SaleID: "refund returns 3 of MO-500, the sale had 2", theirs.SaleID: "of kiosk K02",
	}
	held := sales(t, st, "K01")
	if len(held) != len(want) {
		t.Fatalf("the hub holds %d records, want %d: flagged records are kept", len(held), len(want))
	}
	for _, hs := range held {
		w, ok := want[hs.Sale.ID]
		if !ok || (w == "") != (hs.Mismatch == "") || !strings.Contains(hs.Mismatch, w) {
			t.Errorf("record %d (%s): flagged %q, want %q", hs.Seq, hs.Sale.Kind, hs.Mismatch, w)
		}
	}
}

func seqHeldTwice(t *testing.T, st hubsync.Store) {
	register(t, st, "K01")
	a, b := sell(t, kiosk(t, "K01"), 2), sell(t, kiosk(t, "K01"), 3) // b: an old copy numbering again
	ingest(t, st, "K01", a, 2)
	ingest(t, st, "K01", b, 3)
	held := sales(t, st, "K01")
	if len(held) != 5 {
		t.Fatalf("the hub holds %d records, want 5 (none is a duplicate of another)", len(held))
	}
	flagged := map[string]string{}
	for _, hs := range held {
		if hs.Mismatch != "" {
			flagged[hs.Sale.ID] = hs.Mismatch
		}
	}
	for i, r := range b[:2] {
		want := hubsync.SeqHeldFlag(r.Seq, a[i].SaleID, "("+a[i].Sale.ReceiptNo+")")
		if flagged[r.SaleID] != want {
			t.Errorf("record %d of the old copy flagged %q, want %q", r.Seq, flagged[r.SaleID], want)
		}
	}
	if len(flagged) != 2 {
		t.Errorf("%d records flagged, want 2", len(flagged))
	}
	// The read-back gives the first holder of each sequence.
	got, _, _ := st.KioskRecords("K01", 0, 10)
	if len(got) != 3 || got[0].SaleID != a[0].SaleID || got[1].SaleID != a[1].SaleID || got[2].SaleID != b[2].SaleID {
		t.Errorf("read back %d records", len(got))
	}
}

func catalogVersions(t *testing.T, st hubsync.Store) {
	if cv, err := st.Catalog(); err != nil || cv.Version != 0 || len(cv.Products) != 0 {
		t.Fatalf("an empty hub's catalog: %+v, %v", cv, err)
	}
	v1 := putCatalog(t, st, pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{honey, candy}}, at)
	if v1.Version != 1 || len(v1.Products) != 2 || v1.Products[0].SKU != "KD-250" || !v1.Published.Equal(at) {
		t.Fatalf("first version: %+v", v1)
	}
	lot := pos.Lot{SKU: "MO-500", Code: "L2612", Origin: "U Minh Hạ, Cà Mau"}
	cheaper := honey
	cheaper.Price = 200000
	stocked := candy
	stocked.Stock = 40 // not the hub's to say: no change
	v2 := putCatalog(t, st, pos.Catalog{Products: []pos.Product{cheaper, stocked}, Lots: []pos.Lot{lot}}, at.Add(time.Hour))
	if v2.Version != 2 || len(v2.Products) != 2 || len(v2.Lots) != 1 || len(v2.Producers) != 1 {
		t.Fatalf("second version: %+v", v2)
	}
	cur, err := st.Catalog()
	if err != nil || cur.Version != 2 {
		t.Fatalf("current catalog: version %d, %v", cur.Version, err)
	}
	for _, p := range cur.Products {
		if p.Stock != 0 {
			t.Errorf("the hub keeps a stock of %d for %s", p.Stock, p.SKU)
		}
	}
	for _, tt := range []struct {
		known     uint64
		delta     bool
		producers int
		products  []string
		lots      int
	}{
		{0, false, 1, []string{"KD-250", "MO-500"}, 1}, // a kiosk with none gets it all
		{1, true, 0, []string{"MO-500"}, 1},            // only what changed since 1
		{2, false, 1, []string{"KD-250", "MO-500"}, 1}, // up to date: the whole catalog, not a delta
		{7, false, 1, []string{"KD-250", "MO-500"}, 1}, // ahead of the hub
	} {
		cv, delta, err := st.CatalogSince(tt.known)
		var skus []string
		for _, p := range cv.Products {
			skus = append(skus, p.SKU)
		}
		if err != nil || cv.Version != 2 || delta != tt.delta || len(cv.Producers) != tt.producers || !slices.Equal(skus, tt.products) || len(cv.Lots) != tt.lots {
			t.Errorf("CatalogSince(%d) = version %d, delta %v, %d producers, products %v, %d lots (%v)",
				tt.known, cv.Version, delta, len(cv.Producers), skus, len(cv.Lots), err)
		}
	}
	if cv, delta, _ := st.CatalogSince(1); delta && (len(cv.Products) != 1 || cv.Products[0].Price != 200000) {
		t.Errorf("the delta carries %+v", cv.Products)
	}
}

func badCatalog(t *testing.T, st hubsync.Store) {
	putCatalog(t, st, pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{honey}}, at)
	orphan := candy
	orphan.ProducerID = "NOBODY"
	noName := candy
	noName.Name = ""
	for name, c := range map[string]pos.Catalog{
		"a product of an unknown producer": {Products: []pos.Product{candy, orphan}},
		"a product without a name":         {Products: []pos.Product{candy, noName}},
		"a lot of an unknown product":      {Lots: []pos.Lot{{SKU: "NONE", Code: "L1"}}},
	} {
		if _, err := st.PutCatalog(c, at.Add(time.Hour)); err == nil {
			t.Errorf("%s was taken", name)
		}
	}
	cv, _ := st.Catalog()
	if cv.Version != 1 || len(cv.Products) != 1 {
		t.Errorf("refused catalogs changed it: version %d, %d products", cv.Version, len(cv.Products))
	}
	if h, _ := st.PriceHistory("KD-250"); len(h) != 0 {
		t.Errorf("a refused catalog left prices: %+v", h)
	}
}

func priceHistory(t *testing.T, st hubsync.Store) {
	if _, ok, err := st.CentralPrice("MO-500", at); ok || err != nil {
		t.Errorf("a price with no catalog: %v %v", ok, err)
	}
	steps := []pos.Money{220000, 200000, 200000, 250000} // the same price again is no new point
	for i, p := range steps {
		h := honey
		h.Price = p
		putCatalog(t, st, pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{h}}, at.Add(time.Duration(i)*time.Hour))
	}
	hist, err := st.PriceHistory("MO-500")
	want := []hubsync.PricePoint{{From: at, Price: 220000}, {From: at.Add(time.Hour), Price: 200000}, {From: at.Add(3 * time.Hour), Price: 250000}}
	if err != nil || len(hist) != len(want) {
		t.Fatalf("price history %+v (%v), want %+v", hist, err, want)
	}
	for i := range want {
		if !hist[i].From.Equal(want[i].From) || hist[i].Price != want[i].Price {
			t.Errorf("point %d: %+v, want %+v", i, hist[i], want[i])
		}
	}
	for _, tt := range []struct {
		when  time.Time
		price pos.Money
		ok    bool
	}{
		{at.Add(-time.Nanosecond), 0, false}, {at, 220000, true}, {at.Add(90 * time.Minute), 200000, true},
		{at.Add(3 * time.Hour), 250000, true}, {at.Add(1000 * time.Hour), 250000, true},
	} {
		p, ok, err := st.CentralPrice("MO-500", tt.when)
		if err != nil || ok != tt.ok || p != tt.price {
			t.Errorf("CentralPrice at %s = %d %v (%v), want %d %v", tt.when, p, ok, err, tt.price, tt.ok)
		}
	}
	if _, ok, _ := st.CentralPrice("KD-250", at.Add(time.Hour)); ok {
		t.Error("a price for a product the hub never priced")
	}
}

func promotions(t *testing.T, st hubsync.Store) {
	if ps, v, err := st.Promotions(); err != nil || len(ps) != 0 || v != 0 {
		t.Fatalf("an empty hub's promotions: %+v, version %d, %v", ps, v, err)
	}
	p := pos.Promotion{ID: "KM-MO", Name: "Mật ong −10 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500",
		Percent: 1000, Bearer: pos.BearerProducer}
	made, err := st.PutPromotion(p, true, 0, at)
	if err != nil || made.Version != 1 || !made.Updated.Equal(at) {
		t.Fatalf("create: %+v, %v", made, err)
	}
	auto, err := st.PutPromotion(pos.Promotion{Name: "Kẹo dừa", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "KD-250",
		Percent: 500, Bearer: pos.BearerProducer}, true, 0, at)
	if err != nil || auto.ID == "" || auto.Version != 2 {
		t.Fatalf("a promotion without an id: %+v, %v", auto, err)
	}
	if _, err := st.PutPromotion(p, true, 0, at); !errors.Is(err, pos.ErrPromotionExists) {
		t.Errorf("created twice: %v", err)
	}
	bad := p
	bad.Percent = 0
	if _, err := st.PutPromotion(bad, false, 0, at); !errors.Is(err, pos.ErrBadPromotion) {
		t.Errorf("a bad promotion: %v", err)
	}
	p.Percent = 1500
	if _, err := st.PutPromotion(p, false, 5, at); !errors.Is(err, pos.ErrPromotionChanged) {
		t.Errorf("an edit of a version read before a change: %v", err)
	}
	edited, err := st.PutPromotion(p, false, 1, at.Add(time.Minute))
	if err != nil || edited.Version != 3 || edited.Percent != 1500 {
		t.Fatalf("edit: %+v, %v", edited, err)
	}
	if _, err := st.PutPromotion(pos.Promotion{ID: "NONE", Name: "x", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500",
		Percent: 100, Bearer: pos.BearerProducer}, false, 0, at); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("an edit of no promotion: %v", err)
	}
	if _, err := st.DeletePromotion("KM-MO", 1, at); !errors.Is(err, pos.ErrPromotionChanged) {
		t.Errorf("ending a version read before a change: %v", err)
	}
	ended, err := st.DeletePromotion("KM-MO", 3, at)
	if err != nil || !ended.Deleted || ended.Version != 4 {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	if _, err := st.DeletePromotion("KM-MO", 0, at); !errors.Is(err, pos.ErrNotFound) {
		t.Errorf("ended twice: %v", err)
	}
	ps, v, err := st.Promotions()
	if err != nil || v != 4 || len(ps) != 1 || ps[0].ID != auto.ID {
		t.Fatalf("running: %+v, version %d, %v", ps, v, err)
	}
	again, err := st.PutPromotion(p, true, 0, at)
	if err != nil || again.Version != 5 || again.Deleted {
		t.Errorf("a new promotion under an ended one's id: %+v, %v", again, err)
	}
	if ps, v, _ := st.Promotions(); v != 5 || len(ps) != 2 || ps[0].ID > ps[1].ID {
		t.Errorf("running: %d, version %d, in id order", len(ps), v)
	}
}

func meta(t *testing.T, st hubsync.Store) {
	if v, err := st.Meta("admin_token_sha256"); err != nil || len(v) != 0 {
		t.Fatalf("an unset setting: %q, %v", v, err)
	}
	for _, v := range []string{"first", "second"} {
		if err := st.SetMeta("admin_token_sha256", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Meta("admin_token_sha256"); err != nil || string(got) != v {
			t.Errorf("Meta = %q, %v; want %q", got, err, v)
		}
	}
	if got, _ := st.Meta("other"); len(got) != 0 {
		t.Errorf("another key reads %q", got)
	}
}
