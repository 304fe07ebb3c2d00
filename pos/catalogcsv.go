package pos

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The CSV headers of the three catalog files, in order.
var (
	ProducerColumns = []string{"id", "name", "kind", "tax_code", "province", "commune", "address", "phone", "bank_bin", "bank_account", "bank_account_name"}
	ProductColumns  = []string{"sku", "gtin", "name", "name_en", "group", "stars", "cert_no", "cert_expiry", "producer_id", "unit", "price", "vat_rate", "barcodes", "stock", "image", "description", "description_en"}
	LotColumns      = []string{"sku", "lot", "produced_on", "packed_on", "expires_on", "origin", "certifications", "quantity"}
)

// RowError is one bad row of an import. Row counts the header as row 1, as a
// spreadsheet shows it.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (e RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Message)
	}
	return fmt.Sprintf("row %d: %s", e.Row, e.Message)
}

// ImportError lists every bad row of an import; nothing of it was written.
type ImportError struct {
	Kind string     `json:"kind"`
	Rows []RowError `json:"rows"`
}

// MaxImportErrors bounds how many bad rows one import reports.
const MaxImportErrors = 100

// MaxImportRows bounds the rows of one import file.
const MaxImportRows = 200_000

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s import: %d bad row(s), nothing imported", e.Kind, len(e.Rows))
	for i, r := range e.Rows {
		if i == 3 {
			fmt.Fprintf(&b, "; …")
			break
		}
		fmt.Fprintf(&b, "; %s", r.Error())
	}
	return b.String()
}

// ErrImport is matched by every *ImportError with errors.Is.
var ErrImport = errors.New("import rejected")

// Is lets errors.Is(err, ErrImport) find an ImportError.
func (e *ImportError) Is(target error) bool { return target == ErrImport }

// table reads a CSV (or any sheet turned into rows) with a required header.
type table struct {
	rowErrs int // errors filed before the current row
	kind    string
	cols    map[string]int
	errs    *ImportError
	row     int
	record  []string
}

// readRows reads all records of r as CSV. A UTF-8 byte-order mark, as Excel writes,
// is skipped. Empty lines, which encoding/csv skips, come back as empty records so
// that rows keep the numbers a spreadsheet or editor shows.
func readRows(r io.Reader) ([][]string, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var rows [][]string
	prevEnd := 0 // the line the previous record ended on
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, RowError{Row: pe.StartLine, Message: pe.Err.Error()}
			}
			return nil, err
		}
		// Empty lines between records count as rows, as a spreadsheet shows
		// them; a quoted field spanning lines stays one row.
		start, _ := cr.FieldPos(0)
		for line := prevEnd + 1; line < start; line++ {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
		last := len(rec) - 1
		prevEnd, _ = cr.FieldPos(last)
		prevEnd += strings.Count(rec[last], "\n")
		if len(rows) > MaxImportRows+1 {
			return nil, fmt.Errorf("more than %d rows", MaxImportRows)
		}
	}
	return rows, nil
}

func newTable(kind string, rows [][]string, required []string, known []string) (*table, [][]string, error) {
	t := &table{kind: kind, cols: map[string]int{}, errs: &ImportError{Kind: kind}}
	if len(rows) == 0 {
		return nil, nil, &ImportError{Kind: kind, Rows: []RowError{{Row: 1, Message: "file is empty; want a header row"}}}
	}
	knownSet := map[string]bool{}
	for _, k := range known {
		knownSet[k] = true
	}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if !knownSet[h] {
			t.errs.Rows = append(t.errs.Rows, RowError{Row: 1, Column: h, Message: "unknown column; known: " + strings.Join(known, ", ")})
			continue
		}
		if _, dup := t.cols[h]; dup {
			t.errs.Rows = append(t.errs.Rows, RowError{Row: 1, Column: h, Message: "column appears twice"})
		}
		t.cols[h] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			t.errs.Rows = append(t.errs.Rows, RowError{Row: 1, Column: c, Message: "required column missing"})
		}
	}
	if len(t.errs.Rows) > 0 {
		return nil, nil, t.errs
	}
	return t, rows[1:], nil
}

func (t *table) at(rowIdx int, rec []string) {
	t.row, t.record, t.rowErrs = rowIdx+2, rec, len(t.errs.Rows)
}

func (t *table) has(col string) bool {
	i, ok := t.cols[col]
	return ok && i < len(t.record) && strings.TrimSpace(t.record[i]) != ""
}

func (t *table) str(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.record) {
		return ""
	}
	return strings.TrimSpace(t.record[i])
}

func (t *table) fail(col, format string, a ...any) {
	if len(t.errs.Rows) < MaxImportErrors {
		t.errs.Rows = append(t.errs.Rows, RowError{Row: t.row, Column: col, Message: fmt.Sprintf(format, a...)})
	}
}

// reGrouped matches whole numbers written with thousands separators, as
// Vietnamese ("125.000") or English ("125,000") spreadsheets show them.
var reGrouped = regexp.MustCompile(`^-?[0-9]{1,3}(?:(?:\.[0-9]{3})+|(?:,[0-9]{3})+)$`)

func (t *table) int(col string) int64 {
	s := t.str(col)
	if s == "" {
		return 0
	}
	if reGrouped.MatchString(s) {
		s = strings.NewReplacer(".", "", ",", "").Replace(s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.fail(col, "%q is not a whole number (đồng have no decimals; write 125000 or 125.000)", t.str(col))
	}
	return n
}

func (t *table) date(col string) Date {
	v := t.str(col)
	d, err := ParseDate(v)
	if err != nil {
		// A spreadsheet date cell read raw is a serial day number.
		if n, nerr := strconv.ParseFloat(v, 64); nerr == nil && n >= 1 && n < 200_000 && n == float64(int(n)) {
			return DateOf(excelEpoch.AddDate(0, 0, int(n)))
		}
		t.fail(col, "%v", err)
	}
	return d
}

// excelEpoch is day 0 of spreadsheet serial dates (1899-12-30, which absorbs the
// 1900 leap-year bug for every date after February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func (t *table) list(col string) []string {
	var out []string
	for _, f := range strings.Split(t.str(col), "|") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// validated runs v and files its error against the row, unless a cell of the row
// was already reported (a price that is not a number is not also "price 0").
func (t *table) validated(v func() error) {
	if len(t.errs.Rows) > t.rowErrs {
		return
	}
	if err := v(); err != nil {
		col := ""
		var fe *FieldError
		if errors.As(err, &fe) {
			col = fe.Field
		}
		t.fail(col, "%v", err)
	}
}

func (t *table) result() error {
	if len(t.errs.Rows) > 0 {
		return t.errs
	}
	return nil
}

// failed reports whether the table has bad rows (and the parse returns nothing).
func (t *table) failed() bool { return len(t.errs.Rows) > 0 }

// ParseProducersCSV reads producers.csv. Every bad row is reported; no partial result.
func ParseProducersCSV(r io.Reader) ([]Producer, error) {
	rows, err := readRows(r)
	if err != nil {
		return nil, wrapRead("producers", err)
	}
	return ParseProducerRows(rows)
}

// ParseProducerRows reads producers from rows whose first row is the header.
func ParseProducerRows(rows [][]string) ([]Producer, error) {
	t, body, err := newTable("producers", rows, []string{"id", "name", "kind"}, ProducerColumns)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var out []Producer
	for i, rec := range body {
		if blank(rec) {
			continue
		}
		t.at(i, rec)
		p := Producer{ID: t.str("id"), Name: t.str("name"), Kind: ProducerKind(strings.ToLower(t.str("kind"))),
			TaxCode: t.str("tax_code"), Province: t.str("province"), Commune: t.str("commune"), Address: t.str("address"),
			Phone: t.str("phone"), BankBIN: t.str("bank_bin"), BankAccount: t.str("bank_account"), BankAccountName: t.str("bank_account_name")}
		t.validated(p.Validate)
		if first, dup := seen[p.ID]; dup {
			t.fail("id", "producer %s already on row %d", p.ID, first)
		}
		seen[p.ID] = t.row
		out = append(out, p)
	}
	if t.failed() {
		return nil, t.result()
	}
	return out, nil
}

// ProductRows is a parsed products file: the products and, per product, whether
// its stock cell was filled in.
type ProductRows struct {
	Products   []Product
	StockGiven []bool
	Rows       []int // file row of each product
}

// ParseProductsCSV reads products.csv. Every bad row is reported; no partial result.
func ParseProductsCSV(r io.Reader) (ProductRows, error) {
	rows, err := readRows(r)
	if err != nil {
		return ProductRows{}, wrapRead("products", err)
	}
	return ParseProductRows(rows)
}

// ParseProductRows reads products from rows whose first row is the header.
func ParseProductRows(rows [][]string) (ProductRows, error) {
	t, body, err := newTable("products", rows, []string{"sku", "name", "group", "stars", "producer_id", "price", "vat_rate"}, ProductColumns)
	if err != nil {
		return ProductRows{}, err
	}
	var out ProductRows
	seen := map[string]int{}
	codes := map[string]string{} // gtin/barcode → sku, so a scan finds one product
	for i, rec := range body {
		if blank(rec) {
			continue
		}
		t.at(i, rec)
		p := Product{SKU: t.str("sku"), GTIN: t.str("gtin"), Name: t.str("name"), NameEN: t.str("name_en"),
			Group: Group(strings.ToLower(t.str("group"))), Stars: int(t.int("stars")), CertNo: t.str("cert_no"),
			CertExpiry: t.date("cert_expiry"), ProducerID: t.str("producer_id"), Unit: t.str("unit"),
			Price: Money(t.int("price")), VATRate: int(t.int("vat_rate")), Barcodes: t.list("barcodes"),
			Stock: t.int("stock"), Image: t.str("image"), Description: t.str("description"), DescriptionEN: t.str("description_en")}
		t.validated(p.Validate)
		if first, dup := seen[p.SKU]; dup {
			t.fail("sku", "sku %s already on row %d", p.SKU, first)
		}
		seen[p.SKU] = t.row
		for _, c := range append([]string{p.GTIN}, p.Barcodes...) {
			if c == "" {
				continue
			}
			if other, dup := codes[c]; dup && other != p.SKU {
				t.fail("barcodes", "code %s also belongs to %s", c, other)
			}
			codes[c] = p.SKU
		}
		out.Products = append(out.Products, p)
		out.StockGiven = append(out.StockGiven, t.has("stock"))
		out.Rows = append(out.Rows, t.row)
	}
	if t.failed() {
		return ProductRows{}, t.result()
	}
	return out, nil
}

// LotRows is a parsed lots file with the file row of each lot.
type LotRows struct {
	Lots []Lot
	Rows []int
}

// ParseLotsCSV reads lots.csv. Every bad row is reported; no partial result.
func ParseLotsCSV(r io.Reader) (LotRows, error) {
	rows, err := readRows(r)
	if err != nil {
		return LotRows{}, wrapRead("lots", err)
	}
	return ParseLotRows(rows)
}

// ParseLotRows reads lots from rows whose first row is the header.
func ParseLotRows(rows [][]string) (LotRows, error) {
	t, body, err := newTable("lots", rows, []string{"sku", "lot"}, LotColumns)
	if err != nil {
		return LotRows{}, err
	}
	var out LotRows
	seen := map[string]int{}
	for i, rec := range body {
		if blank(rec) {
			continue
		}
		t.at(i, rec)
		l := Lot{SKU: t.str("sku"), Code: t.str("lot"), ProducedOn: t.date("produced_on"), PackedOn: t.date("packed_on"),
			ExpiresOn: t.date("expires_on"), Origin: t.str("origin"), Certifications: t.list("certifications"), Quantity: t.int("quantity")}
		t.validated(l.Validate)
		if first, dup := seen[l.ID()]; dup {
			t.fail("lot", "lot %s already on row %d", l.ID(), first)
		}
		seen[l.ID()] = t.row
		out.Lots = append(out.Lots, l)
		out.Rows = append(out.Rows, t.row)
	}
	if t.failed() {
		return LotRows{}, t.result()
	}
	return out, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func wrapRead(kind string, err error) error {
	var re RowError
	if errors.As(err, &re) {
		return &ImportError{Kind: kind, Rows: []RowError{re}}
	}
	return &ImportError{Kind: kind, Rows: []RowError{{Row: 0, Message: err.Error()}}}
}

// WriteProducersCSV writes producers in the import format.
func WriteProducersCSV(w io.Writer, ps []Producer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ProducerColumns)
	for _, p := range ps {
		_ = cw.Write([]string{p.ID, p.Name, string(p.Kind), p.TaxCode, p.Province, p.Commune, p.Address, p.Phone, p.BankBIN, p.BankAccount, p.BankAccountName})
	}
	cw.Flush()
	return cw.Error()
}

// WriteProductsCSV writes products in the import format.
func WriteProductsCSV(w io.Writer, ps []Product) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ProductColumns)
	for _, p := range ps {
		_ = cw.Write([]string{p.SKU, p.GTIN, p.Name, p.NameEN, string(p.Group), strconv.Itoa(p.Stars), p.CertNo, p.CertExpiry.String(),
			p.ProducerID, p.Unit, strconv.FormatInt(int64(p.Price), 10), strconv.Itoa(p.VATRate), strings.Join(p.Barcodes, "|"),
			strconv.FormatInt(p.Stock, 10), p.Image, p.Description, p.DescriptionEN})
	}
	cw.Flush()
	return cw.Error()
}

// WriteLotsCSV writes lots in the import format.
func WriteLotsCSV(w io.Writer, ls []Lot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(LotColumns)
	for _, l := range ls {
		_ = cw.Write([]string{l.SKU, l.Code, l.ProducedOn.String(), l.PackedOn.String(), l.ExpiresOn.String(), l.Origin,
			strings.Join(l.Certifications, "|"), strconv.FormatInt(l.Quantity, 10)})
	}
	cw.Flush()
	return cw.Error()
}
