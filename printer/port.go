package printer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Port is a connection to one printer, as the queue uses it. Implementations:
// serial (tarm/serial), raw TCP 9100, a device file, and the virtual file printer.
type Port interface {
	// Write sends a whole job. It fails if the printer goes away or a write
	// stalls (the port is then closed and must be reopened).
	Write(ctx context.Context, b []byte) error
	// Query sends a status request (DLE EOT n) and returns the one-byte reply,
	// or ErrNoReply when none comes in time or the transport cannot read. The
	// reply is matched to the request: whatever the printer sent before it is
	// drained first, and on a serial line the request waits until the bytes
	// written before can have left the line at its baud, so that it is answered
	// after them, not from behind them.
	Query(ctx context.Context, req []byte) (byte, error)
	Close() error
}

// JobPort is a Port that takes whole named jobs (the virtual file printer keeps
// each job as its own files).
type JobPort interface {
	Port
	WriteJob(ctx context.Context, name string, b []byte) error
}

// ErrStalled reports a write that made no progress within its deadline.
var ErrStalled = errors.New("printer write stalled")

// Target is a parsed printer URL.
type Target struct {
	URL     string
	Scheme  string // serial, tcp, dev, file
	Path    string // device, host:port or folder
	Query   url.Values
	Profile Profile
	// Keep is how many jobs' files a virtual printer (file:) keeps, the newest;
	// 0 keeps all. The URL's keep= sets it; the kiosk sets its default.
	Keep int
}

// ParseURL reads a printer URL:
//
//	serial:/dev/ttyUSB0?baud=19200&parity=N&data=8&stop=1&profile=NAME
//	tcp://HOST:9100?profile=NAME
//	dev:/dev/usb/lp0?profile=NAME
//	file:DIR?profile=NAME&keep=N
//
// with the profile overrides of ProfileFromQuery.
func ParseURL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("printer URL %q: %w", raw, err)
	}
	t := Target{URL: raw, Scheme: u.Scheme, Query: u.Query()}
	switch u.Scheme {
	case "serial", "dev", "file":
		t.Path = u.Opaque
		if t.Path == "" {
			t.Path = u.Path
		}
		if u.Host != "" { // file://host/path is not a thing here; take it as a path
			t.Path = u.Host + u.Path
		}
	case "tcp":
		t.Path = u.Host
		if u.Port() == "" {
			t.Path += ":9100"
		}
	default:
		return Target{}, fmt.Errorf("printer URL %q: scheme %q, want one of serial, tcp, dev or file", raw, u.Scheme)
	}
	if t.Path == "" || t.Path == ":9100" {
		return Target{}, fmt.Errorf("printer URL %q: no device, host or folder", raw)
	}
	if t.Profile, err = ProfileFromQuery(t.Query); err != nil {
		return Target{}, err
	}
	if t.Scheme == "serial" {
		if _, err := t.serialConfig(); err != nil {
			return Target{}, err
		}
	}
	if v := t.Query.Get("keep"); v != "" && t.Scheme == "file" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Target{}, fmt.Errorf("printer URL keep=%q: want how many jobs' files to keep (0: all)", v)
		}
		t.Keep = n
	}
	return t, nil
}

// Open connects to the target's printer.
func (t Target) Open(ctx context.Context) (Port, error) {
	switch t.Scheme {
	case "serial":
		return openSerial(t)
	case "tcp":
		return dialTCP(ctx, t.Path)
	case "dev":
		return openDevice(t.Path)
	case "file":
		return openFilePrinter(t.Path, t.Profile, t.Keep)
	}
	return nil, fmt.Errorf("printer scheme %q", t.Scheme)
}

// serialSettings are the line settings of a serial printer.
type serialSettings struct {
	Baud     int
	Parity   byte // 'N', 'E', 'O'
	DataBits int
	StopBits int
}

func (t Target) serialConfig() (serialSettings, error) {
	s := serialSettings{Baud: 9600, Parity: 'N', DataBits: 8, StopBits: 1}
	q := t.Query
	if v := q.Get("baud"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1200 || n > 921600 {
			return s, fmt.Errorf("printer URL baud=%q: want 1200 to 921600", v)
		}
		s.Baud = n
	}
	if v := strings.ToUpper(q.Get("parity")); v != "" {
		if v != "N" && v != "E" && v != "O" {
			return s, fmt.Errorf("printer URL parity=%q: want N, E or O", q.Get("parity"))
		}
		s.Parity = v[0]
	}
	if v := q.Get("data"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 8 {
			return s, fmt.Errorf("printer URL data=%q: want 5 to 8", v)
		}
		s.DataBits = n
	}
	if v := q.Get("stop"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || (n != 1 && n != 2) {
			return s, fmt.Errorf("printer URL stop=%q: want 1 or 2", v)
		}
		s.StopBits = n
	}
	return s, nil
}

// bitsPerByte is what one byte costs on the line: start, data, parity, stop.
func (s serialSettings) bitsPerByte() int {
	n := 1 + s.DataBits + s.StopBits
	if s.Parity != 'N' {
		n++
	}
	return n
}

// WireTime is how long n bytes take on a serial line at baud (8N1).
func WireTime(n, baud int) time.Duration {
	return time.Duration(float64(n*10) / float64(baud) * float64(time.Second))
}

// QueryState asks the printer for its state with DLE EOT 1, 2 and 4.
func QueryState(ctx context.Context, p Port) (State, error) {
	var replies [3]byte
	for i, n := range []byte{1, 2, 4} {
		b, err := p.Query(ctx, StatusRequest(n))
		if err != nil {
			return State{}, err
		}
		replies[i] = b
	}
	return ParseStatus(replies[0], replies[1], replies[2])
}
