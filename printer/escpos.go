package printer

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"unicode/utf8"

	"github.com/skip2/go-qrcode"
)

// ESC/POS command bytes.
const (
	ESC = 0x1B
	GS  = 0x1D
	FS  = 0x1C
	DLE = 0x10
	EOT = 0x04
	LF  = 0x0A
)

// Align is a line's horizontal alignment.
type Align byte

// Alignments, as ESC a numbers them.
const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

// QR error-correction levels, as GS ( k function 169 numbers them.
const (
	QRLevelL = 48
	QRLevelM = 49
	QRLevelQ = 50
	QRLevelH = 51
)

// MaxRasterBand is the most rows one GS v 0 command carries; taller images go in
// several bands so that printers with small buffers keep up.
const MaxRasterBand = 255

// Encoder builds an ESC/POS byte stream for one printer profile. Text goes out in
// the profile's Vietnamese code pages, switching between TCVN-3's lower and upper
// pages inside a line when needed; a line that no page covers is drawn with the
// embedded font and sent as a raster image. An Encoder never panics on input: any
// string can be printed.
type Encoder struct {
	p     Profile
	b     []byte
	page  string // current code page; "" until the first ESC t
	fontB bool
	bold  bool
	sw    int // GS ! width multiplier 1…8
	sh    int
	align Align
	err   error
	// Rasterised counts the lines that had to be drawn as images.
	Rasterised int
}

// NewEncoder starts a stream for p.
func NewEncoder(p Profile) *Encoder {
	return &Encoder{p: p, sw: 1, sh: 1}
}

// Profile is the profile being encoded for.
func (e *Encoder) Profile() Profile { return e.p }

// Bytes returns the stream so far.
func (e *Encoder) Bytes() []byte { return e.b }

// Err is the first error met (only the raster font can fail).
func (e *Encoder) Err() error { return e.err }

// Raw appends bytes as they are.
func (e *Encoder) Raw(b ...byte) *Encoder { e.b = append(e.b, b...); return e }

// Init resets the printer (ESC @) and, for clones, leaves Chinese mode (FS .).
func (e *Encoder) Init() *Encoder {
	e.Raw(ESC, '@')
	if e.p.LeaveChinese {
		e.Raw(FS, '.')
	}
	e.page, e.fontB, e.bold, e.sw, e.sh, e.align = "", false, false, 1, 1, AlignLeft
	return e
}

// SetAlign sets the alignment of the following lines (ESC a).
func (e *Encoder) SetAlign(a Align) *Encoder {
	if a != e.align {
		e.Raw(ESC, 'a', byte(a))
		e.align = a
	}
	return e
}

// Bold turns emphasis on or off (ESC E).
func (e *Encoder) Bold(on bool) *Encoder {
	if on != e.bold {
		e.Raw(ESC, 'E', b2b(on))
		e.bold = on
	}
	return e
}

// Underline turns underline on or off (ESC -).
func (e *Encoder) Underline(on bool) *Encoder { return e.Raw(ESC, '-', b2b(on)) }

// FontB selects font B (ESC M 1) or font A (ESC M 0).
func (e *Encoder) FontB(on bool) *Encoder {
	if on != e.fontB {
		e.Raw(ESC, 'M', b2b(on))
		e.fontB = on
	}
	return e
}

// Size sets the character magnification, 1…8 each way (GS !).
func (e *Encoder) Size(w, h int) *Encoder {
	w, h = clamp(w, 1, 8), clamp(h, 1, 8)
	if w != e.sw || h != e.sh {
		e.Raw(GS, '!', byte((w-1)<<4|(h-1)))
		e.sw, e.sh = w, h
	}
	return e
}

// Columns is how many characters fit a line at the current font and size.
func (e *Encoder) Columns() int {
	cols := e.p.Columns()
	if e.fontB && e.p.ColumnsB > 0 {
		cols = e.p.ColumnsB
	}
	return cols / e.sw
}

// Feed prints and feeds n lines (ESC d).
func (e *Encoder) Feed(n int) *Encoder { return e.Raw(ESC, 'd', byte(clamp(n, 0, 255))) }

// Cut feeds to the cutter and cuts, partially, when the printer has a cutter
// (GS V 66 n); otherwise it feeds a few lines to tear off.
func (e *Encoder) Cut() *Encoder {
	if e.p.Cutter {
		return e.Raw(GS, 'V', 66, 3)
	}
	return e.Feed(4)
}

// Pulse opens the cash drawer (ESC p 0, 50 ms on, 500 ms off).
func (e *Encoder) Pulse() *Encoder {
	if !e.p.Drawer {
		return e
	}
	return e.Raw(ESC, 'p', 0, 25, 250)
}

// Line prints s and a line feed. Characters outside every code page of the
// profile (after plain substitutes such as "đ" for "₫") make the whole line a
// raster image.
func (e *Encoder) Line(s string) *Encoder {
	if e.text(s) {
		return e // an image line needs no LF: it would feed a blank line
	}
	return e.Raw(LF)
}

// Columns2 prints left and right on one line, right flush with the margin, using
// ESC $ (absolute position) rather than padding spaces. Widths are counted as
// printed (after substitutes such as "..." for "…"), so the printer never has
// to break the line. When both do not fit, left wraps, keeping its indent, and
// right joins its last line, or stands under it when even that is too narrow:
// an amount is never broken.
func (e *Encoder) Columns2(left, right string) *Encoder {
	cols := e.Columns()
	left, right = substitute(left), substitute(right)
	rw := textWidth(right)
	if rw > cols {
		// Longer than a line (no amount is): what it is, wrapped.
		for _, l := range wrapIndent(left, cols) {
			e.Line(l)
		}
		for _, l := range Wrap(right, cols) {
			e.Line(l)
		}
		return e
	}
	lines := wrapIndent(left, cols)
	if last := lines[len(lines)-1]; textWidth(last)+1+rw > cols {
		// The last line again, narrower, when its words allow it; else right
		// goes under it.
		room := cols - rw - 1
		if room > 0 && longestWord(last) <= room {
			lines = append(lines[:len(lines)-1], wrapIndent(last, room)...)
		} else {
			lines = append(lines, "")
		}
	}
	for _, l := range lines[:len(lines)-1] {
		e.Line(l)
	}
	last := lines[len(lines)-1]
	lw := textWidth(last)
	if !e.encodable(last+right) || e.align != AlignLeft {
		return e.Line(last + strings.Repeat(" ", max(cols-lw-rw, 1)) + right)
	}
	e.text(last)
	e.Pos(cols - rw)
	e.text(right)
	return e.Raw(LF)
}

// Pos moves the print position to a column of the current font (ESC $, in dots).
func (e *Encoder) Pos(col int) *Encoder {
	cw, _ := CellSize(e.fontB)
	d := col * cw * e.sw
	return e.Raw(ESC, '$', byte(d&0xFF), byte(d>>8))
}

// text sends s without the line feed, as text when the profile's pages cover it
// and as a raster line otherwise (and then reports true).
func (e *Encoder) text(s string) (raster bool) {
	s = substitute(s)
	if e.encodable(s) {
		e.encodeText(s)
		return false
	}
	e.rasterLine(s)
	return true
}

// substitute replaces typographic characters that no Vietnamese page holds with
// plain equivalents, and control characters with spaces.
func substitute(s string) string {
	var b strings.Builder
	for _, r := range s {
		if f, ok := asciiFallback[r]; ok {
			b.WriteString(f)
			continue
		}
		if r < 0x20 || r == 0x7F || r == utf8.RuneError {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pagesFor lists the profile's pages that can print r, in a fixed order.
func (e *Encoder) pagesFor(r rune) []string {
	if r >= 0x20 && r < 0x7F {
		return nil // ASCII: every page
	}
	var out []string
	for _, name := range []string{PageTCVN3Lower, PageTCVN3Upper, PageCP1258} {
		if _, ok := e.p.Pages[name]; !ok {
			continue
		}
		cs := Charsets[name]
		if name == PageCP1258 {
			if _, ok := cp1258Bytes(cs, r); ok {
				out = append(out, name)
			}
		} else if _, ok := cs.Encode(r); ok {
			out = append(out, name)
		}
	}
	return out
}

func (e *Encoder) encodable(s string) bool {
	for _, r := range s {
		if r >= 0x20 && r < 0x7F {
			continue
		}
		if len(e.pagesFor(r)) == 0 {
			return false
		}
	}
	return true
}

// encodeText writes s (every rune encodable) switching pages as late and as
// rarely as possible: when a rune is not on the current page, it picks the page
// that covers the longest run of what follows.
func (e *Encoder) encodeText(s string) {
	rs := []rune(s)
	for i, r := range rs {
		if r >= 0x20 && r < 0x7F {
			e.b = append(e.b, byte(r))
			continue
		}
		pages := e.pagesFor(r)
		if !contains(pages, e.page) {
			best, bestRun := pages[0], -1
			for _, pg := range pages {
				run := 0
				for _, q := range rs[i:] {
					if q >= 0x20 && q < 0x7F {
						continue
					}
					if !contains(e.pagesFor(q), pg) {
						break
					}
					run++
				}
				if run > bestRun {
					best, bestRun = pg, run
				}
			}
			e.Raw(ESC, 't', e.p.Pages[best])
			e.page = best
		}
		cs := Charsets[e.page]
		if e.page == PageCP1258 {
			bs, _ := cp1258Bytes(cs, r)
			e.b = append(e.b, bs...)
		} else {
			b, _ := cs.Encode(r)
			e.b = append(e.b, b)
		}
	}
}

// rasterLine draws s with the embedded font, only as wide as the text, and sends
// it as an image placed by the current alignment (GS v 0 follows ESC a).
func (e *Encoder) rasterLine(s string) {
	cw, _ := CellSize(e.fontB)
	width := min(e.p.WidthDots, (textWidth(s)*cw*e.sw+7)/8*8)
	if width <= 0 {
		width = 8
	}
	img, err := RenderText(s, width, e.fontB, e.bold, e.sw, e.sh, AlignLeft)
	if err != nil {
		if e.err == nil {
			e.err = fmt.Errorf("raster line: %w", err)
		}
		return
	}
	e.Rasterised++
	e.Image(img)
}

// Image prints img as raster bit image (GS v 0), in bands of at most
// MaxRasterBand rows, cropped to the paper width. Dark pixels print.
func (e *Encoder) Image(img image.Image) *Encoder {
	bnd := img.Bounds()
	w := min(bnd.Dx(), e.p.WidthDots)
	if w <= 0 || bnd.Dy() <= 0 {
		return e
	}
	bpr := (w + 7) / 8
	for y0 := 0; y0 < bnd.Dy(); y0 += MaxRasterBand {
		rows := min(MaxRasterBand, bnd.Dy()-y0)
		e.Raw(GS, 'v', '0', 0, byte(bpr), byte(bpr>>8), byte(rows), byte(rows>>8))
		for y := y0; y < y0+rows; y++ {
			for xb := 0; xb < bpr; xb++ {
				var v byte
				for bit := 0; bit < 8; bit++ {
					x := xb*8 + bit
					if x < w && black(img.At(bnd.Min.X+x, bnd.Min.Y+y)) {
						v |= 0x80 >> bit
					}
				}
				e.b = append(e.b, v)
			}
		}
	}
	return e
}

// QR prints data as a QR code, model 2, with module size 1…16 dots: the native
// GS ( k commands where the profile has them, a raster image otherwise.
func (e *Encoder) QR(data string, module int, level byte) *Encoder {
	module = clamp(module, 1, 16)
	if level < QRLevelL || level > QRLevelH {
		level = QRLevelM
	}
	if len(data) == 0 {
		return e
	}
	if len(data) > 2000 {
		data = data[:2000]
	}
	if e.p.NativeQR {
		e.Raw(GS, '(', 'k', 4, 0, '1', 'A', '2', 0) // model 2
		e.Raw(GS, '(', 'k', 3, 0, '1', 'C', byte(module))
		e.Raw(GS, '(', 'k', 3, 0, '1', 'E', level)
		n := len(data) + 3
		e.Raw(GS, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
		e.b = append(e.b, data...)
		return e.Raw(GS, '(', 'k', 3, 0, '1', 'Q', '0')
	}
	img, err := QRImage(data, module, level)
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return e
	}
	// GS v 0 follows ESC a: the QR is sent at its own width.
	return e.Image(img)
}

// QRImage draws data as a QR code with the given module size in dots (no quiet
// zone beyond one module).
func QRImage(data string, module int, level byte) (*image.Gray, error) {
	rl := map[byte]qrcode.RecoveryLevel{QRLevelL: qrcode.Low, QRLevelM: qrcode.Medium, QRLevelQ: qrcode.High, QRLevelH: qrcode.Highest}[level]
	q, err := qrcode.New(data, rl)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	img := image.NewGray(image.Rect(0, 0, (n+2)*module, (n+2)*module))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y, row := range bm {
		for x, on := range row {
			if !on {
				continue
			}
			for dy := 0; dy < module; dy++ {
				for dx := 0; dx < module; dx++ {
					img.SetGray((x+1)*module+dx, (y+1)*module+dy, color.Gray{})
				}
			}
		}
	}
	return img, nil
}

// Barcode128 prints data as CODE128 (code set B) with its human-readable text
// below (GS h, GS w, GS H, GS k 73).
func (e *Encoder) Barcode128(data string, height int) *Encoder {
	var clean []byte
	for i := 0; i < len(data) && len(clean) < 250; i++ {
		if data[i] >= 0x20 && data[i] < 0x7F {
			clean = append(clean, data[i])
		}
	}
	if len(clean) == 0 {
		return e
	}
	e.Raw(GS, 'h', byte(clamp(height, 1, 255)))
	e.Raw(GS, 'w', 2)
	e.Raw(GS, 'H', 2)
	e.Raw(GS, 'k', 73, byte(len(clean)+2), '{', 'B')
	e.b = append(e.b, clean...)
	return e
}

// StatusRequest is DLE EOT n: n = 1 printer, 2 offline cause, 3 error, 4 paper.
func StatusRequest(n byte) []byte { return []byte{DLE, EOT, n} }

func b2b(on bool) byte {
	if on {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
