package sync

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// What the reports ask of a store. Every question is bounded by the days it
// names or by what a kiosk has not yet sent, never by the history held: a
// day's reconciliation costs what its day costs with ten thousand sales held
// or ten million. The figures that do span the whole history (units sold per
// product, records held, receipt numbers held twice) are running totals the
// store keeps as records arrive.

// ReportStore is the reports' part of Store.
type ReportStore interface {
	// RecordsBetween calls fn with every record made in [from, to), within a
	// Vietnam day by kiosk then record sequence, holding at most a day of them
	// at once (bbolt reads a few hundred at a time, PostgreSQL a day). A store
	// may leave out of a record what no report reads (its VAT lines, English
	// names). An error from fn stops the walk and is returned.
	RecordsBetween(from, to time.Time, fn func(HubSale) error) error
	// KioskTallies are the running totals of every kiosk that sent a record.
	KioskTallies() (map[string]KioskTally, error)
	// DailyNet is the net of sales, voids and refunds per kiosk and Vietnam
	// day for the days of [from, to), for the chart.
	DailyNet(from, to time.Time) ([]DayNet, error)
	// SalesPage lists up to limit records after the cursor, by kiosk, record
	// sequence and sale id (one kiosk's when kioskID is set), and whether more
	// follow.
	SalesPage(kioskID string, after SalesCursor, limit int) ([]HubSale, bool, error)
	// ProducerDays are the producers' settlement figures of the days of
	// [from, to) (Vietnam days), in any order.
	ProducerDays(from, to time.Time) ([]ProducerDay, error)
}

// KioskTally is what a store keeps, as records arrive, of one kiosk's whole
// history.
type KioskTally struct {
	Held int // records held, every day
	// Above are the sequences held above the kiosk's acknowledgement: with
	// it and the kiosk's Top they give the receipt-number gaps, which can
	// only lie above the acknowledgement.
	Above []uint64
	// Twice are sequences held under more than one sale id.
	Twice []uint64
	// Units are the units sold per product, by unitsKey (UnitsSoldDay left
	// at 0).
	Units map[string]UnitsSold
}

// DayNet is one kiosk's net on one day.
type DayNet struct {
	KioskID string
	Day     time.Time // the day's first instant, Vietnam time
	Net     pos.Money
}

// SalesCursor is where a page of the sales listing ends: the last record's
// kiosk, sequence and sale id. The zero cursor is the start.
type SalesCursor struct {
	KioskID string
	Seq     uint64
	SaleID  string
}

// String is the cursor as the listing's next and after carry it: K01.123.ID.
func (c SalesCursor) String() string {
	if c.KioskID == "" {
		return ""
	}
	return c.KioskID + "." + strconv.FormatUint(c.Seq, 10) + "." + c.SaleID
}

// ParseSalesCursor reads a cursor a listing gave out; empty is the start.
func ParseSalesCursor(s string) (SalesCursor, error) {
	if s == "" {
		return SalesCursor{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 || CheckKioskID(parts[0]) != nil || !pos.ValidID(parts[2]) {
		return SalesCursor{}, fmt.Errorf("%w: after=%q is not a cursor this hub gave out", ErrBadReportQuery, s)
	}
	seq, err := strconv.ParseUint(parts[1], 10, 64)
	if err != nil {
		return SalesCursor{}, fmt.Errorf("%w: after=%q is not a cursor this hub gave out", ErrBadReportQuery, s)
	}
	return SalesCursor{KioskID: parts[0], Seq: seq, SaleID: parts[2]}, nil
}

// CursorOf is the cursor after a record.
func CursorOf(hs HubSale) SalesCursor {
	return SalesCursor{KioskID: hs.Sale.KioskID, Seq: hs.Sale.Seq, SaleID: hs.Sale.ID}
}

// unitsKey is the running total a line counts in: a weighed line counts its
// grams, apart from units should a product change how it is sold.
func unitsKey(l pos.Line) (key, unit string) {
	if l.WeightG != 0 {
		return l.SKU + " g", "g"
	}
	return l.SKU, l.Unit
}

// CountUnits adds a record's lines to running units totals (Name and Unit
// follow the record with the highest sequence, as the listing's last did).
func CountUnits(get func(key string) (*UnitsSold, uint64), s pos.Sale, put func(key string, u *UnitsSold, nameSeq uint64)) {
	for _, l := range s.Lines {
		key, unit := unitsKey(l)
		u, nameSeq := get(key)
		if u == nil {
			u = &UnitsSold{SKU: l.SKU}
		}
		if s.Seq >= nameSeq {
			u.Name, u.Unit, nameSeq = l.Name, unit, s.Seq
		}
		n := l.Units()
		switch s.Kind {
		case pos.KindSale:
			u.Sold += n
			u.UnitsSold += n
		case pos.KindVoid:
			u.Voided -= n
			u.UnitsSold += n
		case pos.KindRefund:
			u.Refunded -= n
			u.UnitsSold += n
		}
		put(key, u, nameSeq)
	}
}

// netOf is what a record adds to its day's net: sales, voids and refunds at
// their totals, nothing else.
func netOf(s pos.Sale) (pos.Money, bool) {
	switch s.Kind {
	case pos.KindSale, pos.KindVoid, pos.KindRefund:
		return s.Total, true
	}
	return 0, false
}

// centralPrices answers a report's central price questions from each
// product's price history, read once per product the report meets: a day's
// lines ask thousands of times of a few hundred products.
// priceHistories is a store that reads every product's central prices at
// once (PostgreSQL: one query instead of one a product a report meets). The
// history is the catalog's size, not the sales'.
type priceHistories interface {
	PriceHistories() (map[string][]PricePoint, error)
}

type centralPrices struct {
	st      Store
	history map[string][]PricePoint
	whole   bool // history holds every product's: one not in it has none
}

// at is the central price of sku valid at t (the last set at or before t),
// as Store.CentralPrice answers it.
func (c *centralPrices) at(sku string, t time.Time) (pos.Money, bool, error) {
	if all, ok := c.st.(priceHistories); ok && c.history == nil {
		// One question for every product's prices rather than one a product.
		h, err := all.PriceHistories()
		if err != nil {
			return 0, false, err
		}
		c.history, c.whole = h, true
	}
	h, ok := c.history[sku]
	if !ok && !c.whole {
		var err error
		if h, err = c.st.PriceHistory(sku); err != nil {
			return 0, false, err
		}
		if c.history == nil {
			c.history = map[string][]PricePoint{}
		}
		c.history[sku] = h
	}
	// The first point set after t; the one before it is valid at t.
	i := sort.Search(len(h), func(i int) bool { return h[i].From.UnixNano() > t.UnixNano() })
	if i == 0 {
		return 0, false, nil
	}
	return h[i-1].Price, true, nil
}

// ProducerDay is what one producer's lines of one Vietnam day add to a
// settlement, kept by the store as records arrive (SettleRecord), so that a
// month's settlement reads a month of these rather than a month of records.
type ProducerDay struct {
	Day time.Time // the day's first instant, Vietnam time
	// The sums of ProducerSettlement (Lines to Net); names, commission and
	// payable are the settlement's.
	ProducerSettlement
	// Bad names a record of the day with a line out of range, which the
	// settlement refuses (nothing of that record is in the sums).
	Bad string
}

// SettleRecord adds a record's lines to their producers' figures (get gives
// the figures of a producer), by the settlement's rules: a line is worth its
// price × quantity (pos.LineGross; a unit a promotion gave free, its list
// price), recomputed rather than taken from the kiosk's line total; what a
// promotion the producer bears took off comes off the producer's net. A
// record with a line out of range adds nothing; bad says why, and which
// producer's day carries the refusal.
func SettleRecord(sl pos.Sale, get func(producerID string) *ProducerSettlement) (bad, badProducer string) {
	for i, l := range sl.Lines {
		if l.Qty < -pos.MaxQty || l.Qty > pos.MaxQty || l.Price < 0 || l.Price > pos.MaxPrice ||
			l.WeightG < -pos.MaxWeightG || l.WeightG > pos.MaxWeightG || l.ListPrice < 0 || l.ListPrice > pos.MaxPrice {
			return fmt.Sprintf("record %s (%s) line %d: quantity %d, weight %d g or price %d out of range",
				sl.ID, sl.ReceiptNo, i+1, l.Qty, l.WeightG, l.Price), l.ProducerID
		}
	}
	bearer := map[string]string{}
	for _, a := range sl.Promotions {
		bearer[a.ID] = a.Bearer
	}
	for _, l := range sl.Lines {
		switch sl.Kind {
		case pos.KindSale, pos.KindVoid, pos.KindRefund:
		default:
			// Counted nowhere, but its producer appears, as it always did.
			get(l.ProducerID)
			continue
		}
		p := get(l.ProducerID)
		// A line is worth its price (free units their list price); a
		// promotion the producer bears comes off what the producer is paid,
		// one the booth bears and the till's discounts do not.
		worth := l.Gross()
		if l.Free {
			worth = l.ListPrice * pos.Money(l.Qty)
		}
		var borne pos.Money
		if l.Promotion != "" && bearer[l.Promotion] == pos.BearerProducer {
			borne = l.PromotionSaved()
		}
		v := worth - borne
		switch sl.Kind {
		case pos.KindSale:
			p.Lines++
			p.Gross += worth
			p.Promotions += borne
		case pos.KindVoid:
			p.Voided += v
		case pos.KindRefund:
			p.Refunded += v
		}
		if l.WeightG != 0 {
			p.WeightG += l.WeightG
		} else {
			p.Units += l.Qty
		}
		p.Net += v
	}
	return "", ""
}

// AddSums adds o's sums (Lines to Net) to p.
func (p *ProducerSettlement) AddSums(o ProducerSettlement) {
	p.Lines += o.Lines
	p.Units += o.Units
	p.WeightG += o.WeightG
	p.Gross += o.Gross
	p.Promotions += o.Promotions
	p.Voided += o.Voided
	p.Refunded += o.Refunded
	p.Net += o.Net
}
