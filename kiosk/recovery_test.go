package kiosk

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// fair is a hub process and a kiosk process linked to it, as real processes.
type fair struct {
	t        *testing.T
	hubDir   string
	hubAddr  string
	hub      *hubProcess
	kioskDir string
	token    string
	kiosk    *kioskProcess
	price    pos.Money
}

func newFair(t *testing.T) *fair {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs hub and kiosk processes")
	}
	f := &fair{t: t, hubDir: t.TempDir(), kioskDir: t.TempDir(), hubAddr: freeAddr(t)}
	f.token = addKioskToHub(t, f.hubDir, "K01")
	f.hub = startHubProcess(t, f.hubDir, f.hubAddr)
	f.startKiosk()
	f.price = getProduct(t, f.kiosk.url, "BT-KD-400").Price
	return f
}

// kioskArgs are the flags every kiosk command of the fair gets.
func (f *fair) kioskArgs(more ...string) []string {
	return append([]string{"-data", f.kioskDir, "-manager-pin", testPIN, "-hub", "http://" + f.hubAddr, "-hub-token", f.token}, more...)
}

func (f *fair) startKiosk() {
	f.t.Helper()
	bin, err := buildKiosk()
	if err != nil {
		f.t.Fatal(err)
	}
	f.kiosk = startCmd(f.t, exec.Command(bin, f.kioskArgs("-addr", "127.0.0.1:0")...))
}

func (f *fair) stopKiosk() {
	f.t.Helper()
	_ = f.kiosk.cmd.Process.Signal(syscall.SIGTERM)
	_ = f.kiosk.cmd.Wait()
}

// kioskCommand runs `kiosk [flags] args…` to its end.
func (f *fair) kioskCommand(args ...string) (string, error) {
	f.t.Helper()
	bin, err := buildKiosk()
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := exec.Command(bin, f.kioskArgs(args...)...).CombinedOutput()
	return string(out), err
}

func (f *fair) sell(n int) []pos.Sale {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}},
		"payments": []map[string]any{{"method": "card", "amount": f.price}}})
	var out []pos.Sale
	for range n {
		res, err := http.Post(f.kiosk.url+"/api/v1/sales", "application/json", bytes.NewReader(body))
		if err != nil {
			f.t.Fatal(err)
		}
		var s pos.Sale
		err = json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		if err != nil || res.StatusCode != 201 {
			f.t.Fatalf("sale: %s %v", res.Status, err)
		}
		out = append(out, s)
	}
	return out
}

// backupAfter sells n sales, waits for the hub to hold them, and backs the
// running kiosk up with `kiosk backup`.
func (f *fair) backupAfter(n int) string {
	f.t.Helper()
	f.sell(n)
	f.hubHolds(n)
	backup := filepath.Join(f.t.TempDir(), "backup.db")
	if out, err := f.kioskCommand("-addr", strings.TrimPrefix(f.kiosk.url, "http://"), "backup", backup); err != nil {
		f.t.Fatalf("backup: %v\n%s", err, out)
	}
	return backup
}

func (f *fair) hubHolds(n int) []pos.Sale {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := hubSales(f.t, f.hubAddr)
		if len(got) == n {
			out := make([]pos.Sale, len(got))
			for i, g := range got {
				out[i] = g.Sale
			}
			return out
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the hub holds %d sales, want %d\nkiosk log:\n%s", len(got), n, f.kiosk.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type syncView struct {
	Depth     int           `json:"outbox_depth"`
	Numbering pos.Numbering `json:"numbering"`
}

func (f *fair) sync() syncView {
	f.t.Helper()
	res, err := http.Get(f.kiosk.url + "/api/v1/sync")
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	var v syncView
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		f.t.Fatal(err)
	}
	return v
}

// agree checks that kiosk and hub hold the same records, each once, and that
// no receipt number exists twice.
func (f *fair) agree(n int) []pos.Sale {
	f.t.Helper()
	remote := f.hubHolds(n)
	local := listAllSales(f.t, f.kiosk.url)
	if len(local) != n {
		f.t.Fatalf("the kiosk holds %d records, the hub %d", len(local), n)
	}
	byID := map[string]pos.Sale{}
	receipts := map[string]bool{}
	for _, r := range remote {
		if _, dup := byID[r.ID]; dup {
			f.t.Fatalf("sale %s twice on the hub", r.ID)
		}
		if receipts[r.ReceiptNo] {
			f.t.Errorf("receipt %s issued twice", r.ReceiptNo)
		}
		byID[r.ID], receipts[r.ReceiptNo] = r, true
	}
	for _, s := range local {
		if r, ok := byID[s.ID]; !ok || r.ReceiptNo != s.ReceiptNo || r.Seq != s.Seq {
			f.t.Errorf("kiosk record %s (%s, %d): the hub has %+v", s.ID, s.ReceiptNo, s.Seq, r)
		}
	}
	return local
}

// TestARestoredKioskRecoversWhatTheHubHoldsBeforeItSells: a kiosk linked to a
// hub is backed up, sells 30 more, is restored from the backup (with the hub
// reachable) and sells again. Before, the new sales reused receipt numbers and
// outbox sequences the hub held, the hub's greeting trimmed them and they never
// arrived, while the kiosk showed nothing waiting.
func TestARestoredKioskRecoversWhatTheHubHoldsBeforeItSells(t *testing.T) {
	f := newFair(t)
	backup := f.backupAfter(20)
	lost := f.sell(30)
	f.hubHolds(50)
	f.stopKiosk()
	out, err := f.kioskCommand("restore", backup)
	if err != nil || !strings.Contains(out, "30 records sold after the backup recovered") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	f.startKiosk()
	after := f.sell(5)
	if after[0].ReceiptNo != "K01-000051" {
		t.Errorf("the first sale after the restore is %s, want K01-000051", after[0].ReceiptNo)
	}
	local := f.agree(55)
	if local[49].ID != lost[29].ID {
		t.Errorf("record 50 on the kiosk is %s, want the lost sale %s", local[49].ReceiptNo, lost[29].ReceiptNo)
	}
	if v := f.sync(); v.Depth != 0 || !v.Numbering.Verified {
		t.Errorf("sync status %+v", v)
	}
}

// TestARestoredKioskWithTheHubDownSellsInItsOwnSeries: restored while the hub is
// down, the kiosk cannot know what the hub holds, so it sells in a provisional
// series; once the hub is back it recovers, moves its provisional records after
// the hub's and numbers on in the main series.
func TestARestoredKioskWithTheHubDownSellsInItsOwnSeries(t *testing.T) {
	f := newFair(t)
	backup := f.backupAfter(20)
	f.sell(30)
	f.hubHolds(50)
	f.stopKiosk()
	f.hub.kill(t)
	out, err := f.kioskCommand("restore", backup)
	if err != nil || !strings.Contains(out, "K01-R1-000001") {
		t.Fatalf("restore with the hub down: %v\n%s", err, out)
	}
	f.startKiosk()
	provisional := f.sell(5)
	for i, s := range provisional {
		if want := pos.ReceiptNo("K01-R1", uint64(i+1)); s.ReceiptNo != want {
			t.Errorf("provisional sale %d is %s, want %s", i+1, s.ReceiptNo, want)
		}
	}
	if v := f.sync(); v.Numbering.Verified || v.Numbering.Series != "R1" {
		t.Errorf("numbering while the hub is down: %+v", v.Numbering)
	}
	f.hub = startHubProcess(t, f.hubDir, f.hubAddr)
	local := f.agree(55)
	next := f.sell(1)[0]
	if next.ReceiptNo != "K01-000051" || next.Seq != 56 {
		t.Errorf("after recovery the next sale is %s (record %d), want K01-000051 (record 56)", next.ReceiptNo, next.Seq)
	}
	for i, s := range local[50:] {
		if s.ID != provisional[i].ID || s.ReceiptNo != provisional[i].ReceiptNo {
			t.Errorf("record %d is %s, want the provisional %s", 51+i, s.ReceiptNo, provisional[i].ReceiptNo)
		}
	}
	f.agree(56)
	if v := f.sync(); v.Depth != 0 || !v.Numbering.Verified {
		t.Errorf("sync status %+v", v)
	}
}

// TestAHubRestoredFromASnapshotGetsEverySaleAgain: the hub's store is put back
// from a copy taken mid-fair. Before, the kiosk had trimmed its outbox and looped
// on "hub acknowledged 20 of a batch up to 50" for good.
func TestAHubRestoredFromASnapshotGetsEverySaleAgain(t *testing.T) {
	f := newFair(t)
	f.sell(20)
	f.hubHolds(20)
	f.hub.kill(t)
	snapshot, err := os.ReadFile(filepath.Join(f.hubDir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	f.hub = startHubProcess(t, f.hubDir, f.hubAddr)
	f.sell(30)
	f.hubHolds(50)
	f.hub.kill(t)
	if err := os.WriteFile(filepath.Join(f.hubDir, "hub.db"), snapshot, 0o600); err != nil {
		t.Fatal(err)
	}
	f.hub = startHubProcess(t, f.hubDir, f.hubAddr)
	f.sell(2)
	f.agree(52)
	if v := f.sync(); v.Depth != 0 {
		t.Errorf("outbox depth %d", v.Depth)
	}
}

// TestADamagedStoreIsRefusedWithWhatToDo: an empty store file used to become a
// new store (demo catalog again, receipts from K01-000001), other damage
// panicked after "kiosk ready". The kiosk and the hub refuse to start, say what
// to do, and leave the file as it was.
func TestADamagedStoreIsRefusedWithWhatToDo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs kiosk and hub processes")
	}
	kbin, err := buildKiosk()
	if err != nil {
		t.Fatal(err)
	}
	hbin, err := buildHub()
	if err != nil {
		t.Fatal(err)
	}
	run := func(bin string, args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		done := make(chan struct{})
		timer := time.AfterFunc(20*time.Second, func() { _ = cmd.Process.Kill() })
		defer timer.Stop()
		out, err := cmd.CombinedOutput()
		close(done)
		return string(out), err
	}
	refused := func(t *testing.T, out string, err error, words ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("started on a damaged store:\n%s", out)
		}
		for _, w := range append(words, "check") {
			if !strings.Contains(out, w) {
				t.Errorf("message lacks %q:\n%s", w, out)
			}
		}
		// A Go panic starts a line and dumps goroutines; bbolt's check may
		// itself report "panic: assertion failed" inside the message, which is fine.
		for _, w := range []string{"\npanic:", "goroutine ", "SIGSEGV", "ready"} {
			if strings.Contains("\n"+out, w) {
				t.Errorf("output has %q:\n%s", w, out)
			}
		}
	}
	t.Run("an empty kiosk store", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "kiosk.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(kbin, "-addr", "127.0.0.1:0", "-data", dir)
		refused(t, out, err, "empty", "kiosk restore")
		if fi, _ := os.Stat(path); fi.Size() != 0 {
			t.Errorf("the empty store was written: %d bytes", fi.Size())
		}
		out, err = run(kbin, "-data", dir, "check")
		refused(t, out, err, "empty")
	})
	t.Run("a kiosk store with damaged pages", func(t *testing.T) {
		dir := t.TempDir()
		p := startCmd(t, exec.Command(kbin, "-addr", "127.0.0.1:0", "-data", dir, "-manager-pin", testPIN))
		body, _ := json.Marshal(map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}},
			"payments": []map[string]any{{"method": "cash", "amount": 1_000_000}}})
		for range 200 {
			res, err := http.Post(p.url+"/api/v1/sales", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
		path := filepath.Join(dir, "kiosk.db")
		scribble(t, path)
		before, _ := os.ReadFile(path)
		out, err := run(kbin, "-addr", "127.0.0.1:0", "-data", dir)
		refused(t, out, err, "damaged")
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("the damaged store was written")
		}
		out, err = run(kbin, "-data", dir, "check")
		refused(t, out, err, "damaged")
	})
	t.Run("an empty hub store", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "hub.db"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := run(hbin, "-addr", "127.0.0.1:0", "-data", dir)
		refused(t, out, err, "empty", "hub check")
	})
	t.Run("a kiosk store given to the hub", func(t *testing.T) {
		dir := t.TempDir()
		s, err := pos.Open(filepath.Join(dir, "hub.db"), pos.StoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		out, err := run(hbin, "-addr", "127.0.0.1:0", "-data", dir)
		refused(t, out, err, "not a hub store")
	})
}

// scribble overwrites bytes in every page after the two meta pages.
func scribble(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 2 * 4096; i < len(data); i += 4096 {
		for range 64 {
			data[i+rng.IntN(4096)] = byte(rng.IntN(256))
		}
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
