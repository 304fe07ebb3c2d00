package printer

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// aloneInk measures glyphs drawn alone, with nothing around them to squeeze or
// clip them: the reference each letter of a line is compared with.
type aloneInk struct {
	f     *opentype.Font
	faces map[int]font.Face
}

func newAloneInk(t *testing.T, isBold bool) *aloneInk {
	t.Helper()
	ttf := FontTTF()
	if isBold {
		ttf = sansBoldTTF
	}
	f, err := opentype.Parse(ttf)
	if err != nil {
		t.Fatal(err)
	}
	a := &aloneInk{f: f, faces: map[int]font.Face{}}
	t.Cleanup(func() {
		for _, face := range a.faces {
			face.Close()
		}
	})
	return a
}

// size is the width and height in dots of s's printed ink (alpha at least a
// half) when drawn alone at px.
func (a *aloneInk) size(t *testing.T, s string, px int) (w, h int) {
	face, ok := a.faces[px]
	if !ok {
		var err error
		face, err = opentype.NewFace(a.f, &opentype.FaceOptions{Size: float64(px), DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			t.Fatal(err)
		}
		a.faces[px] = face
	}
	canvas := image.NewGray(image.Rect(0, 0, 4*px, 3*px))
	for i := range canvas.Pix {
		canvas.Pix[i] = 255
	}
	d := font.Drawer{Dst: canvas, Src: image.Black, Face: face, Dot: fixed.P(px, 2*px)}
	d.DrawString(s)
	box := inkBox(canvas, canvas.Rect)
	return box.Dx(), box.Dy()
}

// inkBox is the box of the black pixels of img inside r (empty when none).
func inkBox(img *image.Gray, r image.Rectangle) image.Rectangle {
	box := image.Rectangle{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.GrayAt(x, y).Y < 128 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

// previewOf prints lines on a printer of profile p and decodes the PNG preview
// the virtual printer would write.
func previewOf(t *testing.T, p Profile, isBold, fontB bool, lines ...string) *image.Gray {
	t.Helper()
	e := NewEncoder(p)
	e.Init().Bold(isBold).FontB(fontB)
	for _, l := range lines {
		e.Line(l)
	}
	if e.Err() != nil {
		t.Fatal(e.Err())
	}
	doc, err := Decode(e.Bytes(), p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := doc.RenderPNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		t.Fatalf("the preview is a %T, want a gray PNG", img)
	}
	return g
}

// TestWideLettersDrawWhole: in the PNG preview and in the lines drawn for a
// printer without a Vietnamese code page, every letter keeps the size it has
// when drawn alone — a wide M, m, O, W or % is narrowed into its cell, never
// shrunk into a small capital or a lower-case look-alike ("HTX ong mật U ᴍinh"),
// and a capital with two marks keeps its top mark — and a blank column
// separates each letter from the next.
func TestWideLettersDrawWhole(t *testing.T) {
	lines := []string{
		"HTX Ong mật U Minh Hạ — MWOM%",
		"ẪỖẤ ĐẶC SẢN ỘỢỰ gjpqy Ỹ @ mmm",
	}
	cases := []struct {
		name    string
		profile string
		bold    bool
		fontB   bool
	}{
		{"a text line in the preview", "epson-tm-t20", false, false},
		{"a bold text line in the preview", "epson-tm-t20", true, false},
		{"a font B text line in the preview", "epson-tm-t20", false, true},
		{"a line drawn for a printer without a Vietnamese page", "generic-58", false, false},
		{"a bold line drawn for a printer without a Vietnamese page", "generic-58", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := previewOf(t, Profiles[c.profile], c.bold, c.fontB, lines...)
			alone := newAloneInk(t, c.bold)
			cw, ch := CellSize(c.fontB)
			type glyph struct {
				r    rune
				cell image.Rectangle
				box  image.Rectangle
			}
			var glyphs []glyph
			for li, line := range lines {
				for i, r := range []rune(norm.NFC.String(substitute(line))) {
					if r == ' ' {
						continue
					}
					cell := image.Rect(i*cw, li*ch, (i+1)*cw, (li+1)*ch)
					glyphs = append(glyphs, glyph{r, cell, inkBox(img, cell)})
				}
			}
			// The letters are drawn at one size of the font: the one at which
			// most of them look as they do alone.
			matches := func(g glyph, px int) (ok bool, w, h int) {
				w, h = alone.size(t, string(g.r), px)
				w = min(w, cw-1)
				return abs(g.box.Dx()-w) <= 1 && abs(g.box.Dy()-h) <= 1, w, h
			}
			px, best := 0, -1
			for size := 6; size <= 2*ch; size++ {
				n := 0
				for _, g := range glyphs {
					if ok, _, _ := matches(g, size); ok {
						n++
					}
				}
				if n > best {
					px, best = size, n
				}
			}
			for i, g := range glyphs {
				what := fmt.Sprintf("%q at %v", g.r, g.cell.Min)
				if g.box.Empty() {
					t.Errorf("%s: no ink", what)
					continue
				}
				if ok, w, h := matches(g, px); !ok {
					t.Errorf("%s: %d×%d dots; drawn alone at %d px it is %d×%d (at most a cell less a blank column wide):%s",
						what, g.box.Dx(), g.box.Dy(), px, w, h, shape(img, g.cell))
				}
				if i+1 < len(glyphs) && glyphs[i+1].cell.Min == image.Pt(g.cell.Max.X, g.cell.Min.Y) &&
					g.box.Max.X == g.cell.Max.X && glyphs[i+1].box.Min.X == g.cell.Max.X {
					t.Errorf("%s touches the letter after it", what)
				}
			}
		})
	}
}

func abs(v int) int { return max(v, -v) }

// shape draws a cell as text, for a failure message.
func shape(img *image.Gray, r image.Rectangle) string {
	var b strings.Builder
	b.WriteByte('\n')
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.GrayAt(x, y).Y < 128 {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
