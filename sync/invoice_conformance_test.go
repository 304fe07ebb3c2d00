package sync_test

import (
	"path/filepath"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/invoicetest"
)

// The bbolt store passes the invoice conformance suite (sync/pgstore runs it
// against PostgreSQL).
func TestBoltStoreInvoiceConformance(t *testing.T) {
	invoicetest.Run(t, func(t *testing.T) invoicetest.Store {
		st, err := hubsync.OpenHubStore(filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}
