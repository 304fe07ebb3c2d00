package kiosk

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ocop-kiosk/kiosk/pos"
)

// largeCatalog writes n generated products into a fresh store in dir.
func largeCatalog(tb testing.TB, dir string, n int) {
	tb.Helper()
	cfg := Defaults()
	cfg.DataDir = dir
	s, err := pos.Open(cfg.StorePath(), pos.StoreOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	words := []string{"Mật ong", "Bánh phồng tôm", "Khô cá", "Kẹo dừa", "Bưởi", "Gạo", "Trà", "Mắm", "Rượu nếp", "Túi cỏ bàng"}
	places := []string{"U Minh Hạ", "Cà Mau", "Bến Tre", "Trà Vinh", "Đất Mũi", "Chợ Lách", "Cầu Kè"}
	c := pos.Catalog{Producers: []pos.Producer{{ID: "P1", Name: "HTX OCOP", Kind: pos.KindHTX, Province: "Cà Mau"}}}
	for i := range n {
		c.Products = append(c.Products, pos.Product{SKU: fmt.Sprintf("G-%05d", i),
			Name:  fmt.Sprintf("%s %s %d", words[i%len(words)], places[i%len(places)], i),
			Group: pos.Groups[i%len(pos.Groups)], Stars: 3 + i%3, ProducerID: "P1",
			Price: pos.Money(10_000 + 1_000*(i%400)), VATRate: 8, Stock: 100})
	}
	if err := s.PutCatalog(c, "benchmark"); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkTillFirstInteractive20k is the time from navigating to the till page
// of a kiosk with 20,000 products until the first product cards are shown and
// the websocket is connected, in headless Chromium.
func BenchmarkTillFirstInteractive20k(b *testing.B) {
	dir := b.TempDir()
	largeCatalog(b, dir, 20_000)
	k := startKiosk(b, dir, func(c *Config) { c.Demo = false })
	ctx := browser(b, 1280, 800)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		within(b, ctx, 30*time.Second,
			chromedp.Navigate(k.url+"/till?till=T1"),
			chromedp.WaitVisible(tid("product"), chromedp.ByQuery),
			connState("connected"),
		)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkColdStart20k is the time from Run to the server answering, with a
// store of 20,000 products (opening the store, loading the catalog, building the
// search index). DESIGN budget: ≤ 300 ms.
func BenchmarkColdStart20k(b *testing.B) {
	dir := b.TempDir()
	largeCatalog(b, dir, 20_000)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		k := startKiosk(b, dir, func(c *Config) { c.Demo = false })
		lat = append(lat, time.Since(t0))
		b.StopTimer()
		k.stop()
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
