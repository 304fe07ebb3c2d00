package printer

import (
	"fmt"
	"strings"

	"github.com/ocop-kiosk/kiosk/pos"
)

// ShiftReport is what a shift's Z-report (or an open shift's X-report) prints:
// the store's report, the seller heading it, producers' names, and what the
// shift gave away.
type ShiftReport struct {
	pos.ZReport
	Seller        Seller
	ProducerNames map[string]string // producer id → name
	// Discounts and Promotions are what the shift took off sales: discounts
	// given at the till by reason, promotions by name. Empty: the section is
	// left out.
	Discounts  []ZRow
	Promotions []ZRow
}

// ZRow is one row of a Z-report breakdown: a label, how many times, the đồng.
type ZRow struct {
	Label  string
	Count  int
	Amount pos.Money
}

// WriteZReport lays out a shift's Z-report (or an X-report of an open shift):
// counts, totals by payment method, by VAT rate, by producer and by cashier, the discounts
// and promotions given, and the cash expected against the cash counted. At 32
// columns a label too long for its line wraps and its amount stays whole,
// flush right, on the label's last line.
func WriteZReport(e *Encoder, r ShiftReport) {
	z := r.ZReport
	w := wordsFor(LangVI)
	e.Init()
	cols := e.Columns()
	rule := strings.Repeat("-", cols)
	e.SetAlign(AlignCenter).Bold(true)
	for _, l := range Wrap(r.Seller.Name, cols) {
		e.Line(l)
	}
	title := "BÁO CÁO CA (X) / SHIFT REPORT"
	if z.Closed {
		title = "BÁO CÁO CUỐI CA (Z) / Z-REPORT"
	}
	for _, l := range Wrap(title, cols) {
		e.Line(l)
	}
	e.Bold(false).SetAlign(AlignLeft)
	e.Columns2("Ca: "+z.Shift.ID, z.Shift.OpenedAt.In(pos.VietnamTime).Format("02/01/2006 15:04"))
	if z.Shift.ClosedAt != nil {
		e.Columns2("Đóng ca", z.Shift.ClosedAt.In(pos.VietnamTime).Format("02/01/2006 15:04"))
	}
	if z.FirstReceipt != "" {
		// One number a row: two receipt numbers and an ellipsis overflow 32
		// columns once a kiosk id is long.
		e.Columns2("Từ phiếu", z.FirstReceipt)
		e.Columns2("Đến phiếu", z.LastReceipt)
	}
	e.Line(rule)
	e.Columns2(fmt.Sprintf("Bán hàng (%d)", z.Sales), money(z.Gross))
	e.Columns2(fmt.Sprintf("Huỷ (%d)", z.Voids), money(z.VoidTotal))
	e.Columns2(fmt.Sprintf("Hoàn tiền (%d)", z.Refunds), money(z.RefundTotal))
	e.Bold(true).Columns2("DOANH THU THUẦN", money(z.Net)).Bold(false)
	if len(r.Discounts) > 0 || len(r.Promotions) > 0 {
		e.Line(rule)
		writeZRows(e, "Giảm giá theo lý do:", r.Discounts)
		writeZRows(e, "Khuyến mãi:", r.Promotions)
	}
	e.Line(rule)
	e.Line("Theo hình thức thanh toán:")
	for _, m := range pos.Methods {
		if v, ok := z.ByMethod[m]; ok {
			e.Columns2("  "+w.method(m), money(v))
		}
	}
	e.Line("Thuế GTGT (đã gồm trong giá):")
	for _, v := range z.ByVAT {
		e.Columns2(fmt.Sprintf("  %d%% trên %s", v.Rate, money(v.Gross)), money(v.VAT))
	}
	e.Line("Theo nhà sản xuất:")
	for _, p := range z.ByProducer {
		name := r.ProducerNames[p.ProducerID]
		if name == "" {
			name = p.ProducerID
		}
		e.Columns2(fmt.Sprintf("  %s (%d)", name, p.Units), money(p.Net))
	}
	if len(z.ByCashier) > 0 {
		e.Line("Theo thu ngân (số đơn, tiền mặt):")
		for _, c := range z.ByCashier {
			name := c.Name
			if name == "" {
				name = c.ID
			}
			e.Columns2(fmt.Sprintf("  %s (%d)", name, c.Sales), money(c.Net))
			e.Columns2("    tiền mặt", money(c.Cash))
		}
	}
	e.Line(rule)
	e.Columns2("Tiền đầu ca", money(z.Shift.Float))
	e.Columns2("Tiền mặt phải có", money(z.ExpectedCash))
	if z.Closed {
		e.Columns2("Tiền mặt đếm được", money(z.CountedCash))
		e.Bold(true).Columns2("Chênh lệch", money(z.CashDifference)).Bold(false)
	}
	e.Feed(1)
	e.Cut()
}

// writeZRows prints a heading and its rows, "  label (count)   -amount", with
// the total of the amounts; nothing when there are no rows.
func writeZRows(e *Encoder, heading string, rows []ZRow) {
	if len(rows) == 0 {
		return
	}
	e.Line(heading)
	var sum pos.Money
	for _, row := range rows {
		e.Columns2(fmt.Sprintf("  %s (%d)", row.Label, row.Count), money(-row.Amount))
		sum += row.Amount
	}
	e.Columns2("  Cộng", money(-sum))
}
