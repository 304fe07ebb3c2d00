-- The managers' sign-in state on PostgreSQL (sessions.go), named as in
-- queries.sql. The tables are in migrations/00091_hub_sessions.sql. Times
-- come from the hub ($now and the cutoffs it works out from it).

-- name: session-lock
-- Sign-ins take turns, so that two at once in two processes never leave more
-- than MaxSessions.
SELECT pg_advisory_xact_lock(hashtext('ocop hub sessions'));

-- name: session-prune
-- $1: sessions seen at or before it are unused too long; $2: started at or
-- before it, too old.
DELETE FROM hub_sessions WHERE seen <= $1 OR created <= $2;

-- name: session-make-room
-- Keep the $1 used most recently.
DELETE FROM hub_sessions
WHERE key IN (SELECT key FROM hub_sessions ORDER BY seen DESC, key OFFSET $1);

-- name: session-start
INSERT INTO hub_sessions (key, csrf, created, seen) VALUES ($1, $2, $3, $3);

-- name: session-touch
-- One statement: a live session is marked used and answers its token, an
-- expired one is ended. $2: now; $3, $4: the cutoffs as in session-prune.
WITH expired AS (
    DELETE FROM hub_sessions WHERE key = $1 AND (seen <= $3 OR created <= $4)
)
UPDATE hub_sessions SET seen = greatest(seen, $2)
WHERE key = $1 AND seen > $3 AND created > $4
RETURNING csrf;

-- name: session-end
DELETE FROM hub_sessions WHERE key = $1;

-- name: login-lock
-- Every check of the admin token, in every hub process, waits here for the
-- one before it to commit. The counts are read by the next statement, which
-- sees what that one wrote: a statement that waited for a lock sees the rows
-- it locked anew, but the rows it joined to them as they were before it
-- waited.
SELECT 1 FROM hub_login_all FOR UPDATE;

-- name: login-counts
SELECT a.n, a.last, a.until, coalesce(f.n, 0), f.last, f.until, g.until, f.addr IS NOT NULL
FROM hub_login_all a
    LEFT JOIN hub_login_addrs f ON f.addr = $1
    LEFT JOIN hub_login_good g ON g.addr = $1;

-- name: login-all-put
UPDATE hub_login_all SET n = $1, last = $2, until = $3;

-- name: login-addr-put
INSERT INTO hub_login_addrs (addr, n, last, until) VALUES ($1, $2, $3, $4)
ON CONFLICT (addr) DO UPDATE SET n = excluded.n, last = excluded.last, until = excluded.until;

-- name: login-addr-drop
DELETE FROM hub_login_addrs WHERE addr = $1;

-- name: login-addrs-sweep
-- Addresses whose failures are forgotten ($1: last failure at or before it)
-- and whose wait is over ($2: now).
DELETE FROM hub_login_addrs WHERE last <= $1 AND (until IS NULL OR until <= $2);

-- name: login-good-put
INSERT INTO hub_login_good (addr, until) VALUES ($1, $2)
ON CONFLICT (addr) DO UPDATE SET until = excluded.until;

-- name: login-good-drop
DELETE FROM hub_login_good WHERE addr = $1;

-- name: login-good-sweep
DELETE FROM hub_login_good WHERE until < $1;
