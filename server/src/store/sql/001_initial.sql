-- Danbao server schema, version 1. Money columns are integer minor units.

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    handle       TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE devices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    public_key BLOB    NOT NULL,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Request nonces, kept for longer than the allowed clock skew.
CREATE TABLE nonces (
    device_id INTEGER NOT NULL,
    nonce     TEXT    NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_seen_at ON nonces(seen_at);

-- First answers to idempotent requests, kept at least 24 h.
CREATE TABLE idempotency (
    user_id      INTEGER NOT NULL,
    key          TEXT    NOT NULL,
    request_hash BLOB    NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_created_at ON idempotency(created_at);

-- Ledger accounts (DESIGN.md §3). The CHECK repeats the no-overdraft rule as a last line.
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    owner_id        INTEGER REFERENCES users(id),
    kind            TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    no_overdraft    INTEGER NOT NULL,
    debits_pending  INTEGER NOT NULL DEFAULT 0,
    debits_posted   INTEGER NOT NULL DEFAULT 0,
    credits_pending INTEGER NOT NULL DEFAULT 0,
    credits_posted  INTEGER NOT NULL DEFAULT 0,
    CHECK (NOT no_overdraft OR debits_pending + debits_posted <= credits_posted)
);
CREATE UNIQUE INDEX accounts_owner_kind_currency ON accounts(coalesce(owner_id, 0), kind, currency);

-- The immutable transfer journal; seq is the commit order.
CREATE TABLE transfers (
    seq        INTEGER PRIMARY KEY,
    id         BLOB    NOT NULL UNIQUE,
    debit_id   INTEGER NOT NULL REFERENCES accounts(id),
    credit_id  INTEGER NOT NULL REFERENCES accounts(id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    currency   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    pending_id BLOB,
    status     TEXT,
    created_at INTEGER NOT NULL
);

-- Per-user event feed: the sync cursor and the activity list.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_user_seq ON events(user_id, seq);
CREATE INDEX events_user_kind_seq ON events(user_id, kind, seq);

CREATE TABLE money_requests (
    id           INTEGER PRIMARY KEY,
    requester_id INTEGER NOT NULL REFERENCES users(id),
    payer_id     INTEGER NOT NULL REFERENCES users(id),
    amount_minor INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    note         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    transfer_id  TEXT,
    created_at   INTEGER NOT NULL
);

-- Escrow orders; body is the escrow machine's state as JSON.
CREATE TABLE orders (
    id            TEXT    PRIMARY KEY,
    seller_id     INTEGER NOT NULL REFERENCES users(id),
    buyer_id      INTEGER REFERENCES users(id),
    title         TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    hold_id       BLOB,
    next_deadline INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX orders_next_deadline ON orders(next_deadline) WHERE next_deadline IS NOT NULL;
CREATE INDEX orders_seller ON orders(seller_id, created_at);
CREATE INDEX orders_buyer ON orders(buyer_id, created_at);

-- Single use of signed QR codes.
CREATE TABLE code_nonces (
    nonce   TEXT    PRIMARY KEY,
    used_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Payment codes: sealed per-device secrets, used steps, failed attempts per merchant.
CREATE TABLE paycode_secrets (
    account_index INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    sealed        BLOB    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE TABLE paycode_uses (
    account_index INTEGER NOT NULL,
    step          INTEGER NOT NULL,
    PRIMARY KEY (account_index, step)
) WITHOUT ROWID;
CREATE TABLE paycode_failures (
    merchant_id INTEGER NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX paycode_failures_merchant ON paycode_failures(merchant_id, at);
