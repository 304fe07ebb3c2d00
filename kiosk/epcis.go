package kiosk

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// epcisEvents answers GET /api/v1/epcis/events?gtin=&lot=&from=&to= with an
// EPCISDocument: a lot's (or a product's) commissioning, trace steps, the
// events producers sent through the hub, and its sales, a page of sales at a
// time (&limit=, at most 1000; the Link header's rel="next" is the next
// page, &after= its cursor). Anyone may read a lot's own story, as its trace
// page tells it (the resolver's gs1:traceability link leads a phone here);
// sales tell what sold when, so only the tills read them, as they read sales.
func (s *Server) epcisEvents(c *fiber.Ctx) error {
	q, err := epcisQuery(c)
	if err != nil {
		return err
	}
	q.NoSales = s.caller(c).kind&tills == 0
	page, err := s.store.EPCISEvents(s.origin(c), q)
	if err != nil {
		return err
	}
	if page.Next != 0 {
		next := url.Values{"gtin": {q.GTIN}, "after": {strconv.FormatUint(page.Next, 10)}}
		for _, k := range []string{"lot", "from", "to", "limit"} {
			if v := c.Query(k); v != "" {
				next.Set(k, v)
			}
		}
		c.Set(fiber.HeaderLink, fmt.Sprintf(`<%s?%s>; rel="next"`, c.Path(), next.Encode()))
	}
	doc := pos.NewEPCISDocument(s.store.KioskID(), time.Now(), page.Events)
	c.Set(fiber.HeaderContentType, "application/ld+json")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		_ = json.NewEncoder(w).Encode(doc)
	})
	return nil
}

// epcisQuery reads the query; after is the kiosk's cursor, a record
// sequence.
func epcisQuery(c *fiber.Ctx) (pos.EPCISQuery, error) {
	q, err := pos.ParseEPCISQuery(func(k string) string { return c.Query(k) })
	if err != nil {
		return q, err
	}
	if v := c.Query("after"); v != "" {
		if q.After, err = strconv.ParseUint(v, 10, 64); err != nil {
			return q, newAPIError(fiber.StatusBadRequest, "bad_query", fmt.Sprintf("after %q: want the cursor of a Link rel=next", v))
		}
	}
	return q, nil
}
