package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// The settlement's figures per producer and Vietnam day (producer_days),
// computed by the hub's own rules (hubsync.SettleRecord) as batches arrive,
// so that a month's settlement reads a month of rows per producer.

// dayFigures collects records' figures by day and producer.
type dayFigures map[[2]string]*hubsync.ProducerDay

func (f dayFigures) add(s pos.Sale) {
	day := s.Time.In(pos.VietnamTime).Format(time.DateOnly)
	get := func(producer string) *hubsync.ProducerDay {
		k := [2]string{day, producer}
		d := f[k]
		if d == nil {
			d = &hubsync.ProducerDay{}
			d.ProducerID = producer
			f[k] = d
		}
		return d
	}
	bad, badProducer := hubsync.SettleRecord(s, func(producer string) *hubsync.ProducerSettlement {
		return &get(producer).ProducerSettlement
	})
	if bad != "" {
		if d := get(badProducer); d.Bad == "" {
			d.Bad = bad
		}
	}
}

// args are the figures as add-producer-days' arrays, in (day, producer)
// order (one order for every batch, so that two never wait on each other
// crosswise).
func (f dayFigures) args() []any {
	keys := make([][2]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if a[0] != b[0] {
			return compare(a[0], b[0])
		}
		return compare(a[1], b[1])
	})
	var days, producers, bad []string
	cols := make([][]int64, 8)
	for _, k := range keys {
		d := f[k]
		days, producers, bad = append(days, k[0]), append(producers, k[1]), append(bad, d.Bad)
		for i, v := range []int64{int64(d.Lines), d.Units, d.WeightG, int64(d.Gross), int64(d.Promotions), int64(d.Voided),
			int64(d.Refunded), int64(d.Net)} {
			cols[i] = append(cols[i], v)
		}
	}
	args := []any{days, producers}
	for _, c := range cols {
		args = append(args, c)
	}
	return append(args, bad)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// addProducerDays queues a batch's figures, added to its kiosk's rows.
func addProducerDays(b *pgx.Batch, kioskID string, fresh []pos.OutboxRecord) {
	f := dayFigures{}
	for _, r := range fresh {
		f.add(r.Sale)
	}
	if len(f) > 0 {
		b.Queue(q("add-producer-days"), append(f.args(), kioskID)...)
	}
}

// ProducerDays reads the producers' figures of the days of [from, to).
func (s *PGStore) ProducerDays(from, to time.Time) ([]hubsync.ProducerDay, error) {
	ctx, cancel := op()
	defer cancel()
	day := func(t time.Time) string { return t.In(pos.VietnamTime).Format(time.DateOnly) }
	last := to.Add(-time.Nanosecond).In(pos.VietnamTime)
	end := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, pos.VietnamTime)
	rows, err := s.pool.Query(ctx, q("producer-days"), day(from), day(end))
	if err != nil {
		return nil, fmt.Errorf("settlement figures: %w", err)
	}
	var out []hubsync.ProducerDay
	var d hubsync.ProducerDay
	var date string
	var lines, gross, promotions, voided, refunded, net int64
	_, err = pgx.ForEachRow(rows, []any{&date, &d.ProducerID, &lines, &d.Units, &d.WeightG, &gross, &promotions, &voided,
		&refunded, &net, &d.Bad}, func() error {
		t, err := time.ParseInLocation(time.DateOnly, date, pos.VietnamTime)
		if err != nil {
			return err
		}
		d.Day, d.Lines = t, int(lines)
		d.Gross, d.Promotions, d.Voided, d.Refunded, d.Net = pos.Money(gross), pos.Money(promotions), pos.Money(voided),
			pos.Money(refunded), pos.Money(net)
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("settlement figures: %w", err)
	}
	return out, nil
}

// backfillProducerDays is migration 3: the settlement's figures of the
// sales a database held before ingest kept them, by the hub's rules, read
// one record at a time (the sums are one row per day and producer).
func backfillProducerDays(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, q("backfill-records"))
	if err != nil {
		return err
	}
	defer rows.Close()
	f := dayFigures{}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var s pos.Sale
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("a sale: %w", err)
		}
		f.add(s)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(f) == 0 {
		return nil
	}
	args := f.args()
	// database/sql's pgx driver takes the arrays as they are.
	_, err = tx.ExecContext(ctx, q("backfill-producer-days"), args...)
	return err
}
