package pos

import (
	"testing"
	"time"
)

// benchInvoicing turns invoicing on for a bench store.
func benchInvoicing(b *testing.B, s *Store, method string) {
	b.Helper()
	if err := s.SetInvoicing(invoiceSettings(method)); err != nil {
		b.Fatal(err)
	}
	if err := s.SetInvoiceBlock(InvoiceBlock{From: 0, To: 99_999_999}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCommitSaleInvoiced sells the same sales on two stores, one
// invoicing and one not, one sale on each in turn so that both see the same
// disk, and reports both latencies and their ratio. Budget (issue 12): p99
// with invoicing at most 20 % above without.
func BenchmarkCommitSaleInvoiced(b *testing.B) {
	off, on := benchStore(b), benchStore(b)
	benchInvoicing(b, on, TaxCredit)
	latOff := make([]time.Duration, 0, b.N)
	latOn := make([]time.Duration, 0, b.N)
	var sumOff, sumOn time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, st := range []struct {
			s   *Store
			lat *[]time.Duration
			sum *time.Duration
		}{{off, &latOff, &sumOff}, {on, &latOn, &sumOn}} {
			t0 := time.Now()
			sale, _, err := st.s.CommitSale(benchSale(i), "")
			if err != nil {
				b.Fatal(err)
			}
			d := time.Since(t0)
			*st.lat = append(*st.lat, d)
			*st.sum += d
			if (st.s == on) != (len(sale.Invoices) == 1) {
				b.Fatalf("invoices %d", len(sale.Invoices))
			}
		}
	}
	b.StopTimer()
	p99off, p99on := quantile(latOff, 0.99), quantile(latOn, 0.99)
	b.ReportMetric(p99off, "p99-off-ms")
	b.ReportMetric(p99on, "p99-on-ms")
	if p99off > 0 {
		b.ReportMetric(p99on/p99off, "p99-ratio")
	}
	if sumOff > 0 {
		b.ReportMetric(float64(sumOn)/float64(sumOff), "mean-ratio")
	}
}

// BenchmarkInvoiceXML writes the invoice of the benchmark's typical sale
// (three lines, credit method, with a buyer) and reports its size.
func BenchmarkInvoiceXML(b *testing.B) {
	for _, method := range []string{TaxDirect, TaxCredit} {
		b.Run(method, func(b *testing.B) {
			s := benchStore(b)
			benchInvoicing(b, s, method)
			req := benchSale(1)
			req.Buyer = &Buyer{Name: "Công ty TNHH Du lịch Mũi Cà Mau", TaxCode: buyerMST, Address: "12 Phan Ngọc Hiển, Cà Mau"}
			sale, _, err := s.CommitSale(req, "")
			if err != nil {
				b.Fatal(err)
			}
			inv := sale.Invoices[0]
			var n int
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				doc, err := InvoiceXML(inv)
				if err != nil {
					b.Fatal(err)
				}
				n = len(doc)
			}
			b.ReportMetric(float64(n), "bytes/invoice")
		})
	}
}
