package sync

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestAStoppingHubClosesItsUplinks: the server's shutdown leaves websockets
// be, so a hub stopped in its process (a test, an embedding program) left
// each kiosk connected to a handler whose store was closed, the kiosk
// believing the hub there and never reconnecting to the one that replaced it.
func TestAStoppingHubClosesItsUplinks(t *testing.T) {
	dir := t.TempDir()
	tok, err := AddKioskCommand(HubConfig{DataDir: dir}, "K01")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunHub(ctx, HubConfig{DataDir: dir, Listener: ln, AdminToken: testAdminToken, Logger: quiet()})
	}()
	u := &Uplink{HubURL: "http://" + ln.Addr().String(), KioskID: "K01", Token: tok, Store: kioskStore(t, "K01"), Log: quiet()}
	runUplink(t, u)
	eventually(t, "the uplink up", 10*time.Second, func() bool { return u.Status().Reachable })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not stop within 10 s")
	}
	eventually(t, "the kiosk seeing the hub gone", 5*time.Second, func() bool { return !u.Status().Reachable })
}
