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

// DigitalLinkQuery is a request on a Digital Link path split into the
// Digital Link (path and GS1 query, for pos.ParseDigitalLink), the
// resolver's own query (linkType; the pages' lang and from, which are not
// part of the identifier) and the rest, which the resolver does not use and
// passes on to where it redirects (a campaign's utm_source), as the GS1
// resolver standard asks.
type DigitalLinkQuery struct {
	Raw         string
	LinkType    string
	HasLinkType bool
	// Pass is the query the resolver passes on, as it came ("" for none).
	Pass string
}

// DigitalLinkRequest reads a request on a Digital Link path. A query key of
// digits is a GS1 application identifier and stays with the Digital Link
// (pos.ParseDigitalLink knows 17 and refuses the others).
func DigitalLinkRequest(c *fiber.Ctx) DigitalLinkQuery {
	q := DigitalLinkQuery{Raw: string(c.Request().URI().PathOriginal())}
	var gs1, pass []string
	for _, pair := range strings.Split(string(c.Request().URI().QueryString()), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			gs1 = append(gs1, pair) // ParseDigitalLink says what is wrong with it
			continue
		}
		switch {
		case key == "linkType":
			if !q.HasLinkType {
				q.LinkType, _ = url.QueryUnescape(v)
				q.HasLinkType = true
			}
		case key == "lang" || key == "from":
		case isAI(key):
			gs1 = append(gs1, pair)
		default:
			pass = append(pass, pair)
		}
	}
	if len(gs1) > 0 {
		q.Raw += "?" + strings.Join(gs1, "&")
	}
	q.Pass = strings.Join(pass, "&")
	return q
}

// isAI tells a GS1 application identifier: two to four digits.
func isAI(k string) bool {
	if len(k) < 2 || len(k) > 4 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	return true
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
// a link type the Digital Link has (a 307 to it, with the query the resolver
// passes on), or one it has not (a 307 to the default link with a note saying
// so). It reports whether it answered.
func Resolve(c *fiber.Ctx, links pos.TraceLinks, q DigitalLinkQuery) (bool, error) {
	linkType, hasLinkType := q.LinkType, q.HasLinkType
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
	c.Set(fiber.HeaderLocation, passOn(target, q.Pass))
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

// passOn adds query pass to target's query, before its fragment.
func passOn(target, pass string) string {
	if pass == "" {
		return target
	}
	frag := ""
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target, frag = target[:i], target[i:]
	}
	return withQuery(target, pass) + frag
}

// Preflight answers a CORS preflight (OPTIONS) on the resolver's paths: GET
// and HEAD from any origin, with the headers content negotiation uses.
func Preflight(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAllow, "GET, HEAD, OPTIONS")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD, OPTIONS")
	c.Set(fiber.HeaderAccessControlAllowHeaders, "Accept, Accept-Language")
	c.Set(fiber.HeaderAccessControlMaxAge, "86400")
	return c.SendStatus(fiber.StatusNoContent)
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
