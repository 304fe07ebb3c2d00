package kiosk

import (
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/printer"
	"github.com/ocop-kiosk/kiosk/web"
)

// Pairing codes: six digits, single-use, short-lived. Claiming one is public
// (the screen has no token yet), so guesses are limited twice over:
//
//   - per client address: pairingMaxClaims wrong codes lock the address out
//     for 5 minutes, doubling with each lockout in a row up to an hour;
//   - per pairing window: pairingMaxWrong wrong codes in all, from any
//     address, while codes are open cancel every open code. The manager
//     shows a new one; the guesses spent on the old ones are worth nothing.
//
// At most pairingMaxOpen codes are open at once, so a guess hits one of at
// most that many codes out of a million.
const (
	pairingTTL       = 5 * time.Minute
	pairingMaxClaims = 10
	pairingMaxWrong  = 20
	pairingMaxOpen   = 5
)

var claimPerAddress = guessLimit{Failures: pairingMaxClaims, Base: 5 * time.Minute, Max: time.Hour,
	ForgetFailures: pairingTTL, ForgetLevel: 24 * time.Hour, ForgiveOnRight: true}

// pairing holds the codes a manager has shown and not yet claimed.
type pairing struct {
	claims *guesses

	mu    sync.Mutex
	codes map[string]pairingCode
	wrong int // wrong claims, from anywhere, since codes have been open
	now   func() time.Time
}

type pairingCode struct {
	Till, Role string
	Expires    time.Time
}

func newPairing() *pairing {
	return &pairing{claims: newGuesses(), codes: map[string]pairingCode{}, now: time.Now}
}

// expire drops the codes whose time is up; the caller holds p.mu. A window
// with no code open owes nothing: the count of wrong claims starts again.
func (p *pairing) expire(now time.Time) {
	for code, pc := range p.codes {
		if now.After(pc.Expires) {
			delete(p.codes, code)
		}
	}
	if len(p.codes) == 0 {
		p.wrong = 0
	}
}

// newPairing makes a code for a screen: POST /api/v1/pairing {"till","role"},
// both optional (T1, display). Anything else in the body is refused, and a
// refused request leaves no code behind.
func (s *Server) newPairing(c *fiber.Ctx) error {
	var body struct {
		Till string `json:"till"`
		Role string `json:"role"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Till == "" {
		body.Till = "T1"
	}
	if body.Role == "" {
		body.Role = roleDisplay
	}
	if !reTill.MatchString(body.Till) {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_till", "till: 1–16 letters, digits or -")
	}
	if body.Role != roleTill && body.Role != roleDisplay && body.Role != roleSelf {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_role", "role: till, display or self")
	}
	p := s.pairs
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.expire(now)
	for len(p.codes) >= pairingMaxOpen {
		oldest := ""
		for code, pc := range p.codes {
			if oldest == "" || pc.Expires.Before(p.codes[oldest].Expires) {
				oldest = code
			}
		}
		delete(p.codes, oldest)
	}
	var code string
	for {
		var err error
		if code, err = randomDigits(6); err != nil {
			return err
		}
		if _, taken := p.codes[code]; !taken {
			break
		}
	}
	pc := pairingCode{Till: body.Till, Role: body.Role, Expires: now.Add(pairingTTL)}
	p.codes[code] = pc
	origin := s.origin(c)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"code": code, "till": pc.Till, "role": pc.Role,
		"expires": pc.Expires, "url": strings.TrimRight(origin, "/") + "/pair?code=" + code})
}

// claimPairing trades a code for a device token: POST /pair/claim {"code"}.
// It is public (the screen has no token yet): see the limits above.
func (s *Server) claimPairing(c *fiber.Ctx) error {
	var body struct {
		Code string `json:"code"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	code := strings.TrimSpace(body.Code)
	p := s.pairs
	client := clientAddress(c)
	keys := []guessKey{{"addr:" + client, claimPerAddress}}
	// Claims are checked and settled under p.mu, so none is in flight when
	// another begins (begin never has to wait for one).
	p.mu.Lock()
	now := p.now()
	p.expire(now)
	wait, ok := p.claims.begin(now, keys...)
	if !ok {
		p.mu.Unlock()
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retryAfter(wait)))
		return newAPIError(fiber.StatusTooManyRequests, "too_many_attempts", fmt.Sprintf("too many wrong codes; try again in %d s", retryAfter(wait)))
	}
	pc, found := p.codes[code]
	p.claims.end(now, found, keys...)
	if !found {
		if len(p.codes) > 0 {
			p.wrong++
			if p.wrong >= pairingMaxWrong {
				s.log.Warn("pairing codes cancelled: too many wrong codes were tried", "codes", len(p.codes), "wrong", p.wrong, "last_client", client)
				clear(p.codes)
				p.wrong = 0
			}
		}
		p.mu.Unlock()
		return newAPIError(fiber.StatusNotFound, "bad_code", "unknown or expired pairing code")
	}
	delete(p.codes, code)
	p.expire(now)
	p.mu.Unlock()
	d, tok, err := s.guard.pair(fmt.Sprintf("%s %s (%s)", pc.Role, pc.Till, client), pc.Role, pc.Till)
	if err != nil {
		return err
	}
	s.log.Info("screen paired", "device", d.ID, "till", pc.Till, "role", pc.Role, "client", client)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "till": pc.Till, "role": pc.Role, "device_id": d.ID})
}

// webRoutes serves the screens (web/static) and the Vietnamese font. The pages
// and scripts are public; everything they show comes through the guarded API
// and websocket.
func (s *Server) webRoutes() {
	static := web.Static()
	page := func(name string) fiber.Handler {
		return func(c *fiber.Ctx) error {
			b, err := fs.ReadFile(static, name)
			if err != nil {
				return fmt.Errorf("page %s: %w", name, err)
			}
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			c.Set(fiber.HeaderCacheControl, "no-cache")
			return c.Send(b)
		}
	}
	for route, file := range map[string]string{"/": "index.html", "/till": "till.html", "/display": "display.html",
		"/self": "self.html", "/manager": "manager.html", "/pair": "pair.html"} {
		s.route("GET", route, page(file))
	}
	s.route("GET", "/fonts/vn.ttf", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "font/ttf")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(printer.FontTTF())
	})
	s.route("GET", "/static/*", func(c *fiber.Ctx) error {
		name := c.Params("*")
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return newAPIError(fiber.StatusNotFound, "not_found", "no such file")
		}
		c.Type(strings.TrimPrefix(extOf(name), "."))
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Send(b)
	})
}

// lanIP is the kiosk's first IPv4 address that is not loopback, or "".
func lanIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}
