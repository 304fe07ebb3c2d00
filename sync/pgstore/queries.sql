-- The hub's queries on PostgreSQL, each named for queries.go: a block runs
-- from its "-- name:" line to the next.

-- name: add-kiosk
INSERT INTO kiosks (id, token_hash, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING;

-- name: kiosk
SELECT id, token_hash, created, revoked, acked, top_seq, last_contact, depth, last_error, last_error_time
FROM kiosks WHERE id = $1;

-- name: kiosks
SELECT id, token_hash, created, revoked, acked, top_seq, last_contact, depth, last_error, last_error_time
FROM kiosks ORDER BY id COLLATE "C";

-- name: lost-of-kiosk
SELECT kiosk, from_seq, to_seq FROM kiosk_lost WHERE kiosk = $1 ORDER BY n;

-- name: lost-all
SELECT kiosk, from_seq, to_seq FROM kiosk_lost ORDER BY kiosk, n;

-- name: revoke-kiosk
UPDATE kiosks SET revoked = true WHERE id = $1;

-- name: heartbeat
UPDATE kiosks SET last_contact = $2, depth = $3 WHERE id = $1;

-- name: uplink-error
UPDATE kiosks SET last_error = $2, last_error_time = $3 WHERE id = $1;

-- name: lock-kiosk
SELECT acked, top_seq FROM kiosks WHERE id = $1 FOR UPDATE;

-- name: kiosk-progress
UPDATE kiosks SET acked = $2, top_seq = $3, last_contact = $4 WHERE id = $1;

-- name: claim-sale-ids
-- The records of a batch the hub did not hold yet; the others are skipped.
INSERT INTO sale_ids (id, kiosk, seq, sold_at)
SELECT id, $1, seq, sold_at FROM unnest($2::text[], $3::bigint[], $4::timestamptz[]) AS b (id, seq, sold_at)
ON CONFLICT DO NOTHING
RETURNING id;

-- name: seq-holders
-- Each of the batch's sequences looked up by the primary key, one probe each
-- (the lateral subquery with its LIMIT is planned on its own, whatever the
-- table's statistics): written as "seq = ANY (the batch)" over a table that
-- autovacuum had not analysed yet, it was planned as a scan of every sequence
-- held, for each batch (a billion rows read loading 2,000,000 sales).
SELECT b.seq, k.sale_id, coalesce(s.receipt_no, '')
FROM unnest($2::bigint[]) AS b (seq)
CROSS JOIN LATERAL (SELECT sale_id, sold_at FROM kiosk_seqs
                    WHERE kiosk = $1 AND seq = b.seq AND sale_id IS NOT NULL LIMIT 1) k
LEFT JOIN sales s ON s.id = k.sale_id AND s.sold_at = k.sold_at;

-- name: in-catalog
SELECT EXISTS (SELECT 1 FROM products), array(SELECT sku FROM products WHERE sku = ANY ($1::text[]));

-- name: held-sales
SELECT s.record
FROM sale_ids i JOIN sales s ON s.id = i.id AND s.sold_at = i.sold_at
WHERE i.id = ANY ($1::text[]);

-- name: hold-seqs
-- A sequence reported lost is taken by the record that turns up under it.
INSERT INTO kiosk_seqs (kiosk, seq, sale_id, sold_at)
SELECT $1, seq, id, sold_at FROM unnest($2::bigint[], $3::text[], $4::timestamptz[]) AS b (seq, id, sold_at)
ON CONFLICT (kiosk, seq) DO UPDATE SET sale_id = excluded.sale_id, sold_at = excluded.sold_at
WHERE kiosk_seqs.sale_id IS NULL;

-- name: mark-lost
INSERT INTO kiosk_seqs (kiosk, seq)
SELECT $1, g FROM generate_series($2::bigint, $3::bigint) AS g
ON CONFLICT DO NOTHING;

-- name: add-lost
INSERT INTO kiosk_lost (kiosk, from_seq, to_seq) VALUES ($1, $2, $3);

-- name: advance
-- The acknowledgement moved over the sequences held without a gap after it.
SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM kiosk_seqs WHERE kiosk = $1 AND seq = $2::bigint + 1) THEN $2::bigint
    ELSE (SELECT min(k.seq) FROM kiosk_seqs k
          WHERE k.kiosk = $1 AND k.seq > $2::bigint
            AND NOT EXISTS (SELECT 1 FROM kiosk_seqs n WHERE n.kiosk = $1 AND n.seq = k.seq + 1))
END;

-- name: advance-progress
-- The acknowledgement moved over the sequences held without a gap after the
-- one before ($2), with the newest sequence held and the contact noted.
UPDATE kiosks SET
    acked = CASE
        WHEN NOT EXISTS (SELECT 1 FROM kiosk_seqs WHERE kiosk = $1 AND seq = $2::bigint + 1) THEN $2::bigint
        ELSE (SELECT min(k.seq) FROM kiosk_seqs k
              WHERE k.kiosk = $1 AND k.seq > $2::bigint
                AND NOT EXISTS (SELECT 1 FROM kiosk_seqs n WHERE n.kiosk = $1 AND n.seq = k.seq + 1))
    END,
    top_seq = $3, last_contact = $4
WHERE id = $1
RETURNING acked;

-- name: kiosk-records
SELECT s.seq, s.record
FROM kiosk_seqs k JOIN sales s ON s.id = k.sale_id AND s.sold_at = k.sold_at
WHERE k.kiosk = $1 AND k.seq > $2
ORDER BY k.seq
LIMIT $3;

-- name: meta
SELECT value FROM meta WHERE key = $1;

-- name: set-meta
INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- name: lock-catalog
SELECT version, published FROM catalog_state FOR UPDATE;

-- name: catalog-state
SELECT version, published FROM catalog_state;

-- name: producers
SELECT record, changed FROM producers WHERE changed > $1;

-- name: products
SELECT record, changed FROM products WHERE changed > $1;

-- name: lots
SELECT record, changed FROM lots WHERE changed > $1;

-- name: put-producer
INSERT INTO producers (id, name, tax_code, bank_bin, bank_account, bank_account_name, record, changed)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, tax_code = excluded.tax_code, bank_bin = excluded.bank_bin,
    bank_account = excluded.bank_account, bank_account_name = excluded.bank_account_name,
    record = excluded.record, changed = excluded.changed;

-- name: put-product
INSERT INTO products (sku, producer_id, name, price, vat_rate, record, changed)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (sku) DO UPDATE SET producer_id = excluded.producer_id, name = excluded.name, price = excluded.price,
    vat_rate = excluded.vat_rate, record = excluded.record, changed = excluded.changed;

-- name: put-lot
INSERT INTO lots (id, sku, code, record, changed) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, code = excluded.code, record = excluded.record, changed = excluded.changed;

-- name: publish-catalog
UPDATE catalog_state SET version = $1, published = $2;

-- name: put-price
INSERT INTO price_history (sku, from_ns, price) VALUES ($1, $2, $3)
ON CONFLICT (sku, from_ns) DO UPDATE SET price = excluded.price;

-- name: central-price
SELECT price FROM price_history WHERE sku = $1 AND from_ns <= $2 ORDER BY from_ns DESC LIMIT 1;

-- name: price-history
SELECT from_ns, price FROM price_history WHERE sku = $1 ORDER BY from_ns;

-- name: price-histories
SELECT sku, from_ns, price FROM price_history ORDER BY sku, from_ns;

-- name: promotions
SELECT record FROM promotions WHERE NOT deleted;

-- name: promotion-version
SELECT version FROM promotion_set;

-- name: lock-promotions
SELECT version FROM promotion_set FOR UPDATE;

-- name: promotion
SELECT record FROM promotions WHERE id = $1;

-- name: live-promotions
SELECT count(*) FROM promotions WHERE NOT deleted;

-- name: put-promotion
INSERT INTO promotions (id, version, deleted, updated, record) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET version = excluded.version, deleted = excluded.deleted, updated = excluded.updated,
    record = excluded.record;

-- name: set-promotion-version
UPDATE promotion_set SET version = $1;

-- name: partitions
-- The month partitions of a table attached now, oldest first; rows is
-- PostgreSQL's estimate (exact counts would read every row).
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::regclass
ORDER BY c.relname;

-- name: partition-exists
SELECT EXISTS (
    SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = $1::regclass AND c.relname = $2);

-- name: lock-partitions
-- Hub processes make a month's partitions one at a time.
SELECT pg_advisory_xact_lock(hashtext('ocop hub partitions'));

-- name: create-partition
-- A template: the partition's and the table's names, the month's bounds.
CREATE TABLE IF NOT EXISTS %[1]s PARTITION OF %[2]s FOR VALUES FROM ('%[3]s') TO ('%[4]s');

-- name: detach-partition
-- A template: the table, the partition.
ALTER TABLE %[1]s DETACH PARTITION %[2]s;

-- name: archive-partition
-- A template: the partition detached, the name it keeps.
ALTER TABLE %[1]s RENAME TO %[2]s;

-- name: add-held
UPDATE kiosks SET held = held + $2 WHERE id = $1;

-- name: add-twice
INSERT INTO kiosk_twice (kiosk, seq) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING;

-- name: add-units
-- A batch's units added to the running totals; the name and unit follow the
-- record with the highest sequence.
INSERT INTO kiosk_units AS u (kiosk, key, sku, name, unit, name_seq, sold, voided, refunded, units_sold)
SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
    $9::bigint[], $10::bigint[])
ON CONFLICT (kiosk, key) DO UPDATE SET
    name = CASE WHEN excluded.name_seq >= u.name_seq THEN excluded.name ELSE u.name END,
    unit = CASE WHEN excluded.name_seq >= u.name_seq THEN excluded.unit ELSE u.unit END,
    name_seq = greatest(u.name_seq, excluded.name_seq),
    sold = u.sold + excluded.sold, voided = u.voided + excluded.voided,
    refunded = u.refunded + excluded.refunded, units_sold = u.units_sold + excluded.units_sold;

-- name: records-between
-- One day's records (the caller walks a range a day at a time), by kiosk and
-- sequence: the (sold_at, kiosk) index of the day's partition.
SELECT record, seq, received, mismatch FROM sales
WHERE sold_at >= $1 AND sold_at < $2
ORDER BY kiosk COLLATE "C", seq, id COLLATE "C";

-- name: tally-held
SELECT id, held FROM kiosks WHERE held > 0;

-- name: tally-above
-- The sequences held (or reported lost) above each kiosk's acknowledgement:
-- only what has not arrived in order, never the history.
-- Written as a lateral subquery in sequence order so that each kiosk is an
-- index range from its acknowledgement: as a plain join the planner guessed a
-- third of all history matched and scanned every sequence ever held (273 ms
-- at 2,000,000 held, 2 ms this way).
SELECT k.id, s.seq FROM kiosks k
CROSS JOIN LATERAL (SELECT seq FROM kiosk_seqs WHERE kiosk = k.id AND seq > k.acked ORDER BY seq) s;

-- name: tally-twice
SELECT kiosk, seq FROM kiosk_twice;

-- name: tally-units
SELECT kiosk, key, sku, name, unit, sold, voided, refunded, units_sold FROM kiosk_units;

-- name: daily-net
-- Net per kiosk and Vietnam day over the partitions of the range.
SELECT kiosk, ((sold_at + interval '7 hours') AT TIME ZONE 'UTC')::date, sum(total)::bigint
FROM sales
WHERE sold_at >= $1 AND sold_at < $2 AND kind IN ('sale', 'void', 'refund')
GROUP BY 1, 2;

-- name: sales-page
-- A page of the listing after (kiosk, seq, id).
SELECT s.record, s.seq, s.received, s.mismatch
FROM sale_ids i JOIN sales s ON s.id = i.id AND s.sold_at = i.sold_at
WHERE (i.kiosk COLLATE "C", i.seq, i.id COLLATE "C") > ($1 COLLATE "C", $2::bigint, $3 COLLATE "C")
ORDER BY i.kiosk COLLATE "C", i.seq, i.id COLLATE "C"
LIMIT $4;

-- name: sales-page-kiosk
-- A page of one kiosk's listing after (seq, id).
SELECT s.record, s.seq, s.received, s.mismatch
FROM sale_ids i JOIN sales s ON s.id = i.id AND s.sold_at = i.sold_at
WHERE i.kiosk COLLATE "C" = $1 AND (i.seq, i.id COLLATE "C") > ($2::bigint, $3 COLLATE "C")
ORDER BY i.seq, i.id COLLATE "C"
LIMIT $4;

-- name: notify-change
-- Told to every hub process listening when the transaction commits.
SELECT pg_notify('ocop_hub_changes', $1);

-- name: listen-changes
LISTEN ocop_hub_changes;

-- name: add-producer-days
-- A batch's settlement figures added to its kiosk's rows of its days.
INSERT INTO producer_days AS d (day, producer_id, kiosk, lines, units, weight_g, gross, promotions, voided, refunded, net, bad)
SELECT x.day::date, x.producer_id, $12, x.lines, x.units, x.weight_g, x.gross, x.promotions, x.voided, x.refunded, x.net, x.bad
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
    $9::bigint[], $10::bigint[], $11::text[])
    AS x (day, producer_id, lines, units, weight_g, gross, promotions, voided, refunded, net, bad)
ON CONFLICT (day, producer_id, kiosk) DO UPDATE SET
    lines = d.lines + excluded.lines, units = d.units + excluded.units, weight_g = d.weight_g + excluded.weight_g,
    gross = d.gross + excluded.gross, promotions = d.promotions + excluded.promotions,
    voided = d.voided + excluded.voided, refunded = d.refunded + excluded.refunded, net = d.net + excluded.net,
    bad = CASE WHEN d.bad = '' THEN excluded.bad ELSE d.bad END;

-- name: backfill-producer-days
-- Migration 3's: the figures of the records held before ingest kept them, one
-- row per day and producer into the empty table (whose kiosk column, added
-- later, says '' for them).
INSERT INTO producer_days (day, producer_id, lines, units, weight_g, gross, promotions, voided, refunded, net, bad)
SELECT x.day::date, x.producer_id, x.lines, x.units, x.weight_g, x.gross, x.promotions, x.voided, x.refunded, x.net, x.bad
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
    $9::bigint[], $10::bigint[], $11::text[])
    AS x (day, producer_id, lines, units, weight_g, gross, promotions, voided, refunded, net, bad);

-- name: producer-days
-- The kiosks' rows of a day and producer summed; a record the settlement
-- refuses is named by the first such id.
SELECT to_char(day, 'YYYY-MM-DD'), producer_id, sum(lines)::bigint, sum(units)::bigint, sum(weight_g)::bigint,
    sum(gross)::bigint, sum(promotions)::bigint, sum(voided)::bigint, sum(refunded)::bigint, sum(net)::bigint,
    coalesce(min(nullif(bad, '') COLLATE "C"), '')
FROM producer_days
WHERE day >= $1::text::date AND day < $2::text::date
GROUP BY day, producer_id;

-- name: backfill-records
SELECT record FROM sales;

-- name: day-sales
-- A day's records by kiosk and sequence, as columns: what the reports read
-- of them (the record's own time, to the nanosecond and in its zone, its
-- sale discount's reason and its promotions as JSON).
SELECT id, kiosk, seq, kind, receipt_no, shift, till, sale_time, total, discount, sale_discount, change, status,
    original, reason, mismatch, received, discount_reason, promotions
FROM sales
WHERE sold_at >= $1 AND sold_at < $2
ORDER BY kiosk COLLATE "C", seq, id COLLATE "C";

-- name: day-lines
SELECT sale_id, sku, gtin, name, unit, producer_id, lot, qty, weight_g, price, vat_rate, discount, promotion,
    promotion_discount, line_discount, discount_reason, sale_discount, free, list_price, total, vat, serials
FROM sale_lines
WHERE sold_at >= $1 AND sold_at < $2
ORDER BY sale_id, line_no;

-- name: day-payments
SELECT sale_id, method, amount, tendered, change, reference
FROM sale_payments
WHERE sold_at >= $1 AND sold_at < $2
ORDER BY sale_id, pay_no;
