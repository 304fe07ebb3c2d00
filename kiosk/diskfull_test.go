package kiosk

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
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

	// Sales reuse the store's free pages for a while; the first one that needs
	// a new page meets the full disk.
	var r resp
	for range 500 {
		r = k.do("POST", "/api/v1/sales", body)
		if r.Status != 201 {
			break
		}
	}
	if r.Status != 507 || r.errCode(t) != "disk_full" {
		t.Fatalf("a sale on a full disk: %d %s", r.Status, r.Body)
	}
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
