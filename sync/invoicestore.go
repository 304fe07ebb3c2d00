package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// The hub's side of the kiosks' invoices. Each record's invoices join, in the
// record's own ingest transaction, the delivery stream of their series (seller
// MST, form, symbol), keyed by number: a stream is delivered in number order,
// which is issue order, and holds at a number it has not received. What
// became of each invoice is logged per kiosk, in order, for the uplink to send
// down. Buckets:
//
//	inv_entries  nested per stream "MST|form|symbol": number → HubInvoice
//	inv_streams  stream → InvoiceStream (where delivery stands)
//	inv_sellers  MST → einvoice.Settings (with their secrets; never listed)
//	inv_states   nested per kiosk: sequence → pos.InvoiceState
//
// and inv_by_issued, the invoices by issue time (invoiceday.go).
var (
	bInvEntries = []byte("inv_entries")
	bInvStreams = []byte("inv_streams")
	bInvSellers = []byte("inv_sellers")
	bInvStates  = []byte("inv_states")
)

// Errors of invoice numbering and delivery settings.
var (
	ErrInvoiceBlockOverlap  = errors.New("invoice block overlaps another kiosk's")
	ErrInvoiceSymbolTaken   = errors.New("invoice symbol used by another kiosk of the seller")
	ErrInvoiceBlockMismatch = errors.New("invoice block differs from the one the hub holds for the kiosk")
	ErrInvoiceBlocksFull    = errors.New("no free invoice block left")
	ErrUnknownSeller        = errors.New("no e-invoice settings for this seller")
)

// KioskInvoicing is what the hub holds of a kiosk's invoicing: its seller,
// form and symbol (as the kiosk last said) and its block of the MCCQT counter
// (registered ahead, allocated by the hub, or the kiosk's own).
type KioskInvoicing struct {
	Seller string           `json:"seller,omitempty"` // MST
	Form   int              `json:"form,omitempty"`
	Symbol string           `json:"symbol,omitempty"` // as configured (its year digits do not matter)
	Block  pos.InvoiceBlock `json:"block"`
	// Retired are the kiosk's earlier blocks (NextInvoiceBlock): still its
	// own, since the codes it issued from them stay issued, and no longer a
	// mismatch when the kiosk names one, since the hub then sends it Block.
	Retired []pos.InvoiceBlock `json:"retired,omitempty"`
	// StatesAcked is the last of the kiosk's invoice states it has applied.
	StatesAcked uint64 `json:"states_acked,omitempty"`
}

// HubInvoice is an invoice as the hub delivers it.
type HubInvoice struct {
	Invoice  pos.Invoice `json:"invoice"`
	Key      string      `json:"key"`
	Kiosk    string      `json:"kiosk"`
	State    string      `json:"state"` // pos.InvoiceIssued (waiting), InvoiceDelivered, InvoiceRefused
	Reason   string      `json:"reason,omitempty"`
	At       time.Time   `json:"at,omitzero"` // when it was delivered or refused
	Received time.Time   `json:"received"`
}

// InvoiceStream is where delivery of one series stands.
type InvoiceStream struct {
	Key    string `json:"key"` // MST|form|symbol
	Seller string `json:"seller"`
	Form   int    `json:"form"`
	Symbol string `json:"symbol"`
	Kiosk  string `json:"kiosk"` // the one kiosk that issues the series
	// Next is the number delivery waits for: everything below it is
	// delivered or refused.
	Next int64 `json:"next"`
	// Highest is the highest number received.
	Highest int64 `json:"highest"`
	// Uncertain is how many invoices from Next the last call sent without
	// learning their fate (the answer was lost): the next call sends exactly
	// those again, so that a duplicate answer means they were taken.
	Uncertain int       `json:"uncertain,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	LastTry   time.Time `json:"last_try,omitzero"`
	Delivered int       `json:"delivered"`
	Refused   int       `json:"refused"`
}

func streamKey(mst string, form int, symbol string) string {
	return mst + "|" + strconv.Itoa(form) + "|" + symbol
}

// symbolLetters is a symbol without its year digits (C26MAA → CMAA): a kiosk
// keeps its letters from year to year.
func symbolLetters(s string) string {
	if len(s) == 6 {
		return s[:1] + s[3:]
	}
	return s
}

func createInvoiceBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bInvEntries, bInvStreams, bInvSellers, bInvStates} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

func getStream(tx *bolt.Tx, key string) (InvoiceStream, bool, error) {
	var st InvoiceStream
	v := tx.Bucket(bInvStreams).Get([]byte(key))
	if v == nil {
		return st, false, nil
	}
	return st, true, json.Unmarshal(v, &st)
}

func putJSONKey(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// queueInvoices files a record's invoices into their streams (in the record's
// ingest transaction) and says what in them the hub could not take: an
// invoice of a series another kiosk issues, or a number the series already
// holds for another invoice (a kiosk numbering again from an old copy).
func queueInvoices(tx *bolt.Tx, kioskID string, s pos.Sale, now time.Time) ([]string, error) {
	var flags []string
	for _, inv := range s.Invoices {
		key := streamKey(inv.Seller.TaxCode, inv.Form, inv.Symbol)
		st, found, err := getStream(tx, key)
		if err != nil {
			return nil, err
		}
		if !found {
			st = InvoiceStream{Key: key, Seller: inv.Seller.TaxCode, Form: inv.Form, Symbol: inv.Symbol, Kiosk: kioskID, Next: 1}
		}
		ref := fmt.Sprintf("invoice %d%s number %d of %s", inv.Form, inv.Symbol, inv.Number, inv.Seller.TaxCode)
		if st.Kiosk != kioskID {
			flags = append(flags, fmt.Sprintf("%s: the series is kiosk %s's, not delivered", ref, st.Kiosk))
			continue
		}
		entries, err := tx.Bucket(bInvEntries).CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return nil, err
		}
		if inv.Number <= 0 {
			flags = append(flags, ref+": not a number, not delivered")
			continue
		}
		if v := entries.Get(u64key(uint64(inv.Number))); v != nil {
			var held HubInvoice
			if err := json.Unmarshal(v, &held); err == nil && held.Key != inv.Key() {
				flags = append(flags, fmt.Sprintf("%s is held already for %s (MCCQT %s): the kiosk numbered again, not delivered", ref, held.Invoice.SaleID, held.Invoice.MCCQT))
			}
			continue
		}
		hi := HubInvoice{Invoice: inv, Key: inv.Key(), Kiosk: kioskID, State: pos.InvoiceIssued, Received: now}
		if err := putJSONKey(entries, u64key(uint64(inv.Number)), hi); err != nil {
			return nil, err
		}
		if err := indexInvoice(tx, key, hi); err != nil {
			return nil, err
		}
		st.Highest = max(st.Highest, inv.Number)
		if err := putJSONKey(tx.Bucket(bInvStreams), []byte(key), st); err != nil {
			return nil, err
		}
	}
	return flags, nil
}

// InvoiceBatch is the next invoices of a stream to hand to the provider.
type InvoiceBatch struct {
	Stream   InvoiceStream
	Invoices []HubInvoice
	Resend   bool // repeats a call whose answer was lost
}

// PendingStreams lists the streams with invoices waiting (received, from the
// stream's next number on), by seller.
func (s *BoltStore) PendingStreams() (map[string][]InvoiceStream, error) {
	out := map[string][]InvoiceStream{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bInvStreams).ForEach(func(_, v []byte) error {
			var st InvoiceStream
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			if st.Highest >= st.Next {
				out[st.Seller] = append(out[st.Seller], st)
			}
			return nil
		})
	})
	return out, err
}

// NextInvoices reads up to limit invoices of a stream from its next number on,
// without a gap; after a lost answer exactly the invoices of that call.
func (s *BoltStore) NextInvoices(key string, limit int) (InvoiceBatch, error) {
	var b InvoiceBatch
	err := s.db.View(func(tx *bolt.Tx) error {
		st, found, err := getStream(tx, key)
		if err != nil || !found {
			return err
		}
		b.Stream = st
		if st.Uncertain > 0 {
			limit, b.Resend = min(limit, st.Uncertain), true
		}
		entries := tx.Bucket(bInvEntries).Bucket([]byte(key))
		if entries == nil {
			return nil
		}
		c := entries.Cursor()
		want := st.Next
		for k, v := c.Seek(u64key(uint64(st.Next))); k != nil && len(b.Invoices) < limit; k, v = c.Next() {
			var hi HubInvoice
			if err := json.Unmarshal(v, &hi); err != nil {
				return err
			}
			if hi.Invoice.Number != want {
				break // a number not received yet: the stream waits for it
			}
			want++
			b.Invoices = append(b.Invoices, hi)
		}
		return nil
	})
	return b, err
}

// DeliveryOutcome is what one call to a provider came to, for RecordDelivery.
type DeliveryOutcome struct {
	Results []einvoice.Result
	// Err is why the rest of the batch waits; Unknown how many invoices after
	// the results the failed call sent without learning their fate.
	Err     error
	Unknown int
}

// RecordDelivery keeps what a call came to: each result's invoice delivered
// or refused (logged for its kiosk), the stream moved past them, and the
// problem that holds the rest. It answers the kiosks with new states.
func (s *BoltStore) RecordDelivery(key string, out DeliveryOutcome, now time.Time) ([]string, error) {
	kiosks := map[string]bool{}
	err := s.db.Update(func(tx *bolt.Tx) error {
		st, found, err := getStream(tx, key)
		if err != nil || !found {
			return err
		}
		entries := tx.Bucket(bInvEntries).Bucket([]byte(key))
		for _, r := range out.Results {
			k := u64key(uint64(st.Next))
			var hi HubInvoice
			v := entries.Get(k)
			if v == nil {
				return fmt.Errorf("stream %s: number %d is not held", key, st.Next)
			}
			if err := json.Unmarshal(v, &hi); err != nil {
				return err
			}
			if hi.Key != r.Key {
				return fmt.Errorf("stream %s: result for %s, number %d is %s", key, r.Key, st.Next, hi.Key)
			}
			hi.At = now
			switch r.Outcome {
			case einvoice.Delivered, einvoice.Duplicate:
				hi.State, hi.Reason = pos.InvoiceDelivered, ""
				st.Delivered++
			default:
				hi.State, hi.Reason = pos.InvoiceRefused, r.Reason
				st.Refused++
			}
			if err := putJSONKey(entries, k, hi); err != nil {
				return err
			}
			if err := logInvoiceState(tx, hi.Kiosk, pos.InvoiceState{Key: hi.Key, State: hi.State, Reason: hi.Reason, At: now}); err != nil {
				return err
			}
			kiosks[hi.Kiosk] = true
			st.Next++
		}
		st.LastTry = now
		switch {
		case out.Err == nil:
			st.LastError, st.Uncertain = "", 0
		case errors.Is(out.Err, einvoice.ErrUnavailable):
			st.LastError, st.Uncertain = out.Err.Error(), out.Unknown
		default: // the seller's settings: nothing was taken
			st.LastError = out.Err.Error()
			if len(out.Results) > 0 {
				st.Uncertain = 0
			}
		}
		return putJSONKey(tx.Bucket(bInvStreams), []byte(key), st)
	})
	list := make([]string, 0, len(kiosks))
	for k := range kiosks {
		list = append(list, k)
	}
	sort.Strings(list)
	return list, err
}

func logInvoiceState(tx *bolt.Tx, kiosk string, state pos.InvoiceState) error {
	b, err := tx.Bucket(bInvStates).CreateBucketIfNotExists([]byte(kiosk))
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return putJSONKey(b, u64key(seq), state)
}

// InvoiceStates reads up to limit of a kiosk's invoice states after seq, and
// the sequence of the last one read.
func (s *BoltStore) InvoiceStates(kiosk string, after uint64, limit int) ([]pos.InvoiceState, uint64, error) {
	var out []pos.InvoiceState
	last := after
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bInvStates).Bucket([]byte(kiosk))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(u64key(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var st pos.InvoiceState
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			last = binaryU64(k)
		}
		return nil
	})
	return out, last, err
}

func binaryU64(k []byte) uint64 {
	var n uint64
	for _, c := range k {
		n = n<<8 | uint64(c)
	}
	return n
}

// AckInvoiceStates keeps how far the kiosk has applied its states; a kiosk
// that recovers a store starts again from 0.
func (s *BoltStore) AckInvoiceStates(kiosk string, seq uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kiosk)
		if err != nil {
			return err
		}
		if k.Invoicing == nil {
			k.Invoicing = &KioskInvoicing{}
		}
		k.Invoicing.StatesAcked = seq
		return putKiosk(tx, k)
	})
}

// RegisterInvoicing checks a kiosk's invoicing as its greeting says it (seller
// MST, form, symbol and block, zero when it has none) against every other
// kiosk's, and answers the block the kiosk must use: its own, the one
// registered for it ahead, or the next free block the hub allocates. A block
// that overlaps another kiosk's, or a seller and symbol another kiosk uses,
// is refused and nothing changes.
func (s *BoltStore) RegisterInvoicing(kiosk, seller string, form int, symbol string, block pos.InvoiceBlock) (pos.InvoiceBlock, error) {
	var out pos.InvoiceBlock
	err := s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kiosk)
		if err != nil {
			return err
		}
		others, err := otherKiosks(tx, kiosk)
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.Invoicing == nil {
				continue
			}
			if seller != "" && o.Invoicing.Seller == seller && symbolLetters(o.Invoicing.Symbol) == symbolLetters(symbol) {
				return fmt.Errorf("%w: kiosk %s issues %s for %s; give kiosk %s symbol letters of its own", ErrInvoiceSymbolTaken, o.ID, o.Invoicing.Symbol, seller, kiosk)
			}
		}
		inv := KioskInvoicing{}
		if k.Invoicing != nil {
			inv = *k.Invoicing
		}
		switch {
		case !block.IsZero() && !inv.Block.IsZero() && block != inv.Block && slices.Contains(inv.Retired, block):
			// The kiosk still has the block it was given before its next:
			// it is sent the next.
		case !block.IsZero() && !inv.Block.IsZero() && block != inv.Block:
			return fmt.Errorf("%w: kiosk %s says %s, the hub holds %s for it", ErrInvoiceBlockMismatch, kiosk, block, inv.Block)
		case !block.IsZero():
			inv.Block = block
		case inv.Block.IsZero():
			if inv.Block, err = freeBlock(others); err != nil {
				return err
			}
		}
		if err := checkOverlap(others, kiosk, inv.Block); err != nil {
			return err
		}
		inv.Seller, inv.Form, inv.Symbol = seller, form, symbol
		out = inv.Block
		k.Invoicing = &inv
		return putKiosk(tx, k)
	})
	return out, err
}

// NextInvoiceBlock gives a kiosk its next block of the MCCQT counter when its
// block runs out: block, when given and free, or the lowest free one. The
// kiosk's current block is retired (it stays the kiosk's); the kiosk is sent
// the next at its next link. A kiosk that has no block yet gets one as when it
// links.
func (s *BoltStore) NextInvoiceBlock(kiosk string, block pos.InvoiceBlock) (pos.InvoiceBlock, error) {
	var out pos.InvoiceBlock
	err := s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kiosk)
		if err != nil {
			return err
		}
		others, err := otherKiosks(tx, kiosk)
		if err != nil {
			return err
		}
		inv := KioskInvoicing{}
		if k.Invoicing != nil {
			inv = *k.Invoicing
		}
		// The kiosk's own blocks count as taken too.
		self := Kiosk{ID: kiosk, Invoicing: &inv}
		if block.IsZero() {
			if block, err = freeBlock(append(others, self)); err != nil {
				return err
			}
		} else if err := checkOverlap(append(others, self), kiosk, block); err != nil {
			return err
		}
		if !inv.Block.IsZero() {
			inv.Retired = append(inv.Retired, inv.Block)
		}
		inv.Block, out = block, block
		k.Invoicing = &inv
		return putKiosk(tx, k)
	})
	return out, err
}

// CheckInvoiceBlock says whether a block is free for a kiosk (none of another
// kiosk's overlaps it).
func (s *BoltStore) CheckInvoiceBlock(kiosk string, block pos.InvoiceBlock) error {
	return s.db.View(func(tx *bolt.Tx) error {
		others, err := otherKiosks(tx, kiosk)
		if err != nil {
			return err
		}
		return checkOverlap(others, kiosk, block)
	})
}

// ReserveInvoiceBlock registers a kiosk's block ahead of its first link
// (`hub kiosk add K01 -invoice-block N`).
func (s *BoltStore) ReserveInvoiceBlock(kiosk string, block pos.InvoiceBlock) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kiosk)
		if err != nil {
			return err
		}
		others, err := otherKiosks(tx, kiosk)
		if err != nil {
			return err
		}
		if err := checkOverlap(others, kiosk, block); err != nil {
			return err
		}
		if k.Invoicing == nil {
			k.Invoicing = &KioskInvoicing{}
		}
		k.Invoicing.Block = block
		return putKiosk(tx, k)
	})
}

func otherKiosks(tx *bolt.Tx, id string) ([]Kiosk, error) {
	var out []Kiosk
	err := tx.Bucket(bKiosks).ForEach(func(_, v []byte) error {
		var k Kiosk
		if err := json.Unmarshal(v, &k); err != nil {
			return err
		}
		if k.ID != id {
			out = append(out, k)
		}
		return nil
	})
	return out, err
}

// checkOverlap refuses a block that shares a number with another kiosk's,
// current or retired (a revoked kiosk's too: the invoices it issued stay
// issued).
func checkOverlap(others []Kiosk, kiosk string, b pos.InvoiceBlock) error {
	for _, o := range others {
		if o.Invoicing == nil {
			continue
		}
		for _, ob := range append([]pos.InvoiceBlock{o.Invoicing.Block}, o.Invoicing.Retired...) {
			if ob.Overlaps(b) {
				return fmt.Errorf("%w: kiosk %s's block %s overlaps kiosk %s's %s", ErrInvoiceBlockOverlap, kiosk, b, o.ID, ob)
			}
		}
	}
	return nil
}

// freeBlock is the lowest block N (from 1: block 0 would start at the
// all-zero code) that overlaps no kiosk's.
func freeBlock(others []Kiosk) (pos.InvoiceBlock, error) {
	for n := uint64(1); n <= pos.MaxMCCQT/pos.BlockSize; n++ {
		b := pos.InvoiceBlock{From: n * pos.BlockSize, To: n*pos.BlockSize + pos.BlockSize - 1}
		if checkOverlap(others, "", b) == nil {
			return b, nil
		}
	}
	return pos.InvoiceBlock{}, ErrInvoiceBlocksFull
}

// SellerSettings reads a seller's provider settings (ErrUnknownSeller when
// the hub has none).
func (s *BoltStore) SellerSettings(mst string) (einvoice.Settings, error) {
	var set einvoice.Settings
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bInvSellers).Get([]byte(mst))
		if v == nil {
			return fmt.Errorf("%w: %s", ErrUnknownSeller, mst)
		}
		return json.Unmarshal(v, &set)
	})
	return set, err
}

// PutSellerSettings keeps a seller's provider settings.
func (s *BoltStore) PutSellerSettings(mst string, set einvoice.Settings) error {
	return s.db.Update(func(tx *bolt.Tx) error { return putJSONKey(tx.Bucket(bInvSellers), []byte(mst), set) })
}

// DeleteSellerSettings forgets a seller's settings (its invoices then wait
// for the hub's default provider, or for new settings).
func (s *BoltStore) DeleteSellerSettings(mst string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bInvSellers).Get([]byte(mst)) == nil {
			return fmt.Errorf("%w: %s", ErrUnknownSeller, mst)
		}
		return tx.Bucket(bInvSellers).Delete([]byte(mst))
	})
}

// Sellers lists the sellers with settings, by MST.
func (s *BoltStore) Sellers() (map[string]einvoice.Settings, error) {
	out := map[string]einvoice.Settings{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bInvSellers).ForEach(func(k, v []byte) error {
			var set einvoice.Settings
			if err := json.Unmarshal(v, &set); err != nil {
				return err
			}
			out[string(k)] = set
			return nil
		})
	})
	return out, err
}

// Streams lists every delivery stream.
func (s *BoltStore) Streams() ([]InvoiceStream, error) {
	var out []InvoiceStream
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bInvStreams).ForEach(func(_, v []byte) error {
			var st InvoiceStream
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	return out, err
}

// waiting says how much of the stream waits, for listings.
func (st InvoiceStream) waiting() string {
	if st.Highest >= st.Next {
		return fmt.Sprintf("%d waiting from number %d", st.Highest-st.Next+1, st.Next)
	}
	return ""
}
