package kiosk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// The hub's promotions live beside the kiosk's own in its store, marked
// Origin "hub". The hub's are the hub's: the kiosk prices with them but a
// manager here cannot change or end one (409 promotion_from_hub: the next
// sync would undo it); that is done on the hub, and reaches every kiosk. A
// promotion of the hub whose id a kiosk's own promotion already has replaces
// it: the fair's organiser decides. The kiosk keeps the last set it got while
// it is offline, and takes whatever set the hub sends next, also an older one
// from a hub restored from a copy.

const (
	metaPromotionsVersion = "central_promotions_version"
	metaPromotionsDigest  = "central_promotions_digest"
)

// hubPromotionsHeld is the version and digest of the hub's set of promotions
// this kiosk holds (0 and "": none yet).
func (s *Server) hubPromotionsHeld() (uint64, string) {
	v, _ := s.store.Meta(metaPromotionsVersion)
	d, _ := s.store.Meta(metaPromotionsDigest)
	n, _ := strconv.ParseUint(v, 10, 64)
	return n, d
}

// applyHubPromotions makes the kiosk's copy of the hub's promotions the set
// the hub sent: promotions new or changed are written, those the set no
// longer holds are ended, the kiosk's own are left alone. Open carts are
// priced again (the path the kiosk's own changes take) and the screens told
// the list's new version. A failure part way leaves the set unmarked, so the
// hub sends it again at the next connection and the rest is applied then.
func (s *Server) applyHubPromotions(cp hubsync.CentralPromotions) error {
	if v, d := s.hubPromotionsHeld(); v == cp.Version && d == cp.Digest {
		return nil
	}
	current, _, err := s.store.Promotions()
	if err != nil {
		return err
	}
	live := map[string]pos.Promotion{}
	for _, p := range current {
		live[p.ID] = p
	}
	sent := map[string]bool{}
	changed := 0
	for _, p := range cp.Promotions {
		p.Origin, p.Version, p.Deleted = pos.OriginHub, 0, false
		sent[p.ID] = true
		old, ok := live[p.ID]
		if ok && old.Origin == pos.OriginHub && sameTerms(old, p) {
			continue
		}
		if ok && old.Origin != pos.OriginHub {
			s.log.Warn("a promotion of the hub replaces the kiosk's own of the same id", "promotion", p.ID)
		}
		if err := s.putHubPromotion(p, !ok); err != nil {
			return fmt.Errorf("hub promotion %s: %w", p.ID, err)
		}
		changed++
	}
	for id, old := range live {
		if old.Origin != pos.OriginHub || sent[id] {
			continue
		}
		if _, err := s.store.EndHubPromotion(id); err != nil && !errors.Is(err, pos.ErrNotFound) {
			return fmt.Errorf("ending hub promotion %s: %w", id, err)
		}
		changed++
	}
	if err := s.store.SetMeta(metaPromotionsVersion, strconv.FormatUint(cp.Version, 10)); err != nil {
		return err
	}
	if err := s.store.SetMeta(metaPromotionsDigest, cp.Digest); err != nil {
		return err
	}
	s.log.Info("the hub's promotions applied", "version", cp.Version, "promotions", len(cp.Promotions), "changed", changed)
	if changed > 0 {
		_, version, _ := s.store.Promotions()
		s.hub.broadcastAll(map[string]any{"type": "promotions", "version": version})
		s.hub.rebroadcastCarts()
	}
	return nil
}

// putHubPromotion writes one of the hub's promotions, as a new one or over
// the one of that id. A manager making or ending a promotion of the same id
// meanwhile turns one into the other: it is tried once the other way.
func (s *Server) putHubPromotion(p pos.Promotion, create bool) error {
	_, err := s.store.PutPromotion(p, create, 0)
	if create && errors.Is(err, pos.ErrPromotionExists) || !create && errors.Is(err, pos.ErrNotFound) {
		_, err = s.store.PutPromotion(p, !create, 0)
	}
	return err
}

// sameTerms tells whether two promotions say the same, whatever their
// versions and times.
func sameTerms(a, b pos.Promotion) bool {
	terms := func(p pos.Promotion) string {
		p.Version, p.Updated, p.Deleted = 0, time.Time{}, false
		out, _ := json.Marshal(p)
		return string(out)
	}
	return terms(a) == terms(b)
}
