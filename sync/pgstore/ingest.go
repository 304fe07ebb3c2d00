package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// Ingest stores a batch in one transaction, each sale exactly once: the
// batch's sale ids are claimed in sale_ids (ON CONFLICT DO NOTHING), and only
// the records claimed now are stored, with the same flags BoltStore sets
// (hubsync.CheckRecord). Batches of one kiosk take turns on its row; batches
// of different kiosks run side by side.
func (s *PGStore) Ingest(kioskID string, recs []pos.OutboxRecord, now time.Time) (uint64, error) {
	ctx, cancel := op()
	defer cancel()
	if _, err := s.Kiosk(kioskID); err != nil {
		return 0, err
	}
	times := make([]time.Time, 0, len(recs))
	for _, r := range recs {
		if err := hubsync.CheckBelongs(kioskID, r); err != nil {
			return 0, err
		}
		times = append(times, r.Sale.Time)
	}
	for attempt := 0; ; attempt++ {
		if err := s.parts.ensure(ctx, s.pool, times); err != nil {
			return 0, err
		}
		var acked uint64
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			acked, err = ingest(ctx, tx, kioskID, recs, now)
			return err
		})
		var pe *pgconn.PgError
		if attempt == 0 && errors.As(err, &pe) && pe.Code == "23514" && strings.Contains(pe.Message, "no partition") {
			// Another hub process detached a month this one thought it had.
			s.parts.forget()
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("ingest for kiosk %s: %w", kioskID, err)
		}
		return acked, nil
	}
}

// ingest stores a batch in its transaction in two round trips around the
// COPYs: what the rules and the claim need is asked as one pipelined batch
// (the kiosk's row locked first), and what the records add to the running
// totals and the acknowledgement as another. Each statement runs in order
// on the server and sees the ones before it.
func ingest(ctx context.Context, tx pgx.Tx, kioskID string, recs []pos.OutboxRecord, now time.Time) (uint64, error) {
	// A batch repeating a record: its first copy counts.
	first := make([]pos.OutboxRecord, 0, len(recs))
	seen := make(map[string]bool, len(recs))
	ids := make([]string, 0, len(recs))
	seqs := make([]int64, 0, len(recs))
	times := make([]time.Time, 0, len(recs))
	var skus, originals []string
	for _, r := range recs {
		if seen[r.SaleID] {
			continue
		}
		seen[r.SaleID] = true
		first = append(first, r)
		ids, seqs, times = append(ids, r.SaleID), append(seqs, int64(r.Seq)), append(times, r.Sale.Time)
		for _, l := range r.Sale.Lines {
			skus = append(skus, l.SKU)
		}
		if r.Sale.Original != "" {
			originals = append(originals, r.Sale.Original)
		}
	}
	var acked, top int64
	claimed := make(map[string]bool, len(first))
	look := &batchLookup{catalog: map[string]bool{}, held: map[string]*pos.Sale{}}
	holders := map[uint64]holder{}
	ask := &pgx.Batch{}
	ask.Queue(q("lock-kiosk"), kioskID).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&acked, &top)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w %q", hubsync.ErrUnknownKiosk, kioskID)
		}
		return err
	})
	if len(first) > 0 {
		ask.Queue(q("claim-sale-ids"), kioskID, ids, seqs, times).Query(func(rows pgx.Rows) error {
			var id string
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error { claimed[id] = true; return nil })
			return err
		})
		// The rules' questions, asked of every record of the batch: the
		// answers for those held already go unused.
		ask.Queue(q("in-catalog"), skus).QueryRow(func(row pgx.Row) error {
			var in []string
			if err := row.Scan(&look.known, &in); err != nil {
				return fmt.Errorf("catalog: %w", err)
			}
			for _, sku := range in {
				look.catalog[sku] = true
			}
			return nil
		})
		if len(originals) > 0 {
			ask.Queue(q("held-sales"), originals).Query(func(rows pgx.Rows) error {
				var raw []byte
				_, err := pgx.ForEachRow(rows, []any{&raw}, func() error {
					s := new(pos.Sale)
					if err := decode(raw, s, "a sale undone"); err != nil {
						return err
					}
					look.held[s.ID] = s
					return nil
				})
				if err != nil {
					return fmt.Errorf("sales undone: %w", err)
				}
				return nil
			})
		}
		ask.Queue(q("seq-holders"), kioskID, seqs).Query(func(rows pgx.Rows) error {
			var seq int64
			var id, receipt string
			_, err := pgx.ForEachRow(rows, []any{&seq, &id, &receipt}, func() error {
				h := holder{id: id}
				if receipt != "" {
					h.receipt = "(" + receipt + ")"
				}
				holders[uint64(seq)] = h
				return nil
			})
			if err != nil {
				return fmt.Errorf("sequences held: %w", err)
			}
			return nil
		})
	}
	if err := tx.SendBatch(ctx, ask).Close(); err != nil {
		return 0, err
	}
	fresh := make([]pos.OutboxRecord, 0, len(claimed))
	for _, r := range first {
		if claimed[r.SaleID] {
			fresh = append(fresh, r)
		}
	}
	after := &pgx.Batch{}
	if len(fresh) > 0 {
		t, err := store(ctx, tx, after, kioskID, fresh, look, holders, now)
		if err != nil {
			return 0, err
		}
		top = max(top, int64(t))
	}
	after.Queue(q("advance-progress"), kioskID, acked, top, now).QueryRow(func(row pgx.Row) error {
		return row.Scan(&acked)
	})
	if err := tx.SendBatch(ctx, after).Close(); err != nil {
		return 0, err
	}
	return uint64(acked), nil
}

// batchLookup answers hubsync.RecordLookup for a batch: the records stored
// before the one checked in the same batch, then what the database held.
type batchLookup struct {
	known   bool            // the hub keeps a catalog
	catalog map[string]bool // the batch's SKUs in it
	held    map[string]*pos.Sale
}

func (l *batchLookup) InCatalog(sku string) (bool, bool, error) { return l.catalog[sku], l.known, nil }

func (l *batchLookup) HeldSale(id string) (pos.Sale, bool, error) {
	if s := l.held[id]; s != nil {
		return *s, true, nil
	}
	return pos.Sale{}, false, nil
}

// store writes the records newly claimed, flagged, queues what they add to
// the running totals on after, and returns the highest sequence among them.
func store(ctx context.Context, tx pgx.Tx, after *pgx.Batch, kioskID string, fresh []pos.OutboxRecord, look *batchLookup,
	holders map[uint64]holder, now time.Time) (uint64, error) {
	var top uint64
	var sales, lines, payments [][]any
	var seqs []int64
	var seqIDs []string
	var seqTimes []time.Time
	invFlags, err := queueInvoices(ctx, tx, kioskID, fresh, now)
	if err != nil {
		return 0, err
	}
	var twice []int64
	for i := range fresh {
		r := &fresh[i]
		flags, err := hubsync.CheckRecord(look, r.Sale)
		if err != nil {
			return 0, err
		}
		flags = append(flags, invFlags[r.SaleID]...)
		if h, ok := holders[r.Seq]; ok {
			flags = append([]string{hubsync.SeqHeldFlag(r.Seq, h.id, h.receipt)}, flags...)
			twice = append(twice, int64(r.Seq))
		} else {
			holders[r.Seq] = holder{r.SaleID, "(" + r.Sale.ReceiptNo + ")"}
			seqs, seqIDs, seqTimes = append(seqs, int64(r.Seq)), append(seqIDs, r.SaleID), append(seqTimes, r.Sale.Time)
		}
		look.held[r.SaleID] = &r.Sale
		top = max(top, r.Seq)
		raw, err := json.Marshal(r.Sale)
		if err != nil {
			return 0, err
		}
		sl := r.Sale
		promotions := []byte("null")
		if len(sl.Promotions) > 0 {
			if promotions, err = json.Marshal(sl.Promotions); err != nil {
				return 0, err
			}
		}
		sales = append(sales, []any{sl.ID, kioskID, int64(r.Seq), sl.Kind, sl.ReceiptNo, sl.ShiftID, sl.Till, sl.Time,
			int64(sl.Total), int64(sl.Discount), int64(sl.SaleDiscount), int64(sl.Change), sl.Status, sl.Original, sl.Reason,
			strings.Join(flags, "; "), now, string(raw), sl.Time.Format(time.RFC3339Nano), sl.DiscountReason, string(promotions)})
		for i, l := range sl.Lines {
			lines = append(lines, []any{sl.ID, int32(i + 1), kioskID, sl.Kind, sl.Time, l.SKU, l.GTIN, l.Name, l.Unit, l.ProducerID,
				l.Lot, l.Qty, l.WeightG, int64(l.Price), int32(l.VATRate), int64(l.Discount), l.Promotion, int64(l.PromotionDiscount),
				int64(l.LineDiscount), l.DiscountReason, int64(l.SaleDiscount), l.Free, int64(l.ListPrice), int64(l.Total), int64(l.VAT),
				append([]string{}, l.Serials...)}) // never NULL: a line without serials has none
		}
		for i, p := range sl.Payments {
			payments = append(payments, []any{sl.ID, int32(i + 1), kioskID, sl.Kind, sl.Time, p.Method, int64(p.Amount),
				int64(p.Tendered), int64(p.Change), p.Reference})
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"sales", []string{"id", "kiosk", "seq", "kind", "receipt_no", "shift", "till", "sold_at", "total", "discount",
			"sale_discount", "change", "status", "original", "reason", "mismatch", "received", "record", "sale_time",
			"discount_reason", "promotions"}, sales},
		{"sale_lines", []string{"sale_id", "line_no", "kiosk", "kind", "sold_at", "sku", "gtin", "name", "unit", "producer_id",
			"lot", "qty", "weight_g", "price", "vat_rate", "discount", "promotion", "promotion_discount", "line_discount",
			"discount_reason", "sale_discount", "free", "list_price", "total", "vat", "serials"}, lines},
		{"sale_payments", []string{"sale_id", "pay_no", "kiosk", "kind", "sold_at", "method", "amount", "tendered", "change",
			"reference"}, payments},
	} {
		if len(c.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return 0, fmt.Errorf("%s: %w", c.table, err)
		}
	}
	if len(seqs) > 0 {
		after.Queue(q("hold-seqs"), kioskID, seqs, seqIDs, seqTimes)
	}
	tally(after, kioskID, fresh, twice)
	return top, nil
}

type holder struct{ id, receipt string }

// MarkLost records lost sequences below the highest one held and moves the
// acknowledgement over them.
func (s *PGStore) MarkLost(kioskID string, lost []pos.SeqRange, now time.Time) (uint64, error) {
	ctx, cancel := op()
	defer cancel()
	var acked int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var top int64
		if err := tx.QueryRow(ctx, q("lock-kiosk"), kioskID).Scan(&acked, &top); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("%w %q", hubsync.ErrUnknownKiosk, kioskID)
			}
			return err
		}
		for _, r := range lost {
			if err := hubsync.CheckLost(r, uint64(top)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, q("mark-lost"), kioskID, int64(r.From), int64(r.To)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, q("add-lost"), kioskID, int64(r.From), int64(r.To)); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, q("advance"), kioskID, acked).Scan(&acked); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, q("kiosk-progress"), kioskID, acked, top, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("lost records of kiosk %s: %w", kioskID, err)
	}
	return uint64(acked), nil
}

// KioskRecords reads back a kiosk's records after a sequence, in order: the
// first record held under each sequence, as the kiosk sent it.
func (s *PGStore) KioskRecords(kioskID string, after uint64, limit int) ([]pos.OutboxRecord, bool, error) {
	if _, err := s.Kiosk(kioskID); err != nil {
		return nil, false, err
	}
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, q("kiosk-records"), kioskID, int64(after), max(limit, 0)+1)
	if err != nil {
		return nil, false, fmt.Errorf("records of kiosk %s: %w", kioskID, err)
	}
	out := []pos.OutboxRecord{}
	var seq int64
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &raw}, func() error {
		var sl pos.Sale
		if err := decode(raw, &sl, "a record read back"); err != nil {
			return err
		}
		out = append(out, pos.OutboxRecord{Seq: uint64(seq), SaleID: sl.ID, Time: sl.Time, Sale: sl})
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("records of kiosk %s: %w", kioskID, err)
	}
	if len(out) > max(limit, 0) {
		return out[:max(limit, 0)], true, nil
	}
	return out, false, nil
}
