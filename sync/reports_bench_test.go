package sync_test

import (
	"path/filepath"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// BenchmarkBoltReports is the reports' benchmark on the bbolt store
// (storetest.BenchReports; HUB_BENCH_HELD sets the size; -benchtime=1x).
func BenchmarkBoltReports(b *testing.B) {
	storetest.BenchReports(b, func(b *testing.B) hubsync.Store {
		st, err := hubsync.OpenHubStore(filepath.Join(b.TempDir(), "hub.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	})
}
