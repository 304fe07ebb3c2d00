// Package netguard keeps a server answering while its network misbehaves. Its
// Listener never gives up on a temporary accept error (too many open files, no
// buffers, a connection that died in the queue): it backs off and goes on. And
// it admits connections by address, so that a flood from the LAN cannot take
// the connections the kiosk's own screen (loopback) and its paired devices
// need. The kiosk and the hub both serve through it; it imports neither.
package netguard

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Backoff after a temporary accept error: the first wait, and the most it
// grows to (doubling), as net/http does.
const (
	firstBackoff = 5 * time.Millisecond
	maxBackoff   = time.Second
)

// A flood's refused connections, and a long run of accept errors, are logged
// once a minute at most. A run of accept errors ends once accepting has gone
// well for troubleQuiet.
const (
	refusalLogEvery = time.Minute
	troubleQuiet    = time.Second
)

// Listener wraps a net.Listener: Accept retries temporary errors and refuses,
// at once, connections over the limits. Use it as the server's listener and
// call Trust when a request from an address carried a valid device token.
type Listener struct {
	net.Listener
	lim Limits
	log *slog.Logger

	// Hooks the tests replace: the clock, the backoff sleep, and what counts
	// as the server's own machine.
	now     func() time.Time
	sleep   func(time.Duration)
	isLocal func(netip.Addr) bool

	mu      sync.Mutex
	perAddr map[netip.Addr]int // open LAN connections by address key
	public  int                // open connections in the public pool
	trusted int                // open connections in the trusted pool
	trust   map[netip.Addr]time.Time
	refused refusals
	trouble trouble
}

// trouble is a run of temporary accept errors.
type trouble struct {
	failures            int
	since, last, logged time.Time
}

// refusals counts connections refused since the last log line.
type refusals struct {
	perAddr, full int
	last          netip.Addr
	logged        time.Time
}

// Wrap guards ln. Zero fields of lim get the defaults, and the LAN's share is
// fitted under the process's open-file limit.
func Wrap(ln net.Listener, lim Limits, log *slog.Logger) *Listener {
	if log == nil {
		log = slog.Default()
	}
	lim = lim.WithDefaults()
	if fitted, lowered := lim.FitFiles(OpenFileLimit()); lowered {
		log.Warn("the open-file limit is low: fewer LAN connections are admitted so that the till is always served",
			"open_files", OpenFileLimit(), "lan_connections", fitted.Public, "paired_device_connections", fitted.Trusted)
		lim = fitted
	}
	return &Listener{Listener: ln, lim: lim, log: log, now: time.Now, sleep: time.Sleep,
		isLocal: netip.Addr.IsLoopback, perAddr: map[netip.Addr]int{}, trust: map[netip.Addr]time.Time{}}
}

// Accept returns the next admitted connection. A temporary error is never
// returned: Accept waits (5 ms, doubling up to 1 s) and tries again. A run of
// errors is logged when it starts, once a minute while it lasts, and when it
// is over. Only a closed listener or an error it does not know ends Accept.
func (l *Listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !Temporary(err) {
				return nil, err
			}
			l.acceptFailed(err)
			delay = min(max(2*delay, firstBackoff), maxBackoff)
			l.sleep(delay)
			continue
		}
		delay = 0
		l.accepted()
		if gc := l.admit(c); gc != nil {
			return gc, nil
		}
	}
}

func (l *Listener) acceptFailed(err error) {
	now := l.now()
	l.mu.Lock()
	t := &l.trouble
	first, remind := t.failures == 0, t.failures > 0 && now.Sub(t.logged) >= refusalLogEvery
	if first {
		t.since = now
	}
	if first || remind {
		t.logged = now
	}
	t.failures++
	t.last = now
	failures, since := t.failures, t.since
	l.mu.Unlock()
	switch {
	case first:
		l.log.Warn("cannot accept connections; backing off and trying again", "err", err)
	case remind:
		l.log.Warn("still cannot accept connections all the time", "err", err, "failed_accepts", failures, "for", now.Sub(since).Round(time.Second))
	}
}

func (l *Listener) accepted() {
	now := l.now()
	l.mu.Lock()
	t := l.trouble
	over := t.failures > 0 && now.Sub(t.last) >= troubleQuiet
	if over {
		l.trouble = trouble{}
	}
	l.mu.Unlock()
	if over {
		l.log.Info("accepting connections again", "failed_accepts", t.failures, "for", t.last.Sub(t.since).Round(time.Millisecond))
	}
}

// Temporary tells an accept error worth waiting out from one that ends the
// listener (closed, or unknown).
func Temporary(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return temporaryErrnoOf(errno)
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Trust gives ip the room of a paired device for TrustFor from now. Only call
// it after the request from ip carried a valid token.
func (l *Listener) Trust(ip net.IP) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return
	}
	a = a.Unmap()
	if l.isLocal(a) {
		return
	}
	key := addrKey(a)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.trust) >= 256 {
		for k, until := range l.trust {
			if now.After(until) {
				delete(l.trust, k)
			}
		}
	}
	l.trust[key] = now.Add(l.lim.TrustFor)
}

// pool is where an admitted LAN connection is counted.
type pool uint8

const (
	poolPublic pool = iota + 1
	poolTrusted
)

// admit counts c in or refuses it; it returns nil when c was refused.
func (l *Listener) admit(c net.Conn) net.Conn {
	a := remoteAddr(c)
	if !a.IsValid() || l.isLocal(a) {
		return c
	}
	key := addrKey(a)
	now := l.now()
	l.mu.Lock()
	n := l.perAddr[key]
	until, trusted := l.trust[key]
	trusted = trusted && now.Before(until)
	var p pool
	perAddr := l.lim.PerAddr
	if trusted {
		perAddr = l.lim.TrustedPerAddr
	}
	switch {
	case n >= perAddr:
	case trusted && l.trusted < l.lim.Trusted:
		p = poolTrusted
		l.trusted++
	case l.public < l.lim.Public:
		p = poolPublic
		l.public++
	}
	if p != 0 {
		l.perAddr[key] = n + 1
		l.mu.Unlock()
		return &conn{Conn: c, l: l, key: key, pool: p}
	}
	status := "503 Service Unavailable"
	if n >= perAddr {
		status = "429 Too Many Requests"
		l.refused.perAddr++
	} else {
		l.refused.full++
	}
	l.refused.last = a
	var logNow refusals
	if now.Sub(l.refused.logged) >= refusalLogEvery {
		logNow = l.refused
		l.refused = refusals{logged: now}
	}
	l.mu.Unlock()
	if logNow.last.IsValid() {
		l.log.Warn("refusing LAN connections over the limits", "over_per_address", logNow.perAddr, "lan_full", logNow.full,
			"last_address", logNow.last, "per_address", perAddr, "lan", l.lim.Public)
	}
	refuse(c, status)
	return nil
}

// refuse answers a connection it will not serve and closes it. The socket is
// new, so the short answer fits its send buffer and the write does not wait.
func refuse(c net.Conn, status string) {
	const body = "too many connections: try again in a few seconds\n"
	_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	_, _ = c.Write([]byte("HTTP/1.1 " + status + "\r\nRetry-After: 5\r\nConnection: close\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
	_ = c.Close()
}

// release gives back an admitted connection's place.
func (l *Listener) release(key netip.Addr, p pool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.perAddr[key]; n <= 1 {
		delete(l.perAddr, key)
	} else {
		l.perAddr[key] = n - 1
	}
	switch p {
	case poolPublic:
		l.public--
	case poolTrusted:
		l.trusted--
	}
}

// conn is an admitted LAN connection; closing it (once) frees its place.
type conn struct {
	net.Conn
	l      *Listener
	key    netip.Addr
	pool   pool
	closed atomic.Bool
}

func (c *conn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.release(c.key, c.pool)
	}
	return c.Conn.Close()
}

func remoteAddr(c net.Conn) netip.Addr {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		a, _ := netip.AddrFromSlice(ta.IP)
		return a.Unmap()
	}
	return netip.Addr{}
}

// addrKey is what one device is counted by: its IPv4 address, or its IPv6 /64.
func addrKey(a netip.Addr) netip.Addr {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}
