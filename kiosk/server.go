package kiosk

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/web"
)

// wakeUplink tells the uplink a record is waiting (it also polls).
func (s *Server) wakeUplink() {
	if s.uplink != nil {
		select {
		case s.uplink.Wake <- struct{}{}:
		default:
		}
	}
}

// MaxJSONBody bounds a JSON request body. Catalog imports may be larger (up to
// MaxImportBody).
const (
	MaxJSONBody   = 1 << 20
	MaxImportBody = 32 << 20
)

// Server is a running kiosk's HTTP side.
type Server struct {
	cfg    Config
	store  *pos.Store
	log    *slog.Logger
	guard  *guard
	app    *fiber.App
	queue  *printer.Queue
	hub    *hub
	pairs  *pairing
	limits *limiter
	scans  *pos.ScanTally // public scans of labels, written in batches
	disk   *diskWatch
	// pictures are the product pictures in <data>/images (images.go).
	pictures *pictures
	port     atomic.Pointer[string] // the port the kiosk listens on, for printed links
	uplink   *hubsync.Uplink        // nil without -hub
	scale    *printer.Scale         // nil without -scale
	// stampWake starts the stamp feeder at once (a run began or resumed).
	stampWake chan struct{}

	index     atomic.Pointer[pos.Index]
	producers atomic.Pointer[map[string]pos.Producer]
	reindexMu sync.Mutex
	started   time.Time

	// hosts are the names the kiosk answers to (checkHost).
	hosts *ownHosts
	// unlisted are routes registered without a rule in routeTable.
	unlisted []string
}

func newServer(cfg Config, store *pos.Store, g *guard) (*Server, error) {
	s := &Server{cfg: cfg, store: store, log: cfg.Logger, guard: g, started: time.Now(), stampWake: make(chan struct{}, 1)}
	if err := s.reindex(); err != nil {
		return nil, err
	}
	targets, err := printTargets(cfg)
	if err != nil {
		return nil, err
	}
	s.queue = printer.NewQueue(store, s.renderer, targets, cfg.Logger)
	s.hub = newHub(s)
	s.pairs = newPairing()
	s.limits = newLimiter()
	s.scans = pos.NewScanTally(store, pos.ScanFlushEvery, func(err error) { cfg.Logger.Error("writing scan counts", "err", err) })
	s.disk = newDiskWatch(cfg.DataDir)
	if cfg.scaleTarget != nil {
		s.scale = printer.NewScale(*cfg.scaleTarget, cfg.Logger)
	}
	s.pictures = newPictures(cfg.DataDir)
	s.app = fiber.New(fiber.Config{
		AppName:               "ocop-kiosk",
		DisableStartupMessage: true,
		BodyLimit:             MaxImportBody,
		ErrorHandler:          errorHandler(cfg.Logger),
		ReadTimeout:           cfg.ReadTimeout, // the import and the backup get longer: requestLimits
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		Network:               "tcp",
	})
	s.app.Server().HeaderReceived = requestLimits
	s.hosts = newOwnHosts(cfg)
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// reindex rebuilds the search index from the store after a catalog change.
func (s *Server) reindex() error {
	s.reindexMu.Lock()
	defer s.reindexMu.Unlock()
	products, err := s.store.Products()
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	producers, err := s.store.Producers()
	if err != nil {
		return fmt.Errorf("load producers: %w", err)
	}
	s.index.Store(pos.NewIndex(products, producers))
	s.producers.Store(&producers)
	return nil
}

// routes registers every route through the access table (access.go): a
// route the table does not name is an error.
func (s *Server) routes() error {
	app := s.app
	app.Use(web.SecurityHeaders)
	app.Use(s.checkHost)
	r := s.route
	r("GET", "/healthz", s.healthz)
	s.webRoutes()
	r("GET", "/ws", s.wsGate, websocket.New(s.serveWS, websocket.Config{HandshakeTimeout: 10 * time.Second}))
	r("POST", "/pair/claim", s.rateLimit, limitBody(4096), s.claimPairing)
	r("GET", "/01/*", s.rateLimit, s.trace)
	r("GET", "/.well-known/gs1resolver", s.rateLimit, s.resolverDescription)
	r("OPTIONS", "/01/*", s.rateLimit, web.Preflight) // a CORS preflight of a resolver's client
	r("OPTIONS", "/.well-known/gs1resolver", s.rateLimit, web.Preflight)
	r("GET", "/r/:id", s.rateLimit, s.eReceipt)
	r("GET", "/r/:id/invoices/:key.xml", s.rateLimit, s.eReceiptInvoiceXML)
	r("GET", "/img/:name", s.serveImage)

	app.Group("/api/v1", s.watchDisk)
	const v1 = "/api/v1"
	jsonLimit := limitBody(MaxJSONBody)

	r("GET", v1+"/me", s.me)
	r("GET", v1+"/products", s.listProducts)
	r("GET", v1+"/products/:sku", s.getProduct)
	r("POST", v1+"/products/:sku/image", s.uploadProductImage)
	r("GET", v1+"/producers", s.listProducers)
	r("GET", v1+"/lots", s.listLots)
	r("POST", v1+"/lots", jsonLimit, s.createLot)
	r("GET", v1+"/lots/:sku/:lot", s.getLot)
	r("PUT", v1+"/lots/:sku/:lot", jsonLimit, s.editLot)
	r("POST", v1+"/lots/:sku/:lot/events", jsonLimit, s.addTraceEvent)
	r("POST", v1+"/lots/:sku/:lot/labels", jsonLimit, s.printLabels)
	r("POST", v1+"/lots/:sku/:lot/stamps", jsonLimit, s.issueStamps)
	r("GET", v1+"/lots/:sku/:lot/stamps", s.listStampRuns)
	r("GET", v1+"/lots/:sku/:lot/stamps/:run", s.getStampRun)
	r("POST", v1+"/lots/:sku/:lot/stamps/:run/reprint", jsonLimit, s.reprintStamps)
	r("POST", v1+"/lots/:sku/:lot/stamps/:run/:action", s.changeStampRun)
	r("GET", v1+"/epcis/events", s.epcisEvents)
	r("GET", v1+"/scans/flagged", s.flaggedScans)
	r("GET", v1+"/portal/export", s.portalExport)
	r("GET", v1+"/manager/check", func(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNoContent) })

	r("POST", v1+"/sales", jsonLimit, s.postSale)
	r("GET", v1+"/sales", s.listSales)
	r("GET", v1+"/cashiers", s.listCashiers)
	r("POST", v1+"/cashiers", jsonLimit, s.addCashier)
	r("DELETE", v1+"/cashiers/:id", s.removeCashier)
	r("GET", v1+"/sales/:id", s.getSale)
	r("POST", v1+"/sales/:id/reprint", s.reprint)
	r("POST", v1+"/sales/:id/void", jsonLimit, s.voidSale)
	r("POST", v1+"/sales/:id/refund", jsonLimit, s.refundSale)

	r("GET", v1+"/invoices", s.listInvoices)
	r("GET", v1+"/invoices/:symbol/:number.xml", s.invoiceXML)
	r("GET", v1+"/invoicing", s.invoicing)

	r("GET", v1+"/promotions", s.listPromotions)
	r("GET", v1+"/promotions/:id", s.getPromotion)
	r("POST", v1+"/promotions", jsonLimit, s.createPromotion)
	r("PUT", v1+"/promotions/:id", jsonLimit, s.editPromotion)
	r("DELETE", v1+"/promotions/:id", s.deletePromotion)

	r("GET", v1+"/orders", s.listOrders)
	r("POST", v1+"/orders", jsonLimit, s.createOrder)
	r("GET", v1+"/orders/:ref", s.getOrder)
	r("POST", v1+"/orders/:id/confirm", jsonLimit, s.confirmOrder)
	r("POST", v1+"/orders/:id/cancel", jsonLimit, s.cancelOrder)

	r("GET", v1+"/shifts", s.listShifts)
	r("GET", v1+"/shifts/current", s.currentShift)
	r("POST", v1+"/shifts/open", jsonLimit, s.openShift)
	r("POST", v1+"/shifts/close", jsonLimit, s.closeShift)
	r("GET", v1+"/shifts/:id/report", s.shiftReport)
	r("POST", v1+"/shifts/:id/print", s.printShiftReport)

	r("GET", v1+"/sync", s.syncStatus)
	r("GET", v1+"/printers", s.listPrinters)
	r("POST", v1+"/printers/:name/test", s.printTest)
	r("GET", v1+"/print-jobs", s.listPrintJobs)
	r("GET", v1+"/scale", s.getScale)

	r("POST", v1+"/stock/:sku", jsonLimit, s.adjustStock)
	r("GET", v1+"/stock/moves", s.stockMoves)
	r("GET", v1+"/stock/low", s.lowStock)
	r("PUT", v1+"/stock/low", jsonLimit, s.setLowStock)

	r("POST", v1+"/catalog/import", s.importCatalog)
	r("GET", v1+"/catalog/export", s.exportCatalog)
	r("POST", v1+"/catalog/images", s.importImages)

	r("POST", v1+"/pairing", jsonLimit, s.newPairing)
	r("POST", v1+"/devices", jsonLimit, s.pairDevice)
	r("GET", v1+"/devices", s.listDevices)
	r("DELETE", v1+"/devices/:id", s.revokeDevice)

	r("GET", v1+"/backup", s.backup)

	// Unknown API routes: the same answer to unpaired clients as every API
	// route, a 404 to the rest.
	app.Use(v1, s.allow(screens), func(c *fiber.Ctx) error {
		return newAPIError(fiber.StatusNotFound, "not_found", "no such API route: "+c.Method()+" "+c.Path())
	})
	if len(s.unlisted) > 0 {
		return routesNotInTable(s.unlisted)
	}
	return nil
}

// limitBody rejects bodies over n bytes with the JSON error, for the routes that
// take JSON (the server-wide limit is the larger import limit).
func limitBody(n int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Body()) > n {
			return newAPIError(fiber.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("request body is %d bytes, at most %d", len(c.Body()), n))
		}
		return c.Next()
	}
}

func who(c *fiber.Ctx) string {
	if s, ok := c.Locals("who").(string); ok {
		return s
	}
	return ""
}

// healthz answers 200 {"status":"ok"} while the kiosk can sell, and 503
// {"status":"degraded","disk":"full"} while its disk is full, so a monitor
// that only looks at the status code notices. With invoicing on, "invoicing"
// says how many MCCQT numbers are left ("state":"low" when running out) and
// the kiosk is degraded while it cannot issue invoices.
func (s *Server) healthz(c *fiber.Ctx) error {
	d := s.disk.state()
	body := fiber.Map{"status": "ok", "kiosk_id": s.cfg.KioskID, "schema": pos.SchemaVersion,
		"uptime_s": int(time.Since(s.started).Seconds()), "disk": "ok"}
	if d.FreeKnown {
		body["disk_free"] = d.Free
	}
	inv, invOK := s.invoiceHealth()
	if inv != nil {
		body["invoicing"] = inv
	}
	if d.Full {
		body["status"], body["disk"] = "degraded", "full"
		return c.Status(fiber.StatusServiceUnavailable).JSON(body)
	}
	if !invOK {
		// Every sale needs its invoice: while none can be issued, none sells.
		body["status"] = "degraded"
		return c.Status(fiber.StatusServiceUnavailable).JSON(body)
	}
	return c.JSON(body)
}

// ---- catalog ----

// productView is a product as the API shows it.
type productView struct {
	pos.Product
	ProducerName string `json:"producer"`
	Province     string `json:"province,omitempty"`
	CertValid    bool   `json:"cert_valid"`
}

func (s *Server) view(p *pos.Product, stock map[string]int64, now time.Time) productView {
	v := productView{Product: *p, CertValid: p.CertValid(now)}
	pr := (*s.producers.Load())[p.ProducerID]
	v.ProducerName, v.Province = pr.Name, pr.Province
	if n, ok := stock[p.SKU]; ok {
		v.Stock = n
	}
	return v
}

func queryInt(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("%s=%q: want a whole number from %d to %d", name, v, lo, hi))
	}
	return n, nil
}

func (s *Server) listProducts(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 50, 1, 1000)
	if err != nil {
		return err
	}
	offset, err := queryInt(c, "offset", 0, 0, 1_000_000)
	if err != nil {
		return err
	}
	stars, err := queryInt(c, "stars", 0, 0, 5)
	if err != nil {
		return err
	}
	q := pos.Query{Text: c.Query("q"), Stars: stars, Group: pos.Group(c.Query("group")), Producer: c.Query("producer"),
		Province: c.Query("province"), Limit: limit, Offset: offset}
	if q.Group != "" && !q.Group.Valid() {
		return newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("group %q: want food, beverage, herbal, handicraft, flower or tourism", q.Group))
	}
	if len(q.Text) > 200 {
		return newAPIError(fiber.StatusBadRequest, "bad_query", "q is longer than 200 bytes")
	}
	res := s.index.Load().Search(q)
	skus := make([]string, len(res.Products))
	for i, p := range res.Products {
		skus[i] = p.SKU
	}
	stock, err := s.store.Stock(skus)
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]productView, len(res.Products))
	for i, p := range res.Products {
		out[i] = s.view(p, stock, now)
	}
	return c.JSON(fiber.Map{"products": out, "total": res.Total, "offset": offset, "limit": limit})
}

// getProduct finds a product by SKU, barcode or GTIN, or by the code a label
// scale printed (a weight- or price-embedded EAN-13 of a -scale-barcode
// layout): then the answer's "scanned" carries the weight to sell.
func (s *Server) getProduct(c *fiber.Ctx) error {
	ix := s.index.Load()
	p := ix.Lookup(c.Params("sku"))
	var label *scannedLabel
	if p == nil {
		var err error
		if p, label, _, err = s.lookupEmbedded(ix, c.Params("sku")); err != nil {
			return err
		}
	}
	if p == nil {
		return fmt.Errorf("%w: product %q", pos.ErrNotFound, c.Params("sku"))
	}
	stock, err := s.store.Stock([]string{p.SKU})
	if err != nil {
		return err
	}
	lots, err := s.store.Lots(p.SKU)
	if err != nil {
		return err
	}
	body := fiber.Map{"product": s.view(p, stock, time.Now()), "lots": lots}
	if label != nil {
		body["scanned"] = label
	}
	return c.JSON(body)
}

func (s *Server) listProducers(c *fiber.Ctx) error {
	m := *s.producers.Load()
	out := make([]pos.Producer, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return c.JSON(fiber.Map{"producers": out})
}

// ---- sales ----

func (s *Server) postSale(c *fiber.Ctx) error {
	var req pos.SaleRequest
	if err := decodeSaleJSON(c, &req); err != nil {
		return err
	}
	// The manager PIN, when it comes with the sale, approves its discounts
	// above the kiosk's limit; a wrong one refuses the sale.
	if c.Get(headerManagerPIN) != "" {
		if err := s.guard.manager(c, s.caller(c)); err != nil {
			return err
		}
		req.Approved = true
	}
	cashier, err := s.restCashier(c)
	if err != nil {
		return err
	}
	req.Cashier = cashier
	sale, replayed, err := s.store.CommitSale(req, c.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	} else {
		s.queue.Wake()
		s.wakeUplink()
	}
	c.Location("/api/v1/sales/" + sale.ID)
	return c.Status(fiber.StatusCreated).JSON(answerSale(sale))
}

// getSale answers one record; a sale that can still be refunded says, line by
// line, what is left to give back ("refundable": units and the serials of
// those still with the customer), for the manager's refund dialog.
func (s *Server) getSale(c *fiber.Ctx) error {
	sale, err := s.store.Sale(c.Params("id"))
	if err != nil {
		return err
	}
	left, err := s.store.Refundable(sale.ID)
	if err != nil {
		return err
	}
	return c.JSON(struct {
		saleAnswer
		Refundable []pos.RefundableLine `json:"refundable,omitempty"`
	}{answerSale(sale), left})
}

// listSales answers, with ?limit= (1–1000, default 100):
//   - ?q=RECEIPT: the record with that receipt number (K01-000123, K01-R1-000004,
//     or just 123 of the main series);
//   - ?order=desc (&before=SEQ): newest first, a page at a time — the manager's
//     list — with the next page's cursor in "next" (0 when none is left);
//   - ?after=SEQ: records after that record sequence, oldest first, a cursor
//     that never skips;
//   - ?since=RFC3339 or YYYY-MM-DD: from the first record made then on, in
//     record order (a clock set back does not hide what came after);
//   - nothing: from the first record.
func (s *Server) listSales(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	if q := strings.TrimSpace(c.Query("q")); q != "" {
		sale, err := s.store.SaleByReceipt(q)
		if errors.Is(err, pos.ErrNotFound) {
			return c.JSON(fiber.Map{"sales": []pos.Sale{}, "count": 0})
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"sales": []pos.Sale{sale}, "count": 1})
	}
	cursor := func(name string) (uint64, error) {
		v := c.Query(name)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("%s=%q: want a record sequence number", name, v))
		}
		return n, nil
	}
	switch c.Query("order", "asc") {
	case "desc":
		before, err := cursor("before")
		if err != nil {
			return err
		}
		sales, next, err := s.store.SalesBefore(before, limit)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"sales": sales, "count": len(sales), "next": next})
	case "asc":
	default:
		return newAPIError(fiber.StatusBadRequest, "bad_query", "order: asc or desc")
	}
	if c.Query("after") != "" {
		seq, err := cursor("after")
		if err != nil {
			return err
		}
		sales, err := s.store.SalesAfter(seq, limit)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"sales": sales, "count": len(sales)})
	}
	since := time.Time{}
	if v := c.Query("since"); v != "" {
		since, err = parseSince(v)
		if err != nil {
			return err
		}
	}
	sales, err := s.store.SalesSince(since, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"sales": sales, "count": len(sales)})
}

func parseSince(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	// A day is a day in Vietnam, as on receipts and the screens, whatever
	// zone the kiosk machine is set to.
	if t, err := time.ParseInLocation(time.DateOnly, v, pos.VietnamTime); err == nil {
		return t, nil
	}
	return time.Time{}, newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("since=%q: want an RFC 3339 time or YYYY-MM-DD", v))
}

func (s *Server) voidSale(c *fiber.Ctx) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptionalJSON(c, &body); err != nil {
		return err
	}
	rec, err := s.store.Void(c.Params("id"), body.Reason)
	if err != nil {
		return err
	}
	return s.afterUndo(c, rec)
}

func (s *Server) refundSale(c *fiber.Ctx) error {
	var rr pos.RefundRequest
	if err := decodeOptionalJSON(c, &rr); err != nil {
		return err
	}
	rec, err := s.store.Refund(c.Params("id"), rr)
	if err != nil {
		return err
	}
	return s.afterUndo(c, rec)
}

func (s *Server) afterUndo(c *fiber.Ctx, rec pos.Sale) error {
	s.queue.Wake()
	s.log.Info("sale undone", "kind", rec.Kind, "receipt", rec.ReceiptNo, "original", rec.Original, "by", who(c))
	return c.Status(fiber.StatusCreated).JSON(answerSale(rec))
}

// syncStatus tells screens how far the upstream sync is: the records waiting in
// the outbox, the hub, whether it is reachable and what it acknowledged, and
// whether receipts are numbered in a provisional series until the hub is reached.
func (s *Server) syncStatus(c *fiber.Ctx) error {
	depth, err := s.store.OutboxDepth()
	if err != nil {
		return err
	}
	num, err := s.store.Numbering()
	if err != nil {
		return err
	}
	if s.uplink == nil {
		return c.JSON(fiber.Map{"hub": "", "linked": false, "hub_reachable": false, "outbox_depth": depth, "last_acked": nil,
			"numbering": num})
	}
	st := s.uplink.Status()
	return c.JSON(fiber.Map{"hub": st.Hub, "linked": true, "hub_reachable": st.Reachable, "outbox_depth": depth,
		"last_acked": st.LastAcked, "last_sync": st.LastSync, "last_error": st.LastError, "numbering": num})
}

// ---- shifts ----

// listShifts answers the shifts newest first, ?limit= (default 100) at a time,
// ?before=SHIFT for the next page (its id is in "next").
func (s *Server) listShifts(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	sh, next, err := s.store.ShiftsBefore(c.Query("before"), limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"shifts": sh, "next": next})
}

func (s *Server) currentShift(c *fiber.Ctx) error {
	z, err := s.store.ShiftReport("")
	if err != nil {
		return err
	}
	return c.JSON(z)
}

func (s *Server) openShift(c *fiber.Ctx) error {
	var body struct {
		Float pos.Money `json:"float"`
	}
	if err := decodeOptionalJSON(c, &body); err != nil {
		return err
	}
	sh, err := s.store.OpenShift(body.Float, who(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sh)
}

func (s *Server) closeShift(c *fiber.Ctx) error {
	var body struct {
		Counted *pos.Money `json:"counted"`
		ShiftID string     `json:"shift_id"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Counted == nil {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_amount", "counted: the cash counted in the drawer is required")
	}
	z, err := s.store.CloseShift(body.ShiftID, *body.Counted, who(c))
	if err != nil {
		return err
	}
	s.queue.Wake()          // CloseShift queued the Z-report in the same transaction
	s.hub.signOutCashiers() // the drawer is counted: the next shift's cashiers sign in anew
	return c.JSON(z)
}

func (s *Server) shiftReport(c *fiber.Ctx) error {
	z, err := s.store.ShiftReport(c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(z)
}

// ---- stock and catalog ----

func (s *Server) adjustStock(c *fiber.Ctx) error {
	var body struct {
		Delta  int64  `json:"delta"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if strings.TrimSpace(body.Reason) == "" {
		return newAPIError(fiber.StatusUnprocessableEntity, "reason_required", "say why the stock changes (delivery, count, breakage…)")
	}
	after, err := s.store.AdjustStock(c.Params("sku"), body.Delta, body.Reason+" ("+who(c)+")")
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"sku": c.Params("sku"), "stock": after})
}

// stockMoves answers the logged stock moves newest first, ?limit= (default 100)
// at a time, ?before=ID for the next page (in "next", 0 when none is left).
func (s *Server) stockMoves(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	before, err := strconv.ParseUint(c.Query("before", "0"), 10, 64)
	if err != nil {
		return newAPIError(fiber.StatusBadRequest, "bad_query", "before: want a stock move id")
	}
	m, next, err := s.store.StockMovesBefore(before, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"moves": m, "next": next})
}

// ---- devices and backup ----

func (s *Server) pairDevice(c *fiber.Ctx) error {
	var body struct {
		Name string `json:"name"`
		Role string `json:"role"`
		Till string `json:"till"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	body.Name = strings.TrimSpace(body.Name)
	if body.Role != "" && body.Role != roleTill && body.Role != roleDisplay && body.Role != roleSelf {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_role", "role: till, display or self")
	}
	if body.Till != "" && !reTill.MatchString(body.Till) {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_till", "till: 1–16 letters, digits or -")
	}
	if body.Name == "" || len(body.Name) > 64 {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_name", "device name: 1 to 64 characters")
	}
	d, tok, err := s.guard.pair(body.Name, body.Role, body.Till)
	if err != nil {
		return err
	}
	s.log.Info("device paired", "device", d.ID, "name", d.Name)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": d.ID, "name": d.Name, "token": tok})
}

func (s *Server) listDevices(c *fiber.Ctx) error {
	ds, err := s.store.Devices()
	if err != nil {
		return err
	}
	type view struct {
		ID      string    `json:"id"`
		Name    string    `json:"name"`
		Created time.Time `json:"created"`
		Revoked bool      `json:"revoked"`
	}
	out := make([]view, 0, len(ds))
	for _, d := range ds {
		out = append(out, view{d.ID, d.Name, d.Created, d.Revoked})
	}
	return c.JSON(fiber.Map{"devices": out})
}

// revokeDevice refuses a device's token from now on and closes its
// websockets at once: a stolen tablet stops selling over the connection it
// holds.
func (s *Server) revokeDevice(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := s.guard.revoke(id); err != nil {
		return err
	}
	n := s.hub.closeDevice(id)
	s.log.Info("device revoked", "device", id, "websockets_closed", n, "by", who(c))
	return c.SendStatus(fiber.StatusNoContent)
}

// backup streams a consistent snapshot of the store while the kiosk keeps selling.
func (s *Server) backup(c *fiber.Ctx) error {
	name := fmt.Sprintf("kiosk-%s-%s.db", s.cfg.KioskID, time.Now().Format("20060102-150405"))
	pr, pw := io.Pipe()
	sizes := make(chan int64, 1)
	go func() {
		_, err := s.store.Backup(pw, func(n int64) { sizes <- n })
		close(sizes)
		pw.CloseWithError(err)
	}()
	size, ok := <-sizes
	if !ok {
		_, err := io.Copy(io.Discard, pr)
		return fmt.Errorf("backup: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/octet-stream")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	s.log.Info("backup download", "bytes", size, "by", who(c))
	return c.SendStream(pr, int(size))
}
