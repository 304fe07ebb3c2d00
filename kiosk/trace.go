package kiosk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// Public pages (trace pages, e-receipts) are rate-limited per client address:
// a phone scanning a QR needs a few requests, not hundreds.
const (
	publicBurst  = 30              // requests a client may make at once
	publicRefill = 2 * time.Second // one more request allowed every refill
)

// limiter is a token bucket per client address.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}, now: time.Now} }

func (l *limiter) allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[client]
	if b == nil {
		if len(l.buckets) > 10_000 { // forget idle clients rather than grow without end
			for k, v := range l.buckets {
				if now.Sub(v.at) > publicRefill*publicBurst {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{tokens: publicBurst, at: now}
		l.buckets[client] = b
	}
	b.tokens = min(publicBurst, b.tokens+now.Sub(b.at).Seconds()/publicRefill.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Server) rateLimit(c *fiber.Ctx) error {
	// The kiosk's own screens (loopback) are not limited.
	if !isLoopback(c) && !s.limits.allow(c.Context().RemoteIP().String()) {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(publicRefill.Seconds())))
		return c.Status(fiber.StatusTooManyRequests).SendString("Too many requests / Quá nhiều yêu cầu")
	}
	return c.Next()
}

// lang picks vi or en: ?lang= first, then Accept-Language, Vietnamese by default.
func lang(c *fiber.Ctx) string {
	switch c.Query("lang") {
	case "en":
		return "en"
	case "vi":
		return "vi"
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
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

// switchURL is the current page in the other language.
func switchURL(c *fiber.Ctx, l string) string {
	other := "en"
	if l == "en" {
		other = "vi"
	}
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Set("lang", other)
	return c.Path() + "?" + q.Encode()
}

var words = map[string][2]string{
	"trace": {"Truy xuất nguồn gốc", "Traceability"}, "switch": {"English", "Tiếng Việt"},
	"stars": {"sao", "stars"}, "certificate": {"Chứng nhận OCOP", "OCOP certificate"},
	"cert_no": {"Số chứng nhận", "Certificate no."}, "valid_until": {"Hiệu lực đến", "Valid until"},
	"valid": {"còn hiệu lực", "valid"}, "expired": {"đã hết hiệu lực", "expired"},
	"lot": {"Lô", "Lot"}, "produced": {"Ngày thu hoạch/sản xuất", "Harvested/produced"},
	"packed": {"Ngày đóng gói", "Packed"}, "expires": {"Hạn sử dụng", "Best before"},
	"origin": {"Vùng nguyên liệu", "Origin"}, "certifications": {"Chứng nhận khác", "Certifications"},
	"history": {"Hành trình", "History"}, "where": {"Ở đâu", "Where"}, "who": {"Ai", "Who"}, "why": {"Vì sao", "Why"},
	"producer": {"Chủ thể sản xuất", "Producer"}, "commune": {"Xã", "Commune"}, "province": {"Tỉnh", "Province"},
	"address": {"Địa chỉ", "Address"}, "phone": {"Điện thoại", "Phone"}, "story": {"Câu chuyện sản phẩm", "The product's story"},
	"lots": {"Các lô", "Lots"}, "this_label": {"Tem số", "Label no."}, "first_scanned": {"Quét lần đầu", "First scanned"},
	"scanned": {"đã quét", "scanned"}, "times": {"lần", "times"},
	"not_scanned": {"Tem này chưa được quét bằng điện thoại nào.", "This label has not been scanned by a phone yet."},
	"suspicious":  {"Tem này được quét nhiều bất thường: có thể là tem sao chép. Hãy báo cho người bán.", "This label has been scanned unusually often: it may be a copy. Please tell the seller."},
	"unknown_lot": {"Không tìm thấy lô %s; dưới đây là thông tin sản phẩm.", "Lot %s is not known; here is the product."},
	"not_found":   {"Không tìm thấy", "Not found"}, "unknown_gtin": {"Không có sản phẩm nào mang mã %s.", "No product carries the code %s."},
	"receipt": {"Hoá đơn điện tử", "E-receipt"}, "total": {"Tổng cộng", "Total"}, "vat": {"Thuế GTGT đã gồm", "VAT included"},
	"change": {"Tiền thừa", "Change"}, "unknown_receipt": {"Không có hoá đơn này.", "There is no such receipt."},
	"sale": {"Phiếu", "Receipt"}, "void": {"Phiếu huỷ", "Void"}, "refund": {"Phiếu hoàn tiền", "Refund"},
	"voided": {"đã huỷ", "voided"}, "refunded": {"đã hoàn tiền", "refunded"}, "partially_refunded": {"đã hoàn một phần", "partly refunded"},
	"cash": {"Tiền mặt", "Cash"}, "vietqr": {"Chuyển khoản VietQR", "VietQR transfer"}, "card": {"Thẻ", "Card"}, "ewallet": {"Ví điện tử", "E-wallet"},
	"htx": {"Hợp tác xã", "Cooperative"}, "tht": {"Tổ hợp tác", "Cooperative group"}, "enterprise": {"Doanh nghiệp", "Enterprise"},
	"household": {"Hộ kinh doanh", "Household business"},
}

func dict(l string) map[string]string {
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

func dmy(d pos.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02/01/2006")
}

// linkBase is the origin of links printed outside a request (the e-receipt QR
// on receipts): -base-url, else the kiosk's LAN address and port, else none.
func (s *Server) linkBase() string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	if p := s.port.Load(); p != nil {
		if ip := lanIP(); ip != "" {
			return "http://" + net.JoinHostPort(ip, *p)
		}
	}
	return ""
}

// origin is where printed links and pairing codes point: -base-url, else this
// request's host — except that a request from the kiosk's own screen
// (127.0.0.1) gets the kiosk's LAN address, which phones and tablets can reach.
func (s *Server) origin(c *fiber.Ctx) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	host := string(c.Request().Host())
	if isLoopback(c) {
		if ip := lanIP(); ip != "" {
			_, port, err := net.SplitHostPort(host)
			if err != nil || port == "" {
				port = "80"
			}
			host = net.JoinHostPort(ip, port)
		}
	}
	return c.Protocol() + "://" + host
}

// traceData is what /01/… answers as JSON (and what the page shows).
type traceData struct {
	Link     string          `json:"link"`
	Product  productView     `json:"product"`
	Producer pos.Producer    `json:"producer"`
	Lot      *pos.Lot        `json:"lot,omitempty"`
	Notice   string          `json:"notice,omitempty"`
	Scan     *pos.ScanStats  `json:"scan,omitempty"`
	Lots     []traceLotBrief `json:"lots,omitempty"`
}

type traceLotBrief struct {
	Lot  string `json:"lot"`
	Link string `json:"link"`
}

// trace serves the GS1 Digital Link paths: /01/{gtin}[/10/{lot}[/21/{serial}]]
// as an HTML page (vi/en), JSON (Accept: application/json) or a linkset
// (Accept: application/linkset+json).
func (s *Server) trace(c *fiber.Ctx) error {
	l := lang(c)
	raw := string(c.Request().URI().PathOriginal())
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		// Keep only the GS1 query (17=expiry); lang= is ours.
		vals, _ := url.ParseQuery(string(q))
		vals.Del("lang")
		vals.Del("from") // the self-service screen marks the pages it opens
		if len(vals) > 0 {
			raw += "?" + vals.Encode()
		}
	}
	dl, err := pos.ParseDigitalLink(raw)
	if err != nil {
		return s.notFound(c, l, http400(err))
	}
	p := s.index.Load().Lookup(dl.GTIN)
	if p == nil {
		return s.notFound(c, l, fmt.Sprintf(dict(l)["unknown_gtin"], dl.GTIN))
	}
	base := s.origin(c)
	productLink, _ := pos.DigitalLink{Base: base, GTIN: dl.GTIN}.String()
	stock, _ := s.store.Stock([]string{p.SKU})
	data := traceData{Link: productLink, Product: s.view(p, stock, time.Now()), Producer: (*s.producers.Load())[p.ProducerID]}
	if dl.Lot != "" {
		lot, err := s.store.Lot(p.SKU, dl.Lot)
		switch {
		case errors.Is(err, pos.ErrNotFound):
			data.Notice = fmt.Sprintf(dict(l)["unknown_lot"], dl.Lot)
		case err != nil:
			return err
		default:
			data.Lot = &lot
			data.Link, _ = pos.DigitalLink{Base: base, GTIN: dl.GTIN, Lot: lot.Code, Serial: dl.Serial, Expiry: lot.ExpiresOn}.String()
			if dl.Serial != "" {
				// A scan on the kiosk's own screen (staff checking a label)
				// shows the counts without adding to them.
				record := s.store.RecordScan
				if isLoopback(c) {
					record = s.store.Scans
				}
				st, err := record(dl.GTIN, lot.Code, dl.Serial)
				if err != nil {
					return err
				}
				data.Scan = &st
			}
		}
	} else {
		lots, err := s.store.Lots(p.SKU)
		if err != nil {
			return err
		}
		for _, lot := range lots {
			link, _ := pos.DigitalLink{Base: base, GTIN: dl.GTIN, Lot: lot.Code, Expiry: lot.ExpiresOn}.String()
			data.Lots = append(data.Lots, traceLotBrief{Lot: lot.Code, Link: link})
		}
	}
	accept := c.Get(fiber.HeaderAccept)
	switch {
	case strings.Contains(accept, "application/linkset+json"):
		b, err := json.Marshal(linkset(data, dl))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/linkset+json")
		return c.Send(b)
	case strings.Contains(accept, "application/json"):
		return c.JSON(data)
	}
	return s.renderTrace(c, l, data)
}

func http400(err error) string { return err.Error() }

// linkset lists the links a GS1 resolver needs (RFC 9264, GS1 link types).
func linkset(d traceData, dl pos.DigitalLink) fiber.Map {
	page := []fiber.Map{{"href": d.Link, "title": d.Product.Name, "hreflang": []string{"vi", "en"}, "type": "text/html"}}
	return fiber.Map{"linkset": []fiber.Map{{
		"anchor":                          d.Link,
		"https://gs1.org/voc/defaultLink": page,
		"https://gs1.org/voc/pip":         page,
		"https://gs1.org/voc/traceability": []fiber.Map{{"href": d.Link, "title": "Truy xuất nguồn gốc / Traceability",
			"type": "application/json"}},
		"https://gs1.org/voc/certificationInfo": []fiber.Map{{"href": d.Link, "title": "OCOP " + d.Product.CertNo}},
	}}}
}

func (s *Server) renderTrace(c *fiber.Ctx, l string, d traceData) error {
	t := dict(l)
	p := d.Product
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
	page := web.TracePage{Lang: l, SwitchURL: switchURL(c, l), T: t, Title: name, Name: name, NameOther: other,
		Group: group, Stars: p.Stars, StarsText: strings.Repeat("★", p.Stars), CertNo: p.CertNo,
		CertExpiry: dmy(p.CertExpiry), CertValid: p.CertValid, Unit: p.Unit, Story: story, Notice: d.Notice, Link: d.Link,
		Producer: web.TraceProducer{Name: d.Producer.Name, Kind: t[string(d.Producer.Kind)], Commune: d.Producer.Commune,
			Province: d.Producer.Province, Address: d.Producer.Address, Phone: d.Producer.Phone}}
	if d.Lot != nil {
		lot := &web.TraceLot{Code: d.Lot.Code, Produced: dmy(d.Lot.ProducedOn), Packed: dmy(d.Lot.PackedOn),
			Expires: dmy(d.Lot.ExpiresOn), Origin: d.Lot.Origin, Certifications: d.Lot.Certifications}
		for _, e := range d.Lot.Events {
			what := pos.TraceSteps[e.What][0]
			if l == "en" {
				what = pos.TraceSteps[e.What][1]
			}
			lot.Events = append(lot.Events, web.TraceEvent{When: dmy(e.When), What: what, Where: e.Where, Who: e.Who, Why: e.Why})
		}
		page.Lot = lot
	}
	for _, lb := range d.Lots {
		u, _ := url.Parse(lb.Link)
		page.Lots = append(page.Lots, web.TraceLotLink{Code: lb.Lot, URL: u.RequestURI()})
	}
	if d.Scan != nil {
		page.Scan = &web.TraceScan{Serial: d.Scan.Serial, First: d.Scan.First.In(vnTime).Format("15:04 02/01/2006"),
			Count: d.Scan.Count, Suspicious: d.Scan.Suspicious()}
	}
	var buf bytes.Buffer
	if err := web.RenderTrace(&buf, page); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l)
	c.Set(fiber.HeaderVary, "Accept, Accept-Language")
	return c.Send(buf.Bytes())
}

var vnTime = time.FixedZone("ICT", 7*3600)

func (s *Server) notFound(c *fiber.Ctx, l, msg string) error {
	if strings.Contains(c.Get(fiber.HeaderAccept), "json") {
		return newAPIError(fiber.StatusNotFound, "not_found", msg)
	}
	var buf bytes.Buffer
	if err := web.RenderNotFound(&buf, web.NotFoundPage{Lang: l, T: dict(l), Message: msg}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(fiber.StatusNotFound).Send(buf.Bytes())
}

// eReceipt is the page a receipt's QR opens: /r/{sale id}. Sale ids are
// unguessable (80 random bits); nothing else of the sales is public.
func (s *Server) eReceipt(c *fiber.Ctx) error {
	l := lang(c)
	t := dict(l)
	id := c.Params("id")
	if !pos.ValidID(id) {
		return s.notFound(c, l, t["unknown_receipt"])
	}
	sale, err := s.store.Sale(id)
	if errors.Is(err, pos.ErrNotFound) {
		return s.notFound(c, l, t["unknown_receipt"])
	}
	if err != nil {
		return err
	}
	if strings.Contains(c.Get(fiber.HeaderAccept), "application/json") {
		return c.JSON(sale)
	}
	m := func(v pos.Money) string { return v.String() }
	page := web.ReceiptPage{Lang: l, SwitchURL: switchURL(c, l), T: t, Seller: s.cfg.Seller.Name, TaxCode: s.cfg.Seller.TaxCode,
		Address: s.cfg.Seller.Address, ReceiptNo: sale.ReceiptNo, Time: sale.Time.In(vnTime).Format("15:04 02/01/2006"),
		Kind: t[sale.Kind], Total: m(sale.Total)}
	if sale.Status != pos.StatusCompleted {
		page.Status = t[sale.Status]
	}
	for _, ln := range sale.Lines {
		name := ln.Name
		if l == "en" && ln.NameEN != "" {
			name = ln.NameEN
		}
		page.Lines = append(page.Lines, web.ReceiptLine{Name: name, Qty: fmt.Sprint(ln.Qty), Price: m(ln.Price), Total: m(ln.Total)})
	}
	for _, v := range sale.VAT {
		if v.Rate > 0 {
			page.VAT = append(page.VAT, web.ReceiptVAT{Rate: fmt.Sprintf("%d%%", v.Rate), VAT: m(v.VAT)})
		}
	}
	for _, p := range sale.Payments {
		amt := p.Amount
		if p.Tendered > 0 {
			amt = p.Tendered
		}
		page.Payments = append(page.Payments, web.ReceiptPayment{Method: t[p.Method], Amount: m(amt)})
	}
	if sale.Change > 0 {
		page.Change = m(sale.Change)
	}
	var buf bytes.Buffer
	if err := web.RenderReceipt(&buf, page); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
