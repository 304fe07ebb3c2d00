package kiosk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
	"github.com/ocop-kiosk/kiosk/printer"
)

// The kiosk's side of the scale: -scale and -scale-barcode, GET
// /api/v1/scale, the `scale` message that brings the live weight to the till
// screens, and the product lookup of the weight- and price-embedded codes that
// label scales print.

// normalizeScale reads the scale URL and the barcode layouts.
func (c *Config) normalizeScale() error {
	if c.Scale != "" {
		t, err := printer.ParseScaleURL(c.Scale)
		if err != nil {
			return err
		}
		c.scaleTarget = &t
	}
	c.barcodeLayouts = nil
	for _, s := range c.ScaleBarcodes {
		l, err := pos.ParseBarcodeLayout(s)
		if err != nil {
			return err
		}
		c.barcodeLayouts = append(c.barcodeLayouts, l)
	}
	return pos.CheckBarcodeLayouts(c.barcodeLayouts)
}

// ParseScaleBarcodes splits KIOSK_SCALE_BARCODE: layouts separated by ';'
// (a layout's own keys are separated by commas).
func ParseScaleBarcodes(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// scaleView is GET /api/v1/scale and the `scale` message.
type scaleView struct {
	printer.ScaleReading
	Configured bool   `json:"configured"`
	Protocol   string `json:"protocol,omitempty"`
}

func (s *Server) scaleNow() scaleView {
	if s.scale == nil {
		return scaleView{ScaleReading: printer.ScaleReading{State: printer.ScaleOffline,
			Detail: "no scale is configured: start the kiosk with -scale 'serial:/dev/ttyUSB1?baud=9600&protocol=continuous'"}}
	}
	return scaleView{ScaleReading: s.scale.Reading(), Configured: true, Protocol: s.scale.Target().Protocol}
}

func (s *Server) getScale(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(s.scaleNow())
}

// scalePushEvery bounds how often the till screens hear of a moving weight:
// a continuous scale sends ten readings a second, and a vendor reads a few.
const scalePushEvery = 100 * time.Millisecond

// runScale reads the scale and tells every till screen when what it shows
// changes — a weight, its settling, the line lost — until ctx ends. A
// reading that turns stale sends no event of its own, so the weight is
// looked at again every quarter of printer.StaleAfter as well.
func (s *Server) runScale(ctx context.Context) {
	if s.scale == nil {
		return
	}
	done := make(chan struct{})
	go func() { s.scale.Run(ctx); close(done) }()
	defer func() { <-done }()
	tick := time.NewTicker(printer.StaleAfter / 4)
	defer tick.Stop()
	var last scaleView
	var sent time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.scale.Changed():
		case <-tick.C:
		}
		v := s.scaleNow()
		if !sent.IsZero() && v.Same(last.ScaleReading) {
			continue
		}
		if wait := scalePushEvery - time.Since(sent); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			v = s.scaleNow()
		}
		s.hub.broadcastRole(roleTill, map[string]any{"type": "scale", "scale": v})
		last, sent = v, time.Now()
	}
}

// scannedLabel is what a product lookup by a scale label's code adds: the
// weight to sell (from the label, or from its price at the product's price
// per kg) and what the label said.
type scannedLabel struct {
	Code    string            `json:"code"`
	Item    string            `json:"item"`            // the item code on the label
	Value   pos.EmbeddedValue `json:"value"`           // weight or price
	Price   pos.Money         `json:"price,omitempty"` // what a price label says
	WeightG int64             `json:"weight_g"`        // the weight to sell
}

// lookupEmbedded finds the product a weight- or price-embedded code names:
// the product whose barcode is the code with its value zeroed (one barcode for
// every label of the product), or else whose SKU or barcode is the item code
// (the scale's PLU). ok is false when the code is of no configured layout.
func (s *Server) lookupEmbedded(ix *pos.Index, code string) (p *pos.Product, label *scannedLabel, ok bool, err error) {
	e, ok, err := pos.ParseEmbedded(code, s.cfg.barcodeLayouts)
	if !ok || err != nil {
		return nil, nil, ok, err
	}
	p = ix.Lookup(e.BaseCode())
	if p == nil {
		p = ix.Lookup(e.Item)
	}
	if p == nil {
		return nil, nil, true, fmt.Errorf("%w: no product has item code %s of the scale label %s (give the product the barcode %s or the SKU %s)",
			pos.ErrNotFound, e.Item, code, e.BaseCode(), e.Item)
	}
	g, err := e.GramsAt(p.Price)
	if err != nil {
		return nil, nil, true, err
	}
	return p, &scannedLabel{Code: e.Code, Item: e.Item, Value: e.Value, Price: e.Price, WeightG: g}, true, nil
}
