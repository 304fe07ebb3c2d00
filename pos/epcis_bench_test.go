package pos

import (
	"encoding/json"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// BenchmarkEPCISExportLot10kSales exports a lot with 10,000 sale events (and
// 2,500 sales of other things among them) as EPCISDocuments, a page of 1,000
// events at a time, as a client following the Link header would. Issue 14's
// budget: ≤ 1 s for the whole lot.
func BenchmarkEPCISExportLot10kSales(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), StoreOptions{KioskID: "K01"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	honey := prodHoney
	honey.Stock = MaxStock
	other := prodRice
	other.ProducerID, other.Stock = "P-UMINH", MaxStock
	err = s.PutCatalog(Catalog{
		Producers: []Producer{{ID: "P-UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX}},
		Products:  []Product{honey, other},
		Lots:      []Lot{{SKU: "HONEY", Code: "UM2605-01", ProducedOn: Date{2026, 5, 2}, Quantity: 100_000}},
	}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	const lotSales, tills = 10_000, 16
	var wg sync.WaitGroup
	errs := make(chan error, tills)
	for w := range tills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < lotSales*5/4; i += tills {
				line := LineRequest{SKU: "HONEY", Qty: 1 + int64(i%3), Lot: "UM2605-01"}
				if i%5 == 4 {
					line = LineRequest{SKU: "RICE", Qty: 1}
				}
				req := SaleRequest{Lines: []LineRequest{line}, Payments: []PaymentRequest{{Method: MethodCash, Amount: 1_000_000}}}
				if _, _, err := s.CommitSale(req, ""); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	var events int
	var worst time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		events = 0
		var after uint64
		for pages := 0; ; pages++ {
			page, err := s.EPCISEvents("https://kiosk.example.vn", EPCISQuery{GTIN: honey.GTIN, Lot: "UM2605-01", After: after, Limit: MaxPage})
			if err != nil {
				b.Fatal(err)
			}
			if err := json.NewEncoder(io.Discard).Encode(NewEPCISDocument("K01", start, page.Events)); err != nil {
				b.Fatal(err)
			}
			events += len(page.Events)
			if page.Next == 0 {
				break
			}
			after = page.Next
		}
		worst = max(worst, time.Since(start))
	}
	if events != lotSales+1 {
		b.Fatalf("%d events, want %d sales and the commissioning", events, lotSales)
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms/lot")
	b.ReportMetric(float64(events), "events/lot")
	b.ReportMetric(0, "ns/op")
}
