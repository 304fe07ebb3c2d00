package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several hub processes on one database: a catalog, price or promotion change
// published through any of them is told to all (PostgreSQL NOTIFY, sent when
// the change commits), and each wakes the uplinks of the kiosks linked to it,
// which fetch what changed from the database.

// notifyChange tells the listening hubs, when tx commits, that what changed.
func notifyChange(ctx context.Context, tx pgx.Tx, what string) error {
	if _, err := tx.Exec(ctx, q("notify-change"), what); err != nil {
		return fmt.Errorf("tell the other hubs of the %s change: %w", what, err)
	}
	return nil
}

// listenRetry bounds the wait between attempts to listen again after the
// database went away.
const (
	listenRetryFirst = 500 * time.Millisecond
	listenRetryMax   = 15 * time.Second
)

// ListenForChanges calls changed for each catalog, promotion or invoice-state change any hub
// process publishes on the database, until ctx ends. It listens on a
// connection of its own and, when that breaks, connects again (backing off up
// to 15 s); each time it starts listening it calls changed once, for what it
// may have missed before.
func (s *PGStore) ListenForChanges(ctx context.Context, changed func()) {
	wait := listenRetryFirst
	for ctx.Err() == nil {
		heard, err := s.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		if heard {
			wait = listenRetryFirst
		}
		s.log.Warn("listening for other hubs' catalog changes", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, listenRetryMax)
	}
}

// listen holds one LISTEN connection until it breaks; heard says it was
// listening at all.
func (s *PGStore) listen(ctx context.Context, changed func()) (heard bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, q("listen-changes")); err != nil {
		return false, err
	}
	// What was published while no one listened: before this connection,
	// or (the first time) while the hub was starting and kiosks linking.
	changed()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		changed()
	}
}
