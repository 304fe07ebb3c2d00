package sync

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// bigTable is a late-invoices table of n rows, each made as it is written,
// so that what an export holds is the export's own.
func bigTable(n int) reportTable {
	issued := time.Date(2026, 11, 20, 8, 0, 0, 0, pos.VietnamTime)
	return reportTable{name: "late", cols: []reportCol{colKiosk, {key: "number"}, {key: "issued"}, {key: "total"}, {key: "name"}},
		rows: func(yield func([]any) bool) {
			for i := range n {
				if !yield([]any{fmt.Sprintf("K%02d", i%10), strconv.Itoa(i + 1), issued.Add(time.Duration(i) * time.Second),
					pos.Money(1000 * (i + 1)), "Mật ong U Minh, hũ " + strconv.Itoa(i)}) {
					return
				}
			}
		}}
}

// exportServer serves t as /t.csv and /t.xlsx through the hub's file
// sender, on a real server on 127.0.0.1.
func exportServer(tb testing.TB, t func() reportTable) string {
	tb.Helper()
	h := &Hub{Log: quiet()}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/t.csv", func(c *fiber.Ctx) error {
		tt := t()
		return h.sendReportFile(c, "t.csv", reportCSVType, func(w io.Writer) error { return writeReportCSV(w, tt) })
	})
	app.Get("/t.xlsx", func(c *fiber.Ctx) error {
		tt := t()
		return h.sendReportFile(c, "t.xlsx", reportXLSXType, func(w io.Writer) error { return writeReportXLSX(w, []reportTable{tt}) })
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go app.Listener(ln)
	tb.Cleanup(func() { app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func download(tb testing.TB, url string, w io.Writer) *http.Response {
	tb.Helper()
	res, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := io.Copy(w, res.Body); err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s", url, res.Status)
	}
	return res
}

// A big export arrives whole over a real connection, streamed as it is
// written: 120,000 rows as a CSV
// (with its BOM, every row in order) and 15,000 as a workbook (every row on
// its sheet, amounts as numbers; fewer, since reading a workbook back is
// slow under the race detector).
func TestABigExportArrivesWholeAndInOrder(t *testing.T) {
	n := 120_000
	url := exportServer(t, func() reportTable { return bigTable(n) })

	t.Run("the CSV has its BOM, its header and every row in order", func(t *testing.T) {
		var body bytes.Buffer
		res := download(t, url+"/t.csv", &body)
		if res.Header.Get("Content-Type") != reportCSVType || res.Header.Get("Content-Disposition") != `attachment; filename="t.csv"` ||
			res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("headers %v", res.Header)
		}
		// Streamed as it is written: no length known ahead.
		if res.ContentLength != -1 || fmt.Sprint(res.TransferEncoding) != "[chunked]" {
			t.Fatalf("sent with length %d, transfer encoding %v: built whole before it was sent", res.ContentLength, res.TransferEncoding)
		}
		var want strings.Builder
		want.WriteString("\ufeffkiosk_id,number,issued,total,name\n")
		issued := time.Date(2026, 11, 20, 8, 0, 0, 0, pos.VietnamTime)
		for i := range n {
			fmt.Fprintf(&want, "K%02d,%d,%s,%d,\"Mật ong U Minh, hũ %d\"\n", i%10, i+1,
				issued.Add(time.Duration(i)*time.Second).Format(time.RFC3339), 1000*(i+1), i)
		}
		if body.String() != want.String() {
			got, exp := strings.Split(body.String(), "\n"), strings.Split(want.String(), "\n")
			for i := range min(len(got), len(exp)) {
				if got[i] != exp[i] {
					t.Fatalf("line %d: %q, want %q (%d lines, want %d)", i+1, got[i], exp[i], len(got), len(exp))
				}
			}
			t.Fatalf("%d lines, want %d", len(got), len(exp))
		}
	})
	t.Run("the workbook holds every row, amounts as numbers", func(t *testing.T) {
		n = 15_000
		var body bytes.Buffer
		if res := download(t, url+"/t.xlsx", &body); res.ContentLength != -1 {
			t.Fatalf("sent with length %d: built whole before it was sent", res.ContentLength)
		}
		f, err := excelize.OpenReader(&body)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.Rows("late")
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		var last []string
		for rows.Next() {
			count++
			if last, err = rows.Columns(); err != nil {
				t.Fatal(err)
			}
		}
		if count != n+1 || fmt.Sprint(last) != fmt.Sprintf("[K09 %d 2026-11-20 12:09:59 %s Mật ong U Minh, hũ %d]", n, "15,000,000", n-1) {
			t.Fatalf("%d rows, the last %q", count, last)
		}
		if v, err := f.GetCellValue("late", "D3", excelize.Options{RawCellValue: true}); err != nil || v != "2000" {
			t.Fatalf("the second row's amount: %q %v", v, err)
		}
	})
}

// peakHeap samples the heap in use while f runs and returns its peak above
// what was in use before, in MB.
func peakHeap(f func()) float64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg gosync.WaitGroup
	wg.Go(func() {
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	return float64(max(peak.Load(), base)-base) / (1 << 20)
}

// BenchmarkExportPeakHeap downloads a report table of 10,000, 100,000 and
// 1,000,000 rows as CSV and as a workbook from a real server, and reports
// the peak heap each took (the client's side reads into io.Discard) and the
// ratios of the peaks. A streamed export's peak stops growing with its rows,
// near the Go runtime's smallest heap goal (4 MB), the workbook's as the CSV's
// (xlsx.go writes it as it goes).
func BenchmarkExportPeakHeap(b *testing.B) {
	size := 10_000
	url := exportServer(b, func() reportTable { return bigTable(size) })
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			for range b.N {
				peaks := map[int]float64{}
				for _, n := range []int{10_000, 100_000, 1_000_000} {
					size = n
					peaks[n] = peakHeap(func() { download(b, url+"/t."+format, io.Discard) })
				}
				b.ReportMetric(peaks[10_000], "MB-heap-10k-rows")
				b.ReportMetric(peaks[100_000], "MB-heap-100k-rows")
				b.ReportMetric(peaks[1_000_000], "MB-heap-1M-rows")
				b.ReportMetric(peaks[100_000]/peaks[10_000], "x-100k-vs-10k")
				b.ReportMetric(peaks[1_000_000]/peaks[100_000], "x-1M-vs-100k")
			}
		})
	}
}
