package printer

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"
)

// StampSheet is a run of square traceability stamps laid out on A4 sheets for
// a print shop: each stamp a QR of its Digital Link, the product's name, its
// OCOP stars and the serial in text, with crop marks at every corner.
type StampSheet struct {
	SizeMM int    // the stamp's side: 20, 25 or 30
	Name   string // the product's name, in Vietnamese
	Stars  int    // OCOP stars, 3 to 5
	Title  string // what the sheets' margin says about the run
	Count  int
	// Stamp gives the i-th stamp's Digital Link and serial (0-based). It is
	// called once per stamp, in order, so no stamp is held longer than it is
	// drawn.
	Stamp func(i int) (link, serial string, err error)
	// Created dates the file (a fixed date makes the bytes reproducible).
	Created time.Time
}

// Sheet geometry, in millimetres. The gutter leaves room for the crop marks
// of both neighbours; the marks stop short of the stamp so a cut a little off
// the line leaves no black edge on it.
const (
	a4W, a4H     = 210.0, 297.0
	sheetMargin  = 10.0
	stampGutter  = 4.0
	markOffset   = 0.5
	markLength   = 1.2
	markWidth    = 0.1
	stampPadding = 0.6
)

// StampGrid is how many stamps of a size fit a sheet.
func StampGrid(sizeMM int) (cols, rows int) {
	side := float64(sizeMM)
	cols = int((a4W - 2*sheetMargin + stampGutter) / (side + stampGutter))
	rows = int((a4H - 2*sheetMargin + stampGutter) / (side + stampGutter))
	return cols, rows
}

// StampPages is the number of A4 sheets a run of count stamps takes.
func StampPages(sizeMM, count int) int {
	cols, rows := StampGrid(sizeMM)
	per := cols * rows
	return (count + per - 1) / per
}

// StampPDF is a finished document of stamp sheets, ready to be written out.
type StampPDF struct{ pdf *fpdf.Fpdf }

// WriteTo writes the PDF.
func (p *StampPDF) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	err := p.pdf.Output(cw)
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// RenderStampSheets lays out the run. Each QR becomes a one-bit image of one
// pixel per module (about 150 bytes compressed) that the PDF scales to the
// stamp, so a QR is never held as a picture at print resolution and a
// 50,000-stamp run stays within tens of megabytes. The text is set in the
// kiosk's DejaVu Sans, embedded as a subset: every Vietnamese letter, capitals
// with two marks included, prints as itself.
func RenderStampSheets(sh StampSheet) (*StampPDF, error) {
	if sh.SizeMM < 15 || sh.SizeMM > 60 {
		return nil, fmt.Errorf("stamp sheet: size %d mm out of range", sh.SizeMM)
	}
	if sh.Count < 1 || sh.Stamp == nil {
		return nil, errors.New("stamp sheet: no stamps")
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetCreator("OCOP kiosk", true)
	pdf.SetTitle(sh.Title, true)
	if !sh.Created.IsZero() {
		pdf.SetCreationDate(sh.Created)
		pdf.SetModificationDate(sh.Created)
	}
	pdf.AddUTF8FontFromBytes("sans", "", sansTTF)
	pdf.AddUTF8FontFromBytes("sans", "B", sansBoldTTF)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("stamp sheet: font: %w", err)
	}

	side := float64(sh.SizeMM)
	cols, rows := StampGrid(sh.SizeMM)
	perPage := cols * rows
	pages := StampPages(sh.SizeMM, sh.Count)
	// Centre the grid on the sheet so the print shop's guillotine sees even
	// margins.
	gridW := float64(cols)*side + float64(cols-1)*stampGutter
	gridH := float64(rows)*side + float64(rows-1)*stampGutter
	x0, y0 := (a4W-gridW)/2, (a4H-gridH)/2

	// Three text lines under the QR; their height scales with the stamp.
	lineH := side * 0.1
	fontPt := lineH * 0.78 / 0.3528
	qrSide := side - 3*lineH - 2*stampPadding
	stars := strings.Repeat("★", max(0, min(sh.Stars, 5)))
	var qrFile bytes.Buffer
	var qr qrPNG
	for i := range sh.Count {
		if i%perPage == 0 {
			pdf.AddPage()
			page := i/perPage + 1
			pdf.SetFont("sans", "", 7)
			pdf.SetTextColor(0, 0, 0)
			pdf.Text(sheetMargin, y0-3, fmt.Sprintf("%s — %d/%d", sh.Title, page, pages))
			pdf.SetLineWidth(markWidth)
		}
		k := i % perPage
		x := x0 + float64(k%cols)*(side+stampGutter)
		y := y0 + float64(k/cols)*(side+stampGutter)
		link, serial, err := sh.Stamp(i)
		if err != nil {
			return nil, fmt.Errorf("stamp %d: %w", i, err)
		}
		qrFile.Reset()
		if err := qr.write(&qrFile, link); err != nil {
			return nil, fmt.Errorf("stamp %s: %w", serial, err)
		}
		name := "q" + serial
		opt := fpdf.ImageOptions{ImageType: "PNG"}
		pdf.RegisterImageOptionsReader(name, opt, &qrFile)
		pdf.ImageOptions(name, x+(side-qrSide)/2, y+stampPadding, qrSide, qrSide, false, opt, 0, "")

		ty := y + stampPadding + qrSide + lineH*0.8
		pdf.SetFont("sans", "", fontPt)
		centreText(pdf, x, side, ty, fitText(pdf, sh.Name, side-2*stampPadding))
		centreText(pdf, x, side, ty+lineH, "OCOP "+stars)
		pdf.SetFont("sans", "B", fontPt)
		centreText(pdf, x, side, ty+2*lineH, serial)
		cropMarks(pdf, x, y, side)
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("stamp %s: %w", serial, err)
		}
	}
	pdf.Close()
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("stamp sheet: %w", err)
	}
	return &StampPDF{pdf: pdf}, nil
}

func centreText(pdf *fpdf.Fpdf, x, w, y float64, s string) {
	pdf.Text(x+(w-pdf.GetStringWidth(s))/2, y, s)
}

// fitText cuts a name that is wider than the stamp, with an ellipsis.
func fitText(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// cropMarks draws the two short lines at each corner of a stamp, outside it.
func cropMarks(pdf *fpdf.Fpdf, x, y, side float64) {
	for _, cx := range []float64{x, x + side} {
		for _, cy := range []float64{y, y + side} {
			dx, dy := -1.0, -1.0
			if cx > x {
				dx = 1
			}
			if cy > y {
				dy = 1
			}
			pdf.Line(cx+dx*markOffset, cy, cx+dx*(markOffset+markLength), cy)
			pdf.Line(cx, cy+dy*markOffset, cx, cy+dy*(markOffset+markLength))
		}
	}
}

// qrPNG writes QR codes as PNG files of one bit and one pixel per module,
// the quiet zone included: grey, not paletted, so the PDF holds no palette
// object per stamp, and with one zlib writer reused for the whole run (a new
// one costs about a megabyte of allocation, fifty thousand times over).
type qrPNG struct {
	zw   *zlib.Writer
	rows bytes.Buffer
	idat bytes.Buffer
}

func (q *qrPNG) write(w *bytes.Buffer, s string) error {
	code, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr of %q: %w", s, err)
	}
	bm := code.Bitmap()
	n := len(bm)
	q.rows.Reset()
	for _, row := range bm {
		q.rows.WriteByte(0) // filter: none
		var b byte
		for x, dark := range row {
			if !dark { // grey 1 is white
				b |= 0x80 >> (x % 8)
			}
			if x%8 == 7 || x == n-1 {
				q.rows.WriteByte(b)
				b = 0
			}
		}
	}
	q.idat.Reset()
	if q.zw == nil {
		q.zw, _ = zlib.NewWriterLevel(&q.idat, zlib.DefaultCompression)
	} else {
		q.zw.Reset(&q.idat)
	}
	if _, err := q.zw.Write(q.rows.Bytes()); err != nil {
		return err
	}
	if err := q.zw.Close(); err != nil {
		return err
	}
	w.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(n))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(n))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, no filter, no interlace
	pngChunk(w, "IHDR", ihdr[:])
	pngChunk(w, "IDAT", q.idat.Bytes())
	pngChunk(w, "IEND", nil)
	return nil
}

func pngChunk(w *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	w.WriteString(kind)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
