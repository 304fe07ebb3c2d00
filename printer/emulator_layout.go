package printer

import (
	"image"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// cellW is the advance of one character in dots at the current font and size.
func (m *machine) cellW() int {
	cw, _ := CellSize(m.st.fontB)
	return cw * m.st.w
}

func (m *machine) lineHeight() int {
	_, ch := CellSize(m.st.fontB)
	return ch * m.st.h
}

// limit is the printable width in dots (GS L and GS W).
func (m *machine) limit() int {
	w := m.width - m.margin
	if m.area > 0 && m.area < w {
		w = m.area
	}
	return max(w, 1)
}

func (m *machine) open() {
	if m.lineOpen {
		return
	}
	m.lineOpen = true
	m.lineSt = Line{Align: m.st.align, Bold: m.st.bold, Underline: m.st.underline, FontB: m.st.fontB,
		Width: m.st.w, Height: m.st.h, Reverse: m.st.reverse, UpsideDown: m.st.upsideDown}
	m.cont = nil
}

// put adds a character taking cells character cells to the line, printing the
// line first when the character would not fit, as printers do.
func (m *machine) put(r rune, cells int) {
	adv := 0
	if !unicode.Is(unicode.Mn, r) {
		adv = m.cellW() * cells
	}
	if m.lineOpen && adv > 0 && m.x > 0 && m.x+adv > m.limit() {
		m.lineSt.Wrapped = true
		m.flushLine()
	}
	m.open()
	if len(m.line) >= maxLineRunes {
		return
	}
	m.line = append(m.line, r)
	if adv > 0 {
		m.cols++
	}
	m.x += adv
}

func (m *machine) pad(n int) {
	for ; n > 0 && len(m.line) < maxLineRunes; n-- {
		m.line = append(m.line, ' ')
		m.cols++
	}
}

// moveTo sets the print position to dots (ESC $), padding the text with spaces
// to the column that position falls in, so Text shows the columns as printed.
func (m *machine) moveTo(dots int) {
	if dots < 0 || dots > m.limit() {
		return // outside the printable area: ignored
	}
	m.open()
	if col := dots / m.cellW(); col > m.cols {
		m.pad(col - m.cols)
	}
	m.x = max(m.x, dots)
}

func (m *machine) tab() {
	next := -1
	if m.tabs == nil {
		next = (m.cols/8 + 1) * 8
	} else {
		for _, t := range m.tabs {
			if t > m.cols {
				next = t
				break
			}
		}
	}
	if next < 0 {
		return
	}
	x := m.x + (next-m.cols)*m.cellW()
	if x > m.limit() {
		return
	}
	m.open()
	m.pad(next - m.cols)
	m.x = x
}

// pending is the text in the line buffer.
func (m *machine) pending() string {
	if !m.lineOpen {
		return ""
	}
	return norm.NFC.String(string(m.line))
}

func (m *machine) flushLine() {
	ln := m.lineSt
	ln.Text = norm.NFC.String(string(m.line))
	m.doc.Lines = append(m.doc.Lines, ln)
	m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementText, Align: ln.Align, Line: ln})
	m.line, m.lineOpen, m.cols, m.x = m.line[:0], false, 0, 0
	m.cont = nil
}

// endLine prints what the line buffer holds; false when it held nothing.
func (m *machine) endLine() bool {
	if m.lineOpen {
		m.flushLine()
		m.stripe = false
		return true
	}
	if m.stripe {
		m.stripe, m.x = false, 0
		return true
	}
	return false
}

func (m *machine) feed(dots int) {
	if dots <= 0 {
		return
	}
	m.cont = nil
	if n := len(m.doc.Elements); n > 0 && m.doc.Elements[n-1].Kind == ElementFeed {
		m.doc.Elements[n-1].Dots += dots
		return
	}
	m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementFeed, Dots: dots})
}

// cut ends the document at a cut, or at the tear bar of a printer without a
// cutter.
func (m *machine) cut(tearOff bool) {
	m.endLine()
	m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementCut, TearOff: tearOff})
	m.doc.Cuts++
	m.cont = nil
	if m.split {
		m.docs = append(m.docs, m.doc)
		m.doc = m.newDoc()
	}
}

// tear ends the document when the printer stops mid-receipt: what was in the
// line buffer is lost, what printed stays on the torn-off paper.
func (m *machine) tear() {
	m.line, m.lineOpen, m.cols, m.x, m.stripe = m.line[:0], false, 0, 0, false
	m.cont = nil
	if m.split && !m.doc.empty() {
		m.torn = append(m.torn, m.doc)
		m.doc = m.newDoc()
	}
}

// addImage puts a band on paper, continuing the previous image when the band
// is its continuation (see Document).
func (m *machine) addImage(img *image.Gray, stripe bool) {
	els := m.doc.Elements
	if c := m.cont; c != nil && len(els) > 0 && els[len(els)-1].Image == c &&
		m.contStripe == stripe && m.contAlign == m.st.align && c.Rect.Dx() == img.Rect.Dx() &&
		(stripe || m.contRows >= MaxRasterBand) {
		// A new header over the grown pixels: the old image (which a snapshot may
		// hold) keeps its length, and append only writes past it.
		merged := &image.Gray{Pix: append(c.Pix, img.Pix...), Stride: c.Stride,
			Rect: image.Rect(0, 0, c.Rect.Dx(), c.Rect.Dy()+img.Rect.Dy())}
		els[len(els)-1].Image = merged
		m.doc.Images[len(m.doc.Images)-1] = merged
		m.cont, m.contRows = merged, img.Rect.Dy()
		return
	}
	m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementImage, Align: m.st.align, Image: img})
	m.doc.Images = append(m.doc.Images, img)
	m.cont, m.contRows, m.contAlign, m.contStripe = img, img.Rect.Dy(), m.st.align, stripe
}

func whiteGray(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}
