-- The hub's invoice queries on PostgreSQL (invoices.go), named as in
-- queries.sql. The tables are in migrations/00011_invoices.sql.

-- name: inv-create-streams
-- The series a batch opens belong to the kiosk that sends it; one another
-- kiosk opened first stays that kiosk's.
INSERT INTO inv_streams (key, seller, form, symbol, kiosk)
SELECT key, seller, form, symbol, $1
FROM unnest($2::text[], $3::text[], $4::integer[], $5::text[]) AS b (key, seller, form, symbol)
ORDER BY key COLLATE "C"
ON CONFLICT (key) DO NOTHING;

-- name: inv-stream-owners
SELECT key, kiosk FROM inv_streams WHERE key = ANY ($1::text[]);

-- name: inv-held
SELECT e.stream, e.number, e.key, e.sale_id, e.mccqt
FROM inv_entries e JOIN unnest($1::text[], $2::bigint[]) AS b (stream, number)
    ON e.stream = b.stream AND e.number = b.number;

-- name: inv-raise-highest
UPDATE inv_streams s SET highest = greatest(s.highest, b.highest)
FROM unnest($1::text[], $2::bigint[]) AS b (key, highest)
WHERE s.key = b.key;

-- name: inv-pending
-- Series with invoices waiting that no other hub process is delivering.
SELECT key, seller, form, symbol, kiosk, next, highest, uncertain, last_error, last_try, delivered, refused
FROM inv_streams
WHERE highest >= next AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < now())
ORDER BY seller COLLATE "C", key COLLATE "C";

-- name: inv-streams
SELECT key, seller, form, symbol, kiosk, next, highest, uncertain, last_error, last_try, delivered, refused
FROM inv_streams ORDER BY key COLLATE "C";

-- name: inv-lock-stream
-- The series, and whether another hub process holds its lease.
SELECT key, seller, form, symbol, kiosk, next, highest, uncertain, last_error, last_try, delivered, refused,
    (lease_owner IS NOT NULL AND lease_owner <> $2 AND lease_until >= now())
FROM inv_streams WHERE key = $1 FOR UPDATE;

-- name: inv-take-lease
UPDATE inv_streams SET lease_owner = $2, lease_until = now() + make_interval(secs => $3) WHERE key = $1;

-- name: inv-entries-from
SELECT number, invoice, key, kiosk, state, reason, settled_at, received
FROM inv_entries WHERE stream = $1 AND number >= $2 AND number < $2 + $3
ORDER BY number;

-- name: inv-settle
UPDATE inv_entries e SET state = b.state, reason = b.reason, settled_at = $3
FROM unnest($2::bigint[], $4::text[], $5::text[]) AS b (number, state, reason)
WHERE e.stream = $1 AND e.number = b.number;

-- name: inv-state-seqs
-- Reserves n sequences for each kiosk: the new top of each.
INSERT INTO inv_state_seqs (kiosk, top)
SELECT kiosk, n FROM unnest($1::text[], $2::bigint[]) AS b (kiosk, n) ORDER BY kiosk COLLATE "C"
ON CONFLICT (kiosk) DO UPDATE SET top = inv_state_seqs.top + excluded.top
RETURNING kiosk, top;

-- name: inv-log-states
INSERT INTO inv_states (kiosk, seq, key, state, reason, at)
SELECT kiosk, seq, key, state, reason, $1
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS b (kiosk, seq, key, state, reason);

-- name: inv-stream-done
-- What a call came to; the lease goes back.
UPDATE inv_streams SET next = $2, uncertain = $3, last_error = $4, last_try = $5, delivered = $6, refused = $7,
    lease_owner = NULL, lease_until = NULL
WHERE key = $1;

-- name: inv-states
SELECT seq, key, state, reason, at FROM inv_states WHERE kiosk = $1 AND seq > $2 ORDER BY seq LIMIT $3;

-- name: inv-ack-states
INSERT INTO kiosk_invoicing (kiosk, states_acked)
SELECT id, $2 FROM kiosks WHERE id = $1
ON CONFLICT (kiosk) DO UPDATE SET states_acked = excluded.states_acked;

-- name: inv-registration-turn
-- Kiosks' blocks and series change one transaction at a time, across every
-- hub process on the database (the key is this query's own: 'kiosk_invoicing').
SELECT pg_advisory_xact_lock(hashtext('kiosk_invoicing'));

-- name: inv-kiosk-exists
SELECT EXISTS (SELECT 1 FROM kiosks WHERE id = $1);

-- name: inv-open-kiosk
INSERT INTO kiosk_invoicing (kiosk) VALUES ($1) ON CONFLICT DO NOTHING;

-- name: inv-lock-kiosk
SELECT seller, form, symbol, block_from, block_to, states_acked FROM kiosk_invoicing WHERE kiosk = $1 FOR UPDATE;

-- name: inv-symbol-user
-- Another kiosk of the seller with the symbol's letters.
SELECT kiosk, symbol FROM kiosk_invoicing
WHERE kiosk <> $1 AND seller = $2 AND seller <> ''
    AND letters = (CASE WHEN length($3::text) = 6 THEN left($3::text, 1) || substr($3::text, 4) ELSE $3::text END)
LIMIT 1;

-- name: inv-other-blocks
SELECT kiosk, block_from, block_to FROM kiosk_invoicing
WHERE kiosk <> $1 AND block_from IS NOT NULL
UNION ALL
SELECT kiosk, block_from, block_to FROM kiosk_invoice_retired WHERE kiosk <> $1
ORDER BY 2;

-- name: inv-retired
SELECT block_from, block_to FROM kiosk_invoice_retired WHERE kiosk = $1 ORDER BY block_from;

-- name: inv-retire
INSERT INTO kiosk_invoice_retired (kiosk, block_from, block_to) VALUES ($1, $2, $3);

-- name: inv-set-kiosk
UPDATE kiosk_invoicing SET seller = $2, form = $3, symbol = $4, block_from = $5, block_to = $6 WHERE kiosk = $1;

-- name: inv-set-block
UPDATE kiosk_invoicing SET block_from = $2, block_to = $3 WHERE kiosk = $1;

-- name: inv-kiosk
SELECT kiosk, seller, form, symbol, block_from, block_to, states_acked FROM kiosk_invoicing WHERE kiosk = $1;

-- name: inv-kiosks
SELECT kiosk, seller, form, symbol, block_from, block_to, states_acked FROM kiosk_invoicing;

-- name: inv-seller
SELECT settings FROM inv_sellers WHERE mst = $1;

-- name: inv-put-seller
INSERT INTO inv_sellers (mst, settings) VALUES ($1, $2) ON CONFLICT (mst) DO UPDATE SET settings = excluded.settings;

-- name: inv-delete-seller
DELETE FROM inv_sellers WHERE mst = $1;

-- name: inv-sellers
SELECT mst, settings FROM inv_sellers;

-- name: inv-issued-between
-- The invoices issued in [$1, $2), through inv_entries_issued
-- (migrations/00071_invoice_issued.sql).
SELECT number, invoice, key, kiosk, state, reason, settled_at, received
FROM inv_entries WHERE issued >= $1 AND issued < $2
ORDER BY issued, number, stream COLLATE "C";
