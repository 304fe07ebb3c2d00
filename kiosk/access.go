package kiosk

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// access is who may call a route: a set of callers, and whether the manager
// PIN is needed on top.
type access uint8

// The callers. A request is made by exactly one of them (caller.kind).
const (
	// byLAN is anyone on the fair's network without a device token: a
	// phone scanning a label, a tourist's laptop, an attacker.
	byLAN access = 1 << iota
	// byKiosk is the kiosk's own screen: a connection from the kiosk machine
	// itself (loopback), not through a proxy, with no device token.
	byKiosk
	// byTill is a screen paired as a till (or paired with no role, as the
	// first paired screens were).
	byTill
	// byDisplay is a screen paired as a customer display.
	byDisplay
	// bySelf is a screen paired as tourist self-service.
	bySelf
	// needsPIN asks for the manager PIN (or, from the kiosk machine, the
	// control token) on top of being one of the callers.
	needsPIN
)

// Sets of callers the table uses.
const (
	everyone = byLAN | byKiosk | byTill | byDisplay | bySelf
	screens  = byKiosk | byTill | byDisplay | bySelf // every paired screen and the kiosk's own
	browsing = byKiosk | byTill | bySelf             // screens that show the catalog
	tills    = byKiosk | byTill                      // screens that sell
	manager  = tills | needsPIN                      // a till with the manager PIN
)

// routeRule is one route and who may call it.
type routeRule struct {
	Method, Path string
	Access       access
}

// routeTable is every route the kiosk serves and who may call it: the one
// place access is decided. Routes are registered through it (Server.route),
// a route missing from it stops the kiosk from starting, and
// TestEveryRouteAnswersEachCallerAsTheTableSays walks every route the app
// holds with every caller. The README's role table is made from it.
//
// A customer display and a self-service screen read only what their screens
// show: the display its till's cart over the websocket, self-service the
// catalog and the orders it made. Neither reads sales (with their e-receipt
// ids), shift cash, print jobs, the catalog export, or sends a PIN.
var routeTable = []routeRule{
	// Public: the pages and their files, trace pages, e-receipts by their
	// unguessable id, and the pairing claim of a screen that has no token yet.
	{"GET", "/healthz", everyone},
	{"GET", "/", everyone},
	{"GET", "/till", everyone},
	{"GET", "/display", everyone},
	{"GET", "/self", everyone},
	{"GET", "/manager", everyone},
	{"GET", "/pair", everyone},
	{"GET", "/fonts/vn.ttf", everyone},
	{"GET", "/static/*", everyone},
	{"POST", "/pair/claim", everyone},
	{"GET", "/01/*", everyone},
	{"GET", "/.well-known/gs1resolver", everyone},
	{"OPTIONS", "/01/*", everyone},
	{"OPTIONS", "/.well-known/gs1resolver", everyone},
	{"GET", "/r/:id", everyone},
	{"GET", "/r/:id/invoices/:key.xml", everyone},
	{"GET", "/img/:name", everyone},

	{"GET", "/ws", screens},
	{"GET", "/api/v1/me", screens},

	{"GET", "/api/v1/products", browsing},
	{"GET", "/api/v1/products/:sku", browsing},
	{"GET", "/api/v1/producers", browsing},
	{"GET", "/api/v1/promotions", browsing},
	{"GET", "/api/v1/promotions/:id", browsing},
	{"GET", "/api/v1/orders", browsing},
	{"GET", "/api/v1/orders/:ref", browsing},

	{"GET", "/api/v1/lots", tills},
	{"GET", "/api/v1/lots/:sku/:lot", tills},
	{"GET", "/api/v1/epcis/events", everyone}, // sales only for tills (epcis.go)
	{"POST", "/api/v1/sales", tills},
	{"GET", "/api/v1/sales", tills},
	{"GET", "/api/v1/sales/:id", tills},
	{"GET", "/api/v1/cashiers", tills},
	{"POST", "/api/v1/sales/:id/reprint", tills},
	{"POST", "/api/v1/orders", tills},
	{"POST", "/api/v1/orders/:id/confirm", tills},
	{"POST", "/api/v1/orders/:id/cancel", tills},
	{"GET", "/api/v1/shifts", tills},
	{"GET", "/api/v1/shifts/current", tills},
	{"POST", "/api/v1/shifts/open", tills},
	{"GET", "/api/v1/shifts/:id/report", tills},
	{"POST", "/api/v1/shifts/:id/print", tills},
	{"GET", "/api/v1/sync", tills},
	{"GET", "/api/v1/printers", tills},
	{"GET", "/api/v1/print-jobs", tills},
	{"GET", "/api/v1/scale", tills},
	{"GET", "/api/v1/catalog/export", tills},
	{"GET", "/api/v1/stock/low", tills},

	{"POST", "/api/v1/lots", manager},
	{"PUT", "/api/v1/lots/:sku/:lot", manager},
	{"POST", "/api/v1/lots/:sku/:lot/events", manager},
	{"POST", "/api/v1/lots/:sku/:lot/labels", manager},
	{"POST", "/api/v1/lots/:sku/:lot/stamps", manager},
	{"GET", "/api/v1/lots/:sku/:lot/stamps", manager},
	{"GET", "/api/v1/lots/:sku/:lot/stamps/:run", manager},
	{"POST", "/api/v1/lots/:sku/:lot/stamps/:run/reprint", manager},
	{"POST", "/api/v1/lots/:sku/:lot/stamps/:run/:action", manager},
	{"GET", "/api/v1/scans/flagged", manager},
	{"GET", "/api/v1/portal/export", manager},
	{"GET", "/api/v1/manager/check", manager},
	{"POST", "/api/v1/sales/:id/void", manager},
	{"POST", "/api/v1/sales/:id/refund", manager},
	{"POST", "/api/v1/shifts/close", manager},
	{"POST", "/api/v1/printers/:name/test", manager},
	{"POST", "/api/v1/stock/:sku", manager},
	{"GET", "/api/v1/stock/moves", manager},
	{"PUT", "/api/v1/stock/low", manager},
	{"POST", "/api/v1/catalog/import", manager},
	{"POST", "/api/v1/catalog/images", manager},
	{"POST", "/api/v1/products/:sku/image", manager},
	{"POST", "/api/v1/pairing", manager},
	{"POST", "/api/v1/devices", manager},
	{"GET", "/api/v1/devices", manager},
	{"POST", "/api/v1/cashiers", manager},
	{"DELETE", "/api/v1/cashiers/:id", manager},
	{"DELETE", "/api/v1/devices/:id", manager},
	{"GET", "/api/v1/backup", manager},
	{"GET", "/api/v1/invoices", manager},
	{"GET", "/api/v1/invoices/:symbol/:number.xml", manager},
	{"GET", "/api/v1/invoicing", manager},
	{"POST", "/api/v1/promotions", manager},
	{"PUT", "/api/v1/promotions/:id", manager},
	{"DELETE", "/api/v1/promotions/:id", manager},
}

// accessOf finds a route's rule; HEAD is answered as GET.
func accessOf(method, path string) (access, bool) {
	if method == fiber.MethodHead {
		method = fiber.MethodGet
	}
	for _, r := range routeTable {
		if r.Method == method && r.Path == path {
			return r.Access, true
		}
	}
	return 0, false
}

// admits says whether the caller kind may call the route (the PIN aside).
func (a access) admits(kind access) bool { return a&kind != 0 }

// route registers a route with the access its table row gives it, checked
// before its handlers. A route the table does not name is an error.
func (s *Server) route(method, path string, handlers ...fiber.Handler) {
	a, ok := accessOf(method, path)
	if !ok {
		s.unlisted = append(s.unlisted, method+" "+path)
		return
	}
	hs := append([]fiber.Handler{s.allow(a)}, handlers...)
	if method == fiber.MethodGet {
		s.app.Get(path, hs...) // and HEAD
		return
	}
	s.app.Add(method, path, hs...)
}

// caller is who makes a request.
type caller struct {
	kind   access     // byLAN, byKiosk, byTill, byDisplay or bySelf
	device pos.Device // the paired screen, for byTill, byDisplay, bySelf
	addr   string     // the client's address, which guesses are counted against
	// local is a connection from the kiosk machine itself that did not come
	// through a proxy (or came through a trusted one for a loopback client).
	local bool
	// badToken is a device token that is unknown or revoked.
	badToken bool
}

func (c caller) String() string {
	switch c.kind {
	case byKiosk:
		return "local"
	case byLAN:
		return "lan:" + c.addr
	}
	return "device:" + c.device.Name
}

// roleName is how errors and GET /api/v1/me name a caller.
func (c caller) roleName() string {
	switch c.kind {
	case byKiosk:
		return "kiosk"
	case byTill:
		return roleTill
	case byDisplay:
		return roleDisplay
	case bySelf:
		return roleSelf
	}
	return "lan"
}

func kindOf(d pos.Device) access {
	switch d.Role {
	case roleDisplay:
		return byDisplay
	case roleSelf:
		return bySelf
	}
	return byTill
}

const localsCaller = "kiosk.caller"

// caller works out who makes the request, once per request. A device token,
// when one is sent, decides, also on the kiosk machine itself: a screen paired
// as a customer display is one wherever it runs. The websocket takes the
// token from ?token= too (a browser cannot set headers on it).
func (s *Server) caller(c *fiber.Ctx) caller {
	if v, ok := c.Locals(localsCaller).(caller); ok {
		return v
	}
	addr, local := s.clientAddr(c)
	who := caller{kind: byLAN, addr: addr, local: local}
	tok := bearer(c)
	if tok == "" && c.Path() == "/ws" {
		tok = c.Query("token")
	}
	switch {
	case tok != "":
		if d, ok := s.guard.device(tok); ok {
			who.device, who.kind = d, kindOf(d)
			s.guard.deviceHeard(c)
		} else {
			who.badToken = true
		}
	case local:
		who.kind = byKiosk
	}
	c.Locals(localsCaller, who)
	return who
}

// allow checks a route's access before its handlers: who the caller is, that
// the route admits it, the manager PIN where the route needs it, and that a
// state change comes from a page of the kiosk's own (sameSite).
func (s *Server) allow(a access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		who := s.caller(c)
		c.Locals("who", who.String())
		if !a.admits(byLAN) {
			if err := s.admit(c, who, a); err != nil {
				return err
			}
		}
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions: // they change nothing
		default:
			if err := s.sameSite(c); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

// admit answers 401 to a caller without credentials, 403 to a token the
// kiosk does not know and to a caller the route does not admit, and asks for
// the manager PIN where the route needs it.
func (s *Server) admit(c *fiber.Ctx, who caller, a access) error {
	switch {
	case who.badToken:
		return newAPIError(fiber.StatusForbidden, "forbidden", "device token unknown or revoked")
	case who.kind == byLAN:
		return newAPIError(fiber.StatusUnauthorized, "unauthorized", "this API answers the kiosk itself and paired devices; pair this device from the manager page")
	}
	// A screen that never uses the PIN may not try it, anywhere: its token
	// (on a tablet facing the public) is not a way to guess the PIN.
	if (who.kind == byDisplay || who.kind == bySelf) && c.Get(headerManagerPIN) != "" {
		return newAPIError(fiber.StatusForbidden, "not_allowed", fmt.Sprintf("this screen was paired as a %s: it does not use the manager PIN", who.roleName()))
	}
	if !a.admits(who.kind) {
		return newAPIError(fiber.StatusForbidden, "not_allowed", fmt.Sprintf("this screen was paired as a %s: %s %s is not for it", who.roleName(), c.Method(), c.Route().Path))
	}
	if a&needsPIN != 0 {
		return s.guard.manager(c, who)
	}
	return nil
}

// me tells a screen who the kiosk takes it for: GET /api/v1/me.
func (s *Server) me(c *fiber.Ctx) error {
	who := s.caller(c)
	out := fiber.Map{"role": who.roleName()}
	if who.device.ID != "" {
		out["device_id"], out["name"], out["till"] = who.device.ID, who.device.Name, who.device.Till
	}
	return c.JSON(out)
}

// routesNotInTable is an error naming routes registered without a rule.
func routesNotInTable(missing []string) error {
	return fmt.Errorf("routes without an access rule in routeTable: %s", strings.Join(missing, ", "))
}
