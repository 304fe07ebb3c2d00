-- The hub's schema on PostgreSQL (README, "The hub on PostgreSQL"). Money is
-- bigint đồng; every figure a report uses is a column. Sales, their lines and
-- their payments are partitioned by month of the sale's time (Vietnam time);
-- the partitions are made by the hub as records arrive (partitions.sql).

-- +goose Up
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE kiosks (
    id              text PRIMARY KEY,
    token_hash      bytea NOT NULL,
    created         timestamptz NOT NULL,
    revoked         boolean NOT NULL DEFAULT false,
    acked           bigint NOT NULL DEFAULT 0, -- highest contiguous record sequence held
    top_seq         bigint NOT NULL DEFAULT 0, -- highest record sequence held
    last_contact    timestamptz,
    depth           integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    last_error_time timestamptz
);

-- Ranges of sequences a kiosk reported lost, in the order it reported them.
CREATE TABLE kiosk_lost (
    kiosk    text NOT NULL REFERENCES kiosks (id),
    n        bigint GENERATED ALWAYS AS IDENTITY,
    from_seq bigint NOT NULL,
    to_seq   bigint NOT NULL,
    PRIMARY KEY (kiosk, n)
);

-- Every record held, by sale id: what makes ingest exactly once across the
-- partitions (a partitioned table cannot be unique on the id alone).
CREATE TABLE sale_ids (
    id      text PRIMARY KEY,
    kiosk   text NOT NULL,
    seq     bigint NOT NULL,
    sold_at timestamptz NOT NULL
);

-- The sequences held for each kiosk: the first record that came under each
-- (sale_id), or none when the kiosk reported it lost. The acknowledgement and
-- the read-back walk it.
CREATE TABLE kiosk_seqs (
    kiosk   text NOT NULL,
    seq     bigint NOT NULL,
    sale_id text,
    sold_at timestamptz,
    PRIMARY KEY (kiosk, seq)
);

CREATE TABLE sales (
    id            text NOT NULL,
    kiosk         text NOT NULL,
    seq           bigint NOT NULL, -- the kiosk's record sequence
    kind          text NOT NULL,   -- sale, void, refund
    receipt_no    text NOT NULL,
    shift         text NOT NULL,
    till          text NOT NULL,
    sold_at       timestamptz NOT NULL,
    total         bigint NOT NULL, -- negative for voids and refunds
    discount      bigint NOT NULL,
    sale_discount bigint NOT NULL,
    change        bigint NOT NULL,
    status        text NOT NULL,
    original      text NOT NULL,   -- voids and refunds: the sale they undo
    reason        text NOT NULL,
    mismatch      text NOT NULL,   -- why the hub could not have produced it; '' when it could
    received      timestamptz NOT NULL,
    -- The record as the kiosk sent it, for the kiosk's recovery read-back and
    -- the listing; reports read the columns.
    record        jsonb NOT NULL,
    PRIMARY KEY (id, sold_at)
) PARTITION BY RANGE (sold_at);
CREATE INDEX sales_day_kiosk ON sales (sold_at, kiosk);
CREATE INDEX sales_kiosk_seq ON sales (kiosk, seq);

CREATE TABLE sale_lines (
    sale_id            text NOT NULL,
    line_no            integer NOT NULL,
    kiosk              text NOT NULL,
    kind               text NOT NULL,
    sold_at            timestamptz NOT NULL,
    sku                text NOT NULL,
    gtin               text NOT NULL,
    name               text NOT NULL,
    unit               text NOT NULL,
    producer_id        text NOT NULL,
    lot                text NOT NULL,
    qty                bigint NOT NULL,
    weight_g           bigint NOT NULL,
    price              bigint NOT NULL, -- per unit, or per kg when weight_g is set
    vat_rate           integer NOT NULL,
    discount           bigint NOT NULL,
    promotion          text NOT NULL,
    promotion_discount bigint NOT NULL,
    line_discount      bigint NOT NULL,
    discount_reason    text NOT NULL,
    sale_discount      bigint NOT NULL,
    free               boolean NOT NULL,
    list_price         bigint NOT NULL,
    total              bigint NOT NULL,
    vat                bigint NOT NULL,
    PRIMARY KEY (sale_id, line_no, sold_at)
) PARTITION BY RANGE (sold_at);
CREATE INDEX sale_lines_day_producer ON sale_lines (sold_at, producer_id);
CREATE INDEX sale_lines_day_kiosk ON sale_lines (sold_at, kiosk);

CREATE TABLE sale_payments (
    sale_id   text NOT NULL,
    pay_no    integer NOT NULL,
    kiosk     text NOT NULL,
    kind      text NOT NULL,
    sold_at   timestamptz NOT NULL,
    method    text NOT NULL,
    amount    bigint NOT NULL,
    tendered  bigint NOT NULL,
    change    bigint NOT NULL,
    reference text NOT NULL,
    PRIMARY KEY (sale_id, pay_no, sold_at)
) PARTITION BY RANGE (sold_at);
CREATE INDEX sale_payments_day_kiosk ON sale_payments (sold_at, kiosk);

-- The central catalog: its version, and each record with the version in
-- which it last changed (a kiosk gets what changed since its version).
CREATE TABLE catalog_state (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    version   bigint NOT NULL,
    published timestamptz
);
INSERT INTO catalog_state (version) VALUES (0);

CREATE TABLE producers (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    tax_code          text NOT NULL,
    bank_bin          text NOT NULL,
    bank_account      text NOT NULL,
    bank_account_name text NOT NULL,
    record            jsonb NOT NULL,
    changed           bigint NOT NULL
);

CREATE TABLE products (
    sku         text PRIMARY KEY,
    producer_id text NOT NULL,
    name        text NOT NULL,
    price       bigint NOT NULL,
    vat_rate    integer NOT NULL,
    record      jsonb NOT NULL,
    changed     bigint NOT NULL
);

CREATE TABLE lots (
    id      text PRIMARY KEY, -- sku/lot
    sku     text NOT NULL,
    code    text NOT NULL,
    record  jsonb NOT NULL,
    changed bigint NOT NULL
);

-- Each central price from a moment on (from_ns: Unix nanoseconds, as set).
CREATE TABLE price_history (
    sku     text NOT NULL,
    from_ns bigint NOT NULL,
    price   bigint NOT NULL,
    PRIMARY KEY (sku, from_ns)
);

-- The central promotions, versioned by one sequence for the whole set.
CREATE TABLE promotion_set (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO promotion_set (version) VALUES (0);

CREATE TABLE promotions (
    id      text PRIMARY KEY,
    version bigint NOT NULL,
    deleted boolean NOT NULL,
    updated timestamptz NOT NULL,
    record  jsonb NOT NULL
);

-- +goose Down
DROP TABLE promotions, promotion_set, price_history, lots, products, producers, catalog_state,
    sale_payments, sale_lines, sales, kiosk_seqs, sale_ids, kiosk_lost, kiosks, meta;
