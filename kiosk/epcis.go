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
// page, &after= its cursor). Sales tell what sold when, so the tills read
// them, as they read sales; the trace pages stay public.
func (s *Server) epcisEvents(c *fiber.Ctx) error {
	q, err := epcisQuery(c)
	if err != nil {
		return err
	}
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

// epcisQuery reads the query: gtin is required; from and to are RFC 3339
// times or days (YYYY-MM-DD, from the start of that day in Vietnam).
func epcisQuery(c *fiber.Ctx) (pos.EPCISQuery, error) {
	bad := func(msg string) error { return newAPIError(fiber.StatusBadRequest, "bad_query", msg) }
	q := pos.EPCISQuery{GTIN: c.Query("gtin"), Lot: c.Query("lot")}
	if q.GTIN == "" {
		return q, bad("gtin is required: the events of which product?")
	}
	var err error
	if q.From, err = epcisBound(c.Query("from")); err != nil {
		return q, bad("from: " + err.Error())
	}
	if q.To, err = epcisBound(c.Query("to")); err != nil {
		return q, bad("to: " + err.Error())
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, bad("from must be before to")
	}
	if v := c.Query("after"); v != "" {
		if q.After, err = strconv.ParseUint(v, 10, 64); err != nil {
			return q, bad(fmt.Sprintf("after %q: want the cursor of a Link rel=next", v))
		}
	}
	if v := c.Query("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > pos.MaxPage {
			return q, bad(fmt.Sprintf("limit %q: want 1 to %d", v, pos.MaxPage))
		}
	}
	return q, nil
}

func epcisBound(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, pos.VietnamTime); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time or YYYY-MM-DD", v)
}
