package sync_test

import (
	"bytes"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// A hub store made before the report indexes (its sales held, no by-day
// index, no running totals) has them built when it opens, and reports on it
// as on a store that had them from its first sale.
func TestAnOlderHubStoreGetsItsReportIndexesAtOpen(t *testing.T) {
	fair := storetest.NewFair(t)
	path := filepath.Join(t.TempDir(), "hub.db")
	st, err := hubsync.OpenHubStore(path)
	if err != nil {
		t.Fatal(err)
	}
	fair.Load(t, st)
	want := fair.Reports(t, st)
	st.Close()

	// Make it what an older hub left: the same records, none of the indexes.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"sales_by_day", "sales_by_kiosk", "day_net", "kiosk_tally"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Delete([]byte("report_index"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	st, err = hubsync.OpenHubStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := fair.Reports(t, st)
	if len(got) != len(want) {
		t.Fatalf("%d reports, want %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s after the indexes were built:\n%s\nwant\n%s", name, got[name], w)
		}
	}
}
