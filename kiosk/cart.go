package kiosk

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A till's cart is priced by pos.PriceCart, the function that prices the sale
// when it commits: the cart on the till, the customer display and the sale
// always agree (promotions, discounts, weighed lines, VAT). Its lines are the
// cart's own, one per product; the sale splits off the units a promotion
// gives free as lines of their own, which the cart shows as free_qty.

// cart is the till's cart with the given lines as pos prices it.
func (t *till) cart(lines []cartLine) pos.Cart {
	c := pos.Cart{Lines: make([]pos.LineRequest, len(lines)), Discount: t.saleDiscount, DiscountReason: t.saleReason}
	for i, l := range lines {
		c.Lines[i] = pos.LineRequest{SKU: l.SKU, Lot: l.Lot, Serials: l.Serials, Qty: l.Qty, WeightG: l.WeightG, Discount: l.Discount, DiscountReason: l.Reason}
	}
	return c
}

// price prices a cart against the kiosk's catalog (the search index), its
// promotions and its clock. lenient prices a product that has left the
// catalog at 0 instead of refusing it, so a screen still shows its line.
func (h *hub) price(c pos.Cart, lenient bool) (pos.Priced, error) {
	ix := h.s.index.Load()
	promos, err := h.s.store.PromotionSet()
	if err != nil {
		return pos.Priced{}, err
	}
	weighed := map[string]bool{}
	for _, l := range c.Lines {
		if l.WeightG != 0 {
			weighed[l.SKU] = true
		}
	}
	return pos.PriceCart(c, pos.PriceEnv{Product: func(sku string) (*pos.Product, error) {
		if p := ix.Lookup(sku); p != nil && p.SKU == sku {
			return p, nil
		}
		if !lenient {
			return nil, fmt.Errorf("%w: %q", pos.ErrUnknownSKU, sku)
		}
		gone := &pos.Product{SKU: sku}
		if weighed[sku] {
			gone.SoldBy = pos.SoldByWeight
		}
		return gone, nil
	}, Promotions: promos, Now: h.s.store.Now(), DiscountLimit: h.s.store.DiscountLimit(),
		// A line of a scanned label names its lot; the sale checks it again.
		Lot: func(sku, code string) bool { _, err := h.s.store.Lot(sku, code); return err == nil }})
}

// keepCart makes lines the till's cart unless a discount in it no longer fits
// (an amount above what its line now costs): then the change is refused. A
// cart emptied line by line loses its own discount too, as a cleared one does.
func (h *hub) keepCart(t *till, lines []cartLine) error {
	if len(lines) == 0 {
		t.lines, t.saleDiscount, t.saleReason = nil, nil, ""
		return nil
	}
	discounted := t.saleDiscount != nil
	for _, l := range lines {
		discounted = discounted || l.Discount != nil
	}
	if discounted {
		if _, err := h.price(t.cart(lines), true); errors.Is(err, pos.ErrBadDiscount) {
			return err
		}
	}
	t.lines = lines
	return nil
}

// changeWeighed applies cart.add (weight_g more), cart.weight (the line's
// weight; 0 removes it) or cart.set (refused: a weighed line has a weight, not
// a quantity) to the line i (−1: none yet) of a product sold by weight.
func (h *hub) changeWeighed(t *till, lines []cartLine, i int, p *pos.Product, m inMsg) error {
	if m.Type == "cart.set" || m.Qty != nil {
		return fmt.Errorf("%w: %s is sold by weight: send its grams as weight_g (cart.weight or cart.add)", pos.ErrBadWeight, p.SKU)
	}
	if m.WeightG == nil {
		return fmt.Errorf("%w: %s is sold by weight: weight_g is required", pos.ErrBadWeight, p.SKU)
	}
	g := *m.WeightG
	if m.Type == "cart.add" {
		if g <= 0 {
			return fmt.Errorf("%w: %s: weight_g %d, want 1 to %d grams", pos.ErrBadWeight, p.SKU, g, pos.MaxWeightG)
		}
		if i >= 0 {
			g += lines[i].WeightG
		}
	}
	if g < 0 || g > pos.MaxWeightG {
		return fmt.Errorf("%w: %s: %d g, want 0 to %d grams a line", pos.ErrBadWeight, p.SKU, g, pos.MaxWeightG)
	}
	switch {
	case i < 0 && g == 0:
	case i < 0:
		if len(lines) >= maxCartLines {
			return fmt.Errorf("%w: %d lines", pos.ErrTooManyLines, len(lines))
		}
		lines = append(lines, cartLine{SKU: p.SKU, Qty: 1, WeightG: g})
	case g == 0:
		lines = append(lines[:i], lines[i+1:]...)
	default:
		lines[i].WeightG = g
	}
	return h.keepCart(t, lines)
}

// approve checks a manager PIN sent with a message (cart.discount,
// checkout): true when one was sent and is right. A wrong or locked one has
// been answered with its error (ok false).
func (h *hub) approve(cl *wsClient, m inMsg) (approved, ok bool) {
	if m.PIN == "" {
		return false, true
	}
	if cl.role != roleTill {
		cl.fail(m.Ref, "forbidden", "this screen does not use the manager PIN")
		return false, false
	}
	if _, err := h.s.guard.checkPIN(cl.who, m.PIN); err != nil {
		cl.failErr(m.Ref, err)
		return false, false
	}
	return true, true
}

// cartDiscount sets (or, with no discount or a zero one, takes off) a manual
// discount on a line of the cart (sku) or on the whole cart. Above the
// kiosk's limit it needs the manager PIN sent with it; the PIN approves the
// discount as it stands (pos.Discount.Approve). Only a till discounts.
func (h *hub) cartDiscount(cl *wsClient, m inMsg) {
	if cl.role != roleTill {
		cl.fail(m.Ref, "forbidden", "only a till gives discounts")
		return
	}
	approved, ok := h.approve(cl, m)
	if !ok {
		return
	}
	var d *pos.Discount
	reason := ""
	if !m.Discount.IsZero() {
		cp := *m.Discount
		cp.Approved = 0
		d, reason = &cp, m.Reason
	}
	t := cl.till
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := slices.Clone(t.lines)
	saleD, saleR := t.saleDiscount, t.saleReason
	at := -1 // the sale
	if m.SKU != "" {
		at = findLine(lines, m.SKU, m.Lot)
		if at < 0 {
			cl.fail(m.Ref, "not_in_cart", fmt.Sprintf("%q is not in the cart", m.SKU))
			return
		}
		lines[at].Discount, lines[at].Reason = d, reason
	} else {
		saleD, saleR = d, reason
	}
	if d != nil {
		if len(lines) == 0 {
			cl.fail(m.Ref, "empty_cart", "the cart is empty")
			return
		}
		c := t.cart(lines)
		c.Discount, c.DiscountReason = saleD, saleR
		pr, err := h.price(c, true)
		if err != nil {
			cl.failErr(m.Ref, err)
			return
		}
		if slices.Contains(pr.NeedsPIN, at) {
			if !approved {
				cl.failErr(m.Ref, fmt.Errorf("%w: %s %% off without the manager: send the manager PIN with it (pin)",
					pos.ErrDiscountNeedsPIN, h.s.store.DiscountLimit()))
				return
			}
		}
		if approved {
			base := pr.SaleBase
			if at >= 0 {
				base = pr.Bases[at]
			}
			d.Approve(base)
		}
	}
	t.lines, t.saleDiscount, t.saleReason = lines, saleD, saleR
	t.seq++
	t.pending = nil // the amount changed: a shown QR is void
	h.broadcastCart(t)
}

// cartLineView is a cart line as screens show it: the cart's line (qty, or
// weight_g for a product sold by weight), what it is worth (gross), what its
// promotion, its own discount and its share of the sale's discount take off
// (discount), and what the customer pays for it (total), as the sale will
// have it. free_qty of the qty are given free by the promotion.
type cartLineView struct {
	SKU               string        `json:"sku"`
	Lot               string        `json:"lot,omitempty"`
	Serials           []string      `json:"serials,omitempty"`
	Name              string        `json:"name"`
	NameEN            string        `json:"name_en"`
	Unit              string        `json:"unit"`
	SoldBy            string        `json:"sold_by,omitempty"`
	Price             pos.Money     `json:"price"`
	Qty               int64         `json:"qty"`
	WeightG           int64         `json:"weight_g,omitempty"`
	FreeQty           int64         `json:"free_qty,omitempty"`
	Gross             pos.Money     `json:"gross"`
	Discount          pos.Money     `json:"discount"`
	Promotion         string        `json:"promotion,omitempty"`
	PromotionName     string        `json:"promotion_name,omitempty"`
	PromotionSaved    pos.Money     `json:"promotion_saved,omitempty"`
	LineDiscount      pos.Money     `json:"line_discount,omitempty"`
	DiscountRequest   *pos.Discount `json:"discount_request,omitempty"`
	DiscountReason    string        `json:"discount_reason,omitempty"`
	SaleDiscountShare pos.Money     `json:"sale_discount,omitempty"`
	NeedsPIN          bool          `json:"needs_pin,omitempty"`
	Total             pos.Money     `json:"total"`
	VATRate           int           `json:"vat_rate"`
	Stock             int64         `json:"stock"`
}

type cartView struct {
	Seq             uint64                 `json:"seq"`
	Lines           []cartLineView         `json:"lines"`
	Count           int64                  `json:"count"`
	Gross           pos.Money              `json:"gross"`
	Discount        pos.Money              `json:"discount"`
	SaleDiscount    pos.Money              `json:"sale_discount,omitempty"`
	DiscountRequest *pos.Discount          `json:"discount_request,omitempty"`
	DiscountReason  string                 `json:"discount_reason,omitempty"`
	NeedsPIN        bool                   `json:"needs_pin,omitempty"`
	Promotions      []pos.AppliedPromotion `json:"promotions"`
	Total           pos.Money              `json:"total"`
	VAT             []pos.VATLine          `json:"vat"`
	// Error says why the cart cannot be sold as it is (a discount the
	// catalog's new prices no longer fit): the lines are shown without
	// their manual discounts, and checkout would fail with the same code.
	Error *cartError `json:"error,omitempty"`
}

type cartError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// view prices the cart as the sale would be priced now (the sale is priced
// again when it commits). Lines whose product left the catalog show with
// price 0.
func (h *hub) view(t *till) cartView {
	v := cartView{Seq: t.seq, Lines: []cartLineView{}, VAT: []pos.VATLine{}, Promotions: []pos.AppliedPromotion{},
		DiscountRequest: t.saleDiscount, DiscountReason: t.saleReason}
	if len(t.lines) == 0 {
		return v
	}
	skus := make([]string, len(t.lines))
	for i, l := range t.lines {
		skus[i] = l.SKU
	}
	stock, _ := h.s.store.Stock(skus)
	for _, l := range t.lines {
		v.Lines = append(v.Lines, cartLineView{SKU: l.SKU, Lot: l.Lot, Serials: l.Serials, Qty: l.Qty, WeightG: l.WeightG, Stock: stock[l.SKU],
			DiscountRequest: l.Discount, DiscountReason: l.Reason})
		v.Count += l.Qty
	}
	c := t.cart(t.lines)
	pr, err := h.price(c, true)
	if err != nil {
		ae := toAPIError(err)
		v.Error = &cartError{Code: ae.Code, Message: ae.Message}
		c.Discount = nil
		for i := range c.Lines {
			c.Lines[i].Discount = nil
		}
		if pr, err = h.price(c, true); err != nil {
			return v // beyond pricing (amounts out of range): the lines alone
		}
	}
	promoNames := map[string]string{}
	for _, p := range pr.Promotions {
		promoNames[p.ID] = p.Name
	}
	ix := h.s.index.Load()
	for j, pl := range pr.Lines {
		lv := &v.Lines[pr.Source[j]]
		if pl.Free {
			lv.FreeQty += pl.Qty
		} else {
			lv.Name, lv.NameEN, lv.Unit, lv.Price, lv.VATRate = pl.Name, pl.NameEN, pl.Unit, pl.Price, pl.VATRate
			if p := ix.Lookup(pl.SKU); p != nil && p.SKU == pl.SKU {
				lv.SoldBy = p.SoldBy
			}
		}
		if pl.Promotion != "" {
			lv.Promotion, lv.PromotionName = pl.Promotion, promoNames[pl.Promotion]
			lv.PromotionSaved += pl.PromotionSaved()
		}
		lv.Gross += pl.Gross()
		lv.Discount += pl.Discount
		lv.LineDiscount += pl.LineDiscount
		lv.SaleDiscountShare += pl.SaleDiscount
		lv.Total += pl.Total
	}
	for _, i := range pr.NeedsPIN {
		if i < 0 {
			v.NeedsPIN = true
		} else {
			v.Lines[i].NeedsPIN = true
		}
	}
	v.Gross, v.Discount, v.SaleDiscount, v.Total, v.VAT = pr.Gross, pr.Discount, pr.SaleDiscount, pr.Total, pr.VAT
	if pr.Promotions != nil {
		v.Promotions = pr.Promotions
	}
	return v
}

// cartLinesOf turns priced lines (an order's, going back into a cart) into
// cart lines, one per product: units given free go back with the line they
// came with.
func cartLinesOf(lines []pos.Line) []cartLine {
	var out []cartLine
	at := map[string]int{}
	for _, l := range lines {
		i, ok := at[l.SKU]
		if !ok {
			i = len(out)
			at[l.SKU] = i
			out = append(out, cartLine{SKU: l.SKU})
		}
		out[i].Qty += l.Qty
		out[i].WeightG += l.WeightG
		if out[i].WeightG != 0 {
			out[i].Qty = 1
		}
	}
	return out
}
