package pos

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold reduces Vietnamese text to the form search compares: lower case, tone marks
// and other diacritics removed, đ/Đ as d, and every run of non-letters/digits as one
// space. "Mật ong U Minh Hạ" folds to "mat ong u minh ha".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading spaces
	for _, r := range s {
		if r < 0x80 {
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				b.WriteRune(r)
				space = false
			case 'A' <= r && r <= 'Z':
				b.WriteRune(r + ('a' - 'A'))
				space = false
			default:
				if !space {
					b.WriteByte(' ')
					space = true
				}
			}
			continue
		}
		f, ok := foldRune(r)
		if !ok {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		if f != "" {
			b.WriteString(f)
			space = false
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// foldTable caches foldRune for the runes Vietnamese text is made of (Latin-1,
// Latin Extended A/B, combining marks and Latin Extended Additional, which holds
// the precomposed Vietnamese letters), so indexing a large catalog does not
// normalise rune by rune.
var foldTable = func() (t [0x2000]struct {
	s  string
	ok bool
}) {
	for r := rune(0x80); r < 0x2000; r++ {
		t[r].s, t[r].ok = foldRuneSlow(r)
	}
	return
}()

// foldRune folds one non-ASCII rune. ok is false for separators; an empty string
// with ok true is a combining mark that just disappears.
func foldRune(r rune) (string, bool) {
	if r < 0x2000 {
		e := &foldTable[r]
		return e.s, e.ok
	}
	return foldRuneSlow(r)
}

func foldRuneSlow(r rune) (string, bool) {
	switch r {
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d", true
	}
	if unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) {
		return "", true
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return "", false
	}
	var out []rune
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.In(d, unicode.Mn, unicode.Mc, unicode.Me) {
			continue
		}
		out = append(out, unicode.ToLower(d))
	}
	return string(out), true
}
