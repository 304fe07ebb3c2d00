package kiosk

import (
	"fmt"
	"mime"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Loopback is not a credential on its own. Two things stand between a web
// page the kiosk's own browser happens to open and the till API that answers
// that browser:
//
//   - The Host header must name the kiosk: a loopback name or address, one of
//     its LAN addresses, the host of -base-url, its machine name, or a name
//     given with -hosts. DNS rebinding (a foreign name that resolves to the
//     kiosk) is refused for every route, the websocket included.
//   - A state change must come from a page of the kiosk's own origin (sameSite).

// ownHosts knows the names and addresses the kiosk answers to.
type ownHosts struct {
	names map[string]bool // lower case, without port or trailing dot

	mu    sync.Mutex
	addrs map[string]bool // the machine's interface addresses
	at    time.Time       // when addrs was read
}

func newOwnHosts(cfg Config) *ownHosts {
	h := &ownHosts{names: map[string]bool{"localhost": true}}
	for _, n := range cfg.Hosts {
		h.names[hostName(n)] = true
	}
	if cfg.BaseURL != "" {
		if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
			h.names[hostName(u.Host)] = true
		}
	}
	// The machine's own name, and its mDNS name, which tablets on the LAN
	// may use (kiosk-quay-3.local).
	if hn, err := os.Hostname(); err == nil && hn != "" {
		h.names[hostName(hn)] = true
		h.names[hostName(hn)+".local"] = true
	}
	return h
}

// hostName is the host of a Host header or URL authority, as compared.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// owns says whether the kiosk answers to host (a Host header). An empty one
// is no browser's and names nothing to rebind.
func (h *ownHosts) owns(host string) bool {
	name := hostName(host)
	if name == "" || h.names[name] || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip := net.ParseIP(name)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	if ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	return h.isAddr(ip.String())
}

// isAddr looks the address up among the machine's interface addresses, read
// again when one is not found (the fair's DHCP may have handed out a new one)
// at most once a second.
func (h *ownHosts) isAddr(ip string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.addrs[ip] {
		return true
	}
	if time.Since(h.at) < time.Second {
		return false
	}
	h.at = time.Now()
	h.addrs = map[string]bool{}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			h.addrs[n.IP.String()] = true
		}
	}
	return h.addrs[ip]
}

// checkHost refuses a request that names a host the kiosk does not own.
func (s *Server) checkHost(c *fiber.Ctx) error {
	if host := string(c.Request().Host()); !s.hosts.owns(host) {
		return newAPIError(fiber.StatusMisdirectedRequest, "unknown_host",
			fmt.Sprintf("this kiosk does not answer to %q; use its address or a name given with -hosts", host))
	}
	return c.Next()
}

// ownOrigin says whether a browser's Origin is a page of the kiosk: the host
// the request was sent to (which checkHost has found to be the kiosk's), or
// the -base-url origin.
func (s *Server) ownOrigin(c *fiber.Ctx, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false // "null" (a sandboxed page, a redirect) and the like
	}
	if strings.EqualFold(u.Host, string(c.Request().Host())) && s.hosts.owns(u.Host) {
		return true
	}
	if s.cfg.BaseURL != "" {
		if b, err := url.Parse(s.cfg.BaseURL); err == nil && strings.EqualFold(b.Scheme, u.Scheme) && strings.EqualFold(b.Host, u.Host) {
			return true
		}
	}
	return false
}

// headerClient is the header the kiosk's screens send with every API call.
// A page of another origin cannot send it without a CORS preflight, which
// the kiosk never grants.
const headerClient = "X-Kiosk-Client"

// Headers of the kiosk's API that no page of another origin can send without
// a preflight either.
const (
	headerManagerPIN = "X-Manager-Pin"
	headerControl    = "X-Kiosk-Control"
)

// sameSite refuses a state change a page of another origin could have made
// through the kiosk's own browser (cross-site request forgery): one whose
// Origin or Sec-Fetch-Site says it comes from elsewhere, and one that carries
// nothing a foreign page cannot send — a JSON body, or a header such as
// X-Kiosk-Client — since a form or a no-cors fetch sends text/plain,
// form-encoded or multipart bodies, and no custom headers, without asking.
func (s *Server) sameSite(c *fiber.Ctx) error {
	if o := c.Get(fiber.HeaderOrigin); o != "" && !s.ownOrigin(c, o) {
		return newAPIError(fiber.StatusForbidden, "cross_site", fmt.Sprintf("a request from a page of another site (%s) changes nothing here", o))
	}
	switch site := c.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return newAPIError(fiber.StatusForbidden, "cross_site", "a request from a page of another site ("+site+") changes nothing here")
	}
	if !preflighted(c) {
		return newAPIError(fiber.StatusForbidden, "cross_site",
			"a change needs a JSON body (Content-Type: application/json) or the header X-Kiosk-Client: 1, which pages of other sites cannot send")
	}
	return nil
}

// preflighted says whether a browser would have asked (with a CORS preflight)
// before sending this request from another origin.
func preflighted(c *fiber.Ctx) bool {
	for _, h := range []string{headerClient, headerManagerPIN, headerControl, headerCashierPIN, fiber.HeaderAuthorization, "Idempotency-Key"} {
		if c.Get(h) != "" {
			return true
		}
	}
	ct := c.Get(fiber.HeaderContentType)
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return false
	}
	return true
}
