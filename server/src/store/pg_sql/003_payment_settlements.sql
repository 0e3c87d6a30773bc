-- Version 3 (SQLite 015): platform fees on merchant payments. Each payment to an enrolled
-- merchant with a fee schedule, keyed by its ledger transfer: net = gross - fee.
CREATE TABLE payment_settlements (
    transfer_id     TEXT   PRIMARY KEY,
    merchant_id     BIGINT NOT NULL REFERENCES users (id),
    currency        TEXT   NOT NULL,
    gross           BIGINT NOT NULL CHECK (gross > 0),
    fee             BIGINT NOT NULL CHECK (fee >= 0 AND fee <= gross),
    net             BIGINT NOT NULL CHECK (net = gross - fee),
    fee_transfer_id TEXT,
    settled_at      BIGINT NOT NULL
);
CREATE INDEX payment_settlements_by_merchant
    ON payment_settlements (merchant_id, settled_at, transfer_id);
