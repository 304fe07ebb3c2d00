package kiosk

import (
	"fmt"
	"strconv"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
	"github.com/ocop-kiosk/kiosk/web"
)

// invoiceViews lays out a record's invoices for its e-receipt page in l
// (words t): what the invoice says, as its XML says it, and the public link
// to that XML (only this record's invoices are reachable through it).
func invoiceViews(sale pos.Sale, l string, t map[string]string) []web.InvoiceView {
	m := func(v pos.Money) string { return v.String() }
	var out []web.InvoiceView
	for _, inv := range sale.Invoices {
		v := web.InvoiceView{Title: t["inv_form"+strconv.Itoa(inv.Form)], Symbol: strconv.Itoa(inv.Form) + inv.Symbol,
			Number: strconv.FormatInt(inv.Number, 10), MCCQT: inv.MCCQT, Issued: inv.Issued.In(pos.VietnamTime).Format("15:04:05 02/01/2006"),
			Adjustment: inv.Kind == pos.InvoiceAdjustment, Credit: inv.TaxMethod == pos.TaxCredit,
			Total: m(inv.Total), TotalWords: inv.TotalWords, Note: inv.Note,
			XML:    "/r/" + sale.ID + "/invoices/" + inv.Key() + ".xml",
			Seller: &web.InvoiceParty{Name: inv.Seller.Name, TaxCode: inv.Seller.TaxCode, Address: inv.Seller.Address}}
		if d := inv.Delegate; d != nil {
			v.Delegate = &web.InvoiceParty{Name: d.Name, TaxCode: d.TaxCode, Address: d.Address}
		}
		if a := inv.Adjusts; a != nil {
			v.Adjusts = printer.InvoiceRef(l, a.Form, a.Symbol, a.Number, a.Issued) + ", MCCQT " + a.MCCQT
		}
		if b := inv.Buyer; b != nil {
			for _, f := range []web.InvoiceField{{Label: t["inv_name"], Value: b.Name}, {Label: t["inv_tax_code"], Value: b.TaxCode},
				{Label: t["inv_id_no"], Value: b.IDNo}, {Label: t["phone"], Value: b.Phone}, {Label: t["address"], Value: b.Address},
				{Label: t["inv_email"], Value: b.Email}} {
				if f.Value != "" {
					v.Buyer = append(v.Buyer, f)
				}
			}
		}
		for _, ln := range inv.Lines {
			if ln.Kind == pos.LineNote && ln.Name == inv.Note {
				continue // the note shows once, under the total
			}
			lv := web.InvoiceLineView{Kind: t["inv_line_"+strconv.Itoa(ln.Kind)], Name: ln.Name, Unit: ln.Unit}
			if ln.Kind != pos.LineNote || ln.Amount != 0 {
				lv.Amount = m(ln.Amount) // a note carries no amount
			}
			if ln.Qty != 0 {
				lv.Qty = milli(ln.Qty, l)
			}
			if ln.Price != 0 {
				lv.Price = m(ln.Price)
			}
			if v.Credit && ln.Kind != pos.LineNote {
				lv.Detail = fmt.Sprintf("%s %s · %s %d%% · %s %s", t["inv_net"], m(ln.Net), t["inv_rate"], ln.VATRate, t["inv_vat"], m(ln.VAT))
			}
			v.Lines = append(v.Lines, lv)
		}
		if v.Credit {
			for _, r := range inv.VAT {
				v.VAT = append(v.VAT, web.InvoiceVATView{Rate: fmt.Sprintf("%d%%", r.Rate), Net: m(r.Net), VAT: m(r.VAT), Gross: m(r.Gross)})
			}
		}
		out = append(out, v)
	}
	return out
}

// milli writes a quantity in thousandths as the invoice does: 2, or 1,235
// (1.235 in English) for a weighed line.
func milli(q int64, l string) string {
	if q%1000 == 0 {
		return strconv.FormatInt(q/1000, 10)
	}
	return kilograms(q, l)[:len(kilograms(q, l))-3]
}
