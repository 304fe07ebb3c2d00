package printer

import (
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// BenchmarkStampSheets50000 makes a province's run of 50,000 25 mm stamps
// into a PDF, written out, and reports the seconds a run takes, the PDF's size
// and the peak Go heap while it is made (sampled every 5 ms).
// STAMPS_BENCH_COUNT sets another count (CI's smoke run uses a small one).
func BenchmarkStampSheets50000(b *testing.B) {
	count := 50_000
	if v := os.Getenv("STAMPS_BENCH_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("STAMPS_BENCH_COUNT=%q", v)
		}
		count = n
	}
	var peak uint64
	var size int64
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		doc, err := RenderStampSheets(StampSheet{SizeMM: 25, Name: "Mật ong U Minh Hạ", Stars: 4, Title: "bench", Count: count, Stamp: testLink})
		if err != nil {
			b.Fatal(err)
		}
		size, err = doc.WriteTo(io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		stop()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(count)*float64(b.N)/b.Elapsed().Seconds(), "stamps/s")
	b.ReportMetric(float64(size)/1e6, "pdf-MB")
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
	b.ReportMetric(float64(count), "stamps")
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
