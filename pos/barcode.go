package pos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Label scales print EAN-13 barcodes that carry a weight or a price: GS1
// keeps the prefixes 20–29 for such "variable measure" codes inside one
// country or shop, and each shop (or its scale vendor) decides how the twelve
// data digits are laid out. A common layout is
//
//	21 IIIII VVVVV C      prefix, item code, value (grams or đồng), EAN check digit
//	22 IIII P VVVVV C     the same with a price (or measure) verifier digit P
//
// (GS1 General Specifications 2.1.14.2, "Examples of alternative data
// structures"; the verifier digit is section 7.9.3). BarcodeLayout is one such
// layout, ParseBarcodeLayout reads the kiosk's -scale-barcode setting, and
// ParseEmbedded reads a scanned code with the layouts configured.

// ErrBadBarcode reports a weight- or price-embedded code that cannot be read:
// a wrong EAN-13 check digit, a wrong verifier digit, or a value of zero. A
// code of no configured layout is not an error: it is some other barcode.
var ErrBadBarcode = errors.New("bad barcode")

// EmbeddedValue says what the value digits of a layout are.
type EmbeddedValue string

// What a label scale puts in the value digits.
const (
	EmbeddedWeight EmbeddedValue = "weight" // grams (times the layout's unit)
	EmbeddedPrice  EmbeddedValue = "price"  // đồng (times the layout's unit)
)

// BarcodeLayout is the layout of one prefix's weight- or price-embedded EAN-13
// codes.
type BarcodeLayout struct {
	Prefix      string        // two digits, 20 to 29
	ItemDigits  int           // the item code after the prefix
	Value       EmbeddedValue // weight or price
	ValueDigits int           // the value, just before the EAN check digit
	// Verifier is a price or measure verifier digit between the item code and
	// a value of 4 or 5 digits (GS1 General Specifications 7.9.3).
	Verifier bool
	// Unit is what one step of the value is worth: grams for a weight (1, 10
	// or 100), đồng for a price (1, 10, 100 or 1000: a label scale with five
	// price digits counts in hundreds of đồng to reach 9.999.900 ₫).
	Unit int64
}

// ParseBarcodeLayout reads a layout written as comma-separated keys:
//
//	prefix=21,item=5,value=weight            21 IIIII VVVVV C, grams
//	prefix=22,item=4,value=price,check=1,unit=100
//	                                         22 IIII P VVVVV C, hundreds of đồng
//
// Keys: prefix (20–29), item (item-code digits), value (weight or price),
// digits (value digits; by default what the prefix, item code and verifier
// leave of the twelve), check (1: a verifier digit before the value), unit
// (weight: g, 10g, 100g; price: 1, 10, 100, 1000 đồng).
func ParseBarcodeLayout(s string) (BarcodeLayout, error) {
	l := BarcodeLayout{Unit: 1}
	seen := map[string]bool{}
	digits := -1
	unit := ""
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || v == "" {
			return BarcodeLayout{}, fmt.Errorf("barcode layout %q: %q is not KEY=VALUE", s, part)
		}
		if seen[k] {
			return BarcodeLayout{}, fmt.Errorf("barcode layout %q: %s given twice", s, k)
		}
		seen[k] = true
		var err error
		switch k {
		case "prefix":
			l.Prefix = v
		case "item":
			l.ItemDigits, err = strconv.Atoi(v)
		case "digits":
			digits, err = strconv.Atoi(v)
		case "value":
			l.Value = EmbeddedValue(v)
		case "check":
			switch v {
			case "0":
			case "1":
				l.Verifier = true
			default:
				err = fmt.Errorf("want 0 or 1")
			}
		case "unit":
			unit = v // read below, once the value says grams or đồng
		default:
			return BarcodeLayout{}, fmt.Errorf("barcode layout %q: unknown key %q (prefix, item, value, digits, check, unit)", s, k)
		}
		if err != nil {
			return BarcodeLayout{}, fmt.Errorf("barcode layout %q: %s=%q: %v", s, k, v, err)
		}
	}
	if digits < 0 {
		digits = 12 - len(l.Prefix) - l.ItemDigits
		if l.Verifier {
			digits--
		}
	}
	l.ValueDigits = digits
	if unit != "" {
		var err error
		if l.Unit, err = parseLayoutUnit(l.Value, unit); err != nil {
			return BarcodeLayout{}, fmt.Errorf("barcode layout %q: unit=%q: %v", s, unit, err)
		}
	}
	if err := l.Validate(); err != nil {
		return BarcodeLayout{}, fmt.Errorf("barcode layout %q: %w", s, err)
	}
	return l, nil
}

// parseLayoutUnit reads unit=: grams for a weight (g, 10g, 100g), đồng for a
// price (1, 10, 100, 1000).
func parseLayoutUnit(value EmbeddedValue, v string) (int64, error) {
	n := v
	if value == EmbeddedWeight {
		if n = strings.TrimSuffix(strings.ToLower(v), "g"); n == v {
			return 0, fmt.Errorf("a weight's unit is g, 10g or 100g")
		}
		if n == "" {
			return 1, nil
		}
	}
	u, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		if value == EmbeddedWeight {
			return 0, fmt.Errorf("a weight's unit is g, 10g or 100g")
		}
		return 0, fmt.Errorf("a price's unit is 1, 10, 100 or 1000 đồng")
	}
	return u, nil
}

// Validate checks that the layout fills the twelve data digits of an EAN-13.
func (l BarcodeLayout) Validate() error {
	switch {
	case len(l.Prefix) != 2 || l.Prefix[0] != '2' || l.Prefix[1] < '0' || l.Prefix[1] > '9':
		return fmt.Errorf("prefix %q: want 20 to 29, the GS1 prefixes of in-store codes", l.Prefix)
	case l.Value != EmbeddedWeight && l.Value != EmbeddedPrice:
		return fmt.Errorf("value %q: want weight or price", l.Value)
	case l.ItemDigits < 1 || l.ItemDigits > 8:
		return fmt.Errorf("item code of %d digits: want 1 to 8", l.ItemDigits)
	case l.ValueDigits < 3 || l.ValueDigits > 7:
		return fmt.Errorf("value of %d digits: want 3 to 7", l.ValueDigits)
	case l.Verifier && l.ValueDigits != 4 && l.ValueDigits != 5:
		return fmt.Errorf("a verifier digit checks a value of 4 or 5 digits, not %d", l.ValueDigits)
	}
	if n := len(l.Prefix) + l.ItemDigits + l.ValueDigits + b2i(l.Verifier); n != 12 {
		return fmt.Errorf("prefix, item code, verifier and value make %d digits: an EAN-13 has 12 before its check digit", n)
	}
	switch {
	case l.Value == EmbeddedWeight && l.Unit != 1 && l.Unit != 10 && l.Unit != 100:
		return fmt.Errorf("weight unit %d g: want g, 10g or 100g", l.Unit)
	case l.Value == EmbeddedPrice && l.Unit != 1 && l.Unit != 10 && l.Unit != 100 && l.Unit != 1000:
		return fmt.Errorf("price unit %d đồng: want 1, 10, 100 or 1000", l.Unit)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// String writes the layout as ParseBarcodeLayout reads it.
func (l BarcodeLayout) String() string {
	s := fmt.Sprintf("prefix=%s,item=%d,value=%s,digits=%d", l.Prefix, l.ItemDigits, l.Value, l.ValueDigits)
	if l.Verifier {
		s += ",check=1"
	}
	if l.Value == EmbeddedWeight {
		return s + fmt.Sprintf(",unit=%dg", l.Unit)
	}
	return s + fmt.Sprintf(",unit=%d", l.Unit)
}

// CheckBarcodeLayouts refuses two layouts of one prefix: a scanned code could
// not tell which one printed it.
func CheckBarcodeLayouts(ls []BarcodeLayout) error {
	seen := map[string]bool{}
	for _, l := range ls {
		if seen[l.Prefix] {
			return fmt.Errorf("two barcode layouts for prefix %s: a scanned code could not tell them apart", l.Prefix)
		}
		seen[l.Prefix] = true
	}
	return nil
}

// Embedded is what a weight- or price-embedded code says.
type Embedded struct {
	Code   string        `json:"code"`
	Item   string        `json:"item"`  // the item code, as printed (leading zeros kept)
	Value  EmbeddedValue `json:"value"` // weight or price
	Grams  int64         `json:"weight_g,omitempty"`
	Price  Money         `json:"price,omitempty"`
	Layout BarcodeLayout `json:"-"`
}

// ParseEmbedded reads a scanned code with the configured layouts. ok is false
// when the code is of none of them (not 13 digits, or another prefix): some
// other barcode. A code of a layout whose check digit, verifier digit or value
// is wrong is ErrBadBarcode.
func ParseEmbedded(code string, layouts []BarcodeLayout) (e Embedded, ok bool, err error) {
	code = strings.TrimSpace(code)
	if len(code) != 13 {
		return Embedded{}, false, nil
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return Embedded{}, false, nil
		}
	}
	var l *BarcodeLayout
	for i := range layouts {
		if strings.HasPrefix(code, layouts[i].Prefix) {
			l = &layouts[i]
			break
		}
	}
	if l == nil {
		return Embedded{}, false, nil
	}
	if want := GTINCheckDigit(code[:12]); code[12] != want {
		return Embedded{}, true, fmt.Errorf("%w %s: EAN-13 check digit %c, want %c (scan it again)", ErrBadBarcode, code, code[12], want)
	}
	at := len(l.Prefix)
	item := code[at : at+l.ItemDigits]
	at += l.ItemDigits
	value := code[12-l.ValueDigits : 12]
	if l.Verifier {
		if want, _ := VerifierDigit(value); code[at] != want {
			return Embedded{}, true, fmt.Errorf("%w %s: %s verifier digit %c, want %c", ErrBadBarcode, code, l.Value, code[at], want)
		}
	}
	n, _ := strconv.ParseInt(value, 10, 64) // digits only, at most 7
	if n == 0 {
		return Embedded{}, true, fmt.Errorf("%w %s: the label's %s is 0", ErrBadBarcode, code, l.Value)
	}
	e = Embedded{Code: code, Item: item, Value: l.Value, Layout: *l}
	if l.Value == EmbeddedWeight {
		e.Grams = n * l.Unit
	} else {
		e.Price = Money(n * l.Unit)
	}
	return e, true, nil
}

// BaseCode is the code with its value (and verifier) digits zero and the
// check digit made again: a product's barcode in this form names the item in
// every label of it, as shops that keep one barcode per weighed product do.
func (e Embedded) BaseCode() string {
	l := e.Layout
	b := []byte(e.Code[:12])
	for i := len(l.Prefix) + l.ItemDigits; i < 12; i++ {
		b[i] = '0'
	}
	return string(b) + string(GTINCheckDigit(string(b)))
}

// GramsAt is the weight a price-embedded label stands for at a price per kg,
// rounded to the gram (half up); a weight label says its weight. A line
// priced from that weight comes back to the label's price within half a gram's
// worth of đồng.
func (e Embedded) GramsAt(pricePerKg Money) (int64, error) {
	if e.Value == EmbeddedWeight {
		return e.Grams, nil
	}
	if pricePerKg <= 0 {
		return 0, fmt.Errorf("%w %s: the product has no price per kg to weigh %d đồng by", ErrBadBarcode, e.Code, e.Price)
	}
	g := (int64(e.Price)*1000*2 + int64(pricePerKg)) / (2 * int64(pricePerKg))
	if g <= 0 {
		return 0, fmt.Errorf("%w %s: %d đồng is less than a gram at %d đồng/kg", ErrBadBarcode, e.Code, e.Price, pricePerKg)
	}
	return g, nil
}

// EmbeddedCode makes the code a label scale prints for an item and a value
// (grams or đồng, a multiple of the layout's unit) in layout l.
func EmbeddedCode(l BarcodeLayout, item string, value int64) (string, error) {
	if err := l.Validate(); err != nil {
		return "", err
	}
	if len(item) != l.ItemDigits || strings.Trim(item, "0123456789") != "" {
		return "", fmt.Errorf("item code %q: want %d digits", item, l.ItemDigits)
	}
	if value <= 0 || value%l.Unit != 0 {
		return "", fmt.Errorf("value %d: want a positive multiple of %d", value, l.Unit)
	}
	v := strconv.FormatInt(value/l.Unit, 10)
	if len(v) > l.ValueDigits {
		return "", fmt.Errorf("value %d does not fit in %d digits", value, l.ValueDigits)
	}
	v = strings.Repeat("0", l.ValueDigits-len(v)) + v
	s := l.Prefix + item
	if l.Verifier {
		c, _ := VerifierDigit(v)
		s += string(c)
	}
	s += v
	return s + string(GTINCheckDigit(s)), nil
}

// The weighting tables of GS1 General Specifications 7.9.3: a digit's product
// with 2 less its tens ("2-"), with 5 plus its tens ("5+"), with 5 less its
// tens ("5-"), each taken modulo 10; and the digit whose "5-" product is n.
var (
	weight2Minus     = [10]int{0, 2, 4, 6, 8, 9, 1, 3, 5, 7}
	weight5Plus      = [10]int{0, 5, 1, 6, 2, 7, 3, 8, 4, 9}
	weight5Minus     = [10]int{0, 5, 9, 4, 8, 3, 7, 2, 6, 1}
	inverse5Minus    = [10]int{0, 9, 7, 5, 3, 1, 8, 6, 4, 2}
	errVerifierInput = errors.New("a verifier digit checks 4 or 5 digits")
)

// VerifierDigit is the price or measure verifier digit of a four- or
// five-digit value (GS1 General Specifications 7.9.3). Four digits are
// weighted 2-, 2-, 3, 5- and the digit is the units of three times the sum;
// five digits are weighted 5+, 2-, 5-, 5+, 2- and the digit is the one whose
// 5- product makes the sum a multiple of ten.
func VerifierDigit(v string) (byte, error) {
	d := make([]int, len(v))
	for i := range v {
		if v[i] < '0' || v[i] > '9' {
			return 0, fmt.Errorf("%w: %q is not digits", errVerifierInput, v)
		}
		d[i] = int(v[i] - '0')
	}
	switch len(d) {
	case 4:
		sum := weight2Minus[d[0]] + weight2Minus[d[1]] + 3*d[2] + weight5Minus[d[3]]
		return byte('0' + sum*3%10), nil
	case 5:
		sum := weight5Plus[d[0]] + weight2Minus[d[1]] + weight5Minus[d[2]] + weight5Plus[d[3]] + weight2Minus[d[4]]
		return byte('0' + inverse5Minus[(10-sum%10)%10]), nil
	}
	return 0, fmt.Errorf("%w, not %d", errVerifierInput, len(v))
}
