package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// lotView is a lot with its GS1 Digital Link.
type lotView struct {
	pos.Lot
	GTIN        string `json:"gtin,omitempty"`
	DigitalLink string `json:"digital_link,omitempty"`
}

func (s *Server) lotViews(c *fiber.Ctx, lots []pos.Lot) []lotView {
	ix := s.index.Load()
	out := make([]lotView, 0, len(lots))
	for _, l := range lots {
		v := lotView{Lot: l}
		if p := ix.Lookup(l.SKU); p != nil && p.SKU == l.SKU && p.GTIN != "" {
			v.GTIN = p.GTIN
			v.DigitalLink, _ = pos.DigitalLink{Base: s.origin(c), GTIN: p.GTIN, Lot: l.Code, Expiry: l.ExpiresOn}.String()
		}
		out = append(out, v)
	}
	return out
}

// listLots answers ?gtin= (any GTIN form) or ?sku=, or every lot.
func (s *Server) listLots(c *fiber.Ctx) error {
	sku := c.Query("sku")
	if g := c.Query("gtin"); g != "" {
		p := s.index.Load().Lookup(g)
		if p == nil || p.GTIN == "" {
			return c.JSON(fiber.Map{"lots": []lotView{}})
		}
		sku = p.SKU
	}
	lots, err := s.store.Lots(sku)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"lots": s.lotViews(c, lots)})
}

// lotParams reads {sku} and {lot} from the path, percent-decoded (a lot code
// may hold any of GS1's 82 characters, "/" and "%" included).
func lotParams(c *fiber.Ctx) (sku, lot string, err error) {
	sku, err1 := url.PathUnescape(c.Params("sku"))
	lot, err2 := url.PathUnescape(c.Params("lot"))
	if err1 != nil || err2 != nil {
		return "", "", newAPIError(fiber.StatusBadRequest, "bad_query", "malformed percent-encoding in the lot path")
	}
	return sku, lot, nil
}

func (s *Server) getLot(c *fiber.Ctx) error {
	sku, code, err := lotParams(c)
	if err != nil {
		return err
	}
	l, err := s.store.Lot(sku, code)
	if err != nil {
		return err
	}
	return c.JSON(s.lotViews(c, []pos.Lot{l})[0])
}

// createLot makes a new lot: POST /lots with the whole lot.
func (s *Server) createLot(c *fiber.Ctx) error {
	var l pos.Lot
	if err := decodeJSON(c, &l); err != nil {
		return err
	}
	if _, err := s.store.Lot(l.SKU, l.Code); err == nil {
		return newAPIError(fiber.StatusConflict, "lot_exists", fmt.Sprintf("lot %s of %s exists; PUT to change it", l.Code, l.SKU))
	}
	if err := s.store.PutLot(l); err != nil {
		return fieldAPIError(err)
	}
	saved, err := s.store.Lot(l.SKU, l.Code)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.lotViews(c, []pos.Lot{saved})[0])
}

// lotEdit is the body of PUT /lots/{sku}/{lot}: the fields to replace. The
// path names the lot; a body may repeat its sku and lot (the manager screen
// sends them) but not name another.
type lotEdit struct {
	SKU  *string `json:"sku"`
	Code *string `json:"lot"`
	pos.LotChange
}

// editLot replaces the fields the body carries and keeps the others:
// PUT /lots/{sku}/{lot}. A body that is not an object of lot fields changes
// nothing (decodeJSON).
func (s *Server) editLot(c *fiber.Ctx) error {
	sku, code, err := lotParams(c)
	if err != nil {
		return err
	}
	var e lotEdit
	if err := decodeJSON(c, &e); err != nil {
		return err
	}
	if e.SKU != nil && strings.TrimSpace(*e.SKU) != sku {
		return fieldError("sku", fmt.Sprintf("sku %q: the path names lot %s of %s; a lot cannot move to another product", *e.SKU, code, sku))
	}
	if e.Code != nil && strings.TrimSpace(*e.Code) != code {
		return fieldError("lot", fmt.Sprintf("lot %q: the path names lot %s of %s; a lot's code cannot change", *e.Code, code, sku))
	}
	if e.IsEmpty() {
		return fieldError("", "the body names no field to change: produced_on, packed_on, expires_on, origin, certifications, quantity or events")
	}
	saved, err := s.store.UpdateLot(sku, code, e.LotChange)
	if err != nil {
		return fieldAPIError(err)
	}
	s.log.Info("lot edited", "lot", saved.ID(), "by", who(c))
	return c.JSON(s.lotViews(c, []pos.Lot{saved})[0])
}

// fieldAPIError turns a validation error of one field into a 422.
func fieldAPIError(err error) error {
	var fe *pos.FieldError
	if errors.As(err, &fe) {
		return &apiError{Status: fiber.StatusUnprocessableEntity, Code: "bad_field", Message: err.Error(), Details: fiber.Map{"field": fe.Field}}
	}
	return err
}

func (s *Server) addTraceEvent(c *fiber.Ctx) error {
	var e pos.TraceEvent
	if err := decodeJSON(c, &e); err != nil {
		return err
	}
	sku, code, err := lotParams(c)
	if err != nil {
		return err
	}
	l, err := s.store.AddTraceEvent(sku, code, e)
	if err != nil {
		return fieldAPIError(err)
	}
	return c.Status(fiber.StatusCreated).JSON(s.lotViews(c, []pos.Lot{l})[0])
}

// printLabels prints count serialised labels of a lot: POST
// /lots/{sku}/{lot}/labels {"count":N,"printer":"label","size":"50x30"}. Each
// label gets its own serial and Digital Link; the jobs go through the queue.
func (s *Server) printLabels(c *fiber.Ctx) error {
	var body struct {
		Count   int    `json:"count"`
		Printer string `json:"printer"`
		Size    string `json:"size"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if body.Printer == "" {
		body.Printer = "label"
	}
	if _, ok := s.queue.Printer(body.Printer); !ok {
		return newAPIError(fiber.StatusUnprocessableEntity, "unknown_printer", fmt.Sprintf("no printer %q; start the kiosk with -printer %s=URL", body.Printer, body.Printer))
	}
	if _, ok := printer.LabelSizes[body.Size]; body.Size != "" && !ok {
		return newAPIError(fiber.StatusUnprocessableEntity, "bad_size", "size: 40x30, 50x30 or 58mm")
	}
	if body.Count < 1 || body.Count > pos.MaxLabels {
		return fmt.Errorf("%w: %d labels, want 1 to %d", pos.ErrBadQuantity, body.Count, pos.MaxLabels)
	}
	lot, p, err := s.linkedLot(c)
	if err != nil {
		return err
	}
	serials, err := s.store.NextSerials(lot.SKU, lot.Code, body.Count)
	if err != nil {
		return err
	}
	producer := (*s.producers.Load())[p.ProducerID]
	var jobs []pos.PrintJob
	for _, serial := range serials {
		link, err := pos.DigitalLink{Base: s.origin(c), GTIN: p.GTIN, Lot: lot.Code, Serial: serial, Expiry: lot.ExpiresOn}.String()
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(LabelJob{Size: body.Size, Label: printer.Label{Name: p.Name, NameEN: p.NameEN, Stars: p.Stars,
			Producer: producer.Name, Commune: producer.Commune, Province: producer.Province, Lot: lot.Code,
			ProducedOn: lot.ProducedOn, ExpiresOn: lot.ExpiresOn, Price: p.Price, QR: link, Serial: serial}})
		job, err := s.store.AddPrintJob(pos.PrintJob{Doc: "label", Printer: body.Printer, Ref: lot.ID() + "/" + serial, Payload: payload})
		if err != nil {
			return err
		}
		jobs = append(jobs, job)
	}
	s.queue.Wake()
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"serials": serials, "jobs": len(jobs)})
}

func (s *Server) flaggedScans(c *fiber.Ctx) error {
	f, err := s.scans.Flagged()
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"flagged": f, "days": pos.SuspiciousDays, "places": pos.SuspiciousPlaces})
}

// linkedLot is the lot the path names (/lots/{sku}/{lot}) with its product,
// which must have a GTIN: labels and stamps carry the lot's Digital Link.
func (s *Server) linkedLot(c *fiber.Ctx) (pos.Lot, *pos.Product, error) {
	sku, code, err := lotParams(c)
	if err != nil {
		return pos.Lot{}, nil, err
	}
	lot, err := s.store.Lot(sku, code)
	if err != nil {
		return pos.Lot{}, nil, err
	}
	p := s.index.Load().Lookup(lot.SKU)
	if p == nil || p.SKU != lot.SKU {
		return pos.Lot{}, nil, fmt.Errorf("%w: %q", pos.ErrUnknownSKU, lot.SKU)
	}
	if p.GTIN == "" {
		return pos.Lot{}, nil, newAPIError(fiber.StatusUnprocessableEntity, "no_gtin", fmt.Sprintf("%s has no GTIN: a Digital Link needs one", p.SKU))
	}
	return lot, p, nil
}
