package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// Two hub processes' stores on one database: a catalog change or a
// promotion published through one is heard by the other, also after the
// listening connection was cut (the database restarted, a proxy dropped it).
func TestAChangePublishedThroughOneHubIsHeardByTheOther(t *testing.T) {
	url := pgtest.DB(t)
	ctx := context.Background()
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
	heard := make(chan struct{}, 16)
	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); b.ListenForChanges(lctx, func() { heard <- struct{}{} }) }()
	defer func() { stop(); <-done }()

	hear := func(what string) {
		t.Helper()
		select {
		case <-heard:
		case <-time.After(10 * time.Second):
			t.Fatalf("the other hub did not hear of %s within 10 s", what)
		}
	}
	drain := func() {
		for {
			select {
			case <-heard:
			case <-time.After(300 * time.Millisecond):
				return
			}
		}
	}
	// The listener may still be connecting: publish until it hears.
	deadline := time.Now().Add(10 * time.Second)
	for published := false; !published; {
		if _, err := a.PutCatalog(pos.Catalog{Producers: []pos.Producer{{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX}}}, time.Now()); err != nil {
			t.Fatal(err)
		}
		select {
		case <-heard:
			published = true
		case <-time.After(200 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the other hub never heard of a catalog change")
			}
		}
	}
	drain()
	if _, err := a.PutPromotion(pos.Promotion{ID: "KM1", Name: "Giảm 5 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500", Percent: 500,
		Bearer: pos.BearerBooth}, true, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	hear("a promotion")

	// Cut the listener's connection: it connects again and says something
	// may have changed meanwhile.
	drain()
	if _, err := a.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	hear("the reconnection")
	drain()
	if _, err := a.PutCatalog(pos.Catalog{Producers: []pos.Producer{{ID: "BENTRE", Name: "Cơ sở kẹo dừa", Kind: pos.KindHousehold}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	hear("a catalog change after the reconnection")
}
