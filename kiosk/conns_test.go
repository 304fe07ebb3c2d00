package kiosk

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawRequest sends head (a request line and headers, no body) on a new
// connection and returns the status line the kiosk answers within wait.
func rawRequest(t *testing.T, k *testKiosk, head string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(k.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	return strings.TrimSpace(line)
}

// A body is read whole before any handler runs, so its size is judged from its
// headers: only the catalog import may send more than MaxJSONBody, and a larger
// body elsewhere is refused before a byte of it is read.
func TestABodyTooLargeForItsRouteIsRefusedBeforeItIsRead(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for _, path := range []string{"/pair/claim", "/api/v1/sales", "/api/v1/no-such-route", "/01/08930000000017"} {
		t.Run("8 MiB to "+path, func(t *testing.T) {
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: kiosk\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, 8<<20)
			if got := rawRequest(t, k, head, 3*time.Second); !strings.HasPrefix(got, "HTTP/1.1 413") {
				t.Fatalf("answered %q, want 413 before the body", got)
			}
		})
	}
	t.Run("the catalog import still waits for its body", func(t *testing.T) {
		head := fmt.Sprintf("POST /api/v1/catalog/import?kind=products HTTP/1.1\r\nHost: kiosk\r\nX-Manager-Pin: %s\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n", testPIN, 8<<20)
		if got := rawRequest(t, k, head, 500*time.Millisecond); !strings.HasPrefix(got, "no answer") {
			t.Fatalf("answered %q before the body came", got)
		}
	})
}

func TestTheKioskClosesAHalfSentRequestWithinItsReadTimeout(t *testing.T) {
	const readTimeout = time.Second
	k := startKiosk(t, t.TempDir(), func(c *Config) { c.ReadTimeout = readTimeout })
	for _, tc := range []struct{ name, sent string }{
		{"a connection that sends nothing", ""},
		{"half of the headers", "GET /healthz HTTP/1.1\r\nHost: kiosk\r\n"},
		{"the headers and half the body", "POST /api/v1/sales HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 100\r\n\r\n{\"lines\":"},
	} {
		t.Run(tc.name+" is closed", func(t *testing.T) {
			start := time.Now()
			got := rawRequest(t, k, tc.sent, readTimeout+5*time.Second)
			took := time.Since(start)
			if strings.Contains(got, "timeout") {
				t.Fatalf("still open %v after it was sent (read timeout %v)", took.Round(time.Millisecond), readTimeout)
			}
			if took < readTimeout/2 || took > readTimeout+2*time.Second {
				t.Fatalf("closed after %v (%q), want about the read timeout %v", took, got, readTimeout)
			}
		})
	}
	res, err := http.Get(k.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("a whole request after them: %s", res.Status)
	}
}

func TestConnectionSettingsThatMakeNoSenseAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Config)
		ok   bool
	}{
		{"the defaults", func(*Config) {}, true},
		{"a read timeout of 100 ms", func(c *Config) { c.ReadTimeout = 100 * time.Millisecond }, false},
		{"a read timeout of an hour", func(c *Config) { c.ReadTimeout = time.Hour }, false},
		{"a negative share per address", func(c *Config) { c.Conns.PerAddr = -1 }, false},
		{"one address allowed more than the whole LAN", func(c *Config) { c.Conns.PerAddr, c.Conns.Public = 100, 10 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			cfg.DataDir = t.TempDir()
			tc.set(&cfg)
			if err := cfg.normalize(); (err == nil) != tc.ok {
				t.Fatalf("normalize: %v", err)
			}
		})
	}
}
