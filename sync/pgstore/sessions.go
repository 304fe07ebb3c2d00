package pgstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	hubsync "github.com/ocop-kiosk/kiosk/sync"
)

// The managers' sign-in state in the database (hubsync.SessionStore), so that
// hub processes sharing it keep nothing of their own: a session started
// through one is open at all of them, and wrong admin tokens sent to any of
// them count together. The rules are the hub's (sync/session.go,
// sync/loginlimit.go); the store keeps sessions by the SHA-256 of their ids
// and makes each check of the admin token wait for the one before it, in any
// process, by a row lock on the whole hub's count.

//go:embed sessions.sql
var sessionsSQL string

var sessionQueries = parseQueries(sessionsSQL)

// sq is the named query of sessions.sql.
func sq(name string) string {
	s, ok := sessionQueries[name]
	if !ok {
		panic(fmt.Sprintf("pgstore: no query %q in sessions.sql", name))
	}
	return s
}

var _ hubsync.SessionStore = (*PGStore)(nil)

// StartSession keeps a new session, ending the expired ones and, with
// MaxSessions live, the one unused longest. Sign-ins take turns on an
// advisory lock, so that the limit holds over every process.
func (s *PGStore) StartSession(key hubsync.SessionKey, csrf string, now time.Time) error {
	ctx, cancel := op()
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(sq("session-lock"))
		b.Queue(sq("session-prune"), now.Add(-hubsync.SessionIdle), now.Add(-hubsync.SessionLife))
		b.Queue(sq("session-make-room"), hubsync.MaxSessions-1)
		b.Queue(sq("session-start"), key[:], csrf, now)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("start a session: %w", err)
	}
	return nil
}

// TouchSession answers a live session's CSRF token and marks it used.
func (s *PGStore) TouchSession(key hubsync.SessionKey, now time.Time) (string, bool, error) {
	ctx, cancel := op()
	defer cancel()
	var csrf string
	err := s.pool.QueryRow(ctx, sq("session-touch"), key[:], now,
		now.Add(-hubsync.SessionIdle), now.Add(-hubsync.SessionLife)).Scan(&csrf)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("look up a session: %w", err)
	}
	return csrf, true, nil
}

// EndSession ends a session.
func (s *PGStore) EndSession(key hubsync.SessionKey) error {
	ctx, cancel := op()
	defer cancel()
	if _, err := s.pool.Exec(ctx, sq("session-end"), key[:]); err != nil {
		return fmt.Errorf("end a session: %w", err)
	}
	return nil
}

// CountLogin runs fn on the counts of addr and of the whole hub inside a
// transaction that holds the whole hub's row: checks of the admin token in
// every process take turns, so a burst spread over them gets no more through
// than guesses sent one by one.
func (s *PGStore) CountLogin(addr string, now time.Time, fn func(*hubsync.LoginCounts)) error {
	ctx, cancel := op()
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		was, held, err := loginCounts(ctx, tx, addr)
		if err != nil {
			return err
		}
		c := was
		fn(&c)
		b := &pgx.Batch{}
		if c.All != was.All {
			b.Queue(sq("login-all-put"), c.All.N, nullTime(c.All.Last), nullTime(c.All.Until))
		}
		switch {
		case c.Addr == was.Addr:
		case c.Addr == hubsync.FailCount{}:
			b.Queue(sq("login-addr-drop"), addr)
		default:
			if !held { // a new address: those long forgotten make room
				b.Queue(sq("login-addrs-sweep"), now.Add(-hubsync.LoginForget), now)
			}
			b.Queue(sq("login-addr-put"), addr, c.Addr.N, nullTime(c.Addr.Last), nullTime(c.Addr.Until))
		}
		switch {
		case c.GoodUntil.Equal(was.GoodUntil):
		case c.GoodUntil.IsZero():
			b.Queue(sq("login-good-drop"), addr)
		default:
			b.Queue(sq("login-good-sweep"), now)
			b.Queue(sq("login-good-put"), addr, c.GoodUntil)
		}
		if b.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("login counts of %s: %w", addr, err)
	}
	return nil
}

// loginCounts reads the counts of addr and of the whole hub, locking the
// whole hub's row; held tells whether addr has a row.
func loginCounts(ctx context.Context, tx pgx.Tx, addr string) (hubsync.LoginCounts, bool, error) {
	var c hubsync.LoginCounts
	var allLast, allUntil, last, until, good *time.Time
	var held bool
	if _, err := tx.Exec(ctx, sq("login-lock")); err != nil {
		return c, false, fmt.Errorf("lock: %w", err)
	}
	err := tx.QueryRow(ctx, sq("login-counts"), addr).Scan(&c.All.N, &allLast, &allUntil, &c.Addr.N, &last, &until, &good, &held)
	if err != nil {
		return c, false, fmt.Errorf("read: %w", err)
	}
	c.All.Last, c.All.Until = timeOf(allLast), timeOf(allUntil)
	c.Addr.Last, c.Addr.Until = timeOf(last), timeOf(until)
	c.GoodUntil = timeOf(good)
	return c, held, nil
}

// nullTime keeps "never" as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
