package printer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzEncoderText: any Unicode string prints without a panic, as valid ESC/POS
// that the emulator reads with nothing unknown; text the code pages cover comes
// back exactly, and anything else becomes a raster line rather than stray bytes.
func FuzzEncoderText(f *testing.F) {
	for _, s := range []string{"Mật ong U Minh Hạ", "GIAN HÀNG OCOP CÀ MAU", "ĐẶC SẢN Ổi Ớt", "₫ – “x” …", "\x1b@\x1dV\x00", "中文", "\u0301a", ""} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, pick uint8) {
		if len(s) > 300 {
			s = s[:300]
		}
		names := []string{"epson-tm-t20", "rongta-80", "xprinter-58", "generic-58"}
		p := Profiles[names[int(pick)%len(names)]]
		e := NewEncoder(p)
		e.Init().Line(s).Columns2(s, "125.000")
		if e.Err() != nil {
			t.Fatal(e.Err())
		}
		doc, err := Decode(e.Bytes(), p)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if len(doc.Unknown) > 0 {
			t.Fatalf("the encoder wrote bytes the printer does not understand: %q", doc.Unknown)
		}
		clean := substitute(s)
		if !utf8.ValidString(s) || strings.TrimSpace(clean) == "" || !e.encodable(clean) || textWidth(clean) > e.Columns() {
			return
		}
		if len(doc.Lines) == 0 || strings.TrimRight(doc.Lines[0].Text, " ") != strings.TrimRight(normalizeForCompare(clean), " ") {
			got := ""
			if len(doc.Lines) > 0 {
				got = doc.Lines[0].Text
			}
			t.Fatalf("printed %q, want %q", got, clean)
		}
	})
}

// normalizeForCompare is how the emulator returns text: NFC, and Ð (U+00D0),
// which TCVN-3 prints with the same glyph as Đ, read back as Đ.
func normalizeForCompare(s string) string {
	return strings.ReplaceAll(norm.NFC.String(s), "Ð", "Đ")
}
