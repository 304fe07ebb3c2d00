package sync

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/web"
)

// The managers' sign-in to the report pages. The sign-in form takes the admin
// token once and starts a server-side session (session.go); the browser keeps
// only the session's random id, in a cookie no script reads (HttpOnly), no
// other site's page sends (SameSite=Strict) and, over TLS, no plain-HTTP page
// sees (Secure). Each form that changes something — signing in, signing out —
// carries a token of its own and must come from the hub's own origin, so that
// a foreign page can neither sign a manager out nor sign a browser in. Every
// check of the admin token, here or as a bearer header, goes through the
// login limiter (loginlimit.go).

const (
	sessionCookie = "hub_session"
	// signinCookie is the twin of the sign-in form's token: a page of another
	// site can post the form but can neither read this cookie nor make the
	// browser send it.
	signinCookie     = "hub_signin"
	signinCookieLife = 12 * time.Hour
	// legacyCookie is where earlier hubs kept the admin token itself; it is
	// cleared wherever a browser still sends it.
	legacyCookie = "hub_admin"
	csrfLocal    = "hub_csrf"
)

// hubAuth is the hub's sign-in state: the sessions and the login limits,
// kept by the store when it keeps them (SessionStore), in memory otherwise.
type hubAuth struct {
	store SessionStore
	now   func() time.Time
}

// auth is the hub's sign-in state, made on first use so that a Hub built as a
// struct literal (as tests do) has one too.
func (h *Hub) auth() *hubAuth {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.signin == nil {
		st, ok := h.Store.(SessionStore)
		if !ok {
			st = NewMemorySessions()
		}
		h.signin = &hubAuth{store: st, now: time.Now}
	}
	return h.signin
}

// adminToken compares tok with the admin token, counted by the login limiter
// for the request's address. wait > 0 means the address (or the hub as a
// whole) must wait that long, and tok was not compared.
func (h *Hub) adminToken(c *fiber.Ctx, tok string) (right bool, wait time.Duration, err error) {
	done, wait, err := h.auth().attempt(c.IP())
	if err != nil || wait > 0 {
		return false, wait, err
	}
	right = tok != "" && len(h.AdminHash) > 0 && subtle.ConstantTimeCompare(TokenHash(tok), h.AdminHash) == 1
	if err := done(right); err != nil {
		return false, 0, err
	}
	if !right {
		h.Log.Warn("wrong admin token", "addr", c.IP(), "path", c.Path())
	}
	return right, 0, nil
}

// waitSeconds is a wait as whole seconds, rounded up, for Retry-After.
func waitSeconds(wait time.Duration) int { return int((wait + time.Second - 1) / time.Second) }

// signinLocked answers a token that was not compared because of the limits.
func signinLocked(c *fiber.Ctx, wait time.Duration) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(waitSeconds(wait)))
	return jsonError(c, fiber.StatusTooManyRequests, "signin_locked",
		fmt.Sprintf("too many wrong admin tokens: try again in %d s", waitSeconds(wait)))
}

// reportAuth lets through the admin token as a bearer header, or a live
// session: 401 without either (or with an ended session), 403 with a wrong
// token, 429 while the limits hold. A browser asking for a page gets the
// sign-in form with that status instead of JSON.
func (h *Hub) reportAuth(c *fiber.Ctx) error {
	if c.Cookies(legacyCookie) != "" {
		clearCookie(c, legacyCookie, "/reports")
	}
	if tok := bearerToken(c); tok != "" {
		right, wait, err := h.adminToken(c, tok)
		switch {
		case err != nil:
			return err
		case wait > 0 && !wantsHTML(c):
			return signinLocked(c, wait)
		case wait > 0:
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(waitSeconds(wait)))
			return h.signinPage(c, fiber.StatusTooManyRequests, lockedMessage(wait), reportNext(c.OriginalURL()))
		case !right:
			return h.reportDenied(c, fiber.StatusForbidden, "forbidden", "wrong admin token",
				"Mã quản trị sai · The admin token is wrong.")
		}
		return c.Next()
	}
	id := c.Cookies(sessionCookie)
	if id == "" {
		return h.reportDenied(c, fiber.StatusUnauthorized, "unauthorized", "sign in at /reports/login, or send the admin token as Authorization: Bearer", "")
	}
	csrf, live, err := h.auth().lookupSession(id)
	if err != nil {
		return err
	}
	if !live {
		clearCookie(c, sessionCookie, "/")
		return h.reportDenied(c, fiber.StatusUnauthorized, "unauthorized", "the session has ended (signed out, unused for 12 hours, 3 days old, or kept in the memory of a hub that restarted): sign in again at /reports/login",
			"Phiên đăng nhập đã kết thúc: đăng nhập lại · The session has ended: sign in again.")
	}
	c.Locals(csrfLocal, csrf)
	return c.Next()
}

func wantsHTML(c *fiber.Ctx) bool { return strings.Contains(c.Get(fiber.HeaderAccept), "text/html") }

func lockedMessage(wait time.Duration) string {
	s := waitSeconds(wait)
	return fmt.Sprintf("Quá nhiều lần nhập sai mã: thử lại sau %d giây · Too many wrong tokens: try again in %d s.", s, s)
}

func (h *Hub) reportDenied(c *fiber.Ctx, status int, code, msg, pageMsg string) error {
	if !wantsHTML(c) {
		return jsonError(c, status, code, msg)
	}
	return h.signinPage(c, status, pageMsg, reportNext(c.OriginalURL()))
}

// reportNav is a page's header: its sign-out form carries the session's
// CSRF token.
func reportNav(c *fiber.Ctx, current string) web.ReportNav {
	csrf, _ := c.Locals(csrfLocal).(string)
	return web.ReportNav{Current: current, CSRF: csrf}
}

// reportNext keeps a return path only when it is one of the report pages, so
// the sign-in form cannot be made to redirect anywhere else.
func reportNext(u string) string {
	if strings.HasPrefix(u, "/reports/") && !strings.HasPrefix(u, "/reports/log") && !strings.ContainsAny(u, "\\\r\n") {
		return u
	}
	return ""
}

// signinPage answers the sign-in form, with the browser's sign-in cookie
// (kept when it has a sound one, so that two open forms both work) and the
// same value as the form's token.
func (h *Hub) signinPage(c *fiber.Ctx, status int, msg, next string) error {
	if c.Cookies(legacyCookie) != "" {
		clearCookie(c, legacyCookie, "/reports")
	}
	tok := c.Cookies(signinCookie)
	if !soundSecret(tok) {
		var err error
		if tok, err = newSecret(); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: signinCookie, Value: tok, Path: "/reports/login", MaxAge: int(signinCookieLife / time.Second),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https"})
	p := web.HubLoginPage{Message: msg, Next: next, CSRF: tok}
	return renderReportPage(c, status, func(w io.Writer) error { return web.RenderHubLoginPage(w, p) })
}

// soundSecret is a value newSecret could have made: anything else in a
// cookie is replaced, never echoed into the page.
func soundSecret(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

func (h *Hub) reportLoginForm(c *fiber.Ctx) error {
	return h.signinPage(c, fiber.StatusOK, "", reportNext(c.Query("next")))
}

// sameOrigin tells a form posted by one of the hub's own pages: its Origin
// (or, when a browser sends none, its Referer) names the host the request
// was sent to. "Origin: null" — a sandboxed frame, a data: page — is foreign.
// A request with neither header (a script, not a browser) still needs the
// form's token.
func sameOrigin(c *fiber.Ctx) bool {
	from := c.Get(fiber.HeaderOrigin)
	if from == "" {
		if from = c.Get(fiber.HeaderReferer); from == "" {
			return true
		}
	}
	u, err := url.Parse(from)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, c.Hostname())
}

// formTokenOK compares a form's token with the one it must match.
func formTokenOK(got, want string) bool {
	return want != "" && len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// reportLogin takes the form's admin token and, when it is right, starts a
// session and sets its cookie.
func (h *Hub) reportLogin(c *fiber.Ctx) error {
	next := reportNext(c.FormValue("next"))
	if !sameOrigin(c) || !formTokenOK(c.FormValue("csrf"), c.Cookies(signinCookie)) {
		h.Log.Warn("sign-in form refused: not posted by the hub's own page", "addr", c.IP(), "origin", c.Get(fiber.HeaderOrigin))
		return h.signinPage(c, fiber.StatusForbidden,
			"Biểu mẫu không phải của trang này hoặc đã hết hạn: hãy đăng nhập lại · The form was not this page's or had expired: sign in again.", next)
	}
	right, wait, err := h.adminToken(c, strings.TrimSpace(c.FormValue("token")))
	if err != nil {
		return err
	}
	if wait > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(waitSeconds(wait)))
		return h.signinPage(c, fiber.StatusTooManyRequests, lockedMessage(wait), next)
	}
	if !right {
		return h.signinPage(c, fiber.StatusForbidden, "Sai mã quản trị · Wrong admin token.", next)
	}
	id, _, err := h.auth().startSession()
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: id, Path: "/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https"})
	h.Log.Info("manager signed in", "addr", c.IP())
	if next == "" {
		next = "/reports/reconciliation"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// reportLogout ends the session, on the hub and in the browser, when the
// page's own sign-out form asks: posted from the hub's origin with the
// session's token. Anything else changes nothing.
func (h *Hub) reportLogout(c *fiber.Ctx) error {
	if !sameOrigin(c) {
		return jsonError(c, fiber.StatusForbidden, "csrf_failed", "sign out with the form of the hub's own page")
	}
	id := c.Cookies(sessionCookie)
	csrf, live, err := h.auth().lookupSession(id)
	if err != nil {
		return err
	}
	if !live { // nothing to end
		if id != "" {
			clearCookie(c, sessionCookie, "/")
		}
		return c.Redirect("/reports/login", fiber.StatusSeeOther)
	}
	if !formTokenOK(c.FormValue("csrf"), csrf) {
		h.Log.Warn("sign-out refused: no or wrong form token", "addr", c.IP())
		return jsonError(c, fiber.StatusForbidden, "csrf_failed", "sign out with the form of the hub's own page")
	}
	if err := h.auth().endSession(id); err != nil {
		return err
	}
	clearCookie(c, sessionCookie, "/")
	return c.Redirect("/reports/login", fiber.StatusSeeOther)
}

func clearCookie(c *fiber.Ctx, name, path string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, Expires: time.Unix(1, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https"})
}
