package pos

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// OutboxRecord is a committed sale (or void/refund) waiting to go upstream.
type OutboxRecord struct {
	Seq    uint64    `json:"seq"`
	SaleID string    `json:"sale_id"`
	Time   time.Time `json:"time"`
	Sale   Sale      `json:"sale"`
}

type idemRecord struct {
	Hash   []byte    `json:"hash"`
	SaleID string    `json:"sale_id"`
	Time   time.Time `json:"time"`
}

// MaxIdempotencyKey bounds the Idempotency-Key a client may send.
const MaxIdempotencyKey = 128

// ReceiptNo formats a receipt number: K01-000123.
func ReceiptNo(kiosk string, seq uint64) string { return fmt.Sprintf("%s-%06d", kiosk, seq) }

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
	var hash []byte
	if idemKey != "" {
		canon, _ := json.Marshal(req)
		h := sha256.Sum256(canon)
		hash = h[:]
	}
	err = s.commit(func(tx *bolt.Tx) error {
		sale, replayed = Sale{}, false
		if idemKey != "" {
			var rec idemRecord
			ok, err := getJSON(tx.Bucket(bIdem), []byte(idemKey), &rec)
			if err != nil {
				return err
			}
			if ok {
				if !bytes.Equal(rec.Hash, hash) {
					return fmt.Errorf("%w: key %q", ErrIdempotencyReuse, idemKey)
				}
				got, err := readSale(tx, rec.SaleID)
				if err != nil {
					return err
				}
				sale, replayed = got, true
				return nil
			}
		}
		// Check everything before writing anything.
		prods := tx.Bucket(bProducts)
		need := map[string]int64{}
		lines, total, vat, err := priceLines(req.Lines, func(sku string) (*Product, error) {
			var p Product
			ok, err := getJSON(prods, []byte(sku), &p)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
			}
			return &p, nil
		}, func(sku, code string) bool {
			return tx.Bucket(bLots).Get([]byte(sku+"/"+code)) != nil
		})
		if err != nil {
			return err
		}
		for _, l := range lines {
			need[l.SKU] += l.Qty
		}
		for sku, q := range need {
			if have := getStock(tx, sku); have < q {
				return fmt.Errorf("%w: %s has %d, sale needs %d", ErrOutOfStock, sku, have, q)
			}
		}
		pays, change, err := settle(total, req.Payments)
		if err != nil {
			return err
		}
		now := s.now()
		shiftID, err := s.ensureShift(tx, now)
		if err != nil {
			return err
		}
		sale = Sale{
			ID: NewID(now), Kind: KindSale, KioskID: s.kioskID, ShiftID: shiftID, Till: req.Till,
			Time: now, Lines: lines, Total: total, VAT: vat, Payments: pays, Change: change,
			Status: StatusCompleted, Note: req.Note,
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
			if err := putJSON(tx.Bucket(bIdem), []byte(idemKey), idemRecord{Hash: hash, SaleID: sale.ID, Time: now}); err != nil {
				return err
			}
		}
		return nil
	})
	return sale, replayed, err
}

// writeRecord numbers rec and writes it with its indexes, outbox record and print
// job. Every error it returns aborts the transaction.
func (s *Store) writeRecord(tx *bolt.Tx, rec *Sale) error {
	rb, err := tx.Bucket(bReceipts).CreateBucketIfNotExists([]byte(s.kioskID))
	if err != nil {
		return abortTx{err}
	}
	seq, err := rb.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	rec.Seq = seq
	rec.ReceiptNo = ReceiptNo(s.kioskID, seq)
	if err := putJSON(tx.Bucket(bSales), []byte(rec.ID), rec); err != nil {
		return err
	}
	tk := make([]byte, 16)
	binary.BigEndian.PutUint64(tk, uint64(rec.Time.UnixNano()))
	binary.BigEndian.PutUint64(tk[8:], seq)
	if err := tx.Bucket(bSalesTime).Put(tk, []byte(rec.ID)); err != nil {
		return abortTx{err}
	}
	if err := tx.Bucket(bSalesSeq).Put(u64(seq), []byte(rec.ID)); err != nil {
		return abortTx{err}
	}
	if rec.Original != "" {
		if err := tx.Bucket(bUndo).Put([]byte(rec.Original+"|"+rec.ID), nil); err != nil {
			return abortTx{err}
		}
	}
	ob := tx.Bucket(bOutbox)
	on, err := ob.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	if err := putJSON(ob, u64(on), OutboxRecord{Seq: on, SaleID: rec.ID, Time: rec.Time, Sale: *rec}); err != nil {
		return err
	}
	pb := tx.Bucket(bPrintJobs)
	pn, err := pb.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	if err := tx.Bucket(bPrintWait).Put(u64(pn), nil); err != nil {
		return abortTx{err}
	}
	return putJSON(pb, u64(pn), PrintJob{ID: pn, SaleID: rec.ID, Doc: "receipt", Printer: "receipt", State: JobPending, Created: rec.Time})
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

// SalesSince returns up to limit records made at or after since, oldest first.
func (s *Store) SalesSince(since time.Time, limit int) ([]Sale, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []Sale{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSalesTime).Cursor()
		start := make([]byte, 8)
		if !since.IsZero() && since.UnixNano() > 0 {
			binary.BigEndian.PutUint64(start, uint64(since.UnixNano()))
		}
		for k, v := c.Seek(start); k != nil && len(out) < limit; k, v = c.Next() {
			sl, err := readSale(tx, string(v))
			if err != nil {
				return err
			}
			out = append(out, sl)
		}
		return nil
	})
	return out, err
}

// SalesAfter returns up to limit records with a receipt sequence above seq, in
// receipt order: a cursor that never skips or repeats a record.
func (s *Store) SalesAfter(seq uint64, limit int) ([]Sale, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []Sale{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSalesSeq).Cursor()
		for k, v := c.Seek(u64(seq + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			sl, err := readSale(tx, string(v))
			if err != nil {
				return err
			}
			out = append(out, sl)
		}
		return nil
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
			Time: now, Total: -orig.Total, Change: 0, Status: StatusCompleted, Original: orig.ID, Reason: reason}
		for _, l := range orig.Lines {
			l.Qty, l.Total, l.VAT = -l.Qty, -l.Total, -l.VAT
			rec.Lines = append(rec.Lines, l)
		}
		rec.VAT = vatBreakdown(rec.Lines)
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
		if orig.Kind != KindSale {
			return fmt.Errorf("%w: %s is a %s", ErrNotVoidable, orig.ReceiptNo, orig.Kind)
		}
		if orig.Status == StatusVoided || orig.Status == StatusRefunded {
			return fmt.Errorf("%w: %s is %s", ErrAlreadyVoided, orig.ReceiptNo, orig.Status)
		}
		// What is left to refund per line of the original.
		left := make([]int64, len(orig.Lines))
		for i, l := range orig.Lines {
			left[i] = l.Qty
		}
		for _, uid := range orig.UndoneBy {
			var u Sale
			if _, err := getJSON(tx.Bucket(bSales), []byte(uid), &u); err != nil {
				return err
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
			}
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
			if w.Qty <= 0 || w.Qty > MaxQty {
				return fmt.Errorf("%w: refund of %s qty %d", ErrBadQuantity, w.SKU, w.Qty)
			}
			take := w.Qty
			for i, l := range orig.Lines {
				if take == 0 {
					break
				}
				if l.SKU != w.SKU || (w.Lot != "" && l.Lot != w.Lot) || left[i] == 0 {
					continue
				}
				n := min(take, left[i])
				left[i] -= n
				take -= n
				l.Qty = -n
				l.Total = -(l.Price * Money(n))
				l.VAT = -VATContained(-l.Total, l.VATRate)
				lines = append(lines, l)
			}
			if take > 0 {
				return fmt.Errorf("%w: %s: %d more than is left to refund", ErrRefundTooLarge, w.SKU, take)
			}
		}
		if len(lines) == 0 {
			return fmt.Errorf("%w: nothing left to refund", ErrRefundTooLarge)
		}
		var total Money
		for _, l := range lines {
			total += l.Total
		}
		now := s.now()
		shiftID, err := s.ensureShift(tx, now)
		if err != nil {
			return err
		}
		rec = Sale{ID: NewID(now), Kind: KindRefund, KioskID: s.kioskID, ShiftID: shiftID, Till: orig.Till,
			Time: now, Lines: lines, Total: total, VAT: vatBreakdown(lines), Status: StatusCompleted,
			Payments: []Payment{{Method: method, Amount: total}}, Original: orig.ID, Reason: rr.Reason}
		if rr.Restock == nil || *rr.Restock {
			if err := restock(tx, lines); err != nil {
				return err
			}
		}
		return s.writeRecord(tx, &rec)
	})
	return rec, err
}

// restock puts back the (negative) quantities of undo lines.
func restock(tx *bolt.Tx, lines []Line) error {
	for _, l := range lines {
		if tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil {
			continue // product since removed from the catalog
		}
		if err := putStock(tx, l.SKU, getStock(tx, l.SKU)-l.Qty); err != nil {
			return err
		}
	}
	return nil
}

// ---- outbox ----

// Outbox returns up to limit outbox records after seq, in order.
func (s *Store) Outbox(after uint64, limit int) ([]OutboxRecord, error) {
	var out []OutboxRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bOutbox).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var r OutboxRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// TrimOutbox removes the outbox records up to and including seq: the hub has
// acknowledged them. It returns how many went.
func (s *Store) TrimOutbox(seq uint64) (int, error) {
	n := 0
	err := s.commit(func(tx *bolt.Tx) error {
		n = 0
		c := tx.Bucket(bOutbox).Cursor()
		var keys [][]byte
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= seq; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for _, k := range keys {
			if err := tx.Bucket(bOutbox).Delete(k); err != nil {
				return abortTx{err}
			}
			n++
		}
		if v := tx.Bucket(bMeta).Get(kAcked); len(v) == 8 && binary.BigEndian.Uint64(v) >= seq {
			return nil // never move the acknowledgement back
		}
		if err := tx.Bucket(bMeta).Put(kAcked, u64(seq)); err != nil {
			return abortTx{err}
		}
		return nil
	})
	return n, err
}

// Acked is the highest outbox sequence the hub has acknowledged.
func (s *Store) Acked() (uint64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(kAcked); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return n, err
}

// OutboxDepth is the number of records not yet acknowledged upstream.
func (s *Store) OutboxDepth() (int, error) {
	var n int
	err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bOutbox).Stats().KeyN; return nil })
	return n, err
}

// TrimIdempotency forgets idempotency keys older than age, so the bucket stays small.
func (s *Store) TrimIdempotency(age time.Duration) (int, error) {
	cut := s.now().Add(-age)
	n := 0
	err := s.commit(func(tx *bolt.Tx) error {
		n = 0
		b := tx.Bucket(bIdem)
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var r idemRecord
			if json.Unmarshal(v, &r) == nil && r.Time.Before(cut) {
				old = append(old, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			if err := b.Delete(k); err != nil {
				return abortTx{err}
			}
			n++
		}
		return nil
	})
	return n, err
}
