package netguard

import (
	"bufio"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// guarded is a real TCP server on 127.0.0.1 behind the guard, for which only
// 127.0.0.1 is the server's own machine: clients bound to 127.0.0.2, .3, …
// play distinct LAN addresses. Each admitted connection is answered "hello".
type guarded struct {
	t     *testing.T
	l     *Listener
	addr  string
	conns chan net.Conn
}

func startGuarded(t *testing.T, lim Limits, setup ...func(*Listener)) *guarded {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Wrap(ln, lim, slog.New(slog.DiscardHandler))
	own := netip.MustParseAddr("127.0.0.1")
	l.isLocal = func(a netip.Addr) bool { return a == own }
	for _, f := range setup {
		f(l)
	}
	g := &guarded{t: t, l: l, addr: ln.Addr().String(), conns: make(chan net.Conn, 4096)}
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("hello\n"))
			g.conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-accepting // no send can come after the close below
		close(g.conns)
		for c := range g.conns {
			c.Close()
		}
	})
	return g
}

// dial connects from src and returns the connection and the first line the
// server sent: "hello" when admitted, the HTTP status line when refused.
func (g *guarded) dial(src string) (net.Conn, string) {
	g.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 2 * time.Second}
	c, err := d.Dial("tcp", g.addr)
	if err != nil {
		g.t.Skipf("cannot dial from %s (this system may not route all of 127.0.0.0/8 to loopback): %v", src, err)
	}
	g.t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		g.t.Fatalf("reading from a connection from %s: %v", src, err)
	}
	return c, strings.TrimSpace(line)
}

func (g *guarded) expect(src, want string) net.Conn {
	g.t.Helper()
	c, got := g.dial(src)
	if !strings.HasPrefix(got, want) {
		g.t.Fatalf("a connection from %s got %q, want %q", src, got, want)
	}
	return c
}

// waitOpen waits until the guard counts n public and m trusted connections
// (a closed client is noticed once the server closes its end).
func (g *guarded) waitOpen(public, trusted int) {
	g.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g.l.mu.Lock()
		p, tr := g.l.public, g.l.trusted
		g.l.mu.Unlock()
		if p == public && tr == trusted {
			return
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("open connections: %d public, %d trusted; want %d and %d", p, tr, public, trusted)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOneAddressHoldsAtMostItsShare(t *testing.T) {
	g := startGuarded(t, Limits{PerAddr: 3, Public: 10})
	for range 3 {
		g.expect("127.0.0.2", "hello")
	}
	g.expect("127.0.0.2", "HTTP/1.1 429 Too Many Requests")
	g.expect("127.0.0.3", "hello") // another address is not held back
	g.waitOpen(4, 0)
}

func TestTheLANTogetherHoldsAtMostPublic(t *testing.T) {
	g := startGuarded(t, Limits{PerAddr: 2, Public: 4})
	g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.3", "hello")
	g.expect("127.0.0.3", "hello")
	g.expect("127.0.0.4", "HTTP/1.1 503 Service Unavailable")
}

func TestTheServersOwnMachineIsNeverLimited(t *testing.T) {
	g := startGuarded(t, Limits{PerAddr: 1, Public: 1})
	g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.3", "HTTP/1.1 503")
	for range 50 {
		g.expect("127.0.0.1", "hello")
	}
	g.waitOpen(1, 0)
}

func TestClosingAConnectionFreesItsPlace(t *testing.T) {
	g := startGuarded(t, Limits{PerAddr: 1, Public: 1})
	first := g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.2", "HTTP/1.1 429")
	// The server closes its end when the client goes (as the HTTP server does
	// on EOF); here the test closes both.
	first.Close()
	c := <-g.conns
	c.Close()
	g.waitOpen(0, 0)
	g.expect("127.0.0.2", "hello")
}

func TestATrustedAddressHasRoomWhileTheLANIsFull(t *testing.T) {
	g := startGuarded(t, Limits{PerAddr: 2, Public: 2, TrustedPerAddr: 4, Trusted: 4})
	g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.3", "hello")
	g.expect("127.0.0.4", "HTTP/1.1 503") // the flood filled the LAN's share
	g.expect("127.0.0.5", "HTTP/1.1 503") // so a paired tablet not yet known waits

	g.l.Trust(net.ParseIP("127.0.0.5")) // its token was accepted
	for range 4 {
		g.expect("127.0.0.5", "hello")
	}
	g.expect("127.0.0.5", "HTTP/1.1 429") // its own share is bounded too
	g.waitOpen(2, 4)
}

func TestTrustLapses(t *testing.T) {
	var later atomic.Int64 // how far the clock has been moved
	g := startGuarded(t, Limits{PerAddr: 1, Public: 1, TrustedPerAddr: 2, Trusted: 2, TrustFor: time.Minute},
		func(l *Listener) { l.now = func() time.Time { return time.Now().Add(time.Duration(later.Load())) } })
	g.l.Trust(net.ParseIP("127.0.0.2"))
	g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.2", "hello")
	g.expect("127.0.0.3", "hello")
	later.Store(int64(2 * time.Minute))
	g.expect("127.0.0.2", "HTTP/1.1 429") // a plain LAN address again, with two open
}

func TestAnIPv6DeviceCountsByItsSlash64(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:eeee:dddd:cccc"},
		{"fe80::1", "fe80::abcd:1"},
	} {
		a, b := addrKey(netip.MustParseAddr(tc.a)), addrKey(netip.MustParseAddr(tc.b))
		if a != b {
			t.Errorf("%s and %s count as %s and %s; want one device", tc.a, tc.b, a, b)
		}
	}
	if a, b := addrKey(netip.MustParseAddr("2001:db8:1:2::1")), addrKey(netip.MustParseAddr("2001:db8:1:3::1")); a == b {
		t.Errorf("two /64s count as one: %s", a)
	}
	if a := addrKey(netip.MustParseAddr("192.0.2.7")); a.String() != "192.0.2.7" {
		t.Errorf("an IPv4 address counts as %s", a)
	}
}

func TestLimitsFitUnderTheOpenFileLimit(t *testing.T) {
	d := Limits{}.WithDefaults()
	for _, tc := range []struct {
		name    string
		nofile  int
		lowered bool
	}{
		{"an unknown limit changes nothing", 0, false},
		{"systemd's usual 524288 changes nothing", 524288, false},
		{"1024 files leave room for the defaults", 1024, false},
		{"256 files lower the LAN's share", 256, true},
		{"64 files still admit someone", 64, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, lowered := d.FitFiles(tc.nofile)
			if lowered != tc.lowered {
				t.Fatalf("lowered = %v, want %v (%+v)", lowered, tc.lowered, got)
			}
			if !lowered {
				if got != d {
					t.Fatalf("changed to %+v", got)
				}
				return
			}
			if got.Public < 1 || got.Trusted < 1 {
				t.Fatalf("shut the LAN out: %+v", got)
			}
			if room := tc.nofile - got.Public - got.Trusted; tc.nofile > 64 && room < 64 {
				t.Fatalf("leaves %d files for the server itself: %+v", room, got)
			}
			if got.PerAddr > got.Public {
				t.Fatalf("one address may hold more than the LAN: %+v", got)
			}
		})
	}
}

func TestLimitsThatMakeNoSenseAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		lim  Limits
		ok   bool
	}{
		{"zero means the defaults", Limits{}, true},
		{"a negative share", Limits{PerAddr: -1}, false},
		{"one address above the whole LAN", Limits{PerAddr: 20, Public: 10}, false},
		{"one address alone may fill the LAN", Limits{PerAddr: 10, Public: 10}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.lim.Check(); (err == nil) != tc.ok {
				t.Fatalf("Check(%+v) = %v", tc.lim, err)
			}
		})
	}
}
