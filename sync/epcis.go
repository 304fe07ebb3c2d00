package sync

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// EPCIS on the hub: GET /api/v1/epcis/events answers a lot's events from
// the central catalog and every kiosk's sales of it; POST
// /api/v1/epcis/capture takes producers' own events, keeps them on the
// central catalog's lots (so both hub stores keep them as they keep lots),
// and the catalog carries them down to the kiosks. Both are the admin's.
func (h *Hub) epcisRoutes(admin fiber.Router) {
	admin.Get("/epcis/events", func(c *fiber.Ctx) error { return h.epcisEvents(c, true) })
	admin.Post("/epcis/capture", h.epcisCapture)
}

// publicEPCIS answers a lot's own story to anyone (the resolver's
// gs1:traceability link leads a phone there), without the kiosks' sales; a
// request with a token goes on to the admin's route, which adds them. It is
// registered before the admin group.
func (h *Hub) publicEPCIS(api fiber.Router) {
	api.Get("/epcis/events", func(c *fiber.Ctx) error {
		if bearerToken(c) != "" {
			return c.Next()
		}
		return h.epcisEvents(c, false)
	})
}

// hubEPCISScan bounds the kiosk records one page reads, as the kiosk's own
// pages are bounded (pos.MaxEPCISScan).
const hubEPCISScan = pos.MaxEPCISScan

// epcisCursor is where the next page starts: a kiosk (in id order) and the
// last of its records read. It travels as "{kiosk}~{seq}".
type epcisCursor struct {
	Kiosk string
	Seq   uint64
}

func parseEPCISCursor(v string) (epcisCursor, error) {
	k, n, ok := strings.Cut(v, "~")
	seq, err := strconv.ParseUint(n, 10, 64)
	if !ok || k == "" || err != nil {
		return epcisCursor{}, fmt.Errorf("after %q: want the cursor of a Link rel=next", v)
	}
	return epcisCursor{k, seq}, nil
}

// epcisEvents answers a lot's events, with every kiosk's sales of it when
// withSales.
func (h *Hub) epcisEvents(c *fiber.Ctx, withSales bool) error {
	q, err := pos.ParseEPCISQuery(func(k string) string { return c.Query(k) })
	if err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_query", err.Error())
	}
	var cur epcisCursor
	if v := c.Query("after"); v != "" {
		if cur, err = parseEPCISCursor(v); err != nil {
			return jsonError(c, fiber.StatusBadRequest, "bad_query", err.Error())
		}
	}
	gtin, err := pos.NormalizeGTIN(q.GTIN)
	if err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_query", "gtin: "+err.Error())
	}
	cv, err := h.Store.Catalog()
	if err != nil {
		return err
	}
	p, producer, lots, ok := catalogLots(cv, gtin, q.Lot)
	if !ok {
		return jsonError(c, fiber.StatusNotFound, "not_found", fmt.Sprintf("no lot %q of GTIN %s in the central catalog", q.Lot, gtin))
	}
	base := hubBase(c)
	var events []pos.EPCISEvent
	if cur.Kiosk == "" {
		if events, err = pos.LotsEvents(base, p, producer, lots, q.From, q.To); err != nil {
			return err
		}
	}
	limit := q.Limit
	if limit == 0 {
		limit = pos.MaxPage
	}
	var next epcisCursor
	if withSales {
		var sales []pos.EPCISEvent
		if sales, next, err = h.lotSales(base, p, q, cur, limit); err != nil {
			return err
		}
		events = append(events, sales...)
	}
	if next.Kiosk != "" {
		vals := url.Values{"gtin": {q.GTIN}, "after": {next.Kiosk + "~" + strconv.FormatUint(next.Seq, 10)}}
		for _, k := range []string{"lot", "from", "to", "limit"} {
			if v := c.Query(k); v != "" {
				vals.Set(k, v)
			}
		}
		c.Set(fiber.HeaderLink, fmt.Sprintf(`<%s?%s>; rel="next"`, c.Path(), vals.Encode()))
	}
	doc := pos.NewEPCISDocument("hub", time.Now(), events)
	c.Set(fiber.HeaderContentType, "application/ld+json")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) { _ = json.NewEncoder(w).Encode(doc) })
	return nil
}

// catalogLots finds the product with gtin, its producer, and its lots (or
// the one named).
func catalogLots(cv CatalogVersion, gtin, lot string) (pos.Product, pos.Producer, []pos.Lot, bool) {
	var p pos.Product
	for _, x := range cv.Products {
		if x.GTIN == gtin {
			p = x
		}
	}
	if p.SKU == "" {
		return p, pos.Producer{}, nil, false
	}
	var producer pos.Producer
	for _, x := range cv.Producers {
		if x.ID == p.ProducerID {
			producer = x
		}
	}
	var lots []pos.Lot
	for _, l := range cv.Lots {
		if l.SKU == p.SKU && (lot == "" || l.Code == lot) {
			lots = append(lots, l)
		}
	}
	return p, producer, lots, lot == "" || len(lots) == 1
}

// lotSales reads the kiosks' records from the cursor on, kiosk by kiosk, for
// sales of the product's lot, up to limit events or hubEPCISScan records.
func (h *Hub) lotSales(base string, p pos.Product, q pos.EPCISQuery, cur epcisCursor, limit int) ([]pos.EPCISEvent, epcisCursor, error) {
	ks, err := h.Store.Kiosks()
	if err != nil {
		return nil, epcisCursor{}, err
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].ID < ks[j].ID })
	keep := pos.KeepLots(p, q.Lot)
	var out []pos.EPCISEvent
	scanned := 0
	for _, k := range ks {
		if k.ID < cur.Kiosk {
			continue
		}
		after := uint64(0)
		if k.ID == cur.Kiosk {
			after = cur.Seq
		}
		for {
			if len(out) >= limit || scanned >= hubEPCISScan {
				return out, epcisCursor{k.ID, after}, nil
			}
			recs, more, err := h.Store.KioskRecords(k.ID, after, min(500, hubEPCISScan-scanned))
			if err != nil {
				return nil, epcisCursor{}, fmt.Errorf("records of kiosk %s: %w", k.ID, err)
			}
			for _, r := range recs {
				after, scanned = r.Seq, scanned+1
				sl := r.Sale
				if !q.From.IsZero() && sl.Time.Before(q.From) || !q.To.IsZero() && !sl.Time.Before(q.To) {
					continue
				}
				evs, err := pos.SaleEvents(base, sl, keep)
				if err != nil {
					return nil, epcisCursor{}, err
				}
				out = append(out, evs...)
				if len(out) >= limit {
					return out, epcisCursor{k.ID, after}, nil
				}
			}
			if !more || len(recs) == 0 {
				break
			}
		}
	}
	return out, epcisCursor{}, nil
}

// epcisCapture takes an EPCISDocument of a producer's system: every event
// checked (pos.ParseEPCISCapture) before any is kept, each kept once on
// every lot it names, and the catalog published so kiosks receive them.
func (h *Hub) epcisCapture(c *fiber.Ctx) error {
	// The document is checked and merged into the lots as they stand in the
	// store's catalog transaction: a capture through another hub process at
	// the same moment waits for this one and then adds to what it kept.
	var evs []pos.CapturedEvent
	var order []string
	added := 0
	cv, err := h.Store.UpdateCatalog(func(cur CatalogVersion) (pos.Catalog, error) {
		evs, order, added = nil, nil, 0
		skuOf := map[string]string{}
		for _, p := range cur.Products {
			if p.GTIN != "" {
				skuOf[p.GTIN] = p.SKU
			}
		}
		lots := map[string]*pos.Lot{}
		for i := range cur.Lots {
			lots[cur.Lots[i].ID()] = &cur.Lots[i]
		}
		known := func(gtin, lot string) bool { return lots[skuOf[gtin]+"/"+lot] != nil && skuOf[gtin] != "" }
		var err error
		if evs, err = pos.ParseEPCISCapture(c.Body(), known); err != nil {
			return pos.Catalog{}, captureRefused{err}
		}
		perLot := map[string][]pos.CapturedEvent{}
		for _, e := range evs {
			for _, dl := range e.Lots {
				id := skuOf[dl.GTIN] + "/" + dl.Lot
				if perLot[id] == nil {
					order = append(order, id)
				}
				perLot[id] = append(perLot[id], e)
			}
		}
		var changed []pos.Lot
		for _, id := range order {
			l := *lots[id]
			l.Captured = append([]json.RawMessage(nil), l.Captured...)
			n, err := pos.AddCaptured(&l, perLot[id])
			if err != nil {
				return pos.Catalog{}, captureRefused{err}
			}
			if n > 0 {
				changed = append(changed, l)
				added += n
			}
		}
		return pos.Catalog{Lots: changed}, nil
	}, time.Now())
	var refused captureRefused
	switch {
	case errors.As(err, &refused):
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_epcis", refused.err.Error())
	case errors.Is(err, pos.ErrUnknownSKU):
		return jsonError(c, fiber.StatusConflict, "catalog_changed", err.Error())
	case err != nil:
		return err
	}
	out := fiber.Map{"events": len(evs), "added": added, "lots": order, "version": cv.Version}
	if added == 0 {
		return c.JSON(out)
	}
	h.catalogChanged()
	h.Log.Info("epcis captured", "events", len(evs), "added", added, "lots", len(order))
	return c.Status(fiber.StatusCreated).JSON(out)
}

// captureRefused is a document the capture refuses (422 bad_epcis), told
// apart from the store's own errors.
type captureRefused struct{ err error }

func (e captureRefused) Error() string { return e.err.Error() }

// hubBase is the Digital Link base of the hub's answers: the host the
// request named (a request naming none gets localhost, so identifiers stay
// absolute URIs).
func hubBase(c *fiber.Ctx) string {
	host := string(c.Request().Host())
	if host == "" {
		host = "localhost"
	}
	return c.Protocol() + "://" + host
}
