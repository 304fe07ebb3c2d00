package printer

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStampSheets50000 makes a province's run of 50,000 25 mm stamps
// into a PDF, written out, and a run of 5,000 beside it, and reports for each
// the seconds a run takes, the PDF's size and the peak Go heap while it is
// made (sampled every 5 ms, so it counts garbage not yet collected), and the
// live heap when the last stamp is asked for (after a collection): the two
// counts side by side show whether the memory a run takes grows with its
// stamps. STAMPS_BENCH_COUNT sets one
// other count instead (CI's smoke run uses a small one).
func BenchmarkStampSheets50000(b *testing.B) {
	counts := []int{5_000, 50_000}
	if v := os.Getenv("STAMPS_BENCH_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("STAMPS_BENCH_COUNT=%q", v)
		}
		counts = []int{n}
	}
	for _, count := range counts {
		b.Run(fmt.Sprintf("%d stamps", count), func(b *testing.B) {
			var peak, live uint64
			var size int64
			stamp := func(i int) (string, string, error) {
				if i == count-1 {
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					live = ms.HeapAlloc
				}
				return testLink(i)
			}
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				var err error
				size, err = WriteStampSheets(io.Discard, StampSheet{SizeMM: 25, Name: "Mật ong U Minh Hạ", Stars: 4, Title: "bench", Count: count, Stamp: stamp})
				stop()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "stamps/s")
			b.ReportMetric(float64(size)/1e6, "pdf-MB")
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
			b.ReportMetric(float64(live)/1e6, "live-heap-MB")
			b.ReportMetric(float64(count), "stamps")
		})
	}
}

// sampleHeap records the largest live heap seen until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > *peak {
			*peak = v
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() { close(done); <-finished }
}
