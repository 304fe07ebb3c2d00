package pos

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A serialised label or stamp names one item: its Digital Link ends in
// /10/{lot}/21/{serial}. When the till scans one, the sale's line of that lot
// carries the serial, and the sale is the item's retail_selling event in
// EPCIS. A serial sells once: the store keeps every serial a standing sale
// sold, and a sale naming one again is refused. A void gives back every
// serial of its sale; a refund gives back the serials of the units it
// returns, taken in the order the till scanned them (the units of a line are
// its serialised ones first, then the rest), so a sale refunded whole frees
// them all. A serial given back may be sold again.

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

// serialsGivenBack are the serials of sold line l that giving back n units,
// after done given back before, returns: the serialised units go first.
func serialsGivenBack(l Line, done, n int64) []string {
	from, to := min(done, int64(len(l.Serials))), min(done+n, int64(len(l.Serials)))
	if from >= to {
		return nil
	}
	return l.Serials[from:to:to]
}
