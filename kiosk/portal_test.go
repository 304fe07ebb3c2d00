package kiosk

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The manager exports the portal's fields; a lot that lacks items is
// reported with what it lacks, and recording them takes them off the list.
func TestTheKioskExportsThePortalFieldsAndWhatALotLacks(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir, func(c *Config) {
		c.Printers = map[string]string{"label": "file:" + filepath.Join(dir, "labels") + "?profile=epson-tm-t20"}
	})
	if r := k.do("GET", "/api/v1/portal/export", nil); r.Status != 401 {
		t.Fatalf("without the PIN: %d", r.Status)
	}
	if r := k.do("GET", "/api/v1/portal/export?format=pdf", nil, "X-Manager-Pin", testPIN); r.Status != 400 || r.errCode(t) != "bad_query" {
		t.Fatalf("an unknown format: %d %s", r.Status, r.Body)
	}
	lacks := func() []string {
		t.Helper()
		var e pos.PortalExport
		r := k.do("GET", "/api/v1/portal/export", nil, "X-Manager-Pin", testPIN)
		r.json(t, &e)
		for _, p := range e.Products {
			if p.SKU == "CM-MO-500" {
				if p.Complete+len(p.Missing) != 10 {
					t.Fatalf("%+v", p)
				}
				return p.ByLot["UM2605-01"]
			}
		}
		t.Fatalf("CM-MO-500 is not in the report: %s", r.Body)
		return nil
	}
	before := lacks()
	if !slices.Contains(before, "brand_or_serial") {
		t.Fatalf("a lot with no labels printed lacks %v, want brand_or_serial among them", before)
	}
	if r := k.do("POST", "/api/v1/lots/CM-MO-500/UM2605-01/labels", map[string]any{"count": 3, "printer": "label"}, "X-Manager-Pin", testPIN); r.Status != 202 {
		t.Fatalf("labels: %d %s", r.Status, r.Body)
	}
	if after := lacks(); slices.Contains(after, "brand_or_serial") {
		t.Errorf("after printing labels the lot still lacks a serial: %v", after)
	}

	r := k.do("GET", "/api/v1/portal/export?format=csv", nil, "X-Manager-Pin", testPIN)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\ufeff"))).ReadAll()
	if err != nil || r.Status != 200 || !slices.Equal(rows[0], pos.PortalCSVHeader) {
		t.Fatalf("CSV: %d %v %s", r.Status, err, r.Body)
	}
	for _, row := range rows[1:] {
		if row[0] == "CM-MO-500" && row[2] == "UM2605-01" {
			if row[11] != "0001–0003" || !strings.Contains(row[10], "/01/"+honeyGTIN+"/10/UM2605-01") {
				t.Errorf("the lot's row: %q", row)
			}
			return
		}
	}
	t.Errorf("no row for the lot UM2605-01:\n%s", r.Body)
}
