package pgstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for goose
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The schema's migrations, numbered, in the binary: a hub brings the database
// to the schema it knows at start.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is where goose notes the migrations applied.
const versionTable = "hub_schema_version"

// Migrate applies the migrations the database lacks and returns its schema
// version. Hub processes starting together on one database take turns: goose
// holds a PostgreSQL advisory lock (session level) while it migrates, and the
// others wait for it (up to ten minutes) and then find nothing left to do.
func Migrate(ctx context.Context, dbURL string, log *slog.Logger) (int64, error) {
	if log == nil {
		log = slog.Default()
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", Redact(dbURL), err)
	}
	defer db.Close()
	p, err := provider(db)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", Redact(dbURL), err)
	}
	applied, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", Redact(dbURL), err)
	}
	for _, r := range applied {
		log.Info("hub schema migrated", "migration", r.Source.Path, "took", r.Duration)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate %s: %w", Redact(dbURL), err)
	}
	return v, nil
}

// provider is goose's migrator of the hub's schema on db.
func provider(db *sql.DB) (*goose.Provider, error) {
	// Try each second: a hub waiting for another's migration starts soon
	// after it (goose's default waits five).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
	if err != nil {
		return nil, err
	}
	dir, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, db, dir,
		goose.WithSessionLocker(locker), goose.WithTableName(versionTable), goose.WithDisableGlobalRegistry(true),
		// Migrations are numbered with room between their families (reports
		// 2–3 and 81, invoices 11–…): one that lands later with a lower
		// number is applied rather than refused, as long as it was never
		// applied.
		goose.WithAllowOutofOrder(true),
		// Migration 3 fills producer_days by the hub's own settlement rules,
		// which SQL would have to repeat.
		goose.WithGoMigrations(goose.NewGoMigration(3, &goose.GoFunc{RunTx: backfillProducerDays},
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "DELETE FROM producer_days")
				return err
			}})))
}
