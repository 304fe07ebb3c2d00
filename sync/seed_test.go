package sync

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// runHubOnce starts RunHub on dir, waits until it serves, and stops it.
func runHubOnce(t *testing.T, dir, seed string) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- RunHub(ctx, HubConfig{DataDir: dir, Listener: ln, AdminToken: testAdminToken, Logger: quiet(), Seed: seed,
			Ready: func(string) { close(ready) }})
	}()
	select {
	case <-ready:
		cancel()
		return <-done
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the hub did not start")
	}
	return nil
}

func TestAHubStartsWithTheCatalogItIsSeededWith(t *testing.T) {
	demo, err := pos.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	catalogOf := func(t *testing.T, dir string) CatalogVersion {
		st, err := OpenHubStore(HubConfig{DataDir: dir}.StorePath())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cv, err := st.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		return cv
	}
	t.Run("a new hub seeded with the demo catalog has its producers, tax codes and bank accounts", func(t *testing.T) {
		dir := t.TempDir()
		if err := runHubOnce(t, dir, SeedDemo); err != nil {
			t.Fatal(err)
		}
		cv := catalogOf(t, dir)
		if cv.Version != 1 || len(cv.Producers) != len(demo.Producers) || len(cv.Products) != len(demo.Products) {
			t.Fatalf("catalog version %d with %d producers and %d products, want the demo's %d and %d",
				cv.Version, len(cv.Producers), len(cv.Products), len(demo.Producers), len(demo.Products))
		}
		for _, p := range cv.Producers {
			if p.TaxCode == "" || p.BankAccount == "" {
				t.Errorf("producer %s without tax code or bank account", p.ID)
			}
		}
		// Started again, it does not publish the seed again.
		if err := runHubOnce(t, dir, SeedDemo); err != nil {
			t.Fatal(err)
		}
		if cv := catalogOf(t, dir); cv.Version != 1 {
			t.Errorf("restarted, the catalog is at version %d, want 1", cv.Version)
		}
	})
	t.Run("a hub whose catalog was published is never seeded over", func(t *testing.T) {
		dir := t.TempDir()
		st, err := OpenHubStore(HubConfig{DataDir: dir}.StorePath())
		if err != nil {
			t.Fatal(err)
		}
		own := pos.Catalog{Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}}}
		if _, err := st.PutCatalog(own, time.Now()); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if err := runHubOnce(t, dir, SeedDemo); err != nil {
			t.Fatal(err)
		}
		if cv := catalogOf(t, dir); cv.Version != 1 || len(cv.Producers) != 1 {
			t.Errorf("catalog version %d with %d producers, want its own", cv.Version, len(cv.Producers))
		}
	})
	t.Run("a hub told to seed nothing starts with no catalog", func(t *testing.T) {
		dir := t.TempDir()
		if err := runHubOnce(t, dir, SeedNone); err != nil {
			t.Fatal(err)
		}
		if cv := catalogOf(t, dir); cv.Version != 0 {
			t.Errorf("catalog version %d, want none", cv.Version)
		}
	})
	t.Run("a seed the hub does not know is refused before the store is touched", func(t *testing.T) {
		dir := t.TempDir()
		if err := runHubOnce(t, dir, "everything"); err == nil {
			t.Fatal("the hub started")
		}
		if _, err := os.Stat(HubConfig{DataDir: dir}.StorePath()); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the hub made its store: %v", err)
		}
	})
}
