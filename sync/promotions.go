package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Central promotions: the hub runs promotions on every kiosk, as it keeps the
// central catalog. They are pos.Promotions, checked by the same rules as a
// kiosk's own, kept in the hub store and versioned by one sequence; every
// change goes down the uplink to the linked kiosks at once, and to the others
// when they return. Promotions are few (at most pos.MaxPromotions), so a kiosk
// gets the whole set each time it changes, in parts of at most MaxPart bytes,
// rather than deltas.

var bHubPromotions = []byte("promotions") // id → pos.Promotion; the bucket's sequence versions them

// CentralPromotions is the hub's set of promotions as a kiosk receives it: the
// running ones (ended ones are left out: a kiosk ends those it no longer
// gets), the set's version and a digest of both. The kiosk says which set it
// holds by version and digest; the hub sends its set whenever the digest
// differs, so a hub restored from an older copy, whose version went back or
// came round again to a number the kiosk holds with other promotions, is
// followed all the same.
type CentralPromotions struct {
	Version    uint64          `json:"version"`
	Digest     string          `json:"digest"`
	Promotions []pos.Promotion `json:"promotions"`
}

// digestOf is the digest of a set's version and promotions.
func digestOf(version uint64, ps []pos.Promotion) string {
	b, _ := json.Marshal(struct {
		V uint64          `json:"v"`
		P []pos.Promotion `json:"p"`
	}{version, ps})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// centralPromotions is the set a kiosk gets now.
func centralPromotions(st Store) (CentralPromotions, error) {
	ps, v, err := st.Promotions()
	if err != nil {
		return CentralPromotions{}, err
	}
	if ps == nil {
		ps = []pos.Promotion{}
	}
	return CentralPromotions{Version: v, Digest: digestOf(v, ps), Promotions: ps}, nil
}

// promotionParts splits a set into parts of at most about MaxPart bytes; every
// part carries the version and digest. An empty set is one empty part.
func promotionParts(cp CentralPromotions) []CentralPromotions {
	parts := []CentralPromotions{{Version: cp.Version, Digest: cp.Digest, Promotions: []pos.Promotion{}}}
	size := 0
	for _, p := range cp.Promotions {
		b, _ := json.Marshal(p)
		if size+len(b) > MaxPart && size > 0 {
			parts = append(parts, CentralPromotions{Version: cp.Version, Digest: cp.Digest, Promotions: []pos.Promotion{}})
			size = 0
		}
		size += len(b) + 1
		last := &parts[len(parts)-1]
		last.Promotions = append(last.Promotions, p)
	}
	return parts
}

// Promotions lists the hub's running promotions in id order and the version of
// the set (0: the hub never had one).
func (s *BoltStore) Promotions() ([]pos.Promotion, uint64, error) {
	var out []pos.Promotion
	var v uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHubPromotions)
		if b == nil {
			return nil
		}
		v = b.Sequence()
		return b.ForEach(func(k, raw []byte) error {
			var p pos.Promotion
			if err := json.Unmarshal(raw, &p); err != nil {
				return fmt.Errorf("hub promotion %s: %w", k, err)
			}
			if !p.Deleted {
				out = append(out, p)
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, v, err
}

// PutPromotion creates (create) or replaces one of the hub's promotions as a
// new version of the set. ifVersion, when not 0, is the version the caller
// read: a promotion changed since is refused with pos.ErrPromotionChanged.
func (s *BoltStore) PutPromotion(p pos.Promotion, create bool, ifVersion uint64, now time.Time) (pos.Promotion, error) {
	if err := p.Validate(); err != nil {
		return pos.Promotion{}, err
	}
	p.Origin, p.Deleted = "", false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bHubPromotions)
		if err != nil {
			return err
		}
		if p.ID == "" {
			p.ID = pos.NewID(now)
		}
		var old pos.Promotion
		exists := false
		if raw := b.Get([]byte(p.ID)); raw != nil {
			if err := json.Unmarshal(raw, &old); err != nil {
				return fmt.Errorf("hub promotion %s: %w", p.ID, err)
			}
			exists = true
		}
		live := exists && !old.Deleted
		switch {
		case create && live:
			return fmt.Errorf("%w: %s", pos.ErrPromotionExists, p.ID)
		case !create && !live:
			return fmt.Errorf("%w: promotion %q", pos.ErrNotFound, p.ID)
		case ifVersion != 0 && old.Version != ifVersion:
			return fmt.Errorf("%w: %s is at version %d, not %d", pos.ErrPromotionChanged, p.ID, old.Version, ifVersion)
		}
		if create {
			n := 0
			err := b.ForEach(func(_, raw []byte) error {
				var q struct {
					Deleted bool `json:"deleted"`
				}
				if json.Unmarshal(raw, &q) == nil && !q.Deleted {
					n++
				}
				return nil
			})
			if err != nil {
				return err
			}
			if n >= pos.MaxPromotions {
				return fmt.Errorf("%w: at most %d promotions; end some first", pos.ErrBadPromotion, pos.MaxPromotions)
			}
		}
		return putHubPromotion(b, &p, now)
	})
	if err != nil {
		return pos.Promotion{}, err
	}
	return p, nil
}

// DeletePromotion ends one of the hub's promotions: kiosks end their copy at
// the next sync. It is kept, marked deleted, so that a later one may take its
// id and the set's version still moves on.
func (s *BoltStore) DeletePromotion(id string, ifVersion uint64, now time.Time) (pos.Promotion, error) {
	var p pos.Promotion
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bHubPromotions)
		var raw []byte
		if b != nil {
			raw = b.Get([]byte(id))
		}
		if raw == nil {
			return fmt.Errorf("%w: promotion %q", pos.ErrNotFound, id)
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("hub promotion %s: %w", id, err)
		}
		if p.Deleted {
			return fmt.Errorf("%w: promotion %q", pos.ErrNotFound, id)
		}
		if ifVersion != 0 && p.Version != ifVersion {
			return fmt.Errorf("%w: %s is at version %d, not %d", pos.ErrPromotionChanged, id, p.Version, ifVersion)
		}
		p.Deleted = true
		return putHubPromotion(b, &p, now)
	})
	if err != nil {
		return pos.Promotion{}, err
	}
	return p, nil
}

func putHubPromotion(b *bolt.Bucket, p *pos.Promotion, now time.Time) error {
	v, err := b.NextSequence()
	if err != nil {
		return err
	}
	p.Version, p.Updated = v, now
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return b.Put([]byte(p.ID), raw)
}

// ---- the admin API ----

// promotionError answers a promotion the store refused with its stable code.
func promotionError(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, pos.ErrBadPromotion):
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_promotion", err.Error())
	case errors.Is(err, pos.ErrPromotionExists):
		return jsonError(c, fiber.StatusConflict, "promotion_exists", err.Error())
	case errors.Is(err, pos.ErrPromotionChanged):
		return jsonError(c, fiber.StatusConflict, "promotion_changed", err.Error())
	case errors.Is(err, pos.ErrNotFound):
		return jsonError(c, fiber.StatusNotFound, "unknown_promotion", err.Error())
	}
	return err
}

func (h *Hub) promotionRoutes(admin fiber.Router) {
	admin.Get("/promotions", h.listPromotions)
	admin.Get("/promotions/:id", h.getPromotion)
	admin.Post("/promotions", h.createPromotion)
	admin.Put("/promotions/:id", h.editPromotion)
	admin.Delete("/promotions/:id", h.deletePromotion)
}

// listPromotions answers the running promotions and the set's version.
func (h *Hub) listPromotions(c *fiber.Ctx) error {
	ps, v, err := h.Store.Promotions()
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []pos.Promotion{}
	}
	return c.JSON(fiber.Map{"promotions": ps, "version": v})
}

func (h *Hub) getPromotion(c *fiber.Ctx) error {
	ps, _, err := h.Store.Promotions()
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.ID == c.Params("id") {
			return c.JSON(p)
		}
	}
	return jsonError(c, fiber.StatusNotFound, "unknown_promotion", "no promotion "+strconv.Quote(c.Params("id"))+" on the hub")
}

func (h *Hub) createPromotion(c *fiber.Ctx) error {
	var b pos.PromotionBody
	if err := decodeBody(c, &b); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
	}
	if b.Version != 0 {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_promotion", "version: a new promotion has none")
	}
	p, err := h.Store.PutPromotion(b.Promotion(), true, 0, time.Now())
	if err != nil {
		return promotionError(c, err)
	}
	h.promotionsChanged("created", p)
	c.Location("/api/v1/promotions/" + p.ID)
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (h *Hub) editPromotion(c *fiber.Ctx) error {
	var b pos.PromotionBody
	if err := decodeBody(c, &b); err != nil {
		return jsonError(c, fiber.StatusBadRequest, "bad_json", err.Error())
	}
	if b.ID != "" && b.ID != c.Params("id") {
		return jsonError(c, fiber.StatusUnprocessableEntity, "bad_promotion", "id: the id is the one in the path; a promotion is not renamed")
	}
	b.ID = c.Params("id")
	p, err := h.Store.PutPromotion(b.Promotion(), false, b.Version, time.Now())
	if err != nil {
		return promotionError(c, err)
	}
	h.promotionsChanged("changed", p)
	return c.JSON(p)
}

// deletePromotion ends a promotion; ?version= guards against ending one
// changed meanwhile.
func (h *Hub) deletePromotion(c *fiber.Ctx) error {
	var version uint64
	if v := c.Query("version"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return jsonError(c, fiber.StatusBadRequest, "bad_query", "version: the promotion's version number")
		}
		version = n
	}
	p, err := h.Store.DeletePromotion(c.Params("id"), version, time.Now())
	if err != nil {
		return promotionError(c, err)
	}
	h.promotionsChanged("ended", p)
	return c.SendStatus(fiber.StatusNoContent)
}

// promotionsChanged sends the new set to every linked kiosk.
func (h *Hub) promotionsChanged(what string, p pos.Promotion) {
	h.Log.Info("hub promotion "+what, "promotion", p.ID, "version", p.Version)
	h.catalogChanged()
}
