package storetest

import (
	"encoding/json"
	"fmt"
	gosync "sync"
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

// catalogUpdates: changes made of the catalog as it stands, many at once (a
// producer's captures through several hub processes), each see the one
// before: none is lost. A change that changes nothing writes nothing.
func catalogUpdates(t *testing.T, st hubsync.Store) {
	lot := pos.Lot{SKU: "MO-500", Code: "L2612", Quantity: 100}
	v1 := putCatalog(t, st, pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{honey}, Lots: []pos.Lot{lot}}, at)
	const writers, each = 6, 5
	var wg gosync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := st.UpdateCatalog(func(cur hubsync.CatalogVersion) (pos.Catalog, error) {
					for _, l := range cur.Lots {
						if l.ID() == lot.ID() {
							l.Captured = append(append([]json.RawMessage(nil), l.Captured...),
								json.RawMessage(fmt.Sprintf(`{"eventID":"urn:uuid:%d-%d"}`, w, i)))
							return pos.Catalog{Lots: []pos.Lot{l}}, nil
						}
					}
					return pos.Catalog{}, fmt.Errorf("lot %s is not in the catalog", lot.ID())
				}, at)
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cv, err := st.Catalog()
	if err != nil || len(cv.Lots) != 1 {
		t.Fatalf("catalog: %+v, %v", cv.Lots, err)
	}
	if got := len(cv.Lots[0].Captured); got != writers*each {
		t.Errorf("the lot kept %d of the %d events added at once", got, writers*each)
	}
	if cv.Version != v1.Version+writers*each {
		t.Errorf("catalog version %d after %d changes from %d", cv.Version, writers*each, v1.Version)
	}
	same, err := st.UpdateCatalog(func(hubsync.CatalogVersion) (pos.Catalog, error) { return pos.Catalog{}, nil }, at)
	if err != nil || same.Version != cv.Version || len(same.Lots) != 1 {
		t.Errorf("a change of nothing: version %d (want %d), %d lots, %v", same.Version, cv.Version, len(same.Lots), err)
	}
}
