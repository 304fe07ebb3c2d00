package printer

import (
	_ "embed"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// DejaVu Sans Mono (Bitstream Vera licence, font/LICENSE-DejaVu.txt) covers every
// Vietnamese letter; it draws the lines no code page covers and the PNG previews.
var (
	//go:embed font/DejaVuSansMono.ttf
	monoTTF []byte
	//go:embed font/DejaVuSansMono-Bold.ttf
	monoBoldTTF []byte
)

var (
	fontOnce       sync.Once
	monoFont, bold *opentype.Font
	fontErr        error
)

func loadFonts() {
	monoFont, fontErr = opentype.Parse(monoTTF)
	if fontErr == nil {
		bold, fontErr = opentype.Parse(monoBoldTTF)
	}
}

// face returns the embedded monospace face at a pixel height (the em size).
// font.Face values are not safe for concurrent use, so each call gets its own.
func face(px int, isBold bool) (font.Face, error) {
	fontOnce.Do(loadFonts)
	if fontErr != nil {
		return nil, fontErr
	}
	f := monoFont
	if isBold {
		f = bold
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingFull})
}

// CellSize is the size in dots of one character cell for font A (12×24) or B (9×17).
func CellSize(fontB bool) (w, h int) {
	if fontB {
		return 9, 17
	}
	return 12, 24
}

// RenderText draws s in the embedded font into a 1-bit-looking gray image width
// dots wide and one text line high, scaled by (sw, sh) like GS ! sizes, aligned
// left, centre or right. Black is 0, white 255.
func RenderText(s string, width int, fontB, isBold bool, sw, sh int, align Align) (*image.Gray, error) {
	cw, ch := CellSize(fontB)
	cw, ch = cw*sw, ch*sh
	// DejaVu Sans Mono advances 0.602 em: pick the em that fills a cell's width,
	// capped by the cell's height.
	px := int(float64(cw) / 0.602)
	if px > ch {
		px = ch
	}
	f, err := face(px, isBold)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img := image.NewGray(image.Rect(0, 0, width, ch))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	adv := font.MeasureString(f, s).Ceil()
	x := 0
	switch align {
	case AlignCenter:
		x = (width - adv) / 2
	case AlignRight:
		x = width - adv
	}
	if x < 0 {
		x = 0
	}
	m := f.Metrics()
	// Centre the ascent+descent box in the cell.
	top := (ch - (m.Ascent + m.Descent).Ceil()) / 2
	d := font.Drawer{Dst: img, Src: image.Black, Face: f, Dot: fixed.P(x, top+m.Ascent.Ceil())}
	d.DrawString(s)
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
