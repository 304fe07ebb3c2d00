package pgstore

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// The kiosks' invoices on PostgreSQL: sync.InvoiceStore with BoltStore's
// behaviour (sync/invoicestore.go), on the tables of
// migrations/00011_invoices.sql. What differs is that several hub processes
// may share the database: a series is delivered by one of them at a time
// (the one holding its lease), and kiosks' blocks and symbols are kept apart
// by constraints (invoicing.go).

//go:embed invoices.sql
var invoicesSQL string

var invoiceQueries = parseQueries(invoicesSQL)

// iq is the named query of invoices.sql.
func iq(name string) string {
	s, ok := invoiceQueries[name]
	if !ok {
		panic(fmt.Sprintf("pgstore: no query %q in invoices.sql", name))
	}
	return s
}

var _ hubsync.InvoiceStore = (*PGStore)(nil)

// leaseFor is how long a hub process holds a series it sends to the provider
// before another may take it over: longer than the longest call a seller's
// settings allow (10 min), so that a slow call is never sent twice at once; a
// process that dies mid-call holds its series that long.
const leaseFor = 11 * time.Minute

// ErrLeaseLost is a call's outcome that came back after another hub process
// took the series over: it is not kept (the series is sent again from where
// the database says it stands, and the provider answers duplicates).
var ErrLeaseLost = errors.New("another hub process delivers this series now")

func streamKey(mst string, form int, symbol string) string {
	return fmt.Sprintf("%s|%d|%s", mst, form, symbol)
}

// queueInvoices files the invoices of a batch's new records into their series
// in the batch's ingest transaction, as BoltStore does, and says by sale id
// what in them the hub could not take: an invoice of a series another kiosk
// issues, a number that is no number, or a number the series already holds
// for another invoice (a kiosk numbering again from an old copy).
func queueInvoices(ctx context.Context, tx pgx.Tx, kioskID string, recs []pos.OutboxRecord, now time.Time) (map[string][]string, error) {
	type item struct {
		saleID, key string
		inv         pos.Invoice
	}
	var items []item
	opened := map[string]pos.Invoice{} // series with a number to file, by key
	for _, r := range recs {
		for _, inv := range r.Sale.Invoices {
			key := streamKey(inv.Seller.TaxCode, inv.Form, inv.Symbol)
			items = append(items, item{r.SaleID, key, inv})
			if inv.Number > 0 {
				opened[key] = inv
			}
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	if len(opened) > 0 {
		var keys, sellers, symbols []string
		var forms []int32
		for key, inv := range opened {
			keys, sellers, forms, symbols = append(keys, key), append(sellers, inv.Seller.TaxCode), append(forms, int32(inv.Form)), append(symbols, inv.Symbol)
		}
		if _, err := tx.Exec(ctx, iq("inv-create-streams"), kioskID, keys, sellers, forms, symbols); err != nil {
			return nil, fmt.Errorf("invoice series: %w", err)
		}
	}
	var keys []string
	var heldKeys []string
	var heldNumbers []int64
	for _, it := range items {
		if !slices.Contains(keys, it.key) {
			keys = append(keys, it.key)
		}
		if it.inv.Number > 0 {
			heldKeys, heldNumbers = append(heldKeys, it.key), append(heldNumbers, it.inv.Number)
		}
	}
	owners := map[string]string{}
	rows, err := tx.Query(ctx, iq("inv-stream-owners"), keys)
	if err != nil {
		return nil, fmt.Errorf("invoice series: %w", err)
	}
	var key, owner string
	if _, err := pgx.ForEachRow(rows, []any{&key, &owner}, func() error { owners[key] = owner; return nil }); err != nil {
		return nil, fmt.Errorf("invoice series: %w", err)
	}
	type entry struct{ key, saleID, mccqt string }
	type slot struct {
		stream string
		number int64
	}
	held := map[slot]entry{}
	rows, err = tx.Query(ctx, iq("inv-held"), heldKeys, heldNumbers)
	if err != nil {
		return nil, fmt.Errorf("invoices held: %w", err)
	}
	var number int64
	var e entry
	if _, err := pgx.ForEachRow(rows, []any{&key, &number, &e.key, &e.saleID, &e.mccqt}, func() error {
		held[slot{key, number}] = e
		return nil
	}); err != nil {
		return nil, fmt.Errorf("invoices held: %w", err)
	}

	flags := map[string][]string{}
	var fresh [][]any
	highest := map[string]int64{}
	for _, it := range items {
		inv := it.inv
		ref := fmt.Sprintf("invoice %d%s number %d of %s", inv.Form, inv.Symbol, inv.Number, inv.Seller.TaxCode)
		if o, ok := owners[it.key]; ok && o != kioskID {
			flags[it.saleID] = append(flags[it.saleID], fmt.Sprintf("%s: the series is kiosk %s's, not delivered", ref, o))
			continue
		}
		if inv.Number <= 0 {
			flags[it.saleID] = append(flags[it.saleID], ref+": not a number, not delivered")
			continue
		}
		at := slot{it.key, inv.Number}
		if h, ok := held[at]; ok {
			if h.key != inv.Key() {
				flags[it.saleID] = append(flags[it.saleID], fmt.Sprintf("%s is held already for %s (MCCQT %s): the kiosk numbered again, not delivered", ref, h.saleID, h.mccqt))
			}
			continue
		}
		held[at] = entry{inv.Key(), inv.SaleID, inv.MCCQT}
		raw, err := json.Marshal(inv)
		if err != nil {
			return nil, err
		}
		fresh = append(fresh, []any{it.key, inv.Number, inv.Key(), kioskID, inv.SaleID, inv.MCCQT, pos.InvoiceIssued, now, raw, inv.Issued})
		highest[it.key] = max(highest[it.key], inv.Number)
	}
	if len(fresh) == 0 {
		return flags, nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"inv_entries"},
		[]string{"stream", "number", "key", "kiosk", "sale_id", "mccqt", "state", "received", "invoice", "issued"}, pgx.CopyFromRows(fresh)); err != nil {
		return nil, fmt.Errorf("inv_entries: %w", err)
	}
	var hk []string
	var hn []int64
	for k, n := range highest {
		hk, hn = append(hk, k), append(hn, n)
	}
	if _, err := tx.Exec(ctx, iq("inv-raise-highest"), hk, hn); err != nil {
		return nil, fmt.Errorf("invoice series: %w", err)
	}
	return flags, nil
}

// scanStream reads a row of inv_streams' listed columns, and extra after them.
func scanStream(row pgx.Row, extra ...any) (hubsync.InvoiceStream, error) {
	var st hubsync.InvoiceStream
	var form, uncertain, delivered, refused int32
	var lastTry *time.Time
	err := row.Scan(append([]any{&st.Key, &st.Seller, &form, &st.Symbol, &st.Kiosk, &st.Next, &st.Highest, &uncertain,
		&st.LastError, &lastTry, &delivered, &refused}, extra...)...)
	st.Form, st.Uncertain, st.Delivered, st.Refused = int(form), int(uncertain), int(delivered), int(refused)
	if lastTry != nil {
		st.LastTry = *lastTry
	}
	return st, err
}

func (s *PGStore) streams(sql string, args ...any) ([]hubsync.InvoiceStream, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("invoice series: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hubsync.InvoiceStream, error) { return scanStream(r) })
	if err != nil {
		return nil, fmt.Errorf("invoice series: %w", err)
	}
	return out, nil
}

// PendingStreams lists the series with invoices waiting, by seller: those no
// other hub process is delivering.
func (s *PGStore) PendingStreams() (map[string][]hubsync.InvoiceStream, error) {
	list, err := s.streams(iq("inv-pending"), s.id)
	out := map[string][]hubsync.InvoiceStream{}
	for _, st := range list {
		out[st.Seller] = append(out[st.Seller], st)
	}
	return out, err
}

// Streams lists every series.
func (s *PGStore) Streams() ([]hubsync.InvoiceStream, error) {
	return s.streams(iq("inv-streams"))
}

// scanHubInvoice reads a row of inv_entries' listed columns.
func scanHubInvoice(row pgx.Row) (hubsync.HubInvoice, error) {
	var hi hubsync.HubInvoice
	var number int64
	var raw []byte
	var settled *time.Time
	if err := row.Scan(&number, &raw, &hi.Key, &hi.Kiosk, &hi.State, &hi.Reason, &settled, &hi.Received); err != nil {
		return hi, err
	}
	if settled != nil {
		hi.At = *settled
	}
	return hi, decode(raw, &hi.Invoice, "an invoice")
}

// NextInvoices reads up to limit invoices of a series from its next number
// on, without a gap (after a lost answer exactly the invoices of that call),
// and takes the series' lease when there are any: while this process sends
// them, the others leave the series alone. A series another process holds
// answers no invoices.
func (s *PGStore) NextInvoices(key string, limit int) (hubsync.InvoiceBatch, error) {
	var b hubsync.InvoiceBatch
	ctx, cancel := op()
	defer cancel()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		b = hubsync.InvoiceBatch{}
		var others bool
		st, err := scanStream(tx.QueryRow(ctx, iq("inv-lock-stream"), key, s.id), &others)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		b.Stream = st
		if others {
			return nil
		}
		if st.Uncertain > 0 {
			limit, b.Resend = min(limit, st.Uncertain), true
		}
		rows, err := tx.Query(ctx, iq("inv-entries-from"), key, st.Next, max(limit, 0))
		if err != nil {
			return err
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hubsync.HubInvoice, error) { return scanHubInvoice(r) })
		if err != nil {
			return err
		}
		for i, hi := range list {
			if hi.Invoice.Number != st.Next+int64(i) {
				break // a number not received yet: the series waits for it
			}
			b.Invoices = append(b.Invoices, hi)
		}
		if len(b.Invoices) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, iq("inv-take-lease"), key, s.id, leaseFor.Seconds())
		return err
	})
	if err != nil {
		return hubsync.InvoiceBatch{}, fmt.Errorf("next invoices of %s: %w", key, err)
	}
	return b, nil
}

// RecordDelivery keeps what a call came to, as BoltStore does: each result's
// invoice delivered or refused (logged for its kiosk), the series moved past
// them, and the problem that holds the rest; the series' lease goes back. An
// outcome with results that arrives after another process took the series
// over is refused (ErrLeaseLost) and changes nothing.
func (s *PGStore) RecordDelivery(key string, out hubsync.DeliveryOutcome, now time.Time) ([]string, error) {
	var kiosks []string
	ctx, cancel := op()
	defer cancel()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		kiosks = nil
		var others bool
		st, err := scanStream(tx.QueryRow(ctx, iq("inv-lock-stream"), key, s.id), &others)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if others {
			if len(out.Results) > 0 || out.Unknown > 0 {
				return ErrLeaseLost
			}
			return nil // a problem of this process's; the other's calls go on
		}
		var numbers []int64
		var states, reasons []string
		var logKiosks, logKeys, logStates, logReasons []string
		perKiosk := map[string]int64{}
		if len(out.Results) > 0 {
			rows, err := tx.Query(ctx, iq("inv-entries-from"), key, st.Next, len(out.Results))
			if err != nil {
				return err
			}
			list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hubsync.HubInvoice, error) { return scanHubInvoice(r) })
			if err != nil {
				return err
			}
			for i, r := range out.Results {
				n := st.Next + int64(i)
				if i >= len(list) || list[i].Invoice.Number != n {
					return fmt.Errorf("stream %s: number %d is not held", key, n)
				}
				hi := list[i]
				if hi.Key != r.Key {
					return fmt.Errorf("stream %s: result for %s, number %d is %s", key, r.Key, n, hi.Key)
				}
				switch r.Outcome {
				case einvoice.Delivered, einvoice.Duplicate:
					hi.State, hi.Reason = pos.InvoiceDelivered, ""
					st.Delivered++
				default:
					hi.State, hi.Reason = pos.InvoiceRefused, r.Reason
					st.Refused++
				}
				numbers, states, reasons = append(numbers, n), append(states, hi.State), append(reasons, hi.Reason)
				logKiosks, logKeys = append(logKiosks, hi.Kiosk), append(logKeys, hi.Key)
				logStates, logReasons = append(logStates, hi.State), append(logReasons, hi.Reason)
				perKiosk[hi.Kiosk]++
			}
			if _, err := tx.Exec(ctx, iq("inv-settle"), key, numbers, now, states, reasons); err != nil {
				return err
			}
			if err := logStatesTx(ctx, tx, perKiosk, logKiosks, logKeys, logStates, logReasons, now); err != nil {
				return err
			}
			// The hub processes whose kiosks issued these send them the
			// states now, not at their next heartbeat (a delivery's
			// transaction is rare beside ingest's, which tells no one).
			if err := notifyChange(ctx, tx, "invoice-states"); err != nil {
				return err
			}
			st.Next += int64(len(out.Results))
		}
		switch {
		case out.Err == nil:
			st.LastError, st.Uncertain = "", 0
		case errors.Is(out.Err, einvoice.ErrUnavailable):
			st.LastError, st.Uncertain = out.Err.Error(), out.Unknown
		default: // the seller's settings: nothing was taken
			st.LastError = out.Err.Error()
			if len(out.Results) > 0 {
				st.Uncertain = 0
			}
		}
		if _, err := tx.Exec(ctx, iq("inv-stream-done"), key, st.Next, int32(st.Uncertain), st.LastError, now,
			int32(st.Delivered), int32(st.Refused)); err != nil {
			return err
		}
		for k := range perKiosk {
			kiosks = append(kiosks, k)
		}
		sort.Strings(kiosks)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delivery of %s: %w", key, err)
	}
	return kiosks, nil
}

// logStatesTx numbers the states on from each kiosk's last (the counter's row
// lock holds another transaction's states of the kiosk until this one
// commits, so sequences commit in order) and keeps them.
func logStatesTx(ctx context.Context, tx pgx.Tx, perKiosk map[string]int64, kiosks, keys, states, reasons []string, now time.Time) error {
	var ks []string
	var ns []int64
	for k, n := range perKiosk {
		ks, ns = append(ks, k), append(ns, n)
	}
	rows, err := tx.Query(ctx, iq("inv-state-seqs"), ks, ns)
	if err != nil {
		return fmt.Errorf("invoice states: %w", err)
	}
	next := map[string]int64{} // the next sequence to give, per kiosk
	var k string
	var top int64
	if _, err := pgx.ForEachRow(rows, []any{&k, &top}, func() error {
		next[k] = top - perKiosk[k] + 1
		return nil
	}); err != nil {
		return fmt.Errorf("invoice states: %w", err)
	}
	seqs := make([]int64, len(kiosks))
	for i, k := range kiosks {
		seqs[i] = next[k]
		next[k]++
	}
	if _, err := tx.Exec(ctx, iq("inv-log-states"), now, kiosks, seqs, keys, states, reasons); err != nil {
		return fmt.Errorf("invoice states: %w", err)
	}
	return nil
}

// InvoiceStates reads up to limit of a kiosk's invoice states after seq, and
// the sequence of the last one read.
func (s *PGStore) InvoiceStates(kiosk string, after uint64, limit int) ([]pos.InvoiceState, uint64, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, iq("inv-states"), kiosk, int64(after), max(limit, 0))
	if err != nil {
		return nil, after, fmt.Errorf("invoice states of %s: %w", kiosk, err)
	}
	var out []pos.InvoiceState
	last := after
	var seq int64
	var st pos.InvoiceState
	_, err = pgx.ForEachRow(rows, []any{&seq, &st.Key, &st.State, &st.Reason, &st.At}, func() error {
		out = append(out, st)
		last = uint64(seq)
		return nil
	})
	if err != nil {
		return nil, after, fmt.Errorf("invoice states of %s: %w", kiosk, err)
	}
	return out, last, nil
}

// AckInvoiceStates keeps how far the kiosk has applied its states.
func (s *PGStore) AckInvoiceStates(kiosk string, seq uint64) error {
	return s.exec("invoice states", kiosk, iq("inv-ack-states"), int64(seq))
}
