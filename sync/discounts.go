package sync

import (
	"sort"

	"github.com/ocop-kiosk/kiosk/pos"
)

// What a kiosk gave away on a day, for the reconciliation: the till's manual
// discounts by the reason given, and what each promotion saved customers and
// who bears it. The figures follow the kiosk's Z-report (pos/shifttotals.go)
// so that a kiosk's paper and the hub agree: a discount or a promotion's line
// counts one, its void takes it back, a refund gives back money but not the
// count; amounts are net of voids and refunds; a free unit saved its catalog
// price.

// PromotionGiven is what one promotion did at a kiosk on a day.
type PromotionGiven struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Kind   string    `json:"kind,omitempty"`
	Bearer string    `json:"bearer"` // producer (settlement takes it off the producer's payable) or booth
	Lines  int64     `json:"lines"`  // lines it applied to, net of voids
	Saved  pos.Money `json:"saved"`  // đồng it saved, free units at their catalog price, net of voids and refunds
}

// givenTally adds up a kiosk's discounts and promotions of a day.
type givenTally struct {
	reasons map[string]*pos.DiscountTotal
	promos  map[string]*PromotionGiven
}

// add counts one record of the day.
func (g *givenTally) add(s pos.Sale) {
	var count int64
	switch s.Kind {
	case pos.KindSale:
		count = 1
	case pos.KindVoid:
		count = -1
	case pos.KindRefund:
	default:
		return
	}
	if g.reasons == nil {
		g.reasons, g.promos = map[string]*pos.DiscountTotal{}, map[string]*PromotionGiven{}
	}
	reason := func(why string, amount pos.Money) {
		d := g.reasons[why]
		if d == nil {
			d = &pos.DiscountTotal{Reason: why}
			g.reasons[why] = d
		}
		d.Count += count
		d.Amount += amount
	}
	applied := map[string]pos.AppliedPromotion{}
	for _, a := range s.Promotions {
		applied[a.ID] = a
	}
	for _, l := range s.Lines {
		if l.LineDiscount != 0 {
			reason(l.DiscountReason, l.LineDiscount)
		}
		if l.Promotion == "" {
			continue
		}
		p := g.promos[l.Promotion]
		if p == nil {
			p = &PromotionGiven{ID: l.Promotion}
			g.promos[l.Promotion] = p
		}
		if a, ok := applied[l.Promotion]; ok {
			p.Name, p.Kind, p.Bearer = a.Name, a.Kind, a.Bearer
		}
		p.Lines += count
		p.Saved += l.PromotionSaved()
	}
	if s.SaleDiscount != 0 {
		reason(s.DiscountReason, s.SaleDiscount)
	}
}

// lists are the tally's figures in a stable order: reasons by name,
// promotions by id.
func (g *givenTally) lists() ([]pos.DiscountTotal, []PromotionGiven) {
	reasons, promos := []pos.DiscountTotal{}, []PromotionGiven{}
	for _, d := range g.reasons {
		reasons = append(reasons, *d)
	}
	for _, p := range g.promos {
		promos = append(promos, *p)
	}
	sort.Slice(reasons, func(i, j int) bool { return reasons[i].Reason < reasons[j].Reason })
	sort.Slice(promos, func(i, j int) bool { return promos[i].ID < promos[j].ID })
	return reasons, promos
}

// totals are the day's manual discounts and what promotions saved.
func (g *givenTally) totals() (discounts, saved pos.Money) {
	for _, d := range g.reasons {
		discounts += d.Amount
	}
	for _, p := range g.promos {
		saved += p.Saved
	}
	return discounts, saved
}
