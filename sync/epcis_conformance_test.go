package sync_test

import (
	"path/filepath"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/epcishubtest"
)

func TestBoltStoreEPCIS(t *testing.T) {
	epcishubtest.Run(t, func(t *testing.T) hubsync.Store {
		st, err := hubsync.OpenHubStore(filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	})
}
