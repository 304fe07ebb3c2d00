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
	"sync"
	"time"
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
