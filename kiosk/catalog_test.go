package kiosk

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ocop-kiosk/kiosk/pos"
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

// allocated is what the process allocates while fn runs.
func allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hostileImport is a 32 MiB catalog file (the import limit), as the body itself
// or as the file of a multipart form, as the manager screen sends it.
func hostileImport(t *testing.T, body []byte, multipartForm bool) (data []byte, contentType string) {
	t.Helper()
	if !multipartForm {
		return body, "text/csv"
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", "products.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

// An import the size of the body limit is refused at its row, and refusing it
// costs next to nothing beyond reading the request: the parse streams from
// the body the server holds or the form's file, and never rebuilds either.
func TestHostileCatalogImportsAreRefusedInBoundedMemory(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	header := strings.Join(pos.ProductColumns, ",") + "\n"
	fill := func(unit string) []byte {
		size := MaxImportBody - 1024 // room for a multipart envelope
		return append([]byte(header), bytes.Repeat([]byte(unit), (size-len(header))/len(unit))...)
	}
	for _, tt := range []struct {
		name      string
		body      []byte
		multipart bool
		row       int
		message   string
	}{
		{"blank lines", fill("\n"), false, pos.MaxImportRows + 2, "more than 200000 rows"},
		{"blank lines in a form", fill("\n"), true, pos.MaxImportRows + 2, "more than 200000 rows"},
		{"one giant cell", fill("a"), false, 2, "longer than 64 KiB"},
		{"one giant cell in a form", fill("a"), true, 2, "longer than 64 KiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, ctype := hostileImport(t, tt.body, tt.multipart)
			// What the server spends on reading such a request before any
			// handler runs (fasthttp holds the body, and a form's file), as the
			// baseline: the same request without the PIN, refused before the
			// import reads it (no other route takes a body this large).
			base := allocated(func() {
				if r := k.do("POST", "/api/v1/catalog/import?kind=products", data, "Content-Type", ctype); r.Status != 401 {
					t.Fatalf("baseline: %d", r.Status)
				}
			})
			var r resp
			alloc := allocated(func() {
				r = k.do("POST", "/api/v1/catalog/import?kind=products", data, "X-Manager-Pin", testPIN, "Content-Type", ctype)
			})
			var e struct {
				Error struct {
					Code    string
					Details pos.ImportError
				}
			}
			r.json(t, &e)
			rows := e.Error.Details.Rows
			if r.Status != 422 || e.Error.Code != "import_rejected" || len(rows) != 1 || rows[0].Row != tt.row || !strings.Contains(rows[0].Message, tt.message) {
				t.Fatalf("want 422 import_rejected on row %d saying %q; got %d %.300s", tt.row, tt.message, r.Status, r.Body)
			}
			t.Logf("%s: %.1f MB allocated for a %.1f MB request, %.1f MB without the import", tt.name,
				float64(alloc)/(1<<20), float64(len(data))/(1<<20), float64(base)/(1<<20))
			if alloc > base+16<<20 {
				t.Errorf("the import allocated %.1f MB beyond reading the request", float64(alloc-base)/(1<<20))
			}
		})
	}
}
