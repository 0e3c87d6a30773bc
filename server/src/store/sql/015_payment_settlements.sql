-- Version 15: platform fees on merchant payments (issue 15). A payment to an enrolled merchant
-- with a fee schedule (a scanned merchant code, a till charging a payment code) carries the
-- merchant's fee, moved from the merchant's wallet to the platform's revenue account in the
-- payment's transaction; each such payment is recorded here (gross, fee, net) for the
-- settlement reports, keyed by the payment's ledger transfer.
CREATE TABLE payment_settlements (
    transfer_id     TEXT    PRIMARY KEY,
    merchant_id     INTEGER NOT NULL REFERENCES users(id),
    currency        TEXT    NOT NULL,
    gross           INTEGER NOT NULL CHECK (gross > 0),
    fee             INTEGER NOT NULL CHECK (fee >= 0 AND fee <= gross),
    net             INTEGER NOT NULL CHECK (net = gross - fee),
    fee_transfer_id TEXT,
    settled_at      INTEGER NOT NULL
);
CREATE INDEX payment_settlements_by_merchant
    ON payment_settlements(merchant_id, settled_at, transfer_id);
