package printer

import (
	_ "embed"
	"image"
	"image/color"
	"image/draw"
	"sync"
	"unicode"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/text/unicode/norm"
)

// DejaVu Sans Condensed (Bitstream Vera licence, font/LICENSE-DejaVu.txt) has
// every Vietnamese letter, capitals with two diacritics included (DejaVu Sans
// Mono lacks 46 of them). It draws the lines no code page covers and the PNG
// previews, one character per printer cell, so columns line up as on paper.
var (
	//go:embed font/DejaVuSansCondensed.ttf
	sansTTF []byte
	//go:embed font/DejaVuSansCondensed-Bold.ttf
	sansBoldTTF []byte
)

var (
	fontOnce       sync.Once
	sansFont, bold *opentype.Font
	fontErr        error
)

func loadFonts() {
	sansFont, fontErr = opentype.Parse(sansTTF)
	if fontErr == nil {
		bold, fontErr = opentype.Parse(sansBoldTTF)
	}
}

// faceSet makes faces of one weight at the sizes a line needs. font.Face values
// are not safe for concurrent use, so each RenderText call has its own set.
type faceSet struct {
	f     *opentype.Font
	faces map[int]font.Face
}

func (s *faceSet) at(px int) (font.Face, error) {
	if f, ok := s.faces[px]; ok {
		return f, nil
	}
	f, err := opentype.NewFace(s.f, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	s.faces[px] = f
	return f, nil
}

func (s *faceSet) close() {
	for _, f := range s.faces {
		f.Close()
	}
}

// FontTTF is the embedded Vietnamese-capable font, for screens too.
func FontTTF() []byte { return sansTTF }

// CellSize is the size in dots of one character cell for font A (12×24) or B (9×17).
func CellSize(fontB bool) (w, h int) {
	if fontB {
		return 9, 17
	}
	return 12, 24
}

// RenderText draws s into a white image width dots wide and one text line high,
// one character per cell of font A or B scaled by (sw, sh) like GS ! sizes, and
// aligned left, centre or right. Each glyph keeps the size of the line's font:
// one wider than its cell (M, m, W, %, Ở…) is narrowed to the cell less a
// blank column, never drawn smaller (a shrunk M reads as a small capital, a
// shrunk O as an o), and the size is chosen so that capitals with two marks
// (Ẫ, Ỗ) and descenders (g, Ặ) both fit the cell's height. Black is 0, white 255.
func RenderText(s string, width int, fontB, isBold bool, sw, sh int, align Align) (*image.Gray, error) {
	fontOnce.Do(loadFonts)
	if fontErr != nil {
		return nil, fontErr
	}
	cw, ch := CellSize(fontB)
	cw, ch = cw*max(sw, 1), ch*max(sh, 1)
	img := image.NewGray(image.Rect(0, 0, max(width, 1), ch))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	// One cell per character: NFC first, and combining marks that have no
	// precomposed form share the cell of the letter before them.
	type cell struct{ runes []rune }
	var cells []cell
	for _, r := range norm.NFC.String(s) {
		if unicode.Is(unicode.Mn, r) && len(cells) > 0 {
			cells[len(cells)-1].runes = append(cells[len(cells)-1].runes, r)
			continue
		}
		cells = append(cells, cell{runes: []rune{r}})
	}
	x0 := 0
	switch align {
	case AlignCenter:
		x0 = (width - len(cells)*cw) / 2
	case AlignRight:
		x0 = width - len(cells)*cw
	}
	x0 = max(x0, 0)

	f := sansFont
	if isBold {
		f = bold
	}
	faces := &faceSet{f: f, faces: map[int]font.Face{}}
	defer faces.close()
	fit, err := fitFor(faces, isBold, ch)
	if err != nil {
		return nil, err
	}
	face, err := faces.at(fit.px)
	if err != nil {
		return nil, err
	}
	for i, c := range cells {
		x := x0 + i*cw
		if x >= width {
			break
		}
		drawGlyph(img, face, string(c.runes), image.Rect(x, 0, x+cw, ch), fit.baseline)
	}
	threshold(img)
	return img, nil
}

// lineFit is the font size and baseline (from the top of the cell) of a line
// of one cell height.
type lineFit struct{ px, baseline int }

// Letters that reach furthest above and below the baseline: capitals with a
// circumflex or breve and a tone mark on top, and descenders with a dot below.
const (
	tallLetters = "ẪẴỄỖỠỮẤẮẾỐỚỨẨẲỂỔỞỬ"
	deepLetters = "gjpqyỵẶỆỘỢỰỴặệộợự"
)

// fits caches lineFit by weight and cell height: measuring it takes a few
// dozen glyph outlines, and every line of every preview needs it.
var fits sync.Map // fitKey → lineFit

type fitKey struct {
	bold bool
	ch   int
}

// fitFor picks the largest size, from 80 % of the cell height down, at which
// the tallest and the deepest Vietnamese letters both fit the cell, and the
// baseline that centres them.
func fitFor(faces *faceSet, isBold bool, ch int) (lineFit, error) {
	key := fitKey{isBold, ch}
	if v, ok := fits.Load(key); ok {
		return v.(lineFit), nil
	}
	var fit lineFit
	for px := max(ch*4/5, 6); ; px-- {
		face, err := faces.at(px)
		if err != nil {
			return lineFit{}, err
		}
		top, bottom := 0, 0
		for _, r := range tallLetters {
			b, _ := font.BoundString(face, string(r))
			top = max(top, (-b.Min.Y).Ceil())
		}
		for _, r := range deepLetters {
			b, _ := font.BoundString(face, string(r))
			bottom = max(bottom, b.Max.Y.Ceil())
		}
		if top+bottom <= ch || px <= 6 {
			fit = lineFit{px: px, baseline: min(top+max(ch-top-bottom, 0)/2, ch)}
			break
		}
	}
	fits.Store(key, fit)
	return fit, nil
}

// drawGlyph draws s (a letter and any marks that share its cell) in cell, on
// the line's baseline, centred across. Ink wider than the cell less one blank
// column is narrowed to it, ink taller than the cell is lowered to it, and ink
// that would cross the top or bottom of the cell is moved inside: a glyph is
// never cut, and never drawn smaller than needed.
func drawGlyph(dst *image.Gray, face font.Face, s string, cell image.Rectangle, baseline int) {
	b, _ := font.BoundString(face, s)
	r := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
	if r.Empty() {
		return
	}
	mask := image.NewAlpha(r)
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face}
	d.DrawString(s)
	// The box of what prints (coverage of at least a half, as threshold
	// decides); a hairline that prints nowhere keeps its faint box.
	ink := alphaBox(mask, 128)
	if ink.Empty() {
		if ink = alphaBox(mask, 1); ink.Empty() {
			return
		}
	}
	w, h := ink.Dx(), ink.Dy()
	dw, dh := min(w, max(cell.Dx()-1, 1)), min(h, cell.Dy())
	x := cell.Min.X + (cell.Dx()-dw)/2
	y := clamp(cell.Min.Y+baseline+ink.Min.Y, cell.Min.Y, cell.Max.Y-dh)
	var src image.Image = mask
	sp := ink.Min
	if dw != w || dh != h {
		scaled := image.NewAlpha(image.Rect(0, 0, dw, dh))
		xdraw.CatmullRom.Scale(scaled, scaled.Rect, mask, ink, draw.Src, nil)
		src, sp = scaled, image.Point{}
	}
	draw.DrawMask(dst, image.Rect(x, y, x+dw, y+dh), image.Black, image.Point{}, src, sp, draw.Over)
}

// alphaBox is the box of the pixels of m with at least the given coverage.
func alphaBox(m *image.Alpha, least uint8) image.Rectangle {
	x0, y0, x1, y1 := m.Rect.Max.X, m.Rect.Max.Y, m.Rect.Min.X, m.Rect.Min.Y
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		row := m.Pix[(y-m.Rect.Min.Y)*m.Stride:]
		for i := 0; i < m.Rect.Dx(); i++ {
			if row[i] >= least {
				x := m.Rect.Min.X + i
				x0, x1 = min(x0, x), max(x1, x+1)
				y0, y1 = min(y0, y), max(y1, y+1)
			}
		}
	}
	if x1 <= x0 {
		return image.Rectangle{}
	}
	return image.Rect(x0, y0, x1, y1)
}

// threshold makes a gray image pure black and white, as a thermal head prints it.
func threshold(img *image.Gray) {
	for i, v := range img.Pix {
		if v < 128 {
			img.Pix[i] = 0
		} else {
			img.Pix[i] = 255
		}
	}
}

// black reports whether a pixel prints.
func black(c color.Color) bool {
	g := color.GrayModel.Convert(c).(color.Gray)
	return g.Y < 128
}
