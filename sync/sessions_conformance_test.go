package sync_test

import (
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/storetest"
)

// The memory a hub on bbolt keeps its sign-in state in keeps the same rules
// as a store that keeps it for several hub processes (sync/pgstore runs the
// same suite against PostgreSQL).
func TestMemorySessionsConformance(t *testing.T) {
	storetest.SignIns(t, func(*testing.T) hubsync.SessionStore { return hubsync.NewMemorySessions() })
}
