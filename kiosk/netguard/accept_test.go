package netguard

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scriptedListener fails Accept with the given errors, then hands out conn.
// The errors are what net.TCPListener returns for a failing accept4(2).
type scriptedListener struct {
	mu   sync.Mutex
	errs []error
	conn net.Conn
	net.Listener
}

func (s *scriptedListener) Accept() (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return nil, err
	}
	if s.conn == nil {
		return nil, net.ErrClosed
	}
	c := s.conn
	s.conn = nil
	return c, nil
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
			sl := &scriptedListener{conn: server}
			for range 12 {
				sl.errs = append(sl.errs, acceptErr(tc.errno))
			}
			var logs logLines
			l := Wrap(sl, Limits{}, slog.New(slog.NewTextHandler(&logs, nil)))
			var slept []time.Duration
			l.sleep = func(d time.Duration) { slept = append(slept, d) }

			c, err := l.Accept()
			if err != nil {
				t.Fatalf("Accept returned %v; want the connection after the errors", err)
			}
			if c != server {
				t.Fatalf("Accept returned %v, want the pipe", c)
			}
			want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000}
			if len(slept) != len(want) {
				t.Fatalf("slept %v, want %d waits", slept, len(want))
			}
			for i, d := range want {
				if slept[i] != d*time.Millisecond {
					t.Fatalf("wait %d was %v, want %v (all: %v)", i, slept[i], d*time.Millisecond, slept)
				}
			}
			lines := logs.lines()
			if len(lines) != 2 || !strings.Contains(lines[0], "backing off") || !strings.Contains(lines[1], "failed_accepts=12") {
				t.Fatalf("want one line when the trouble starts and one when it ends, got:\n%s", strings.Join(lines, "\n"))
			}
		})
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
	sl := &scriptedListener{errs: []error{acceptErr(syscall.EINVAL)}}
	l := Wrap(sl, Limits{}, slog.New(slog.DiscardHandler))
	l.sleep = func(time.Duration) { t.Fatal("an unknown error must not be waited out") }
	if _, err := l.Accept(); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("Accept returned %v, want EINVAL", err)
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
