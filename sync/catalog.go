package sync

import (
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
	for _, b := range [][]byte{bCatalog, bPrices} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
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

// PutCatalog merges c into the central catalog (records with the same key are
// replaced), validates all of it, publishes it as a new version and records
// each changed price from now on.
func (s *BoltStore) PutCatalog(c pos.Catalog, now time.Time) (CatalogVersion, error) {
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
		producers := map[string]pos.Producer{}
		for _, p := range cur.Producers {
			producers[p.ID] = p
		}
		for _, p := range c.Producers {
			if err := p.Validate(); err != nil {
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
			if old, ok := products[p.SKU]; !ok || old.Price != p.Price {
				if err := putPrice(tx, p.SKU, now, p.Price); err != nil {
					return err
				}
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
			lots[l.ID()] = l
		}
		out = CatalogVersion{Version: cur.Version + 1, Published: now}
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
