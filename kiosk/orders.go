package kiosk

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Self-service orders on the kiosk: the tourist's checkout makes an order that
// holds its stock; the till sees the queue of open orders and confirms the
// transfer, takes cash or card for one, or cancels it; orders nobody confirms
// expire and give their stock back. Screens hear of every change at once.

// bankNames are the usual short names of banks by their NAPAS BIN, shown next
// to the VietQR code when -bank-name is not given.
var bankNames = map[string]string{
	"970405": "Agribank", "970436": "Vietcombank", "970415": "VietinBank", "970418": "BIDV",
	"970422": "MB Bank", "970407": "Techcombank", "970416": "ACB", "970432": "VPBank",
	"970423": "TPBank", "970403": "Sacombank", "970437": "HDBank", "970441": "VIB",
	"970443": "SHB", "970431": "Eximbank", "970426": "MSB", "970448": "OCB",
	"970440": "SeABank", "970449": "LPBank", "970452": "KienlongBank", "970454": "BVBank",
}

// bankInfo is the account a VietQR transfer goes to, as screens show it beside
// the code: the payer checks the bank, the number and the holder's name.
type bankInfo struct {
	BIN     string `json:"bin"`
	Name    string `json:"name"`
	Account string `json:"account"`
	Holder  string `json:"holder,omitempty"`
}

// normalizeOrders checks the settings of orders and of the account shown with
// VietQR codes.
func (c *Config) normalizeOrders() error {
	if c.OrderExpiry == 0 {
		c.OrderExpiry = pos.DefaultOrderTTL
	}
	if c.OrderExpiry < time.Minute || c.OrderExpiry > 24*time.Hour {
		return fmt.Errorf("order expiry %s: want 1m to 24h (a tourist needs a few minutes to pay; held stock should not wait for days)", c.OrderExpiry)
	}
	c.BankHolder, c.BankName = strings.TrimSpace(c.BankHolder), strings.TrimSpace(c.BankName)
	if (c.BankHolder != "" || c.BankName != "") && c.BankBIN == "" {
		return fmt.Errorf("-bank-holder and -bank-name describe the VietQR account: give -bank-bin and -bank-account too")
	}
	for name, v := range map[string]string{"bank holder": c.BankHolder, "bank name": c.BankName} {
		if len([]rune(v)) > 70 || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			return fmt.Errorf("%s %q: at most 70 characters, one line", name, v)
		}
	}
	return nil
}

// bank is the VietQR account, or nil when none is set.
func (s *Server) bank() *bankInfo {
	if s.cfg.BankBIN == "" {
		return nil
	}
	name := s.cfg.BankName
	if name == "" {
		name = bankNames[s.cfg.BankBIN]
	}
	if name == "" {
		name = "BIN " + s.cfg.BankBIN
	}
	return &bankInfo{BIN: s.cfg.BankBIN, Name: name, Account: s.cfg.BankAccount, Holder: s.cfg.BankHolder}
}

// transfer is the VietQR request for amount with reference, with the account
// beside it. The reference shown is the one the payload carries (VietQR keeps
// at most 19 ASCII letters, digits and spaces), so screen, bank app, sale and
// receipt read the same.
func (s *Server) transfer(amount pos.Money, reference string) (*vietQRPending, error) {
	payload, err := pos.VietQR{BankBIN: s.cfg.BankBIN, Account: s.cfg.BankAccount, Amount: amount, Reference: reference}.Payload()
	if err != nil {
		return nil, err
	}
	q, err := pos.ParseVietQR(payload)
	if err != nil {
		return nil, err
	}
	return &vietQRPending{Payload: payload, Amount: amount, Reference: q.Reference, Bank: s.bank()}, nil
}

// orderView is an order as screens and the API show it.
type orderView struct {
	pos.Order
	// ExpiresIn is the whole seconds an open order has left as the kiosk
	// counts them; screens count down from it, whatever their own clock says.
	ExpiresIn int `json:"expires_in"`
	// VietQR is the transfer that pays an open order, when the kiosk has a
	// bank account.
	VietQR *vietQRPending `json:"vietqr"`
}

func (s *Server) orderView(o pos.Order) orderView {
	v := orderView{Order: o, ExpiresIn: int(s.hub.orders.Remaining(o).Seconds())}
	if o.State == pos.OrderOpen && s.cfg.BankBIN != "" {
		q, err := s.transfer(o.Total, o.Reference)
		if err != nil {
			s.log.Error("VietQR for an order", "order", o.ID, "err", err)
		}
		v.VietQR = q
	}
	return v
}

// orderChanged tells the screens about an order: every till (the queue), and
// the self-service screens of the till that made it.
func (h *hub) orderChanged(o pos.Order) {
	msg := mustJSON(map[string]any{"type": "order", "order": h.s.orderView(o)})
	for _, t := range h.allTills() {
		t.mu.Lock()
		for cl := range t.clients {
			if cl.hello && (cl.role == roleTill || cl.role == roleSelf && t.id == o.Till) {
				cl.enqueue(msg)
			}
		}
		t.mu.Unlock()
	}
}

// ordersFor lists the open orders a screen sees in its state: the whole queue
// for a till, its own till's for a self-service screen, none for a display.
func (h *hub) ordersFor(cl *wsClient) []orderView {
	out := []orderView{}
	if cl.role == roleDisplay {
		return out
	}
	open, err := h.orders.Orders(pos.OrderOpen, 0)
	if err != nil {
		h.s.log.Error("listing open orders", "err", err)
		return out
	}
	for _, o := range open {
		if cl.role == roleTill || o.Till == cl.till.id {
			out = append(out, h.s.orderView(o))
		}
	}
	return out
}

// watchOrders expires orders whose time is up, once a second.
func (h *hub) watchOrders(stop <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		h.expireOrders()
	}
}

func (h *hub) expireOrders() {
	expired, err := h.orders.Expire()
	if err != nil {
		if !errors.Is(err, pos.ErrClosed) {
			h.s.log.Error("expiring orders", "err", err)
		}
		return
	}
	for _, o := range expired {
		h.s.log.Info("order expired, stock released", "order", o.Code, "till", o.Till, "total", o.Total)
		h.orderChanged(o)
	}
}

// ---- websocket ----

// selfCheckout makes an order of a self-service screen's cart: the cart
// empties, the stock is held, and the screen gets the order with its VietQR
// and pickup code. A retry with the same idempotency key gets the same order.
func (h *hub) selfCheckout(cl *wsClient, m inMsg) {
	t := cl.till
	t.mu.Lock()
	var o pos.Order
	var err error
	if m.IdempotencyKey != "" {
		o, err = h.orders.ByKey(m.IdempotencyKey)
	}
	if m.IdempotencyKey == "" || errors.Is(err, pos.ErrNotFound) {
		if len(t.lines) == 0 {
			t.mu.Unlock()
			cl.fail(m.Ref, "empty_cart", "the cart is empty")
			return
		}
		lang := m.Lang
		if lang == "" {
			lang = cl.lang
		}
		req := pos.OrderRequest{Till: t.id, Lines: t.cart(t.lines).Lines, Lang: lang, Buyer: m.Buyer}
		o, _, err = h.orders.Create(req, m.IdempotencyKey)
		if err == nil {
			t.lines, t.pending = nil, nil
			t.seq++
			h.broadcastCart(t)
		}
	}
	t.mu.Unlock()
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	cl.orders[o.ID] = true
	cl.sendJSON(map[string]any{"type": "order", "order": h.s.orderView(o), "ref": m.Ref})
	h.s.log.Info("self-service order", "order", o.Code, "till", o.Till, "total", o.Total)
	h.orderChanged(o)
}

// confirmOrder turns an order into a sale paid as the till says: the transfer
// arrived, or cash, card, e-wallet or a split taken at the till.
func (h *hub) confirmOrder(cl *wsClient, m inMsg) {
	if cl.role != roleTill {
		cl.fail(m.Ref, "forbidden", "only a till confirms an order")
		return
	}
	t := cl.till
	t.mu.Lock()
	cashier, err := h.tillCashier(t)
	t.mu.Unlock()
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	o, sale, err := h.orders.Confirm(m.ID, m.Payments, cl.till.id, cashier)
	if err != nil {
		if errors.Is(err, pos.ErrOrderExpired) {
			h.expireOrders() // the queue learns at once
		}
		cl.failErr(m.Ref, err)
		return
	}
	h.afterConfirm(o, sale, cl.till)
	cl.sendJSON(map[string]any{"type": "sale", "sale": answerSale(sale), "ref": m.Ref})
}

// afterConfirm prints, ships and tells: the till that took the money (its
// customer display says thank you), the queue, the tourist's screen.
func (h *hub) afterConfirm(o pos.Order, sale pos.Sale, t *till) {
	h.s.queue.Wake()
	h.s.wakeUplink()
	h.s.log.Info("order paid", "order", o.Code, "receipt", sale.ReceiptNo, "till", sale.Till)
	if t != nil {
		t.mu.Lock()
		h.broadcast(t, map[string]any{"type": "sale.done", "id": sale.ID, "receipt_no": sale.ReceiptNo,
			"total": sale.Total, "change": sale.Change, "payments": sale.Payments, "order": o.ID})
		t.mu.Unlock()
	}
	h.orderChanged(o)
}

// cancelOrder lets an order go. A till may cancel any; a self-service screen
// only an order it made itself, and then the goods go back into its cart (the
// tourist went back to change something).
func (h *hub) cancelOrder(cl *wsClient, m inMsg) {
	by := cl.till.id
	if cl.role == roleSelf {
		if !cl.orders[m.ID] {
			cl.fail(m.Ref, "forbidden", "a self-service screen cancels only the order it made")
			return
		}
		by = "self:" + cl.till.id
	}
	o, err := h.orders.Cancel(m.ID, by, m.Reason)
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	if cl.role == roleSelf {
		t := cl.till
		t.mu.Lock()
		if len(t.lines) == 0 {
			t.lines = cartLinesOf(o.Lines)
			t.seq++
			h.broadcastCart(t)
		}
		t.mu.Unlock()
	}
	h.s.log.Info("order cancelled", "order", o.Code, "by", by)
	cl.sendJSON(map[string]any{"type": "order", "order": h.s.orderView(o), "ref": m.Ref})
	h.orderChanged(o)
}

// findSale answers a till that lost the answer to its checkout with the sale
// committed under the checkout's idempotency key, or none. It waits for any
// checkout of the till still being written (the till's lock), so "none" means
// nothing was sold.
func (h *hub) findSale(cl *wsClient, m inMsg) {
	if cl.role != roleTill {
		cl.fail(m.Ref, "forbidden", "only a till looks up its sales")
		return
	}
	t := cl.till
	t.mu.Lock()
	sale, err := h.s.store.SaleByIdempotencyKey(m.IdempotencyKey)
	t.mu.Unlock()
	var found any
	switch {
	case err == nil:
		found = answerSale(sale)
	case !errors.Is(err, pos.ErrNotFound):
		cl.failErr(m.Ref, err)
		return
	}
	cl.sendJSON(map[string]any{"type": "sale.found", "idempotency_key": m.IdempotencyKey, "sale": found, "ref": m.Ref})
}

// ---- REST ----

// screenDevice is the paired device asking, when it was paired as a customer
// display or a self-service screen: those see only what is theirs.
func (s *Server) screenDevice(c *fiber.Ctx) (pos.Device, bool) {
	who := s.caller(c)
	if who.kind != byDisplay && who.kind != bySelf {
		return pos.Device{}, false
	}
	return who.device, true
}

// listOrders answers ?state=open (default), paid, cancelled, expired or all,
// newest first, with ?limit= (default 100).
func (s *Server) listOrders(c *fiber.Ctx) error {
	state := c.Query("state", pos.OrderOpen)
	switch state {
	case pos.OrderOpen, pos.OrderPaid, pos.OrderCancelled, pos.OrderExpired:
	case "all":
		state = ""
	default:
		return newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("state=%q: want open, paid, cancelled, expired or all", state))
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	d, screen := s.screenDevice(c)
	if screen && d.Till == "" {
		return newAPIError(fiber.StatusForbidden, "forbidden", "this screen was paired as a "+d.Role+": it sees the orders of its own till only")
	}
	orders, err := s.hub.orders.Orders(state, 0)
	if err != nil {
		return err
	}
	out := []orderView{}
	for _, o := range orders {
		if len(out) == limit {
			break
		}
		if !screen || o.Till == d.Till {
			out = append(out, s.orderView(o))
		}
	}
	return c.JSON(fiber.Map{"orders": out, "count": len(out)})
}

// getOrder answers an order by id or pickup code. A customer display or
// self-service screen asks by id only (ids are unguessable, codes are not).
func (s *Server) getOrder(c *fiber.Ctx) error {
	ref := c.Params("ref")
	d, screen := s.screenDevice(c)
	if screen && !pos.ValidID(ref) {
		return newAPIError(fiber.StatusForbidden, "forbidden", "this screen was paired as a "+d.Role+": it asks for an order by its id")
	}
	o, err := s.hub.orders.Order(ref)
	if err != nil {
		return err
	}
	if screen && d.Till != "" && o.Till != d.Till {
		return fmt.Errorf("%w: order %q", pos.ErrNotFound, ref)
	}
	return c.JSON(s.orderView(o))
}

// createOrder makes an order from a till or an integration: lines priced by
// the kiosk, stock held. An Idempotency-Key makes a retry return the first.
func (s *Server) createOrder(c *fiber.Ctx) error {
	var req pos.OrderRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Till != "" && !reTill.MatchString(req.Till) {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_till", "till: 1–16 letters, digits or -")
	}
	o, replayed, err := s.hub.orders.Create(req, c.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	} else {
		s.hub.orderChanged(o)
	}
	c.Location("/api/v1/orders/" + o.ID)
	return c.Status(fiber.StatusCreated).JSON(s.orderView(o))
}

// confirmOrder records that an order's money is in: {"payments":[…],
// "till"?}. It answers 201 with the order and the sale it became.
func (s *Server) confirmOrder(c *fiber.Ctx) error {
	var body struct {
		Payments []pos.PaymentRequest `json:"payments"`
		Till     string               `json:"till"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Till != "" && !reTill.MatchString(body.Till) {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_till", "till: 1–16 letters, digits or -")
	}
	cashier, err := s.restCashier(c)
	if err != nil {
		return err
	}
	o, sale, err := s.hub.orders.Confirm(c.Params("id"), body.Payments, body.Till, cashier)
	if err != nil {
		if errors.Is(err, pos.ErrOrderExpired) {
			s.hub.expireOrders()
		}
		return err
	}
	var t *till
	if body.Till != "" {
		t = s.hub.tillFor(body.Till)
	}
	s.hub.afterConfirm(o, sale, t)
	c.Location("/api/v1/sales/" + sale.ID)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"order": s.orderView(o), "sale": answerSale(sale)})
}

// cancelOrder lets an open order go and puts its stock back: {"reason"?}.
func (s *Server) cancelOrder(c *fiber.Ctx) error {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptionalJSON(c, &body); err != nil {
		return err
	}
	o, err := s.hub.orders.Cancel(c.Params("id"), who(c), body.Reason)
	if err != nil {
		return err
	}
	s.log.Info("order cancelled", "order", o.Code, "by", who(c))
	s.hub.orderChanged(o)
	return c.JSON(s.orderView(o))
}
