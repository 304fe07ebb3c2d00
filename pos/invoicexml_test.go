package pos

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// parsedInvoice is what the tests read back of an invoice's XML.
type parsedInvoice struct {
	XMLName xml.Name `xml:"HDon"`
	Form    int      `xml:"DLHDon>TTChung>KHMSHDon"`
	Symbol  string   `xml:"DLHDon>TTChung>KHHDon"`
	Number  int64    `xml:"DLHDon>TTChung>SHDon"`
	Date    string   `xml:"DLHDon>TTChung>NLap"`
	Adjusts struct {
		Kind   int    `xml:"TCHDon"`
		Symbol string `xml:"KHHDCLQuan"`
		Number int64  `xml:"SHDCLQuan"`
		Date   string `xml:"NLHDCLQuan"`
	} `xml:"DLHDon>TTChung>TTHDLQuan"`
	Delegate string `xml:"DLHDon>TTChung>MSTDVNUNLHDon"`
	Seller   string `xml:"DLHDon>NDHDon>NBan>MST"`
	Buyer    struct {
		Name    string `xml:"Ten"`
		TaxCode string `xml:"MST"`
	} `xml:"DLHDon>NDHDon>NMua"`
	Lines []struct {
		Kind   int    `xml:"TChat"`
		No     int    `xml:"STT"`
		Name   string `xml:"THHDVu"`
		Unit   string `xml:"DVTinh"`
		Qty    string `xml:"SLuong"`
		Amount *int64 `xml:"ThTien"`
		Rate   string `xml:"TSuat"`
		VAT    int64  `xml:"TThue"`
		Gross  int64  `xml:"TSThue"`
	} `xml:"DLHDon>NDHDon>DSHHDVu>HHDVu"`
	Rates []struct {
		Rate string `xml:"TSuat"`
		Net  int64  `xml:"ThTien"`
		VAT  int64  `xml:"TThue"`
	} `xml:"DLHDon>NDHDon>TToan>THTTLTSuat>LTSuat"`
	Net   *int64 `xml:"DLHDon>NDHDon>TToan>TgTCThue"`
	VAT   *int64 `xml:"DLHDon>NDHDon>TToan>TgTThue"`
	Total int64  `xml:"DLHDon>NDHDon>TToan>TgTTTBSo"`
	Words string `xml:"DLHDon>NDHDon>TToan>TgTTTBChu"`
	MCCQT string `xml:"MCCQT"`
}

// checkInvoiceXML parses an invoice's XML back and checks that it says what
// the invoice says and that its totals are the sums of its lines.
func checkInvoiceXML(t *testing.T, inv Invoice, doc []byte) parsedInvoice {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte(xml.Header)) {
		t.Errorf("no XML declaration")
	}
	var p parsedInvoice
	if err := xml.Unmarshal(doc, &p); err != nil {
		t.Fatalf("the XML does not parse back: %v\n%s", err, doc)
	}
	if p.Form != inv.Form || p.Symbol != inv.Symbol || p.Number != inv.Number || p.MCCQT != inv.MCCQT || p.Total != int64(inv.Total) ||
		p.Words != inv.TotalWords || p.Seller != inv.Seller.TaxCode || len(p.Lines) != len(inv.Lines) {
		t.Errorf("the XML says %+v\nthe invoice %+v", p, inv)
	}
	if p.Date != inv.Issued.In(VietnamTime).Format("2006-01-02") {
		t.Errorf("NLap %s for an invoice issued %s", p.Date, inv.Issued)
	}
	var lines, net, vat int64
	for _, l := range p.Lines {
		if l.Kind == LineNote {
			if l.Amount != nil {
				t.Errorf("note line %d has an amount", l.No)
			}
			continue
		}
		if l.Amount == nil {
			t.Fatalf("line %d has no ThTien", l.No)
		}
		if inv.TaxMethod == TaxCredit {
			net += *l.Amount
			vat += l.VAT
			lines += l.Gross
			if *l.Amount+l.VAT != l.Gross {
				t.Errorf("line %d: %d before VAT + %d VAT ≠ %d", l.No, *l.Amount, l.VAT, l.Gross)
			}
		} else {
			lines += *l.Amount
			if l.Rate != "" {
				t.Errorf("a direct-method line shows a VAT rate")
			}
		}
	}
	if lines != p.Total {
		t.Errorf("lines sum to %d, TgTTTBSo %d", lines, p.Total)
	}
	if inv.TaxMethod == TaxCredit {
		if p.Net == nil || p.VAT == nil || *p.Net != net || *p.VAT != vat || *p.Net+*p.VAT != p.Total {
			t.Errorf("TgTCThue %v, TgTThue %v; lines %d + %d, total %d", p.Net, p.VAT, net, vat, p.Total)
		}
		var rn, rv int64
		for _, r := range p.Rates {
			rn += r.Net
			rv += r.VAT
		}
		if rn != net || rv != vat {
			t.Errorf("per rate %d + %d, lines %d + %d", rn, rv, net, vat)
		}
	} else if p.Net != nil || p.VAT != nil || len(p.Rates) > 0 {
		t.Errorf("a direct-method invoice shows VAT totals")
	}
	if got, ok := parseWords(p.Words); !ok || got != p.Total {
		t.Errorf("words %q read back as %d (%v), total %d", p.Words, got, ok, p.Total)
	}
	return p
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pos -run TestInvoiceXMLGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got %s\nwant %s", name, got, want)
	}
}

// goldenClock starts the store on a fixed morning, so the golden files do
// not move.
func goldenStore(t *testing.T, method string) *testStore {
	t.Helper()
	s := openInvoicingStore(t, method)
	s.clock.Set(time.Date(2026, 12, 4, 9, 30, 0, 0, VietnamTime))
	return s
}

func TestInvoiceXMLGolden(t *testing.T) {
	cash := func(m Money) []PaymentRequest { return []PaymentRequest{cashReq(m, 0)} }
	tests := []struct {
		name   string
		method string
		// sell makes the record whose invoice (the last of its invoices) is written.
		sell func(t *testing.T, s *testStore) Invoice
	}{
		{"direct", TaxDirect, func(t *testing.T, s *testStore) Invoice {
			return s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2), lineReq("RICE", 1)}, Payments: cash(590000)}).Invoices[0]
		}},
		{"credit", TaxCredit, func(t *testing.T, s *testStore) Invoice {
			return s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2), lineReq("RICE", 1), lineReq("WINE", 1)},
				Discount: &Discount{Percent: pct("5")}, DiscountReason: "khách quen", Payments: cash(603250)}).Invoices[0]
		}},
		{"adjustment", TaxCredit, func(t *testing.T, s *testStore) Invoice {
			sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2), lineReq("RICE", 1)}, Payments: cash(590000)})
			ref, err := s.Refund(sale.ID, RefundRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Reason: "vỡ nắp"})
			if err != nil {
				t.Fatal(err)
			}
			return ref.Invoices[0]
		}},
		{"buyer", TaxDirect, func(t *testing.T, s *testStore) Invoice {
			return s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 1)}, Payments: []PaymentRequest{{Method: MethodVietQR, Amount: 220000}},
				Buyer: &Buyer{Name: "Công ty TNHH Du lịch Mũi Cà Mau <&>", TaxCode: buyerMST, Address: "12 Phan Ngọc Hiển, Cà Mau",
					Email: "ketoan@muicamau.vn"}}).Invoices[0]
		}},
		{"promotion-weighed", TaxDirect, func(t *testing.T, s *testStore) Invoice {
			if _, err := s.PutPromotion(promo("KCA10", PromoPercent, ScopeSKU, "FISH", func(p *Promotion) {
				p.Name, p.Percent = "Khô cá giảm 10%", *pct("10")
			}), true, 0); err != nil {
				t.Fatal(err)
			}
			// Candy 2 × 50.000 and one free, fish 1,235 kg × 350.000 = 432.250
			// less 10 % (43.225), honey 220.000 less 20.000.
			return s.sell(t, SaleRequest{Lines: []LineRequest{{SKU: "CANDY", Qty: 3}, {SKU: "FISH", WeightG: 1235},
				{SKU: "HONEY", Qty: 1, Discount: &Discount{Amount: amt(20000)}, DiscountReason: "móp hộp"}},
				Payments: cash(689025)}).Invoices[0]
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := goldenStore(t, tc.method)
			inv := tc.sell(t, s)
			inv.SaleID = "01KSALE0000000000000000000" // ids are random; the golden file keeps one
			doc, err := InvoiceXML(inv)
			if err != nil {
				t.Fatal(err)
			}
			checkInvoiceXML(t, inv, doc)
			golden(t, "invoice-"+tc.name+".xml", doc)
		})
	}
}

func TestAnAdjustmentNamesItsOriginalInTheXML(t *testing.T) {
	s := goldenStore(t, TaxDirect)
	sale := s.sell(t, SaleRequest{Lines: []LineRequest{lineReq("HONEY", 2)}, Payments: []PaymentRequest{cashReq(440000, 0)}})
	v, err := s.Void(sale.ID, "nhầm hàng")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := InvoiceXML(v.Invoices[0])
	if err != nil {
		t.Fatal(err)
	}
	p := checkInvoiceXML(t, v.Invoices[0], doc)
	if p.Adjusts.Kind != 2 || p.Adjusts.Symbol != "C26MAA" || p.Adjusts.Number != 1 || p.Adjusts.Date != "2026-12-04" || p.Total != -440000 {
		t.Errorf("adjustment XML %+v", p)
	}
	if !strings.HasPrefix(p.Words, "Âm bốn trăm bốn mươi nghìn") {
		t.Errorf("words %q", p.Words)
	}
}

func TestInvoiceXMLStaysWellFormedWhateverTheNamesHold(t *testing.T) {
	inv := Invoice{Kind: InvoiceOriginal, Form: 2, Symbol: "C26MAA", Number: 1, MCCQT: "M2-26-A1B2C-00000000001",
		Issued: time.Date(2026, 12, 4, 9, 0, 0, 0, VietnamTime), TaxMethod: TaxDirect,
		Seller: Party{Name: "A & B <c> \"d\" \x01\x00 \xff", TaxCode: boothMST, Address: "]]> --> <!--"},
		Buyer:  &Buyer{Name: "</NMua><x>", Address: "\x1b[31m"},
		Lines:  []InvoiceLine{{Kind: LineGoods, No: 1, Name: "x\x00y", Qty: 1000, Price: 5, Amount: 5}}, Total: 5, TotalWords: AmountInWords(5)}
	doc, err := InvoiceXML(inv)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, doc)
			}
			break
		}
	}
	var p parsedInvoice
	if err := xml.Unmarshal(doc, &p); err != nil || p.Buyer.Name != "</NMua><x>" {
		t.Errorf("buyer name read back %q, %v", p.Buyer.Name, err)
	}
}

// parseWords reads Vietnamese amount words back into a number, the way a
// reader would: the inverse of AmountInWords.
func parseWords(s string) (int64, bool) {
	words := strings.Fields(strings.ToLower(s))
	if len(words) == 0 || words[len(words)-1] != "đồng" {
		return 0, false
	}
	words = words[:len(words)-1]
	neg := false
	if len(words) > 0 && words[0] == "âm" {
		neg, words = true, words[1:]
	}
	digit := map[string]int64{"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
		"sáu": 6, "bảy": 7, "tám": 8, "chín": 9}
	// big is what came before the last tỷ, total the groups read since,
	// group the number below a thousand being read, pend its last digit.
	var big, total, group, pend int64
	for _, w := range words {
		switch w {
		case "trăm":
			group, pend = group+pend*100, 0
		case "mươi":
			group, pend = group+pend*10, 0
		case "mười":
			group += 10
		case "linh":
		case "nghìn":
			total, group, pend = total+(group+pend)*1000, 0, 0
		case "triệu":
			total, group, pend = total+(group+pend)*1_000_000, 0, 0
		case "tỷ":
			big, total, group, pend = (big+total+group+pend)*1_000_000_000, 0, 0, 0
		default:
			d, ok := digit[w]
			if !ok {
				return 0, false
			}
			pend = d
		}
	}
	n := big + total + group + pend
	if neg {
		n = -n
	}
	return n, true
}

func TestAmountInWords(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{0, "Không đồng"},
		{5, "Năm đồng"},
		{10, "Mười đồng"},
		{15, "Mười lăm đồng"},
		{21, "Hai mươi mốt đồng"},
		{105, "Một trăm linh năm đồng"},
		{440000, "Bốn trăm bốn mươi nghìn đồng"},
		{1005000, "Một triệu không trăm linh năm nghìn đồng"},
		{1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"},
		{2_000_000_015, "Hai tỷ không trăm mười lăm đồng"},
		{1_000_000_000_000, "Một nghìn tỷ đồng"},
		{-220000, "Âm hai trăm hai mươi nghìn đồng"},
	}
	for _, tc := range tests {
		t.Run(strconv.FormatInt(int64(tc.m), 10)+" reads "+tc.want, func(t *testing.T) {
			if got := AmountInWords(tc.m); got != tc.want {
				t.Errorf("AmountInWords(%d) = %q, want %q", tc.m, got, tc.want)
			}
			if n, ok := parseWords(tc.want); !ok || n != int64(tc.m) {
				t.Errorf("the words read back as %d (%v)", n, ok)
			}
		})
	}
}
