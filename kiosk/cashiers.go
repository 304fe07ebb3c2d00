package kiosk

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Cashiers (pos/cashier.go): the manager names them, each with a PIN; a
// cashier signs in at a till over its websocket, and the till's sales record
// who sold until the cashier signs out (or is removed, the shift is closed,
// or the kiosk restarts). A kiosk with cashiers sells at a till only with one signed in.

// Guessing a cashier's PIN counts against the client's address, on a count
// of its own (a cashier's right PIN forgives that address its cashier slips,
// never its manager-PIN ones: it must not buy guesses at the manager PIN),
// and against the cashier with the manager PIN's own limit (pinPerTarget,
// whose daily budget TestTheGuessingBudgetIsWhatTheREADMESays plays).

// checkCashier signs a cashier in: their PIN, its guess counted.
func (g *guard) checkCashier(who caller, store *pos.Store, id, pin string) (pos.SaleCashier, error) {
	keys := []guessKey{{"cashier-addr:" + who.addr, pinPerAddress}, {"cashier:" + id, pinPerTarget}}
	wait, ok := g.pins.begin(g.clock(), keys...)
	if !ok {
		return pos.SaleCashier{}, newAPIError(fiber.StatusTooManyRequests, "pin_locked", fmt.Sprintf("too many wrong PINs; try again in %d s", retryAfter(wait)))
	}
	c, err := store.CheckCashier(id, pin)
	g.pins.end(g.clock(), err == nil, keys...)
	return c, err
}

// listCashiers answers GET /api/v1/cashiers: the names a till signs in by.
func (s *Server) listCashiers(c *fiber.Ctx) error {
	list, err := s.store.Cashiers()
	if err != nil {
		return err
	}
	out := make([]pos.SaleCashier, len(list))
	for i, ca := range list {
		out[i] = ca.Public()
	}
	return c.JSON(fiber.Map{"cashiers": out})
}

// addCashier answers POST /api/v1/cashiers {"name","pin"} (manager).
func (s *Server) addCashier(c *fiber.Ctx) error {
	var body struct {
		Name string `json:"name"`
		PIN  string `json:"pin"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ca, err := s.store.AddCashier(body.Name, body.PIN)
	if err != nil {
		return err
	}
	s.log.Info("cashier added", "cashier", ca.Name, "by", who(c))
	s.hub.cashiersChanged("")
	return c.Status(fiber.StatusCreated).JSON(ca.Public())
}

// removeCashier answers DELETE /api/v1/cashiers/:id (manager): the cashier
// is signed out of every till.
func (s *Server) removeCashier(c *fiber.Ctx) error {
	id := c.Params("id")
	if err := s.store.RemoveCashier(id); err != nil {
		return err
	}
	s.log.Info("cashier removed", "cashier", id, "by", who(c))
	s.hub.cashiersChanged(id)
	return c.SendStatus(fiber.StatusNoContent)
}

// cashiersRequired says whether a till sells only with a cashier signed in.
func (h *hub) cashiersRequired() bool {
	ok, err := h.s.store.HasCashiers()
	return ok || err != nil
}

// cashiersChanged tells every screen that the cashiers changed, signing the
// removed one (if any) out of the tills.
func (h *hub) cashiersChanged(removed string) {
	required := h.cashiersRequired()
	for _, t := range h.allTills() {
		t.mu.Lock()
		if removed != "" && t.cashier != nil && t.cashier.ID == removed {
			h.setCashier(t, nil, "")
		}
		h.broadcast(t, map[string]any{"type": "cashiers", "required": required})
		t.mu.Unlock()
	}
}

// setCashier makes c who sells at t (nil: no one) and tells t's screens,
// with the ref of the message that asked; t's lock is held.
func (h *hub) setCashier(t *till, c *pos.SaleCashier, ref string) {
	t.cashier = c
	msg := map[string]any{"type": "cashier", "cashier": c}
	if ref != "" {
		msg["ref"] = ref
	}
	h.broadcast(t, msg)
}

// signOutCashiers signs every till's cashier out (a shift closed).
func (h *hub) signOutCashiers() {
	for _, t := range h.allTills() {
		t.mu.Lock()
		if t.cashier != nil {
			h.setCashier(t, nil, "")
		}
		t.mu.Unlock()
	}
}

// cashierSignIn handles cashier.signin {"id","pin"}: only a till signs in.
func (h *hub) cashierSignIn(cl *wsClient, m inMsg) {
	if cl.role != roleTill {
		cl.fail(m.Ref, "forbidden", "only a till signs a cashier in")
		return
	}
	ca, err := h.s.guard.checkCashier(cl.who, h.s.store, m.ID, m.PIN)
	if err != nil {
		cl.failErr(m.Ref, err)
		return
	}
	t := cl.till
	t.mu.Lock()
	h.setCashier(t, &ca, m.Ref)
	t.mu.Unlock()
	h.s.log.Info("cashier signed in", "cashier", ca.Name, "till", t.id)
}

// cashierSignOut handles cashier.signout.
func (h *hub) cashierSignOut(cl *wsClient, m inMsg) {
	if cl.role != roleTill {
		cl.fail(m.Ref, "forbidden", "only a till signs a cashier out")
		return
	}
	t := cl.till
	t.mu.Lock()
	h.setCashier(t, nil, m.Ref)
	t.mu.Unlock()
}

// tillCashier is who sells at t (its lock held): the cashier signed in, or
// ErrCashierRequired on a kiosk with cashiers when none is.
func (h *hub) tillCashier(t *till) (*pos.SaleCashier, error) {
	if t.cashier != nil {
		c := *t.cashier
		return &c, nil
	}
	if h.cashiersRequired() {
		return nil, fmt.Errorf("%w: till %s", pos.ErrCashierRequired, t.id)
	}
	return nil, nil
}

// Headers that name the cashier of a sale made over REST (POST
// /api/v1/sales, an order's confirmation): the REST API has no till session
// to sign in to, so each call says who sells and proves it.
const (
	headerCashierID  = "X-Cashier-Id"
	headerCashierPIN = "X-Cashier-Pin"
)

// restCashier is who sells in a REST call: the cashier its headers name
// (their PIN checked, the guess counted), none when it names none on a kiosk
// without cashiers, or ErrCashierRequired.
func (s *Server) restCashier(c *fiber.Ctx) (*pos.SaleCashier, error) {
	id, pin := c.Get(headerCashierID), c.Get(headerCashierPIN)
	if id == "" && pin == "" {
		if s.hub.cashiersRequired() {
			return nil, fmt.Errorf("%w: name the cashier with %s and %s", pos.ErrCashierRequired, headerCashierID, headerCashierPIN)
		}
		return nil, nil
	}
	ca, err := s.guard.checkCashier(s.caller(c), s.store, id, pin)
	if err != nil {
		return nil, err
	}
	return &ca, nil
}
