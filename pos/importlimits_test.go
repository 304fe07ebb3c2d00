package pos

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// hostileFile is a catalog file made up as it is read: a head, then body
// repeated up to size bytes, so that the test holds none of it in memory.
type hostileFile struct {
	head []byte
	body []byte
	size int64
	read int64 // bytes handed out so far
}

func (h *hostileFile) Read(p []byte) (int, error) {
	if h.read >= h.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && h.read < h.size {
		var b byte
		if h.read < int64(len(h.head)) {
			b = h.head[h.read]
		} else {
			b = h.body[(h.read-int64(len(h.head)))%int64(len(h.body))]
		}
		p[n] = b
		n++
		h.read++
	}
	return n, nil
}

const hostileSize = 32 << 20 // the kiosk's import body limit

// hostileFiles are 32 MB catalog files that once drove a kiosk to gigabytes.
func hostileFiles(t testing.TB) []struct {
	name    string
	file    func() *hostileFile
	row     int
	message string
} {
	header := []byte(strings.Join(ProductColumns, ",") + "\n")
	badRow := []byte(productRow(t, map[string]string{"stars": "6"}) + "\n")
	return []struct {
		name    string
		file    func() *hostileFile
		row     int
		message string
	}{
		{"blank lines", func() *hostileFile { return &hostileFile{head: header, body: []byte("\n"), size: hostileSize} },
			MaxImportRows + 2, "more than 200000 rows"},
		{"blank lines written by Windows", func() *hostileFile { return &hostileFile{head: header, body: []byte("\r\n"), size: hostileSize} },
			MaxImportRows + 2, "more than 200000 rows"},
		{"rows of empty cells", func() *hostileFile { return &hostileFile{head: header, body: []byte(",,,,,,\n"), size: hostileSize} },
			MaxImportRows + 2, "more than 200000 rows"},
		{"one giant cell", func() *hostileFile { return &hostileFile{head: header, body: []byte("a"), size: hostileSize} },
			2, "longer than 64 KiB"},
		{"one giant quoted cell", func() *hostileFile {
			return &hostileFile{head: append(append([]byte(nil), header...), '"'), body: []byte("ab,c"), size: hostileSize}
		}, 2, "longer than 64 KiB"},
		{"one quoted cell of line breaks", func() *hostileFile {
			return &hostileFile{head: append(append([]byte(nil), header...), '"'), body: []byte("\n"), size: hostileSize}
		}, MaxImportRows + 2, "more than 200000 rows"},
		{"a giant header", func() *hostileFile { return &hostileFile{body: []byte("sku,"), size: hostileSize} },
			1, "longer than 64 KiB"},
		{"a row of commas", func() *hostileFile { return &hostileFile{head: header, body: []byte(","), size: hostileSize} },
			2, "longer than 64 KiB"},
		{"bad rows without end", func() *hostileFile { return &hostileFile{head: header, body: badRow, size: hostileSize} },
			0, "stars"}, // the parse stops after MaxImportErrors, wherever they are
	}
}

// A hostile catalog file is refused after reading as little of it as the
// limit needs, holding a few megabytes at most, with the row where it broke
// the limit.
func TestHostileCatalogFilesAreRefusedEarlyInBoundedMemory(t *testing.T) {
	const maxAlloc = 16 << 20
	for _, tt := range hostileFiles(t) {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.file()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ParseCatalogCSV(FileProducts, f)
			runtime.ReadMemStats(&after)
			ie := importError(t, err)
			last := ie.Rows[len(ie.Rows)-1]
			switch {
			case tt.row == 0 && (!ie.Truncated || len(ie.Rows) != MaxImportErrors):
				t.Errorf("%d errors, truncated %v; want the parse to stop after %d", len(ie.Rows), ie.Truncated, MaxImportErrors)
			case tt.row != 0 && last.Row != tt.row, !strings.Contains(last.Error(), tt.message):
				t.Errorf("last error %+v, want one on row %d saying %q", last, tt.row, tt.message)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
				t.Errorf("parsing allocated %.1f MB, budget %d MB", float64(alloc)/(1<<20), maxAlloc>>20)
			}
			if f.read > 2<<20 {
				t.Errorf("read %.1f MB of the file before refusing it", float64(f.read)/(1<<20))
			}
			t.Logf("read %d KB, %d error rows", f.read>>10, len(ie.Rows))
		})
	}
}

func TestTooManyBadRowsStopTheParseAndSaySo(t *testing.T) {
	bad := productRow(t, map[string]string{"stars": "6"})
	var lines []string
	for range MaxImportErrors + 50 {
		lines = append(lines, bad)
	}
	_, err := ParseProductsCSV(strings.NewReader(productsFile(lines...)))
	ie := importError(t, err)
	if len(ie.Rows) != MaxImportErrors || !ie.Truncated {
		t.Fatalf("%d rows reported, truncated %v; want %d and true", len(ie.Rows), ie.Truncated, MaxImportErrors)
	}
	if !strings.Contains(ie.Error(), "stopped after 100 bad rows") {
		t.Errorf("Error() = %q does not say the parse stopped", ie.Error())
	}
}

func TestAFileOfExactlyTheRowLimitImports(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(strings.Join(LotColumns, ",") + "\n")
	for i := range MaxImportRows {
		fmt.Fprintf(&b, "CM-MO-500,L%07d,,,,,,1\n", i)
	}
	lr, err := ParseLotsCSV(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("%d rows: %v", MaxImportRows, err)
	}
	if len(lr.Lots) != MaxImportRows || lr.Rows[len(lr.Rows)-1] != MaxImportRows+1 {
		t.Fatalf("%d lots, last on row %d", len(lr.Lots), lr.Rows[len(lr.Rows)-1])
	}
	b.WriteString("CM-MO-500,LAST,,,,,,1\n")
	_, err = ParseLotsCSV(bytes.NewReader(b.Bytes()))
	ie := importError(t, err)
	if ie.Rows[0].Row != MaxImportRows+2 {
		t.Fatalf("one row too many: %+v", ie.Rows)
	}
}

// BenchmarkParseHostileCatalog reports what refusing each hostile 32 MB file
// costs: bytes allocated and bytes of the file read.
func BenchmarkParseHostileCatalog(b *testing.B) {
	for _, tt := range hostileFiles(b) {
		b.Run(strings.ReplaceAll(tt.name, " ", "-"), func(b *testing.B) {
			var alloc, read uint64
			for b.Loop() {
				f := tt.file()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				if _, err := ParseCatalogCSV(FileProducts, f); err == nil {
					b.Fatal("a hostile file imported")
				}
				runtime.ReadMemStats(&after)
				alloc += after.TotalAlloc - before.TotalAlloc
				read += uint64(f.read)
			}
			b.ReportMetric(float64(alloc)/float64(b.N)/(1<<20), "MB-alloc/op")
			b.ReportMetric(float64(read)/float64(b.N)/(1<<20), "MB-read/op")
		})
	}
}

// A workbook is read row by row from its sheet as well: one with more rows
// than an import may have is refused at the first row too many, and the rows
// of a good one keep their numbers, empty rows included.
func TestWorkbookRowsAreNumberedAndLimitedAsInCSV(t *testing.T) {
	book := func(rows int, gap bool) *bytes.Buffer {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", FileLots); err != nil {
			t.Fatal(err)
		}
		sw, err := f.NewStreamWriter(FileLots)
		if err != nil {
			t.Fatal(err)
		}
		if err := sw.SetRow("A1", []any{"sku", "lot"}); err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			row := i + 2
			if gap && i > 0 {
				row++ // an empty row between the first lot and the others
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			lot := fmt.Sprintf("L%07d", i)
			if gap && i == 1 {
				lot = "BAD LOT" // its row number must count the empty row
			}
			if err := sw.SetRow(cell, []any{"CM-MO-500", lot}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return &b
	}
	_, err := ParseCatalogXLSX(FileLots, book(3, true))
	if ie := importError(t, err); len(ie.Rows) != 1 || ie.Rows[0].Row != 4 {
		t.Fatalf("a bad lot after an empty row: %+v, want row 4", ie.Rows)
	}
	_, err = ParseCatalogXLSX(FileLots, book(MaxImportRows+5, false))
	ie := importError(t, err)
	if last := ie.Rows[len(ie.Rows)-1]; last.Row != MaxImportRows+2 || !strings.Contains(last.Message, "more than 200000 rows") {
		t.Fatalf("a sheet of %d rows: %+v", MaxImportRows+5, ie.Rows)
	}
}
