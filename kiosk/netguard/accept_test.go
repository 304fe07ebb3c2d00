package netguard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scriptedListener answers Accept from a script of errors and connections
// (what net.TCPListener returns for a failing accept4(2), or a net.Pipe end),
// then reports itself closed.
type scriptedListener struct {
	mu     sync.Mutex
	script []any
	net.Listener
}

func (s *scriptedListener) Accept() (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 {
		return nil, net.ErrClosed
	}
	next := s.script[0]
	s.script = s.script[1:]
	if err, ok := next.(error); ok {
		return nil, err
	}
	return next.(net.Conn), nil
}

// fakeClock is moved only by the listener's backoff sleeps.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
}

func scripted(script []any, logs io.Writer) (*Listener, *fakeClock) {
	l := Wrap(&scriptedListener{script: script}, Limits{}, slog.New(slog.NewTextHandler(logs, nil)))
	clock := &fakeClock{now: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	l.now, l.sleep = clock.Now, clock.Sleep
	return l, clock
}

func acceptErr(errno syscall.Errno) error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
}

// logLines collects what the listener logs.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

func TestAcceptWaitsOutTemporaryErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		errno syscall.Errno
	}{
		{"too many open files in the process (EMFILE)", syscall.EMFILE},
		{"too many open files in the system (ENFILE)", syscall.ENFILE},
		{"no buffer space (ENOBUFS)", syscall.ENOBUFS},
		{"a connection aborted in the queue (ECONNABORTED)", syscall.ECONNABORTED},
	} {
		t.Run(tc.name+" is retried with a growing, capped wait and logged once", func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			var script []any
			for range 12 {
				script = append(script, acceptErr(tc.errno))
			}
			script = append(script, server)
			var logs logLines
			l, clock := scripted(script, &logs)

			c, err := l.Accept()
			if err != nil {
				t.Fatalf("Accept returned %v; want the connection after the errors", err)
			}
			if c != server {
				t.Fatalf("Accept returned %v, want the pipe", c)
			}
			want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000}
			if len(clock.slept) != len(want) {
				t.Fatalf("slept %v, want %d waits", clock.slept, len(want))
			}
			for i, d := range want {
				if clock.slept[i] != d*time.Millisecond {
					t.Fatalf("wait %d was %v, want %v (all: %v)", i, clock.slept[i], d*time.Millisecond, clock.slept)
				}
			}
			lines := logs.lines()
			if len(lines) != 2 || !strings.Contains(lines[0], "backing off") || !strings.Contains(lines[1], "failed_accepts=12") {
				t.Fatalf("want one line when the trouble starts and one when it is over, got:\n%s", strings.Join(lines, "\n"))
			}
		})
	}
}

// A server that stays at its open-file limit accepts a connection whenever
// one closes and fails again at once: that is one run of trouble, logged
// when it starts and once a minute, not at every failure.
func TestASustainedShortageIsLoggedOnceAMinute(t *testing.T) {
	var script []any
	var pipes []net.Conn
	for range 3000 {
		client, server := net.Pipe()
		pipes = append(pipes, client, server)
		script = append(script, acceptErr(syscall.EMFILE), acceptErr(syscall.EMFILE), server)
	}
	defer func() {
		for _, p := range pipes {
			p.Close()
		}
	}()
	var logs logLines
	l, clock := scripted(script, &logs)
	for range 3000 {
		if _, err := l.Accept(); err != nil {
			t.Fatal(err)
		}
	}
	// 3,000 rounds of 5 + 10 ms: 45 s of trouble.
	if got := clock.Now().Sub(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)); got != 45*time.Second {
		t.Fatalf("the backoff slept %v in all, want 45s (it starts again at 5 ms after each success)", got)
	}
	if lines := logs.lines(); len(lines) != 1 {
		t.Fatalf("6,000 failed accepts in 45 s logged %d lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	clock.Sleep(time.Minute) // the shortage goes on…
	l.acceptFailed(acceptErr(syscall.EMFILE))
	clock.Sleep(2 * time.Second) // …and ends
	l.accepted()
	lines := logs.lines()
	if len(lines) != 3 || !strings.Contains(lines[1], "still cannot accept") || !strings.Contains(lines[2], "failed_accepts=6001") {
		t.Fatalf("want a reminder after a minute and one line at the end, got:\n%s", strings.Join(lines, "\n"))
	}
}

func TestAcceptEndsWhenTheListenerCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Wrap(ln, Limits{}, slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	time.Sleep(20 * time.Millisecond)
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close returned %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept did not return after the listener closed")
	}
}

func TestAcceptReturnsAnErrorItDoesNotKnow(t *testing.T) {
	l, clock := scripted([]any{acceptErr(syscall.EINVAL)}, io.Discard)
	if _, err := l.Accept(); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Accept returned %v, want EINVAL", err)
	}
	if len(clock.slept) > 0 {
		t.Fatalf("waited %v: an unknown error must not be waited out", clock.slept)
	}
}

func TestTemporaryTellsShortagesFromTheEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"EMFILE is temporary", acceptErr(syscall.EMFILE), true},
		{"ENOMEM is temporary", acceptErr(syscall.ENOMEM), true},
		{"a deadline passing is temporary", &net.OpError{Op: "accept", Err: os.ErrDeadlineExceeded}, true},
		{"a closed listener is the end", &net.OpError{Op: "accept", Err: net.ErrClosed}, false},
		{"EBADF is the end", acceptErr(syscall.EBADF), false},
		{"context cancellation is the end", context.Canceled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Temporary(tc.err); got != tc.want {
				t.Fatalf("Temporary(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
