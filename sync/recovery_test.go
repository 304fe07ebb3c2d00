package sync

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ocop-kiosk/kiosk/pos"
)

func TestAKioskRestoredFromABackupRecoversFromTheHub(t *testing.T) {
	hs := hubStore(t)
	tok, err := RegisterKiosk(hs, "K01")
	if err != nil {
		t.Fatal(err)
	}
	_, url := startHub(t, hs, "127.0.0.1:0")
	old := kioskStore(t, "K01")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: old, Log: quiet()}).Run(ctx)
		close(done)
	}()
	held := func(n int) func() bool {
		return func() bool { s, _ := salesOf(hs, "K01"); return len(s) == n }
	}
	sellN(t, old, 20)
	eventually(t, "20 sales at the hub", 10*time.Second, held(20))
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := writeBackup(old, backup); err != nil {
		t.Fatal(err)
	}
	sellN(t, old, 30)
	eventually(t, "50 sales at the hub", 10*time.Second, held(50))
	cancel()
	<-done

	path := filepath.Join(t.TempDir(), "kiosk.db")
	if _, err := pos.Restore(backup, path); err != nil {
		t.Fatal(err)
	}
	st, err := pos.Open(path, pos.StoreOptions{KioskID: "K01"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: st, Log: quiet()}
	res, err := u.Verify(context.Background())
	if err != nil || res.Recovered != 30 {
		t.Fatalf("Verify: %+v, %v; want the 30 sales made after the backup", res, err)
	}
	sellN(t, st, 5)
	runUplink(t, u)
	eventually(t, "55 sales at the hub", 10*time.Second, held(55))
	sales, _ := salesOf(hs, "K01")
	seen := map[string]bool{}
	for _, s := range sales {
		if seen[s.Sale.ReceiptNo] || s.Mismatch != "" {
			t.Errorf("%s twice or flagged (%s)", s.Sale.ReceiptNo, s.Mismatch)
		}
		seen[s.Sale.ReceiptNo] = true
	}
	if !seen["K01-000055"] {
		t.Error("the sales after the restore do not number on after the hub's")
	}
	if d, _ := st.OutboxDepth(); d != 0 {
		t.Errorf("outbox depth %d", d)
	}
}

func writeBackup(s *pos.Store, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := s.Backup(f, nil); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func TestTheHubFlagsADifferentSaleUnderASequenceItHolds(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	a, b := kioskStore(t, "K01"), kioskStore(t, "K01") // b: an old copy numbering again
	sellN(t, a, 3)
	sellN(t, b, 3)
	ra, _ := a.Outbox(0, 10)
	rb, _ := b.Outbox(0, 10)
	if ack, err := hs.Ingest("K01", ra, time.Now()); err != nil || ack != 3 {
		t.Fatalf("ingest a: %d %v", ack, err)
	}
	if ack, err := hs.Ingest("K01", rb, time.Now()); err != nil || ack != 3 {
		t.Fatalf("ingest b: %d %v", ack, err)
	}
	sales, _ := salesOf(hs, "K01")
	if len(sales) != 6 {
		t.Fatalf("hub holds %d sales, want all 6 (none is a duplicate of another)", len(sales))
	}
	flagged := 0
	for _, s := range sales {
		if strings.Contains(s.Mismatch, "already held by sale") {
			flagged++
		}
	}
	if flagged != 3 {
		t.Errorf("%d sales flagged as reusing a sequence, want 3", flagged)
	}
	r, err := Reconcile(hs, time.Now(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if k := r.Kiosks[0]; len(k.DuplicateReceipts) != 3 || len(k.Mismatches) != 3 {
		t.Errorf("reconciliation: duplicates %v, mismatches %d", k.DuplicateReceipts, len(k.Mismatches))
	}
}

func TestTheHubFlagsRecordsItCouldNotHaveProduced(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH",
			Price: 220000, VATRate: 8}},
	}, time.Now()); err != nil {
		t.Fatal(err)
	}
	ks := kioskStore(t, "K01")
	sellN(t, ks, 4)
	recs, _ := ks.Outbox(0, 10)
	now := time.Now()
	at := func(i int, id string) pos.OutboxRecord {
		r := recs[i]
		r.Sale.ID, r.SaleID = id, id
		return r
	}
	ghost := pos.NewID(now)
	refund := at(1, pos.NewID(now))
	refund.Sale.Kind, refund.Sale.Original = pos.KindRefund, ghost
	for i := range refund.Sale.Lines {
		l := &refund.Sale.Lines[i]
		l.Qty, l.Total = -l.Qty, -l.Total
	}
	refund.Sale.Total = -refund.Sale.Total
	refund.Sale.Payments = []pos.Payment{{Method: pos.MethodCash, Amount: refund.Sale.Total}}
	unknown := recs[2]
	unknown.Sale.Lines[0].SKU = "NOT-SOLD-HERE"
	bitcoin := recs[3]
	bitcoin.Sale.Payments = []pos.Payment{{Method: "bitcoin", Amount: bitcoin.Sale.Total}}
	if _, err := hs.Ingest("K01", []pos.OutboxRecord{recs[0], refund, unknown, bitcoin}, now); err != nil {
		t.Fatal(err)
	}
	sales, _ := salesOf(hs, "K01")
	want := map[string]string{recs[0].SaleID: "", refund.SaleID: "which the hub does not hold",
		unknown.SaleID: `"NOT-SOLD-HERE" is not in the central catalog`, bitcoin.SaleID: `unknown payment method "bitcoin"`}
	for _, s := range sales {
		w := want[s.Sale.ID]
		if (w == "") != (s.Mismatch == "") || !strings.Contains(s.Mismatch, w) {
			t.Errorf("%s: flagged %q, want %q", s.Sale.ReceiptNo, s.Mismatch, w)
		}
	}
}

// TestABigCentralCatalogReachesTheKiosk: 50,000 products with descriptions are
// far over one message; they go down in parts, and a later price change as a
// delta of one product.
func TestABigCentralCatalogReachesTheKiosk(t *testing.T) {
	hs := hubStore(t)
	tok, _ := RegisterKiosk(hs, "K01")
	cat := pos.Catalog{Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}}}
	desc := strings.Repeat("Mật ong rừng tràm U Minh Hạ, thu hoạch theo mùa. ", 6)
	for i := range 50_000 {
		cat.Products = append(cat.Products, pos.Product{SKU: fmt.Sprintf("P%05d", i), Name: fmt.Sprintf("Mật ong %d", i),
			Group: pos.GroupFood, Stars: 4, ProducerID: "UMINH", Price: 100000, VATRate: 8, Description: desc})
	}
	if _, err := hs.PutCatalog(cat, time.Now()); err != nil {
		t.Fatal(err)
	}
	h, url := startHub(t, hs, "127.0.0.1:0")
	got := make(chan CatalogVersion, 4)
	var version uint64
	u := &Uplink{HubURL: url, KioskID: "K01", Token: tok, Store: kioskStore(t, "K01"), Log: quiet(),
		OnCatalog:      func(cv CatalogVersion) error { version = cv.Version; got <- cv; return nil },
		CatalogVersion: func() uint64 { return version }}
	runUplink(t, u)
	select {
	case cv := <-got:
		if len(cv.Products) != 50_000 || len(cv.Producers) != 1 {
			t.Fatalf("the kiosk got %d products, %d producers", len(cv.Products), len(cv.Producers))
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no catalog within 30 s (uplink: %+v)", u.Status())
	}
	p := cat.Products[123]
	p.Price = 95000
	if _, err := hs.PutCatalog(pos.Catalog{Products: []pos.Product{p}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	h.catalogChanged()
	select {
	case cv := <-got:
		if len(cv.Products) != 1 || cv.Products[0].SKU != p.SKU || cv.Products[0].Price != 95000 {
			t.Fatalf("the price change came as %d products", len(cv.Products))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no price change within 10 s")
	}
}

func TestAMessageOverTheLimitIsReportedOnBothSides(t *testing.T) {
	t.Run("from the kiosk: the hub notes it on the kiosk", func(t *testing.T) {
		hs := hubStore(t)
		tok, _ := RegisterKiosk(hs, "K01")
		_, url := startHub(t, hs, "127.0.0.1:0")
		h := http.Header{"Authorization": {"Bearer " + tok}, "X-Kiosk-Id": {"K01"}}
		c, _, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http", "ws", 1)+"/api/v1/uplink", h)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var greet Message
		_ = c.ReadJSON(&greet)
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"batch","message":"`+strings.Repeat("x", MaxMessage)+`"}`))
		eventually(t, "the hub notes the oversized message", 5*time.Second, func() bool {
			k, _ := hs.Kiosk("K01")
			return strings.Contains(k.LastError, "over")
		})
	})
	t.Run("from the hub: the kiosk reports it and tells the hub", func(t *testing.T) {
		// A hub that greets, then sends a message over the limit.
		told := make(chan Message, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			_ = c.WriteJSON(Message{Type: "ack"})
			_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			var m Message
			if c.ReadJSON(&m) == nil && m.Type == "error" {
				told <- m
				return
			}
			_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"catalog","message":"`+strings.Repeat("x", MaxMessage)+`"}`))
			time.Sleep(time.Second)
		}))
		defer srv.Close()
		u := &Uplink{HubURL: srv.URL, KioskID: "K01", Token: "t", Store: kioskStore(t, "K01"), Log: quiet()}
		err := u.session(context.Background())
		if err == nil || !strings.Contains(err.Error(), "over") {
			t.Fatalf("session: %v", err)
		}
		_ = u.session(context.Background()) // the next connection
		select {
		case m := <-told:
			if m.Type != "error" || m.Code != "message_too_large" {
				t.Errorf("the kiosk told the hub %+v", m)
			}
		case <-time.After(5 * time.Second):
			t.Error("the kiosk did not tell the hub")
		}
	})
}
