package pos

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// The invoice's XML (Decision 1271/QĐ-CT; field names as VNPT's MTT guide
// lists them). The document is a table: each element names its tag and either
// a value (left out when it has none) or its children, and repeated elements
// (lines, rates) say what they repeat over. Changing what is sent is an edit
// of the table, not of code that writes strings; encoding/xml escapes every
// value, and text that is not valid XML becomes U+FFFD.

// xmlCtx is what a value is read from: the invoice, and the line or rate of
// a repeated element.
type xmlCtx struct {
	inv  *Invoice
	line *InvoiceLine
	vat  *InvoiceVAT
}

// xmlEl is one element of the table.
type xmlEl struct {
	tag string
	// val gives a leaf's text; ok false leaves the element out.
	val func(c xmlCtx) (string, bool)
	// kids are a container's elements; a container with none written is left out.
	kids []xmlEl
	// each repeats the element once per context it returns.
	each func(c xmlCtx) []xmlCtx
}

func leaf(tag string, val func(c xmlCtx) (string, bool)) xmlEl { return xmlEl{tag: tag, val: val} }
func node(tag string, kids ...xmlEl) xmlEl                     { return xmlEl{tag: tag, kids: kids} }

// always is a value that is always written.
func always(f func(c xmlCtx) string) func(c xmlCtx) (string, bool) {
	return func(c xmlCtx) (string, bool) { return f(c), true }
}

// text is a value written when not empty.
func text(f func(c xmlCtx) string) func(c xmlCtx) (string, bool) {
	return func(c xmlCtx) (string, bool) { v := f(c); return v, v != "" }
}

func fixed(v string) func(c xmlCtx) (string, bool) {
	return func(xmlCtx) (string, bool) { return v, true }
}

func money(m Money) string { return strconv.FormatInt(int64(m), 10) }

// credit tells a credit-method invoice, which shows VAT.
func credit(c xmlCtx) bool { return c.inv.TaxMethod == TaxCredit }

// onCredit writes f's money only on a credit-method invoice.
func onCredit(f func(c xmlCtx) Money) func(c xmlCtx) (string, bool) {
	return func(c xmlCtx) (string, bool) { return money(f(c)), credit(c) }
}

// rate writes a VAT rate as TSuat: 0%, 5%, 8%, 10%.
func rate(r int) string { return strconv.Itoa(r) + "%" }

// qty writes a line's quantity: whole units, or kg with three decimals.
func qty(l *InvoiceLine) string {
	neg := ""
	q := l.Qty
	if q < 0 {
		neg, q = "-", -q
	}
	if !l.Weighed && q%1000 == 0 {
		return neg + strconv.FormatInt(q/1000, 10)
	}
	return fmt.Sprintf("%s%d.%03d", neg, q/1000, q%1000)
}

// payMethod is HTTToan: TM cash, CK transfer or card, TM/CK both.
func payMethod(inv *Invoice) string { return inv.PayMethod }

// invoiceTitle is THDon.
func invoiceTitle(inv *Invoice) string {
	if inv.Form == FormVAT {
		return "Hóa đơn giá trị gia tăng khởi tạo từ máy tính tiền"
	}
	return "Hóa đơn bán hàng khởi tạo từ máy tính tiền"
}

// invoiceDoc is the table of the document.
var invoiceDoc = node("HDon",
	node("DLHDon",
		node("TTChung",
			leaf("PBan", fixed("2.1.0")),
			leaf("THDon", always(func(c xmlCtx) string { return invoiceTitle(c.inv) })),
			leaf("KHMSHDon", always(func(c xmlCtx) string { return strconv.Itoa(c.inv.Form) })),
			leaf("KHHDon", always(func(c xmlCtx) string { return c.inv.Symbol })),
			leaf("SHDon", always(func(c xmlCtx) string { return strconv.FormatInt(c.inv.Number, 10) })),
			leaf("NLap", always(func(c xmlCtx) string { return c.inv.Issued.In(VietnamTime).Format("2006-01-02") })),
			leaf("DVTTe", fixed("VND")),
			leaf("TGia", fixed("1")),
			leaf("HTTToan", text(func(c xmlCtx) string { return payMethod(c.inv) })),
			// The booth issuing for a producer that delegated its invoicing.
			leaf("MSTDVNUNLHDon", text(func(c xmlCtx) string { return delegate(c.inv).TaxCode })),
			leaf("TDVNUNLHDon", text(func(c xmlCtx) string { return delegate(c.inv).Name })),
			leaf("DCDVNUNLHDon", text(func(c xmlCtx) string { return delegate(c.inv).Address })),
			// An adjustment names the invoice it adjusts (TCHDon 2: điều chỉnh).
			node("TTHDLQuan",
				leaf("TCHDon", adjusting(func(*InvoiceRef) string { return "2" })),
				leaf("LHDCLQuan", adjusting(func(*InvoiceRef) string { return "1" })),
				leaf("KHMSHDCLQuan", adjusting(func(r *InvoiceRef) string { return strconv.Itoa(r.Form) })),
				leaf("KHHDCLQuan", adjusting(func(r *InvoiceRef) string { return r.Symbol })),
				leaf("SHDCLQuan", adjusting(func(r *InvoiceRef) string { return strconv.FormatInt(r.Number, 10) })),
				leaf("NLHDCLQuan", adjusting(func(r *InvoiceRef) string { return r.Issued.In(VietnamTime).Format("2006-01-02") })),
				leaf("GChu", adjusting(func(r *InvoiceRef) string { return "MCCQT " + r.MCCQT })),
			),
			node("TTKhac",
				tin("TGLap", "dateTime", func(c xmlCtx) string { return c.inv.Issued.In(VietnamTime).Format("2006-01-02T15:04:05") }),
				tin("MaGiaoDich", "string", func(c xmlCtx) string { return c.inv.SaleID }),
				tin("MaMayTinhTien", "string", func(c xmlCtx) string { return c.inv.KioskID }),
			),
		),
		node("NDHDon",
			node("NBan",
				leaf("Ten", always(func(c xmlCtx) string { return c.inv.Seller.Name })),
				leaf("MST", always(func(c xmlCtx) string { return c.inv.Seller.TaxCode })),
				leaf("DChi", always(func(c xmlCtx) string { return c.inv.Seller.Address })),
			),
			node("NMua",
				leaf("Ten", text(func(c xmlCtx) string { return buyer(c.inv).Name })),
				leaf("MST", text(func(c xmlCtx) string { return buyer(c.inv).TaxCode })),
				leaf("SDThoai", text(func(c xmlCtx) string { return buyer(c.inv).Phone })),
				leaf("CCCDan", text(func(c xmlCtx) string { return buyer(c.inv).IDNo })),
				leaf("DCTDTu", text(func(c xmlCtx) string { return buyer(c.inv).Email })),
				leaf("DChi", text(func(c xmlCtx) string { return buyer(c.inv).Address })),
			),
			node("DSHHDVu", xmlEl{tag: "HHDVu", each: eachLine, kids: []xmlEl{
				leaf("TChat", always(func(c xmlCtx) string { return strconv.Itoa(c.line.Kind) })),
				leaf("STT", always(func(c xmlCtx) string { return strconv.Itoa(c.line.No) })),
				leaf("MHHDVu", text(func(c xmlCtx) string { return c.line.Code })),
				leaf("THHDVu", always(func(c xmlCtx) string { return c.line.Name })),
				leaf("DVTinh", text(func(c xmlCtx) string { return c.line.Unit })),
				leaf("SLuong", func(c xmlCtx) (string, bool) { return qty(c.line), c.line.Qty != 0 }),
				leaf("DGia", func(c xmlCtx) (string, bool) { return money(c.line.Price), c.line.Kind == LineGoods }),
				// ThTien is before VAT on a credit-method invoice, VAT included on a direct one.
				leaf("ThTien", func(c xmlCtx) (string, bool) {
					if credit(c) {
						return money(c.line.Net), c.line.Kind != LineNote
					}
					return money(c.line.Amount), c.line.Kind != LineNote
				}),
				leaf("TSuat", func(c xmlCtx) (string, bool) { return rate(c.line.VATRate), credit(c) && c.line.Kind != LineNote }),
				leaf("TThue", func(c xmlCtx) (string, bool) { return money(c.line.VAT), credit(c) && c.line.Kind != LineNote }),
				leaf("TSThue", func(c xmlCtx) (string, bool) { return money(c.line.Amount), credit(c) && c.line.Kind != LineNote }),
			}}),
			node("TToan",
				node("THTTLTSuat", xmlEl{tag: "LTSuat", each: eachRate, kids: []xmlEl{
					leaf("TSuat", always(func(c xmlCtx) string { return rate(c.vat.Rate) })),
					leaf("ThTien", always(func(c xmlCtx) string { return money(c.vat.Net) })),
					leaf("TThue", always(func(c xmlCtx) string { return money(c.vat.VAT) })),
				}}),
				leaf("TgTCThue", onCredit(func(c xmlCtx) Money { return sumVAT(c.inv, func(v InvoiceVAT) Money { return v.Net }) })),
				leaf("TgTThue", onCredit(func(c xmlCtx) Money { return sumVAT(c.inv, func(v InvoiceVAT) Money { return v.VAT }) })),
				leaf("TTCKTMai", func(c xmlCtx) (string, bool) { d := tradeDiscount(c.inv); return money(d), d != 0 }),
				leaf("TgTTTBSo", always(func(c xmlCtx) string { return money(c.inv.Total) })),
				leaf("TgTTTBChu", always(func(c xmlCtx) string { return c.inv.TotalWords })),
			),
		),
	),
	leaf("MCCQT", always(func(c xmlCtx) string { return c.inv.MCCQT })),
)

// tin is one TTin of a TTKhac: a named extra field.
func tin(name, kind string, f func(c xmlCtx) string) xmlEl {
	return xmlEl{tag: "TTin", each: func(c xmlCtx) []xmlCtx {
		if f(c) == "" {
			return nil
		}
		return []xmlCtx{c}
	}, kids: []xmlEl{
		leaf("TTruong", fixed(name)),
		leaf("KDLieu", fixed(kind)),
		leaf("DLieu", always(f)),
	}}
}

func adjusting(f func(r *InvoiceRef) string) func(c xmlCtx) (string, bool) {
	return func(c xmlCtx) (string, bool) {
		if c.inv.Adjusts == nil {
			return "", false
		}
		return f(c.inv.Adjusts), true
	}
}

func delegate(inv *Invoice) Party {
	if inv.Delegate == nil {
		return Party{}
	}
	return *inv.Delegate
}

func buyer(inv *Invoice) Buyer {
	if inv.Buyer == nil {
		return Buyer{}
	}
	return *inv.Buyer
}

func eachLine(c xmlCtx) []xmlCtx {
	out := make([]xmlCtx, len(c.inv.Lines))
	for i := range c.inv.Lines {
		out[i] = xmlCtx{inv: c.inv, line: &c.inv.Lines[i]}
	}
	return out
}

func eachRate(c xmlCtx) []xmlCtx {
	if !credit(c) {
		return nil
	}
	out := make([]xmlCtx, len(c.inv.VAT))
	for i := range c.inv.VAT {
		out[i] = xmlCtx{inv: c.inv, vat: &c.inv.VAT[i]}
	}
	return out
}

func sumVAT(inv *Invoice, f func(v InvoiceVAT) Money) Money {
	var t Money
	for _, v := range inv.VAT {
		t += f(v)
	}
	return t
}

// tradeDiscount is what the trade-discount lines take off (positive on a
// sale, negative on an adjustment that gives a discount back).
func tradeDiscount(inv *Invoice) Money {
	var d Money
	for _, l := range inv.Lines {
		if l.Kind == LineDiscount {
			d -= l.Amount
		}
	}
	return d
}

// InvoiceXML writes the invoice as Decision 1271's HDon, UTF-8, from the
// table above. Amounts are whole đồng, dates YYYY-MM-DD and the issue time
// YYYY-MM-DDThh:mm:ss in Vietnam time.
func InvoiceXML(inv Invoice) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(2048 + 400*len(inv.Lines))
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	if _, err := writeEl(enc, invoiceDoc, xmlCtx{inv: &inv}); err != nil {
		return nil, fmt.Errorf("invoice %s %d xml: %w", inv.Symbol, inv.Number, err)
	}
	if err := enc.Flush(); err != nil {
		return nil, fmt.Errorf("invoice %s %d xml: %w", inv.Symbol, inv.Number, err)
	}
	return buf.Bytes(), nil
}

// writeEl writes e (each of its repetitions) and tells whether it wrote
// anything. A container is only opened once one of its elements has
// something to write.
func writeEl(enc *xml.Encoder, e xmlEl, c xmlCtx) (bool, error) {
	ctxs := []xmlCtx{c}
	if e.each != nil {
		ctxs = e.each(c)
	}
	wrote := false
	for _, c := range ctxs {
		if e.val != nil {
			v, ok := e.val(c)
			if !ok {
				continue
			}
			if err := enc.EncodeElement(cleanXMLText(v), xml.StartElement{Name: xml.Name{Local: e.tag}}); err != nil {
				return wrote, err
			}
			wrote = true
			continue
		}
		if !hasContent(e, c) {
			continue
		}
		start := xml.StartElement{Name: xml.Name{Local: e.tag}}
		if err := enc.EncodeToken(start); err != nil {
			return wrote, err
		}
		for _, k := range e.kids {
			if _, err := writeEl(enc, k, c); err != nil {
				return wrote, err
			}
		}
		if err := enc.EncodeToken(start.End()); err != nil {
			return wrote, err
		}
		wrote = true
	}
	return wrote, nil
}

// hasContent tells whether a container has any element to write in c.
func hasContent(e xmlEl, c xmlCtx) bool {
	for _, k := range e.kids {
		ctxs := []xmlCtx{c}
		if k.each != nil {
			ctxs = k.each(c)
		}
		for _, kc := range ctxs {
			if k.val != nil {
				if _, ok := k.val(kc); ok {
					return true
				}
			} else if hasContent(k, kc) {
				return true
			}
		}
	}
	return false
}

// cleanXMLText replaces what XML 1.0 cannot carry (control characters other
// than tab and newlines) so the document stays well-formed whatever a name holds.
func cleanXMLText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return '\uFFFD'
		}
		if r == 0xFFFE || r == 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
