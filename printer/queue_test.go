package printer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// queueStore is a real bbolt store with a one-product catalog.
func queueStore(t *testing.T) *pos.Store {
	t.Helper()
	s, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: "K01"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	err = s.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong rừng tràm U Minh Hạ 500ml", Group: pos.GroupFood, Stars: 5,
			ProducerID: "UMINH", Price: 220000, VATRate: 8, Stock: 1000}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sell(t *testing.T, s *pos.Store) pos.Sale { return sellLines(t, s, 1) }

// sellLines sells n lines of one honey each: a long receipt.
func sellLines(t *testing.T, s *pos.Store, n int) pos.Sale {
	t.Helper()
	lines := make([]pos.LineRequest, n)
	for i := range lines {
		lines[i] = pos.LineRequest{SKU: "MO-500", Qty: 1}
	}
	sale, _, err := s.CommitSale(pos.SaleRequest{
		Lines:    lines,
		Payments: []pos.PaymentRequest{{Method: pos.MethodCash, Amount: 220000 * pos.Money(n)}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	return sale
}

// receiptRenderer renders receipt jobs as the kiosk does.
func receiptRenderer(s *pos.Store) Renderer {
	return func(j pos.PrintJob, p Profile) ([]byte, error) {
		sale, err := s.Sale(j.SaleID)
		if err != nil {
			return nil, err
		}
		r := Receipt{Seller: Seller{Name: "GIAN HÀNG OCOP CÀ MAU", TaxCode: "2000123456"}, Kind: sale.Kind,
			ReceiptNo: sale.ReceiptNo, Time: sale.Time, Payments: sale.Payments, Copy: j.Copy}
		for _, l := range sale.Lines {
			r.Lines = append(r.Lines, ReceiptLine{Name: l.Name, Qty: l.Qty, Price: l.Price, VATRate: l.VATRate, Gross: l.Total})
		}
		e := NewEncoder(p)
		WriteReceipt(e, r)
		return e.Bytes(), e.Err()
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("QUEUE_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// runQueue starts a queue on the given printer URL and stops it with the test.
func runQueue(t *testing.T, s *pos.Store, rawURL string) *Queue {
	t.Helper()
	target, err := ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	q := NewQueue(s, receiptRenderer(s), map[string]Target{"receipt": target}, testLogger())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { q.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return q
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jobOf(t *testing.T, s *pos.Store, saleID string) pos.PrintJob {
	t.Helper()
	jobs, err := s.PrintJobs("")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.SaleID == saleID {
			return j
		}
	}
	t.Fatalf("no print job for sale %s", saleID)
	return pos.PrintJob{}
}

// tcpPrinter is an emulated network printer on 127.0.0.1. failAfter, when set,
// puts the printer in that state once it has received that many bytes of a
// connection (paper running out in the middle of a receipt).
type tcpPrinter struct {
	emu *Emulator
	ln  net.Listener
	mu  sync.Mutex

	failAfter int
	failState State
}

func startTCPPrinter(t *testing.T, addr string) *tcpPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpPrinter{emu: NewEmulator(Profiles[DefaultProfile]), ln: ln}
	go p.serve()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *tcpPrinter) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.handle(c)
	}
}

func (p *tcpPrinter) handle(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 512)
	got := 0
	for {
		n, err := c.Read(buf)
		if n > 0 {
			data := buf[:n]
			p.mu.Lock()
			if p.failAfter > 0 && got+n >= p.failAfter {
				// The paper runs out exactly at byte failAfter.
				cut := p.failAfter - got
				p.emu.Write(data[:cut])
				p.emu.SetState(p.failState)
				data = data[cut:]
				p.failAfter = 0
			}
			p.mu.Unlock()
			got += n
			p.emu.Write(data)
			reply := make([]byte, 16)
			for {
				m, _ := p.emu.Read(reply)
				if m == 0 {
					break
				}
				if _, err := c.Write(reply[:m]); err != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

var ready = State{Known: true, Online: true}

func TestQueuePrintsACommittedSaleOnceOverTCP(t *testing.T) {
	s := queueStore(t)
	pr := startTCPPrinter(t, "127.0.0.1:0")
	sale := sell(t, s)
	q := runQueue(t, s, "tcp://"+pr.ln.Addr().String()+"?profile=epson-tm-t20")
	eventually(t, "receipt printed", 5*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	rs := pr.emu.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts printed, want 1", len(rs))
	}
	for _, want := range []string{"GIAN HÀNG OCOP CÀ MAU", "Mật ong rừng tràm U Minh Hạ 500ml", sale.ReceiptNo, "220.000"} {
		if !strings.Contains(rs[0].Text(), want) {
			t.Errorf("receipt lacks %q:\n%s", want, rs[0].Text())
		}
	}
	if st := q.Status()[0]; st.State != "ready" || st.Printed != 1 || st.Queue != 0 {
		t.Errorf("printer status %+v", st)
	}
	// Nothing prints twice, however often the queue is woken.
	for range 3 {
		q.Wake()
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(pr.emu.Receipts()); n != 1 {
		t.Fatalf("%d receipts after waking the queue again", n)
	}
}

func TestQueueHoldsJobsWhileTheCoverIsOpenOrPaperIsOut(t *testing.T) {
	for _, tt := range []struct {
		name  string
		state State
		word  string
	}{
		{"cover open", State{Known: true, Online: false, CoverOpen: true}, "cover_open"},
		{"paper out", State{Known: true, Online: false, PaperOut: true}, "paper_out"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := queueStore(t)
			pr := startTCPPrinter(t, "127.0.0.1:0")
			pr.emu.SetState(tt.state)
			sale := sell(t, s)
			q := runQueue(t, s, "tcp://"+pr.ln.Addr().String())
			eventually(t, "state reported", 5*time.Second, func() bool { return q.Status()[0].State == tt.word })
			if j := jobOf(t, s, sale.ID); j.State != pos.JobPending || j.Attempts != 0 {
				t.Fatalf("job while %s: %+v", tt.name, j)
			}
			if q.Status()[0].Queue != 1 {
				t.Errorf("queue length %d, want 1", q.Status()[0].Queue)
			}
			pr.emu.SetState(ready)
			eventually(t, "printed after recovery", 5*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
			if n := len(pr.emu.Receipts()); n != 1 {
				t.Fatalf("%d receipts, want 1", n)
			}
		})
	}
}

func TestPaperOutMidReceiptPrintsItAgainWholeOnce(t *testing.T) {
	s := queueStore(t)
	pr := startTCPPrinter(t, "127.0.0.1:0")
	pr.failAfter, pr.failState = 100, State{Known: true, PaperOut: true}
	sale := sell(t, s)
	q := runQueue(t, s, "tcp://"+pr.ln.Addr().String())
	eventually(t, "paper out seen", 5*time.Second, func() bool { return q.Status()[0].State == "paper_out" })
	j := jobOf(t, s, sale.ID)
	if j.State != pos.JobPending || j.Attempts != 1 || !strings.Contains(j.Error, "paper out") {
		t.Fatalf("job after paper ran out mid-receipt: %+v", j)
	}
	if n := len(pr.emu.Receipts()); n != 0 {
		t.Fatalf("%d whole receipts while the paper was out", n)
	}
	pr.emu.SetState(ready) // new roll
	eventually(t, "printed after the new roll", 5*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	rs := pr.emu.Receipts()
	if len(rs) != 1 || !strings.Contains(rs[0].Text(), sale.ReceiptNo) {
		t.Fatalf("want the receipt once, got %d", len(rs))
	}
}

func TestATCPPrinterThatRefusesConnectionsIsOfflineUntilItComesBack(t *testing.T) {
	s := queueStore(t)
	// Reserve a port, then close it so connections are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sale := sell(t, s)
	q := runQueue(t, s, "tcp://"+addr)
	eventually(t, "offline reported", 5*time.Second, func() bool { return q.Status()[0].State == "offline" })
	if j := jobOf(t, s, sale.ID); j.State != pos.JobPending {
		t.Fatalf("job while refused: %+v", j)
	}
	if !strings.Contains(q.Status()[0].LastError, "refused") {
		t.Errorf("last error %q does not say the connection was refused", q.Status()[0].LastError)
	}
	pr := startTCPPrinter(t, addr)
	eventually(t, "printed once the printer is back", 15*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	if n := len(pr.emu.Receipts()); n != 1 {
		t.Fatalf("%d receipts, want 1", n)
	}
}

func TestQueueResumesPendingJobsAfterRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kiosk.db")
	s, err := pos.Open(path, pos.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.PutCatalog(pos.Catalog{Producers: []pos.Producer{{ID: "P", Name: "HTX", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 4, ProducerID: "P", Price: 220000, VATRate: 8, Stock: 10}}}, "t")
	sale := sell(t, s)
	s.Close() // the kiosk stops before printing
	s, err = pos.Open(path, pos.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pr := startTCPPrinter(t, "127.0.0.1:0")
	runQueue(t, s, "tcp://"+pr.ln.Addr().String())
	eventually(t, "printed after restart", 5*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	if n := len(pr.emu.Receipts()); n != 1 {
		t.Fatalf("%d receipts, want 1", n)
	}
}

func TestReprintIsMarkedAsACopy(t *testing.T) {
	s := queueStore(t)
	pr := startTCPPrinter(t, "127.0.0.1:0")
	sale := sell(t, s)
	q := runQueue(t, s, "tcp://"+pr.ln.Addr().String())
	eventually(t, "original printed", 5*time.Second, func() bool { return len(pr.emu.Receipts()) == 1 })
	if _, err := s.AddPrintJob(pos.PrintJob{SaleID: sale.ID, Doc: "receipt", Printer: "receipt", Copy: true}); err != nil {
		t.Fatal(err)
	}
	q.Wake()
	eventually(t, "copy printed", 5*time.Second, func() bool { return len(pr.emu.Receipts()) == 2 })
	rs := pr.emu.Receipts()
	if strings.Contains(rs[0].Text(), "BẢN SAO") || !strings.Contains(rs[1].Text(), "BẢN SAO / COPY") {
		t.Fatalf("original:\n%s\ncopy:\n%s", rs[0].Text(), rs[1].Text())
	}
}

func TestFilePrinterWritesBytesAndAPreview(t *testing.T) {
	s := queueStore(t)
	dir := t.TempDir()
	sale := sell(t, s)
	runQueue(t, s, "file:"+dir)
	eventually(t, "printed to the folder", 5*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	bins, _ := filepath.Glob(filepath.Join(dir, "*.bin"))
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(bins) != 1 || len(pngs) != 1 {
		t.Fatalf("files: %v %v", bins, pngs)
	}
	data, _ := os.ReadFile(bins[0])
	doc, err := Decode(data, Profiles[DefaultProfile])
	if err != nil || !strings.Contains(doc.Text(), sale.ReceiptNo) {
		t.Fatalf("the .bin does not read back: %v", err)
	}
	png, _ := os.ReadFile(pngs[0])
	if len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("%s is not a PNG", pngs[0])
	}
}

// ---- serial, over a real pseudo-terminal pair from socat ----

// ptyPair runs socat to make two linked pseudo-terminals: kiosk (opened by
// tarm/serial) and printer (where the emulator listens). kill() is unplugging
// the cable.
type ptyPair struct {
	kiosk, printer string
	cmd            *exec.Cmd
}

func startPTY(t *testing.T, dir string) *ptyPair {
	t.Helper()
	return startPTYAt(t, filepath.Join(dir, "kiosk-tty"), filepath.Join(dir, "printer-tty"))
}

// startPTYAt is startPTY with the two device paths given.
func startPTYAt(t *testing.T, kiosk, printer string) *ptyPair {
	t.Helper()
	if _, err := exec.LookPath("socat"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("socat is not installed (.ci/test installs it)")
		}
		t.Skip("socat is not installed; apt-get install socat (./.ci/test does)")
	}
	p := &ptyPair{kiosk: kiosk, printer: printer}
	os.Remove(p.kiosk)
	os.Remove(p.printer)
	p.cmd = exec.Command("socat", "pty,raw,echo=0,link="+p.printer, "pty,raw,echo=0,link="+p.kiosk)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	eventually(t, "socat ptys", 5*time.Second, func() bool {
		_, e1 := os.Stat(p.kiosk)
		_, e2 := os.Stat(p.printer)
		return e1 == nil && e2 == nil
	})
	return p
}

// kill stops socat. It waits for it a little, not for ever: a socat killed
// while our side's write to its pty is stuck (a printer that stopped
// reading, as some tests make) has once stayed in the kernel for minutes,
// which held the whole package until its 10-minute timeout.
func (p *ptyPair) kill() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
}

// serveSerial runs an emulator on the printer end of p.
func serveSerial(t *testing.T, p *ptyPair, emu *Emulator) {
	t.Helper()
	serveSerialAt(t, p.printer, emu)
}

// serveSerialAt runs an emulator on the printer device at path.
func serveSerialAt(t *testing.T, path string, emu *Emulator) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { emu.Serve(ctx, f); close(done) }()
	t.Cleanup(func() { cancel(); f.Close(); <-done })
}

func TestSerialReceiptThroughAPseudoTerminal(t *testing.T) {
	dir := t.TempDir()
	p := startPTY(t, dir)
	emu := NewEmulator(Profiles["xprinter-58"])
	serveSerial(t, p, emu)
	s := queueStore(t)
	sale := sell(t, s)
	q := runQueue(t, s, "serial:"+p.kiosk+"?baud=9600&profile=xprinter-58")
	eventually(t, "printed over the serial line", 10*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	rs := emu.Receipts()
	if len(rs) != 1 || !strings.Contains(rs[0].Text(), "Mật ong rừng tràm U Minh Hạ") {
		t.Fatalf("receipts over serial: %d", len(rs))
	}
	if q.Status()[0].State != "ready" {
		t.Errorf("state %s", q.Status()[0].State)
	}
}

func TestSerialPrinterUnpluggedMidReceiptPrintsOnceWhenBack(t *testing.T) {
	dir := t.TempDir()
	p := startPTY(t, dir)
	// A printer that takes the status requests, then stops reading: the write
	// blocks in the middle of the receipt, and then the cable is pulled.
	f, err := os.OpenFile(p.printer, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	first := NewEmulator(Profiles["generic-58"])
	started := make(chan struct{})
	go func() {
		defer close(started)
		buf := make([]byte, 64)
		total := 0
		for total < 64 { // enough for three status requests and the start of the job
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			first.Write(buf[:n])
			total += n
			for {
				r := make([]byte, 8)
				m, _ := first.Read(r)
				if m == 0 {
					break
				}
				f.Write(r[:m])
			}
		}
	}()
	s := queueStore(t)
	// generic-58 rasterises the Vietnamese lines: 150 lines make a receipt of
	// about 200 KB, more than the pty and socat buffers hold. The queue asks
	// how the job went once it can have left the line: 4 s at 460800 baud.
	sale := sellLines(t, s, 150)
	q := runQueue(t, s, "serial:"+p.kiosk+"?baud=460800&profile=generic-58")
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not start")
	}
	time.Sleep(300 * time.Millisecond)
	p.kill() // unplugged mid-receipt
	f.Close()
	eventually(t, "offline reported", 10*time.Second, func() bool { return q.Status()[0].State == "offline" })
	if j := jobOf(t, s, sale.ID); j.State != pos.JobPending || j.Attempts != 1 {
		t.Fatalf("job after unplugging: %+v", j)
	}
	if n := len(first.Receipts()); n != 0 {
		t.Fatalf("the unplugged printer finished %d receipts", n)
	}
	// Plugged back in: same device names, a printer that reads everything.
	p2 := startPTY(t, dir)
	second := NewEmulator(Profiles["generic-58"])
	serveSerial(t, p2, second)
	eventually(t, "printed after plugging back in", 40*time.Second, func() bool { return jobOf(t, s, sale.ID).State == pos.JobPrinted })
	if n := len(second.Receipts()); n != 1 {
		t.Fatalf("%d receipts after recovery, want 1", n)
	}
	if j := jobOf(t, s, sale.ID); j.Attempts != 2 {
		t.Errorf("attempts %d, want 2", j.Attempts)
	}
}

func TestStalledSerialWriteIsCutByTheWatchdog(t *testing.T) {
	dir := t.TempDir()
	p := startPTY(t, dir)
	f, err := os.OpenFile(p.printer, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() // never read: the line stalls
	target, err := ParseURL("serial:" + p.kiosk + "?baud=115200&profile=generic-58&status=0")
	if err != nil {
		t.Fatal(err)
	}
	port, err := target.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	start := time.Now()
	err = port.Write(context.Background(), make([]byte, 1<<20))
	if err == nil || !strings.Contains(err.Error(), "stalled") {
		t.Fatalf("write to a printer that reads nothing: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the watchdog took %s", d)
	}
}

func TestTheVirtualPrinterKeepsTheFilesOfTheNewestJobsOnly(t *testing.T) {
	dir := t.TempDir()
	// Left by an earlier run: eight jobs, a print test and a half-written file.
	for i := 1; i <= 8; i++ {
		for _, ext := range []string{".bin", ".png"} {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("job-%06d-receipt-OLD%d%s", i, i, ext)), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []string{"print-test.bin", "print-test.png", "job-000009-receipt-X.png.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := queueStore(t)
	var sales []pos.Sale
	for range 3 {
		sales = append(sales, sell(t, s))
	}
	q := runQueue(t, s, "file:"+dir+"?keep=5")
	eventually(t, "three printed", 10*time.Second, func() bool { return jobOf(t, s, sales[2].ID).State == pos.JobPrinted })
	// At start the folder was cut to the five newest jobs by id (4 to 8; the
	// print test is older than any job), then each new job pushed out the
	// oldest: the two newest old jobs are left beside the three new ones.
	want := []string{"job-000007-receipt-OLD7", "job-000008-receipt-OLD8"}
	for i, sale := range sales {
		want = append(want, fmt.Sprintf("job-%06d-receipt-%s", i+1, sale.ID))
	}
	slices.Sort(want)
	if got := folderJobs(t, dir); !slices.Equal(got, want) {
		t.Fatalf("jobs in the folder:\n%v\nwant\n%v", got, want)
	}
	for range 4 {
		sales = append(sales, sell(t, s))
	}
	q.Wake()
	eventually(t, "seven printed", 10*time.Second, func() bool { return jobOf(t, s, sales[6].ID).State == pos.JobPrinted })
	want = want[:0]
	for i, sale := range sales[2:] {
		want = append(want, fmt.Sprintf("job-%06d-receipt-%s", i+3, sale.ID))
	}
	slices.Sort(want)
	if got := folderJobs(t, dir); !slices.Equal(got, want) {
		t.Fatalf("jobs in the folder:\n%v\nwant\n%v", got, want)
	}
}

// folderJobs lists the jobs whose .bin and .png are both in dir, by name; a
// file without its pair fails the test.
func folderJobs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		base := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".bin"), ".png")
		if base == e.Name() {
			t.Fatalf("unexpected file %s", e.Name())
		}
		count[base]++
	}
	var out []string
	for base, n := range count {
		if n != 2 {
			t.Fatalf("%s has %d of its two files", base, n)
		}
		out = append(out, base)
	}
	slices.Sort(out)
	return out
}
