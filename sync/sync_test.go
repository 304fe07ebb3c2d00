package sync

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ocop-kiosk/kiosk/pos"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// kioskStore is a real kiosk store with stock that does not run out.
func kioskStore(t testing.TB, id string) *pos.Store {
	t.Helper()
	s, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	err = s.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH",
			Price: 220000, VATRate: 8, Stock: pos.MaxStock}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sellN(t testing.TB, s *pos.Store, n int) {
	t.Helper()
	for range n {
		if _, _, err := s.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// testAdminToken is the admin token of the hubs these tests start: strong
// enough for RunHub's check, like any token an operator may set.
const testAdminToken = "hub-test-7Qm2Xv9LpK4sWd8Rt3Nz"

// startHub serves a hub on addr ("127.0.0.1:0" for any port) until the test ends.
func startHub(t *testing.T, st Store, addr string) (*Hub, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h := &Hub{Store: st, AdminHash: TokenHash(testAdminToken), Log: quiet()}
	app := h.App()
	go app.Listener(ln)
	t.Cleanup(func() { app.ShutdownWithTimeout(time.Second) })
	return h, "http://" + ln.Addr().String()
}

func hubStore(t testing.TB) *BoltStore {
	t.Helper()
	st, err := OpenHubStore(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func runUplink(t *testing.T, u *Uplink) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { u.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func eventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSalesMadeWhileTheHubIsDownArriveExactlyOnce(t *testing.T) {
	hs := hubStore(t)
	tok, err := RegisterKiosk(hs, "K01")
	if err != nil {
		t.Fatal(err)
	}
	// The hub's address, with nothing listening yet.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()

	ks := kioskStore(t, "K01")
	u := &Uplink{HubURL: "http://" + addr, KioskID: "K01", Token: tok, Store: ks, Log: quiet(), Wake: make(chan struct{}, 1)}
	runUplink(t, u)
	sellN(t, ks, 500)
	time.Sleep(200 * time.Millisecond)
	if st := u.Status(); st.Reachable {
		t.Fatal("the uplink says the hub is reachable while it is down")
	}
	if d, _ := ks.OutboxDepth(); d != 500 {
		t.Fatalf("outbox %d while the hub is down, want 500", d)
	}
	startHub(t, hs, addr)
	eventually(t, "catch-up", 30*time.Second, func() bool { d, _ := ks.OutboxDepth(); return d == 0 })
	sales, err := salesOf(hs, "K01")
	if err != nil || len(sales) != 500 {
		t.Fatalf("hub holds %d sales, want 500 (%v)", len(sales), err)
	}
	seen := map[string]bool{}
	for _, s := range sales {
		if seen[s.Sale.ID] || s.Mismatch != "" {
			t.Fatalf("sale %s twice or mismatched (%s)", s.Sale.ID, s.Mismatch)
		}
		seen[s.Sale.ID] = true
	}
	if k, _ := hs.Kiosk("K01"); k.Acked != 500 {
		t.Fatalf("hub acknowledged %d", k.Acked)
	}
	// The status follows the store's acknowledgement a moment later.
	eventually(t, "the uplink's status", 5*time.Second, func() bool {
		st := u.Status()
		return st.Reachable && st.LastAcked == 500
	})
}

func TestIngestIsExactlyOnceAndAcknowledgesOnlyWithoutGaps(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	ks := kioskStore(t, "K01")
	sellN(t, ks, 4)
	recs, _ := ks.Outbox(0, 10)
	now := time.Now()
	if ack, err := hs.Ingest("K01", []pos.OutboxRecord{recs[0], recs[1], recs[3]}, now); err != nil || ack != 2 {
		t.Fatalf("a batch with a gap: ack %d, %v; want 2", ack, err)
	}
	if ack, err := hs.Ingest("K01", recs, now); err != nil || ack != 4 {
		t.Fatalf("the batch replayed whole: ack %d, %v; want 4", ack, err)
	}
	if sales, _ := salesOf(hs, "K01"); len(sales) != 4 {
		t.Fatalf("%d sales after a replay, want 4", len(sales))
	}
	// A record of another kiosk is refused, and nothing of its batch lands.
	other := kioskStore(t, "K02")
	sellN(t, other, 1)
	orecs, _ := other.Outbox(0, 1)
	if _, err := hs.Ingest("K01", orecs, now); err == nil {
		t.Fatal("K01 delivered K02's sale")
	}
}

func TestTamperedTotalsAreFlagged(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	ks := kioskStore(t, "K01")
	sellN(t, ks, 2)
	recs, _ := ks.Outbox(0, 2)
	recs[0].Sale.Total = 1000 // the lines still say 220000
	recs[1].Sale.Lines[0].Price = 1
	if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	sales, _ := salesOf(hs, "K01")
	for _, s := range sales {
		if s.Mismatch == "" {
			t.Errorf("sale %d with tampered figures not flagged", s.Sale.Seq)
		}
	}
}

func TestUplinkRefusesWrongAndRevokedTokens(t *testing.T) {
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	_, url := startHub(t, hs, "127.0.0.1:0")
	for _, tt := range []struct {
		name, kiosk, token string
	}{
		{"a wrong token", "K01", "nope"},
		{"an unknown kiosk", "K09", tok},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ks := kioskStore(t, tt.kiosk)
			u := &Uplink{HubURL: url, KioskID: tt.kiosk, Token: tt.token, Store: ks, Log: quiet()}
			if err := u.session(context.Background()); err == nil {
				t.Fatal("the hub took the uplink")
			}
		})
	}
	if err := hs.RevokeKiosk("K01"); err != nil {
		t.Fatal(err)
	}
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: kioskStore(t, "K01"), Log: quiet()}
	err := u.session(context.Background())
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("a revoked kiosk: %v", err)
	}
	if _, err := RegisterKiosk(hs, "K01"); err == nil {
		t.Fatal("a duplicated kiosk id was registered")
	}
	if _, err := RegisterKiosk(hs, "k 1"); err == nil {
		t.Fatal("a bad kiosk id was registered")
	}
}

func TestUplinkOversizedMessagesAndHeartbeats(t *testing.T) {
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	_, url := startHub(t, hs, "127.0.0.1:0")
	dial := func() *websocket.Conn {
		h := http.Header{"Authorization": {"Bearer " + tok}, "X-Kiosk-Id": {"K01"}}
		c, _, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http", "ws", 1)+"/api/v1/uplink", h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		var greet Message
		if err := c.ReadJSON(&greet); err != nil || greet.Type != "ack" {
			t.Fatalf("greeting: %+v %v", greet, err)
		}
		return c
	}
	c := dial()
	if err := c.WriteJSON(Message{Type: "heartbeat", Depth: 7, LastSeq: 3}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "heartbeat recorded", 5*time.Second, func() bool {
		k, _ := hs.Kiosk("K01")
		return k.Depth == 7 && !k.LastContact.IsZero()
	})
	if err := c.WriteJSON(Message{Type: "teleport"}); err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := c.ReadJSON(&m); err != nil || m.Code != "unknown_type" {
		t.Fatalf("unknown type: %+v %v", m, err)
	}
	big := `{"type":"batch","records":[],"message":"` + strings.Repeat("x", MaxMessage) + `"}`
	if err := c.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("oversized batch: %v, want close 1009", err)
	}
	if sales, _ := salesOf(hs, "K01"); len(sales) != 0 {
		t.Fatal("the oversized message stored something")
	}
}
