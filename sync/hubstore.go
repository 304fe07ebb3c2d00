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
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

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
	Acked       uint64    `json:"acked"` // highest contiguous outbox sequence held
	LastContact time.Time `json:"last_contact,omitzero"`
	Depth       int       `json:"depth"` // the kiosk's unsynced records at its last heartbeat
}

// HubSale is a record as the hub keeps it: the kiosk's record, when it arrived,
// and whether its totals add up.
type HubSale struct {
	Sale     pos.Sale  `json:"sale"`
	Seq      uint64    `json:"seq"` // the kiosk's outbox sequence
	Received time.Time `json:"received"`
	Mismatch string    `json:"mismatch,omitempty"` // why the totals do not add up
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
	Sales(kioskID string) ([]HubSale, error)
	// The central catalog: versions, and each product's price history.
	Catalog() (CatalogVersion, error)
	PutCatalog(c pos.Catalog, now time.Time) (CatalogVersion, error)
	CentralPrice(sku string, at time.Time) (pos.Money, bool, error)
	PriceHistory(sku string) ([]PricePoint, error)
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

// OpenHubStore opens or creates the hub store at path.
func OpenHubStore(path string) (*BoltStore, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w", path, ErrHubLocked)
		}
		return nil, fmt.Errorf("open hub store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bKiosks, bSales, bSeqs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &BoltStore{db: db}, nil
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
	if !reKioskID.MatchString(id) {
		return fmt.Errorf("%w %q: 1–12 capital letters or digits, like K01", ErrBadKioskID, id)
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
// is stored exactly once. A record must belong to the kiosk that sends it.
func (s *BoltStore) Ingest(kioskID string, recs []pos.OutboxRecord, now time.Time) (uint64, error) {
	var acked uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		k, err := getKiosk(tx, kioskID)
		if err != nil {
			return err
		}
		seqs, err := tx.Bucket(bSeqs).CreateBucketIfNotExists([]byte(kioskID))
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Sale.KioskID != kioskID || r.SaleID != r.Sale.ID || r.Seq == 0 || !pos.ValidID(r.SaleID) {
				return fmt.Errorf("record %d (%s) does not belong to kiosk %s", r.Seq, r.SaleID, kioskID)
			}
			if tx.Bucket(bSales).Get([]byte(r.SaleID)) == nil {
				hs := HubSale{Sale: r.Sale, Seq: r.Seq, Received: now, Mismatch: checkTotals(r.Sale)}
				b, err := json.Marshal(hs)
				if err != nil {
					return err
				}
				if err := tx.Bucket(bSales).Put([]byte(r.SaleID), b); err != nil {
					return err
				}
			}
			key := make([]byte, 8)
			binary.BigEndian.PutUint64(key, r.Seq)
			if err := seqs.Put(key, []byte(r.SaleID)); err != nil {
				return err
			}
		}
		// The acknowledgement only moves over sequences without gaps.
		key := make([]byte, 8)
		for {
			binary.BigEndian.PutUint64(key, k.Acked+1)
			if seqs.Get(key) == nil {
				break
			}
			k.Acked++
		}
		k.LastContact = now
		acked = k.Acked
		return putKiosk(tx, k)
	})
	return acked, err
}

// checkTotals recomputes a record from its lines, never trusting the kiosk's
// word for a total: each line's total is price × qty, the sale's total is the
// sum of its lines, and the payments cover it.
func checkTotals(s pos.Sale) string {
	var sum pos.Money
	for i, l := range s.Lines {
		if l.Price*pos.Money(l.Qty) != l.Total {
			return fmt.Sprintf("line %d (%s): %d × %d is not %d", i+1, l.SKU, l.Qty, l.Price, l.Total)
		}
		sum += l.Total
	}
	if sum != s.Total {
		return fmt.Sprintf("lines add up to %d, the record says %d", sum, s.Total)
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

// Sales lists what arrived from a kiosk (every kiosk when id is empty), in the
// kiosk's receipt order.
func (s *BoltStore) Sales(kioskID string) ([]HubSale, error) {
	out := []HubSale{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bSales).ForEach(func(_, v []byte) error {
			var hs HubSale
			if err := json.Unmarshal(v, &hs); err != nil {
				return err
			}
			if kioskID == "" || hs.Sale.KioskID == kioskID {
				out = append(out, hs)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sale.KioskID != out[j].Sale.KioskID {
			return out[i].Sale.KioskID < out[j].Sale.KioskID
		}
		return out[i].Sale.Seq < out[j].Sale.Seq
	})
	return out, err
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
