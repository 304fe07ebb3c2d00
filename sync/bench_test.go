package sync

import (
	"context"
	"net"
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
		h := &Hub{Store: hs, AdminHash: TokenHash("a"), Log: quiet()}
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
		sales, _ := hs.Sales("K01")
		if len(sales) != 10_000 {
			b.Fatalf("hub holds %d sales", len(sales))
		}
		b.ReportMetric(el.Seconds(), "s-catch-up")
		b.ReportMetric(10_000/el.Seconds(), "sales/s")
	}
}
