package kiosk

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
)

// reverseProxy is a TLS-terminating proxy's plain cousin in front of the
// kiosk: it passes the Host on and adds X-Forwarded-For, as nginx and Caddy
// do. It serves on each of the listeners.
func reverseProxy(t *testing.T, kioskURL string, listeners ...net.Listener) {
	t.Helper()
	u, err := url.Parse(kioskURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: httputil.NewSingleHostReverseProxy(u)}
	for _, ln := range listeners {
		go func() { _ = srv.Serve(ln) }()
	}
	t.Cleanup(func() { _ = srv.Close() })
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestARequestThatCameThroughAProxyIsNotTheKiosksOwnScreen(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for _, h := range [][]string{
		{"X-Forwarded-For", "203.0.113.7"},
		{"X-Forwarded-For", "127.0.0.1"},
		{"Forwarded", "for=203.0.113.7;proto=https"},
		{"X-Real-Ip", "203.0.113.7"},
	} {
		t.Run("a loopback request carrying "+h[0]+": "+h[1]+" needs a token", func(t *testing.T) {
			if r := k.do("GET", "/api/v1/products", nil, h...); r.Status != 401 || r.errCode(t) != "unauthorized" {
				t.Fatalf("%d %.200s, want 401 unauthorized", r.Status, r.Body)
			}
		})
	}
	ln := listen(t, "127.0.0.1:0")
	reverseProxy(t, k.url, ln)
	proxied := "http://" + ln.Addr().String()
	c := &http.Client{}
	if a, err := try(c, "GET", proxied+"/api/v1/products", nil); err != nil || a.status != 401 {
		t.Fatalf("the till API through a proxy on the kiosk machine: %v %d %.200s, want 401", err, a.status, a.body)
	}
	if a, err := try(c, "POST", proxied+"/api/v1/sales", map[string]any{"lines": []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 500000}}}); err != nil || a.status != 401 {
		t.Fatalf("a sale through the proxy: %v %d %.200s, want 401", err, a.status, a.body)
	}
	if a, err := try(c, "GET", proxied+"/healthz", nil); err != nil || a.status != 200 {
		t.Fatalf("a public page through the proxy: %v %d", err, a.status)
	}
	if n := k.salesCount(t); n != 0 {
		t.Fatalf("%d sales through the proxy", n)
	}
}

func TestATrustedProxyPassesOnTheClientsOwnAddress(t *testing.T) {
	lan := newLANDevice(t)
	k := startKiosk(t, t.TempDir(), func(c *Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.Listener = listen(t, "0.0.0.0:0")
	})
	port := portOf(k)
	k.url = "http://127.0.0.1:" + port
	_, tillTok := k.pairDevice(t, "till tablet", roleTill, "T1")

	onLoopback, onLAN := listen(t, "127.0.0.1:0"), listen(t, lan.HostIP+":0")
	reverseProxy(t, k.url, onLoopback, onLAN)
	viaLoopback, viaLAN := "http://"+onLoopback.Addr().String(), "http://"+onLAN.Addr().String()
	device := lan.client()

	// The kiosk's own browser through the proxy is still its own screen.
	if a, err := try(http.DefaultClient, "GET", viaLoopback+"/api/v1/products", nil); err != nil || a.status != 200 {
		t.Fatalf("the kiosk's own screen through the proxy: %v %d %.200s", err, a.status, a.body)
	}
	for _, tt := range []struct {
		name    string
		url     string
		headers []string
	}{
		{"a LAN device through the proxy", viaLAN, nil},
		{"a LAN device through the proxy claiming to be loopback", viaLAN, []string{"X-Forwarded-For", "127.0.0.1"}},
		{"a LAN device straight to the kiosk claiming to be the proxy's client", "http://" + net.JoinHostPort(lan.HostIP, port), []string{"X-Forwarded-For", "127.0.0.1"}},
	} {
		t.Run(tt.name+" needs a token", func(t *testing.T) {
			a, err := try(device, "GET", tt.url+"/api/v1/products", nil, tt.headers...)
			if err != nil || a.status != 401 {
				t.Fatalf("%v %d %.200s, want 401", err, a.status, a.body)
			}
		})
	}
	// Wrong PINs are counted against the device's own address, not the
	// proxy's: the LAN device locks itself out, the kiosk's own screen does
	// not share its lockout.
	auth := "Bearer " + tillTok
	for i := range pinMaxFailures {
		if a, err := try(device, "GET", viaLAN+"/api/v1/manager/check", nil, "Authorization", auth, "X-Manager-Pin", wrongPIN(i)); err != nil || a.status != 403 {
			t.Fatalf("wrong PIN %d through the proxy: %v %d %s", i, err, a.status, a.body)
		}
	}
	if a, err := try(device, "GET", viaLAN+"/api/v1/manager/check", nil, "Authorization", auth, "X-Manager-Pin", testPIN); err != nil || a.status != 429 {
		t.Fatalf("the LAN device after %d wrong PINs: %v %d %s, want 429", pinMaxFailures, err, a.status, a.body)
	}
	if a, err := try(http.DefaultClient, "GET", viaLoopback+"/api/v1/manager/check", nil, "Authorization", auth, "X-Manager-Pin", testPIN); err != nil || a.status != 204 {
		t.Fatalf("the kiosk's own screen through the proxy: %v %d %s, want 204", err, a.status, a.body)
	}
}

func TestAccessSettingsAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies []string
		hosts   []string
		want    string
	}{
		{"a proxy that is no address", []string{"proxy.local"}, nil, `trusted proxy "proxy.local"`},
		{"a prefix that is not one", []string{"10.0.0.0/33"}, nil, `trusted proxy "10.0.0.0/33"`},
		{"a host with a path", nil, []string{"kiosk.local/till"}, `host "kiosk.local/till"`},
		{"a host that is a URL", nil, []string{"http://user@kiosk.local"}, `host "http://user@kiosk.local"`},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := Defaults()
			cfg.DataDir = t.TempDir()
			cfg.TrustedProxies, cfg.Hosts = tt.proxies, tt.hosts
			err := cfg.normalize()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want an error naming %s", err, tt.want)
			}
		})
	}
	cfg := Defaults()
	cfg.DataDir = t.TempDir()
	cfg.TrustedProxies, cfg.Hosts = []string{"127.0.0.1", "::1", "10.8.0.0/24"}, []string{" kiosk.local ", ""}
	if err := cfg.normalize(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.trustedProxies) != 3 || len(cfg.Hosts) != 1 || cfg.Hosts[0] != "kiosk.local" {
		t.Fatalf("proxies %v, hosts %q", cfg.trustedProxies, cfg.Hosts)
	}
}
