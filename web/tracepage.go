package web

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The public pages' words, Vietnamese and English.
var words = map[string][2]string{
	"trace": {"Truy xuất nguồn gốc", "Traceability"}, "switch": {"English", "Tiếng Việt"},
	"stars": {"sao", "stars"}, "certificate": {"Chứng nhận OCOP", "OCOP certificate"},
	"cert_no": {"Số chứng nhận", "Certificate no."}, "valid_until": {"Hiệu lực đến", "Valid until"},
	"valid": {"còn hiệu lực", "valid"}, "expired": {"đã hết hiệu lực", "expired"},
	"lot": {"Lô", "Lot"}, "produced": {"Ngày thu hoạch/sản xuất", "Harvested/produced"},
	"packed": {"Ngày đóng gói", "Packed"}, "expires": {"Hạn sử dụng", "Best before"},
	"origin": {"Vùng nguyên liệu", "Origin"}, "certifications": {"Chứng nhận khác", "Certifications"},
	"history": {"Hành trình", "History"}, "where": {"Ở đâu", "Where"}, "who": {"Ai", "Who"}, "why": {"Vì sao", "Why"},
	"producer": {"Nhà sản xuất", "Producer"}, "commune": {"Xã", "Commune"}, "province": {"Tỉnh", "Province"},
	"address": {"Địa chỉ", "Address"}, "phone": {"Điện thoại", "Phone"}, "story": {"Câu chuyện sản phẩm", "The product's story"},
	"lots": {"Các lô", "Lots"}, "this_label": {"Tem số", "Label no."}, "first_scanned": {"Quét lần đầu", "First scanned"},
	"scanned": {"đã quét", "scanned"}, "times": {"lần", "times"},
	"not_scanned": {"Tem này chưa được quét bằng điện thoại nào.", "This label has not been scanned by a phone yet."},
	"scan_days":   {"trong %d ngày, từ %d mạng khác nhau", "on %d days, from %d different networks"},
	"suspicious":  {"Tem này được quét trong nhiều ngày, từ nhiều nơi khác nhau: có thể là tem sao chép. Hãy báo cho người bán.", "This label has been scanned on many days from many different places: it may be a copy. Please tell the seller."},
	"not_issued":  {"Đây không phải tem do chúng tôi phát hành: số tem này chưa từng được in cho lô này. Sản phẩm có thể không chính hãng — hãy hỏi người bán.", "This is not a label we issued: no label with this number was printed for this lot. The product may not be genuine — please ask the seller."},
	"unchecked":   {"Trang này không kiểm tra được số tem; quầy đã in tem kiểm tra được.", "This page cannot check label numbers; the kiosk that printed the label can."},
	"unknown_lot": {"Không tìm thấy lô %s; dưới đây là thông tin sản phẩm.", "Lot %s is not known; here is the product."},
	"not_found":   {"Không tìm thấy", "Not found"}, "unknown_gtin": {"Không có sản phẩm nào mang mã %s.", "No product carries the code %s."},
	// A receipt, not "Hoá đơn điện tử" (a tax e-invoice). Cash given and
	// change read as the paper receipt and the till say them.
	"receipt": {"Hoá đơn bán lẻ", "Receipt"}, "total": {"Tổng cộng", "Total"}, "vat": {"Thuế GTGT đã gồm", "VAT included"},
	"tendered": {"Khách đưa", "Cash given"},
	// Discounts and promotions read as on paper.
	"subtotal": {"Cộng tiền hàng", "Subtotal"}, "discount": {"Giảm giá", "Discount"},
	"promotion": {"Khuyến mãi", "Promotion"}, "saved": {"Tổng giảm giá", "Total discount"},
	"free": {"Tặng kèm", "Free"}, "till": {"Quầy", "Till"}, "cashier": {"Thu ngân", "Cashier"}, "reference": {"ND", "Ref"},
	"serials": {"Số sê-ri", "Serials"},
	"change":  {"Tiền thừa", "Change"}, "unknown_receipt": {"Không có hoá đơn này.", "There is no such receipt."},
	"sale": {"Phiếu", "Receipt"}, "void": {"Phiếu huỷ", "Void"}, "refund": {"Phiếu hoàn tiền", "Refund"},
	"voided": {"đã huỷ", "voided"}, "refunded": {"đã hoàn tiền", "refunded"}, "partially_refunded": {"đã hoàn một phần", "partly refunded"},
	"cash": {"Tiền mặt", "Cash"}, "vietqr": {"Chuyển khoản VietQR", "VietQR transfer"}, "card": {"Thẻ", "Card"}, "ewallet": {"Ví điện tử", "E-wallet"},
	"htx": {"Hợp tác xã", "Cooperative"}, "tht": {"Tổ hợp tác", "Cooperative group"}, "enterprise": {"Doanh nghiệp", "Enterprise"},
	"household": {"Hộ kinh doanh", "Household business"},
	// The invoice view keeps the tax authority's words.
	"inv_form1": {"Hoá đơn giá trị gia tăng", "VAT invoice"}, "inv_form2": {"Hoá đơn bán hàng", "Sales invoice"},
	"inv_from_register": {"Khởi tạo từ máy tính tiền", "Issued from a cash register"},
	"inv_adjustment":    {"Hoá đơn điều chỉnh giảm", "Adjustment invoice (decrease)"}, "inv_adjusts": {"Điều chỉnh cho hoá đơn", "Adjusts invoice"},
	"inv_symbol": {"Ký hiệu", "Symbol"}, "inv_number": {"Số", "No."}, "inv_mccqt": {"Mã của CQT", "Tax authority code"},
	"inv_issued": {"Thời điểm lập", "Issued"}, "inv_seller": {"Người bán", "Seller"}, "inv_tax_code": {"MST", "Tax code"},
	"inv_delegate": {"Tổ chức nhận uỷ nhiệm lập hoá đơn", "Issued on the seller's behalf by"},
	"inv_buyer":    {"Người mua", "Buyer"}, "inv_name": {"Tên", "Name"}, "inv_id_no": {"CCCD", "Citizen ID"},
	"inv_email":  {"Email", "Email"},
	"inv_line_1": {"Hàng hoá", "Goods"}, "inv_line_2": {"Khuyến mại", "Promotion"}, "inv_line_3": {"Chiết khấu thương mại", "Trade discount"},
	"inv_line_4": {"Ghi chú", "Note"}, "inv_kind": {"Tính chất", "Type"}, "inv_item": {"Hàng hoá, dịch vụ", "Goods, services"},
	"inv_qty": {"Số lượng", "Qty"}, "inv_price": {"Đơn giá", "Unit price"}, "inv_amount": {"Thành tiền", "Amount"},
	"inv_net": {"Trước thuế", "Before VAT"}, "inv_rate": {"Thuế suất", "VAT rate"}, "inv_vat": {"Tiền thuế", "VAT"},
	"inv_with_vat": {"Có thuế", "With VAT"}, "inv_total": {"Tổng tiền thanh toán", "Total payable"},
	"inv_in_words": {"Bằng chữ", "In words"}, "inv_xml": {"Tải hoá đơn (XML)", "Download the invoice (XML)"},
	"inv_vat_included": {"Giá đã gồm thuế GTGT", "Prices include VAT"},
}

// Words are the public pages' words in one language ("vi" or "en").
func Words(l string) map[string]string {
	i := 0
	if l == "en" {
		i = 1
	}
	out := make(map[string]string, len(words))
	for k, v := range words {
		out[k] = v[i]
	}
	return out
}

// PickLang chooses "vi" or "en" for a public page: the ?lang= switch first,
// then the browser's Accept-Language, Vietnamese by default.
func PickLang(query, acceptLanguage string) string {
	if query == "en" || query == "vi" {
		return query
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "vi") {
			return "vi"
		}
		if strings.HasPrefix(tag, "en") {
			return "en"
		}
	}
	return "vi"
}

// TraceInput is what a trace page is built from, on the kiosk or the hub.
type TraceInput struct {
	Lang, SwitchURL, Link, Notice string
	Product                       pos.Product
	CertValid                     bool
	Producer                      pos.Producer
	Lot                           *pos.Lot
	Lots                          []TraceLotLink
	Serial                        string         // the label's number, when the link has one
	Scan                          *pos.ScanStats // nil: this server cannot check or count labels (the hub)
	Image                         string         // the product's picture on this server (/img/…), or ""
	// Sellable is "1" when the kiosk serving the page can sell the item now,
	// "0" when it cannot, "" where nothing is sold (the hub): the page's body
	// says so in data-sellable for the self-service screen around it.
	Sellable string
}

func dmy(d pos.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02/01/2006")
}

// BuildTracePage lays the trace page out in the input's language.
func BuildTracePage(in TraceInput) TracePage {
	l, t, p := in.Lang, Words(in.Lang), in.Product
	name, other, story := p.Name, p.NameEN, p.Description
	if l == "en" && p.NameEN != "" {
		name, other = p.NameEN, p.Name
		if p.DescriptionEN != "" {
			story = p.DescriptionEN
		}
	}
	group := pos.GroupNames[p.Group][0]
	if l == "en" {
		group = pos.GroupNames[p.Group][1]
	}
	page := TracePage{Lang: l, SwitchURL: in.SwitchURL, T: t, Title: name, Name: name, NameOther: other,
		Group: group, Stars: p.Stars, StarsText: strings.Repeat("★", p.Stars), CertNo: p.CertNo,
		CertExpiry: dmy(p.CertExpiry), CertValid: in.CertValid, Unit: UnitName(p.Unit, l), Story: story, Notice: in.Notice, Link: in.Link,
		Lots: in.Lots, Image: in.Image, Sellable: in.Sellable,
		Producer: TraceProducer{Name: in.Producer.Name, Kind: t[string(in.Producer.Kind)], Commune: in.Producer.Commune,
			Province: in.Producer.Province, Address: in.Producer.Address, Phone: in.Producer.Phone}}
	if in.Lot != nil {
		lot := &TraceLot{Code: in.Lot.Code, Produced: dmy(in.Lot.ProducedOn), Packed: dmy(in.Lot.PackedOn),
			Expires: dmy(in.Lot.ExpiresOn), Origin: OriginName(in.Lot.Origin, l)}
		for _, c := range in.Lot.Certifications {
			lot.Certifications = append(lot.Certifications, CertName(c, l))
		}
		// The kiosk's own history and the events producers sent (EPCIS
		// capture at the hub), in date order.
		events := append(append([]pos.TraceEvent(nil), in.Lot.Events...), pos.CapturedTraceEvents(in.Lot.Captured)...)
		sort.SliceStable(events, func(i, j int) bool { return events[i].When.Time().Before(events[j].When.Time()) })
		for _, e := range events {
			what := pos.TraceSteps[e.What][0]
			if l == "en" {
				what = pos.TraceSteps[e.What][1]
			}
			if what == "" {
				what = e.What
			}
			lot.Events = append(lot.Events, TraceEvent{When: dmy(e.When), What: what, Where: e.Where, Who: e.Who, Why: e.Why})
		}
		page.Lot = lot
	}
	switch sc := in.Scan; {
	case sc != nil && !sc.Issued:
		page.Scan = &TraceScan{Serial: sc.Serial, Unissued: true}
	case sc != nil:
		page.Scan = &TraceScan{Serial: sc.Serial, First: sc.First.In(pos.VietnamTime).Format("15:04 02/01/2006"),
			Count: sc.Count, Suspicious: sc.Suspicious()}
		if sc.Count > 0 {
			page.Scan.Spread = fmt.Sprintf(t["scan_days"], sc.Days, sc.Places)
		}
	case in.Serial != "":
		page.Scan = &TraceScan{Serial: in.Serial, Unchecked: true}
	}
	return page
}
