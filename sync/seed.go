package sync

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Seeds of the hub's central catalog (-seed): what a hub with no catalog
// starts with, so that after the quick start the settlement names producers
// with their tax codes and bank accounts, the reconciliation has central
// prices to check against and the trace pages answer.
const (
	SeedDemo = "demo" // the demo OCOP catalog the kiosk ships (pos.DemoCatalog)
	SeedNone = "none" // nothing: the catalog waits for an import
)

// CheckSeed refuses a seed the hub does not know.
func CheckSeed(seed string) error {
	switch seed {
	case "", SeedDemo, SeedNone:
		return nil
	}
	return fmt.Errorf("-seed %q: want %s or %s", seed, SeedDemo, SeedNone)
}

// seedCatalog publishes the demo catalog into a hub whose central catalog
// has never had a version; a catalog someone published, even emptied since,
// is never written over. Its prices count from now: records made before
// have no central price, and the reconciliation says so.
func seedCatalog(st Store, seed string, now time.Time, log *slog.Logger) error {
	if seed != SeedDemo {
		return nil
	}
	cv, err := st.Catalog()
	if err != nil {
		return fmt.Errorf("seed the catalog: %w", err)
	}
	if cv.Version != 0 {
		return nil
	}
	demo, err := pos.DemoCatalog()
	if err != nil {
		return fmt.Errorf("seed the catalog: %w", err)
	}
	cv, err = st.PutCatalog(demo, now)
	if err != nil {
		return fmt.Errorf("seed the catalog: %w", err)
	}
	log.Info("central catalog seeded with the demo catalog", "version", cv.Version,
		"producers", len(demo.Producers), "products", len(demo.Products))
	return nil
}
