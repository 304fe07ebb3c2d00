package pos

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Shift is a period of selling on one kiosk, from opening with a cash float to
// closing with a counted cash amount.
type Shift struct {
	ID       string     `json:"id"`
	KioskID  string     `json:"kiosk_id"`
	OpenedAt time.Time  `json:"opened_at"`
	OpenedBy string     `json:"opened_by,omitempty"`
	Float    Money      `json:"float"`
	Auto     bool       `json:"auto,omitempty"` // opened by the first sale, with no float
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	Counted  Money      `json:"counted,omitempty"`
	ClosedBy string     `json:"closed_by,omitempty"`
	// FromSeq and ToSeq bound the record sequence numbers of the shift (its
	// report is kept as running totals, see shifttotals.go).
	FromSeq uint64 `json:"from_seq"`
	ToSeq   uint64 `json:"to_seq,omitempty"`
	// Recovered marks a shift known only from records recovered from the hub
	// (sold on a store that was lost): its cash count is not known here.
	Recovered bool `json:"recovered,omitempty"`
}

// lastSeq is the sequence number of the store's newest record.
func lastSeq(tx *bolt.Tx) uint64 { return tx.Bucket(bSalesSeq).Sequence() }

// Open reports whether the shift has not been closed.
func (s Shift) Open() bool { return s.ClosedAt == nil }

// MaxFloat bounds an opening float or a counted cash amount.
const MaxFloat Money = 10_000_000_000

// ShiftID formats a shift's id: K01-S0007.
func ShiftID(kiosk string, n uint64) string { return fmt.Sprintf("%s-S%04d", kiosk, n) }

func (s *Store) newShift(tx *bolt.Tx, now time.Time, float Money, by string, auto bool) (Shift, error) {
	b := tx.Bucket(bShifts)
	n, err := b.NextSequence()
	if err != nil {
		return Shift{}, abortTx{err}
	}
	sh := Shift{ID: ShiftID(s.kioskID, n), KioskID: s.kioskID, OpenedAt: now, OpenedBy: by, Float: float, Auto: auto,
		FromSeq: lastSeq(tx) + 1}
	if err := putJSON(b, []byte(sh.ID), sh); err != nil {
		return Shift{}, err
	}
	if err := tx.Bucket(bMeta).Put(kCurrentShift, []byte(sh.ID)); err != nil {
		return Shift{}, abortTx{err}
	}
	return sh, nil
}

// ensureShift returns the open shift's id, opening one with no float when the
// vendor starts selling without opening a shift. Any error aborts the transaction.
func (s *Store) ensureShift(tx *bolt.Tx, now time.Time) (string, error) {
	if id := tx.Bucket(bMeta).Get(kCurrentShift); len(id) > 0 {
		return string(id), nil
	}
	sh, err := s.newShift(tx, now, 0, "", true)
	if err != nil {
		return "", abortTx{err}
	}
	return sh.ID, nil
}

// OpenShift opens a shift with a cash float.
func (s *Store) OpenShift(float Money, by string) (Shift, error) {
	if float < 0 || float > MaxFloat {
		return Shift{}, fmt.Errorf("%w: float %d", ErrBadAmount, float)
	}
	var sh Shift
	err := s.commit(func(tx *bolt.Tx) error {
		if id := tx.Bucket(bMeta).Get(kCurrentShift); len(id) > 0 {
			return fmt.Errorf("%w: %s (close it first)", ErrShiftOpen, id)
		}
		var err error
		sh, err = s.newShift(tx, s.now(), float, by, false)
		return err
	})
	return sh, err
}

// CurrentShift returns the open shift, or ErrNoOpenShift.
func (s *Store) CurrentShift() (Shift, error) {
	var sh Shift
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bMeta).Get(kCurrentShift)
		if len(id) == 0 {
			return ErrNoOpenShift
		}
		_, err := getJSON(tx.Bucket(bShifts), id, &sh)
		return err
	})
	return sh, err
}

// Shift returns a shift by id.
func (s *Store) Shift(id string) (Shift, error) {
	var sh Shift
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bShifts), []byte(id), &sh)
		if err == nil && !ok {
			err = fmt.Errorf("%w: shift %q", ErrNotFound, id)
		}
		return err
	})
	return sh, err
}

// Shifts returns every shift, oldest first.
func (s *Store) Shifts() ([]Shift, error) {
	return listJSON[Shift](s, bShifts, nil)
}

// CloseShift closes shift id (the open one when id is empty) with the cash counted
// in the drawer, queues its Z-report on the receipt printer in the same
// transaction, and returns the report.
func (s *Store) CloseShift(id string, counted Money, by string) (ZReport, error) {
	if counted < 0 || counted > MaxFloat {
		return ZReport{}, fmt.Errorf("%w: counted cash %d", ErrBadAmount, counted)
	}
	var z ZReport
	err := s.commit(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bMeta).Get(kCurrentShift)
		if id == "" {
			if len(cur) == 0 {
				return ErrNoOpenShift
			}
			id = string(cur)
		}
		var sh Shift
		ok, err := getJSON(tx.Bucket(bShifts), []byte(id), &sh)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: shift %q", ErrNotFound, id)
		}
		if !sh.Open() {
			return fmt.Errorf("%w: %s closed at %s", ErrShiftClosed, sh.ID, sh.ClosedAt.Format(time.RFC3339))
		}
		now := s.now()
		sh.ClosedAt, sh.Counted, sh.ClosedBy, sh.ToSeq = &now, counted, by, lastSeq(tx)
		z, err = zReport(tx, sh)
		if err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bShifts), []byte(sh.ID), sh); err != nil {
			return err
		}
		// The Z-report is printed from the same transaction that closes the shift:
		// a crash cannot leave a closed shift without its report.
		if _, err := queuePrintJob(tx, PrintJob{Doc: "zreport", Printer: "receipt", Ref: sh.ID, Created: now}); err != nil {
			return err
		}
		if string(cur) == sh.ID {
			if err := tx.Bucket(bMeta).Delete(kCurrentShift); err != nil {
				return abortTx{err}
			}
		}
		return nil
	})
	return z, err
}

// CashierTotal is one cashier's part of a shift.
type CashierTotal struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Sales int64  `json:"sales"`
	Net   Money  `json:"net"`
	Cash  Money  `json:"cash"`
}

// ZReport summarises a shift: what was sold, how it was paid, the VAT in it, what
// each producer is owed, the cashiers' parts, and the cash that should be in the
// drawer.
type ZReport struct {
	Shift        Shift            `json:"shift"`
	Sales        int              `json:"sales"`
	Voids        int              `json:"voids"`
	Refunds      int              `json:"refunds"`
	FirstReceipt string           `json:"first_receipt,omitempty"`
	LastReceipt  string           `json:"last_receipt,omitempty"`
	Gross        Money            `json:"gross"`        // completed sales
	VoidTotal    Money            `json:"void_total"`   // negative
	RefundTotal  Money            `json:"refund_total"` // negative
	Net          Money            `json:"net"`          // gross + voids + refunds
	ByMethod     map[string]Money `json:"by_method"`    // net per payment method
	ByVAT        []VATLine        `json:"by_vat"`       // net per VAT rate
	ByProducer   []ProducerTotal  `json:"by_producer"`  // net per producer
	// ByCashier is each cashier's sales in the shift: how many, their net
	// (less the voids and refunds of them) and the cash of it.
	ByCashier []CashierTotal   `json:"by_cashier,omitempty"`
	Units     map[string]int64 `json:"units,omitempty"` // net units per SKU sold by the unit
	Grams     map[string]int64 `json:"grams,omitempty"` // net grams per SKU sold by weight
	// Discounts is the manual discounts given (lines and sales, net of
	// voids and refunds), DiscountsByReason the same by the reason given;
	// PromotionsSaved and ByPromotion what promotions saved customers, free
	// units at their catalog price included.
	Discounts         Money            `json:"discounts"`
	DiscountsByReason []DiscountTotal  `json:"discounts_by_reason,omitempty"`
	PromotionsSaved   Money            `json:"promotions_saved"`
	ByPromotion       []PromotionTotal `json:"by_promotion,omitempty"`
	ExpectedCash      Money            `json:"expected_cash"` // float + net cash
	CountedCash       Money            `json:"counted_cash"`
	CashDifference    Money            `json:"cash_difference"` // counted - expected
	Closed            bool             `json:"closed"`
	// Invoices is the invoices the shift issued, Adjustments how many of
	// them adjust an earlier one (a void or refund).
	Invoices    int `json:"invoices,omitempty"`
	Adjustments int `json:"invoice_adjustments,omitempty"`
}

// DiscountTotal is the manual discounts of a shift given for one reason: how
// many (a void takes one back) and how much.
type DiscountTotal struct {
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
	Amount Money  `json:"amount"`
}

// PromotionTotal is what one promotion did in a shift: the lines it applied
// to (a void takes them back) and what it saved customers.
type PromotionTotal struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Lines int64  `json:"lines"`
	Saved Money  `json:"saved"`
}

// ProducerTotal is what a producer's goods brought in during a shift.
type ProducerTotal struct {
	ProducerID string `json:"producer_id"`
	Units      int64  `json:"units"`
	Net        Money  `json:"net"`
	VAT        Money  `json:"vat"`
}

// ShiftReport builds the Z-report of a shift, open (an X-report) or closed.
func (s *Store) ShiftReport(id string) (ZReport, error) {
	var z ZReport
	err := s.db.View(func(tx *bolt.Tx) error {
		if id == "" {
			cur := tx.Bucket(bMeta).Get(kCurrentShift)
			if len(cur) == 0 {
				return ErrNoOpenShift
			}
			id = string(cur)
		}
		var sh Shift
		ok, err := getJSON(tx.Bucket(bShifts), []byte(id), &sh)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: shift %q", ErrNotFound, id)
		}
		z, err = zReport(tx, sh)
		return err
	})
	return z, err
}
