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

// ReceiptLine is what a receipt shows of one sold line: the goods, how many or
// how much, and what was taken off them. The kiosk fills it from the sale
// (kiosk/printing.go); tests and benchmarks fill it by hand.
type ReceiptLine struct {
	Name string `json:"name"`
	Qty  int64  `json:"qty"`
	// WeightG, when not zero, makes a weighed line: Price is per kilogram and
	// the line prints "1,235 kg × 350.000 ₫/kg" instead of a quantity.
	WeightG int64     `json:"weight_g,omitempty"`
	Price   pos.Money `json:"price"`
	VATRate int       `json:"vat"`
	// Gross is the line before anything is taken off it. Zero means Price ×
	// Qty, or for a weighed line Price × WeightG / 1000 rounded half up to the
	// đồng; the kiosk passes the sale's own figure, so paper and sale agree
	// whatever rounding the sale used.
	Gross pos.Money `json:"gross,omitempty"`
	// Off is what was taken off this line: discounts given at the till and
	// promotions, each printed under the line.
	Off []Deduction `json:"off,omitempty"`
	// Serials are the serials of the lot's labels or stamps scanned into the
	// line at the till, printed under it so that the paper names the very
	// items sold.
	Serials []string `json:"serials,omitempty"`
}

// Deduction is money taken off a line or a sale.
type Deduction struct {
	// Promotion names the promotion that gave it; empty for a discount given
	// at the till.
	Promotion string `json:"promotion,omitempty"`
	// Percent is a discount's percentage when it was given as one.
	Percent int    `json:"percent,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Amount is the đồng taken off, positive (negative on a void or refund);
	// zero for the promotion a free item comes from.
	Amount pos.Money `json:"amount"`
}

// Receipt is everything printed on a receipt.
type Receipt struct {
	Lang      string // LangVI (the default) or LangEN
	Seller    Seller
	Kind      string // pos.KindSale, KindVoid or KindRefund
	ReceiptNo string
	Original  string // for voids and refunds: the receipt they undo
	Time      time.Time
	Till      string
	Cashier   string // who sold, when the sale records it
	Lines     []ReceiptLine
	// Discount is what was taken off the whole sale, after the lines' own
	// (Amount zero: nothing).
	Discount Deduction
	// VAT is the VAT contained per rate as the sale recorded it; empty, it is
	// worked out from the lines.
	VAT      []pos.VATLine
	Payments []pos.Payment
	// VietQR is an EMVCo payload to show when a transfer is still pending.
	VietQR string
	// QR is the link to the sale's e-receipt page, where the buyer also
	// looks its invoices up.
	QR   string
	Copy bool // a reprint: marked "BẢN SAO / COPY"
	// Invoices are the MTT invoices the record issued (none while invoicing
	// is off): the receipt then prints as the invoice (receipt_invoice.go).
	Invoices []ReceiptInvoice
	// Buyer is the invoice's buyer block, when the buyer asked for one.
	Buyer *InvoiceBuyer
}

// amount is the line before anything is taken off it.
func (l ReceiptLine) amount() pos.Money {
	switch {
	case l.Gross != 0:
		return l.Gross
	case l.WeightG != 0:
		return divRound(l.Price*pos.Money(l.WeightG), 1000)
	}
	return l.Price * pos.Money(l.Qty)
}

// net is what the line comes to after what was taken off it.
func (l ReceiptLine) net() pos.Money {
	n := l.amount()
	for _, d := range l.Off {
		n -= d.Amount
	}
	return n
}

// divRound divides rounding half away from zero, as money is rounded to the
// đồng.
func divRound(a, b pos.Money) pos.Money {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// Subtotal is the sum of the lines after their own discounts and promotions.
func (r Receipt) Subtotal() pos.Money {
	var t pos.Money
	for _, l := range r.Lines {
		t += l.net()
	}
	return t
}

// Total is what the customer pays: the subtotal less the sale's discount.
func (r Receipt) Total() pos.Money { return r.Subtotal() - r.Discount.Amount }

// Saved is everything taken off, the lines' and the sale's.
func (r Receipt) Saved() pos.Money {
	s := r.Discount.Amount
	for _, l := range r.Lines {
		for _, d := range l.Off {
			s += d.Amount
		}
	}
	return s
}

// money formats an amount the Vietnamese way, without the currency sign (the
// column headers say đồng).
func money(m pos.Money) string { return pos.FormatVND(m) }

// WriteReceipt lays out r on e: the seller, the document's title, number, time,
// till and cashier; each line with its quantity (or weight) × price and amount
// and, under it, what was taken off it; the subtotal and the sale's discount
// when there is one, the total, everything taken off, the VAT contained per
// rate; payments, cash given and change; the pending VietQR, the e-receipt QR,
// a cut. Amounts are right-aligned with ESC $ instead of runs of spaces, which
// keeps a 10-line receipt near 1 KB so it prints in about a second at 9600
// baud, and are never broken across lines.
func WriteReceipt(e *Encoder, r Receipt) {
	w := wordsFor(r.Lang)
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
	if len(r.Invoices) > 0 {
		writeInvoiceHead(e, r, cols)
	} else {
		title := w.title
		switch r.Kind {
		case pos.KindVoid:
			title = w.void
		case pos.KindRefund:
			title = w.refund
		}
		e.Bold(true).Line(title).Bold(false)
	}
	e.SetAlign(AlignLeft)
	e.Columns2(w.no+r.ReceiptNo, r.Time.In(pos.VietnamTime).Format("02/01/2006 15:04"))
	switch {
	case r.Till != "" && r.Cashier != "":
		e.Columns2(w.till+r.Till, w.cashier+r.Cashier)
	case r.Till != "":
		e.Line(w.till + r.Till)
	case r.Cashier != "":
		e.Line(w.cashier + r.Cashier)
	}
	if r.Original != "" {
		e.Line(w.forReceipt + r.Original)
	}
	if r.Buyer != nil {
		writeBuyer(e, r.Lang, r.Buyer, cols)
	}
	rule := strings.Repeat("-", cols)
	e.Line(rule)
	for _, l := range r.Lines {
		writeItem(e, w, l, cols)
	}
	e.Line(rule)
	if r.Discount.Amount != 0 {
		e.Columns2(w.subtotal, money(r.Subtotal()))
		e.Columns2(w.deduction(r.Discount), money(-r.Discount.Amount))
	}
	total := r.Total()
	e.Bold(true).Columns2(w.total, money(total)).Bold(false)
	if saved := r.Saved(); saved != 0 {
		e.Columns2(w.saved, money(saved))
	}
	vat := r.VAT
	if len(vat) == 0 {
		vat = vatByRate(r.Lines, r.Discount.Amount)
	}
	for _, v := range vat {
		if v.Rate > 0 {
			e.Columns2(fmt.Sprintf(w.vat, v.Rate), money(v.VAT))
		}
	}
	for _, p := range r.Payments {
		name := w.method(p.Method)
		if p.Method == pos.MethodVietQR && p.Reference != "" {
			// The transfer's reference (nội dung chuyển khoản) prints whole on
			// a line of its own under its payment: the receipt, the screen and
			// the bank statement read alike.
			e.Columns2(name, money(p.Amount))
			e.Line("  " + w.transferRef + p.Reference)
			continue
		}
		if p.Method == pos.MethodCash && p.Tendered != 0 {
			if len(r.Payments) > 1 {
				e.Columns2(name, money(p.Amount))
			}
			e.Columns2(w.tendered, money(p.Tendered))
			e.Columns2(w.change, money(p.Change))
			continue
		}
		e.Columns2(name, money(p.Amount))
	}
	if len(r.Invoices) > 0 {
		writeInvoiceFoot(e, r, cols)
	}
	if r.VietQR != "" {
		e.SetAlign(AlignCenter)
		e.Line(w.scanToPay)
		e.QR(r.VietQR, 5, QRLevelM)
		e.Line(money(total) + " đ - " + r.ReceiptNo)
	}
	if r.QR != "" {
		e.SetAlign(AlignCenter)
		if len(r.Invoices) > 0 {
			e.Line(invoiceWordsFor(r.Lang).lookUp)
		}
		e.QR(r.QR, 4, QRLevelL)
	}
	e.SetAlign(AlignCenter)
	e.Line(w.thanks)
	e.SetAlign(AlignLeft)
	e.Cut()
}

// deduction is the label of what was taken off: "Giảm giá 10%: khách quen",
// "Khuyến mãi: Mua 2 tặng 1".
func (w receiptWords) deduction(d Deduction) string {
	if d.Promotion != "" {
		return w.promotion + ": " + d.Promotion
	}
	s := w.discount
	if d.Percent != 0 {
		s += fmt.Sprintf(" %d%%", d.Percent)
	}
	if d.Reason != "" {
		s += ": " + d.Reason
	}
	return s
}

// writeItem prints a line as "name   qty x price   amount" on one line when it
// fits, else the name wrapped and the amounts under it, flush right; when even
// the amounts do not fit one line together, the quantity × price and the
// amount each take a line. Under it, indented, what was taken off it.
func writeItem(e *Encoder, w receiptWords, l ReceiptLine, cols int) {
	qty := fmt.Sprintf("%dx%s", l.Qty, money(l.Price))
	if l.WeightG != 0 {
		qty = w.kilograms(l.WeightG) + " × " + money(l.Price) + " ₫/kg"
	}
	qty, name := substitute(qty), substitute(l.Name)
	total := money(l.amount())
	amountsW := textWidth(qty) + 1 + textWidth(total)
	switch {
	case textWidth(name)+1+amountsW <= cols:
		e.text(name)
		e.amounts(qty, total, cols)
	case amountsW <= cols:
		for _, n := range Wrap(name, cols) {
			e.Line(n)
		}
		e.amounts(qty, total, cols)
	default:
		for _, n := range Wrap(name, cols) {
			e.Line(n)
		}
		e.Columns2("", qty)
		e.Columns2("", total)
	}
	for _, d := range l.Off {
		if d.Amount == 0 {
			for _, s := range wrapIndent("  "+w.deduction(d), cols) {
				e.Line(s)
			}
			continue
		}
		e.Columns2("  "+w.deduction(d), money(-d.Amount))
	}
	if len(l.Serials) > 0 {
		for _, s := range wrapIndent("  "+w.serials+strings.Join(l.Serials, ", "), cols) {
			e.Line(s)
		}
	}
}

// amounts ends the current line with qty and total, each flush right in its
// column (they fit: the caller measured them).
func (e *Encoder) amounts(qty, total string, cols int) {
	e.Pos(cols - textWidth(qty) - 1 - textWidth(total))
	e.text(qty)
	e.Pos(cols - textWidth(total))
	e.text(total)
	e.Raw(LF)
}

// vatByRate works the VAT contained out from the lines, when the sale did not
// record it: per rate on what the lines come to, with the sale's discount
// shared out over the rates in proportion (the remainder to the largest).
func vatByRate(lines []ReceiptLine, discount pos.Money) []pos.VATLine {
	by := map[int]pos.Money{}
	var rates []int
	var sum pos.Money
	for _, l := range lines {
		if _, ok := by[l.VATRate]; !ok {
			rates = append(rates, l.VATRate)
		}
		by[l.VATRate] += l.net()
		sum += l.net()
	}
	if discount != 0 && sum != 0 {
		largest, left := rates[0], discount
		for _, r := range rates {
			share := discount * by[r] / sum
			left -= share
			if by[r] > by[largest] {
				largest = r
			}
			by[r] -= share
		}
		by[largest] -= left
	}
	var out []pos.VATLine
	for _, r := range rates {
		if r > 0 {
			out = append(out, pos.VATLine{Rate: r, Gross: by[r], VAT: pos.VATContained(by[r], r)})
		}
	}
	return out
}
