package pos

import (
	"errors"
	"fmt"
)

// ErrBadGTIN reports a GTIN with the wrong length, a non-digit or a wrong check digit.
var ErrBadGTIN = errors.New("invalid GTIN")

// NormalizeGTIN checks a GTIN-8, -12, -13 or -14 and returns it in the 14-digit
// form GS1 Digital Link and the catalog use (left-padded with zeros).
func NormalizeGTIN(s string) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("%w %q: %d digits, want 8, 12, 13 or 14", ErrBadGTIN, s, len(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", fmt.Errorf("%w %q: not all digits", ErrBadGTIN, s)
		}
	}
	g := "00000000000000"[:14-len(s)] + s
	if want := GTINCheckDigit(g[:13]); g[13] != want {
		return "", fmt.Errorf("%w %q: check digit %c, want %c", ErrBadGTIN, s, g[13], want)
	}
	return g, nil
}

// GTINCheckDigit computes the GS1 mod-10 check digit of the digits before it.
func GTINCheckDigit(data string) byte {
	sum := 0
	w := 3
	for i := len(data) - 1; i >= 0; i-- {
		sum += int(data[i]-'0') * w
		w = 4 - w // 3, 1, 3, 1 … from the right
	}
	return byte('0' + (10-sum%10)%10)
}
