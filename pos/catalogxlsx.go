package pos

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits that keep a hostile workbook (a zip bomb) from exhausting the kiosk.
const (
	maxXLSXUnzipped = 64 << 20
	maxXLSXSheetXML = 32 << 20
)

// ParseCatalogXLSX reads a workbook. With kind set, it reads the sheet named for it
// (producers, products or lots) or else the first sheet. With kind empty, it reads
// every sheet named producers, products or lots, so a whole catalog can come in
// one file and land in one transaction. Cells are read raw: numbers as typed,
// dates as Excel serial numbers or YYYY-MM-DD text.
func ParseCatalogXLSX(kind string, r io.Reader) (Catalog, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true, UnzipSizeLimit: maxXLSXUnzipped, UnzipXMLSizeLimit: maxXLSXSheetXML})
	if err != nil {
		return Catalog{}, &ImportError{Kind: "xlsx", Rows: []RowError{{Message: "not a readable .xlsx workbook: " + err.Error()}}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	find := func(name string) string {
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), name) {
				return s
			}
		}
		return ""
	}
	var want []string
	switch kind {
	case FileProducers, FileProducts, FileLots:
		want = []string{kind}
	case "":
		for _, k := range []string{FileProducers, FileProducts, FileLots} {
			if find(k) != "" {
				want = append(want, k)
			}
		}
		if len(want) == 0 {
			return Catalog{}, &ImportError{Kind: "xlsx", Rows: []RowError{{Message: "no sheet named producers, products or lots; name the sheets, or say which kind the first sheet is"}}}
		}
	default:
		return Catalog{}, fmt.Errorf("catalog file kind %q, want producers, products or lots", kind)
	}
	var all Catalog
	for _, k := range want {
		sheet := find(k)
		if sheet == "" {
			sheet = sheets[0]
		}
		rows, err := f.Rows(sheet) // streams the sheet's XML row by row
		if err != nil {
			return Catalog{}, &ImportError{Kind: k, Rows: []RowError{{Message: fmt.Sprintf("sheet %q: %v", sheet, err)}}}
		}
		c, err := parseCatalog(k, &sheetRows{rows: rows, sheet: sheet})
		rows.Close()
		if err != nil {
			return Catalog{}, err
		}
		all.merge(c)
	}
	return all, nil
}

// parseCatalog reads one kind of catalog file from src.
func parseCatalog(kind string, src rowSource) (Catalog, error) {
	var c Catalog
	switch kind {
	case FileProducers:
		ps, err := parseProducers(src)
		c.Producers = ps
		return c, err
	case FileProducts:
		pr, err := parseProducts(src)
		c.Products, c.StockGiven, c.ProductRows = pr.Products, pr.StockGiven, pr.Rows
		return c, err
	case FileLots:
		lr, err := parseLots(src)
		c.Lots, c.LotRows = lr.Lots, lr.Rows
		return c, err
	}
	return c, errors.New("unknown catalog kind " + kind)
}

// merge appends o's records to c.
func (c *Catalog) merge(o Catalog) {
	c.Producers = append(c.Producers, o.Producers...)
	c.Products = append(c.Products, o.Products...)
	c.StockGiven = append(c.StockGiven, o.StockGiven...)
	c.ProductRows = append(c.ProductRows, o.ProductRows...)
	c.Lots = append(c.Lots, o.Lots...)
	c.LotRows = append(c.LotRows, o.LotRows...)
}

// WriteCatalogXLSX writes the store's whole catalog as one workbook with the
// sheets producers, products and lots, in the import format.
func (s *Store) WriteCatalogXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, kind := range []string{FileProducers, FileProducts, FileLots} {
		var sb strings.Builder
		if err := s.ExportCSV(kind, &sb); err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", kind); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(kind); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(kind)
		if err != nil {
			return err
		}
		src := newCSVRows(strings.NewReader(sb.String()))
		for {
			rec, row, err := src.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("export %s: %w", kind, err)
			}
			cells := make([]any, len(rec))
			for j, v := range rec {
				// Text, so GTINs keep their leading zeros; a workbook's text
				// cell is never a formula, so it holds the text without the
				// CSV's apostrophe.
				cells[j] = FromSpreadsheetText(v)
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}
