package pos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
)

// Errors of discounts. The kiosk maps each to a status and a stable code.
var (
	// ErrBadDiscount is a discount that cannot be given: above 100 % or
	// above what it is taken off, negative, both a percentage and an amount,
	// or where no discount may be given (an order).
	ErrBadDiscount = errors.New("bad discount")
	// ErrDiscountNeedsPIN is a discount above the kiosk's limit that the
	// manager has not approved.
	ErrDiscountNeedsPIN = errors.New("discount above the limit needs the manager PIN")
)

// Percent is a share in hundredths of a percent: 1250 is 12.5 %. JSON and
// flags carry it as the percentage itself (12.5), with at most two decimals,
// so no float ever touches an amount worked out from it.
type Percent int64

// Whole is 100 %.
const Whole Percent = 100_00

// DefaultDiscountLimit is the share of a line or a sale a till may take off
// without the manager PIN when the kiosk sets no other limit.
const DefaultDiscountLimit Percent = 10_00

// MaxDiscountReason bounds the reason given with a discount.
const MaxDiscountReason = 200

var rePercent = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,2})?$`)

// ParsePercent reads "10", "12.5" or "7.25" (a trailing "%" is allowed): 0 to
// 100 with at most two decimals.
func ParsePercent(s string) (Percent, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if !rePercent.MatchString(s) {
		return 0, fmt.Errorf("percent %q: want 0 to 100 with at most two decimals", s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	p := Percent(w*100 + f)
	if p > Whole {
		return 0, fmt.Errorf("percent %q: more than 100", s)
	}
	return p, nil
}

// String writes the percentage as people do: "10", "12.5", "7.25".
func (p Percent) String() string {
	neg := ""
	if p < 0 {
		neg, p = "-", -p
	}
	s := fmt.Sprintf("%s%d.%02d", neg, p/100, p%100)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// MarshalJSON writes the percentage as a JSON number: 12.5.
func (p Percent) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number. One that is not 0 to 100 with at most
// two decimals reads as -1, which every check refuses with its own stable
// code (a bad promotion, a bad discount) instead of calling it bad JSON.
func (p *Percent) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	v, err := ParsePercent(n.String())
	if err != nil {
		v = -1
	}
	*p = v
	return nil
}

// Of is the share p of m, rounded half up to the đồng: the one rounding of a
// percentage to the đồng, wherever one is taken (discounts, promotions).
func (p Percent) Of(m Money) Money { return mulDivHalfUp(m, int64(p), int64(Whole)) }

// mulDivHalfUp is m × num / den rounded half up, for m, num ≥ 0 and den > 0,
// exact in 128 bits: amounts up to MaxSaleTotal times shares never overflow.
// Arguments out of that range (a record from elsewhere, checked by the hub)
// give math.MaxInt64, which no real amount equals, rather than a panic.
func mulDivHalfUp(m Money, num, den int64) Money {
	if m < 0 || num < 0 || den <= 0 {
		return math.MaxInt64
	}
	hi, lo := bits.Mul64(uint64(m), uint64(num))
	// + den/2, then divide: half up.
	lo, carry := bits.Add64(lo, uint64(den)/2, 0)
	hi += carry
	if hi >= uint64(den) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(den))
	return Money(min(q, math.MaxInt64))
}

// mulDivDown is m × num / den rounded down, for m, num ≥ 0, den > 0 and
// num ≤ den (so the quotient fits).
func mulDivDown(m Money, num, den Money) Money {
	if m < 0 || num < 0 || den <= 0 || num > den {
		return math.MaxInt64
	}
	hi, lo := bits.Mul64(uint64(m), uint64(num))
	q, _ := bits.Div64(hi, lo, uint64(den))
	return Money(q)
}

// Discount is a manual discount a till gives, on a line or on the whole sale:
// a percentage or an amount in đồng, never both. JSON: {"percent": 10} or
// {"amount": 20000}.
type Discount struct {
	Percent *Percent `json:"percent,omitempty"`
	Amount  *Money   `json:"amount,omitempty"`
	// Approved is the share of its base up to which the manager approved
	// this discount (with the PIN); 0 leaves it to the kiosk's limit. It is
	// set by the kiosk, never read from a request.
	Approved Percent `json:"-"`
	// bad is what was wrong with the JSON, reported by check as
	// ErrBadDiscount (a malformed percentage is a bad discount, not bad JSON).
	bad string
}

// UnmarshalJSON reads {"percent": N} or {"amount": N}, keeping what is wrong
// with them for check to report.
func (d *Discount) UnmarshalJSON(b []byte) error {
	var raw struct {
		Percent *json.Number `json:"percent"`
		Amount  *json.Number `json:"amount"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	*d = Discount{}
	if raw.Percent != nil {
		p, err := ParsePercent(raw.Percent.String())
		if err != nil {
			d.bad = err.Error()
		}
		d.Percent = &p
	}
	if raw.Amount != nil {
		n, err := strconv.ParseInt(raw.Amount.String(), 10, 64)
		if err != nil || n < 0 || Money(n) > MaxSaleTotal {
			d.bad = fmt.Sprintf("amount %s: want whole đồng from 0 to %d", raw.Amount, MaxSaleTotal)
		}
		a := Money(n)
		d.Amount = &a
	}
	return nil
}

// IsZero tells a discount that takes nothing off: none, 0 % or 0 đồng. An
// empty or malformed one is not zero: check refuses it.
func (d *Discount) IsZero() bool {
	switch {
	case d == nil:
		return true
	case d.bad != "" || (d.Percent == nil) == (d.Amount == nil):
		return false
	}
	return d.Percent != nil && *d.Percent == 0 || d.Amount != nil && *d.Amount == 0
}

// check says what is wrong with d as a discount off base ("" when nothing).
func (d *Discount) check(base Money, reason string) string {
	switch {
	case d.bad != "":
		return d.bad
	case d.Percent != nil && d.Amount != nil:
		return "a percentage or an amount, not both"
	case d.Percent == nil && d.Amount == nil:
		return `say {"percent": N} or {"amount": đồng}`
	case d.Percent != nil && (*d.Percent < 0 || *d.Percent > Whole):
		return "want a percentage from 0 to 100 with at most two decimals"
	case d.Amount != nil && *d.Amount < 0:
		return "a negative amount"
	case d.Amount != nil && *d.Amount > base:
		return fmt.Sprintf("%s off is more than the %s it is taken from", *d.Amount, base)
	case len(reason) > MaxDiscountReason:
		return fmt.Sprintf("a reason of at most %d bytes", MaxDiscountReason)
	}
	return ""
}

// off is the đồng d takes off base (checked).
func (d *Discount) off(base Money) Money {
	if d.Percent != nil {
		return d.Percent.Of(base)
	}
	return *d.Amount
}

// within tells whether d, taking off from base, stays within share: a
// percentage is compared as given (its rounding to the đồng does not push it
// over), an amount exactly as amount ≤ share × base.
func (d *Discount) within(share Percent, base Money) bool {
	if d.Percent != nil {
		return *d.Percent <= share
	}
	hi, lo := bits.Mul64(uint64(*d.Amount), uint64(Whole))
	hi2, lo2 := bits.Mul64(uint64(base), uint64(share))
	return hi < hi2 || hi == hi2 && lo <= lo2
}

// Approve records that the manager approved d as it stands against base: a
// percentage as given, an amount up to the share of base it is now (rounded
// up to a hundredth of a percent). The approval holds while the discount
// stays within that share, so a line that grows keeps it and one that shrinks
// under an amount discount needs the PIN again.
func (d *Discount) Approve(base Money) {
	switch {
	case d == nil:
	case d.Percent != nil:
		d.Approved = *d.Percent
	case d.Amount != nil && base > 0:
		share := Percent(mulDivHalfUp(*d.Amount, int64(Whole), int64(base)))
		for !d.within(share, base) { // rounding down would leave it just outside
			share++
		}
		d.Approved = min(share, Whole)
	case d.Amount != nil:
		d.Approved = Whole
	}
}

// allowed tells whether d off base may be given: within the kiosk's limit,
// within what the manager approved, or approved wholesale (all).
func (d *Discount) allowed(limit Percent, base Money, all bool) bool {
	return all || d.within(limit, base) || d.Approved > 0 && d.within(d.Approved, base)
}
