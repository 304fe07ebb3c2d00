package printer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// bigShift is a closed shift of a busy fair with amounts as long as a Z-report
// meets, and a producer whose name fills more than a line.
func bigShift() pos.ZReport {
	opened := time.Date(2026, 11, 23, 9, 0, 0, 0, pos.VietnamTime)
	closed := opened.Add(10 * time.Hour)
	return pos.ZReport{Shift: pos.Shift{ID: "K01-S000012", OpenedAt: opened, ClosedAt: &closed, Float: 2_000_000},
		Sales: 1234, Voids: 3, Refunds: 2, FirstReceipt: "K01-000001", LastReceipt: "K01-001234",
		Gross: 123_456_789_000, VoidTotal: -1_234_000, RefundTotal: -99_000, Net: 123_455_456_000,
		ByMethod:     map[string]pos.Money{pos.MethodCash: 100_000_000_000, pos.MethodVietQR: 23_455_456_000},
		ByVAT:        []pos.VATLine{{Rate: 8, Gross: 100_000_000_000, VAT: 7_407_407_407}, {Rate: 5, Gross: 23_455_456_000, VAT: 1_116_926_476}},
		ByProducer:   []pos.ProducerTotal{{ProducerID: "p1", Units: 12345, Net: 99_000_000_000}},
		ExpectedCash: 100_002_000_000, CountedCash: 100_001_500_000, CashDifference: -500_000, Closed: true}
}

// TestZReportNeverBreaksANumber: at 32, 42 and 48 columns every amount and
// receipt number of the Z-report prints whole on one line, right-aligned, the
// printer never has to break a line, and a label too long for the line wraps
// with the amount on its last line.
func TestZReportNeverBreaksANumber(t *testing.T) {
	z := bigShift()
	names := map[string]string{"p1": "Hợp tác xã Nông nghiệp Dịch vụ Mật ong rừng tràm U Minh Hạ"}
	amounts := []pos.Money{z.Gross, z.VoidTotal, z.RefundTotal, z.Net, z.ByMethod[pos.MethodCash], z.ByMethod[pos.MethodVietQR],
		z.ByVAT[0].VAT, z.ByVAT[1].VAT, z.ByProducer[0].Net, z.Shift.Float, z.ExpectedCash, z.CountedCash, z.CashDifference,
		-12_345_678_000, -315_000}
	for _, profile := range []string{"xprinter-58", "epson-tm-t88", "epson-tm-t20", "generic-58"} {
		t.Run(profile, func(t *testing.T) {
			p := Profiles[profile]
			e := NewEncoder(p)
			WriteZReport(e, ShiftReport{ZReport: z, Seller: Seller{Name: "HTX ONG MẬT U MINH HẠ"}, ProducerNames: names,
				Discounts:  []ZRow{{Label: "khách quen của hợp tác xã", Count: 120, Amount: 12_345_678_000}},
				Promotions: []ZRow{{Label: "Mua 2 tặng 1", Count: 7, Amount: 315_000}}})
			doc, err := Decode(e.Bytes(), p)
			if err != nil {
				t.Fatal(err)
			}
			lines := readLines(t, doc, p)
			for _, l := range doc.Lines {
				if l.Wrapped {
					t.Errorf("the printer had to break %q", l.Text)
				}
			}
			if len(p.Pages) == 0 {
				return // the lines with Vietnamese letters are drawn, not text
			}
			for _, a := range amounts {
				assertRightFlush(t, lines, money(a), p.Columns())
			}
			assertRightFlush(t, lines, "K01-001234", p.Columns())
			if !strings.Contains(strings.Join(lines, "\n"), "K01-000001") {
				t.Errorf("the first receipt number is missing:\n%s", strings.Join(lines, "\n"))
			}
		})
	}
}

// readLines is what the printer printed as text, line by line (a printer
// without a Vietnamese page draws the other lines).
func readLines(t *testing.T, doc *Document, p Profile) []string {
	t.Helper()
	var out []string
	for _, l := range doc.Lines {
		out = append(out, l.Text)
	}
	if len(out) == 0 {
		t.Fatal("nothing printed as text")
	}
	return out
}

// flushRight is the printed line that s ends, whole, flush with the right
// margin of a line cols wide.
func flushRight(lines []string, s string, cols int) (string, bool) {
	for _, l := range lines {
		if strings.HasSuffix(l, s) && textWidth(l) == cols {
			return l, true
		}
	}
	return "", false
}

// assertRightFlush checks that s ends a printed line flush right and that the
// line carries its label: an amount never stands on a line of its own.
func assertRightFlush(t *testing.T, lines []string, s string, cols int) {
	t.Helper()
	l, ok := flushRight(lines, " "+s, cols)
	if !ok {
		t.Errorf("no line ends with %q flush right at %d columns:\n%s", s, cols, strings.Join(lines, "\n"))
		return
	}
	if strings.TrimSpace(l) == s {
		t.Errorf("%q stands on a line of its own, without its label", s)
	}
}

// TestZReportShowsDiscounts: the discounts and promotions a shift gave print
// by reason and by promotion with their counts and totals; a report without
// any leaves the section out.
func TestZReportShowsDiscounts(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	print := func(r ShiftReport) []string {
		e := NewEncoder(p)
		WriteZReport(e, r)
		doc, err := Decode(e.Bytes(), p)
		if err != nil {
			t.Fatal(err)
		}
		return readLines(t, doc, p)
	}
	lines := print(ShiftReport{ZReport: bigShift(),
		Discounts:  []ZRow{{Label: "khách quen", Count: 3, Amount: 90_000}, {Label: "hàng gần hết hạn", Count: 1, Amount: 20_000}},
		Promotions: []ZRow{{Label: "Mua 2 tặng 1", Count: 7, Amount: 315_000}}})
	for _, rw := range [][2]string{{"khách quen (3)", "-90.000"}, {"hàng gần hết hạn (1)", "-20.000"}, {"Cộng", "-110.000"},
		{"Mua 2 tặng 1 (7)", "-315.000"}, {"Cộng", "-315.000"}} {
		if !hasRow(lines, rw[0], rw[1], p.Columns()) {
			t.Errorf("no row %q … %q:\n%s", rw[0], rw[1], strings.Join(lines, "\n"))
		}
	}
	for _, h := range []string{"Giảm giá theo lý do:", "Khuyến mãi:"} {
		if !slices.Contains(lines, h) {
			t.Errorf("no heading %q", h)
		}
	}
	for _, l := range print(ShiftReport{ZReport: bigShift()}) {
		if strings.HasPrefix(l, "Giảm giá") || strings.HasPrefix(l, "Khuyến mãi") {
			t.Errorf("a report without discounts prints %q", l)
		}
	}
}

// TestZReportShowsEachCashier: a shift with cashiers prints each one's sales,
// net and cash; one without leaves the section out.
func TestZReportShowsEachCashier(t *testing.T) {
	p := Profiles["epson-tm-t20"]
	print := func(z pos.ZReport) []string {
		e := NewEncoder(p)
		WriteZReport(e, ShiftReport{ZReport: z})
		doc, err := Decode(e.Bytes(), p)
		if err != nil {
			t.Fatal(err)
		}
		return readLines(t, doc, p)
	}
	z := bigShift()
	z.ByCashier = []pos.CashierTotal{{ID: "c1", Name: "Nguyễn Thị Lan", Sales: 812, Net: 80_000_000_000, Cash: 60_000_000_000},
		{ID: "c2", Name: "Hùng", Sales: 422, Net: 43_455_456_000, Cash: 40_000_000_000}}
	lines := print(z)
	for _, rw := range [][2]string{{"Nguyễn Thị Lan (812)", "80.000.000.000"}, {"tiền mặt", "60.000.000.000"}, {"Hùng (422)", "43.455.456.000"}} {
		if !hasRow(lines, rw[0], rw[1], p.Columns()) {
			t.Errorf("no row %q … %q:\n%s", rw[0], rw[1], strings.Join(lines, "\n"))
		}
	}
	for _, l := range print(bigShift()) {
		if strings.HasPrefix(l, "Theo thu ngân") {
			t.Errorf("a shift without cashiers prints %q", l)
		}
	}
}
