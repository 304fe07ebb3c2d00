package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"slices"
	"sort"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The emulator reads ESC/POS the way a receipt printer does: command by command,
// with the printer's settings (code page, alignment, emphasis, size…) carried from
// one command to the next, and text collected in a line buffer that prints at LF.
// Decode reads a whole stream; Emulator is the same machine as a device that takes
// bytes in any chunking and answers DLE EOT, for tests and the virtual printer.

// Limits that keep hostile or broken streams from exhausting memory. A real
// 80 mm printer never needs more than 72 bytes a raster row.
const (
	maxRasterRowBytes = 8 << 10  // GS v 0 bytes per row
	maxRasterBytes    = 16 << 20 // GS v 0, GS 8 L, GS * data in one command
	maxLineRunes      = 4096     // runes one line holds (only combining marks get near)
	maxUnknown        = 1000     // Unknown entries kept per document
	maxBarcodeA       = 255      // GS k m=0…6 data before its NUL
	maxReplies        = 4096     // unread DLE EOT replies kept
	tearOffLines      = 4        // ESC d n that ends a receipt on a printer without a cutter
	defaultWidthDots  = 576
)

// ElementKind says what an Element is.
type ElementKind uint8

// Element kinds, in the order a printer can put them on paper.
const (
	ElementText    ElementKind = iota + 1 // a text line (Element.Line)
	ElementImage                          // a raster image (Element.Image)
	ElementQR                             // a native QR code (Element.Data)
	ElementBarcode                        // a 1-D barcode (Element.Data)
	ElementFeed                           // paper fed with nothing printed (Element.Dots)
	ElementCut                            // the paper was cut
)

func (k ElementKind) String() string {
	switch k {
	case ElementText:
		return "text"
	case ElementImage:
		return "image"
	case ElementQR:
		return "qr"
	case ElementBarcode:
		return "barcode"
	case ElementFeed:
		return "feed"
	case ElementCut:
		return "cut"
	}
	return fmt.Sprintf("ElementKind(%d)", uint8(k))
}

// Line is one printed text line with the settings it printed in (taken when its
// first character entered the line buffer).
type Line struct {
	Text       string // Unicode, NFC: CP1258 base letter + tone mark come back as one letter
	Align      Align
	Bold       bool
	Underline  int // dots thick: 0 none, 1 or 2
	FontB      bool
	Width      int // GS ! (or ESC !) multipliers, 1…8
	Height     int
	Reverse    bool // GS B: white on black
	UpsideDown bool // ESC {
	// Wrapped: the text ran past the printable width and the printer broke the
	// line here; the rest is on the next Line. A layout that fits never wraps.
	Wrapped bool
}

// Element is one thing on the paper, in print order. Which fields mean something
// depends on Kind.
type Element struct {
	Kind  ElementKind
	Align Align       // ESC a in effect: images, QR codes and barcodes are aligned by it
	Line  Line        // ElementText
	Image *image.Gray // ElementImage: black 0, white 255, as printed (scaled, clipped to the paper)
	// Data is the QR payload or the barcode's text (CODE128 code-set selectors and
	// function characters removed, code set C digits expanded).
	Data      string
	Symbology byte // ElementBarcode: GS k m in the 65…79 numbering (73 CODE128, 67 EAN-13)
	Module    int  // QR module size (GS ( k fn 67) or barcode module width (GS w), dots
	Level     byte // QR error correction (48…51 = L, M, Q, H)
	Height    int  // barcode height (GS h), dots
	HRI       byte // barcode text position (GS H): 0 none, 1 above, 2 below, 3 both
	Dots      int  // ElementFeed: dots fed
	// TearOff marks an ElementCut that is no cut: a printer without a cutter
	// (Profile.Cutter false) fed ESC d n with n ≥ 4, the Encoder's way of ending
	// a receipt at the tear bar.
	TearOff bool
}

// Document is what a printer printed from a stream (Decode), or between two cuts
// (Emulator.Receipts).
//
// Raster images: each GS v 0 command is one image, except that a band following a
// band of MaxRasterBand (255) rows or more, of the same width and alignment with
// nothing printed in between, continues that image — the way Encoder.Image splits
// a tall picture. So a logo comes back whole and each rasterised text line (at
// most 192 rows) comes back as its own image. ESC * stripes that follow each
// other (separated only by LF or ESC J) are likewise joined into one image.
type Document struct {
	Width    int // paper width in dots (the profile's WidthDots)
	Elements []Element
	Lines    []Line
	QRCodes  []string // payloads of the QR codes printed (GS ( k fn 81)
	Barcodes []string
	Images   []*image.Gray
	Cuts     int    // cuts, and tear-offs on a printer without a cutter (Element.TearOff)
	Pulses   int    // cash drawer pulses (ESC p, DLE DC4 1)
	Pages    []byte // every ESC t n, in order
	// Unknown describes each byte sequence the printer would not understand or
	// that the emulator does not draw (page mode, NV images…), with its offset in
	// the stream. Only the first 1000 are kept.
	Unknown []string
	// Unprinted is text left in the line buffer: received but not printed,
	// because no LF (or other printing command) followed it.
	Unprinted string
}

// Text is the printed text lines joined with "\n".
func (d *Document) Text() string {
	var b bytes.Buffer
	for i, l := range d.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Text)
	}
	return b.String()
}

func (d *Document) empty() bool {
	return len(d.Elements) == 0 && d.Pulses == 0 && len(d.Pages) == 0 && len(d.Unknown) == 0
}

// clone copies the slices so that the copy stays as it is while the emulator
// goes on printing. Images are never changed once in a Document (a continued
// image is a new *image.Gray), so they are shared.
func (d *Document) clone() *Document {
	c := *d
	c.Elements = slices.Clone(d.Elements)
	c.Lines = slices.Clone(d.Lines)
	c.QRCodes = slices.Clone(d.QRCodes)
	c.Barcodes = slices.Clone(d.Barcodes)
	c.Images = slices.Clone(d.Images)
	c.Pages = slices.Clone(d.Pages)
	c.Unknown = slices.Clone(d.Unknown)
	return &c
}

// TruncatedError is Decode's error for a stream that ends inside a command.
type TruncatedError struct {
	Command string // the command as the manual spells it, e.g. "GS v 0"
	Offset  int    // where it starts in the stream
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("truncated %s at offset %d", e.Command, e.Offset)
}

// Decode reads a complete ESC/POS stream as a printer with profile p would print
// it: every cut stays in the one Document. A stream that ends inside a command
// gives a *TruncatedError, with the Document of everything before it. Bytes the
// printer would not understand are listed in Document.Unknown, not errors.
//
// Like the clones it describes, a profile with LeaveChinese starts (and returns
// after ESC @) in Chinese double-byte mode, so a stream that forgets FS . decodes
// as garbage, as it would print.
func Decode(stream []byte, p Profile) (*Document, error) {
	m := newMachine(p, false)
	m.status = false // nobody reads the replies
	m.buf = stream   // only ever resliced, never written
	m.run()
	m.doc.Unprinted = m.pending()
	if len(m.buf) > 0 {
		return m.doc, &TruncatedError{Command: m.waiting, Offset: m.off}
	}
	return m.doc, nil
}

// style is the printer's character and line settings.
type style struct {
	align      Align
	bold       bool
	underline  int
	fontB      bool
	w, h       int
	reverse    bool
	upsideDown bool
}

// machine is the printer: settings, line buffer and the parser's unread bytes.
type machine struct {
	p      Profile
	width  int
	split  bool // a cut ends a document (Emulator) or not (Decode)
	status bool // answers DLE EOT
	state  State
	ready  bool

	buf     []byte // bytes not yet parsed; buf[0] starts a command
	off     int    // stream offset of buf[0]
	waiting string // the command buf[0] starts, when it is incomplete

	st      style
	page    *Charset
	chinese bool
	tabs    []int // nil: every 8 columns
	margin  int   // GS L
	area    int   // GS W, 0 = to the right edge

	line     []rune
	lineSt   Line
	lineOpen bool
	cols     int  // columns taken on the line (combining marks take none)
	x        int  // print position in dots
	stripe   bool // an ESC * stripe waits for the LF that prints it

	cont       *image.Gray // the last image, which the next band may continue
	contRows   int         // rows of the band that made it
	contAlign  Align
	contStripe bool

	qrData   string
	qrModule int
	qrLevel  byte
	barH     int
	barW     int
	hri      byte

	doc     *Document
	docs    []*Document // cut documents (split)
	torn    []*Document // documents ended by a fault (split)
	replies []byte
}

func newMachine(p Profile, split bool) *machine {
	m := &machine{p: p, split: split, status: p.Status, state: State{Known: true, Online: true}, ready: true}
	m.width = p.WidthDots
	if m.width <= 0 {
		m.width = defaultWidthDots
	}
	m.doc = m.newDoc()
	m.powerOn()
	return m
}

func (m *machine) newDoc() *Document { return &Document{Width: m.width} }

// powerOn sets what ESC @ sets, without the complaint about unprinted text.
func (m *machine) powerOn() {
	m.line, m.lineOpen, m.cols, m.x, m.stripe = m.line[:0], false, 0, 0, false
	m.st = style{w: 1, h: 1}
	m.page = Charsets[PageCP437]
	m.chinese = m.p.LeaveChinese
	m.tabs, m.margin, m.area = nil, 0, 0
	m.qrData, m.qrModule, m.qrLevel = "", 3, QRLevelL
	m.barH, m.barW, m.hri = 162, 3, 0
	m.cont = nil
}

// run parses as many whole commands as buf holds.
func (m *machine) run() {
	for len(m.buf) > 0 {
		n, need := m.step(m.buf)
		if n == 0 {
			m.waiting = need
			return
		}
		m.buf = m.buf[n:]
		m.off += n
	}
	m.buf, m.waiting = nil, ""
}

func (m *machine) unknown(format string, args ...any) {
	if len(m.doc.Unknown) >= maxUnknown {
		return
	}
	m.doc.Unknown = append(m.doc.Unknown, fmt.Sprintf(format, args...)+fmt.Sprintf(" at offset %d", m.off))
}

// step reads the command at b[0]. It returns how many bytes the command takes,
// or 0 and the command's name when b holds only part of it. Each call either
// consumes at least one byte or asks for more, so parsing always ends. While the
// printer is not ready everything but DLE EOT is parsed and thrown away.
func (m *machine) step(b []byte) (int, string) {
	exec := m.ready
	c := b[0]
	switch c {
	case ESC:
		return m.stepESC(b, exec)
	case GS:
		return m.stepGS(b, exec)
	case FS:
		return m.stepFS(b, exec)
	case DLE:
		return m.stepDLE(b, exec)
	case LF:
		if exec {
			if !m.endLine() {
				m.open()
				m.flushLine()
			}
		}
		return 1, ""
	case '\t':
		if exec {
			m.tab()
		}
		return 1, ""
	case '\r', 0x0C, 0x18: // CR; FF and CAN only act in page mode
		return 1, ""
	}
	if c < 0x20 || c == 0x7F {
		if exec {
			m.unknown("control byte 0x%02X", c)
		}
		return 1, ""
	}
	if c >= 0x80 && m.chinese {
		if len(b) < 2 {
			return 0, "double-byte character"
		}
		if exec {
			m.unknown("Chinese-mode character 0x%02X 0x%02X", c, b[1])
			m.put('\uFFFD', 2)
		}
		return 2, ""
	}
	if exec {
		r, ok := m.page.Decode(c)
		if !ok {
			m.unknown("byte 0x%02X not on code page %s", c, m.page.Name)
			r = '\uFFFD'
		}
		m.put(r, 1)
	}
	return 1, ""
}

// param012 maps the 0/1/2 or '0'/'1'/'2' forms of a one-byte parameter to 0…2.
func param012(n byte) (int, bool) {
	if n >= '0' {
		n -= '0'
	}
	return int(n), n <= 2
}

func (m *machine) stepESC(b []byte, exec bool) (int, string) {
	if len(b) < 2 {
		return 0, "ESC"
	}
	name := "ESC " + string(rune(b[1]))
	fixed := func(n int) (int, string) { // a command of n bytes that needs nothing done
		if len(b) < n {
			return 0, name
		}
		return n, ""
	}
	switch b[1] {
	case '@':
		if exec {
			if m.lineOpen && m.cols > 0 {
				m.unknown("ESC @ discarded unprinted text %q", m.pending())
			}
			m.powerOn()
		}
		return 2, ""
	case 'i', 'm':
		if exec {
			m.cut(false)
		}
		return 2, ""
	case '2', '<', 'S': // default line spacing; return home; standard mode
		return 2, ""
	case '3', ' ', '%', '=', 'R', 'r', 'V', 'U', 'e', 'T', '?':
		// line spacing, character spacing, user characters on/off, peripheral,
		// international set, colour, 90° rotation, unidirectional, reverse feed,
		// page-mode direction, cancel user character: nothing to draw.
		return fixed(3)
	case 'W': // page-mode print area
		return fixed(10)
	case '(': // ESC ( A (beeper), ESC ( Y…: fn pL pH and pL+pH·256 bytes
		if len(b) < 5 {
			return 0, "ESC ("
		}
		n := 5 + (int(b[3]) | int(b[4])<<8)
		if len(b) < n {
			return 0, "ESC ( " + string(rune(b[2]))
		}
		if exec {
			m.unknown("ESC ( %c not emulated", b[2])
		}
		return n, ""
	case 'L':
		if exec {
			m.unknown("ESC L (page mode) not emulated")
		}
		return 2, ""
	case 'c':
		if len(b) < 3 {
			return 0, name
		}
		if b[2] >= '3' && b[2] <= '5' { // paper sensors, panel buttons
			return fixed(4)
		}
		if exec {
			m.unknown("ESC c 0x%02X", b[2])
		}
		return 3, ""
	}
	if len(b) < 3 {
		switch b[1] {
		case '!', '-', 'E', 'G', 'M', 'a', 'd', 'J', 't', '{', '$', '\\', 'p', '*', '&', 'D':
			return 0, name
		}
	}
	switch b[1] {
	case '!':
		if exec {
			n := b[2]
			m.st.fontB = n&0x01 != 0
			m.st.bold = n&0x08 != 0
			m.st.h = 1 + int(n>>4&1)
			m.st.w = 1 + int(n>>5&1)
			m.st.underline = 0
			if n&0x80 != 0 {
				m.st.underline = 1
			}
		}
		return 3, ""
	case '-':
		if exec {
			if v, ok := param012(b[2]); ok {
				m.st.underline = v
			} else {
				m.unknown("ESC - %d", b[2])
			}
		}
		return 3, ""
	case 'E', 'G':
		if exec {
			m.st.bold = b[2]&1 != 0
		}
		return 3, ""
	case 'M':
		if exec {
			switch v, _ := param012(b[2]); v {
			case 0:
				m.st.fontB = false
			case 1:
				m.st.fontB = true
			default:
				m.unknown("ESC M %d (font not emulated)", b[2])
			}
		}
		return 3, ""
	case 'a':
		if exec {
			if v, ok := param012(b[2]); ok {
				m.st.align = Align(v)
			} else {
				m.unknown("ESC a %d", b[2])
			}
		}
		return 3, ""
	case '{':
		if exec {
			m.st.upsideDown = b[2]&1 != 0
		}
		return 3, ""
	case 't':
		if exec {
			m.selectPage(b[2])
		}
		return 3, ""
	case 'd':
		if exec {
			n := int(b[2])
			if m.endLine() && n > 0 {
				n--
			}
			m.feed(n * m.lineHeight())
			if !m.p.Cutter && b[2] >= tearOffLines {
				m.cut(true)
			}
		}
		return 3, ""
	case 'J':
		if exec {
			if m.stripe && !m.lineOpen {
				m.stripe, m.x = false, 0 // the stripe's own feed
			} else {
				m.endLine()
				m.feed(int(b[2]))
			}
		}
		return 3, ""
	case '$', '\\':
		if len(b) < 4 {
			return 0, name
		}
		if exec {
			d := int(b[2]) | int(b[3])<<8
			if b[1] == '\\' {
				d = m.x + int(int16(uint16(d)))
			}
			m.moveTo(d)
		}
		return 4, ""
	case 'p':
		if len(b) < 5 {
			return 0, name
		}
		if exec {
			m.doc.Pulses++
		}
		return 5, ""
	case '*':
		return m.bitImage(b, exec)
	case '&':
		return m.userChars(b, exec)
	case 'D':
		return m.tabStops(b, exec)
	}
	if exec {
		m.unknown("ESC 0x%02X", b[1])
	}
	return 2, ""
}

func (m *machine) stepGS(b []byte, exec bool) (int, string) {
	if len(b) < 2 {
		return 0, "GS"
	}
	name := "GS " + string(rune(b[1]))
	need := func(n int) bool { return len(b) >= n }
	switch b[1] {
	case ':': // macro start/end
		return 2, ""
	case '!':
		if !need(3) {
			return 0, name
		}
		if exec {
			w, h := int(b[2]>>4)+1, int(b[2]&0x0F)+1
			if w > 8 || h > 8 {
				m.unknown("GS ! 0x%02X", b[2])
			} else {
				m.st.w, m.st.h = w, h
			}
		}
		return 3, ""
	case 'B':
		if !need(3) {
			return 0, name
		}
		if exec {
			m.st.reverse = b[2]&1 != 0
		}
		return 3, ""
	case 'h':
		if !need(3) {
			return 0, name
		}
		if exec && b[2] > 0 {
			m.barH = int(b[2])
		}
		return 3, ""
	case 'w':
		if !need(3) {
			return 0, name
		}
		if exec && b[2] > 0 {
			m.barW = int(b[2])
		}
		return 3, ""
	case 'H':
		if !need(3) {
			return 0, name
		}
		if exec {
			m.hri = b[2] & 3
		}
		return 3, ""
	case 'f', 'b', 'a', 'r', 'I', 'T', '/', 'E', 'j':
		// HRI font, smoothing, auto status back, status/ID transmission,
		// print position, downloaded image print, print density: nothing drawn.
		if !need(3) {
			return 0, name
		}
		return 3, ""
	case 'L', 'W':
		if !need(4) {
			return 0, name
		}
		if exec {
			v := int(b[2]) | int(b[3])<<8
			if b[1] == 'L' {
				m.margin = v
			} else {
				m.area = v
			}
		}
		return 4, ""
	case 'P', '$', '\\':
		if !need(4) {
			return 0, name
		}
		return 4, ""
	case '^':
		if !need(5) {
			return 0, name
		}
		return 5, ""
	case 'V':
		if !need(3) {
			return 0, name
		}
		switch b[2] {
		case 0, 1, '0', '1':
			if exec {
				m.cut(false)
			}
			return 3, ""
		case 65, 66, 97, 98, 103, 104:
			if !need(4) {
				return 0, name
			}
			if exec {
				m.cut(false)
			}
			return 4, ""
		}
		if exec {
			m.unknown("GS V %d", b[2])
		}
		return 3, ""
	case 'v':
		if !need(3) {
			return 0, name
		}
		if b[2] != '0' {
			if exec {
				m.unknown("GS v 0x%02X", b[2])
			}
			return 3, ""
		}
		return m.raster(b, exec)
	case 'k':
		return m.barcode(b, exec)
	case '(':
		return m.gsParen(b, exec)
	case '8':
		if !need(7) {
			return 0, name
		}
		if b[2] != 'L' {
			if exec {
				m.unknown("GS 8 0x%02X", b[2])
			}
			return 3, ""
		}
		n := int(b[3]) | int(b[4])<<8 | int(b[5])<<16 | int(b[6])<<24
		if n > maxRasterBytes {
			if exec {
				m.unknown("GS 8 L of %d bytes too large", n)
			}
			return 7, ""
		}
		if !need(7 + n) {
			return 0, "GS 8 L"
		}
		if exec {
			m.unknown("GS 8 L (graphics) not emulated")
		}
		return 7 + n, ""
	case '*':
		if !need(4) {
			return 0, name
		}
		n := 4 + int(b[2])*int(b[3])*8
		if !need(n) {
			return 0, name
		}
		if exec {
			m.unknown("GS * (downloaded bit image) not emulated")
		}
		return n, ""
	}
	if exec {
		m.unknown("GS 0x%02X", b[1])
	}
	return 2, ""
}

func (m *machine) stepFS(b []byte, exec bool) (int, string) {
	if len(b) < 2 {
		return 0, "FS"
	}
	name := "FS " + string(rune(b[1]))
	switch b[1] {
	case '.', '&':
		if exec {
			m.chinese = b[1] == '&'
		}
		return 2, ""
	case '!', '-', 'C', 'W': // Kanji print mode, underline, code system, size
		if len(b) < 3 {
			return 0, name
		}
		return 3, ""
	case 'S':
		if len(b) < 4 {
			return 0, name
		}
		return 4, ""
	case 'p':
		if len(b) < 4 {
			return 0, name
		}
		if exec {
			m.endLine()
			m.unknown("FS p (NV bit image) not emulated")
		}
		return 4, ""
	}
	if exec {
		m.unknown("FS 0x%02X", b[1])
	}
	return 2, ""
}

func (m *machine) stepDLE(b []byte, exec bool) (int, string) {
	if len(b) < 2 {
		return 0, "DLE"
	}
	switch b[1] {
	case EOT:
		if len(b) < 3 {
			return 0, "DLE EOT"
		}
		switch b[2] {
		case 1, 2, 3, 4:
			m.reply(b[2]) // answered even when offline: that is the point of it
			return 3, ""
		case 7, 8:
			if len(b) < 4 {
				return 0, "DLE EOT"
			}
			return 4, ""
		}
		if exec {
			m.unknown("DLE EOT %d", b[2])
		}
		return 3, ""
	case 0x05: // DLE ENQ: real-time request to recover
		if len(b) < 3 {
			return 0, "DLE ENQ"
		}
		return 3, ""
	case 0x14: // DLE DC4
		if len(b) < 3 {
			return 0, "DLE DC4"
		}
		n := 0
		switch b[2] {
		case 1, 2: // pulse, power off
			n = 5
		case 7:
			n = 4
		case 8: // clear buffers
			n = 10
		default:
			if exec {
				m.unknown("DLE DC4 %d", b[2])
			}
			return 3, ""
		}
		if len(b) < n {
			return 0, "DLE DC4"
		}
		if exec {
			switch b[2] {
			case 1:
				m.doc.Pulses++
			case 8:
				m.line, m.lineOpen, m.cols, m.x = m.line[:0], false, 0, 0
			}
		}
		return n, ""
	}
	if exec {
		m.unknown("DLE 0x%02X", b[1])
	}
	return 1, ""
}

// reply queues the answer to DLE EOT n.
func (m *machine) reply(n byte) {
	if !m.status || len(m.replies) >= maxReplies {
		return
	}
	pr, off, paper := StatusReplies(m.state)
	switch n {
	case 1:
		m.replies = append(m.replies, pr)
	case 2:
		m.replies = append(m.replies, off)
	case 3:
		m.replies = append(m.replies, statusFixed)
	case 4:
		m.replies = append(m.replies, paper)
	}
}

func (m *machine) selectPage(n byte) {
	m.doc.Pages = append(m.doc.Pages, n)
	names := make([]string, 0, len(m.p.Pages))
	for name := range m.p.Pages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if m.p.Pages[name] == n {
			if cs := Charsets[name]; cs != nil {
				m.page = cs
				return
			}
		}
	}
	m.page = Charsets[PageCP437]
	if n != 0 {
		m.unknown("ESC t %d (code page not in profile %s; read as CP437)", n, m.p.Name)
	}
}

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

// raster is GS v 0 m xL xH yL yH d…: rows of xL+xH·256 bytes, top bit left.
func (m *machine) raster(b []byte, exec bool) (int, string) {
	if len(b) < 8 {
		return 0, "GS v 0"
	}
	mode := b[3]
	bpr := int(b[4]) | int(b[5])<<8
	rows := int(b[6]) | int(b[7])<<8
	if bpr == 0 || rows == 0 {
		if exec {
			m.unknown("GS v 0 of %d×%d bytes", bpr, rows)
		}
		return 8, ""
	}
	if bpr > maxRasterRowBytes || bpr*rows > maxRasterBytes {
		// Not an image any printer takes: skip the header and read on, as a
		// printer that rejects the command would.
		if exec {
			m.unknown("GS v 0 of %d×%d bytes too large", bpr, rows)
		}
		return 8, ""
	}
	n := 8 + bpr*rows
	if len(b) < n {
		return 0, "GS v 0"
	}
	if !exec {
		return n, ""
	}
	if mode > 3 && (mode < '0' || mode > '3') {
		m.unknown("GS v 0 mode %d", mode)
	}
	sx, sy := 1, 1
	if mode&1 != 0 {
		sx = 2
	}
	if mode&2 != 0 {
		sy = 2
	}
	m.endLine()
	data := b[8:n]
	w := min(bpr*8*sx, m.width)
	img := whiteGray(w, rows*sy)
	for y := 0; y < rows; y++ {
		row := data[y*bpr : (y+1)*bpr]
		for x := 0; x < w; x++ {
			px := x / sx
			if row[px>>3]&(0x80>>(px&7)) == 0 {
				continue
			}
			for dy := 0; dy < sy; dy++ {
				img.Pix[(y*sy+dy)*img.Stride+x] = 0
			}
		}
	}
	m.addImage(img, false)
	return n, ""
}

// bitImage is ESC * m nL nH d…: one stripe of 8 or 24 dots, column by column.
func (m *machine) bitImage(b []byte, exec bool) (int, string) {
	if len(b) < 5 {
		return 0, "ESC *"
	}
	mode := b[2]
	k := int(b[3]) | int(b[4])<<8
	var rowsPerCol, sx int
	switch mode {
	case 0, 1:
		rowsPerCol = 8
	case 32, 33:
		rowsPerCol = 24
	default:
		if exec {
			m.unknown("ESC * mode %d", mode)
		}
		return 5, ""
	}
	sx = 1
	if mode == 0 || mode == 32 {
		sx = 2 // single density: each column is two dots wide
	}
	bpc := rowsPerCol / 8
	n := 5 + k*bpc
	if len(b) < n {
		return 0, "ESC *"
	}
	if !exec || k == 0 {
		return n, ""
	}
	if m.lineOpen {
		m.flushLine()
	}
	data := b[5:n]
	w := min(k*sx, m.width)
	img := whiteGray(w, rowsPerCol)
	for x := 0; x < w; x++ {
		col := data[(x/sx)*bpc : (x/sx+1)*bpc]
		for y := 0; y < rowsPerCol; y++ {
			if col[y>>3]&(0x80>>(y&7)) != 0 {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	m.addImage(img, true)
	m.stripe = true
	return n, ""
}

// userChars is ESC & y c1 c2 [x d1…d(y·x)]…: defined, never drawn.
func (m *machine) userChars(b []byte, exec bool) (int, string) {
	if len(b) < 5 {
		return 0, "ESC &"
	}
	y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
	pos := 5
	if c1 <= c2 {
		for c := c1; c <= c2; c++ {
			if len(b) < pos+1 {
				return 0, "ESC &"
			}
			pos += 1 + y*int(b[pos])
			if len(b) < pos {
				return 0, "ESC &"
			}
		}
	}
	if exec {
		m.unknown("ESC & (user-defined characters) not emulated")
	}
	return pos, ""
}

// tabStops is ESC D n1…nk NUL (k ≤ 32, ascending columns).
func (m *machine) tabStops(b []byte, exec bool) (int, string) {
	end := bytes.IndexByte(b[2:min(len(b), 2+33)], 0)
	if end < 0 {
		if len(b) < 2+33 {
			return 0, "ESC D"
		}
		if exec {
			m.unknown("ESC D without its NUL")
		}
		return 2, ""
	}
	if exec {
		m.tabs = []int{}
		prev := 0
		for _, t := range b[2 : 2+end] {
			if int(t) <= prev {
				break
			}
			m.tabs = append(m.tabs, int(t))
			prev = int(t)
		}
	}
	return 2 + end + 1, ""
}

// barcode is GS k in both forms: m = 0…6 with NUL-terminated data, m = 65…79
// with a length byte.
func (m *machine) barcode(b []byte, exec bool) (int, string) {
	if len(b) < 3 {
		return 0, "GS k"
	}
	sym := b[2]
	var data []byte
	var n int
	switch {
	case sym <= 6:
		end := bytes.IndexByte(b[3:min(len(b), 3+maxBarcodeA+1)], 0)
		if end < 0 {
			if len(b) < 3+maxBarcodeA+1 {
				return 0, "GS k"
			}
			if exec {
				m.unknown("GS k %d without its NUL", sym)
			}
			return 3, ""
		}
		data, n, sym = b[3:3+end], 3+end+1, sym+65
	case sym >= 65 && sym <= 79:
		if len(b) < 4 {
			return 0, "GS k"
		}
		n = 4 + int(b[3])
		if len(b) < n {
			return 0, "GS k"
		}
		data = b[4:n]
	default:
		if exec {
			m.unknown("GS k %d", sym)
		}
		return 3, ""
	}
	if !exec {
		return n, ""
	}
	text := latin1(data)
	if sym == 73 {
		text = code128Text(data)
	}
	m.endLine()
	m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementBarcode, Align: m.st.align, Data: text,
		Symbology: sym, Height: m.barH, Module: m.barW, HRI: m.hri})
	m.doc.Barcodes = append(m.doc.Barcodes, text)
	m.cont = nil
	return n, ""
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// code128Text is the human-readable text of GS k 73 data: "{A", "{B", "{C" select
// a code set, "{{" is a brace, "{S" and "{1"…"{4" (shift, FNC) print nothing, and
// in code set C each byte 0…99 is two digits.
func code128Text(data []byte) string {
	var out []rune
	set := byte('B')
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '{' && i+1 < len(data) {
			i++
			switch d := data[i]; d {
			case 'A', 'B', 'C':
				set = d
			case '{':
				out = append(out, '{')
			case 'S', '1', '2', '3', '4':
			default:
				out = append(out, '{', rune(d))
			}
			continue
		}
		if set == 'C' {
			if c < 100 {
				out = append(out, rune('0'+c/10), rune('0'+c%10))
			}
			continue
		}
		out = append(out, rune(c))
	}
	return string(out)
}

// gsParen is GS ( fn pL pH …, of which only GS ( k (QR) is drawn.
func (m *machine) gsParen(b []byte, exec bool) (int, string) {
	if len(b) < 5 {
		return 0, "GS ("
	}
	fn := b[2]
	name := "GS ( " + string(rune(fn))
	n := 5 + (int(b[3]) | int(b[4])<<8)
	if len(b) < n {
		return 0, name
	}
	if !exec {
		return n, ""
	}
	params := b[5:n]
	switch fn {
	case 'k':
		m.symbol(params)
	case 'K', 'D', 'E', 'H', 'M', 'N', 'P', 'Q', 'z':
		// print control, real-time switches, setup, response requests, page
		// mode, character effects: nothing drawn.
	default:
		if len(params) > 0 {
			m.unknown("GS ( %c fn %d not emulated", fn, params[0])
		} else {
			m.unknown("GS ( 0x%02X not emulated", fn)
		}
	}
	return n, ""
}

// symbol handles GS ( k cn fn …, the 2-D symbols; QR (cn 49) is emulated.
func (m *machine) symbol(p []byte) {
	if len(p) < 2 {
		m.unknown("GS ( k with %d parameter bytes", len(p))
		return
	}
	cn, fn := p[0], p[1]
	if cn != '1' {
		m.unknown("GS ( k cn %d fn %d (2-D symbol other than QR) not emulated", cn, fn)
		return
	}
	switch fn {
	case 'A', 'B', 'R': // model, micro QR size, size information
	case 'C':
		if len(p) > 2 && p[2] >= 1 && p[2] <= 16 {
			m.qrModule = int(p[2])
		}
	case 'E':
		if len(p) > 2 && p[2] >= QRLevelL && p[2] <= QRLevelH {
			m.qrLevel = p[2]
		}
	case 'P':
		if len(p) < 3 {
			m.unknown("GS ( k QR store without data")
			return
		}
		m.qrData = string(p[3:])
	case 'Q':
		if m.qrData == "" {
			m.unknown("GS ( k QR print with nothing stored")
			return
		}
		m.endLine()
		m.doc.Elements = append(m.doc.Elements, Element{Kind: ElementQR, Align: m.st.align, Data: m.qrData,
			Module: m.qrModule, Level: m.qrLevel})
		m.doc.QRCodes = append(m.doc.QRCodes, m.qrData)
		m.cont = nil
	default:
		m.unknown("GS ( k QR fn %d", fn)
	}
}

// Emulator is a virtual ESC/POS printer: it takes a byte stream in any
// chunking (a command may be split across writes), answers DLE EOT, and keeps
// what it printed. Give it the far end of a serial line (a socat pty pair) or a
// TCP 9100 connection with Serve, or write to it directly. Safe for concurrent use.
//
// While it is not ready (offline, paper out, cover open, error) it parses and
// discards everything it receives except DLE EOT, which it still answers — as
// printers do on a serial line. Going not-ready mid-receipt tears the receipt
// off: it is kept in Torn, never in Receipts.
type Emulator struct {
	mu sync.Mutex
	p  Profile
	m  *machine
}

// NewEmulator is a printer of profile p, online with paper.
func NewEmulator(p Profile) *Emulator {
	return &Emulator{p: p, m: newMachine(p, true)}
}

// Write feeds the printer. It always takes all of b.
func (e *Emulator) Write(b []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m.buf = append(e.m.buf, b...)
	e.m.run()
	return len(b), nil
}

// Read takes queued DLE EOT replies. It does not block: with none queued it
// returns 0, nil. A profile without Status never replies.
func (e *Emulator) Read(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := copy(p, e.m.replies)
	e.m.replies = e.m.replies[n:]
	if len(e.m.replies) == 0 {
		e.m.replies = nil
	}
	return n, nil
}

func (e *Emulator) takeReplies() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.m.replies
	e.m.replies = nil
	return r
}

// SetState sets what the printer reports (Known is implied). Leaving the ready
// state mid-receipt tears the receipt off (see Torn).
func (e *Emulator) SetState(s State) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s.Known = true
	m := e.m
	was := m.ready
	m.state = s
	m.ready = s.Online && !s.PaperOut && !s.CoverOpen && !s.Error
	if was && !m.ready {
		m.tear()
	}
}

// State is what the printer reports.
func (e *Emulator) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m.state
}

// Receipts are the documents completed by a cut while ready, in order. On a
// printer without a cutter the Encoder's tear-off feed (ESC d 4 or more) counts
// as the cut.
func (e *Emulator) Receipts() []*Document {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.m.docs)
}

// Torn are the documents the printer stopped in the middle of (it went offline,
// ran out of paper…) before their cut: the paper a vendor tears off and throws
// away.
func (e *Emulator) Torn() []*Document {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.m.torn)
}

// Current is what printed since the last cut, with Unprinted holding text still
// in the line buffer; nil when nothing has, so that "the next receipt has
// started" reads Current() != nil.
func (e *Emulator) Current() *Document {
	e.mu.Lock()
	defer e.mu.Unlock()
	pending := e.m.pending()
	if e.m.doc.empty() && pending == "" {
		return nil
	}
	d := e.m.doc.clone()
	d.Unprinted = pending
	return d
}

// Reset is a power cycle that also empties the paper log: settings, partial
// commands, replies and every document are dropped. The state stays.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.m.state
	e.m = newMachine(e.p, true)
	e.m.state = st
	e.m.ready = st.Online && !st.PaperOut && !st.CoverOpen && !st.Error
}

// Serve is the printer's end of a line: it reads rw until EOF (then returns
// nil) or a read error, feeds Write, and writes DLE EOT replies back to rw as
// soon as they are due. When ctx is done it returns ctx.Err(); a blocked Read is
// woken only when rw has SetReadDeadline (net.Conn, *os.File on a pty or pipe).
// Use either Serve or Read, not both.
func (e *Emulator) Serve(ctx context.Context, rw io.ReadWriter) error {
	if d, ok := rw.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	buf := make([]byte, 4096)
	for {
		n, err := rw.Read(buf)
		if n > 0 {
			_, _ = e.Write(buf[:n])
			if r := e.takeReplies(); len(r) > 0 {
				if _, werr := rw.Write(r); werr != nil {
					return fmt.Errorf("emulator: writing status reply: %w", werr)
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("emulator: reading: %w", err)
		}
	}
}

// ServeTCP is a printer's TCP port (9100): it serves one connection at a time,
// the next waiting in the listener's backlog, until ctx is done (then it closes
// ln and returns ctx.Err()) or Accept fails. A connection that ends badly does
// not stop the port.
func (e *Emulator) ServeTCP(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("emulator: accepting: %w", err)
		}
		_ = e.Serve(ctx, c)
		_ = c.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
