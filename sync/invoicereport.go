package sync

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// The managers' view of invoice delivery, per kiosk and day (Vietnam time):
// issued, delivered, refused (with the provider's reason), waiting and late.
// An invoice is late when it was not delivered by the end of the day it was
// issued (00:00 of the next day, Vietnam time): delivered after that, or
// still waiting then. A refused invoice is counted as refused, not late: it
// needs a person, not time.

// InvoiceDay is the invoices of one day.
type InvoiceDay struct {
	Day       string             `json:"day"`
	Complete  bool               `json:"complete"` // the day is over
	Kiosks    []KioskInvoices    `json:"kiosks"`
	Totals    InvoiceCounts      `json:"totals"`
	Streams   []InvoiceStreamRow `json:"streams"`
	Generated time.Time          `json:"generated"`
}

// InvoiceCounts are the counts of a kiosk's (or all kiosks') invoices.
type InvoiceCounts struct {
	Issued    int `json:"issued"`
	Delivered int `json:"delivered"`
	Refused   int `json:"refused"`
	Waiting   int `json:"waiting"`
	Late      int `json:"late"`
}

// KioskInvoices is one kiosk's invoices of the day.
type KioskInvoices struct {
	Kiosk string `json:"kiosk_id"`
	InvoiceCounts
	RefusedList []InvoiceRow `json:"refused_list"`
	LateList    []InvoiceRow `json:"late_list"`
}

// InvoiceRow names one invoice in a list.
type InvoiceRow struct {
	Kiosk     string    `json:"kiosk_id"`
	Seller    string    `json:"seller"`
	Form      int       `json:"form"`
	Symbol    string    `json:"symbol"`
	Number    int64     `json:"number"`
	MCCQT     string    `json:"mccqt"`
	Issued    time.Time `json:"issued"`
	Total     pos.Money `json:"total"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	Delivered time.Time `json:"delivered,omitzero"`
	SaleID    string    `json:"sale_id"`
}

// InvoiceStreamRow is where one series' delivery stands.
type InvoiceStreamRow struct {
	InvoiceStream
	Waiting string `json:"waiting,omitempty"`
}

// InvoiceReport gathers the invoices issued on day (its start in Vietnam
// time) as they stand at now.
func InvoiceReport(st InvoiceStore, day, now time.Time) (InvoiceDay, error) {
	start, end := reportDay(day)
	r := InvoiceDay{Day: start.Format(time.DateOnly), Complete: !now.Before(end), Generated: now}
	per := map[string]*KioskInvoices{}
	err := st.HubInvoices(func(hi HubInvoice) error {
		if hi.Invoice.Issued.Before(start) || !hi.Invoice.Issued.Before(end) {
			return nil
		}
		k := per[hi.Kiosk]
		if k == nil {
			k = &KioskInvoices{Kiosk: hi.Kiosk, RefusedList: []InvoiceRow{}, LateList: []InvoiceRow{}}
			per[hi.Kiosk] = k
		}
		row := invoiceRow(hi)
		k.Issued++
		switch hi.State {
		case pos.InvoiceDelivered:
			k.Delivered++
			if !hi.At.Before(end) {
				k.Late++
				k.LateList = append(k.LateList, row)
			}
		case pos.InvoiceRefused:
			k.Refused++
			k.RefusedList = append(k.RefusedList, row)
		default:
			k.Waiting++
			if !now.Before(end) {
				k.Late++
				k.LateList = append(k.LateList, row)
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Kiosks = []KioskInvoices{}
	for _, k := range per {
		r.Kiosks = append(r.Kiosks, *k)
		r.Totals.Issued += k.Issued
		r.Totals.Delivered += k.Delivered
		r.Totals.Refused += k.Refused
		r.Totals.Waiting += k.Waiting
		r.Totals.Late += k.Late
	}
	sort.Slice(r.Kiosks, func(i, j int) bool { return r.Kiosks[i].Kiosk < r.Kiosks[j].Kiosk })
	streams, err := st.Streams()
	if err != nil {
		return r, err
	}
	r.Streams = []InvoiceStreamRow{}
	for _, s := range streams {
		r.Streams = append(r.Streams, InvoiceStreamRow{InvoiceStream: s, Waiting: s.waiting()})
	}
	return r, nil
}

func invoiceRow(hi HubInvoice) InvoiceRow {
	inv := hi.Invoice
	row := InvoiceRow{Kiosk: hi.Kiosk, Seller: inv.Seller.TaxCode, Form: inv.Form, Symbol: inv.Symbol, Number: inv.Number,
		MCCQT: inv.MCCQT, Issued: inv.Issued, Total: inv.Total, State: hi.State, Reason: hi.Reason, SaleID: inv.SaleID}
	if hi.State == pos.InvoiceDelivered {
		row.Delivered = hi.At
	}
	return row
}

// invoiceRoutes registers the sellers' provider settings and the delivery
// report (admin token), and the report as CSV for the pages' sessions.
func (h *Hub) invoiceRoutes(app fiber.Router, admin fiber.Router) {
	admin.Get("/einvoice/sellers", h.listSellers)
	admin.Put("/einvoice/sellers/:mst", h.putSeller)
	admin.Delete("/einvoice/sellers/:mst", h.deleteSeller)
	admin.Get("/einvoice", h.invoiceDay)
	admin.Get("/einvoice.csv", h.invoiceCSV)
	app.Get("/reports/einvoice.csv", h.reportAuth, h.invoiceCSV)
}

func (h *Hub) invoiceStore(c *fiber.Ctx) (InvoiceStore, error) {
	st, ok := h.Store.(InvoiceStore)
	if !ok {
		return nil, jsonError(c, fiber.StatusNotImplemented, "no_invoicing", "this hub's store does not deliver invoices")
	}
	return st, nil
}

// listSellers answers the sellers' provider settings without their secrets,
// the hub's default, and where each series' delivery stands.
func (h *Hub) listSellers(c *fiber.Ctx) error {
	st, err := h.invoiceStore(c)
	if st == nil {
		return err
	}
	sellers, err := st.Sellers()
	if err != nil {
		return err
	}
	type view struct {
		MST      string            `json:"mst"`
		Settings einvoice.Settings `json:"settings"`
	}
	out := []view{}
	for mst, s := range sellers {
		out = append(out, view{mst, s.Redacted()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MST < out[j].MST })
	streams, err := st.Streams()
	if err != nil {
		return err
	}
	rows := []InvoiceStreamRow{}
	for _, s := range streams {
		rows = append(rows, InvoiceStreamRow{InvoiceStream: s, Waiting: s.waiting()})
	}
	var def *einvoice.Settings
	if h.Delivery != nil && h.Delivery.Default.Provider != "" {
		d := h.Delivery.Default.Redacted()
		def = &d
	}
	return c.JSON(fiber.Map{"sellers": out, "default": def, "streams": rows})
}

// putSeller keeps a seller's provider settings: PUT
// /api/v1/einvoice/sellers/{mst} {"provider":"vnpt","url","account","acpass","username","password","timeout"?}.
func (h *Hub) putSeller(c *fiber.Ctx) error {
	st, err := h.invoiceStore(c)
	if st == nil {
		return err
	}
	mst := c.Params("mst")
	if err := pos.ValidMST(mst); err != nil {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_tax_code", fmt.Sprintf("seller %q: %v", mst, err))
	}
	var set einvoice.Settings
	if err := decodeBody(c, &set); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
	}
	if err := set.Validate(); err != nil {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_einvoice_settings", err.Error())
	}
	if err := st.PutSellerSettings(mst, set); err != nil {
		return err
	}
	h.Log.Info("e-invoice provider set", "seller", mst, "provider", set.Provider, "url", set.URL)
	if h.Delivery != nil {
		h.Delivery.Wake()
	}
	return c.JSON(fiber.Map{"mst": mst, "settings": set.Redacted()})
}

func (h *Hub) deleteSeller(c *fiber.Ctx) error {
	st, err := h.invoiceStore(c)
	if st == nil {
		return err
	}
	if err := st.DeleteSellerSettings(c.Params("mst")); err != nil {
		if errors.Is(err, ErrUnknownSeller) {
			return jsonError(c, fiber.StatusNotFound, "unknown_seller", err.Error())
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *Hub) invoiceReportFor(c *fiber.Ctx) (InvoiceDay, error) {
	st, ok := h.Store.(InvoiceStore)
	if !ok {
		return InvoiceDay{}, errors.New("this hub's store does not deliver invoices")
	}
	now := time.Now()
	day, err := reportDateParam("day", c.Query("day"), now)
	if err != nil {
		return InvoiceDay{}, err
	}
	return InvoiceReport(st, day, now)
}

// invoiceDay answers GET /api/v1/einvoice?day=YYYY-MM-DD (default today).
func (h *Hub) invoiceDay(c *fiber.Ctx) error {
	r, err := h.invoiceReportFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return c.JSON(r)
}

// invoiceCSV answers the day as CSV (UTF-8 with a BOM): ?table=kiosks (the
// counts per kiosk, the default), refused or late (one row an invoice).
func (h *Hub) invoiceCSV(c *fiber.Ctx) error {
	r, err := h.invoiceReportFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	table := c.Query("table", "kiosks")
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(pos.VietnamTime).Format("2006-01-02 15:04:05")
	}
	rows := func(pick func(KioskInvoices) []InvoiceRow) {
		_ = w.Write([]string{"kiosk_id", "seller", "form", "symbol", "number", "mccqt", "issued", "total", "state", "reason", "delivered", "sale_id"})
		for _, k := range r.Kiosks {
			for _, x := range pick(k) {
				_ = w.Write([]string{x.Kiosk, x.Seller, strconv.Itoa(x.Form), x.Symbol, strconv.FormatInt(x.Number, 10), x.MCCQT,
					stamp(x.Issued), strconv.FormatInt(int64(x.Total), 10), x.State, x.Reason, stamp(x.Delivered), x.SaleID})
			}
		}
	}
	switch table {
	case "kiosks":
		_ = w.Write([]string{"kiosk_id", "issued", "delivered", "refused", "waiting", "late"})
		for _, k := range r.Kiosks {
			_ = w.Write([]string{k.Kiosk, strconv.Itoa(k.Issued), strconv.Itoa(k.Delivered), strconv.Itoa(k.Refused), strconv.Itoa(k.Waiting), strconv.Itoa(k.Late)})
		}
	case "refused":
		rows(func(k KioskInvoices) []InvoiceRow { return k.RefusedList })
	case "late":
		rows(func(k KioskInvoices) []InvoiceRow { return k.LateList })
	default:
		return jsonError(c, fiber.StatusBadRequest, "bad_query", "table: kiosks, refused or late")
	}
	w.Flush()
	name := "einvoice-" + r.Day + "-" + table + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+url.PathEscape(name)+`"`)
	return c.Send(buf.Bytes())
}

// invoiceBlockParam reads an optional block of a registration ("" none).
func invoiceBlockParam(s string) (pos.InvoiceBlock, error) {
	if strings.TrimSpace(s) == "" {
		return pos.InvoiceBlock{}, nil
	}
	return pos.ParseInvoiceBlock(s)
}
