package sync

import (
	"context"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// invoicedRecords is a kiosk's n sales with their invoices, as the uplink
// carries them.
func invoicedRecords(b *testing.B, n int) []pos.OutboxRecord {
	b.Helper()
	ks := invoicingKiosk(b, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999})
	sellN(b, ks, n)
	var recs []pos.OutboxRecord
	for after := uint64(0); ; {
		page, err := ks.Outbox(after, MaxBatch)
		if err != nil {
			b.Fatal(err)
		}
		if len(page) == 0 {
			return recs
		}
		recs = append(recs, page...)
		after = page[len(page)-1].Seq
	}
}

// ingestAll files the records at a fresh hub store, as the uplink would.
func ingestAll(b *testing.B, recs []pos.OutboxRecord) *BoltStore {
	b.Helper()
	hs := hubStore(b)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(recs); i += MaxBatch {
		if _, err := hs.Ingest("K01", recs[i:min(i+MaxBatch, len(recs))], time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	return hs
}

// waitDelivered waits until the hub's one stream has settled n invoices.
func waitDelivered(b *testing.B, hs *BoltStore, n int) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		sts, err := hs.Streams()
		if err != nil {
			b.Fatal(err)
		}
		if len(sts) == 1 && sts[0].Delivered == n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("not delivered: %+v", sts)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// BenchmarkInvoiceDelivery is the hub delivering 10,000 invoices waiting in
// its store to the provider emulator over loopback, in calls of up to 5,000
// (each invoice's XML written, wrapped in the SOAP call, parsed and checked
// by the emulator, its outcome kept and logged for the kiosk). DESIGN budget:
// ≥ 2,000 invoices/s.
func BenchmarkInvoiceDelivery(b *testing.B) {
	const n = 10_000
	recs := invoicedRecords(b, n)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e, url := startEmulator(b)
		hs := ingestAll(b, recs)
		d := &Delivery{Store: hs, Default: e.Settings(url), Log: quiet()}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		b.StartTimer()
		t0 := time.Now()
		go func() { d.Run(ctx); close(done) }()
		waitDelivered(b, hs, n)
		el := time.Since(t0)
		b.StopTimer()
		cancel()
		<-done
		if got := len(e.Published()); got != n {
			b.Fatalf("published %d", got)
		}
		b.ReportMetric(n/el.Seconds(), "invoices/s")
		b.ReportMetric(float64(e.Calls()), "calls")
	}
}

// BenchmarkInvoiceCatchUp10k is a day of 10,000 invoices that reached the hub
// while the provider was down, long enough for the hub to be waiting its
// longest between tries (15 s): the time from the provider's return until
// the last invoice is delivered. DESIGN budget: ≤ 30 s.
func BenchmarkInvoiceCatchUp10k(b *testing.B) {
	const n = 10_000
	recs := invoicedRecords(b, n)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e, url := startEmulator(b)
		e.SetDown(true)
		hs := ingestAll(b, recs)
		d := &Delivery{Store: hs, Default: e.Settings(url), Log: quiet()}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		// 1, 2, 4, 8 s (each from half to whole): then the waits are 15 s.
		for e.Calls() < 5 {
			time.Sleep(10 * time.Millisecond)
		}
		b.StartTimer()
		t0 := time.Now()
		e.SetDown(false)
		waitDelivered(b, hs, n)
		el := time.Since(t0)
		b.StopTimer()
		cancel()
		<-done
		if got := len(e.Published()); got != n {
			b.Fatalf("published %d", got)
		}
		b.ReportMetric(el.Seconds(), "s-catch-up")
	}
}
