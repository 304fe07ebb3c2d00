package printer

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The status answers of a printer must be matched to the questions: a job is
// printed when the printer answers a question asked after the job's last byte
// has gone out, never on an answer that was already waiting, or that belongs to
// a question asked before the job.

// readyAnswer is DLE EOT's answer (any n) of a printer that is fine.
const readyAnswer = statusFixed

func TestAReceiptAt9600BaudIsMarkedPrintedOnceAfterItHasGoneOut(t *testing.T) {
	r := startLineRelay(t, 9600)
	emu := NewEmulator(Profiles["xprinter-58"])
	serveSerialAt(t, r.printer, emu)
	s := queueStore(t)
	sale := sellLines(t, s, 12) // about 1.5 KB: 1.6 s on the line
	runQueue(t, s, "serial:"+r.kiosk+"?baud=9600&profile=xprinter-58")
	eventually(t, "receipt marked printed", 30*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	// Marked printed means the printer has it whole already.
	if n := len(emu.Receipts()); n != 1 {
		t.Fatalf("%d receipts on paper when the job was marked printed, want 1", n)
	}
	if sent := r.forwarded.Load(); sent < 1000 {
		t.Fatalf("only %d bytes crossed the line: the receipt is too short to show the line's pace", sent)
	}
	time.Sleep(2 * time.Second) // a second copy would be on its way by now
	if n := len(emu.Receipts()); n != 1 {
		t.Fatalf("%d receipts on paper, want 1", n)
	}
	if j := jobOf(t, s, sale.ID); j.Attempts != 1 {
		t.Errorf("attempts %d, want 1", j.Attempts)
	}
	if !strings.Contains(emu.Receipts()[0].Text(), sale.ReceiptNo) {
		t.Errorf("the receipt lacks %s", sale.ReceiptNo)
	}
}

func TestStaleReadyAnswersDoNotMarkAJobPrintedWhileThePrinterIsFrozen(t *testing.T) {
	r := startLineRelay(t, 9600)
	emu := NewEmulator(Profiles["xprinter-58"])
	serveSerialAt(t, r.printer, emu)
	s := queueStore(t)
	q := runQueue(t, s, "serial:"+r.kiosk+"?baud=9600&profile=xprinter-58")
	eventually(t, "printer ready", 10*time.Second, func() bool { return q.Status()[0].State == "ready" })

	// The printer hangs; answers to questions given up long ago are waiting
	// on the line.
	r.freeze()
	r.inject(t, bytes.Repeat([]byte{readyAnswer}, 12))
	time.Sleep(200 * time.Millisecond)
	sale := sell(t, s)
	q.Wake()
	for end := time.Now().Add(4 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if j := jobOf(t, s, sale.ID); j.State != pos.JobPending {
			t.Fatalf("job %s while the printer is frozen (%d receipts on paper): %+v", j.State, len(emu.Receipts()), j)
		}
	}
	if st := q.Status()[0]; st.State != "offline" {
		t.Errorf("a frozen printer shows as %q, want offline", st.State)
	}
	if n := len(emu.Receipts()); n != 0 {
		t.Fatalf("%d receipts while frozen", n)
	}

	r.thaw()
	eventually(t, "printed after the printer came back", 40*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	if n := len(emu.Receipts()); n != 1 {
		t.Fatalf("%d receipts on paper when the job was marked printed, want 1", n)
	}
	time.Sleep(2 * time.Second)
	rs := emu.Receipts()
	if len(rs) != 1 || !strings.Contains(rs[0].Text(), sale.ReceiptNo) {
		t.Fatalf("want the receipt once, whole, got %d receipts", len(rs))
	}
	if n := len(emu.Torn()); n != 0 {
		t.Errorf("%d torn receipts", n)
	}
}

func TestStaleAnswersOnANetworkPrinterDoNotMarkAJobPrinted(t *testing.T) {
	pr := startFreezableTCPPrinter(t)
	s := queueStore(t)
	q := runQueue(t, s, "tcp://"+pr.ln.Addr().String())
	eventually(t, "printer ready", 10*time.Second, func() bool { return q.Status()[0].State == "ready" })

	pr.freeze()
	pr.inject(t, bytes.Repeat([]byte{readyAnswer}, 12))
	time.Sleep(200 * time.Millisecond)
	sale := sell(t, s)
	q.Wake()
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if j := jobOf(t, s, sale.ID); j.State != pos.JobPending {
			t.Fatalf("job %s while the printer is frozen: %+v", j.State, j)
		}
	}
	pr.thaw()
	eventually(t, "printed after the printer came back", 40*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	time.Sleep(time.Second)
	rs := pr.emu.Receipts()
	if len(rs) != 1 || !strings.Contains(rs[0].Text(), sale.ReceiptNo) {
		t.Fatalf("want the receipt once, got %d receipts", len(rs))
	}
}
