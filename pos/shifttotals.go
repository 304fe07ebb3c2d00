package pos

import (
	"encoding/binary"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// A shift's Z-report is kept as running totals, updated in each record's own
// transaction, so that reading it costs the same after 100 sales as after
// 100,000. Each shift has a nested bucket in shift_totals:
//
//	"t"         → shiftSums (counts, totals, per method, per VAT rate)
//	"u" + sku   → net units of the SKU (8 bytes)
//	"g" + sku   → net grams of a SKU sold by weight (8 bytes)
//	"p" + id    → the producer's units, net and VAT (3 × 8 bytes)
//	"d" + why   → manual discounts given for that reason: count, đồng (2 × 8)
//	"r" + id    → a promotion: lines it applied to, đồng it saved (2 × 8)
//	"c" + id    → a cashier's sales: count, net, net in cash (3 × 8)
//
// The per-SKU and per-producer parts are keys of their own so that a sale
// rewrites a few small values, not a map that grows with the catalog.

type shiftSums struct {
	Sales        int              `json:"sales"`
	Voids        int              `json:"voids"`
	Refunds      int              `json:"refunds"`
	FirstSeq     uint64           `json:"first_seq"`
	FirstReceipt string           `json:"first_receipt,omitempty"`
	LastSeq      uint64           `json:"last_seq"`
	LastReceipt  string           `json:"last_receipt,omitempty"`
	Gross        Money            `json:"gross"`
	VoidTotal    Money            `json:"void_total"`
	RefundTotal  Money            `json:"refund_total"`
	ByMethod     map[string]Money `json:"by_method"`
	ByVAT        map[int]Money    `json:"by_vat"`
	Invoices     int              `json:"invoices,omitempty"`
	Adjustments  int              `json:"invoice_adjustments,omitempty"`
}

var kSums = []byte("t")

// addToShift adds a committed record to its shift's totals.
func addToShift(tx *bolt.Tx, r *Sale) error {
	if r.ShiftID == "" {
		return nil
	}
	b, err := tx.Bucket(bTotals).CreateBucketIfNotExists([]byte(r.ShiftID))
	if err != nil {
		return abortTx{err}
	}
	var t shiftSums
	if _, err := getJSON(b, kSums, &t); err != nil {
		return abortTx{fmt.Errorf("shift %s totals: %w", r.ShiftID, err)}
	}
	if t.ByMethod == nil {
		t.ByMethod, t.ByVAT = map[string]Money{}, map[int]Money{}
	}
	if t.FirstSeq == 0 || r.Seq < t.FirstSeq {
		t.FirstSeq, t.FirstReceipt = r.Seq, r.ReceiptNo
	}
	if r.Seq >= t.LastSeq {
		t.LastSeq, t.LastReceipt = r.Seq, r.ReceiptNo
	}
	switch r.Kind {
	case KindSale:
		t.Sales++
		t.Gross += r.Total
	case KindVoid:
		t.Voids++
		t.VoidTotal += r.Total
	case KindRefund:
		t.Refunds++
		t.RefundTotal += r.Total
	}
	for _, p := range r.Payments {
		t.ByMethod[p.Method] += p.Amount
	}
	for _, inv := range r.Invoices {
		t.Invoices++
		if inv.Kind == InvoiceAdjustment {
			t.Adjustments++
		}
	}
	// A discount given counts one; its void takes it back; a refund gives
	// back money, not the discount.
	var count int64
	switch r.Kind {
	case KindSale:
		count = 1
	case KindVoid:
		count = -1
	}
	for _, l := range r.Lines {
		t.ByVAT[l.VATRate] += l.Total
		units := []byte("u")
		if l.WeightG != 0 {
			units = []byte("g")
		}
		if err := addInts(b, append(units, l.SKU...), l.Units()); err != nil {
			return err
		}
		if err := addInts(b, append([]byte("p"), l.ProducerID...), l.Qty, int64(l.Total), int64(l.VAT)); err != nil {
			return err
		}
		if l.LineDiscount != 0 {
			if err := addInts(b, append([]byte("d"), l.DiscountReason...), count, int64(l.LineDiscount)); err != nil {
				return err
			}
		}
		if l.Promotion != "" {
			if err := addInts(b, append([]byte("r"), l.Promotion...), count, int64(l.PromotionSaved())); err != nil {
				return err
			}
		}
	}
	if r.Cashier != nil {
		var cash Money
		for _, p := range r.Payments {
			if p.Method == MethodCash {
				cash += p.Amount
			}
		}
		sales := int64(0)
		if r.Kind == KindSale {
			sales = 1
		}
		if err := addInts(b, append([]byte("c"), r.Cashier.ID...), sales, int64(r.Total), int64(cash)); err != nil {
			return err
		}
	}
	if r.SaleDiscount != 0 {
		if err := addInts(b, append([]byte("d"), r.DiscountReason...), count, int64(r.SaleDiscount)); err != nil {
			return err
		}
	}
	return putJSON(b, kSums, t)
}

// addInts adds deltas to the int64s stored big-endian under key.
func addInts(b *bolt.Bucket, key []byte, deltas ...int64) error {
	v := make([]byte, 8*len(deltas))
	if old := b.Get(key); len(old) == len(v) {
		copy(v, old)
	}
	for i, d := range deltas {
		n := int64(binary.BigEndian.Uint64(v[8*i:])) + d
		binary.BigEndian.PutUint64(v[8*i:], uint64(n))
	}
	if err := b.Put(key, v); err != nil {
		return abortTx{err}
	}
	return nil
}

// zReport builds a shift's report from its running totals.
func zReport(tx *bolt.Tx, sh Shift) (ZReport, error) {
	z := ZReport{Shift: sh, ByMethod: map[string]Money{}, Units: map[string]int64{}, Closed: !sh.Open()}
	if b := tx.Bucket(bTotals).Bucket([]byte(sh.ID)); b != nil {
		var t shiftSums
		if _, err := getJSON(b, kSums, &t); err != nil {
			return z, fmt.Errorf("shift %s totals: %w", sh.ID, err)
		}
		z.Sales, z.Voids, z.Refunds = t.Sales, t.Voids, t.Refunds
		z.FirstReceipt, z.LastReceipt = t.FirstReceipt, t.LastReceipt
		z.Gross, z.VoidTotal, z.RefundTotal = t.Gross, t.VoidTotal, t.RefundTotal
		z.Invoices, z.Adjustments = t.Invoices, t.Adjustments
		for m, a := range t.ByMethod {
			z.ByMethod[m] = a
		}
		for r, g := range t.ByVAT {
			z.ByVAT = append(z.ByVAT, VATLine{Rate: r, Gross: g, VAT: VATContained(g, r)})
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte("p")); k != nil && k[0] == 'p'; k, v = c.Next() {
			if len(v) == 24 {
				z.ByProducer = append(z.ByProducer, ProducerTotal{ProducerID: string(k[1:]),
					Units: int64(binary.BigEndian.Uint64(v)), Net: Money(binary.BigEndian.Uint64(v[8:])), VAT: Money(binary.BigEndian.Uint64(v[16:]))})
			}
		}
		for k, v := c.Seek([]byte("u")); k != nil && k[0] == 'u'; k, v = c.Next() {
			if len(v) == 8 {
				z.Units[string(k[1:])] = int64(binary.BigEndian.Uint64(v))
			}
		}
		for k, v := c.Seek([]byte("g")); k != nil && k[0] == 'g'; k, v = c.Next() {
			if len(v) == 8 {
				if z.Grams == nil {
					z.Grams = map[string]int64{}
				}
				z.Grams[string(k[1:])] = int64(binary.BigEndian.Uint64(v))
			}
		}
		for k, v := c.Seek([]byte("d")); k != nil && k[0] == 'd'; k, v = c.Next() {
			if len(v) == 16 {
				d := DiscountTotal{Reason: string(k[1:]), Count: int64(binary.BigEndian.Uint64(v)), Amount: Money(binary.BigEndian.Uint64(v[8:]))}
				z.Discounts += d.Amount
				z.DiscountsByReason = append(z.DiscountsByReason, d)
			}
		}
		for k, v := c.Seek([]byte("c")); k != nil && k[0] == 'c'; k, v = c.Next() {
			if len(v) == 24 {
				z.ByCashier = append(z.ByCashier, CashierTotal{ID: string(k[1:]), Name: cashierName(tx, string(k[1:])),
					Sales: int64(binary.BigEndian.Uint64(v)), Net: Money(binary.BigEndian.Uint64(v[8:])), Cash: Money(binary.BigEndian.Uint64(v[16:]))})
			}
		}
		for k, v := c.Seek([]byte("r")); k != nil && k[0] == 'r'; k, v = c.Next() {
			if len(v) == 16 {
				p := PromotionTotal{ID: string(k[1:]), Name: promotionName(tx, string(k[1:])),
					Lines: int64(binary.BigEndian.Uint64(v)), Saved: Money(binary.BigEndian.Uint64(v[8:]))}
				z.PromotionsSaved += p.Saved
				z.ByPromotion = append(z.ByPromotion, p)
			}
		}
	}
	z.Net = z.Gross + z.VoidTotal + z.RefundTotal
	sort.Slice(z.ByVAT, func(i, j int) bool { return z.ByVAT[i].Rate < z.ByVAT[j].Rate })
	sort.Slice(z.ByProducer, func(i, j int) bool { return z.ByProducer[i].ProducerID < z.ByProducer[j].ProducerID })
	sort.Slice(z.ByCashier, func(i, j int) bool { return Fold(z.ByCashier[i].Name) < Fold(z.ByCashier[j].Name) })
	if len(z.Units) == 0 {
		z.Units = nil
	}
	z.ExpectedCash = sh.Float + z.ByMethod[MethodCash]
	z.CountedCash = sh.Counted
	if !sh.Open() && !sh.Recovered {
		z.CashDifference = sh.Counted - z.ExpectedCash
	}
	return z, nil
}

// rebuildShiftTotals recomputes the totals of every shift from the records
// themselves (after a migration or a recovery renumbered records).
func rebuildShiftTotals(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bTotals); err != nil && tx.Bucket(bTotals) != nil {
		return abortTx{err}
	}
	if _, err := tx.CreateBucket(bTotals); err != nil {
		return abortTx{err}
	}
	sales := tx.Bucket(bSales)
	return tx.Bucket(bSalesSeq).ForEach(func(_, id []byte) error {
		var r Sale
		if _, err := getJSON(sales, id, &r); err != nil {
			return abortTx{fmt.Errorf("sale %s: %w", id, err)}
		}
		return addToShift(tx, &r)
	})
}

// cashierName is the name of cashier id, removed ones too ("" for none).
func cashierName(tx *bolt.Tx, id string) string {
	var c Cashier
	if b := tx.Bucket(bCashiers); b != nil {
		if ok, _ := getJSON(b, []byte(id), &c); ok {
			return c.Name
		}
	}
	return ""
}
