package pgstore

import (
	"context"
	"os"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/pgtest"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open is a PGStore on a fresh database of its own, closed when the test ends.
func open(t *testing.T) *PGStore {
	t.Helper()
	st, err := Open(context.Background(), pgtest.DB(t), quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PGStore passes the conformance suite BoltStore passes.
func TestPGStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) hubsync.Store { return open(t) })
}
