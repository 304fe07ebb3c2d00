package pos

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Amounts in Vietnamese words, as an invoice's total must also be written
// (TgTTTBChu): "Bốn trăm bốn mươi nghìn đồng". The reading follows common
// invoice practice: groups of three digits named nghìn, triệu, tỷ (a thousand
// tỷ is "nghìn tỷ"); inside a group after the first, an empty hundreds place
// is read "không trăm" and an empty tens place before a unit "linh"; a 1
// after twenty and more is "mốt", a 5 after ten and more "lăm", and 10–19
// start with "mười". A negative amount (an adjustment for a return) starts
// with "Âm".

var digitWords = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// groupNames name the groups of three digits from the right; after tỷ they
// repeat (a thousand tỷ, a million tỷ).
var groupNames = [4]string{"", "nghìn", "triệu", "tỷ"}

// AmountInWords writes an amount of đồng in Vietnamese words, capitalised,
// ending with "đồng".
func AmountInWords(m Money) string {
	neg := m < 0
	n := uint64(m)
	if neg {
		n = uint64(-m)
	}
	words := numberWords(n)
	if neg {
		words = append([]string{"âm"}, words...)
	}
	s := strings.Join(append(words, "đồng"), " ")
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// numberWords reads n.
func numberWords(n uint64) []string {
	if n == 0 {
		return []string{"không"}
	}
	// Above 999 tỷ the tỷ repeat: read the tỷ as a number of their own.
	if n >= 1_000_000_000_000 {
		out := numberWords(n / 1_000_000_000)
		out = append(out, "tỷ")
		if rest := n % 1_000_000_000; rest > 0 {
			out = append(out, belowBillion(rest, true)...)
		}
		return out
	}
	if n >= 1_000_000_000 {
		out := belowThousandWords(int(n/1_000_000_000), false)
		out = append(out, "tỷ")
		if rest := n % 1_000_000_000; rest > 0 {
			out = append(out, belowBillion(rest, true)...)
		}
		return out
	}
	return belowBillion(n, false)
}

// belowBillion reads n < 10^9; inner says a higher group was read before it.
func belowBillion(n uint64, inner bool) []string {
	var out []string
	for g := 2; g >= 0; g-- {
		div := uint64(1)
		for range g {
			div *= 1000
		}
		part := int(n / div % 1000)
		if part == 0 {
			continue
		}
		out = append(out, belowThousandWords(part, inner || len(out) > 0)...)
		if groupNames[g] != "" {
			out = append(out, groupNames[g])
		}
	}
	return out
}

// belowThousandWords reads 1 ≤ n ≤ 999; full reads an empty hundreds place
// ("không trăm"), as a group after the first is read.
func belowThousandWords(n int, full bool) []string {
	h, t, u := n/100, n/10%10, n%10
	var out []string
	if h > 0 || full {
		out = append(out, digitWords[h], "trăm")
	}
	switch {
	case t == 0 && u == 0:
	case t == 0:
		if len(out) > 0 {
			out = append(out, "linh")
		}
		out = append(out, digitWords[u])
	case t == 1:
		out = append(out, "mười")
		switch u {
		case 0:
		case 5:
			out = append(out, "lăm")
		default:
			out = append(out, digitWords[u])
		}
	default:
		out = append(out, digitWords[t], "mươi")
		switch u {
		case 0:
		case 1:
			out = append(out, "mốt")
		case 5:
			out = append(out, "lăm")
		default:
			out = append(out, digitWords[u])
		}
	}
	return out
}
