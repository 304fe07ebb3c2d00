package kiosk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The websocket protocol (web/PROTOCOL.md): version, limits and timing.
const (
	ProtocolVersion = 1
	MaxWSMessage    = 16 << 10
	maxCartLines    = pos.MaxLines
	wsSendQueue     = 256 // messages a slow screen may fall behind before it is dropped
	wsWriteWait     = 10 * time.Second
	wsPongWait      = 60 * time.Second
	wsPingEvery     = 25 * time.Second
)

var reTill = regexp.MustCompile(`^[A-Za-z0-9-]{1,16}$`)

// Roles a screen connects as.
const (
	roleTill    = "till"    // the vendor: changes the cart, checks out
	roleDisplay = "display" // the customer display: read-only
	roleSelf    = "self"    // tourist self-service: changes the cart, checks out as an order
)

// hub holds the server-authoritative carts, one per till, and the screens bound
// to each. A till's lock orders its changes and the messages they send, so every
// screen of a till sees the same sequence of carts.
type hub struct {
	s *Server

	mu      sync.Mutex
	tills   map[string]*till
	closing bool

	orders *pos.OrderBook

	printersMu   sync.Mutex
	lastPrinters []byte
}

type till struct {
	id    string
	mu    sync.Mutex
	lines []cartLine
	// saleDiscount is the till's manual discount on the whole cart, with
	// its reason (cart.discount without a sku).
	saleDiscount *pos.Discount
	saleReason   string
	seq          uint64
	pending      *vietQRPending
	clients      map[*wsClient]struct{}
	// cashier is who sells at the till (cashiers.go), nil when no one has
	// signed in.
	cashier *pos.SaleCashier
}

// cartLine is one product in a till's cart: Qty units, or for a product sold
// by weight WeightG grams (Qty 1), with the till's manual discount on it.
type cartLine struct {
	SKU string
	// Lot and Serials come from scanned Digital Link labels: a line is one
	// product of one lot (or of none), its scanned serials listed.
	Lot      string
	Serials  []string
	Qty      int64
	WeightG  int64
	Discount *pos.Discount // each line holds its own (approvals are written into it)
	Reason   string
}

type vietQRPending struct {
	Payload   string    `json:"payload"`
	Amount    pos.Money `json:"amount"`
	Reference string    `json:"reference"`
	Bank      *bankInfo `json:"bank"` // shown beside the code: who gets the money
}

// wsClient is one screen. Only its writer goroutine writes to the connection.
type wsClient struct {
	conn   *websocket.Conn
	send   chan []byte
	closed chan struct{}
	once   sync.Once
	till   *till
	role   string
	hello  bool
	// orders are the ids of the orders this screen made (only its reader
	// goroutine touches them): a self-service screen may cancel those.
	orders map[string]bool
	// closeCode, when set before closed is closed, is sent as the close frame.
	closeCode int
	closeText string
	// device is the paired device the screen connected as ("" for the
	// kiosk's own screen); revoked is set when that device is revoked.
	device  string
	revoked atomic.Bool
	// who is the caller the screen connected as: a manager PIN sent over
	// the websocket (with a discount) is counted against its keys.
	who caller
	// lang is the language the screen said hello in ("" when it did not
	// say); a checkout that names none records it on the sale.
	lang string
}

func newHub(s *Server) *hub {
	return &hub{s: s, tills: map[string]*till{},
		orders: pos.NewOrderBook(s.store, pos.OrderOptions{TTL: s.cfg.OrderExpiry, Elapsed: s.cfg.orderElapsed})}
}

func (h *hub) tillFor(id string) *till {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.tills[id]
	if t == nil {
		t = &till{id: id, clients: map[*wsClient]struct{}{}}
		h.tills[id] = t
	}
	return t
}

// wsGate checks the page's origin and what the screen's token binds it to
// before the websocket handshake; the access table (allow) has already
// decided whether the caller may connect at all.
func (s *Server) wsGate(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return newAPIError(fiber.StatusUpgradeRequired, "upgrade_required", "this is the websocket endpoint; see web/PROTOCOL.md")
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" && !s.ownOrigin(c, o) {
		return newAPIError(fiber.StatusForbidden, "bad_origin", "websocket from another origin")
	}
	till, role := c.Query("till", "T1"), c.Query("role", roleTill)
	// A screen paired for one till and role stays there.
	if d := s.caller(c).device; d.ID != "" {
		if d.Till != "" && till != d.Till {
			return newAPIError(fiber.StatusForbidden, "forbidden", "this screen was paired with till "+d.Till)
		}
		if d.Role != "" && d.Role != roleTill && role != d.Role {
			return newAPIError(fiber.StatusForbidden, "forbidden", "this screen was paired as a "+d.Role)
		}
		c.Locals(localsWSDevice, d.ID)
	}
	if !reTill.MatchString(till) {
		return newAPIError(fiber.StatusBadRequest, "bad_query", "till: 1–16 letters, digits or -")
	}
	switch role {
	case roleTill, roleDisplay, roleSelf:
	default:
		return newAPIError(fiber.StatusBadRequest, "bad_query", "role: till, display or self")
	}
	s.hub.mu.Lock()
	closing := s.hub.closing
	s.hub.mu.Unlock()
	if closing {
		return newAPIError(fiber.StatusServiceUnavailable, "shutting_down", "the kiosk is shutting down")
	}
	return c.Next()
}

// localsWSDevice carries the paired device's id from the gate to the
// connection, so that revoking the device closes it.
const localsWSDevice = "kiosk.ws.device"

// closeDevice closes every websocket of a device (just revoked) with 1008:
// the screen gets no further answer, and whatever it sends is dropped.
func (h *hub) closeDevice(id string) int {
	n := 0
	for _, t := range h.allTills() {
		t.mu.Lock()
		for cl := range t.clients {
			if cl.device == id {
				cl.revoked.Store(true)
				cl.close(websocket.ClosePolicyViolation, "device revoked")
				n++
			}
		}
		t.mu.Unlock()
	}
	return n
}

// serveWS runs one screen's connection: this goroutine reads, a second one writes.
func (s *Server) serveWS(conn *websocket.Conn) {
	t := s.hub.tillFor(conn.Query("till", "T1"))
	cl := &wsClient{conn: conn, send: make(chan []byte, wsSendQueue), closed: make(chan struct{}),
		till: t, role: conn.Query("role", roleTill), orders: map[string]bool{}}
	cl.device, _ = conn.Locals(localsWSDevice).(string)
	cl.who, _ = conn.Locals(localsCaller).(caller)
	conn.SetReadLimit(MaxWSMessage)
	_ = conn.SetReadDeadline(time.Now().Add(wsPongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wsPongWait)) })

	s.hub.mu.Lock()
	if s.hub.closing {
		s.hub.mu.Unlock()
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "kiosk shutting down"), time.Now().Add(time.Second))
		return
	}
	t.mu.Lock()
	t.clients[cl] = struct{}{}
	t.mu.Unlock()
	s.hub.mu.Unlock()
	// A revocation between the gate and here found no connection to close:
	// look again now that this one is where closeDevice looks.
	if cl.device != "" && !s.guard.activeDevice(cl.device) {
		cl.revoked.Store(true)
		cl.close(websocket.ClosePolicyViolation, "device revoked")
	}

	writerDone := make(chan struct{})
	go cl.writer(writerDone)
	defer func() {
		t.mu.Lock()
		delete(t.clients, cl)
		t.mu.Unlock()
		cl.close(0, "")
		<-writerDone
	}()
	rate := newMsgBucket(time.Now())
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				cl.close(websocket.CloseMessageTooBig, fmt.Sprintf("message larger than %d bytes", MaxWSMessage))
			}
			return
		}
		switch rate.take(time.Now()) {
		case msgRefused:
			cl.fail(refOf(data), "rate_limited", fmt.Sprintf("more than %d messages a second: this one was not handled; slow down", wsRate))
			continue
		case msgFlood:
			drainFlood(conn)
			cl.close(websocket.ClosePolicyViolation, wsRateClose)
			return
		}
		s.hub.handle(cl, data)
	}
}

// writer is the connection's only writer: queued messages, pings, and the close
// frame.
func (cl *wsClient) writer(done chan struct{}) {
	defer close(done)
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	for {
		select {
		case msg := <-cl.send:
			_ = cl.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if err := cl.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				cl.close(0, "")
				cl.conn.Close()
				return
			}
		case <-ping.C:
			if err := cl.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
				cl.close(0, "")
				cl.conn.Close()
				return
			}
		case <-cl.closed:
			// Flush what is queued, then say goodbye.
			for {
				select {
				case msg := <-cl.send:
					_ = cl.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
					if cl.conn.WriteMessage(websocket.TextMessage, msg) != nil {
						cl.conn.Close()
						return
					}
					continue
				default:
				}
				break
			}
			if cl.closeCode != 0 {
				_ = cl.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(cl.closeCode, cl.closeText), time.Now().Add(time.Second))
			}
			cl.conn.Close()
			return
		}
	}
}

// close ends the connection; code, when not 0, goes out as the close frame.
func (cl *wsClient) close(code int, text string) {
	cl.once.Do(func() {
		cl.closeCode, cl.closeText = code, text
		close(cl.closed)
	})
}

// enqueue queues a message for the screen; a screen too slow to keep up is
// dropped (it resyncs when it reconnects) rather than slowing the others.
func (cl *wsClient) enqueue(msg []byte) {
	select {
	case <-cl.closed:
	case cl.send <- msg:
	default:
		cl.close(websocket.ClosePolicyViolation, "too slow: reconnect")
	}
}

// shutdown closes every screen with 1001 (going away) and waits a moment for the
// close frames to go out.
func (h *hub) shutdown() {
	h.mu.Lock()
	h.closing = true
	var all []*wsClient
	for _, t := range h.tills {
		t.mu.Lock()
		for cl := range t.clients {
			all = append(all, cl)
		}
		t.mu.Unlock()
	}
	h.mu.Unlock()
	for _, cl := range all {
		cl.close(websocket.CloseGoingAway, "kiosk shutting down")
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		h.mu.Lock()
		for _, t := range h.tills {
			t.mu.Lock()
			n += len(t.clients)
			t.mu.Unlock()
		}
		h.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ---- messages ----

type inMsg struct {
	Type           string               `json:"type"`
	Ref            string               `json:"ref"`
	V              int                  `json:"v"`
	Lang           string               `json:"lang"`
	SKU            string               `json:"sku"`
	Code           string               `json:"code"`
	Lot            string               `json:"lot"`    // the lot of the line meant (cart.set, cart.remove, cart.discount) or added
	Serial         string               `json:"serial"` // cart.add: one serialised unit of Lot
	Qty            *int64               `json:"qty"`
	WeightG        *int64               `json:"weight_g"`
	Discount       *pos.Discount        `json:"discount"`
	PIN            string               `json:"pin"` // the manager PIN, approving a discount above the limit
	Payments       []pos.PaymentRequest `json:"payments"`
	IdempotencyKey string               `json:"idempotency_key"`
	ID             string               `json:"id"`     // an order
	Reason         string               `json:"reason"` // why an order is cancelled, or a discount given
	Buyer          *pos.Buyer           `json:"buyer"`  // the invoice's buyer, on a checkout when the buyer asks
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are marshalled
	}
	return b
}

func (cl *wsClient) sendJSON(v any) { cl.enqueue(mustJSON(v)) }

func (cl *wsClient) fail(ref, code, msg string) {
	cl.sendJSON(map[string]any{"type": "error", "code": code, "message": msg, "ref": ref})
}

// failErr reports a domain error with the REST API's code.
func (cl *wsClient) failErr(ref string, err error) {
	ae := toAPIError(err)
	var se *stockError
	if errors.As(err, &se) {
		ae = se.apiError() // the product refused, named for the screen
	}
	msg := map[string]any{"type": "error", "code": ae.Code, "message": ae.Message, "ref": ref}
	if ae.Details != nil {
		msg["details"] = ae.Details
	}
	cl.sendJSON(msg)
}

var mutating = map[string]bool{"cart.add": true, "cart.set": true, "cart.remove": true, "cart.clear": true,
	"cart.weight": true, "cart.discount": true, "pay.vietqr": true, "pay.cancel": true, "checkout": true, "order.confirm": true, "order.cancel": true}

// handle processes one message. A bad message gets an error back and changes
// nothing.
func (h *hub) handle(cl *wsClient, data []byte) {
	if cl.revoked.Load() {
		return // the connection is closing; a revoked device is served nothing
	}
	var m inMsg
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		cl.fail("", "bad_json", "malformed JSON: "+err.Error())
		return
	}
	if dec.More() {
		cl.fail(m.Ref, "bad_json", "one JSON object per message")
		return
	}
	if len(m.Ref) > 64 {
		m.Ref = m.Ref[:64]
	}
	if m.Type == "" {
		cl.fail(m.Ref, "bad_json", "a message needs a type")
		return
	}
	if !cl.hello && m.Type != "hello" {
		cl.fail(m.Ref, "hello_required", "say hello first")
		return
	}
	if mutating[m.Type] && cl.role == roleDisplay {
		cl.fail(m.Ref, "forbidden", "a customer display cannot change the cart")
		return
	}
	t := cl.till
	switch m.Type {
	case "hello":
		if m.V != ProtocolVersion {
			cl.fail(m.Ref, "bad_version", fmt.Sprintf("protocol version %d, this kiosk speaks %d", m.V, ProtocolVersion))
			return
		}
		if !pos.ValidLang(m.Lang) {
			cl.fail(m.Ref, "bad_lang", fmt.Sprintf("lang %q: vi or en", m.Lang))
			return
		}
		cl.lang = m.Lang
		t.mu.Lock() // broadcasts read hello under the till's lock
		cl.hello = true
		t.mu.Unlock()
		h.sendState(cl)
	case "sync":
		h.sendState(cl)
	case "ping":
		cl.sendJSON(map[string]any{"type": "pong", "ref": m.Ref})
	case "cart.add", "cart.set", "cart.weight", "cart.remove", "cart.clear":
		t.mu.Lock()
		err := h.changeCart(t, m)
		if err == nil {
			t.seq++
			t.pending = nil // the amount changed: a shown QR is void
			h.broadcastCart(t)
		}
		t.mu.Unlock()
		if err != nil {
			cl.failErr(m.Ref, err)
		}
	case "cart.discount":
		h.cartDiscount(cl, m)
	case "pay.vietqr":
		h.payVietQR(cl, m)
	case "pay.cancel":
		t.mu.Lock()
		if t.pending == nil {
			t.mu.Unlock()
			cl.fail(m.Ref, "no_pending_transfer", "no VietQR transfer is pending")
			return
		}
		t.pending = nil
		h.broadcast(t, map[string]any{"type": "vietqr", "pending": nil})
		t.mu.Unlock()
	case "checkout":
		if cl.role == roleSelf {
			h.selfCheckout(cl, m)
			return
		}
		h.checkout(cl, m)
	case "order.confirm":
		h.confirmOrder(cl, m)
	case "order.cancel":
		h.cancelOrder(cl, m)
	case "sale.find":
		h.findSale(cl, m)
	case "cashier.signin":
		h.cashierSignIn(cl, m)
	case "cashier.signout":
		h.cashierSignOut(cl, m)
	default:
		cl.fail(m.Ref, "unknown_type", fmt.Sprintf("unknown message type %q", m.Type))
	}
}

// wsErr is a protocol error with its code.
type wsErr struct{ code, msg string }

func (e *wsErr) Error() string { return e.msg }

// changeCart applies a cart message under the till's lock; an error leaves the
// cart as it was. The change is made on a copy of the lines, kept only when
// the cart still prices: a quantity that shrinks a line below its discount
// is refused, not shown wrong.
func (h *hub) changeCart(t *till, m inMsg) error {
	qty := int64(1)
	if m.Qty != nil {
		qty = *m.Qty
	}
	lines := slices.Clone(t.lines)
	switch m.Type {
	case "cart.clear":
		t.lines, t.saleDiscount, t.saleReason = nil, nil, ""
		return nil
	case "cart.remove":
		i := findLine(lines, m.SKU, m.Lot)
		if i < 0 {
			return &wsErr{"not_in_cart", fmt.Sprintf("%q is not in the cart", m.SKU)}
		}
		lines = append(lines[:i], lines[i+1:]...)
		return h.keepCart(t, lines)
	}
	it, err := h.cartItem(m)
	if err != nil {
		return err
	}
	p := it.p
	i := findLine(lines, p.SKU, it.lot)
	if p.ByWeight() {
		if it.lot != "" {
			return fmt.Errorf("%w: %s is sold by weight: the till weighs it, it takes no lot or serial", pos.ErrBadWeight, p.SKU)
		}
		return h.changeWeighed(t, lines, i, p, m)
	}
	if m.WeightG != nil || m.Type == "cart.weight" {
		return fmt.Errorf("%w: %s is sold by the unit: send qty, not weight_g", pos.ErrBadWeight, p.SKU)
	}
	var had int64
	if i >= 0 {
		had = lines[i].Qty
	}
	// The product's other lines (of other lots) take from the same stock.
	var others int64
	for j, l := range lines {
		if j != i && l.SKU == p.SKU {
			others += l.Qty
		}
	}
	if m.Type == "cart.set" {
		if qty < 0 || qty > pos.MaxQty {
			return fmt.Errorf("%w: qty %d, want 0 to %d", pos.ErrBadQuantity, qty, pos.MaxQty)
		}
		if it.serial != "" {
			return fmt.Errorf("%w: a serial is added by its scan (cart.add), not set", pos.ErrTooManySerials)
		}
		if i >= 0 && qty > 0 && qty < int64(len(lines[i].Serials)) {
			return fmt.Errorf("%w: %s lot %s: %d units, but %d were scanned by their serial: remove the line and scan again",
				pos.ErrTooManySerials, p.SKU, it.lot, qty, len(lines[i].Serials))
		}
		if err := h.checkStock(p, others+had, others+qty); err != nil {
			return err
		}
		if i < 0 && qty > 0 {
			if len(lines) >= maxCartLines {
				return fmt.Errorf("%w: %d lines", pos.ErrTooManyLines, len(lines))
			}
			lines = append(lines, cartLine{SKU: p.SKU, Lot: it.lot, Qty: qty})
		} else if i >= 0 && qty == 0 {
			lines = append(lines[:i], lines[i+1:]...)
		} else if i >= 0 {
			lines[i].Qty = qty
		}
		return h.keepCart(t, lines)
	}
	// cart.add
	if qty <= 0 || qty > pos.MaxQty {
		return fmt.Errorf("%w: qty %d, want 1 to %d", pos.ErrBadQuantity, qty, pos.MaxQty)
	}
	if had+qty > pos.MaxQty {
		return fmt.Errorf("%w: %d in one line, at most %d", pos.ErrBadQuantity, had+qty, pos.MaxQty)
	}
	if it.serial != "" {
		if err := h.checkCartSerial(lines, i, p, it, qty); err != nil {
			return err
		}
	}
	if err := h.checkStock(p, others+had, others+had+qty); err != nil {
		return err
	}
	if i < 0 {
		if len(lines) >= maxCartLines {
			return fmt.Errorf("%w: %d lines", pos.ErrTooManyLines, len(lines))
		}
		lines = append(lines, cartLine{SKU: p.SKU, Lot: it.lot})
		i = len(lines) - 1
	}
	lines[i].Qty += qty
	if it.serial != "" {
		lines[i].Serials = append(slices.Clip(lines[i].Serials), it.serial)
	}
	return h.keepCart(t, lines)
}

// broadcast sends one message to every screen of t; the caller holds t.mu.
func (h *hub) broadcast(t *till, v any) {
	msg := mustJSON(v)
	for cl := range t.clients {
		if cl.hello {
			cl.enqueue(msg)
		}
	}
}

func (h *hub) broadcastCart(t *till) {
	h.broadcast(t, map[string]any{"type": "cart", "cart": h.view(t)})
}

func (h *hub) sendState(cl *wsClient) {
	t := cl.till
	t.mu.Lock()
	defer t.mu.Unlock()
	cl.sendJSON(map[string]any{"type": "state", "v": ProtocolVersion, "till": t.id, "role": cl.role,
		"cart": h.view(t), "vietqr": t.pending, "printers": h.s.queue.Status(),
		"seller": map[string]string{"name": h.s.cfg.Seller.Name}, "bank": h.s.bank(),
		"orders": h.ordersFor(cl), "order_expiry": int(h.orders.TTL().Seconds()),
		"invoicing": h.s.store.Invoicing().Enabled(), "cashier": t.cashier, "cashiers_required": h.cashiersRequired()})
}

func (h *hub) payVietQR(cl *wsClient, m inMsg) {
	t := cl.till
	if cl.role == roleSelf {
		cl.fail(m.Ref, "forbidden", "self-service pays through an order: send checkout")
		return
	}
	if h.s.cfg.BankBIN == "" {
		cl.fail(m.Ref, "vietqr_not_configured", "no bank account for VietQR: start the kiosk with -bank-bin and -bank-account")
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	v := h.view(t)
	if v.Total <= 0 {
		cl.fail(m.Ref, "empty_cart", "the cart is empty")
		return
	}
	// The reference ties the transfer to this cart; the receipt number is not
	// known until the sale commits.
	q, err := h.s.transfer(v.Total, fmt.Sprintf("%s %s %d", h.s.cfg.KioskID, t.id, t.seq))
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	t.pending = q
	h.broadcast(t, map[string]any{"type": "vietqr", "pending": t.pending})
}

// checkout commits the till's cart as a sale. The till's lock is held through
// the commit, so the cart cannot change under it. A manager PIN sent with it
// approves the cart's discounts above the limit (checked before the lock:
// its hashing takes a while). The sale records the till's language: the
// checkout's lang, else the one the screen said hello in.
func (h *hub) checkout(cl *wsClient, m inMsg) {
	lang := m.Lang
	if lang == "" {
		lang = cl.lang
	}
	if !pos.ValidLang(lang) {
		cl.fail(m.Ref, "bad_lang", fmt.Sprintf("lang %q: vi or en", lang))
		return
	}
	approved, ok := h.approve(cl, m)
	if !ok {
		return
	}
	t := cl.till
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		cl.fail(m.Ref, "empty_cart", "the cart is empty")
		return
	}
	pays := append([]pos.PaymentRequest(nil), m.Payments...)
	for i, p := range pays {
		// The transfer the customer made carries the reference the QR showed:
		// the sale and its receipt keep the same words.
		if p.Method == pos.MethodVietQR && p.Reference == "" && t.pending != nil {
			pays[i].Reference = t.pending.Reference
		}
	}
	cashier, err := h.tillCashier(t)
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	c := t.cart(t.lines)
	req := pos.SaleRequest{Payments: pays, Till: t.id, Lines: c.Lines, Discount: c.Discount,
		DiscountReason: c.DiscountReason, Approved: approved, Lang: lang, Buyer: m.Buyer, Cashier: cashier}
	sale, _, err := h.s.store.CommitSale(req, m.IdempotencyKey)
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	h.s.queue.Wake()
	h.s.wakeUplink()
	t.lines, t.pending, t.saleDiscount, t.saleReason = nil, nil, nil, ""
	t.seq++
	cl.sendJSON(map[string]any{"type": "sale", "sale": answerSale(sale), "ref": m.Ref})
	h.broadcast(t, map[string]any{"type": "sale.done", "id": sale.ID, "receipt_no": sale.ReceiptNo,
		"total": sale.Total, "discount": sale.Discount, "change": sale.Change, "payments": sale.Payments})
	h.broadcastCart(t)
}

// allTills is a snapshot of the tills.
func (h *hub) allTills() []*till {
	h.mu.Lock()
	defer h.mu.Unlock()
	tills := make([]*till, 0, len(h.tills))
	for _, t := range h.tills {
		tills = append(tills, t)
	}
	return tills
}

// broadcastAll sends a message to every screen of every till.
func (h *hub) broadcastAll(v any) {
	for _, t := range h.allTills() {
		t.mu.Lock()
		h.broadcast(t, v)
		t.mu.Unlock()
	}
}

// broadcastRole sends one message to every screen of one role, on every till
// (the scale's weight goes to the tills).
func (h *hub) broadcastRole(role string, v any) {
	msg := mustJSON(v)
	for _, t := range h.allTills() {
		t.mu.Lock()
		for cl := range t.clients {
			if cl.hello && cl.role == role {
				cl.enqueue(msg)
			}
		}
		t.mu.Unlock()
	}
}

// rebroadcastCarts sends every till's cart again (after the catalog changed
// the prices it shows).
func (h *hub) rebroadcastCarts() {
	for _, t := range h.allTills() {
		t.mu.Lock()
		if len(t.lines) > 0 {
			t.seq++
			t.pending = nil // a shown VietQR was for the old amount
			h.broadcastCart(t)
		}
		t.mu.Unlock()
	}
}

// watchPrinters tells every screen when a printer's state changes.
func (h *hub) watchPrinters(stop <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		st := h.s.queue.Status()
		type brief struct{ Name, State, LastError string }
		var key []brief
		for _, p := range st {
			key = append(key, brief{p.Name, p.State, p.LastError})
		}
		b := mustJSON(key)
		h.printersMu.Lock()
		changed := !bytes.Equal(b, h.lastPrinters)
		h.lastPrinters = b
		h.printersMu.Unlock()
		if changed {
			h.broadcastAll(map[string]any{"type": "printers", "printers": st})
		}
	}
}

// wsErr errors map to their own code in toAPIError via this hook.
func (e *wsErr) apiError() *apiError { return &apiError{Status: 400, Code: e.code, Message: e.msg} }
