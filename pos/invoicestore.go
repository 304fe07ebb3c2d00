package pos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Where invoices are kept. The invoices themselves live inside their records;
// these buckets number them and find them:
//
//	invoice_series  nested per series "MST|form|symbol": its sequence is the
//	                last number issued, key "t" the last issue time (unix ns);
//	                "last|"+MST the seller's last issue time, "next" the next
//	                number of the MCCQT counter, "day|YYYY-MM-DD" (Vietnam
//	                time) the day's counts: issued, delivered, refused,
//	                adjustments (4 × 8 bytes), kept as invoices are issued and
//	                states arrive. One small bucket, so a sale's invoice
//	                touches few pages.
//	invoices_by_no  symbol|number(20 digits)|MST|form → record seq, index;
//	                "key|"+Invoice.Key → the same (one bucket: fewer pages
//	                written a sale)
//	invoice_states  key (Invoice.Key) → InvoiceState the hub sent down
//
// The kiosk's block of the counter ("invoice_block") is in meta.
var (
	bInvSeries = []byte("invoice_series")
	bInvIndex  = []byte("invoices_by_no")
	bInvStates = []byte("invoice_states")

	kInvBlock = []byte("invoice_block")
	kInvNext  = []byte("next")
)

// SetInvoicing sets the kiosk's invoicing at start. Zero settings turn it off.
// A block in the settings is kept in the store (the counter then runs through
// it); the rest lives in memory only, as the flags give it each start.
func (s *Store) SetInvoicing(st InvoiceSettings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	if !st.Block.IsZero() {
		spent, err := s.blockSpent(st.Block)
		if err != nil {
			return err
		}
		// A configured block this store has used up does not take back the
		// place of the one the hub gave it since (the flag still names the
		// old block after the hub gave the next).
		if !spent {
			if err := s.SetInvoiceBlock(st.Block); err != nil {
				return err
			}
		}
	}
	s.invoicing.Store(&st)
	return nil
}

// blockSpent tells whether b is another block than the store's and every
// number of it is used already.
func (s *Store) blockSpent(b InvoiceBlock) (bool, error) {
	spent := false
	err := s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		cur, err := invBlock(m)
		if err != nil || cur.IsZero() || cur == b {
			return err
		}
		used, err := usedRanges(m)
		if err != nil {
			return err
		}
		spent = firstFree(b, used) > b.To
		return nil
	})
	return spent, err
}

// Invoicing is the kiosk's invoicing (zero: off).
func (s *Store) Invoicing() InvoiceSettings {
	if p := s.invoicing.Load(); p != nil {
		return *p
	}
	return InvoiceSettings{}
}

// SetInvoiceBlock keeps the kiosk's block of the MCCQT counter (configured, or
// the hub's allocation). A new block starts the counter after every number
// this store has used inside it (invoiceblocks.go), so a block given back
// later never issues a number twice; the same block again changes nothing.
func (s *Store) SetInvoiceBlock(b InvoiceBlock) error {
	if b.IsZero() || b.From > b.To || b.To > MaxMCCQT {
		return fmt.Errorf("%w: invoice block %s", ErrBadInvoiceSettings, b)
	}
	return s.commit(func(tx *bolt.Tx) error {
		series, m := tx.Bucket(bInvSeries), tx.Bucket(bMeta)
		cur, err := invBlock(m)
		if err != nil {
			return abortTx{err}
		}
		if cur == b {
			return nil
		}
		// The numbers used in the block left behind stay used (from its
		// start: a counter resumed inside it may have skipped some, which
		// are then never issued — never twice is what matters).
		used, err := usedRanges(m)
		if err != nil {
			return abortTx{err}
		}
		next := invNext(series)
		if !cur.IsZero() && next > cur.From {
			used = addUsed(used, cur.From, min(next-1, cur.To))
			if err := putUsed(m, used); err != nil {
				return abortTx{err}
			}
		}
		if err := series.Put(kInvNext, u64(firstFree(b, used))); err != nil {
			return abortTx{err}
		}
		return putJSON(m, kInvBlock, b)
	})
}

// InvoiceBlock is the kiosk's block of the MCCQT counter (zero: none yet).
func (s *Store) InvoiceBlock() (InvoiceBlock, error) {
	var b InvoiceBlock
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		b, err = invBlock(tx.Bucket(bMeta))
		return err
	})
	return b, err
}

func invBlock(m *bolt.Bucket) (InvoiceBlock, error) {
	var b InvoiceBlock
	if _, err := getJSON(m, kInvBlock, &b); err != nil {
		return b, fmt.Errorf("invoice block: %w", err)
	}
	return b, nil
}

// invNext is the next number of the MCCQT counter.
func invNext(series *bolt.Bucket) uint64 {
	if v := series.Get(kInvNext); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// InvoiceCounter says how much of the block is used and whether to warn.
func (s *Store) InvoiceCounter() (InvoiceCounter, error) {
	var c InvoiceCounter
	err := s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		b, err := invBlock(m)
		if err != nil {
			return err
		}
		c = counterOf(b, invNext(tx.Bucket(bInvSeries)))
		return nil
	})
	return c, err
}

// counterOf is the counter's state with next the next number to issue.
func counterOf(b InvoiceBlock, next uint64) InvoiceCounter {
	c := InvoiceCounter{Block: b, Next: next}
	if b.IsZero() {
		return c
	}
	switch {
	case next < b.From:
		c.Left = b.Size()
	case next > b.To:
		c.Used = b.Size()
	default:
		c.Used, c.Left = next-b.From, b.To-next+1
	}
	c.Warn = c.Left < 10_000 || c.Left < b.Size()/20
	return c
}

// Invoices lists invoices newest first (in issue order, which is the record
// sequence), filtered by q, with the cursor of the next page ("" at the
// end). Each carries its delivery state. The cursor names the last invoice
// listed: its record sequence and place in the record, "123.0".
func (s *Store) Invoices(q InvoiceQuery) ([]Invoice, string, error) {
	limit := pageLimit(q.Limit)
	var fromSeq uint64
	fromIdx := -1
	if q.Cursor != "" {
		seq, idx, ok := strings.Cut(q.Cursor, ".")
		n, err1 := strconv.ParseUint(seq, 10, 64)
		i, err2 := strconv.Atoi(idx)
		if !ok || err1 != nil || err2 != nil || n == 0 || i < 0 || i > 255 {
			return nil, "", fmt.Errorf("%w: invoice cursor %q", ErrBadInvoiceQuery, q.Cursor)
		}
		fromSeq, fromIdx = n, i
	}
	out := []Invoice{}
	next := ""
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSalesSeq).Cursor()
		k, id := c.Last()
		if fromSeq != 0 {
			if k, id = c.Seek(u64(fromSeq)); k == nil || binary.BigEndian.Uint64(k) != fromSeq {
				k, id = c.Prev() // that record is gone: start before where it was
				fromIdx = -1
			}
		}
		sales := tx.Bucket(bSales)
		for ; k != nil; k, id = c.Prev() {
			var rec Sale
			if _, err := getJSON(sales, id, &rec); err != nil {
				return fmt.Errorf("record %s: %w", id, err)
			}
			seq := binary.BigEndian.Uint64(k)
			i := len(rec.Invoices) - 1
			if seq == fromSeq && fromIdx >= 0 {
				i = min(i, fromIdx-1)
			}
			for ; i >= 0; i-- {
				inv := rec.Invoices[i]
				if q.Symbol != "" && inv.Symbol != q.Symbol {
					continue
				}
				if !q.Day.IsZero() && DateOf(inv.Issued.In(VietnamTime)) != q.Day {
					continue
				}
				if len(out) == limit {
					return nil
				}
				out = append(out, withState(tx, inv))
				next = fmt.Sprintf("%d.%d", seq, i)
			}
		}
		next = "" // the list ran out
		return nil
	})
	return out, next, err
}

// invoiceAt reads the invoice an index value points at.
func invoiceAt(tx *bolt.Tx, ref []byte) (Invoice, error) {
	if len(ref) != 9 {
		return Invoice{}, fmt.Errorf("invoice index: bad entry")
	}
	seq := binary.BigEndian.Uint64(ref)
	id := tx.Bucket(bSalesSeq).Get(u64(seq))
	if id == nil {
		return Invoice{}, fmt.Errorf("invoice index: record %d is missing", seq)
	}
	var rec Sale
	if _, err := getJSON(tx.Bucket(bSales), id, &rec); err != nil {
		return Invoice{}, fmt.Errorf("record %s: %w", id, err)
	}
	if int(ref[8]) >= len(rec.Invoices) {
		return Invoice{}, fmt.Errorf("invoice index: record %s has no invoice %d", id, ref[8])
	}
	return rec.Invoices[ref[8]], nil
}

// withState adds the delivery state the hub last sent (issued until then).
func withState(tx *bolt.Tx, inv Invoice) Invoice {
	inv.State = InvoiceIssued
	var st InvoiceState
	if ok, err := getJSON(tx.Bucket(bInvStates), []byte(inv.Key()), &st); ok && err == nil {
		inv.State, inv.StateReason = st.State, st.Reason
	}
	return inv
}

// Invoice finds an invoice by symbol and number (ErrNotFound). Delegated
// producers' series share the kiosk's symbol, so a number may name one
// invoice of the booth and one of each such producer: the booth's comes
// first. InvoiceOf names the seller.
func (s *Store) Invoice(symbol string, number int64) (Invoice, error) {
	return s.InvoiceOf("", symbol, number)
}

// InvoiceOf finds the invoice of the seller with taxCode ("" the booth's, or
// else the first) by symbol and number.
func (s *Store) InvoiceOf(taxCode, symbol string, number int64) (Invoice, error) {
	want := taxCode
	if want == "" {
		want = s.Invoicing().Seller.TaxCode
	}
	var inv Invoice
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := fmt.Appendf(nil, "%s|%020d|", symbol, number)
		c := tx.Bucket(bInvIndex).Cursor()
		var ref []byte
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if bytes.HasPrefix(k[len(prefix):], []byte(want+"|")) {
				ref = v
				break
			}
			if ref == nil && taxCode == "" {
				ref = v // no invoice of the booth: the first seller's
			}
		}
		if ref == nil {
			return fmt.Errorf("%w: invoice %s number %d", ErrNotFound, symbol, number)
		}
		var err error
		inv, err = invoiceAt(tx, ref)
		inv = withState(tx, inv)
		return err
	})
	return inv, err
}

// SetInvoiceStates records delivery states the hub sent down. A state older
// than the one kept for the same invoice is ignored. A bad entry refuses the
// whole list, and nothing is written.
func (s *Store) SetInvoiceStates(states []InvoiceState) error {
	for i, st := range states {
		switch {
		case st.Key == "" || len(st.Key) > 40:
			return fmt.Errorf("%w: invoice state %d: key %q", ErrBadInvoiceState, i+1, st.Key)
		case st.State != InvoiceIssued && st.State != InvoiceDelivered && st.State != InvoiceRefused:
			return fmt.Errorf("%w: invoice state %d: state %q, want issued, delivered or refused", ErrBadInvoiceState, i+1, st.State)
		case len(st.Reason) > 1000:
			return fmt.Errorf("%w: invoice state %d: reason longer than 1000 bytes", ErrBadInvoiceState, i+1)
		}
	}
	return s.commit(func(tx *bolt.Tx) error {
		b := tx.Bucket(bInvStates)
		for _, st := range states {
			old := InvoiceState{State: InvoiceIssued}
			if ok, _ := getJSON(b, []byte(st.Key), &old); ok && st.At.Before(old.At) {
				continue
			}
			if err := putJSON(b, []byte(st.Key), st); err != nil {
				return err
			}
			// The day's counts follow the state, for an invoice this store holds.
			ref := tx.Bucket(bInvIndex).Get(keyIndexKey(st.Key))
			if ref == nil || old.State == st.State {
				continue
			}
			inv, err := invoiceAt(tx, ref)
			if err != nil {
				return abortTx{err}
			}
			d := make([]int64, 4)
			d[stateSlot(old.State)]--
			d[stateSlot(st.State)]++
			d[0] = 0 // issued counts every invoice, whatever its state
			if err := addInts(tx.Bucket(bInvSeries), dayKey(inv), d...); err != nil {
				return err
			}
		}
		return nil
	})
}

// stateSlot is where a state counts in a day's counts (issued: nowhere more).
func stateSlot(state string) int {
	switch state {
	case InvoiceDelivered:
		return 1
	case InvoiceRefused:
		return 2
	}
	return 0
}

// dayKey is where a day's counts are kept.
func dayKey(inv Invoice) []byte {
	return []byte("day|" + inv.Issued.In(VietnamTime).Format("2006-01-02"))
}

// InvoiceDay is one day's invoices (Vietnam time): issued (all of them,
// adjustments included), delivered and refused as the hub last said, and
// adjustments among the issued.
type InvoiceDay struct {
	Day         Date `json:"day"`
	Issued      int  `json:"issued"`
	Delivered   int  `json:"delivered"`
	Refused     int  `json:"refused"`
	Adjustments int  `json:"adjustments"`
}

// InvoiceDays counts the invoices of each day from from to to (both
// included; zero: open), oldest first, from counts kept as invoices are
// issued and their states arrive: no invoice is read.
func (s *Store) InvoiceDays(from, to Date) ([]InvoiceDay, error) {
	out := []InvoiceDay{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bInvSeries).Cursor()
		prefix := []byte("day|")
		start := prefix
		if !from.IsZero() {
			start = []byte("day|" + from.String())
		}
		for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !to.IsZero() && string(k[len(prefix):]) > to.String() {
				break
			}
			d, err := ParseDate(string(k[len(prefix):]))
			if err != nil || len(v) != 32 {
				return fmt.Errorf("invoice days: bad entry %q", k)
			}
			n := func(i int) int { return int(int64(binary.BigEndian.Uint64(v[8*i:]))) }
			out = append(out, InvoiceDay{Day: d, Issued: n(0), Delivered: n(1), Refused: n(2), Adjustments: n(3)})
		}
		return nil
	})
	return out, err
}

// Errors of the invoice store's callers.
var (
	// ErrBadInvoiceState is a delivery state of the wrong shape.
	ErrBadInvoiceState = errors.New("bad invoice state")
	// ErrBadInvoiceQuery is a listing's cursor or filter of the wrong shape.
	ErrBadInvoiceQuery = errors.New("bad invoice query")
)

// InvoiceByKey finds an invoice by its provider key (Invoice.Key), with its
// state (ErrNotFound).
func (s *Store) InvoiceByKey(key string) (Invoice, error) {
	var inv Invoice
	err := s.db.View(func(tx *bolt.Tx) error {
		ref := tx.Bucket(bInvIndex).Get(keyIndexKey(key))
		if ref == nil {
			return fmt.Errorf("%w: invoice %q", ErrNotFound, key)
		}
		var err error
		inv, err = invoiceAt(tx, ref)
		inv = withState(tx, inv)
		return err
	})
	return inv, err
}
