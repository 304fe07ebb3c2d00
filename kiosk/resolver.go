package kiosk

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/web"
)

// resolverDescription serves /.well-known/gs1resolver: the kiosk is a GS1
// resolver for the GTINs of its catalog, rooted at the origin its labels
// print (-base-url, else the address the phone used).
func (s *Server) resolverDescription(c *fiber.Ctx) error {
	return web.ResolverDescription(c, "OCOP kiosk "+s.cfg.KioskID, s.origin(c))
}

// badDigitalLink answers a Digital Link that does not parse: the resolver
// standard asks for 400 (a syntax error), not the 404 of an unknown GTIN.
func (s *Server) badDigitalLink(c *fiber.Ctx, l string, bad error) error {
	if strings.Contains(c.Get(fiber.HeaderAccept), "json") {
		return bad // errorCodes: bad_digital_link
	}
	var buf bytes.Buffer
	if err := web.RenderNotFound(&buf, web.NotFoundPage{Lang: l, T: web.Words(l), Message: bad.Error()}); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(fiber.StatusBadRequest).Send(buf.Bytes())
}
