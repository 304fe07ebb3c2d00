package pos

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SaleByIdempotencyKey returns the sale committed under a checkout's
// idempotency key, or ErrNotFound when none was: a till that lost the answer to
// its checkout (a dropped link, a restart) asks by the key it sent, never by
// the time, so it cannot take the previous customer's sale for this one's.
func (s *Store) SaleByIdempotencyKey(key string) (Sale, error) {
	if key == "" || len(key) > MaxIdempotencyKey {
		return Sale{}, fmt.Errorf("%w: idempotency key of %d bytes", ErrNotFound, len(key))
	}
	var sl Sale
	err := s.db.View(func(tx *bolt.Tx) error {
		var rec idemRecord
		ok, err := getJSON(tx.Bucket(bIdem), []byte(key), &rec)
		if err != nil {
			return fmt.Errorf("idempotency key %q: %w", key, err)
		}
		if !ok {
			return fmt.Errorf("%w: no sale under idempotency key %q", ErrNotFound, key)
		}
		sl, err = readSale(tx, rec.SaleID)
		return err
	})
	return sl, err
}
