package pos

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The CSV headers of the three catalog files, in order.
var (
	ProducerColumns = []string{"id", "name", "kind", "tax_code", "province", "commune", "address", "phone", "bank_bin", "bank_account", "bank_account_name",
		"invoice_delegated", "invoice_tax_method", "invoice_direct_rate"}
	ProductColumns = []string{"sku", "gtin", "name", "name_en", "group", "stars", "cert_no", "cert_expiry", "producer_id", "unit", "price", "vat_rate", "barcodes", "stock", "image", "description", "description_en", "sold_by"}
	LotColumns     = []string{"sku", "lot", "produced_on", "packed_on", "expires_on", "origin", "certifications", "quantity"}
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

// ImportError lists the bad rows of an import; nothing of it was written.
// Truncated says the file was not read past MaxImportErrors bad rows.
type ImportError struct {
	Kind      string     `json:"kind"`
	Rows      []RowError `json:"rows"`
	Truncated bool       `json:"truncated,omitempty"`
}

// MaxImportErrors bounds how many bad rows one import reports: past it, the
// file is not read further.
const MaxImportErrors = 100

// MaxImportRows bounds the rows of one import file below its header.
const MaxImportRows = 200_000

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s import: %d bad row(s), nothing imported", e.Kind, len(e.Rows))
	if e.Truncated {
		fmt.Fprintf(&b, " (stopped after %d bad rows)", len(e.Rows))
	}
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

// formulaStarts are the first characters that make a spreadsheet (Excel,
// LibreOffice, Google Sheets) read a CSV cell as a formula rather than text.
const formulaStarts = "=+-@\t\r"

// SpreadsheetText is a text cell for a CSV file that people open in a
// spreadsheet: text that would be read as a formula (=HYPERLINK(…), +cmd|…,
// @SUM(…), -2+3, a leading tab or carriage return) gets a leading apostrophe,
// which spreadsheets take as "this is text". An apostrophe the text already
// begins with gets one more before a formula character or an apostrophe, so
// FromSpreadsheetText gives back exactly what was written. The kiosk's catalog
// export and the hub's report exports write text through it.
func SpreadsheetText(s string) string {
	if s != "" && (strings.IndexByte(formulaStarts, s[0]) >= 0 || FromSpreadsheetText(s) != s) {
		return "'" + s
	}
	return s
}

// FromSpreadsheetText undoes SpreadsheetText: one leading apostrophe before a
// formula character or another apostrophe is dropped. An apostrophe before
// ordinary text ('Bến Tre) is the text's own and stays.
func FromSpreadsheetText(s string) string {
	if len(s) >= 2 && s[0] == '\'' && (s[1] == '\'' || strings.IndexByte(formulaStarts, s[1]) >= 0) {
		return s[1:]
	}
	return s
}

// table reads a catalog file's rows against its header, one row at a time.
type table struct {
	csv     bool // cells of a CSV file: text comes through SpreadsheetText
	rowErrs int  // errors filed before the current row
	kind    string
	cols    map[string]int
	errs    *ImportError
	row     int
	record  []string
}

// readTable reads the header from src, then calls each for every row that is
// not blank, with the table on that row. It stops at the end of the file, at
// a row that breaks a limit of the file, or after MaxImportErrors bad rows,
// and returns the bad rows as an *ImportError.
func readTable(kind string, src rowSource, required, known []string, each func(t *table)) error {
	t := &table{kind: kind, cols: map[string]int{}, errs: &ImportError{Kind: kind}, row: 1}
	// A workbook's cells are typed (text is never a formula), so only a CSV
	// file's text carries the apostrophe of SpreadsheetText.
	_, t.csv = src.(*csvRows)
	header, row, err := src.next()
	switch {
	case err == io.EOF:
		return &ImportError{Kind: kind, Rows: []RowError{{Row: 1, Message: "file is empty; want a header row"}}}
	case err != nil:
		return t.broken(err)
	case row != 1:
		header = nil // the first line is empty, so there is no header
	}
	t.header(header, required, known)
	if t.failed() {
		return t.errs
	}
	for {
		if len(t.errs.Rows) >= MaxImportErrors {
			t.errs.Truncated = true
			break
		}
		rec, row, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t.broken(err)
		}
		if blank(rec) {
			continue
		}
		t.at(row, rec)
		each(t)
	}
	return t.result()
}

func (t *table) header(rec []string, required, known []string) {
	knownSet := map[string]bool{}
	for _, k := range known {
		knownSet[k] = true
	}
	knownList := strings.Join(known, ", ")
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if !knownSet[h] {
			t.fail(h, "unknown column; known: %s", knownList)
			continue
		}
		if _, dup := t.cols[h]; dup {
			t.fail(h, "column appears twice")
		}
		t.cols[h] = i
	}
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			t.fail(c, "required column missing")
		}
	}
}

// broken ends the parse at a row that breaks a limit of the file (or a file
// that is not CSV), keeping the bad rows found before it.
func (t *table) broken(err error) error {
	var re RowError
	if !errors.As(err, &re) {
		re = RowError{Row: t.row, Message: err.Error()}
	}
	t.errs.Rows = append(t.errs.Rows, re)
	return t.errs
}

func (t *table) at(row int, rec []string) {
	t.row, t.record, t.rowErrs = row, rec, len(t.errs.Rows)
}

func (t *table) has(col string) bool {
	i, ok := t.cols[col]
	return ok && i < len(t.record) && strings.TrimSpace(t.record[i]) != ""
}

// raw is a cell as written, trimmed: numbers and dates, which the export
// writes plainly.
func (t *table) raw(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.record) {
		return ""
	}
	return strings.TrimSpace(t.record[i])
}

// str is a text cell, with the apostrophe the export put before a formula
// character taken off again.
func (t *table) str(col string) string {
	if t.csv {
		return FromSpreadsheetText(t.raw(col))
	}
	return t.raw(col)
}

func (t *table) fail(col, format string, a ...any) {
	if len(t.errs.Rows) < MaxImportErrors {
		t.errs.Rows = append(t.errs.Rows, RowError{Row: t.row, Column: clip(col), Message: clip(fmt.Sprintf(format, a...))})
	}
}

// clip shortens what an error quotes of a cell: a report of a hundred bad
// rows must stay readable (and small) whatever the cells hold.
func clip(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// reGrouped matches whole numbers written with thousands separators, as
// Vietnamese ("125.000") or English ("125,000") spreadsheets show them.
var reGrouped = regexp.MustCompile(`^-?[0-9]{1,3}(?:(?:\.[0-9]{3})+|(?:,[0-9]{3})+)$`)

func (t *table) int(col string) int64 {
	s := t.raw(col)
	if s == "" {
		return 0
	}
	if reGrouped.MatchString(s) {
		s = strings.NewReplacer(".", "", ",", "").Replace(s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.fail(col, "%q is not a whole number (đồng have no decimals; write 125000 or 125.000)", t.raw(col))
	}
	return n
}

func (t *table) date(col string) Date {
	v := t.raw(col)
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

// ParseProducersCSV reads producers.csv as it streams in. Bad rows are
// reported (up to MaxImportErrors); no partial result.
func ParseProducersCSV(r io.Reader) ([]Producer, error) {
	return parseProducers(newCSVRows(r))
}

func parseProducers(src rowSource) ([]Producer, error) {
	seen := map[string]int{}
	var out []Producer
	err := readTable(FileProducers, src, []string{"id", "name", "kind"}, ProducerColumns, func(t *table) {
		p := Producer{ID: t.str("id"), Name: t.str("name"), Kind: ProducerKind(strings.ToLower(t.str("kind"))),
			TaxCode: t.str("tax_code"), Province: t.str("province"), Commune: t.str("commune"), Address: t.str("address"),
			Phone: t.str("phone"), BankBIN: t.str("bank_bin"), BankAccount: t.str("bank_account"), BankAccountName: t.str("bank_account_name")}
		p.Invoicing = t.invoicing()
		t.validated(p.Validate)
		if first, dup := seen[p.ID]; dup {
			t.fail("id", "producer %s already on row %d", p.ID, first)
		}
		seen[p.ID] = t.row
		if !t.failed() { // a failed import returns nothing: keep nothing
			out = append(out, p)
		}
	})
	if err != nil {
		return nil, err
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

// ParseProductsCSV reads products.csv as it streams in. Bad rows are
// reported (up to MaxImportErrors); no partial result.
func ParseProductsCSV(r io.Reader) (ProductRows, error) {
	return parseProducts(newCSVRows(r))
}

func parseProducts(src rowSource) (ProductRows, error) {
	var out ProductRows
	seen := map[string]int{}
	codes := map[string]string{} // gtin/barcode → sku, so a scan finds one product
	err := readTable(FileProducts, src, []string{"sku", "name", "group", "stars", "producer_id", "price", "vat_rate"}, ProductColumns, func(t *table) {
		p := Product{SKU: t.str("sku"), GTIN: t.str("gtin"), Name: t.str("name"), NameEN: t.str("name_en"),
			Group: Group(strings.ToLower(t.str("group"))), Stars: int(t.int("stars")), CertNo: t.str("cert_no"),
			CertExpiry: t.date("cert_expiry"), ProducerID: t.str("producer_id"), Unit: t.str("unit"),
			Price: Money(t.int("price")), VATRate: int(t.int("vat_rate")), Barcodes: t.list("barcodes"),
			Stock: t.int("stock"), Image: t.str("image"), Description: t.str("description"), DescriptionEN: t.str("description_en"),
			SoldBy: t.str("sold_by")}
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
		if !t.failed() {
			out.Products = append(out.Products, p)
			out.StockGiven = append(out.StockGiven, t.has("stock"))
			out.Rows = append(out.Rows, t.row)
		}
	})
	if err != nil {
		return ProductRows{}, err
	}
	return out, nil
}

// LotRows is a parsed lots file with the file row of each lot.
type LotRows struct {
	Lots []Lot
	Rows []int
}

// ParseLotsCSV reads lots.csv as it streams in. Bad rows are reported (up to
// MaxImportErrors); no partial result.
func ParseLotsCSV(r io.Reader) (LotRows, error) {
	return parseLots(newCSVRows(r))
}

func parseLots(src rowSource) (LotRows, error) {
	var out LotRows
	seen := map[string]int{}
	err := readTable(FileLots, src, []string{"sku", "lot"}, LotColumns, func(t *table) {
		l := Lot{SKU: t.str("sku"), Code: t.str("lot"), ProducedOn: t.date("produced_on"), PackedOn: t.date("packed_on"),
			ExpiresOn: t.date("expires_on"), Origin: t.str("origin"), Certifications: t.list("certifications"), Quantity: t.int("quantity")}
		t.validated(l.Validate)
		if first, dup := seen[l.ID()]; dup {
			t.fail("lot", "lot %s already on row %d", l.ID(), first)
		}
		seen[l.ID()] = t.row
		if !t.failed() {
			out.Lots = append(out.Lots, l)
			out.Rows = append(out.Rows, t.row)
		}
	})
	if err != nil {
		return LotRows{}, err
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

// texts passes each text cell of a row through SpreadsheetText.
func texts(cells ...string) []string {
	for i, c := range cells {
		cells[i] = SpreadsheetText(c)
	}
	return cells
}

// WriteProducersCSV writes producers in the import format. Text that a
// spreadsheet would run as a formula is written as text (SpreadsheetText);
// the import reads it back as it was.
func WriteProducersCSV(w io.Writer, ps []Producer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ProducerColumns)
	for _, p := range ps {
		del, method, rate := invoicingCells(p.Invoicing)
		_ = cw.Write(append(texts(p.ID, p.Name, string(p.Kind), p.TaxCode, p.Province, p.Commune, p.Address, p.Phone, p.BankBIN, p.BankAccount, p.BankAccountName),
			del, method, rate))
	}
	cw.Flush()
	return cw.Error()
}

// WriteProductsCSV writes products in the import format, text as
// SpreadsheetText and numbers and dates as they are.
func WriteProductsCSV(w io.Writer, ps []Product) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(ProductColumns)
	for _, p := range ps {
		t := texts(p.SKU, p.GTIN, p.Name, p.NameEN, string(p.Group), p.CertNo, p.ProducerID, p.Unit,
			strings.Join(p.Barcodes, "|"), p.Image, p.Description, p.DescriptionEN)
		soldBy := SoldByUnit
		if p.ByWeight() {
			soldBy = SoldByWeight
		}
		_ = cw.Write([]string{t[0], t[1], t[2], t[3], t[4], strconv.Itoa(p.Stars), t[5], p.CertExpiry.String(),
			t[6], t[7], strconv.FormatInt(int64(p.Price), 10), strconv.Itoa(p.VATRate), t[8],
			strconv.FormatInt(p.Stock, 10), t[9], t[10], t[11], soldBy})
	}
	cw.Flush()
	return cw.Error()
}

// WriteLotsCSV writes lots in the import format, text as SpreadsheetText.
func WriteLotsCSV(w io.Writer, ls []Lot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(LotColumns)
	for _, l := range ls {
		t := texts(l.SKU, l.Code, l.Origin, strings.Join(l.Certifications, "|"))
		_ = cw.Write([]string{t[0], t[1], l.ProducedOn.String(), l.PackedOn.String(), l.ExpiresOn.String(), t[2],
			t[3], strconv.FormatInt(l.Quantity, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// invoicing reads a producer's invoicing cells: invoice_delegated (yes/no),
// invoice_tax_method (direct/credit), invoice_direct_rate (a percentage). All
// empty: nil, the booth invoices the producer's goods in its own name.
func (t *table) invoicing() *ProducerInvoicing {
	del, method, rate := strings.ToLower(t.raw("invoice_delegated")), strings.ToLower(t.raw("invoice_tax_method")), t.raw("invoice_direct_rate")
	if del == "" && method == "" && rate == "" {
		return nil
	}
	pi := &ProducerInvoicing{TaxMethod: method}
	switch del {
	case "yes", "true", "1", "x", "có":
		pi.Delegated = true
	case "", "no", "false", "0", "không":
	default:
		t.fail("invoice_delegated", "%q: want yes or no", t.raw("invoice_delegated"))
	}
	if rate != "" {
		p, err := ParsePercent(strings.TrimSuffix(rate, "%"))
		if err != nil {
			t.fail("invoice_direct_rate", "%q: want a percentage such as 1 or 1.5", rate)
		}
		pi.DirectRate = p
	}
	return pi
}

// invoicingCells writes a producer's invoicing as its three cells.
func invoicingCells(pi *ProducerInvoicing) (delegated, method, rate string) {
	if pi == nil {
		return "", "", ""
	}
	delegated = "no"
	if pi.Delegated {
		delegated = "yes"
	}
	if pi.DirectRate != 0 {
		rate = pi.DirectRate.String()
	}
	return delegated, pi.TaxMethod, rate
}
