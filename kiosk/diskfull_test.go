package kiosk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// smallDisk mounts a tmpfs of size bytes in a temporary folder: a real disk
// that really fills up. It needs root (CI runs as root) and Linux; elsewhere
// the test is skipped with a message.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("a full disk is made with a tmpfs mount: needs root on Linux")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs (%v): no full-disk test here", err)
	}
	// Registered before the kiosk starts, so it runs after the kiosk stops.
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir
}

// fill writes a file until the disk has no room left and returns its name.
func fill(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			break
		}
	}
	for size := 4096; size > 0; size /= 2 { // the last few pages too
		for {
			if _, err := f.Write(chunk[:size]); err != nil {
				break
			}
		}
	}
	return name
}

// sellUntilTheDiskIsFull sells on a full disk until a sale meets it: sales
// reuse the store's free pages for a while, and the first one that needs a
// new page fails. That one must answer 507 disk_full.
func sellUntilTheDiskIsFull(t *testing.T, k *testKiosk, body map[string]any) {
	t.Helper()
	var r resp
	n := 0
	for ; n < 500; n++ {
		r = k.do("POST", "/api/v1/sales", body)
		if r.Status != 201 {
			break
		}
	}
	if r.Status != 507 || r.errCode(t) != "disk_full" {
		t.Fatalf("sale %d on a full disk: %d %s", n+1, r.Status, r.Body)
	}
	t.Logf("%d sales went through on the full disk before one needed a new page", n)
}

type health struct {
	Status string `json:"status"`
	Disk   string `json:"disk"`
}

func (k *testKiosk) health(t *testing.T) (int, health) {
	t.Helper()
	r := k.do("GET", "/healthz", nil)
	var h health
	r.json(t, &h)
	return r.Status, h
}

func TestAFullDiskRefusesSalesWithDiskFullAndSellingResumesWhenSpaceReturns(t *testing.T) {
	dir := smallDisk(t, "8m")
	k := startKiosk(t, dir)
	body := map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 100000}}}
	k.sell(t, body)
	if status, h := k.health(t); status != 200 || h.Status != "ok" || h.Disk != "ok" {
		t.Fatalf("healthz with room on the disk: %d %+v", status, h)
	}
	filler := fill(t, dir)

	sellUntilTheDiskIsFull(t, k, body)
	if status, h := k.health(t); status != 503 || h.Status != "degraded" || h.Disk != "full" {
		t.Fatalf("healthz with the disk full: %d %+v", status, h)
	}
	// The screens' checkout says so too.
	till, _ := connect(t, k, "till=T1&role=till")
	till.send(map[string]any{"type": "cart.add", "sku": "BT-KD-400", "qty": 1})
	till.expect("cart")
	till.send(map[string]any{"type": "checkout", "payments": []map[string]any{{"method": "cash", "amount": 100000}}})
	till.expectError("disk_full")

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if status, h := k.health(t); status != 200 || h.Disk != "ok" {
		t.Fatalf("healthz once space is back, before any sale: %d %+v", status, h)
	}
	k.sell(t, body)
	till.send(map[string]any{"type": "checkout", "payments": []map[string]any{{"method": "cash", "amount": 100000}}})
	till.expect("sale")
	if status, h := k.health(t); status != 200 || h.Status != "ok" || h.Disk != "ok" {
		t.Fatalf("healthz after selling again: %d %+v", status, h)
	}
}

// visible is a JavaScript test that an element exists and is shown.
func visible(sel string) string {
	return fmt.Sprintf(`(() => { const el = document.querySelector('%s'); return !!el && !el.hidden && el.getClientRects().length > 0; })()`, sel)
}

// The till says the disk is full the moment a checkout meets it, keeps the
// cart, and takes the same payment again once there is room; a self-service
// screen opened meanwhile says payment is paused.
func TestBrowserScreensShowAFullDiskAndSellAgainWhenSpaceReturns(t *testing.T) {
	dir := smallDisk(t, "8m")
	k := startKiosk(t, dir)
	till := browser(t, 1280, 800)
	within(t, till, 20*time.Second, chromedp.Navigate(k.url+"/till?till=T1&lang=vi"))
	waitConnected(t, till)
	honey := tid("product", `[data-sku="CM-MO-500"]`)
	within(t, till, 15*time.Second,
		chromedp.SendKeys(tid("search"), "mat ong u minh", chromedp.ByQuery),
		chromedp.WaitVisible(honey, chromedp.ByQuery),
		chromedp.Click(honey, chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
		poll("!"+visible(tid("disk-banner"))),
	)
	filler := fill(t, dir)
	sellUntilTheDiskIsFull(t, k, map[string]any{"lines": []map[string]any{{"sku": "BT-KD-400", "qty": 1}},
		"payments": []map[string]any{{"method": "cash", "amount": 100000}}})

	var banner string
	within(t, till, 20*time.Second,
		chromedp.Click(tid("checkout"), chromedp.ByQuery),
		chromedp.Click(tid("pay-cash"), chromedp.ByQuery),
		chromedp.Click(tid("tender-500000"), chromedp.ByQuery),
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		poll(visible(tid("disk-banner"))),
		chromedp.Text(tid("disk-banner"), &banner, chromedp.ByQuery),
		chromedp.WaitVisible(tid("cart-line", `[data-sku="CM-MO-500"]`), chromedp.ByQuery),
	)
	if !strings.Contains(banner, "Bộ nhớ của quầy đã đầy") {
		t.Fatalf("till banner %q", banner)
	}
	screenshot(t, till, "till-disk-full")

	self := newTab(t, till)
	within(t, self, 20*time.Second,
		chromedp.Navigate(k.url+"/self?lang=en"),
		poll(visible(tid("disk-banner"))),
		chromedp.Text(tid("disk-banner"), &banner, chromedp.ByQuery),
	)
	if !strings.Contains(banner, "payment is paused") {
		t.Fatalf("self-service banner %q", banner)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	var receipt string
	var ok bool
	within(t, till, 20*time.Second,
		poll("!"+visible(tid("disk-banner"))), // the till asks every 3 s while full
		chromedp.Click(tid("confirm-payment"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("sale-result"), chromedp.ByQuery),
		chromedp.AttributeValue(tid("sale-result"), "data-receipt", &receipt, &ok, chromedp.ByQuery),
	)
	if !ok || !strings.HasPrefix(receipt, "K01-") {
		t.Fatalf("sale after space returned: receipt %q", receipt)
	}
	within(t, self, 20*time.Second, poll("!"+visible(tid("disk-banner"))))
}
