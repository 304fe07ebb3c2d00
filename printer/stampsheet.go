package printer

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"strings"

	"github.com/skip2/go-qrcode"
	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
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
	// called once per stamp, in order, from a goroutine of the run's own at
	// most a few dozen stamps ahead of the drawing, and never after
	// WriteStampSheets has returned.
	Stamp func(i int) (link, serial string, err error)
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
	ptPerMM      = 72 / 25.4
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

// CheckStampSheet says whether a run can be laid out at all, before anything
// is written.
func CheckStampSheet(sh StampSheet) error {
	if sh.SizeMM < 15 || sh.SizeMM > 60 {
		return fmt.Errorf("stamp sheet: size %d mm out of range", sh.SizeMM)
	}
	if sh.Count < 1 || sh.Stamp == nil {
		return errors.New("stamp sheet: no stamps")
	}
	return nil
}

// WriteStampSheets lays out the run and writes its PDF to w as it goes, and
// answers the bytes written. The renderer (github.com/tdewolff/canvas) writes
// each object of the document to w as soon as it is complete, a sheet's
// content when the next sheet starts, so what a run holds is one sheet's
// drawing, the fonts' glyphs in use and the file's cross-reference offsets:
// the memory a run takes does not grow with its stamps (see
// BenchmarkStampSheets50000). The text is set in the kiosk's DejaVu Sans,
// embedded as a subset: every Vietnamese letter, capitals with two marks
// included, prints as itself.
//
// A stamp whose link cannot be made stops the run with an error naming it;
// what was written before it is then a cut-off file.
func WriteStampSheets(w io.Writer, sh StampSheet) (int64, error) {
	if err := CheckStampSheet(sh); err != nil {
		return 0, err
	}
	l, err := newStampLayout(sh)
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: w}
	doc := pdf.New(noInterpolation{cw}, a4W, a4H, &pdf.Options{Compress: true, SubsetFonts: true, ImageEncoding: canvas.Lossless})
	doc.SetInfo(sh.Title, "", "", "", "OCOP kiosk")

	cols, rows := StampGrid(sh.SizeMM)
	perPage := cols * rows
	pages := StampPages(sh.SizeMM, sh.Count)
	// The QRs are encoded a few stamps ahead on another goroutine: encoding
	// is a third of a stamp's time, and a kiosk has two cores or more.
	const ahead = 32
	stamps := make(chan encodedStamp, ahead)
	free := make(chan *qrBitmap, ahead+2)
	for range ahead + 2 {
		free <- &qrBitmap{}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		encodeStamps(sh, stamps, free, stop)
	}()
	// However the run ends, no link is asked for once it has.
	defer func() { close(stop); <-done }()
	for i := range sh.Count {
		if i%perPage == 0 {
			if i > 0 {
				doc.NewPage(a4W, a4H)
			}
			page := i/perPage + 1
			l.text(doc, l.margin, fmt.Sprintf("%s — %d/%d", sh.Title, page, pages), sheetMargin, l.y0-3, false)
		}
		st := <-stamps
		if st.err != nil {
			return cw.n, st.err
		}
		k := i % perPage
		x := l.x0 + float64(k%cols)*(l.side+stampGutter)
		y := l.y0 + float64(k/cols)*(l.side+stampGutter) // from the sheet's top
		l.stamp(doc, st, x, y)
		free <- st.qr.src
		if cw.err != nil {
			return cw.n, fmt.Errorf("stamp sheet: %w", cw.err)
		}
	}
	if err := doc.Close(); err != nil {
		return cw.n, fmt.Errorf("stamp sheet: %w", err)
	}
	return cw.n, cw.err
}

// encodedStamp is one stamp's serial and QR, or why it has none.
type encodedStamp struct {
	serial string
	qr     qrImage
	err    error
}

// encodeStamps asks for each stamp's link in order and sends its QR,
// until the run is done, a stamp fails or stop closes.
func encodeStamps(sh StampSheet, out chan<- encodedStamp, free chan *qrBitmap, stop <-chan struct{}) {
	for i := range sh.Count {
		var st encodedStamp
		link, serial, err := sh.Stamp(i)
		if err != nil {
			st.err = fmt.Errorf("stamp %d: %w", i, err)
		} else {
			var bm *qrBitmap
			select {
			case bm = <-free:
			case <-stop:
				return
			}
			st.serial, st.qr = serial, qrImage{i: i, src: bm}
			if err := bm.set(link); err != nil {
				st.err = fmt.Errorf("stamp %s: %w", serial, err)
			}
		}
		select {
		case out <- st:
		case <-stop:
			return
		}
		if st.err != nil {
			return
		}
	}
}

// stampLayout is what every stamp of a run shares: its geometry, its faces
// and the text that is the same on each.
type stampLayout struct {
	side, x0, y0 float64
	lineH        float64
	qrSide       float64
	margin       *canvas.FontFace
	regular      *canvas.FontFace
	bold         *canvas.FontFace
	name, stars  *canvas.Text
	nameX, starX float64
	marks        *canvas.Path
	markStyle    canvas.Style
}

func newStampLayout(sh StampSheet) (*stampLayout, error) {
	sans, err := canvas.LoadFont(sansTTF, 0, canvas.FontRegular)
	if err != nil {
		return nil, fmt.Errorf("stamp sheet: font: %w", err)
	}
	sansBold, err := canvas.LoadFont(sansBoldTTF, 0, canvas.FontBold)
	if err != nil {
		return nil, fmt.Errorf("stamp sheet: bold font: %w", err)
	}
	l := &stampLayout{side: float64(sh.SizeMM)}
	cols, rows := StampGrid(sh.SizeMM)
	// Centre the grid on the sheet so the print shop's guillotine sees even
	// margins.
	gridW := float64(cols)*l.side + float64(cols-1)*stampGutter
	gridH := float64(rows)*l.side + float64(rows-1)*stampGutter
	l.x0, l.y0 = (a4W-gridW)/2, (a4H-gridH)/2
	// Three text lines under the QR; their height scales with the stamp.
	l.lineH = l.side * 0.1
	fontPt := l.lineH * 0.78 * ptPerMM
	l.qrSide = l.side - 3*l.lineH - 2*stampPadding
	black := canvas.Paint{Color: canvas.Black}
	l.margin = sans.Face(7, black)
	l.regular = sans.Face(fontPt, black)
	l.bold = sansBold.Face(fontPt, black)

	// The name and the stars are the same on every stamp: shaped once.
	name := fitText(l.regular, sh.Name, l.side-2*stampPadding)
	l.name = canvas.NewTextLine(l.regular, name, canvas.Left)
	l.nameX = (l.side - l.regular.TextWidth(name)) / 2
	stars := "OCOP " + strings.Repeat("★", max(0, min(sh.Stars, 5)))
	l.stars = canvas.NewTextLine(l.regular, stars, canvas.Left)
	l.starX = (l.side - l.regular.TextWidth(stars)) / 2

	// The crop marks: two short lines at each corner of a stamp, outside
	// it, drawn relative to the stamp's top left corner.
	l.marks = &canvas.Path{}
	for _, cx := range []float64{0, l.side} {
		for _, cy := range []float64{0, l.side} {
			dx, dy := -1.0, -1.0
			if cx > 0 {
				dx = 1
			}
			if cy > 0 {
				dy = 1
			}
			l.marks.MoveTo(cx+dx*markOffset, -cy)
			l.marks.LineTo(cx+dx*(markOffset+markLength), -cy)
			l.marks.MoveTo(cx, -(cy + dy*markOffset))
			l.marks.LineTo(cx, -(cy + dy*(markOffset+markLength)))
		}
	}
	l.markStyle = canvas.DefaultStyle
	l.markStyle.Fill = canvas.Paint{}
	l.markStyle.Stroke = black
	l.markStyle.StrokeWidth = markWidth
	return l, nil
}

// at is the renderer's matrix for a point given from the sheet's top left
// corner (the renderer's origin is the bottom left).
func at(x, y float64) canvas.Matrix { return canvas.Identity.Translate(x, a4H-y) }

// text sets one line with its baseline at (x, y) from the sheet's top.
func (l *stampLayout) text(doc *pdf.PDF, face *canvas.FontFace, s string, x, y float64, centre bool) {
	if centre {
		x -= face.TextWidth(s) / 2
	}
	doc.RenderText(canvas.NewTextLine(face, s, canvas.Left), at(x, y))
}

// stamp draws one stamp whose top left corner is (x, y) from the sheet's top.
func (l *stampLayout) stamp(doc *pdf.PDF, st encodedStamp, x, y float64) {
	qx, qy := x+(l.side-l.qrSide)/2, y+stampPadding
	m := l.qrSide / float64(st.qr.src.n)
	// The image's pixels are QR modules: scale them to the QR's side, its
	// first row at the top.
	doc.RenderImage(st.qr, at(qx, qy+l.qrSide).Scale(m, m))
	ty := qy + l.qrSide + l.lineH*0.8
	doc.RenderText(l.name, at(x+l.nameX, ty))
	doc.RenderText(l.stars, at(x+l.starX, ty+l.lineH))
	l.text(doc, l.bold, st.serial, x+l.side/2, ty+2*l.lineH, true)
	doc.RenderPath(l.marks, l.markStyle, at(x, y))
}

// fitText cuts a name that is wider than the stamp, with an ellipsis.
func fitText(face *canvas.FontFace, s string, w float64) string {
	if face.TextWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && face.TextWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// qrImage is one stamp's QR as an image of one pixel per module, the quiet
// zone included. The renderer keeps an index of the images it has embedded,
// keyed by the image itself, to embed a repeated one once; so the image is a
// small comparable value (the stamp's number and one of the run's few
// bitmaps, filled again for a later stamp once this one is drawn) rather than
// a bitmap of its own that the index would keep alive for the whole run.
type qrImage struct {
	i   int
	src *qrBitmap
}

type qrBitmap struct {
	n    int
	dark []bool
}

func (b *qrBitmap) set(link string) error {
	code, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr of %q: %w", link, err)
	}
	bm := code.Bitmap()
	b.n = len(bm)
	b.dark = b.dark[:0]
	for _, row := range bm {
		b.dark = append(b.dark, row...)
	}
	return nil
}

func (q qrImage) ColorModel() color.Model { return color.GrayModel }
func (q qrImage) Bounds() image.Rectangle { return image.Rect(0, 0, q.src.n, q.src.n) }
func (q qrImage) At(x, y int) color.Color {
	if q.src.dark[y*q.src.n+x] {
		return color.Gray{}
	}
	return color.Gray{Y: 0xff}
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

// Write records the first error and swallows the rest: the renderer does not
// stop on a failed write, so the run checks err after each stamp.
func (c *countingWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return len(b), nil
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	c.err = err
	return len(b), nil
}

// noInterpolation passes the renderer's output through but for one word. The
// renderer marks every image /Interpolate true, asking viewers and RIPs to
// smooth it when they scale it up: a QR of one pixel a module then prints
// with soft grey edges, PDF/X forbids the flag, and zbar misses a fifth of
// the QRs on a page that poppler smoothed. The renderer writes each name of
// a dictionary in a write of its own, so the key is renamed in that write,
// to a name of the same length no reader knows and every reader skips: the
// image is then not interpolated (the default) and every byte offset the
// renderer counted stays right.
type noInterpolation struct{ w io.Writer }

func (f noInterpolation) Write(b []byte) (int, error) {
	if string(b) == "/Interpolate" {
		b = []byte("/XInterpolat")
	}
	return f.w.Write(b)
}
