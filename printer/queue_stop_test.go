package printer

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A kiosk stopping while a job's last bytes are on their way must not leave
// that job pending: it is on paper, and printing it again after the restart
// would print it twice (a stamp of a run twice).
func TestAJobOnItsWayWhenTheQueueStopsIsRecordedPrintedNotPrintedAgain(t *testing.T) {
	s := queueStore(t)
	sale := sell(t, s)
	emu := NewEmulator(Profiles[DefaultProfile])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, stop := context.WithCancel(context.Background())
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf, reply := make([]byte, 8192), make([]byte, 64)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				_, _ = emu.Write(buf[:n])
				if n > 16 {
					// The job arrived: the kiosk is told to stop now, and
					// the printer answers the check after it a moment later.
					stop()
					time.Sleep(100 * time.Millisecond)
				}
				if m, _ := emu.Read(reply); m > 0 {
					if _, err := c.Write(reply[:m]); err != nil {
						return
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	target, err := ParseURL("tcp://" + ln.Addr().String() + "?profile=" + DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	q := NewQueue(s, receiptRenderer(s), map[string]Target{"receipt": target}, testLogger())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	q.Wake()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the queue did not stop")
	}
	if n := len(emu.Receipts()); n != 1 {
		t.Fatalf("the printer printed %d receipts, want 1", n)
	}
	if j := jobOf(t, s, sale.ID); j.State != pos.JobPrinted {
		t.Errorf("the job on paper is %s (%s): it would print again after a restart", j.State, j.Error)
	}
}
