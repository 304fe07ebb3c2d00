package pos

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos/epcistest"
)

// serialStore is traceStore with serials 0001–0005 issued for lot UM2611-01
// and 0001–0002 for a second lot, UM2612-01.
func serialStore(t *testing.T) *Store {
	t.Helper()
	s := traceStore(t)
	if err := s.PutCatalog(Catalog{Lots: []Lot{{SKU: "MO-500", Code: "UM2612-01", ProducedOn: Date{2026, 11, 1}, Quantity: 50}}}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextSerials("MO-500", "UM2611-01", 5); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextSerials("MO-500", "UM2612-01", 2); err != nil {
		t.Fatal(err)
	}
	return s
}

// sellSerials sells qty of MO-500 from lot, naming serials, paid in cash.
func sellSerials(s *Store, lot string, qty int64, serials ...string) (Sale, error) {
	sale, _, err := s.CommitSale(SaleRequest{
		Lines:    []LineRequest{{SKU: "MO-500", Lot: lot, Qty: qty, Serials: serials}},
		Payments: []PaymentRequest{{Method: MethodCash, Amount: Money(220000 * qty)}},
	}, "")
	return sale, err
}

func TestASaleRefusesSerialsItMayNotSellAndSellsNothing(t *testing.T) {
	s := serialStore(t)
	if _, err := sellSerials(s, "UM2611-01", 1, "0003"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		req     SaleRequest
		wantErr error
	}{
		{"more serials than units", saleOf([]LineRequest{{SKU: "MO-500", Lot: "UM2611-01", Qty: 1, Serials: []string{"0001", "0002"}}}), ErrTooManySerials},
		{"one serial named twice in a line", saleOf([]LineRequest{{SKU: "MO-500", Lot: "UM2611-01", Qty: 2, Serials: []string{"0001", "0001"}}}), ErrTooManySerials},
		{"one serial named on two lines", saleOf([]LineRequest{
			{SKU: "MO-500", Lot: "UM2611-01", Qty: 1, Serials: []string{"0001"}},
			{SKU: "MO-500", Lot: "UM2611-01", Qty: 1, Serials: []string{"0001"}}}), ErrTooManySerials},
		{"serials on a line without a lot", saleOf([]LineRequest{{SKU: "MO-500", Qty: 1, Serials: []string{"0001"}}}), ErrTooManySerials},
		{"a serial the kiosk never issued", saleOf([]LineRequest{{SKU: "MO-500", Lot: "UM2611-01", Qty: 1, Serials: []string{"0006"}}}), ErrUnknownSerial},
		{"a serial written another way", saleOf([]LineRequest{{SKU: "MO-500", Lot: "UM2611-01", Qty: 1, Serials: []string{"01"}}}), ErrUnknownSerial},
		{"a serial of another lot", saleOf([]LineRequest{{SKU: "MO-500", Lot: "UM2612-01", Qty: 1, Serials: []string{"0004"}}}), ErrSerialOtherLot},
		{"a serial sold already", saleOf([]LineRequest{{SKU: "MO-500", Lot: "UM2611-01", Qty: 1, Serials: []string{"0003"}}}), ErrSerialSold},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			before, _ := s.SaleCount()
			p, _ := s.Product("MO-500")
			var units int64
			for _, l := range c.req.Lines {
				units += l.Qty
			}
			c.req.Payments = []PaymentRequest{{Method: MethodCash, Amount: Money(220000 * units)}}
			if _, _, err := s.CommitSale(c.req, ""); !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			after, _ := s.SaleCount()
			q, _ := s.Product("MO-500")
			if after != before || q.Stock != p.Stock {
				t.Errorf("a refused sale changed the store: %d records → %d, stock %d → %d", before, after, p.Stock, q.Stock)
			}
		})
	}
}

func TestASerialSellsAgainOnlyOnceItsSaleIsUndone(t *testing.T) {
	s := serialStore(t)
	sale, err := sellSerials(s, "UM2611-01", 3, "0002", "0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(sale.Lines) != 1 || !slices.Equal(sale.Lines[0].Serials, []string{"0002", "0001"}) {
		t.Fatalf("sale lines %+v, want one line with serials 0002, 0001", sale.Lines)
	}
	if id, _ := s.SerialSale("MO-500", "UM2611-01", "0001"); id != sale.ID {
		t.Fatalf("serial 0001 sold by %q, want %s", id, sale.ID)
	}

	t.Run("a partial refund gives back the serials in the order they were scanned", func(t *testing.T) {
		ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Qty: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ref.Lines[0].Serials, []string{"0002"}) {
			t.Errorf("refund line serials %v, want [0002]", ref.Lines[0].Serials)
		}
		if err := s.CheckSerial("MO-500", "UM2611-01", "0002"); err != nil {
			t.Errorf("serial 0002 after its refund: %v, want sellable", err)
		}
		if err := s.CheckSerial("MO-500", "UM2611-01", "0001"); !errors.Is(err, ErrSerialSold) {
			t.Errorf("serial 0001 still sold: %v, want ErrSerialSold", err)
		}
	})
	t.Run("a refund may name the serial that comes back", func(t *testing.T) {
		ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "MO-500", Qty: 1, Serials: []string{"0001"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ref.Lines[0].Serials, []string{"0001"}) {
			t.Errorf("refund line serials %v, want [0001]", ref.Lines[0].Serials)
		}
		if id, _ := s.SerialSale("MO-500", "UM2611-01", "0001"); id != "" {
			t.Errorf("serial 0001 still sold by %s after its refund", id)
		}
	})
	t.Run("refunding the rest gives back the unserialised unit, with no serial", func(t *testing.T) {
		ref, err := s.Refund(sale.ID, RefundRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ref.Lines) != 1 || ref.Lines[0].Qty != -1 || len(ref.Lines[0].Serials) != 0 {
			t.Errorf("refund lines %+v, want -1 with no serial", ref.Lines)
		}
	})
	t.Run("a voided sale's serial sells again", func(t *testing.T) {
		again, err := sellSerials(s, "UM2611-01", 1, "0001")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sellSerials(s, "UM2611-01", 1, "0001"); !errors.Is(err, ErrSerialSold) {
			t.Fatalf("second sale of 0001: %v, want ErrSerialSold", err)
		}
		void, err := s.Void(again.ID, "wrong item")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(void.Lines[0].Serials, []string{"0001"}) {
			t.Errorf("void line serials %v, want [0001]", void.Lines[0].Serials)
		}
		if _, err := sellSerials(s, "UM2611-01", 1, "0001"); err != nil {
			t.Errorf("0001 after its sale was voided: %v", err)
		}
	})
}

func TestAFreeUnitOfAPromotionKeepsTheSerialsLeftOver(t *testing.T) {
	paid, free := splitSerials([]string{"0001", "0002", "0003"}, 2)
	if !slices.Equal(paid, []string{"0001", "0002"}) || !slices.Equal(free, []string{"0003"}) {
		t.Errorf("paid %v free %v, want [0001 0002] [0003]", paid, free)
	}
	paid, free = splitSerials([]string{"0001"}, 2)
	if !slices.Equal(paid, []string{"0001"}) || free != nil {
		t.Errorf("paid %v free %v, want [0001] none", paid, free)
	}
}

func TestASerialisedSaleListsItsSerialsInEPCListAndTheRestInQuantityList(t *testing.T) {
	s := epcisStore(t)
	s.clock.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, ictZone))
	if _, err := s.NextSerials("HONEY", "UM2605-01", 3); err != nil {
		t.Fatal(err)
	}
	sale := s.sell(t, saleOf([]LineRequest{{SKU: "HONEY", Qty: 3, Lot: "UM2605-01", Serials: []string{"0003", "0002"}}}, cashReq(660000, 660000)))
	if _, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{{SKU: "HONEY", Qty: 1, Lot: "UM2605-01"}}, Reason: "chai nứt"}); err != nil {
		t.Fatal(err)
	}
	page, err := s.EPCISEvents(epcisBase, EPCISQuery{GTIN: prodHoney.GTIN, Lot: "UM2605-01"})
	if err != nil {
		t.Fatal(err)
	}
	var evs []EPCISEvent
	for _, e := range page.Events {
		if e.BizStep == "retail_selling" || e.BizStep == "receiving" {
			evs = append(evs, e)
		}
	}
	if len(evs) != 2 {
		t.Fatalf("%d sale and refund events, want 2: %+v", len(evs), page.Events)
	}
	t.Run("the sale lists its two serials and one unit without", func(t *testing.T) {
		want := []string{epcisBase + "/01/08935001800002/10/UM2605-01/21/0003", epcisBase + "/01/08935001800002/10/UM2605-01/21/0002"}
		if !slices.Equal(evs[0].EPCList, want) || len(evs[0].QuantityList) != 1 || evs[0].QuantityList[0].Quantity != 1 {
			t.Errorf("sale event epcList %v quantityList %+v, want %v and 1 unit", evs[0].EPCList, evs[0].QuantityList, want)
		}
	})
	t.Run("the refund of one unit brings back the first serial scanned and no quantity", func(t *testing.T) {
		if !slices.Equal(evs[1].EPCList, []string{epcisBase + "/01/08935001800002/10/UM2605-01/21/0003"}) || evs[1].QuantityList != nil {
			t.Errorf("refund event epcList %v quantityList %+v", evs[1].EPCList, evs[1].QuantityList)
		}
	})
	doc := epcisJSON(t, NewEPCISDocument("K01", time.Date(2026, 11, 23, 10, 0, 0, 0, ictZone), evs))
	epcistest.Valid(t, "epcis-sale-serials.jsonld.golden", doc)
	checkGolden(t, "epcis-sale-serials.jsonld.golden", doc)
}
