package pos

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// randomCatalog makes n products, some sold by weight, of a few producers in
// every group.
func randomCatalog(r *rand.Rand, n int) []Product {
	rates := []int{0, 5, 8, 10}
	ps := make([]Product, n)
	for i := range ps {
		ps[i] = Product{SKU: fmt.Sprintf("R-%03d", i), Name: fmt.Sprintf("Đặc sản %d", i), Group: Groups[r.IntN(len(Groups))], Stars: 4,
			ProducerID: fmt.Sprintf("P%d", r.IntN(5)), Price: Money(1000 + r.IntN(2_000_000)), VATRate: rates[r.IntN(len(rates))]}
		if r.IntN(5) == 0 {
			ps[i].SoldBy, ps[i].Unit = SoldByWeight, "kg"
		}
	}
	return ps
}

// randomPromotions makes n promotions of every kind, scope and window. They
// never take more than half of a line, so the random manual discounts below
// always fit what is left.
func randomPromotions(r *rand.Rand, ps []Product, n int) []Promotion {
	out := make([]Promotion, n)
	for i := range out {
		p := Promotion{ID: fmt.Sprintf("KM%03d", i), Name: "KM", Bearer: []string{BearerProducer, BearerBooth}[r.IntN(2)]}
		target := ps[r.IntN(len(ps))]
		switch r.IntN(3) {
		case 0:
			p.Scope, p.Target = ScopeSKU, target.SKU
		case 1:
			p.Scope, p.Target = ScopeProducer, target.ProducerID
		default:
			p.Scope, p.Target = ScopeGroup, string(target.Group)
		}
		switch r.IntN(4) {
		case 0:
			p.Kind, p.Percent = PromoPercent, Percent(1+r.IntN(5000))
		case 1:
			p.Kind, p.Amount = PromoAmount, Money(1+r.IntN(500)) // ≤ half the cheapest price
		case 2:
			p.Kind, p.Buy, p.Get = PromoBuyGet, int64(1+r.IntN(3)), int64(1+r.IntN(2))
			if p.Get > p.Buy {
				p.Get = p.Buy // at most half free
			}
		default:
			p.Kind, p.BundleQty = PromoBundle, int64(2+r.IntN(4))
			p.BundlePrice = target.Price * Money(p.BundleQty) * Money(50+r.IntN(60)) / 100
		}
		if r.IntN(3) == 0 {
			p.From, p.To = mustDate("2026-11-20"), mustDate("2026-11-30")
		}
		if r.IntN(3) == 0 {
			p.Hours = []string{"08:00-12:00", "12:00-21:00", "20:00-02:00"}[r.IntN(3)]
		}
		p.Deleted = r.IntN(10) == 0
		out[i] = p
	}
	return out
}

func randomCart(r *rand.Rand, ps []Product) Cart {
	var c Cart
	for range 1 + r.IntN(50) {
		p := ps[r.IntN(len(ps))]
		l := LineRequest{SKU: p.SKU}
		if p.ByWeight() {
			l.WeightG = int64(1 + r.IntN(MaxWeightG))
		} else {
			l.Qty = int64(1 + r.IntN(20))
		}
		switch k := r.IntN(4); {
		case k == 0 || k == 1 && p.ByWeight(): // a gram of the cheapest is 1 đồng
			l.Discount = &Discount{Percent: func() *Percent { v := Percent(r.IntN(int(Whole) + 1)); return &v }()}
		case k == 1:
			l.Discount = &Discount{Amount: amt(Money(r.IntN(250)))} // ≤ a quarter of the cheapest price
		}
		l.DiscountReason = []string{"", "khách quen", "móp hộp"}[r.IntN(3)]
		c.Lines = append(c.Lines, l)
	}
	switch r.IntN(3) {
	case 0:
		c.Discount = &Discount{Percent: func() *Percent { v := Percent(r.IntN(int(Whole) + 1)); return &v }()}
	case 1:
		c.Discount = &Discount{Amount: amt(Money(r.IntN(300)))}
	}
	c.Approved = r.IntN(2) == 0
	return c
}

// TestPricingProperties prices random carts with random discounts and
// promotions and checks what must hold of every priced cart.
func TestPricingProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2026))
	for iter := range 1500 {
		ps := randomCatalog(r, 5+r.IntN(40))
		promos := randomPromotions(r, ps, r.IntN(60))
		c := randomCart(r, ps)
		env := PriceEnv{Product: catalogLookup(ps...), Promotions: NewPromotionSet(1, append([]Promotion(nil), promos...)),
			Now: time.Date(2026, 11, 20+r.IntN(12), r.IntN(24), r.IntN(60), 0, 0, VietnamTime), DiscountLimit: DefaultDiscountLimit}
		pr, err := PriceCart(c, env)
		if err != nil && c.Discount != nil && c.Discount.Amount != nil {
			// Only a sale amount above what the lines came to may be refused.
			off := *c.Discount.Amount
			c.Discount = nil
			if base, err2 := PriceCart(c, env); err2 == nil && base.SaleBase < off {
				continue
			}
		}
		if err != nil {
			t.Fatalf("cart %d: %v", iter, err)
		}
		var sum, disc, saleShares Money
		for i, l := range pr.Lines {
			if l.Total < 0 || l.Discount < 0 || l.PromotionDiscount < 0 || l.LineDiscount < 0 || l.SaleDiscount < 0 || l.VAT < 0 || l.Price < 0 || l.Qty <= 0 {
				t.Fatalf("cart %d line %d has something negative: %+v", iter, i, l)
			}
			if l.Total != l.Gross()-l.Discount || l.Discount != l.PromotionDiscount+l.LineDiscount+l.SaleDiscount {
				t.Fatalf("cart %d line %d: gross %d − discount %d is not its total %d: %+v", iter, i, l.Gross(), l.Discount, l.Total, l)
			}
			if l.VAT > l.Total {
				t.Fatalf("cart %d line %d: VAT %d above its total %d", iter, i, l.VAT, l.Total)
			}
			if l.Free && (l.Price != 0 || l.Total != 0 || l.Promotion == "") {
				t.Fatalf("cart %d line %d: a free line %+v", iter, i, l)
			}
			sum += l.Total
			disc += l.Discount
			saleShares += l.SaleDiscount
		}
		if sum != pr.Total || pr.Gross-pr.Discount != pr.Total || disc != pr.Discount || saleShares != pr.SaleDiscount {
			t.Fatalf("cart %d: lines sum to %d, total %d, gross %d − discount %d; sale discount %d spread as %d",
				iter, sum, pr.Total, pr.Gross, pr.Discount, pr.SaleDiscount, saleShares)
		}
		var vatGross Money
		for _, v := range pr.VAT {
			if v.VAT < 0 || v.VAT > v.Gross {
				t.Fatalf("cart %d: VAT %+v", iter, v)
			}
			vatGross += v.Gross
		}
		if vatGross != pr.Total {
			t.Fatalf("cart %d: VAT breakdown sums to %d, total %d", iter, vatGross, pr.Total)
		}
		// The same cart priced again, with the promotions read in another
		// order, is the same answer.
		r.Shuffle(len(promos), func(i, j int) { promos[i], promos[j] = promos[j], promos[i] })
		env.Promotions = NewPromotionSet(1, promos)
		again, err := PriceCart(c, env)
		if err != nil || !reflect.DeepEqual(again, pr) {
			t.Fatalf("cart %d priced twice differs (%v):\n%+v\n%+v", iter, err, pr, again)
		}
	}
}
