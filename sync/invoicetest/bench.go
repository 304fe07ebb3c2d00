package invoicetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// The invoice delivery report's benchmark, run the same way on each store
// (sync for bbolt, sync/pgstore for PostgreSQL): one day's report with n
// invoices held and with 10 × n, the same number issued each day, so that
// the two stores differ only in how much history they hold. The ratio of the
// two says whether the report costs what its day holds or what the hub has
// held since it started.

// BenchInvoicesHeld is the smaller store's size.
const BenchInvoicesHeld = 10_000

const (
	benchInvKiosks   = 10
	benchInvPerDay   = 50 // each kiosk's invoices a day
	benchInvBatch    = 250
	benchInvRuns     = 30
	benchInvPerStore = benchInvKiosks * benchInvPerDay
)

// benchInvEnd is the first instant after the benchmark's days, Vietnam time.
var benchInvEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, pos.VietnamTime)

// benchInvoiced is kiosk k's records numbered from..to of each, the last just
// before benchInvEnd, one every 24 h / benchInvPerDay, each a sale with its
// invoice.
func benchInvoiced(k int, from, to, each uint64) []pos.OutboxRecord {
	kiosk := fmt.Sprintf("K%02d", k)
	step := 24 * time.Hour / benchInvPerDay
	start := benchInvEnd.Add(-time.Duration(each)*step + time.Duration(k)*time.Second)
	symbol := fmt.Sprintf("C26M%c%c", 'A'+k/26, 'A'+k%26)
	var out []pos.OutboxRecord
	for seq := from; seq <= to; seq++ {
		at := start.Add(time.Duration(seq-1) * step).Truncate(time.Microsecond)
		id := storetest.BenchID(uint64(k)<<40 | seq)
		total := pos.Money(220000)
		s := pos.Sale{ID: id, Kind: pos.KindSale, KioskID: kiosk, Seq: seq, ReceiptNo: pos.ReceiptNo(kiosk, seq), ShiftID: "S1",
			Status: "completed", Time: at, Total: total,
			Lines:    []pos.Line{{SKU: "MO-500", Name: "Mật ong", ProducerID: "UMINH", Qty: 1, Price: total, VATRate: 8, Total: total}},
			Payments: []pos.Payment{{Method: pos.MethodCard, Amount: total}}}
		s.Invoices = []pos.Invoice{{Kind: pos.InvoiceOriginal, Form: pos.FormSales, Symbol: symbol, Number: int64(seq),
			MCCQT:  pos.MCCQT(pos.FormSales, 26, "A1B2C", uint64(k+1)*pos.BlockSize+seq),
			Issued: at, Seller: pos.Party{TaxCode: BoothMST}, TaxMethod: pos.TaxDirect, Total: total, SaleID: id, KioskID: kiosk}}
		out = append(out, pos.OutboxRecord{Seq: seq, SaleID: id, Time: at, Sale: s})
	}
	return out
}

// benchInvLoad files held invoices at st through its Ingest, benchInvKiosks
// kiosks a batch at a time.
func benchInvLoad(b *testing.B, st Store, held int) {
	b.Helper()
	each := uint64(held / benchInvKiosks)
	for k := range benchInvKiosks {
		if _, err := hubsync.RegisterKiosk(st, fmt.Sprintf("K%02d", k)); err != nil {
			b.Fatal(err)
		}
	}
	for from := uint64(1); from <= each; from += benchInvBatch {
		for k := range benchInvKiosks {
			recs := benchInvoiced(k, from, min(from+benchInvBatch-1, each), each)
			if _, err := st.Ingest(recs[0].Sale.KioskID, recs, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// invoiceReportMedian times the report of the last whole day runs times and
// returns the median in milliseconds.
func invoiceReportMedian(b *testing.B, st Store) float64 {
	b.Helper()
	day := benchInvEnd.AddDate(0, 0, -1)
	var took []time.Duration
	for range benchInvRuns {
		t0 := time.Now()
		r, err := hubsync.InvoiceReport(st, day, benchInvEnd)
		took = append(took, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if r.Totals.Issued != benchInvPerStore {
			b.Fatalf("the day's report counts %d invoices, want %d", r.Totals.Issued, benchInvPerStore)
		}
	}
	slices.Sort(took)
	return float64(took[len(took)/2].Microseconds()) / 1000
}

// BenchInvoiceReport loads BenchInvoicesHeld invoices into a store from open
// and 10 × as many into another, and reports one day's delivery report at
// each (median of 30) and their ratio. Run with -benchtime=1x.
func BenchInvoiceReport(b *testing.B, open func(b *testing.B) Store) {
	small, big := open(b), open(b)
	benchInvLoad(b, small, BenchInvoicesHeld)
	benchInvLoad(b, big, 10*BenchInvoicesHeld)
	b.ResetTimer()
	for range b.N {
		smallMS := invoiceReportMedian(b, small)
		bigMS := invoiceReportMedian(b, big)
		b.ReportMetric(smallMS, "ms-day-at-10k")
		b.ReportMetric(bigMS, "ms-day-at-100k")
		b.ReportMetric(bigMS/smallMS, "x-100k-vs-10k")
	}
}
