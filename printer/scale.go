package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A serial scale sits on the same kind of line as a serial printer, so it is
// opened by the printer's serial transport (serialPort: tarm/serial with its
// watched writes and its one reader per port) rather than by a second wrapper
// around tarm/serial. The scale adds the protocols (scale_protocol.go), a loop
// that keeps the line open, and the rule that a weight is only as good as it
// is fresh: Reading never shows a weight older than StaleAfter.

// StaleAfter is how old a reading may be and still be shown as the weight on
// the scale. A continuous scale sends several readings a second and the
// kiosk asks a toledo-8217 scale every ScalePoll, so a second without one
// means the scale is gone.
const StaleAfter = time.Second

// ScalePoll is how often a scale that answers requests is asked.
const ScalePoll = 200 * time.Millisecond

// scaleAnswerWait is how long a request's answer may take (about 10 bytes at
// 9600 baud take 10 ms; the rest is the scale's own time).
const scaleAnswerWait = 500 * time.Millisecond

// scaleQuietReopen is how long an open line may stay silent before it is
// closed and opened again: a USB adapter pulled out does not always make its
// reads fail, but opening it again does.
const scaleQuietReopen = 3 * time.Second

// ScaleTarget is a parsed scale URL.
type ScaleTarget struct {
	URL      string
	Path     string
	Protocol string
	line     Target // the serial line, as the serial printer transport opens it
	proto    scaleProtocol
}

// ParseScaleURL reads a scale URL:
//
//	serial:/dev/ttyUSB1?baud=9600&protocol=continuous
//	serial:COM4?protocol=toledo-8217&baud=9600&data=7&parity=E
//
// protocol is continuous (the default) or toledo-8217; baud, parity, data and
// stop are as for serial printers, with the protocol's usual data bits and
// parity when not given (8N1 for continuous, 7E1 for toledo-8217).
func ParseScaleURL(raw string) (ScaleTarget, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return ScaleTarget{}, fmt.Errorf("scale URL %q: %w", raw, err)
	}
	if u.Scheme != "serial" {
		return ScaleTarget{}, fmt.Errorf("scale URL %q: want serial:/dev/ttyUSB1?baud=9600&protocol=NAME", raw)
	}
	path := u.Opaque
	if path == "" {
		path = u.Host + u.Path
	}
	if path == "" {
		return ScaleTarget{}, fmt.Errorf("scale URL %q: no device", raw)
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "baud", "parity", "data", "stop", "protocol":
		default:
			return ScaleTarget{}, fmt.Errorf("scale URL %q: unknown setting %q (baud, parity, data, stop, protocol)", raw, k)
		}
	}
	name := q.Get("protocol")
	if name == "" {
		name = "continuous"
	}
	p, ok := scaleProtocols[name]
	if !ok {
		return ScaleTarget{}, fmt.Errorf("scale URL %q: protocol %q, want one of %s", raw, name, strings.Join(ScaleProtocols(), ", "))
	}
	if q.Get("data") == "" {
		q.Set("data", strconv.Itoa(p.dataBits))
	}
	if q.Get("parity") == "" {
		q.Set("parity", string(p.parity))
	}
	line := Target{URL: raw, Scheme: "serial", Path: path, Query: q}
	if _, err := line.serialConfig(); err != nil {
		return ScaleTarget{}, fmt.Errorf("scale URL %q: %s", raw, strings.TrimPrefix(err.Error(), "printer URL "))
	}
	return ScaleTarget{URL: raw, Path: path, Protocol: name, line: line, proto: p}, nil
}

// ScaleReading is what the kiosk shows of its scale.
type ScaleReading struct {
	Grams  int64      `json:"grams"`
	Stable bool       `json:"stable"`
	State  ScaleState `json:"state"`
	Net    bool       `json:"net,omitempty"`
	// AgeMS is how long ago the scale last sent a reading, in milliseconds;
	// null when it has sent none since the line was opened.
	AgeMS *int64 `json:"age_ms"`
	// Detail says why the scale is offline, in words for the vendor.
	Detail string `json:"detail,omitempty"`
}

// Same reports whether two readings show the same thing (their ages aside).
func (r ScaleReading) Same(o ScaleReading) bool {
	return r.Grams == o.Grams && r.Stable == o.Stable && r.State == o.State && r.Net == o.Net && r.Detail == o.Detail
}

// Scale keeps the latest reading of one serial scale.
type Scale struct {
	t       ScaleTarget
	log     *slog.Logger
	changed chan struct{}

	mu     sync.Mutex
	last   Weighing
	lastAt time.Time // when the scale last sent a reading that parsed
	open   bool      // the line is open
	detail string    // why there is no reading, for the vendor
	// troubled is set once an outage has been logged, so that a scale left
	// switched off for a day logs one line, not one every few seconds.
	troubled bool
}

// NewScale makes the scale of t; Run reads it.
func NewScale(t ScaleTarget, log *slog.Logger) *Scale {
	if log == nil {
		log = slog.Default()
	}
	return &Scale{t: t, log: log, changed: make(chan struct{}, 1), detail: "the scale's line is not open yet"}
}

// Target is the scale's URL, parsed.
func (s *Scale) Target() ScaleTarget { return s.t }

// Changed receives a value after each reading and each change of the line
// (opened, lost): call Reading then. A reading turning stale sends nothing;
// whoever shows the weight looks again at least every StaleAfter/4.
func (s *Scale) Changed() <-chan struct{} { return s.changed }

func (s *Scale) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Reading is the weight on the scale now: the latest reading when it is
// fresh, offline otherwise.
func (s *Scale) Reading() ScaleReading {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := ScaleReading{State: ScaleOffline, Detail: s.detail}
	if s.lastAt.IsZero() {
		return r // nothing read since the kiosk started
	}
	age := time.Since(s.lastAt)
	ms := age.Milliseconds()
	r.AgeMS = &ms
	switch {
	case !s.open:
	case age > StaleAfter:
		if r.Detail == "" {
			r.Detail = "no reading from the scale for over a second: is it switched on and plugged in?"
		}
	default:
		r.Grams, r.Stable, r.State, r.Net, r.Detail = s.last.Grams, s.last.Stable, s.last.State, s.last.Net, ""
	}
	return r
}

func (s *Scale) record(w Weighing) {
	s.mu.Lock()
	s.last, s.lastAt, s.detail = w, time.Now(), ""
	back := s.troubled
	s.troubled = false
	s.mu.Unlock()
	if back {
		s.log.Info("scale reading again", "port", s.t.Path, "protocol", s.t.Protocol)
	}
	s.notify()
}

// trouble logs the start of an outage (once until the scale reads again).
func (s *Scale) trouble(msg string, err error) {
	s.mu.Lock()
	first := !s.troubled
	s.troubled = true
	s.mu.Unlock()
	if first {
		s.log.Warn(msg, "port", s.t.Path, "protocol", s.t.Protocol, "err", err)
	}
}

// setLine notes the line opened or lost, with why for the vendor.
func (s *Scale) setLine(open bool, detail string) {
	s.mu.Lock()
	s.open, s.detail = open, detail
	if !open {
		s.last = Weighing{}
	}
	s.mu.Unlock()
	s.notify()
}

// setDetail says why the latest frames gave no reading.
func (s *Scale) setDetail(detail string) {
	s.mu.Lock()
	changed := s.detail != detail
	s.detail = detail
	s.mu.Unlock()
	if changed {
		s.notify()
	}
}

// Run keeps the scale's line open and reads it until ctx ends: a line that
// cannot be opened or fails is tried again every second or two.
func (s *Scale) Run(ctx context.Context) {
	wait := 250 * time.Millisecond
	for ctx.Err() == nil {
		p, err := openSerial(s.t.line)
		if err != nil {
			s.trouble("cannot open the scale's port", err)
			s.setLine(false, fmt.Sprintf("cannot open the scale's port %s: is it plugged in? (%v)", s.t.Path, err))
			if sleepCtx(ctx, wait) != nil {
				return
			}
			wait = min(2*wait, 2*time.Second)
			continue
		}
		wait = 250 * time.Millisecond
		sp := p.(*serialPort)
		s.setLine(true, "waiting for the scale's first reading")
		err = s.session(ctx, sp)
		_ = sp.Close()
		if ctx.Err() != nil {
			s.setLine(false, "the kiosk is stopping")
			return
		}
		s.trouble("scale line lost", err)
		s.setLine(false, fmt.Sprintf("the scale's line was lost: %v", err))
		if sleepCtx(ctx, wait) != nil {
			return
		}
	}
}

// errScaleQuiet ends a session on a line that has been silent too long.
var errScaleQuiet = errors.New("nothing heard from the scale: opening its port again")

// session reads an open line until it fails or falls silent.
func (s *Scale) session(ctx context.Context, sp *serialPort) error {
	if s.t.proto.request != nil {
		return s.poll(ctx, sp)
	}
	var fr scaleFramer
	heard := time.Now()
	for {
		b, err := sp.in.next(ctx, StaleAfter/4)
		if err != nil {
			return err
		}
		for _, f := range fr.push(b) {
			if s.frame(f) {
				heard = time.Now()
			}
		}
		if time.Since(heard) > scaleQuietReopen {
			return errScaleQuiet
		}
	}
}

// poll asks a scale that answers requests, every ScalePoll.
func (s *Scale) poll(ctx context.Context, sp *serialPort) error {
	var fr scaleFramer
	heard := time.Now()
	tick := time.NewTicker(ScalePoll)
	defer tick.Stop()
	for {
		sp.in.discard() // late answers to an earlier request
		fr.reset()
		if err := sp.Write(ctx, s.t.proto.request); err != nil {
			return err
		}
		deadline := time.Now().Add(scaleAnswerWait)
	answer:
		for {
			wait := time.Until(deadline)
			if wait <= 0 {
				s.setDetail("the scale does not answer: check its protocol and baud rate")
				break
			}
			b, err := sp.in.next(ctx, wait)
			if err != nil {
				return err
			}
			for _, f := range fr.push(b) {
				if s.frame(f) {
					heard = time.Now()
					break answer
				}
			}
		}
		if time.Since(heard) > scaleQuietReopen {
			return errScaleQuiet
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// frame reads one frame: a reading, or a word for the vendor about why not.
func (s *Scale) frame(f []byte) bool {
	w, err := s.t.proto.parse(f)
	if err != nil {
		if errors.Is(err, errScaleUnit) {
			s.setDetail(err.Error())
		} else {
			s.setDetail(fmt.Sprintf("the scale sends what the %s protocol does not read (%s): check the protocol and baud rate",
				s.t.Protocol, printable(f)))
		}
		return false
	}
	s.record(w)
	return true
}

// printable shows a frame in a log line or a message: control bytes and
// non-ASCII as escapes, at most 32 bytes.
func printable(f []byte) string {
	if len(f) > 32 {
		f = f[:32]
	}
	q := strconv.QuoteToASCII(string(f))
	return q[1 : len(q)-1]
}

// next waits up to d for bytes from the line and takes all that came; none
// when d passes first. An error means the line is gone.
func (rr *replyReader) next(ctx context.Context, d time.Duration) ([]byte, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		rr.mu.Lock()
		if len(rr.buf) > 0 {
			b := append([]byte(nil), rr.buf...)
			rr.buf = rr.buf[:0]
			rr.mu.Unlock()
			return b, nil
		}
		err := rr.err
		rr.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errLineRead, err)
		}
		select {
		case <-rr.wake:
		case <-t.C:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// discard throws away what was received so far.
func (rr *replyReader) discard() {
	rr.mu.Lock()
	rr.buf = rr.buf[:0]
	rr.mu.Unlock()
}
