package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// PortalFormatOK tells a format the portal export answers in: json (the
// default, with the validation report) or csv (a row per lot).
func PortalFormatOK(format string) bool { return format == "" || format == "json" || format == "csv" }

// SendPortalExport answers the national portal's fields in the format asked
// for; name is the file's name without its extension.
func SendPortalExport(c *fiber.Ctx, e pos.PortalExport, format, name string) error {
	if format == "csv" {
		b, err := e.CSV()
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		return c.Send(b)
	}
	return c.JSON(e)
}
