package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// replyReader reads what a printer sends back, all the time, so that the bytes
// that came before a status request can be told from the answer to it: ask
// throws away everything received so far, sends the request, and takes the
// first status byte that comes after.
//
// Answers go stale when a request times out and its answer comes later (a
// printer that hung and came back, a line that froze): read as the answer to
// the next request, such a byte once marked a job printed before its bytes had
// reached the printer.
type replyReader struct {
	mu   sync.Mutex
	buf  []byte
	err  error         // why reading stopped; nil while it goes on
	wake chan struct{} // a token whenever buf or err changes
}

// errLineRead marks an answer that cannot come: reading the line failed. Errors
// of ask's send are returned as they are.
var errLineRead = errors.New("reading the printer's answer")

// maxPending bounds what is kept unread: a line of noise must not grow memory.
const maxPending = 4096

// readReplies starts reading r until it fails. With eofIsTimeout, io.EOF is a
// read that timed out (tarm/serial reports its read timeout so) rather than the
// end of the line.
func readReplies(r io.Reader, eofIsTimeout bool) *replyReader {
	rr := &replyReader{wake: make(chan struct{}, 1)}
	go rr.run(r, eofIsTimeout)
	return rr
}

func (rr *replyReader) run(r io.Reader, eofIsTimeout bool) {
	b := make([]byte, 256)
	for {
		start := time.Now()
		n, err := r.Read(b)
		if n > 0 {
			rr.mu.Lock()
			rr.buf = append(rr.buf, b[:n]...)
			if over := len(rr.buf) - maxPending; over > 0 {
				rr.buf = rr.buf[over:]
			}
			rr.mu.Unlock()
			rr.signal()
		}
		if err == nil || (eofIsTimeout && errors.Is(err, io.EOF)) {
			if n == 0 && time.Since(start) < 10*time.Millisecond {
				time.Sleep(20 * time.Millisecond) // a device that does not wait: do not spin
			}
			continue
		}
		rr.mu.Lock()
		rr.err = err
		rr.mu.Unlock()
		rr.signal()
		return
	}
}

func (rr *replyReader) signal() {
	select {
	case rr.wake <- struct{}{}:
	default:
	}
}

// ask drains what was received, calls send (which writes the request), and
// waits up to timeout for a status byte. Bytes that cannot be a DLE EOT answer
// (line noise, automatic status back) are skipped.
func (rr *replyReader) ask(ctx context.Context, send func() error, timeout time.Duration) (byte, error) {
	rr.mu.Lock()
	rr.buf = rr.buf[:0]
	rr.mu.Unlock()
	if err := send(); err != nil {
		return 0, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	noise := 0
	for {
		rr.mu.Lock()
		for len(rr.buf) > 0 {
			b := rr.buf[0]
			rr.buf = rr.buf[1:]
			if validStatus(b) {
				rr.mu.Unlock()
				return b, nil
			}
			noise++
		}
		err := rr.err
		rr.mu.Unlock()
		if err != nil {
			return 0, fmt.Errorf("%w: %w", errLineRead, err)
		}
		select {
		case <-rr.wake:
		case <-t.C:
			if noise > 0 {
				return 0, fmt.Errorf("%w: %d bytes came back, none a status answer", ErrNoReply, noise)
			}
			return 0, ErrNoReply
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}
