package printer

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Charset is a printer code page: the upper half (0x80–0xFF) of a single-byte
// character set whose lower half is ASCII. The tables for the Vietnamese pages come
// from escpos-printer-db (data/encoding.yml, CC BY 4.0).
type Charset struct {
	Name string
	dec  [128]rune // byte 0x80+i → rune (0 = unused)
	enc  map[rune]byte
	// combining marks that the page holds as separate bytes (CP1258's tone marks).
	combining map[rune]byte
}

// Code page names as profiles and printer URLs spell them.
const (
	PageTCVN3Lower = "tcvn3-1" // TCVN-3 (ABC), lower-case letters with diacritics
	PageTCVN3Upper = "tcvn3-2" // TCVN-3 (ABC), capitals with diacritics
	PageCP1258     = "cp1258"  // Windows-1258: base letters plus combining tone marks
	PageCP437      = "cp437"   // the default page: ASCII is all we use of it
)

// TCVN-3 pages, rows of 16 characters from 0x80 (escpos-printer-db encoding.yml).
var (
	tcvn3Lower = []string{
		"                ",
		"                ",
		"        ăâêôơưđ ",
		"     àảãáạ ằẳẵắ ",
		"      ặầẩẫấậè ẻẽ",
		"éẹềểễếệìỉ   ĩíịò",
		" ỏõóọồổỗốộờởỡớợù",
		" ủũúụừửữứựỳỷỹýỵ ",
	}
	tcvn3Upper = []string{
		"                ",
		"                ",
		" ĂÂ    Ð  ÊÔƠƯ  ",
		"     ÀẢÃÁẠ ẰẲẴẮ ",
		"      ẶẦẨẪẤẬÈ ẺẼ",
		"ÉẸỀỂỄẾỆÌỈ   ĨÍỊÒ",
		" ỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙ",
		" ỦŨÚỤỪỬỮỨỰỲỶỸÝỴ ",
	}
)

func charsetFromRows(name string, rows []string) *Charset {
	c := &Charset{Name: name, enc: map[rune]byte{}}
	for i, row := range rows {
		j := 0
		for _, r := range row {
			if r != ' ' {
				b := byte(0x80 + i*16 + j)
				c.dec[b-0x80] = r
				c.enc[r] = b
			}
			j++
		}
	}
	return c
}

func charsetFromCharmap(name string, cm *charmap.Charmap) *Charset {
	c := &Charset{Name: name, enc: map[rune]byte{}, combining: map[rune]byte{}}
	for b := 0x80; b <= 0xFF; b++ {
		r := cm.DecodeByte(byte(b))
		if r == utf8.RuneError {
			continue
		}
		c.dec[b-0x80] = r
		c.enc[r] = byte(b)
		if isToneMark(r) {
			c.combining[r] = byte(b)
		}
	}
	return c
}

// Charsets are the code pages the encoder and the emulator know, by name.
var Charsets = map[string]*Charset{
	PageTCVN3Lower: charsetFromRows(PageTCVN3Lower, tcvn3Lower),
	PageTCVN3Upper: charsetFromRows(PageTCVN3Upper, tcvn3Upper),
	PageCP1258:     charsetFromCharmap(PageCP1258, charmap.Windows1258),
	PageCP437:      charsetFromCharmap(PageCP437, charmap.CodePage437),
}

func init() {
	// TCVN-3 puts Đ at the position of Ð (U+00D0, which looks the same on paper);
	// text says U+0110.
	up := Charsets[PageTCVN3Upper]
	up.enc['Đ'] = up.enc['Ð']
}

// Decode maps a byte of the page back to its rune (ASCII below 0x80).
func (c *Charset) Decode(b byte) (rune, bool) {
	if b < 0x80 {
		return rune(b), true
	}
	r := c.dec[b-0x80]
	if c.Name == PageTCVN3Upper && r == 'Ð' {
		r = 'Đ'
	}
	return r, r != 0
}

// Encode maps a rune to the page's byte (printable ASCII is on every page).
func (c *Charset) Encode(r rune) (byte, bool) {
	if r >= 0x20 && r < 0x7F {
		return byte(r), true
	}
	b, ok := c.enc[r]
	return b, ok
}

// The five Vietnamese tone marks as combining characters.
const (
	toneGrave = '\u0300' // huyền
	toneAcute = '\u0301' // sắc
	toneTilde = '\u0303' // ngã
	toneHook  = '\u0309' // hỏi
	toneDot   = '\u0323' // nặng
)

func isToneMark(r rune) bool {
	switch r {
	case toneGrave, toneAcute, toneTilde, toneHook, toneDot:
		return true
	}
	return false
}

// splitTone separates a precomposed Vietnamese letter into its base letter (which
// keeps its circumflex, breve or horn: â, ă, ơ…) and its tone mark, if any. Full
// NFD would also split off the circumflex (U+0302), which CP1258 does not have.
func splitTone(r rune) (base rune, tone rune) {
	d := norm.NFD.String(string(r))
	var rest strings.Builder
	for _, m := range d {
		if isToneMark(m) {
			tone = m
			continue
		}
		rest.WriteRune(m)
	}
	s := norm.NFC.String(rest.String())
	base, n := utf8.DecodeRuneInString(s)
	if n != len(s) {
		return r, 0 // not a single letter plus a tone
	}
	return base, tone
}

// cp1258Bytes encodes r for CP1258: directly when the page has it, else as base
// letter plus combining tone mark. ok is false when neither works.
func cp1258Bytes(c *Charset, r rune) ([]byte, bool) {
	if b, ok := c.Encode(r); ok {
		return []byte{b}, true
	}
	base, tone := splitTone(r)
	if tone == 0 {
		return nil, false
	}
	bb, ok1 := c.Encode(base)
	tb, ok2 := c.combining[tone]
	if !ok1 || !ok2 {
		return nil, false
	}
	return []byte{bb, tb}, true
}

// asciiFallback gives a plain substitute for typographic characters that no
// Vietnamese code page holds, where a substitute reads the same on a receipt.
var asciiFallback = map[rune]string{
	'₫': "đ", '–': "-", '—': "-", '‘': "'", '’': "'", '“': "\"", '”': "\"",
	'…': "...", '×': "x", '•': "*", '\u00a0': " ", '\t': " ",
}
