package kiosk

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pairDevice pairs a screen through the manager API and answers its id and
// token.
func (k *testKiosk) pairDevice(t testing.TB, name, role, till string) (id, token string) {
	t.Helper()
	r := k.do("POST", "/api/v1/devices", map[string]any{"name": name, "role": role, "till": till}, "X-Manager-Pin", testPIN)
	var d struct{ ID, Token string }
	r.json(t, &d)
	if r.Status != 201 || d.Token == "" {
		t.Fatalf("pairing %s: %d %s", name, r.Status, r.Body)
	}
	return d.ID, d.Token
}

// salesCount is how many records the store holds.
func (k *testKiosk) salesCount(t testing.TB) int {
	t.Helper()
	var list struct{ Count int }
	r := k.do("GET", "/api/v1/sales?order=desc&limit=1000", nil)
	if r.Status != 200 {
		t.Fatalf("listing sales: %d %s", r.Status, r.Body)
	}
	r.json(t, &list)
	return list.Count
}

func TestARevokedTillTabletIsCutOffAtOnce(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	id, tok := k.pairDevice(t, "till tablet", roleTill, "T1")
	tablet, _, err := dialScreen(t, k, "till=T1&role=till&token="+tok, nil)
	if err != nil {
		t.Fatalf("the paired tablet's websocket: %v", err)
	}
	tablet.send(map[string]any{"type": "hello", "v": 1})
	tablet.expect("state")
	tablet.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 1})
	tablet.expect("cart")
	price := k.product("CM-MO-500").Price

	if r := k.do("DELETE", "/api/v1/devices/"+id, nil, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Fatalf("revoking: %d %s", r.Status, r.Body)
	}
	// The stolen tablet tries to go on selling over the connection it holds.
	_ = tablet.conn.WriteJSON(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 1})
	_ = tablet.conn.WriteJSON(map[string]any{"type": "checkout", "ref": "stolen",
		"payments": []map[string]any{{"method": "cash", "amount": 2 * price}}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, err := tablet.next()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Fatalf("the connection ended with %v, want close 1008 (device revoked)", err)
			}
			break
		}
		switch m["type"] {
		case "sale", "cart":
			t.Fatalf("a revoked tablet was still served: %v", m)
		}
		if time.Now().After(deadline) {
			t.Fatal("the revoked tablet's websocket is still open")
		}
	}
	if n := k.salesCount(t); n != 0 {
		t.Fatalf("%d sales made by the revoked tablet", n)
	}
	bearer := "Bearer " + tok
	for _, tt := range []struct{ name, method, path string }{
		{"reading the catalog", "GET", "/api/v1/products"},
		{"selling", "POST", "/api/v1/sales"},
		{"reading the sales", "GET", "/api/v1/sales"},
	} {
		t.Run(tt.name+" with the revoked token is forbidden", func(t *testing.T) {
			var body any
			if tt.method == "POST" {
				body = sale("CM-MO-500", 1)
			}
			if r := k.do(tt.method, tt.path, body, "Authorization", bearer); r.Status != 403 || r.errCode(t) != "forbidden" {
				t.Fatalf("%d %s, want 403 forbidden", r.Status, r.Body)
			}
		})
	}
	if _, resp, err := dialScreen(t, k, "till=T1&role=till&token="+tok, nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a new websocket with the revoked token: %v %v, want 403", err, resp)
	}
}

func TestRevokingOneTabletLeavesTheOthersConnected(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	id, tok := k.pairDevice(t, "till tablet", roleTill, "T1")
	_, keep := k.pairDevice(t, "customer display", roleDisplay, "T1")
	tablet, _, err := dialScreen(t, k, "till=T1&role=till&token="+tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	tablet.send(map[string]any{"type": "hello", "v": 1})
	tablet.expect("state")
	display, _, err := dialScreen(t, k, "till=T1&role=display&token="+keep, nil)
	if err != nil {
		t.Fatal(err)
	}
	display.send(map[string]any{"type": "hello", "v": 1})
	display.expect("state")
	if r := k.do("DELETE", "/api/v1/devices/"+id, nil, "X-Manager-Pin", testPIN); r.Status != 204 {
		t.Fatalf("revoking: %d %s", r.Status, r.Body)
	}
	local, _ := connect(t, k, "till=T1&role=till")
	local.send(map[string]any{"type": "cart.add", "sku": "CM-MO-500", "qty": 1})
	local.expect("cart")
	if m := display.expect("cart"); m["type"] != "cart" {
		t.Fatalf("the display that was not revoked: %v", m)
	}
}
