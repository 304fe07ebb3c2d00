package printer

import (
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
)

// Render limits: a preview taller than this is cut short (a long Z-report is
// a few thousand rows; a stream of feeds should not make a gigabyte image).
const (
	maxRenderRows  = 1 << 15
	maxRenderWidth = 4096
	cutRows        = 12
)

// Render draws the document as it would come out of the printer: paper-wide,
// white, black dots. Text lines use the embedded font in cells of 12×24 dots
// (font A) or 9×17 (font B) times the GS ! size; images, QR codes and barcodes
// are placed by their ESC a alignment; a barcode is a placeholder (bars drawn
// from the data bytes, not a scannable CODE128) with its text; each cut is a
// dashed line. Previews stop at 32768 rows and 4096 dots across.
func (d *Document) Render() *image.Gray {
	width := d.Width
	if width <= 0 {
		width = defaultWidthDots
	}
	width = min(width, maxRenderWidth)
	type block struct {
		img  *image.Gray // nil: blank paper
		x, h int
	}
	var blocks []block
	total := 0
	add := func(img *image.Gray, x, h int) bool {
		if h <= 0 {
			return true
		}
		if total+h > maxRenderRows {
			return false
		}
		blocks = append(blocks, block{img, x, h})
		total += h
		return true
	}
elements:
	for _, el := range d.Elements {
		ok := true
		switch el.Kind {
		case ElementText:
			img := renderLine(el.Line, width)
			ok = add(img, 0, img.Rect.Dy())
		case ElementImage:
			if el.Image != nil {
				ok = add(el.Image, alignX(el.Align, el.Image.Rect.Dx(), width), el.Image.Rect.Dy())
			}
		case ElementQR:
			img := renderQR(el)
			ok = add(img, alignX(el.Align, img.Rect.Dx(), width), img.Rect.Dy())
		case ElementBarcode:
			img := renderBarcode(el, width)
			ok = add(img, 0, img.Rect.Dy())
		case ElementFeed:
			ok = add(nil, 0, min(el.Dots, maxRenderRows))
		case ElementCut:
			ok = add(cutLine(width), 0, cutRows)
		}
		if !ok {
			break elements
		}
	}
	out := whiteGray(width, max(total, 1))
	y := 0
	for _, b := range blocks {
		if b.img != nil {
			r := image.Rect(b.x, y, b.x+b.img.Rect.Dx(), y+b.h)
			draw.Draw(out, r, b.img, b.img.Rect.Min, draw.Src)
		}
		y += b.h
	}
	return out
}

// RenderPNG writes Render as a PNG.
func (d *Document) RenderPNG(w io.Writer) error {
	if err := png.Encode(w, d.Render()); err != nil {
		return fmt.Errorf("receipt preview png: %w", err)
	}
	return nil
}

// alignX is where a thing w dots wide starts on paper width dots wide.
func alignX(a Align, w, width int) int {
	switch {
	case w >= width:
		return 0
	case a == AlignCenter:
		return (width - w) / 2
	case a == AlignRight:
		return width - w
	}
	return 0
}

func renderLine(l Line, width int) *image.Gray {
	sw, sh := clamp(l.Width, 1, 8), clamp(l.Height, 1, 8)
	cw, ch := CellSize(l.FontB)
	cw, ch = cw*sw, ch*sh
	img, err := RenderText(l.Text, width, l.FontB, l.Bold, sw, sh, l.Align)
	if err != nil {
		return whiteGray(width, ch) // the embedded font cannot fail to load; if it did, paper stays blank
	}
	adv := min(textWidth(l.Text)*cw, width)
	x0 := alignX(l.Align, adv, width)
	for t := 0; t < l.Underline && t < ch; t++ {
		row := img.Pix[(ch-1-t)*img.Stride:]
		for x := x0; x < x0+adv; x++ {
			row[x] = 0
		}
	}
	if l.Reverse {
		for y := 0; y < ch; y++ {
			row := img.Pix[y*img.Stride:]
			for x := x0; x < x0+adv; x++ {
				row[x] = 255 - row[x]
			}
		}
	}
	if l.UpsideDown {
		// A 180° turn: the pixel order reversed.
		p := img.Pix[:ch*img.Stride]
		for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
			p[i], p[j] = p[j], p[i]
		}
	}
	return img
}

func renderQR(el Element) *image.Gray {
	module := clamp(el.Module, 1, 16)
	img, err := QRImage(el.Data, module, el.Level)
	if err == nil {
		return img
	}
	// The printer would print nothing; the preview shows an empty frame where it
	// was asked for, so the failure is visible.
	n := 21 * module
	box := whiteGray(n, n)
	frame(box, 0, 0, n, n)
	return box
}

func frame(img *image.Gray, x0, y0, x1, y1 int) {
	for x := x0; x < x1; x++ {
		img.Pix[y0*img.Stride+x] = 0
		img.Pix[(y1-1)*img.Stride+x] = 0
	}
	for y := y0; y < y1; y++ {
		img.Pix[y*img.Stride+x0] = 0
		img.Pix[y*img.Stride+x1-1] = 0
	}
}

// renderBarcode draws a stand-in for a barcode: a start pattern, eleven modules
// per data byte and a stop pattern, with the text above and/or below (GS H).
func renderBarcode(el Element, width int) *image.Gray {
	mod := clamp(el.Module, 1, 6)
	h := clamp(el.Height, 1, 255)
	top, bottom := 0, 0
	if el.HRI&1 != 0 {
		top = 24
	}
	if el.HRI&2 != 0 {
		bottom = 24
	}
	img := whiteGray(width, top+h+bottom)
	bw := min((len(el.Data)*11+35)*mod, width)
	x := alignX(el.Align, bw, width)
	end := x + bw
	bars := func(pattern uint32, n int) {
		for i := n - 1; i >= 0; i-- {
			if pattern&(1<<i) != 0 {
				for dx := 0; dx < mod && x+dx < end; dx++ {
					for y := top; y < top+h; y++ {
						img.Pix[y*img.Stride+x+dx] = 0
					}
				}
			}
			x += mod
		}
	}
	bars(0b11010010000, 11) // CODE128 start B
	for i := 0; i < len(el.Data) && x < end; i++ {
		bars(0b10000000001|uint32(el.Data[i])<<2, 11)
	}
	bars(0b1100011101011, 13)
	text := func(y int) {
		t, err := RenderText(el.Data, width, false, false, 1, 1, el.Align)
		if err == nil {
			draw.Draw(img, image.Rect(0, y, width, y+24), t, image.Point{}, draw.Src)
		}
	}
	if top > 0 {
		text(0)
	}
	if bottom > 0 {
		text(top + h)
	}
	return img
}

func cutLine(width int) *image.Gray {
	img := whiteGray(width, cutRows)
	row := img.Pix[cutRows/2*img.Stride:]
	for x := 0; x < width; x++ {
		if x%14 < 8 {
			row[x] = 0
		}
	}
	return img
}
