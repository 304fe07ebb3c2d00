package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
	"github.com/ocop-kiosk/kiosk/sync/invoicetest"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// PGStore passes the invoice conformance suite BoltStore passes.
func TestPGStoreInvoiceConformance(t *testing.T) {
	invoicetest.Run(t, func(t *testing.T) invoicetest.Store { return open(t) })
}

// openOn is another hub process's store on the database at url.
func openOn(t *testing.T, url string) *PGStore {
	t.Helper()
	st, err := Open(context.Background(), url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Two hub processes on one database: while one sends a series' invoices to
// the provider, the other leaves the series alone, and an outcome it brings
// for a series it no longer holds is not kept.
func TestTwoHubProcessesNeverDeliverOneSeriesAtOnce(t *testing.T) {
	url := pgtest.DB(t)
	a, b := openOn(t, url), openOn(t, url)
	if _, err := hubsync.RegisterKiosk(a, "K01"); err != nil {
		t.Fatal(err)
	}
	recs := invoicetest.Sell(t, invoicetest.Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999}), 4)
	if _, err := a.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	sts, _ := a.Streams()
	key := sts[0].Key
	keyOf := func(i int) string { return recs[i].Sale.Invoices[0].Key() }

	batch, err := a.NextInvoices(key, 2)
	if err != nil || len(batch.Invoices) != 2 {
		t.Fatalf("a's batch: %+v %v", batch.Invoices, err)
	}
	if p, err := b.PendingStreams(); err != nil || len(p) != 0 {
		t.Fatalf("b sees a's series pending: %+v %v", p, err)
	}
	if nb, err := b.NextInvoices(key, 2); err != nil || len(nb.Invoices) != 0 {
		t.Fatalf("b was given a's invoices: %+v %v", nb.Invoices, err)
	}
	_, err = b.RecordDelivery(key, hubsync.DeliveryOutcome{Results: []einvoice.Result{{Key: keyOf(0), Outcome: einvoice.Delivered}}}, time.Now())
	if !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("b's outcome for a's series: %v", err)
	}
	if _, err := b.RecordDelivery(key, hubsync.DeliveryOutcome{Err: fmt.Errorf("%w: b's settings", einvoice.ErrSeller)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if sts, _ := a.Streams(); sts[0].Next != 1 || sts[0].LastError != "" {
		t.Fatalf("b changed a's series: %+v", sts[0])
	}
	// a's outcome gives the series back: b may take the next call.
	if _, err := a.RecordDelivery(key, hubsync.DeliveryOutcome{Results: []einvoice.Result{
		{Key: keyOf(0), Outcome: einvoice.Delivered}, {Key: keyOf(1), Outcome: einvoice.Delivered}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	nb, err := b.NextInvoices(key, 1)
	if err != nil || len(nb.Invoices) != 1 || nb.Invoices[0].Key != keyOf(2) {
		t.Fatalf("b's batch after a's call: %+v %v", nb.Invoices, err)
	}
	// b dies mid-call: once its lease lapses, a takes the series over.
	if na, _ := a.NextInvoices(key, 5); len(na.Invoices) != 0 {
		t.Fatalf("a took b's series while b held it: %+v", na.Invoices)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE inv_streams SET lease_until = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	na, err := a.NextInvoices(key, 5)
	if err != nil || len(na.Invoices) != 2 || na.Invoices[0].Key != keyOf(2) {
		t.Fatalf("a after b's lease lapsed: %+v %v", na.Invoices, err)
	}
}

// Hub processes sharing a database registering kiosks at once: the blocks
// they allocate never overlap, and one series goes to one kiosk.
func TestHubProcessesOnOneDatabaseKeepKiosksApart(t *testing.T) {
	url := pgtest.DB(t)
	stores := []*PGStore{openOn(t, url), openOn(t, url), openOn(t, url)}
	const n = 12
	for i := range n {
		if _, err := hubsync.RegisterKiosk(stores[0], fmt.Sprintf("K%02d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	blocks := make([]pos.InvoiceBlock, n)
	symbolErrs := make([]error, n)
	var wg gosync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id, st := fmt.Sprintf("K%02d", i+1), stores[i%len(stores)]
			var err error
			if blocks[i], err = st.RegisterInvoicing(id, invoicetest.BoothMST, 2, fmt.Sprintf("C26M%c%c", 'A'+i, 'A'+i), pos.InvoiceBlock{}); err != nil {
				t.Errorf("%s: %v", id, err)
				symbolErrs[i] = err
				return
			}
			_, symbolErrs[i] = st.RegisterInvoicing(id, "0100233488", 2, "C26MXX", blocks[i])
		})
	}
	wg.Wait()
	for i := range blocks {
		for j := range i {
			if blocks[i].Overlaps(blocks[j]) {
				t.Fatalf("K%02d and K%02d were both given %s", i+1, j+1, blocks[i])
			}
		}
	}
	taken := 0
	for _, err := range symbolErrs {
		switch {
		case err == nil:
			taken++
		case !errors.Is(err, hubsync.ErrInvoiceSymbolTaken):
			t.Fatalf("refused with %v", err)
		}
	}
	if taken != 1 {
		t.Fatalf("%d kiosks took one series", taken)
	}
}

// hubAdminToken is the admin token of the hubs these tests run.
const hubAdminToken = "hub-test-7Qm2Xv9LpK4sWd8Rt3Nz"

// runHub runs a hub process on the database at url, delivering to def,
// until the test ends; it returns the hub's address.
func runHub(t *testing.T, url string, def einvoice.Settings) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- hubsync.RunHub(ctx, hubsync.HubConfig{Listener: ln, AdminToken: hubAdminToken, Logger: quiet(),
			OpenStore:       func() (hubsync.Store, error) { return Open(ctx, url, quiet()) },
			EInvoice:        def,
			EInvoiceBackoff: 20 * time.Millisecond})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
}

func startEmulator(t *testing.T) (*einvoice.Emulator, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := einvoice.NewEmulator()
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return e, "http://" + ln.Addr().String() + "/PublishService.asmx"
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

func kioskStates(t *testing.T, ks *pos.Store) map[string]int {
	t.Helper()
	invs, _, err := ks.Invoices(pos.InvoiceQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, inv := range invs {
		out[inv.State]++
	}
	return out
}

// inOrderOnce says whether the provider published numbers 1…n of the series
// once each, in that order.
func inOrderOnce(e *einvoice.Emulator, n int) bool {
	pub := e.Published()
	if len(pub) != n {
		return false
	}
	for i, p := range pub {
		if p.Number != int64(i+1) {
			return false
		}
	}
	return true
}

// A kiosk linked to a hub on PostgreSQL: its block comes from the hub, its
// invoices wait while the provider is down and nothing is lost, and they
// reach the provider once each and in order when it is back; the kiosk hears
// that each was delivered. (Two processes sharing the series:
// TestTwoHubProcessesNeverDeliverOneSeriesAtOnce.)
func TestInvoicesThroughAHubOnPostgreSQLReachTheProviderOnceAndInOrder(t *testing.T) {
	e, purl := startEmulator(t)
	e.SetDown(true)
	url := pgtest.DB(t)
	admin := openOn(t, url) // `hub kiosk add` on the same database
	tok, err := hubsync.RegisterKiosk(admin, "K01")
	if err != nil {
		t.Fatal(err)
	}
	hubURL := runHub(t, url, e.Settings(purl))
	ks := invoicetest.Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		(&hubsync.Uplink{HubURL: hubURL, KioskID: "K01", Token: tok, Store: ks, Log: quiet()}).Run(ctx)
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	eventually(t, "the hub's block at the kiosk", 10*time.Second, func() bool {
		b, _ := ks.InvoiceBlock()
		return b == pos.InvoiceBlock{From: pos.BlockSize, To: 2*pos.BlockSize - 1}
	})
	invoicetest.Sell(t, ks, 30)
	eventually(t, "the sales at the hub", 10*time.Second, func() bool { d, _ := ks.OutboxDepth(); return d == 0 })
	eventually(t, "the provider tried more than once", 10*time.Second, func() bool { return e.Calls() >= 2 })
	if n := len(e.Published()); n != 0 {
		t.Fatalf("%d published while the provider is down", n)
	}
	if got := kioskStates(t, ks); got[pos.InvoiceIssued] != 30 {
		t.Fatalf("kiosk states while the provider is down: %v", got)
	}
	if sts, _ := admin.Streams(); len(sts) != 1 || sts[0].Next != 1 || sts[0].Highest != 30 || sts[0].LastError == "" {
		t.Fatalf("the series while the provider is down: %+v", sts)
	}
	e.SetDown(false)
	eventually(t, "every invoice published", 10*time.Second, func() bool { return len(e.Published()) >= 30 })
	time.Sleep(200 * time.Millisecond) // a second delivery of any would show now
	if !inOrderOnce(e, 30) {
		var numbers []int64
		for _, p := range e.Published() {
			numbers = append(numbers, p.Number)
		}
		t.Fatalf("published %v, want 1…30 once each", numbers)
	}
	eventually(t, "the series settled", 10*time.Second, func() bool {
		sts, _ := admin.Streams()
		return sts[0].Next == 31 && sts[0].Delivered == 30 && sts[0].LastError == ""
	})
	r, err := hubsync.InvoiceReport(admin, time.Now(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Kiosks) != 1 || r.Kiosks[0].Issued != 30 || r.Kiosks[0].Delivered != 30 {
		t.Fatalf("the day's report: %+v", r.Kiosks)
	}
	eventually(t, "the states at the kiosk", 10*time.Second, func() bool { return kioskStates(t, ks)[pos.InvoiceDelivered] == 30 })
}

// settledElsewhere links K01 to a hub process on a new database and has
// another process, sharing it, deliver K01's two invoices; it answers the
// kiosk's uplink connection.
func settledElsewhere(t *testing.T) *websocket.Conn {
	t.Helper()
	url := pgtest.DB(t)
	other := openOn(t, url) // the process that delivers
	tok, err := hubsync.RegisterKiosk(other, "K01")
	if err != nil {
		t.Fatal(err)
	}
	recs := invoicetest.Sell(t, invoicetest.Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999}), 2)
	if _, err := other.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	hubURL := runHub(t, url, einvoice.Settings{}) // no provider: it delivers nothing itself
	h := http.Header{"Authorization": {"Bearer " + tok}, "X-Kiosk-Id": {"K01"}, "X-Invoicing": {"1"}}
	c, _, err := websocket.DefaultDialer.Dial(strings.Replace(hubURL, "http", "ws", 1)+"/api/v1/uplink", h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var m hubsync.Message
	if err := c.ReadJSON(&m); err != nil || m.Type != "ack" {
		t.Fatalf("greeting: %+v %v", m, err)
	}
	sts, _ := other.Streams()
	b, err := other.NextInvoices(sts[0].Key, 10)
	if err != nil || len(b.Invoices) != 2 {
		t.Fatalf("batch: %+v %v", b.Invoices, err)
	}
	if _, err := other.RecordDelivery(sts[0].Key, hubsync.DeliveryOutcome{Results: []einvoice.Result{
		{Key: b.Invoices[0].Key, Outcome: einvoice.Delivered}, {Key: b.Invoices[1].Key, Outcome: einvoice.Delivered}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return c
}

// expectStates reads the uplink until the two delivered states arrive, for
// at most within.
func expectStates(t *testing.T, c *websocket.Conn, within time.Duration, when string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	for {
		var m hubsync.Message
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("no invoice states %s: %v", when, err)
		}
		if m.Type != "invoice_states" {
			continue
		}
		if len(m.States) != 2 || m.States[0].State != pos.InvoiceDelivered || m.Seq != 2 {
			t.Fatalf("states sent: %+v (seq %d)", m.States, m.Seq)
		}
		return
	}
}

// An invoice state another hub process settled, on the database the kiosk's
// process shares, reaches the kiosk at its next heartbeat (also when the
// process the kiosk links to missed the other's word of it).
func TestStatesSettledByAnotherHubProcessReachTheKioskAtItsHeartbeat(t *testing.T) {
	c := settledElsewhere(t)
	if err := c.WriteJSON(hubsync.Message{Type: "heartbeat"}); err != nil {
		t.Fatal(err)
	}
	expectStates(t, c, 3*time.Second, "after the heartbeat")
}

// An invoice state another hub process settled reaches the kiosk linked to
// this one within seconds, heartbeat or not: the delivery's transaction tells
// every hub process listening on the database. (The hub process may still be
// connecting its listener when the states are settled: they come with the
// wake-up it gives once listening.)
func TestStatesSettledByAnotherHubProcessReachTheKioskAtOnce(t *testing.T) {
	expectStates(t, settledElsewhere(t), 5*time.Second, "within 5 s, no heartbeat sent")
}
