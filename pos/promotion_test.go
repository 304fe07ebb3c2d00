package pos

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

func TestPromotionStore(t *testing.T) {
	s := openTestStore(t)
	p10 := promo("P10", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000 })
	got, err := s.PutPromotion(p10, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Updated.IsZero() {
		t.Errorf("a new promotion: version %d, updated %v", got.Version, got.Updated)
	}
	if _, err := s.PutPromotion(p10, true, 0); !errors.Is(err, ErrPromotionExists) {
		t.Errorf("creating it again: %v, want ErrPromotionExists", err)
	}
	if _, err := s.PutPromotion(promo("NOPE", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000 }), false, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("replacing one that is not there: %v, want ErrNotFound", err)
	}
	noID, err := s.PutPromotion(promo("", PromoAmount, ScopeGroup, "food", func(p *Promotion) { p.Name, p.Amount = "Giảm 1.000", 1000 }), true, 0)
	if err != nil || !ValidID(noID.ID) || noID.Version != 2 {
		t.Fatalf("a promotion without an id: %+v, %v", noID, err)
	}
	p10.Percent = 2000
	if _, err := s.PutPromotion(p10, false, 7); !errors.Is(err, ErrPromotionChanged) {
		t.Errorf("replacing version 7 of version 1: %v, want ErrPromotionChanged", err)
	}
	if got, err = s.PutPromotion(p10, false, 1); err != nil || got.Version != 3 || got.Percent != 2000 {
		t.Fatalf("replacing version 1: %+v, %v", got, err)
	}
	list, version, err := s.Promotions()
	if err != nil || version != 3 || len(list) != 2 || list[1].ID != "P10" || list[1].Percent != 2000 {
		t.Fatalf("Promotions = %+v, version %d, %v", list, version, err)
	}
	if _, err := s.DeletePromotion("P10", 1); !errors.Is(err, ErrPromotionChanged) {
		t.Errorf("deleting version 1 of version 3: %v", err)
	}
	if _, err := s.DeletePromotion("P10", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Promotion("P10"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a deleted promotion: %v, want ErrNotFound", err)
	}
	if _, err := s.DeletePromotion("P10", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting it twice: %v, want ErrNotFound", err)
	}
	if list, version, _ = s.Promotions(); len(list) != 1 || version != 4 {
		t.Errorf("after the deletion: %d promotions at version %d, want 1 at 4", len(list), version)
	}
	// A deleted id may be made again, as a new promotion.
	if got, err = s.PutPromotion(p10, true, 0); err != nil || got.Version != 5 {
		t.Errorf("making a deleted promotion again: %+v, %v", got, err)
	}
	if _, err := s.PutPromotion(promo("BAD", PromoPercent, ScopeSKU, "HONEY", nil), true, 0); !errors.Is(err, ErrBadPromotion) {
		t.Errorf("a promotion of 0 %%: %v, want ErrBadPromotion", err)
	}
}

func TestASaleAppliesThePromotionsOfItsMoment(t *testing.T) {
	s := openTestStore(t)
	plain := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0)))
	if plain.Discount != 0 || len(plain.Promotions) != 0 {
		t.Fatalf("a sale before any promotion: %+v", plain)
	}
	// The first sale warmed the store's promotion cache; a promotion made now
	// applies to the very next sale.
	if _, err := s.PutPromotion(promo("P10", PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 1000 }), true, 0); err != nil {
		t.Fatal(err)
	}
	sale := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(198000, 0)))
	if sale.Total != 198000 || sale.Discount != 22000 || len(sale.Promotions) != 1 || sale.Promotions[0].Saved != 22000 ||
		sale.Lines[0].Promotion != "P10" {
		t.Errorf("a sale after the promotion: %+v", sale)
	}
	if _, err := s.DeletePromotion("P10", 0); err != nil {
		t.Fatal(err)
	}
	if after := s.sell(t, saleOf([]LineRequest{lineReq("HONEY", 1)}, cashReq(220000, 0))); after.Total != 220000 {
		t.Errorf("a sale after the promotion was deleted: total %d", after.Total)
	}
}

func TestPromotionsSurviveAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s := openStoreAt(t, path, newTestClock())
	if _, err := s.PutPromotion(promo("B3", PromoBundle, ScopeSKU, "HONEY", func(p *Promotion) { p.BundleQty, p.BundlePrice = 3, 600000 }), true, 0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := openStoreAt(t, path, newTestClock())
	list, v, err := s2.Promotions()
	if err != nil || len(list) != 1 || v != 1 || list[0].BundlePrice != 600000 {
		t.Errorf("after reopening: %+v, version %d, %v", list, v, err)
	}
}

func TestTheHubsPromotionsAreAppliedInOneGo(t *testing.T) {
	s := openTestStore(t)
	own := promo("OWN", PromoPercent, ScopeSKU, "RICE", func(p *Promotion) { p.Percent = 500 })
	if _, err := s.PutPromotion(own, true, 0); err != nil {
		t.Fatal(err)
	}
	var sent []Promotion
	for i := range 2000 {
		sent = append(sent, promo(fmt.Sprintf("HUB%04d", i), PromoPercent, ScopeSKU, "HONEY", func(p *Promotion) { p.Percent = 100 }))
	}
	changed, replaced, err := s.ApplyHubPromotions(sent)
	if err != nil || changed != 2000 || len(replaced) != 0 {
		t.Fatalf("first set: %d changed, replaced %v, %v", changed, replaced, err)
	}
	if changed, _, err := s.ApplyHubPromotions(sent); err != nil || changed != 0 {
		t.Errorf("the same set again: %d changed, %v", changed, err)
	}
	changed, _, err = s.ApplyHubPromotions(sent[:10])
	if err != nil || changed != 1990 {
		t.Errorf("a smaller set: %d changed, %v; want the 1,990 gone ended", changed, err)
	}
	all, _, err := s.Promotions()
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]string{}
	for _, p := range all {
		if !p.Deleted {
			live[p.ID] = p.Origin
		}
	}
	if len(live) != 11 || live["OWN"] != "" || live["HUB0000"] != OriginHub {
		t.Errorf("live promotions %v, want the kiosk's own and 10 of the hub's", live)
	}
}
