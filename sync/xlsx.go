package sync

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A report workbook is written as it is made: the parts that list the sheets
// (content types, the workbook and its relationships, styles) first, in the
// order Excel writes them (tools that tell a workbook from a zip look for
// them there), then each sheet's rows straight into its compressed part of
// the zip. Nothing grows with the rows but the bytes sent. Text is inline (no
// shared strings table to hold), amounts are numbers formatted #,##0,
// headings bold.

// xlsxMaxRows is Excel's limit of rows on a sheet; a table longer than that
// goes on in a sheet of its own ("gaps (2)"), under the same heading.
var xlsxMaxRows = 1_048_576

// xlsxMaxText is the most characters Excel keeps in a cell.
const xlsxMaxText = 32_767

// Cell styles, as styles.xml below numbers them.
const (
	xlsxBold  = 1
	xlsxMoney = 2
)

// xlsxStream writes one workbook.
type xlsxStream struct {
	zw     *zip.Writer
	bw     *bufio.Writer // the open sheet's part
	sheets []string      // the sheets the workbook lists, in order
	opened int           // sheets started
	limit  int           // the sheets the tables so far may take
	row    int           // rows written on the open sheet
	cols   int
	head   []string
	cell   []byte
}

// xlsxSheets are the sheets a table of rows rows (its heading aside) takes:
// its name, then "name (2)" and on for the rows past a sheet's limit.
func xlsxSheets(name string, rows int) []string {
	per := xlsxMaxRows - 1 // the heading takes a row of each
	out := []string{xlsxSheetName(name)}
	for i := 2; rows > per; i++ {
		out = append(out, xlsxSheetName(fmt.Sprintf("%s (%d)", name, i)))
		rows -= per
	}
	return out
}

// newXLSXStream starts a workbook of these sheets (xlsxSheets of each table,
// in order), writing the parts that list them.
func newXLSXStream(w io.Writer, sheets []string) (*xlsxStream, error) {
	if len(sheets) == 0 {
		sheets = []string{"Sheet1"} // a workbook has a sheet
	}
	x := &xlsxStream{zw: zip.NewWriter(w), sheets: sheets}
	return x, x.writeIndex()
}

// sheet starts the next table, which takes sheets sheets (as listed), with
// its heading row.
func (x *xlsxStream) sheet(head []string, sheets int) error {
	if err := x.pad(); err != nil {
		return err
	}
	x.head, x.limit = head, x.limit+sheets
	return x.startPart()
}

// pad ends the open sheet and writes, under the heading, the sheets listed
// for the table that it did not fill.
func (x *xlsxStream) pad() error {
	if err := x.endPart(); err != nil {
		return err
	}
	for x.opened < x.limit {
		if err := x.startPart(); err != nil {
			return err
		}
		if err := x.endPart(); err != nil {
			return err
		}
	}
	return nil
}

// startPart opens the next sheet and writes the heading.
func (x *xlsxStream) startPart() error {
	if x.opened >= x.limit || x.opened >= len(x.sheets) {
		return fmt.Errorf("workbook: a table has more rows than its %d sheets listed", x.limit)
	}
	x.opened++
	fw, err := x.zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", x.opened))
	if err != nil {
		return err
	}
	x.bw = bufio.NewWriterSize(fw, 64<<10)
	x.row, x.cols = 0, len(x.head)
	x.bw.WriteString(xml.Header + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	x.bw.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	if x.cols > 0 {
		fmt.Fprintf(x.bw, `<cols><col min="1" max="%d" width="16" customWidth="1"/></cols>`, x.cols)
	}
	x.bw.WriteString(`<sheetData>`)
	head := make([]any, len(x.head))
	for i, h := range x.head {
		head[i] = h
	}
	return x.writeRow(head, xlsxBold)
}

// add writes one row of cells: string, int, int64, uint64, pos.Money or
// time.Time (as text in Vietnam time, as the pages show it).
func (x *xlsxStream) add(cells []any) error {
	if x.row >= xlsxMaxRows {
		if err := x.endPart(); err != nil {
			return err
		}
		if err := x.startPart(); err != nil {
			return err
		}
	}
	return x.writeRow(cells, 0)
}

func (x *xlsxStream) writeRow(cells []any, style int) error {
	x.row++
	r := strconv.Itoa(x.row)
	b := x.cell[:0]
	b = append(b, `<row r="`...)
	b = append(b, r...)
	b = append(b, `">`...)
	for i, v := range cells {
		switch c := v.(type) {
		case nil:
			continue
		case string:
			b = xlsxText(xlsxCell(b, i, r, style), c)
		case time.Time:
			if c.IsZero() {
				continue
			}
			b = xlsxText(xlsxCell(b, i, r, style), c.In(pos.VietnamTime).Format(time.DateTime))
		case pos.Money:
			b = xlsxNumber(xlsxCell(b, i, r, xlsxMoney), int64(c))
		case int:
			b = xlsxNumber(xlsxCell(b, i, r, style), int64(c))
		case int64:
			b = xlsxNumber(xlsxCell(b, i, r, style), c)
		case uint64:
			b = strconv.AppendUint(append(xlsxCell(b, i, r, style), `><v>`...), c, 10)
			b = append(b, `</v></c>`...)
		default:
			b = xlsxText(xlsxCell(b, i, r, style), fmt.Sprint(c))
		}
	}
	b = append(b, `</row>`...)
	x.cell = b
	_, err := x.bw.Write(b)
	return err
}

// xlsxCell opens the cell of column col (from 0) on row row, with its style
// (0 none); the value follows.
func xlsxCell(b []byte, col int, row string, style int) []byte {
	b = append(b, `<c r="`...)
	b = append(b, xlsxColumn(col)...)
	b = append(b, row...)
	b = append(b, '"')
	if style != 0 {
		b = append(b, ` s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
		b = append(b, '"')
	}
	return b
}

func xlsxNumber(b []byte, v int64) []byte {
	b = strconv.AppendInt(append(b, `><v>`...), v, 10)
	return append(b, `</v></c>`...)
}

// xlsxText ends a cell with text, inline. Text that is not XML (control
// characters) is written as U+FFFD by xml.EscapeText; text past what a cell
// holds is cut.
func xlsxText(b []byte, s string) []byte {
	if len(s) > xlsxMaxText && utf8.RuneCountInString(s) > xlsxMaxText {
		s = string([]rune(s)[:xlsxMaxText])
	}
	w := appendWriter{b: append(b, ` t="inlineStr"><is><t xml:space="preserve">`...)}
	_ = xml.EscapeText(&w, []byte(s))
	return append(w.b, `</t></is></c>`...)
}

// appendWriter is an io.Writer that appends to b.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// xlsxColumn is a column's letters: 0 → A, 25 → Z, 26 → AA.
func xlsxColumn(i int) string {
	var b [4]byte
	n := len(b)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		b[n] = byte('A' + (i-1)%26)
	}
	return string(b[n:])
}

// xlsxSheetName is a name Excel takes: at most 31 characters, none of : \ / ? * [ ].
func xlsxSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 31 {
		s = string([]rune(s)[:31])
	}
	return s
}

func (x *xlsxStream) endPart() error {
	if x.bw == nil {
		return nil
	}
	x.bw.WriteString(`</sheetData></worksheet>`)
	err := x.bw.Flush()
	x.bw = nil
	return err
}

// close ends the last sheet and writes the zip's directory.
func (x *xlsxStream) close() error {
	x.limit = len(x.sheets) // every sheet listed is written
	if err := x.pad(); err != nil {
		return err
	}
	return x.zw.Close()
}

// writeIndex writes the parts that list the sheets, before them.
func (x *xlsxStream) writeIndex() error {
	var ct, rels, wb strings.Builder
	ct.WriteString(xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	rels.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	wb.WriteString(xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	for i, name := range x.sheets {
		n := i + 1
		fmt.Fprintf(&ct, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		wb.WriteString(`<sheet name="`)
		_ = xml.EscapeText(&wb, []byte(name))
		fmt.Fprintf(&wb, `" sheetId="%d" r:id="rId%d"/>`, n, n)
	}
	ct.WriteString(`</Types>`)
	fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, len(x.sheets)+1)
	wb.WriteString(`</sheets></workbook>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", ct.String()},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", wb.String()},
		{"xl/_rels/workbook.xml.rels", rels.String()},
		{"xl/styles.xml", xlsxStyles},
	}
	for _, p := range parts {
		fw, err := x.zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, p.body); err != nil {
			return err
		}
	}
	return nil
}

// xlsxStyles: cell style 0 plain, 1 bold (headings), 2 #,##0 (amounts).
const xlsxStyles = xml.Header + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`
