package pgstore

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
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
	// The SQL files and the one Go migration (producerdays.go).
	files, _ := migrationFiles.ReadDir("migrations")
	if applied != len(files)+1 {
		t.Errorf("%d migrations noted as applied, want each of the %d once", applied, len(files)+1)
	}
	// Migrations are numbered with room between them: the version is the
	// highest number, not the count.
	last, _ := strconv.ParseInt(strings.SplitN(files[len(files)-1].Name(), "_", 2)[0], 10, 64)
	if v, err := Migrate(ctx, url, quiet()); err != nil || v != last {
		t.Errorf("migrating again: version %d, %v, want %d", v, err, last)
	}
}

// Two hub processes on one database receiving the same kiosk's batches at
// once (a kiosk moved from one to the other mid-upload): every sale once.
func TestTwoStoresOnOneDatabaseStoreEachSaleOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	a, err := Open(ctx, url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.AddKiosk("K01", []byte("h")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var times []time.Time
	for i := range 80 {
		times = append(times, now.Add(time.Duration(i)*time.Second))
	}
	recs := records(t, times...)
	var wg sync.WaitGroup
	for i, st := range []*PGStore{a, b, a, b} {
		wg.Go(func() {
			for from := i * 5; from < len(recs); from += 20 {
				if _, err := st.Ingest("K01", recs[from:min(from+20, len(recs))], now); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	held, _, err := b.SalesPage("K01", hubsync.SalesCursor{}, 10_000)
	if err != nil || len(held) != len(recs) {
		t.Fatalf("the hub holds %d sales (%v), want %d", len(held), err, len(recs))
	}
	for i, hs := range held {
		if hs.Sale.ID != recs[i].SaleID || hs.Mismatch != "" {
			t.Errorf("record %d: %s (%q), want %s", i+1, hs.Sale.ID, hs.Mismatch, recs[i].SaleID)
		}
	}
	if k, _ := a.Kiosk("K01"); k.Acked != uint64(len(recs)) {
		t.Errorf("acknowledged %d of %d", k.Acked, len(recs))
	}
}
