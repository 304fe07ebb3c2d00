package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// The reports' questions (hubsync.ReportStore) as SQL over the month
// partitions: a day's records through the (sold_at, kiosk) index, the chart
// as an aggregation, the whole-history figures from the running totals
// ingest keeps (tally, below).

// RecordsBetween streams the records of [from, to) a Vietnam day at a time,
// each day by kiosk and sequence, decoding one row at a time.
func (s *PGStore) RecordsBetween(from, to time.Time, fn func(hubsync.HubSale) error) error {
	for day := from; day.Before(to); {
		y, m, d := day.In(pos.VietnamTime).Date()
		next := time.Date(y, m, d+1, 0, 0, 0, 0, pos.VietnamTime)
		if next.After(to) {
			next = to
		}
		if err := s.recordsOfDay(day, next, fn); err != nil {
			return err
		}
		day = next
	}
	return nil
}

func (s *PGStore) recordsOfDay(from, to time.Time, fn func(hubsync.HubSale) error) error {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, q("records-between"), from, to)
	if err != nil {
		return fmt.Errorf("records of %s: %w", from.Format(time.DateOnly), err)
	}
	return eachSale(rows, fn)
}

// eachSale decodes rows of (record, seq, received, mismatch) one at a time.
func eachSale(rows pgx.Rows, fn func(hubsync.HubSale) error) error {
	var raw []byte
	var seq int64
	var received time.Time
	var mismatch string
	_, err := pgx.ForEachRow(rows, []any{&raw, &seq, &received, &mismatch}, func() error {
		hs := hubsync.HubSale{Seq: uint64(seq), Received: received, Mismatch: mismatch}
		if err := decode(raw, &hs.Sale, "a sale"); err != nil {
			return err
		}
		return fn(hs)
	})
	return err
}

// KioskTallies reads the running totals and the sequences held above each
// kiosk's acknowledgement, in one transaction so that they agree.
func (s *PGStore) KioskTallies() (map[string]hubsync.KioskTally, error) {
	ctx, cancel := op()
	defer cancel()
	out := map[string]hubsync.KioskTally{}
	at := func(id string) hubsync.KioskTally { return out[id] }
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var id string
		var n int64
		if err := each(ctx, tx, q("tally-held"), []any{&id, &n}, func() {
			t := at(id)
			t.Held = int(n)
			out[id] = t
		}); err != nil {
			return err
		}
		if err := each(ctx, tx, q("tally-above"), []any{&id, &n}, func() {
			t := at(id)
			t.Above = append(t.Above, uint64(n))
			out[id] = t
		}); err != nil {
			return err
		}
		if err := each(ctx, tx, q("tally-twice"), []any{&id, &n}, func() {
			t := at(id)
			t.Twice = append(t.Twice, uint64(n))
			out[id] = t
		}); err != nil {
			return err
		}
		var key string
		var u hubsync.UnitsSold
		return each(ctx, tx, q("tally-units"), []any{&id, &key, &u.SKU, &u.Name, &u.Unit, &u.Sold, &u.Voided, &u.Refunded, &u.UnitsSold}, func() {
			t := at(id)
			if t.Units == nil {
				t.Units = map[string]hubsync.UnitsSold{}
			}
			t.Units[key] = u
			out[id] = t
		})
	})
	if err != nil {
		return nil, fmt.Errorf("running totals: %w", err)
	}
	return out, nil
}

// each runs a query and calls fn after scanning each row into dest.
func each(ctx context.Context, tx pgx.Tx, sql string, dest []any, fn func()) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, dest, func() error { fn(); return nil })
	return err
}

// DailyNet sums the range's records per kiosk and Vietnam day in the
// database.
func (s *PGStore) DailyNet(from, to time.Time) ([]hubsync.DayNet, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, q("daily-net"), from, to)
	if err != nil {
		return nil, fmt.Errorf("net per day: %w", err)
	}
	var out []hubsync.DayNet
	var kiosk string
	var day time.Time
	var net int64
	_, err = pgx.ForEachRow(rows, []any{&kiosk, &day, &net}, func() error {
		y, m, d := day.Date()
		out = append(out, hubsync.DayNet{KioskID: kiosk, Day: time.Date(y, m, d, 0, 0, 0, 0, pos.VietnamTime), Net: pos.Money(net)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("net per day: %w", err)
	}
	return out, nil
}

// SalesPage reads a page of the listing through sale_ids' (kiosk, seq, id)
// index.
func (s *PGStore) SalesPage(kioskID string, after hubsync.SalesCursor, limit int) ([]hubsync.HubSale, bool, error) {
	ctx, cancel := op()
	defer cancel()
	var rows pgx.Rows
	var err error
	if kioskID == "" {
		rows, err = s.pool.Query(ctx, q("sales-page"), after.KioskID, int64(after.Seq), after.SaleID, limit+1)
	} else {
		if after.KioskID != kioskID {
			// A cursor of a kiosk after this one: nothing of this one follows.
			if after.KioskID > kioskID {
				return []hubsync.HubSale{}, false, nil
			}
			after = hubsync.SalesCursor{}
		}
		rows, err = s.pool.Query(ctx, q("sales-page-kiosk"), kioskID, int64(after.Seq), after.SaleID, limit+1)
	}
	if err != nil {
		return nil, false, fmt.Errorf("sales listing: %w", err)
	}
	out := []hubsync.HubSale{}
	if err := eachSale(rows, func(hs hubsync.HubSale) error { out = append(out, hs); return nil }); err != nil {
		return nil, false, fmt.Errorf("sales listing: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// tally adds a batch's records to the running totals, in the batch's
// transaction; twice are the sequences another sale held already.
func tally(ctx context.Context, tx pgx.Tx, kioskID string, fresh []pos.OutboxRecord, twice []int64) error {
	if _, err := tx.Exec(ctx, q("add-held"), kioskID, len(fresh)); err != nil {
		return fmt.Errorf("records held: %w", err)
	}
	if len(twice) > 0 {
		if _, err := tx.Exec(ctx, q("add-twice"), kioskID, twice); err != nil {
			return fmt.Errorf("sequences held twice: %w", err)
		}
	}
	type entry struct {
		u       hubsync.UnitsSold
		nameSeq uint64
	}
	units := map[string]*entry{}
	var keys []string
	for _, r := range fresh {
		hubsync.CountUnits(func(key string) (*hubsync.UnitsSold, uint64) {
			if e := units[key]; e != nil {
				return &e.u, e.nameSeq
			}
			return nil, 0
		}, r.Sale, func(key string, u *hubsync.UnitsSold, nameSeq uint64) {
			if units[key] == nil {
				keys = append(keys, key)
			}
			units[key] = &entry{*u, nameSeq}
		})
	}
	if len(keys) == 0 {
		return addProducerDays(ctx, tx, fresh)
	}
	cols := make([][]any, 9)
	for _, k := range keys {
		e := units[k]
		for i, v := range []any{k, e.u.SKU, e.u.Name, e.u.Unit, int64(e.nameSeq), e.u.Sold, e.u.Voided, e.u.Refunded, e.u.UnitsSold} {
			cols[i] = append(cols[i], v)
		}
	}
	args := []any{kioskID, strs(cols[0]), strs(cols[1]), strs(cols[2]), strs(cols[3])}
	for _, c := range cols[4:] {
		args = append(args, ints(c))
	}
	if _, err := tx.Exec(ctx, q("add-units"), args...); err != nil {
		return fmt.Errorf("units sold: %w", err)
	}
	return addProducerDays(ctx, tx, fresh)
}

func strs(v []any) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = x.(string)
	}
	return out
}

func ints(v []any) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = x.(int64)
	}
	return out
}
