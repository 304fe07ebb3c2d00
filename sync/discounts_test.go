package sync

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ocop-kiosk/kiosk/pos"
)

// givenFair is a day at one kiosk, on the 21st in Vietnam, with everything a
// fair's till gives away: promotions the producer and the booth bear, line
// and sale discounts with reasons, a weighed line, a free unit; then a void and
// refunds. It returns the hub holding the records and the kiosk's own X-report
// of the shift, which the hub's figures must match.
func givenFair(t *testing.T) (*BoltStore, pos.ZReport) {
	t.Helper()
	fish := reconProduct("KHO-CA", "Khô cá lóc", "UMINH", 460000)
	fish.SoldBy, fish.Unit, fish.Stock = pos.SoldByWeight, "kg", 50_000
	honey := reconProduct("MO-500", "Mật ong U Minh 500 ml", "UMINH", 220000)
	honey.Unit = "hũ"
	candy := reconProduct("KEO", "Kẹo dừa", "BENTRE", 50000)
	ks, set := reconKiosk(t, "K01", pos.Catalog{Producers: []pos.Producer{reconUMinh, reconBenTre}, Products: []pos.Product{fish, honey, candy}})
	for _, p := range []pos.Promotion{
		{ID: "M2T1", Name: "Mua 2 tặng 1", Kind: pos.PromoBuyGet, Scope: pos.ScopeSKU, Target: "KEO", Buy: 2, Get: 1, Bearer: pos.BearerProducer},
		{ID: "MO5", Name: "Mật ong −5 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU, Target: "MO-500", Percent: 500, Bearer: pos.BearerBooth},
	} {
		if _, err := ks.PutPromotion(p, true, 0); err != nil {
			t.Fatal(err)
		}
	}
	pct := func(p pos.Percent) *pos.Discount { return &pos.Discount{Percent: &p} }
	amount := func(m pos.Money) *pos.Discount { return &pos.Discount{Amount: &m} }
	sell := func(req pos.SaleRequest) pos.Sale {
		req.Approved = true
		req.Payments = []pos.PaymentRequest{{Method: pos.MethodCash, Amount: 10_000_000}}
		s, _, err := ks.CommitSale(req, "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	set(reconAt(21, 9, 0))
	s1 := sell(pos.SaleRequest{Lines: []pos.LineRequest{
		{SKU: "MO-500", Qty: 3, Discount: pct(1250), DiscountReason: "khách quen"},
		{SKU: "KHO-CA", WeightG: 1235},
		{SKU: "KEO", Qty: 5},
	}, Discount: pct(333), DiscountReason: "làm tròn"})
	set(reconAt(21, 10, 0))
	s2 := sell(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "MO-500", Qty: 2}, {SKU: "KHO-CA", WeightG: 777}, {SKU: "KEO", Qty: 3}},
		Discount: amount(10000), DiscountReason: "làm tròn"})
	set(reconAt(21, 11, 0))
	sell(pos.SaleRequest{Lines: []pos.LineRequest{{SKU: "KHO-CA", WeightG: 500, Discount: amount(5000), DiscountReason: "cá vụn"}}})
	set(reconAt(21, 12, 0))
	if _, err := ks.Void(s1.ID, "nhầm"); err != nil {
		t.Fatal(err)
	}
	set(reconAt(21, 13, 0))
	for _, l := range []pos.LineRequest{{SKU: "KHO-CA", Qty: 1}, {SKU: "KEO", Qty: 3}} {
		if _, err := ks.Refund(s2.ID, pos.RefundRequest{Lines: []pos.LineRequest{l}}); err != nil {
			t.Fatal(err)
		}
	}
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.Ingest("K01", reconOutbox(t, ks), reconAt(21, 13, 1)); err != nil {
		t.Fatal(err)
	}
	sh, err := ks.CurrentShift()
	if err != nil {
		t.Fatal(err)
	}
	z, err := ks.ShiftReport(sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	return hs, z
}

func TestReconciliationShowsDiscountsByReasonAndPromotions(t *testing.T) {
	hs, z := givenFair(t)
	r, err := Reconcile(hs, reconAt(21, 0, 0), reconAt(22, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	k := r.Kiosks[0]
	for _, s := range mustSales(t, hs) {
		if s.Mismatch != "" {
			t.Fatalf("%s flagged: %s", s.Sale.ReceiptNo, s.Mismatch)
		}
	}

	t.Run("the till's discounts by reason are the kiosk's Z-report's", func(t *testing.T) {
		if !reflect.DeepEqual(k.DiscountsByReason, z.DiscountsByReason) || k.Discounts != z.Discounts || r.Totals.Discounts != z.Discounts {
			t.Errorf("hub %+v (%d), kiosk %+v (%d)", k.DiscountsByReason, k.Discounts, z.DiscountsByReason, z.Discounts)
		}
	})
	t.Run("a voided sale's discounts are taken back, count and amount", func(t *testing.T) {
		byReason := map[string]pos.DiscountTotal{}
		for _, d := range k.DiscountsByReason {
			byReason[d.Reason] = d
		}
		if d := byReason["khách quen"]; d.Count != 0 || d.Amount != 0 {
			t.Errorf("khách quen, only on the voided sale: %+v", d)
		}
		if d := byReason["cá vụn"]; d.Count != 1 || d.Amount != 5000 {
			t.Errorf("cá vụn: %+v", d)
		}
		// The second sale's 10.000 less the share its refunds gave back.
		if d := byReason["làm tròn"]; d.Count != 1 || d.Amount <= 0 || d.Amount >= 10000 {
			t.Errorf("làm tròn: %+v", d)
		}
	})
	t.Run("each promotion with its lines, what it saved and who bears it", func(t *testing.T) {
		if len(k.ByPromotion) != len(z.ByPromotion) || k.PromotionsSaved != z.PromotionsSaved || r.Totals.PromotionsSaved != z.PromotionsSaved {
			t.Fatalf("hub %+v (%d), kiosk %+v (%d)", k.ByPromotion, k.PromotionsSaved, z.ByPromotion, z.PromotionsSaved)
		}
		for i, p := range k.ByPromotion {
			if zp := z.ByPromotion[i]; p.ID != zp.ID || p.Name != zp.Name || p.Lines != zp.Lines || p.Saved != zp.Saved {
				t.Errorf("hub %+v, kiosk %+v", p, zp)
			}
		}
		// The honey's 5 % on the second sale's two jars (the first was
		// voided): 22.000, borne by the booth. The candy's free units went
		// back with the voided sale and the refund: nothing, the producer's.
		want := []PromotionGiven{
			{ID: "M2T1", Name: "Mua 2 tặng 1", Kind: pos.PromoBuyGet, Bearer: pos.BearerProducer, Lines: 1, Saved: 0},
			{ID: "MO5", Name: "Mật ong −5 %", Kind: pos.PromoPercent, Bearer: pos.BearerBooth, Lines: 1, Saved: 22000},
		}
		if !reflect.DeepEqual(k.ByPromotion, want) {
			t.Errorf("promotions\n got %+v\nwant %+v", k.ByPromotion, want)
		}
	})
	t.Run("a kiosk with none has empty lists", func(t *testing.T) {
		r, _ := Reconcile(hs, reconAt(22, 0, 0), reconAt(23, 0, 0))
		b, _ := json.Marshal(r.Kiosks[0])
		if !bytes.Contains(b, []byte(`"discounts_by_reason":[]`)) || !bytes.Contains(b, []byte(`"by_promotion":[]`)) {
			t.Errorf("%s", b)
		}
	})
}

func TestStockDriftCountsWeighedGoodsInGrams(t *testing.T) {
	hs, z := givenFair(t)
	r, err := Reconcile(hs, reconAt(21, 0, 0), reconAt(22, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var fish *UnitsSold
	for i, u := range r.Kiosks[0].UnitsSold {
		if u.SKU == "KHO-CA" {
			fish = &r.Kiosks[0].UnitsSold[i]
		}
	}
	// Weighed 1.235 (voided), 777 (refunded) and 500 g.
	if fish == nil || fish.Sold != 2512 || fish.Voided != 1235 || fish.Refunded != 777 || fish.UnitsSold != 500 || fish.UnitsSoldDay != 500 {
		t.Fatalf("the fish: %+v", fish)
	}
	if fish.Unit != "g" || z.Grams["KHO-CA"] != fish.UnitsSold {
		t.Errorf("the fish counts %q, the kiosk's Z-report %d g", fish.Unit, z.Grams["KHO-CA"])
	}
	rows := reconciliationTables(r)
	units, _ := findReportTable(rows, "units_sold")
	for row := range units.rows {
		if row[1] == "KHO-CA" && (row[6] != int64(500) || row[8] != "g") {
			t.Errorf("units_sold row %v", row)
		}
		if row[1] == "MO-500" && (row[6] != int64(2) || row[8] != "hũ") {
			t.Errorf("units_sold row %v", row)
		}
	}
}

func mustSales(t *testing.T, hs *BoltStore) []HubSale {
	t.Helper()
	sales, err := salesOf(hs, "")
	if err != nil {
		t.Fatal(err)
	}
	return sales
}
