package printer

import (
	"fmt"
	"strings"

	"github.com/ocop-kiosk/kiosk/pos"
)

// WriteZReport lays out a shift's Z-report (or an X-report of an open shift):
// counts, totals by payment method, by VAT rate and by producer, and the cash
// expected against the cash counted.
func WriteZReport(e *Encoder, z pos.ZReport, seller Seller, producerNames map[string]string) {
	e.Init()
	cols := e.Columns()
	rule := strings.Repeat("-", cols)
	e.SetAlign(AlignCenter).Bold(true)
	for _, l := range Wrap(seller.Name, cols) {
		e.Line(l)
	}
	title := "BÁO CÁO CA (X) / SHIFT REPORT"
	if z.Closed {
		title = "BÁO CÁO CUỐI CA (Z) / Z-REPORT"
	}
	e.Line(title).Bold(false).SetAlign(AlignLeft)
	e.Columns2("Ca: "+z.Shift.ID, z.Shift.OpenedAt.In(pos.VietnamTime).Format("02/01/2006 15:04"))
	if z.Shift.ClosedAt != nil {
		e.Columns2("Đóng ca", z.Shift.ClosedAt.In(pos.VietnamTime).Format("02/01/2006 15:04"))
	}
	if z.FirstReceipt != "" {
		e.Columns2("Phiếu", z.FirstReceipt+" … "+z.LastReceipt)
	}
	e.Line(rule)
	e.Columns2(fmt.Sprintf("Bán hàng (%d)", z.Sales), money(z.Gross))
	e.Columns2(fmt.Sprintf("Hủy (%d)", z.Voids), money(z.VoidTotal))
	e.Columns2(fmt.Sprintf("Hoàn tiền (%d)", z.Refunds), money(z.RefundTotal))
	e.Bold(true).Columns2("DOANH THU THUẦN", money(z.Net)).Bold(false)
	e.Line(rule)
	e.Line("Theo hình thức thanh toán:")
	for _, m := range pos.Methods {
		if v, ok := z.ByMethod[m]; ok {
			e.Columns2("  "+methodNames[m], money(v))
		}
	}
	e.Line("Thuế GTGT (đã gồm trong giá):")
	for _, v := range z.ByVAT {
		e.Columns2(fmt.Sprintf("  %d%% trên %s", v.Rate, money(v.Gross)), money(v.VAT))
	}
	e.Line("Theo nhà sản xuất:")
	for _, p := range z.ByProducer {
		name := producerNames[p.ProducerID]
		if name == "" {
			name = p.ProducerID
		}
		e.Columns2(fmt.Sprintf("  %s (%d)", name, p.Units), money(p.Net))
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
