package pgstore

import (
	"context"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// BenchmarkPGReports is the reports' benchmark on PostgreSQL
// (storetest.BenchReports; HUB_BENCH_HELD sets the size; -benchtime=1x).
func BenchmarkPGReports(b *testing.B) {
	storetest.BenchReports(b, func(b *testing.B) hubsync.Store {
		st, err := Open(context.Background(), pgtest.DB(b), quiet())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	})
}
