package pos

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// portalCatalog is a honey producer with one complete lot and one lacking,
// a product with no lot, and a product of a producer the catalog lacks.
func portalCatalog() PortalSource {
	d := func(y, m, day int) Date { return Date{y, m, day} }
	return PortalSource{
		Base: "https://kiosk.example",
		Producers: []Producer{{ID: "P1", Name: "HTX Ong mật U Minh Hạ", Commune: "Khánh An", Province: "Cà Mau"},
			{ID: "P2", Name: "=HYPERLINK(\"http://evil\")", Address: "12 Đường 3/2, Cần Thơ"}},
		Products: []Product{
			{SKU: "MO-500", GTIN: "08936072100152", Name: "Mật ong rừng tràm 500ml", NameEN: "Forest honey 500ml", Stars: 5,
				CertNo: "1586/QĐ", ProducerID: "P1", Image: "mo-500.jpg"},
			{SKU: "KEO", Name: "Kẹo dừa", ProducerID: "P2"},
			{SKU: "NOP", GTIN: "08936072100220", Name: "Mật ong 250ml", ProducerID: "P9", Image: "https://evil.example/x.png"},
		},
		Lots: []Lot{
			{SKU: "MO-500", Code: "UM2605-01", ProducedOn: d(2026, 5, 15), ExpiresOn: d(2028, 5, 15), Certifications: []string{"Hữu cơ", "VietGAP"},
				Events: []TraceEvent{{When: d(2026, 5, 8), What: "harvest", Where: "Rừng tràm U Minh Hạ"}, {When: d(2026, 5, 15), What: "packing", Where: "Xưởng HTX"}}},
			{SKU: "MO-500", Code: "UM2606-02", Events: []TraceEvent{{When: d(2026, 6, 2), What: "harvest"}}},
		},
		ImageURL: func(s string) string {
			if strings.Contains(s, "://") {
				return "" // the screens show only the kiosk's own pictures
			}
			return "https://kiosk.example/img/" + s
		},
		Serials: func(sku, lot string) string {
			if lot == "UM2605-01" {
				return "0001–0120"
			}
			return ""
		},
	}
}

func TestThePortalExportReportsWhatEachProductLacks(t *testing.T) {
	e := BuildPortalExport(portalCatalog())
	if len(e.Items) != 10 {
		t.Fatalf("%d items, the circular lists 10", len(e.Items))
	}
	byLot := map[string][]string{}
	for _, r := range e.Records {
		byLot[r.SKU+"/"+r.Lot] = r.Missing
	}
	for _, tt := range []struct {
		name, row string
		missing   []string
	}{
		{"a lot with every item lacks nothing", "MO-500/UM2605-01", []string{}},
		{"a lot with a stage that has no place, no dates and no labels", "MO-500/UM2606-02",
			[]string{"stages", "production_time", "brand_or_serial", "shelf_life"}},
		{"a product without a lot lacks the lot's items, and a trace code without a GTIN", "KEO/",
			[]string{"images", "stages", "production_time", "trace_code", "brand_or_serial", "shelf_life", "standards"}},
		{"a product of an unknown producer with an outside picture", "NOP/",
			[]string{"images", "producer", "address", "stages", "production_time", "trace_code", "brand_or_serial", "shelf_life", "standards"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := byLot[tt.row]
			if !ok || !reflect.DeepEqual(got, tt.missing) {
				t.Errorf("%s lacks %v, want %v", tt.row, got, tt.missing)
			}
		})
	}
	want := []PortalProduct{
		{SKU: "KEO", Name: "Kẹo dừa", Complete: 3, Missing: byLot["KEO/"]},
		{SKU: "MO-500", Name: "Mật ong rừng tràm 500ml", Lots: 2, Complete: 6, Missing: byLot["MO-500/UM2606-02"],
			ByLot: map[string][]string{"UM2606-02": byLot["MO-500/UM2606-02"]}},
		{SKU: "NOP", Name: "Mật ong 250ml", Complete: 1, Missing: byLot["NOP/"]},
	}
	if !reflect.DeepEqual(e.Products, want) {
		t.Errorf("report:\n%+v\nwant\n%+v", e.Products, want)
	}
}

func TestThePortalExportMatchesItsGoldenFiles(t *testing.T) {
	e := BuildPortalExport(portalCatalog())
	csvOut, err := e.CSV()
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"portal.csv.golden": csvOut, "portal.json.golden": append(jsonOut, '\n')} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs (go test -run %s -update):\n%s", name, t.Name(), got)
		}
	}
	if !bytes.Contains(csvOut, []byte(`"'=HYPERLINK(""http://evil"")"`)) {
		t.Errorf("a producer named as a formula is not escaped:\n%s", csvOut)
	}
}

func TestSerialRangeTellsTheLabelsALotWasGiven(t *testing.T) {
	s := openTestStore(t)
	if err := s.PutLot(Lot{SKU: "HONEY", Code: "L-SER"}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.SerialRange("HONEY", "L-SER"); err != nil || r != "" {
		t.Fatalf("no labels: %q %v", r, err)
	}
	if _, err := s.NextSerials("HONEY", "L-SER", 12); err != nil {
		t.Fatal(err)
	}
	if r, err := s.SerialRange("HONEY", "L-SER"); err != nil || r != "0001–0012" {
		t.Fatalf("12 labels: %q %v", r, err)
	}
}
