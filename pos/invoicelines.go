package pos

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// How a record's lines become an invoice's lines. Each amount is what the
// line adds to what the customer paid, so the invoice's total is the sum of
// its lines and equals what the record's lines cost (README "Invoicing — the
// invoice itself"):
//
//   - a sold line is a goods line (TChat 1) at its catalog price: quantity ×
//     price, or kg with three decimals × price per kg for a weighed line;
//   - what its promotion took off follows it as a trade-discount line (TChat
//     3) naming the promotion, and its own manual discount as another naming
//     the reason;
//   - units a promotion gave free are a promotion line (TChat 2) with their
//     quantity and no amount;
//   - the sale's own discount, spread over the lines, is one trade-discount
//     line per VAT rate at the end (a credit-method invoice must say at which
//     rate a discount lowers the tax);
//   - notes (TChat 4) carry no amount: the 8 % reduction note of a direct
//     seller, and on an adjustment what it adjusts.
//
// For a credit-method seller every line with an amount is split into the
// price before VAT and the VAT it contains at its rate; the totals per rate
// are the sums of the lines, so lines and totals always agree.

// invoiceBody is an invoice's content before it is numbered.
type invoiceBody struct {
	Lines   []InvoiceLine
	Total   Money
	VAT     []InvoiceVAT
	Note    string
	Reduced Money
}

// buildInvoiceBody turns record lines into invoice lines for a seller on
// method (directRate: its percentage of revenue, for the reduction note).
// promos names the promotions by id. adjusts, when not nil, is the original
// an adjustment names.
func buildInvoiceBody(lines []Line, promos map[string]string, discountReason, method string, directRate Percent,
	issued time.Time, adjusts *InvoiceRef, why string) invoiceBody {
	credit := method == TaxCredit
	var out []InvoiceLine
	add := func(l InvoiceLine) {
		if credit && l.Kind != LineNote {
			l.VAT = VATContained(l.Amount, l.VATRate)
			l.Net = l.Amount - l.VAT
		}
		out = append(out, l)
	}
	saleOff := map[int]Money{}
	for _, l := range lines {
		qty := l.Qty * 1000
		unit := l.Unit
		weighed := l.WeightG != 0
		if weighed {
			qty, unit = l.WeightG, "kg"
		}
		code := l.GTIN
		if code == "" {
			code = l.SKU
		}
		if l.Free {
			add(InvoiceLine{Kind: LinePromotion, SKU: l.SKU, Code: code, Name: l.Name + " (hàng khuyến mại không thu tiền)",
				Unit: unit, Weighed: weighed, Qty: qty, VATRate: l.VATRate})
			continue
		}
		price := l.Price
		if credit {
			price = mulDivHalfUp(l.Price, 100, int64(100+l.VATRate))
		}
		add(InvoiceLine{Kind: LineGoods, SKU: l.SKU, Code: code, Name: l.Name, Unit: unit, Weighed: weighed, Qty: qty,
			Price: price, VATRate: l.VATRate, Amount: l.Gross()})
		if l.PromotionDiscount != 0 {
			name := promos[l.Promotion]
			if name == "" {
				name = l.Promotion
			}
			add(InvoiceLine{Kind: LineDiscount, SKU: l.SKU, Name: "Chiết khấu khuyến mại: " + name,
				VATRate: l.VATRate, Amount: -l.PromotionDiscount})
		}
		if l.LineDiscount != 0 {
			add(InvoiceLine{Kind: LineDiscount, SKU: l.SKU, Name: "Chiết khấu: " + reasonOr(l.DiscountReason),
				VATRate: l.VATRate, Amount: -l.LineDiscount})
		}
		saleOff[l.VATRate] += l.SaleDiscount
	}
	rates := make([]int, 0, len(saleOff))
	for r, d := range saleOff {
		if d != 0 {
			rates = append(rates, r)
		}
	}
	sort.Ints(rates)
	for _, r := range rates {
		name := "Chiết khấu trên tổng hóa đơn: " + reasonOr(discountReason)
		if len(rates) > 1 || credit {
			name += fmt.Sprintf(" (hàng thuế suất %d%%)", r)
		}
		add(InvoiceLine{Kind: LineDiscount, Name: name, VATRate: r, Amount: -saleOff[r]})
	}
	b := invoiceBody{}
	byRate := map[int]*InvoiceVAT{}
	for _, l := range out {
		b.Total += l.Amount
		if credit && l.Kind != LineNote && l.Kind != LinePromotion {
			v := byRate[l.VATRate]
			if v == nil {
				v = &InvoiceVAT{Rate: l.VATRate}
				byRate[l.VATRate] = v
			}
			v.Net += l.Net
			v.VAT += l.VAT
			v.Gross += l.Amount
		}
	}
	for _, v := range byRate {
		b.VAT = append(b.VAT, *v)
	}
	sort.Slice(b.VAT, func(i, j int) bool { return b.VAT[i].Rate < b.VAT[j].Rate })
	if !credit && adjusts == nil {
		if x, ok := VATReductionOn(issued); ok {
			var base Money
			for _, l := range out {
				if l.VATRate == x.ReducedRate {
					base += l.Amount
				}
			}
			rate := directRate
			if rate == 0 {
				rate = 1_00
			}
			if base > 0 {
				b.Reduced = mulDivHalfUp(base, int64(rate)*int64(x.ShareOff), int64(Whole)*100)
			}
			if b.Reduced > 0 {
				b.Note = x.NoteFor(b.Reduced)
				out = append(out, InvoiceLine{Kind: LineNote, Name: b.Note})
			}
		}
	}
	if adjusts != nil {
		out = append(out, InvoiceLine{Kind: LineNote, Name: fmt.Sprintf("Điều chỉnh giảm cho hóa đơn mẫu số %d, ký hiệu %s, số %d, ngày %s (%s)",
			adjusts.Form, adjusts.Symbol, adjusts.Number, adjusts.Issued.In(VietnamTime).Format("02/01/2006"), why)})
	}
	for i := range out {
		out[i].No = i + 1
	}
	b.Lines = out
	return b
}

func reasonOr(r string) string {
	if r = strings.TrimSpace(r); r != "" {
		return r
	}
	return "giảm giá"
}
