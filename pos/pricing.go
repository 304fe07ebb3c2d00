package pos

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Pricing. One function, PriceCart, prices every cart the kiosk shows or
// sells: the till's cart on the screens, a sale as it commits, an order. So
// the screens, the sale, the receipt and the hub's checks all see the same
// numbers. The rules, stated once (README "How a sale is settled"):
//
//   - A line is worth price × quantity; a weighed line price per kg × grams /
//     1000, rounded half up to the đồng.
//   - Promotions first: of the promotions valid for the line's product at that
//     moment (Vietnam time), the one that saves the customer most on that line
//     applies, and only that one (promotions do not stack; ties go to the
//     smaller promotion id). Units given free by "buy X get Y" become a line
//     of their own at price 0 naming the promotion.
//   - Then the line's manual discount, on what the line costs after its
//     promotion; then the sale's manual discount, on the sum of the lines.
//   - A percentage is rounded half up to the đồng, once, where it is taken
//     (Percent.Of).
//   - A sale discount is spread over the lines pro rata to what each costs,
//     each share rounded down to the đồng; the đồng left over go one to each
//     line, the largest line first (ties: the earlier line). No line's share
//     exceeds the line, and VAT contained is worked out on what the customer
//     pays for each line and, on the sale, per rate.

// MaxWeightG bounds one weighed line: 100 kg.
const MaxWeightG = 100_000

// ErrBadWeight is a weight that does not fit the line: missing or out of
// bounds on a product sold by weight, or given for one sold by the unit.
var ErrBadWeight = errors.New("bad weight")

// LineGross is what a line is worth at its price before any discount: price ×
// qty, or for a weighed line (weightG ≠ 0) price per kg × grams / 1000
// rounded half up to the đồng. Negative quantities and weights (voids and
// refunds) give the negative of the same amount.
func LineGross(price Money, qty, weightG int64) Money {
	switch {
	case weightG > 0:
		return mulDivHalfUp(price, weightG, 1000)
	case weightG < 0:
		return -mulDivHalfUp(price, -weightG, 1000)
	}
	return price * Money(qty)
}

// Gross is what the line is worth at its price before any discount.
func (l Line) Gross() Money { return LineGross(l.Price, l.Qty, l.WeightG) }

// Units is what the line takes from stock: grams of a weighed line, units
// otherwise (negative for voids and refunds).
func (l Line) Units() int64 {
	if l.WeightG != 0 {
		return l.WeightG
	}
	return l.Qty
}

// Cart is what PriceCart prices: the lines of a sale, an order or a till's
// cart, and the sale's own discount.
type Cart struct {
	Lines          []LineRequest
	Discount       *Discount
	DiscountReason string
	// Approved says the manager approved every discount of the cart (the
	// manager PIN came with the request).
	Approved bool
}

// PriceEnv is what a cart is priced against.
type PriceEnv struct {
	// Product finds a product by SKU (an error wrapping ErrUnknownSKU when
	// there is none).
	Product func(sku string) (*Product, error)
	// Lot tells whether a product has a lot; nil knows no lots.
	Lot func(sku, code string) bool
	// Promotions are the kiosk's promotions; nil has none.
	Promotions *PromotionSet
	// Now decides which promotions are valid.
	Now time.Time
	// DiscountLimit is the share of a line or sale a manual discount may
	// take without the manager's approval.
	DiscountLimit Percent
	// NoDiscounts refuses manual discounts (an order: a tourist gives
	// herself none).
	NoDiscounts bool
}

// Priced is a priced cart.
type Priced struct {
	Lines []Line
	// Source is, for each priced line, the cart line it comes from (a free
	// line comes from the line it was given with).
	Source []int
	// Bases are, per cart line, what its manual discount is taken from: the
	// line after its promotion. SaleBase is what the sale's discount is
	// taken from: the lines after their own discounts.
	Bases    []Money
	SaleBase Money
	// Gross is the lines at their prices, Discount everything taken off
	// them (promotions, line and sale discounts), Total Gross − Discount.
	// SaleDiscount is the sale's own discount, spread over the lines.
	Gross, Discount, SaleDiscount, Total Money
	DiscountReason                       string
	VAT                                  []VATLine
	Promotions                           []AppliedPromotion
	// NeedsPIN lists the manual discounts above the limit that the manager
	// has not approved: cart line indexes, −1 for the sale's discount.
	NeedsPIN []int
}

// PriceCart prices c against env. It refuses (and prices nothing) a cart with
// no lines or too many, a bad quantity or weight, an unknown product or lot, a
// bad discount, or amounts beyond MaxSaleTotal. A discount above the limit is
// not refused here: NeedsPIN names it, and the caller decides.
func PriceCart(c Cart, env PriceEnv) (Priced, error) {
	if len(c.Lines) == 0 {
		return Priced{}, ErrEmptySale
	}
	if len(c.Lines) > MaxLines {
		return Priced{}, fmt.Errorf("%w: %d lines, at most %d", ErrTooManyLines, len(c.Lines), MaxLines)
	}
	pr := Priced{Lines: make([]Line, 0, len(c.Lines)), Source: make([]int, 0, len(c.Lines)), Bases: make([]Money, len(c.Lines))}
	var sub Money
	seenSerials := map[string]bool{}
	for i, rl := range c.Lines {
		p, err := env.Product(rl.SKU)
		if err != nil {
			return Priced{}, fmt.Errorf("line %d: %w", i+1, err)
		}
		if err := checkRequestSerials(i, rl, p.ByWeight(), seenSerials); err != nil {
			return Priced{}, err
		}
		if rl.Lot != "" && (env.Lot == nil || !env.Lot(p.SKU, rl.Lot)) {
			return Priced{}, fmt.Errorf("%w: line %d: lot %q of %s", ErrUnknownLot, i+1, rl.Lot, p.SKU)
		}
		qty, grams := rl.Qty, rl.WeightG
		if p.ByWeight() {
			if grams <= 0 || grams > MaxWeightG {
				return Priced{}, fmt.Errorf("%w: line %d (%s) is sold by weight: weight_g %d, want 1 to %d grams", ErrBadWeight, i+1, p.SKU, grams, MaxWeightG)
			}
			if qty != 0 && qty != 1 {
				return Priced{}, fmt.Errorf("%w: line %d (%s) is sold by weight: one weighing a line, its grams in weight_g, not qty %d", ErrBadQuantity, i+1, p.SKU, qty)
			}
			qty = 1
		} else {
			if grams != 0 {
				return Priced{}, fmt.Errorf("%w: line %d (%s) is sold by the unit, not by weight", ErrBadWeight, i+1, p.SKU)
			}
			if qty <= 0 || qty > MaxQty {
				return Priced{}, fmt.Errorf("%w: line %d (%s) qty %d, want 1 to %d", ErrBadQuantity, i+1, p.SKU, qty, MaxQty)
			}
		}
		if _, err := mulMoney(p.Price, qty); err != nil { // a weighed line is far below the bound
			return Priced{}, fmt.Errorf("line %d (%s): %w", i+1, p.SKU, err)
		}
		line := Line{SKU: p.SKU, GTIN: p.GTIN, Name: p.Name, NameEN: p.NameEN, Unit: p.Unit,
			ProducerID: p.ProducerID, Lot: rl.Lot, Qty: qty, WeightG: grams, Price: p.Price, VATRate: p.VATRate}
		promo, off, free := env.Promotions.best(p, qty, grams, line.Gross(), env.Now)
		if free > 0 {
			line.Qty -= free
		} else if promo != nil {
			line.Promotion, line.PromotionDiscount = promo.ID, off
		}
		base := line.Gross() - line.PromotionDiscount
		pr.Bases[i] = base
		if !rl.Discount.IsZero() {
			if env.NoDiscounts {
				return Priced{}, fmt.Errorf("%w: line %d (%s): an order takes no discounts (the till gives them when it sells)", ErrBadDiscount, i+1, p.SKU)
			}
			if bad := rl.Discount.check(base, rl.DiscountReason); bad != "" {
				return Priced{}, fmt.Errorf("%w: line %d (%s): %s", ErrBadDiscount, i+1, p.SKU, bad)
			}
			line.LineDiscount, line.DiscountReason = rl.Discount.off(base), rl.DiscountReason
			if !rl.Discount.allowed(env.DiscountLimit, base, c.Approved) {
				pr.NeedsPIN = append(pr.NeedsPIN, i)
			}
		}
		if sub, err = addMoney(sub, base-line.LineDiscount); err != nil {
			return Priced{}, fmt.Errorf("sale total: %w", err)
		}
		paidSerials, freeSerials := splitSerials(rl.Serials, line.Qty)
		line.Serials = paidSerials
		pr.Lines, pr.Source = append(pr.Lines, line), append(pr.Source, i)
		if free > 0 {
			pr.Lines = append(pr.Lines, Line{SKU: p.SKU, GTIN: p.GTIN, Name: p.Name, NameEN: p.NameEN, Unit: p.Unit,
				ProducerID: p.ProducerID, Lot: rl.Lot, Qty: free, Serials: freeSerials, VATRate: p.VATRate,
				Free: true, ListPrice: p.Price, Promotion: promo.ID})
			pr.Source = append(pr.Source, i)
		}
	}
	pr.SaleBase = sub
	if !c.Discount.IsZero() {
		if env.NoDiscounts {
			return Priced{}, fmt.Errorf("%w: an order takes no discounts (the till gives them when it sells)", ErrBadDiscount)
		}
		if bad := c.Discount.check(sub, c.DiscountReason); bad != "" {
			return Priced{}, fmt.Errorf("%w: the sale: %s", ErrBadDiscount, bad)
		}
		pr.SaleDiscount, pr.DiscountReason = c.Discount.off(sub), c.DiscountReason
		if !c.Discount.allowed(env.DiscountLimit, sub, c.Approved) {
			pr.NeedsPIN = append(pr.NeedsPIN, -1)
		}
		spreadSaleDiscount(pr.Lines, pr.SaleDiscount, sub)
	}
	for i := range pr.Lines {
		l := &pr.Lines[i]
		l.Discount = l.PromotionDiscount + l.LineDiscount + l.SaleDiscount
		l.Total = l.Gross() - l.Discount
		l.VAT = VATContained(l.Total, l.VATRate)
		pr.Gross += l.Gross()
		pr.Discount += l.Discount
		pr.Total += l.Total
	}
	pr.VAT = vatBreakdown(pr.Lines)
	pr.Promotions = env.Promotions.applied(pr.Lines)
	return pr, nil
}

// spreadSaleDiscount shares d out over lines, pro rata to what each costs
// after its own discounts (which sum to sub): each share rounded down to the
// đồng, then the đồng left over one to each line, largest first (ties: the
// earlier line). A line's share never exceeds what it costs: a share rounded
// down is below the line whenever d < sub, and at d = sub nothing is left over.
func spreadSaleDiscount(lines []Line, d, sub Money) {
	if d <= 0 || sub <= 0 {
		return
	}
	cost := func(l *Line) Money { return l.Gross() - l.PromotionDiscount - l.LineDiscount }
	left := d
	for i := range lines {
		l := &lines[i]
		l.SaleDiscount = mulDivDown(cost(l), d, sub)
		left -= l.SaleDiscount
	}
	if left == 0 {
		return
	}
	order := make([]int, 0, len(lines))
	for i := range lines {
		if cost(&lines[i]) > lines[i].SaleDiscount {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return cost(&lines[order[a]]) > cost(&lines[order[b]]) })
	for _, i := range order {
		if left == 0 {
			break
		}
		lines[i].SaleDiscount++
		left--
	}
}

// vatBreakdown sums what the customer pays per rate and computes the VAT
// contained in each sum, so the receipt's per-rate VAT does not carry
// per-line rounding.
func vatBreakdown(lines []Line) []VATLine {
	by := map[int]Money{}
	for _, l := range lines {
		by[l.VATRate] += l.Total
	}
	out := make([]VATLine, 0, len(by))
	for r, g := range by {
		out = append(out, VATLine{Rate: r, Gross: g, VAT: VATContained(g, r)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rate < out[j].Rate })
	return out
}

// needsPIN is ErrDiscountNeedsPIN naming the discounts above limit that the
// manager has not approved, or nil.
func (pr Priced) needsPIN(limit Percent) error {
	if len(pr.NeedsPIN) == 0 {
		return nil
	}
	var what []string
	for _, i := range pr.NeedsPIN {
		if i < 0 {
			what = append(what, "the sale's discount")
			continue
		}
		for j, src := range pr.Source {
			if src == i {
				what = append(what, fmt.Sprintf("line %d (%s)", i+1, pr.Lines[j].SKU))
				break
			}
		}
	}
	return fmt.Errorf("%w: %s above %s %% (send the manager PIN in X-Manager-Pin)", ErrDiscountNeedsPIN, strings.Join(what, ", "), limit)
}
