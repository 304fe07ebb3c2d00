package printer

import (
	"fmt"
	"image"
	"sort"
)

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
