package epcishubtest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// serials: a sale whose till scanned serialised labels reaches the hub with
// its serials (the record as the kiosk sent it), and the hub's EPCIS event
// of the sale lists them in epcList; a store's reports read them from the
// day's lines too.
func serials(t *testing.T, a hubApp, st hubsync.Store) {
	k := honeyKiosk(t, "K01")
	if _, err := k.NextSerials("MO-500", "UM2605-01", 3); err != nil {
		t.Fatal(err)
	}
	sale, _, err := k.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 3, Lot: "UM2605-01", Serials: []string{"0003", "0001"}}},
		Payments: []pos.PaymentRequest{{Method: pos.MethodCard, Amount: 660000}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := k.Outbox(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddKiosk("K01", hubsync.TokenHash("kiosk-token-K01")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	want := []string{"0003", "0001"}

	t.Run("the hub's sale event lists the serials and the unit without one", func(t *testing.T) {
		status, _, body := a.do("GET", eventsPath, nil, adminToken)
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var got []string
		var rest float64
		for _, e := range events(t, body) {
			if e["bizStep"] != "retail_selling" {
				continue
			}
			for _, v := range e["epcList"].([]any) {
				got = append(got, v.(string)[strings.Index(v.(string), "/01/"):])
			}
			for _, q := range e["quantityList"].([]any) {
				rest += q.(map[string]any)["quantity"].(float64)
			}
		}
		if !slices.Equal(got, []string{"/01/08935001800002/10/UM2605-01/21/0003", "/01/08935001800002/10/UM2605-01/21/0001"}) || rest != 1 {
			t.Errorf("epcList %v and %v units in quantityList, want the two serials and 1", got, rest)
		}
	})
	t.Run("the record read back carries the serials", func(t *testing.T) {
		back, _, err := st.KioskRecords("K01", 0, 10)
		if err != nil || len(back) != 1 || !slices.Equal(back[0].Sale.Lines[0].Serials, want) {
			t.Fatalf("records %+v %v, want the sale with serials %v", back, err, want)
		}
	})
	t.Run("the day's records of the reports carry the serials", func(t *testing.T) {
		rs, ok := st.(hubsync.ReportStore)
		if !ok {
			t.Skip("the store has no reports")
		}
		var got [][]string
		err := rs.RecordsBetween(sale.Time.Add(-time.Hour), sale.Time.Add(time.Hour), func(hs hubsync.HubSale) error {
			for _, l := range hs.Sale.Lines {
				got = append(got, l.Serials)
			}
			return nil
		})
		if err != nil || len(got) != 1 || !slices.Equal(got[0], want) {
			t.Fatalf("lines' serials %v (%v), want [%v]", got, err, want)
		}
	})
}
