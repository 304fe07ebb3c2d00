-- A kiosk's earlier blocks of the MCCQT counter, retired when the hub gave it
-- the next (NextInvoiceBlock): still the kiosk's, since the codes issued from
-- them stay issued, so no other kiosk may be given a number of them.

-- +goose Up
CREATE TABLE kiosk_invoice_retired (
    kiosk      text NOT NULL REFERENCES kiosks (id),
    block_from bigint NOT NULL,
    block_to   bigint NOT NULL,
    CHECK (block_from <= block_to),
    CONSTRAINT kiosk_invoice_retired_apart
        EXCLUDE USING gist (int8range(block_from, block_to, '[]') WITH &&)
);
CREATE INDEX kiosk_invoice_retired_kiosk ON kiosk_invoice_retired (kiosk);

-- +goose Down
DROP TABLE kiosk_invoice_retired;
