package sync

import (
	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// portalExport answers GET /api/v1/portal/export?format=json|csv (admin): the
// national traceability portal's ten items for every product and lot of the
// central catalog, and what each product still lacks. Label serials are
// numbered by the kiosks that print them and do not travel to the hub, so the
// hub leaves "brand or serial" to the kiosks' own exports.
func (h *Hub) portalExport(c *fiber.Ctx) error {
	format := c.Query("format")
	if !web.PortalFormatOK(format) {
		return jsonError(c, fiber.StatusBadRequest, "bad_query", "format: want json or csv")
	}
	cv, err := h.Store.Catalog()
	if err != nil {
		return err
	}
	e := pos.BuildPortalExport(pos.PortalSource{Base: c.Protocol() + "://" + string(c.Request().Host()),
		Producers: cv.Producers, Products: cv.Products, Lots: cv.Lots})
	return web.SendPortalExport(c, e, format, "portal-hub")
}
