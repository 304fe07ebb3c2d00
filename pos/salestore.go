package pos

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxRecord is a committed sale (or void/refund) as it goes upstream: Seq is
// its place in the store's record sequence, which the hub acknowledges.
type OutboxRecord struct {
	Seq    uint64    `json:"seq"`
	SaleID string    `json:"sale_id"`
	Time   time.Time `json:"time"`
	Sale   Sale      `json:"sale"`
}

// ReceiptNo formats a receipt number of a series: K01-000123, or K01-R1-000004
// for the provisional series R1 of kiosk K01 (the series is "K01-R1").
func ReceiptNo(series string, n uint64) string { return fmt.Sprintf("%s-%06d", series, n) }

// CommitSale prices req from the catalog, settles its payments and commits it
// durably together with its stock changes, outbox record and receipt print job. With
// a non-empty idemKey, a request already committed under that key returns the first
// sale (and replayed true) instead of selling again.
func (s *Store) CommitSale(req SaleRequest, idemKey string) (sale Sale, replayed bool, err error) {
	if len(idemKey) > MaxIdempotencyKey {
		return Sale{}, false, fmt.Errorf("%w: idempotency key longer than %d", ErrBadPayment, MaxIdempotencyKey)
	}
	if len(req.Till) > 32 || len(req.Note) > 500 {
		return Sale{}, false, fmt.Errorf("%w: till id or note too long", ErrBadPayment)
	}
	if !ValidLang(req.Lang) {
		return Sale{}, false, fmt.Errorf("%w: lang %q: the till's language is vi or en", ErrBadLang, req.Lang)
	}
	if req.Buyer != nil {
		if err := req.Buyer.Validate(); err != nil {
			return Sale{}, false, err
		}
	}
	hash := requestHash(idemKey, req)
	err = s.commit(func(tx *bolt.Tx) error {
		sale, replayed = Sale{}, false
		if id, err := replayOf(tx.Bucket(bIdem), idemKey, hash); err != nil || id != "" {
			if err == nil {
				sale, err = readSale(tx, id)
				replayed = err == nil
			}
			return err
		}
		// Check everything before writing anything.
		now := s.now()
		pr, err := s.priceIn(tx, Cart{Lines: req.Lines, Discount: req.Discount, DiscountReason: req.DiscountReason,
			Approved: req.Approved}, now, false)
		if err != nil {
			return err
		}
		if err := pr.needsPIN(s.DiscountLimit()); err != nil {
			return err
		}
		need := map[string]int64{}
		for _, l := range pr.Lines {
			need[l.SKU] += l.Units()
		}
		for sku, q := range need {
			if have := getStock(tx, sku); have < q {
				return fmt.Errorf("%w: %s has %d, sale needs %d", ErrOutOfStock, sku, have, q)
			}
		}
		if err := checkSaleSerials(tx, pr.Lines); err != nil {
			return err
		}
		pays, change, err := settle(pr.Total, req.Payments)
		if err != nil {
			return err
		}
		shiftID, err := s.ensureShift(tx, now)
		if err != nil {
			return err
		}
		sale = Sale{
			ID: NewID(now), Kind: KindSale, KioskID: s.kioskID, ShiftID: shiftID, Till: req.Till,
			Time: now, Lines: pr.Lines, Total: pr.Total, Discount: pr.Discount, SaleDiscount: pr.SaleDiscount,
			DiscountReason: pr.DiscountReason, Promotions: pr.Promotions, VAT: pr.VAT, Payments: pays, Change: change,
			Status: StatusCompleted, Note: req.Note, Lang: req.Lang, Buyer: req.Buyer, Cashier: req.Cashier,
		}
		for sku, q := range need {
			if err := putStock(tx, sku, getStock(tx, sku)-q); err != nil {
				return err
			}
		}
		if err := s.writeRecord(tx, &sale); err != nil {
			return err
		}
		if idemKey != "" {
			return putIdem(tx, idemKey, idemRecord{Hash: hash, SaleID: sale.ID, Time: now, Seq: sale.Seq})
		}
		return nil
	})
	return sale, replayed, err
}

// priceIn prices a cart against the store as the transaction sees it: its
// catalog, lots and promotions, at now, with the kiosk's discount limit.
func (s *Store) priceIn(tx *bolt.Tx, c Cart, now time.Time, noDiscounts bool) (Priced, error) {
	promos, err := s.promotionsIn(tx)
	if err != nil {
		return Priced{}, err
	}
	lots := tx.Bucket(bLots)
	return PriceCart(c, PriceEnv{Product: txProduct(tx), Promotions: promos, Now: now,
		DiscountLimit: s.DiscountLimit(), NoDiscounts: noDiscounts,
		Lot: func(sku, code string) bool { return lots.Get([]byte(sku+"/"+code)) != nil }})
}

// writeRecord numbers rec — its record sequence, and its receipt number in the
// store's current series — and writes it with its indexes, shift totals and
// receipt print job. Every error it returns aborts the transaction. The outbox
// needs no write of its own: it is a cursor over the record sequence.
func (s *Store) writeRecord(tx *bolt.Tx, rec *Sale) error {
	series := s.kioskID
	if n := readNumbering(tx); !n.Verified {
		series += "-" + n.Series
	}
	rb, err := tx.Bucket(bReceipts).CreateBucketIfNotExists([]byte(series))
	if err != nil {
		return abortTx{err}
	}
	rn, err := rb.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	seq, err := tx.Bucket(bSalesSeq).NextSequence()
	if err != nil {
		return abortTx{err}
	}
	rec.Seq = seq
	rec.ReceiptNo = ReceiptNo(series, rn)
	if err := s.issueInvoices(tx, rec); err != nil {
		return err
	}
	if err := putRecord(tx, rec); err != nil {
		return err
	}
	_, err = queuePrintJob(tx, PrintJob{SaleID: rec.ID, Doc: "receipt", Printer: "receipt", Created: rec.Time})
	return err
}

// putRecord writes a numbered record with its indexes and adds it to its shift's
// totals.
func putRecord(tx *bolt.Tx, rec *Sale) error {
	if err := putJSON(appending(tx, bSales), []byte(rec.ID), rec); err != nil {
		return err
	}
	if err := appending(tx, bSalesTime).Put(timeKey(rec.Time, rec.Seq), []byte(rec.ID)); err != nil {
		return abortTx{err}
	}
	if err := appending(tx, bSalesSeq).Put(u64(rec.Seq), []byte(rec.ID)); err != nil {
		return abortTx{err}
	}
	if err := appending(tx, bReceiptIx).Put([]byte(rec.ReceiptNo), []byte(rec.ID)); err != nil {
		return abortTx{err}
	}
	if rec.Original != "" {
		if err := tx.Bucket(bUndo).Put([]byte(rec.Original+"|"+rec.ID), nil); err != nil {
			return abortTx{err}
		}
	}
	if err := markSerials(tx, rec); err != nil {
		return err
	}
	return addToShift(tx, rec)
}

func timeKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// appending is a bucket whose keys mostly grow (sequences, times, time-ordered
// ids): its pages are filled before they split, instead of bbolt's half, which
// keeps a long fair's store about half the size.
func appending(tx *bolt.Tx, name []byte) *bolt.Bucket {
	b := tx.Bucket(name)
	b.FillPercent = 0.95
	return b
}

// queuePrintJob adds a print job inside a transaction.
func queuePrintJob(tx *bolt.Tx, j PrintJob) (PrintJob, error) {
	pb := appending(tx, bPrintJobs)
	n, err := pb.NextSequence()
	if err != nil {
		return j, abortTx{err}
	}
	j.ID, j.State = n, JobPending
	if err := tx.Bucket(bPrintWait).Put(u64(n), nil); err != nil {
		return j, abortTx{err}
	}
	return j, putJSON(pb, u64(n), j)
}

// readSale reads a record and derives its status from the voids and refunds that
// point at it.
func readSale(tx *bolt.Tx, id string) (Sale, error) {
	var sl Sale
	ok, err := getJSON(tx.Bucket(bSales), []byte(id), &sl)
	if err != nil {
		return Sale{}, fmt.Errorf("sale %s: %w", id, err)
	}
	if !ok {
		return Sale{}, fmt.Errorf("%w: sale %q", ErrNotFound, id)
	}
	if sl.Kind != KindSale {
		return sl, nil
	}
	c := tx.Bucket(bUndo).Cursor()
	prefix := []byte(id + "|")
	var refunded Money
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		uid := string(k[len(prefix):])
		sl.UndoneBy = append(sl.UndoneBy, uid)
		var u Sale
		if _, err := getJSON(tx.Bucket(bSales), []byte(uid), &u); err != nil {
			return Sale{}, err
		}
		if u.Kind == KindVoid {
			sl.Status = StatusVoided
			return sl, nil
		}
		refunded -= u.Total
	}
	switch {
	case refunded >= sl.Total && refunded > 0:
		sl.Status = StatusRefunded
	case refunded > 0:
		sl.Status = StatusPartial
	}
	return sl, nil
}

// Sale returns one record by id.
func (s *Store) Sale(id string) (Sale, error) {
	var sl Sale
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		sl, err = readSale(tx, id)
		return err
	})
	return sl, err
}

// SalesSince returns up to limit records, oldest first, from the first record
// made at or after since onwards in record order. A record made after the clock
// was set back carries an earlier time than the one before it; it is still
// listed, because the listing follows the record sequence, not the clock.
func (s *Store) SalesSince(since time.Time, limit int) ([]Sale, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []Sale{}
	err := s.db.View(func(tx *bolt.Tx) error {
		first := uint64(1)
		if !since.IsZero() && since.UnixNano() > 0 {
			// The earliest record (by sequence) among those stamped since then:
			// the time index's keys end with the sequence, so no record is read.
			first = 0
			c := tx.Bucket(bSalesTime).Cursor()
			for k, _ := c.Seek(u64(uint64(since.UnixNano()))); k != nil; k, _ = c.Next() {
				if seq := binary.BigEndian.Uint64(k[8:]); first == 0 || seq < first {
					first = seq
				}
			}
			if first == 0 {
				return nil
			}
		}
		var err error
		out, err = salesFrom(tx, first, limit, out)
		return err
	})
	return out, err
}

// salesFrom appends up to limit records from sequence first on, in order.
func salesFrom(tx *bolt.Tx, first uint64, limit int, out []Sale) ([]Sale, error) {
	c := tx.Bucket(bSalesSeq).Cursor()
	for k, v := c.Seek(u64(first)); k != nil && len(out) < limit; k, v = c.Next() {
		sl, err := readSale(tx, string(v))
		if err != nil {
			return out, err
		}
		out = append(out, sl)
	}
	return out, nil
}

// SalesAfter returns up to limit records with a record sequence above seq, in
// order: a cursor that never skips or repeats a record.
func (s *Store) SalesAfter(seq uint64, limit int) ([]Sale, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []Sale{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, err = salesFrom(tx, seq+1, limit, out)
		return err
	})
	return out, err
}

// SaleCount is the number of records (sales, voids, refunds) in the store.
func (s *Store) SaleCount() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bSales).Stats().KeyN; return nil })
	return n, err
}

// Void cancels a completed sale as a whole: a new record with the negated lines,
// payments and total, pointing at the original, with the stock put back.
func (s *Store) Void(id, reason string) (Sale, error) {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	var rec Sale
	err := s.commit(func(tx *bolt.Tx) error {
		orig, err := readSale(tx, id)
		if err != nil {
			return err
		}
		if orig.Kind != KindSale && len(orig.Invoices) > 0 {
			return fmt.Errorf("%w: %s is a %s with its adjustment invoice", ErrAdjustAdjustment, orig.ReceiptNo, orig.Kind)
		}
		if orig.Kind != KindSale {
			return fmt.Errorf("%w: %s is a %s", ErrNotVoidable, orig.ReceiptNo, orig.Kind)
		}
		if orig.Status != StatusCompleted {
			return fmt.Errorf("%w: %s is %s", ErrAlreadyVoided, orig.ReceiptNo, orig.Status)
		}
		now := s.now()
		shiftID, err := s.ensureShift(tx, now)
		if err != nil {
			return err
		}
		rec = Sale{ID: NewID(now), Kind: KindVoid, KioskID: s.kioskID, ShiftID: shiftID, Till: orig.Till,
			Time: now, Total: -orig.Total, Discount: -orig.Discount, SaleDiscount: -orig.SaleDiscount,
			DiscountReason: orig.DiscountReason, Change: 0, Status: StatusCompleted, Original: orig.ID, Reason: reason,
			Cashier: orig.Cashier}
		for _, l := range orig.Lines {
			rec.Lines = append(rec.Lines, undoLine(l, 0, l.Qty))
		}
		rec.VAT = vatBreakdown(rec.Lines)
		rec.Promotions = appliedOf(rec.Lines, orig.Promotions)
		for _, p := range orig.Payments {
			rec.Payments = append(rec.Payments, Payment{Method: p.Method, Amount: -p.Amount, Reference: p.Reference})
		}
		if err := restock(tx, rec.Lines); err != nil {
			return err
		}
		return s.writeRecord(tx, &rec)
	})
	return rec, err
}

// RefundRequest returns some or all of a sale's lines.
type RefundRequest struct {
	Lines   []LineRequest `json:"lines"`   // empty: everything not yet refunded
	Method  string        `json:"method"`  // how the money goes back; default cash
	Restock *bool         `json:"restock"` // put the goods back on the shelf; default true
	Reason  string        `json:"reason"`
}

// Refund returns goods of a completed sale: a new record with negative lines at the
// prices sold, pointing at the original. The refunded quantity of each SKU can never
// exceed what the sale sold less earlier refunds.
func (s *Store) Refund(id string, rr RefundRequest) (Sale, error) {
	method := rr.Method
	if method == "" {
		method = MethodCash
	}
	switch method {
	case MethodCash, MethodVietQR, MethodCard, MethodEwallet:
	default:
		return Sale{}, fmt.Errorf("%w: refund method %q", ErrBadPayment, method)
	}
	if len(rr.Reason) > 500 {
		rr.Reason = rr.Reason[:500]
	}
	var rec Sale
	err := s.commit(func(tx *bolt.Tx) error {
		orig, err := readSale(tx, id)
		if err != nil {
			return err
		}
		if orig.Kind != KindSale && len(orig.Invoices) > 0 {
			return fmt.Errorf("%w: %s is a %s with its adjustment invoice", ErrAdjustAdjustment, orig.ReceiptNo, orig.Kind)
		}
		if orig.Kind != KindSale {
			return fmt.Errorf("%w: %s is a %s", ErrNotVoidable, orig.ReceiptNo, orig.Kind)
		}
		if orig.Status == StatusVoided || orig.Status == StatusRefunded {
			return fmt.Errorf("%w: %s is %s", ErrAlreadyVoided, orig.ReceiptNo, orig.Status)
		}
		left, out, back, err := refundState(tx, orig)
		if err != nil {
			return err
		}
		want := rr.Lines
		if len(want) == 0 {
			for i, l := range orig.Lines {
				if left[i] > 0 {
					want = append(want, LineRequest{SKU: l.SKU, Qty: left[i], Lot: l.Lot})
				}
			}
		}
		var lines []Line
		for _, w := range want {
			if w.WeightG != 0 {
				return fmt.Errorf("%w: refund of %s: a weighed line goes back whole; name it by sku and qty (weighings)", ErrBadWeight, w.SKU)
			}
			if w.Qty <= 0 || w.Qty > MaxQty {
				return fmt.Errorf("%w: refund of %s qty %d", ErrBadQuantity, w.SKU, w.Qty)
			}
			if w.Discount != nil {
				return fmt.Errorf("%w: refund of %s: a refund gives back what was paid for the goods; it takes no discount", ErrBadDiscount, w.SKU)
			}
			matches := func(l Line) bool { return l.SKU == w.SKU && (w.Lot == "" || l.Lot == w.Lot) }
			named, err := refundSerials(orig, w, out, back, matches)
			if err != nil {
				return err
			}
			// The named serials' units first, on their lines; then the
			// other units, from the first lines with some left.
			take := make([]int64, len(orig.Lines))
			rest := w.Qty
			for i := range orig.Lines {
				take[i] = int64(len(named[i]))
				rest -= take[i]
			}
			for i, l := range orig.Lines {
				if rest == 0 {
					break
				}
				if !matches(l) {
					continue
				}
				n := min(rest, left[i]-take[i])
				take[i] += n
				rest -= n
			}
			if rest > 0 {
				return fmt.Errorf("%w: %s: %d more than is left to refund", ErrRefundTooLarge, w.SKU, rest)
			}
			for i, l := range orig.Lines {
				if take[i] == 0 {
					continue
				}
				u := undoLine(l, l.Qty-left[i], take[i])
				u.Serials = serialsBack(out[i], named[i], left[i], take[i], len(w.Serials) > 0)
				out[i] = slices.DeleteFunc(out[i], func(x string) bool { return slices.Contains(u.Serials, x) }) // refundState made out[i] its own
				lines = append(lines, u)
				left[i] -= take[i]
			}
		}
		if len(lines) == 0 {
			return fmt.Errorf("%w: nothing left to refund", ErrRefundTooLarge)
		}
		var total, discount, saleDiscount Money
		for _, l := range lines {
			total += l.Total
			discount += l.Discount
			saleDiscount += l.SaleDiscount
		}
		now := s.now()
		shiftID, err := s.ensureShift(tx, now)
		if err != nil {
			return err
		}
		rec = Sale{ID: NewID(now), Kind: KindRefund, KioskID: s.kioskID, ShiftID: shiftID, Till: orig.Till,
			Time: now, Lines: lines, Total: total, Discount: discount, SaleDiscount: saleDiscount,
			DiscountReason: orig.DiscountReason, Promotions: appliedOf(lines, orig.Promotions), VAT: vatBreakdown(lines),
			Status: StatusCompleted, Payments: []Payment{{Method: method, Amount: total}}, Original: orig.ID, Reason: rr.Reason,
			Cashier: orig.Cashier}
		if rr.Restock == nil || *rr.Restock {
			rec.Restocked = true
			if err := restock(tx, lines); err != nil {
				return err
			}
		}
		return s.writeRecord(tx, &rec)
	})
	return rec, err
}

// refundState is what is left to refund of sale orig: per line, the units
// (left) and the serials still out (out, in the order they were scanned); and
// the serials earlier refunds gave back (back, by soldKey, each with that
// refund's receipt number).
func refundState(tx *bolt.Tx, orig Sale) (left []int64, out [][]string, back map[string]string, err error) {
	left = make([]int64, len(orig.Lines))
	for i, l := range orig.Lines {
		left[i] = l.Qty
	}
	back = map[string]string{}
	for _, uid := range orig.UndoneBy {
		var u Sale
		if _, err := getJSON(tx.Bucket(bSales), []byte(uid), &u); err != nil {
			return nil, nil, nil, err
		}
		for _, ul := range u.Lines {
			take := -ul.Qty
			for i, l := range orig.Lines {
				if take == 0 {
					break
				}
				if l.SKU == ul.SKU && l.Lot == ul.Lot && left[i] > 0 {
					n := min(take, left[i])
					left[i] -= n
					take -= n
				}
			}
			for _, n := range ul.Serials {
				back[string(soldKey(ul.SKU, ul.Lot, n))] = u.ReceiptNo
			}
		}
	}
	out = make([][]string, len(orig.Lines))
	for i, l := range orig.Lines {
		out[i] = slices.DeleteFunc(slices.Clone(l.Serials), func(n string) bool {
			_, gone := back[string(soldKey(l.SKU, l.Lot, n))]
			return gone
		})
	}
	return left, out, back, nil
}

// RefundableLine is what is left to refund of one line of a sale: its units
// and the serials of those still with the customer.
type RefundableLine struct {
	SKU     string   `json:"sku"`
	Lot     string   `json:"lot,omitempty"`
	Qty     int64    `json:"qty"`
	Serials []string `json:"serials,omitempty"`
}

// Refundable answers, line by line of sale id (in its order), what a refund
// could still give back; nothing for a sale voided, wholly refunded, or a
// record that is not a sale.
func (s *Store) Refundable(id string) ([]RefundableLine, error) {
	var lines []RefundableLine
	err := s.db.View(func(tx *bolt.Tx) error {
		orig, err := readSale(tx, id)
		if err != nil {
			return err
		}
		if orig.Kind != KindSale || orig.Status == StatusVoided || orig.Status == StatusRefunded {
			return nil
		}
		left, out, _, err := refundState(tx, orig)
		if err != nil {
			return err
		}
		lines = make([]RefundableLine, len(orig.Lines))
		for i, l := range orig.Lines {
			lines[i] = RefundableLine{SKU: l.SKU, Lot: l.Lot, Qty: left[i], Serials: out[i]}
		}
		return nil
	})
	return lines, err
}

// undoLine is the line of a void or refund that gives back n of the qty of
// sold line l, of which done were given back before. Its discounts are the
// shares of l's for those units, each rounded half up on the running count
// (the share of done+n less the share of done), so that giving a line back in
// parts sums to exactly what was paid for it. A weighed line (qty 1) goes
// back whole. The line carries all of l's serials: a refund of part of l sets
// those it gives back (serialsBack).
func undoLine(l Line, done, n int64) Line {
	share := func(m Money) Money {
		if l.Qty <= 0 || m == 0 {
			return 0
		}
		return mulDivHalfUp(m, done+n, l.Qty) - mulDivHalfUp(m, done, l.Qty)
	}
	u := l
	u.Qty, u.WeightG = -n, -l.WeightG
	u.PromotionDiscount = -share(l.PromotionDiscount)
	u.LineDiscount = -share(l.LineDiscount)
	u.SaleDiscount = -share(l.SaleDiscount)
	u.Discount = u.PromotionDiscount + u.LineDiscount + u.SaleDiscount
	u.Total = u.Gross() - u.Discount
	u.VAT = VATContained(u.Total, u.VATRate)
	return u
}

// restock puts back the (negative) quantities and weights of undo lines.
func restock(tx *bolt.Tx, lines []Line) error {
	for _, l := range lines {
		if tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil {
			continue // product since removed from the catalog
		}
		if err := putStock(tx, l.SKU, getStock(tx, l.SKU)-l.Units()); err != nil {
			return err
		}
	}
	return nil
}

// ---- outbox ----

// The outbox is a cursor over the record sequence: every record above the hub's
// acknowledgement is still to go upstream. Nothing is copied for it, so it costs
// nothing without a hub, and a hub restored from an older snapshot is sent again
// whatever it lost, from the records themselves.

// Outbox returns up to limit records after seq, in order. While the numbering is
// not verified against the hub (see Numbering) it returns nothing: provisional
// records may only go upstream once their sequence numbers cannot clash with
// what the hub already holds.
func (s *Store) Outbox(after uint64, limit int) ([]OutboxRecord, error) {
	var out []OutboxRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		if !readNumbering(tx).Verified {
			return nil
		}
		sales := tx.Bucket(bSales)
		c := tx.Bucket(bSalesSeq).Cursor()
		for k, id := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, id = c.Next() {
			var r Sale
			if _, err := getJSON(sales, id, &r); err != nil {
				return fmt.Errorf("record %s: %w", id, err)
			}
			out = append(out, OutboxRecord{Seq: r.Seq, SaleID: r.ID, Time: r.Time, Sale: r})
		}
		return nil
	})
	return out, err
}

// SetAcked records the hub's acknowledgement: every record up to seq is held
// upstream. It may move back, when the hub says it holds less than it did
// (restored from an older snapshot): those records are then sent again.
func (s *Store) SetAcked(seq uint64) error {
	return s.commit(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bMeta).Put(kAcked, u64(seq)); err != nil {
			return abortTx{err}
		}
		return nil
	})
}

// Acked is the highest record sequence the hub has acknowledged.
func (s *Store) Acked() (uint64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error { n = acked(tx); return nil })
	return n, err
}

func acked(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bMeta).Get(kAcked); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// OutboxDepth is the number of records not yet acknowledged upstream.
func (s *Store) OutboxDepth() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		if top, a := lastSeq(tx), acked(tx); top > a {
			n = int(top - a)
		}
		return nil
	})
	return n, err
}

// LastSeq is the sequence number of the newest record.
func (s *Store) LastSeq() (uint64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error { n = lastSeq(tx); return nil })
	return n, err
}
