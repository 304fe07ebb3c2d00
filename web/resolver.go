package web

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The GS1 resolver's HTTP side, which the kiosk and the hub share: both serve
// the Digital Link paths and answer ?linkType= the same way.

// HeaderResolverNote tells a client why a resolver answered with the default
// link instead of the link type it asked for.
const HeaderResolverNote = "X-GS1-Resolver-Note"

// DigitalLinkRequest is a request on a Digital Link path split into the
// Digital Link (path and GS1 query, for pos.ParseDigitalLink) and the
// resolver's own query: linkType, and the pages' lang and from, which are not
// part of the identifier.
func DigitalLinkRequest(c *fiber.Ctx) (raw, linkType string, hasLinkType bool) {
	raw = string(c.Request().URI().PathOriginal())
	q := c.Request().URI().QueryString()
	if len(q) == 0 {
		return raw, "", false
	}
	vals, _ := url.ParseQuery(string(q))
	linkType, hasLinkType = vals.Get("linkType"), vals.Has("linkType")
	for _, k := range []string{"lang", "from", "linkType"} {
		vals.Del(k)
	}
	if len(vals) > 0 {
		raw += "?" + vals.Encode()
	}
	return raw, linkType, hasLinkType
}

// SetResolverHeaders puts on an answer about a Digital Link what the resolver
// standard asks of every one: its links in a Link header, and CORS, so a
// page of another site may read the public links.
func SetResolverHeaders(c *fiber.Ctx, links pos.TraceLinks) {
	c.Set(fiber.HeaderLink, links.LinkHeader(withQuery(links.Anchor, "linkType=all")))
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlExposeHeaders, "Link, "+HeaderResolverNote)
}

// Resolve answers ?linkType= when the request carries one: all (the linkset),
// a link type the Digital Link has (a 307 to it), or one it has not (a 307 to
// the default link with a note saying so). It reports whether it answered.
func Resolve(c *fiber.Ctx, links pos.TraceLinks, linkType string, hasLinkType bool) (bool, error) {
	if !hasLinkType {
		if strings.Contains(c.Get(fiber.HeaderAccept), "application/linkset+json") {
			return true, SendLinkset(c, links)
		}
		return false, nil
	}
	term, ok := pos.ParseLinkType(linkType)
	if term == pos.LinkAll {
		return true, SendLinkset(c, links)
	}
	target, ok2 := links.Target(term)
	if !ok || !ok2 {
		c.Set(HeaderResolverNote, "link type "+asciiValue(linkType)+" is not available for this item; this is the default link")
		target, _ = links.Target(pos.LinkDefault)
	}
	c.Set(fiber.HeaderLocation, target)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return true, c.SendStatus(fiber.StatusTemporaryRedirect)
}

// SendLinkset answers the linkset (RFC 9264) as application/linkset+json.
func SendLinkset(c *fiber.Ctx, links pos.TraceLinks) error {
	b, err := json.Marshal(links.Linkset())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/linkset+json")
	return c.Send(b)
}

// ResolverDescription answers /.well-known/gs1resolver for the resolver at
// root.
func ResolverDescription(c *fiber.Ctx, name, root string) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.JSON(pos.NewResolverDescription(name, root))
}

func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

// asciiValue keeps a client's value printable in a header, and short.
func asciiValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 80; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		}
	}
	return b.String()
}
