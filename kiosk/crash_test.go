package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// buildKiosk builds cmd/kiosk once per test binary run.
var buildKiosk = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kiosk-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "kiosk")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/kiosk").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// kioskProcess is the kiosk binary running as its own process.
type kioskProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

var reReady = regexp.MustCompile(`msg="kiosk ready".* addr=(\S+)`)

func startProcess(t *testing.T, dataDir string, args ...string) *kioskProcess {
	t.Helper()
	bin, err := buildKiosk()
	if err != nil {
		t.Fatal(err)
	}
	return startCmd(t, exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-data", dataDir, "-manager-pin", testPIN}, args...)...))
}

// invoicingArgs turn invoicing on in a kiosk process as withInvoicing does
// in one run by the tests.
var invoicingArgs = []string{"-seller-name", "HỘ KINH DOANH OCOP CÀ MAU", "-seller-tax-code", testMST,
	"-seller-address", "Công viên Hùng Vương, TP Cà Mau", "-tax-method", "direct", "-invoice-symbol", testSymbol,
	"-invoice-cqt-code", "A1B2C", "-invoice-block", "12"}

// startCmd starts a kiosk command and waits until it serves.
func startCmd(t testing.TB, cmd *exec.Cmd) *kioskProcess {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &kioskProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.stderr.WriteString(line + "\n")
			if m := reReady.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-time.After(20 * time.Second):
		t.Fatalf("kiosk process did not start:\n%s", p.stderr)
	}
	return p
}

// TestSIGKILLDuringABurstLosesNoAcknowledgedSale kills the kiosk process in the
// middle of concurrent sales and checks after a restart that every sale answered
// 201 is there, receipt numbers are unique and gapless, and stock adds up; with
// invoicing on, that every acknowledged sale has its invoice, and invoice
// numbers and MCCQTs run without gaps or repeats, on after the restart too.
func TestSIGKILLDuringABurstLosesNoAcknowledgedSale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a kiosk process")
	}
	t.Run("invoicing off", func(t *testing.T) { sigkillBurst(t, false) })
	t.Run("invoicing on", func(t *testing.T) { sigkillBurst(t, true) })
}

func sigkillBurst(t *testing.T, invoicing bool) {
	var args []string
	if invoicing {
		args = invoicingArgs
	}
	dir := t.TempDir()
	p := startProcess(t, dir, args...)

	skus := []string{"CM-MO-500", "CM-MO-250", "BT-KD-400", "TV-GHC-5"}
	initial := map[string]int64{}
	prices := map[string]pos.Money{}
	for _, sku := range skus {
		pv := getProduct(t, p.url, sku)
		initial[sku], prices[sku] = pv.Stock, pv.Price
	}

	var mu sync.Mutex
	acked := map[string]pos.Sale{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	var wg sync.WaitGroup
	for till := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				sku := skus[(till+i)%len(skus)]
				body, _ := json.Marshal(map[string]any{
					"lines":    []map[string]any{{"sku": sku, "qty": 1}},
					"payments": []map[string]any{{"method": "card", "amount": prices[sku]}},
					"till":     fmt.Sprintf("T%02d", till),
				})
				req, _ := http.NewRequestWithContext(ctx, "POST", p.url+"/api/v1/sales", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					return // the kiosk is gone
				}
				data, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode == 409 {
					continue // out of stock on this SKU
				}
				if res.StatusCode != 201 {
					t.Errorf("sale: %d %s", res.StatusCode, data)
					return
				}
				var s pos.Sale
				if err := json.Unmarshal(data, &s); err != nil {
					t.Errorf("decode: %v", err)
					return
				}
				mu.Lock()
				acked[s.ID] = s
				mu.Unlock()
			}
		}()
	}
	// Let the burst run, then kill without warning.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	cancel()
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d sales acknowledged before the kill; the burst did not run", len(acked))
	}

	p2 := startProcess(t, dir, args...)
	all := listAllSales(t, p2.url)
	byID := map[string]pos.Sale{}
	for _, s := range all {
		byID[s.ID] = s
	}
	for id, s := range acked {
		got, ok := byID[id]
		if !ok {
			t.Errorf("acknowledged sale %s (%s) lost", id, s.ReceiptNo)
			continue
		}
		if got.ReceiptNo != s.ReceiptNo || got.Total != s.Total {
			t.Errorf("sale %s came back as %s/%d, was %s/%d", id, got.ReceiptNo, got.Total, s.ReceiptNo, s.Total)
		}
		if invoicing && (len(s.Invoices) != 1 || len(got.Invoices) != 1 || got.Invoices[0].MCCQT != s.Invoices[0].MCCQT) {
			t.Errorf("sale %s answered invoices %+v, came back with %+v", id, s.Invoices, got.Invoices)
		}
	}
	if invoicing {
		checkInvoiceNumbering(t, all)
	}
	seqs := make([]int, 0, len(all))
	sold := map[string]int64{}
	for _, s := range all {
		seqs = append(seqs, int(s.Seq))
		if want := pos.ReceiptNo("K01", s.Seq); s.ReceiptNo != want {
			t.Errorf("receipt %s for seq %d", s.ReceiptNo, s.Seq)
		}
		for _, l := range s.Lines {
			sold[l.SKU] += l.Qty
		}
	}
	sort.Ints(seqs)
	for i, n := range seqs {
		if n != i+1 {
			t.Fatalf("receipt numbers not gapless and unique: position %d holds %d (of %d)", i, n, len(seqs))
		}
	}
	for _, sku := range skus {
		if got, want := getProduct(t, p2.url, sku).Stock, initial[sku]-sold[sku]; got != want {
			t.Errorf("%s stock %d, want %d − %d sold = %d", sku, got, initial[sku], sold[sku], want)
		}
	}
	t.Logf("%d sales acknowledged before SIGKILL, %d in the store after restart", len(acked), len(all))

	// The restarted kiosk goes on numbering where the store left off.
	body, _ := json.Marshal(map[string]any{
		"lines":    []map[string]any{{"sku": "CM-MO-500", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": prices["CM-MO-500"]}},
	})
	res, err := http.Post(p2.url+"/api/v1/sales", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var next pos.Sale
	_ = json.NewDecoder(res.Body).Decode(&next)
	res.Body.Close()
	if next.Seq != uint64(len(all)+1) {
		t.Errorf("next receipt after restart is seq %d, want %d", next.Seq, len(all)+1)
	}
	if invoicing {
		checkInvoiceNumbering(t, append(all, next))
	}
	// A clean stop (SIGTERM) closes the store: the process exits 0.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p2.cmd.Wait(); err != nil {
		t.Errorf("SIGTERM exit: %v\n%s", err, p2.stderr)
	}
}

// checkInvoiceNumbering checks that the records' invoices, one series of
// one kiosk starting at block 12, are numbered 1, 2, 3… and carry the MCCQTs
// 00120000000, 00120000001… in the same order: no gap, no repeat.
func checkInvoiceNumbering(t *testing.T, all []pos.Sale) {
	t.Helper()
	var invs []pos.Invoice
	for _, s := range all {
		if len(s.Invoices) != 1 {
			t.Errorf("record %s has %d invoices", s.ReceiptNo, len(s.Invoices))
			continue
		}
		invs = append(invs, s.Invoices[0])
	}
	sort.Slice(invs, func(i, j int) bool { return invs[i].Number < invs[j].Number })
	for i, inv := range invs {
		want := pos.MCCQT(2, inv.Issued.In(pos.VietnamTime).Year(), "A1B2C", 12*pos.BlockSize+uint64(i))
		if inv.Number != int64(i+1) || inv.MCCQT != want {
			t.Fatalf("invoice %d of %d: number %d, MCCQT %s; want %d, %s", i+1, len(invs), inv.Number, inv.MCCQT, i+1, want)
		}
	}
}

func getProduct(t *testing.T, base, sku string) productView {
	t.Helper()
	res, err := http.Get(base + "/api/v1/products/" + sku)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Product productView }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		t.Fatalf("product %s: %d %v", sku, res.StatusCode, err)
	}
	return out.Product
}

func listAllSales(t *testing.T, base string) []pos.Sale {
	t.Helper()
	var all []pos.Sale
	var after uint64
	for {
		res, err := http.Get(fmt.Sprintf("%s/api/v1/sales?limit=1000&after=%d", base, after))
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Sales []pos.Sale }
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Sales...)
		if len(page.Sales) < 1000 {
			return all
		}
		after = page.Sales[len(page.Sales)-1].Seq
	}
}
