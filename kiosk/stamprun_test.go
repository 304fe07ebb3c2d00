package kiosk

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ocop-kiosk/kiosk/printer"
)

// stampPrinter is the printer emulator on a TCP port (9100 on a real one),
// speaking ESC/POS with status replies, as the kiosk's label printer. A fault
// armed with tear happens in the middle of the next stamp that arrives.
type stampPrinter struct {
	*printer.Emulator
	URL string

	mu   sync.Mutex
	tear *printer.State
}

func startStampPrinter(t *testing.T) *stampPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stampPrinter{Emulator: printer.NewEmulator(printer.Profiles[printer.DefaultProfile]),
		URL: "tcp://" + ln.Addr().String() + "?profile=" + printer.DefaultProfile}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return p
}

func (p *stampPrinter) serve(c net.Conn) {
	defer c.Close()
	buf, reply := make([]byte, 4096), make([]byte, 64)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			data := buf[:n]
			p.mu.Lock()
			if p.tear != nil && n > 16 { // a stamp, not a status request
				_, _ = p.Write(data[:n/2])
				p.SetState(*p.tear)
				data, p.tear = data[n/2:], nil
			}
			p.mu.Unlock()
			_, _ = p.Write(data)
			if m, _ := p.Read(reply); m > 0 {
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

// tearNext makes the printer go into st halfway through the next stamp.
func (p *stampPrinter) tearNext(st printer.State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tear = &st
}

// stampRunAnswer is a run as GET answers it.
type stampRunAnswer struct {
	ID           string
	State        string
	Reason       string
	Printed      int
	Count        int
	PrinterState string `json:"printer_state"`
}

func (k *testKiosk) stampRun(t *testing.T, id string) stampRunAnswer {
	t.Helper()
	r := k.do("GET", stampsPath+"/"+id, nil, "X-Manager-Pin", testPIN)
	if r.Status != 200 {
		t.Fatalf("GET run %s: %d %s", id, r.Status, r.Body)
	}
	var a stampRunAnswer
	r.json(t, &a)
	return a
}

var stampSerial = regexp.MustCompile(`/21/([0-9]+)`)

// stampsOnPaper are the serials of the stamps the emulator finished (cut),
// in the order they came out; torn ones (paper out, switched off) are not.
func stampsOnPaper(t *testing.T, emu *stampPrinter) []string {
	t.Helper()
	var out []string
	for _, d := range emu.Receipts() {
		if len(d.QRCodes) != 1 {
			t.Fatalf("a stamp with %d QR codes: %q", len(d.QRCodes), d.Text())
		}
		m := stampSerial.FindStringSubmatch(d.QRCodes[0])
		if m == nil || !strings.Contains(d.Text(), m[1]) {
			t.Fatalf("stamp QR %q without its serial in text %q", d.QRCodes[0], d.Text())
		}
		out = append(out, m[1])
	}
	return out
}

func TestAPrinterRunPrintsEveryStampOnceInOrderThroughPaperOutSwitchOffPauseAndRestart(t *testing.T) {
	dir := t.TempDir()
	emu := startStampPrinter(t)
	withPrinter := func(c *Config) { c.Printers = map[string]string{"label": emu.URL} }
	k := startKiosk(t, dir, withPrinter)

	r := k.do("POST", stampsPath, map[string]any{"count": 300, "format": "printer", "size": "25x25"}, "X-Manager-Pin", testPIN)
	if r.Status != 202 {
		t.Fatalf("printer run: %d %s", r.Status, r.Body)
	}
	var run stampRunAnswer
	r.json(t, &run)
	if run.State != "printing" || run.Count != 300 {
		t.Fatalf("run answered %+v", run)
	}
	atLeast := func(n int) {
		t.Helper()
		waitFor(t, fmt.Sprintf("%d stamps printed", n), func() bool { return k.stampRun(t, run.ID).Printed >= n })
	}

	// Paper runs out: the stamp on the printer tears, the run is held there
	// and goes on by itself from that stamp once the roll is changed.
	atLeast(40)
	emu.tearNext(printer.State{Online: true, PaperOut: true})
	waitFor(t, "the run showing paper out", func() bool { return k.stampRun(t, run.ID).PrinterState == "paper_out" })
	held := k.stampRun(t, run.ID).Printed
	emu.SetState(printer.State{Online: true})
	atLeast(held + 20)

	// Switched off mid-run (the state a printer unplugged from its power
	// reports on a line that stays up), then on again.
	emu.tearNext(printer.State{Online: false})
	waitFor(t, "the run showing the printer off", func() bool { return k.stampRun(t, run.ID).PrinterState != "ready" })
	emu.SetState(printer.State{Online: true})
	atLeast(140)

	// The manager pauses: nothing more prints until resume; a second pause
	// is refused and changes nothing.
	p := k.do("POST", stampsPath+"/"+run.ID+"/pause", nil, "X-Manager-Pin", testPIN)
	if p.Status != 200 {
		t.Fatalf("pause: %d %s", p.Status, p.Body)
	}
	paused := k.stampRun(t, run.ID)
	if again := k.do("POST", stampsPath+"/"+run.ID+"/pause", nil, "X-Manager-Pin", testPIN); again.Status != 409 || again.errCode(t) != "stamp_run_state" {
		t.Errorf("pausing a paused run: %d %s", again.Status, again.Body)
	}
	if got := len(stampsOnPaper(t, emu)); got != paused.Printed || paused.State != "paused" {
		t.Errorf("paused at %d printed (%s), the printer has %d", paused.Printed, paused.State, got)
	}
	if res := k.do("POST", stampsPath+"/"+run.ID+"/resume", nil, "X-Manager-Pin", testPIN); res.Status != 200 {
		t.Fatalf("resume: %d %s", res.Status, res.Body)
	}
	atLeast(paused.Printed + 30)

	// The kiosk stops mid-run and starts again: the run goes on from the
	// progress in its store.
	k.stop()
	stoppedAt := len(stampsOnPaper(t, emu))
	if stoppedAt >= 300 {
		t.Fatalf("the run ended before the restart; make it longer")
	}
	k = startKiosk(t, dir, withPrinter)
	waitFor(t, "the run done after the restart", func() bool { return k.stampRun(t, run.ID).State == "done" })

	got := stampsOnPaper(t, emu)
	want := make([]string, 300)
	for i := range want {
		want[i] = fmt.Sprintf("%04d", i+1)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stamps on paper (%d): %v\nwant 0001 to 0300 once each, in order", len(got), got)
	}
	if n := len(emu.Torn()); n != 2 {
		t.Errorf("%d stamps torn, want 2: the paper-out and the switch-off did not both happen mid-stamp", n)
	}

	// A finished run cannot be resumed or cancelled.
	for _, action := range []string{"resume", "cancel", "pause"} {
		if r := k.do("POST", stampsPath+"/"+run.ID+"/"+action, nil, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "stamp_run_state" {
			t.Errorf("%s a finished run: %d %s", action, r.Status, r.Body)
		}
	}
	if end := k.stampRun(t, run.ID); end.Printed != 300 || end.State != "done" {
		t.Errorf("run after refused calls: %+v", end)
	}
}

func TestACancelledPrinterRunStopsAndKeepsItsSerials(t *testing.T) {
	dir := t.TempDir()
	emu := startStampPrinter(t)
	emu.SetState(printer.State{Online: true, PaperOut: true}) // nothing prints: the run waits
	k := startKiosk(t, dir, func(c *Config) { c.Printers = map[string]string{"label": emu.URL} })

	r := k.do("POST", stampsPath, map[string]any{"count": 50, "format": "printer", "size": "20x20"}, "X-Manager-Pin", testPIN)
	var run stampRunAnswer
	r.json(t, &run)
	if c := k.do("POST", stampsPath+"/"+run.ID+"/cancel", nil, "X-Manager-Pin", testPIN); c.Status != 200 {
		t.Fatalf("cancel: %d %s", c.Status, c.Body)
	}
	for _, action := range []string{"cancel", "resume", "pause"} {
		if r := k.do("POST", stampsPath+"/"+run.ID+"/"+action, nil, "X-Manager-Pin", testPIN); r.Status != 409 || r.errCode(t) != "stamp_run_state" {
			t.Errorf("%s a cancelled run: %d %s", action, r.Status, r.Body)
		}
	}
	emu.SetState(printer.State{Online: true})
	if n := len(k.printJobs(t, "?state=pending").Jobs); n != 0 {
		t.Errorf("%d jobs still pending after the cancel", n)
	}
	// The next labels take the numbers after the cancelled run.
	lr := k.do("POST", demoLotPath+"/labels", map[string]any{"count": 1, "printer": "label"}, "X-Manager-Pin", testPIN)
	var labels struct{ Serials []string }
	lr.json(t, &labels)
	if strings.Join(labels.Serials, ",") != "0051" {
		t.Errorf("a label after a cancelled run of 50 got %v, want 0051", labels.Serials)
	}
	if got := stampsOnPaper(t, emu); len(got) > 1 {
		t.Errorf("a cancelled run printed %v", got)
	}
}

func TestBadStampRunCallsAreRefusedWithAClearCode(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir) // no label printer
	pin := []string{"X-Manager-Pin", testPIN}
	r := k.do("POST", stampsPath, map[string]any{"count": 5, "format": "printer", "size": "25x25"}, pin...)
	if r.Status != 422 || r.errCode(t) != "unknown_printer" {
		t.Errorf("a printer run with no label printer: %d %s", r.Status, r.Body)
	}
	pdf := k.do("POST", stampsPath, map[string]any{"count": 5, "format": "pdf", "size": "25x25"}, pin...)
	id := pdf.Header.Get("X-Stamp-Run")
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"pausing a PDF run is a conflict", "POST", "/" + id + "/pause", nil, 409, "stamp_run_state"},
		{"reprinting a PDF run is a conflict", "POST", "/" + id + "/reprint", map[string]string{"first": "0001", "last": "0002"}, 409, "stamp_run_state"},
		{"an unknown run is not found", "GET", "/ST999999", nil, 404, "not_found"},
		{"an unknown action is not found", "POST", "/" + id + "/explode", nil, 404, "not_found"},
		{"a run of another lot is not found", "GET", "/" + id, nil, 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := stampsPath
			if strings.HasPrefix(c.name, "a run of another lot") {
				base = "/api/v1/lots/CM-MO-500/OTHER/stamps"
			}
			r := k.do(c.method, base+c.path, c.body, pin...)
			if r.Status != c.status || r.errCode(t) != c.code {
				t.Errorf("%d %s, want %d %s", r.Status, r.Body, c.status, c.code)
			}
		})
	}
}

func TestAPrinterRunOnATSPLPrinterPrintsSquareStampsOfTheRunsSize(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Printers = map[string]string{"label": "file:" + filepath.Join(dir, "labels") + "?profile=tspl-label"}
	})
	r := k.do("POST", stampsPath, map[string]any{"count": 20, "format": "printer", "size": "20x20"}, "X-Manager-Pin", testPIN)
	var run stampRunAnswer
	r.json(t, &run)
	waitFor(t, "the TSPL run done", func() bool { return k.stampRun(t, run.ID).State == "done" })
	bins, _ := filepath.Glob(filepath.Join(dir, "labels", "*.bin"))
	sort.Strings(bins)
	if len(bins) != 20 {
		t.Fatalf("%d stamps written, want 20", len(bins))
	}
	for i, b := range bins {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		s, serial := string(data), fmt.Sprintf("%04d", i+1)
		if !strings.Contains(s, "SIZE 20 mm,20 mm") || !strings.Contains(s, "QRCODE") || !strings.Contains(s, "/21/"+serial) || !strings.Contains(s, "PRINT 1,1") {
			t.Errorf("stamp %s on the TSPL printer:\n%.400s", serial, s)
		}
	}
}
