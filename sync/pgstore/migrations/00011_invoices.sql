-- The kiosks' invoices on the hub (README, "Delivering invoices"): what each
-- kiosk issues and from which block of the MCCQT counter, each series'
-- invoices in number order with what became of them, the states each kiosk is
-- sent down, and each seller's provider account. Several hub processes may
-- share the database: the constraints, not a read before a write, keep two
-- kiosks from one block or one series.

-- +goose Up
-- A kiosk's invoicing as its greeting last said it, and its block (none:
-- NULL). No two kiosks' blocks share a number, and no two kiosks of a seller
-- use one symbol's letters (C26MAA and C27MAA are one series from year to
-- year), a revoked kiosk's included: what it issued stays issued.
CREATE TABLE kiosk_invoicing (
    kiosk        text PRIMARY KEY REFERENCES kiosks (id),
    seller       text NOT NULL DEFAULT '', -- MST
    form         integer NOT NULL DEFAULT 0,
    symbol       text NOT NULL DEFAULT '',
    letters      text GENERATED ALWAYS AS
                     (CASE WHEN length(symbol) = 6 THEN left(symbol, 1) || substr(symbol, 4) ELSE symbol END) STORED,
    block_from   bigint,
    block_to     bigint,
    states_acked bigint NOT NULL DEFAULT 0, -- the last invoice state the kiosk applied
    CHECK ((block_from IS NULL) = (block_to IS NULL) AND block_from <= block_to),
    CONSTRAINT kiosk_invoicing_blocks_apart
        EXCLUDE USING gist (int8range(block_from, block_to, '[]') WITH &&) WHERE (block_from IS NOT NULL)
);
CREATE UNIQUE INDEX kiosk_invoicing_one_series ON kiosk_invoicing (seller, letters) WHERE seller <> '';

-- Each series (seller MST|form|symbol) and where its delivery stands. One
-- hub process at a time delivers a series: the one holding its lease (taken
-- with a call's invoices, given back with what the call came to, or lapsed).
CREATE TABLE inv_streams (
    key         text PRIMARY KEY,
    seller      text NOT NULL,
    form        integer NOT NULL,
    symbol      text NOT NULL,
    kiosk       text NOT NULL,              -- the one kiosk that issues the series
    next        bigint NOT NULL DEFAULT 1,  -- the number delivery waits for
    highest     bigint NOT NULL DEFAULT 0,  -- the highest number received
    uncertain   integer NOT NULL DEFAULT 0, -- sent by the last call without learning their fate
    last_error  text NOT NULL DEFAULT '',
    last_try    timestamptz,
    delivered   integer NOT NULL DEFAULT 0,
    refused     integer NOT NULL DEFAULT 0,
    lease_owner text,
    lease_until timestamptz
);
CREATE INDEX inv_streams_waiting ON inv_streams (seller) WHERE highest >= next;

-- Each invoice received, by series and number, with its state (issued:
-- waiting; delivered; refused with the reason) and when it was settled.
CREATE TABLE inv_entries (
    stream     text NOT NULL REFERENCES inv_streams (key),
    number     bigint NOT NULL,
    key        text NOT NULL, -- the MCCQT without its dashes
    kiosk      text NOT NULL,
    sale_id    text NOT NULL,
    mccqt      text NOT NULL,
    state      text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    settled_at timestamptz,
    received   timestamptz NOT NULL,
    invoice    jsonb NOT NULL, -- as the kiosk issued it
    PRIMARY KEY (stream, number)
);

-- What became of each invoice, per kiosk in order, for the uplink to send
-- down; inv_state_seqs numbers them (its row lock makes a kiosk's states
-- commit in sequence order, so that none is passed by a reader).
CREATE TABLE inv_state_seqs (
    kiosk text PRIMARY KEY,
    top   bigint NOT NULL
);
CREATE TABLE inv_states (
    kiosk  text NOT NULL,
    seq    bigint NOT NULL,
    key    text NOT NULL,
    state  text NOT NULL,
    reason text NOT NULL,
    at     timestamptz NOT NULL,
    PRIMARY KEY (kiosk, seq)
);

-- Each seller's provider account, with its secrets (never listed).
CREATE TABLE inv_sellers (
    mst      text PRIMARY KEY,
    settings jsonb NOT NULL
);

-- +goose Down
DROP TABLE inv_sellers, inv_states, inv_state_seqs, inv_entries, inv_streams, kiosk_invoicing;
