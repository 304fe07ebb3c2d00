package sync

import (
	"bytes"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/web"
)

// trace serves the GS1 Digital Link pages for every product and lot in the
// central catalog, as the kiosks do: HTML in Vietnamese or English (readable
// with no JavaScript), or JSON with Accept: application/json. The hub neither
// counts scans nor checks label numbers: a label's serial is issued by the
// kiosk that printed it, and label runs do not travel up the uplink, so the
// hub cannot tell a printed label from a made-up one. Its page of a label
// says so instead of showing counts it cannot vouch for.
func (h *Hub) trace(c *fiber.Ctx) error {
	l := web.PickLang(c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
	t := web.Words(l)
	q := web.DigitalLinkRequest(c)
	page := func(status int, msg string) error {
		var buf bytes.Buffer
		if err := web.RenderNotFound(&buf, web.NotFoundPage{Lang: l, T: t, Message: msg}); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Status(status).Send(buf.Bytes())
	}
	notFound := func(msg string) error { return page(fiber.StatusNotFound, msg) }
	dl, err := pos.ParseDigitalLink(q.Raw)
	if err != nil {
		// A syntax error is a 400 to a GS1 resolver, an unknown GTIN a 404.
		return page(fiber.StatusBadRequest, err.Error())
	}
	cv, err := h.Store.Catalog()
	if err != nil {
		return err
	}
	var prod *pos.Product
	for i := range cv.Products {
		if cv.Products[i].GTIN == dl.GTIN {
			prod = &cv.Products[i]
		}
	}
	if prod == nil {
		return notFound(strings.Replace(t["unknown_gtin"], "%s", dl.GTIN, 1))
	}
	base := c.Protocol() + "://" + string(c.Request().Host())
	links := pos.NewTraceLinks(base, dl, *prod)
	web.SetResolverHeaders(c, links)
	if done, err := web.Resolve(c, links, q); done {
		return err
	}
	in := web.TraceInput{Lang: l, SwitchURL: c.Path() + "?lang=" + other(l), Product: *prod,
		CertValid: prod.CertValid(time.Now())}
	for _, p := range cv.Producers {
		if p.ID == prod.ProducerID {
			in.Producer = p
		}
	}
	in.Link, _ = pos.DigitalLink{Base: base, GTIN: dl.GTIN}.String()
	for i, lot := range cv.Lots {
		if lot.SKU != prod.SKU {
			continue
		}
		if dl.Lot == "" {
			link, _ := pos.DigitalLink{GTIN: dl.GTIN, Lot: lot.Code, Expiry: lot.ExpiresOn}.String()
			in.Lots = append(in.Lots, web.TraceLotLink{Code: lot.Code, URL: link})
		} else if lot.Code == dl.Lot {
			in.Lot = &cv.Lots[i]
			in.Serial = dl.Serial
			in.Link, _ = pos.DigitalLink{Base: base, GTIN: dl.GTIN, Lot: lot.Code, Serial: dl.Serial, Expiry: lot.ExpiresOn}.String()
		}
	}
	if dl.Lot != "" && in.Lot == nil {
		in.Notice = strings.Replace(t["unknown_lot"], "%s", dl.Lot, 1)
	}
	if strings.Contains(c.Get(fiber.HeaderAccept), "application/json") {
		out := fiber.Map{"link": in.Link, "product": in.Product, "producer": in.Producer, "lot": in.Lot, "notice": in.Notice}
		if in.Serial != "" {
			out["label"] = fiber.Map{"serial": in.Serial, "checked": false}
		}
		return c.JSON(out)
	}
	var buf bytes.Buffer
	if err := web.RenderTrace(&buf, web.BuildTracePage(in)); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l)
	return c.Send(buf.Bytes())
}

func other(l string) string {
	if l == "en" {
		return "vi"
	}
	return "en"
}

// resolverDescription serves /.well-known/gs1resolver: the hub resolves the
// GTINs of the central catalog at the origin it was reached on.
func (h *Hub) resolverDescription(c *fiber.Ctx) error {
	return web.ResolverDescription(c, "OCOP hub", c.Protocol()+"://"+string(c.Request().Host()))
}
