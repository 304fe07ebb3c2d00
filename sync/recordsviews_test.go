package sync_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// A day with more records than one read transaction takes (a few hundred) is
// read whole, each record once and in order, the walk going on from where
// the transaction before stopped.
func TestADayLongerThanAReadIsReadWholeAndInOrder(t *testing.T) {
	st, err := hubsync.OpenHubStore(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := hubsync.RegisterKiosk(st, "K01"); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, pos.VietnamTime)
	const n = 700
	var recs []pos.OutboxRecord
	for seq := uint64(1); seq <= n; seq++ {
		s := pos.Sale{ID: storetest.BenchID(1<<40 | seq), Kind: pos.KindSale, KioskID: "K01", Seq: seq,
			ReceiptNo: pos.ReceiptNo("K01", seq), Status: pos.StatusCompleted, Time: day.Add(time.Duration(seq) * time.Minute),
			Lines: []pos.Line{{SKU: "X", Name: "X", Qty: 1, Price: 1000, Total: 1000}}, Total: 1000,
			Payments: []pos.Payment{{Method: pos.MethodCash, Amount: 1000}}}
		recs = append(recs, pos.OutboxRecord{Seq: seq, SaleID: s.ID, Time: s.Time, Sale: s})
	}
	for from := 0; from < n; from += 200 {
		if _, err := st.Ingest("K01", recs[from:min(from+200, n)], time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var seqs []uint64
	if err := st.RecordsBetween(day, day.AddDate(0, 0, 1), func(hs hubsync.HubSale) error {
		seqs = append(seqs, hs.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != n {
		t.Fatalf("read %d records of the day's %d", len(seqs), n)
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("record %d read as sequence %d", i+1, s)
		}
	}
}
