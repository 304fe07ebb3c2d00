package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
	"github.com/ocop-kiosk/kiosk/sync/einvoice"
)

// Kiosks' invoicing and sellers' provider accounts on PostgreSQL. A kiosk's
// block and series are checked against the others' before they are written,
// for the message that names the other kiosk. Hub processes sharing the
// database take turns on a transaction's advisory lock to do so (a kiosk
// registers once a connection: turns cost nothing), and the table's
// constraints (an exclusion constraint on the blocks, a unique index on
// seller and symbol letters) refuse whatever would pass them anyway; a write
// they refuse is tried again, to find out why.

// Names of the constraints that keep kiosks apart (migrations/00011_invoices.sql).
const (
	blocksApart = "kiosk_invoicing_blocks_apart"
	oneSeries   = "kiosk_invoicing_one_series"
)

// conflictAttempts is how often a registration that lost a race is tried
// again before its refusal is given without the other kiosk's name.
const conflictAttempts = 5

// conflict maps a constraint's refusal to the error the hub answers.
func conflict(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	switch pe.ConstraintName {
	case blocksApart:
		return hubsync.ErrInvoiceBlockOverlap
	case oneSeries:
		return hubsync.ErrInvoiceSymbolTaken
	}
	return nil
}

// inRace runs f in a transaction, in its turn among the hub processes, and
// again when a constraint refused its write (the next run finds the write it
// met, and says so).
func (s *PGStore) inRace(ctx context.Context, what string, f func(tx pgx.Tx) error) error {
	var err error
	for range conflictAttempts {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, iq("inv-registration-turn")); err != nil {
				return err
			}
			return f(tx)
		})
		if err == nil {
			return nil
		}
		if conflict(err) == nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return fmt.Errorf("%s: %w (%v)", what, conflict(err), err)
}

func blockArgs(b pos.InvoiceBlock) (from, to *int64) {
	if b.IsZero() {
		return nil, nil
	}
	f, t := int64(b.From), int64(b.To)
	return &f, &t
}

func toBlock(from, to *int64) pos.InvoiceBlock {
	if from == nil || to == nil {
		return pos.InvoiceBlock{}
	}
	return pos.InvoiceBlock{From: uint64(*from), To: uint64(*to)}
}

type otherBlock struct {
	kiosk string
	block pos.InvoiceBlock
}

func otherBlocks(ctx context.Context, tx pgx.Tx, kiosk string) ([]otherBlock, error) {
	rows, err := tx.Query(ctx, iq("inv-other-blocks"), kiosk)
	if err != nil {
		return nil, err
	}
	var out []otherBlock
	var k string
	var from, to *int64
	_, err = pgx.ForEachRow(rows, []any{&k, &from, &to}, func() error {
		out = append(out, otherBlock{k, toBlock(from, to)})
		return nil
	})
	return out, err
}

// checkOverlap refuses a block that shares a number with another kiosk's (a
// revoked kiosk's too: the invoices it issued stay issued).
func checkOverlap(others []otherBlock, kiosk string, b pos.InvoiceBlock) error {
	for _, o := range others {
		if o.block.Overlaps(b) {
			return fmt.Errorf("%w: kiosk %s's block %s overlaps kiosk %s's %s", hubsync.ErrInvoiceBlockOverlap, kiosk, b, o.kiosk, o.block)
		}
	}
	return nil
}

// freeBlock is the lowest block N (from 1: block 0 would start at the
// all-zero code) that overlaps no kiosk's.
func freeBlock(others []otherBlock) (pos.InvoiceBlock, error) {
	for n := uint64(1); n <= pos.MaxMCCQT/pos.BlockSize; n++ {
		b := pos.InvoiceBlock{From: n * pos.BlockSize, To: n*pos.BlockSize + pos.BlockSize - 1}
		if checkOverlap(others, "", b) == nil {
			return b, nil
		}
	}
	return pos.InvoiceBlock{}, hubsync.ErrInvoiceBlocksFull
}

// openKiosk makes sure the kiosk exists and has a row of invoicing, and locks
// that row for the transaction.
func openKiosk(ctx context.Context, tx pgx.Tx, kiosk string) (hubsync.KioskInvoicing, error) {
	var inv hubsync.KioskInvoicing
	var exists bool
	if err := tx.QueryRow(ctx, iq("inv-kiosk-exists"), kiosk).Scan(&exists); err != nil {
		return inv, err
	}
	if !exists {
		return inv, fmt.Errorf("%w %q", hubsync.ErrUnknownKiosk, kiosk)
	}
	if _, err := tx.Exec(ctx, iq("inv-open-kiosk"), kiosk); err != nil {
		return inv, err
	}
	var form int32
	var acked int64
	var from, to *int64
	if err := tx.QueryRow(ctx, iq("inv-lock-kiosk"), kiosk).Scan(&inv.Seller, &form, &inv.Symbol, &from, &to, &acked); err != nil {
		return inv, err
	}
	inv.Form, inv.Block, inv.StatesAcked = int(form), toBlock(from, to), uint64(acked)
	return inv, nil
}

// RegisterInvoicing checks a kiosk's invoicing as its greeting says it (seller
// MST, form, symbol and block, zero when it has none) against every other
// kiosk's, and answers the block the kiosk must use: its own, the one
// registered for it ahead, or the next free block the hub allocates. A block
// that overlaps another kiosk's, or a seller and symbol another kiosk uses,
// is refused and nothing changes.
func (s *PGStore) RegisterInvoicing(kiosk, seller string, form int, symbol string, block pos.InvoiceBlock) (pos.InvoiceBlock, error) {
	var out pos.InvoiceBlock
	ctx, cancel := op()
	defer cancel()
	err := s.inRace(ctx, "invoicing of kiosk "+kiosk, func(tx pgx.Tx) error {
		inv, err := openKiosk(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		if seller != "" {
			var other, otherSymbol string
			err := tx.QueryRow(ctx, iq("inv-symbol-user"), kiosk, seller, symbol).Scan(&other, &otherSymbol)
			if err == nil {
				return fmt.Errorf("%w: kiosk %s issues %s for %s; give kiosk %s symbol letters of its own", hubsync.ErrInvoiceSymbolTaken, other, otherSymbol, seller, kiosk)
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		others, err := otherBlocks(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		retired, err := retiredBlocks(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		switch {
		case !block.IsZero() && !inv.Block.IsZero() && block != inv.Block && slices.Contains(retired, block):
			// The kiosk still has the block it was given before its next:
			// it is sent the next.
		case !block.IsZero() && !inv.Block.IsZero() && block != inv.Block:
			return fmt.Errorf("%w: kiosk %s says %s, the hub holds %s for it", hubsync.ErrInvoiceBlockMismatch, kiosk, block, inv.Block)
		case !block.IsZero():
			inv.Block = block
		case inv.Block.IsZero():
			if inv.Block, err = freeBlock(others); err != nil {
				return err
			}
		}
		if err := checkOverlap(others, kiosk, inv.Block); err != nil {
			return err
		}
		from, to := blockArgs(inv.Block)
		if _, err := tx.Exec(ctx, iq("inv-set-kiosk"), kiosk, seller, int32(form), symbol, from, to); err != nil {
			return err
		}
		out = inv.Block
		return nil
	})
	if err != nil {
		return pos.InvoiceBlock{}, err
	}
	return out, nil
}

// retiredBlocks are a kiosk's earlier blocks.
func retiredBlocks(ctx context.Context, tx pgx.Tx, kiosk string) ([]pos.InvoiceBlock, error) {
	rows, err := tx.Query(ctx, iq("inv-retired"), kiosk)
	if err != nil {
		return nil, err
	}
	var out []pos.InvoiceBlock
	var from, to int64
	_, err = pgx.ForEachRow(rows, []any{&from, &to}, func() error {
		out = append(out, pos.InvoiceBlock{From: uint64(from), To: uint64(to)})
		return nil
	})
	return out, err
}

// NextInvoiceBlock gives a kiosk its next block of the MCCQT counter when its
// block runs out: block, when given and free, or the lowest free one. The
// kiosk's current block is retired (it stays the kiosk's); the kiosk is sent
// the next at its next link.
func (s *PGStore) NextInvoiceBlock(kiosk string, block pos.InvoiceBlock) (pos.InvoiceBlock, error) {
	ctx, cancel := op()
	defer cancel()
	err := s.inRace(ctx, "next invoice block of kiosk "+kiosk, func(tx pgx.Tx) error {
		inv, err := openKiosk(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		taken, err := otherBlocks(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		retired, err := retiredBlocks(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		for _, b := range append(retired, inv.Block) {
			if !b.IsZero() {
				taken = append(taken, otherBlock{kiosk, b})
			}
		}
		if block.IsZero() {
			if block, err = freeBlock(taken); err != nil {
				return err
			}
		} else if err := checkOverlap(taken, kiosk, block); err != nil {
			return err
		}
		if !inv.Block.IsZero() {
			if _, err := tx.Exec(ctx, iq("inv-retire"), kiosk, int64(inv.Block.From), int64(inv.Block.To)); err != nil {
				return err
			}
		}
		from, to := blockArgs(block)
		_, err = tx.Exec(ctx, iq("inv-set-block"), kiosk, from, to)
		return err
	})
	if err != nil {
		return pos.InvoiceBlock{}, err
	}
	return block, nil
}

// CheckInvoiceBlock says whether a block is free for a kiosk (none of another
// kiosk's overlaps it).
func (s *PGStore) CheckInvoiceBlock(kiosk string, block pos.InvoiceBlock) error {
	ctx, cancel := op()
	defer cancel()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		others, err := otherBlocks(ctx, tx, kiosk)
		if err != nil {
			return fmt.Errorf("invoice blocks: %w", err)
		}
		return checkOverlap(others, kiosk, block)
	})
}

// ReserveInvoiceBlock registers a kiosk's block ahead of its first link
// (`hub kiosk add K01 -invoice-block N`).
func (s *PGStore) ReserveInvoiceBlock(kiosk string, block pos.InvoiceBlock) error {
	ctx, cancel := op()
	defer cancel()
	return s.inRace(ctx, "invoice block of kiosk "+kiosk, func(tx pgx.Tx) error {
		if _, err := openKiosk(ctx, tx, kiosk); err != nil {
			return err
		}
		others, err := otherBlocks(ctx, tx, kiosk)
		if err != nil {
			return err
		}
		if err := checkOverlap(others, kiosk, block); err != nil {
			return err
		}
		from, to := blockArgs(block)
		_, err = tx.Exec(ctx, iq("inv-set-block"), kiosk, from, to)
		return err
	})
}

func scanInvoicing(row pgx.Row) (string, hubsync.KioskInvoicing, error) {
	var kiosk string
	var inv hubsync.KioskInvoicing
	var form int32
	var acked int64
	var from, to *int64
	err := row.Scan(&kiosk, &inv.Seller, &form, &inv.Symbol, &from, &to, &acked)
	inv.Form, inv.Block, inv.StatesAcked = int(form), toBlock(from, to), uint64(acked)
	return kiosk, inv, err
}

// kioskInvoicing is a kiosk's invoicing, nil when it has none.
func (s *PGStore) kioskInvoicing(ctx context.Context, kiosk string) (*hubsync.KioskInvoicing, error) {
	_, inv, err := scanInvoicing(s.pool.QueryRow(ctx, iq("inv-kiosk"), kiosk))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("invoicing of kiosk %s: %w", kiosk, err)
	}
	return &inv, nil
}

// kiosksInvoicing is every kiosk's invoicing, by kiosk.
func (s *PGStore) kiosksInvoicing(ctx context.Context) (map[string]*hubsync.KioskInvoicing, error) {
	rows, err := s.pool.Query(ctx, iq("inv-kiosks"))
	if err != nil {
		return nil, fmt.Errorf("kiosks' invoicing: %w", err)
	}
	out := map[string]*hubsync.KioskInvoicing{}
	for rows.Next() {
		k, inv, err := scanInvoicing(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("kiosks' invoicing: %w", err)
		}
		out[k] = &inv
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kiosks' invoicing: %w", err)
	}
	return out, nil
}

// SellerSettings reads a seller's provider settings (ErrUnknownSeller when
// the hub has none).
func (s *PGStore) SellerSettings(mst string) (einvoice.Settings, error) {
	var set einvoice.Settings
	ctx, cancel := op()
	defer cancel()
	var raw []byte
	err := s.pool.QueryRow(ctx, iq("inv-seller"), mst).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return set, fmt.Errorf("%w: %s", hubsync.ErrUnknownSeller, mst)
	}
	if err != nil {
		return set, fmt.Errorf("settings of seller %s: %w", mst, err)
	}
	return set, decode(raw, &set, "settings of seller "+mst)
}

// PutSellerSettings keeps a seller's provider settings.
func (s *PGStore) PutSellerSettings(mst string, set einvoice.Settings) error {
	raw, err := json.Marshal(set)
	if err != nil {
		return err
	}
	ctx, cancel := op()
	defer cancel()
	if _, err := s.pool.Exec(ctx, iq("inv-put-seller"), mst, raw); err != nil {
		return fmt.Errorf("settings of seller %s: %w", mst, err)
	}
	return nil
}

// DeleteSellerSettings forgets a seller's settings (its invoices then wait
// for the hub's default provider, or for new settings).
func (s *PGStore) DeleteSellerSettings(mst string) error {
	ctx, cancel := op()
	defer cancel()
	tag, err := s.pool.Exec(ctx, iq("inv-delete-seller"), mst)
	if err != nil {
		return fmt.Errorf("settings of seller %s: %w", mst, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s", hubsync.ErrUnknownSeller, mst)
	}
	return nil
}

// Sellers lists the sellers with settings, by MST.
func (s *PGStore) Sellers() (map[string]einvoice.Settings, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, iq("inv-sellers"))
	if err != nil {
		return nil, fmt.Errorf("sellers: %w", err)
	}
	out := map[string]einvoice.Settings{}
	var mst string
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&mst, &raw}, func() error {
		var set einvoice.Settings
		if err := decode(raw, &set, "settings of seller "+mst); err != nil {
			return err
		}
		out[mst] = set
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sellers: %w", err)
	}
	return out, nil
}
