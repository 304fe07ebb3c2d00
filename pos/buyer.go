package pos

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Buyer is the buyer block of an invoice, only when the buyer asks for one
// (Decree 123 Art. 11.3 as amended): a name and one or more of a tax code, a
// personal id number or a phone, an address, an e-mail.
type Buyer struct {
	Name    string `json:"name,omitempty"`
	TaxCode string `json:"tax_code,omitempty"` // MST: 10 digits, or 10-3 for a branch
	IDNo    string `json:"id_no,omitempty"`    // CCCD: 12 digits
	Phone   string `json:"phone,omitempty"`    // 0xxxxxxxxx or +84xxxxxxxxx
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
}

var (
	reMSTShape = regexp.MustCompile(`^[0-9]{10}(-[0-9]{3})?$`)
	reCCCD     = regexp.MustCompile(`^[0-9]{12}$`)
	rePhoneVN  = regexp.MustCompile(`^(0[1-9][0-9]{8}|\+84[1-9][0-9]{8})$`)
)

// mstWeights weigh the first nine digits of a tax code; the tenth is the check
// digit: 10 − (Σ digit × weight mod 11). A sum ≡ 0 would need a check digit of
// 10, so no tax code has it.
var mstWeights = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}

// errMST says why a tax code is wrong.
var errMST = errors.New("bad tax code")

// ValidMST checks a Vietnamese tax code (mã số thuế): ten digits whose last is
// the check digit of the first nine, optionally followed by "-" and a
// three-digit branch number other than 000.
func ValidMST(s string) error {
	if !reMSTShape.MatchString(s) {
		return fmt.Errorf("%w %q: want 10 digits, or 10 digits, '-' and 3 for a branch", errMST, s)
	}
	sum := 0
	for i, w := range mstWeights {
		sum += int(s[i]-'0') * w
	}
	check := 10 - sum%11
	if check == 10 || int(s[9]-'0') != check {
		return fmt.Errorf("%w %q: the check digit (the tenth) is wrong", errMST, s)
	}
	if s[2:9] == "0000000" {
		return fmt.Errorf("%w %q: digits 3 to 9 run from 0000001", errMST, s)
	}
	if len(s) == 14 && s[11:] == "000" {
		return fmt.Errorf("%w %q: a branch number runs from 001", errMST, s)
	}
	return nil
}

// Bounds of the buyer block's free text.
const (
	maxBuyerName    = 200
	maxBuyerAddress = 400
	maxBuyerEmail   = 254
)

// Validate checks the buyer block and trims its text. An error wraps
// ErrBadBuyer and names the field as the request does (buyer.tax_code…).
func (b *Buyer) Validate() error {
	for _, f := range []*string{&b.Name, &b.TaxCode, &b.IDNo, &b.Phone, &b.Address, &b.Email} {
		*f = strings.TrimSpace(*f)
	}
	bad := func(field, format string, a ...any) error {
		return &FieldError{Field: "buyer." + field, Err: fmt.Errorf("%w: buyer.%s: %s", ErrBadBuyer, field, fmt.Sprintf(format, a...))}
	}
	for field, v := range map[string]string{"name": b.Name, "address": b.Address, "email": b.Email} {
		if !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\r\n\t") {
			return bad(field, "not one line of text")
		}
	}
	switch {
	case b.Name == "" && b.TaxCode == "" && b.IDNo == "" && b.Phone == "":
		return bad("name", "an invoice names its buyer: give a name, a tax code, an id number or a phone")
	case utf8.RuneCountInString(b.Name) > maxBuyerName:
		return bad("name", "longer than %d characters", maxBuyerName)
	case utf8.RuneCountInString(b.Address) > maxBuyerAddress:
		return bad("address", "longer than %d characters", maxBuyerAddress)
	case b.TaxCode != "" && ValidMST(b.TaxCode) != nil:
		return bad("tax_code", "%v", ValidMST(b.TaxCode))
	case b.IDNo != "" && !reCCCD.MatchString(b.IDNo):
		return bad("id_no", "%q: a citizen id (CCCD) is 12 digits", b.IDNo)
	case b.Phone != "" && !rePhoneVN.MatchString(b.Phone):
		return bad("phone", "%q: want a Vietnamese number, 10 digits from 0 or +84 and 9 digits", b.Phone)
	case len(b.Email) > maxBuyerEmail:
		return bad("email", "longer than %d characters", maxBuyerEmail)
	}
	if b.Email != "" {
		a, err := mail.ParseAddress(b.Email)
		if err != nil || a.Address != b.Email || a.Name != "" {
			return bad("email", "%q is not an e-mail address", b.Email)
		}
	}
	return nil
}
