-- What the reports need beyond the day's own rows (README, "The hub on
-- PostgreSQL"): running totals over each kiosk's whole history, kept by
-- ingest in the batch's transaction, so that no report reads every sale; and
-- the index the paged sales listing walks.

-- +goose Up
ALTER TABLE kiosks ADD COLUMN held bigint NOT NULL DEFAULT 0; -- records held, every day

-- Units sold per kiosk and product (a weighed product's grams under
-- "SKU g"); name and unit are those of the record with the highest sequence.
CREATE TABLE kiosk_units (
    kiosk      text NOT NULL,
    key        text NOT NULL,
    sku        text NOT NULL,
    name       text NOT NULL,
    unit       text NOT NULL,
    name_seq   bigint NOT NULL,
    sold       bigint NOT NULL,
    voided     bigint NOT NULL,
    refunded   bigint NOT NULL,
    units_sold bigint NOT NULL,
    PRIMARY KEY (kiosk, key)
);

-- Sequences a kiosk sent under more than one sale id.
CREATE TABLE kiosk_twice (
    kiosk text NOT NULL,
    seq   bigint NOT NULL,
    PRIMARY KEY (kiosk, seq)
);

-- Each producer's settlement figures per Vietnam day (sync.SettleRecord),
-- kept by ingest; filled for a database that holds sales by the Go
-- migration 3 (producerdays.go), which needs the hub's own rules.
CREATE TABLE producer_days (
    day         date NOT NULL,
    producer_id text NOT NULL,
    lines       bigint NOT NULL,
    units       bigint NOT NULL,
    weight_g    bigint NOT NULL,
    gross       bigint NOT NULL,
    promotions  bigint NOT NULL,
    voided      bigint NOT NULL,
    refunded    bigint NOT NULL,
    net         bigint NOT NULL,
    bad         text NOT NULL, -- a record of the day with a line out of range: the settlement refuses it
    PRIMARY KEY (day, producer_id)
);

CREATE INDEX sale_ids_kiosk_seq ON sale_ids (kiosk COLLATE "C", seq, id COLLATE "C");

-- A database that already holds sales gets its totals once, here.
UPDATE kiosks k SET held = c.n FROM (SELECT kiosk, count(*) AS n FROM sale_ids GROUP BY kiosk) c WHERE c.kiosk = k.id;

INSERT INTO kiosk_twice (kiosk, seq)
SELECT kiosk, seq FROM sale_ids GROUP BY kiosk, seq HAVING count(*) > 1;

INSERT INTO kiosk_units (kiosk, key, sku, name, unit, name_seq, sold, voided, refunded, units_sold)
SELECT l.kiosk, u.key, min(l.sku),
    (array_agg(l.name ORDER BY s.seq DESC))[1], (array_agg(u.unit ORDER BY s.seq DESC))[1], max(s.seq),
    coalesce(sum(u.n) FILTER (WHERE l.kind = 'sale'), 0),
    coalesce(-sum(u.n) FILTER (WHERE l.kind = 'void'), 0),
    coalesce(-sum(u.n) FILTER (WHERE l.kind = 'refund'), 0),
    coalesce(sum(u.n) FILTER (WHERE l.kind IN ('sale', 'void', 'refund')), 0)
FROM sale_lines l
JOIN sales s ON s.id = l.sale_id AND s.sold_at = l.sold_at
CROSS JOIN LATERAL (SELECT
    CASE WHEN l.weight_g <> 0 THEN l.sku || ' g' ELSE l.sku END AS key,
    CASE WHEN l.weight_g <> 0 THEN 'g' ELSE l.unit END AS unit,
    CASE WHEN l.weight_g <> 0 THEN l.weight_g ELSE l.qty END AS n) u
GROUP BY l.kiosk, u.key;

-- +goose Down
DROP INDEX sale_ids_kiosk_seq;
DROP TABLE producer_days, kiosk_twice, kiosk_units;
ALTER TABLE kiosks DROP COLUMN held;
