package printer

import (
	"fmt"
	"image"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DotsPerMM is the resolution of label and receipt printers: 203 dpi.
const DotsPerMM = 8

// Bounds that keep a TSPL stream sane whatever the caller passes: TSPL printers
// accept up to a few thousand dots a side, and a command line longer than a few
// hundred characters is a caller's bug, not a label.
const (
	tsplMaxDots    = 4000
	tsplMaxText    = 255
	tsplMaxQR      = 2000
	tsplMaxBarcode = 250
)

// tsplFont is one of the built-in TSPL bitmap fonts, in dots.
type tsplFont struct {
	name string
	w, h int
}

// TSPL's built-in fonts "1"…"5" (ASCII only), smallest first.
var tsplFonts = []tsplFont{{"1", 8, 12}, {"2", 12, 20}, {"3", 16, 24}, {"4", 24, 32}, {"5", 32, 48}}

// TSPL builds a TSPL command stream for label printers (TSC, Xprinter label
// models, Godex in TSPL mode). Coordinates are dots at 203 dpi (DotsPerMM) from
// the label's top-left corner. Built-in fonts only print ASCII, so Vietnamese
// text goes out as a BITMAP of the text's region (TextAny); QR codes and
// barcodes are always native. Like Encoder, a TSPL never panics on input and
// never lets a string break out of a command: control characters are dropped
// (or become spaces in printed text), quotes escaped, lengths capped.
type TSPL struct {
	p   Profile
	b   []byte
	err error
	// Bitmaps counts the text regions that had to be sent as BITMAP.
	Bitmaps int
}

// NewTSPL starts a stream for p.
func NewTSPL(p Profile) *TSPL { return &TSPL{p: p} }

// Profile is the profile being encoded for.
func (t *TSPL) Profile() Profile { return t.p }

// Bytes returns the stream so far.
func (t *TSPL) Bytes() []byte { return t.b }

// Err is the first error met (only the raster font can fail).
func (t *TSPL) Err() error { return t.err }

// cmd appends one command line and its CR LF terminator.
func (t *TSPL) cmd(s string) *TSPL {
	t.b = append(t.b, s...)
	t.b = append(t.b, '\r', '\n')
	return t
}

// Size sets the label size in millimetres (SIZE).
func (t *TSPL) Size(wmm, hmm int) *TSPL {
	return t.cmd(fmt.Sprintf("SIZE %d mm,%d mm", clamp(wmm, 1, 500), clamp(hmm, 1, 2000)))
}

// Gap sets the gap between die-cut labels and its offset in millimetres (GAP);
// Gap(0, 0) is continuous media.
func (t *TSPL) Gap(mm, offsetMM int) *TSPL {
	return t.cmd(fmt.Sprintf("GAP %d mm,%d mm", clamp(mm, 0, 50), clamp(offsetMM, -50, 50)))
}

// Direction sets the print direction, 0 or 1, relative to the feed (DIRECTION).
func (t *TSPL) Direction(n int) *TSPL { return t.cmd("DIRECTION " + strconv.Itoa(clamp(n, 0, 1))) }

// CLS clears the image buffer: every label starts with it.
func (t *TSPL) CLS() *TSPL { return t.cmd("CLS") }

// Print prints the buffer: sets labels, each copies times (PRINT).
func (t *TSPL) Print(sets, copies int) *TSPL {
	return t.cmd(fmt.Sprintf("PRINT %d,%d", clamp(sets, 1, 9999), clamp(copies, 1, 9999)))
}

// Text prints s in built-in font "3" (16×24 dots) at (x, y). The built-in fonts
// only have ASCII: anything else becomes '?'. Use TextAny for Vietnamese.
func (t *TSPL) Text(x, y int, s string) *TSPL { return t.text(x, y, tsplFonts[2], s) }

func (t *TSPL) text(x, y int, f tsplFont, s string) *TSPL {
	s = tsplString(asciiOnly(s), tsplMaxText)
	if s == "" {
		return t
	}
	return t.cmd(fmt.Sprintf("TEXT %d,%d,%q,0,1,1,\"%s\"", dot(x), dot(y), f.name, s))
}

// QRCode prints data as a native QR code, model 2, auto mode, with its top-left
// corner at (x, y), error-correction level 'L', 'M', 'Q' or 'H' (else M) and a
// module of cell dots (1…10).
func (t *TSPL) QRCode(x, y int, level byte, cell int, data string) *TSPL {
	switch level {
	case 'L', 'M', 'Q', 'H':
	default:
		level = 'M'
	}
	data = tsplString(data, tsplMaxQR)
	if data == "" {
		return t
	}
	return t.cmd(fmt.Sprintf("QRCODE %d,%d,%c,%d,A,0,\"%s\"", dot(x), dot(y), level, clamp(cell, 1, 10), data))
}

// Barcode128 prints data (printable ASCII; the rest is dropped) as CODE 128,
// height dots tall, with its human-readable line, narrow and wide bars 2 dots.
func (t *TSPL) Barcode128(x, y, height int, data string) *TSPL {
	clean := make([]byte, 0, min(len(data), tsplMaxBarcode))
	for i := 0; i < len(data) && len(clean) < tsplMaxBarcode; i++ {
		if data[i] >= 0x20 && data[i] < 0x7F {
			clean = append(clean, data[i])
		}
	}
	data = tsplString(string(clean), tsplMaxBarcode)
	if data == "" {
		return t
	}
	return t.cmd(fmt.Sprintf("BARCODE %d,%d,\"128\",%d,1,0,2,2,\"%s\"", dot(x), dot(y), clamp(height, 1, 1000), data))
}

// Bitmap prints img with its top-left corner at (x, y) (BITMAP, overwrite mode).
// TSPL's polarity is the opposite of ESC/POS: a 0 bit prints a dot, so a dark
// pixel is a 0 bit and white, including the padding of the last byte of a row,
// is 1.
func (t *TSPL) Bitmap(x, y int, img *image.Gray) *TSPL {
	if img == nil {
		return t
	}
	bnd := img.Bounds()
	w, h := min(bnd.Dx(), tsplMaxDots), min(bnd.Dy(), tsplMaxDots)
	if w <= 0 || h <= 0 {
		return t
	}
	wb := (w + 7) / 8
	t.b = append(t.b, fmt.Sprintf("BITMAP %d,%d,%d,%d,0,", dot(x), dot(y), wb, h)...)
	for row := 0; row < h; row++ {
		for xb := 0; xb < wb; xb++ {
			v := byte(0xFF)
			for bit := 0; bit < 8; bit++ {
				px := xb*8 + bit
				if px < w && img.GrayAt(bnd.Min.X+px, bnd.Min.Y+row).Y < 128 {
					v &^= 0x80 >> bit
				}
			}
			t.b = append(t.b, v)
		}
	}
	t.b = append(t.b, '\r', '\n')
	return t
}

// TextAny prints one line of any text at (x, y) in a line px dots tall, at most
// widthDots wide (longer text is cut). Printable ASCII goes out as TEXT in the
// largest built-in font not taller than px (12, 20, 24, 32 or 48 dots; bold is
// ignored: the fonts have none). Anything else is drawn with the embedded
// font (RenderText: font B 9×17 below 24 dots, font A 12×24 scaled by px/24
// above) and sent as a BITMAP cropped to the text's width rounded up to 8 dots.
func (t *TSPL) TextAny(x, y int, s string, px int, bold bool, widthDots int) *TSPL {
	s = labelClean(s)
	return t.textLine(x, y, s, px, bold, widthDots, !isASCII(s))
}

// textLine prints the clean line s as TEXT or, when raster, as a BITMAP (a
// wrapped field draws all its lines the same way, ASCII ones included).
func (t *TSPL) textLine(x, y int, s string, px int, bold bool, widthDots int, raster bool) *TSPL {
	widthDots = t.textWidthDots(widthDots)
	s = cutColumns(s, cellColumns(px, widthDots, raster))
	if s == "" {
		return t
	}
	if !raster {
		return t.text(x, y, asciiFont(px), s)
	}
	fontB, scale := rasterFont(px)
	img, err := RenderText(s, widthDots, fontB, bold, scale, scale, AlignLeft)
	if err != nil {
		if t.err == nil {
			t.err = fmt.Errorf("tspl text bitmap: %w", err)
		}
		return t
	}
	right := inkWidth(img)
	if right == 0 {
		return t
	}
	t.Bitmaps++
	return t.Bitmap(x, y, img.SubImage(image.Rect(0, 0, min((right+7)&^7, widthDots), img.Bounds().Dy())).(*image.Gray))
}

// textWidthDots is the width TextAny draws in: the profile's width when the
// caller gives none, whole bytes of a bitmap row.
func (t *TSPL) textWidthDots(widthDots int) int {
	if widthDots <= 0 {
		widthDots = t.p.WidthDots
	}
	return clamp(widthDots, 8, tsplMaxDots) &^ 7
}

// Columns is how many characters of s TextAny fits in widthDots at px: the
// built-in font's cell for ASCII, the raster cell otherwise (the embedded
// font's advance is a little narrower than its cell, so text cut or wrapped to
// this never clips).
func (t *TSPL) Columns(s string, px, widthDots int) int {
	return cellColumns(px, t.textWidthDots(widthDots), !isASCII(labelClean(s)))
}

// LineHeight is the height in dots of what TextAny prints for s at px.
func (t *TSPL) LineHeight(s string, px int) int {
	return lineHeight(px, !isASCII(labelClean(s)))
}

func cellColumns(px, widthDots int, raster bool) int {
	if !raster {
		return widthDots / asciiFont(px).w
	}
	fontB, scale := rasterFont(px)
	cw, _ := CellSize(fontB)
	return widthDots / (cw * scale)
}

func lineHeight(px int, raster bool) int {
	if !raster {
		return asciiFont(px).h
	}
	fontB, scale := rasterFont(px)
	_, ch := CellSize(fontB)
	return ch * scale
}

// asciiFont is the largest built-in font not taller than px (font "1" at least).
func asciiFont(px int) tsplFont {
	f := tsplFonts[0]
	for _, c := range tsplFonts {
		if c.h <= px {
			f = c
		}
	}
	return f
}

// rasterFont maps a line height to RenderText's cell: font B (17 dots) below
// 24, font A (24 dots) times px/24 from there.
func rasterFont(px int) (fontB bool, scale int) {
	if px < 24 {
		return true, 1
	}
	return false, clamp(px/24, 1, 8)
}

// inkWidth is one past the rightmost dark column of img, 0 when it is blank.
func inkWidth(img *image.Gray) int {
	b := img.Bounds()
	right := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-b.Min.Y)*img.Stride : (y-b.Min.Y)*img.Stride+b.Dx()]
		for x := len(row) - 1; x >= right; x-- {
			if row[x] < 128 {
				right = x + 1
				break
			}
		}
	}
	return right
}

// labelClean turns s into one printable line: typographic characters get their
// plain stand-ins, control characters, invalid UTF-8 and unassigned or private
// runes become spaces, and runs of spaces collapse. The length is capped first so
// that a huge input costs nothing.
func labelClean(s string) string {
	if len(s) > 4*tsplMaxText {
		s = s[:4*tsplMaxText]
	}
	var b strings.Builder
	space := false
	for _, r := range substitute(s) {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// cutColumns keeps the first cols columns of s (combining marks take none).
func cutColumns(s string, cols int) string {
	if textWidth(s) <= cols {
		return s
	}
	n := 0
	for i, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			if n == cols {
				return strings.TrimRight(s[:i], " ")
			}
			n++
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7F {
			return false
		}
	}
	return true
}

// asciiOnly replaces every rune outside printable ASCII by '?' (control
// characters by a space).
func asciiOnly(s string) string {
	if len(s) > 4*tsplMaxQR {
		s = s[:4*tsplMaxQR]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7F:
			b.WriteRune(r)
		case r < 0x20 || r == 0x7F:
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// tsplString makes s safe inside a quoted TSPL argument: tsplClean, then '"'
// escaped as \["].
func tsplString(s string, max int) string {
	return strings.ReplaceAll(tsplClean(s, max), `"`, `\["]`)
}

// tsplClean drops control characters and invalid UTF-8 from s and keeps at most
// max bytes of what remains (whole runes only). TSPL has no escape for a
// backslash, so one could start an escape of its own ("\[R]") or change how the
// closing quote reads: it becomes '/'. (URIs never hold a raw backslash.)
func tsplClean(s string, max int) string {
	if len(s) > 4*max {
		s = s[:4*max]
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		if r == '\\' {
			r = '/'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dot keeps a coordinate on the label.
func dot(v int) int { return clamp(v, 0, tsplMaxDots) }
