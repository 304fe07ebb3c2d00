package kiosk

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestCatalogXLSXExportImportsIntoAnEmptyKiosk(t *testing.T) {
	src := startKiosk(t, t.TempDir())
	r := src.do("GET", "/api/v1/catalog/export?format=xlsx", nil)
	if r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("PK")) {
		t.Fatalf("xlsx export: %d, %d bytes", r.Status, len(r.Body))
	}
	dst := startKiosk(t, t.TempDir(), func(c *Config) { c.Demo = false })
	if n := countProducts(t, dst); n != 0 {
		t.Fatalf("kiosk started with -demo=false has %d products", n)
	}
	imp := dst.do("POST", "/api/v1/catalog/import", r.Body, "X-Manager-Pin", testPIN,
		"Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if imp.Status != 200 {
		t.Fatalf("xlsx import: %d %s", imp.Status, imp.Body)
	}
	if a, b := countProducts(t, src), countProducts(t, dst); a != b || a < 40 {
		t.Fatalf("%d products exported, %d imported", a, b)
	}
	want, got := src.product("CM-MO-500"), dst.product("CM-MO-500")
	if want.GTIN != got.GTIN || want.Name != got.Name || want.CertExpiry != got.CertExpiry || want.Price != got.Price || want.Stock != got.Stock {
		t.Errorf("round trip changed the product:\n%+v\n%+v", want, got)
	}
}

func TestCatalogXLSXBadRowIsReportedWithItsRow(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	f := excelize.NewFile()
	_ = f.SetSheetName("Sheet1", "products")
	rows := [][]any{
		{"sku", "name", "group", "stars", "producer_id", "price", "vat_rate", "cert_expiry"},
		{"X-1", "Mật ong", "food", 4, "CM-HTX-UMINH", 120000, 8, 46524}, // a date cell as Excel stores it
		{"X-2", "Kẹo dừa", "food", 9, "CM-HTX-UMINH", 45000, 8, ""},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("products", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r := k.do("POST", "/api/v1/catalog/import", buf.Bytes(), "X-Manager-Pin", testPIN)
	var e struct {
		Error struct {
			Code    string
			Details struct {
				Kind string
				Rows []struct {
					Row     int
					Message string
				}
			}
		}
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatal(err)
	}
	if r.Status != 422 || e.Error.Code != "import_rejected" || len(e.Error.Details.Rows) != 1 || e.Error.Details.Rows[0].Row != 3 || e.Error.Details.Kind != "products" {
		t.Fatalf("bad xlsx row: %d %s", r.Status, r.Body)
	}
	if r := k.do("GET", "/api/v1/products/X-1", nil); r.Status != 404 {
		t.Fatal("the good row of a rejected workbook was imported")
	}
	// Mend row 3: the whole sheet lands, and the date cell reads as a date.
	row := []any{"X-2", "Kẹo dừa", "food", 4, "CM-HTX-UMINH", 45000, 8, ""}
	_ = f.SetSheetRow("products", "A3", &row)
	buf.Reset()
	_ = f.Write(&buf)
	if r := k.do("POST", "/api/v1/catalog/import", buf.Bytes(), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("mended workbook: %d %s", r.Status, r.Body)
	}
	if got := k.product("X-1").CertExpiry.String(); got != "2027-05-17" {
		t.Errorf("Excel serial 46524 read as %q, want 2027-05-17", got)
	}
}

func TestImportOfGarbageIsRejected(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	for name, body := range map[string][]byte{
		"a truncated zip":           []byte("PK\x03\x04garbage"),
		"a CSV with a broken quote": []byte("sku,name\n\"X,1\n"),
	} {
		t.Run(name, func(t *testing.T) {
			r := k.do("POST", "/api/v1/catalog/import?kind=products", body, "X-Manager-Pin", testPIN)
			if r.Status != 422 || r.errCode(t) != "import_rejected" {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		})
	}
	if r := k.do("POST", "/api/v1/catalog/import?kind=cars", []byte("a,b\n"), "X-Manager-Pin", testPIN); r.Status != 400 {
		t.Fatalf("unknown kind: %d %s", r.Status, r.Body)
	}
}

func countProducts(t *testing.T, k *testKiosk) int {
	t.Helper()
	var out struct{ Total int }
	k.do("GET", "/api/v1/products?limit=1", nil).json(t, &out)
	return out.Total
}
