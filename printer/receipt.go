package printer

import (
	"fmt"
	"strings"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Seller is who the receipt is from: the booth or showroom.
type Seller struct {
	Name    string `json:"name"`
	TaxCode string `json:"tax_code"`
	Address string `json:"address"`
	Phone   string `json:"phone,omitempty"`
}

// ReceiptLine is one line as printed.
type ReceiptLine struct {
	Name    string    `json:"name"`
	Qty     int64     `json:"qty"`
	Price   pos.Money `json:"price"`
	VATRate int       `json:"vat"`
}

// Receipt is everything printed on a receipt. ReceiptFromSale fills it from a
// committed sale; benchmarks fill it from the reference receipt.
type Receipt struct {
	Seller    Seller
	Kind      string // pos.KindSale, KindVoid or KindRefund
	ReceiptNo string
	Original  string // for voids and refunds: the receipt they undo
	Time      time.Time
	Till      string
	Lines     []ReceiptLine
	Payments  []pos.Payment
	// VietQR is an EMVCo payload to show when a transfer is still pending.
	VietQR string
	// QR is the link to the sale's e-receipt page.
	QR   string
	Copy bool // a reprint: marked "BẢN SAO / COPY"
}

// ReceiptFromSale lays out a committed record. qrBase, when set, is the origin
// of the e-receipt link (…/r/{sale id}).
func ReceiptFromSale(s pos.Sale, seller Seller, qrBase string, original string) Receipt {
	r := Receipt{Seller: seller, Kind: s.Kind, ReceiptNo: s.ReceiptNo, Time: s.Time, Till: s.Till, Original: original}
	for _, l := range s.Lines {
		name := l.Name
		if l.Lot != "" {
			name += " (lô " + l.Lot + ")"
		}
		r.Lines = append(r.Lines, ReceiptLine{Name: name, Qty: l.Qty, Price: l.Price, VATRate: l.VATRate})
	}
	r.Payments = s.Payments
	if qrBase != "" {
		r.QR = strings.TrimRight(qrBase, "/") + "/r/" + s.ID
	}
	return r
}

// Total is the sum of the lines.
func (r Receipt) Total() pos.Money {
	var t pos.Money
	for _, l := range r.Lines {
		t += l.Price * pos.Money(l.Qty)
	}
	return t
}

var methodNames = map[string]string{
	pos.MethodCash:    "Tiền mặt",
	pos.MethodVietQR:  "Chuyển khoản VietQR",
	pos.MethodCard:    "Thẻ",
	pos.MethodEwallet: "Ví điện tử",
}

// money formats an amount the Vietnamese way, without the currency sign (the
// column headers say đồng).
func money(m pos.Money) string { return pos.FormatVND(m) }

// WriteReceipt lays out r on e: header, lines with qty × price, total, VAT
// contained per rate, payments and change, the pending VietQR, the e-receipt QR,
// a cut. Amounts are right-aligned with ESC $ instead of runs of spaces, which
// keeps a 10-line receipt near 1 KB so it prints in about a second at 9600 baud.
func WriteReceipt(e *Encoder, r Receipt) {
	e.Init()
	cols := e.Columns()
	e.SetAlign(AlignCenter).Bold(true)
	for _, l := range Wrap(r.Seller.Name, cols) {
		e.Line(l)
	}
	e.Bold(false)
	if r.Seller.TaxCode != "" {
		e.Line("MST: " + r.Seller.TaxCode)
	}
	for _, l := range Wrap(r.Seller.Address, cols) {
		e.Line(l)
	}
	if r.Copy {
		e.Bold(true).Line("*** BẢN SAO / COPY ***").Bold(false)
	}
	switch r.Kind {
	case pos.KindVoid:
		e.Bold(true).Line("PHIẾU HỦY / VOID").Bold(false)
	case pos.KindRefund:
		e.Bold(true).Line("PHIẾU HOÀN TIỀN / REFUND").Bold(false)
	}
	e.SetAlign(AlignLeft)
	e.Columns2("Số: "+r.ReceiptNo, r.Time.In(pos.VietnamTime).Format("02/01/2006 15:04"))
	if r.Till != "" {
		e.Line("Quầy: " + r.Till)
	}
	if r.Original != "" {
		e.Line("Cho phiếu: " + r.Original)
	}
	rule := strings.Repeat("-", cols)
	e.Line(rule)
	for _, l := range r.Lines {
		writeItem(e, l, cols)
	}
	e.Line(rule)
	total := r.Total()
	e.Bold(true).Columns2("TỔNG CỘNG", money(total)).Bold(false)
	for _, v := range vatByRate(r.Lines) {
		e.Columns2(fmt.Sprintf("Thuế GTGT %d%% (đã gồm)", v.Rate), money(v.VAT))
	}
	for _, p := range r.Payments {
		name := methodNames[p.Method]
		if name == "" {
			name = p.Method
		}
		if p.Method == pos.MethodCash && p.Tendered > 0 {
			e.Columns2(name, money(p.Tendered))
			e.Columns2("Tiền thừa", money(p.Change))
			continue
		}
		e.Columns2(name, money(p.Amount))
	}
	if r.VietQR != "" {
		e.SetAlign(AlignCenter)
		e.Line("Quét mã để chuyển khoản")
		e.QR(r.VietQR, 5, QRLevelM)
		e.Line(money(total) + " đ - " + r.ReceiptNo)
	}
	if r.QR != "" {
		e.SetAlign(AlignCenter)
		e.QR(r.QR, 4, QRLevelL)
	}
	e.SetAlign(AlignCenter)
	e.Line("Cảm ơn quý khách!")
	e.SetAlign(AlignLeft)
	e.Cut()
}

// writeItem prints a line as "name   qty x price   total" on one line when it
// fits, else the name wrapped and the amounts under it.
func writeItem(e *Encoder, l ReceiptLine, cols int) {
	qty := fmt.Sprintf("%dx%s", l.Qty, money(l.Price))
	total := money(l.Price * pos.Money(l.Qty))
	// The amounts take the right part of the line: qty×price then the total.
	amountsW := textWidth(qty) + 1 + textWidth(total)
	if textWidth(l.Name)+1+amountsW <= cols {
		e.text(substitute(l.Name))
		e.Pos(cols - amountsW)
		e.text(qty)
		e.Pos(cols - textWidth(total))
		e.text(total)
		e.Raw(LF)
		return
	}
	for _, w := range Wrap(l.Name, cols) {
		e.Line(w)
	}
	e.Pos(cols - amountsW)
	e.text(qty)
	e.Pos(cols - textWidth(total))
	e.text(total)
	e.Raw(LF)
}

func vatByRate(lines []ReceiptLine) []pos.VATLine {
	by := map[int]pos.Money{}
	var rates []int
	for _, l := range lines {
		if _, ok := by[l.VATRate]; !ok {
			rates = append(rates, l.VATRate)
		}
		by[l.VATRate] += l.Price * pos.Money(l.Qty)
	}
	var out []pos.VATLine
	for _, r := range rates {
		if r > 0 {
			out = append(out, pos.VATLine{Rate: r, Gross: by[r], VAT: pos.VATContained(by[r], r)})
		}
	}
	return out
}
