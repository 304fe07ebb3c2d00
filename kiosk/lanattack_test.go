//go:build linux

package kiosk

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestAnAttackerOnTheFairLANGetsNoFurtherThanThePublicPages plays a device on
// the fair's Wi-Fi with an address of its own (a network namespace), trying
// what the kiosk's own screen may do.
func TestAnAttackerOnTheFairLANGetsNoFurtherThanThePublicPages(t *testing.T) {
	lan := newLANDevice(t)
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.Listener = listen(t, "0.0.0.0:0") })
	port := portOf(k)
	k.url = "http://127.0.0.1:" + port
	code := k.openPairing(t)
	kiosk := "http://" + net.JoinHostPort(lan.HostIP, port)
	c := lan.client()
	for _, tt := range []struct {
		name, method, path string
		headers            []string
		status             int
	}{
		{"reading the catalog", "GET", "/api/v1/products", nil, 401},
		{"reading the catalog as the kiosk's own proxy client", "GET", "/api/v1/products", []string{"X-Forwarded-For", "127.0.0.1"}, 401},
		{"selling with a text/plain body", "POST", "/api/v1/sales", []string{"Content-Type", "text/plain"}, 401},
		{"trying the PIN", "GET", "/api/v1/manager/check", []string{"X-Manager-Pin", testPIN}, 401},
		{"trying a made-up token", "GET", "/api/v1/sales", []string{"Authorization", "Bearer made-up"}, 403},
		{"the health page", "GET", "/healthz", nil, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := try(c, tt.method, kiosk+tt.path, nil, tt.headers...)
			if err != nil || a.status != tt.status {
				t.Fatalf("%v %d %.200s, want %d", err, a.status, a.body, tt.status)
			}
		})
	}
	t.Run("the websocket", func(t *testing.T) {
		d := websocket.Dialer{NetDialContext: lan.dial, HandshakeTimeout: 5 * time.Second}
		_, resp, err := d.Dial("ws://"+net.JoinHostPort(lan.HostIP, port)+"/ws?till=T1&role=till", nil)
		if err == nil || resp == nil || resp.StatusCode != 401 {
			t.Fatalf("%v %v, want 401", err, resp)
		}
		_, resp, err = d.Dial("ws://"+net.JoinHostPort(lan.HostIP, port)+"/ws?till=T1&role=till",
			http.Header{"Host": {"rebind.example:" + port}, "Origin": {"http://rebind.example:" + port}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusMisdirectedRequest {
			t.Fatalf("rebinding: %v %v, want 421", err, resp)
		}
	})
	t.Run("guessing the pairing code", func(t *testing.T) {
		checked := 0
		for i := range 3 * pairingMaxClaims {
			a, err := try(c, "POST", kiosk+"/pair/claim", map[string]any{"code": otherCode(code, i)})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case a.status == 404:
				checked++
			case a.status != 429 || a.retryAfter == "":
				t.Fatalf("guess %d: %d %s", i, a.status, a.body)
			}
		}
		if checked != pairingMaxClaims {
			t.Fatalf("%d codes checked from one address, want %d", checked, pairingMaxClaims)
		}
		// The manager's code still pairs the screen it was meant for.
		a, err := try(http.DefaultClient, "POST", k.url+"/pair/claim", map[string]any{"code": code})
		if err != nil || a.status != 201 || !strings.Contains(string(a.body), "token") {
			t.Fatalf("the right code from another address: %v %d %s", err, a.status, a.body)
		}
	})
	if n := k.salesCount(t); n != 0 {
		t.Fatalf("%d sales from the LAN", n)
	}
}
