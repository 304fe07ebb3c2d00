package kiosk

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
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
	// The kiosk's own screens (loopback) are not limited; behind a trusted proxy
	// each client is counted by the address the proxy names.
	addr, local := s.clientAddr(c)
	if !local && !s.limits.allow(addr) {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(publicRefill.Seconds())))
		return c.Status(fiber.StatusTooManyRequests).SendString("Too many requests / Quá nhiều yêu cầu")
	}
	return c.Next()
}

// lang picks vi or en for a public page.
func lang(c *fiber.Ctx) string {
	return web.PickLang(c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
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
	// Sellable says this kiosk can sell the item the link names now: the
	// product in stock, its lot known, and a label's serial one it printed
	// and not sold (the self-service screen offers "Add to cart" only then).
	Sellable bool `json:"sellable"`
}

type traceLotBrief struct {
	Lot  string `json:"lot"`
	Link string `json:"link"`
}

// trace serves the GS1 Digital Link paths: /01/{gtin}[/10/{lot}[/21/{serial}]]
// as an HTML page (vi/en), JSON (Accept: application/json) or a linkset
// (Accept: application/linkset+json, or ?linkType=all), and resolves the
// other link types (resolver.go).
func (s *Server) trace(c *fiber.Ctx) error {
	l := lang(c)
	q := web.DigitalLinkRequest(c)
	dl, err := pos.ParseDigitalLink(q.Raw)
	if err != nil {
		return s.badDigitalLink(c, l, err)
	}
	p := s.index.Load().Lookup(dl.GTIN)
	if p == nil {
		return s.notFound(c, l, fmt.Sprintf(web.Words(l)["unknown_gtin"], dl.GTIN))
	}
	// Resolving a link type answers before the lot is read and before a
	// label's scan is counted: a redirect is not a visit to the page.
	links := pos.NewTraceLinks(s.origin(c), dl, *p)
	web.SetResolverHeaders(c, links)
	if done, err := web.Resolve(c, links, q); done {
		return err
	}
	base := s.origin(c)
	productLink, _ := pos.DigitalLink{Base: base, GTIN: dl.GTIN}.String()
	stock, _ := s.store.Stock([]string{p.SKU})
	data := traceData{Link: productLink, Product: s.view(p, stock, time.Now()), Producer: (*s.producers.Load())[p.ProducerID]}
	if dl.Lot != "" {
		lot, err := s.store.Lot(p.SKU, dl.Lot)
		switch {
		case errors.Is(err, pos.ErrNotFound):
			data.Notice = fmt.Sprintf(web.Words(l)["unknown_lot"], dl.Lot)
		case err != nil:
			return err
		default:
			data.Lot = &lot
			data.Link, _ = pos.DigitalLink{Base: base, GTIN: dl.GTIN, Lot: lot.Code, Serial: dl.Serial, Expiry: lot.ExpiresOn}.String()
			if dl.Serial != "" {
				// A scan on the kiosk's own screen (staff checking a label)
				// shows the counts without adding to them. A serial the kiosk
				// never printed is shown as such and not counted.
				var st pos.ScanStats
				if addr, local := s.clientAddr(c); local {
					st, err = s.scans.Peek(p.SKU, dl.GTIN, lot.Code, dl.Serial)
				} else {
					st, err = s.scans.Record(p.SKU, dl.GTIN, lot.Code, dl.Serial, net.ParseIP(addr))
				}
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
	data.Sellable = data.Product.Stock > 0 && (dl.Lot == "" || data.Lot != nil)
	if data.Sellable && dl.Serial != "" {
		sold, err := s.store.SerialSale(p.SKU, dl.Lot, dl.Serial)
		if err != nil {
			return err
		}
		data.Sellable = data.Scan != nil && data.Scan.Issued && sold == ""
	}
	if strings.Contains(c.Get(fiber.HeaderAccept), "application/json") {
		return c.JSON(data)
	}
	return s.renderTrace(c, l, data)
}

func (s *Server) renderTrace(c *fiber.Ctx, l string, d traceData) error {
	in := web.TraceInput{Lang: l, SwitchURL: switchURL(c, l), Link: d.Link, Notice: d.Notice, Product: d.Product.Product,
		CertValid: d.Product.CertValid, Producer: d.Producer, Lot: d.Lot, Scan: d.Scan, Image: s.pictures.URL(d.Product.Image),
		Sellable: "0"}
	if d.Sellable {
		in.Sellable = "1"
	}
	if d.Scan != nil {
		in.Serial = d.Scan.Serial
	}
	for _, lb := range d.Lots {
		u, _ := url.Parse(lb.Link)
		in.Lots = append(in.Lots, web.TraceLotLink{Code: lb.Lot, URL: u.RequestURI()})
	}
	var buf bytes.Buffer
	if err := web.RenderTrace(&buf, web.BuildTracePage(in)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l)
	c.Set(fiber.HeaderVary, "Accept, Accept-Language")
	return c.Send(buf.Bytes())
}

func (s *Server) notFound(c *fiber.Ctx, l, msg string) error {
	if strings.Contains(c.Get(fiber.HeaderAccept), "json") {
		return newAPIError(fiber.StatusNotFound, "not_found", msg)
	}
	var buf bytes.Buffer
	if err := web.RenderNotFound(&buf, web.NotFoundPage{Lang: l, T: web.Words(l), Message: msg}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(fiber.StatusNotFound).Send(buf.Bytes())
}

// eReceipt is the page a receipt's QR opens: /r/{sale id}. Sale ids are
// unguessable (80 random bits); nothing else of the sales is public. It shows
// what the paper receipt prints (receiptFromSale lays out both): each line at
// its worth — a weighed one as 1,235 kg × 460.000 ₫/kg — with what its
// promotion and a discount given at the till took off under it, a free unit
// as a line of its own, the sale's own discount under the subtotal, the
// total, everything taken off, the VAT, cash given and change.
func (s *Server) eReceipt(c *fiber.Ctx) error {
	l := lang(c)
	t := web.Words(l)
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
	page := receiptPage(sale, l, t)
	page.SwitchURL = switchURL(c, l)
	page.Seller, page.TaxCode, page.Address = s.cfg.Seller.Name, s.cfg.Seller.TaxCode, s.cfg.Seller.Address
	page.Invoices = invoiceViews(sale, l, t)
	var buf bytes.Buffer
	if err := web.RenderReceipt(&buf, page); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l)
	return c.Send(buf.Bytes())
}

// receiptPage is the e-receipt of a record in l (words t), laid out as the
// paper receipt is.
func receiptPage(sale pos.Sale, l string, t map[string]string) web.ReceiptPage {
	m := func(v pos.Money) string { return v.String() }
	r := receiptFromSale(sale, l)
	page := web.ReceiptPage{Lang: l, T: t, ReceiptNo: sale.ReceiptNo, Till: sale.Till, Cashier: cashierName(sale),
		Time: sale.Time.In(pos.VietnamTime).Format("15:04 02/01/2006"), Kind: t[sale.Kind], Total: m(sale.Total)}
	if sale.Status != pos.StatusCompleted {
		page.Status = t[sale.Status]
	}
	off := func(d printer.Deduction) web.ReceiptOff {
		label := t["discount"]
		if d.Reason != "" {
			label += ": " + d.Reason
		}
		if d.Promotion != "" {
			label = t["promotion"] + ": " + d.Promotion
		}
		o := web.ReceiptOff{Label: label}
		if d.Amount != 0 {
			o.Amount = m(-d.Amount)
		}
		return o
	}
	for i, rl := range r.Lines {
		ln := web.ReceiptLine{Name: rl.Name, Gross: m(rl.Gross), Free: sale.Lines[i].Free,
			Amounts: fmt.Sprintf("%d × %s", rl.Qty, m(rl.Price))}
		if rl.WeightG != 0 {
			ln.Amounts = kilograms(rl.WeightG, l) + " × " + m(rl.Price) + "/kg"
		}
		if ln.Free {
			ln.Amounts += " · " + t["free"]
		}
		for _, d := range rl.Off {
			ln.Off = append(ln.Off, off(d))
		}
		ln.Serials = strings.Join(rl.Serials, ", ")
		page.Lines = append(page.Lines, ln)
	}
	if r.Discount.Amount != 0 {
		page.Subtotal = m(r.Subtotal())
		d := off(r.Discount)
		page.SaleDiscount = &d
	}
	if saved := r.Saved(); saved != 0 {
		page.Saved = m(saved)
	}
	for _, v := range sale.VAT {
		if v.Rate > 0 {
			page.VAT = append(page.VAT, web.ReceiptVAT{Rate: fmt.Sprintf("%d%%", v.Rate), VAT: m(v.VAT)})
		}
	}
	for _, p := range sale.Payments {
		rp := web.ReceiptPayment{Method: t[p.Method], Amount: m(p.Amount), Reference: p.Reference}
		if p.Tendered > 0 {
			rp.Tendered = m(p.Tendered)
		}
		page.Payments = append(page.Payments, rp)
	}
	if sale.Change > 0 {
		page.Change = m(sale.Change)
	}
	return page
}

// kilograms writes grams as the receipt does: 1,235 kg (1.235 kg in
// English).
func kilograms(g int64, l string) string {
	sign := ""
	if g < 0 {
		sign, g = "-", -g
	}
	sep := ","
	if l == "en" {
		sep = "."
	}
	return fmt.Sprintf("%s%d%s%03d kg", sign, g/1000, sep, g%1000)
}

// closeScans writes the scan counts still in memory; the kiosk calls it when
// it stops, before the store closes.
func (s *Server) closeScans() {
	if err := s.scans.Close(); err != nil {
		s.log.Error("writing scan counts at shutdown", "err", err)
	}
}
