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

// RecordsBetween reads the records of [from, to) a Vietnam day at a time,
// each day by kiosk and sequence, from their columns (recordsOfDay).
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

// recordsOfDay reads a day's records from their columns, in three queries
// over the day's partition (sales, lines, payments), and hands them on in
// order: decoding each record's jsonb would cost more than the report. The
// three go to the server as one batch, so that it runs the next while the
// hub reads the one before; the day's few distinct names, SKUs and units are
// made strings once (words), not once a row.
func (s *PGStore) recordsOfDay(from, to time.Time, fn func(hubsync.HubSale) error) error {
	ctx, cancel := op()
	defer cancel()
	var day daySales
	byID := map[string]int{}
	w := words{}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		batch.Queue(q("day-sales"), from, to)
		batch.Queue(q("day-lines"), from, to)
		batch.Queue(q("day-payments"), from, to)
		br := tx.SendBatch(ctx, batch)
		defer br.Close()
		rows, err := br.Query()
		if err != nil {
			return err
		}
		var hs hubsync.HubSale
		var seq int64
		var at string
		var total, discount, saleDiscount, change int64
		var promotions []byte
		sl := &hs.Sale
		_, err = pgx.ForEachRow(rows, []any{&sl.ID, w.to(&sl.KioskID), &seq, w.to(&sl.Kind), &sl.ReceiptNo, w.to(&sl.ShiftID),
			w.to(&sl.Till), &at, &total, &discount, &saleDiscount, &change, w.to(&sl.Status), &sl.Original, w.to(&sl.Reason),
			w.to(&hs.Mismatch), &hs.Received, w.to(&sl.DiscountReason), &promotions}, func() error {
			t, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				return fmt.Errorf("sale %s: time %q: %w", sl.ID, at, err)
			}
			var applied []pos.AppliedPromotion
			if string(promotions) != "null" {
				if err := decode(promotions, &applied, "the promotions of sale "+sl.ID); err != nil {
					return err
				}
			}
			r := day.next()
			*r = hs
			r.Seq, r.Sale.Seq, r.Sale.Time = uint64(seq), uint64(seq), t
			r.Sale.Total, r.Sale.Discount, r.Sale.SaleDiscount, r.Sale.Change = pos.Money(total), pos.Money(discount),
				pos.Money(saleDiscount), pos.Money(change)
			r.Sale.Promotions = applied
			byID[r.Sale.ID] = day.n - 1
			return nil
		})
		if err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		// A sale's lines come one after another (ordered by sale id): they
		// are laid end to end in slabs, each sale's in one slab.
		sale := saleAt{byID: byID}
		var slab []pos.Line
		first, last := 0, -1 // where the current sale's lines start in slab, and the sale
		var l pos.Line
		var price, ldisc, pdisc, lineDisc, sdisc, list, ltotal, vat int64
		_, err = pgx.ForEachRow(rows, []any{&sale, w.to(&l.SKU), w.to(&l.GTIN), w.to(&l.Name), w.to(&l.Unit), w.to(&l.ProducerID),
			w.to(&l.Lot), &l.Qty, &l.WeightG, &price, &l.VATRate, &ldisc, w.to(&l.Promotion), &pdisc, &lineDisc,
			w.to(&l.DiscountReason), &sdisc, &l.Free, &list, &ltotal, &vat, &l.Serials}, func() error {
			if sale.i < 0 {
				return nil // a record of the day's edge, in another partition's day
			}
			if sale.i != last {
				first, last = len(slab), sale.i
			}
			l.Price, l.Discount, l.PromotionDiscount, l.LineDiscount, l.SaleDiscount, l.ListPrice, l.Total, l.VAT =
				pos.Money(price), pos.Money(ldisc), pos.Money(pdisc), pos.Money(lineDisc), pos.Money(sdisc), pos.Money(list),
				pos.Money(ltotal), pos.Money(vat)
			if len(l.Serials) == 0 {
				l.Serials = nil // as the record has it
			}
			if len(slab) == cap(slab) {
				// A new slab, the sale's lines so far moved into it.
				next := make([]pos.Line, 0, max(1024, 2*(len(slab)-first)))
				slab, first = append(next, slab[first:]...), 0
			}
			slab = append(slab, l)
			day.at(sale.i).Sale.Lines = slab[first:len(slab):len(slab)]
			l.Serials = nil // the next row's serials are a slice of their own
			return nil
		})
		if err != nil {
			return err
		}
		if rows, err = br.Query(); err != nil {
			return err
		}
		var p pos.Payment
		var amount, tendered, pchange int64
		_, err = pgx.ForEachRow(rows, []any{&sale, w.to(&p.Method), &amount, &tendered, &pchange, &p.Reference}, func() error {
			if sale.i >= 0 {
				p.Amount, p.Tendered, p.Change = pos.Money(amount), pos.Money(tendered), pos.Money(pchange)
				r := day.at(sale.i)
				r.Sale.Payments = append(r.Sale.Payments, p)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return br.Close()
	})
	if err != nil {
		return fmt.Errorf("records of %s: %w", from.In(pos.VietnamTime).Format(time.DateOnly), err)
	}
	for i := range day.n {
		if err := fn(*day.at(i)); err != nil {
			return err
		}
	}
	return nil
}

// daySales holds a day's records in blocks, so that a busy day's list grows
// without being copied.
type daySales struct {
	blocks [][]hubsync.HubSale
	n      int
}

const daySalesBlock = 512

// next is room for one more record.
func (d *daySales) next() *hubsync.HubSale {
	if d.n%daySalesBlock == 0 {
		d.blocks = append(d.blocks, make([]hubsync.HubSale, daySalesBlock))
	}
	d.n++
	return d.at(d.n - 1)
}

func (d *daySales) at(i int) *hubsync.HubSale { return &d.blocks[i/daySalesBlock][i%daySalesBlock] }

// words makes each distinct text of a query's column a string once: a day's
// lines repeat a few dozen SKUs, names and units thousands of times.
type words map[string]string

// to is a scan target that sets *dst to the column's text.
func (w words) to(dst *string) *word { return &word{w: w, dst: dst} }

type word struct {
	w   words
	dst *string
}

// ScanBytes takes the column's text while it is still the driver's buffer.
func (x *word) ScanBytes(v []byte) error {
	if s, ok := x.w[string(v)]; ok {
		*x.dst = s
		return nil
	}
	s := string(v)
	x.w[s] = s
	*x.dst = s
	return nil
}

// saleAt is a scan target for a line's or payment's sale id: the index of the
// sale in the day's list, -1 for a sale the day does not hold.
type saleAt struct {
	byID map[string]int
	i    int
}

// ScanBytes looks the id up without making a string of it.
func (x *saleAt) ScanBytes(v []byte) error {
	i, ok := x.byID[string(v)]
	if !ok {
		i = -1
	}
	x.i = i
	return nil
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
		// Every kiosk's units of the same few dozen products: each SKU,
		// name and unit made a string once (words), each kiosk's map made
		// as big as the biggest before it.
		var key string
		var u hubsync.UnitsSold
		w := words{}
		most := 0
		return each(ctx, tx, q("tally-units"), []any{w.to(&id), w.to(&key), w.to(&u.SKU), w.to(&u.Name), w.to(&u.Unit), &u.Sold,
			&u.Voided, &u.Refunded, &u.UnitsSold}, func() {
			t := at(id)
			if t.Units == nil {
				t.Units = make(map[string]hubsync.UnitsSold, most)
			}
			t.Units[key] = u
			most = max(most, len(t.Units))
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

// tally queues what a batch's records add to the running totals, on the
// batch of statements that ends the batch's transaction; twice are the
// sequences another sale held already.
func tally(b *pgx.Batch, kioskID string, fresh []pos.OutboxRecord, twice []int64) {
	b.Queue(q("add-held"), kioskID, len(fresh))
	if len(twice) > 0 {
		b.Queue(q("add-twice"), kioskID, twice)
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
	if len(keys) > 0 {
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
		b.Queue(q("add-units"), args...)
	}
	addProducerDays(b, kioskID, fresh)
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
