package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// hubProcess is this binary running as a hub on a database until the test
// ends (or it is killed).
type hubProcess struct {
	url    string
	cmd    *exec.Cmd
	exited chan error
}

func startHubProcess(t *testing.T, db string) *hubProcess {
	t.Helper()
	return startHub(t, filepath.Join(t.TempDir(), "hub-data"), "-db", db)
}

// startHub runs a hub on data (its bbolt store, unless args name a -db) with
// the tests' admin token, on a free loopback port.
func startHub(t *testing.T, data string, args ...string) *hubProcess {
	t.Helper()
	p := &hubProcess{cmd: exec.Command(os.Args[0], append([]string{"-addr", "127.0.0.1:0", "-admin-token", adminToken}, args...)...),
		exited: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1", "HUB_DATA="+data)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		ready := regexp.MustCompile(`msg="hub ready" addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		p.exited <- p.cmd.Wait()
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case err := <-p.exited:
		t.Fatalf("a hub stopped before it was ready: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("a hub was not ready within a minute")
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(20 * time.Second):
				t.Error("a hub did not stop within 20 s of SIGTERM")
				_ = p.cmd.Process.Kill()
			}
		}
	})
	return p
}

// kill stops the hub as a crash would: no shutdown, batches cut midway.
func (p *hubProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// admin asks a hub's admin API.
func (p *hubProcess) admin(t *testing.T, method, path, body string, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// signIn signs a manager in at the hub's sign-in form and answers the
// session's cookie.
func (p *hubProcess) signIn(t *testing.T) *http.Cookie {
	t.Helper()
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(p.url + "/reports/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the sign-in form has no token: %.200s", page)
	}
	req, _ := http.NewRequest("POST", p.url+"/reports/login",
		strings.NewReader(url.Values{"token": {adminToken}, "csrf": {string(m[1])}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.url)
	for _, ck := range res.Cookies() {
		req.AddCookie(ck)
	}
	if res, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "hub_session" && res.StatusCode == http.StatusSeeOther {
			return ck
		}
	}
	t.Fatalf("sign-in: %d, no session cookie", res.StatusCode)
	return nil
}

// page answers the status of a report page asked for with a session cookie.
func (p *hubProcess) page(t *testing.T, session *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+"/reports/reconciliation", nil)
	req.Header.Set("Accept", "application/json")
	req.AddCookie(session)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// linkedKiosk is a kiosk store with the demo catalog, its uplink to a hub,
// and the central prices its uplink received (kept here: the kiosk sells on
// at its own prices).
type linkedKiosk struct {
	id, token string
	store     *pos.Store
	mu        gosync.Mutex
	version   uint64
	prices    map[string]pos.Money
	stop      func()
	// wake makes whichever uplink the kiosk runs look at its outbox now;
	// one channel for all of them, so the sellers never read a field link
	// changes.
	wake chan struct{}
}

func newLinkedKiosk(t *testing.T, id, token string) *linkedKiosk {
	t.Helper()
	ks, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for i := range demo.Products {
		demo.Products[i].Stock = pos.MaxStock
	}
	if err := ks.PutCatalog(demo, "test"); err != nil {
		t.Fatal(err)
	}
	return &linkedKiosk{id: id, token: token, store: ks, prices: map[string]pos.Money{}, wake: make(chan struct{}, 1)}
}

// link runs the kiosk's uplink to hub until unlinked.
func (k *linkedKiosk) link(hub *hubProcess) {
	up := &hubsync.Uplink{HubURL: hub.url, KioskID: k.id, Token: k.token, Store: k.store, Wake: k.wake,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnCatalog: func(cv hubsync.CatalogVersion) error {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.version = cv.Version
			for _, p := range cv.Products {
				k.prices[p.SKU] = p.Price
			}
			return nil
		},
		CatalogVersion: func() uint64 { k.mu.Lock(); defer k.mu.Unlock(); return k.version },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { up.Run(ctx); close(done) }()
	k.stop = func() { cancel(); <-done }
}

func (k *linkedKiosk) price(sku string) pos.Money {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.prices[sku]
}

func waitUntil(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two hub processes on one database, K01 linked to one and K02 to the other:
// a price changed through either reaches both kiosks within seconds; the
// first hub killed while K01's sales stream in, K01 moves to the second, and
// the database holds every sale of both kiosks exactly once.
func TestTwoHubProcessesOnOneDatabase(t *testing.T) {
	db := pgtest.DB(t)
	a, b := startHubProcess(t, db), startHubProcess(t, db)
	data := filepath.Join(t.TempDir(), "hub-data")
	token := func(id string) string {
		out := hub(t, data, "kiosk", "add", id, "-db", db)
		m := regexp.MustCompile(`its token \(shown once\): (\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("hub kiosk add said %q", out)
		}
		return m[1]
	}
	k01, k02 := newLinkedKiosk(t, "K01", token("K01")), newLinkedKiosk(t, "K02", token("K02"))
	k01.link(a)
	k02.link(b)
	defer func() { k01.stop(); k02.stop() }()
	const sku = "CM-MO-500"
	waitUntil(t, "both kiosks following the seeded catalog", 20*time.Second, func() bool {
		return k01.price(sku) == 220000 && k02.price(sku) == 220000
	})

	for _, tt := range []struct {
		through *hubProcess
		price   pos.Money
	}{{a, 235000}, {b, 238000}} {
		tt.through.admin(t, "PUT", "/api/v1/products/"+sku+"/price", fmt.Sprintf(`{"price":%d}`, tt.price), nil)
		waitUntil(t, fmt.Sprintf("the price %d at both kiosks", tt.price), 10*time.Second, func() bool {
			return k01.price(sku) == tt.price && k02.price(sku) == tt.price
		})
	}

	// A manager signs in at the first hub, which is killed below.
	session := a.signIn(t)

	// Both kiosks sell on; K01's hub dies while its batches arrive.
	var sold atomic.Int64
	selling, stopSelling := context.WithCancel(context.Background())
	var wg gosync.WaitGroup
	for _, k := range []*linkedKiosk{k01, k02} {
		wg.Go(func() {
			for selling.Err() == nil {
				if _, _, err := k.store.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: sku, Qty: 1}},
					Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, ""); err != nil {
					t.Error(err)
					return
				}
				sold.Add(1)
				select {
				case k.wake <- struct{}{}:
				default:
				}
			}
		})
	}
	defer func() { stopSelling(); wg.Wait() }()
	waitUntil(t, "K01's sales arriving at the first hub", 20*time.Second, func() bool {
		var k struct {
			Kiosks []struct {
				ID    string `json:"id"`
				Acked uint64 `json:"acked"`
			} `json:"kiosks"`
		}
		a.admin(t, "GET", "/api/v1/kiosks", "", &k)
		for _, x := range k.Kiosks {
			if x.ID == "K01" && x.Acked >= 200 {
				return true
			}
		}
		return false
	})
	a.kill(t)
	k01.stop()
	k01.link(b)
	time.Sleep(500 * time.Millisecond) // K01 sells on, now to the second hub
	stopSelling()
	wg.Wait()
	for _, k := range []*linkedKiosk{k01, k02} {
		waitUntil(t, k.id+" synced to the second hub", 30*time.Second, func() bool {
			d, _ := k.store.OutboxDepth()
			return d == 0
		})
	}

	for _, k := range []*linkedKiosk{k01, k02} {
		local, err := k.store.Outbox(0, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		after := ""
		for {
			var page struct {
				Sales []hubsync.HubSale `json:"sales"`
				Next  string            `json:"next"`
			}
			b.admin(t, "GET", "/api/v1/sales?limit=500&kiosk="+k.id+"&after="+url.QueryEscape(after), "", &page)
			for _, s := range page.Sales {
				seen[s.Sale.ID]++
				if s.Mismatch != "" {
					t.Errorf("%s flagged: %s", s.Sale.ReceiptNo, s.Mismatch)
				}
			}
			if after = page.Next; after == "" {
				break
			}
		}
		if len(seen) != len(local) {
			t.Errorf("the hubs hold %d of %s's %d records", len(seen), k.id, len(local))
		}
		for _, r := range local {
			if seen[r.SaleID] != 1 {
				t.Errorf("%s's record %d held %d times", k.id, r.Seq, seen[r.SaleID])
			}
		}
	}
	if got := b.page(t, session); got != http.StatusOK {
		t.Errorf("the session started at the killed hub, at the other: %d", got)
	}
	var r hubsync.Reconciliation
	b.admin(t, "GET", "/api/v1/reconciliation", "", &r)
	for _, kd := range r.Kiosks {
		if kd.MissingReceipts != 0 || len(kd.DuplicateReceipts) != 0 {
			t.Errorf("%s: %d receipts missing, %v held twice", kd.KioskID, kd.MissingReceipts, kd.DuplicateReceipts)
		}
	}
	t.Logf("%d sales made while the first hub was killed and K01 moved", sold.Load())
}
