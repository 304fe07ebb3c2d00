package kiosk

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ocop-kiosk/kiosk/pos"
)

// A label or stamp the kiosk printed carries a GS1 Digital Link with the
// product's GTIN, its lot and, when serialised, the item's serial
// (…/01/{gtin}/10/{lot}/21/{serial}). Scanned at the till it adds that
// product to the cart's line of that lot, the serial listed on the line, so
// the sale records which item went: its EPCIS event names it, and the same
// serial cannot be sold twice (pos/serials.go).

// cartItem is what a cart message names: a product, and the lot and serial
// of a scanned label.
type cartItem struct {
	p           *pos.Product
	lot, serial string
}

// cartItem resolves a cart message's product: by its code (a barcode, SKU,
// GTIN, or a label's Digital Link), or by its SKU with an optional lot and
// serial.
func (h *hub) cartItem(m inMsg) (cartItem, error) {
	ix := h.s.index.Load()
	var it cartItem
	switch {
	case m.Code != "" && strings.Contains(m.Code, "/01/"):
		dl, err := pos.ParseDigitalLink(strings.TrimSpace(m.Code))
		if err != nil {
			return it, err
		}
		if it.p = ix.Lookup(dl.GTIN); it.p == nil {
			return it, fmt.Errorf("%w: no product has GTIN %s", pos.ErrUnknownSKU, dl.GTIN)
		}
		it.lot, it.serial = dl.Lot, dl.Serial
	case m.Code != "":
		it.p = ix.Lookup(m.Code)
	case m.SKU != "":
		it.p = ix.Lookup(m.SKU)
		if it.p != nil && it.p.SKU != m.SKU {
			it.p = nil // a SKU must name the product itself
		}
	}
	if it.p == nil {
		return it, fmt.Errorf("%w: %q", pos.ErrUnknownSKU, m.SKU+m.Code)
	}
	if m.Code == "" || !strings.Contains(m.Code, "/01/") {
		it.lot, it.serial = m.Lot, m.Serial
	}
	if it.serial != "" && it.lot == "" {
		return it, fmt.Errorf("%w: serial %s of %s names no lot", pos.ErrTooManySerials, it.serial, it.p.SKU)
	}
	if it.lot != "" {
		if _, err := h.s.store.Lot(it.p.SKU, it.lot); errors.Is(err, pos.ErrNotFound) {
			return it, fmt.Errorf("%w: lot %q of %s", pos.ErrUnknownLot, it.lot, it.p.SKU)
		} else if err != nil {
			return it, err
		}
	}
	return it, nil
}

// findLine is the cart's line of a product and lot ("" for none), −1 when
// there is none.
func findLine(lines []cartLine, sku, lot string) int {
	return slices.IndexFunc(lines, func(l cartLine) bool { return l.SKU == sku && l.Lot == lot })
}

// checkCartSerial tells whether one scanned serial may go on line i (−1: a
// new line): one unit, not in the cart already, issued by this kiosk for the
// lot and not sold.
func (h *hub) checkCartSerial(lines []cartLine, i int, p *pos.Product, it cartItem, qty int64) error {
	if qty != 1 {
		return fmt.Errorf("%w: a serial is one unit, not %d", pos.ErrTooManySerials, qty)
	}
	if i >= 0 && slices.Contains(lines[i].Serials, it.serial) {
		return &wsErr{"serial_in_cart", fmt.Sprintf("serial %s of lot %s of %s is in the cart already: the same label was scanned twice", it.serial, it.lot, p.SKU)}
	}
	return h.s.store.CheckSerial(p.SKU, it.lot, it.serial)
}
