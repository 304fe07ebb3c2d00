package pos

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MaxIdempotencyKey bounds the Idempotency-Key a client may send.
const MaxIdempotencyKey = 128

// idemRecord is what an Idempotency-Key remembers: the request's hash and the
// sale it made. Seq, the sale's record sequence, is what ages it: keys are
// forgotten by how many records came after them, never by the clock, so a clock
// set days ahead cannot make a retried sale sell twice.
type idemRecord struct {
	Hash   []byte    `json:"hash"`
	SaleID string    `json:"sale_id"`
	Time   time.Time `json:"time"`
	Seq    uint64    `json:"seq"`
}

func putIdem(tx *bolt.Tx, key string, r idemRecord) error {
	if err := putJSON(tx.Bucket(bIdem), []byte(key), r); err != nil {
		return err
	}
	if err := appending(tx, bIdemSeq).Put(u64(r.Seq), []byte(key)); err != nil {
		return abortTx{err}
	}
	return nil
}

// TrimIdempotency forgets the idempotency keys of all but the newest keep
// records, oldest first, in transactions of at most 1,000 keys so that sales do
// not wait behind it. It returns how many keys went.
func (s *Store) TrimIdempotency(keep uint64) (int, error) {
	total := 0
	for {
		n := 0
		err := s.commit(func(tx *bolt.Tx) error {
			n = 0
			top := lastSeq(tx)
			if top <= keep {
				return nil
			}
			cut := top - keep
			ix, keys := tx.Bucket(bIdemSeq), tx.Bucket(bIdem)
			var old [][]byte
			c := ix.Cursor()
			for k, key := c.First(); k != nil && binary.BigEndian.Uint64(k) <= cut && len(old) < 1000; k, key = c.Next() {
				old = append(old, bytes.Clone(k))
				if err := keys.Delete(key); err != nil {
					return abortTx{err}
				}
			}
			for _, k := range old {
				if err := ix.Delete(k); err != nil {
					return abortTx{err}
				}
			}
			n = len(old)
			return nil
		})
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}
