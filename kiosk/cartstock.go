package kiosk

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// stockError refuses a cart change that asks for more than the store holds:
// a sold-out product, or a quantity beyond its stock. It is pos.ErrOutOfStock
// (the same code as a sale refused at payment) with the product named, so the
// screen can say which one in its own language.
type stockError struct {
	SKU, Name, NameEN string
	Stock, Qty        int64
}

func (e *stockError) Error() string {
	if e.Stock <= 0 {
		return fmt.Sprintf("%s (%s) is sold out", e.Name, e.SKU)
	}
	return fmt.Sprintf("%s (%s): %d in stock, the cart would hold %d", e.Name, e.SKU, e.Stock, e.Qty)
}

func (e *stockError) Unwrap() error { return pos.ErrOutOfStock }

func (e *stockError) apiError() *apiError {
	return &apiError{Status: fiber.StatusConflict, Code: "out_of_stock", Message: e.Error(),
		Details: fiber.Map{"sku": e.SKU, "name": e.Name, "name_en": e.NameEN, "stock": e.Stock, "qty": e.Qty}}
}

// checkStock lets a cart line go from before to after units of p only when
// the store holds them. Lowering a line is always allowed: the stock may have
// fallen under it since it was added (a sale at another till), and the vendor
// must be able to bring the cart back down. The stock is what is left to
// sell (open self-service orders hold theirs); carts of other tills reserve
// nothing, so the sale checks again when it commits.
func (h *hub) checkStock(p *pos.Product, before, after int64) error {
	if after <= before {
		return nil
	}
	stock, err := h.s.store.Stock([]string{p.SKU})
	if err != nil {
		return fmt.Errorf("stock of %s: %w", p.SKU, err)
	}
	if n := stock[p.SKU]; after > n {
		return &stockError{SKU: p.SKU, Name: p.Name, NameEN: p.NameEN, Stock: n, Qty: after}
	}
	return nil
}
