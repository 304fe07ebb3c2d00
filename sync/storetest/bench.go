package storetest

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// The hub's report benchmarks, run the same way on each store (sync for
// bbolt, sync/pgstore for PostgreSQL): a province's year — 200 kiosks, a year
// of days — loaded through the store's own Ingest by 20 kiosks at once, then
// the reports a manager asks for, timed, with the process's memory sampled
// while each runs. HUB_BENCH_HELD sets how many sales are held (default
// 20,000, the smoke run's size); the reconciliation is also timed at 20,000
// held, and the ratio of the two says whether a day's report costs what its
// day costs or what the history costs. Run with -benchtime=1x: one run loads
// and measures everything once.

// BenchHeldDefault is the smoke run's size.
const BenchHeldDefault = 20_000

// BenchHeld is the size HUB_BENCH_HELD asks for.
func BenchHeld(b *testing.B) int {
	v := os.Getenv("HUB_BENCH_HELD")
	if v == "" {
		return BenchHeldDefault
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		b.Fatalf("HUB_BENCH_HELD=%q: want a number of sales, at least 1000", v)
	}
	return n
}

const (
	benchKiosks  = 200
	benchLoaders = 20  // kiosks uploading at once
	benchBatch   = 250 // records a batch, as an uplink sends them
	benchDays    = 365
)

// benchEnd is the first instant after the benchmark's year, Vietnam time.
var benchEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, pos.VietnamTime)

// BenchID is a sale id (pos.ValidID) made from a number: the benchmarks'
// records are numbered kiosk<<40 | sequence.
func BenchID(n uint64) string {
	const digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [26]byte
	for i := 25; i >= 0; i-- {
		b[i] = digits[n%32]
		n /= 32
	}
	return string(b[:])
}

// benchRecords makes kiosk k's records numbered from..to, one every step,
// the last of its each records just before benchEnd: sales of one to three
// demo products at their catalog prices, every 40th record a void of the
// sale before it (kiosks void on different days). Every store of a run is
// made with the same step, so that a day holds the same records in a store
// of a year as in one of a few days.
func benchRecords(k int, from, to, each uint64, step time.Duration, products []pos.Product) []pos.OutboxRecord {
	kiosk := fmt.Sprintf("K%03d", k)
	// Each kiosk a little after the one before, so that every day has sales.
	offset := step * time.Duration(k) / benchKiosks
	start := benchEnd.Add(-time.Duration(each) * step)
	methods := []string{pos.MethodCash, pos.MethodVietQR, pos.MethodCard, pos.MethodEwallet}
	sale := func(seq uint64) pos.Sale {
		s := pos.Sale{ID: BenchID(uint64(k)<<40 | seq), Kind: pos.KindSale, KioskID: kiosk, Seq: seq,
			ReceiptNo: pos.ReceiptNo(kiosk, seq), ShiftID: "S1", Status: "completed",
			Time: start.Add(time.Duration(seq-1)*step + offset).Truncate(time.Microsecond)}
		for i := range 1 + int(seq%3) {
			p := products[(int(seq)*7+i*13+k)%len(products)]
			qty := int64(1 + (seq+uint64(i))%3)
			l := pos.Line{SKU: p.SKU, Name: p.Name, Unit: p.Unit, ProducerID: p.ProducerID, Qty: qty, Price: p.Price,
				VATRate: p.VATRate, Total: p.Price * pos.Money(qty)}
			s.Lines = append(s.Lines, l)
			s.Total += l.Total
		}
		s.Payments = []pos.Payment{{Method: methods[seq%4], Amount: s.Total}}
		return s
	}
	var out []pos.OutboxRecord
	for seq := from; seq <= to; seq++ {
		s := sale(seq)
		if (seq+uint64(k))%40 == 0 && seq > 1 {
			orig := sale(seq - 1)
			s.Kind, s.Original, s.Reason, s.Total = pos.KindVoid, orig.ID, "nhầm", -orig.Total
			s.Lines = nil
			for _, l := range orig.Lines {
				l.Qty, l.Total = -l.Qty, -l.Total
				s.Lines = append(s.Lines, l)
			}
			s.Payments = []pos.Payment{{Method: orig.Payments[0].Method, Amount: -orig.Total}}
		}
		out = append(out, pos.OutboxRecord{Seq: seq, SaleID: s.ID, Time: s.Time, Sale: s})
	}
	return out
}

// BenchLoad registers the benchmark's kiosks, publishes the demo catalog and
// ingests held sales, one every step at each kiosk, through st.Ingest, 20
// kiosks at once; it returns the sales stored a second.
func BenchLoad(b *testing.B, st hubsync.Store, held int, step time.Duration) float64 {
	b.Helper()
	demo, err := pos.DemoCatalog()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.PutCatalog(demo, benchEnd.AddDate(-2, 0, 0)); err != nil {
		b.Fatal(err)
	}
	var products []pos.Product
	for _, p := range demo.Products {
		if !p.ByWeight() {
			products = append(products, p)
		}
	}
	for k := range benchKiosks {
		if _, err := hubsync.RegisterKiosk(st, fmt.Sprintf("K%03d", k)); err != nil {
			b.Fatal(err)
		}
	}
	each := uint64(held / benchKiosks)
	var failed atomic.Value
	var wg gosync.WaitGroup
	t0 := time.Now()
	for l := range benchLoaders {
		wg.Go(func() {
			// Each loader is a group of kiosks taking turns, a batch each.
			for from := uint64(1); from <= each; from += benchBatch {
				for k := l; k < benchKiosks; k += benchLoaders {
					recs := benchRecords(k, from, min(from+benchBatch-1, each), each, step, products)
					if _, err := st.Ingest(recs[0].Sale.KioskID, recs, time.Now()); err != nil {
						failed.Store(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return float64(each*benchKiosks) / time.Since(t0).Seconds()
}

// memPeak samples the process's heap in use and its anonymous resident
// memory (the hub's own, not the pages of files it maps) while f runs, and
// returns the peaks in MB.
func memPeak(f func()) (heapMB, rssMB float64) {
	debug.FreeOSMemory()
	var heap, rss atomic.Uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > heap.Load() {
			heap.Store(m.HeapInuse)
		}
		if r := rssAnon(); r > rss.Load() {
			rss.Store(r)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			sample()
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	sample()
	return float64(heap.Load()) / (1 << 20), float64(rss.Load()) / (1 << 20)
}

// rssAnon is the process's anonymous resident memory in bytes (Linux).
func rssAnon() uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// reconTimes times the reconciliation of days (cycled through runs times)
// and returns the 99th percentile and the median in milliseconds.
func reconTimes(b *testing.B, st hubsync.Store, days []time.Time, runs int) (p99, p50 float64) {
	b.Helper()
	var took []time.Duration
	for i := range runs {
		day := days[i%len(days)]
		t0 := time.Now()
		r, err := hubsync.Reconcile(st, day, benchEnd)
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
		if r.Totals.Sales == 0 {
			b.Fatalf("the reconciliation of %s has no sales", day.Format(time.DateOnly))
		}
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return ms(took[(len(took)*99+99)/100-1]), ms(took[len(took)/2])
}

// lastDays are the n whole days before benchEnd.
func lastDays(n int) []time.Time {
	var out []time.Time
	for d := 1; d <= n; d++ {
		out = append(out, benchEnd.AddDate(0, 0, -d))
	}
	return out
}

// BenchReports loads held sales into a store from open and reports: the
// ingest rate, the reconciliation's p99 and median, a month's settlement,
// the memory peaks during each, and the reconciliation's median at held
// over that at 20,000 held (open is called again for that store).
func BenchReports(b *testing.B, open func(b *testing.B) hubsync.Store) {
	held := BenchHeld(b)
	const runs = 100
	step := time.Duration(benchDays) * 24 * time.Hour / time.Duration(held/benchKiosks)
	// The whole days the small store covers with the same density: the
	// days both stores reconcile for the ratio.
	smallEach := BenchHeldDefault / benchKiosks
	both := lastDays(max(int(time.Duration(smallEach)*step/(24*time.Hour))-1, 1))
	var smallP50 float64
	if held != BenchHeldDefault {
		small := open(b)
		BenchLoad(b, small, BenchHeldDefault, step)
		_, smallP50 = reconTimes(b, small, both, runs)
	}
	st := open(b)
	t0 := time.Now()
	rate := BenchLoad(b, st, held, step)
	b.ReportMetric(time.Since(t0).Seconds(), "s-generate")
	b.ReportMetric(rate, "sales/s-ingest")

	var year []time.Time
	for i := range runs {
		year = append(year, benchEnd.AddDate(0, 0, -1-(i*37)%benchDays))
	}
	var p99, p50 float64
	heap, rss := memPeak(func() { p99, p50 = reconTimes(b, st, year, runs) })
	b.ReportMetric(p99, "ms-recon-p99")
	b.ReportMetric(p50, "ms-recon-p50")
	b.ReportMetric(heap, "MB-heap-recon")
	b.ReportMetric(rss, "MB-rss-recon")
	_, bigP50 := reconTimes(b, st, both, runs)
	if smallP50 == 0 {
		smallP50 = bigP50
	}
	b.ReportMetric(bigP50/smallP50, "x-recon-vs-20k")

	var month time.Duration
	heap, rss = memPeak(func() {
		from := benchEnd.AddDate(0, -1, 0)
		t0 := time.Now()
		s, err := hubsync.Settle(st, from, benchEnd.AddDate(0, 0, -1), 10)
		month = time.Since(t0)
		if err != nil || s.Totals.Lines == 0 {
			b.Fatalf("settlement of a month: %d lines, %v", s.Totals.Lines, err)
		}
	})
	b.ReportMetric(month.Seconds(), "s-settle-month")
	b.ReportMetric(heap, "MB-heap-settle")
	b.ReportMetric(rss, "MB-rss-settle")

	heap, rss = memPeak(func() {
		if _, err := hubsync.SalesChartSVG(st, benchEnd.AddDate(0, 0, -benchDays), benchEnd.AddDate(0, 0, -1)); err != nil {
			b.Fatal(err)
		}
	})
	b.ReportMetric(heap, "MB-heap-chart-year")
	b.ReportMetric(rss, "MB-rss-chart-year")
}
