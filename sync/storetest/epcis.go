package storetest

import (
	"encoding/json"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// capturedEvents: the EPCIS events producers sent ride on the catalog's lots
// (POST /api/v1/epcis/capture); every store keeps them through a lots file
// put again without them, and hands them to kiosks with the lot.
func capturedEvents(t *testing.T, st hubsync.Store) {
	ev := json.RawMessage(`{"type":"ObjectEvent","eventID":"urn:uuid:4a1c2e6e-6a39-4f5e-9d0b-6f3c8f0b1a01","eventTime":"2026-05-03T06:30:00+07:00","eventTimeZoneOffset":"+07:00","action":"OBSERVE","htx:beekeeper":"Nguyễn Văn Ba"}`)
	lot := pos.Lot{SKU: "MO-500", Code: "L2612", Quantity: 100}
	putCatalog(t, st, pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{honey}, Lots: []pos.Lot{lot}}, at)
	withEvents := lot
	withEvents.Captured = []json.RawMessage{ev}
	putCatalog(t, st, pos.Catalog{Lots: []pos.Lot{withEvents}}, at)
	lot.Quantity = 80 // the lots file again: new quantity, no events
	v3 := putCatalog(t, st, pos.Catalog{Lots: []pos.Lot{lot}}, at)
	for _, tt := range []struct {
		name  string
		known uint64
	}{
		{"a kiosk with nothing gets the lot with its events", 0},
		{"a kiosk at the version before gets them in the delta", v3.Version - 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cv, _, err := st.CatalogSince(tt.known)
			if err != nil || len(cv.Lots) != 1 {
				t.Fatalf("CatalogSince(%d): %+v, %v", tt.known, cv.Lots, err)
			}
			l := cv.Lots[0]
			if l.Quantity != 80 || len(l.Captured) != 1 {
				t.Fatalf("lot %+v: want quantity 80 and the event kept", l)
			}
			var got, want map[string]any
			if json.Unmarshal(l.Captured[0], &got) != nil || json.Unmarshal(ev, &want) != nil || got["htx:beekeeper"] != want["htx:beekeeper"] || got["eventID"] != want["eventID"] {
				t.Fatalf("the event came back as %s", l.Captured[0])
			}
		})
	}
}
