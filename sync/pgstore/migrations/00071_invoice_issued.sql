-- Each invoice's issue time beside it, indexed, so that the delivery report
-- of a day reads that day's invoices (invoiceday.go) rather than every
-- invoice the hub holds. Invoices filed before it take the time their
-- document says.

-- +goose Up
ALTER TABLE inv_entries ADD COLUMN issued timestamptz;
UPDATE inv_entries SET issued = (invoice ->> 'issued')::timestamptz;
ALTER TABLE inv_entries ALTER COLUMN issued SET NOT NULL;
CREATE INDEX inv_entries_issued ON inv_entries (issued);

-- +goose Down
DROP INDEX inv_entries_issued;
ALTER TABLE inv_entries DROP COLUMN issued;
