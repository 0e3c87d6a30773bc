-- Version 10 (numbered 012 by its branch): withdrawals are a lifecycle (issue 12 point 5). A
-- request moves the amount from the wallet to the payouts-pending account; the operator then
-- marks it paid out (with the bank transfer's id: the amount moves on to the withdrawal
-- account) or failed (the amount goes back to the wallet). Each step is an ordinary ledger
-- transfer; this table keeps the state, one row per request. Withdrawals made before this
-- version went straight to the withdrawal account and have no row.
CREATE TABLE withdrawals (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    currency     TEXT    NOT NULL,
    transfer_id  TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL CHECK (status IN ('requested', 'paid_out', 'returned')),
    payout_ref   TEXT,
    reason       TEXT,
    requested_at INTEGER NOT NULL,
    settled_at   INTEGER,
    CHECK ((status = 'paid_out') = (payout_ref IS NOT NULL)),
    CHECK ((status = 'returned') = (reason IS NOT NULL))
);
CREATE INDEX withdrawals_by_status ON withdrawals(status, id);
