package sync_test

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/invoicetest"
)

// A hub store written before the invoices' by-issue-time index (an older
// hub's) has the index built when it opens, so that the day's delivery
// report still counts every invoice of the day.
func TestAStoreMadeBeforeTheInvoiceIndexHasItBuiltAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	st, err := hubsync.OpenHubStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hubsync.RegisterKiosk(st, "K01"); err != nil {
		t.Fatal(err)
	}
	recs := invoicetest.Sell(t, invoicetest.Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999}), 3)
	if _, err := st.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	// What an older hub leaves: no index, and no word of one.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("inv_by_issued")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Delete([]byte("invoice_index"))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err = hubsync.OpenHubStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	issued := recs[0].Sale.Invoices[0].Issued
	r, err := hubsync.InvoiceReport(st, issued, issued)
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Issued != 3 || r.Totals.Waiting != 3 {
		t.Fatalf("the day's invoices after the index was built: %+v", r.Totals)
	}
}
