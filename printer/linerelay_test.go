package printer

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lineRelay is a serial line with a real pace between the kiosk and a printer:
//
//	kiosk (tarm/serial) ⇄ socat pty pair ⇄ relay ⇄ socat pty pair ⇄ emulator
//
// A socat pty pair alone moves bytes as fast as the machine can, so a job
// "leaves the line" the moment it is written. The relay forwards each way at
// the pace of a line at baud (8N1: baud/10 bytes a second), so a 1 KB receipt
// takes a second at 9600 as on a real printer. It can freeze — forward nothing
// either way, holding what it has, as a printer that hangs and then comes back
// — and inject bytes toward the kiosk, as late status answers arriving from
// requests long given up.
type lineRelay struct {
	kiosk   string // the device the queue opens
	printer string // the device the emulator serves

	toKiosk, toPrinter *os.File // the relay's own ends
	rate               int      // bytes a second

	mu     sync.Mutex
	frozen bool
	thawed chan struct{} // closed when the line thaws; replaced on freezing

	forwarded atomic.Int64 // bytes delivered to the printer
}

// startLineRelay starts two socat pty pairs and the relay between them.
func startLineRelay(t *testing.T, baud int) *lineRelay {
	t.Helper()
	dir := t.TempDir()
	near := startPTYAt(t, filepath.Join(dir, "kiosk-tty"), filepath.Join(dir, "relay-kiosk-tty"))
	far := startPTYAt(t, filepath.Join(dir, "relay-printer-tty"), filepath.Join(dir, "printer-tty"))
	r := &lineRelay{kiosk: near.kiosk, printer: far.printer, rate: baud / 10, thawed: make(chan struct{})}
	close(r.thawed)
	var err error
	if r.toKiosk, err = os.OpenFile(near.printer, os.O_RDWR, 0); err != nil {
		t.Fatal(err)
	}
	if r.toPrinter, err = os.OpenFile(far.kiosk, os.O_RDWR, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.pump(ctx, r.toKiosk, r.toPrinter, &r.forwarded) }()
	go func() { defer wg.Done(); r.pump(ctx, r.toPrinter, r.toKiosk, nil) }()
	t.Cleanup(func() {
		cancel()
		r.toKiosk.Close()
		r.toPrinter.Close()
		r.thaw() // a pump waiting for the thaw sees ctx
		wg.Wait()
	})
	return r
}

// pump forwards from → to at the line's pace, a few bytes at a time, holding
// whatever it has while the line is frozen.
func (r *lineRelay) pump(ctx context.Context, from, to *os.File, count *atomic.Int64) {
	buf := make([]byte, 4096)
	next := time.Now()
	const piece = 8 // bytes per write: 8 ms at 9600 baud
	for {
		n, err := from.Read(buf)
		data := buf[:n]
		for len(data) > 0 {
			if !r.waitThawed(ctx) {
				return
			}
			// Keep the average pace: a late wake-up is made up by the next
			// pieces, but an idle line does not bank time for a burst.
			if now := time.Now(); now.Sub(next) > 50*time.Millisecond {
				next = now
			}
			time.Sleep(time.Until(next))
			c := data[:min(piece, len(data))]
			if _, werr := to.Write(c); werr != nil {
				return
			}
			if count != nil {
				count.Add(int64(len(c)))
			}
			next = next.Add(time.Duration(len(c)) * time.Second / time.Duration(r.rate))
			data = data[len(c):]
		}
		if err != nil || ctx.Err() != nil {
			return
		}
	}
}

func (r *lineRelay) waitThawed(ctx context.Context) bool {
	r.mu.Lock()
	ch := r.thawed
	r.mu.Unlock()
	select {
	case <-ch:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// freeze stops the line both ways; what was sent waits in the relay and the
// ptys, and reaches the other end on thawing.
func (r *lineRelay) freeze() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.frozen {
		r.frozen, r.thawed = true, make(chan struct{})
	}
}

func (r *lineRelay) thaw() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.frozen {
		r.frozen = false
		close(r.thawed)
	}
}

// inject sends bytes to the kiosk as if the printer had sent them.
func (r *lineRelay) inject(t *testing.T, b []byte) {
	t.Helper()
	if _, err := r.toKiosk.Write(b); err != nil {
		t.Fatal(err)
	}
}

// freezableTCPPrinter is an emulated network printer that can freeze (read
// nothing and answer nothing, so what the kiosk sends waits in the sockets)
// and send stale bytes on its open connections.
type freezableTCPPrinter struct {
	emu *Emulator
	ln  net.Listener

	mu     sync.Mutex
	conns  map[net.Conn]bool
	frozen bool
	thawed chan struct{}
}

func startFreezableTCPPrinter(t *testing.T) *freezableTCPPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezableTCPPrinter{emu: NewEmulator(Profiles[DefaultProfile]), ln: ln, conns: map[net.Conn]bool{},
		thawed: make(chan struct{})}
	close(p.thawed)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns[c] = true
			p.mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); p.handle(ctx, c) }()
		}
	}()
	t.Cleanup(func() {
		cancel()
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.thaw()
		wg.Wait()
	})
	return p
}

func (p *freezableTCPPrinter) handle(ctx context.Context, c net.Conn) {
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	buf := make([]byte, 512)
	for {
		if !p.waitThawed(ctx) {
			return
		}
		n, err := c.Read(buf)
		if n > 0 {
			if !p.waitThawed(ctx) { // read just before a freeze: hold it
				return
			}
			p.emu.Write(buf[:n])
			reply := make([]byte, 64)
			for {
				m, _ := p.emu.Read(reply)
				if m == 0 {
					break
				}
				if _, err := c.Write(reply[:m]); err != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *freezableTCPPrinter) waitThawed(ctx context.Context) bool {
	p.mu.Lock()
	ch := p.thawed
	p.mu.Unlock()
	select {
	case <-ch:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

func (p *freezableTCPPrinter) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.frozen {
		p.frozen, p.thawed = true, make(chan struct{})
	}
}

func (p *freezableTCPPrinter) thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen {
		p.frozen = false
		close(p.thawed)
	}
}

// inject sends b on every open connection; it fails the test when there is none.
func (p *freezableTCPPrinter) inject(t *testing.T, b []byte) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) == 0 {
		t.Fatal("no connection to send stale bytes on")
	}
	for c := range p.conns {
		if _, err := c.Write(b); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Fatal(err)
		}
	}
}
