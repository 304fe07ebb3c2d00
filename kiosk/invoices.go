package kiosk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// The kiosk's invoices: the listing and XML for the manager, the public XML
// of an e-receipt's own invoices, and the invoicing summary (settings, the
// MCCQT counter, counts per day) the manager page and /healthz show.

// invoiceDays is how many days (today included) the invoicing summary counts.
const invoiceDays = 7

// listInvoices answers GET /api/v1/invoices: newest first, ?limit= (1–1000,
// default 100) a page, ?cursor= the next of the page before; ?symbol=,
// ?day=YYYY-MM-DD (Vietnam time) and ?state=issued|delivered|refused filter.
func (s *Server) listInvoices(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 100, 1, pos.MaxPage)
	if err != nil {
		return err
	}
	day, err := pos.ParseDate(c.Query("day"))
	if err != nil {
		return newAPIError(fiber.StatusBadRequest, "bad_query", "day: "+err.Error())
	}
	state := c.Query("state")
	switch state {
	case "", pos.InvoiceIssued, pos.InvoiceDelivered, pos.InvoiceRefused:
	default:
		return newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("state=%q: want issued, delivered or refused", state))
	}
	symbol := strings.ToUpper(c.Query("symbol"))
	if symbol != "" && !pos.ValidSymbol(symbol) {
		return newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("symbol=%q: want a symbol like C26MAA", symbol))
	}
	q := pos.InvoiceQuery{Symbol: symbol, Day: day, Limit: limit, Cursor: c.Query("cursor")}
	out := []pos.Invoice{}
	// A state filter is applied to the store's pages: read on until the page
	// is full or the invoices end, a bounded number of pages at a time.
	for range 20 {
		page, next, err := s.store.Invoices(q)
		if err != nil {
			return err
		}
		for _, inv := range page {
			if state == "" || invoiceState(inv) == state {
				out = append(out, inv)
			}
		}
		q.Cursor = next
		if next == "" || len(out) >= limit || state == "" {
			break
		}
	}
	return c.JSON(fiber.Map{"invoices": out, "next": q.Cursor})
}

// invoiceState is an invoice's delivery state, issued until the hub says
// otherwise.
func invoiceState(inv pos.Invoice) string {
	if inv.State == "" {
		return pos.InvoiceIssued
	}
	return inv.State
}

// invoiceXML answers GET /api/v1/invoices/{symbol}/{number}.xml: the
// invoice's HDon XML as a download. A delegated producer's series shares the
// kiosk's symbol: ?seller=MST picks the producer's invoice of that number
// (the booth's otherwise).
func (s *Server) invoiceXML(c *fiber.Ctx) error {
	symbol := strings.ToUpper(c.Params("symbol"))
	n, err := strconv.ParseInt(c.Params("number"), 10, 64)
	if !pos.ValidSymbol(symbol) || err != nil || n < 1 {
		return fmt.Errorf("%w: invoice %s/%s.xml: want a symbol like C26MAA and a number from 1", pos.ErrNotFound, c.Params("symbol"), c.Params("number"))
	}
	inv, err := s.store.InvoiceOf(c.Query("seller"), symbol, n)
	if err != nil {
		return err
	}
	if seller := c.Query("seller"); seller != "" && inv.Seller.TaxCode != seller {
		return fmt.Errorf("%w: invoice %s %d of seller %s", pos.ErrNotFound, symbol, n, seller)
	}
	return sendInvoiceXML(c, inv)
}

// sendInvoiceXML sends an invoice's XML with a file name that says whose
// invoice it is: {seller MST}_{form}{symbol}_{number}.xml.
func sendInvoiceXML(c *fiber.Ctx, inv pos.Invoice) error {
	data, err := pos.InvoiceXML(inv)
	if err != nil {
		return fmt.Errorf("invoice %d%s %d: %w", inv.Form, inv.Symbol, inv.Number, err)
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+invoiceFileName(inv)+`"`)
	return c.Send(data)
}

func invoiceFileName(inv pos.Invoice) string {
	return fmt.Sprintf("%s_%d%s_%d.xml", inv.Seller.TaxCode, inv.Form, inv.Symbol, inv.Number)
}

// eReceiptInvoiceXML answers GET /r/{sale id}/invoices/{key}.xml: the XML of
// one of that record's own invoices (key: its MCCQT without dashes), for the
// buyer who holds the receipt. No other invoice is reachable this way.
func (s *Server) eReceiptInvoiceXML(c *fiber.Ctx) error {
	id := c.Params("id")
	notFound := newAPIError(fiber.StatusNotFound, "not_found", "no such invoice on this receipt")
	if !pos.ValidID(id) {
		return notFound
	}
	sale, err := s.store.Sale(id)
	if errors.Is(err, pos.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	for _, inv := range sale.Invoices {
		if inv.Key() == c.Params("key") {
			return sendInvoiceXML(c, inv)
		}
	}
	return notFound
}

// invoicingView is what the manager page shows of the kiosk's invoicing.
type invoicingView struct {
	Enabled   bool               `json:"enabled"`
	Seller    pos.Party          `json:"seller"`
	TaxMethod string             `json:"tax_method,omitempty"`
	Form      int                `json:"form,omitempty"`
	Symbol    string             `json:"symbol,omitempty"` // as configured
	Current   string             `json:"current_symbol,omitempty"`
	CQTCode   string             `json:"cqt_code,omitempty"`
	Counter   pos.InvoiceCounter `json:"counter"`
	// Verified is false while the store's numbering waits for the hub:
	// invoicing then refuses (invoice_unverified).
	Verified bool         `json:"verified"`
	Days     []invoiceDay `json:"days,omitempty"`
}

// invoiceDay counts a day's invoices by delivery state. Late are those not
// delivered by the end of their day (Vietnam time), once it is over.
type invoiceDay struct {
	Day       string `json:"day"`
	Issued    int    `json:"issued"`
	Delivered int    `json:"delivered"`
	Refused   int    `json:"refused"`
	Late      int    `json:"late"`
}

// invoicing answers GET /api/v1/invoicing: the settings the flags gave, the
// counter's numbers used and left (warn when running out), whether the
// numbering is verified, and the last invoiceDays days' counts.
func (s *Server) invoicing(c *fiber.Ctx) error {
	st := s.store.Invoicing()
	v := invoicingView{Enabled: st.Enabled()}
	if !v.Enabled {
		return c.JSON(v)
	}
	now := time.Now()
	v.Seller, v.TaxMethod, v.Form, v.Symbol, v.CQTCode = st.Seller, st.TaxMethod, st.Form, st.Symbol, st.CQTCode
	v.Current = pos.SymbolFor(st.Symbol, now)
	var err error
	if v.Counter, err = s.store.InvoiceCounter(); err != nil {
		return err
	}
	num, err := s.store.Numbering()
	if err != nil {
		return err
	}
	v.Verified = num.Verified
	today := pos.DateOf(now.In(pos.VietnamTime))
	counted, err := s.store.InvoiceDays(pos.DateOf(today.Time().AddDate(0, 0, 1-invoiceDays)), today)
	if err != nil {
		return err
	}
	byDay := map[pos.Date]pos.InvoiceDay{}
	for _, d := range counted {
		byDay[d.Day] = d
	}
	for i := range invoiceDays {
		day := pos.DateOf(today.Time().AddDate(0, 0, -i))
		d := byDay[day]
		out := invoiceDay{Day: day.String(), Issued: d.Issued, Delivered: d.Delivered, Refused: d.Refused}
		if day != today {
			out.Late = d.Issued - d.Delivered - d.Refused
		}
		v.Days = append(v.Days, out)
	}
	return c.JSON(v)
}

// invoiceHealth is what /healthz says of invoicing: nothing while it is
// off; the counter's numbers left, "low" when running out (fewer than 5 %
// or 10,000), "full" when used up (sales are refused), "unverified" while
// the store waits for the hub.
func (s *Server) invoiceHealth() (map[string]any, bool) {
	if !s.store.Invoicing().Enabled() {
		return nil, true
	}
	out := map[string]any{"state": "ok"}
	ctr, err := s.store.InvoiceCounter()
	if err != nil {
		out["state"] = "error"
		return out, false
	}
	out["left"], out["used"] = ctr.Left, ctr.Used
	num, err := s.store.Numbering()
	switch {
	case ctr.Block.IsZero():
		out["state"] = "no_block"
		return out, false
	case ctr.Left == 0:
		out["state"] = "full"
		return out, false
	case err == nil && !num.Verified:
		out["state"] = "unverified"
		return out, false
	case ctr.Warn:
		out["state"] = "low"
	}
	return out, true
}

// receiptInvoices is what the paper prints of a record's invoices, in lang:
// each one's form, symbol, number and MCCQT, the producer it was issued for
// when that is not the booth (boothMST), the original an adjustment names,
// the total in words and the note; and the buyer block when one was asked for.
func receiptInvoices(sale pos.Sale, lang, boothMST string) ([]printer.ReceiptInvoice, *printer.InvoiceBuyer) {
	var out []printer.ReceiptInvoice
	var buyer *printer.InvoiceBuyer
	for _, inv := range sale.Invoices {
		ri := printer.ReceiptInvoice{Form: inv.Form, Symbol: inv.Symbol, Number: inv.Number, MCCQT: inv.MCCQT,
			Issued: inv.Issued, Total: inv.Total, TotalWords: inv.TotalWords, Note: inv.Note}
		if inv.Delegate != nil || inv.Seller.TaxCode != boothMST {
			ri.Seller = &printer.Seller{Name: inv.Seller.Name, TaxCode: inv.Seller.TaxCode, Address: inv.Seller.Address}
		}
		if a := inv.Adjusts; a != nil {
			ri.Adjusts = printer.InvoiceRef(lang, a.Form, a.Symbol, a.Number, a.Issued)
		}
		if b := inv.Buyer; b != nil && buyer == nil {
			buyer = &printer.InvoiceBuyer{Name: b.Name, TaxCode: b.TaxCode, IDNo: b.IDNo, Phone: b.Phone, Address: b.Address, Email: b.Email}
		}
		out = append(out, ri)
	}
	return out, buyer
}

// saleAnswer is a record as the API and the screens answer it: the record,
// and beside its `invoices` the `invoice` integrators read — the record's
// first invoice (the booth's own, or its only seller's; a consignment cart's
// others are in `invoices`). Absent when the record has none.
type saleAnswer struct {
	pos.Sale
	Invoice *pos.Invoice `json:"invoice,omitempty"`
}

func answerSale(s pos.Sale) saleAnswer {
	a := saleAnswer{Sale: s}
	if len(s.Invoices) > 0 {
		a.Invoice = &s.Invoices[0]
	}
	return a
}
