package kiosk

import (
	"strconv"

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
	changed, replaced, err := s.store.ApplyHubPromotions(cp.Promotions)
	if err != nil {
		return err
	}
	for _, id := range replaced {
		s.log.Warn("a promotion of the hub replaces the kiosk's own of the same id", "promotion", id)
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
