package pos

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos/epcistest"
)

const epcisBase = "https://kiosk.example.vn"

// epcisStore holds a honey product with one lot, its history of every trace
// step, and a sale and a refund of it.
func epcisStore(t *testing.T) *testStore {
	t.Helper()
	clock := newTestClock()
	s := openStoreAt(t, filepath.Join(t.TempDir(), "kiosk.db"), clock)
	honey := withStock(prodHoney, 100)
	honey.CertNo, honey.Stars = "OCOP-TV-2025-017", 4
	err := s.PutCatalog(Catalog{
		Producers: []Producer{{ID: "P-UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX, Province: "Cà Mau"},
			{ID: "P-RICE", Name: "Hộ kinh doanh Gạo Rạch Lọp", Kind: KindHousehold}},
		Products: []Product{honey, withStock(prodRice, 10)},
		Lots: []Lot{{SKU: "HONEY", Code: "UM2605-01", ProducedOn: Date{2026, 5, 2}, PackedOn: Date{2026, 5, 20},
			ExpiresOn: Date{2028, 5, 1}, Origin: "Rừng tràm U Minh Hạ, Cà Mau", Certifications: []string{"VietGAP", "OCOP 4 sao"},
			Quantity: 180}},
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testStore{s, clock}
	for _, e := range []TraceEvent{
		{When: Date{2026, 5, 2}, What: "harvest", Where: "Rừng tràm U Minh Hạ", Who: "Tổ gác kèo số 3", Why: "mùa mật tháng 5"},
		{When: Date{2026, 5, 10}, What: "processing", Where: "Xưởng HTX, xã Khánh An", Who: "HTX Ong mật U Minh Hạ", Why: "lọc, hạ thủy phần"},
		{When: Date{2026, 5, 20}, What: "packing", Where: "Xưởng HTX, xã Khánh An", Why: "chai 500ml"},
		{When: Date{2026, 5, 25}, What: "certification", Who: "Trung tâm Kỹ thuật TCĐLCL Cà Mau", Why: "kiểm nghiệm kim loại nặng"},
		{When: Date{2026, 6, 1}, What: "shipping", Where: "Cà Mau → Trà Vinh", Who: "Xe HTX"},
		{When: Date{2026, 6, 2}, What: "other", Where: "Gian hàng OCOP Trà Vinh", Why: "nhập kho gian hàng"},
	} {
		if _, err := s.AddTraceEvent("HONEY", "UM2605-01", e); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

func epcisJSON(t *testing.T, doc EPCISDocument) []byte {
	t.Helper()
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

func TestTheSchemaInTheTestsAcceptsGS1sExampleAndRefusesABrokenOne(t *testing.T) {
	ex, err := os.ReadFile(epcistest.ExamplePath())
	if err != nil {
		t.Fatal(err)
	}
	epcistest.Valid(t, "GS1's example", ex)
	for _, tc := range []struct{ name, from, to string }{
		{"a zone offset without minutes is refused", `"eventTimeZoneOffset": "-06:00"`, `"eventTimeZoneOffset": "-6"`},
		{"an event without an action is refused", `"action": "OBSERVE",`, ``},
		{"a CBV business step that does not exist is refused", `"bizStep": "shipping"`, `"bizStep": "urn:epcglobal:cbv:bizstep:harvesting"`},
		{"a time that is not a time is refused", `"eventTime": "2005-04-03T20:33:31.116000-06:00"`, `"eventTime": "3 April 2005"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(ex), tc.from, tc.to, 1)
			if bad == string(ex) {
				t.Fatalf("%q is not in the example", tc.from)
			}
			if epcistest.Check([]byte(bad)) == nil {
				t.Fatal("the schema accepted it")
			}
		})
	}
}

func TestEPCISDocumentsMatchTheirGoldenFilesAndGS1sSchema(t *testing.T) {
	s := epcisStore(t)
	s.clock.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, ictZone))
	sale := s.sell(t, saleOf([]LineRequest{{SKU: "HONEY", Qty: 2, Lot: "UM2605-01"}, lineReq("RICE", 1)}, cashReq(590000, 600000)))
	one := int64(1)
	if _, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "HONEY", Qty: one, Lot: "UM2605-01"}}, Reason: "chai nứt"}); err != nil {
		t.Fatal(err)
	}
	page, err := s.EPCISEvents(epcisBase, EPCISQuery{GTIN: prodHoney.GTIN, Lot: "UM2605-01"})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]EPCISEvent{}
	for _, e := range page.Events {
		k := e.BizStep
		if e.Action == "ADD" {
			k = "commissioning"
		} else if e.Step != "" {
			k = "trace"
		}
		byKind[k] = append(byKind[k], e)
	}
	made := time.Date(2026, 11, 23, 10, 0, 0, 0, ictZone)
	for _, tc := range []struct {
		name, golden, kind string
		n                  int
	}{
		{"a lot's creation is an ObjectEvent ADD with its master data", "epcis-commissioning.jsonld.golden", "commissioning", 1},
		{"each trace step is its business step", "epcis-trace.jsonld.golden", "trace", 6},
		{"a sale of the lot is retail_selling", "epcis-sale.jsonld.golden", "retail_selling", 1},
		{"a refund is the goods coming back", "epcis-refund.jsonld.golden", "receiving", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs := byKind[tc.kind]
			if len(evs) != tc.n {
				t.Fatalf("%d %s events, want %d: %+v", len(evs), tc.kind, tc.n, page.Events)
			}
			doc := epcisJSON(t, NewEPCISDocument("K01", made, evs))
			epcistest.Valid(t, tc.golden, doc)
			checkGolden(t, tc.golden, doc)
		})
	}
	t.Run("the whole lot is one valid document", func(t *testing.T) {
		if len(page.Events) != 9 || page.Next != 0 {
			t.Fatalf("%d events (next %d), want 9 on one page", len(page.Events), page.Next)
		}
		epcistest.Valid(t, "the lot's document", epcisJSON(t, NewEPCISDocument("K01", made, page.Events)))
	})
}

func TestEPCISSaleEventsOfOtherLotsAndProductsStayOut(t *testing.T) {
	s := epcisStore(t)
	if err := s.PutLot(Lot{SKU: "HONEY", Code: "UM2606-02", ProducedOn: Date{2026, 6, 2}, Quantity: 10}); err != nil {
		t.Fatal(err)
	}
	s.sell(t, saleOf([]LineRequest{{SKU: "HONEY", Qty: 1, Lot: "UM2606-02"}}, cashReq(220000, 220000)))
	s.sell(t, saleOf([]LineRequest{{SKU: "HONEY", Qty: 3, Lot: "UM2605-01"}}, cashReq(660000, 660000)))
	s.sell(t, saleOf([]LineRequest{lineReq("RICE", 1)}, cashReq(150000, 150000)))
	for _, tc := range []struct {
		name, lot string
		sold      []float64
	}{
		{"one lot's events hold only its own sales", "UM2605-01", []float64{3}},
		{"the other lot's hold only its sale", "UM2606-02", []float64{1}},
		{"without a lot every lot of the product is there", "", []float64{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.EPCISEvents(epcisBase, EPCISQuery{GTIN: "8935001800002", Lot: tc.lot})
			if err != nil {
				t.Fatal(err)
			}
			var sold []float64
			for _, e := range page.Events {
				if e.BizStep == "retail_selling" {
					sold = append(sold, e.QuantityList[0].Quantity)
					if tc.lot != "" && !strings.HasSuffix(e.QuantityList[0].EPCClass, "/10/"+tc.lot) {
						t.Errorf("event of %s in %s's answer", e.QuantityList[0].EPCClass, tc.lot)
					}
				}
			}
			if len(sold) != len(tc.sold) || sold[0] != tc.sold[0] || sold[len(sold)-1] != tc.sold[len(tc.sold)-1] {
				t.Fatalf("sold %v, want %v", sold, tc.sold)
			}
		})
	}
}

func TestEPCISPagesWalkEverySaleOnceAndBadQueriesAreRefused(t *testing.T) {
	s := epcisStore(t)
	for range 7 {
		s.sell(t, saleOf([]LineRequest{{SKU: "HONEY", Qty: 1, Lot: "UM2605-01"}}, cashReq(220000, 220000)))
	}
	seen := map[string]bool{}
	var after uint64
	pages := 0
	for {
		page, err := s.EPCISEvents(epcisBase, EPCISQuery{GTIN: prodHoney.GTIN, Lot: "UM2605-01", After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.Events {
			if e.BizStep == "retail_selling" {
				if seen[e.EventID] {
					t.Fatalf("event %s on two pages", e.EventID)
				}
				seen[e.EventID] = true
			}
		}
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("%d sales over %d pages, want 7 over 3", len(seen), pages)
	}
	for _, tc := range []struct {
		name string
		q    EPCISQuery
		want error
	}{
		{"a query without a GTIN is refused", EPCISQuery{}, ErrBadEPCISQuery},
		{"a GTIN with a wrong check digit is refused", EPCISQuery{GTIN: "08935001800003"}, ErrBadEPCISQuery},
		{"a GTIN no product carries is not found", EPCISQuery{GTIN: "08936072100152"}, ErrNotFound},
		{"a lot the product does not have is not found", EPCISQuery{GTIN: prodHoney.GTIN, Lot: "NOPE"}, ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.EPCISEvents(epcisBase, tc.q); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
