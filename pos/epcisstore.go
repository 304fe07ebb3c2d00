package pos

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrBadEPCISQuery reports a query of events the kiosk cannot answer (no
// GTIN, or a malformed one).
var ErrBadEPCISQuery = errors.New("bad EPCIS query")

// EPCISQuery selects a product's events: its lots (or one of them), within
// [From, To) when set, a page of sales at a time after the cursor After (a
// record sequence; 0 starts with the lots' own events).
type EPCISQuery struct {
	GTIN     string // any GTIN form; required
	Lot      string // one lot, or every lot of the product
	From, To time.Time
	After    uint64
	Limit    int // sale events a page, 1 to MaxPage
	// NoSales leaves the sales out: what anyone may read of a lot (its
	// commissioning, trace steps and producers' events), not what sold when.
	NoSales bool
}

// MaxEPCISScan bounds the records one page reads looking for sales of a
// lot, so a page costs the same however long the kiosk has been selling: a
// page that reaches it ends early with a cursor to go on from.
const MaxEPCISScan = 50_000

// EPCISPage is a page of events and the cursor of the next (0: no more).
type EPCISPage struct {
	Events []EPCISEvent
	Next   uint64
}

// saleLots is the part of a record its retail events need.
type saleLots struct {
	Kind      string    `json:"kind"`
	KioskID   string    `json:"kiosk_id"`
	ReceiptNo string    `json:"receipt_no"`
	Time      time.Time `json:"time"`
	Reason    string    `json:"reason"`
	Lines     []Line    `json:"lines"`
}

// EPCISEvents answers a page of a product's events: on the first page the
// lots' commissioning and trace events, then the sales, voids and refunds of
// them in record order. base is the labels' Digital Link base.
func (s *Store) EPCISEvents(base string, q EPCISQuery) (EPCISPage, error) {
	g, err := NormalizeGTIN(q.GTIN)
	if err != nil {
		return EPCISPage{}, fmt.Errorf("%w: gtin %q: %v", ErrBadEPCISQuery, q.GTIN, err)
	}
	limit := pageLimit(q.Limit)
	var page EPCISPage
	err = s.db.View(func(tx *bolt.Tx) error {
		p, err := productByGTIN(tx, g)
		if err != nil {
			return err
		}
		lots, err := epcisLots(tx, p.SKU, q.Lot)
		if err != nil {
			return err
		}
		var producer Producer
		if _, err := getJSON(tx.Bucket(bProducers), []byte(p.ProducerID), &producer); err != nil {
			return err
		}
		if q.After == 0 {
			if page.Events, err = LotsEvents(base, p, producer, lots, q.From, q.To); err != nil {
				return err
			}
		}
		if q.NoSales {
			return nil
		}
		keep := KeepLots(p, q.Lot)
		sales, next, err := lotSales(tx, base, q, keep, limit)
		page.Events, page.Next = append(page.Events, sales...), next
		return err
	})
	if page.Events == nil {
		page.Events = []EPCISEvent{}
	}
	return page, err
}

// LotsEvents are the own events of a product's lots (commissioning, trace
// steps) and those producers sent, within [from, to), in time order: what
// the kiosk and the hub answer on the first page of a lot.
func LotsEvents(base string, p Product, producer Producer, lots []Lot, from, to time.Time) ([]EPCISEvent, error) {
	var out []EPCISEvent
	for _, l := range lots {
		evs, err := LotEvents(EPCISLotSource{Base: base, Lot: l, Product: p, Producer: producer})
		if err != nil {
			return nil, err
		}
		out = append(out, inRange(evs, from, to)...)
	}
	out = append(out, capturedEvents(lots, from, to)...)
	sortByTime(out)
	return out, nil
}

// KeepLots selects for SaleEvents the lines of product p, of one lot or of
// any when lot is empty.
func KeepLots(p Product, lot string) func(sku, code string) (string, bool) {
	return func(sku, code string) (string, bool) {
		return p.GTIN, sku == p.SKU && (lot == "" || code == lot)
	}
}

// lotSales walks the records after q.After for sale events keep selects.
func lotSales(tx *bolt.Tx, base string, q EPCISQuery, keep func(sku, lot string) (string, bool), limit int) ([]EPCISEvent, uint64, error) {
	var out []EPCISEvent
	needle := []byte(`"lot":`)
	if q.Lot != "" {
		needle, _ = json.Marshal(q.Lot)
		needle = append([]byte(`"lot":`), needle...)
	}
	sales := tx.Bucket(bSales)
	c := tx.Bucket(bSalesSeq).Cursor()
	scanned := 0
	for k, id := c.Seek(u64(q.After + 1)); k != nil; k, id = c.Next() {
		seq := binary.BigEndian.Uint64(k)
		if len(out) >= limit || scanned >= MaxEPCISScan {
			return out, seq - 1, nil
		}
		scanned++
		v := sales.Get(id)
		if !bytes.Contains(v, needle) { // most records sell other things
			continue
		}
		var sl saleLots
		if err := json.Unmarshal(v, &sl); err != nil {
			return out, 0, fmt.Errorf("record %s: %w", id, err)
		}
		if !q.From.IsZero() && sl.Time.Before(q.From) || !q.To.IsZero() && !sl.Time.Before(q.To) {
			continue
		}
		evs, err := SaleEvents(base, Sale{Kind: sl.Kind, KioskID: sl.KioskID, ReceiptNo: sl.ReceiptNo,
			Time: sl.Time, Reason: sl.Reason, Lines: sl.Lines}, keep)
		if err != nil {
			return out, 0, err
		}
		out = append(out, evs...)
	}
	return out, 0, nil
}

// productByGTIN finds the product carrying a (normalised) GTIN.
func productByGTIN(tx *bolt.Tx, gtin string) (Product, error) {
	c := tx.Bucket(bProducts).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if !bytes.Contains(v, []byte(gtin)) {
			continue
		}
		var p Product
		if err := json.Unmarshal(v, &p); err != nil {
			return Product{}, fmt.Errorf("product %s: %w", k, err)
		}
		if p.GTIN == gtin {
			return p, nil
		}
	}
	return Product{}, fmt.Errorf("%w: no product has GTIN %s", ErrNotFound, gtin)
}

// epcisLots is one lot of sku, or all of them.
func epcisLots(tx *bolt.Tx, sku, code string) ([]Lot, error) {
	b := tx.Bucket(bLots)
	if code != "" {
		var l Lot
		ok, err := getJSON(b, []byte(sku+"/"+code), &l)
		if err == nil && !ok {
			err = fmt.Errorf("%w: lot %s of %s", ErrNotFound, code, sku)
		}
		return []Lot{l}, err
	}
	var out []Lot
	prefix := []byte(sku + "/")
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var l Lot
		if err := json.Unmarshal(v, &l); err != nil {
			return nil, fmt.Errorf("lot %s: %w", k, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// inRange keeps the events whose time falls in [from, to).
func inRange(evs []EPCISEvent, from, to time.Time) []EPCISEvent {
	if from.IsZero() && to.IsZero() {
		return evs
	}
	out := evs[:0]
	for _, e := range evs {
		t, err := time.Parse(time.RFC3339Nano, e.EventTime)
		if err != nil || !from.IsZero() && t.Before(from) || !to.IsZero() && !t.Before(to) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// capturedEvents are the events producers sent for the lots, in [from, to).
func capturedEvents(lots []Lot, from, to time.Time) []EPCISEvent {
	var out []EPCISEvent
	for _, l := range lots {
		for _, raw := range l.Captured {
			var head struct {
				EventTime string `json:"eventTime"`
			}
			if json.Unmarshal(raw, &head) != nil {
				continue
			}
			out = append(out, CapturedEPCISEvent(raw, head.EventTime))
		}
	}
	return inRange(out, from, to)
}

// sortByTime orders a lot's own and captured events by when they happened
// (their zones may differ, so the strings alone do not order them).
func sortByTime(evs []EPCISEvent) {
	at := func(e EPCISEvent) time.Time { t, _ := time.Parse(time.RFC3339Nano, e.EventTime); return t }
	sort.SliceStable(evs, func(i, j int) bool { return at(evs[i]).Before(at(evs[j])) })
}

// ParseEPCISQuery reads gtin (required), lot, from, to (RFC 3339 times, or
// days YYYY-MM-DD from the start of that day in Vietnam) and limit (1 to
// MaxPage) of an events query; the cursor is each server's own.
func ParseEPCISQuery(get func(key string) string) (EPCISQuery, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadEPCISQuery}, a...)...)
	}
	q := EPCISQuery{GTIN: get("gtin"), Lot: get("lot")}
	if q.GTIN == "" {
		return q, bad("gtin is required: the events of which product?")
	}
	var err error
	if q.From, err = epcisBound(get("from")); err != nil {
		return q, bad("from: %v", err)
	}
	if q.To, err = epcisBound(get("to")); err != nil {
		return q, bad("to: %v", err)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, bad("from must be before to")
	}
	if v := get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > MaxPage {
			return q, bad("limit %q: want 1 to %d", v, MaxPage)
		}
	}
	return q, nil
}

func epcisBound(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, VietnamTime); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time or YYYY-MM-DD", v)
}
