package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

const adminToken = "hub-test-7Qm2Xv9LpK4sWd8Rt3Nz"

// hub runs this binary as the hub with args and returns what it printed.
func hub(t *testing.T, data string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1", "HUB_DATA="+data, "HUB_DB=")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("hub %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return string(out)
}

// The real hub binary on PostgreSQL: the schema migrated by `hub migrate`, a
// kiosk registered with `hub kiosk add` while the hub runs, and the kiosk's
// sales arriving over its uplink, each once, in the database and not in
// -data.
func TestTheHubRunsOnPostgreSQLWithAKioskSyncingToIt(t *testing.T) {
	db := pgtest.DB(t)
	data := filepath.Join(t.TempDir(), "hub-data")
	if out := hub(t, data, "migrate", "-db", db); !strings.Contains(out, "hub schema at version 91") {
		t.Fatalf("hub migrate said %q", out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := exec.CommandContext(ctx, os.Args[0], "-addr", "127.0.0.1:0", "-db", db, "-admin-token", adminToken)
	srv.Env = append(os.Environ(), "HUB_RUN_MAIN=1", "HUB_DATA="+data)
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		ready := regexp.MustCompile(`msg="hub ready" addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		exited <- srv.Wait()
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a
	case err := <-exited:
		t.Fatalf("the hub stopped before it was ready: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the hub was not ready within a minute")
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("the hub stopped with %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("the hub did not stop within 20 s of SIGTERM")
		}
	}()

	out := hub(t, data, "kiosk", "add", "k01", "-db", db)
	m := regexp.MustCompile(`its token \(shown once\): (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("hub kiosk add said %q", out)
	}

	ks, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: "K01"})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	// The kiosk's demo catalog, which the hub seeded its own with.
	if _, err := ks.LoadDemoIfEmpty(); err != nil {
		t.Fatal(err)
	}
	const sold = 25
	for range sold {
		if _, _, err := ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "CM-MO-500", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCash, Amount: 220000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	up := &hubsync.Uplink{HubURL: url, KioskID: "K01", Token: m[1], Store: ks, Wake: make(chan struct{}, 1),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	upCtx, stopUp := context.WithCancel(context.Background())
	upDone := make(chan struct{})
	go func() { up.Run(upCtx); close(upDone) }()
	defer func() { stopUp(); <-upDone }()
	deadline := time.Now().Add(30 * time.Second)
	for d, _ := ks.OutboxDepth(); d > 0; d, _ = ks.OutboxDepth() {
		if time.Now().After(deadline) {
			t.Fatalf("%d sales still unsynced after 30 s", d)
		}
		time.Sleep(50 * time.Millisecond)
	}

	req, _ := http.NewRequest("GET", url+"/api/v1/sales?kiosk=K01", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Count int               `json:"count"`
		Sales []hubsync.HubSale `json:"sales"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/sales: %d %v", resp.StatusCode, err)
	}
	seen := map[string]bool{}
	for _, s := range got.Sales {
		if seen[s.Sale.ID] || s.Mismatch != "" {
			t.Errorf("sale %s twice or flagged: %q", s.Sale.ReceiptNo, s.Mismatch)
		}
		seen[s.Sale.ID] = true
	}
	if got.Count != sold || len(seen) != sold {
		t.Errorf("the hub lists %d sales (%d different), want %d", got.Count, len(seen), sold)
	}
	// The settlement names the producer, from the seeded catalog.
	req, _ = http.NewRequest("GET", url+"/api/v1/settlement", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	sr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Body.Close()
	var st hubsync.Settlement
	if err := json.NewDecoder(sr.Body).Decode(&st); err != nil || len(st.Producers) != 1 {
		t.Fatalf("settlement: %+v %v", st, err)
	}
	if p := st.Producers[0]; p.Name != "HTX Ong mật U Minh Hạ" || p.TaxCode == "" || p.BankAccount == "" || p.Lines != sold {
		t.Errorf("settlement of %+v, want the demo catalog's producer with its tax code and bank account", p)
	}
	if _, err := os.Stat(filepath.Join(data, "hub.db")); !os.IsNotExist(err) {
		t.Errorf("a hub on PostgreSQL made a bbolt store in -data: %v", err)
	}
	month := time.Now().In(pos.VietnamTime).Format("2006-01")
	if out := hub(t, data, "partitions", "-db", db); !regexp.MustCompile(`(?m)^` + month + `\s+\d+`).MatchString(out) {
		t.Errorf("hub partitions does not list %s:\n%s", month, out)
	}
}

// Commands given what they cannot work with say so and change nothing.
func TestHubCommandsRefuseWhatTheyCannotWorkWith(t *testing.T) {
	db := pgtest.DB(t)
	data := filepath.Join(t.TempDir(), "hub-data")
	hub(t, data, "migrate", "-db", db)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate"}, "give -db postgres://"},
		{[]string{"partitions"}, "give -db postgres://"},
		{[]string{"partitions", "-db", db, "-detach-before", "2024-13"}, "-detach-before 2024-13: a month, YYYY-MM"},
		{[]string{"check", "-db", db}, "hub check reads the bbolt store"},
		{[]string{"-db", db, "kiosk", "remove", "K01"}, "usage: hub"},
	} {
		t.Run(strings.ReplaceAll(strings.Join(tt.args, " "), db, "URL")+" is refused", func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tt.args...)
			cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1", "HUB_DATA="+data, "HUB_DB=")
			out, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tt.want) {
				t.Errorf("exit %v, said %q; want status 2 and %q", err, out, tt.want)
			}
		})
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused command made the data folder: %v", err)
	}
	if out := hub(t, data, "partitions", "-db", db); strings.Contains(out, "detached") {
		t.Errorf("a refused command detached: %s", out)
	}
}
