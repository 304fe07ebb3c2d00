package sync

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// Reports leave the hub as CSV (one table a file, UTF-8 with a BOM so that
// Excel reads Vietnamese right), as a workbook (one sheet a table) and as the
// managers' pages. All three are drawn from one table model, so a column never
// means one thing on the page and another in the file.

// reportCol is one column of a report table.
type reportCol struct {
	key   string // CSV header and workbook heading: stable, for machines
	label string // page heading, Vietnamese
	sub   string // page subtitle, English
	warn  bool   // a non-zero figure here is something to look into
}

// reportTable is one table of a report. Cells are string, int, int64, uint64,
// pos.Money or time.Time. Its rows are made from the report as they are
// written, one at a time, so that a file of a hundred thousand rows is not
// held twice (once as the report, once as its cells) on its way out.
type reportTable struct {
	name       string // ?table= of the CSV export and the sheet's name
	title, sub string
	empty      string // what the page says when there are no rows
	cols       []reportCol
	rows       iter.Seq[[]any] // nil: none
	foot       []any           // totals, on the page only: files stay one row per record
}

// eachRow calls fn with each of t's rows.
func (t reportTable) eachRow(fn func([]any) error) error {
	if t.rows == nil {
		return nil
	}
	var err error
	t.rows(func(row []any) bool {
		err = fn(row)
		return err == nil
	})
	return err
}

// rowsOf is a row for each of list, made as it is written.
func rowsOf[T any](list []T, row func(T) []any) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for _, x := range list {
			if !yield(row(x)) {
				return
			}
		}
	}
}

// perKiosk is the rows each kiosk's rows gives (false: stop), kiosk by kiosk.
func perKiosk[K any](kiosks []K, rows func(k K, yield func([]any) bool) bool) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for _, k := range kiosks {
			if !rows(k, yield) {
				return
			}
		}
	}
}

var (
	colKiosk   = reportCol{key: "kiosk_id", label: "Quầy", sub: "Kiosk"}
	colReceipt = reportCol{key: "receipt_no", label: "Biên lai", sub: "Receipt"}
	colSaleID  = reportCol{key: "sale_id", label: "Mã giao dịch", sub: "Sale id"}
	colTime    = reportCol{key: "time", label: "Thời điểm", sub: "Time"}
	colSKU     = reportCol{key: "sku", label: "Mã hàng", sub: "SKU"}
	colName    = reportCol{key: "name", label: "Sản phẩm", sub: "Product"}
)

func reconciliationTables(r Reconciliation) []reportTable {
	kiosks := reportTable{name: "kiosks", title: "Theo quầy", sub: "Per kiosk", empty: "Chưa có quầy nào · No kiosk registered",
		cols: []reportCol{colKiosk,
			{key: "sales", label: "Bán", sub: "Sales"},
			{key: "voids", label: "Hủy", sub: "Voids"},
			{key: "refunds", label: "Trả hàng", sub: "Refunds"},
			{key: "gross", label: "Doanh thu gộp", sub: "Gross"},
			{key: "voided", label: "Tiền hủy", sub: "Voided"},
			{key: "refunded", label: "Tiền trả lại", sub: "Refunded"},
			{key: "net", label: "Doanh thu thuần", sub: "Net"},
			{key: "cash", label: "Tiền mặt", sub: "Cash"},
			{key: "vietqr", label: "VietQR", sub: "Bank transfer"},
			{key: "card", label: "Thẻ", sub: "Card"},
			{key: "ewallet", label: "Ví điện tử", sub: "E-wallet"},
			{key: "other", label: "Khác", sub: "Other", warn: true},
			{key: "missing_receipts", label: "Thiếu biên lai", sub: "Missing receipts", warn: true},
			{key: "duplicate_receipts", label: "Trùng số", sub: "Duplicate receipts", warn: true},
			{key: "price_diffs", label: "Sai giá", sub: "Price differences", warn: true},
			{key: "mismatches", label: "Cần kiểm tra", sub: "Records to check", warn: true},
			{key: "unsynced", label: "Chưa gửi", sub: "Unsynced", warn: true},
			{key: "last_receipt", label: "Biên lai cuối", sub: "Last receipt"},
			{key: "last_contact", label: "Liên lạc cuối", sub: "Last contact"},
			// Last, so sheets made from the columns before keep working.
			{key: "discounts", label: "Giảm giá", sub: "Discounts"},
			{key: "promotions_saved", label: "Khuyến mại", sub: "Promotions saved"},
			{key: "no_central_price", label: "Không có giá trung tâm", sub: "Lines with no central price", warn: true},
		}}
	gaps := reportTable{name: "gaps", title: "Biên lai chưa về hoặc bị mất", sub: "Receipt-number gaps",
		empty: "Không thiếu biên lai nào · No gaps",
		cols: []reportCol{colKiosk,
			{key: "from", label: "Từ", sub: "From"},
			{key: "to", label: "Đến", sub: "To"},
			{key: "count", label: "Số biên lai", sub: "Receipts", warn: true}}}
	dupes := reportTable{name: "duplicates", title: "Số biên lai trùng", sub: "Receipt numbers held twice",
		empty: "Không có số trùng · None", cols: []reportCol{colKiosk, colReceipt}}
	diffs := reportTable{name: "price_diffs", title: "Bán khác giá trung tâm", sub: "Sold off the central price",
		empty: "Mọi dòng đúng giá · Every line at the central price",
		cols: []reportCol{colKiosk, colReceipt, colTime, colSKU, colName,
			{key: "qty", label: "SL", sub: "Qty"},
			{key: "price", label: "Giá bán", sub: "Sold at"},
			{key: "central_price", label: "Giá trung tâm", sub: "Central price"},
			{key: "difference", label: "Chênh lệch", sub: "Difference", warn: true},
			colSaleID}}
	mism := reportTable{name: "mismatches", title: "Giao dịch cần kiểm tra", sub: "Records the hub could not have produced: totals that do not add up, unknown products or payment methods, a void or refund without its sale, a reused sequence number",
		empty: "Không có · None",
		cols: []reportCol{colKiosk, colReceipt, colTime,
			{key: "kind", label: "Loại", sub: "Kind"},
			{key: "reason", label: "Lý do", sub: "Reason"},
			colSaleID}}
	units := reportTable{name: "units_sold", title: "Số lượng đã bán (đối chiếu tồn kho)", sub: "Units sold, to compare with a stock count",
		empty: "Chưa bán gì · Nothing sold",
		cols: []reportCol{colKiosk, colSKU, colName,
			{key: "sold", label: "Bán", sub: "Sold"},
			{key: "voided", label: "Hủy", sub: "Voided"},
			{key: "refunded", label: "Trả lại", sub: "Refunded"},
			{key: "units_sold", label: "Đã bán (tất cả)", sub: "Units sold, all held"},
			{key: "units_sold_day", label: "Đã bán (ngày)", sub: "Units sold, this day"},
			{key: "unit", label: "Đơn vị", sub: "Unit (g: sold by weight)"}}}
	discounts := reportTable{name: "discounts", title: "Giảm giá theo lý do", sub: "The till's discounts by reason, net of voids and refunds",
		empty: "Không giảm giá · No discounts",
		cols: []reportCol{colKiosk,
			{key: "reason", label: "Lý do", sub: "Reason"},
			{key: "count", label: "Số lần", sub: "Count"},
			{key: "amount", label: "Số tiền", sub: "Amount"}}}
	promos := reportTable{name: "promotions", title: "Khuyến mại", sub: "Promotions: lines, what they saved, who bears them",
		empty: "Không có khuyến mại · No promotions",
		cols: []reportCol{colKiosk,
			{key: "promotion_id", label: "Mã", sub: "Promotion"},
			{key: "name", label: "Tên", sub: "Name"},
			{key: "bearer", label: "Bên chịu", sub: "Borne by"},
			{key: "lines", label: "Số dòng", sub: "Lines"},
			{key: "saved", label: "Khách được giảm", sub: "Saved"}}}
	var missing, dup, nd, nm, unsynced, unchecked int64
	for _, k := range r.Kiosks {
		unchecked += int64(k.NoCentralPrice)
		missing += int64(k.MissingReceipts)
		dup += int64(len(k.DuplicateReceipts))
		nd += int64(len(k.PriceDiffs))
		nm += int64(len(k.Mismatches))
		unsynced += int64(k.Unsynced)
	}
	kiosks.rows = rowsOf(r.Kiosks, func(k KioskDay) []any {
		p := k.Payments
		return []any{k.KioskID, k.Sales, k.Voids, k.Refunds, k.Gross, k.Voided, k.Refunded, k.Net,
			p.Cash, p.VietQR, p.Card, p.Ewallet, p.Other, k.MissingReceipts, len(k.DuplicateReceipts), len(k.PriceDiffs),
			len(k.Mismatches), k.Unsynced, k.LastReceipt, k.LastContact, k.Discounts, k.PromotionsSaved, k.NoCentralPrice}
	})
	gaps.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, g := range k.Gaps {
			if !yield([]any{k.KioskID, g.From, g.To, g.Count}) {
				return false
			}
		}
		return true
	})
	dupes.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, no := range k.DuplicateReceipts {
			if !yield([]any{k.KioskID, no}) {
				return false
			}
		}
		return true
	})
	diffs.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, d := range k.PriceDiffs {
			if !yield([]any{d.KioskID, d.ReceiptNo, d.Time, d.SKU, d.Name, d.Qty, d.Price, d.CentralPrice, d.Difference, d.SaleID}) {
				return false
			}
		}
		return true
	})
	mism.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, m := range k.Mismatches {
			if !yield([]any{m.KioskID, m.ReceiptNo, m.Time, m.Kind, m.Reason, m.SaleID}) {
				return false
			}
		}
		return true
	})
	units.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, u := range k.UnitsSold {
			if !yield([]any{k.KioskID, u.SKU, u.Name, u.Sold, u.Voided, u.Refunded, u.UnitsSold, u.UnitsSoldDay, u.Unit}) {
				return false
			}
		}
		return true
	})
	discounts.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, d := range k.DiscountsByReason {
			if !yield([]any{k.KioskID, d.Reason, d.Count, d.Amount}) {
				return false
			}
		}
		return true
	})
	promos.rows = perKiosk(r.Kiosks, func(k KioskDay, yield func([]any) bool) bool {
		for _, p := range k.ByPromotion {
			if !yield([]any{k.KioskID, p.ID, p.Name, p.Bearer, p.Lines, p.Saved}) {
				return false
			}
		}
		return true
	})
	t, p := r.Totals, r.Totals.Payments
	kiosks.foot = []any{"Tổng · Total", t.Sales, t.Voids, t.Refunds, t.Gross, t.Voided, t.Refunded, t.Net,
		p.Cash, p.VietQR, p.Card, p.Ewallet, p.Other, missing, dup, nd, nm, unsynced, "", "", t.Discounts, t.PromotionsSaved, unchecked}
	// Never "every line at the central price" of lines there was no central
	// price to check against.
	if unchecked > 0 {
		diffs.empty = fmt.Sprintf("Không dòng nào khác giá trung tâm; %d dòng không có giá trung tâm để so · "+
			"No line off the central price; %d lines had no central price to check against", unchecked, unchecked)
	}
	return []reportTable{kiosks, gaps, dupes, diffs, mism, units, discounts, promos}
}

func settlementTables(s Settlement) []reportTable {
	t := reportTable{name: "settlement", title: "Quyết toán theo chủ thể", sub: "Settlement per producer",
		empty: "Không có bán hàng trong khoảng này · No sales in these days",
		cols: []reportCol{
			{key: "producer_id", label: "Mã chủ thể", sub: "Producer"},
			{key: "name", label: "Tên", sub: "Name"},
			{key: "tax_code", label: "MST", sub: "Tax code"},
			{key: "bank_account", label: "Tài khoản", sub: "Bank account"},
			{key: "lines", label: "Dòng bán", sub: "Lines"},
			{key: "units", label: "Số lượng (trừ hàng cân)", sub: "Units (goods sold by weight apart)"},
			{key: "gross", label: "Doanh thu gộp", sub: "Gross"},
			{key: "voided", label: "Hủy", sub: "Voided"},
			{key: "refunded", label: "Trả lại", sub: "Refunded"},
			{key: "net", label: "Doanh thu thuần", sub: "Net"},
			{key: "commission", label: "Hoa hồng " + strconv.Itoa(s.CommissionPercent) + " %", sub: "Commission"},
			{key: "payable", label: "Phải trả", sub: "Payable"},
			// Last, so sheets made from the columns before keep working.
			{key: "promotions", label: "Khuyến mại chủ thể chịu (đã trừ)", sub: "Promotions borne (taken off)"},
			{key: "weight_g", label: "Hàng cân (gam)", sub: "Sold by weight (grams)"},
		}}
	t.rows = rowsOf(s.Producers, func(p ProducerSettlement) []any {
		return []any{p.ProducerID, p.Name, p.TaxCode, p.BankAccount, p.Lines, p.Units, p.Gross,
			p.Voided, p.Refunded, p.Net, p.Commission, p.Payable, p.Promotions, p.WeightG}
	})
	o := s.Totals
	t.foot = []any{"Tổng · Total", "", "", "", o.Lines, o.Units, o.Gross, o.Voided, o.Refunded, o.Net, o.Commission, o.Payable, o.Promotions, o.WeightG}
	return []reportTable{t}
}

func findReportTable(ts []reportTable, name string) (reportTable, bool) {
	for _, t := range ts {
		if t.name == name {
			return t, true
		}
	}
	return reportTable{}, false
}

func reportTableNames(ts []reportTable) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return strings.Join(names, ", ")
}

// csvCell writes a value for a machine: plain integers (no thousands dots),
// times as RFC 3339 in Vietnam time. Text that a spreadsheet would take for a
// formula (a product name beginning with =) gets a leading apostrophe, by the
// same rule as the kiosk's catalog export (pos.SpreadsheetText).
func csvCell(v any) string {
	switch x := v.(type) {
	case string:
		return pos.SpreadsheetText(x)
	case pos.Money:
		return strconv.FormatInt(int64(x), 10)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(pos.VietnamTime).Format(time.RFC3339)
	default:
		return fmt.Sprint(x)
	}
}

// writeReportCSV writes one table as CSV: a UTF-8 BOM, the header row of
// column keys, one row per record.
func writeReportCSV(w io.Writer, t reportTable) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := make([]string, len(t.cols))
	for i, c := range t.cols {
		head[i] = c.key
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, 0, len(t.cols))
	err := t.eachRow(func(row []any) error {
		rec = rec[:0]
		for _, v := range row {
			rec = append(rec, csvCell(v))
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// writeReportXLSX writes tables as one workbook, a sheet each, named as the
// tables, as it goes (xlsx.go). Amounts are numbers formatted #,##0, so they
// add up in Excel; text stays text (receipt numbers and SKUs are never
// formulas in a cell of text).
func writeReportXLSX(w io.Writer, tables []reportTable) error {
	// The workbook lists its sheets before them: a table past a sheet's rows
	// takes more than one, so the rows are counted first.
	var sheets []string
	parts := make([]int, len(tables))
	for i, t := range tables {
		n := 0
		_ = t.eachRow(func([]any) error { n++; return nil })
		names := xlsxSheets(t.name, n)
		parts[i] = len(names)
		sheets = append(sheets, names...)
	}
	x, err := newXLSXStream(w, sheets)
	if err != nil {
		return err
	}
	for i, t := range tables {
		head := make([]string, len(t.cols))
		for j, c := range t.cols {
			head[j] = c.key
		}
		if err := x.sheet(head, parts[i]); err != nil {
			return err
		}
		if err := t.eachRow(x.add); err != nil {
			return err
		}
	}
	return x.close()
}

// reportPageCell writes a value for a manager: amounts as 1.250.000, times as
// 21/11/2026 14:05 in Vietnam time.
func reportPageCell(v any, col reportCol) web.ReportCell {
	c := web.ReportCell{}
	switch x := v.(type) {
	case string:
		c.Text = x
	case pos.Money:
		c.Text, c.Num, c.Warn = pos.FormatVND(x), true, col.warn && x != 0
	case time.Time:
		if !x.IsZero() {
			c.Text = x.In(pos.VietnamTime).Format("02/01/2006 15:04")
		}
	case int:
		c.Text, c.Num, c.Warn = pos.FormatVND(pos.Money(x)), true, col.warn && x != 0
	case int64:
		c.Text, c.Num, c.Warn = pos.FormatVND(pos.Money(x)), true, col.warn && x != 0
	case uint64:
		c.Text, c.Num, c.Warn = strconv.FormatUint(x, 10), true, col.warn && x != 0
	default:
		c.Text = fmt.Sprint(x)
	}
	return c
}

// reportPageTable is t as the pages show it, with its CSV link.
func reportPageTable(t reportTable, csvURL string) web.ReportTable {
	out := web.ReportTable{ID: t.name, Title: t.title, Sub: t.sub, Empty: t.empty, CSV: csvURL}
	for _, c := range t.cols {
		out.Head = append(out.Head, web.ReportHead{Label: c.label, Sub: c.sub})
	}
	_ = t.eachRow(func(row []any) error {
		cells := make([]web.ReportCell, len(row))
		for i, v := range row {
			cells[i] = reportPageCell(v, t.cols[i])
		}
		out.Rows = append(out.Rows, cells)
		return nil
	})
	if len(out.Rows) > 0 {
		for i, v := range t.foot {
			out.Foot = append(out.Foot, reportPageCell(v, t.cols[i]))
		}
	}
	return out
}

// sendReportFile answers a download: write runs after the handler returns,
// straight into the connection (chunked), so that the file is never held
// whole, as a buffer or as the response's body. The report it draws on is
// made before, so that a store's error is still an error answer; an error
// while writing (the manager's browser gone) can only be logged.
func (h *Hub) sendReportFile(c *fiber.Ctx, name, contentType string, write func(io.Writer) error) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	log := h.Log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w); err != nil {
			log.Warn("report file cut short", "file", name, "err", err)
			return
		}
		if err := w.Flush(); err != nil {
			log.Warn("report file cut short", "file", name, "err", err)
		}
	})
	return nil
}

const (
	reportCSVType  = "text/csv; charset=utf-8"
	reportXLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// reportQueryError answers a report's bad parameters as 400 bad_query; any
// other error goes to the app's error handler.
func reportQueryError(c *fiber.Ctx, err error) error {
	if errors.Is(err, ErrBadReportQuery) {
		return jsonError(c, fiber.StatusBadRequest, "bad_query", err.Error())
	}
	return err
}

func (h *Hub) reconciliationFor(c *fiber.Ctx) (Reconciliation, error) {
	now := time.Now()
	day, err := reportDateParam("day", c.Query("day"), now)
	if err != nil {
		return Reconciliation{}, err
	}
	return Reconcile(h.Store, day, now)
}

// reconciliationCSV answers GET …/reconciliation.csv?day=&table= with one
// table (kiosks unless table names another).
func (h *Hub) reconciliationCSV(c *fiber.Ctx) error {
	r, err := h.reconciliationFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	ts := reconciliationTables(r)
	name := c.Query("table", "kiosks")
	t, ok := findReportTable(ts, name)
	if !ok {
		return jsonError(c, fiber.StatusBadRequest, "bad_query", "table="+strconv.Quote(name)+", want one of "+reportTableNames(ts))
	}
	return h.sendReportFile(c, "reconciliation-"+r.Day+"-"+t.name+".csv", reportCSVType,
		func(w io.Writer) error { return writeReportCSV(w, t) })
}

// reconciliationXLSX answers GET …/reconciliation.xlsx?day= with every table
// of the day as a sheet.
func (h *Hub) reconciliationXLSX(c *fiber.Ctx) error {
	r, err := h.reconciliationFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return h.sendReportFile(c, "reconciliation-"+r.Day+".xlsx", reportXLSXType,
		func(w io.Writer) error { return writeReportXLSX(w, reconciliationTables(r)) })
}

func (h *Hub) settlementFor(c *fiber.Ctx) (Settlement, error) {
	from, to, pct, err := settlementParams(c.Query("from"), c.Query("to"), c.Query("commission"), time.Now())
	if err != nil {
		return Settlement{}, err
	}
	return Settle(h.Store, from, to, pct)
}

// settlementCSV answers GET …/settlement.csv?from=&to=&commission=.
func (h *Hub) settlementCSV(c *fiber.Ctx) error {
	s, err := h.settlementFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return h.sendReportFile(c, "settlement-"+s.From+"-"+s.To+".csv", reportCSVType,
		func(w io.Writer) error { return writeReportCSV(w, settlementTables(s)[0]) })
}

// settlementXLSX answers GET …/settlement.xlsx?from=&to=&commission=.
func (h *Hub) settlementXLSX(c *fiber.Ctx) error {
	s, err := h.settlementFor(c)
	if err != nil {
		return reportQueryError(c, err)
	}
	return h.sendReportFile(c, "settlement-"+s.From+"-"+s.To+".xlsx", reportXLSXType,
		func(w io.Writer) error { return writeReportXLSX(w, settlementTables(s)) })
}
