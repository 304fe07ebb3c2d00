package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// ScaleEmulator is a shop scale at the far end of a serial line (a socat
// pseudo-terminal pair in the tests): it speaks either protocol of
// scale_protocol.go, with a weight, a stability, an overload and an unplugged
// cable that the test sets, and sends line noise when asked.
type ScaleEmulator struct {
	proto scaleProtocol
	// Every is how often a continuous scale sends its reading (10 a second,
	// as cheap indicators do).
	Every time.Duration

	mu       sync.Mutex
	grams    int64
	stable   bool
	overload bool
	net      bool
	silent   bool
	noise    []byte
	requests int
}

// NewScaleEmulator makes a scale speaking protocol (continuous or
// toledo-8217), empty and stable.
func NewScaleEmulator(protocol string) (*ScaleEmulator, error) {
	p, ok := scaleProtocols[protocol]
	if !ok {
		return nil, fmt.Errorf("scale emulator: protocol %q, want one of %v", protocol, ScaleProtocols())
	}
	return &ScaleEmulator{proto: p, Every: 100 * time.Millisecond, stable: true}, nil
}

// Set puts grams on the plate (negative: under zero, as after a tare), settled
// or still moving.
func (e *ScaleEmulator) Set(grams int64, stable bool) {
	e.mu.Lock()
	e.grams, e.stable, e.overload = grams, stable, false
	e.mu.Unlock()
}

// SetOverload puts more on the plate than the scale can weigh.
func (e *ScaleEmulator) SetOverload() {
	e.mu.Lock()
	e.overload = true
	e.mu.Unlock()
}

// SetNet makes the scale report net weights (a tare is taken).
func (e *ScaleEmulator) SetNet(net bool) {
	e.mu.Lock()
	e.net = net
	e.mu.Unlock()
}

// Unplug pulls the cable at the scale's end: it sends and answers nothing
// until Plug.
func (e *ScaleEmulator) Unplug() { e.setSilent(true) }

// Plug puts the cable back.
func (e *ScaleEmulator) Plug() { e.setSilent(false) }

func (e *ScaleEmulator) setSilent(v bool) {
	e.mu.Lock()
	e.silent = v
	e.mu.Unlock()
}

// Noise sends b on the line before the next reading or answer: garbage, a
// torn frame, a wrong baud rate's bytes.
func (e *ScaleEmulator) Noise(b []byte) {
	e.mu.Lock()
	e.noise = append(e.noise, b...)
	e.mu.Unlock()
}

// Requests counts the weight requests a toledo-8217 scale has answered or
// ignored.
func (e *ScaleEmulator) Requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests
}

// Frame is what the scale sends now: one line of the continuous protocol, or
// the answer to "W" of the 8217 protocol (nil while unplugged), noise first.
func (e *ScaleEmulator) Frame() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.silent {
		return nil
	}
	out := e.noise
	e.noise = nil
	if e.proto.request == nil {
		return append(out, e.continuousLine()...)
	}
	return append(out, e.toledoAnswer()...)
}

// continuousLine is "ST,GS,+  1.235kg\r\n" and its kin.
func (e *ScaleEmulator) continuousLine() []byte {
	mode := "GS"
	if e.net {
		mode = "NT"
	}
	if e.overload {
		return fmt.Appendf(nil, "OL,%s,+ 99.999kg\r\n", mode)
	}
	status := "ST"
	if !e.stable {
		status = "US"
	}
	sign, g := '+', e.grams
	if g < 0 {
		sign, g = '-', -g
	}
	return fmt.Appendf(nil, "%s,%s,%c%7s%s\r\n", status, mode, sign, fmt.Sprintf("%d.%03d", g/1000, g%1000), "kg")
}

// toledoAnswer is STX "01.235" CR, or STX "?" status CR when the scale has no
// weight to give. The weight field is six characters: up to 99.999 kg.
func (e *ScaleEmulator) toledoAnswer() []byte {
	var st byte = 0x40
	if e.net {
		st |= 0x20
	}
	switch {
	case e.overload || e.grams > 99_999:
		st |= 0x02
	case e.grams < 0:
		st |= 0x04
	case !e.stable:
		st |= 0x01
	default:
		n := ""
		if e.net {
			n = "N"
		}
		return fmt.Appendf(nil, "\x02%02d.%03d%s\r", e.grams/1000, e.grams%1000, n)
	}
	return []byte{0x02, '?', st, '\r'}
}

// Serve is the scale on one end of a line until ctx ends or the line fails:
// a continuous scale sends a frame every Every, a toledo-8217 scale answers
// each "W" it reads. A line with read deadlines (a pty's *os.File, a net.Conn)
// stops at once with ctx.
func (e *ScaleEmulator) Serve(ctx context.Context, rw io.ReadWriter) error {
	if e.proto.request == nil {
		return e.stream(ctx, rw)
	}
	if d, ok := rw.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	buf := make([]byte, 256)
	for {
		n, err := rw.Read(buf)
		for _, c := range buf[:n] {
			if c&0x7f != 'W' {
				continue
			}
			e.mu.Lock()
			e.requests++
			e.mu.Unlock()
			if f := e.Frame(); f != nil {
				if _, werr := rw.Write(f); werr != nil {
					return fmt.Errorf("scale emulator: answering: %w", werr)
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("scale emulator: reading: %w", err)
		}
	}
}

// stream sends a frame every Every. A frame nobody takes (the kiosk has not
// opened its end, and the pty's buffer is full) is dropped after a second, as
// a real scale's bytes are lost on a line nobody listens to.
func (e *ScaleEmulator) stream(ctx context.Context, w io.Writer) error {
	t := time.NewTicker(e.Every)
	defer t.Stop()
	dl, _ := w.(interface{ SetWriteDeadline(time.Time) error })
	for {
		if f := e.Frame(); f != nil {
			if dl != nil {
				_ = dl.SetWriteDeadline(time.Now().Add(time.Second))
			}
			if _, err := w.Write(f); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				return fmt.Errorf("scale emulator: sending: %w", err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
