package sync

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Errors the hub branches on.
var (
	ErrUnknownKiosk = errors.New("unknown kiosk")
	ErrRevoked      = errors.New("kiosk revoked")
	ErrKioskExists  = errors.New("kiosk already registered")
	ErrBadToken     = errors.New("wrong kiosk token")
	ErrBadKioskID   = errors.New("bad kiosk id")
	ErrHubLocked    = errors.New("hub store is in use by another hub process")
)

var reKioskID = regexp.MustCompile(`^[A-Z0-9]{1,12}$`)

// Kiosk is a registered kiosk. Only a hash of its token is kept.
type Kiosk struct {
	ID          string    `json:"id"`
	TokenHash   []byte    `json:"token_hash"`
	Created     time.Time `json:"created"`
	Revoked     bool      `json:"revoked,omitempty"`
	Acked       uint64    `json:"acked"` // highest contiguous record sequence held
	Top         uint64    `json:"top"`   // highest record sequence held
	LastContact time.Time `json:"last_contact,omitzero"`
	Depth       int       `json:"depth"` // the kiosk's unsynced records at its last heartbeat
	// Lost are record sequences the kiosk reported lost with a store it had
	// to replace before they reached the hub.
	Lost []pos.SeqRange `json:"lost,omitempty"`
	// LastError is the last problem with the kiosk's uplink the hub saw (a
	// refused batch, a message over the size limit), for the managers' pages.
	LastError     string    `json:"last_error,omitempty"`
	LastErrorTime time.Time `json:"last_error_time,omitzero"`
	// Invoicing is the kiosk's invoice series and block of the MCCQT counter
	// (invoicestore.go); nil for a kiosk that does not invoice.
	Invoicing *KioskInvoicing `json:"invoicing,omitempty"`
}

// HubSale is a record as the hub keeps it: the kiosk's record, when it arrived,
// and whether its totals add up.
type HubSale struct {
	Sale     pos.Sale  `json:"sale"`
	Seq      uint64    `json:"seq"` // the kiosk's outbox sequence
	Received time.Time `json:"received"`
	// Mismatch says why the hub could not have produced the record itself: its
	// totals do not add up, a void or refund without its sale, an unknown SKU or
	// payment method, a sequence number another sale already holds.
	Mismatch string `json:"mismatch,omitempty"`
}

// Store is what the hub needs of its storage. BoltStore implements it; a
// PostgreSQL store can replace it.
type Store interface {
	AddKiosk(id string, tokenHash []byte) error
	Kiosk(id string) (Kiosk, error)
	Kiosks() ([]Kiosk, error)
	RevokeKiosk(id string) error
	// Ingest stores the records of a batch, each sale exactly once, and returns
	// the highest contiguous sequence now held for the kiosk.
	Ingest(kioskID string, recs []pos.OutboxRecord, now time.Time) (uint64, error)
	Heartbeat(kioskID string, depth int, now time.Time) error
	// KioskRecords returns up to limit of a kiosk's records with a sequence above
	// after, in order, and whether more follow: a kiosk recovering its store
	// reads back what it sent.
	KioskRecords(kioskID string, after uint64, limit int) ([]pos.OutboxRecord, bool, error)
	// MarkLost records sequences the kiosk lost before they reached the hub, so
	// the acknowledgement can pass them; it returns the new acknowledgement.
	MarkLost(kioskID string, lost []pos.SeqRange, now time.Time) (uint64, error)
	// UplinkError notes a problem with a kiosk's uplink for the managers.
	UplinkError(kioskID, msg string, now time.Time) error
	// The reports' questions (reportstore.go): none reads the whole history.
	ReportStore
	// The central catalog: versions, and each product's price history.
	Catalog() (CatalogVersion, error)
	// CatalogSince is what a kiosk at version known needs: the records changed
	// since (delta true) or the whole catalog.
	CatalogSince(known uint64) (CatalogVersion, bool, error)
	PutCatalog(c pos.Catalog, now time.Time) (CatalogVersion, error)
	// UpdateCatalog puts what change makes of the catalog as it stands, read
	// in the same transaction, so that two hub processes changing the same
	// records at once both keep their change. A change that returns an empty
	// catalog writes nothing and the catalog as it stands comes back.
	UpdateCatalog(change func(cur CatalogVersion) (pos.Catalog, error), now time.Time) (CatalogVersion, error)
	CentralPrice(sku string, at time.Time) (pos.Money, bool, error)
	PriceHistory(sku string) ([]PricePoint, error)
	// The central promotions (promotions.go): the running ones and the
	// version of the set; changes, each a new version.
	Promotions() ([]pos.Promotion, uint64, error)
	PutPromotion(p pos.Promotion, create bool, ifVersion uint64, now time.Time) (pos.Promotion, error)
	DeletePromotion(id string, ifVersion uint64, now time.Time) (pos.Promotion, error)
	Meta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
	Close() error
}

var (
	bMeta   = []byte("meta")
	bKiosks = []byte("kiosks")
	bSales  = []byte("sales")     // sale id → HubSale
	bSeqs   = []byte("kiosk_seq") // nested per kiosk: seq → sale id
)

// BoltStore is the hub's bbolt store.
type BoltStore struct{ db *bolt.DB }

// hubKind marks a file as a hub store, so that no other bbolt file (a kiosk's
// store) is taken for one and written over.
const hubKind = "ocop-hub-store"

var kHubKind = []byte("store_kind")

// ErrNotAHubStore reports a file that is not a hub store.
var ErrNotAHubStore = errors.New("not a hub store")

// hubAdvice is what a person can do about a hub store the hub will not open.
const hubAdvice = "The hub does not write over it. `hub check` says what the file holds; put back a copy of " +
	"hub.db taken while the hub was stopped (the kiosks send again whatever it lacks), or move the file aside " +
	"to start an empty hub (then register the kiosks again)."

// OpenHubStore opens or creates the hub store at path. It refuses, without
// writing, a file that is empty, damaged, or not a hub store.
func OpenHubStore(path string) (*BoltStore, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, fresh, err := pos.OpenFile(path, time.Second, false, hubAdvice)
	if err != nil {
		if errors.Is(err, pos.ErrLocked) {
			return nil, fmt.Errorf("open %s: %w", path, ErrHubLocked)
		}
		return nil, err
	}
	if !fresh {
		if err := db.View(identifyHub); err != nil {
			db.Close()
			return nil, fmt.Errorf("open hub store %s: %w. %s", path, err, hubAdvice)
		}
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bKiosks, bSales, bSeqs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if err := createInvoiceBuckets(tx); err != nil {
			return err
		}
		if err := buildInvoiceIndex(tx); err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put(kHubKind, []byte(hubKind)); err != nil {
			return err
		}
		return buildReportIndexes(tx)
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &BoltStore{db: db}, nil
}

// identifyHub checks that a store is a hub's: it says so, or (made before
// stores named their kind) it has the hub's kiosks bucket and no kiosk schema.
func identifyHub(tx *bolt.Tx) error {
	m := tx.Bucket(bMeta)
	if m != nil {
		if kind := m.Get(kHubKind); kind != nil {
			if string(kind) != hubKind {
				return fmt.Errorf("%w: it is a %q", ErrNotAHubStore, kind)
			}
			return nil
		}
		if m.Get([]byte("schema_version")) != nil {
			return fmt.Errorf("%w: it is a kiosk's store", ErrNotAHubStore)
		}
	}
	if m == nil || tx.Bucket(bKiosks) == nil {
		return fmt.Errorf("%w: it does not say it is one", ErrNotAHubStore)
	}
	return nil
}

// HubCheck is what CheckHubStore found.
type HubCheck struct {
	Path    string `json:"path"`
	Kiosks  int    `json:"kiosks"`
	Records int    `json:"records"`
	Catalog uint64 `json:"catalog_version"`
}

// CheckHubStore opens a hub store read-only, runs bbolt's consistency check and
// verifies it is a hub store. It never writes.
func CheckHubStore(path string) (HubCheck, error) {
	r := HubCheck{Path: path}
	db, _, err := pos.OpenFile(path, time.Second, true, hubAdvice)
	if err != nil {
		return r, err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		if err := identifyHub(tx); err != nil {
			return err
		}
		r.Kiosks = tx.Bucket(bKiosks).Stats().KeyN
		if b := tx.Bucket(bSales); b != nil {
			r.Records = b.Stats().KeyN
		}
		if b := tx.Bucket(bCatalog); b != nil {
			var cv struct {
				Version uint64 `json:"version"`
			}
			if v := b.Get([]byte("current")); v != nil && json.Unmarshal(v, &cv) == nil {
				r.Catalog = cv.Version
			}
		}
		return nil
	})
	return r, err
}

// Meta reads a hub setting (the admin token's hash).
func (s *BoltStore) Meta(key string) ([]byte, error) {
	var v []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v = append([]byte(nil), tx.Bucket(bMeta).Get([]byte(key))...)
		return nil
	})
	return v, err
}

// SetMeta writes a hub setting.
func (s *BoltStore) SetMeta(key string, v []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte(key), v) })
}

// Close closes the store.
func (s *BoltStore) Close() error { return s.db.Close() }

func getKiosk(tx *bolt.Tx, id string) (Kiosk, error) {
	var k Kiosk
	v := tx.Bucket(bKiosks).Get([]byte(id))
	if v == nil {
		return k, fmt.Errorf("%w %q", ErrUnknownKiosk, id)
	}
	return k, json.Unmarshal(v, &k)
}

func putKiosk(tx *bolt.Tx, k Kiosk) error {
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	return tx.Bucket(bKiosks).Put([]byte(k.ID), b)
}

// AddKiosk registers a kiosk with the hash of its token.
func (s *BoltStore) AddKiosk(id string, tokenHash []byte) error {
	if err := CheckKioskID(id); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bKiosks).Get([]byte(id)) != nil {
			return fmt.Errorf("%w: %s", ErrKioskExists, id)
		}
		return putKiosk(tx, Kiosk{ID: id, TokenHash: tokenHash, Created: time.Now()})
	})
}

// Kiosk returns a registered kiosk.
func (s *BoltStore) Kiosk(id string) (Kiosk, error) {
	var k Kiosk
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		k, err = getKiosk(tx, id)
		return err
	})
	return k, err
}

// Kiosks lists the registered kiosks.
func (s *BoltStore) Kiosks() ([]Kiosk, error) {
	var out []Kiosk
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bKiosks).ForEach(func(_, v []byte) error {
			var k Kiosk
			if err := json.Unmarshal(v, &k); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	})
	return out, err
}

// RevokeKiosk refuses a kiosk's token from now on.
func (s *BoltStore) RevokeKiosk(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, id)
		if err != nil {
			return err
		}
		k.Revoked = true
		return putKiosk(tx, k)
	})
}

// Ingest stores a batch in one transaction. A sale already held (a replayed
// batch, a kiosk retrying after a lost acknowledgement) is skipped, so each sale
// is stored exactly once. A record must belong to the kiosk that sends it. A
// different sale under a sequence number already held is not a duplicate: it is
// stored and flagged (a kiosk numbering again from an old backup).
func (s *BoltStore) Ingest(kioskID string, recs []pos.OutboxRecord, now time.Time) (uint64, error) {
	var acked uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		k, seqs, err := kioskSeqs(tx, kioskID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := CheckBelongs(kioskID, r); err != nil {
				return err
			}
			if tx.Bucket(bSales).Get([]byte(r.SaleID)) != nil {
				continue // held already
			}
			key := u64key(r.Seq)
			holder := seqs.Get(key)
			flags, err := CheckRecord(boltLookup{tx}, r.Sale)
			if err != nil {
				return err
			}
			invFlags, err := queueInvoices(tx, kioskID, r.Sale, now)
			if err != nil {
				return err
			}
			flags = append(flags, invFlags...)
			if len(holder) > 0 {
				flags = append([]string{SeqHeldFlag(r.Seq, string(holder), receiptOf(tx, holder))}, flags...)
			}
			hs := HubSale{Sale: r.Sale, Seq: r.Seq, Received: now, Mismatch: strings.Join(flags, "; ")}
			b, err := json.Marshal(hs)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bSales).Put([]byte(r.SaleID), b); err != nil {
				return err
			}
			if err := indexRecord(tx, r.Sale, len(holder) > 0); err != nil {
				return err
			}
			if len(holder) == 0 {
				if err := seqs.Put(key, []byte(r.SaleID)); err != nil {
					return err
				}
			}
			k.Top = max(k.Top, r.Seq)
		}
		k.Acked = advance(seqs, k.Acked)
		k.LastContact = now
		acked = k.Acked
		return putKiosk(tx, k)
	})
	return acked, err
}

// kioskSeqs is a kiosk and the index of the sequences held for it.
func kioskSeqs(tx *bolt.Tx, id string) (Kiosk, *bolt.Bucket, error) {
	k, err := getKiosk(tx, id)
	if err != nil {
		return k, nil, err
	}
	seqs, err := tx.Bucket(bSeqs).CreateBucketIfNotExists([]byte(id))
	return k, seqs, err
}

// advance moves an acknowledgement over the sequences held without a gap (a
// sequence marked lost counts as held).
func advance(seqs *bolt.Bucket, acked uint64) uint64 {
	for seqs.Get(u64key(acked+1)) != nil {
		acked++
	}
	return acked
}

func u64key(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

func receiptOf(tx *bolt.Tx, id []byte) string {
	var hs HubSale
	if v := tx.Bucket(bSales).Get(id); v != nil && json.Unmarshal(v, &hs) == nil {
		return "(" + hs.Sale.ReceiptNo + ")"
	}
	return ""
}

// KioskRecords reads back a kiosk's records after a sequence, in order.
func (s *BoltStore) KioskRecords(kioskID string, after uint64, limit int) ([]pos.OutboxRecord, bool, error) {
	out := []pos.OutboxRecord{}
	more := false
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := getKiosk(tx, kioskID); err != nil {
			return err
		}
		seqs := tx.Bucket(bSeqs).Bucket([]byte(kioskID))
		if seqs == nil {
			return nil
		}
		c := seqs.Cursor()
		for k, id := c.Seek(u64key(after + 1)); k != nil; k, id = c.Next() {
			v := tx.Bucket(bSales).Get(id)
			if len(id) == 0 || v == nil {
				continue // lost
			}
			if len(out) == limit {
				more = true
				return nil
			}
			var hs HubSale
			if err := json.Unmarshal(v, &hs); err != nil {
				return fmt.Errorf("sale %s: %w", id, err)
			}
			out = append(out, pos.OutboxRecord{Seq: hs.Seq, SaleID: hs.Sale.ID, Time: hs.Sale.Time, Sale: hs.Sale})
		}
		return nil
	})
	return out, more, err
}

// MarkLost records lost sequences below the highest one held (a kiosk cannot
// declare lost what it never numbered) and moves the acknowledgement over them.
func (s *BoltStore) MarkLost(kioskID string, lost []pos.SeqRange, now time.Time) (uint64, error) {
	var acked uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		k, seqs, err := kioskSeqs(tx, kioskID)
		if err != nil {
			return err
		}
		for _, r := range lost {
			if err := CheckLost(r, k.Top); err != nil {
				return err
			}
			for q := r.From; q <= r.To; q++ {
				if seqs.Get(u64key(q)) == nil {
					if err := seqs.Put(u64key(q), []byte{}); err != nil {
						return err
					}
				}
			}
			k.Lost = append(k.Lost, r)
		}
		k.Acked = advance(seqs, k.Acked)
		k.LastContact = now
		acked = k.Acked
		return putKiosk(tx, k)
	})
	return acked, err
}

// UplinkError notes a problem with a kiosk's uplink.
func (s *BoltStore) UplinkError(kioskID, msg string, now time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kioskID)
		if err != nil {
			return err
		}
		k.LastError, k.LastErrorTime = msg, now
		return putKiosk(tx, k)
	})
}

// RecordLookup is what the rules of CheckRecord need to know of what a store
// holds, so that every store flags a record the same way.
type RecordLookup interface {
	// InCatalog tells whether sku is in the central catalog; known is false
	// when the hub keeps no catalog (kiosks sell on their own).
	InCatalog(sku string) (in, known bool, err error)
	// HeldSale is a record the hub holds (ok false when it holds none by id).
	HeldSale(id string) (s pos.Sale, ok bool, err error)
}

// boltLookup answers RecordLookup from a bbolt transaction.
type boltLookup struct{ tx *bolt.Tx }

func (l boltLookup) InCatalog(sku string) (bool, bool, error) {
	in, known := inCatalog(l.tx, sku)
	return in, known, nil
}

func (l boltLookup) HeldSale(id string) (pos.Sale, bool, error) {
	var hs HubSale
	v := l.tx.Bucket(bSales).Get([]byte(id))
	if id == "" || v == nil || json.Unmarshal(v, &hs) != nil {
		return pos.Sale{}, false, nil
	}
	return hs.Sale, true, nil
}

// SeqHeldFlag is the flag on a record whose sequence another sale (held, with
// its receipt number in brackets) already holds.
func SeqHeldFlag(seq uint64, holder, receipt string) string {
	return fmt.Sprintf("sequence %d is already held by sale %s %s: the kiosk numbered again (restored from an old backup?)", seq, holder, receipt)
}

// CheckBelongs refuses a record that is not the sending kiosk's own.
func CheckBelongs(kioskID string, r pos.OutboxRecord) error {
	if r.Sale.KioskID != kioskID || r.SaleID != r.Sale.ID || r.Seq == 0 || !pos.ValidID(r.SaleID) {
		return fmt.Errorf("record %d (%s) does not belong to kiosk %s", r.Seq, r.SaleID, kioskID)
	}
	return nil
}

// CheckLost refuses a lost range that is not a gap below top, the newest
// record held (a kiosk cannot declare lost what it never numbered).
func CheckLost(r pos.SeqRange, top uint64) error {
	if r.From == 0 || r.To < r.From || r.To >= top || r.To-r.From > 1_000_000 {
		return fmt.Errorf("lost records %d–%d: not a gap below the newest record held (%d)", r.From, r.To, top)
	}
	return nil
}

// CheckKioskID refuses a kiosk id the hub does not take.
func CheckKioskID(id string) error {
	if !reKioskID.MatchString(id) {
		return fmt.Errorf("%w %q: 1–12 capital letters or digits, like K01", ErrBadKioskID, id)
	}
	return nil
}

// CheckRecord lists what in a record the hub could not have produced itself,
// never trusting the kiosk's word: each line's total is price × qty with a sign
// that fits the kind, the sale's total is the sum of its lines, the payments
// cover it with methods the kiosk knows, a void or refund undoes a sale the hub
// holds from the same kiosk and no more than it sold, and every SKU is in the
// central catalog (when the hub keeps one).
func CheckRecord(look RecordLookup, s pos.Sale) ([]string, error) {
	var flags []string
	if r := checkTotals(s); r != "" {
		flags = append(flags, r)
	}
	switch s.Kind {
	case pos.KindSale, pos.KindVoid, pos.KindRefund:
	default:
		flags = append(flags, fmt.Sprintf("unknown kind %q", s.Kind))
	}
	for i, l := range s.Lines {
		if (s.Kind == pos.KindSale) != (l.Qty > 0) || l.Qty == 0 || l.Price < 0 {
			flags = append(flags, fmt.Sprintf("line %d (%s): quantity %d at %d does not fit a %s", i+1, l.SKU, l.Qty, l.Price, s.Kind))
		}
		switch l.VATRate {
		case 0, 5, 8, 10:
		default:
			flags = append(flags, fmt.Sprintf("line %d (%s): VAT rate %d %%", i+1, l.SKU, l.VATRate))
		}
		in, known, err := look.InCatalog(l.SKU)
		if err != nil {
			return nil, err
		}
		if known && !in {
			flags = append(flags, fmt.Sprintf("line %d: SKU %q is not in the central catalog", i+1, l.SKU))
		}
	}
	for _, p := range s.Payments {
		if !slices.Contains(pos.Methods, p.Method) {
			flags = append(flags, fmt.Sprintf("unknown payment method %q", p.Method))
		}
	}
	if len(s.Lines) == 0 && s.Kind == pos.KindSale {
		flags = append(flags, "a sale with no lines")
	}
	if s.Kind == pos.KindVoid || s.Kind == pos.KindRefund {
		undo, err := checkUndo(look, s)
		if err != nil {
			return nil, err
		}
		flags = append(flags, undo...)
	}
	return flags, nil
}

// checkUndo checks a void or refund against the sale it undoes.
func checkUndo(look RecordLookup, s pos.Sale) ([]string, error) {
	var orig HubSale
	held, ok, err := look.HeldSale(s.Original)
	if err != nil {
		return nil, err
	}
	if s.Original == "" || !ok {
		return []string{fmt.Sprintf("a %s of sale %q, which the hub does not hold", s.Kind, s.Original)}, nil
	}
	orig.Sale = held
	if orig.Sale.KioskID != s.KioskID || orig.Sale.Kind != pos.KindSale {
		return []string{fmt.Sprintf("a %s of %s, a %s of kiosk %s", s.Kind, orig.Sale.ReceiptNo, orig.Sale.Kind, orig.Sale.KioskID)}, nil
	}
	if s.Kind == pos.KindVoid && s.Total != -orig.Sale.Total {
		return []string{fmt.Sprintf("a void of %d for a sale of %d", s.Total, orig.Sale.Total)}, nil
	}
	sold := map[string]int64{}
	for _, l := range orig.Sale.Lines {
		sold[l.SKU] += l.Qty
	}
	var flags []string
	for _, l := range s.Lines {
		if -l.Qty > sold[l.SKU] {
			flags = append(flags, fmt.Sprintf("%s returns %d of %s, the sale had %d", s.Kind, -l.Qty, l.SKU, sold[l.SKU]))
		}
	}
	return flags, nil
}

// checkTotals recomputes a record's totals from its lines by the kiosk's
// pricing rules (pos/pricing.go): a line is worth pos.LineGross of its price
// and quantity (or weight); it costs that less its discount, which is the sum
// of its parts (its promotion's, its own, its share of the sale's), none of
// them against the line's sign and all of them no more than the line is
// worth; a unit given free is a line at price 0 naming its promotion; the
// record's total, discount and sale discount are its lines'; the payments
// cover the total.
func checkTotals(s pos.Sale) string {
	var sum, discount, shares pos.Money
	for i, l := range s.Lines {
		if r := checkLine(l); r != "" {
			return fmt.Sprintf("line %d (%s): %s", i+1, l.SKU, r)
		}
		sum += l.Total
		discount += l.Discount
		shares += l.SaleDiscount
	}
	if sum != s.Total {
		return fmt.Sprintf("lines add up to %d, the record says %d", sum, s.Total)
	}
	if discount != s.Discount {
		return fmt.Sprintf("the lines' discounts add up to %d, the record says %d", discount, s.Discount)
	}
	if shares != s.SaleDiscount {
		return fmt.Sprintf("the lines' shares of the sale's discount add up to %d, the sale's discount is %d", shares, s.SaleDiscount)
	}
	var paid pos.Money
	for _, p := range s.Payments {
		paid += p.Amount
	}
	if paid != s.Total {
		return fmt.Sprintf("payments add up to %d, the total is %d", paid, s.Total)
	}
	return ""
}

// checkLine says what in a line the kiosk's pricing could not have made.
func checkLine(l pos.Line) string {
	sign := func(m int64) int64 {
		switch {
		case m > 0:
			return 1
		case m < 0:
			return -1
		}
		return 0
	}
	if l.WeightG != 0 && (l.Qty != sign(l.WeightG)) {
		return fmt.Sprintf("a weighed line of %d g with quantity %d (one weighing a line)", l.WeightG, l.Qty)
	}
	if l.Free != (l.Price == 0) || l.Free && l.Promotion == "" {
		return fmt.Sprintf("price %d on a line a promotion gives free: %v (a free unit has price 0 and names its promotion)", l.Price, l.Free)
	}
	gross := l.Gross()
	if parts := l.PromotionDiscount + l.LineDiscount + l.SaleDiscount; l.Discount != parts {
		return fmt.Sprintf("its discount %d is not its parts' %d", l.Discount, parts)
	}
	// A sale's discounts are ≥ 0 and take at most what the line is worth; a
	// void's or refund's are the same negated.
	within := func(d pos.Money) bool {
		if gross >= 0 {
			return d >= 0 && d <= gross
		}
		return d <= 0 && d >= gross
	}
	for _, d := range []pos.Money{l.PromotionDiscount, l.LineDiscount, l.SaleDiscount, l.Discount} {
		if !within(d) {
			return fmt.Sprintf("a discount of %d on a line worth %d", d, gross)
		}
	}
	if l.Total != gross-l.Discount {
		worth := fmt.Sprintf("%d × %d", l.Qty, l.Price)
		if l.WeightG != 0 {
			worth = fmt.Sprintf("%d g at %d a kg", l.WeightG, l.Price)
		}
		if l.Discount != 0 {
			worth += fmt.Sprintf(" less %d", l.Discount)
		}
		return fmt.Sprintf("%s is not %d", worth, l.Total)
	}
	return ""
}

// Heartbeat records a kiosk's contact and its unsynced depth.
func (s *BoltStore) Heartbeat(kioskID string, depth int, now time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kioskID)
		if err != nil {
			return err
		}
		k.LastContact, k.Depth = now, depth
		return putKiosk(tx, k)
	})
}

// TokenHash is how kiosk and admin tokens are kept.
func TokenHash(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// checkToken verifies a kiosk's token against its record.
func checkToken(k Kiosk, tok string) error {
	if k.Revoked {
		return fmt.Errorf("%w: %s", ErrRevoked, k.ID)
	}
	if subtle.ConstantTimeCompare(TokenHash(tok), k.TokenHash) != 1 {
		return fmt.Errorf("%w for %s", ErrBadToken, k.ID)
	}
	return nil
}
