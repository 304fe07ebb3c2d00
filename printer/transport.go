package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
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
type serialPort struct {
	mu   sync.Mutex
	p    *serial.Port
	set  serialSettings
	name string
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
	return &serialPort{p: p, set: set, name: t.Path}, nil
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
	}
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

func (s *serialPort) Query(ctx context.Context, req []byte) (byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p == nil {
		return 0, fmt.Errorf("serial printer %s: %w", s.name, os.ErrClosed)
	}
	if err := s.watched(req, time.Second); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(500 * time.Millisecond)
	var buf [1]byte
	for time.Now().Before(deadline) && ctx.Err() == nil {
		n, err := s.p.Read(buf[:])
		if n == 1 {
			return buf[0], nil
		}
		// tarm/serial reports a read timeout as io.EOF (or 0, nil).
		if err != nil && !errors.Is(err, io.EOF) {
			s.closeLocked()
			return 0, fmt.Errorf("serial printer %s: %w", s.name, err)
		}
	}
	return 0, ErrNoReply
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

type tcpPort struct {
	mu   sync.Mutex
	c    net.Conn
	addr string
}

func dialTCP(ctx context.Context, addr string) (Port, error) {
	d := net.Dialer{Timeout: 3 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("network printer %s: %w", addr, err)
	}
	return &tcpPort{c: c, addr: addr}, nil
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
	if _, err := t.c.Write(b); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("network printer %s: %w", t.addr, ErrStalled)
		}
		return fmt.Errorf("network printer %s: %w", t.addr, err)
	}
	return nil
}

func (t *tcpPort) Query(ctx context.Context, req []byte) (byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.c.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := t.c.Write(req); err != nil {
		return 0, fmt.Errorf("network printer %s: %w", t.addr, err)
	}
	_ = t.c.SetReadDeadline(time.Now().Add(time.Second))
	var buf [1]byte
	if _, err := io.ReadFull(t.c, buf[:]); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return 0, ErrNoReply
		}
		return 0, fmt.Errorf("network printer %s: %w", t.addr, err)
	}
	return buf[0], nil
}

func (t *tcpPort) Close() error { return t.c.Close() }

// ---- device file ----

// devicePort writes to a printer device such as /dev/usb/lp0. Status replies are
// read when the device allows reading; otherwise the state is unknown.
type devicePort struct {
	mu   sync.Mutex
	f    *os.File
	rw   bool
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
	return &devicePort{f: f, rw: rw, path: path}, nil
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

func (d *devicePort) Query(ctx context.Context, req []byte) (byte, error) {
	if !d.rw {
		return 0, ErrNoReply
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.f.Write(req); err != nil {
		return 0, fmt.Errorf("printer device %s: %w", d.path, err)
	}
	got := make(chan byte, 1)
	go func() {
		var buf [1]byte
		if n, _ := d.f.Read(buf[:]); n == 1 {
			got <- buf[0]
		}
	}()
	select {
	case b := <-got:
		return b, nil
	case <-time.After(500 * time.Millisecond):
		return 0, ErrNoReply
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (d *devicePort) Close() error { return d.f.Close() }
