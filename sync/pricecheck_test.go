package sync

import (
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// discountedRecords sells, on a real kiosk store, what a fair's till sells
// since discounts came: a promotion, line and sale discounts, a weighed line,
// a free unit; then voids one sale and refunds another in parts.
func discountedRecords(t *testing.T) []pos.OutboxRecord {
	t.Helper()
	ks := kioskStore(t, "K01")
	err := ks.PutCatalog(pos.Catalog{Products: []pos.Product{
		{SKU: "KHO-CA", Name: "Khô cá lóc", Group: pos.GroupFood, Stars: 4, ProducerID: "UMINH", Price: 460000, VATRate: 8,
			Stock: 50_000, SoldBy: pos.SoldByWeight},
		{SKU: "KEO", Name: "Kẹo dừa", Group: pos.GroupFood, Stars: 4, ProducerID: "UMINH", Price: 50000, VATRate: 8, Stock: 1000},
	}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []pos.Promotion{
		{ID: "M2T1", Name: "Mua 2 tặng 1", Kind: pos.PromoBuyGet, Scope: pos.ScopeSKU, Target: "KEO", Buy: 2, Get: 1, Bearer: pos.BearerProducer},
		{ID: "MO5", Name: "Mật ong −5 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500", Percent: 500, Bearer: pos.BearerBooth},
	} {
		if _, err := ks.PutPromotion(p, true, 0); err != nil {
			t.Fatal(err)
		}
	}
	pct := func(p pos.Percent) *pos.Discount { return &pos.Discount{Percent: &p} }
	sell := func(req pos.SaleRequest) pos.Sale {
		req.Approved = true
		req.Payments = []pos.PaymentRequest{{Method: pos.MethodCash, Amount: 10_000_000}}
		s, _, err := ks.CommitSale(req, "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := sell(pos.SaleRequest{Lines: []pos.LineRequest{
		{SKU: "MO-500", Qty: 3, Discount: pct(1250), DiscountReason: "khách quen"},
		{SKU: "KHO-CA", WeightG: 1235},
		{SKU: "KEO", Qty: 5},
	}, Discount: pct(333), DiscountReason: "làm tròn"})
	s2 := sell(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 7}, {SKU: "KHO-CA", WeightG: 777}, {SKU: "KEO", Qty: 3}},
		Discount: &pos.Discount{Amount: func() *pos.Money { m := pos.Money(100001); return &m }()}})
	if _, err := ks.Void(s1.ID, "nhầm"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []pos.LineRequest{{SKU: "MO-500", Qty: 2}, {SKU: "MO-500", Qty: 5}, {SKU: "KHO-CA", Qty: 1}, {SKU: "KEO", Qty: 3}} {
		if _, err := ks.Refund(s2.ID, pos.RefundRequest{Lines: []pos.LineRequest{l}}); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := ks.Outbox(0, 100)
	if err != nil || len(recs) != 7 {
		t.Fatalf("outbox: %d records, %v", len(recs), err)
	}
	return recs
}

func TestTheHubTakesDiscountedSalesAsTheKioskMadeThem(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.Ingest("K01", discountedRecords(t), time.Now()); err != nil {
		t.Fatal(err)
	}
	sales, _ := salesOf(hs, "K01")
	for _, s := range sales {
		if s.Mismatch != "" {
			t.Errorf("%s (%s) flagged: %s", s.Sale.ReceiptNo, s.Sale.Kind, s.Mismatch)
		}
	}
}

func TestTamperedDiscountsAreFlagged(t *testing.T) {
	tests := []struct {
		name   string
		record int // 0: the first sale, 1: the second
		tamper func(s *pos.Sale)
	}{
		{"a line's total lowered with its discount unchanged", 0, func(s *pos.Sale) { s.Lines[0].Total -= 1000; s.Total -= 1000 }},
		{"a line's discount raised with the parts unchanged", 0, func(s *pos.Sale) {
			s.Lines[0].Discount += 1000
			s.Lines[0].Total -= 1000
			s.Total -= 1000
			s.Discount += 1000
		}},
		{"a weighed line's weight changed", 0, func(s *pos.Sale) { s.Lines[1].WeightG = 1000 }},
		{"a free line given a price", 0, func(s *pos.Sale) { s.Lines[3].Price = 50000 }},
		{"a line discounted beyond its worth", 1, func(s *pos.Sale) {
			l := &s.Lines[0]
			extra := l.Total + 1
			l.LineDiscount += extra
			l.Discount += extra
			l.Total -= extra
			s.Total -= extra
			s.Discount += extra
		}},
		{"the sale's discount not what its lines' shares add up to", 1, func(s *pos.Sale) { s.SaleDiscount++ }},
		{"the sale's discount total not its lines'", 1, func(s *pos.Sale) { s.Discount-- }},
		{"a weighed line of two weighings", 1, func(s *pos.Sale) { s.Lines[1].Qty = 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := hubStore(t)
			if _, err := RegisterKiosk(hs, "K01"); err != nil {
				t.Fatal(err)
			}
			recs := discountedRecords(t)
			s := &recs[tt.record].Sale
			if tt.record == 0 && (len(s.Lines) != 4 || !s.Lines[3].Free) {
				t.Fatalf("the first sale's lines are not as the test expects: %+v", s.Lines)
			}
			tt.tamper(s)
			if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
				t.Fatal(err)
			}
			sales, _ := salesOf(hs, "K01")
			if got := sales[tt.record]; got.Mismatch == "" {
				t.Errorf("tampered record %s not flagged", got.Sale.ReceiptNo)
			}
		})
	}
}

func TestSettlementTakesOffOnlyWhatTheProducerBears(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	ks := kioskStore(t, "K01")
	err := ks.PutCatalog(pos.Catalog{
		Producers: []pos.Producer{{ID: "SONGDOC", Name: "Hộ kinh doanh Sông Đốc", Kind: pos.KindHousehold}},
		Products: []pos.Product{
			{SKU: "KHO-CA", Name: "Khô cá lóc", Group: pos.GroupFood, Stars: 4, ProducerID: "SONGDOC", Price: 460000, VATRate: 8,
				Stock: 50_000, SoldBy: pos.SoldByWeight},
			{SKU: "KEO", Name: "Kẹo dừa", Group: pos.GroupFood, Stars: 4, ProducerID: "SONGDOC", Price: 50000, VATRate: 8, Stock: 1000},
		}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []pos.Promotion{
		{ID: "M2T1", Name: "Mua 2 tặng 1", Kind: pos.PromoBuyGet, Scope: pos.ScopeSKU, Target: "KEO", Buy: 2, Get: 1, Bearer: pos.BearerProducer},
		{ID: "MO5", Name: "Mật ong −5 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500", Percent: 500, Bearer: pos.BearerBooth},
	} {
		if _, err := ks.PutPromotion(p, true, 0); err != nil {
			t.Fatal(err)
		}
	}
	ten := pos.Percent(1000)
	sale, _, err := ks.CommitSale(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "KHO-CA", WeightG: 1235}, {SKU: "KEO", Qty: 3}, {SKU: "MO-500", Qty: 2}},
		Discount: &pos.Discount{Percent: &ten}, DiscountReason: "khách đoàn",
		Payments: []pos.PaymentRequest{{Method: pos.MethodCash, Amount: 2_000_000}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Refund(sale.ID, pos.RefundRequest{Lines: []pos.LineRequest{{SKU: "KEO", Qty: 3}}}); err != nil {
		t.Fatal(err)
	}
	recs, _ := ks.Outbox(0, 10)
	if _, err := hs.Ingest("K01", recs, time.Now()); err != nil {
		t.Fatal(err)
	}
	s, err := Settle(hs, time.Now(), time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]ProducerSettlement{}
	for _, p := range s.Producers {
		by[p.ProducerID] = p
	}
	// Sông Đốc: the fish 460.000 × 1,235 kg = 568.100, the candy at its list
	// price 150.000 of which it bears the free one, 50.000; the candy all
	// comes back. The booth bears the honey's 5 % and the sale's 10 %. The
	// fish counts in grams, not as a unit.
	if p := by["SONGDOC"]; p.Gross != 718100 || p.Promotions != 50000 || p.Refunded != -100000 || p.Net != 568100 || p.Units != 0 || p.WeightG != 1235 {
		t.Errorf("Sông Đốc %+v", p)
	}
	if p := by["UMINH"]; p.Gross != 440000 || p.Promotions != 0 || p.Net != 440000 || p.Units != 2 || p.WeightG != 0 {
		t.Errorf("U Minh %+v", p)
	}
	if s.Totals.Units != 2 || s.Totals.WeightG != 1235 {
		t.Errorf("totals %+v", s.Totals)
	}
}

func TestPriceDifferencesOfFreeAndWeighedLines(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	fish := reconProduct("KHO-CA", "Khô cá lóc", "UMINH", 400000)
	fish.SoldBy = pos.SoldByWeight
	candy := reconProduct("KEO", "Kẹo dừa", "UMINH", 50000)
	if _, err := hs.PutCatalog(pos.Catalog{Producers: []pos.Producer{reconUMinh}, Products: []pos.Product{fish, candy}}, reconAt(20, 8, 0)); err != nil {
		t.Fatal(err)
	}
	fish.Price = 460000 // the kiosk sells the fish dearer than the hub's price
	ks, set := reconKiosk(t, "K01", pos.Catalog{Producers: []pos.Producer{reconUMinh}, Products: []pos.Product{fish, candy}})
	if _, err := ks.PutPromotion(pos.Promotion{ID: "M2T1", Name: "Mua 2 tặng 1", Kind: pos.PromoBuyGet, Scope: pos.ScopeSKU,
		Target: "KEO", Buy: 2, Get: 1, Bearer: pos.BearerBooth}, true, 0); err != nil {
		t.Fatal(err)
	}
	set(reconAt(21, 9, 0))
	reconSell(t, ks, []pos.LineRequest{{SKU: "KHO-CA", WeightG: 1235}, {SKU: "KEO", Qty: 3}},
		pos.PaymentRequest{Method: pos.MethodCash, Amount: 1_000_000})
	recs, _ := ks.Outbox(0, 10)
	if _, err := hs.Ingest("K01", recs, reconAt(21, 9, 1)); err != nil {
		t.Fatal(err)
	}
	r, err := Reconcile(hs, reconAt(21, 0, 0), reconAt(22, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	diffs := r.Kiosks[0].PriceDiffs
	// The free candy is no price difference; the fish's is per kilo, on 1,235 kg:
	// 568.100 − 494.000.
	if len(diffs) != 1 || diffs[0].SKU != "KHO-CA" || diffs[0].Difference != 74100 {
		t.Errorf("price differences %+v", diffs)
	}
}
