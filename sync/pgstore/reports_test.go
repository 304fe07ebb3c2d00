package pgstore

import (
	"bytes"
	"path/filepath"
	"testing"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
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
		"reconciliation 2026-12-01": {`"refunds": 1`, `is not 40000`, `"central_price": 240000`},
		"settlement of the fair":    {`"tax_code": "2000000001"`, `"weight_g": 3000`},
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
