package pos

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// A serialised label or stamp names one item: its Digital Link ends in
// /10/{lot}/21/{serial}. When the till scans one, the sale's line of that lot
// carries the serial, and the sale is the item's retail_selling event in
// EPCIS. A serial sells once: the store keeps every serial a standing sale
// sold, and a sale naming one again is refused. A void gives back every
// serial of its sale. A refund gives back the serials it names (the stamps on
// the goods brought back) and, for units it does not name, serials still out
// in the order the till scanned them: after the line's unlabelled units when
// it names some, before them when it names none (so a sale refunded whole
// frees them all). A serial given back may be sold again.

// Errors of a line's serials, each with its own code at the kiosk.
var (
	// ErrTooManySerials is a line naming more serials than its quantity, a
	// serial named twice in one sale, or serials on a line that cannot have
	// them (no lot, sold by weight).
	ErrTooManySerials = errors.New("serials do not fit the line")
	// ErrUnknownSerial is a serial this kiosk never issued for any lot of
	// the product.
	ErrUnknownSerial = errors.New("serial not issued by this kiosk")
	// ErrSerialOtherLot is a serial issued for another lot of the product
	// than the line's.
	ErrSerialOtherLot = errors.New("serial issued for another lot")
	// ErrSerialSold is a serial a sale that still stands sold already.
	ErrSerialSold = errors.New("serial already sold")
)

// MaxSerialLen bounds a serial (GS1 AI 21 holds up to 20 characters).
const MaxSerialLen = 20

// bSoldSerials holds the serials standing sales sold: sku NUL lot NUL serial
// → the sale's id. (A lot code may hold a slash; it never holds NUL.)
var bSoldSerials = []byte("sold_serials")

func soldKey(sku, lot, serial string) []byte {
	return []byte(sku + "\x00" + lot + "\x00" + serial)
}

// checkRequestSerials checks what a cart's line says of its serials before
// anything is priced: a lot to name them in, no more than its quantity, each
// well formed and named once in the whole cart (seen).
func checkRequestSerials(i int, rl LineRequest, byWeight bool, seen map[string]bool) error {
	if len(rl.Serials) == 0 {
		return nil
	}
	switch {
	case rl.Lot == "":
		return fmt.Errorf("%w: line %d (%s): serials are named within a lot; the line has none", ErrTooManySerials, i+1, rl.SKU)
	case byWeight:
		return fmt.Errorf("%w: line %d (%s) is sold by weight and carries no serials", ErrTooManySerials, i+1, rl.SKU)
	case int64(len(rl.Serials)) > rl.Qty:
		return fmt.Errorf("%w: line %d (%s): %d serials for %d units", ErrTooManySerials, i+1, rl.SKU, len(rl.Serials), rl.Qty)
	}
	for _, s := range rl.Serials {
		if len(s) < 1 || len(s) > MaxSerialLen {
			return fmt.Errorf("%w: line %d (%s): serial %q: 1 to %d characters", ErrUnknownSerial, i+1, rl.SKU, s, MaxSerialLen)
		}
		k := string(soldKey(rl.SKU, rl.Lot, s))
		if seen[k] {
			return fmt.Errorf("%w: line %d (%s): serial %s of lot %s is named twice", ErrTooManySerials, i+1, rl.SKU, s, rl.Lot)
		}
		seen[k] = true
	}
	return nil
}

// splitSerials hands a request line's serials to the priced lines made of
// it: the paid line first, as many as its units, the free units the rest.
func splitSerials(serials []string, paidQty int64) (paid, free []string) {
	n := min(int64(len(serials)), max(paidQty, 0))
	if n > 0 {
		paid = serials[:n:n]
	}
	if int(n) < len(serials) {
		free = serials[n:]
	}
	return paid, free
}

// checkSerial tells whether one serial of a lot may be sold now: issued for
// that lot (by labels or stamps) and not sold by a sale that stands.
func checkSerial(tx *bolt.Tx, sku, lot, serial string) error {
	if !serialIssued(tx, sku, lot, serial) {
		if other := serialLotOf(tx, sku, lot, serial); other != "" {
			return fmt.Errorf("%w: serial %s of %s was issued for lot %s, not lot %s", ErrSerialOtherLot, serial, sku, other, lot)
		}
		return fmt.Errorf("%w: serial %s of lot %s of %s", ErrUnknownSerial, serial, lot, sku)
	}
	if b := tx.Bucket(bSoldSerials); b != nil {
		if id := b.Get(soldKey(sku, lot, serial)); id != nil {
			var sl Sale
			if ok, _ := getJSON(tx.Bucket(bSales), id, &sl); ok {
				return fmt.Errorf("%w: serial %s of lot %s of %s, on receipt %s", ErrSerialSold, serial, lot, sku, sl.ReceiptNo)
			}
			return fmt.Errorf("%w: serial %s of lot %s of %s", ErrSerialSold, serial, lot, sku)
		}
	}
	return nil
}

// serialLotOf is another lot of sku this store issued serial for, "" for none.
func serialLotOf(tx *bolt.Tx, sku, lot, serial string) string {
	root := tx.Bucket(bSerials)
	if root == nil {
		return ""
	}
	prefix := []byte(sku + "/")
	c := root.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if other := string(k[len(prefix):]); other != lot && serialIssued(tx, sku, other, serial) {
			return other
		}
	}
	return ""
}

// checkSaleSerials checks every serial of a sale's priced lines.
func checkSaleSerials(tx *bolt.Tx, lines []Line) error {
	for _, l := range lines {
		for _, s := range l.Serials {
			if err := checkSerial(tx, l.SKU, l.Lot, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// markSerials keeps the sold serials in step with a committed record: a sale
// takes its serials, a void or refund gives back those of its lines.
func markSerials(tx *bolt.Tx, rec *Sale) error {
	b := tx.Bucket(bSoldSerials)
	for _, l := range rec.Lines {
		for _, s := range l.Serials {
			k := soldKey(l.SKU, l.Lot, s)
			var err error
			if rec.Kind == KindSale {
				err = b.Put(k, []byte(rec.ID))
			} else if bytes.Equal(b.Get(k), []byte(rec.Original)) {
				err = b.Delete(k)
			}
			if err != nil {
				return abortTx{err}
			}
		}
	}
	return nil
}

// CheckSerial tells whether one serial of a lot may be sold now (the till
// asks when a label is scanned; the sale checks again when it commits): nil,
// or ErrUnknownSerial, ErrSerialOtherLot or ErrSerialSold.
func (s *Store) CheckSerial(sku, lot, serial string) error {
	return s.db.View(func(tx *bolt.Tx) error { return checkSerial(tx, sku, lot, serial) })
}

// SerialSale is the id of the standing sale that sold a serial, "" when none.
func (s *Store) SerialSale(sku, lot, serial string) (string, error) {
	var id string
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bSoldSerials); b != nil {
			id = string(b.Get(soldKey(sku, lot, serial)))
		}
		return nil
	})
	return id, err
}

// refundSerials checks the serials refund line w names against the sale orig:
// each must be a serial of one of its lines w matches that is still out
// (absent from back, the serials earlier refunds gave back, each with that
// refund's receipt). It answers the named serials per line of orig.
func refundSerials(orig Sale, w LineRequest, out [][]string, back map[string]string, matches func(Line) bool) ([][]string, error) {
	named := make([][]string, len(orig.Lines))
	if len(w.Serials) == 0 {
		return named, nil
	}
	if int64(len(w.Serials)) > w.Qty {
		return nil, fmt.Errorf("%w: refund of %s names %d serials for %d %s", ErrTooManySerials, w.SKU, len(w.Serials), w.Qty, units(w.Qty))
	}
	seen := make(map[string]bool, len(w.Serials))
	for _, n := range w.Serials {
		if len(n) < 1 || len(n) > MaxSerialLen {
			return nil, fmt.Errorf("%w: refund of %s: serial %q: 1 to %d characters", ErrUnknownSerial, w.SKU, n, MaxSerialLen)
		}
		if seen[n] {
			return nil, fmt.Errorf("%w: refund of %s: serial %s is named twice", ErrTooManySerials, w.SKU, n)
		}
		seen[n] = true
		found := false
		for i, l := range orig.Lines {
			if matches(l) && slices.Contains(out[i], n) {
				named[i] = append(named[i], n)
				found = true
				break
			}
		}
		if found {
			continue
		}
		for _, l := range orig.Lines {
			if r, ok := back[string(soldKey(l.SKU, l.Lot, n))]; ok && matches(l) {
				return nil, fmt.Errorf("%w: serial %s of lot %s of %s came back with refund %s", ErrRefundTooLarge, n, l.Lot, l.SKU, r)
			}
		}
		where := w.SKU
		if w.Lot != "" {
			where += ", lot " + w.Lot
		}
		return nil, fmt.Errorf("%w: serial %s is not on receipt %s (%s)", ErrUnknownSerial, n, orig.ReceiptNo, where)
	}
	return named, nil
}

// serialsBack are the serials that giving back n units of a sold line returns:
// those named, then for the other units serials still out (out, in the order
// they were scanned) — after the line's unlabelled units when serials were
// named (the labelled units not named stay with the customer), before them
// when none were (so a sale given back whole frees every serial). left is how
// many units of the line were not given back before.
func serialsBack(out, named []string, left, n int64, someNamed bool) []string {
	rest := slices.DeleteFunc(slices.Clone(out), func(x string) bool { return slices.Contains(named, x) })
	extra := n - int64(len(named))
	k := min(extra, int64(len(rest)))
	if someNamed {
		unlabelled := max(left-int64(len(out)), 0)
		k = min(max(extra-unlabelled, 0), int64(len(rest)))
	}
	got := append(slices.Clone(named), rest[:k]...)
	if len(got) == 0 {
		return nil
	}
	return got
}

func units(n int64) string {
	if n == 1 {
		return "unit"
	}
	return "units"
}
