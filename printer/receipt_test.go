package printer

import (
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// handMade is a receipt as the kiosk would fill it from a sale: honey and
// candy at 8 %, pomelo at 5 %, paid in cash at till T1.
func handMade() Receipt {
	return Receipt{Seller: Seller{Name: "GIAN HÀNG OCOP CÀ MAU", TaxCode: "2000123456"}, Kind: pos.KindSale,
		ReceiptNo: "K01-000123", Time: time.Date(2026, 11, 23, 16, 20, 0, 0, pos.VietnamTime), Till: "T1",
		Lines: []ReceiptLine{
			{Name: "Mật ong U Minh Hạ 500ml", Qty: 2, Price: 150_000, VATRate: 8},
			{Name: "Kẹo dừa Bến Tre sáp dứa", Qty: 3, Price: 45_000, VATRate: 8},
			{Name: "Bưởi da xanh Hùng Hòa", Qty: 1, Price: 60_000, VATRate: 5},
		},
		Payments: []pos.Payment{{Method: pos.MethodCash, Amount: 495_000, Tendered: 500_000, Change: 5_000}},
	}
}

// printedText prints r on a printer of profile p and reads it back as text,
// failing when the printer had to break a line.
func printedText(t *testing.T, r Receipt, profile string) []string {
	t.Helper()
	p := Profiles[profile]
	e := NewEncoder(p)
	WriteReceipt(e, r)
	if e.Err() != nil {
		t.Fatal(e.Err())
	}
	doc, err := Decode(e.Bytes(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range doc.Lines {
		if l.Wrapped {
			t.Errorf("%s: the printer had to break %q", profile, l.Text)
		}
	}
	return readLines(t, doc, p)
}

// TestReceiptLayout: what each kind of receipt prints, read back from the
// bytes at 32, 42 and 48 columns. A "row" is a label and an amount flush right
// on one line (at 32 columns the label may have wrapped above it).
func TestReceiptLayout(t *testing.T) {
	type row struct{ label, amount string }
	cases := []struct {
		name   string
		edit   func(r *Receipt)
		text   []string // on paper, each within one line
		rows   []row
		absent []string
	}{
		{"a sale is titled as a retail receipt, names its till and says cash given and change as the screens do",
			func(r *Receipt) {},
			[]string{"HOÁ ĐƠN BÁN LẺ", "Quầy: T1", "Cảm ơn quý khách!"},
			[]row{{"TỔNG CỘNG", "495.000"}, {"Khách đưa", "500.000"}, {"Tiền thừa", "5.000"}, {"Thuế GTGT 8% (đã gồm)", "32.222"}, {"Thuế GTGT 5% (đã gồm)", "2.857"}},
			[]string{"điện tử", "ĐIỆN TỬ", "Tiền mặt", "Tổng giảm giá", "Cộng tiền hàng"}},
		{"a receipt in English when the kiosk prints English",
			func(r *Receipt) { r.Lang = LangEN },
			[]string{"RECEIPT", "No.: K01-000123", "Till: T1", "Thank you!"},
			[]row{{"TOTAL", "495.000"}, {"Cash given", "500.000"}, {"Change", "5.000"}, {"VAT 8% (included)", "32.222"}},
			[]string{"HOÁ ĐƠN", "Khách đưa", "Tiền thừa", "Quầy"}},
		{"the till and the cashier share a line",
			func(r *Receipt) { r.Cashier = "Lan" },
			[]string{"Quầy: T1", "Thu ngân: Lan"}, nil, nil},
		{"a line discount prints under its line, and the total taken off under the total",
			func(r *Receipt) {
				r.Lines[0].Off = []Deduction{{Percent: 10, Reason: "khách quen", Amount: 30_000}}
				r.Payments[0] = pos.Payment{Method: pos.MethodCash, Amount: 465_000, Tendered: 500_000, Change: 35_000}
			},
			[]string{"300.000"},
			[]row{{"Giảm giá 10%: khách quen", "-30.000"}, {"TỔNG CỘNG", "465.000"}, {"Tổng giảm giá", "30.000"}, {"Tiền thừa", "35.000"}},
			[]string{"Cộng tiền hàng"}},
		{"a sale discount prints the subtotal, the discount and the total",
			func(r *Receipt) { r.Discount = Deduction{Amount: 20_000, Reason: "khai trương"} },
			nil,
			[]row{{"Cộng tiền hàng", "495.000"}, {"Giảm giá: khai trương", "-20.000"}, {"TỔNG CỘNG", "475.000"}, {"Tổng giảm giá", "20.000"}},
			nil},
		{"a promotion prints under the line it took money off, and its free item names it",
			func(r *Receipt) {
				r.Lines[1].Off = []Deduction{{Promotion: "Mua 2 tặng 1", Amount: 45_000}}
				r.Lines = append(r.Lines, ReceiptLine{Name: "Kẹo dừa Bến Tre sáp dứa", Qty: 1, Price: 0, VATRate: 8,
					Off: []Deduction{{Promotion: "Mua 2 tặng 1"}}})
			},
			[]string{"1x0", "  Khuyến mãi: Mua 2 tặng 1"},
			[]row{{"Khuyến mãi: Mua 2 tặng 1", "-45.000"}, {"TỔNG CỘNG", "450.000"}, {"Tổng giảm giá", "45.000"}},
			nil},
		{"a line's scanned serials print under it",
			func(r *Receipt) {
				r.Lines[0].Serials = []string{"000017", "000018"}
			},
			[]string{"  Số sê-ri: 000017, 000018"},
			[]row{{"TỔNG CỘNG", "495.000"}},
			nil},
		{"a weighed line prints its weight times the price per kilogram",
			func(r *Receipt) {
				r.Lines = append(r.Lines, ReceiptLine{Name: "Khô cá lóc Cà Mau", WeightG: 1235, Price: 350_000, VATRate: 8})
			},
			[]string{"Khô cá lóc Cà Mau"},
			[]row{{"1,235 kg x 350.000 đ/kg", "432.250"}, {"TỔNG CỘNG", "927.250"}},
			nil},
		{"a weighed line in English writes the weight with a decimal point",
			func(r *Receipt) {
				r.Lang = LangEN
				r.Lines = []ReceiptLine{{Name: "Dried snakehead fish", WeightG: 500, Price: 350_000, VATRate: 8}}
			},
			nil,
			[]row{{"0.500 kg x 350.000 đ/kg", "175.000"}, {"TOTAL", "175.000"}},
			nil},
		{"a split payment prints the cash applied before the cash given",
			func(r *Receipt) {
				r.Payments = []pos.Payment{{Method: pos.MethodCard, Amount: 295_000},
					{Method: pos.MethodCash, Amount: 200_000, Tendered: 500_000, Change: 300_000}}
			},
			nil,
			[]row{{"Thẻ", "295.000"}, {"Tiền mặt", "200.000"}, {"Khách đưa", "500.000"}, {"Tiền thừa", "300.000"}},
			nil},
		{"a transfer prints its reference",
			func(r *Receipt) {
				r.Payments = []pos.Payment{{Method: pos.MethodVietQR, Amount: 495_000, Reference: "K01 7KP3M"}}
			},
			[]string{"  ND: K01 7KP3M"}, []row{{"Chuyển khoản VietQR", "495.000"}}, []string{"Khách đưa"}},
		{"a void is titled as one and points at its sale",
			func(r *Receipt) {
				r.Kind, r.Original = pos.KindVoid, "K01-000122"
				for i := range r.Lines {
					r.Lines[i].Qty = -r.Lines[i].Qty
				}
				r.Payments = []pos.Payment{{Method: pos.MethodCash, Amount: -495_000}}
			},
			[]string{"PHIẾU HUỶ", "Cho phiếu: K01-000122"},
			[]row{{"TỔNG CỘNG", "-495.000"}},
			[]string{"HOÁ ĐƠN BÁN LẺ"}},
		{"a reprint is marked as a copy",
			func(r *Receipt) { r.Copy = true },
			[]string{"*** BẢN SAO / COPY ***"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, profile := range []string{"xprinter-58", "epson-tm-t88", "epson-tm-t20"} {
				r := handMade()
				r.Lines = append([]ReceiptLine(nil), r.Lines...)
				r.Payments = append([]pos.Payment(nil), r.Payments...)
				c.edit(&r)
				lines := printedText(t, r, profile)
				paper := strings.Join(lines, "\n")
				for _, s := range c.text {
					if !strings.Contains(paper, s) {
						t.Errorf("%s: no %q on paper:\n%s", profile, s, paper)
					}
				}
				for _, s := range c.absent {
					if strings.Contains(paper, s) {
						t.Errorf("%s: %q on paper:\n%s", profile, s, paper)
					}
				}
				cols := Profiles[profile].Columns()
				for _, rw := range c.rows {
					if !hasRow(lines, rw.label, rw.amount, cols) {
						t.Errorf("%s: no row %q … %q flush right:\n%s", profile, rw.label, rw.amount, paper)
					}
				}
			}
		})
	}
}

// hasRow reports whether label and amount make a row: the amount ends a line
// flush right at cols, and that line starts with the label or, when the label
// wrapped, with its last words, the lines above holding the rest.
func hasRow(lines []string, label, amount string, cols int) bool {
	words := strings.Fields(label)
	for i, l := range lines {
		if !strings.HasSuffix(l, " "+amount) || textWidth(l) != cols {
			continue
		}
		text := strings.TrimSpace(strings.TrimSuffix(l, amount))
		for k := range words {
			head, tail := strings.Join(words[:k], " "), strings.Join(words[k:], " ")
			if text != tail {
				continue
			}
			above := ""
			if i > 0 {
				above = strings.Join(strings.Fields(lines[i-1]), " ")
			}
			if head == "" || strings.HasSuffix(above, head) {
				return true
			}
		}
	}
	return false
}

// TestReceiptTotalIsWhatIsPaid: the total is the lines' amounts less
// everything taken off, and the VAT worked out from the lines (when the sale
// did not record it) is on what the customer pays, rate by rate.
func TestReceiptTotalIsWhatIsPaid(t *testing.T) {
	r := handMade()
	r.Lines[0].Off = []Deduction{{Percent: 10, Amount: 30_000}}
	r.Lines = append(r.Lines, ReceiptLine{Name: "Khô cá lóc", WeightG: 1235, Price: 350_001, VATRate: 5})
	r.Discount = Deduction{Amount: 33_333}
	// 300.000 + 135.000 + 60.000 + 432.251 (350.001 × 1,235 = 432.251,235) - 30.000 - 33.333
	if got, want := r.Total(), pos.Money(300_000+135_000+60_000+432_251-30_000-33_333); got != want {
		t.Errorf("total %d, want %d", got, want)
	}
	if got := r.Saved(); got != 63_333 {
		t.Errorf("saved %d, want 63.333", got)
	}
	var gross pos.Money
	for _, v := range vatByRate(r.Lines, r.Discount.Amount) {
		gross += v.Gross
		if v.VAT != pos.VATContained(v.Gross, v.Rate) {
			t.Errorf("VAT %d%% %d on %d", v.Rate, v.VAT, v.Gross)
		}
	}
	if gross != r.Total() {
		t.Errorf("VAT is reckoned on %d, the customer pays %d", gross, r.Total())
	}
	if got := (ReceiptLine{WeightG: 1235, Price: 350_001, Gross: 432_250}).amount(); got != 432_250 {
		t.Errorf("a line's own amount %d, want the sale's 432.250", got)
	}
}

// TestReceiptAmountsTooLongForOneLineStayWhole: a line whose quantity × price
// and total do not fit one line together prints them on two, each whole and
// flush right, instead of positioning before the margin and letting the
// printer break the number.
func TestReceiptAmountsTooLongForOneLineStayWhole(t *testing.T) {
	r := handMade()
	r.Lines = []ReceiptLine{
		{Name: "Yến sào Cà Mau hộp quà", Qty: 10_000, Price: 999_999_999, VATRate: 8},
		{Name: "Khô cá lóc", WeightG: 12_345, Price: 1_250_000, VATRate: 8},
	}
	lines := printedText(t, r, "xprinter-58")
	for _, s := range []string{"10000x" + money(999_999_999), money(9_999_999_990_000), "12,345 kg x 1.250.000 đ/kg", money(15_431_250)} {
		if _, ok := flushRight(lines, s, 32); !ok {
			t.Errorf("no line ends with %q flush right:\n%s", s, strings.Join(lines, "\n"))
		}
	}
}
