package pos

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// StockMove is a logged stock change other than a sale: an import, an adjustment
// after a count, a delivery.
type StockMove struct {
	ID     uint64    `json:"id,omitempty"` // its place in the log (set when read)
	Time   time.Time `json:"time"`
	SKU    string    `json:"sku"`
	Delta  int64     `json:"delta"`
	After  int64     `json:"after"`
	Reason string    `json:"reason"`
}

func logStock(tx *bolt.Tx, m StockMove) error {
	b := appending(tx, bStockLog)
	n, err := b.NextSequence()
	if err != nil {
		return abortTx{err}
	}
	return putJSON(b, u64(n), m)
}

// listJSON decodes every record of a bucket in key order. keep, when not nil,
// may complete a record from the transaction and says whether to list it. A
// bucket that does not exist yet lists nothing.
// ---- catalog ----

// Producers returns all producers keyed by id.
func (s *Store) Producers() (map[string]Producer, error) {
	list, err := listJSON[Producer](s, bProducers, nil)
	out := make(map[string]Producer, len(list))
	for _, p := range list {
		out[p.ID] = p
	}
	return out, err
}

// Products returns all products, with current stock, in SKU order.
func (s *Store) Products() ([]Product, error) {
	return listJSON(s, bProducts, func(tx *bolt.Tx, p *Product) bool {
		p.Stock = getStock(tx, p.SKU)
		return true
	})
}

// Product returns one product with its current stock.
func (s *Store) Product(sku string) (Product, error) {
	var p Product
	err := s.db.View(func(tx *bolt.Tx) error {
		ok, err := getJSON(tx.Bucket(bProducts), []byte(sku), &p)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
		}
		p.Stock = getStock(tx, sku)
		return nil
	})
	return p, err
}

// Stock returns the current stock of each sku given (unknown skus are left out).
func (s *Store) Stock(skus []string) (map[string]int64, error) {
	out := make(map[string]int64, len(skus))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bStock)
		for _, sku := range skus {
			if v := b.Get([]byte(sku)); len(v) == 8 {
				out[sku] = int64(binary.BigEndian.Uint64(v))
			}
		}
		return nil
	})
	return out, err
}

// Lots returns the lots of sku, or every lot when sku is empty.
func (s *Store) Lots(sku string) ([]Lot, error) {
	var out []Lot
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bLots).Cursor()
		prefix := []byte{}
		if sku != "" {
			prefix = []byte(sku + "/")
		}
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var l Lot
			if err := json.Unmarshal(v, &l); err != nil {
				return fmt.Errorf("lot %s: %w", k, err)
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// CatalogCounts reports how many producers, products and lots the store holds.
func (s *Store) CatalogCounts() (producers, products, lots int, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		producers = tx.Bucket(bProducers).Stats().KeyN
		products = tx.Bucket(bProducts).Stats().KeyN
		lots = tx.Bucket(bLots).Stats().KeyN
		return nil
	})
	return
}

// Catalog is a set of catalog records to write together.
type Catalog struct {
	Producers []Producer
	Products  []Product
	Lots      []Lot
	// StockGiven[i] tells whether Products[i].Stock was given (an empty stock cell
	// keeps the current stock of an existing product).
	StockGiven []bool
	// ProductRows and LotRows give the file row of each record, for error reports.
	ProductRows, LotRows []int
}

func rowOf(rows []int, i int) int {
	if i < len(rows) {
		return rows[i]
	}
	return i + 2
}

// PutCatalog validates and upserts every record of c in one transaction: either all
// of it lands or none. Products must name a producer that exists or is in c; lots a
// product that exists or is in c. Stock given for a product replaces its stock and
// is logged as a move with reason.
func (s *Store) PutCatalog(c Catalog, reason string) error {
	for i := range c.Producers {
		if err := c.Producers[i].Validate(); err != nil {
			return err
		}
	}
	for i := range c.Products {
		if err := c.Products[i].Validate(); err != nil {
			return err
		}
	}
	for i := range c.Lots {
		if err := c.Lots[i].Validate(); err != nil {
			return err
		}
	}
	return s.commit(func(tx *bolt.Tx) error {
		newProducers := map[string]bool{}
		for _, p := range c.Producers {
			newProducers[p.ID] = true
		}
		newProducts := map[string]bool{}
		bad := &ImportError{Kind: "products"}
		for i, p := range c.Products {
			if !newProducers[p.ProducerID] && tx.Bucket(bProducers).Get([]byte(p.ProducerID)) == nil && len(bad.Rows) < MaxImportErrors {
				bad.Rows = append(bad.Rows, RowError{Row: rowOf(c.ProductRows, i), Column: "producer_id",
					Message: fmt.Sprintf("product %s: unknown producer %q", p.SKU, p.ProducerID)})
			}
			newProducts[p.SKU] = true
		}
		if len(bad.Rows) > 0 {
			return bad
		}
		bad = &ImportError{Kind: "lots"}
		for i, l := range c.Lots {
			if !newProducts[l.SKU] && tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil && len(bad.Rows) < MaxImportErrors {
				bad.Rows = append(bad.Rows, RowError{Row: rowOf(c.LotRows, i), Column: "sku",
					Message: fmt.Sprintf("lot %s: unknown sku %q", l.Code, l.SKU)})
			}
		}
		if len(bad.Rows) > 0 {
			return bad
		}
		// Everything checked: write.
		for _, p := range c.Producers {
			if err := putJSON(tx.Bucket(bProducers), []byte(p.ID), p); err != nil {
				return err
			}
		}
		now := s.now()
		for i, p := range c.Products {
			exists := tx.Bucket(bProducts).Get([]byte(p.SKU)) != nil
			given := i >= len(c.StockGiven) || c.StockGiven[i]
			stock := p.Stock
			p.Stock = 0 // kept in the stock bucket
			if err := putJSON(tx.Bucket(bProducts), []byte(p.SKU), p); err != nil {
				return err
			}
			if !given && exists {
				continue
			}
			before := getStock(tx, p.SKU)
			if err := putStock(tx, p.SKU, stock); err != nil {
				return err
			}
			if stock != before {
				if err := logStock(tx, StockMove{Time: now, SKU: p.SKU, Delta: stock - before, After: stock, Reason: reason}); err != nil {
					return err
				}
			}
		}
		for _, l := range c.Lots {
			if l.Events == nil { // a lots file has no history: keep the lot's
				var old Lot
				if _, err := getJSON(tx.Bucket(bLots), []byte(l.ID()), &old); err != nil {
					return err
				}
				l.Events = old.Events
			}
			if l.Captured == nil { // nor the events producers sent
				var old Lot
				if _, err := getJSON(tx.Bucket(bLots), []byte(l.ID()), &old); err != nil {
					return err
				}
				l.Captured = old.Captured
			}
			if err := putJSON(tx.Bucket(bLots), []byte(l.ID()), l); err != nil {
				return err
			}
		}
		return nil
	})
}

// MaxStockDelta bounds one manual stock adjustment.
const MaxStockDelta = 1_000_000

// AdjustStock changes the stock of sku by delta (a delivery, a count, breakage) and
// logs why. Stock may not go below zero.
func (s *Store) AdjustStock(sku string, delta int64, reason string) (int64, error) {
	if delta == 0 || delta > MaxStockDelta || delta < -MaxStockDelta {
		return 0, fmt.Errorf("%w: stock change %d, want ±1 to ±%d", ErrBadQuantity, delta, MaxStockDelta)
	}
	var after int64
	err := s.commit(func(tx *bolt.Tx) error {
		if tx.Bucket(bProducts).Get([]byte(sku)) == nil {
			return fmt.Errorf("%w: %q", ErrUnknownSKU, sku)
		}
		before := getStock(tx, sku)
		after = before + delta
		if after < 0 {
			return fmt.Errorf("%w: %s has %d, cannot remove %d", ErrOutOfStock, sku, before, -delta)
		}
		if after > MaxStock {
			return fmt.Errorf("%w: %s stock would be %d", ErrBadQuantity, sku, after)
		}
		if err := putStock(tx, sku, after); err != nil {
			return err
		}
		return logStock(tx, StockMove{Time: s.now(), SKU: sku, Delta: delta, After: after, Reason: reason})
	})
	return after, err
}

// StockMoves returns the logged stock moves, oldest first.
func (s *Store) StockMoves() ([]StockMove, error) {
	return listJSON[StockMove](s, bStockLog, nil)
}

func sortProducers(ps []Producer) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
}
