package pos

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Listings a person looks at for recent things go newest first, a page at a
// time: before is the cursor (0 for the newest), and the answer's next cursor
// is 0 when nothing older is left. A page costs the same at 100 records as at
// 100,000.

// MaxPage bounds a page of any listing.
const MaxPage = 1000

func pageLimit(limit int) int {
	if limit <= 0 || limit > MaxPage {
		return MaxPage
	}
	return limit
}

// pageBefore walks a bucket keyed by big-endian sequence numbers backwards from
// before (exclusive; 0: from the newest), calling take for up to limit keys.
func pageBefore(c *bolt.Cursor, before uint64, limit int, take func(k, v []byte) error) (next uint64, err error) {
	var k, v []byte
	if before == 0 {
		k, v = c.Last()
	} else {
		k, v = c.Seek(u64(before))
		if k == nil {
			k, v = c.Last()
		}
		for k != nil && binary.BigEndian.Uint64(k) >= before {
			k, v = c.Prev()
		}
	}
	n := 0
	for ; k != nil; k, v = c.Prev() {
		if n == limit {
			return next, nil
		}
		if err := take(k, v); err != nil {
			return 0, err
		}
		next = binary.BigEndian.Uint64(k)
		n++
	}
	return 0, nil
}

// SalesBefore returns up to limit records, newest first, with a record
// sequence below before (0: from the newest), and the cursor of the next page.
func (s *Store) SalesBefore(before uint64, limit int) ([]Sale, uint64, error) {
	limit = pageLimit(limit)
	out := []Sale{}
	var next uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		next, err = pageBefore(tx.Bucket(bSalesSeq).Cursor(), before, limit, func(_, id []byte) error {
			sl, err := readSale(tx, string(id))
			if err == nil {
				out = append(out, sl)
			}
			return err
		})
		return err
	})
	return out, next, err
}

// SaleByReceipt finds a record by its receipt number: K01-000123, K01-R1-000004,
// or just the number of the kiosk's main series (123).
func (s *Store) SaleByReceipt(no string) (Sale, error) {
	no = strings.ToUpper(strings.TrimSpace(no))
	if n, err := strconv.ParseUint(no, 10, 64); err == nil {
		no = ReceiptNo(s.kioskID, n)
	}
	var sl Sale
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bReceiptIx).Get([]byte(no))
		if id == nil {
			return fmt.Errorf("%w: receipt %q", ErrNotFound, no)
		}
		var err error
		sl, err = readSale(tx, string(id))
		return err
	})
	return sl, err
}

// StockMovesBefore returns up to limit stock moves, newest first, with an id
// below before (0: from the newest), and the cursor of the next page.
func (s *Store) StockMovesBefore(before uint64, limit int) ([]StockMove, uint64, error) {
	limit = pageLimit(limit)
	out := []StockMove{}
	var next uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		next, err = pageBefore(tx.Bucket(bStockLog).Cursor(), before, limit, func(k, v []byte) error {
			var m StockMove
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("stock move %d: %w", binary.BigEndian.Uint64(k), err)
			}
			m.ID = binary.BigEndian.Uint64(k)
			out = append(out, m)
			return nil
		})
		return err
	})
	return out, next, err
}

// ShiftsBefore returns up to limit shifts, newest first, opened before the
// shift named before ("" for the newest), and the id of the next page's first.
func (s *Store) ShiftsBefore(before string, limit int) ([]Shift, string, error) {
	limit = pageLimit(limit)
	out := []Shift{}
	next := ""
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bShifts).Cursor()
		var k, v []byte
		if before == "" {
			k, v = c.Last()
		} else {
			c.Seek([]byte(before))
			k, v = c.Prev()
		}
		for ; k != nil; k, v = c.Prev() {
			if len(out) == limit {
				return nil
			}
			var sh Shift
			if err := json.Unmarshal(v, &sh); err != nil {
				return fmt.Errorf("shift %s: %w", k, err)
			}
			out = append(out, sh)
			next = sh.ID
		}
		next = ""
		return nil
	})
	return out, next, err
}
