package pgstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// records are n real kiosk records of K01, their times moved to the moments
// given (a kiosk's clock is its own: the hub files a record by its sale's time).
func records(t *testing.T, times ...time.Time) []pos.OutboxRecord {
	t.Helper()
	k, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: "K01"})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if err := k.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}},
		Products: []pos.Product{{SKU: "MO-500", Name: "Mật ong", Group: pos.GroupFood, Stars: 5, ProducerID: "UMINH",
			Price: 220000, VATRate: 8, Stock: pos.MaxStock}},
	}, "test"); err != nil {
		t.Fatal(err)
	}
	for range times {
		if _, _, err := k.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 1}},
			Payments: []pos.PaymentRequest{{Method: pos.MethodCash, Amount: 220000}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := k.Outbox(0, len(times))
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].Sale.Time, recs[i].Time = times[i], times[i]
	}
	return recs
}

func vn(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, pos.VietnamTime)
}

func TestSalesAreFiledByTheirMonthAndOldMonthsDetach(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	st, err := Open(ctx, url, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.AddKiosk("K01", []byte("h")); err != nil {
		t.Fatal(err)
	}
	// 00:30 on 1 February in Vietnam is still 31 January in UTC: the
	// partition follows the Vietnam day, as the reports do.
	times := []time.Time{vn(2024, time.January, 15, 10), vn(2024, time.February, 1, 0).Add(30 * time.Minute), vn(2024, time.March, 3, 9)}
	recs := records(t, times...)
	if ack, err := st.Ingest("K01", recs, time.Now()); err != nil || ack != 3 {
		t.Fatalf("ingest: %d %v", ack, err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func(table string) (n int) {
		t.Helper()
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, table := range []string{"sales_p2024_01", "sales_p2024_02", "sale_lines_p2024_02", "sale_payments_p2024_03"} {
		if n := count(table); n != 1 {
			t.Errorf("%s holds %d rows, want 1", table, n)
		}
	}
	ps, err := Partitions(ctx, url)
	if err != nil || len(ps) < 3 || !ps[0].Month.Equal(vn(2024, time.January, 1, 0)) || len(ps[0].Tables) != 3 {
		t.Fatalf("partitions: %+v %v", ps, err)
	}
	gone, err := DetachBefore(ctx, url, vn(2024, time.March, 1, 0))
	if err != nil || len(gone) != 2 {
		t.Fatalf("detached %+v, %v; want January and February", gone, err)
	}
	if held, _, _ := st.SalesPage("K01", hubsync.SalesCursor{}, 100); len(held) != 1 || !held[0].Sale.Time.Equal(times[2]) {
		t.Errorf("after detaching: the hub lists %d sales, want March's only", len(held))
	}
	if n := count("archived_sales_p2024_01"); n != 1 {
		t.Errorf("the archived January holds %d sales", n)
	}
	// A record of a detached month sent again is not stored again; a late
	// one goes into a new partition of its month, also on a store that
	// thought the month was there.
	late := records(t, times[0], times[0], times[0], vn(2024, time.January, 20, 8))[3]
	if ack, err := st.Ingest("K01", append(recs[:1], late), time.Now()); err != nil || ack != 4 {
		t.Fatalf("ingest after detaching: %d %v", ack, err)
	}
	if n := count("sales_p2024_01"); n != 1 {
		t.Errorf("the new January holds %d sales, want the late one", n)
	}
	if ps, _ := Partitions(ctx, url); len(ps) == 0 || !ps[0].Month.Equal(vn(2024, time.January, 1, 0)) {
		t.Errorf("partitions after the late record: %+v", ps)
	}
}
