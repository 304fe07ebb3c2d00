-- The managers' sign-in state, shared by every hub process on the database
-- (sessions.go): a manager signed in through one process is signed in at all
-- of them, and wrong admin tokens sent to any of them count together.
-- Sessions are kept under the SHA-256 of their ids: neither an id nor the
-- admin token is ever stored.

-- +goose Up
CREATE TABLE hub_sessions (
    key bytea PRIMARY KEY CHECK (length(key) = 32),
    csrf text NOT NULL,
    created timestamptz NOT NULL,
    seen timestamptz NOT NULL
);
CREATE INDEX hub_sessions_seen ON hub_sessions (seen);

-- The whole hub's count of wrong tokens: one row, which every check of the
-- admin token locks first, so that checks in all processes take turns.
CREATE TABLE hub_login_all (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n integer NOT NULL DEFAULT 0,
    last timestamptz,
    until timestamptz
);
INSERT INTO hub_login_all DEFAULT VALUES;

-- Wrong tokens per address (an IPv6 address as its /64).
CREATE TABLE hub_login_addrs (
    addr text PRIMARY KEY,
    n integer NOT NULL,
    last timestamptz,
    until timestamptz
);
CREATE INDEX hub_login_addrs_last ON hub_login_addrs (last);

-- Addresses where the token was right, passing the whole hub's wait until.
CREATE TABLE hub_login_good (
    addr text PRIMARY KEY,
    until timestamptz NOT NULL
);

-- +goose Down
DROP TABLE hub_login_good;
DROP TABLE hub_login_addrs;
DROP TABLE hub_login_all;
DROP TABLE hub_sessions;
