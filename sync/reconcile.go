package sync

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// The managers' reconciliation: what each kiosk sold on a day and what does not
// add up, and what each producer is owed over a fair. Everything here is
// computed from what the store answers of the report's own days and keeps as
// records arrive (ReportStore, reportstore.go), the kiosks' last word
// (Store.Kiosks) and the central price history (Store.PriceHistory); no report
// is stored, so each is as fresh as the last batch that arrived.

// ErrBadReportQuery is a report asked for with parameters that make no sense: a
// range that ends before it starts, a commission outside 0–100 %.
var ErrBadReportQuery = errors.New("bad report query")

// reportDay is the start and end (exclusive) of the calendar day of t, read in
// Vietnam time.
func reportDay(t time.Time) (start, end time.Time) {
	y, m, d := t.In(pos.VietnamTime).Date()
	start = time.Date(y, m, d, 0, 0, 0, 0, pos.VietnamTime)
	return start, start.AddDate(0, 0, 1)
}

// MethodTotals sums payments per method. Voids and refunds count negative, so
// each figure is what that method should hold at the end of the day.
type MethodTotals struct {
	Cash    pos.Money `json:"cash"`
	VietQR  pos.Money `json:"vietqr"`
	Card    pos.Money `json:"card"`
	Ewallet pos.Money `json:"ewallet"`
	// Other is a method the hub does not know; only a tampered (or newer)
	// kiosk sends one.
	Other pos.Money `json:"other,omitempty"`
}

func (m *MethodTotals) add(method string, a pos.Money) {
	switch method {
	case pos.MethodCash:
		m.Cash += a
	case pos.MethodVietQR:
		m.VietQR += a
	case pos.MethodCard:
		m.Card += a
	case pos.MethodEwallet:
		m.Ewallet += a
	default:
		m.Other += a
	}
}

// DayTotals are the counts and sums of a day's records. Amounts are the
// records' own totals (VAT-inclusive đồng); a record whose totals do not add up
// is counted as it is and listed in Mismatches.
type DayTotals struct {
	Sales    int          `json:"sales"`
	Voids    int          `json:"voids"`
	Refunds  int          `json:"refunds"`
	Gross    pos.Money    `json:"gross"`    // the sales
	Voided   pos.Money    `json:"voided"`   // the voids, negative
	Refunded pos.Money    `json:"refunded"` // the refunds, negative
	Net      pos.Money    `json:"net"`      // gross + voided + refunded
	Payments MethodTotals `json:"payments"`
	// Discounts is the till's manual discounts (lines and sales) and
	// PromotionsSaved what promotions saved customers, free units at their
	// catalog price; both net of voids and refunds (discounts.go). Neither
	// is in Gross: the records' totals are after them.
	Discounts       pos.Money `json:"discounts"`
	PromotionsSaved pos.Money `json:"promotions_saved"`
}

func (t *DayTotals) add(s pos.Sale) {
	switch s.Kind {
	case pos.KindSale:
		t.Sales++
		t.Gross += s.Total
	case pos.KindVoid:
		t.Voids++
		t.Voided += s.Total
	case pos.KindRefund:
		t.Refunds++
		t.Refunded += s.Total
	default:
		return
	}
	t.Net += s.Total
	for _, p := range s.Payments {
		t.Payments.add(p.Method, p.Amount)
	}
}

func (t *DayTotals) merge(o DayTotals) {
	t.Sales += o.Sales
	t.Voids += o.Voids
	t.Refunds += o.Refunds
	t.Gross += o.Gross
	t.Voided += o.Voided
	t.Refunded += o.Refunded
	t.Net += o.Net
	t.Payments.Cash += o.Payments.Cash
	t.Payments.VietQR += o.Payments.VietQR
	t.Payments.Card += o.Payments.Card
	t.Payments.Ewallet += o.Payments.Ewallet
	t.Payments.Other += o.Payments.Other
	t.Discounts += o.Discounts
	t.PromotionsSaved += o.PromotionsSaved
}

// ReceiptGap is a run of receipt numbers the kiosk made that the hub does not
// hold: not arrived yet, or lost.
type ReceiptGap struct {
	From    string `json:"from"` // first missing receipt number, K01-000012
	To      string `json:"to"`   // last missing receipt number
	FromSeq uint64 `json:"from_seq"`
	ToSeq   uint64 `json:"to_seq"`
	Count   uint64 `json:"count"`
}

// String is the gap as a manager reads it: K01-000012…K01-000014.
func (g ReceiptGap) String() string {
	if g.FromSeq == g.ToSeq {
		return g.From
	}
	return g.From + "…" + g.To
}

// PriceDiff is a line sold at a price other than the central price valid when
// it was sold.
type PriceDiff struct {
	KioskID      string    `json:"kiosk_id"`
	SaleID       string    `json:"sale_id"`
	ReceiptNo    string    `json:"receipt_no"`
	Time         time.Time `json:"time"`
	SKU          string    `json:"sku"`
	Name         string    `json:"name"`
	Qty          int64     `json:"qty"`
	WeightG      int64     `json:"weight_g,omitempty"` // a weighed line: its prices are per kg
	Price        pos.Money `json:"price"`              // as sold
	CentralPrice pos.Money `json:"central_price"`      // valid at Time
	Difference   pos.Money `json:"difference"`         // the line at its price less the line at the central price
}

// Mismatch is a record whose figures do not add up (see checkTotals).
type Mismatch struct {
	KioskID   string    `json:"kiosk_id"`
	SaleID    string    `json:"sale_id"`
	ReceiptNo string    `json:"receipt_no"`
	Time      time.Time `json:"time"`
	Kind      string    `json:"kind"`
	Reason    string    `json:"reason"`
}

// UnitsSold is the stock-drift figure of one product at one kiosk: how many
// units (grams of goods sold by weight, Unit "g") left the kiosk's shelf according to the records the hub holds — units
// in sales, less units put back by voids, less units returned by refunds — over
// everything the hub holds from that kiosk (UnitsSold), and over the day alone
// (UnitsSoldDay). A manager compares stock at the start with a physical count
// less UnitsSold; a difference is stock drift (theft, breakage, a miscount, or
// records that have not arrived: see the kiosk's gaps and unsynced depth).
//
// A refund record does not say whether its goods went back on the shelf (the
// kiosk restocks unless the manager says otherwise), so every refunded unit is
// counted as back; goods refunded without restocking show as drift.
type UnitsSold struct {
	SKU  string `json:"sku"`
	Name string `json:"name"`
	// Unit is what the figures count: "g" for goods sold by weight (a
	// weighing is its grams, not one), the product's unit otherwise.
	Unit         string `json:"unit,omitempty"`
	Sold         int64  `json:"sold"`
	Voided       int64  `json:"voided"`   // units back through voids
	Refunded     int64  `json:"refunded"` // units returned through refunds
	UnitsSold    int64  `json:"units_sold"`
	UnitsSoldDay int64  `json:"units_sold_day"`
}

// KioskDay is one kiosk's line of the reconciliation.
type KioskDay struct {
	KioskID string `json:"kiosk_id"`
	Revoked bool   `json:"revoked,omitempty"`
	DayTotals
	LastContact time.Time `json:"last_contact,omitzero"`
	// Unsynced is how many records were waiting on the kiosk at its last
	// heartbeat.
	Unsynced int `json:"unsynced"`
	// Held counts the kiosk's records the hub holds, every day; LastReceipt is
	// the highest receipt number among them.
	Held        int    `json:"held"`
	LastReceipt string `json:"last_receipt,omitempty"`
	// Gaps are records from 1 up to the newest that the hub does not hold,
	// over every day: a missing record has no time to place it on one. They are
	// named by record sequence, which is the main-series receipt number unless
	// the kiosk sold in a provisional series after a restore.
	Gaps []ReceiptGap `json:"gaps"`
	// Lost are records the kiosk reported lost with a store it replaced before
	// they reached the hub (not counted in Gaps).
	Lost            []pos.SeqRange `json:"lost,omitempty"`
	LastError       string         `json:"last_uplink_error,omitempty"`
	MissingReceipts uint64         `json:"missing_receipts"`
	// DuplicateReceipts are receipt numbers held under more than one sale id:
	// a kiosk restored from an old backup numbers again from there.
	DuplicateReceipts []string    `json:"duplicate_receipts,omitempty"`
	PriceDiffs        []PriceDiff `json:"price_diffs"`
	// NoCentralPrice counts the day's sold lines the hub had no central
	// price for: they were not checked, and the report says so.
	NoCentralPrice int         `json:"no_central_price"`
	Mismatches     []Mismatch  `json:"mismatches"`
	UnitsSold      []UnitsSold `json:"units_sold"`
	// DiscountsByReason and ByPromotion are the day's discounts and
	// promotions (discounts.go); DayTotals has their sums.
	DiscountsByReason []pos.DiscountTotal `json:"discounts_by_reason"`
	ByPromotion       []PromotionGiven    `json:"by_promotion"`
}

// Reconciliation is the managers' per-kiosk summary of one day.
type Reconciliation struct {
	Day       string    `json:"day"`  // YYYY-MM-DD, Vietnam time
	From      time.Time `json:"from"` // the day's first instant
	To        time.Time `json:"to"`   // the next day's first instant
	Generated time.Time `json:"generated"`
	// Complete says the day was over when the report was made; later batches
	// from kiosks that were offline can still change a complete day.
	Complete bool       `json:"complete"`
	Kiosks   []KioskDay `json:"kiosks"`
	Totals   DayTotals  `json:"totals"`
}

// Reconcile summarises, per kiosk, the records of the calendar day of day (read
// in Vietnam time, UTC+7): counts and sums by kind and payment method, the
// till's discounts by reason and what each promotion saved, lines sold off the
// central price, records whose totals do not add up; and, over
// everything the hub holds, receipt-number gaps and units sold per product. Every
// registered kiosk has a line, sales or not.
func Reconcile(st Store, day, now time.Time) (Reconciliation, error) {
	start, end := reportDay(day)
	r := Reconciliation{Day: start.Format(time.DateOnly), From: start, To: end,
		Generated: now, Complete: !now.Before(end), Kiosks: []KioskDay{}}
	kiosks, err := st.Kiosks()
	if err != nil {
		return r, fmt.Errorf("reconciliation of %s: kiosks: %w", r.Day, err)
	}
	// The running totals are read while the day's records are: the two
	// reads are independent, and on PostgreSQL the server works on one while
	// the hub adds up the other.
	var tallies map[string]KioskTally
	tallied := make(chan error, 1)
	go func() {
		var err error
		tallies, err = st.KioskTallies()
		tallied <- err
	}()
	tallyErr := func() error {
		if err := <-tallied; err != nil {
			return fmt.Errorf("reconciliation of %s: running totals: %w", r.Day, err)
		}
		return nil
	}
	byID := map[string]*KioskDay{}
	get := func(id string) *KioskDay {
		kd := byID[id]
		if kd == nil {
			kd = &KioskDay{KioskID: id, Gaps: []ReceiptGap{}, PriceDiffs: []PriceDiff{}, Mismatches: []Mismatch{}, UnitsSold: []UnitsSold{},
				DiscountsByReason: []pos.DiscountTotal{}, ByPromotion: []PromotionGiven{}}
			byID[id] = kd
		}
		return kd
	}
	progress := map[string][2]uint64{} // kiosk → acknowledgement, newest sequence held
	for _, k := range kiosks {
		kd := get(k.ID)
		kd.Revoked, kd.LastContact, kd.Unsynced, kd.Lost, kd.LastError = k.Revoked, k.LastContact, k.Depth, k.Lost, k.LastError
		progress[k.ID] = [2]uint64{k.Acked, k.Top}
	}
	prices := &centralPrices{st: st}
	dayUnits := map[string]map[string]int64{} // kiosk → units key → the day's units
	given := map[string]*givenTally{}         // kiosk → the day's discounts and promotions
	err = st.RecordsBetween(start, end, func(hs HubSale) error {
		s := hs.Sale
		kd := get(s.KioskID)
		if dayUnits[s.KioskID] == nil {
			dayUnits[s.KioskID] = map[string]int64{}
		}
		switch s.Kind {
		case pos.KindSale, pos.KindVoid, pos.KindRefund:
			for _, l := range s.Lines {
				key, _ := unitsKey(l)
				dayUnits[s.KioskID][key] += l.Units()
			}
		}
		kd.add(s)
		if given[s.KioskID] == nil {
			given[s.KioskID] = &givenTally{}
		}
		given[s.KioskID].add(s)
		if hs.Mismatch != "" {
			kd.Mismatches = append(kd.Mismatches, Mismatch{KioskID: s.KioskID, SaleID: s.ID, ReceiptNo: s.ReceiptNo,
				Time: s.Time, Kind: s.Kind, Reason: hs.Mismatch})
		}
		if s.Kind != pos.KindSale {
			return nil // a void or refund repeats the prices of the sale it undoes
		}
		for _, l := range s.Lines {
			if l.Free {
				continue // a unit a promotion gave: its price is 0 by design, its paid line is compared
			}
			central, ok, err := prices.at(l.SKU, s.Time)
			if err != nil {
				return fmt.Errorf("central price of %s: %w", l.SKU, err)
			}
			if !ok {
				// Nothing to check the line against: counted, never passed.
				kd.NoCentralPrice++
				continue
			}
			if central == l.Price {
				continue
			}
			kd.PriceDiffs = append(kd.PriceDiffs, PriceDiff{KioskID: s.KioskID, SaleID: s.ID, ReceiptNo: s.ReceiptNo,
				Time: s.Time, SKU: l.SKU, Name: l.Name, Qty: l.Qty, WeightG: l.WeightG, Price: l.Price, CentralPrice: central,
				Difference: l.Gross() - pos.LineGross(central, l.Qty, l.WeightG)})
		}
		return nil
	})
	if err != nil {
		_ = tallyErr()
		return r, fmt.Errorf("reconciliation of %s: %w", r.Day, err)
	}
	if err := tallyErr(); err != nil {
		return r, err
	}
	for id := range tallies {
		get(id)
	}
	for id, kd := range byID {
		t := tallies[id]
		kd.Held = t.Held
		above := map[uint64]string{}
		for _, q := range t.Above {
			above[q] = ""
		}
		p := progress[id]
		kd.Gaps, kd.MissingReceipts, _ = receiptGapsFrom(id, p[0], above)
		if p[1] > 0 {
			kd.LastReceipt = pos.ReceiptNo(id, p[1])
		}
		for _, q := range t.Twice {
			kd.DuplicateReceipts = append(kd.DuplicateReceipts, pos.ReceiptNo(id, q))
		}
		sort.Strings(kd.DuplicateReceipts)
		for key, u := range t.Units {
			u.UnitsSoldDay = dayUnits[id][key]
			kd.UnitsSold = append(kd.UnitsSold, u)
		}
		sort.Slice(kd.UnitsSold, func(i, j int) bool {
			a, b := kd.UnitsSold[i], kd.UnitsSold[j]
			return a.SKU < b.SKU || a.SKU == b.SKU && a.Unit < b.Unit
		})
		g := given[id]
		if g == nil {
			g = &givenTally{}
		}
		kd.DiscountsByReason, kd.ByPromotion = g.lists()
		kd.Discounts, kd.PromotionsSaved = g.totals()
		r.Kiosks = append(r.Kiosks, *kd)
	}
	sort.Slice(r.Kiosks, func(i, j int) bool { return r.Kiosks[i].KioskID < r.Kiosks[j].KioskID })
	for _, kd := range r.Kiosks {
		r.Totals.merge(kd.DayTotals)
	}
	return r, nil
}

// receiptGaps finds the receipt numbers missing from held, from 1.
func receiptGaps(kiosk string, held map[uint64]string) (gaps []ReceiptGap, missing uint64, last string) {
	return receiptGapsFrom(kiosk, 0, held)
}

// receiptGapsFrom finds the receipt numbers above acked missing from held
// (everything up to acked is held or reported lost). Receipt numbers are
// gapless from 1 on every kiosk (a bucket sequence that only moves when a sale
// commits), so numbers below the lowest one held are missing too: a kiosk whose
// first receipts never arrived must not look whole.
func receiptGapsFrom(kiosk string, acked uint64, held map[uint64]string) (gaps []ReceiptGap, missing uint64, last string) {
	gaps = []ReceiptGap{}
	seqs := make([]uint64, 0, len(held))
	for s := range held {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	want := acked + 1
	for _, s := range seqs {
		if s > want {
			gaps = append(gaps, ReceiptGap{From: pos.ReceiptNo(kiosk, want), To: pos.ReceiptNo(kiosk, s-1),
				FromSeq: want, ToSeq: s - 1, Count: s - want})
			missing += s - want
		}
		want = s + 1
	}
	if len(seqs) > 0 {
		last = pos.ReceiptNo(kiosk, seqs[len(seqs)-1])
	}
	return gaps, missing, last
}

// ProducerSettlement is what one producer is owed over a settlement's days.
type ProducerSettlement struct {
	ProducerID  string    `json:"producer_id"`
	Name        string    `json:"name,omitempty"` // from the central catalog
	TaxCode     string    `json:"tax_code,omitempty"`
	BankAccount string    `json:"bank_account,omitempty"` // BIN and account, where the payable goes
	Lines       int       `json:"lines"`                  // lines of sales
	Units       int64     `json:"units"`                  // units sold less units voided or refunded, goods sold by weight apart
	WeightG     int64     `json:"weight_g"`               // grams of goods sold by weight, less grams voided or refunded
	Gross       pos.Money `json:"gross"`                  // lines of sales at their prices, free units at their list price
	Promotions  pos.Money `json:"promotions"`             // of Gross, what promotions the producer bears took off
	Voided      pos.Money `json:"voided"`                 // lines of voids, negative
	Refunded    pos.Money `json:"refunded"`               // lines of refunds, negative
	Net         pos.Money `json:"net"`
	Commission  pos.Money `json:"commission"` // net × percent / 100, half away from zero
	Payable     pos.Money `json:"payable"`    // net − commission
}

// Settlement is what each producer is owed across every kiosk of the hub over
// a run of days (a fair).
type Settlement struct {
	From              string               `json:"from"` // first day, YYYY-MM-DD, Vietnam time
	To                string               `json:"to"`   // last day, included
	CommissionPercent int                  `json:"commission_percent"`
	Producers         []ProducerSettlement `json:"producers"`
	Totals            ProducerSettlement   `json:"totals"`
}

// Settle works out, per producer, the lines of every record made from the start
// of from's day to the end of to's day (Vietnam time) by any kiosk, from the
// per-day figures the store keeps as records arrive (SettleRecord): gross of the
// sales, voids and refunds (negative) in the days they were made, net, the
// booth's commission at commissionPercent (0–100) and what is payable. A line is
// worth its price × quantity (pos.LineGross: price per kg × grams of a weighed
// line; a unit a promotion gave free, its list price), recomputed here rather
// than taken from the kiosk's line total (a record whose line totals were
// altered shows in the reconciliation's mismatches, not in a producer's money).
// What a promotion the producer bears took off comes off the producer's net
// (Promotions); one the booth bears, and the till's own discounts, the booth
// bears. Producers are sorted by id.
func Settle(st Store, from, to time.Time, commissionPercent int) (Settlement, error) {
	start, _ := reportDay(from)
	last, end := reportDay(to)
	s := Settlement{From: start.Format(time.DateOnly), To: last.Format(time.DateOnly),
		CommissionPercent: commissionPercent, Producers: []ProducerSettlement{}}
	if end.Before(start) || end.Equal(start) {
		return s, fmt.Errorf("%w: settlement from %s to %s ends before it starts", ErrBadReportQuery, s.From, s.To)
	}
	if commissionPercent < 0 || commissionPercent > 100 {
		return s, fmt.Errorf("%w: commission %d %%, want 0 to 100", ErrBadReportQuery, commissionPercent)
	}
	cat, err := st.Catalog()
	if err != nil {
		return s, fmt.Errorf("settlement %s–%s: catalog: %w", s.From, s.To, err)
	}
	producers := map[string]pos.Producer{}
	for _, p := range cat.Producers {
		producers[p.ID] = p
	}
	days, err := st.ProducerDays(start, end)
	if err != nil {
		return s, fmt.Errorf("settlement %s–%s: %w", s.From, s.To, err)
	}
	by := map[string]*ProducerSettlement{}
	for _, d := range days {
		if d.Bad != "" {
			return s, fmt.Errorf("settlement: %s", d.Bad)
		}
		p := by[d.ProducerID]
		if p == nil {
			p = &ProducerSettlement{ProducerID: d.ProducerID}
			if cp, ok := producers[d.ProducerID]; ok {
				p.Name, p.TaxCode = cp.Name, cp.TaxCode
				if cp.BankAccount != "" {
					p.BankAccount = cp.BankBIN + " " + cp.BankAccount
				}
			}
			by[d.ProducerID] = p
		}
		p.AddSums(d.ProducerSettlement)
	}
	for _, p := range by {
		if p.Commission, err = commissionOf(p.Net, commissionPercent); err != nil {
			return s, fmt.Errorf("settlement of %s: %w", p.ProducerID, err)
		}
		p.Payable = p.Net - p.Commission
		s.Producers = append(s.Producers, *p)
		t := &s.Totals
		t.Lines += p.Lines
		t.Units += p.Units
		t.WeightG += p.WeightG
		t.Gross += p.Gross
		t.Promotions += p.Promotions
		t.Voided += p.Voided
		t.Refunded += p.Refunded
		t.Net += p.Net
		t.Commission += p.Commission
		t.Payable += p.Payable
	}
	sort.Slice(s.Producers, func(i, j int) bool { return s.Producers[i].ProducerID < s.Producers[j].ProducerID })
	return s, nil
}

// commissionOf is net × percent / 100 rounded to the đồng, halves away from zero
// (up for a positive net), in integers.
func commissionOf(net pos.Money, percent int) (pos.Money, error) {
	if net > math.MaxInt64/100 || net < -math.MaxInt64/100 {
		return 0, fmt.Errorf("net %d too large for a commission", net)
	}
	q := int64(net) * int64(percent)
	if q >= 0 {
		return pos.Money((q + 50) / 100), nil
	}
	return -pos.Money((-q + 50) / 100), nil
}

// reportDateParam reads a YYYY-MM-DD query parameter as a day in Vietnam time;
// empty is the day of now.
func reportDateParam(name, v string, now time.Time) (time.Time, error) {
	if v == "" {
		start, _ := reportDay(now)
		return start, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, pos.VietnamTime)
	if err != nil || t.Year() < 2000 || t.Year() > 2999 {
		return time.Time{}, fmt.Errorf("%w: %s=%q, want a day as YYYY-MM-DD", ErrBadReportQuery, name, v)
	}
	return t, nil
}

// settlementParams reads from, to (default: today) and commission (default 0).
func settlementParams(from, to, comm string, now time.Time) (time.Time, time.Time, int, error) {
	f, err := reportDateParam("from", from, now)
	if err != nil {
		return f, f, 0, err
	}
	t, err := reportDateParam("to", to, now)
	if err != nil {
		return f, t, 0, err
	}
	if from != "" && to == "" {
		t = f // one day when only from is given
	}
	if to != "" && from == "" {
		f = t
	}
	if t.Before(f) {
		return f, t, 0, fmt.Errorf("%w: to %s is before from %s", ErrBadReportQuery, t.Format(time.DateOnly), f.Format(time.DateOnly))
	}
	pct := 0
	if comm != "" {
		if pct, err = strconv.Atoi(comm); err != nil || pct < 0 || pct > 100 {
			return f, t, 0, fmt.Errorf("%w: commission=%q, want a whole percent from 0 to 100", ErrBadReportQuery, comm)
		}
	}
	return f, t, pct, nil
}

// reportRoutes registers the reconciliation: the JSON and the exports under the
// admin API group (bearer token), and the managers' pages under /reports,
// which take the admin token as a bearer header or the session that the
// sign-in form starts (a browser following a link or loading the chart cannot
// send a header; see signin.go).
func (h *Hub) reportRoutes(app fiber.Router, admin fiber.Router) {
	admin.Get("/reconciliation", h.reconciliation)
	admin.Get("/reconciliation.csv", h.reconciliationCSV)
	admin.Get("/reconciliation.xlsx", h.reconciliationXLSX)
	admin.Get("/settlement", h.settlement)
	admin.Get("/settlement.csv", h.settlementCSV)
	admin.Get("/settlement.xlsx", h.settlementXLSX)
	app.Get("/reports", func(c *fiber.Ctx) error { return c.Redirect("/reports/reconciliation", fiber.StatusSeeOther) })
	app.Get("/reports/login", h.reportLoginForm)
	app.Post("/reports/login", h.reportLogin)
	app.Post("/reports/logout", h.reportLogout)
	app.Get("/reports/reconciliation", h.reportAuth, h.reconciliationPage)
	app.Get("/reports/reconciliation.csv", h.reportAuth, h.reconciliationCSV)
	app.Get("/reports/reconciliation.xlsx", h.reportAuth, h.reconciliationXLSX)
	app.Get("/reports/settlement", h.reportAuth, h.settlementPage)
	app.Get("/reports/settlement.csv", h.reportAuth, h.settlementCSV)
	app.Get("/reports/settlement.xlsx", h.reportAuth, h.settlementXLSX)
	app.Get("/reports/chart.svg", h.reportAuth, h.salesChart)
}

// reconciliation answers GET /api/v1/reconciliation?day=YYYY-MM-DD (default:
// today in Vietnam).
func (h *Hub) reconciliation(c *fiber.Ctx) error {
	r, err := h.reconciliationFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return c.JSON(r)
}

// settlement answers GET /api/v1/settlement?from=&to=&commission=N (default:
// today, no commission).
func (h *Hub) settlement(c *fiber.Ctx) error {
	s, err := h.settlementFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return c.JSON(s)
}

// renderReportPage answers an HTML page that loads nothing but its chart.
func renderReportPage(c *fiber.Ctx, status int, render func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("render report page: %w", err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(web.HeaderCSP, web.ReportPolicy())
	c.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: under no-referrer a browser sends
	// "Origin: null" with the page's own forms, which the sign-in's origin
	// check must refuse; other sites still learn nothing.
	c.Set("Referrer-Policy", "same-origin")
	return c.Status(status).Send(buf.Bytes())
}

func reportMoney(m pos.Money) string { return pos.FormatVND(m) + " ₫" }

func reportStamp(t time.Time) string { return t.In(pos.VietnamTime).Format("02/01/2006 15:04:05") }

// reconciliationPage answers GET /reports/reconciliation?day=. A bad day shows
// today's figures under an error, with status 400.
func (h *Hub) reconciliationPage(c *fiber.Ctx) error {
	now := time.Now()
	status, msg := fiber.StatusOK, ""
	day, err := reportDateParam("day", c.Query("day"), now)
	if err != nil {
		status, msg = fiber.StatusBadRequest, "Ngày không hợp lệ · "+err.Error()
		day, _ = reportDay(now)
	}
	r, err := Reconcile(h.Store, day, now)
	if err != nil {
		return err
	}
	p := reconciliationPageData(r)
	p.Error = msg
	p.Nav = reportNav(c, "reconciliation")
	// The day's e-invoices, on a hub whose kiosks issue them.
	tables, stats, err := h.invoicePageTables(day, now)
	if err != nil {
		return err
	}
	p.Stats = append(p.Stats, stats...)
	p.Tables = append(p.Tables, tables...)
	if len(tables) > 0 {
		q := url.Values{"day": {r.Day}}
		p.Exports = append(p.Exports, web.ReportLink{Label: "Hóa đơn · E-invoices (.xlsx)", URL: "/reports/einvoice.xlsx?" + q.Encode()})
	}
	return renderReportPage(c, status, func(w io.Writer) error { return web.RenderReconciliationPage(w, p) })
}

func reconciliationPageData(r Reconciliation) web.ReconciliationPage {
	p := web.ReconciliationPage{Day: r.Day, Prev: r.From.AddDate(0, 0, -1).Format(time.DateOnly),
		Next: r.From.AddDate(0, 0, 1).Format(time.DateOnly), Generated: reportStamp(r.Generated), Complete: r.Complete,
		ChartURL:     chartURL(r.From.AddDate(0, 0, -6), r.From),
		ChartCaption: "Doanh thu thuần 7 ngày đến " + r.Day + " · Net sales, the seven days to " + r.Day}
	var missing uint64
	var diffs, unchecked, mism, unsynced int
	for _, k := range r.Kiosks {
		missing += k.MissingReceipts + uint64(len(k.DuplicateReceipts))
		diffs += len(k.PriceDiffs)
		unchecked += k.NoCentralPrice
		mism += len(k.Mismatches)
		unsynced += k.Unsynced
	}
	t := r.Totals
	p.Stats = []web.ReportStat{
		{Label: "Doanh thu thuần", Sub: "Net", Value: reportMoney(t.Net)},
		{Label: "Doanh thu gộp", Sub: "Gross", Value: reportMoney(t.Gross)},
		{Label: "Giao dịch bán", Sub: "Sales", Value: strconv.Itoa(t.Sales)},
		{Label: "Hủy / trả lại", Sub: "Voids / refunds", Value: strconv.Itoa(t.Voids) + " / " + strconv.Itoa(t.Refunds)},
		{Label: "Giảm giá / khuyến mại", Sub: "Discounts / promotions saved", Value: reportMoney(t.Discounts) + " / " + reportMoney(t.PromotionsSaved)},
		{Label: "Biên lai thiếu hoặc trùng", Sub: "Missing or duplicate receipts", Value: strconv.FormatUint(missing, 10), Warn: missing > 0},
		{Label: "Dòng sai giá", Sub: "Price differences", Value: strconv.Itoa(diffs), Warn: diffs > 0},
		{Label: "Không có giá trung tâm", Sub: "Lines with no central price", Value: strconv.Itoa(unchecked), Warn: unchecked > 0},
		{Label: "Giao dịch sai tổng", Sub: "Mismatched totals", Value: strconv.Itoa(mism), Warn: mism > 0},
		{Label: "Chưa gửi về", Sub: "Unsynced at the kiosks", Value: strconv.Itoa(unsynced), Warn: unsynced > 0},
	}
	q := url.Values{"day": {r.Day}}
	for _, t := range reconciliationTables(r) {
		tq := url.Values{"day": {r.Day}, "table": {t.name}}
		p.Tables = append(p.Tables, reportPageTable(t, "/reports/reconciliation.csv?"+tq.Encode()))
	}
	p.Exports = []web.ReportLink{
		{Label: "Excel (.xlsx)", URL: "/reports/reconciliation.xlsx?" + q.Encode()},
		{Label: "CSV", URL: "/reports/reconciliation.csv?" + q.Encode()},
	}
	return p
}

// settlementPage answers GET /reports/settlement?from=&to=&commission=.
func (h *Hub) settlementPage(c *fiber.Ctx) error {
	now := time.Now()
	status, msg := fiber.StatusOK, ""
	from, to, pct, err := settlementParams(c.Query("from"), c.Query("to"), c.Query("commission"), now)
	if err != nil {
		status, msg = fiber.StatusBadRequest, "Tham số không hợp lệ · "+err.Error()
		from, _ = reportDay(now)
		to, pct = from, 0
	}
	s, err := Settle(h.Store, from, to, pct)
	if err != nil {
		return reportQueryError(c, err)
	}
	p := settlementPageData(s, from, to, now)
	p.Error = msg
	p.Nav = reportNav(c, "settlement")
	return renderReportPage(c, status, func(w io.Writer) error { return web.RenderSettlementPage(w, p) })
}

func settlementPageData(s Settlement, from, to, now time.Time) web.SettlementPage {
	p := web.SettlementPage{From: s.From, To: s.To, Commission: s.CommissionPercent, Generated: reportStamp(now)}
	if !to.After(from.AddDate(0, 0, MaxChartDays-1)) {
		p.ChartURL = chartURL(from, to)
		p.ChartCaption = "Doanh thu thuần " + s.From + " – " + s.To + " · Net sales " + s.From + " to " + s.To
	}
	t := s.Totals
	p.Stats = []web.ReportStat{
		{Label: "Doanh thu gộp", Sub: "Gross", Value: reportMoney(t.Gross)},
		{Label: "Hủy và trả lại", Sub: "Voids and refunds", Value: reportMoney(t.Voided + t.Refunded)},
		{Label: "Doanh thu thuần", Sub: "Net", Value: reportMoney(t.Net)},
		{Label: "Hoa hồng " + strconv.Itoa(s.CommissionPercent) + " %", Sub: "Commission", Value: reportMoney(t.Commission)},
		{Label: "Phải trả chủ thể", Sub: "Payable to producers", Value: reportMoney(t.Payable)},
	}
	q := url.Values{"from": {s.From}, "to": {s.To}, "commission": {strconv.Itoa(s.CommissionPercent)}}
	for _, t := range settlementTables(s) {
		p.Tables = append(p.Tables, reportPageTable(t, "/reports/settlement.csv?"+q.Encode()))
	}
	p.Exports = []web.ReportLink{
		{Label: "Excel (.xlsx)", URL: "/reports/settlement.xlsx?" + q.Encode()},
		{Label: "CSV", URL: "/reports/settlement.csv?" + q.Encode()},
	}
	return p
}
