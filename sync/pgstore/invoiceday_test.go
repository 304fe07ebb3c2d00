package pgstore

import (
	"context"
	"testing"

	"github.com/ocop-kiosk/kiosk/sync/invoicetest"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// BenchmarkPGInvoiceReport is one day's invoice delivery report on
// PostgreSQL with 10,000 and 100,000 invoices held
// (invoicetest.BenchInvoiceReport; -benchtime=1x).
func BenchmarkPGInvoiceReport(b *testing.B) {
	invoicetest.BenchInvoiceReport(b, func(b *testing.B) invoicetest.Store {
		st, err := Open(context.Background(), pgtest.DB(b), quiet())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	})
}
