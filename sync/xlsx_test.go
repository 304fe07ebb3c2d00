package sync

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// openWorkbook reads a workbook the hub wrote, as Excel's files are read.
func openWorkbook(t *testing.T, tables ...reportTable) *excelize.File {
	t.Helper()
	var b bytes.Buffer
	if err := writeReportXLSX(&b, tables); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestAReportWorkbookHoldsEachTableAsASheetWithItsCellsTyped(t *testing.T) {
	sold := time.Date(2026, 11, 20, 1, 55, 0, 0, time.UTC)
	gaps := reportTable{name: "gaps", cols: []reportCol{{key: "kiosk_id"}, {key: "receipt"}, {key: "total"}, {key: "time"}, {key: "count"}, {key: "note"}},
		rows: rowsOf([]int{1, 2}, func(i int) []any {
			return []any{"K01", fmt.Sprintf("K01-%06d", i), pos.Money(1_250_000 * i), sold, uint64(i), "=SUM(A1) <b>&\x01" + strings.Repeat("ạ", 40_000*(i-1))}
		})}
	empty := reportTable{name: "price_diffs", cols: []reportCol{{key: "sku"}}}
	f := openWorkbook(t, gaps, empty)
	if got := f.GetSheetList(); fmt.Sprint(got) != "[gaps price_diffs]" {
		t.Fatalf("sheets %v, want gaps and price_diffs", got)
	}
	cell := func(sheet, ref string, raw bool) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: raw})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for ref, want := range map[string]string{"A1": "kiosk_id", "F1": "note", "B2": "K01-000001", "D2": "2026-11-20 08:55:00", "E3": "2"} {
		if got := cell("gaps", ref, false); got != want {
			t.Errorf("%s is %q, want %q", ref, got, want)
		}
	}
	// Amounts are numbers shown #,##0; the rest of a row is text or a count.
	if got, shown := cell("gaps", "C3", true), cell("gaps", "C3", false); got != "2500000" || shown != "2,500,000" {
		t.Errorf("an amount is %q shown as %q, want the number 2500000 shown 2,500,000", got, shown)
	}
	for ref, want := range map[string]excelize.CellType{"C2": excelize.CellTypeUnset, "B2": excelize.CellTypeInlineString, "E2": excelize.CellTypeUnset} {
		if got, _ := f.GetCellType("gaps", ref); got != want {
			t.Errorf("%s is of type %v, want %v", ref, got, want)
		}
	}
	// Headings are bold.
	style, _ := f.GetCellStyle("gaps", "A1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("the heading's style %+v (%v), want bold", s, err)
	}
	// Text stays text, whatever it looks like; a control character does not
	// break the file; text longer than a cell holds is cut at the limit.
	if got := cell("gaps", "F2", false); got != "=SUM(A1) <b>&\uFFFD" {
		t.Errorf("text cell %q", got)
	}
	if formula, _ := f.GetCellFormula("gaps", "F2"); formula != "" {
		t.Errorf("text became the formula %q", formula)
	}
	if got := cell("gaps", "F3", false); len([]rune(got)) != xlsxMaxText {
		t.Errorf("a long text kept %d characters, want %d", len([]rune(got)), xlsxMaxText)
	}
	if rows, _ := f.GetRows("price_diffs"); len(rows) != 1 || rows[0][0] != "sku" {
		t.Errorf("an empty table's sheet: %v, want its heading only", rows)
	}
}

// A table longer than a sheet holds goes on on a second sheet, under the
// same heading, every row once and in order.
func TestAReportTableLongerThanASheetGoesOnOnTheNext(t *testing.T) {
	old := xlsxMaxRows
	xlsxMaxRows = 4 // the heading and three rows a sheet
	t.Cleanup(func() { xlsxMaxRows = old })
	n := 8
	long := reportTable{name: "units_sold", cols: []reportCol{{key: "n"}},
		rows: func(yield func([]any) bool) {
			for i := range n {
				if !yield([]any{i + 1}) {
					return
				}
			}
		}}
	f := openWorkbook(t, long, reportTable{name: "after", cols: []reportCol{{key: "x"}}})
	if got := f.GetSheetList(); fmt.Sprint(got) != "[units_sold units_sold (2) units_sold (3) after]" {
		t.Fatalf("sheets %v", got)
	}
	var seen []string
	for _, s := range f.GetSheetList()[:3] {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 || rows[0][0] != "n" {
			t.Fatalf("sheet %s has no heading: %v", s, rows)
		}
		for _, r := range rows[1:] {
			seen = append(seen, r[0])
		}
	}
	if fmt.Sprint(seen) != "[1 2 3 4 5 6 7 8]" {
		t.Errorf("the rows across the sheets: %v", seen)
	}
}

func TestXLSXColumnLetters(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := xlsxColumn(i); got != want {
			t.Errorf("column %d is %s, want %s", i, got, want)
		}
	}
}

// The parts that say what the file is come first, as Excel writes them:
// tools that tell a workbook from a plain zip (file(1), upload checks) read
// the first entries only.
func TestAReportWorkbookBeginsAsExcelsDo(t *testing.T) {
	var b bytes.Buffer
	if err := writeReportXLSX(&b, []reportTable{bigTable(10)}); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	if len(names) < 4 || names[0] != "[Content_Types].xml" || names[1] != "_rels/.rels" || !strings.HasPrefix(names[2], "xl/") {
		t.Errorf("the workbook's parts in order: %v", names)
	}
	// And file(1) itself says so, where it is installed.
	if _, err := exec.LookPath("file"); err == nil {
		path := filepath.Join(t.TempDir(), "report.xlsx")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("file", "-b", "--mime-type", path).Output()
		if err != nil || strings.TrimSpace(string(out)) != reportXLSXType {
			t.Errorf("file(1) takes the workbook for %q (%v)", out, err)
		}
	}
}

// A table whose rows run short of what was counted, or long, still makes a
// workbook that opens, or an error: never a workbook listing a sheet it lacks.
func TestAWorkbookWriterKeepsToTheSheetsItListed(t *testing.T) {
	var b bytes.Buffer
	x, err := newXLSXStream(&b, []string{"a", "a (2)", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.sheet([]string{"n"}, 2); err != nil {
		t.Fatal(err)
	}
	if err := x.add([]any{1}); err != nil {
		t.Fatal(err)
	}
	if err := x.sheet([]string{"m"}, 1); err != nil {
		t.Fatal(err)
	}
	if err := x.close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for sheet, want := range map[string]string{"a": "[[n] [1]]", "a (2)": "[[n]]", "b": "[[m]]"} {
		if rows, err := f.GetRows(sheet); err != nil || fmt.Sprint(rows) != want {
			t.Errorf("sheet %s: %v %v, want %s", sheet, rows, err, want)
		}
	}
	old := xlsxMaxRows
	xlsxMaxRows = 2
	t.Cleanup(func() { xlsxMaxRows = old })
	x, _ = newXLSXStream(io.Discard, []string{"a"})
	_ = x.sheet([]string{"n"}, 1)
	_ = x.add([]any{1})
	if err := x.add([]any{2}); err == nil {
		t.Error("a table longer than its sheets listed was written")
	}
}
