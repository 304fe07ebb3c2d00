package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/invoicetest"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// BenchmarkPGInvoiceReport is one day's invoice delivery report on
// PostgreSQL with 10,000 and 100,000 invoices held
// (invoicetest.BenchInvoiceReport; -benchtime=1x).
func BenchmarkPGInvoiceReport(b *testing.B) {
	invoicetest.BenchInvoiceReport(b, func(b *testing.B) invoicetest.Store {
		st, err := Open(context.Background(), pgtest.DB(b), quiet())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	})
}

// A database whose invoices were filed before their issue time had a column
// of its own gets the column filled from each invoice's document when it is
// migrated, so that the day's report still counts them.
func TestInvoicesHeldBeforeTheIssueColumnAreFoundByTheirDay(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	st := openOn(t, url)
	if _, err := hubsync.RegisterKiosk(st, "K01"); err != nil {
		t.Fatal(err)
	}
	recs := invoicetest.Sell(t, invoicetest.Kiosk(t, "K01", "C26MAA", pos.InvoiceBlock{From: 50_000_000, To: 59_999_999}), 3)
	if _, err := st.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The database as it was before migration 71.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{"DROP INDEX inv_entries_issued", "ALTER TABLE inv_entries DROP COLUMN issued",
		"DELETE FROM " + versionTable + " WHERE version_id = 71"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := Migrate(ctx, url, quiet()); err != nil {
		t.Fatal(err)
	}
	issued := recs[0].Sale.Invoices[0].Issued
	r, err := hubsync.InvoiceReport(st, issued, issued)
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.Issued != 3 {
		t.Fatalf("the day's invoices after the migration: %+v", r.Totals)
	}
	var wrong int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM inv_entries WHERE issued <> (invoice ->> 'issued')::timestamptz").Scan(&wrong); err != nil || wrong != 0 {
		t.Fatalf("%d invoices with another issue time than their document's (%v)", wrong, err)
	}
}
