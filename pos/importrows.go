package pos

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// MaxImportRecord bounds one record (row) of an import file in bytes. A real
// catalog row is a few hundred bytes, a page of description a few kilobytes;
// and a row is split into cells in memory, so a row of a megabyte of commas
// would cost tens of megabytes.
const MaxImportRecord = 64 << 10

// rowSource hands out a catalog file's records one at a time, each with the
// row number a spreadsheet shows for it (the header is row 1), so that a file
// is parsed as it is read and never held as rows. next returns io.EOF after
// the last record, and a RowError when the file breaks a limit or is not
// readable; the record it returns is only valid until the next call.
type rowSource interface {
	next() (rec []string, row int, err error)
}

// csvReadAhead is the buffer between the file and the CSV reader: how far the
// reader may have read past the record it returns.
const csvReadAhead = 4096

// csvRows reads CSV records. Empty lines, which encoding/csv skips, are not
// records, but they keep their row numbers (a spreadsheet shows them as empty
// rows) and count toward MaxImportRows. A byte-order mark, as Excel writes,
// is skipped.
type csvRows struct {
	cr      *csv.Reader
	guard   *guardReader
	prevEnd int // the line the previous record ended on
	row     int // the row of the previous record
}

func newCSVRows(r io.Reader) *csvRows {
	g := &guardReader{r: r}
	br := bufio.NewReaderSize(g, csvReadAhead)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br) // uses br as it is: no second buffer
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvRows{cr: cr, guard: g}
}

func (s *csvRows) next() ([]string, int, error) {
	s.guard.mark()
	rec, err := s.cr.Read()
	switch {
	case err == io.EOF:
		return nil, 0, io.EOF
	case errors.Is(err, errTooManyLines):
		return nil, 0, tooManyRows()
	case errors.Is(err, errRecordTooLong):
		return nil, 0, RowError{Row: s.prevEnd + 1, Message: fmt.Sprintf("a row longer than %d KiB: not a catalog file, or a cell lacks its closing quote", MaxImportRecord>>10)}
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, RowError{Row: pe.StartLine, Message: pe.Err.Error()}
		}
		return nil, 0, err
	}
	// Rows are lines, except that a quoted cell's line breaks stay in its row.
	start, _ := s.cr.FieldPos(0)
	last := len(rec) - 1
	end, _ := s.cr.FieldPos(last)
	end += strings.Count(rec[last], "\n")
	s.row += start - s.prevEnd
	s.guard.inner += end - start
	s.prevEnd = end
	if s.row > MaxImportRows+1 {
		return nil, 0, tooManyRows()
	}
	return rec, s.row, nil
}

func tooManyRows() RowError {
	return RowError{Row: MaxImportRows + 2, Message: fmt.Sprintf("more than %d rows below the header (empty lines count too); split the file", MaxImportRows)}
}

var (
	errTooManyLines  = errors.New("too many lines")
	errRecordTooLong = errors.New("record too long")
)

// guardReader stops a CSV file the moment it has more lines than an import
// may have rows, or a record runs longer than MaxImportRecord. encoding/csv
// skips empty lines and gathers a record's line (quoted line breaks included)
// before it returns anything, so without this a file of empty lines or one
// endless cell would be read whole, into memory, before any check could run.
type guardReader struct {
	r         io.Reader
	lines     int // line breaks read so far
	inner     int // those of them inside the quoted cells of records read
	sinceMark int // bytes read since the current record began, line breaks aside
	err       error
}

// mark starts a record. The bytes read ahead for the last one count toward
// this one, hence the csvReadAhead of slack in the check.
func (g *guardReader) mark() { g.sinceMark = 0 }

func (g *guardReader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	breaks := bytes.Count(p[:n], []byte{'\n'})
	g.lines += breaks
	// Line breaks count as rows, not as bytes of a record: a run of empty
	// lines is too many rows, not one long row.
	g.sinceMark += n - breaks - bytes.Count(p[:n], []byte{'\r'})
	switch {
	case g.lines-g.inner > MaxImportRows+1+csvReadAhead:
		// More rows than an import may have, empty lines included. The line
		// breaks read ahead of the parse may yet turn out to sit in a quoted
		// cell, hence the slack; csvRows.next checks each row exactly.
		g.err = errTooManyLines
	case g.sinceMark > MaxImportRecord+csvReadAhead:
		g.err = errRecordTooLong
	}
	if g.err != nil && err == nil {
		return n, nil // hand over what was read; the error comes next
	}
	return n, err
}

// sheetRows reads a workbook sheet's rows as excelize streams them from the
// sheet's XML, empty rows included (each row has its number).
type sheetRows struct {
	rows  *excelize.Rows
	sheet string
	row   int
}

func (s *sheetRows) next() ([]string, int, error) {
	if s.rows.Next() {
		s.row++
		if s.row > MaxImportRows+1 {
			return nil, 0, RowError{Row: s.row, Message: fmt.Sprintf("sheet %q has more than %d rows below the header", s.sheet, MaxImportRows)}
		}
		rec, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, 0, RowError{Row: s.row, Message: fmt.Sprintf("sheet %q: %v", s.sheet, err)}
		}
		size := 0
		for _, c := range rec {
			size += len(c)
		}
		if size > MaxImportRecord {
			return nil, 0, RowError{Row: s.row, Message: fmt.Sprintf("a row longer than %d KiB", MaxImportRecord>>10)}
		}
		return rec, s.row, nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, 0, RowError{Row: s.row + 1, Message: fmt.Sprintf("sheet %q: %v", s.sheet, err)}
	}
	return nil, 0, io.EOF
}
