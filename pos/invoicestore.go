package pos

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Where invoices are kept. The invoices themselves live inside their records;
// these buckets number them and find them:
//
//	invoice_series  nested per series "MST|form|symbol": its sequence is the
//	                last number issued, key "t" the last issue time (unix ns)
//	invoices_by_no  symbol|number(20 digits)|MST|form → record seq, index
//	invoices_by_issue  issue order (its own sequence) → record seq, index
//	invoice_states  key (Invoice.Key) → InvoiceState the hub sent down
//
// The MCCQT counter ("invoice_next") and the kiosk's block ("invoice_block")
// are in meta.
var (
	bInvSeries = []byte("invoice_series")
	bInvIndex  = []byte("invoices_by_no")
	bInvIssue  = []byte("invoices_by_issue")
	bInvStates = []byte("invoice_states")

	kInvBlock = []byte("invoice_block")
	kInvNext  = []byte("invoice_next")
)

// errNotYet marks a part of invoicing still being written.
var errNotYet = errors.New("not written yet")

// SetInvoicing sets the kiosk's invoicing at start. Zero settings turn it off.
// A block in the settings is kept in the store (the counter then runs through
// it); the rest lives in memory only, as the flags give it each start.
func (s *Store) SetInvoicing(st InvoiceSettings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	if !st.Block.IsZero() {
		if err := s.SetInvoiceBlock(st.Block); err != nil {
			return err
		}
	}
	s.invoicing.Store(&st)
	return nil
}

// Invoicing is the kiosk's invoicing (zero: off).
func (s *Store) Invoicing() InvoiceSettings {
	if p := s.invoicing.Load(); p != nil {
		return *p
	}
	return InvoiceSettings{}
}

// SetInvoiceBlock keeps the kiosk's block of the MCCQT counter (configured, or
// the hub's allocation). A new block starts the counter at its first number
// unless the counter already lies inside it; the same block again changes
// nothing.
func (s *Store) SetInvoiceBlock(b InvoiceBlock) error {
	if b.IsZero() || b.From > b.To || b.To > MaxMCCQT {
		return fmt.Errorf("%w: invoice block %s", ErrBadInvoiceSettings, b)
	}
	return s.commit(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if !b.Contains(invNext(m)) {
			if err := m.Put(kInvNext, u64(b.From)); err != nil {
				return abortTx{err}
			}
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

func invNext(m *bolt.Bucket) uint64 {
	if v := m.Get(kInvNext); len(v) == 8 {
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
		c = counterOf(b, invNext(m))
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

// Invoices lists invoices newest first, filtered by q, with the cursor of the
// next page ("" at the end). Each carries its delivery state.
func (s *Store) Invoices(q InvoiceQuery) ([]Invoice, string, error) {
	return nil, "", fmt.Errorf("invoices: %w", errNotYet)
}

// Invoice finds an invoice by symbol and number (ErrNotFound). Delegated
// producers' series share the kiosk's symbol: the booth's own invoice is
// returned first; InvoiceOf names the seller.
func (s *Store) Invoice(symbol string, number int64) (Invoice, error) {
	return Invoice{}, fmt.Errorf("invoice %s %d: %w", symbol, number, errNotYet)
}

// SetInvoiceStates records delivery states the hub sent down.
func (s *Store) SetInvoiceStates(states []InvoiceState) error {
	return fmt.Errorf("invoice states: %w", errNotYet)
}

var _ = json.Marshal
