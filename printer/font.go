package printer

import (
	_ "embed"
	"image"
	"image/color"
	"image/draw"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
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
// aligned left, centre or right. Each glyph is centred in its cell and drawn
// smaller when it would not fit (m, W…). Black is 0, white 255.
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
	// An em of 80 % of the cell height leaves room above capitals for the
	// Vietnamese marks stacked on them (Ấ, Ổ).
	px := ch * 4 / 5
	base, err := faces.at(px)
	if err != nil {
		return nil, err
	}
	m := base.Metrics()
	baseline := (ch-(m.Ascent+m.Descent).Ceil())/2 + m.Ascent.Ceil()
	for i, c := range cells {
		x := x0 + i*cw
		if x >= width {
			break
		}
		str := string(c.runes)
		face := base
		adv := font.MeasureString(face, str).Ceil()
		if adv > cw {
			// Too wide for the cell: a smaller size of the same glyph.
			if face, err = faces.at(max(px*cw/adv, 6)); err != nil {
				return nil, err
			}
			adv = font.MeasureString(face, str).Ceil()
		}
		d := font.Drawer{Dst: img, Src: image.Black, Face: face, Dot: fixed.P(x+(cw-adv)/2, baseline)}
		d.DrawString(str)
	}
	threshold(img)
	return img, nil
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
