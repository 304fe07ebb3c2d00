package kiosk

import (
	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// portalExport answers GET /api/v1/portal/export?format=json|csv: the ten
// items the national traceability portal takes for each product and lot of
// the kiosk's catalog, and what each product still lacks. The serials are the
// labels this kiosk printed; images and trace codes carry the address phones
// and the portal reach the kiosk at.
func (s *Server) portalExport(c *fiber.Ctx) error {
	format := c.Query("format")
	if !web.PortalFormatOK(format) {
		return newAPIError(fiber.StatusBadRequest, "bad_query", "format: want json or csv")
	}
	products, err := s.store.Products()
	if err != nil {
		return err
	}
	lots, err := s.store.Lots("")
	if err != nil {
		return err
	}
	producers := *s.producers.Load()
	src := pos.PortalSource{Base: s.origin(c), Products: products, Lots: lots}
	for _, p := range producers {
		src.Producers = append(src.Producers, p)
	}
	base := src.Base
	src.ImageURL = func(img string) string {
		if u := s.pictures.URL(img); u != "" {
			return base + u
		}
		return ""
	}
	var serialErr error
	src.Serials = func(sku, lot string) string {
		r, err := s.store.SerialRange(sku, lot)
		if err != nil && serialErr == nil {
			serialErr = err
		}
		return r
	}
	e := pos.BuildPortalExport(src)
	if serialErr != nil {
		return serialErr
	}
	return web.SendPortalExport(c, e, format, "portal-"+s.cfg.KioskID)
}
