package pgstore

import (
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/epcishubtest"
)

// The hub's EPCIS capture and events on PostgreSQL, as on bbolt.
func TestPGStoreEPCIS(t *testing.T) {
	epcishubtest.Run(t, func(t *testing.T) hubsync.Store { return open(t) })
}
