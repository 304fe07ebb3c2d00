package printer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/tarm/serial"
)

// ---- serial ----

// serialPort drives a printer over tarm/serial. tarm/serial has no flow control,
// blocking writes and a Flush that throws away unsent data, so writes go out in
// chunks of about 100 ms of line time, each watched: a chunk that has not gone
// out well after its line time fails the job with ErrStalled and drops the port,
// to be reopened when the printer is back.
//
// What tarm/serial cannot do: a blocked write cannot be interrupted. Closing its
// file does not unblock the write (Go closes the descriptor only when the write
// returns), so the watchdog abandons the writing goroutine, which ends when the
// device errors or drains. On a real UART without flow control writes always
// drain at the baud rate; the stall happens with USB adapters whose device went
// away without an error, and with pseudo-terminals nobody reads.
//
// Status requests wait for the line: Write returns once the kernel holds the
// bytes, long before a printer at 9600 baud has them (a 1 KB receipt takes a
// second), and a DLE EOT sent then queues behind the job. So the port keeps
// the time by which everything written can have left the line at the baud,
// and Query waits for it, plus a margin, before it drains the input and asks.
type serialPort struct {
	mu      sync.Mutex
	p       *serial.Port
	in      *replyReader
	set     serialSettings
	name    string
	lineEnd time.Time // when every byte written so far can have left the line
	settle  time.Time // lineEnd of the last job plus a margin: no question before
}

func openSerial(t Target) (Port, error) {
	set, err := t.serialConfig()
	if err != nil {
		return nil, err
	}
	parity := map[byte]serial.Parity{'N': serial.ParityNone, 'E': serial.ParityEven, 'O': serial.ParityOdd}[set.Parity]
	stop := serial.Stop1
	if set.StopBits == 2 {
		stop = serial.Stop2
	}
	p, err := serial.OpenPort(&serial.Config{Name: t.Path, Baud: set.Baud, Size: byte(set.DataBits), Parity: parity,
		StopBits: stop, ReadTimeout: 100 * time.Millisecond})
	if err != nil {
		return nil, fmt.Errorf("open serial printer %s: %w", t.Path, err)
	}
	return &serialPort{p: p, in: readReplies(p, true), set: set, name: t.Path}, nil
}

// settleMargin is added to a job's line time before the printer is asked how
// it went: a USB adapter's clock, a printer busy cutting. The proportional part
// covers a line a few per cent slower than its nominal rate.
func settleMargin(lineTime time.Duration) time.Duration {
	return 200*time.Millisecond + lineTime/20
}

// sent accounts n bytes handed to the line now.
func (s *serialPort) sent(n int) {
	now := time.Now()
	if s.lineEnd.Before(now) {
		s.lineEnd = now
	}
	s.lineEnd = s.lineEnd.Add(time.Duration(n*s.set.bitsPerByte()) * time.Second / time.Duration(s.set.Baud))
}

// chunk is about 100 ms of line time, at least 64 bytes.
func (s *serialPort) chunk() int {
	return max(64, s.set.Baud/s.set.bitsPerByte()/10)
}

func (s *serialPort) Write(ctx context.Context, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p == nil {
		return fmt.Errorf("serial printer %s: %w", s.name, os.ErrClosed)
	}
	n := s.chunk()
	start := time.Now()
	for len(b) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := b[:min(n, len(b))]
		b = b[len(c):]
		// The line time of the chunk, three times over, plus a second for a
		// printer that is busy cutting or feeding.
		limit := 3*time.Duration(len(c)*s.set.bitsPerByte())*time.Second/time.Duration(s.set.Baud) + time.Second
		if err := s.watched(c, limit); err != nil {
			return err
		}
		s.sent(len(c))
	}
	s.settle = s.lineEnd.Add(settleMargin(s.lineEnd.Sub(start)))
	return nil
}

func (s *serialPort) watched(c []byte, limit time.Duration) error {
	done := make(chan error, 1)
	p := s.p
	go func() {
		_, err := p.Write(c)
		done <- err
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			s.closeLocked()
			return fmt.Errorf("serial printer %s: %w", s.name, err)
		}
		return nil
	case <-t.C:
		s.closeLocked() // the write goroutine is abandoned; see serialPort
		return fmt.Errorf("serial printer %s: %w after %s", s.name, ErrStalled, limit)
	}
}

// Query waits until the last job can have left the line, drains what the
// printer sent before, asks, and takes the first status byte after the request.
func (s *serialPort) Query(ctx context.Context, req []byte) (byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p == nil {
		return 0, fmt.Errorf("serial printer %s: %w", s.name, os.ErrClosed)
	}
	if err := sleepCtx(ctx, time.Until(s.settle)); err != nil {
		return 0, err
	}
	b, err := s.in.ask(ctx, func() error {
		if err := s.watched(req, time.Second); err != nil {
			return err // watched closed the port
		}
		s.sent(len(req))
		return nil
	}, 500*time.Millisecond)
	if errors.Is(err, errLineRead) {
		s.closeLocked() // the line is gone
		return 0, fmt.Errorf("serial printer %s: %w", s.name, err)
	}
	return b, err
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *serialPort) closeLocked() {
	if s.p != nil {
		// Close waits for a blocked write to return (see serialPort), so it
		// must not hold up the caller.
		go s.p.Close()
		s.p = nil
	}
}

func (s *serialPort) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
	return nil
}

// ---- TCP 9100 ----

// tcpPort drives a network printer. As on a serial line, what the printer sent
// before a status request is drained first (see replyReader); the answer to a
// request sent after a job waits behind the job in the printer's buffer, so its
// timeout grows with the job.
type tcpPort struct {
	mu     sync.Mutex
	c      net.Conn
	in     *replyReader
	addr   string
	queued int // bytes written since the last answer
}

func dialTCP(ctx context.Context, addr string) (Port, error) {
	d := net.Dialer{Timeout: 3 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("network printer %s: %w", addr, err)
	}
	return &tcpPort{c: c, in: readReplies(c, false), addr: addr}, nil
}

func (t *tcpPort) Write(ctx context.Context, b []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Generous: a network printer takes data as fast as it prints.
	deadline := time.Now().Add(10*time.Second + time.Duration(len(b))*time.Millisecond/10)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = t.c.SetWriteDeadline(deadline)
	n, err := t.c.Write(b)
	t.queued += n
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("network printer %s: %w", t.addr, ErrStalled)
		}
		return fmt.Errorf("network printer %s: %w", t.addr, err)
	}
	return nil
}

// Query drains what the printer sent before, asks, and takes the first status
// byte after the request. It waits a second, and longer behind a job that
// the printer may still be taking in (10 KB a second, a slow raster printer).
func (t *tcpPort) Query(ctx context.Context, req []byte) (byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	timeout := time.Second + time.Duration(t.queued)*100*time.Microsecond
	b, err := t.in.ask(ctx, func() error {
		_ = t.c.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := t.c.Write(req); err != nil {
			return fmt.Errorf("network printer %s: %w", t.addr, err)
		}
		return nil
	}, timeout)
	switch {
	case err == nil:
		t.queued = 0
	case errors.Is(err, errLineRead):
		err = fmt.Errorf("network printer %s: %w", t.addr, err)
	}
	return b, err
}

func (t *tcpPort) Close() error { return t.c.Close() }

// ---- device file ----

// devicePort writes to a printer device such as /dev/usb/lp0. Status replies are
// read when the device allows reading; otherwise the state is unknown.
type devicePort struct {
	mu   sync.Mutex
	f    *os.File
	in   *replyReader // nil when the device cannot be read
	path string
}

func openDevice(path string) (Port, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	rw := err == nil
	if err != nil {
		f, err = os.OpenFile(path, os.O_WRONLY, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("printer device %s: %w", path, err)
	}
	d := &devicePort{f: f, path: path}
	if rw {
		d.in = readReplies(f, true)
	}
	return d, nil
}

func (d *devicePort) Write(ctx context.Context, b []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		_, err := d.f.Write(b)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("printer device %s: %w", d.path, err)
		}
		return nil
	case <-time.After(30*time.Second + time.Duration(len(b))*time.Millisecond):
		d.f.Close()
		return fmt.Errorf("printer device %s: %w", d.path, ErrStalled)
	case <-ctx.Done():
		d.f.Close()
		return ctx.Err()
	}
}

// Query drains what the printer sent before, asks, and takes the first status
// byte after the request (one reader for the port's life, so a late answer
// cannot be taken by a reader left over from an earlier request).
func (d *devicePort) Query(ctx context.Context, req []byte) (byte, error) {
	if d.in == nil {
		return 0, ErrNoReply
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.in.ask(ctx, func() error {
		if _, err := d.f.Write(req); err != nil {
			return fmt.Errorf("printer device %s: %w", d.path, err)
		}
		return nil
	}, 500*time.Millisecond)
	if errors.Is(err, errLineRead) {
		err = fmt.Errorf("printer device %s: %w", d.path, err)
	}
	return b, err
}

func (d *devicePort) Close() error { return d.f.Close() }
