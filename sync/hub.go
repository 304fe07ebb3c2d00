package sync

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// Hub is the central hub's HTTP side: kiosk registration, the uplink, and the
// managers' listing of what arrived.
type Hub struct {
	Store Store
	mu    sync.Mutex
	subs  map[chan struct{}]bool // connected uplinks, told of catalog and promotion changes
	// closing, once closed, ends every uplink (CloseUplinks); uplinks counts
	// those running, added to only under mu while closing is open.
	closing chan struct{}
	closed  bool
	uplinks sync.WaitGroup
	// AdminHash is the SHA-256 of the admin token (the token itself is shown
	// once and never stored).
	AdminHash []byte
	Log       *slog.Logger
	app       *fiber.App
	signin    *hubAuth // sessions and login limits, made on first use (signin.go), kept by Store when it is a SessionStore
	// trusted, when set, hears the address of each kiosk whose token was
	// accepted: the listener keeps room for kiosks during a flood (run.go).
	trusted func(net.IP)
	// Delivery, when set, delivers the kiosks' invoices to their sellers'
	// providers (invoicedelivery.go); woken after every ingest.
	Delivery *Delivery
}

// NewToken makes a random token (for kiosks and the admin).
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// RegisterKiosk creates a kiosk and returns its token, shown once.
func RegisterKiosk(st Store, id string) (string, error) {
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	if err := st.AddKiosk(id, TokenHash(tok)); err != nil {
		return "", err
	}
	return tok, nil
}

// RegisterKioskWithBlock registers a kiosk with its block of the MCCQT counter
// reserved (zero: none; the hub allocates one when it links). A block that
// overlaps another kiosk's is refused, and the kiosk is not registered.
func RegisterKioskWithBlock(st Store, id string, block pos.InvoiceBlock) (string, error) {
	if block.IsZero() {
		return RegisterKiosk(st, id)
	}
	is, ok := st.(InvoiceStore)
	if !ok {
		return "", errors.New("this hub's store keeps no invoice blocks")
	}
	if err := is.CheckInvoiceBlock(id, block); err != nil {
		return "", err
	}
	tok, err := RegisterKiosk(st, id)
	if err != nil {
		return "", err
	}
	return tok, is.ReserveInvoiceBlock(id, block)
}

// decodeBody reads a request body that must be one JSON object of known fields:
// `null`, an array, unknown fields or trailing data are refused (the caller
// answers bad_json), so that a stray body can never pass for a request.
func decodeBody(c *fiber.Ctx, v any) error {
	body := bytes.TrimSpace(c.Body())
	if len(body) == 0 || body[0] != '{' {
		return errors.New("the body must be one JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

func jsonError(c *fiber.Ctx, status int, code, msg string) error {
	return c.Status(status).JSON(fiber.Map{"error": fiber.Map{"code": code, "message": msg}})
}

// App builds the hub's Fiber app.
func (h *Hub) App() *fiber.App {
	if h.app != nil {
		return h.app
	}
	if h.Log == nil {
		h.Log = slog.Default()
	}
	// A request must arrive whole within ReadTimeout (a half-sent one holds its
	// connection no longer), an answer (an export) be taken within
	// WriteTimeout; the uplink's websocket is exempt and keeps its own
	// deadlines.
	app := fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 1 << 20, Network: "tcp",
		ReadTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: time.Minute,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			var fe *fiber.Error
			if errors.As(err, &fe) {
				return jsonError(c, fe.Code, "bad_request", fe.Message)
			}
			h.Log.Error("hub request", "path", c.Path(), "err", err)
			return jsonError(c, 500, "internal", "internal error")
		}})
	app.Use(web.SecurityHeaders)
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok", "role": "hub"}) })
	app.Get("/01/*", h.trace)
	app.Get("/.well-known/gs1resolver", h.resolverDescription)
	app.Options("/01/*", web.Preflight) // a CORS preflight of a resolver's client
	app.Options("/.well-known/gs1resolver", web.Preflight)
	api := app.Group("/api/v1")
	api.Get("/uplink", h.uplinkGate, websocket.New(h.uplink, websocket.Config{HandshakeTimeout: 10 * time.Second}))
	h.publicEPCIS(api) // before the admin group: without a token, no sales
	admin := api.Group("", h.admin)
	admin.Post("/kiosks", h.addKiosk)
	admin.Get("/kiosks", h.listKiosks)
	admin.Delete("/kiosks/:id", h.revokeKiosk)
	admin.Post("/kiosks/:id/invoice-block", h.nextInvoiceBlock)
	admin.Get("/sales", h.listSales)
	admin.Get("/catalog", h.getCatalog)
	admin.Post("/catalog/import", h.importCatalog)
	admin.Put("/products/:sku/price", h.setPrice)
	admin.Put("/products/:sku", h.putProduct)
	admin.Get("/portal/export", h.portalExport)
	h.promotionRoutes(admin)
	h.reportRoutes(app, admin)
	h.invoiceRoutes(app, admin)
	h.epcisRoutes(admin)
	h.app = app
	return app
}

func bearerToken(c *fiber.Ctx) string {
	a := c.Get(fiber.HeaderAuthorization)
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// admin lets through the admin token as a bearer header; wrong tokens count
// towards the same limits as the sign-in form's.
func (h *Hub) admin(c *fiber.Ctx) error {
	tok := bearerToken(c)
	if tok == "" {
		return jsonError(c, fiber.StatusUnauthorized, "unauthorized", "send the admin token as Authorization: Bearer")
	}
	right, wait, err := h.adminToken(c, tok)
	if err != nil {
		return err
	}
	if wait > 0 {
		return signinLocked(c, wait)
	}
	if !right {
		return jsonError(c, fiber.StatusForbidden, "forbidden", "wrong admin token")
	}
	return c.Next()
}

func (h *Hub) addKiosk(c *fiber.Ctx) error {
	var body struct {
		ID           string `json:"id"`
		InvoiceBlock string `json:"invoice_block"` // "N" or "FROM-TO": registered ahead
	}
	if err := decodeBody(c, &body); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
	}
	block, err := invoiceBlockParam(body.InvoiceBlock)
	if err != nil {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_invoice_block", err.Error())
	}
	tok, err := RegisterKioskWithBlock(h.Store, strings.ToUpper(strings.TrimSpace(body.ID)), block)
	switch {
	case errors.Is(err, ErrInvoiceBlockOverlap):
		return jsonError(c, fiber.StatusConflict, "invoice_block_overlap", err.Error())
	case errors.Is(err, ErrBadKioskID):
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_kiosk_id", err.Error())
	case errors.Is(err, ErrKioskExists):
		return jsonError(c, fiber.StatusConflict, "kiosk_exists", err.Error())
	case err != nil:
		return err
	}
	h.Log.Info("kiosk registered", "kiosk", body.ID)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": strings.ToUpper(strings.TrimSpace(body.ID)), "token": tok})
}

// nextInvoiceBlock gives a kiosk whose block of the MCCQT counter runs out its
// next ({"invoice_block": "N" or "FROM-TO"}, or {} for the lowest free one):
// the old block stays the kiosk's, and the kiosk is sent the next when it
// links (at once when it is linked: its uplink is woken).
func (h *Hub) nextInvoiceBlock(c *fiber.Ctx) error {
	is, ok := h.Store.(InvoiceStore)
	if !ok {
		return jsonError(c, fiber.StatusNotImplemented, "no_invoicing", "this hub's store keeps no invoices")
	}
	var body struct {
		InvoiceBlock string `json:"invoice_block"`
	}
	if len(c.Body()) > 0 {
		if err := decodeBody(c, &body); err != nil {
			return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
		}
	}
	block, err := invoiceBlockParam(body.InvoiceBlock)
	if err != nil {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_invoice_block", err.Error())
	}
	id := strings.ToUpper(c.Params("id"))
	got, err := is.NextInvoiceBlock(id, block)
	switch {
	case errors.Is(err, ErrUnknownKiosk):
		return jsonError(c, fiber.StatusNotFound, "unknown_kiosk", err.Error())
	case errors.Is(err, ErrInvoiceBlockOverlap):
		return jsonError(c, fiber.StatusConflict, "invoice_block_overlap", err.Error())
	case errors.Is(err, ErrInvoiceBlocksFull):
		return jsonError(c, fiber.StatusConflict, "invoice_blocks_full", err.Error())
	case err != nil:
		return err
	}
	h.Log.Info("next invoice block", "kiosk", id, "block", got.String())
	h.catalogChanged() // a linked kiosk is sent it at once
	return c.JSON(fiber.Map{"kiosk": id, "invoice_block": got.String(), "from": got.From, "to": got.To})
}

func (h *Hub) listKiosks(c *fiber.Ctx) error {
	ks, err := h.Store.Kiosks()
	if err != nil {
		return err
	}
	type view struct {
		ID            string          `json:"id"`
		Revoked       bool            `json:"revoked"`
		Acked         uint64          `json:"acked"`
		LastContact   time.Time       `json:"last_contact,omitzero"`
		Depth         int             `json:"unsynced"`
		Lost          []pos.SeqRange  `json:"lost,omitempty"`
		LastError     string          `json:"last_error,omitempty"`
		LastErrorTime time.Time       `json:"last_error_time,omitzero"`
		Invoicing     *KioskInvoicing `json:"invoicing,omitempty"`
	}
	out := []view{}
	for _, k := range ks {
		out = append(out, view{k.ID, k.Revoked, k.Acked, k.LastContact, k.Depth, k.Lost, k.LastError, k.LastErrorTime, k.Invoicing})
	}
	return c.JSON(fiber.Map{"kiosks": out})
}

func (h *Hub) revokeKiosk(c *fiber.Ctx) error {
	if err := h.Store.RevokeKiosk(c.Params("id")); err != nil {
		if errors.Is(err, ErrUnknownKiosk) {
			return jsonError(c, fiber.StatusNotFound, "unknown_kiosk", err.Error())
		}
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// listSales answers GET /api/v1/sales?kiosk=&after=&limit= with one page of
// what arrived, by kiosk and record sequence; next is the after of the next
// page, empty on the last.
func (h *Hub) listSales(c *fiber.Ctx) error {
	kiosk := c.Query("kiosk")
	if kiosk != "" {
		if err := CheckKioskID(kiosk); err != nil {
			return jsonError(c, fiber.StatusBadRequest, "bad_query", err.Error())
		}
	}
	after, err := ParseSalesCursor(c.Query("after"))
	if err != nil {
		return reportQueryError(c, err)
	}
	limit := DefaultSalesPage
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > MaxSalesPage {
			return jsonError(c, fiber.StatusBadRequest, "bad_query", fmt.Sprintf("limit=%q, want 1 to %d", v, MaxSalesPage))
		}
	}
	sales, more, err := h.Store.SalesPage(kiosk, after, limit)
	if err != nil {
		return fmt.Errorf("sales listing: %w", err)
	}
	next := ""
	if more {
		next = CursorOf(sales[len(sales)-1]).String()
	}
	return c.JSON(fiber.Map{"sales": sales, "count": len(sales), "next": next})
}

// The sales listing's page sizes: a page is held whole while it is sent.
const (
	DefaultSalesPage = 1000
	MaxSalesPage     = 5000
)

// uplinkGate checks the kiosk's id and token before the websocket handshake.
func (h *Hub) uplinkGate(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return jsonError(c, fiber.StatusUpgradeRequired, "upgrade_required", "the uplink is a websocket")
	}
	id := c.Get("X-Kiosk-Id")
	k, err := h.Store.Kiosk(id)
	if err != nil {
		return jsonError(c, fiber.StatusUnauthorized, "unknown_kiosk", "kiosk "+id+" is not registered on this hub")
	}
	if err := checkToken(k, bearerToken(c)); err != nil {
		code := "bad_token"
		if errors.Is(err, ErrRevoked) {
			code = "revoked"
		}
		return jsonError(c, fiber.StatusForbidden, code, err.Error())
	}
	if h.trusted != nil {
		h.trusted(c.Context().RemoteIP())
	}
	c.Locals("kiosk", id)
	return c.Next()
}

// uplink receives a kiosk's batches and heartbeats, sends back its records when
// it recovers a store, and sends it the central catalog and the central
// promotions whenever what it holds differs from the hub's. A reader goroutine
// hands messages over; this goroutine is the connection's only writer.
func (h *Hub) uplink(conn *websocket.Conn) {
	id, _ := conn.Locals("kiosk").(string)
	closing, ok := h.uplinkStarts()
	if !ok {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "hub stopping"), time.Now().Add(time.Second))
		return
	}
	defer h.uplinks.Done()
	known, _ := strconv.ParseUint(conn.Headers("X-Catalog-Version"), 10, 64)
	// A kiosk that follows the hub's promotions says which set it holds; one
	// that does not (made before them) is sent none, which it would not know.
	followsPromos := conn.Headers("X-Promotions-Version") != ""
	promoVersion, _ := strconv.ParseUint(conn.Headers("X-Promotions-Version"), 10, 64)
	promoDigest := conn.Headers("X-Promotions-Digest")
	conn.SetReadLimit(MaxMessage)
	send := func(m any) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
		return conn.WriteJSON(m) == nil
	}
	k, err := h.Store.Kiosk(id)
	if err != nil {
		return
	}
	invStore, _ := h.Store.(InvoiceStore)
	followsInvoices := conn.Headers("X-Invoicing") != "" && invStore != nil
	if followsInvoices && !h.invoiceGreeting(id, invStore, conn.Headers, send) {
		return
	}
	// Tell the kiosk where the hub stands, so it resumes (or recovers) from there.
	if !send(Message{Type: "ack", Seq: k.Acked, LastSeq: k.Top}) {
		return
	}
	statesSent := uint64(0)
	if k.Invoicing != nil {
		statesSent = k.Invoicing.StatesAcked
	}
	sendStates := func() bool {
		for followsInvoices {
			states, last, err := invStore.InvoiceStates(id, statesSent, MaxStates)
			if err != nil {
				h.Log.Error("invoice states", "kiosk", id, "err", err)
				return true
			}
			if len(states) == 0 {
				return true
			}
			if !send(Message{Type: "invoice_states", States: states, Seq: last}) {
				return false
			}
			statesSent = last
		}
		return true
	}
	// The block the kiosk holds now; a next block the hub gives it while it
	// is linked (nextInvoiceBlock) goes down at the next wake.
	var blockHeld pos.InvoiceBlock
	if followsInvoices {
		if k, err := h.Store.Kiosk(id); err == nil && k.Invoicing != nil {
			blockHeld = k.Invoicing.Block
		}
	}
	sendBlock := func() bool {
		if !followsInvoices {
			return true
		}
		k, err := h.Store.Kiosk(id)
		if err != nil || k.Invoicing == nil || k.Invoicing.Block == blockHeld || k.Invoicing.Block.IsZero() {
			return true
		}
		b := k.Invoicing.Block
		h.Log.Info("invoice block sent to kiosk", "kiosk", id, "block", b.String())
		if !send(Message{Type: "invoice_block", Block: &b}) {
			return false
		}
		blockHeld = b
		return true
	}
	changed := h.subscribe()
	defer h.unsubscribe(changed)
	sendCatalog := func() bool {
		cv, delta, err := h.Store.CatalogSince(known)
		if err != nil {
			h.Log.Error("central catalog", "err", err)
			return true
		}
		if cv.Version == 0 || cv.Version == known {
			return true
		}
		parts := catalogParts(cv)
		for i, p := range parts {
			if !send(CatalogMessage{Type: "catalog", Catalog: p, Part: i + 1, Parts: len(parts), Delta: delta}) {
				return false
			}
		}
		known = cv.Version
		return true
	}
	sendPromotions := func() bool {
		if !followsPromos {
			return true
		}
		cp, err := centralPromotions(h.Store)
		if err != nil {
			h.Log.Error("central promotions", "err", err)
			return true
		}
		if cp.Digest == promoDigest || cp.Version == 0 && promoVersion == 0 {
			return true // the kiosk has this set, or the hub never had one
		}
		parts := promotionParts(cp)
		for i := range parts {
			if !send(Message{Type: "promotions", Promotions: &parts[i], Part: i + 1, Parts: len(parts)}) {
				return false
			}
		}
		promoVersion, promoDigest = cp.Version, cp.Digest
		return true
	}
	if !sendCatalog() || !sendPromotions() || !sendStates() {
		return
	}
	done := make(chan struct{})
	in, readErr, readerEnded := readMessages(conn, 2*time.Minute, done)
	defer func() {
		// The websocket library takes the connection back for reuse once this
		// returns: the reader must have stopped first (closing ends a read
		// under way).
		close(done)
		_ = conn.Close()
		<-readerEnded
	}()
	for {
		select {
		case err := <-readErr:
			if errors.Is(err, fws.ErrReadLimit) { // fasthttp's, which the contrib package does not re-export
				msg := fmt.Sprintf("a message from the kiosk was over %d bytes and was refused", MaxMessage)
				h.Log.Warn("uplink message too large", "kiosk", id)
				_ = h.Store.UplinkError(id, msg, time.Now())
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseMessageTooBig, "message too large"), time.Now().Add(time.Second))
			}
			return
		case <-changed:
			if !sendCatalog() || !sendPromotions() || !sendStates() || !sendBlock() {
				return
			}
		case <-closing:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "hub stopping"), time.Now().Add(time.Second))
			return
		case m := <-in:
			if !h.handleUplink(id, m, send) {
				return
			}
			// Another hub process on a shared database may have settled
			// invoices this one was not told of: each heartbeat brings them.
			if m.Type == "heartbeat" && followsInvoices && !sendStates() {
				return
			}
			if m.Type == "recover" && followsInvoices {
				// A store being recovered lost the states it had: the next
				// connection starts from none (this one, once the kiosk has
				// its records back, asks with invoice_states_from).
				statesSent = 0
				_ = invStore.AckInvoiceStates(id, 0)
			}
			if m.Type == "invoice_states_from" && followsInvoices {
				// A kiosk that recovered its store asks for the states again.
				statesSent = m.Seq
				_ = invStore.AckInvoiceStates(id, m.Seq)
				if !sendStates() {
					return
				}
			}
		}
	}
}

func (h *Hub) handleUplink(id string, m Message, send func(any) bool) bool {
	refuse := func(code string, err error) bool {
		h.Log.Warn("uplink message refused", "kiosk", id, "type", m.Type, "err", err)
		_ = h.Store.UplinkError(id, code+": "+err.Error(), time.Now())
		return send(Message{Type: "error", Code: code, Message: err.Error()})
	}
	switch m.Type {
	case "batch":
		if len(m.Records) > MaxBatch {
			return refuse("batch_too_large", fmt.Errorf("%d records, at most %d a batch", len(m.Records), MaxBatch))
		}
		acked, err := h.Store.Ingest(id, m.Records, time.Now())
		if err != nil {
			return refuse("batch_refused", err)
		}
		if h.Delivery != nil {
			h.Delivery.Wake()
		}
		return send(Message{Type: "ack", Seq: acked})
	case "recover":
		recs, more, err := h.Store.KioskRecords(id, m.Seq, MaxBatch)
		if err != nil {
			return refuse("recover_failed", err)
		}
		k, err := h.Store.Kiosk(id)
		if err != nil {
			return refuse("recover_failed", err)
		}
		if fit := fitRecords(recs); len(fit) < len(recs) {
			recs, more = fit, true
		}
		h.Log.Info("kiosk recovering its store", "kiosk", id, "after", m.Seq, "records", len(recs))
		return send(Message{Type: "records", Records: recs, Seq: k.Acked, More: more})
	case "lost":
		acked, err := h.Store.MarkLost(id, m.Ranges, time.Now())
		if err != nil {
			return refuse("lost_refused", err)
		}
		h.Log.Warn("kiosk reports records lost with its old store", "kiosk", id, "ranges", m.Ranges)
		return send(Message{Type: "ack", Seq: acked})
	case "heartbeat":
		_ = h.Store.Heartbeat(id, m.Depth, time.Now())
		return true
	case "catalog_ack", "promotions_ack":
		return true
	case "invoice_states_ack":
		if is, ok := h.Store.(InvoiceStore); ok {
			_ = is.AckInvoiceStates(id, m.Seq)
		}
		return true
	case "invoice_states_from":
		return true // the connection's loop sends them
	case "error":
		h.Log.Warn("kiosk reports an uplink problem", "kiosk", id, "code", m.Code, "message", m.Message)
		_ = h.Store.UplinkError(id, "kiosk: "+m.Code+": "+m.Message, time.Now())
		return true
	}
	return send(Message{Type: "error", Code: "unknown_type", Message: "unknown message type " + m.Type})
}

// uplinkStarts counts an uplink in, unless the hub is stopping; closing ends
// it.
func (h *Hub) uplinkStarts() (closing <-chan struct{}, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing == nil {
		h.closing = make(chan struct{})
	}
	if h.closed {
		return nil, false
	}
	h.uplinks.Add(1)
	return h.closing, true
}

// CloseUplinks closes every kiosk's uplink (websocket close 1001, going away)
// and waits for their handlers to end. A stopping hub calls it before its
// store closes: the server's shutdown does not wait for websockets, whose
// handlers would go on with a closed store while each kiosk, still connected
// to nothing, waits for a hub that is gone.
func (h *Hub) CloseUplinks() {
	h.mu.Lock()
	if h.closing == nil {
		h.closing = make(chan struct{})
	}
	if !h.closed {
		h.closed = true
		close(h.closing)
	}
	h.mu.Unlock()
	h.uplinks.Wait()
}

// subscribe registers a connection for catalog and promotion changes.
func (h *Hub) subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan struct{}]bool{}
	}
	h.subs[ch] = true
	h.mu.Unlock()
	return ch
}

func (h *Hub) unsubscribe(ch chan struct{}) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

// catalogChanged tells every connected kiosk's connection to look at the
// central catalog and promotions again (each is sent only when it differs from
// what the kiosk holds).
func (h *Hub) catalogChanged() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// importCatalog takes a CSV (?kind=producers|products|lots) or an .xlsx
// workbook into the central catalog as a new version; bad rows come back with
// their row numbers and nothing changes.
func (h *Hub) importCatalog(c *fiber.Ctx) error {
	data := c.Body()
	var cat pos.Catalog
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		cat, err = pos.ParseCatalogXLSX(c.Query("kind"), bytes.NewReader(data))
	} else {
		cat, err = pos.ParseCatalogCSV(c.Query("kind"), bytes.NewReader(data))
	}
	if err != nil {
		var ie *pos.ImportError
		if errors.As(err, &ie) {
			return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{"code": "import_rejected", "message": ie.Error(), "details": ie}})
		}
		return jsonError(c, fiber.StatusBadRequest, "bad_query", err.Error())
	}
	cv, err := h.Store.PutCatalog(cat, time.Now())
	if err != nil {
		return jsonError(c, fiber.StatusUnprocessableEntity, "import_rejected", err.Error())
	}
	h.catalogChanged()
	return c.JSON(fiber.Map{"version": cv.Version, "products": len(cv.Products)})
}

// setPrice changes one product's central price: PUT /api/v1/products/{sku}/price {"price"}.
func (h *Hub) setPrice(c *fiber.Ctx) error {
	var body struct {
		Price pos.Money `json:"price"`
	}
	if err := decodeBody(c, &body); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
	}
	cv, err := h.Store.Catalog()
	if err != nil {
		return err
	}
	for _, p := range cv.Products {
		if p.SKU == c.Params("sku") {
			p.Price = body.Price
			next, err := h.Store.PutCatalog(pos.Catalog{Products: []pos.Product{p}}, time.Now())
			if err != nil {
				return jsonError(c, fiber.StatusUnprocessableEntity, "bad_price", err.Error())
			}
			h.catalogChanged()
			return c.JSON(fiber.Map{"version": next.Version, "sku": p.SKU, "price": p.Price})
		}
	}
	return jsonError(c, fiber.StatusNotFound, "unknown_sku", "no product "+c.Params("sku")+" in the central catalog")
}

// putProduct creates or replaces one product of the central catalog: PUT
// /api/v1/products/{sku} with the product as JSON (its producer must exist).
func (h *Hub) putProduct(c *fiber.Ctx) error {
	var p pos.Product
	if err := decodeBody(c, &p); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
	}
	p.SKU = c.Params("sku")
	cv, err := h.Store.PutCatalog(pos.Catalog{Products: []pos.Product{p}}, time.Now())
	if err != nil {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_product", err.Error())
	}
	h.catalogChanged()
	return c.JSON(fiber.Map{"version": cv.Version, "sku": p.SKU})
}

func (h *Hub) getCatalog(c *fiber.Ctx) error {
	cv, err := h.Store.Catalog()
	if err != nil {
		return err
	}
	return c.JSON(cv)
}
