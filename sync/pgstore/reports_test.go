package pgstore

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// The same records in a bbolt store and on PostgreSQL give the same
// reports, to the byte: every day's reconciliation, the settlements, the
// chart and the paged listing.
func TestReportsAgreeWithBbolt(t *testing.T) {
	fair := storetest.NewFair(t)
	bolt, err := hubsync.OpenHubStore(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.Close()
	pg := open(t)
	fair.Load(t, bolt)
	fair.Load(t, pg)
	want, got := fair.Reports(t, bolt), fair.Reports(t, pg)
	// The fair shows what it is made to show, so that agreeing is not
	// agreeing on nothing.
	for name, wants := range map[string][]string{
		"reconciliation 2026-11-28": {`"no_central_price": 2`, `"unit": "g"`, `"reason": "khách quen"`},
		"reconciliation 2026-11-30": {`"from": "K02-000003"`, `"count": 2`, `"K02-000002"`,
			`"lost": [`, `"voids": 1`, `"ewallet": 135000`},
		"reconciliation 2026-12-01": {`"refunds": 1`, `is not 40000`, `"central_price": 240000`, `"name": "Mật ong −5 %"`},
		"settlement of the fair":    {`"tax_code": "2000000001"`, `"weight_g": 3000`, `"promotions": 66000`},
	} {
		for _, w := range wants {
			if !bytes.Contains(want[name], []byte(w)) {
				t.Errorf("%s lacks %s:\n%s", name, w, want[name])
			}
		}
	}
	for name, w := range want {
		if g := got[name]; !bytes.Equal(g, w) {
			t.Errorf("%s differs:\nbbolt      %s\npostgresql %s", name, w, g)
		}
	}
}

// latestMigration is the highest migration number, the version a database
// migrated to the end says.
func latestMigration(t *testing.T) int64 {
	t.Helper()
	files, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil || len(files) == 0 {
		t.Fatal(err)
	}
	last, _ := strconv.ParseInt(strings.SplitN(files[len(files)-1].Name(), "_", 2)[0], 10, 64)
	return max(last, 3)
}

// A database that held sales before the settlement's per-day figures were
// kept gets them from its records when it migrates (migration 3), and
// settles as one that kept them from its first sale.
func TestMigrationFillsTheSettlementFiguresOfTheSalesHeld(t *testing.T) {
	fair, url, st, want := loadedFair(t)
	ctx := context.Background()
	// What a database at schema 2 held: the sales, none of the figures.
	if _, err := st.pool.Exec(ctx, `DELETE FROM producer_days; DELETE FROM `+versionTable+` WHERE version_id = 3`); err != nil {
		t.Fatal(err)
	}
	if v, err := Migrate(ctx, url, quiet()); err != nil || v != latestMigration(t) {
		t.Fatalf("migrated to %d, %v", v, err)
	}
	sameReports(t, fair, st, want, "after migration 3")
}

// A database of schema 12 — the settlement's figures one row per day and
// producer (before migration 81), records as jsonb read by key (before 82) —
// keeps every figure when it moves to the schema of now and back: the reports
// are the same at every step.
func TestMigrationsAfter12KeepTheReports(t *testing.T) {
	fair, url, st, want := loadedFair(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	var perKiosk bool
	if err := st.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_name = 'producer_days' AND column_name = 'kiosk')`).Scan(&perKiosk); err != nil || perKiosk {
		t.Fatalf("after migrating down to 12 producer_days has a kiosk column: %v %v", perKiosk, err)
	}
	var days int
	if err := st.pool.QueryRow(ctx, `SELECT count(*) FROM producer_days`).Scan(&days); err != nil || days == 0 {
		t.Fatalf("after migrating down to 12: %d rows of figures, %v", days, err)
	}
	var recordType string
	if err := st.pool.QueryRow(ctx, `SELECT data_type FROM information_schema.columns
		WHERE table_name = 'sales' AND column_name = 'record'`).Scan(&recordType); err != nil || recordType != "jsonb" {
		t.Fatalf("after migrating down to 12 a record is %q, %v", recordType, err)
	}
	if v, err := Migrate(ctx, url, quiet()); err != nil || v != latestMigration(t) {
		t.Fatalf("migrated to %d, %v", v, err)
	}
	// The pool's statements were prepared on the tables as they were.
	st.pool.Reset()
	sameReports(t, fair, st, want, "after migrating down and up again")
}

// loadedFair is the fair loaded into a store on a new database, with its
// reports.
func loadedFair(t *testing.T) (fair *storetest.Fair, url string, st *PGStore, want map[string][]byte) {
	t.Helper()
	fair = storetest.NewFair(t)
	url = pgtest.DB(t)
	st, err := Open(context.Background(), url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fair.Load(t, st)
	return fair, url, st, fair.Reports(t, st)
}

// sameReports checks the fair's reports are still want.
func sameReports(t *testing.T, fair *storetest.Fair, st *PGStore, want map[string][]byte, when string) {
	t.Helper()
	got := fair.Reports(t, st)
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("%s %s:\n%s\nwant\n%s", name, when, got[name], w)
		}
	}
}
