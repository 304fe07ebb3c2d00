package pos

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

var bOutboxV1 = []byte("outbox") // schema 1: seq → a copy of each record still to send

// migrate1to2 moves a schema 1 store forward in the transaction that opens it:
// its record sequence becomes the store-wide one the outbox reads, the copies in
// the old outbox go (the records are in the sales bucket), idempotency keys get
// the sequence that ages them, and every shift its running totals. It returns the
// kiosk id the store numbered receipts for.
func migrate1to2(tx *bolt.Tx, want string) (string, error) {
	var kiosks []string
	err := tx.Bucket(bReceipts).ForEachBucket(func(k []byte) error {
		kiosks = append(kiosks, string(k))
		return nil
	})
	if err != nil {
		return "", err
	}
	kiosk := want
	if len(kiosks) == 1 {
		kiosk = kiosks[0]
	} else if len(kiosks) > 1 && !slices.Contains(kiosks, want) {
		return "", fmt.Errorf("%w: it numbered receipts for %s", ErrWrongKiosk, strings.Join(kiosks, ", "))
	}
	seqs := tx.Bucket(bSalesSeq)
	if k, _ := seqs.Cursor().Last(); k != nil {
		if err := seqs.SetSequence(binary.BigEndian.Uint64(k)); err != nil {
			return "", err
		}
	}
	err = tx.Bucket(bSales).ForEach(func(id, v []byte) error {
		var sl Sale
		if err := json.Unmarshal(v, &sl); err != nil {
			return fmt.Errorf("sale %s: %w", id, err)
		}
		return tx.Bucket(bReceiptIx).Put([]byte(sl.ReceiptNo), id)
	})
	if err != nil {
		return "", err
	}
	if tx.Bucket(bOutboxV1) != nil {
		if err := tx.DeleteBucket(bOutboxV1); err != nil {
			return "", err
		}
	}
	type keyed struct {
		key string
		rec idemRecord
	}
	var idem []keyed
	err = tx.Bucket(bIdem).ForEach(func(k, v []byte) error {
		var r idemRecord
		if json.Unmarshal(v, &r) != nil {
			return nil // unreadable: forget it
		}
		var sl Sale
		if ok, err := getJSON(tx.Bucket(bSales), []byte(r.SaleID), &sl); err != nil || !ok {
			return nil
		}
		r.Seq = sl.Seq
		idem = append(idem, keyed{string(k), r})
		return nil
	})
	if err != nil {
		return "", err
	}
	for _, e := range idem {
		if err := putIdem(tx, e.key, e.rec); err != nil {
			return "", err
		}
	}
	return kiosk, rebuildShiftTotals(tx)
}
