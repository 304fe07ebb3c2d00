package kiosk

import (
	"context"
	"net"
	"path/filepath"
	gosync "sync"
	"testing"

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
		hubDone <- hubsync.RunHub(ctx, hubsync.HubConfig{DataDir: hubDir, Listener: ln, AdminToken: "admin", Logger: quietLogger()})
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
	sales, err := hs.Sales("K01")
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
