package kiosk

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestMessageRateLetsScannersThroughAndStopsFloods plays screens' message
// patterns against the bucket on a made-up clock.
func TestMessageRateLetsScannersThroughAndStopsFloods(t *testing.T) {
	type burst struct {
		n     int           // messages
		every time.Duration // apart
		pause time.Duration // after the burst
	}
	repeat := func(times int, b burst) []burst {
		out := make([]burst, times)
		for i := range out {
			out[i] = b
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		bursts      []burst
		refusedMax  int // at most this many refused
		refusedMin  int
		wantClosed  bool
		closedAfter int // closed by this many messages
	}{
		{name: "a presentation scanner's 20 adds a second for a minute are all handled",
			bursts: repeat(60, burst{20, 50 * time.Millisecond, 0})},
		{name: "a handheld scanner emptying a basket, 40 labels in 2 s and a pause, again and again, is all handled",
			bursts: repeat(10, burst{40, 50 * time.Millisecond, 2 * time.Second})},
		{name: "a vendor tapping + as fast as a finger can (10 a second) is all handled",
			bursts: repeat(30, burst{10, 100 * time.Millisecond, 0})},
		{name: "60 at once (a screen replaying its queue after reconnecting) are all handled",
			bursts: []burst{{60, 0, 0}}},
		{name: "a screen slightly over the rate (40 a second) is told, not closed",
			bursts: repeat(20, burst{40, 25 * time.Millisecond, 0}), refusedMin: 1, refusedMax: 300},
		{name: "50,000 messages in half a second are refused and the connection closed",
			bursts: []burst{{50000, 10 * time.Microsecond, 0}}, refusedMin: 1, wantClosed: true, closedAfter: 2*wsBurst + 10},
		{name: "a screen flooding at 100 a second is closed within seconds",
			bursts: repeat(10, burst{100, 10 * time.Millisecond, 0}), refusedMin: 1, wantClosed: true, closedAfter: 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
			b := newMsgBucket(now)
			sent, refused, closedAt := 0, 0, 0
		play:
			for _, bu := range tc.bursts {
				for range bu.n {
					sent++
					switch b.take(now) {
					case msgRefused:
						refused++
					case msgFlood:
						closedAt = sent
						break play
					}
					now = now.Add(bu.every)
				}
				now = now.Add(bu.pause)
			}
			if (closedAt > 0) != tc.wantClosed {
				t.Fatalf("closed after message %d; want closed: %v (%d refused of %d)", closedAt, tc.wantClosed, refused, sent)
			}
			if tc.wantClosed && closedAt > tc.closedAfter {
				t.Fatalf("closed only after %d messages, want by %d", closedAt, tc.closedAfter)
			}
			if refused < tc.refusedMin || refused > tc.refusedMax && !tc.wantClosed {
				t.Fatalf("%d of %d messages refused, want %d to %d", refused, sent, tc.refusedMin, tc.refusedMax)
			}
		})
	}
}

// TestAFloodingTillIsRefusedAndClosedWhileItsDisplayStays sends thousands of
// cart changes from a till screen as fast as the socket takes them: the till
// hears rate_limited and is closed with 1008, and its customer display stays
// connected and keeps receiving the till's carts.
func TestAFloodingTillIsRefusedAndClosedWhileItsDisplayStays(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	display, _ := connect(t, k, "till=T1&role=display")
	till, _ := connect(t, k, "till=T1&role=till")

	type heard struct {
		carts int
		err   error
	}
	displayDone := make(chan heard, 1)
	lastSeq := make(chan float64, 1024)
	stopDisplay := make(chan struct{})
	go func() {
		var h heard
		for {
			select {
			case <-stopDisplay:
				displayDone <- h
				return
			default:
			}
			_ = display.conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			var m map[string]any
			if err := display.conn.ReadJSON(&m); err != nil {
				var ne interface{ Timeout() bool }
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				h.err = err
				displayDone <- h
				return
			}
			if m["type"] == "cart" {
				h.carts++
				cart, _ := m["cart"].(map[string]any)
				seq, _ := cart["seq"].(float64)
				select {
				case lastSeq <- seq:
				default:
				}
			}
		}
	}()

	const flood = 5000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range flood {
			msg := fmt.Sprintf(`{"type":"cart.add","sku":"CM-MO-500","ref":"f%d"}`, i)
			if till.conn.WriteMessage(websocket.TextMessage, []byte(msg)) != nil {
				return // closed by the kiosk
			}
		}
	}()
	limited, carts := 0, 0
	var closeErr *websocket.CloseError
	for {
		_ = till.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m map[string]any
		err := till.conn.ReadJSON(&m)
		if err != nil {
			if !errors.As(err, &closeErr) {
				t.Fatalf("the till's connection ended with %v after %d rate_limited errors; want a close frame", err, limited)
			}
			break
		}
		switch {
		case m["type"] == "error" && m["code"] == "rate_limited":
			limited++
		case m["type"] == "cart":
			carts++
		case m["type"] == "error":
			t.Fatalf("unexpected error %v", m)
		}
	}
	wg.Wait()
	if limited == 0 {
		t.Error("the flooding till never heard rate_limited")
	}
	if closeErr.Code != websocket.ClosePolicyViolation || !strings.HasPrefix(closeErr.Text, "rate_limited") {
		t.Errorf("the till was closed with %d %q, want 1008 rate_limited", closeErr.Code, closeErr.Text)
	}
	if carts > 2*wsBurst {
		t.Errorf("%d of %d cart changes were handled; want about the burst of %d", carts, flood, wsBurst)
	}
	t.Logf("till: %d cart changes handled, %d refused with rate_limited, then closed: %d %q", carts, limited, closeErr.Code, closeErr.Text)

	// The display is still there: a new till screen's change reaches it.
	again, _ := connect(t, k, "till=T1&role=till")
	again.send(map[string]any{"type": "cart.clear", "ref": "after"})
	deadline := time.After(5 * time.Second)
	for seen := false; !seen; {
		select {
		case seq := <-lastSeq:
			seen = int(seq) > carts // the clear came after every handled add
		case h := <-displayDone:
			t.Fatalf("the display's connection ended (%v) after %d carts", h.err, h.carts)
		case <-deadline:
			t.Fatal("the display did not get the cart after the flood")
		}
	}
	close(stopDisplay)
	if h := <-displayDone; h.err != nil {
		t.Fatalf("the display was dropped: %v after %d carts", h.err, h.carts)
	}
}

// TestAScreenOutlivesTheReadTimeout: the read timeout cuts half-sent requests,
// not screens; a websocket keeps its own ping deadlines.
func TestAScreenOutlivesTheReadTimeout(t *testing.T) {
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.ReadTimeout = 500 * time.Millisecond })
	display, _ := connect(t, k, "till=T1&role=display")
	till, _ := connect(t, k, "till=T1&role=till")
	time.Sleep(1500 * time.Millisecond) // three read timeouts
	till.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500"})
	till.expect("cart")
	display.expect("cart")
}
