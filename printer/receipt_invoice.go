package printer

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// ReceiptInvoice is what a receipt prints of one cash-register (MTT) invoice
// its record issued. The kiosk fills it from the sale's invoices
// (kiosk/printing.go); a consignment cart issues one per issuing seller and
// the receipt lists them all.
type ReceiptInvoice struct {
	Form   int       `json:"form"`   // 1 VAT invoice (credit method), 2 sales invoice (direct method)
	Symbol string    `json:"symbol"` // C26MAA: printed after the form, 2C26MAA
	Number int64     `json:"number"`
	MCCQT  string    `json:"mccqt"`
	Issued time.Time `json:"issued"`
	// Seller is the issuing seller when it is not the booth at the top of
	// the receipt: a producer who delegated invoicing to the booth.
	Seller *Seller `json:"seller,omitempty"`
	// Total is the invoice's amount, printed when the receipt carries more
	// than one invoice (each issuing seller's share of the cart).
	Total pos.Money `json:"total"`
	// TotalWords is the total in Vietnamese words, printed under the total
	// of a receipt that is one invoice.
	TotalWords string `json:"total_words,omitempty"`
	// Note is the invoice's note (the 8 % reduction of a direct-method
	// seller while it applies).
	Note string `json:"note,omitempty"`
	// Adjusts names the invoice an adjustment corrects, "2C26MAA số 12 ngày
	// 23/11/2026"; empty on an original invoice.
	Adjusts string `json:"adjusts,omitempty"`
}

// InvoiceBuyer is the buyer block of an invoice, printed only when the buyer
// asked for it.
type InvoiceBuyer struct {
	Name    string `json:"name,omitempty"`
	TaxCode string `json:"tax_code,omitempty"`
	IDNo    string `json:"id_no,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
}

// invoiceWords are the fixed words of the invoice block. The legal ones keep
// the tax authority's wording.
type invoiceWords struct {
	form1, form2, several, fromRegister, adjustment string
	symbol, number, mccqt                           string
	seller, buyer, taxCode, idNo, phone, address    string
	email, adjusts, amount, inWords, lookUp         string
}

var invoiceLangs = map[string]invoiceWords{
	LangVI: {
		form1: "HOÁ ĐƠN GIÁ TRỊ GIA TĂNG", form2: "HOÁ ĐƠN BÁN HÀNG", several: "HOÁ ĐƠN",
		fromRegister: "(Khởi tạo từ máy tính tiền)", adjustment: "HOÁ ĐƠN ĐIỀU CHỈNH GIẢM",
		symbol: "Ký hiệu: ", number: "Số HĐ: ", mccqt: "MCCQT: ",
		seller: "Người bán (uỷ nhiệm lập): ", buyer: "Người mua: ", taxCode: "MST: ", idNo: "CCCD: ",
		phone: "ĐT: ", address: "Địa chỉ: ", email: "Email: ", adjusts: "Điều chỉnh cho HĐ ",
		amount: "Tiền hoá đơn", inWords: "Bằng chữ: ", lookUp: "Quét mã tra cứu hoá đơn",
	},
	LangEN: {
		form1: "VAT INVOICE", form2: "SALES INVOICE", several: "INVOICES",
		fromRegister: "(Issued from a cash register)", adjustment: "ADJUSTMENT INVOICE (DECREASE)",
		symbol: "Symbol: ", number: "Invoice no.: ", mccqt: "MCCQT: ",
		seller: "Seller (delegated): ", buyer: "Buyer: ", taxCode: "Tax ID: ", idNo: "ID: ",
		phone: "Phone: ", address: "Address: ", email: "Email: ", adjusts: "Adjusts invoice ",
		amount: "Invoice amount", inWords: "In words: ", lookUp: "Scan to look the invoice up",
	},
}

func invoiceWordsFor(lang string) invoiceWords {
	if w, ok := invoiceLangs[lang]; ok {
		return w
	}
	return invoiceLangs[LangVI]
}

// InvoiceTitle is the title of an invoice of a form: "HOÁ ĐƠN GIÁ TRỊ GIA
// TĂNG" (form 1) or "HOÁ ĐƠN BÁN HÀNG" (form 2).
func InvoiceTitle(lang string, form int) string {
	w := invoiceWordsFor(lang)
	if form == 1 {
		return w.form1
	}
	return w.form2
}

// writeInvoiceHead prints, in place of the receipt's title, what makes the
// paper an MTT invoice: the form's title, "khởi tạo từ máy tính tiền", an
// adjustment's own title, and for each invoice its form and symbol, number
// and MCCQT (with the delegating producer, and the invoice it adjusts).
func writeInvoiceHead(e *Encoder, r Receipt, cols int) {
	w := invoiceWordsFor(r.Lang)
	title := InvoiceTitle(r.Lang, r.Invoices[0].Form)
	for _, inv := range r.Invoices[1:] {
		if inv.Form != r.Invoices[0].Form {
			title = w.several
		}
	}
	e.Bold(true)
	for _, l := range Wrap(title, cols) {
		e.Line(l)
	}
	e.Bold(false).Line(w.fromRegister)
	if r.Kind != pos.KindSale {
		e.Bold(true).Line(w.adjustment).Bold(false)
	}
	e.SetAlign(AlignLeft)
	several := len(r.Invoices) > 1
	for i, inv := range r.Invoices {
		if several && i > 0 {
			e.Line("")
		}
		if several && title == w.several {
			e.Line(InvoiceTitle(r.Lang, inv.Form))
		}
		e.Columns2(w.symbol+strconv.Itoa(inv.Form)+inv.Symbol, w.number+strconv.FormatInt(inv.Number, 10))
		e.Line(w.mccqt + inv.MCCQT)
		if inv.Seller != nil {
			for _, l := range wrapIndent(w.seller+inv.Seller.Name, cols) {
				e.Line(l)
			}
			if inv.Seller.TaxCode != "" {
				e.Line(w.taxCode + inv.Seller.TaxCode)
			}
		}
		if inv.Adjusts != "" {
			for _, l := range Wrap(w.adjusts+inv.Adjusts, cols) {
				e.Line(l)
			}
		}
		if several {
			e.Columns2(w.amount, money(inv.Total))
		}
	}
}

// writeBuyer prints the buyer block, only the fields the buyer gave.
func writeBuyer(e *Encoder, lang string, b *InvoiceBuyer, cols int) {
	w := invoiceWordsFor(lang)
	for _, f := range []struct{ label, v string }{
		{w.buyer, b.Name}, {w.taxCode, b.TaxCode}, {w.idNo, b.IDNo}, {w.phone, b.Phone},
		{w.address, b.Address}, {w.email, b.Email},
	} {
		if f.v == "" {
			continue
		}
		for _, l := range Wrap(f.label+f.v, cols) {
			e.Line(l)
		}
	}
}

// writeInvoiceFoot prints, after the payments, the total in words of a
// receipt that is one invoice, and each invoice's note.
func writeInvoiceFoot(e *Encoder, r Receipt, cols int) {
	w := invoiceWordsFor(r.Lang)
	if len(r.Invoices) == 1 && r.Invoices[0].TotalWords != "" {
		for _, l := range Wrap(w.inWords+r.Invoices[0].TotalWords, cols) {
			e.Line(l)
		}
	}
	for _, inv := range r.Invoices {
		if inv.Note == "" {
			continue
		}
		for _, l := range Wrap(inv.Note, cols) {
			e.Line(l)
		}
	}
}

// InvoiceRef writes the original an adjustment names as the receipt prints
// it: "2C26MAA số 12 ngày 23/11/2026".
func InvoiceRef(lang string, form int, symbol string, number int64, issued time.Time) string {
	of, on := " số ", " ngày "
	if lang == LangEN {
		of, on = " no. ", " of "
	}
	return fmt.Sprintf("%d%s%s%d%s%s", form, symbol, of, number, on, issued.In(pos.VietnamTime).Format("02/01/2006"))
}
