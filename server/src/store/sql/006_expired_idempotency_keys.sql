-- Version 6: idempotency keys whose stored answer housekeeping forgot.
--
-- Transfer ids derive from the idempotency key, so a key presented again after its record was
-- purged must not run as a new request (the ledger would find the transfer id taken, move no
-- money, and the flow would answer success). Housekeeping moves each purged key here (without
-- its answer) and such a key is refused `409 idempotency_key_expired`. A row is ~60 bytes and
-- is kept as long as the transfers whose ids it derived (for ever).
CREATE TABLE idempotency_expired (
    user_id       INTEGER NOT NULL,
    key           TEXT    NOT NULL,
    first_used_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
