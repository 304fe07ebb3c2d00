package sync

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runHub serves RunHub with cfg on 127.0.0.1 until the test ends.
func runHub(t *testing.T, cfg HubConfig) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listener, cfg.DataDir, cfg.AdminToken, cfg.Logger = ln, filepath.Join(t.TempDir(), "hub"), testAdminToken, quiet()
	ready := make(chan string, 1)
	cfg.Ready = func(addr string) { ready <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunHub(ctx, cfg) }()
	stopped := false
	t.Cleanup(func() {
		cancel()
		if !stopped {
			<-done
		}
	})
	select {
	case addr := <-ready:
		return addr
	case err := <-done:
		stopped = true
		t.Fatalf("hub did not start: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("hub did not start within 10 s")
	}
	return ""
}

func TestHubClosesAHalfSentRequestWithinItsReadTimeout(t *testing.T) {
	const readTimeout = time.Second
	addr := runHub(t, HubConfig{ReadTimeout: readTimeout})
	for _, tc := range []struct{ name, sent string }{
		{"a connection that sends nothing", ""},
		{"half of the headers", "GET /healthz HTTP/1.1\r\nHost: hub\r\n"},
		{"the headers and half the body", "POST /api/v1/kiosks HTTP/1.1\r\nHost: hub\r\nContent-Length: 100\r\n\r\n{\"id\":"},
	} {
		t.Run(tc.name+" is closed", func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			if _, err := c.Write([]byte(tc.sent)); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(readTimeout + 5*time.Second))
			r := bufio.NewReader(c)
			first, _ := r.ReadString('\n')
			for {
				if _, err := r.ReadByte(); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						t.Fatalf("still open %v after it was sent (read timeout %v)", time.Since(start).Round(time.Millisecond), readTimeout)
					}
					break
				}
			}
			took := time.Since(start)
			if took < readTimeout/2 || took > readTimeout+2*time.Second {
				t.Fatalf("closed after %v, want about the read timeout %v", took, readTimeout)
			}
			if first != "" && !strings.HasPrefix(first, "HTTP/1.1 408") {
				t.Errorf("answered %q before closing; want 408 or nothing", first)
			}
		})
	}
	// A whole request is still answered.
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("healthz: %s", res.Status)
	}
}
