-- The serials the till scanned into a sale's line (the lot's labels or
-- stamps): a day's lines carry them to the reports as the kiosk sent them.
-- Lines from before have none.

-- +goose Up
ALTER TABLE sale_lines ADD COLUMN serials text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE sale_lines DROP COLUMN serials;
