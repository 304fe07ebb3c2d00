package kiosk

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// A reverse proxy on the kiosk machine (for TLS) connects from loopback, so
// every request it passes on would look like the kiosk's own screen. Without
// -trusted-proxy, a loopback request that carries a forwarding header is
// therefore taken for what it is — some client behind some proxy — and not
// for the kiosk's own screen. With -trusted-proxy, requests from the proxy's
// address are taken to come from the client its X-Forwarded-For names.

// forwardingHeaders are the headers proxies add to name the client.
var forwardingHeaders = []string{fiber.HeaderXForwardedFor, "Forwarded", "X-Real-Ip"}

// parseTrustedProxies reads -trusted-proxy: addresses or CIDR prefixes.
func parseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range list {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a prefix such as 127.0.0.1 or 10.0.0.0/24", v)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// normalizeAccess checks -trusted-proxy and -hosts.
func (c *Config) normalizeAccess() error {
	var err error
	if c.trustedProxies, err = parseTrustedProxies(c.TrustedProxies); err != nil {
		return err
	}
	hosts := c.Hosts[:0:0]
	for _, h := range c.Hosts {
		if strings.TrimSpace(h) == "" {
			continue
		}
		if n := hostName(strings.TrimSpace(h)); n == "" || strings.ContainsAny(strings.TrimSpace(h), "/ @?#") {
			return fmt.Errorf("host %q: want a name or address the kiosk is reached by, such as kiosk.local", h)
		}
		hosts = append(hosts, strings.TrimSpace(h))
	}
	c.Hosts = hosts
	return nil
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client making the request, and whether it
// is the kiosk machine itself (not through a proxy it does not trust).
func (s *Server) clientAddr(c *fiber.Ctx) (addr string, local bool) {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String(), false
	}
	remote = remote.Unmap()
	if s.trustedProxy(remote) {
		if xff := c.Get(fiber.HeaderXForwardedFor); xff != "" {
			return s.forwardedClient(xff)
		}
		// The proxy always names its client; a request without the name
		// came straight from the proxy's machine, unless it carries another
		// forwarding header the kiosk does not read.
	}
	if remote.IsLoopback() && forwarded(c) {
		return remote.String(), false
	}
	return remote.String(), remote.IsLoopback()
}

// forwardedClient walks X-Forwarded-For from the right, past the trusted
// proxies, to the first address a trusted proxy saw: what lies to its left
// the client wrote itself and proves nothing.
func (s *Server) forwardedClient(xff string) (string, bool) {
	hops := strings.Split(xff, ",")
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Not an address: the client cannot be told, and is no local one.
			return strings.TrimSpace(hops[i]), false
		}
		last = a.Unmap()
		if !s.trustedProxy(last) {
			break
		}
	}
	return last.String(), last.IsLoopback()
}

func forwarded(c *fiber.Ctx) bool {
	for _, h := range forwardingHeaders {
		if c.Get(h) != "" {
			return true
		}
	}
	return false
}

// isLoopback says whether the request comes from the kiosk machine itself,
// not through a proxy it does not trust.
func isLoopback(c *fiber.Ctx) bool {
	if v, ok := c.Locals(localsCaller).(caller); ok {
		return v.local
	}
	ip := net.ParseIP(c.Context().RemoteIP().String())
	return ip != nil && ip.IsLoopback() && !forwarded(c)
}

// clientAddress is the client's address as the kiosk counts it (the proxy's
// client behind a trusted proxy), for limits kept per client.
func clientAddress(c *fiber.Ctx) string {
	if v, ok := c.Locals(localsCaller).(caller); ok {
		return v.addr
	}
	return c.Context().RemoteIP().String()
}
