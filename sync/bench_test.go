package sync

import (
	"context"
	"fmt"
	"net"
	gosync "sync"
	"testing"
	"time"
)

// BenchmarkCatchUp10k is a kiosk that sold 10,000 times with the hub down
// catching up once it is back, over loopback. DESIGN budget: ≤ 10 s, zero lost,
// zero duplicated.
func BenchmarkCatchUp10k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		hs := hubStore(b)
		tok, err := RegisterKiosk(hs, "K01")
		if err != nil {
			b.Fatal(err)
		}
		ks := kioskStore(b, "K01")
		sellN(b, ks, 10_000)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		h := &Hub{Store: hs, AdminHash: TokenHash(testAdminToken), Log: quiet()}
		app := h.App()
		go app.Listener(ln)
		u := &Uplink{HubURL: "http://" + ln.Addr().String(), KioskID: "K01", Token: tok, Store: ks, Log: quiet(), Wake: make(chan struct{}, 1)}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		b.StartTimer()
		t0 := time.Now()
		go func() { u.Run(ctx); close(done) }()
		for {
			if d, _ := ks.OutboxDepth(); d == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		el := time.Since(t0)
		b.StopTimer()
		cancel()
		<-done
		app.ShutdownWithTimeout(time.Second)
		sales, _ := salesOf(hs, "K01")
		if len(sales) != 10_000 {
			b.Fatalf("hub holds %d sales", len(sales))
		}
		b.ReportMetric(el.Seconds(), "s-catch-up")
		b.ReportMetric(10_000/el.Seconds(), "sales/s")
	}
}

// BenchmarkHubIngest20Kiosks is twenty kiosks uploading their queued sales to
// one hub at once, over loopback: the hub's ingest throughput.
func BenchmarkHubIngest20Kiosks(b *testing.B) {
	const kiosks, each = 20, 250
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		hs := hubStore(b)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		app := (&Hub{Store: hs, AdminHash: TokenHash(testAdminToken), Log: quiet()}).App()
		go app.Listener(ln)
		var ups []*Uplink
		for k := range kiosks {
			id := fmt.Sprintf("K%02d", k)
			tok, err := RegisterKiosk(hs, id)
			if err != nil {
				b.Fatal(err)
			}
			ks := kioskStore(b, id)
			sellN(b, ks, each)
			ups = append(ups, &Uplink{HubURL: "http://" + ln.Addr().String(), KioskID: id, Token: tok, Store: ks, Log: quiet(), Wake: make(chan struct{}, 1)})
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg gosync.WaitGroup
		b.StartTimer()
		t0 := time.Now()
		for _, u := range ups {
			wg.Add(1)
			go func() { defer wg.Done(); u.Run(ctx) }()
		}
		for {
			// The acknowledgements, not the listing: polling must not read
			// every sale held.
			var acked uint64
			ks, _ := hs.Kiosks()
			for _, k := range ks {
				acked += k.Acked
			}
			if acked == kiosks*each {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		el := time.Since(t0)
		b.StopTimer()
		cancel()
		wg.Wait()
		app.ShutdownWithTimeout(time.Second)
		b.ReportMetric(float64(kiosks*each)/el.Seconds(), "sales/s")
		b.ReportMetric(el.Seconds(), "s-total")
	}
}
