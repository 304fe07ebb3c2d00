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

// BenchmarkBoltInvoiceReport is one day's invoice delivery report on bbolt
// with 10,000 and 100,000 invoices held (invoicetest.BenchInvoiceReport;
// -benchtime=1x).
func BenchmarkBoltInvoiceReport(b *testing.B) {
	invoicetest.BenchInvoiceReport(b, func(b *testing.B) invoicetest.Store {
		st, err := hubsync.OpenHubStore(filepath.Join(b.TempDir(), "hub.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	})
}
