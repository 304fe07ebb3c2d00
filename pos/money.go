package pos

import (
	"errors"
	"math/bits"
	"strconv"
	"strings"
)

// Money is an amount in Vietnamese đồng. The đồng has no minor unit in use, so an
// int64 holds any amount a kiosk will see with room to spare; floats never touch it.
type Money int64

// MaxSaleTotal bounds a single sale (ten thousand billion đồng). Anything larger is
// a data-entry error or an attack, and keeping totals below it means VAT arithmetic
// (total × rate) can never overflow.
const MaxSaleTotal Money = 10_000_000_000_000

// ErrOverflow reports an amount that does not fit the bounds a sale may have.
var ErrOverflow = errors.New("amount out of range")

// String formats m the Vietnamese way: "125.000 ₫".
func (m Money) String() string { return FormatVND(m) + " ₫" }

// FormatVND groups the digits of m with dots, as Vietnamese prices are written.
func FormatVND(m Money) string {
	s := strconv.FormatInt(int64(m), 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// mulMoney returns a×n or ErrOverflow when the product leaves [0, MaxSaleTotal].
func mulMoney(a Money, n int64) (Money, error) {
	if a < 0 || n < 0 {
		return 0, ErrOverflow
	}
	hi, lo := bits.Mul64(uint64(a), uint64(n))
	if hi != 0 || lo > uint64(MaxSaleTotal) {
		return 0, ErrOverflow
	}
	return Money(lo), nil
}

// addMoney returns a+b or ErrOverflow when the sum leaves [0, MaxSaleTotal].
func addMoney(a, b Money) (Money, error) {
	if a < 0 || b < 0 || a > MaxSaleTotal || b > MaxSaleTotal || a+b > MaxSaleTotal {
		return 0, ErrOverflow
	}
	return a + b, nil
}

// VATContained returns the VAT included in a VAT-inclusive gross amount at rate
// percent, rounded half away from zero to the đồng: gross × rate / (100 + rate).
func VATContained(gross Money, rate int) Money {
	if rate <= 0 {
		return 0
	}
	neg := gross < 0
	if neg {
		gross = -gross
	}
	num := int64(gross) * int64(rate)
	den := int64(100 + rate)
	v := Money((2*num + den) / (2 * den))
	if neg {
		return -v
	}
	return v
}
