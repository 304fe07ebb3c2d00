-- Ingest by many kiosks at once. The settlement's figures per day and
-- producer become one row per kiosk as well: every kiosk's batches added to
-- the same few (day, producer) rows, so kiosks selling the same producers on
-- the same day (all of a fair's) took turns on those rows' locks; a kiosk's
-- batches take turns anyway, on its own row. The settlement sums the kiosks'
-- rows. Two indexes no query uses are dropped: each cost every line or sale
-- stored an index entry.

-- +goose Up
ALTER TABLE producer_days ADD COLUMN kiosk text NOT NULL DEFAULT '';
ALTER TABLE producer_days DROP CONSTRAINT producer_days_pkey;
ALTER TABLE producer_days ADD PRIMARY KEY (day, producer_id, kiosk);
DROP INDEX sale_lines_day_producer;
DROP INDEX sales_kiosk_seq;

-- +goose Down
CREATE INDEX sales_kiosk_seq ON sales (kiosk, seq);
CREATE INDEX sale_lines_day_producer ON sale_lines (sold_at, producer_id);
CREATE TABLE producer_days_old AS
SELECT day, producer_id, sum(lines)::bigint AS lines, sum(units)::bigint AS units, sum(weight_g)::bigint AS weight_g,
    sum(gross)::bigint AS gross, sum(promotions)::bigint AS promotions, sum(voided)::bigint AS voided,
    sum(refunded)::bigint AS refunded, sum(net)::bigint AS net, coalesce(min(nullif(bad, '')), '') AS bad
FROM producer_days GROUP BY day, producer_id;
DELETE FROM producer_days;
ALTER TABLE producer_days DROP CONSTRAINT producer_days_pkey;
ALTER TABLE producer_days DROP COLUMN kiosk;
ALTER TABLE producer_days ADD PRIMARY KEY (day, producer_id);
INSERT INTO producer_days SELECT * FROM producer_days_old;
DROP TABLE producer_days_old;
