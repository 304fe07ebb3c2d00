package pos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// The kiosk's own store is the truth about its sales and the hub its off-site
// copy. A store that may be behind the hub — restored from a backup, or new on a
// replacement machine that is linked to a hub — cannot know which receipt
// numbers the hub already holds. Until it has asked (Recover), its numbering is
// not verified: it sells in a provisional receipt series of its own (K01-R1-…),
// which can never clash with a number issued before, and sends nothing upstream.
// Recover then takes in the records it lacks from the hub, moves its provisional
// records after them in the record sequence, and selling goes on in the main
// series after the last number the hub held.

// Numbering is the state of the store's receipt numbering.
type Numbering struct {
	Verified bool `json:"verified"`
	// Series names the provisional series while the numbering is not verified
	// ("R1": receipts K01-R1-000001…).
	Series string `json:"series,omitempty"`
	// Base is the last record sequence known to be this store's own when the
	// numbering stopped being verified: records above it are provisional.
	Base uint64 `json:"base"`
	// Restores counts the times the numbering stopped being verified; it names the
	// next provisional series.
	Restores int `json:"restores,omitempty"`
	// Reason says why the numbering is not verified.
	Reason string `json:"reason,omitempty"`
}

// ErrNotVerified reports a store whose numbering must be verified against the
// hub first.
var ErrNotVerified = errors.New("receipt numbering not verified with the hub")

func readNumbering(tx *bolt.Tx) Numbering {
	n := Numbering{Verified: true}
	if v := tx.Bucket(bMeta).Get(kNumbering); v != nil {
		_ = json.Unmarshal(v, &n)
	}
	return n
}

func writeNumbering(tx *bolt.Tx, n Numbering) error {
	if n.Verified {
		n.Series, n.Reason = "", ""
	}
	return putJSON(tx.Bucket(bMeta), kNumbering, n)
}

// unverify stops trusting the numbering: from now on records are numbered in a
// new provisional series until Recover. A store already unverified keeps its
// series and base.
func unverify(tx *bolt.Tx, reason string) (Numbering, error) {
	n := readNumbering(tx)
	if !n.Verified {
		return n, nil
	}
	n.Restores++
	n.Verified, n.Series, n.Base, n.Reason = false, "R"+strconv.Itoa(n.Restores), lastSeq(tx), reason
	return n, writeNumbering(tx, n)
}

// Numbering reports the store's numbering state.
func (s *Store) Numbering() (Numbering, error) {
	var n Numbering
	err := s.db.View(func(tx *bolt.Tx) error { n = readNumbering(tx); return nil })
	return n, err
}

// Unverify marks the numbering as not verified against the hub (a new store on a
// kiosk linked to a hub, which may be replacing a machine mid-fair).
func (s *Store) Unverify(reason string) (Numbering, error) {
	var n Numbering
	err := s.commit(func(tx *bolt.Tx) error {
		var err error
		n, err = unverify(tx, reason)
		return err
	})
	return n, err
}

// RecoverBase is the record sequence after which the hub's records are wanted:
// the base of an unverified store, the newest record of a verified one.
func (s *Store) RecoverBase() (uint64, error) {
	var base uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if n := readNumbering(tx); !n.Verified {
			base = n.Base
		} else {
			base = lastSeq(tx)
		}
		return nil
	})
	return base, err
}

// Recovery is what Recover did.
type Recovery struct {
	Recovered int `json:"recovered"` // records taken in from the hub
	Moved     int `json:"moved"`     // provisional records moved after them
	// Lost are sequence numbers below the hub's newest record that neither the
	// hub nor this store holds: records lost with the old store before they
	// reached the hub. The hub is told, so its acknowledgement can pass them.
	Lost []SeqRange `json:"lost,omitempty"`
	// Skipped are records the hub sent that could not be taken in (another
	// kiosk's, malformed); they are reported, not stored.
	Skipped []string `json:"skipped,omitempty"`
}

// SeqRange is a run of record sequence numbers, both ends included.
type SeqRange struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// Recover takes in the records the hub holds for this kiosk above RecoverBase
// (recs, in any order), and verifies the numbering, in one transaction:
//
//   - each record is stored as the hub holds it, with its stock change replayed
//     (a sale takes stock, a void or a restocked refund puts it back; stock never
//     goes below zero); no receipt is printed again;
//   - provisional records are moved after the newest recovered one, keeping
//     their provisional receipt numbers; a provisional shift whose id the hub
//     already knows gets a new one;
//   - every receipt series continues after the highest number seen, and shift
//     numbers after the highest shift seen;
//   - the hub's acknowledgement becomes the outbox cursor.
//
// With no records (the hub holds nothing newer) it only verifies the numbering.
func (s *Store) Recover(recs []OutboxRecord, hubAcked uint64) (Recovery, error) {
	var res Recovery
	err := s.commit(func(tx *bolt.Tx) error {
		res = Recovery{}
		n := readNumbering(tx)
		base := lastSeq(tx)
		if !n.Verified {
			base = n.Base
		}
		sales := tx.Bucket(bSales)
		var take []Sale
		seen := map[uint64]bool{}
		for _, r := range recs {
			sl := r.Sale
			switch {
			case sl.KioskID != s.kioskID || r.SaleID != sl.ID || !ValidID(sl.ID) || r.Seq != sl.Seq || sl.Seq <= base:
				res.Skipped = append(res.Skipped, fmt.Sprintf("%d %s", r.Seq, r.SaleID))
			case seen[sl.Seq] || sales.Get([]byte(sl.ID)) != nil:
				// already here
			default:
				seen[sl.Seq] = true
				take = append(take, sl)
			}
		}
		sort.Slice(take, func(i, j int) bool { return take[i].Seq < take[j].Seq })
		top := lastSeq(tx) // the newest provisional record, or base
		newest := base
		if len(take) > 0 {
			newest = take[len(take)-1].Seq
		}
		if hubAcked > newest {
			newest = hubAcked // the hub acknowledged more than it could send back
		}
		// Provisional records move after the hub's: the first goes to newest+1.
		if err := moveProvisional(tx, base, top, newest, take, &res); err != nil {
			return err
		}
		for i := range take {
			if err := takeIn(tx, &take[i]); err != nil {
				return err
			}
		}
		// Invoice series and the MCCQT counter continue after the hub's.
		if err := recoverInvoices(tx, take); err != nil {
			return err
		}
		res.Recovered = len(take)
		if err := recoverShifts(tx, take); err != nil {
			return err
		}
		// What neither side holds between base and the newest recovered record.
		next := base + 1
		for _, sl := range take {
			if sl.Seq > next {
				res.Lost = append(res.Lost, SeqRange{next, sl.Seq - 1})
			}
			next = sl.Seq + 1
		}
		if res.Recovered > 0 || res.Moved > 0 {
			if err := rebuildShiftTotals(tx); err != nil {
				return err
			}
		}
		if !n.Verified {
			// A provisional series that numbered nothing is free for the next time.
			if b := tx.Bucket(bReceipts).Bucket([]byte(s.kioskID + "-" + n.Series)); b == nil || b.Sequence() == 0 {
				n.Restores--
			}
		}
		n.Verified = true
		if err := writeNumbering(tx, n); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kAcked, u64(hubAcked))
	})
	return res, err
}

// moveProvisional renumbers the records base+1…top to newest+1…, keeping their
// order and receipt numbers, and fixes what points at their sequence numbers.
func moveProvisional(tx *bolt.Tx, base, top, newest uint64, hubRecs []Sale, res *Recovery) error {
	seqs := tx.Bucket(bSalesSeq)
	shift := newest - base
	hubShifts := map[string]bool{}
	maxShift := uint64(0)
	for _, sl := range hubRecs {
		hubShifts[sl.ShiftID] = true
		maxShift = max(maxShift, shiftNumber(sl.ShiftID))
	}
	if err := seriesAtLeast(tx, hubRecs); err != nil {
		return err
	}
	// Shift ids the hub knows are taken: later shifts are numbered after them,
	// and a provisional shift that reused one is renamed.
	shifts := tx.Bucket(bShifts)
	if maxShift > shifts.Sequence() {
		if err := shifts.SetSequence(maxShift); err != nil {
			return abortTx{err}
		}
	}
	rename := map[string]string{}
	err := shifts.ForEach(func(k, v []byte) error {
		var sh Shift
		if err := json.Unmarshal(v, &sh); err != nil {
			return err
		}
		if sh.FromSeq > base && hubShifts[sh.ID] {
			nid, err := shifts.NextSequence()
			if err != nil {
				return err
			}
			rename[sh.ID] = ShiftID(strings.Split(sh.ID, "-S")[0], nid)
		}
		return nil
	})
	if err != nil {
		return abortTx{err}
	}
	for old, nu := range rename {
		var sh Shift
		if _, err := getJSON(shifts, []byte(old), &sh); err != nil {
			return abortTx{err}
		}
		sh.ID = nu
		if err := shifts.Delete([]byte(old)); err != nil {
			return abortTx{err}
		}
		if err := putJSON(shifts, []byte(nu), sh); err != nil {
			return err
		}
		if cur := tx.Bucket(bMeta).Get(kCurrentShift); string(cur) == old {
			if err := tx.Bucket(bMeta).Put(kCurrentShift, []byte(nu)); err != nil {
				return abortTx{err}
			}
		}
	}
	// Shifts' sequence bounds above base move with the records.
	if shift > 0 {
		var fix []Shift
		err := shifts.ForEach(func(_, v []byte) error {
			var sh Shift
			if err := json.Unmarshal(v, &sh); err != nil {
				return err
			}
			if sh.FromSeq > base || sh.ToSeq > base {
				fix = append(fix, sh)
			}
			return nil
		})
		if err != nil {
			return abortTx{err}
		}
		for _, sh := range fix {
			if sh.FromSeq > base {
				sh.FromSeq += shift
			}
			if sh.ToSeq > base {
				sh.ToSeq += shift
			}
			if err := putJSON(shifts, []byte(sh.ID), sh); err != nil {
				return err
			}
		}
	}
	if top <= base || (shift == 0 && len(rename) == 0) {
		if newest > seqs.Sequence() {
			if err := seqs.SetSequence(newest); err != nil {
				return abortTx{err}
			}
		}
		return nil
	}
	// Read the provisional records, then rewrite them at their new places.
	var moved []Sale
	c := seqs.Cursor()
	for k, id := c.Seek(u64(base + 1)); k != nil; k, id = c.Next() {
		var r Sale
		if _, err := getJSON(tx.Bucket(bSales), id, &r); err != nil {
			return abortTx{err}
		}
		moved = append(moved, r)
	}
	idemKeys := map[uint64][]byte{}
	for _, r := range moved {
		if err := seqs.Delete(u64(r.Seq)); err != nil {
			return abortTx{err}
		}
		if err := tx.Bucket(bSalesTime).Delete(timeKey(r.Time, r.Seq)); err != nil {
			return abortTx{err}
		}
		if key := tx.Bucket(bIdemSeq).Get(u64(r.Seq)); key != nil {
			idemKeys[r.Seq] = bytes.Clone(key)
			if err := tx.Bucket(bIdemSeq).Delete(u64(r.Seq)); err != nil {
				return abortTx{err}
			}
		}
	}
	for i := range moved {
		r := &moved[i]
		old := r.Seq
		r.Seq += shift
		if nu, ok := rename[r.ShiftID]; ok {
			r.ShiftID = nu
		}
		if err := putJSON(tx.Bucket(bSales), []byte(r.ID), r); err != nil {
			return err
		}
		if err := tx.Bucket(bSalesTime).Put(timeKey(r.Time, r.Seq), []byte(r.ID)); err != nil {
			return abortTx{err}
		}
		if err := seqs.Put(u64(r.Seq), []byte(r.ID)); err != nil {
			return abortTx{err}
		}
		if key, ok := idemKeys[old]; ok {
			var ir idemRecord
			if _, err := getJSON(tx.Bucket(bIdem), key, &ir); err != nil {
				return abortTx{err}
			}
			ir.Seq = r.Seq
			if err := putIdem(tx, string(key), ir); err != nil {
				return err
			}
		}
	}
	res.Moved = len(moved)
	if err := seqs.SetSequence(top + shift); err != nil {
		return abortTx{err}
	}
	return nil
}

// takeIn stores a record recovered from the hub and replays its stock change.
func takeIn(tx *bolt.Tx, r *Sale) error {
	r.UndoneBy, r.Status = nil, StatusCompleted
	if err := tx.Bucket(bSalesSeq).Put(u64(r.Seq), []byte(r.ID)); err != nil {
		return abortTx{err}
	}
	if err := putJSON(tx.Bucket(bSales), []byte(r.ID), r); err != nil {
		return err
	}
	if err := tx.Bucket(bSalesTime).Put(timeKey(r.Time, r.Seq), []byte(r.ID)); err != nil {
		return abortTx{err}
	}
	if err := tx.Bucket(bReceiptIx).Put([]byte(r.ReceiptNo), []byte(r.ID)); err != nil {
		return abortTx{err}
	}
	if r.Original != "" {
		if err := tx.Bucket(bUndo).Put([]byte(r.Original+"|"+r.ID), nil); err != nil {
			return abortTx{err}
		}
	}
	if err := indexInvoices(tx, r); err != nil {
		return err
	}
	if err := markSerials(tx, r); err != nil {
		return err
	}
	if r.Kind == KindRefund && !r.Restocked {
		return nil
	}
	for _, l := range r.Lines {
		if tx.Bucket(bProducts).Get([]byte(l.SKU)) == nil {
			continue
		}
		if err := putStock(tx, l.SKU, max(getStock(tx, l.SKU)-l.Units(), 0)); err != nil {
			return err
		}
	}
	return nil
}

// recoverShifts records the shifts of recovered records that this store does not
// know: closed, marked as recovered, bounded by their records. Their cash was
// counted, if at all, on the store that was lost.
func recoverShifts(tx *bolt.Tx, recs []Sale) error {
	shifts := tx.Bucket(bShifts)
	made := map[string]*Shift{}
	for _, r := range recs {
		if r.ShiftID == "" || shifts.Get([]byte(r.ShiftID)) != nil {
			continue
		}
		sh := made[r.ShiftID]
		if sh == nil {
			t := r.Time
			sh = &Shift{ID: r.ShiftID, KioskID: r.KioskID, OpenedAt: r.Time, Auto: true, Recovered: true,
				ClosedAt: &t, ClosedBy: "recovered from the hub", FromSeq: r.Seq, ToSeq: r.Seq}
			made[r.ShiftID] = sh
		}
		if r.Time.Before(sh.OpenedAt) {
			sh.OpenedAt = r.Time
		}
		if r.Time.After(*sh.ClosedAt) {
			t := r.Time
			sh.ClosedAt = &t
		}
		sh.FromSeq, sh.ToSeq = min(sh.FromSeq, r.Seq), max(sh.ToSeq, r.Seq)
	}
	for id, sh := range made {
		if err := putJSON(shifts, []byte(id), sh); err != nil {
			return err
		}
	}
	return nil
}

// seriesAtLeast makes every receipt series continue after the highest number
// the recovered records carry.
func seriesAtLeast(tx *bolt.Tx, recs []Sale) error {
	for _, r := range recs {
		i := strings.LastIndexByte(r.ReceiptNo, '-')
		if i <= 0 {
			continue
		}
		num, err := strconv.ParseUint(r.ReceiptNo[i+1:], 10, 64)
		if err != nil {
			continue
		}
		b, err := tx.Bucket(bReceipts).CreateBucketIfNotExists([]byte(r.ReceiptNo[:i]))
		if err != nil {
			return abortTx{err}
		}
		if num > b.Sequence() {
			if err := b.SetSequence(num); err != nil {
				return abortTx{err}
			}
		}
	}
	return nil
}

// shiftNumber is n of a shift id K01-S000n (0 when it is not one).
func shiftNumber(id string) uint64 {
	i := strings.LastIndex(id, "-S")
	if i < 0 {
		return 0
	}
	n, _ := strconv.ParseUint(id[i+2:], 10, 64)
	return n
}
