package sync

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
	"github.com/ocop-kiosk/kiosk/web"
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
	err := st.InvoicesIssuedBetween(start, end, func(hi HubInvoice) error {
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
		// Series by series in number order, whatever order the store reads
		// the day in.
		sortInvoiceRows(k.RefusedList)
		sortInvoiceRows(k.LateList)
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

func sortInvoiceRows(rows []InvoiceRow) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := streamKey(rows[i].Seller, rows[i].Form, rows[i].Symbol), streamKey(rows[j].Seller, rows[j].Form, rows[j].Symbol)
		if a != b {
			return a < b
		}
		return rows[i].Number < rows[j].Number
	})
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
	admin.Get("/einvoice.xlsx", h.invoiceXLSX)
	app.Get("/reports/einvoice.csv", h.reportAuth, h.invoiceCSV)
	app.Get("/reports/einvoice.xlsx", h.reportAuth, h.invoiceXLSX)
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
// counts per kiosk, the default), refused, late (one row an invoice) or
// streams (where each series' delivery stands).
func (h *Hub) invoiceCSV(c *fiber.Ctx) error {
	r, err := h.invoiceReportFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	ts := invoiceTables(r)
	name := c.Query("table", "kiosks")
	t, ok := findReportTable(ts, name)
	if !ok {
		return jsonError(c, fiber.StatusBadRequest, "bad_query", "table="+strconv.Quote(name)+", want one of "+reportTableNames(ts))
	}
	return h.sendReportFile(c, "einvoice-"+r.Day+"-"+t.name+".csv", reportCSVType,
		func(w io.Writer) error { return writeReportCSV(w, t) })
}

// invoiceXLSX answers the day's tables as one workbook.
func (h *Hub) invoiceXLSX(c *fiber.Ctx) error {
	r, err := h.invoiceReportFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return h.sendReportFile(c, "einvoice-"+r.Day+".xlsx", reportXLSXType,
		func(w io.Writer) error { return writeReportXLSX(w, invoiceTables(r)) })
}

// invoiceTables is the day's invoices as the report's tables: the CSV, the
// workbook and the reconciliation page draw on them alike.
func invoiceTables(r InvoiceDay) []reportTable {
	colSeller := reportCol{key: "seller", label: "Người bán (MST)", sub: "Seller"}
	colSeries := reportCol{key: "series", label: "Ký hiệu", sub: "Form and symbol"}
	colNumber := reportCol{key: "number", label: "Số", sub: "Number"}
	colMCCQT := reportCol{key: "mccqt", label: "Mã CQT", sub: "MCCQT"}
	colIssued := reportCol{key: "issued", label: "Lập lúc", sub: "Issued"}
	colTotal := reportCol{key: "total", label: "Tổng tiền", sub: "Total"}
	kiosks := reportTable{name: "kiosks", title: "Hóa đơn điện tử theo quầy", sub: "E-invoices per kiosk",
		empty: "Không có hóa đơn nào lập trong ngày · No invoice issued that day",
		cols: []reportCol{colKiosk,
			{key: "issued", label: "Đã lập", sub: "Issued"},
			{key: "delivered", label: "Đã gửi CQT", sub: "Delivered"},
			{key: "refused", label: "Bị từ chối", sub: "Refused", warn: true},
			{key: "waiting", label: "Đang chờ", sub: "Waiting"},
			{key: "late", label: "Trễ", sub: "Late", warn: true},
		}}
	refused := reportTable{name: "refused", title: "Hóa đơn bị nhà cung cấp từ chối", sub: "Invoices the provider refused",
		empty: "Không có hóa đơn bị từ chối · None refused",
		cols: []reportCol{colKiosk, colSeller, colSeries, colNumber, colMCCQT, colIssued, colTotal,
			{key: "reason", label: "Lý do", sub: "The provider's reason"}, colSaleID}}
	late := reportTable{name: "late", title: "Hóa đơn chưa gửi trong ngày lập", sub: "Late: not delivered by the end of their day",
		empty: "Không có hóa đơn trễ · None late",
		cols: []reportCol{colKiosk, colSeller, colSeries, colNumber, colMCCQT, colIssued, colTotal,
			{key: "state", label: "Trạng thái", sub: "State"}, {key: "delivered", label: "Gửi lúc", sub: "Delivered"}, colSaleID}}
	kiosks.rows = rowsOf(r.Kiosks, func(k KioskInvoices) []any {
		return []any{k.Kiosk, k.Issued, k.Delivered, k.Refused, k.Waiting, k.Late}
	})
	refused.rows = perKiosk(r.Kiosks, func(k KioskInvoices, yield func([]any) bool) bool {
		for _, x := range k.RefusedList {
			if !yield([]any{x.Kiosk, x.Seller, strconv.Itoa(x.Form) + x.Symbol, strconv.FormatInt(x.Number, 10),
				x.MCCQT, x.Issued, x.Total, x.Reason, x.SaleID}) {
				return false
			}
		}
		return true
	})
	late.rows = perKiosk(r.Kiosks, func(k KioskInvoices, yield func([]any) bool) bool {
		for _, x := range k.LateList {
			if !yield([]any{x.Kiosk, x.Seller, strconv.Itoa(x.Form) + x.Symbol, strconv.FormatInt(x.Number, 10),
				x.MCCQT, x.Issued, x.Total, x.State, x.Delivered, x.SaleID}) {
				return false
			}
		}
		return true
	})
	t := r.Totals
	kiosks.foot = []any{"Tổng · Total", t.Issued, t.Delivered, t.Refused, t.Waiting, t.Late}
	streams := reportTable{name: "streams", title: "Gửi theo ký hiệu", sub: "Delivery per series, now",
		empty: "Chưa có ký hiệu nào · No series yet",
		cols: []reportCol{colSeller, colSeries, colKiosk,
			{key: "next", label: "Số chờ gửi", sub: "Next number"},
			{key: "delivered", label: "Đã gửi", sub: "Delivered"},
			{key: "refused", label: "Bị từ chối", sub: "Refused", warn: true},
			{key: "waiting", label: "Đang chờ", sub: "Waiting"},
			{key: "last_error", label: "Lỗi gần nhất", sub: "Last problem"},
			{key: "last_try", label: "Lần thử cuối", sub: "Last try"}}}
	streams.rows = rowsOf(r.Streams, func(s InvoiceStreamRow) []any {
		return []any{s.Seller, strconv.Itoa(s.Form) + s.Symbol, s.Kiosk, strconv.FormatInt(s.Next, 10),
			s.Delivered, s.Refused, s.Waiting, s.LastError, s.LastTry}
	})
	return []reportTable{kiosks, refused, late, streams}
}

// invoicePageTables are the day's invoice tables for the reconciliation page,
// and its headline figure; none on a hub that has had no invoice.
func (h *Hub) invoicePageTables(day, now time.Time) ([]web.ReportTable, []web.ReportStat, error) {
	st, ok := h.Store.(InvoiceStore)
	if !ok {
		return nil, nil, nil
	}
	r, err := InvoiceReport(st, day, now)
	if err != nil || len(r.Streams) == 0 {
		return nil, nil, err
	}
	var tables []web.ReportTable
	for _, t := range invoiceTables(r) {
		q := url.Values{"day": {r.Day}, "table": {t.name}}
		t.name = "einvoice-" + t.name // the page's anchors, beside the reconciliation's
		tables = append(tables, reportPageTable(t, "/reports/einvoice.csv?"+q.Encode()))
	}
	t := r.Totals
	stats := []web.ReportStat{
		{Label: "Hóa đơn đã lập / đã gửi", Sub: "Invoices issued / delivered", Value: strconv.Itoa(t.Issued) + " / " + strconv.Itoa(t.Delivered)},
		{Label: "Hóa đơn bị từ chối / trễ", Sub: "Invoices refused / late", Value: strconv.Itoa(t.Refused) + " / " + strconv.Itoa(t.Late), Warn: t.Refused+t.Late > 0},
	}
	return tables, stats, nil
}

// invoiceBlockParam reads an optional block of a registration ("" none).
func invoiceBlockParam(s string) (pos.InvoiceBlock, error) {
	if strings.TrimSpace(s) == "" {
		return pos.InvoiceBlock{}, nil
	}
	return pos.ParseInvoiceBlock(s)
}
