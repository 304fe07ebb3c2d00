package pos

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
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

// requestHash is what an Idempotency-Key remembers of the request it came with
// (nil without a key).
func requestHash(key string, req any) []byte {
	if key == "" {
		return nil
	}
	canon, _ := json.Marshal(req)
	h := sha256.Sum256(canon)
	return h[:]
}

// replayOf looks up an idempotency key in b (sales' or orders' keys): the id of
// what the first request made under it ("" when the key is new), or
// ErrIdempotencyReuse when it came with another request.
func replayOf(b *bolt.Bucket, key string, hash []byte) (string, error) {
	if key == "" {
		return "", nil
	}
	var rec struct {
		Hash    []byte `json:"hash"`
		SaleID  string `json:"sale_id"`
		OrderID string `json:"order_id"`
	}
	ok, err := getJSON(b, []byte(key), &rec)
	if err != nil || !ok {
		return "", err
	}
	if !bytes.Equal(rec.Hash, hash) {
		return "", fmt.Errorf("%w: key %q", ErrIdempotencyReuse, key)
	}
	return rec.SaleID + rec.OrderID, nil
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
