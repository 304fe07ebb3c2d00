package sync

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The fair of these tests, all on 2026-11-21 in Vietnam unless said:
//
//	central catalog (hub): MO-500 honey 220.000 from the 20th, 240.000 from the
//	  21st 09:00; KD-200 coconut candy 45.000. LOCAL-1 is not on the hub.
//	K01 (catalog never updated: honey still 220.000)
//	  000001 08:00 honey + LOCAL-1 = 230.000, cash (250.000 handed over)
//	  000002 10:00 2 honey + candy = 485.000, card   ← honey off the central price
//	  000003 11:00 2 candy = 90.000, VietQR
//	  000004 12:00 void of 000003
//	  000005 13:00 4 candy = 180.000, card 100.000 + cash 80.000
//	  000006 14:00 refund of 1 candy from 000005, cash
//	  000007 22nd 09:00 candy, cash                 ← another day
//	K02
//	  000001 20th 23:30 candy, cash                 ← the day before (16:30 UTC)
//	  000002 00:30 candy, e-wallet                  ← the 21st in Vietnam, the 20th in UTC
//	  000003, 000004 made but never arrived         ← a gap
//	  000005 15:00 candy, cash, its line total altered on the way
//	K03 registered, never heard from.

// reconICT is Vietnam's time, spelled out again here so that the tests do not
// take the code's word for it.
var reconICT = time.FixedZone("UTC+7", 7*3600)

func reconAt(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, reconICT)
}

// reconKiosk is a real kiosk store on a clock the test sets.
func reconKiosk(t *testing.T, id string, c pos.Catalog) (*pos.Store, func(time.Time)) {
	t.Helper()
	var clock atomic.Int64
	clock.Store(reconAt(20, 7, 0).UnixNano())
	s, err := pos.Open(filepath.Join(t.TempDir(), "kiosk.db"), pos.StoreOptions{KioskID: id,
		Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.PutCatalog(c, "test"); err != nil {
		t.Fatal(err)
	}
	return s, func(at time.Time) { clock.Store(at.UnixNano()) }
}

var (
	reconUMinh  = pos.Producer{ID: "UMINH", Name: "HTX Ong mật U Minh Hạ", Kind: pos.KindHTX, TaxCode: "2001234567", BankBIN: "970436", BankAccount: "0123456789"}
	reconBenTre = pos.Producer{ID: "BENTRE", Name: "Cơ sở kẹo dừa Thanh Long", Kind: pos.KindHousehold}
	reconChoLac = pos.Producer{ID: "CHOLACH", Name: "Tổ hợp tác Chợ Lách", Kind: pos.KindTHT}
)

func reconProduct(sku, name, producer string, price pos.Money) pos.Product {
	return pos.Product{SKU: sku, Name: name, Group: pos.GroupFood, Stars: 4, ProducerID: producer, Price: price, VATRate: 8, Stock: pos.MaxStock}
}

func reconSell(t *testing.T, s *pos.Store, lines []pos.LineRequest, pays ...pos.PaymentRequest) pos.Sale {
	t.Helper()
	sale, _, err := s.CommitSale(pos.SaleRequest{Lines: lines, Payments: pays}, "")
	if err != nil {
		t.Fatal(err)
	}
	return sale
}

func reconOutbox(t *testing.T, s *pos.Store) []pos.OutboxRecord {
	t.Helper()
	recs, err := s.Outbox(0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// reconFair is the hub of the fair above.
type reconFair struct {
	hub             *BoltStore
	k01Sale2, k02S5 pos.Sale
}

func newReconFair(t *testing.T) reconFair {
	t.Helper()
	hs := hubStore(t)
	for _, id := range []string{"K01", "K02", "K03"} {
		if _, err := RegisterKiosk(hs, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := hs.PutCatalog(pos.Catalog{Producers: []pos.Producer{reconUMinh, reconBenTre},
		Products: []pos.Product{reconProduct("MO-500", "Mật ong U Minh 500 ml", "UMINH", 220000), reconProduct("KD-200", "Kẹo dừa 200 g", "BENTRE", 45000)},
	}, reconAt(20, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := hs.PutCatalog(pos.Catalog{Products: []pos.Product{reconProduct("MO-500", "Mật ong U Minh 500 ml", "UMINH", 240000)}}, reconAt(21, 9, 0)); err != nil {
		t.Fatal(err)
	}

	k01, set1 := reconKiosk(t, "K01", pos.Catalog{Producers: []pos.Producer{reconUMinh, reconBenTre, reconChoLac},
		Products: []pos.Product{reconProduct("MO-500", "Mật ong U Minh 500 ml", "UMINH", 220000), reconProduct("KD-200", "Kẹo dừa 200 g", "BENTRE", 45000),
			reconProduct("LOCAL-1", "Bánh phồng Chợ Lách", "CHOLACH", 10000)}})
	line := func(sku string, qty int64) pos.LineRequest { return pos.LineRequest{SKU: sku, Qty: qty} }
	pay := func(method string, amount pos.Money) pos.PaymentRequest {
		return pos.PaymentRequest{Method: method, Amount: amount}
	}
	set1(reconAt(21, 8, 0))
	reconSell(t, k01, []pos.LineRequest{line("MO-500", 1), line("LOCAL-1", 1)}, pay(pos.MethodCash, 250000))
	set1(reconAt(21, 10, 0))
	s2 := reconSell(t, k01, []pos.LineRequest{line("MO-500", 2), line("KD-200", 1)}, pay(pos.MethodCard, 485000))
	set1(reconAt(21, 11, 0))
	s3 := reconSell(t, k01, []pos.LineRequest{line("KD-200", 2)}, pay(pos.MethodVietQR, 90000))
	set1(reconAt(21, 12, 0))
	if _, err := k01.Void(s3.ID, "khách đổi ý"); err != nil {
		t.Fatal(err)
	}
	set1(reconAt(21, 13, 0))
	s5 := reconSell(t, k01, []pos.LineRequest{line("KD-200", 4)}, pay(pos.MethodCard, 100000), pay(pos.MethodCash, 80000))
	set1(reconAt(21, 14, 0))
	if _, err := k01.Refund(s5.ID, pos.RefundRequest{Lines: []pos.LineRequest{line("KD-200", 1)}, Method: pos.MethodCash, Reason: "vỡ hũ"}); err != nil {
		t.Fatal(err)
	}
	set1(reconAt(22, 9, 0))
	reconSell(t, k01, []pos.LineRequest{line("KD-200", 1)}, pay(pos.MethodCash, 45000))
	if _, err := hs.Ingest("K01", reconOutbox(t, k01), reconAt(22, 9, 1)); err != nil {
		t.Fatal(err)
	}
	if err := hs.Heartbeat("K01", 0, reconAt(22, 9, 2)); err != nil {
		t.Fatal(err)
	}

	k02, set2 := reconKiosk(t, "K02", pos.Catalog{Producers: []pos.Producer{reconBenTre},
		Products: []pos.Product{reconProduct("KD-200", "Kẹo dừa 200 g", "BENTRE", 45000)}})
	for _, sl := range []struct {
		at     time.Time
		method string
	}{
		{reconAt(20, 23, 30), pos.MethodCash},
		{reconAt(21, 0, 30), pos.MethodEwallet},
		{reconAt(21, 10, 0), pos.MethodCash},
		{reconAt(21, 10, 30), pos.MethodCash},
		{reconAt(21, 15, 0), pos.MethodCash},
	} {
		set2(sl.at)
		reconSell(t, k02, []pos.LineRequest{line("KD-200", 1)}, pay(sl.method, 45000))
	}
	recs := reconOutbox(t, k02)
	recs[4].Sale.Lines[0].Total = 40000 // altered on the way: 1 × 45000 is not 40000
	if _, err := hs.Ingest("K02", []pos.OutboxRecord{recs[0], recs[1], recs[4]}, reconAt(21, 15, 5)); err != nil {
		t.Fatal(err)
	}
	if err := hs.Heartbeat("K02", 2, reconAt(21, 16, 0)); err != nil {
		t.Fatal(err)
	}
	return reconFair{hub: hs, k01Sale2: s2, k02S5: recs[4].Sale}
}

func TestReconciliationOfADayPerKiosk(t *testing.T) {
	f := newReconFair(t)
	r, err := Reconcile(f.hub, reconAt(21, 12, 0), reconAt(22, 10, 0))
	if err != nil {
		t.Fatal(err)
	}
	if r.Day != "2026-11-21" || !r.Complete || !r.From.Equal(reconAt(21, 0, 0)) || !r.To.Equal(reconAt(22, 0, 0)) {
		t.Fatalf("day %s complete %v from %s to %s", r.Day, r.Complete, r.From, r.To)
	}
	if len(r.Kiosks) != 3 {
		t.Fatalf("%d kiosk lines, want K01, K02 and the silent K03", len(r.Kiosks))
	}
	k01, k02, k03 := r.Kiosks[0], r.Kiosks[1], r.Kiosks[2]

	t.Run("totals by kind and payment method add up per kiosk", func(t *testing.T) {
		for _, tt := range []struct {
			name      string
			got, want DayTotals
		}{
			{"K01", k01.DayTotals, DayTotals{Sales: 4, Voids: 1, Refunds: 1, Gross: 985000, Voided: -90000, Refunded: -45000, Net: 850000,
				Payments: MethodTotals{Cash: 265000, Card: 585000}}},
			{"K02, whose 00:30 sale is the 21st in Vietnam", k02.DayTotals, DayTotals{Sales: 2, Gross: 90000, Net: 90000,
				Payments: MethodTotals{Cash: 45000, Ewallet: 45000}}},
			{"K03", k03.DayTotals, DayTotals{}},
			{"all kiosks", r.Totals, DayTotals{Sales: 6, Voids: 1, Refunds: 1, Gross: 1075000, Voided: -90000, Refunded: -45000, Net: 940000,
				Payments: MethodTotals{Cash: 310000, Card: 585000, Ewallet: 45000}}},
		} {
			if tt.got != tt.want {
				t.Errorf("%s:\n got %+v\nwant %+v", tt.name, tt.got, tt.want)
			}
		}
	})

	t.Run("receipts the hub does not hold are a gap", func(t *testing.T) {
		want := []ReceiptGap{{From: "K02-000003", To: "K02-000004", FromSeq: 3, ToSeq: 4, Count: 2}}
		if !reflect.DeepEqual(k02.Gaps, want) || k02.MissingReceipts != 2 || k02.LastReceipt != "K02-000005" || k02.Held != 3 {
			t.Errorf("K02 gaps %+v missing %d last %s held %d", k02.Gaps, k02.MissingReceipts, k02.LastReceipt, k02.Held)
		}
		if k02.Gaps[0].String() != "K02-000003…K02-000004" {
			t.Errorf("gap reads %q", k02.Gaps[0])
		}
		if len(k01.Gaps) != 0 || k01.MissingReceipts != 0 || k01.LastReceipt != "K01-000007" || k01.Held != 7 {
			t.Errorf("K01 gaps %+v missing %d last %s held %d", k01.Gaps, k01.MissingReceipts, k01.LastReceipt, k01.Held)
		}
	})

	t.Run("last contact and unsynced depth come from the kiosk's last word", func(t *testing.T) {
		if !k02.LastContact.Equal(reconAt(21, 16, 0)) || k02.Unsynced != 2 {
			t.Errorf("K02 last contact %s unsynced %d", k02.LastContact, k02.Unsynced)
		}
		if !k03.LastContact.IsZero() || k03.Held != 0 {
			t.Errorf("K03 never called: %+v", k03)
		}
	})

	t.Run("a line sold at the old price after a central change is listed", func(t *testing.T) {
		want := []PriceDiff{{KioskID: "K01", SaleID: f.k01Sale2.ID, ReceiptNo: "K01-000002", Time: f.k01Sale2.Time, SKU: "MO-500",
			Name: "Mật ong U Minh 500 ml", Qty: 2, Price: 220000, CentralPrice: 240000, Difference: -40000}}
		got := k01.PriceDiffs
		for i := range got {
			got[i].Time = got[i].Time.In(f.k01Sale2.Time.Location()) // JSON round trips keep the instant, not the zone
		}
		if len(got) != 1 || !got[0].Time.Equal(want[0].Time) {
			t.Fatalf("price diffs %+v, want %+v", got, want)
		}
		got[0].Time = want[0].Time
		if !reflect.DeepEqual(got, want) {
			t.Errorf("price diffs\n got %+v\nwant %+v", got, want)
		}
		if len(k02.PriceDiffs) != 0 {
			t.Errorf("K02 sold at the central price, yet %+v", k02.PriceDiffs)
		}
	})

	t.Run("a record whose totals do not add up is listed", func(t *testing.T) {
		if len(k02.Mismatches) != 1 || k02.Mismatches[0].ReceiptNo != "K02-000005" || k02.Mismatches[0].SaleID != f.k02S5.ID ||
			!strings.Contains(k02.Mismatches[0].Reason, "is not 40000") {
			t.Errorf("K02 mismatches %+v", k02.Mismatches)
		}
	})

	t.Run("a line of a product the central catalog does not have is listed", func(t *testing.T) {
		if len(k01.Mismatches) != 1 || k01.Mismatches[0].ReceiptNo != "K01-000001" ||
			!strings.Contains(k01.Mismatches[0].Reason, `"LOCAL-1" is not in the central catalog`) {
			t.Errorf("K01 mismatches %+v", k01.Mismatches)
		}
	})

	t.Run("units sold per product count sales less voids and refunds", func(t *testing.T) {
		want := []UnitsSold{
			{SKU: "KD-200", Name: "Kẹo dừa 200 g", Sold: 8, Voided: 2, Refunded: 1, UnitsSold: 5, UnitsSoldDay: 4},
			{SKU: "LOCAL-1", Name: "Bánh phồng Chợ Lách", Sold: 1, UnitsSold: 1, UnitsSoldDay: 1},
			{SKU: "MO-500", Name: "Mật ong U Minh 500 ml", Sold: 3, UnitsSold: 3, UnitsSoldDay: 3},
		}
		if !reflect.DeepEqual(k01.UnitsSold, want) {
			t.Errorf("K01 units\n got %+v\nwant %+v", k01.UnitsSold, want)
		}
		want02 := []UnitsSold{{SKU: "KD-200", Name: "Kẹo dừa 200 g", Sold: 3, UnitsSold: 3, UnitsSoldDay: 2}}
		if !reflect.DeepEqual(k02.UnitsSold, want02) {
			t.Errorf("K02 units\n got %+v\nwant %+v", k02.UnitsSold, want02)
		}
	})

	t.Run("the day before holds only what was sold before midnight in Vietnam", func(t *testing.T) {
		r20, err := Reconcile(f.hub, reconAt(20, 0, 0), reconAt(22, 10, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := DayTotals{Sales: 1, Gross: 45000, Net: 45000, Payments: MethodTotals{Cash: 45000}}
		if r20.Day != "2026-11-20" || r20.Totals != want || r20.Kiosks[1].Sales != 1 {
			t.Errorf("the 20th: %s %+v", r20.Day, r20.Totals)
		}
	})

	t.Run("a day not over yet says so", func(t *testing.T) {
		r, err := Reconcile(f.hub, reconAt(21, 0, 0), reconAt(21, 23, 59))
		if err != nil || r.Complete {
			t.Errorf("complete %v %v", r.Complete, err)
		}
	})
}

func TestAKioskRestoredFromAnOldBackupShowsDuplicateReceipts(t *testing.T) {
	hs := hubStore(t)
	if _, err := RegisterKiosk(hs, "K01"); err != nil {
		t.Fatal(err)
	}
	before := kioskStore(t, "K01")
	sellN(t, before, 2)
	if _, err := hs.Ingest("K01", reconOutbox(t, before), time.Now()); err != nil {
		t.Fatal(err)
	}
	restored := kioskStore(t, "K01") // numbers from 1 again
	sellN(t, restored, 1)
	if _, err := hs.Ingest("K01", reconOutbox(t, restored), time.Now()); err != nil {
		t.Fatal(err)
	}
	r, err := Reconcile(hs, time.Now(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if k := r.Kiosks[0]; !reflect.DeepEqual(k.DuplicateReceipts, []string{"K01-000001"}) || k.Held != 3 || k.Sales != 3 {
		t.Errorf("duplicates %v held %d sales %d", k.DuplicateReceipts, k.Held, k.Sales)
	}
}

func TestReceiptGapsCountFromTheFirstReceipt(t *testing.T) {
	for _, tt := range []struct {
		name    string
		held    []uint64
		gaps    []string
		missing uint64
		last    string
	}{
		{"nothing held", nil, nil, 0, ""},
		{"all held", []uint64{1, 2, 3}, nil, 0, "K09-000003"},
		{"the first receipts never arrived", []uint64{3, 4, 7}, []string{"K09-000001…K09-000002", "K09-000005…K09-000006"}, 4, "K09-000007"},
		{"one missing", []uint64{1, 3}, []string{"K09-000002"}, 1, "K09-000003"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			held := map[uint64]string{}
			for _, s := range tt.held {
				held[s] = "x"
			}
			gaps, missing, last := receiptGaps("K09", held)
			var got []string
			for _, g := range gaps {
				got = append(got, g.String())
			}
			if !reflect.DeepEqual(got, tt.gaps) || missing != tt.missing || last != tt.last {
				t.Errorf("gaps %v missing %d last %q", got, missing, last)
			}
		})
	}
}

func TestSettlementPerProducer(t *testing.T) {
	f := newReconFair(t)
	s, err := Settle(f.hub, reconAt(21, 0, 0), reconAt(21, 0, 0), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []ProducerSettlement{
		// K01 000002, 000003, 000005 and K02 000002, 000005 (worth 1 × 45000
		// whatever its altered line total says), less the void and the refund.
		{ProducerID: "BENTRE", Name: "Cơ sở kẹo dừa Thanh Long", Lines: 5, Units: 6, Gross: 405000, Voided: -90000, Refunded: -45000,
			Net: 270000, Commission: 27000, Payable: 243000},
		// Not on the hub's catalog: no name, still paid.
		{ProducerID: "CHOLACH", Lines: 1, Units: 1, Gross: 10000, Net: 10000, Commission: 1000, Payable: 9000},
		{ProducerID: "UMINH", Name: "HTX Ong mật U Minh Hạ", TaxCode: "2001234567", BankAccount: "970436 0123456789",
			Lines: 2, Units: 3, Gross: 660000, Net: 660000, Commission: 66000, Payable: 594000},
	}
	if !reflect.DeepEqual(s.Producers, want) {
		t.Errorf("producers\n got %+v\nwant %+v", s.Producers, want)
	}
	wantTotals := ProducerSettlement{Lines: 8, Units: 10, Gross: 1075000, Voided: -90000, Refunded: -45000, Net: 940000, Commission: 94000, Payable: 846000}
	if s.Totals != wantTotals || s.From != "2026-11-21" || s.To != "2026-11-21" || s.CommissionPercent != 10 {
		t.Errorf("totals %+v (%s–%s, %d %%)", s.Totals, s.From, s.To, s.CommissionPercent)
	}

	t.Run("over three days it takes in the sales of the days around", func(t *testing.T) {
		s, err := Settle(f.hub, reconAt(20, 0, 0), reconAt(22, 0, 0), 10)
		if err != nil {
			t.Fatal(err)
		}
		if b := s.Producers[0]; b.Gross != 495000 || b.Net != 360000 || b.Commission != 36000 || b.Lines != 7 {
			t.Errorf("BENTRE over three days %+v", b)
		}
	})
	t.Run("nonsense is refused", func(t *testing.T) {
		if _, err := Settle(f.hub, reconAt(21, 0, 0), reconAt(21, 0, 0), 101); !errors.Is(err, ErrBadReportQuery) {
			t.Errorf("commission 101 %%: %v", err)
		}
		if _, err := Settle(f.hub, reconAt(22, 0, 0), reconAt(21, 0, 0), 0); !errors.Is(err, ErrBadReportQuery) {
			t.Errorf("to before from: %v", err)
		}
	})
}

func TestCommissionRoundsHalfAwayFromZero(t *testing.T) {
	for _, tt := range []struct {
		net     pos.Money
		percent int
		want    pos.Money
	}{
		{45005, 10, 4501},
		{45004, 10, 4500},
		{-45005, 10, -4501},
		{1, 50, 1},
		{0, 10, 0},
		{999, 0, 0},
		{123456, 100, 123456},
	} {
		if got, err := commissionOf(tt.net, tt.percent); err != nil || got != tt.want {
			t.Errorf("%d × %d %% = %d (%v), want %d", tt.net, tt.percent, got, err, tt.want)
		}
	}
}

func TestChartTicksAreRoundAndCoverTheBars(t *testing.T) {
	for _, tt := range []struct {
		lo, hi, bottom, top, step int64
	}{
		{0, 940000, 0, 1000000, 200000},
		{-45000, 940000, -200000, 1000000, 200000},
		{0, 0, 0, 1, 1},
		{-90000, 0, -100000, 0, 20000},
		{0, 1250000, 0, 1500000, 500000},
	} {
		b, top, step := chartTicks(tt.lo, tt.hi)
		if b != tt.bottom || top != tt.top || step != tt.step {
			t.Errorf("ticks of [%d, %d]: %d..%d by %d, want %d..%d by %d", tt.lo, tt.hi, b, top, step, tt.bottom, tt.top, tt.step)
		}
	}
}

// svgLegend parses an SVG as XML and returns the kiosks of its legend.
func svgLegend(t *testing.T, svg []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var legend []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "g" {
			var class, kiosk string
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "class":
					class = a.Value
				case "data-kiosk":
					kiosk = a.Value
				}
			}
			if class == "legend-item" {
				legend = append(legend, kiosk)
			}
		}
	}
	return legend
}

func TestSalesChartIsAnSVGWithALegendPerKiosk(t *testing.T) {
	f := newReconFair(t)
	svg, err := SalesChartSVG(f.hub, reconAt(20, 0, 0), reconAt(22, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := svgLegend(t, svg); !reflect.DeepEqual(got, []string{"K01", "K02"}) {
		t.Errorf("legend %v, want K01 and K02 (K03 sold nothing)", got)
	}
	for _, want := range []string{"1.000.000", "K01 · 21/11/2026: 850.000 ₫", "K02 · 20/11/2026: 45.000 ₫", "<script"} {
		if got := bytes.Contains(svg, []byte(want)); got != (want != "<script") {
			t.Errorf("chart contains %q: %v", want, got)
		}
	}
	svg, err = SalesChartSVG(f.hub, reconAt(20, 0, 0), reconAt(20, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if got := svgLegend(t, svg); !reflect.DeepEqual(got, []string{"K02"}) {
		t.Errorf("the 20th: legend %v", got)
	}
	if _, err := SalesChartSVG(f.hub, reconAt(22, 0, 0), reconAt(20, 0, 0)); !errors.Is(err, ErrBadReportQuery) {
		t.Errorf("a chart ending before it starts: %v", err)
	}
	if got := xmlText(`K<1> & "x"`); got != "K&lt;1&gt; &amp; &#34;x&#34;" {
		t.Errorf("escaped %q", got)
	}
}

func TestCSVCellsAreNotFormulas(t *testing.T) {
	for in, want := range map[any]string{
		"=HYPERLINK(\"x\")": `'=HYPERLINK("x")`,
		"+84 912":           "'+84 912",
		"Mật ong":           "Mật ong",
		pos.Money(-40000):   "-40000",
		reconAt(21, 10, 0):  "2026-11-21T10:00:00+07:00",
		time.Time{}:         "",
		uint64(2):           "2",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("%v → %q, want %q", in, got, want)
		}
	}
}

// reconApp is the hub's app with the report routes, registered here unless
// Hub.App already does.
func reconApp(t *testing.T, st Store) *fiber.App {
	t.Helper()
	h := &Hub{Store: st, AdminHash: TokenHash(testAdminToken), Log: quiet()}
	app := h.App()
	for _, r := range app.GetRoutes() {
		if r.Path == "/api/v1/reconciliation" {
			return app
		}
	}
	h.reportRoutes(app, app.Group("/api/v1", h.admin))
	return app
}

func reconDo(t *testing.T, app *fiber.App, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := app.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func reconGet(t *testing.T, app *fiber.App, target, bearer string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return reconDo(t, app, req)
}

func TestReconciliationAPI(t *testing.T) {
	f := newReconFair(t)
	app := reconApp(t, f.hub)
	for _, path := range []string{"/api/v1/reconciliation?day=2026-11-21", "/api/v1/settlement", "/api/v1/reconciliation.csv",
		"/api/v1/reconciliation.xlsx", "/api/v1/settlement.csv", "/api/v1/settlement.xlsx"} {
		t.Run(path+" wants the admin token", func(t *testing.T) {
			app := reconApp(t, f.hub) // a hub of its own: wrong tokens are counted per hub
			if res, _ := reconGet(t, app, path, ""); res.StatusCode != 401 {
				t.Errorf("without a token: %d", res.StatusCode)
			}
			if res, _ := reconGet(t, app, path, "nope"); res.StatusCode != 403 {
				t.Errorf("with a wrong token: %d", res.StatusCode)
			}
		})
	}

	t.Run("the day's reconciliation as JSON", func(t *testing.T) {
		res, body := reconGet(t, app, "/api/v1/reconciliation?day=2026-11-21", testAdminToken)
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		var r Reconciliation
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Day != "2026-11-21" || len(r.Kiosks) != 3 || r.Totals.Net != 940000 || r.Kiosks[1].Gaps[0].From != "K02-000003" ||
			r.Kiosks[0].PriceDiffs[0].CentralPrice != 240000 || r.Kiosks[0].Payments.Card != 585000 {
			t.Errorf("%s", body)
		}
		if !bytes.Contains(body, []byte(`"units_sold":[{"sku":"KD-200"`)) || !bytes.Contains(body, []byte(`"gaps":[]`)) {
			t.Errorf("field names or empty lists: %s", body)
		}
	})

	t.Run("no day is today in Vietnam", func(t *testing.T) {
		before := time.Now().In(reconICT).Format(time.DateOnly)
		_, body := reconGet(t, app, "/api/v1/reconciliation", testAdminToken)
		after := time.Now().In(reconICT).Format(time.DateOnly)
		var r Reconciliation
		if err := json.Unmarshal(body, &r); err != nil || (r.Day != before && r.Day != after) {
			t.Errorf("day %q (%v), want %s", r.Day, err, after)
		}
	})

	for _, bad := range []string{"/api/v1/reconciliation?day=2026-13-45", "/api/v1/reconciliation?day=yesterday",
		"/api/v1/settlement?from=2026-11-22&to=2026-11-21", "/api/v1/settlement?commission=ten", "/api/v1/settlement?commission=101",
		"/api/v1/reconciliation.csv?table=secrets", "/api/v1/settlement.xlsx?from=2026-02-30"} {
		t.Run(bad+" is a bad query", func(t *testing.T) {
			res, body := reconGet(t, app, bad, testAdminToken)
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(body, &e); res.StatusCode != 400 || err != nil || e.Error.Code != "bad_query" || e.Error.Message == "" {
				t.Errorf("%d %s", res.StatusCode, body)
			}
		})
	}

	t.Run("the settlement as JSON", func(t *testing.T) {
		res, body := reconGet(t, app, "/api/v1/settlement?from=2026-11-21&to=2026-11-21&commission=10", testAdminToken)
		var s Settlement
		if err := json.Unmarshal(body, &s); res.StatusCode != 200 || err != nil || len(s.Producers) != 3 || s.Totals.Payable != 846000 {
			t.Errorf("%d %s", res.StatusCode, body)
		}
	})
}

// readReportCSV checks the BOM and parses the rest.
func readReportCSV(t *testing.T, res *http.Response, body []byte) [][]string {
	t.Helper()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no BOM: %q", body[:min(len(body), 20)])
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestReconciliationExports(t *testing.T) {
	f := newReconFair(t)
	app := reconApp(t, f.hub)

	t.Run("the kiosks as CSV", func(t *testing.T) {
		res, body := reconGet(t, app, "/api/v1/reconciliation.csv?day=2026-11-21", testAdminToken)
		rows := readReportCSV(t, res, body)
		if len(rows) != 4 || rows[0][0] != "kiosk_id" || rows[0][7] != "net" || rows[0][8] != "cash" {
			t.Fatalf("rows %q", rows)
		}
		if k01 := rows[1]; k01[0] != "K01" || k01[1] != "4" || k01[7] != "850000" || k01[8] != "265000" || k01[10] != "585000" {
			t.Errorf("K01 row %q", k01)
		}
		if !strings.Contains(res.Header.Get("Content-Disposition"), "reconciliation-2026-11-21-kiosks.csv") {
			t.Errorf("disposition %q", res.Header.Get("Content-Disposition"))
		}
	})
	t.Run("the gaps and price differences as CSV", func(t *testing.T) {
		rows := reconCSV(t, app, "/api/v1/reconciliation.csv?day=2026-11-21&table=gaps")
		if !reflect.DeepEqual(rows, [][]string{{"kiosk_id", "from", "to", "count"}, {"K02", "K02-000003", "K02-000004", "2"}}) {
			t.Errorf("gaps %q", rows)
		}
		rows = reconCSV(t, app, "/api/v1/reconciliation.csv?day=2026-11-21&table=price_diffs")
		if len(rows) != 2 || rows[1][1] != "K01-000002" || rows[1][2] != "2026-11-21T10:00:00+07:00" || rows[1][4] != "Mật ong U Minh 500 ml" || rows[1][8] != "-40000" {
			t.Errorf("price diffs %q", rows)
		}
	})
	t.Run("the settlement as CSV", func(t *testing.T) {
		rows := reconCSV(t, app, "/api/v1/settlement.csv?from=2026-11-21&to=2026-11-21&commission=10")
		if len(rows) != 4 || rows[0][11] != "payable" || rows[1][0] != "BENTRE" || rows[1][1] != "Cơ sở kẹo dừa Thanh Long" || rows[1][10] != "27000" || rows[1][11] != "243000" {
			t.Errorf("settlement %q", rows)
		}
	})

	openXLSX := func(t *testing.T, path string) *excelize.File {
		t.Helper()
		res, body := reconGet(t, app, path, testAdminToken)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != reportXLSXType {
			t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x
	}
	t.Run("the day as a workbook", func(t *testing.T) {
		x := openXLSX(t, "/api/v1/reconciliation.xlsx?day=2026-11-21")
		sheets := x.GetSheetList()
		for _, want := range []string{"kiosks", "price_diffs", "gaps", "mismatches", "units_sold"} {
			if !strings.Contains(","+strings.Join(sheets, ",")+",", ","+want+",") {
				t.Errorf("no sheet %q in %v", want, sheets)
			}
		}
		rows, err := x.GetRows("price_diffs", excelize.Options{RawCellValue: true})
		if err != nil || len(rows) != 2 || rows[1][1] != "K01-000002" || rows[1][8] != "-40000" {
			t.Errorf("price_diffs %q %v", rows, err)
		}
		rows, _ = x.GetRows("gaps")
		if len(rows) != 2 || rows[1][1] != "K02-000003" {
			t.Errorf("gaps %q", rows)
		}
		net, _ := x.GetCellValue("kiosks", "H2") // formatted #,##0
		if raw, _ := x.GetCellValue("kiosks", "H2", excelize.Options{RawCellValue: true}); raw != "850000" || net == "" {
			t.Errorf("K01 net %q / %q", raw, net)
		}
	})
	t.Run("the settlement as a workbook", func(t *testing.T) {
		x := openXLSX(t, "/api/v1/settlement.xlsx?from=2026-11-21&to=2026-11-21&commission=10")
		rows, err := x.GetRows("settlement", excelize.Options{RawCellValue: true})
		if err != nil || len(rows) != 4 || rows[3][0] != "UMINH" || rows[3][11] != "594000" {
			t.Errorf("settlement %q %v", rows, err)
		}
	})
}

func reconCSV(t *testing.T, app *fiber.App, path string) [][]string {
	t.Helper()
	res, body := reconGet(t, app, path, testAdminToken)
	return readReportCSV(t, res, body)
}
