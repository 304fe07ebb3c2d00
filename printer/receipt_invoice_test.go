package printer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// invoiceBlockBudget is what the invoice block may add to the reference
// receipt: title and "khởi tạo từ máy tính tiền", symbol and number, MCCQT,
// the total in words, the 8 % reduction note and the look-up line. Measured
// at 298–299 bytes.
const invoiceBlockBudget = 300

// TestReferenceInvoiceGrowsByTheInvoiceBlockOnly: with invoicing on, the
// reference receipt keeps every line it printed (its title aside, which the
// invoice's replaces), in order, and grows by the invoice block only: at most
// invoiceBlockBudget bytes, 1,400 in all on an Epson (1.46 s at 9600 baud).
func TestReferenceInvoiceGrowsByTheInvoiceBlockOnly(t *testing.T) {
	for _, profile := range []string{"epson-tm-t20", "epson-tm-t88", "xprinter-58", "rongta-80"} {
		t.Run(profile, func(t *testing.T) {
			plain, _ := encodeReference(t, profile)
			inv, e := encodeInvoice(t, profile, referenceInvoice(t))
			if e.Rasterised != 0 {
				t.Errorf("%d lines rasterised", e.Rasterised)
			}
			if grew := len(inv) - len(plain); grew > invoiceBlockBudget {
				t.Errorf("the invoice block adds %d bytes, budget %d", grew, invoiceBlockBudget)
			}
			if strings.HasPrefix(profile, "epson") && len(inv) > 1100+invoiceBlockBudget {
				t.Errorf("%d bytes, budget %d", len(inv), 1100+invoiceBlockBudget)
			}
			pd, err := Decode(plain, Profiles[profile])
			if err != nil {
				t.Fatal(err)
			}
			id, err := Decode(inv, Profiles[profile])
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range id.Lines {
				got = append(got, l.Text)
			}
			// Every line of the plain receipt but its title, in order.
			at := 0
			for _, l := range pd.Lines {
				if l.Text == "HOÁ ĐƠN BÁN LẺ" {
					continue
				}
				i := slices.Index(got[at:], l.Text)
				if i < 0 {
					t.Fatalf("the invoice lost or moved the receipt's line %q", l.Text)
				}
				at += i + 1
			}
			text := strings.Join(strings.Fields(id.Text()), " ")
			for _, w := range []string{"HOÁ ĐƠN BÁN HÀNG", "(Khởi tạo từ máy tính tiền)", "Ký hiệu: 2C26MAA", "Số HĐ: 123",
				"MCCQT: M2-26-A1B2C-00001234567", "Bằng chữ: Một triệu ba trăm sáu mươi lăm nghìn đồng",
				"Nghị quyết 204/2025/QH15", "Quét mã tra cứu hoá đơn"} {
				if !strings.Contains(text, w) {
					t.Errorf("the invoice lacks %q", w)
				}
			}
			if strings.Contains(text, "HOÁ ĐƠN BÁN LẺ") {
				t.Error("an invoice still titled as a plain receipt")
			}
			if len(id.QRCodes) != 1 || id.QRCodes[0] != referenceInvoice(t).QR {
				t.Errorf("QR codes %q: want the e-receipt link alone, where the invoice is looked up", id.QRCodes)
			}
		})
	}
}

// TestInvoiceReceiptGoldenBytes pins the invoice receipt per profile
// (testdata/invoice-*.golden; -update rewrites them).
func TestInvoiceReceiptGoldenBytes(t *testing.T) {
	for _, profile := range ProfileNames() {
		if Profiles[profile].Language == "tspl" {
			continue
		}
		t.Run(profile, func(t *testing.T) {
			data, _ := encodeInvoice(t, profile, referenceInvoice(t))
			golden(t, "invoice-"+profile, data)
		})
	}
}

// TestInvoiceReceiptPrintsWhatTheInvoiceSays: the paper names what the
// invoices of its record are, in the receipt's language.
func TestInvoiceReceiptPrintsWhatTheInvoiceSays(t *testing.T) {
	issued := time.Date(2026, 11, 23, 16, 20, 0, 0, pos.VietnamTime)
	booth := ReceiptInvoice{Form: 1, Symbol: "C26MAA", Number: 7, MCCQT: "M1-26-A1B2C-00000000007", Issued: issued, Total: 300000}
	producer := ReceiptInvoice{Form: 2, Symbol: "C26MAA", Number: 3, MCCQT: "M2-26-A1B2C-00000000008", Issued: issued, Total: 85000,
		Seller: &Seller{Name: "HTX Ong mật U Minh Hạ", TaxCode: "2000654321"}}
	adjust := booth
	adjust.Number, adjust.Total = 8, -300000
	adjust.Adjusts = InvoiceRef(LangVI, 1, "C26MAA", 7, issued)
	buyer := &InvoiceBuyer{Name: "Công ty TNHH Du lịch Mũi Cà Mau", TaxCode: "0100109106", Address: "12 Phan Ngọc Hiển, Cà Mau",
		Email: "ketoan@muicamau.vn"}
	for _, tc := range []struct {
		name       string
		lang, kind string
		invoices   []ReceiptInvoice
		buyer      *InvoiceBuyer
		want, not  []string
	}{
		{name: "a credit-method seller's receipt is titled as a VAT invoice", lang: LangVI, kind: pos.KindSale,
			invoices: []ReceiptInvoice{booth}, want: []string{"HOÁ ĐƠN GIÁ TRỊ GIA TĂNG", "Ký hiệu: 1C26MAA", "Số HĐ: 7"},
			not: []string{"Tiền hoá đơn", "Người mua"}},
		{name: "a buyer who asked is printed with what was given", lang: LangVI, kind: pos.KindSale,
			invoices: []ReceiptInvoice{booth}, buyer: buyer,
			want: []string{"Người mua: Công ty TNHH Du lịch Mũi Cà Mau", "MST: 0100109106", "Địa chỉ: 12 Phan Ngọc Hiển, Cà Mau", "Email: ketoan@muicamau.vn"},
			not:  []string{"CCCD", "ĐT:"}},
		{name: "a consignment cart lists each issuing seller's invoice with its amount", lang: LangVI, kind: pos.KindSale,
			invoices: []ReceiptInvoice{booth, producer},
			want: []string{"HOÁ ĐƠN", "HOÁ ĐƠN GIÁ TRỊ GIA TĂNG", "HOÁ ĐƠN BÁN HÀNG", "Số HĐ: 7", "Số HĐ: 3", "M2-26-A1B2C-00000000008",
				"Người bán (uỷ nhiệm lập): HTX Ong mật U Minh Hạ", "MST: 2000654321", "Tiền hoá đơn 300.000", "Tiền hoá đơn 85.000"}},
		{name: "an adjustment names the invoice it corrects", lang: LangVI, kind: pos.KindVoid,
			invoices: []ReceiptInvoice{adjust},
			want:     []string{"HOÁ ĐƠN ĐIỀU CHỈNH GIẢM", "Điều chỉnh cho HĐ 1C26MAA số 7 ngày 23/11/2026", "Số HĐ: 8"},
			not:      []string{"PHIẾU HUỶ"}},
		{name: "an English receipt says the same in English", lang: LangEN, kind: pos.KindSale,
			invoices: []ReceiptInvoice{booth}, buyer: &InvoiceBuyer{Name: "Anna Schmidt", Phone: "0912345678"},
			want: []string{"VAT INVOICE", "(Issued from a cash register)", "Symbol: 1C26MAA", "Invoice no.: 7", "Buyer: Anna Schmidt", "Phone: 0912345678"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := referenceReceipt(t)
			r.Lang, r.Kind, r.Invoices, r.Buyer = tc.lang, tc.kind, tc.invoices, tc.buyer
			data, _ := encodeInvoice(t, "epson-tm-t20", r)
			doc, err := Decode(data, Profiles["epson-tm-t20"])
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(doc.Text()), " ")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q in\n%s", w, doc.Text())
				}
			}
			for _, w := range tc.not {
				if strings.Contains(text, w) {
					t.Errorf("prints %q", w)
				}
			}
		})
	}
}
