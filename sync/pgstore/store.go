// Package pgstore is the hub's PostgreSQL store: sync.Store on a database
// that several hub processes may share, for a province's years of sales
// where one bbolt file will not do. Its schema is in migrations/ (applied at
// start by goose, under an advisory lock), its SQL in queries.sql; sales,
// their lines and their payments are tables partitioned by month
// (partitions.go).
package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ocop-kiosk/kiosk/pos"
	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// PGStore is the hub's store on PostgreSQL.
type PGStore struct {
	pool  *pgxpool.Pool
	log   *slog.Logger
	parts *partitions
	id    string // this process's name on the invoice series it delivers (invoices.go)
}

var _ hubsync.Store = (*PGStore)(nil)

// opTimeout bounds one call of the store: the Store interface takes no
// context, and a database that stops answering must not hold a kiosk's
// uplink for ever.
const opTimeout = 2 * time.Minute

func op() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), opTimeout)
}

// Open migrates the database at dbURL to the schema this hub knows (see
// Migrate) and opens the store on it.
func Open(ctx context.Context, dbURL string, log *slog.Logger) (*PGStore, error) {
	if log == nil {
		log = slog.Default()
	}
	if _, err := Migrate(ctx, dbURL, log); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", Redact(dbURL), err)
	}
	// The hub's queries are short and bounded by a day or a batch; the JIT
	// compiler's estimate of them over a big table (a whole history's
	// sequences) made it spend 50-100 ms compiling a query that runs in 2 ms.
	// A URL that names jit itself keeps its choice.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", Redact(dbURL), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", Redact(dbURL), err)
	}
	s := &PGStore{pool: pool, log: log, parts: newPartitions(), id: rand.Text()}
	// This month's and the next one's partitions exist before the first sale
	// arrives, so ingest seldom has to make one.
	now := time.Now()
	if err := s.parts.ensure(ctx, pool, []time.Time{now, now.AddDate(0, 1, 0)}); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Redact is a database URL without its password, for messages.
func Redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(a database URL)"
	}
	return u.Redacted()
}

// Close closes the store's connections.
func (s *PGStore) Close() error {
	s.pool.Close()
	return nil
}

// ---- kiosks ----

// AddKiosk registers a kiosk with the hash of its token.
func (s *PGStore) AddKiosk(id string, tokenHash []byte) error {
	if err := hubsync.CheckKioskID(id); err != nil {
		return err
	}
	ctx, cancel := op()
	defer cancel()
	tag, err := s.pool.Exec(ctx, q("add-kiosk"), id, tokenHash, time.Now())
	if err != nil {
		return fmt.Errorf("register kiosk %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s", hubsync.ErrKioskExists, id)
	}
	return nil
}

func scanKiosk(row pgx.Row) (hubsync.Kiosk, error) {
	var k hubsync.Kiosk
	var acked, top int64
	var contact, errTime *time.Time
	err := row.Scan(&k.ID, &k.TokenHash, &k.Created, &k.Revoked, &acked, &top, &contact, &k.Depth, &k.LastError, &errTime)
	k.Acked, k.Top = uint64(acked), uint64(top)
	if contact != nil {
		k.LastContact = *contact
	}
	if errTime != nil {
		k.LastErrorTime = *errTime
	}
	return k, err
}

// Kiosk returns a registered kiosk.
func (s *PGStore) Kiosk(id string) (hubsync.Kiosk, error) {
	ctx, cancel := op()
	defer cancel()
	k, err := scanKiosk(s.pool.QueryRow(ctx, q("kiosk"), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("%w %q", hubsync.ErrUnknownKiosk, id)
	}
	if err != nil {
		return k, fmt.Errorf("kiosk %s: %w", id, err)
	}
	lost, err := s.lost(ctx, q("lost-of-kiosk"), id)
	k.Lost = lost[id]
	if err != nil {
		return k, err
	}
	k.Invoicing, err = s.kioskInvoicing(ctx, id)
	return k, err
}

// lost reads reported lost ranges by kiosk.
func (s *PGStore) lost(ctx context.Context, sql string, args ...any) (map[string][]pos.SeqRange, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("lost records: %w", err)
	}
	out := map[string][]pos.SeqRange{}
	var kiosk string
	var from, to int64
	_, err = pgx.ForEachRow(rows, []any{&kiosk, &from, &to}, func() error {
		out[kiosk] = append(out[kiosk], pos.SeqRange{From: uint64(from), To: uint64(to)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lost records: %w", err)
	}
	return out, nil
}

// Kiosks lists the registered kiosks in id order.
func (s *PGStore) Kiosks() ([]hubsync.Kiosk, error) {
	ctx, cancel := op()
	defer cancel()
	rows, err := s.pool.Query(ctx, q("kiosks"))
	if err != nil {
		return nil, fmt.Errorf("kiosks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (hubsync.Kiosk, error) { return scanKiosk(r) })
	if err != nil {
		return nil, fmt.Errorf("kiosks: %w", err)
	}
	lost, err := s.lost(ctx, q("lost-all"))
	if err != nil {
		return nil, err
	}
	inv, err := s.kiosksInvoicing(ctx)
	for i := range out {
		out[i].Lost, out[i].Invoicing = lost[out[i].ID], inv[out[i].ID]
	}
	return out, err
}

// exec runs a statement that changes one kiosk, which must exist.
func (s *PGStore) exec(what, id string, sql string, args ...any) error {
	ctx, cancel := op()
	defer cancel()
	tag, err := s.pool.Exec(ctx, sql, append([]any{id}, args...)...)
	if err != nil {
		return fmt.Errorf("%s of kiosk %s: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w %q", hubsync.ErrUnknownKiosk, id)
	}
	return nil
}

// RevokeKiosk refuses a kiosk's token from now on.
func (s *PGStore) RevokeKiosk(id string) error { return s.exec("revocation", id, q("revoke-kiosk")) }

// Heartbeat records a kiosk's contact and its unsynced depth.
func (s *PGStore) Heartbeat(kioskID string, depth int, now time.Time) error {
	return s.exec("heartbeat", kioskID, q("heartbeat"), now, depth)
}

// UplinkError notes a problem with a kiosk's uplink.
func (s *PGStore) UplinkError(kioskID, msg string, now time.Time) error {
	return s.exec("uplink error", kioskID, q("uplink-error"), msg, now)
}

// ---- settings ----

// Meta reads a hub setting (nil when unset).
func (s *PGStore) Meta(key string) ([]byte, error) {
	ctx, cancel := op()
	defer cancel()
	var v []byte
	err := s.pool.QueryRow(ctx, q("meta"), key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("setting %s: %w", key, err)
	}
	return v, nil
}

// SetMeta writes a hub setting.
func (s *PGStore) SetMeta(key string, v []byte) error {
	ctx, cancel := op()
	defer cancel()
	if v == nil {
		v = []byte{}
	}
	if _, err := s.pool.Exec(ctx, q("set-meta"), key, v); err != nil {
		return fmt.Errorf("setting %s: %w", key, err)
	}
	return nil
}

// inTx runs f in a transaction, committed when f returns nil.
func (s *PGStore) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, f)
}

// decode reads a jsonb record into v, naming it in the error.
func decode(raw []byte, v any, what string) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
