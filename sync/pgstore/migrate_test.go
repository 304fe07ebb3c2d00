package pgstore

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// Hub processes starting together on a fresh database: one migrates, the
// others wait for its advisory lock and find nothing left to do; all serve.
// starting is how many start at once (a race of two is seldom close).
const starting = 6

func TestStoresStartingTogetherMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	var wg sync.WaitGroup
	errs := make([]error, starting)
	stores := make([]*PGStore, starting)
	for i := range starting {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, url, quiet()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	if err := stores[0].AddKiosk("K01", []byte("h")); err != nil {
		t.Fatal(err)
	}
	if k, err := stores[1].Kiosk("K01"); err != nil || k.ID != "K01" {
		t.Fatalf("the other store does not see K01: %+v %v", k, err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var applied int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+versionTable+" WHERE version_id > 0").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	files, _ := migrationFiles.ReadDir("migrations")
	if applied != len(files) {
		t.Errorf("%d migrations noted as applied, want each of the %d once", applied, len(files))
	}
	if v, err := Migrate(ctx, url, quiet()); err != nil || v != int64(len(files)) {
		t.Errorf("migrating again: version %d, %v", v, err)
	}
}
