package sync

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The invoices of a day, read through an index by issue time, so that the
// delivery report of one day costs what that day holds, not what the hub has
// held since it started:
//
//	inv_by_issued  issued (Unix ns, big-endian) number stream-key → (empty)
//
// An entry is written in the transaction that files the invoice
// (queueInvoices); a store made before the index has it built once at open
// (buildInvoiceIndex). Delivery changes an invoice's state, never its issue
// time, so the index never moves.
var (
	bInvByIssued  = []byte("inv_by_issued")
	kInvoiceIndex = []byte("invoice_index")
)

// invoiceIndexVersion is the index's layout; a store that says another (or
// none) has it built again at open.
const invoiceIndexVersion = "1"

// issuedKey is where t starts in the index. Times before 1970 (no invoice is
// issued then) sort first.
func issuedKey(t time.Time) []byte {
	ns := t.UnixNano()
	if t.Year() < 1970 || ns < 0 {
		ns = 0
	}
	return binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(ns))
}

func indexInvoice(tx *bolt.Tx, stream string, hi HubInvoice) error {
	k := issuedKey(hi.Invoice.Issued)
	k = binary.BigEndian.AppendUint64(k, uint64(hi.Invoice.Number))
	return tx.Bucket(bInvByIssued).Put(append(k, stream...), nil)
}

// buildInvoiceIndex makes the by-issue-time index of a store that lacks it,
// in the opening transaction: a hub stopped midway builds it again whole.
func buildInvoiceIndex(tx *bolt.Tx) error {
	if string(tx.Bucket(bMeta).Get(kInvoiceIndex)) == invoiceIndexVersion {
		return nil
	}
	if tx.Bucket(bInvByIssued) != nil {
		if err := tx.DeleteBucket(bInvByIssued); err != nil {
			return err
		}
	}
	if _, err := tx.CreateBucket(bInvByIssued); err != nil {
		return err
	}
	entries := tx.Bucket(bInvEntries)
	err := entries.ForEachBucket(func(stream []byte) error {
		return entries.Bucket(stream).ForEach(func(_, v []byte) error {
			var hi HubInvoice
			if err := json.Unmarshal(v, &hi); err != nil {
				return fmt.Errorf("invoice of %s: %w", stream, err)
			}
			return indexInvoice(tx, string(stream), hi)
		})
	})
	if err != nil {
		return fmt.Errorf("build the invoice index: %w", err)
	}
	return tx.Bucket(bMeta).Put(kInvoiceIndex, []byte(invoiceIndexVersion))
}

// InvoicesIssuedBetween calls fn with the invoices issued in [from, to), in
// issue order, read through the by-issue-time index a few hundred at a time
// (fn runs between read transactions, as RecordsBetween's does).
func (s *BoltStore) InvoicesIssuedBetween(from, to time.Time, fn func(HubInvoice) error) error {
	if !from.Before(to) {
		return nil
	}
	end := issuedKey(to)
	within := func(k []byte) bool { return bytes.Compare(k[:8], end) < 0 }
	return walkIndex(s.db, bInvByIssued, issuedKey(from), within, func(tx *bolt.Tx, k []byte) (HubInvoice, bool, error) {
		var hi HubInvoice
		if len(k) < 16 {
			return hi, false, fmt.Errorf("the invoice index holds a short key %x", k)
		}
		stream := k[16:]
		var v []byte
		if b := tx.Bucket(bInvEntries).Bucket(stream); b != nil {
			v = b.Get(k[8:16])
		}
		if v == nil {
			return hi, false, fmt.Errorf("the invoice index names number %d of %s, which the store does not hold", binary.BigEndian.Uint64(k[8:16]), stream)
		}
		if err := json.Unmarshal(v, &hi); err != nil {
			return hi, false, fmt.Errorf("invoice %d of %s: %w", binary.BigEndian.Uint64(k[8:16]), stream, err)
		}
		return hi, !hi.Invoice.Issued.Before(from) && hi.Invoice.Issued.Before(to), nil
	}, fn)
}
