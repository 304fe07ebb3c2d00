package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// The central catalog as rows: producers, products and lots, each with the
// version in which it last changed, so that a kiosk gets only what changed
// since its version; every price a product had, from the moment it was set.
// Unlike BoltStore, the change record starts with the first version.

// Catalog returns the current central catalog (version 0: none yet).
func (s *PGStore) Catalog() (hubsync.CatalogVersion, error) {
	cv, _, err := s.CatalogSince(0)
	return cv, err
}

// CatalogSince returns what a kiosk at version known needs: the records
// changed since (delta true), or the whole catalog when the kiosk has none or
// is not behind.
func (s *PGStore) CatalogSince(known uint64) (hubsync.CatalogVersion, bool, error) {
	ctx, cancel := op()
	defer cancel()
	var cv hubsync.CatalogVersion
	delta := false
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var version int64
		if err := tx.QueryRow(ctx, q("catalog-state")).Scan(&version, new(*time.Time)); err != nil {
			return err
		}
		since := uint64(0)
		if known != 0 && known < uint64(version) {
			since, delta = known, true
		}
		var err error
		cv, err = readCatalog(ctx, tx, since, "catalog-state")
		return err
	})
	if err != nil {
		return cv, false, fmt.Errorf("catalog since %d: %w", known, err)
	}
	return cv, delta, nil
}

// readCatalog reads the catalog's version and the records changed after
// since, each kind in key order.
func readCatalog(ctx context.Context, tx pgx.Tx, since uint64, state string) (hubsync.CatalogVersion, error) {
	var cv hubsync.CatalogVersion
	var version int64
	var published *time.Time
	if err := tx.QueryRow(ctx, q(state)).Scan(&version, &published); err != nil {
		return cv, err
	}
	cv.Version = uint64(version)
	if published != nil {
		cv.Published = *published
	}
	if err := readRecords(ctx, tx, "producers", since, &cv.Producers); err != nil {
		return cv, err
	}
	if err := readRecords(ctx, tx, "products", since, &cv.Products); err != nil {
		return cv, err
	}
	if err := readRecords(ctx, tx, "lots", since, &cv.Lots); err != nil {
		return cv, err
	}
	sort.Slice(cv.Producers, func(i, j int) bool { return cv.Producers[i].ID < cv.Producers[j].ID })
	sort.Slice(cv.Products, func(i, j int) bool { return cv.Products[i].SKU < cv.Products[j].SKU })
	sort.Slice(cv.Lots, func(i, j int) bool { return cv.Lots[i].ID() < cv.Lots[j].ID() })
	return cv, nil
}

func readRecords[T any](ctx context.Context, tx pgx.Tx, kind string, since uint64, out *[]T) error {
	rows, err := tx.Query(ctx, q(kind), int64(since))
	if err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	var raw []byte
	var changed int64
	_, err = pgx.ForEachRow(rows, []any{&raw, &changed}, func() error {
		var v T
		if err := decode(raw, &v, kind); err != nil {
			return err
		}
		*out = append(*out, v)
		return nil
	})
	return err
}

// same tells whether two records marshal alike (a record put again unchanged
// is not a change).
func same(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// PutCatalog merges c into the central catalog (records with the same key are
// replaced), validates all of it, publishes it as a new version and records
// each changed price from now on. Hub processes publishing at once take turns
// on the catalog's state row.
func (s *PGStore) PutCatalog(c pos.Catalog, now time.Time) (hubsync.CatalogVersion, error) {
	return s.putCatalog(func(hubsync.CatalogVersion) (pos.Catalog, error) { return c, nil }, false, now)
}

// UpdateCatalog puts what change makes of the catalog as it stands, read
// with the catalog locked (hubsync.Store.UpdateCatalog): another hub
// process's change waits for this one and then sees it.
func (s *PGStore) UpdateCatalog(change func(cur hubsync.CatalogVersion) (pos.Catalog, error), now time.Time) (hubsync.CatalogVersion, error) {
	return s.putCatalog(change, true, now)
}

// putCatalog merges what change makes of the current catalog into it; with
// skipEmpty an empty change writes nothing.
func (s *PGStore) putCatalog(change func(cur hubsync.CatalogVersion) (pos.Catalog, error), skipEmpty bool, now time.Time) (hubsync.CatalogVersion, error) {
	ctx, cancel := op()
	defer cancel()
	var out hubsync.CatalogVersion
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := readCatalog(ctx, tx, 0, "lock-catalog")
		if err != nil {
			return err
		}
		c, err := change(cur)
		if err != nil {
			return err
		}
		if skipEmpty && len(c.Producers) == 0 && len(c.Products) == 0 && len(c.Lots) == 0 {
			out = cur
			return nil
		}
		next := cur.Version + 1
		producers := map[string]pos.Producer{}
		for _, p := range cur.Producers {
			producers[p.ID] = p
		}
		for _, p := range c.Producers {
			if err := p.Validate(); err != nil {
				return err
			}
			if old, existed := producers[p.ID]; !existed || !same(old, p) {
				raw, _ := json.Marshal(p)
				if _, err := tx.Exec(ctx, q("put-producer"), p.ID, p.Name, p.TaxCode, p.BankBIN, p.BankAccount, p.BankAccountName,
					raw, int64(next)); err != nil {
					return err
				}
			}
			producers[p.ID] = p
		}
		products := map[string]pos.Product{}
		for _, p := range cur.Products {
			products[p.SKU] = p
		}
		for _, p := range c.Products {
			if err := p.Validate(); err != nil {
				return err
			}
			if _, ok := producers[p.ProducerID]; !ok {
				return fmt.Errorf("product %s: unknown producer %q", p.SKU, p.ProducerID)
			}
			p.Stock = 0
			old, existed := products[p.SKU]
			if !existed || old.Price != p.Price {
				if _, err := tx.Exec(ctx, q("put-price"), p.SKU, now.UnixNano(), int64(p.Price)); err != nil {
					return err
				}
			}
			if !existed || !same(old, p) {
				raw, _ := json.Marshal(p)
				if _, err := tx.Exec(ctx, q("put-product"), p.SKU, p.ProducerID, p.Name, int64(p.Price), int32(p.VATRate),
					raw, int64(next)); err != nil {
					return err
				}
			}
			products[p.SKU] = p
		}
		lots := map[string]pos.Lot{}
		for _, l := range cur.Lots {
			lots[l.ID()] = l
		}
		for _, l := range c.Lots {
			if err := l.Validate(); err != nil {
				return err
			}
			if _, ok := products[l.SKU]; !ok {
				return fmt.Errorf("lot %s: %w %q", l.Code, pos.ErrUnknownSKU, l.SKU)
			}
			old, existed := lots[l.ID()]
			if l.Captured == nil { // a lot put again keeps the events producers sent
				l.Captured = old.Captured
			}
			if !existed || !same(old, l) {
				raw, _ := json.Marshal(l)
				if _, err := tx.Exec(ctx, q("put-lot"), l.ID(), l.SKU, l.Code, raw, int64(next)); err != nil {
					return err
				}
			}
			lots[l.ID()] = l
		}
		if _, err := tx.Exec(ctx, q("publish-catalog"), int64(next), now); err != nil {
			return err
		}
		if err := notifyChange(ctx, tx, "catalog"); err != nil {
			return err
		}
		out = hubsync.CatalogVersion{Version: next, Published: now}
		for _, p := range producers {
			out.Producers = append(out.Producers, p)
		}
		for _, p := range products {
			out.Products = append(out.Products, p)
		}
		for _, l := range lots {
			out.Lots = append(out.Lots, l)
		}
		sort.Slice(out.Producers, func(i, j int) bool { return out.Producers[i].ID < out.Producers[j].ID })
		sort.Slice(out.Products, func(i, j int) bool { return out.Products[i].SKU < out.Products[j].SKU })
		sort.Slice(out.Lots, func(i, j int) bool { return out.Lots[i].ID() < out.Lots[j].ID() })
		return nil
	})
	if err != nil {
		return hubsync.CatalogVersion{}, err
	}
	return out, nil
}

// CentralPrice is the central price of sku valid at t, and false when the hub
// had no price for it then.
func (s *PGStore) CentralPrice(sku string, t time.Time) (pos.Money, bool, error) {
	ctx, cancel := op()
	defer cancel()
	var price int64
	err := s.pool.QueryRow(ctx, q("central-price"), sku, t.UnixNano()).Scan(&price)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("central price of %s: %w", sku, err)
	}
	return pos.Money(price), true, nil
}

// PriceHistory lists a product's central prices, oldest first.
func (s *PGStore) PriceHistory(sku string) ([]hubsync.PricePoint, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, q("price-history"), sku)
	if err != nil {
		return nil, fmt.Errorf("price history of %s: %w", sku, err)
	}
	var out []hubsync.PricePoint
	var ns, price int64
	_, err = pgx.ForEachRow(rows, []any{&ns, &price}, func() error {
		out = append(out, hubsync.PricePoint{From: time.Unix(0, ns), Price: pos.Money(price)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("price history of %s: %w", sku, err)
	}
	return out, nil
}

// PriceHistories reads every product's central prices, oldest first, in one
// query (the reports' price checks ask for them all).
func (s *PGStore) PriceHistories() (map[string][]hubsync.PricePoint, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, q("price-histories"))
	if err != nil {
		return nil, fmt.Errorf("price histories: %w", err)
	}
	out := map[string][]hubsync.PricePoint{}
	var sku string
	var ns, price int64
	_, err = pgx.ForEachRow(rows, []any{&sku, &ns, &price}, func() error {
		out[sku] = append(out[sku], hubsync.PricePoint{From: time.Unix(0, ns), Price: pos.Money(price)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("price histories: %w", err)
	}
	return out, nil
}
