package pos

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestAMixedConsignmentCartGetsOneInvoicePerIssuingSeller(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	delegateRice(t, s, TaxCredit)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1), lineReq("RICE", 2), lineReq("WINE", 1)},
		Payments: []PaymentRequest{cashReq(565000, 0)}})
	if len(sale.Invoices) != 2 {
		t.Fatalf("invoices %+v", sale.Invoices)
	}
	booth, rice := sale.Invoices[0], sale.Invoices[1]
	if booth.Seller.TaxCode != boothMST || booth.Delegate != nil || booth.Form != FormSales || booth.Number != 1 || booth.Total != 220000 {
		t.Errorf("the booth's invoice %+v", booth)
	}
	if rice.Seller.TaxCode != producerMST || rice.Delegate == nil || rice.Delegate.TaxCode != boothMST ||
		rice.Form != FormVAT || rice.TaxMethod != TaxCredit || rice.Number != 1 || rice.Symbol != "C26MAA" || rice.Total != 345000 {
		t.Errorf("the producer's invoice %+v", rice)
	}
	if booth.MCCQT == rice.MCCQT {
		t.Errorf("two invoices share MCCQT %s", booth.MCCQT)
	}
	if booth.Total+rice.Total != sale.Total {
		t.Errorf("invoices %d + %d, sale %d", booth.Total, rice.Total, sale.Total)
	}
	doc, err := InvoiceXML(rice)
	if err != nil {
		t.Fatal(err)
	}
	if p := checkInvoiceXML(t, rice, doc); p.Delegate != boothMST {
		t.Errorf("the XML names delegate %q", p.Delegate)
	}
	// Each seller numbers its own series; the symbol's number 1 exists
	// twice, and InvoiceOf tells them apart.
	if got, err := s.Invoice("C26MAA", 1); err != nil || got.Seller.TaxCode != boothMST {
		t.Errorf("Invoice(C26MAA, 1) = %s, %v; want the booth's", got.Seller.TaxCode, err)
	}
	if got, err := s.InvoiceOf(producerMST, "C26MAA", 1); err != nil || got.MCCQT != rice.MCCQT {
		t.Errorf("InvoiceOf(producer) = %+v, %v", got, err)
	}
	// A refund of the rice only adjusts the producer's invoice.
	ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("RICE", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Invoices) != 1 {
		t.Fatalf("refund invoices %+v", ref.Invoices)
	}
	adj := ref.Invoices[0]
	if adj.Kind != InvoiceAdjustment || adj.Seller.TaxCode != producerMST || adj.Number != 2 || adj.Total != -150000 ||
		adj.Adjusts == nil || adj.Adjusts.Number != 1 || adj.Adjusts.MCCQT != rice.MCCQT {
		t.Errorf("adjustment %+v", adj)
	}
	// Listed one a page, newest first: the adjustment, then the sale's two.
	var got []string
	cursor := ""
	for range 5 {
		invs, next, err := s.Invoices(InvoiceQuery{Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			got = append(got, fmt.Sprintf("%s/%d", inv.Seller.TaxCode, inv.Number))
		}
		if cursor = next; next == "" {
			break
		}
	}
	if want := []string{producerMST + "/2", producerMST + "/1", boothMST + "/1"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

func TestAVoidAdjustsEveryInvoiceOfTheSale(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	delegateRice(t, s, TaxDirect)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1), lineReq("RICE", 1)},
		Discount: &Discount{Percent: pct("5")}, DiscountReason: "khách quen", Payments: []PaymentRequest{cashReq(351500, 0)}})
	v, err := s.Void(sale.ID, "khách đổi ý")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Invoices) != 2 {
		t.Fatalf("void invoices %+v", v.Invoices)
	}
	var total Money
	for i, adj := range v.Invoices {
		orig := sale.Invoices[i]
		if adj.Kind != InvoiceAdjustment || adj.Seller != orig.Seller || adj.Total != -orig.Total || sumLines(adj) != adj.Total ||
			adj.Adjusts.Number != orig.Number || adj.Adjusts.Symbol != orig.Symbol || adj.Buyer != nil {
			t.Errorf("adjustment %d %+v of %+v", i, adj, orig)
		}
		total += adj.Total
	}
	if total != v.Total {
		t.Errorf("adjustments %d, void %d", total, v.Total)
	}
	z, err := s.ShiftReport("")
	if err != nil || z.Invoices != 4 || z.Adjustments != 2 {
		t.Errorf("the Z-report counts %d invoices, %d adjustments (%v); want 4 and 2", z.Invoices, z.Adjustments, err)
	}
}

func TestASaleBeforeInvoicingWasOnIsReturnedWithoutAnAdjustment(t *testing.T) {
	s := openPricingStore(t)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}})
	if err := s.SetInvoicing(invoiceSettings(TaxDirect)); err != nil {
		t.Fatal(err)
	}
	v, err := s.Void(sale.ID, "")
	if err != nil || len(v.Invoices) != 0 {
		t.Errorf("void of an uninvoiced sale: %+v, %v", v.Invoices, err)
	}
}

func TestTheSymbolRollsOverAtNewYearInVietnamTime(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	honey := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	s.clock.Set(time.Date(2026, 12, 31, 23, 59, 0, 0, VietnamTime))
	a, b := s.sell(t, honey), s.sell(t, honey)
	// 00:00:01 on 1 January in Vietnam is still 31 December in UTC.
	s.clock.Set(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC))
	c := s.sell(t, honey)
	got := []string{a.Invoices[0].Symbol, b.Invoices[0].Symbol, c.Invoices[0].Symbol}
	if got[0] != "C26MAA" || got[1] != "C26MAA" || got[2] != "C27MAA" || c.Invoices[0].Number != 1 || b.Invoices[0].Number != 2 {
		t.Errorf("symbols %v, numbers %d %d %d", got, a.Invoices[0].Number, b.Invoices[0].Number, c.Invoices[0].Number)
	}
	if m := c.Invoices[0].MCCQT; m[:6] != "M2-27-" {
		t.Errorf("MCCQT %s carries the old year", m)
	}
	// No reduction note after 31/12/2026.
	if c.Invoices[0].Note != "" || b.Invoices[0].Note == "" {
		t.Errorf("notes %q / %q", b.Invoices[0].Note, c.Invoices[0].Note)
	}
}

func TestNumbersStayGaplessUnder16ConcurrentTills(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	if err := s.PutCatalog(Catalog{Products: []Product{withStock(prodHoney, 10_000)}}, "restock"); err != nil {
		t.Fatal(err)
	}
	const tills, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, tills*each)
	for i := range tills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				req := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}, Till: fmt.Sprintf("T%02d", i)}
				if _, _, err := s.CommitSale(req, ""); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkGapless(t, s.Store, tills*each)
}

// checkGapless checks that every series numbers 1…n without a gap or a
// repeat, that every MCCQT is unique, and that there are want invoices.
func checkGapless(t *testing.T, s *Store, want int) {
	t.Helper()
	recs, err := s.SalesAfter(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	numbers := map[string][]int64{}
	codes := map[string]bool{}
	n := 0
	for _, r := range recs {
		for _, inv := range r.Invoices {
			n++
			key := seriesKey(inv.Seller.TaxCode, inv.Form, inv.Symbol)
			numbers[key] = append(numbers[key], inv.Number)
			if codes[inv.MCCQT] {
				t.Errorf("MCCQT %s issued twice", inv.MCCQT)
			}
			codes[inv.MCCQT] = true
		}
	}
	if n != want {
		t.Errorf("%d invoices, want %d", n, want)
	}
	for key, ns := range numbers {
		sort.Slice(ns, func(i, j int) bool { return ns[i] < ns[j] })
		for i, got := range ns {
			if got != int64(i+1) {
				t.Fatalf("series %s: number %d at place %d (numbers %v)", key, got, i+1, ns)
			}
		}
	}
}

func TestNumbersAndCodesStayUniqueAcrossARestoreAndRecover(t *testing.T) {
	old := openInvoicingStore(t, TaxDirect)
	honey := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	for range 3 {
		old.sell(t, honey)
	}
	if err := old.SetAcked(3); err != nil {
		t.Fatal(err)
	}
	backup := backupTo(t, old)
	lost := old.sell(t, honey)                           // invoice 4: at the hub, not in the backup
	if _, err := old.Void(lost.ID, "nhầm"); err != nil { // adjustment 5
		t.Fatal(err)
	}
	old.sell(t, honey) // invoice 6
	hub := outboxOf(t, old.Store, 0)

	clock := newTestClock()
	clock.Set(old.clock.Now())
	restored := &testStore{openStoreAt(t, backup, clock), clock}
	if err := restored.SetInvoicing(invoiceSettings(TaxDirect)); err != nil {
		t.Fatal(err)
	}
	if _, err := restored.Unverify("restored from a backup"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := restored.CommitSale(honey, ""); !errors.Is(err, ErrInvoiceUnverified) {
		t.Fatalf("sale before Recover: %v, want ErrInvoiceUnverified", err)
	}
	if _, err := restored.Recover(hub[3:], 6); err != nil {
		t.Fatal(err)
	}
	next := restored.sell(t, honey)
	if inv := next.Invoices[0]; inv.Number != 7 || inv.MCCQT != "M2-26-A1B2C-01234560006" {
		t.Errorf("after Recover: number %d, MCCQT %s; want 7 and …0006", inv.Number, inv.MCCQT)
	}
	checkGapless(t, restored.Store, 7)
	// The recovered invoices are listed and found.
	if got, err := restored.Invoice("C26MAA", 5); err != nil || got.Kind != InvoiceAdjustment {
		t.Errorf("recovered adjustment: %+v, %v", got, err)
	}
	days, err := restored.InvoiceDays(Date{}, Date{})
	if err != nil || len(days) != 1 || days[0].Issued != 7 || days[0].Adjustments != 1 {
		t.Errorf("days %+v, %v", days, err)
	}
}

func TestInvoicesAreListedNewestFirstWithTheirStates(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	honey := SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}
	var keys []string
	for range 5 {
		keys = append(keys, s.sell(t, honey).Invoices[0].Key())
	}
	s.clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, VietnamTime))
	keys = append(keys, s.sell(t, honey).Invoices[0].Key())

	var got []int64
	cursor := ""
	for page := 0; ; page++ {
		invs, next, err := s.Invoices(InvoiceQuery{Limit: 4, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range invs {
			got = append(got, inv.Number)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if fmt.Sprint(got) != "[6 5 4 3 2 1]" {
		t.Errorf("pages give %v", got)
	}
	day, _, err := s.Invoices(InvoiceQuery{Day: DateOf(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))})
	if err != nil || len(day) != 1 || day[0].Number != 6 {
		t.Errorf("24/11: %+v, %v", day, err)
	}
	if _, _, err := s.Invoices(InvoiceQuery{Cursor: "x"}); !errors.Is(err, ErrBadInvoiceQuery) {
		t.Errorf("bad cursor: %v", err)
	}

	at := time.Date(2026, 11, 24, 20, 0, 0, 0, VietnamTime)
	err = s.SetInvoiceStates([]InvoiceState{{Key: keys[0], State: InvoiceDelivered, At: at},
		{Key: keys[1], State: InvoiceRefused, Reason: "ERR30", At: at}})
	if err != nil {
		t.Fatal(err)
	}
	// An older report does not undo a newer one.
	if err := s.SetInvoiceStates([]InvoiceState{{Key: keys[0], State: InvoiceIssued, At: at.Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetInvoiceStates([]InvoiceState{{Key: keys[2], State: InvoiceDelivered, At: at}, {Key: keys[3], State: "lost"}}); !errors.Is(err, ErrBadInvoiceState) {
		t.Errorf("a bad state: %v", err)
	}
	one, _ := s.Invoice("C26MAA", 1)
	two, _ := s.Invoice("C26MAA", 2)
	three, _ := s.Invoice("C26MAA", 3)
	if one.State != InvoiceDelivered || two.State != InvoiceRefused || two.StateReason != "ERR30" || three.State != InvoiceIssued {
		t.Errorf("states %s, %s (%s), %s", one.State, two.State, two.StateReason, three.State)
	}
	days, err := s.InvoiceDays(Date{}, Date{})
	if err != nil || len(days) != 2 || days[0].Issued != 5 || days[0].Delivered != 1 || days[0].Refused != 1 || days[1].Issued != 1 {
		t.Errorf("days %+v, %v", days, err)
	}
}

func TestASelfServiceOrderIsInvoicedWhenConfirmedWithItsBuyer(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	ob := NewOrderBook(s.Store, OrderOptions{})
	buyer := &Buyer{Name: "Ms Anna Berg", Phone: "+84912345678", Email: "anna@example.se"}
	o, _, err := ob.Create(OrderRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Buyer: buyer}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, sale, err := ob.Confirm(o.ID, []PaymentRequest{{Method: MethodVietQR, Amount: o.Total}}, "T1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sale.Invoices) != 1 || sale.Invoices[0].Buyer == nil || *sale.Invoices[0].Buyer != *buyer ||
		sale.Invoices[0].PayMethod != "CK" || sale.Invoices[0].Total != o.Total {
		t.Errorf("the order's sale invoices %+v", sale.Invoices)
	}
}

func TestAReturnIsAdjustedEvenAfterInvoicingWasTurnedOff(t *testing.T) {
	s := openInvoicingStore(t, TaxDirect)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2)}, Payments: []PaymentRequest{cashReq(440000, 0)}})
	if err := s.SetInvoicing(InvoiceSettings{}); err != nil {
		t.Fatal(err)
	}
	if next := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{cashReq(220000, 0)}}); len(next.Invoices) != 0 {
		t.Errorf("a sale with invoicing off has invoices %+v", next.Invoices)
	}
	ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", 1)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.Invoices) != 1 || ref.Invoices[0].Kind != InvoiceAdjustment || ref.Invoices[0].Number != 2 ||
		ref.Invoices[0].MCCQT != "M2-26-A1B2C-01234560001" || ref.Invoices[0].Total != -220000 {
		t.Errorf("adjustment with invoicing off: %+v", ref.Invoices)
	}
}
