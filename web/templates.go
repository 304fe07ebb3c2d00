package web

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the server-rendered public pages: readable with no JavaScript, small,
// in Vietnamese or English.
var pages = template.Must(template.New("").ParseFS(templateFS, "templates/*.html"))

// TracePage is what a trace page shows (GS1 Digital Link paths on kiosk and hub).
type TracePage struct {
	Lang       string // "vi" or "en"
	SwitchURL  string // the same page in the other language
	T          map[string]string
	Title      string
	Name       string
	NameOther  string
	Group      string
	Stars      int
	StarsText  string
	CertNo     string
	CertExpiry string
	CertValid  bool
	Unit       string
	Price      string
	Image      string // the product's picture (/img/…), or "" for none
	Story      string
	Producer   TraceProducer
	Notice     string // e.g. the lot asked for is not known
	Lot        *TraceLot
	Lots       []TraceLotLink
	Scan       *TraceScan
	Link       string // the canonical Digital Link
	Sellable   string // data-sellable on the body: "1", "0", or "" (not said)
}

// TraceProducer is the producer card.
type TraceProducer struct {
	Name, Kind, Commune, Province, Address, Phone string
}

// TraceLot is one lot with its history.
type TraceLot struct {
	Code, Produced, Packed, Expires, Origin string
	Certifications                          []string
	Events                                  []TraceEvent
}

// TraceEvent is one step of the timeline.
type TraceEvent struct {
	When, What, Where, Who, Why string
}

// TraceLotLink lists a product's lots on its page.
type TraceLotLink struct{ Code, URL, Expires string }

// TraceScan is what a trace page says of a serialised label: its scans, or
// that the kiosk never issued it, or (on the hub) that it cannot be checked.
type TraceScan struct {
	Serial     string
	First      string
	Count      int64
	Spread     string // "on N days, from M different networks"
	Suspicious bool
	Unissued   bool // not a label this kiosk printed
	Unchecked  bool // this server cannot tell (the hub)
}

// ReceiptPage is the e-receipt a receipt's QR opens, laid out as the paper
// receipt: lines at their worth with what was taken off each under it, the
// subtotal and the sale's own discount when it has one, the total and
// everything taken off.
type ReceiptPage struct {
	Lang, SwitchURL string
	T               map[string]string
	Seller          string
	TaxCode         string
	Address         string
	ReceiptNo       string
	Till            string
	Cashier         string // who sold, when the sale names a cashier
	Time            string
	Kind            string
	Status          string
	Lines           []ReceiptLine
	Subtotal        string      // with a discount on the whole sale: the lines after their own
	SaleDiscount    *ReceiptOff // the sale's own discount, or nil
	Total           string
	Saved           string // everything discounts and promotions took off, or ""
	VAT             []ReceiptVAT
	Payments        []ReceiptPayment
	Change          string
	// Invoices are the MTT invoices the record issued (none while the
	// kiosk's invoicing is off), each with the link to its XML.
	Invoices []InvoiceView
}

// InvoiceView is an MTT invoice on the e-receipt page: its title and
// numbers, the seller (and the booth that issued it for a producer), the
// buyer who asked, its lines by type, VAT as the seller's method shows it,
// the total in figures and words, the note, the original an adjustment
// names, and where its XML downloads.
type InvoiceView struct {
	Title, Symbol, Number, MCCQT, Issued string
	Adjustment                           bool
	Adjusts                              string // the original: "2C26MAA số 12 ngày 23/11/2026, MCCQT …"
	Seller, Delegate                     *InvoiceParty
	Buyer                                []InvoiceField
	Credit                               bool // VAT shown per line and rate (credit method)
	Lines                                []InvoiceLineView
	VAT                                  []InvoiceVATView
	Total, TotalWords, Note, XML         string
}

// InvoiceParty is a seller's (or the delegate's) name, MST and address.
type InvoiceParty struct{ Name, TaxCode, Address string }

// InvoiceField is one field of the buyer block, labelled.
type InvoiceField struct{ Label, Value string }

// InvoiceLineView is one invoice line: its type (goods, promotion, trade
// discount, note), name, unit, quantity and price, and its amount; for a
// credit-method seller also before VAT, the rate and the VAT.
type InvoiceLineView struct {
	Kind, Name, Unit, Qty, Price, Amount string
	Detail                               string // credit method: before VAT, rate, VAT
}

// InvoiceVATView is an invoice's sums at one rate.
type InvoiceVATView struct{ Rate, Net, VAT, Gross string }

// ReceiptLine is one line of an e-receipt: its name, how many (or how much) at
// what price, its worth before anything was taken off (Gross), and what was
// (Off). A free unit a promotion gave is a line of its own (Free).
type ReceiptLine struct {
	Name, Amounts, Gross string
	Free                 bool
	Off                  []ReceiptOff
	Serials              string // the serials scanned into the line, "" for none
}

// ReceiptOff is money taken off: a promotion or a discount and its reason,
// and the amount ("" for the promotion a free unit came with).
type ReceiptOff struct{ Label, Amount string }

// ReceiptVAT is the VAT contained at one rate.
type ReceiptVAT struct{ Rate, VAT string }

// ReceiptPayment is one payment: the amount applied and, for cash, what the
// customer handed over; a transfer's reference.
type ReceiptPayment struct{ Method, Amount, Tendered, Reference string }

// NotFoundPage is the public 404 (an unknown GTIN, an unknown receipt).
type NotFoundPage struct {
	Lang    string
	T       map[string]string
	Message string
}

// RenderTrace writes a trace page.
func RenderTrace(w io.Writer, p TracePage) error { return pages.ExecuteTemplate(w, "trace.html", p) }

// RenderReceipt writes an e-receipt page.
func RenderReceipt(w io.Writer, p ReceiptPage) error {
	return pages.ExecuteTemplate(w, "receipt.html", p)
}

// RenderNotFound writes the public not-found page.
func RenderNotFound(w io.Writer, p NotFoundPage) error {
	return pages.ExecuteTemplate(w, "notfound.html", p)
}
