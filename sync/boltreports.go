package sync

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The bbolt store's report indexes, filled in the transaction that stores a
// record and built once for a store made before them (buildReportIndexes):
//
//	sales_by_day    YYYYMMDD kiosk 0x00 seq sale-id → (empty): the records of a Vietnam day, by kiosk and sequence
//	sales_by_kiosk  kiosk 0x00 seq sale-id → (empty): the sales listing's pages
//	day_net         YYYYMMDD kiosk → net (int64): the chart
//	kiosk_tally     kiosk → {held, units: key → units, twice: seq → (empty)}
//	producer_day    YYYYMMDD producer → the producer's settlement figures of the day
var (
	bByDay   = []byte("sales_by_day")
	bByKiosk = []byte("sales_by_kiosk")
	bDayNet  = []byte("day_net")
	bTally   = []byte("kiosk_tally")
	bProdDay = []byte("producer_day")

	kReportIndex = []byte("report_index")
	kHeld        = []byte("held")
	bUnits       = []byte("units")
	bTwice       = []byte("twice")
)

// reportIndexVersion is the indexes' layout; a store that says another (or
// none) has them built again at open.
const reportIndexVersion = "2"

// recordsPerView is how many records RecordsBetween reads in one read
// transaction: fn runs between transactions, so that it may read the store
// itself (the central price) without holding a reader across a writer's
// remap.
const recordsPerView = 256

func dayKey(t time.Time) []byte {
	return []byte(t.In(pos.VietnamTime).Format("20060102"))
}

func kioskSeqKey(kiosk string, seq uint64, id string) []byte {
	k := make([]byte, 0, len(kiosk)+1+8+len(id))
	k = append(k, kiosk...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, seq)
	return append(k, id...)
}

// indexRecord enters a record just stored into the report indexes; twice
// says another sale holds its sequence already.
func indexRecord(tx *bolt.Tx, s pos.Sale, twice bool) error {
	day := dayKey(s.Time)
	ks := kioskSeqKey(s.KioskID, s.Seq, s.ID)
	if err := tx.Bucket(bByDay).Put(append(append([]byte{}, day...), ks...), nil); err != nil {
		return err
	}
	if err := tx.Bucket(bByKiosk).Put(ks, nil); err != nil {
		return err
	}
	if v, ok := netOf(s); ok {
		nk := append(append([]byte{}, day...), s.KioskID...)
		var net int64
		if old := tx.Bucket(bDayNet).Get(nk); len(old) == 8 {
			net = int64(binary.BigEndian.Uint64(old))
		}
		if err := tx.Bucket(bDayNet).Put(nk, binary.BigEndian.AppendUint64(nil, uint64(net+int64(v)))); err != nil {
			return err
		}
	}
	if err := settleDay(tx, day, s); err != nil {
		return err
	}
	kb, err := tx.Bucket(bTally).CreateBucketIfNotExists([]byte(s.KioskID))
	if err != nil {
		return err
	}
	var held uint64
	if v := kb.Get(kHeld); len(v) == 8 {
		held = binary.BigEndian.Uint64(v)
	}
	if err := kb.Put(kHeld, u64key(held+1)); err != nil {
		return err
	}
	if twice {
		tw, err := kb.CreateBucketIfNotExists(bTwice)
		if err != nil {
			return err
		}
		if err := tw.Put(u64key(s.Seq), nil); err != nil {
			return err
		}
	}
	ub, err := kb.CreateBucketIfNotExists(bUnits)
	if err != nil {
		return err
	}
	var ferr error
	CountUnits(func(key string) (*UnitsSold, uint64) {
		var e unitsEntry
		if v := ub.Get([]byte(key)); v == nil || json.Unmarshal(v, &e) != nil {
			return nil, 0
		}
		return &e.UnitsSold, e.NameSeq
	}, s, func(key string, u *UnitsSold, nameSeq uint64) {
		b, err := json.Marshal(unitsEntry{UnitsSold: *u, NameSeq: nameSeq})
		if err == nil {
			err = ub.Put([]byte(key), b)
		}
		if err != nil && ferr == nil {
			ferr = err
		}
	})
	return ferr
}

// settleDay adds a record's lines to its day's producer figures.
func settleDay(tx *bolt.Tx, day []byte, s pos.Sale) error {
	b := tx.Bucket(bProdDay)
	figures := map[string]*ProducerDay{}
	get := func(producer string) *ProducerDay {
		d := figures[producer]
		if d == nil {
			d = &ProducerDay{}
			if v := b.Get(append(append([]byte{}, day...), producer...)); v != nil {
				_ = json.Unmarshal(v, d) // a damaged entry starts again from zero
			}
			d.ProducerID = producer
			figures[producer] = d
		}
		return d
	}
	bad, badProducer := SettleRecord(s, func(producer string) *ProducerSettlement { return &get(producer).ProducerSettlement })
	if bad != "" {
		if d := get(badProducer); d.Bad == "" {
			d.Bad = bad
		}
	}
	for producer, d := range figures {
		v, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := b.Put(append(append([]byte{}, day...), producer...), v); err != nil {
			return err
		}
	}
	return nil
}

// ProducerDays reads the producers' figures of the days of [from, to).
func (s *BoltStore) ProducerDays(from, to time.Time) ([]ProducerDay, error) {
	var out []ProducerDay
	if !from.Before(to) {
		return out, nil
	}
	lastDay := dayKey(to.Add(-time.Nanosecond))
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bProdDay).Cursor()
		for k, v := c.Seek(dayKey(from)); k != nil && bytes.Compare(k[:8], lastDay) <= 0; k, v = c.Next() {
			day, err := time.ParseInLocation("20060102", string(k[:8]), pos.VietnamTime)
			if err != nil {
				return fmt.Errorf("producer_day key %q: %w", k, err)
			}
			d := ProducerDay{}
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("producer_day %q: %w", k, err)
			}
			d.Day, d.ProducerID = day, string(k[8:])
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// unitsEntry is a product's running units total and the sequence of the
// record its name came from.
type unitsEntry struct {
	UnitsSold
	NameSeq uint64 `json:"name_seq"`
}

// buildReportIndexes makes the report indexes of a store that lacks them
// (made before them, or by an older hub): every record held is entered once,
// in one transaction, so a hub stopped midway builds them again whole.
func buildReportIndexes(tx *bolt.Tx) error {
	if string(tx.Bucket(bMeta).Get(kReportIndex)) == reportIndexVersion {
		return nil
	}
	for _, b := range [][]byte{bByDay, bByKiosk, bDayNet, bTally, bProdDay} {
		if tx.Bucket(b) != nil {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	// Write after the walk: bbolt forbids changing a bucket under a cursor,
	// and the indexes are other buckets, so the walk can index as it goes.
	err := tx.Bucket(bSales).ForEach(func(id, v []byte) error {
		var hs HubSale
		if err := json.Unmarshal(v, &hs); err != nil {
			return fmt.Errorf("sale %s: %w", id, err)
		}
		var holder []byte
		if seqs := tx.Bucket(bSeqs).Bucket([]byte(hs.Sale.KioskID)); seqs != nil {
			holder = seqs.Get(u64key(hs.Sale.Seq))
		}
		return indexRecord(tx, hs.Sale, len(holder) > 0 && !bytes.Equal(holder, id))
	})
	if err != nil {
		return fmt.Errorf("build the report indexes: %w", err)
	}
	return tx.Bucket(bMeta).Put(kReportIndex, []byte(reportIndexVersion))
}

// RecordsBetween calls fn with the records made in [from, to), read through
// the by-day index a few hundred at a time.
func (s *BoltStore) RecordsBetween(from, to time.Time, fn func(HubSale) error) error {
	if !from.Before(to) {
		return nil
	}
	lastDay := dayKey(to.Add(-time.Nanosecond))
	within := func(k []byte) bool { return bytes.Compare(k[:8], lastDay) <= 0 }
	return walkIndex(s.db, bByDay, dayKey(from), within, func(tx *bolt.Tx, k []byte) (HubSale, bool, error) {
		var hs HubSale
		id := k[bytes.IndexByte(k[8:], 0)+8+1+8:]
		v := tx.Bucket(bSales).Get(id)
		if v == nil {
			return hs, false, fmt.Errorf("the by-day index names sale %s, which the store does not hold", id)
		}
		if err := json.Unmarshal(v, &hs); err != nil {
			return hs, false, fmt.Errorf("sale %s: %w", id, err)
		}
		return hs, !hs.Sale.Time.Before(from) && hs.Sale.Time.Before(to), nil
	}, fn)
}

// walkIndex reads an index bucket from seek on while within holds for its
// keys, recordsPerView keys a read transaction: take turns each key into what
// it names (and whether to keep it) inside the transaction, and fn gets what
// was kept between transactions, so that a report's work never holds one
// open. The key to go on from is copied out of the transaction that read it.
func walkIndex[T any](db *bolt.DB, bucket, seek []byte, within func(k []byte) bool,
	take func(tx *bolt.Tx, k []byte) (T, bool, error), fn func(T) error) error {
	for {
		var batch []T
		var next []byte
		err := db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucket).Cursor()
			for k, _ := c.Seek(seek); k != nil && within(k); k, _ = c.Next() {
				if len(batch) == recordsPerView {
					next = bytes.Clone(k)
					return nil
				}
				v, keep, err := take(tx, k)
				if err != nil {
					return err
				}
				if keep {
					batch = append(batch, v)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, v := range batch {
			if err := fn(v); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		seek = next
	}
}

// KioskTallies reads every kiosk's running totals and the sequences held
// above its acknowledgement.
func (s *BoltStore) KioskTallies() (map[string]KioskTally, error) {
	out := map[string]KioskTally{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bTally).ForEachBucket(func(id []byte) error {
			kb := tx.Bucket(bTally).Bucket(id)
			var t KioskTally
			if v := kb.Get(kHeld); len(v) == 8 {
				t.Held = int(binary.BigEndian.Uint64(v))
			}
			if tw := kb.Bucket(bTwice); tw != nil {
				if err := tw.ForEach(func(k, _ []byte) error {
					t.Twice = append(t.Twice, binary.BigEndian.Uint64(k))
					return nil
				}); err != nil {
					return err
				}
			}
			if ub := kb.Bucket(bUnits); ub != nil {
				if err := ub.ForEach(func(k, v []byte) error {
					var e unitsEntry
					if err := json.Unmarshal(v, &e); err != nil {
						return fmt.Errorf("units of %s at %s: %w", k, id, err)
					}
					if t.Units == nil {
						t.Units = map[string]UnitsSold{}
					}
					t.Units[string(k)] = e.UnitsSold
					return nil
				}); err != nil {
					return err
				}
			}
			k, err := getKiosk(tx, string(id))
			if err != nil {
				return err
			}
			if seqs := tx.Bucket(bSeqs).Bucket(id); seqs != nil {
				c := seqs.Cursor()
				for q, _ := c.Seek(u64key(k.Acked + 1)); q != nil; q, _ = c.Next() {
					t.Above = append(t.Above, binary.BigEndian.Uint64(q))
				}
			}
			out[string(id)] = t
			return nil
		})
	})
	return out, err
}

// DailyNet reads the running net per day and kiosk.
func (s *BoltStore) DailyNet(from, to time.Time) ([]DayNet, error) {
	var out []DayNet
	if !from.Before(to) {
		return out, nil
	}
	lastDay := dayKey(to.Add(-time.Nanosecond))
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bDayNet).Cursor()
		for k, v := c.Seek(dayKey(from)); k != nil && bytes.Compare(k[:8], lastDay) <= 0; k, v = c.Next() {
			day, err := time.ParseInLocation("20060102", string(k[:8]), pos.VietnamTime)
			if err != nil {
				return fmt.Errorf("day_net key %q: %w", k, err)
			}
			out = append(out, DayNet{KioskID: string(k[8:]), Day: day, Net: pos.Money(int64(binary.BigEndian.Uint64(v)))})
		}
		return nil
	})
	return out, err
}

// SalesPage reads a page of the listing through the by-kiosk index.
func (s *BoltStore) SalesPage(kioskID string, after SalesCursor, limit int) ([]HubSale, bool, error) {
	out := []HubSale{}
	more := false
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bByKiosk).Cursor()
		prefix := append([]byte(kioskID), 0)
		seek := prefix
		afterKey := []byte(nil)
		if after.KioskID != "" {
			afterKey = kioskSeqKey(after.KioskID, after.Seq, after.SaleID)
			if bytes.Compare(afterKey, seek) > 0 {
				seek = afterKey
			}
		}
		k, _ := c.Seek(seek)
		if afterKey != nil && bytes.Equal(k, afterKey) {
			k, _ = c.Next()
		}
		for ; k != nil; k, _ = c.Next() {
			if kioskID != "" && !bytes.HasPrefix(k, prefix) {
				return nil
			}
			if len(out) == limit {
				more = true
				return nil
			}
			id := k[bytes.IndexByte(k, 0)+1+8:]
			var hs HubSale
			if err := json.Unmarshal(tx.Bucket(bSales).Get(id), &hs); err != nil {
				return fmt.Errorf("sale %s: %w", id, err)
			}
			out = append(out, hs)
		}
		return nil
	})
	return out, more, err
}
