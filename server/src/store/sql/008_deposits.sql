-- Version 8: operator deposits (issue 12 point 5). Money that arrived in the operator's bank
-- account is credited to a user from the settlement account, once per bank reference: the
-- same reference again is the same deposit, the reference with another user or amount is
-- refused. The ledger transfer's id derives from the reference.
CREATE TABLE deposits (
    external_ref TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    currency     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) WITHOUT ROWID;
