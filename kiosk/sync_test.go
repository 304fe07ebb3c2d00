package kiosk

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

func TestAKioskLinkedToAHubShipsItsSales(t *testing.T) {
	hubDir := t.TempDir()
	tok, err := hubsync.AddKioskCommand(hubsync.HubConfig{DataDir: hubDir}, "K01")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hubDone := make(chan error, 1)
	go func() {
		hubDone <- hubsync.RunHub(ctx, hubsync.HubConfig{DataDir: hubDir, Listener: ln, AdminToken: hubAdminToken, Logger: quietLogger()})
	}()
	stopHub := gosync.OnceFunc(func() { cancel(); <-hubDone })
	defer stopHub()

	k := startKiosk(t, t.TempDir(), func(c *Config) { c.HubURL, c.HubToken = "http://"+ln.Addr().String(), tok })
	body := sale("CM-MO-500", 1)
	body["payments"] = []map[string]any{{"method": "card", "amount": k.product("CM-MO-500").Price}}
	s := k.sell(t, body)
	var st struct {
		Linked       bool   `json:"linked"`
		HubReachable bool   `json:"hub_reachable"`
		OutboxDepth  int    `json:"outbox_depth"`
		LastAcked    uint64 `json:"last_acked"`
	}
	waitFor(t, "the sale acknowledged by the hub", func() bool {
		k.do("GET", "/api/v1/sync", nil).json(t, &st)
		return st.OutboxDepth == 0 && st.LastAcked == 1
	})
	if !st.Linked || !st.HubReachable {
		t.Fatalf("sync status %+v", st)
	}
	k.stop()
	stopHub()
	hs, err := hubsync.OpenHubStore(filepath.Join(hubDir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	sales, _, err := hs.SalesPage("K01", hubsync.SalesCursor{}, 10)
	if err != nil || len(sales) != 1 || sales[0].Sale.ID != s.ID {
		t.Fatalf("hub sales: %+v %v", sales, err)
	}
}

func TestHubWithoutATokenIsAConfigError(t *testing.T) {
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.HubURL = "http://127.0.0.1:9"
	if err := Run(t.Context(), cfg); err == nil {
		t.Fatal("a hub without a token was accepted")
	}
}

func TestCentralPricesFlowDownLiveAndOpenCartsShowThem(t *testing.T) {
	hubDir := t.TempDir()
	tok, err := hubsync.AddKioskCommand(hubsync.HubConfig{DataDir: hubDir}, "K01")
	if err != nil {
		t.Fatal(err)
	}
	// The hub's catalog: the demo honey at a new central price.
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	hs, err := hubsync.OpenHubStore(filepath.Join(hubDir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range demo.Products {
		if demo.Products[i].SKU == "CM-MO-500" {
			demo.Products[i].Price = 250000
		}
	}
	if _, err := hs.PutCatalog(pos.Catalog{Producers: demo.Producers, Products: demo.Products}, time.Now()); err != nil {
		t.Fatal(err)
	}
	hs.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hubDone := make(chan error, 1)
	go func() {
		hubDone <- hubsync.RunHub(ctx, hubsync.HubConfig{DataDir: hubDir, Listener: ln, AdminToken: hubAdminToken, Logger: quietLogger()})
	}()
	defer func() { cancel(); <-hubDone }()

	// A kiosk with the honey in an open cart, linked to the hub.
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.HubURL, c.HubToken = "http://"+ln.Addr().String(), tok })
	waitFor(t, "the central price applied", func() bool { return k.product("CM-MO-500").Price == 250000 })
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500"})
	till.expect("cart")

	// The manager changes the price on the hub: the kiosk follows at once.
	req, _ := http.NewRequest("PUT", "http://"+ln.Addr().String()+"/api/v1/products/CM-MO-500/price", strings.NewReader(`{"price":260000}`))
	req.Header.Set("Authorization", "Bearer "+hubAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("price change on the hub: %v %v", err, res)
	}
	res.Body.Close()
	notice := till.expect("catalog")
	prices, _ := notice["prices"].([]any)
	if len(prices) != 1 || prices[0].(map[string]any)["new"].(float64) != 260000 || prices[0].(map[string]any)["old"].(float64) != 250000 {
		t.Fatalf("price notice %v", notice)
	}
	if total := cartTotal(till.expect("cart")); total != 260000 {
		t.Fatalf("the open cart shows %v, want the new price", total)
	}
	var st struct {
		OutboxDepth int `json:"outbox_depth"`
	}
	k.do("GET", "/api/v1/sync", nil).json(t, &st)
	if st.OutboxDepth != 0 {
		t.Fatalf("outbox %d", st.OutboxDepth)
	}
}
