package kiosk

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// testHub is a hub served in-process on a loopback port, from a data folder
// that outlives it (so that it can be stopped, its store copied or put back,
// and started again on the same address).
type testHub struct {
	t    *testing.T
	dir  string
	addr string
	stop func()
}

func startTestHub(t *testing.T, dir, addr string) *testHub {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- hubsync.RunHub(ctx, hubsync.HubConfig{DataDir: dir, Listener: ln, AdminToken: hubAdminToken, Logger: quietLogger()})
	}()
	h := &testHub{t: t, dir: dir, addr: ln.Addr().String()}
	h.stop = gosync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(h.stop)
	return h
}

// admin sends an admin request to the hub and answers its status and body.
func (h *testHub) admin(method, path, body string) (int, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(method, "http://"+h.addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+hubAdminToken)
	req.Close = true // the hub may have been restarted since the last request
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s on the hub: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (h *testHub) mustAdmin(method, path, body string) []byte {
	h.t.Helper()
	status, b := h.admin(method, path, body)
	if status >= 300 {
		h.t.Fatalf("%s %s on the hub: %d %s", method, path, status, b)
	}
	return b
}

// kioskPromotions is the kiosk's list of running promotions by id.
func kioskPromotions(t *testing.T, k *testKiosk) map[string]pos.Promotion {
	t.Helper()
	var list struct{ Promotions []pos.Promotion }
	k.do("GET", "/api/v1/promotions", nil).json(t, &list)
	out := map[string]pos.Promotion{}
	for _, p := range list.Promotions {
		out[p.ID] = p
	}
	return out
}

// newLinkedKioskAndHub registers K01 on a new hub and starts both, the kiosk
// linked to the hub.
func newLinkedKioskAndHub(t *testing.T) (*testHub, string, func() *testKiosk) {
	t.Helper()
	hubDir := t.TempDir()
	tok, err := hubsync.AddKioskCommand(hubsync.HubConfig{DataDir: hubDir}, "K01")
	if err != nil {
		t.Fatal(err)
	}
	h := startTestHub(t, hubDir, "127.0.0.1:0")
	kioskDir := t.TempDir()
	start := func() *testKiosk {
		return startKiosk(t, kioskDir, func(c *Config) { c.HubURL, c.HubToken = "http://"+h.addr, tok })
	}
	return h, kioskDir, start
}

const (
	hubHoneyPromo = `{"id":"KM-HUB","name":"Hội chợ: mật ong −10 %","kind":"percent","scope":"sku","target":"CM-MO-500","percent":10,"bearer":"producer"}`
	// The kiosk's own, on the smaller jar.
	kioskPromo = `{"id":"KM-QUAY","name":"Mật ong 250 ml −5 %","kind":"percent","scope":"sku","target":"CM-MO-250","percent":5,"bearer":"booth"}`
)

func TestAPromotionMadeOnTheHubPricesTheKiosksNextSale(t *testing.T) {
	h, _, start := newLinkedKioskAndHub(t)
	k := start()
	if r := k.do("POST", "/api/v1/promotions", kioskPromo, "X-Manager-Pin", testPIN); r.Status != 201 {
		t.Fatalf("the kiosk's own promotion: %d %s", r.Status, r.Body)
	}
	price := k.product(honeySKU).Price
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "cart.add", "sku": honeySKU})
	if total := cartTotal(till.expect("cart")); total != float64(price) {
		t.Fatalf("the cart before: %v", total)
	}

	h.mustAdmin("POST", "/api/v1/promotions", hubHoneyPromo)
	t.Run("an open cart is priced again at once", func(t *testing.T) {
		till.expect("promotions")
		if total := cartTotal(till.expect("cart")); total != float64(price-price/10) {
			t.Errorf("the open cart shows %v, want %d", total, price-price/10)
		}
	})
	t.Run("the kiosk lists it as the hub's beside its own", func(t *testing.T) {
		ps := kioskPromotions(t, k)
		if hub, own := ps["KM-HUB"], ps["KM-QUAY"]; hub.Origin != pos.OriginHub || hub.Bearer != pos.BearerProducer || own.Origin != "" || own.Name == "" {
			t.Errorf("promotions %+v", ps)
		}
	})
	t.Run("the next sale gets it", func(t *testing.T) {
		s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1}}, "payments": cashPay(int64(price))})
		if len(s.Promotions) != 1 || s.Promotions[0].ID != "KM-HUB" || s.Promotions[0].Saved != price/10 || s.Total != price-price/10 {
			t.Errorf("sale %d, promotions %+v", s.Total, s.Promotions)
		}
	})
	t.Run("a manager at the kiosk cannot change or end it", func(t *testing.T) {
		edit := strings.Replace(hubHoneyPromo, `"percent":10`, `"percent":50`, 1)
		if r := k.do("PUT", "/api/v1/promotions/KM-HUB", edit, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "promotion_from_hub" {
			t.Errorf("PUT: %d %s", r.Status, r.Body)
		}
		if r := k.do("DELETE", "/api/v1/promotions/KM-HUB", nil, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "promotion_from_hub" {
			t.Errorf("DELETE: %d %s", r.Status, r.Body)
		}
		if p := kioskPromotions(t, k)["KM-HUB"]; p.Percent != 10_00 {
			t.Errorf("after the refusals: %+v", p)
		}
	})

	h.mustAdmin("PUT", "/api/v1/promotions/KM-HUB", strings.Replace(hubHoneyPromo, `"percent":10`, `"percent":20`, 1))
	t.Run("a changed promotion replaces the old", func(t *testing.T) {
		waitFor(t, "the change at the kiosk", func() bool { return kioskPromotions(t, k)["KM-HUB"].Percent == 20_00 })
		s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1}}, "payments": cashPay(int64(price))})
		if len(s.Promotions) != 1 || s.Promotions[0].Saved != price/5 {
			t.Errorf("promotions %+v", s.Promotions)
		}
	})

	h.mustAdmin("DELETE", "/api/v1/promotions/KM-HUB", "")
	t.Run("a promotion ended on the hub ends at the kiosk; the kiosk's own stays", func(t *testing.T) {
		waitFor(t, "the end at the kiosk", func() bool { _, ok := kioskPromotions(t, k)["KM-HUB"]; return !ok })
		if _, ok := kioskPromotions(t, k)["KM-QUAY"]; !ok {
			t.Error("the kiosk's own promotion went with it")
		}
		s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1}}, "payments": cashPay(int64(price))})
		if len(s.Promotions) != 0 || s.Total != price {
			t.Errorf("sale %d, promotions %+v", s.Total, s.Promotions)
		}
	})

	t.Run("the hub's reconciliation and settlement show what it gave, borne by the producer", func(t *testing.T) {
		waitFor(t, "the sales at the hub", func() bool {
			var st struct {
				OutboxDepth int `json:"outbox_depth"`
			}
			k.do("GET", "/api/v1/sync", nil).json(t, &st)
			return st.OutboxDepth == 0
		})
		var r hubsync.Reconciliation
		if err := json.Unmarshal(h.mustAdmin("GET", "/api/v1/reconciliation", ""), &r); err != nil {
			t.Fatal(err)
		}
		want := hubsync.PromotionGiven{ID: "KM-HUB", Name: "Hội chợ: mật ong −10 %", Kind: pos.PromoPercent, Bearer: pos.BearerProducer,
			Lines: 2, Saved: price/10 + price/5}
		if len(r.Kiosks) != 1 || len(r.Kiosks[0].ByPromotion) != 1 || r.Kiosks[0].ByPromotion[0] != want {
			t.Errorf("reconciliation's promotions %+v, want %+v", r.Kiosks, want)
		}
		var s hubsync.Settlement
		if err := json.Unmarshal(h.mustAdmin("GET", "/api/v1/settlement", ""), &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Producers) != 1 || s.Producers[0].Promotions != want.Saved || s.Producers[0].Net != 3*price-want.Saved {
			t.Errorf("settlement %+v", s.Producers)
		}
	})
}

func TestAKioskOfflineWhenAPromotionWasMadeGetsItWhenItReturns(t *testing.T) {
	h, _, start := newLinkedKioskAndHub(t)
	k := start()
	waitFor(t, "the kiosk linked", func() bool {
		var st struct {
			Reachable bool `json:"hub_reachable"`
		}
		k.do("GET", "/api/v1/sync", nil).json(t, &st)
		return st.Reachable
	})
	k.stop()

	h.mustAdmin("POST", "/api/v1/promotions", hubHoneyPromo)
	k = start()
	waitFor(t, "the promotion at the returning kiosk", func() bool { return kioskPromotions(t, k)["KM-HUB"].Origin == pos.OriginHub })
	price := k.product(honeySKU).Price

	t.Run("with the hub gone, the kiosk keeps its last set, also across a restart", func(t *testing.T) {
		h.stop()
		k.stop()
		k = start()
		s := k.sell(t, map[string]any{"lines": []map[string]any{{"sku": honeySKU, "qty": 1}}, "payments": cashPay(int64(price))})
		if len(s.Promotions) != 1 || s.Promotions[0].ID != "KM-HUB" {
			t.Errorf("promotions %+v", s.Promotions)
		}
	})
}

func TestAKioskFollowsAHubPutBackFromAnOlderCopy(t *testing.T) {
	h, _, start := newLinkedKioskAndHub(t)
	k := start()
	h.mustAdmin("POST", "/api/v1/promotions", hubHoneyPromo)
	waitFor(t, "the first promotion at the kiosk", func() bool { _, ok := kioskPromotions(t, k)["KM-HUB"]; return ok })

	// The hub's store is copied while the hub is stopped, as an operator does.
	h.stop()
	old, err := os.ReadFile(filepath.Join(h.dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	h = startTestHub(t, h.dir, h.addr)
	h.mustAdmin("PUT", "/api/v1/promotions/KM-HUB", strings.Replace(hubHoneyPromo, `"percent":10`, `"percent":20`, 1))
	h.mustAdmin("POST", "/api/v1/promotions", strings.NewReplacer(`"KM-HUB"`, `"KM-250"`, "CM-MO-500", "CM-MO-250").Replace(hubHoneyPromo))
	waitFor(t, "the later promotions at the kiosk", func() bool {
		ps := kioskPromotions(t, k)
		return ps["KM-HUB"].Percent == 20_00 && ps["KM-250"].ID != ""
	})

	// The disk fails; the copy is put back: the hub's promotions went back.
	h.stop()
	if err := os.WriteFile(filepath.Join(h.dir, "hub.db"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	startTestHub(t, h.dir, h.addr)
	waitFor(t, "the kiosk back at the copy's promotions", func() bool {
		ps := kioskPromotions(t, k)
		_, later := ps["KM-250"]
		return ps["KM-HUB"].Percent == 10_00 && !later
	})
}

// TestTheHubProcessSendsItsPromotionsAcrossAKill: the hub binary as its own
// process, killed with SIGKILL after a promotion was made: the promotion was
// durable, and a change made after the restart reaches the kiosk.
func TestTheHubProcessSendsItsPromotionsAcrossAKill(t *testing.T) {
	hubDir := t.TempDir()
	tok := addKioskToHub(t, hubDir, "K01")
	addr := freeAddr(t)
	hub := startHubProcess(t, hubDir, addr)
	h := &testHub{t: t, dir: hubDir, addr: addr}
	h.mustAdmin("POST", "/api/v1/promotions", hubHoneyPromo)
	hub.kill(t)

	k := startKiosk(t, t.TempDir(), func(c *Config) { c.HubURL, c.HubToken = "http://"+addr, tok })
	hub = startHubProcess(t, hubDir, addr)
	waitFor(t, "the promotion at the kiosk", func() bool { return kioskPromotions(t, k)["KM-HUB"].Percent == 10_00 })
	h.mustAdmin("PUT", "/api/v1/promotions/KM-HUB", strings.Replace(hubHoneyPromo, `"percent":10`, `"percent":15`, 1))
	waitFor(t, "the change at the kiosk", func() bool { return kioskPromotions(t, k)["KM-HUB"].Percent == 15_00 })
	hub.kill(t)
}
