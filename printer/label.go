package printer

import (
	"fmt"
	"strings"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Label is what one product-lot label shows. The caller loops for serialised
// labels, one Label (and one QR) per serial.
type Label struct {
	Name, NameEN                string
	Stars                       int // OCOP stars, 3…5; 0 leaves the line out
	Producer, Commune, Province string
	Lot                         string
	ProducedOn, ExpiresOn       pos.Date
	Price                       pos.Money // 0 leaves the price out
	QR                          string    // GS1 Digital Link URI, given by the caller
	Serial                      string
}

// LabelSize is a label stock: die-cut labels with a gap, or continuous paper
// (HeightMM 0: as long as the content on a receipt printer).
type LabelSize struct {
	Name              string
	WidthMM, HeightMM int
	Continuous        bool
}

// LabelSizes are the stocks the kiosk knows, by name.
var LabelSizes = map[string]LabelSize{
	"40x30": {Name: "40x30", WidthMM: 40, HeightMM: 30},
	"50x30": {Name: "50x30", WidthMM: 50, HeightMM: 30},
	"58mm":  {Name: "58mm", WidthMM: 58, Continuous: true},
}

// Line heights of the TSPL label, in dots (TextAny's px).
const (
	labelMargin = 8  // 1 mm all round: die-cut stock drifts about that much
	labelGap    = 2  // between lines
	pxName      = 24 // Vietnamese name, bold: font A 12×24
	pxSmall     = 12 // English name, serial: built-in font "1" 8×12
	pxBody      = 20 // producer, lot, dates: font B 9×17 or built-in "2" 12×20
	pxPrice     = 24
	labelQRCell = 3 // 0.375 mm modules: a 37-module Digital Link is 14 mm, easy for phones
	// continuousLabelMM is the length of one label cut from continuous stock on a
	// TSPL printer, which needs a SIZE.
	continuousLabelMM = 40
)

// WriteLabelTSPL lays out one label on t: the Vietnamese name (bold, up to two
// lines) and the English name across the top; under them the producer, commune
// and province, lot, production and expiry dates and the price on the left, and
// the native QR code with the OCOP stars and the serial under it on the right;
// then PRINT 1,1. Vietnamese lines go out as bitmaps of just their text, ASCII
// lines as built-in fonts. Everything stays inside the label: long names are
// wrapped and cut, and when the label is too small the least useful lines are
// left out (second lines of the address and producer first; the expiry date,
// lot and production date last). Continuous stock on a TSPL printer is cut
// into labels continuousLabelMM long.
func WriteLabelTSPL(t *TSPL, l Label, size LabelSize) {
	p := t.Profile()
	wmm, hmm := size.WidthMM, size.HeightMM
	if wmm <= 0 {
		wmm, hmm = p.LabelWidthMM, p.LabelHeightMM
	}
	if wmm <= 0 {
		wmm, hmm = 50, 30
	}
	if hmm <= 0 {
		hmm = continuousLabelMM
	}
	t.Size(wmm, hmm)
	if size.Continuous {
		t.Gap(0, 0)
	} else {
		t.Gap(2, 0)
	}
	t.Direction(1)
	t.CLS()

	w, h := clamp(wmm, 1, 500)*DotsPerMM, clamp(hmm, 1, 2000)*DotsPerMM
	if p.WidthDots > 0 && p.WidthDots < w {
		w = p.WidthDots // the head is narrower than the stock
	}
	x, y := labelMargin, labelMargin
	full := (w - 2*labelMargin) &^ 7
	bottom := h - labelMargin

	// Top: the names, across the whole width.
	name := fitField(l.Name, pxName, true, full, 2)
	for _, s := range name.lines {
		if y+name.height() > bottom {
			break
		}
		name.draw(t, x, y, s, full)
		y += name.height()
	}
	if en := fitField(l.NameEN, pxSmall, false, full, 1); len(en.lines) > 0 && y+labelGap+en.height() <= bottom {
		y += labelGap
		en.draw(t, x, y, en.lines[0], full)
		y += en.height()
	}
	y += labelGap

	var stars, serial string
	if l.Stars > 0 {
		stars = "OCOP " + strings.Repeat("★", clamp(l.Stars, 1, 5))
	}
	if s := labelClean(l.Serial); s != "" {
		serial = "S/N " + s
	}

	// Right: the QR, with the stars and the serial under it when they fit there.
	colW := full
	if data := cleanQR(l.QR); data != "" {
		modules := qrModulesM(len(data))
		cell := labelQRCell
		for cell > 0 && (modules*cell > bottom-y || modules*cell > full/2) {
			cell--
		}
		if cell > 0 {
			side := modules * cell
			qx := w - labelMargin - side
			t.QRCode(qx, y, 'M', cell, data)
			colW = (qx - labelMargin - 4*labelGap) &^ 7
			under, uy := side&^7, y+side+labelGap
			for _, u := range []struct {
				s  *string
				px int
			}{{&stars, pxBody}, {&serial, pxSmall}} {
				f := fitField(*u.s, u.px, false, under, 1)
				if len(f.lines) == 0 || f.lines[0] != *u.s || uy+f.height() > bottom {
					continue
				}
				f.draw(t, qx, uy, *u.s, under)
				uy += f.height() + labelGap
				*u.s = ""
			}
		}
	}

	// Left: every line that fits, the most useful kept when space runs out.
	type line struct {
		f    field
		s    string
		keep int // higher stays longer
	}
	var lines []line
	add := func(s string, px int, bold bool, keep ...int) {
		f := fitField(s, px, bold, colW, len(keep))
		for i, ln := range f.lines {
			lines = append(lines, line{f, ln, keep[i]})
		}
	}
	add(stars, pxBody, false, 5)
	add(l.Producer, pxBody, false, 6, 1)
	add(joinNonEmpty(", ", l.Commune, l.Province), pxBody, false, 3, 0)
	if s := labelClean(l.Lot); s != "" {
		add("Lô/Lot: "+s, pxBody, false, 8)
	}
	if !l.ProducedOn.IsZero() {
		add("NSX "+dmy(l.ProducedOn), pxBody, false, 7)
	}
	if !l.ExpiresOn.IsZero() {
		add("HSD "+dmy(l.ExpiresOn), pxBody, false, 9)
	}
	if l.Price > 0 {
		add(priceText(l.Price), pxPrice, true, 4)
	}
	add(serial, pxSmall, false, 2)
	height := func() int {
		n := 0
		for _, ln := range lines {
			n += ln.f.height() + labelGap
		}
		return n - labelGap
	}
	for len(lines) > 0 && y+height() > bottom {
		drop := 0
		for i, ln := range lines {
			if ln.keep < lines[drop].keep {
				drop = i
			}
		}
		lines = append(lines[:drop], lines[drop+1:]...)
	}
	for _, ln := range lines {
		ln.f.draw(t, x, y, ln.s, colW)
		y += ln.f.height() + labelGap
	}
	t.Print(1, 1)
}

// WriteLabelESCPOS lays out the same label on a receipt printer, for continuous
// paper or label stock in ESC/POS mode: the name in bold, the English name and
// the stars centred; producer, commune and province, lot, dates and price on
// the left; the QR centred (native GS ( k where the profile has it); a cut.
// Text goes through the profile's code pages like a receipt's. On die-cut
// stock narrower than the paper the lines are wrapped to the label's width.
func WriteLabelESCPOS(e *Encoder, l Label, size LabelSize) {
	e.Init()
	cols := e.Columns()
	if !size.Continuous && size.WidthMM > 0 {
		cw, _ := CellSize(false)
		cols = clamp((size.WidthMM*DotsPerMM-2*labelMargin)/cw, 8, cols)
	}
	lines := func(s string) {
		if s = labelClean(s); s != "" {
			for _, ln := range Wrap(s, cols) {
				e.Line(ln)
			}
		}
	}
	e.SetAlign(AlignCenter).Bold(true)
	lines(l.Name)
	e.Bold(false)
	lines(l.NameEN)
	if l.Stars > 0 {
		n := clamp(l.Stars, 1, 5)
		// ★ is on no code page; a raster line for it would cost a kilobyte.
		e.Line(fmt.Sprintf("OCOP %s (%d sao)", strings.Repeat("*", n), n))
	}
	e.SetAlign(AlignLeft)
	lines(l.Producer)
	lines(joinNonEmpty(", ", l.Commune, l.Province))
	if s := labelClean(l.Lot); s != "" {
		lines("Lô/Lot: " + s)
	}
	var dates []string
	if !l.ProducedOn.IsZero() {
		dates = append(dates, "NSX "+dmy(l.ProducedOn))
	}
	if !l.ExpiresOn.IsZero() {
		dates = append(dates, "HSD "+dmy(l.ExpiresOn))
	}
	if s := strings.Join(dates, "  "); len(dates) == 2 && textWidth(s) <= cols {
		e.Line(s)
	} else {
		for _, d := range dates {
			lines(d)
		}
	}
	if l.Price > 0 {
		e.SetAlign(AlignCenter).Bold(true).Size(2, 2)
		e.Line(priceText(l.Price))
		e.Size(1, 1).Bold(false)
	}
	e.SetAlign(AlignCenter)
	if qr := cleanQR(l.QR); qr != "" {
		e.QR(qr, 4, QRLevelM)
	}
	if s := labelClean(l.Serial); s != "" {
		lines("S/N " + s)
	}
	e.SetAlign(AlignLeft)
	e.Cut()
}

// field is one piece of text on a TSPL label, wrapped. A field that is all
// ASCII prints in a built-in font; any other prints every line, ASCII ones
// too, as bitmaps so that a wrapped name keeps one typeface.
type field struct {
	lines  []string
	px     int
	bold   bool
	raster bool
}

func (f field) height() int { return lineHeight(f.px, f.raster) }

func (f field) draw(t *TSPL, x, y int, s string, widthDots int) {
	t.textLine(x, y, s, f.px, f.bold, widthDots, f.raster)
}

// fitField wraps s into at most n lines that print whole at px within
// widthDots; when s needs more, the last line ends in "...".
func fitField(s string, px int, bold bool, widthDots, n int) field {
	s = labelClean(s)
	f := field{px: px, bold: bold, raster: !isASCII(s)}
	if s == "" || n <= 0 {
		return f
	}
	cols := cellColumns(px, widthDots, f.raster)
	if cols <= 3 {
		return f
	}
	for _, ln := range Wrap(s, cols) {
		if len(f.lines) == n {
			f.lines[n-1] = ellipsis(f.lines[n-1], cols)
			break
		}
		f.lines = append(f.lines, ln)
	}
	return f
}

// ellipsis marks s as cut: "..." replaces its end (ASCII dots, so that an
// ASCII field stays TEXT).
func ellipsis(s string, cols int) string {
	return strings.TrimRight(cutColumns(s, cols-3), " ,.;:-") + "..."
}

// qrModulesM is the side in modules of a QR code at level M holding n bytes in
// byte mode: the largest a printer's own encoder (auto mode) can make it, since
// numeric and alphanumeric runs only shrink it.
func qrModulesM(n int) int {
	// Byte-mode capacity at level M, versions 1…40 (ISO/IEC 18004 table 7).
	capM := [...]int{14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
		711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331}
	for v, c := range capM {
		if n <= c {
			return 17 + 4*(v+1)
		}
	}
	return 177
}

// cleanQR is the QR payload as both kinds of printer get it (see tsplClean).
func cleanQR(s string) string { return tsplClean(s, tsplMaxQR) }

func priceText(m pos.Money) string { return pos.FormatVND(m) + " đ" }

// dmy writes a day the Vietnamese way, 15/10/2026.
func dmy(d pos.Date) string { return d.Time().Format("02/01/2006") }

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = labelClean(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
