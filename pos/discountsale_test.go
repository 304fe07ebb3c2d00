package pos

import (
	"errors"
	"reflect"
	"testing"
)

// openPricingStore is openTestStore with dried fish sold by weight (10 kg in
// stock) and coconut candy on "mua 2 tặng 1".
func openPricingStore(t *testing.T) *testStore {
	t.Helper()
	s := openTestStore(t)
	err := s.PutCatalog(Catalog{Producers: []Producer{{ID: "P-CANDY", Name: "Cơ sở kẹo dừa Thanh Long", Kind: KindHousehold}},
		Products: []Product{withStock(prodFish, 10_000), withStock(prodCandy, 30)}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPromotion(promo("M2T1", PromoBuyGet, ScopeSKU, "CANDY", func(p *Promotion) {
		p.Name, p.Buy, p.Get, p.Bearer = "Mua 2 tặng 1", 2, 1, BearerProducer
	}), true, 0); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCommitSaleRefusesADiscountAboveTheLimitAndChangesNothing(t *testing.T) {
	s := openPricingStore(t)
	before := s.snapshot(t)
	over := SaleRequest{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("15")}, DiscountReason: "khách quen"}},
		Payments: []PaymentRequest{cashReq(200000, 0)}}
	if _, _, err := s.CommitSale(over, ""); !errors.Is(err, ErrDiscountNeedsPIN) {
		t.Fatalf("15 %% off without the manager: %v, want ErrDiscountNeedsPIN", err)
	}
	bad := SaleRequest{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("5"), Amount: amt(1)}}},
		Payments: []PaymentRequest{cashReq(220000, 0)}}
	if _, _, err := s.CommitSale(bad, ""); !errors.Is(err, ErrBadDiscount) {
		t.Fatalf("both a percentage and an amount: %v, want ErrBadDiscount", err)
	}
	if after := s.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused discount changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
	over.Approved = true
	sale := s.sell(t, over)
	if sale.Total != 187000 || sale.Discount != 33000 || sale.Lines[0].LineDiscount != 33000 || sale.Lines[0].DiscountReason != "khách quen" {
		t.Errorf("15 %% off with the manager: %+v", sale)
	}
	s.SetDiscountLimit(2000)
	over.Approved = false
	if _, _, err := s.CommitSale(over, ""); err != nil {
		t.Errorf("15 %% off with a 20 %% limit: %v", err)
	}
}

func TestASaleWithDiscountsPromotionsAndAWeighedLineAndItsZReport(t *testing.T) {
	s := openPricingStore(t)
	req := SaleRequest{
		Lines: []LineRequest{
			{SKU: "CANDY", Qty: 3},       // 2 × 50.000 and one free
			{SKU: "FISH", WeightG: 1235}, // 432.250
			{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(20000)}, DiscountReason: "móp hộp"},
		},
		Discount: &Discount{Percent: pct("5")}, DiscountReason: "khách quen",
		Payments: []PaymentRequest{cashReq(1000000, 0)},
	}
	sale := s.sell(t, req)
	// Lines after their own discounts: 100.000, 432.250, 200.000 = 732.250;
	// 5 % is 36.612,5 → 36.613, spread 5.000 / 21.613 / 10.000 (rounded down
	// 5.000, 21.612, 10.000; the đồng left over to the largest line).
	want := []struct {
		sku        string
		qty, grams int64
		total      Money
		free       bool
	}{{"CANDY", 2, 0, 95000, false}, {"CANDY", 1, 0, 0, true}, {"FISH", 1, 1235, 410637, false}, {"HONEY", 1, 0, 190000, false}}
	if len(sale.Lines) != len(want) {
		t.Fatalf("lines %+v", sale.Lines)
	}
	for i, w := range want {
		l := sale.Lines[i]
		if l.SKU != w.sku || l.Qty != w.qty || l.WeightG != w.grams || l.Total != w.total || l.Free != w.free {
			t.Errorf("line %d = %+v, want %+v", i+1, l, w)
		}
	}
	if sale.Total != 695637 || sale.SaleDiscount != 36613 || sale.Discount != 56613 || sale.Change != 304363 {
		t.Errorf("sale total %d, sale discount %d, discount %d, change %d", sale.Total, sale.SaleDiscount, sale.Discount, sale.Change)
	}
	if want := []AppliedPromotion{{ID: "M2T1", Name: "Mua 2 tặng 1", Kind: PromoBuyGet, Bearer: BearerProducer, Lines: 1, Saved: 50000}}; !reflect.DeepEqual(sale.Promotions, want) {
		t.Errorf("promotions %+v", sale.Promotions)
	}
	if st := s.stock(t, "FISH"); st != 10_000-1235 {
		t.Errorf("fish stock %d g, want %d", st, 10_000-1235)
	}
	if st := s.stock(t, "CANDY"); st != 27 {
		t.Errorf("candy stock %d, want 27 (the free one goes too)", st)
	}

	z, err := s.ShiftReport("")
	if err != nil {
		t.Fatal(err)
	}
	wantReasons := []DiscountTotal{{Reason: "khách quen", Count: 1, Amount: 36613}, {Reason: "móp hộp", Count: 1, Amount: 20000}}
	if z.Discounts != 56613 || !reflect.DeepEqual(z.DiscountsByReason, wantReasons) {
		t.Errorf("Z discounts %d by reason %+v", z.Discounts, z.DiscountsByReason)
	}
	if want := []PromotionTotal{{ID: "M2T1", Name: "Mua 2 tặng 1", Lines: 1, Saved: 50000}}; z.PromotionsSaved != 50000 || !reflect.DeepEqual(z.ByPromotion, want) {
		t.Errorf("Z promotions %d: %+v", z.PromotionsSaved, z.ByPromotion)
	}
	if z.Grams["FISH"] != 1235 || z.Units["FISH"] != 0 || z.Units["CANDY"] != 3 {
		t.Errorf("Z units %v, grams %v", z.Units, z.Grams)
	}

	// A void takes all of it back, stock in grams included.
	v, err := s.Void(sale.ID, "nhầm")
	if err != nil {
		t.Fatal(err)
	}
	if v.Total != -sale.Total || v.Discount != -sale.Discount || v.SaleDiscount != -sale.SaleDiscount || v.Lines[2].WeightG != -1235 ||
		len(v.Promotions) != 1 || v.Promotions[0].Saved != -50000 {
		t.Errorf("void %+v", v)
	}
	if st := s.stock(t, "FISH"); st != 10_000 {
		t.Errorf("fish stock after the void %d g", st)
	}
	z, err = s.ShiftReport("")
	if err != nil {
		t.Fatal(err)
	}
	if z.Discounts != 0 || z.PromotionsSaved != 0 || z.Grams["FISH"] != 0 || z.DiscountsByReason[0].Count != 0 || z.ByPromotion[0].Lines != 0 {
		t.Errorf("Z after the void: discounts %d %+v, promotions %d %+v, grams %v", z.Discounts, z.DiscountsByReason, z.PromotionsSaved, z.ByPromotion, z.Grams)
	}
}

func TestRefundsOfADiscountedLineInPartsSumToWhatWasPaid(t *testing.T) {
	s := openPricingStore(t)
	// 7 jars, 10 % off the sale: 1.540.000 − 154.000 = 1.386.000, 198.000 a jar.
	// Then 3 jars at 33.333 off the line: every unit's share is a third of a đồng off.
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{{SKU: "HONEY", Qty: 7, Discount: &Discount{Amount: amt(33333)}}},
		Discount: &Discount{Amount: amt(100001)}, Approved: true, Payments: []PaymentRequest{cashReq(2000000, 0)}})
	var back Money
	for _, n := range []int64{2, 1, 3, 1} {
		r, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", n)}})
		if err != nil {
			t.Fatal(err)
		}
		l := r.Lines[0]
		if l.Total != l.Gross()-l.Discount || r.Total != l.Total {
			t.Errorf("refund of %d: line %+v, total %d", n, l, r.Total)
		}
		back += r.Total
	}
	if back != -sale.Total {
		t.Errorf("refunds in parts gave back %d of a sale of %d", -back, sale.Total)
	}
	if got, _ := s.Sale(sale.ID); got.Status != StatusRefunded {
		t.Errorf("status %s", got.Status)
	}
}

func TestAWeighedLineIsRefundedWhole(t *testing.T) {
	s := openPricingStore(t)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{{SKU: "FISH", WeightG: 800}, {SKU: "HONEY", Qty: 1}},
		Payments: []PaymentRequest{cashReq(500000, 0)}})
	if _, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "FISH", WeightG: 300}}}); !errors.Is(err, ErrBadWeight) {
		t.Errorf("refunding 300 g of 800: %v, want ErrBadWeight", err)
	}
	r, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("FISH", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if l := r.Lines[0]; l.WeightG != -800 || l.Qty != -1 || l.Total != -280000 || r.Total != -280000 {
		t.Errorf("refund of the fish: %+v", r)
	}
	if st := s.stock(t, "FISH"); st != 10_000 {
		t.Errorf("fish stock %d g after the refund", st)
	}
	if _, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("FISH", 1)}}); !errors.Is(err, ErrRefundTooLarge) {
		t.Errorf("refunding it twice: %v", err)
	}
}

func TestAnOrderTakesPromotionsButNoDiscounts(t *testing.T) {
	s := openPricingStore(t)
	book := NewOrderBook(s.Store, OrderOptions{})
	if _, _, err := book.Create(OrderRequest{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Discount: &Discount{Percent: pct("5")}}}}, ""); !errors.Is(err, ErrBadDiscount) {
		t.Fatalf("an order with a discount: %v, want ErrBadDiscount", err)
	}
	o, _, err := book.Create(OrderRequest{Lines: []LineRequest{lineReq("CANDY", 3)}, Till: "SELF1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if o.Total != 100000 || len(o.Lines) != 2 || !o.Lines[1].Free || len(o.Promotions) != 1 {
		t.Fatalf("order %+v", o)
	}
	_, sale, err := book.Confirm(o.ID, []PaymentRequest{cashReq(100000, 0)}, "T1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sale.Total != 100000 || len(sale.Promotions) != 1 || sale.Promotions[0].Saved != 50000 {
		t.Errorf("the order's sale %+v", sale)
	}
}

func TestAFreeSaleNeedsNoPayment(t *testing.T) {
	s := openPricingStore(t)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{{SKU: "WINE", Qty: 1}}, Discount: &Discount{Percent: pct("100")},
		DiscountReason: "quà tặng", Approved: true})
	if sale.Total != 0 || len(sale.Payments) != 0 {
		t.Errorf("a sale given away: %+v", sale)
	}
}
