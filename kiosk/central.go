package kiosk

import (
	"fmt"
	"strconv"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

const metaCatalogVersion = "central_catalog_version"

// catalogVersion is the central catalog version this kiosk sells on (0: its own).
func (s *Server) catalogVersion() uint64 {
	v, _ := s.store.Meta(metaCatalogVersion)
	n, _ := strconv.ParseUint(v, 10, 64)
	return n
}

// priceChange is a product whose price a new central catalog changed.
type priceChange struct {
	SKU  string    `json:"sku"`
	Name string    `json:"name"`
	Old  pos.Money `json:"old"`
	New  pos.Money `json:"new"`
}

// applyCentralCatalog takes a newer catalog from the hub: products, producers
// and lots are replaced, the kiosk's stock is kept (the hub does not count it).
// Open carts are priced from the catalog, so they show the new prices at once;
// every screen is told which prices changed (the till shows it to the vendor)
// and gets its cart again. A sale is priced when it commits, as always.
func (s *Server) applyCentralCatalog(cv hubsync.CatalogVersion) error {
	if cv.Version == s.catalogVersion() {
		return nil // a version older than the kiosk's comes from a hub restored from a snapshot: it is the hub's now
	}
	before := map[string]pos.Money{}
	ix := s.index.Load()
	for _, p := range cv.Products {
		if old := ix.Lookup(p.SKU); old != nil && old.SKU == p.SKU {
			before[p.SKU] = old.Price
		}
	}
	cat := pos.Catalog{Producers: cv.Producers, Products: cv.Products, Lots: cv.Lots, StockGiven: make([]bool, len(cv.Products))}
	if err := s.store.PutCatalog(cat, fmt.Sprintf("central catalog v%d", cv.Version)); err != nil {
		return err
	}
	if err := s.store.SetMeta(metaCatalogVersion, strconv.FormatUint(cv.Version, 10)); err != nil {
		return err
	}
	if err := s.reindex(); err != nil {
		return err
	}
	var changes []priceChange
	for _, p := range cv.Products {
		if old, ok := before[p.SKU]; ok && old != p.Price {
			changes = append(changes, priceChange{SKU: p.SKU, Name: p.Name, Old: old, New: p.Price})
		}
	}
	s.log.Info("central catalog applied", "version", cv.Version, "products", len(cv.Products), "price_changes", len(changes))
	s.hub.broadcastAll(map[string]any{"type": "catalog", "version": cv.Version, "prices": changes})
	s.hub.rebroadcastCarts()
	return nil
}
