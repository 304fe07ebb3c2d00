package storetest

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// Fair is a few days of a fair across a month's end, made once by real kiosk
// stores on a clock the fair sets, to be loaded into several hub stores so
// that their reports can be compared record for record. It holds what the
// reports look at: sales, voids and refunds, several payment methods, a
// weighed line, a till's discount, a promotion its producer bears, a product
// the hub does not know, a line
// off the central price and one before the hub had any price, a record that
// does not add up, a receipt-number gap, a range reported lost, and a kiosk
// numbering again from an old backup.
type Fair struct {
	batches []batch
	lost    []pos.SeqRange // K01's
	// Days are the days the fair sold on (and one either side), Vietnam
	// time.
	Days []time.Time
	// Received is when the hub received everything.
	Received time.Time
}

type batch struct {
	kiosk string
	recs  []pos.OutboxRecord
}

// FairICT is Vietnam time, spelled out here so the fair does not take the
// code's word for it.
var FairICT = time.FixedZone("UTC+7", 7*3600)

func fairAt(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, FairICT)
}

var (
	fairRice = pos.Product{SKU: "GAO-KG", Name: "Gạo ST25", Group: pos.GroupFood, Stars: 4, ProducerID: "UMINH",
		Unit: "kg", Price: 40000, VATRate: 5, SoldBy: pos.SoldByWeight}
	fairLocal = pos.Product{SKU: "LOCAL-1", Name: "Bánh pía", Group: pos.GroupFood, Stars: 3, ProducerID: "UMINH",
		Unit: "hộp", Price: 10000, VATRate: 8}
)

// NewFair makes the fair's records.
func NewFair(t *testing.T) *Fair {
	t.Helper()
	f := &Fair{Received: fairAt(time.December, 3, 12, 0)}
	for d := 27; d <= 30; d++ {
		f.Days = append(f.Days, fairAt(time.November, d, 0, 0))
	}
	for d := 1; d <= 3; d++ {
		f.Days = append(f.Days, fairAt(time.December, d, 0, 0))
	}
	var clock time.Time
	open := func(id string) *pos.Store {
		s, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: id, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		h, c, r, l := honey, candy, fairRice, fairLocal
		h.Stock, c.Stock, r.Stock, l.Stock = pos.MaxStock, pos.MaxStock, pos.MaxStock, pos.MaxStock
		if err := s.PutCatalog(pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{h, c, r, l}}, "test"); err != nil {
			t.Fatal(err)
		}
		return s
	}
	sellAt := func(s *pos.Store, at time.Time, lines []pos.LineRequest, pays ...pos.PaymentRequest) pos.Sale {
		t.Helper()
		clock = at
		sale, _, err := s.CommitSale(pos.SaleRequest{Lines: lines, Payments: pays}, "")
		if err != nil {
			t.Fatal(err)
		}
		return sale
	}
	card := func(m pos.Money) pos.PaymentRequest { return pos.PaymentRequest{Method: pos.MethodCard, Amount: m} }
	cash := func(m pos.Money) pos.PaymentRequest { return pos.PaymentRequest{Method: pos.MethodCash, Amount: m} }

	k01 := open("K01")
	// Honey 5 % off at K01, borne by its producer.
	if _, err := k01.PutPromotion(pos.Promotion{ID: "MO5", Name: "Mật ong −5 %", Kind: pos.PromoPercent, Scope: pos.ScopeSKU,
		Target: "MO-500", Percent: 500, Bearer: pos.BearerProducer}, true, 0); err != nil {
		t.Fatal(err)
	}
	ten := pos.Money(5000)
	for i, day := range []time.Time{fairAt(time.November, 28, 0, 0), fairAt(time.November, 30, 0, 0), fairAt(time.December, 1, 0, 0)} {
		s := sellAt(k01, day.Add(8*time.Hour), []pos.LineRequest{{SKU: "MO-500", Qty: 2}, {SKU: "KD-250", Qty: 1}}, card(463000))
		sellAt(k01, day.Add(10*time.Hour), []pos.LineRequest{{SKU: "GAO-KG", WeightG: 1500}}, cash(60000))
		sellAt(k01, day.Add(11*time.Hour), []pos.LineRequest{{SKU: "KD-250", Qty: 2, Discount: &pos.Discount{Amount: &ten},
			DiscountReason: "khách quen"}}, pos.PaymentRequest{Method: pos.MethodVietQR, Amount: 85000})
		sellAt(k01, day.Add(12*time.Hour), []pos.LineRequest{{SKU: "LOCAL-1", Qty: 1}}, cash(10000))
		clock = day.Add(13 * time.Hour)
		if i == 1 {
			if _, err := k01.Void(s.ID, "nhầm"); err != nil {
				t.Fatal(err)
			}
		} else if _, err := k01.Refund(s.ID, pos.RefundRequest{Lines: []pos.LineRequest{{SKU: "KD-250", Qty: 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	recs := outbox(t, k01)
	// Record 7 never arrives: the kiosk reports it lost. The last one waits
	// in a batch of its own.
	f.batches = append(f.batches, batch{"K01", append(append([]pos.OutboxRecord{}, recs[:6]...), recs[7:len(recs)-1]...)},
		batch{"K01", recs[len(recs)-1:]})
	f.lost = []pos.SeqRange{{From: 7, To: 7}}

	k02 := open("K02")
	sellAt(k02, fairAt(time.November, 29, 23, 30), []pos.LineRequest{{SKU: "KD-250", Qty: 1}}, cash(45000))
	sellAt(k02, fairAt(time.November, 30, 0, 30), []pos.LineRequest{{SKU: "KD-250", Qty: 3}}, pos.PaymentRequest{Method: pos.MethodEwallet, Amount: 135000})
	sellAt(k02, fairAt(time.November, 30, 9, 30), []pos.LineRequest{{SKU: "MO-500", Qty: 1}}, card(220000))
	sellAt(k02, fairAt(time.December, 1, 9, 0), []pos.LineRequest{{SKU: "MO-500", Qty: 1}}, card(220000))
	sellAt(k02, fairAt(time.December, 1, 15, 0), []pos.LineRequest{{SKU: "KD-250", Qty: 1}}, cash(45000))
	recs = outbox(t, k02)
	tampered := recs[4]
	tampered.Sale.Lines = append([]pos.Line(nil), tampered.Sale.Lines...)
	tampered.Sale.Lines[0].Total = 40000
	// Records 3 and 4 never arrive: a gap.
	f.batches = append(f.batches, batch{"K02", append(append([]pos.OutboxRecord{}, recs[:2]...), tampered)})
	// An old copy of K02 numbering again from 2.
	old := open("K02")
	sellAt(old, fairAt(time.November, 27, 9, 0), []pos.LineRequest{{SKU: "KD-250", Qty: 1}}, cash(45000))
	sellAt(old, fairAt(time.December, 1, 16, 0), []pos.LineRequest{{SKU: "MO-500", Qty: 1}}, card(220000))
	f.batches = append(f.batches, batch{"K02", outbox(t, old)[1:]})
	return f
}

// Load registers the fair's kiosks (K03 never sends), publishes its central
// catalog and prices (LOCAL-1 stays off it), and ingests its records into st.
func (f *Fair) Load(t *testing.T, st hubsync.Store) {
	t.Helper()
	register(t, st, "K01", "K02", "K03")
	if _, err := st.PutCatalog(pos.Catalog{Producers: []pos.Producer{producer}, Products: []pos.Product{candy, fairRice}},
		fairAt(time.November, 20, 8, 0)); err != nil {
		t.Fatal(err)
	}
	// Honey has a central price only from the 28th at noon, 240.000 from
	// the 30th at 09:00: a sale before noon on the 28th had nothing to be
	// checked against.
	h := honey
	if _, err := st.PutCatalog(pos.Catalog{Products: []pos.Product{h}}, fairAt(time.November, 28, 12, 0)); err != nil {
		t.Fatal(err)
	}
	h.Price = 240000
	if _, err := st.PutCatalog(pos.Catalog{Products: []pos.Product{h}}, fairAt(time.November, 30, 9, 0)); err != nil {
		t.Fatal(err)
	}
	for _, b := range f.batches {
		if _, err := st.Ingest(b.kiosk, b.recs, f.Received); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.MarkLost("K01", f.lost, f.Received); err != nil {
		t.Fatal(err)
	}
	if err := st.Heartbeat("K01", 0, f.Received); err != nil {
		t.Fatal(err)
	}
}

// Reports are every report of the fair's days from st, as JSON and SVG, for
// comparing stores: the reconciliation of each day, the settlement of the
// whole fair and of each day, the chart, and the sales listing paged.
func (f *Fair) Reports(t *testing.T, st hubsync.Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	js := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	for _, d := range f.Days {
		day := d.Format(time.DateOnly)
		r, err := hubsync.Reconcile(st, d, f.Received)
		for i := range r.Kiosks {
			// A time the store keeps, in whatever zone it reads it back.
			r.Kiosks[i].LastContact = r.Kiosks[i].LastContact.UTC()
		}
		js("reconciliation "+day, r, err)
		s, err := hubsync.Settle(st, d, d, 10)
		js("settlement "+day, s, err)
	}
	first, last := f.Days[0], f.Days[len(f.Days)-1]
	s, err := hubsync.Settle(st, first, last, 7)
	js("settlement of the fair", s, err)
	svg, err := hubsync.SalesChartSVG(st, first, last)
	if err != nil {
		t.Fatal(err)
	}
	out["chart"] = svg
	for _, kiosk := range []string{"", "K01", "K02", "K03"} {
		var all []hubsync.HubSale
		var after hubsync.SalesCursor
		for {
			page, more, err := st.SalesPage(kiosk, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if !more {
				break
			}
			after = hubsync.CursorOf(page[len(page)-1])
		}
		for i := range all {
			all[i].Received = all[i].Received.UTC()
		}
		js("sales of "+kiosk, all, nil)
	}
	return out
}
