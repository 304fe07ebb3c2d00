package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/pos"
)

// The hub's promotions, one row each (an ended one kept, marked deleted, so
// that the set's version still moves on), versioned by one counter for the
// whole set; changes take turns on the counter's row.

// Promotions lists the hub's running promotions in id order and the version
// of the set (0: the hub never had one).
func (s *PGStore) Promotions() ([]pos.Promotion, uint64, error) {
	ctx, cancel := op()
	defer cancel()
	var out []pos.Promotion
	var version int64
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, q("promotion-version")).Scan(&version); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, q("promotions"))
		if err != nil {
			return err
		}
		var raw []byte
		_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
			var p pos.Promotion
			if err := decode(raw, &p, "hub promotion"); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("hub promotions: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, uint64(version), nil
}

// PutPromotion creates (create) or replaces one of the hub's promotions as a
// new version of the set. ifVersion, when not 0, is the version the caller
// read: a promotion changed since is refused with pos.ErrPromotionChanged.
func (s *PGStore) PutPromotion(p pos.Promotion, create bool, ifVersion uint64, now time.Time) (pos.Promotion, error) {
	if err := p.Validate(); err != nil {
		return pos.Promotion{}, err
	}
	p.Origin, p.Deleted = "", false
	if p.ID == "" {
		p.ID = pos.NewID(now)
	}
	err := s.changePromotion(p.ID, func(ctx context.Context, tx pgx.Tx, old pos.Promotion, exists bool) (pos.Promotion, error) {
		live := exists && !old.Deleted
		switch {
		case create && live:
			return p, fmt.Errorf("%w: %s", pos.ErrPromotionExists, p.ID)
		case !create && !live:
			return p, fmt.Errorf("%w: promotion %q", pos.ErrNotFound, p.ID)
		case ifVersion != 0 && old.Version != ifVersion:
			return p, fmt.Errorf("%w: %s is at version %d, not %d", pos.ErrPromotionChanged, p.ID, old.Version, ifVersion)
		}
		if create {
			var n int
			if err := tx.QueryRow(ctx, q("live-promotions")).Scan(&n); err != nil {
				return p, err
			}
			if n >= pos.MaxPromotions {
				return p, fmt.Errorf("%w: at most %d promotions; end some first", pos.ErrBadPromotion, pos.MaxPromotions)
			}
		}
		return p, nil
	}, now, &p)
	if err != nil {
		return pos.Promotion{}, err
	}
	return p, nil
}

// DeletePromotion ends one of the hub's promotions: kiosks end their copy at
// the next sync.
func (s *PGStore) DeletePromotion(id string, ifVersion uint64, now time.Time) (pos.Promotion, error) {
	var p pos.Promotion
	err := s.changePromotion(id, func(_ context.Context, _ pgx.Tx, old pos.Promotion, exists bool) (pos.Promotion, error) {
		if !exists || old.Deleted {
			return old, fmt.Errorf("%w: promotion %q", pos.ErrNotFound, id)
		}
		if ifVersion != 0 && old.Version != ifVersion {
			return old, fmt.Errorf("%w: %s is at version %d, not %d", pos.ErrPromotionChanged, id, old.Version, ifVersion)
		}
		old.Deleted = true
		return old, nil
	}, now, &p)
	if err != nil {
		return pos.Promotion{}, err
	}
	return p, nil
}

// changePromotion reads promotion id under the set's lock, lets change say
// what it becomes (or refuse), and stores that as the set's next version in
// *out.
func (s *PGStore) changePromotion(id string, change func(ctx context.Context, tx pgx.Tx, old pos.Promotion, exists bool) (pos.Promotion, error),
	now time.Time, out *pos.Promotion) error {
	ctx, cancel := op()
	defer cancel()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var version int64
		if err := tx.QueryRow(ctx, q("lock-promotions")).Scan(&version); err != nil {
			return fmt.Errorf("hub promotions: %w", err)
		}
		var old pos.Promotion
		var raw []byte
		exists := true
		err := tx.QueryRow(ctx, q("promotion"), id).Scan(&raw)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			exists = false
		case err != nil:
			return fmt.Errorf("hub promotion %s: %w", id, err)
		default:
			if err := decode(raw, &old, "hub promotion "+id); err != nil {
				return err
			}
		}
		p, err := change(ctx, tx, old, exists)
		if err != nil {
			return err
		}
		p.Version, p.Updated = uint64(version+1), now
		if raw, err = json.Marshal(p); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q("put-promotion"), p.ID, int64(p.Version), p.Deleted, now, raw); err != nil {
			return fmt.Errorf("hub promotion %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, q("set-promotion-version"), version+1); err != nil {
			return fmt.Errorf("hub promotions: %w", err)
		}
		if err := notifyChange(ctx, tx, "promotions"); err != nil {
			return err
		}
		*out = p
		return nil
	})
}
