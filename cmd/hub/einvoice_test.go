package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

const hubAdminToken = "hub-test-7Qm2Xv9LpK4sWd8Rt3Nz"

// startHubMain runs this test binary as the hub, on addr, until killed.
func startHubMain(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HUB_RUN_MAIN=1")
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
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
			if regexp.MustCompile(`msg="hub ready"`).MatchString(sc.Text()) {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("the hub did not start")
	}
	return cmd
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The hub process is killed while its call to the provider is under way,
// after an earlier call's answer was lost; started again, it delivers every
// invoice once and in order, and the kiosk learns it.
func TestAHubKilledMidDeliveryDeliversEachInvoiceOnceAfterItsRestart(t *testing.T) {
	emu := einvoice.NewEmulator()
	eln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	esrv := &http.Server{Handler: emu.Handler()}
	go func() { _ = esrv.Serve(eln) }()
	t.Cleanup(func() { _ = esrv.Close() })
	purl := "http://" + eln.Addr().String() + "/PublishService.asmx"

	data := filepath.Join(t.TempDir(), "hub-data")
	tok, err := hubsync.AddKioskBlockCommand(hubsync.HubConfig{DataDir: data}, "K01", pos.InvoiceBlock{})
	if err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"-addr", addr, "-data", data, "-admin-token", hubAdminToken, "-einvoice-provider", "vnpt", "-einvoice-url", purl,
		"-einvoice-account", emu.Account, "-einvoice-acpass", emu.ACPass, "-einvoice-username", emu.Username, "-einvoice-password", emu.Password}

	ks, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: "K01"})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	err = ks.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH",
			Price: 220000, VATRate: 8, Stock: pos.MaxStock}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	err = ks.SetInvoicing(pos.InvoiceSettings{Seller: pos.Party{Name: "Hộ kinh doanh Gian hàng OCOP", TaxCode: "0314409058", Address: "Cà Mau"},
		TaxMethod: pos.TaxDirect, Form: pos.FormSales, Symbol: "C26MAA", CQTCode: "A1B2C", Block: pos.InvoiceBlock{From: 30_000_000, To: 39_999_999}})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, _, err := ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 220000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}

	emu.LoseAnswers(1) // the first call publishes, its answer never comes
	hub := startHubMain(t, args...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := &hubsync.Uplink{HubURL: "http://" + addr, KioskID: "K01", Token: tok, Store: ks, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	go u.Run(ctx)
	waitFor(t, "the first call published", func() bool { return len(emu.Published()) == 20 })
	emu.SetDelay(time.Minute) // the repeat hangs at the provider…
	waitFor(t, "the repeat under way", func() bool { return emu.Calls() >= 2 })
	_ = hub.Process.Signal(syscall.SIGKILL) // …and the hub dies in the middle of it
	_ = hub.Wait()
	emu.SetDelay(0)

	startHubMain(t, args...)
	states := func() map[string]int {
		invs, _, _ := ks.Invoices(pos.InvoiceQuery{Limit: 100})
		out := map[string]int{}
		for _, inv := range invs {
			out[inv.State]++
		}
		return out
	}
	waitFor(t, "the kiosk told of delivery", func() bool { return states()[pos.InvoiceDelivered] == 20 })
	seen := map[string]bool{}
	for i, p := range emu.Published() {
		if seen[p.Key] || p.Number != int64(i+1) {
			t.Fatalf("published #%d: number %d, key %s (seen before: %v)", i, p.Number, p.Key, seen[p.Key])
		}
		seen[p.Key] = true
	}
	if n := len(emu.Published()); n != 20 {
		t.Fatalf("%d published, want 20", n)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/api/v1/einvoice", nil)
	req.Header.Set("Authorization", "Bearer "+hubAdminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var day hubsync.InvoiceDay
	if err := json.NewDecoder(res.Body).Decode(&day); err != nil {
		t.Fatal(err)
	}
	if day.Totals.Issued != 20 || day.Totals.Delivered != 20 {
		t.Fatalf("the hub's report: %+v", day.Totals)
	}
}
