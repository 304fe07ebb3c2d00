package printer

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"maps"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	emuQRPayload = "https://ocop.example/01/08930000000012/10/L2025-07"
	emuBarcode   = "K01-000123"
)

// emuLogo is a 100×300 checkerboard: taller than one raster band, and not a
// multiple of 8 dots wide.
func emuLogo() *image.Gray {
	img := whiteGray(100, 300)
	for y := 0; y < 300; y++ {
		for x := 0; x < 100; x++ {
			if (x/10+y/10)%2 == 0 {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	return img
}

// emuReceipt is what the tests print: the Vietnamese a booth prints, capitals
// with diacritics included, two-column amounts, a QR, a logo, a barcode.
type emuReceipt struct {
	stream []byte
	enc    *Encoder
	lines  []string // the text lines, as they should read back
	ascii  []string // the lines no printer needs a Vietnamese page for
}

func emuColumns(p Profile, left, right string) string {
	return left + strings.Repeat(" ", p.Columns()-textWidth(left)-textWidth(right)) + right
}

func encodeEmuReceipt(t testing.TB, p Profile) emuReceipt {
	t.Helper()
	e := NewEncoder(p)
	e.Init()
	e.SetAlign(AlignCenter).Bold(true).Size(1, 2).Line("GIAN HÀNG OCOP CÀ MAU").Size(1, 1).Bold(false)
	e.Line("ĐẶC SẢN Ổi Ớt")
	e.SetAlign(AlignLeft)
	e.Line("Mật ong U Minh Hạ 500ml")
	e.Line("Bánh phồng tôm NACAMA tôm đất")
	e.Columns2("2 x 185.000", "370.000")
	e.Columns2("Mật ong U Minh Hạ", "185.000đ")
	e.QR(emuQRPayload, 4, QRLevelM)
	e.Image(emuLogo())
	e.Barcode128(emuBarcode, 60)
	e.Line("Cam on quy khach")
	e.Cut()
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	return emuReceipt{
		stream: e.Bytes(),
		enc:    e,
		lines: []string{"GIAN HÀNG OCOP CÀ MAU", "ĐẶC SẢN Ổi Ớt", "Mật ong U Minh Hạ 500ml",
			"Bánh phồng tôm NACAMA tôm đất", emuColumns(p, "2 x 185.000", "370.000"),
			emuColumns(p, "Mật ong U Minh Hạ", "185.000đ"), "Cam on quy khach"},
		ascii: []string{emuColumns(p, "2 x 185.000", "370.000"), "Cam on quy khach"},
	}
}

func kinds(d *Document) []ElementKind {
	var ks []ElementKind
	for _, el := range d.Elements {
		ks = append(ks, el.Kind)
	}
	return ks
}

func nonEmptyLines(d *Document) []string {
	var out []string
	for _, l := range d.Lines {
		if l.Text != "" {
			out = append(out, l.Text)
		}
	}
	return out
}

// sameInk reports whether got shows want's black dots at its top left and is
// white everywhere else (a raster row is padded to whole bytes).
func emuSameInk(got, want *image.Gray) bool {
	if got.Rect.Dx() < want.Rect.Dx() || got.Rect.Dy() != want.Rect.Dy() {
		return false
	}
	for y := 0; y < got.Rect.Dy(); y++ {
		for x := 0; x < got.Rect.Dx(); x++ {
			w := false
			if x < want.Rect.Dx() {
				w = want.GrayAt(x, y).Y < 128
			}
			if (got.GrayAt(x, y).Y < 128) != w {
				return false
			}
		}
	}
	return true
}

func TestDecodeReadsBackWhatTheEncoderWrote(t *testing.T) {
	for _, tt := range []struct {
		name    string
		profile string
	}{
		{"an Epson with TCVN-3 prints every Vietnamese line as text", "epson-tm-t20"},
		{"a Rongta with CP1258 prints every Vietnamese line as text", "rongta-80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := Profiles[tt.profile]
			r := encodeEmuReceipt(t, p)
			doc, err := Decode(r.stream, p)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := doc.Text(), strings.Join(r.lines, "\n"); got != want {
				t.Errorf("text:\n%s\nwant:\n%s", got, want)
			}
			if !slices.Equal(doc.QRCodes, []string{emuQRPayload}) {
				t.Errorf("QR codes %q", doc.QRCodes)
			}
			if !slices.Equal(doc.Barcodes, []string{emuBarcode}) {
				t.Errorf("barcodes %q", doc.Barcodes)
			}
			if len(doc.Images) != 1 || !emuSameInk(doc.Images[0], emuLogo()) {
				t.Errorf("%d images; want the logo whole, its two bands as one image", len(doc.Images))
			}
			if doc.Cuts != 1 || len(doc.Unknown) != 0 || doc.Unprinted != "" {
				t.Errorf("cuts %d, unknown %q, unprinted %q", doc.Cuts, doc.Unknown, doc.Unprinted)
			}
			wantKinds := []ElementKind{ElementText, ElementText, ElementText, ElementText, ElementText, ElementText,
				ElementQR, ElementImage, ElementBarcode, ElementText, ElementCut}
			if got := kinds(doc); !slices.Equal(got, wantKinds) {
				t.Errorf("elements %v, want %v", got, wantKinds)
			}
			title := doc.Lines[0]
			if title.Align != AlignCenter || !title.Bold || title.Height != 2 || title.Width != 1 {
				t.Errorf("title printed as %+v", title)
			}
			if l := doc.Lines[2]; l.Align != AlignLeft || l.Bold || l.Height != 1 {
				t.Errorf("item line printed as %+v", l)
			}
			for _, n := range doc.Pages {
				if !slices.Contains(slices.Collect(maps.Values(p.Pages)), n) {
					t.Errorf("ESC t %d is not a page of %s", n, p.Name)
				}
			}
		})
	}

	t.Run("a printer with no Vietnamese page gets the Vietnamese lines as images", func(t *testing.T) {
		p := Profiles["generic-58"]
		r := encodeEmuReceipt(t, p)
		doc, err := Decode(r.stream, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := nonEmptyLines(doc); !slices.Equal(got, r.ascii) {
			t.Errorf("text lines %q, want %q", got, r.ascii)
		}
		if len(doc.QRCodes) != 0 {
			t.Errorf("QR codes %q on a printer without native QR", doc.QRCodes)
		}
		// Five rasterised lines, the QR as a bitmap, the logo.
		if r.enc.Rasterised != 5 || len(doc.Images) != r.enc.Rasterised+2 {
			t.Fatalf("%d images for %d rasterised lines", len(doc.Images), r.enc.Rasterised)
		}
		// A raster line is as wide as its text (in whole bytes).
		honey, err := RenderText("Mật ong U Minh Hạ 500ml", (textWidth("Mật ong U Minh Hạ 500ml")*12+7)/8*8, false, false, 1, 1, AlignLeft)
		if err != nil {
			t.Fatal(err)
		}
		if !emuSameInk(doc.Images[2], honey) {
			t.Error("the third image is not the rasterised honey line")
		}
		qr, err := QRImage(emuQRPayload, 4, QRLevelM)
		if err != nil {
			t.Fatal(err)
		}
		if !emuSameInk(doc.Images[5], qr) {
			t.Error("the sixth image is not the QR bitmap")
		}
		if !emuSameInk(doc.Images[6], emuLogo()) {
			t.Error("the last image is not the logo")
		}
		if !slices.Equal(doc.Barcodes, []string{emuBarcode}) {
			t.Errorf("barcodes %q", doc.Barcodes)
		}
		if doc.Cuts != 1 || !doc.Elements[len(doc.Elements)-1].TearOff {
			t.Errorf("want the receipt to end at the tear bar; cuts %d", doc.Cuts)
		}
	})
}

// esc builds a stream from strings and bytes.
func esc(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b = append(b, v...)
		case byte:
			b = append(b, v)
		case int:
			b = append(b, byte(v))
		case rune:
			b = append(b, byte(v))
		case []byte:
			b = append(b, v...)
		default:
			panic("esc: unexpected part")
		}
	}
	return b
}

func TestDecodeCommands(t *testing.T) {
	tm := Profiles["epson-tm-t20"]
	for _, tt := range []struct {
		name    string
		profile string
		stream  []byte
		text    string
		check   func(t *testing.T, d *Document)
	}{
		{name: "ESC $ pads the line with spaces to the column it moves to",
			stream: esc("ab", ESC, '$', 120, 0, "cd\n"), text: "ab        cd"},
		{name: "ESC $ counts columns in the current font and size",
			stream: esc(GS, '!', 0x10, "a", ESC, '$', 48, 0, "b\n"), text: "a b"},
		{name: "ESC $ beyond the paper is ignored",
			stream: esc("a", ESC, '$', 0xFF, 0x0F, "b\n"), text: "ab"},
		{name: "HT moves to the next multiple of eight columns",
			stream: esc("ab\tc\n"), text: "ab      c"},
		{name: "ESC D sets the tab stops and HT past the last one does nothing",
			stream: esc(ESC, 'D', 4, 10, 0, "a\tb\tc\td\n"), text: "a   b     cd"},
		{name: "CR is ignored and LF prints",
			stream: esc("a\r\nb\r\n"), text: "a\nb"},
		{name: "GS ! sets the width and height of the line",
			stream: esc(GS, '!', 0x21, "x\n"), text: "x",
			check: func(t *testing.T, d *Document) {
				if l := d.Lines[0]; l.Width != 3 || l.Height != 2 {
					t.Errorf("size %d×%d, want 3×2", l.Width, l.Height)
				}
			}},
		{name: "ESC ! sets font B, bold, double size and underline at once",
			stream: esc(ESC, '!', 0xB9, "x\n"), text: "x",
			check: func(t *testing.T, d *Document) {
				want := Line{Text: "x", FontB: true, Bold: true, Width: 2, Height: 2, Underline: 1}
				if d.Lines[0] != want {
					t.Errorf("line %+v, want %+v", d.Lines[0], want)
				}
			}},
		{name: "ESC E, ESC -, ESC M, ESC a, GS B and ESC { style the line",
			stream: esc(ESC, 'E', 1, ESC, '-', '2', ESC, 'M', 1, ESC, 'a', '2', GS, 'B', 1, ESC, '{', 1, "x\n"), text: "x",
			check: func(t *testing.T, d *Document) {
				want := Line{Text: "x", Bold: true, Underline: 2, FontB: true, Align: AlignRight, Width: 1, Height: 1, Reverse: true, UpsideDown: true}
				if d.Lines[0] != want {
					t.Errorf("line %+v, want %+v", d.Lines[0], want)
				}
			}},
		{name: "ESC @ restores the defaults and code page CP437",
			stream: esc(ESC, 't', 30, ESC, 'E', 1, ESC, '@', 0x82, "\n"), text: "é",
			check: func(t *testing.T, d *Document) {
				if d.Lines[0].Bold {
					t.Error("still bold after ESC @")
				}
			}},
		{name: "ESC @ throws away text not yet printed",
			stream: esc("lost", ESC, '@', "kept\n"), text: "kept",
			check: func(t *testing.T, d *Document) {
				if len(d.Unknown) != 1 || !strings.Contains(d.Unknown[0], `"lost"`) {
					t.Errorf("unknown %q", d.Unknown)
				}
			}},
		{name: "text with no LF after it does not print",
			stream: esc("a\nabc"), text: "a",
			check: func(t *testing.T, d *Document) {
				if d.Unprinted != "abc" {
					t.Errorf("unprinted %q", d.Unprinted)
				}
			}},
		{name: "TCVN-3 capital Đ reads as U+0110",
			stream: esc(ESC, 't', 31, 0xA7, "\n"), text: "\u0110"},
		{name: "TCVN-3 lower page switches to upper page inside a line",
			stream: esc(ESC, 't', 30, 'H', 0xB9, ESC, 't', 31, 0xB9, "\n"), text: "HạẠ"},
		{name: "CP1258 base letter and tone mark read back as one letter",
			stream: esc(ESC, 't', 52, "Ha", 0xF2, " ", 0xD5, 0xEC, "\n"), text: "Hạ Ớ",
			check: func(t *testing.T, d *Document) {
				if n := len([]rune(d.Lines[0].Text)); n != 4 {
					t.Errorf("%d runes, want 4 (NFC)", n)
				}
			}},
		{name: "ESC t with a page the profile does not have reads CP437 and is reported",
			stream: esc(ESC, 't', 17, 0x82, "\n"), text: "é",
			check: func(t *testing.T, d *Document) {
				if !slices.Equal(d.Pages, []byte{17}) || len(d.Unknown) != 1 || !strings.Contains(d.Unknown[0], "ESC t 17") {
					t.Errorf("pages %v, unknown %q", d.Pages, d.Unknown)
				}
			}},
		{name: "a byte not on the page is reported and prints as U+FFFD",
			stream: esc(ESC, 't', 30, 0x80, "\n"), text: "\uFFFD",
			check: func(t *testing.T, d *Document) {
				if len(d.Unknown) != 1 {
					t.Errorf("unknown %q", d.Unknown)
				}
			}},
		{name: "an unknown ESC command is reported and the text after it prints",
			stream: esc(ESC, 0x99, "ok\n"), text: "ok",
			check: func(t *testing.T, d *Document) {
				if !slices.Equal(d.Unknown, []string{"ESC 0x99 at offset 0"}) {
					t.Errorf("unknown %q", d.Unknown)
				}
			}},
		{name: "a line longer than the paper wraps where the printer wraps it",
			stream: esc(strings.Repeat("x", 50), "\n"), text: strings.Repeat("x", 48) + "\nxx",
			check: func(t *testing.T, d *Document) {
				if !d.Lines[0].Wrapped || d.Lines[1].Wrapped {
					t.Errorf("wrapped %v, %v", d.Lines[0].Wrapped, d.Lines[1].Wrapped)
				}
			}},
		{name: "a line exactly as wide as the paper does not wrap",
			stream: esc(strings.Repeat("x", 48), "\n"), text: strings.Repeat("x", 48)},
		{name: "ESC d prints the line and feeds the rest",
			stream: esc("a", ESC, 'd', 3), text: "a",
			check: func(t *testing.T, d *Document) {
				if len(d.Elements) != 2 || d.Elements[1].Kind != ElementFeed || d.Elements[1].Dots != 48 {
					t.Errorf("elements %+v", d.Elements)
				}
			}},
		{name: "FS & makes bytes above 0x7F pairs until FS .",
			stream: esc(FS, '&', 0xB0, 0xA1, "x", FS, '.', ESC, 't', 30, 0xB9, "\n"), text: "\uFFFDxạ",
			check: func(t *testing.T, d *Document) {
				if len(d.Unknown) != 1 {
					t.Errorf("unknown %q", d.Unknown)
				}
			}},
		{name: "a clone left in Chinese mode swallows the LF after a Vietnamese byte",
			profile: "rongta-80",
			stream:  esc(ESC, '@', ESC, 't', 35, "Ha", 0xF2, "\n"), text: "",
			check: func(t *testing.T, d *Document) {
				if d.Unprinted == "" || len(d.Unknown) == 0 {
					t.Errorf("unprinted %q, unknown %q", d.Unprinted, d.Unknown)
				}
			}},
		{name: "DLE EOT inside a line does not break it",
			stream: esc("ab", DLE, EOT, 1, "cd\n"), text: "abcd"},
		{name: "GS k with a length byte is a barcode",
			stream: esc(GS, 'k', 67, 13, "8934567890123", "x\n"), text: "x",
			check: func(t *testing.T, d *Document) {
				if !slices.Equal(d.Barcodes, []string{"8934567890123"}) || d.Elements[0].Symbology != 67 {
					t.Errorf("barcodes %q %+v", d.Barcodes, d.Elements[0])
				}
			}},
		{name: "GS k with NUL-terminated data is a barcode",
			stream: esc(GS, 'h', 80, GS, 'w', 2, GS, 'H', 2, GS, 'k', 4, "ABC-1", 0, "x\n"), text: "x",
			check: func(t *testing.T, d *Document) {
				el := d.Elements[0]
				if !slices.Equal(d.Barcodes, []string{"ABC-1"}) || el.Symbology != 69 || el.Height != 80 || el.Module != 2 || el.HRI != 2 {
					t.Errorf("barcodes %q %+v", d.Barcodes, el)
				}
			}},
		{name: "CODE128 code set C bytes read as pairs of digits",
			stream: esc(GS, 'k', 73, 9, "{C", 12, 34, 5, "{BAB"), text: "",
			check: func(t *testing.T, d *Document) {
				if !slices.Equal(d.Barcodes, []string{"123405AB"}) {
					t.Errorf("barcodes %q", d.Barcodes)
				}
			}},
		{name: "GS ( k stores and prints a QR code with its size and level",
			stream: esc(GS, '(', 'k', 4, 0, '1', 'A', '2', 0, GS, '(', 'k', 3, 0, '1', 'C', 6, GS, '(', 'k', 3, 0, '1', 'E', '3',
				GS, '(', 'k', 8, 0, '1', 'P', '0', "hello", GS, '(', 'k', 3, 0, '1', 'Q', '0'), text: "",
			check: func(t *testing.T, d *Document) {
				if !slices.Equal(d.QRCodes, []string{"hello"}) || d.Elements[0].Module != 6 || d.Elements[0].Level != '3' {
					t.Errorf("QR %q %+v", d.QRCodes, d.Elements)
				}
			}},
		{name: "printing a QR code with nothing stored is reported",
			stream: esc(GS, '(', 'k', 3, 0, '1', 'Q', '0'), text: "",
			check: func(t *testing.T, d *Document) {
				if len(d.QRCodes) != 0 || len(d.Unknown) != 1 {
					t.Errorf("QR %q, unknown %q", d.QRCodes, d.Unknown)
				}
			}},
		{name: "GS ( k for another symbol is skipped whole",
			stream: esc(GS, '(', 'k', 5, 0, '0', 'A', 1, 2, 3, "x\n"), text: "x",
			check: func(t *testing.T, d *Document) {
				if len(d.Unknown) != 1 {
					t.Errorf("unknown %q", d.Unknown)
				}
			}},
		{name: "GS v 0 in double width doubles each dot",
			stream: esc(GS, 'v', '0', 1, 1, 0, 1, 0, 0x80), text: "",
			check: func(t *testing.T, d *Document) {
				img := d.Images[0]
				if img.Rect.Dx() != 16 || img.Rect.Dy() != 1 || img.Pix[0] != 0 || img.Pix[1] != 0 || img.Pix[2] != 255 {
					t.Errorf("image %v %v", img.Rect, img.Pix)
				}
			}},
		{name: "a band after a full band continues the image",
			stream: slices.Concat(esc(GS, 'v', '0', 0, 1, 0, 255, 0), make([]byte, 255), esc(GS, 'v', '0', 0, 1, 0, 10, 0), bytes.Repeat([]byte{0xFF}, 10)),
			check: func(t *testing.T, d *Document) {
				if len(d.Images) != 1 || d.Images[0].Rect.Dy() != 265 || d.Images[0].Pix[264*8] != 0 || d.Elements[0].Image != d.Images[0] {
					t.Errorf("%d images", len(d.Images))
				}
			}},
		{name: "a band after a short band is an image of its own",
			stream: slices.Concat(esc(GS, 'v', '0', 0, 1, 0, 10, 0), make([]byte, 10), esc(GS, 'v', '0', 0, 1, 0, 10, 0), make([]byte, 10)),
			check: func(t *testing.T, d *Document) {
				if len(d.Images) != 2 {
					t.Errorf("%d images", len(d.Images))
				}
			}},
		{name: "a GS v 0 too large for any printer is skipped and reading goes on",
			stream: esc(GS, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF, "ok\n"), text: "ok",
			check: func(t *testing.T, d *Document) {
				if len(d.Images) != 0 || len(d.Unknown) != 1 || !strings.Contains(d.Unknown[0], "too large") {
					t.Errorf("images %d, unknown %q", len(d.Images), d.Unknown)
				}
			}},
		{name: "GS v 0 is placed by ESC a",
			stream: esc(ESC, 'a', 1, GS, 'v', '0', 0, 1, 0, 1, 0, 0xFF), text: "",
			check: func(t *testing.T, d *Document) {
				if d.Elements[0].Align != AlignCenter {
					t.Errorf("image aligned %d", d.Elements[0].Align)
				}
			}},
		{name: "ESC * stripes each ended by LF join into one image and no text lines",
			stream: esc(ESC, '*', 33, 2, 0, 0xFF, 0, 0, 0, 0, 0xFF, "\n", ESC, '*', 33, 2, 0, 0, 0, 0, 0, 0, 0, "\n"), text: "",
			check: func(t *testing.T, d *Document) {
				if len(d.Images) != 1 || d.Images[0].Rect != image.Rect(0, 0, 2, 48) || len(d.Lines) != 0 {
					t.Fatalf("images %d, lines %d", len(d.Images), len(d.Lines))
				}
				img := d.Images[0]
				if img.GrayAt(0, 0).Y != 0 || img.GrayAt(0, 8).Y != 255 || img.GrayAt(1, 23).Y != 0 {
					t.Errorf("stripe dots wrong: %v", img.Pix[:48])
				}
			}},
		{name: "ESC p and DLE DC4 1 each pulse the drawer",
			stream: esc(ESC, 'p', 0, 25, 250, DLE, 0x14, 1, 0, 1), text: "",
			check: func(t *testing.T, d *Document) {
				if d.Pulses != 2 {
					t.Errorf("pulses %d", d.Pulses)
				}
			}},
		{name: "every form of cut counts",
			stream: esc(GS, 'V', 0, GS, 'V', '1', GS, 'V', 66, 3, GS, 'V', 65, 0, GS, 'V', 104, 1, ESC, 'i', ESC, 'm'), text: "",
			check: func(t *testing.T, d *Document) {
				if d.Cuts != 7 || len(d.Unknown) != 0 {
					t.Errorf("cuts %d, unknown %q", d.Cuts, d.Unknown)
				}
			}},
		{name: "a cut prints the line in the buffer first",
			stream: esc("last", GS, 'V', 66, 0), text: "last",
			check: func(t *testing.T, d *Document) {
				if !slices.Equal(kinds(d), []ElementKind{ElementText, ElementCut}) {
					t.Errorf("elements %v", kinds(d))
				}
			}},
		{name: "settings that draw nothing are read and skipped",
			stream: esc(ESC, '2', ESC, '3', 40, ESC, ' ', 2, GS, 'f', 0, GS, 'L', 0, 0, GS, 'b', 1, ESC, 'R', 0, ESC, 'c', '5', 0, ESC, 'V', 0, "ok\n"), text: "ok",
			check: func(t *testing.T, d *Document) {
				if len(d.Unknown) != 0 {
					t.Errorf("unknown %q", d.Unknown)
				}
			}},
		{name: "GS W narrows the line the printer wraps at",
			stream: esc(GS, 'W', 120, 0, "abcdefghijkl\n"), text: "abcdefghij\nkl"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tm
			if tt.profile != "" {
				p = Profiles[tt.profile]
			}
			d, err := Decode(tt.stream, p)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Text(); got != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func TestDecodeSaysWhereAStreamIsCutShort(t *testing.T) {
	for _, tt := range []struct {
		name    string
		stream  []byte
		command string
		offset  int
	}{
		{"a raster image missing its last byte", esc("ab", GS, 'v', '0', 0, 1, 0, 2, 0, 0xFF), "GS v 0", 2},
		{"a lone ESC", esc("ok\n", ESC), "ESC", 3},
		{"a QR store missing its data", esc(GS, '(', 'k', 8, 0, '1', 'P', '0', "he"), "GS ( k", 0},
		{"a barcode missing its data", esc(GS, 'k', 73, 5, "{B"), "GS k", 0},
		{"a double-byte character missing its second byte", esc(FS, '&', 0xB0), "double-byte character", 2},
		{"a status request missing n", esc(DLE, EOT), "DLE EOT", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.stream, Profiles["epson-tm-t20"])
			var te *TruncatedError
			if !errors.As(err, &te) {
				t.Fatalf("error %v, want a *TruncatedError", err)
			}
			if te.Command != tt.command || te.Offset != tt.offset {
				t.Errorf("got %q at %d, want %q at %d", te.Command, te.Offset, tt.command, tt.offset)
			}
			if !strings.HasPrefix(err.Error(), "truncated "+tt.command) {
				t.Errorf("message %q", err)
			}
		})
	}
	t.Run("what came before the cut-short command is decoded", func(t *testing.T) {
		d, err := Decode(esc("ok\n", GS, 'v', '0'), Profiles["epson-tm-t20"])
		if err == nil || d.Text() != "ok" {
			t.Errorf("text %q, error %v", d.Text(), err)
		}
	})
}

// writeChunks feeds e with b cut into pieces of the sizes size gives.
func writeChunks(t testing.TB, e *Emulator, b []byte, size func() int) {
	for len(b) > 0 {
		n := min(size(), len(b))
		if got, err := e.Write(b[:n]); got != n || err != nil {
			t.Fatalf("Write took %d of %d: %v", got, n, err)
		}
		b = b[n:]
	}
}

func TestEmulatorPrintsTheSameInAnyChunking(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, profile := range []string{"epson-tm-t20", "rongta-80", "generic-58"} {
		p := Profiles[profile]
		r := encodeEmuReceipt(t, p)
		want, err := Decode(r.stream, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range []struct {
			name string
			size func() int
		}{
			{"one byte at a time", func() int { return 1 }},
			{"in random pieces", func() int { return 1 + rng.Intn(300) }},
			{"in one write", func() int { return len(r.stream) }},
		} {
			t.Run(profile+" written "+ch.name, func(t *testing.T) {
				e := NewEmulator(p)
				writeChunks(t, e, r.stream, ch.size)
				rs := e.Receipts()
				if len(rs) != 1 {
					t.Fatalf("%d receipts, want 1", len(rs))
				}
				if !reflect.DeepEqual(rs[0], want) {
					t.Errorf("the receipt differs from Decode's:\n%s\nwant:\n%s", rs[0].Text(), want.Text())
				}
				if cur := e.Current(); cur != nil {
					t.Errorf("something printed after the cut: %+v", cur)
				}
			})
		}
	}
}

func TestEmulatorSplitsReceiptsAtCuts(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	e := NewEmulator(p)
	e.Write(esc(ESC, '@', FS, '.', ESC, 'a', 1))
	if cur := e.Current(); cur != nil {
		t.Fatalf("settings alone made a document: %+v", cur)
	}
	e.Write(esc("one\n", GS, 'V', 66, 0, "two\n", ESC, 'i', "three\nfou"))
	rs := e.Receipts()
	if len(rs) != 2 || rs[0].Text() != "one" || rs[1].Text() != "two" {
		t.Fatalf("receipts %d", len(rs))
	}
	cur := e.Current()
	if cur.Text() != "three" || cur.Unprinted != "fou" {
		t.Errorf("current %q, unprinted %q", cur.Text(), cur.Unprinted)
	}
	e.Write([]byte("r\n"))
	if cur.Text() != "three" {
		t.Error("a Current snapshot changed after more printing")
	}
	if got := e.Current().Text(); got != "three\nfour" {
		t.Errorf("current %q", got)
	}
	e.Reset()
	if len(e.Receipts()) != 0 || e.Current() != nil {
		t.Error("Reset kept paper")
	}
}

func TestEmulatorAnswersStatusRequests(t *testing.T) {
	for _, tt := range []struct {
		name  string
		state State
	}{
		{"a ready printer", State{Online: true}},
		{"a printer out of paper", State{PaperOut: true}},
		{"a printer with its cover open", State{CoverOpen: true}},
		{"a printer in error", State{Error: true}},
		{"a printer that is offline", State{}},
		{"a printer near the end of its roll", State{Online: true, PaperNearEnd: true}},
	} {
		t.Run(tt.name+" says so", func(t *testing.T) {
			e := NewEmulator(Profiles["epson-tm-t20"])
			e.SetState(tt.state)
			want := tt.state
			want.Known = true
			if got := e.State(); got != want {
				t.Errorf("State() %+v", got)
			}
			e.Write(slices.Concat(StatusRequest(1), StatusRequest(2), StatusRequest(4), StatusRequest(3)))
			r := make([]byte, 8)
			n, err := e.Read(r)
			if n != 4 || err != nil {
				t.Fatalf("read %d replies: %v", n, err)
			}
			got, err := ParseStatus(r[0], r[1], r[2])
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("parsed %+v, want %+v", got, want)
			}
			if r[3] != 0x12 {
				t.Errorf("DLE EOT 3 answered %#x", r[3])
			}
			if n, err := e.Read(r); n != 0 || err != nil {
				t.Errorf("a second Read gave %d, %v; want 0, nil", n, err)
			}
		})
	}
	t.Run("a printer without status support does not answer", func(t *testing.T) {
		p := Profiles["epson-tm-t20"]
		p.Status = false
		e := NewEmulator(p)
		e.Write(StatusRequest(1))
		if n, _ := e.Read(make([]byte, 4)); n != 0 {
			t.Errorf("%d reply bytes", n)
		}
	})
	t.Run("a status request split across writes is answered once whole", func(t *testing.T) {
		e := NewEmulator(Profiles["epson-tm-t20"])
		e.Write([]byte{DLE})
		e.Write([]byte{EOT})
		if n, _ := e.Read(make([]byte, 4)); n != 0 {
			t.Fatal("answered half a request")
		}
		e.Write([]byte{4})
		if n, _ := e.Read(make([]byte, 4)); n != 1 {
			t.Fatal("no answer to the whole request")
		}
	})
}

func TestEmulatorDiscardsDataWhileNotReady(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	r := encodeEmuReceipt(t, p)
	half := len(r.stream) / 2

	e := NewEmulator(p)
	e.Write(r.stream[:half])
	e.SetState(State{PaperOut: true})
	e.Write(r.stream[half:]) // the rest, cut included, falls on the floor
	e.Write(StatusRequest(4))
	reply := make([]byte, 1)
	if n, _ := e.Read(reply); n != 1 {
		t.Fatal("no status reply while out of paper")
	}
	if st, err := ParseStatus(0x12, 0x12, reply[0]); err != nil || !st.PaperOut {
		t.Errorf("paper reply %#x reads %+v, %v", reply[0], st, err)
	}
	if n := len(e.Receipts()); n != 0 {
		t.Fatalf("%d receipts with the paper out mid-receipt", n)
	}
	torn := e.Torn()
	if len(torn) != 1 || !strings.HasPrefix(strings.Join(r.lines, "\n"), torn[0].Text()) || torn[0].Text() == "" {
		t.Fatalf("torn-off paper: %d documents", len(torn))
	}
	e.Write([]byte("not printed\n"))
	if cur := e.Current(); cur != nil {
		t.Fatalf("printed with the paper out: %q", cur.Text())
	}

	e.SetState(State{Online: true}) // new roll; the queue sends the receipt again
	e.Write(r.stream)
	rs := e.Receipts()
	if len(rs) != 1 {
		t.Fatalf("%d receipts after the new roll, want 1", len(rs))
	}
	if got, want := rs[0].Text(), strings.Join(r.lines, "\n"); got != want {
		t.Errorf("reprinted receipt:\n%s\nwant:\n%s", got, want)
	}
}

func TestEmulatorIsSafeForConcurrentUse(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	r := encodeEmuReceipt(t, p)
	e := NewEmulator(p)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5 {
			for b := r.stream; len(b) > 0; b = b[min(7, len(b)):] {
				if n, err := e.Write(b[:min(7, len(b))]); err != nil || n == 0 {
					t.Errorf("Write: %d, %v", n, err)
					return
				}
			}
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			if n := len(e.Receipts()); n != 5 {
				t.Errorf("%d receipts, want 5", n)
			}
			return
		default:
		}
		for _, d := range e.Receipts() {
			_ = d.Text()
		}
		if cur := e.Current(); cur != nil {
			for _, img := range cur.Images {
				_ = img.Pix[len(img.Pix)-1]
			}
		}
		e.SetState(State{Online: true})
		_ = e.State()
		e.Read(make([]byte, 4))
	}
}

func TestServeAnswersOnTheLineAndStopsWithTheContext(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	r := encodeEmuReceipt(t, p)
	e := NewEmulator(p)
	host, printer := net.Pipe()
	defer host.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.Serve(ctx, printer) }()

	if _, err := host.Write(slices.Concat(r.stream, StatusRequest(1))); err != nil {
		t.Fatal(err)
	}
	host.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply := make([]byte, 1)
	if _, err := io.ReadFull(host, reply); err != nil {
		t.Fatal(err)
	}
	if st, err := ParseStatus(reply[0], 0x12, 0x12); err != nil || !st.Online {
		t.Errorf("reply %#x: %+v %v", reply[0], st, err)
	}
	if rs := e.Receipts(); len(rs) != 1 || rs[0].Text() != strings.Join(r.lines, "\n") {
		t.Errorf("%d receipts", len(rs))
	}
	cancel()
	select {
	case err := <-served:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop with its context")
	}
}

func TestServeTCPTakesOneConnectionAfterAnother(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	e := NewEmulator(p)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.ServeTCP(ctx, ln) }()
	for i, text := range []string{"first", "second"} {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write(esc(ESC, '@', text, "\n", GS, 'V', 66, 0))
		c.Write(StatusRequest(4))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		reply := make([]byte, 1)
		if _, err := io.ReadFull(c, reply); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		c.Close()
		if rs := e.Receipts(); len(rs) != i+1 || rs[i].Text() != text {
			t.Fatalf("after connection %d: %d receipts", i, len(rs))
		}
	}
	cancel()
	select {
	case err := <-served:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ServeTCP returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeTCP did not stop with its context")
	}
}

// TestServeOnAPseudoTerminal runs the emulator on one end of a socat pty pair,
// the serial line DESIGN.md §6 tests printers with.
func TestServeOnAPseudoTerminal(t *testing.T) {
	if _, err := exec.LookPath("socat"); err != nil {
		t.Skip("socat is not installed")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "printer"), filepath.Join(dir, "kiosk")
	cmd := exec.Command("socat", "pty,raw,echo=0,link="+a, "pty,raw,echo=0,link="+b)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, e1 := os.Stat(a)
		_, e2 := os.Stat(b)
		if e1 == nil && e2 == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("socat made no ptys")
		}
		time.Sleep(10 * time.Millisecond)
	}
	pf, err := os.OpenFile(a, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	kf, err := os.OpenFile(b, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()

	p := Profiles["rongta-80"]
	r := encodeEmuReceipt(t, p)
	e := NewEmulator(p)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.Serve(ctx, pf) }()
	if _, err := kf.Write(slices.Concat(r.stream, StatusRequest(2))); err != nil {
		t.Fatal(err)
	}
	kf.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply := make([]byte, 1)
	if _, err := io.ReadFull(kf, reply); err != nil {
		t.Fatal(err)
	}
	if reply[0] != 0x12 {
		t.Errorf("offline-cause reply %#x, want 0x12", reply[0])
	}
	if rs := e.Receipts(); len(rs) != 1 || rs[0].Text() != strings.Join(r.lines, "\n") {
		t.Errorf("%d receipts over the pty", len(rs))
	}
	cancel()
	select {
	case err := <-served:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve on a pty did not stop with its context")
	}
}

func inkIn(img *image.Gray, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.GrayAt(x, y).Y < 128 {
				n++
			}
		}
	}
	return n
}

func TestRender(t *testing.T) {
	t.Run("the PNG is as wide as the paper", func(t *testing.T) {
		for _, name := range []string{"epson-tm-t20", "generic-58"} {
			p := Profiles[name]
			d, err := Decode(encodeEmuReceipt(t, p).stream, p)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := d.RenderPNG(&buf); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatalf("%s: not a PNG: %v", name, err)
			}
			if img.Bounds().Dx() != p.WidthDots || img.Bounds().Dy() < 300 {
				t.Errorf("%s: %v", name, img.Bounds())
			}
		}
	})
	t.Run("a text line is drawn in its cell and nothing below it", func(t *testing.T) {
		d, err := Decode(esc("Ha 500ml\n"), Profiles["epson-tm-t20"])
		if err != nil {
			t.Fatal(err)
		}
		img := d.Render()
		if img.Rect.Dy() != 24 {
			t.Fatalf("height %d, want one 24-dot line", img.Rect.Dy())
		}
		if inkIn(img, image.Rect(0, 0, 8*12, 24)) == 0 {
			t.Error("the text line is blank")
		}
		if n := inkIn(img, image.Rect(8*12+1, 0, 576, 24)); n != 0 {
			t.Errorf("%d black dots right of the text", n)
		}
	})
	t.Run("a double-height line is twice as tall", func(t *testing.T) {
		d, _ := Decode(esc(GS, '!', 0x01, "X\n", GS, '!', 0, ESC, 'M', 1, "X\n"), Profiles["epson-tm-t20"])
		if h := d.Render().Rect.Dy(); h != 48+17 {
			t.Errorf("height %d, want 48 + 17", h)
		}
	})
	t.Run("an image is placed by its alignment", func(t *testing.T) {
		d, _ := Decode(esc(ESC, 'a', 1, GS, 'v', '0', 0, 1, 0, 8, 0, bytes.Repeat([]byte{0xFF}, 8)), Profiles["epson-tm-t20"])
		img := d.Render()
		x0 := (576 - 8) / 2
		if inkIn(img, image.Rect(x0, 0, x0+8, 8)) != 64 || inkIn(img, img.Rect) != 64 {
			t.Error("the 8×8 square is not in the middle")
		}
	})
	t.Run("a cut is a dashed line", func(t *testing.T) {
		d, _ := Decode(esc(GS, 'V', 0), Profiles["epson-tm-t20"])
		img := d.Render()
		row := image.Rect(0, cutRows/2, 576, cutRows/2+1)
		if n := inkIn(img, row); n == 0 || n == 576 {
			t.Errorf("%d black dots on the cut line", n)
		}
	})
	t.Run("a QR code and a barcode leave ink", func(t *testing.T) {
		d, _ := Decode(esc(GS, '(', 'k', 6, 0, '1', 'P', '0', "abc", GS, '(', 'k', 3, 0, '1', 'Q', '0', GS, 'k', 73, 5, "{B123"), Profiles["epson-tm-t20"])
		img := d.Render()
		qr, _ := QRImage("abc", 3, QRLevelL)
		if inkIn(img, image.Rect(0, 0, 576, qr.Rect.Dy())) == 0 || inkIn(img, image.Rect(0, qr.Rect.Dy(), 576, img.Rect.Dy())) == 0 {
			t.Error("blank QR code or barcode")
		}
	})
	t.Run("endless feeds make a bounded image", func(t *testing.T) {
		d, _ := Decode(bytes.Repeat(esc(ESC, 'J', 255), 1000), Profiles["epson-tm-t20"])
		if h := d.Render().Rect.Dy(); h > maxRenderRows {
			t.Errorf("height %d", h)
		}
	})
}

// emuSeeds are small streams that between them use every command the emulator
// draws. Small, because the fuzzer minimises every input that finds new code
// and a 9 KB raster receipt makes that take most of a 30 s run.
func emuSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"epson-tm-t20", "rongta-80", "generic-58"} {
		e := NewEncoder(Profiles[name])
		e.Init()
		e.SetAlign(AlignCenter).Bold(true).Size(2, 2).Line("ĐẶC SẢN").Size(1, 1).Bold(false).SetAlign(AlignLeft)
		e.Columns2("Mật ong", "185.000đ")
		e.QR("https://ocop.example/01", 2, QRLevelL)
		e.Barcode128("K01", 20)
		e.Image(whiteGray(8, 2))
		e.Pulse()
		e.Cut()
		seeds = append(seeds, e.Bytes())
	}
	return append(seeds,
		esc(ESC, '@', ESC, 't', 30, "H", 0xB9, "\n", GS, 'V', 66, 0),
		esc(GS, 'v', '0', 3, 2, 0, 2, 0, 0xF0, 0x0F, 0x0F, 0xF0),
		esc(ESC, '*', 33, 1, 0, 1, 2, 3, "\n"),
		esc(ESC, '&', 3, 65, 66, 1, 1, 2, 3, 0),
		esc(ESC, 'D', 1, 2, 3, 0, "\t\t"),
		esc(GS, 'k', 2, "123", 0, GS, 'k', 73, 4, "{C", 1, 2),
		esc(FS, '&', 0x81, 0x40, FS, '.', GS, '8', 'L', 1, 0, 0, 0, 0),
		esc(DLE, EOT, 1, DLE, 0x14, 8, 1, 3, 20, 1, 6, 2, 8),
	)
}

// FuzzDecode: any bytes decode without panicking, quickly, into a Document
// whose summaries agree with its elements.
func FuzzDecode(f *testing.F) {
	for _, s := range emuSeeds(f) {
		f.Add(s)
	}
	names := []string{"epson-tm-t20", "rongta-80", "generic-58"}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Profiles[names[len(data)%len(names)]]
		start := time.Now()
		d, err := Decode(data, p)
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("Decode of %d bytes took %v", len(data), el)
		}
		var te *TruncatedError
		if err != nil && !errors.As(err, &te) {
			t.Fatalf("error %v is not a *TruncatedError", err)
		}
		count := map[ElementKind]int{}
		for _, el := range d.Elements {
			count[el.Kind]++
			if el.Kind == ElementImage && (el.Image == nil || el.Image.Rect.Dx() > p.WidthDots) {
				t.Fatalf("image %v wider than the paper", el.Image)
			}
		}
		if count[ElementText] != len(d.Lines) || count[ElementImage] != len(d.Images) || count[ElementQR] != len(d.QRCodes) ||
			count[ElementBarcode] != len(d.Barcodes) || count[ElementCut] != d.Cuts {
			t.Fatalf("summaries disagree with elements: %v", count)
		}
		if len(data) < 400 {
			if img := d.Render(); img.Rect.Dx() != p.WidthDots {
				t.Fatalf("render width %d", img.Rect.Dx())
			}
		}
	})
}

// FuzzEmulatorWrite: any bytes in any chunking print what Decode reads from
// them whole, and nothing panics.
func FuzzEmulatorWrite(f *testing.F) {
	for i, s := range emuSeeds(f) {
		f.Add(s, []byte{byte(i), 1, 200, 3})
	}
	f.Fuzz(func(t *testing.T, data, chunks []byte) {
		p := Profiles["rongta-80"]
		if len(chunks) > 0 && chunks[0]&1 == 1 {
			p = Profiles["generic-58"]
		}
		e := NewEmulator(p)
		i := 0
		writeChunks(t, e, data, func() int {
			if len(chunks) == 0 {
				return 1
			}
			i++
			return 1 + int(chunks[i%len(chunks)])%97
		})
		e.Read(make([]byte, 64))
		want, _ := Decode(data, p)
		var lines []Line
		var qrs, barcodes []string
		cuts := 0
		docs := e.Receipts()
		unprinted := ""
		if cur := e.Current(); cur != nil {
			docs = append(docs, cur)
			unprinted = cur.Unprinted
		}
		for _, d := range docs {
			lines = append(lines, d.Lines...)
			qrs = append(qrs, d.QRCodes...)
			barcodes = append(barcodes, d.Barcodes...)
			cuts += d.Cuts
		}
		if !slices.Equal(lines, want.Lines) || !slices.Equal(qrs, want.QRCodes) || !slices.Equal(barcodes, want.Barcodes) || cuts != want.Cuts {
			t.Fatalf("chunked writes printed %d lines, %d cuts; Decode %d lines, %d cuts", len(lines), cuts, len(want.Lines), want.Cuts)
		}
		if unprinted != want.Unprinted {
			t.Fatalf("unprinted %q, Decode %q", unprinted, want.Unprinted)
		}
	})
}
