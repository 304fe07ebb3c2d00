package kiosk

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ocop-kiosk/kiosk/pos"
)

// listPromotions answers the promotions (?active=1: only those running now,
// Vietnam time) and the version of the list.
func (s *Server) listPromotions(c *fiber.Ctx) error {
	set, err := s.store.PromotionSet()
	if err != nil {
		return err
	}
	var list []pos.Promotion
	switch c.Query("active") {
	case "1", "true":
		list = set.Active(s.store.Now())
	case "", "0", "false":
		list, _, err = s.store.Promotions()
		if err != nil {
			return err
		}
	default:
		return newAPIError(fiber.StatusBadRequest, "bad_query", "active: 1 or 0")
	}
	if list == nil {
		list = []pos.Promotion{}
	}
	return c.JSON(fiber.Map{"promotions": list, "version": set.Version})
}

func (s *Server) getPromotion(c *fiber.Ctx) error {
	p, err := s.store.Promotion(c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (s *Server) createPromotion(c *fiber.Ctx) error {
	var b pos.PromotionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Version != 0 {
		return fieldError("version", "a new promotion has no version")
	}
	p, err := s.store.PutPromotion(b.Promotion(), true, 0)
	if err != nil {
		return err
	}
	s.promotionsChanged(c, "created", p)
	c.Location("/api/v1/promotions/" + p.ID)
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (s *Server) editPromotion(c *fiber.Ctx) error {
	var b pos.PromotionBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.ID != "" && b.ID != c.Params("id") {
		return fieldError("id", "the id is the one in the path; a promotion is not renamed")
	}
	b.ID = c.Params("id")
	p, err := s.store.PutPromotion(b.Promotion(), false, b.Version)
	if err != nil {
		return err
	}
	s.promotionsChanged(c, "changed", p)
	return c.JSON(p)
}

// deletePromotion ends a promotion; ?version= guards against deleting one
// changed meanwhile.
func (s *Server) deletePromotion(c *fiber.Ctx) error {
	var version uint64
	if v := c.Query("version"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return newAPIError(fiber.StatusBadRequest, "bad_query", "version: the promotion's version number")
		}
		version = n
	}
	p, err := s.store.DeletePromotion(c.Params("id"), version)
	if err != nil {
		return err
	}
	s.promotionsChanged(c, "deleted", p)
	return c.SendStatus(fiber.StatusNoContent)
}

// promotionsChanged prices every open cart again (what they show changed)
// and tells the screens the list's new version.
func (s *Server) promotionsChanged(c *fiber.Ctx, what string, p pos.Promotion) {
	s.log.Info("promotion "+what, "promotion", p.ID, "version", p.Version, "by", who(c))
	s.hub.broadcastAll(map[string]any{"type": "promotions", "version": p.Version})
	s.hub.rebroadcastCarts()
}

// watchPromotions prices the open carts again when a promotion starts or ends
// by its window (a fair's hours), so the screens show what the sale will be.
func (h *hub) watchPromotions(stop <-chan struct{}) {
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	last := ""
	for {
		set, err := h.s.store.PromotionSet()
		if err == nil {
			key := "-" // changes to the promotions themselves are sent as they happen
			for _, p := range set.Active(h.s.store.Now()) {
				key += "," + p.ID
			}
			if last != "" && key != last {
				h.rebroadcastCarts()
			}
			last = key
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}
