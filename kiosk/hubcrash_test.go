package kiosk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// buildHub builds cmd/hub once per test binary run.
var buildHub = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hub-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hub")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/hub").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// addKioskToHub registers a kiosk with `hub kiosk add` on a stopped hub's data
// folder and returns its token.
func addKioskToHub(t testing.TB, hubDir, id string) string {
	t.Helper()
	bin, err := buildHub()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-data", hubDir, "kiosk", "add", id).Output()
	if err != nil {
		t.Fatal(err)
	}
	tok := regexp.MustCompile(`\(shown once\): (\S+)`).FindSubmatch(out)
	if tok == nil {
		t.Fatalf("no token in %q", out)
	}
	return string(tok[1])
}

var reHubReady = regexp.MustCompile(`msg="hub ready" addr=(\S+)`)

// hubProcess is cmd/hub running as its own process on addr.
type hubProcess struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	mu     sync.Mutex
}

// hubAdminToken is the admin token of the hubs these tests start: the hub
// refuses to start with a weak one.
const hubAdminToken = "hub-test-7Qm2Xv9LpK4sWd8Rt3Nz"

func startHubProcess(t *testing.T, dataDir, addr string) *hubProcess {
	t.Helper()
	bin, err := buildHub()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-addr", addr, "-data", dataDir, "-admin-token", hubAdminToken)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &hubProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if reHubReady.MatchString(sc.Text()) {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("hub process did not start")
	}
	return p
}

func (p *hubProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

func hubSales(t *testing.T, addr string) []struct {
	Sale pos.Sale `json:"sale"`
} {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/sales?kiosk=K01", nil)
	req.Header.Set("Authorization", "Bearer "+hubAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Sales []struct {
			Sale pos.Sale `json:"sale"`
		} `json:"sales"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Sales
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestHubAndKioskKilledMidUploadAgreeSaleForSale kills the hub process (SIGKILL)
// while a kiosk process uploads, restarts it, then kills the kiosk process in
// the middle of its catch-up and restarts it: in the end hub and kiosk agree
// sale for sale, with nothing lost and nothing twice.
func TestHubAndKioskKilledMidUploadAgreeSaleForSale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills hub and kiosk processes")
	}
	hubDir, kioskDir := t.TempDir(), t.TempDir()
	tok := addKioskToHub(t, hubDir, "K01")
	hubAddr := freeAddr(t)
	hub := startHubProcess(t, hubDir, hubAddr)

	kbin, err := buildKiosk()
	if err != nil {
		t.Fatal(err)
	}
	startK := func() *kioskProcess {
		cmd := exec.Command(kbin, "-addr", "127.0.0.1:0", "-data", kioskDir, "-manager-pin", testPIN,
			"-hub", "http://"+hubAddr, "-hub-token", tok)
		return startCmd(t, cmd)
	}
	k := startK()
	price := getProduct(t, k.url, "BT-KD-400").Price
	sellHTTP := func(url string, n int) {
		body, _ := json.Marshal(map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}},
			"payments": []map[string]any{{"method": "card", "amount": price}}})
		for range n {
			res, err := http.Post(url+"/api/v1/sales", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 201 {
				t.Fatalf("sale: %s", res.Status)
			}
		}
	}
	sellHTTP(k.url, 120)
	hub.kill(t) // mid-upload
	sellHTTP(k.url, 80)
	startHubProcess(t, hubDir, hubAddr) // restarted on the same data
	time.Sleep(150 * time.Millisecond)
	if err := k.cmd.Process.Signal(syscall.SIGKILL); err != nil { // the kiosk dies mid catch-up
		t.Fatal(err)
	}
	_ = k.cmd.Wait()
	k = startK()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if n := len(hubSales(t, hubAddr)); n == 200 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("hub holds %d of 200 sales", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	local := listAllSales(t, k.url)
	remote := hubSales(t, hubAddr)
	if len(local) != 200 || len(remote) != 200 {
		t.Fatalf("kiosk %d, hub %d", len(local), len(remote))
	}
	byID := map[string]pos.Sale{}
	for _, r := range remote {
		if _, dup := byID[r.Sale.ID]; dup {
			t.Fatalf("sale %s twice on the hub", r.Sale.ID)
		}
		byID[r.Sale.ID] = r.Sale
	}
	for _, s := range local {
		r, ok := byID[s.ID]
		if !ok || r.ReceiptNo != s.ReceiptNo || r.Total != s.Total {
			t.Fatalf("sale %s (%s): hub has %+v", s.ID, s.ReceiptNo, r)
		}
	}
}
