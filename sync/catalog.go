package sync

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The hub is the catalog master: every import or edit makes a new catalog
// version, which flows down to kiosks; each product's price history is kept so
// that reconciliation can tell the central price valid when a sale was made.

var (
	bCatalog = []byte("catalog")       // "current" → CatalogVersion
	bPrices  = []byte("price_history") // nested per SKU: unixnano → price
	// bChanged keeps, per kind ("producers", "products", "lots"), the version
	// in which each record last changed, so a kiosk gets only what changed
	// since its version; "since" → the first version it covers.
	bChanged = []byte("catalog_changed")
)

// CatalogVersion is the central catalog as a kiosk receives it.
type CatalogVersion struct {
	Version   uint64         `json:"version"`
	Published time.Time      `json:"published"`
	Producers []pos.Producer `json:"producers"`
	Products  []pos.Product  `json:"products"` // Stock is not the hub's to say: kiosks keep their own
	Lots      []pos.Lot      `json:"lots"`
}

// PricePoint is a central price from a moment on.
type PricePoint struct {
	From  time.Time `json:"from"`
	Price pos.Money `json:"price"`
}

func ensureCatalogBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bCatalog, bPrices, bChanged} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	for _, kind := range []string{"producers", "products", "lots"} {
		if _, err := tx.Bucket(bChanged).CreateBucketIfNotExists([]byte(kind)); err != nil {
			return err
		}
	}
	return nil
}

// markChanged records that a catalog record changed in version v (when it is
// new or differs from what the catalog held).
func markChanged(tx *bolt.Tx, kind, key string, old, nu any, existed bool, v uint64) error {
	if existed {
		a, _ := json.Marshal(old)
		b, _ := json.Marshal(nu)
		if bytes.Equal(a, b) {
			return nil
		}
	}
	return tx.Bucket(bChanged).Bucket([]byte(kind)).Put([]byte(key), u64key(v))
}

// inCatalog tells whether sku is in the central catalog; known is false when
// the hub keeps no catalog (kiosks sell on their own).
func inCatalog(tx *bolt.Tx, sku string) (in, known bool) {
	var prods *bolt.Bucket
	if b := tx.Bucket(bChanged); b != nil {
		prods = b.Bucket([]byte("products"))
	}
	if prods == nil {
		return false, false
	}
	if k, _ := prods.Cursor().First(); k == nil {
		return false, false
	}
	return prods.Get([]byte(sku)) != nil, true
}

// CatalogSince returns what a kiosk at version known needs to reach the current
// version: only the records changed since (Delta true), or the whole catalog
// when the hub cannot tell (the kiosk has none, is ahead of a hub restored from
// an older snapshot, or older than the change record).
func (s *BoltStore) CatalogSince(known uint64) (CatalogVersion, bool, error) {
	cv, err := s.Catalog()
	if err != nil || known == 0 || known >= cv.Version {
		return cv, false, err
	}
	delta := false
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bChanged)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte("since")); len(v) != 8 || binary.BigEndian.Uint64(v) > known+1 {
			return nil
		}
		changed := func(kind, key string) bool {
			v := b.Bucket([]byte(kind)).Get([]byte(key))
			return len(v) != 8 || binary.BigEndian.Uint64(v) > known
		}
		out := CatalogVersion{Version: cv.Version, Published: cv.Published}
		for _, p := range cv.Producers {
			if changed("producers", p.ID) {
				out.Producers = append(out.Producers, p)
			}
		}
		for _, p := range cv.Products {
			if changed("products", p.SKU) {
				out.Products = append(out.Products, p)
			}
		}
		for _, l := range cv.Lots {
			if changed("lots", l.ID()) {
				out.Lots = append(out.Lots, l)
			}
		}
		cv, delta = out, true
		return nil
	})
	return cv, delta, err
}

// Catalog returns the current central catalog (version 0: none yet).
func (s *BoltStore) Catalog() (CatalogVersion, error) {
	var c CatalogVersion
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCatalog)
		if b == nil {
			return nil
		}
		if v := b.Get([]byte("current")); v != nil {
			return json.Unmarshal(v, &c)
		}
		return nil
	})
	return c, err
}

// emptyCatalog says a change changes nothing.
func emptyCatalog(c pos.Catalog) bool {
	return len(c.Producers) == 0 && len(c.Products) == 0 && len(c.Lots) == 0
}

// PutCatalog merges c into the central catalog (records with the same key are
// replaced), validates all of it, publishes it as a new version and records
// each changed price from now on.
func (s *BoltStore) PutCatalog(c pos.Catalog, now time.Time) (CatalogVersion, error) {
	return s.putCatalog(func(CatalogVersion) (pos.Catalog, error) { return c, nil }, false, now)
}

// UpdateCatalog puts what change makes of the catalog as it stands, in one
// transaction (Store.UpdateCatalog).
func (s *BoltStore) UpdateCatalog(change func(cur CatalogVersion) (pos.Catalog, error), now time.Time) (CatalogVersion, error) {
	return s.putCatalog(change, true, now)
}

// putCatalog merges what change makes of the current catalog into it; with
// skipEmpty an empty change writes nothing.
func (s *BoltStore) putCatalog(change func(cur CatalogVersion) (pos.Catalog, error), skipEmpty bool, now time.Time) (CatalogVersion, error) {
	var out CatalogVersion
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := ensureCatalogBuckets(tx); err != nil {
			return err
		}
		var cur CatalogVersion
		if v := tx.Bucket(bCatalog).Get([]byte("current")); v != nil {
			if err := json.Unmarshal(v, &cur); err != nil {
				return err
			}
		}
		c, err := change(cur)
		if err != nil {
			return err
		}
		if skipEmpty && emptyCatalog(c) {
			out = cur
			return nil
		}
		next := cur.Version + 1
		if tx.Bucket(bChanged).Get([]byte("since")) == nil {
			// The change record starts now; a kiosk older than this gets it all.
			if err := tx.Bucket(bChanged).Put([]byte("since"), u64key(next)); err != nil {
				return err
			}
			for _, p := range cur.Producers {
				if err := markChanged(tx, "producers", p.ID, nil, nil, false, cur.Version); err != nil {
					return err
				}
			}
			for _, p := range cur.Products {
				if err := markChanged(tx, "products", p.SKU, nil, nil, false, cur.Version); err != nil {
					return err
				}
			}
			for _, l := range cur.Lots {
				if err := markChanged(tx, "lots", l.ID(), nil, nil, false, cur.Version); err != nil {
					return err
				}
			}
		}
		producers := map[string]pos.Producer{}
		for _, p := range cur.Producers {
			producers[p.ID] = p
		}
		for _, p := range c.Producers {
			if err := p.Validate(); err != nil {
				return err
			}
			old, existed := producers[p.ID]
			if err := markChanged(tx, "producers", p.ID, old, p, existed, next); err != nil {
				return err
			}
			producers[p.ID] = p
		}
		products := map[string]pos.Product{}
		for _, p := range cur.Products {
			products[p.SKU] = p
		}
		for _, p := range c.Products {
			if err := p.Validate(); err != nil {
				return err
			}
			if _, ok := producers[p.ProducerID]; !ok {
				return fmt.Errorf("product %s: unknown producer %q", p.SKU, p.ProducerID)
			}
			p.Stock = 0
			old, existed := products[p.SKU]
			if !existed || old.Price != p.Price {
				if err := putPrice(tx, p.SKU, now, p.Price); err != nil {
					return err
				}
			}
			if err := markChanged(tx, "products", p.SKU, old, p, existed, next); err != nil {
				return err
			}
			products[p.SKU] = p
		}
		lots := map[string]pos.Lot{}
		for _, l := range cur.Lots {
			lots[l.ID()] = l
		}
		for _, l := range c.Lots {
			if err := l.Validate(); err != nil {
				return err
			}
			if _, ok := products[l.SKU]; !ok {
				return fmt.Errorf("lot %s: %w %q", l.Code, pos.ErrUnknownSKU, l.SKU)
			}
			old, existed := lots[l.ID()]
			if l.Captured == nil { // a lot put again keeps the events producers sent
				l.Captured = old.Captured
			}
			if err := markChanged(tx, "lots", l.ID(), old, l, existed, next); err != nil {
				return err
			}
			lots[l.ID()] = l
		}
		out = CatalogVersion{Version: next, Published: now}
		for _, p := range producers {
			out.Producers = append(out.Producers, p)
		}
		for _, p := range products {
			out.Products = append(out.Products, p)
		}
		for _, l := range lots {
			out.Lots = append(out.Lots, l)
		}
		sort.Slice(out.Producers, func(i, j int) bool { return out.Producers[i].ID < out.Producers[j].ID })
		sort.Slice(out.Products, func(i, j int) bool { return out.Products[i].SKU < out.Products[j].SKU })
		sort.Slice(out.Lots, func(i, j int) bool { return out.Lots[i].ID() < out.Lots[j].ID() })
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return tx.Bucket(bCatalog).Put([]byte("current"), b)
	})
	return out, err
}

func putPrice(tx *bolt.Tx, sku string, from time.Time, price pos.Money) error {
	b, err := tx.Bucket(bPrices).CreateBucketIfNotExists([]byte(sku))
	if err != nil {
		return err
	}
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(from.UnixNano()))
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, uint64(price))
	return b.Put(k, v)
}

// priceBucket is sku's price history, or nil when the hub never priced it.
func priceBucket(tx *bolt.Tx, sku string) *bolt.Bucket {
	if root := tx.Bucket(bPrices); root != nil {
		return root.Bucket([]byte(sku))
	}
	return nil
}

// CentralPrice is the central price of sku valid at t, and false when the hub
// had no price for it then.
func (s *BoltStore) CentralPrice(sku string, t time.Time) (pos.Money, bool, error) {
	var price pos.Money
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := priceBucket(tx, sku)
		if b == nil {
			return nil
		}
		k := make([]byte, 8)
		binary.BigEndian.PutUint64(k, uint64(t.UnixNano()))
		c := b.Cursor()
		key, val := c.Seek(k)
		if key == nil || binary.BigEndian.Uint64(key) > uint64(t.UnixNano()) {
			key, val = c.Prev()
		}
		if key != nil {
			price, found = pos.Money(binary.BigEndian.Uint64(val)), true
		}
		return nil
	})
	return price, found, err
}

// PriceHistory lists a product's central prices, oldest first.
func (s *BoltStore) PriceHistory(sku string) ([]PricePoint, error) {
	var out []PricePoint
	err := s.db.View(func(tx *bolt.Tx) error {
		b := priceBucket(tx, sku)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out = append(out, PricePoint{From: time.Unix(0, int64(binary.BigEndian.Uint64(k))), Price: pos.Money(binary.BigEndian.Uint64(v))})
			return nil
		})
	})
	return out, err
}
