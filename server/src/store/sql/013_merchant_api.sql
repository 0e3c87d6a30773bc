-- Version 13: the merchant API (issue 15). A merchant's servers authenticate with API keys
-- (the secret is stored as its SHA-256 only); orders created through the API carry the shop's
-- reference (unique per merchant), line items, metadata, a description and the times of their
-- milestones; the platform fee taken on release is recorded per order; webhook endpoints, the
-- events written in the same transaction as the change, and their deliveries.
CREATE TABLE merchant_api_keys (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    secret_hash  BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    rotated_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX merchant_api_keys_by_user ON merchant_api_keys(user_id, created_at);

CREATE TABLE merchant_orders (
    order_id           TEXT    PRIMARY KEY REFERENCES orders(id),
    merchant_id        INTEGER NOT NULL REFERENCES users(id),
    merchant_reference TEXT    NOT NULL,
    description        TEXT,
    line_items         TEXT    NOT NULL,
    metadata           TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    paid_at            INTEGER,
    shipped_at         INTEGER,
    completed_at       INTEGER,
    cancelled_at       INTEGER,
    refunded_at        INTEGER,
    UNIQUE (merchant_id, merchant_reference)
);
CREATE INDEX merchant_orders_page ON merchant_orders(merchant_id, created_at, order_id);

-- The fee schedules the operator set: per merchant, or per merchant category code. A
-- merchant's own schedule wins over its category's.
CREATE TABLE fee_schedules (
    scope        TEXT    NOT NULL CHECK (scope IN ('merchant', 'category')),
    subject      TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    basis_points INTEGER NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
    fixed_minor  INTEGER NOT NULL CHECK (fixed_minor >= 0),
    min_minor    INTEGER CHECK (min_minor >= 0),
    max_minor    INTEGER CHECK (max_minor >= 0),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, subject, currency)
);

-- How each order's escrow was settled (released, split or refunded): what the buyer paid, what
-- went back to the buyer, what the seller's share was (gross), the fee transferred from the
-- seller to the platform's revenue account in the same transaction, and net = gross - fee.
CREATE TABLE order_settlements (
    order_id    TEXT    PRIMARY KEY REFERENCES orders(id),
    seller_id   INTEGER NOT NULL REFERENCES users(id),
    currency    TEXT    NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    refunded    INTEGER NOT NULL CHECK (refunded >= 0),
    gross       INTEGER NOT NULL CHECK (gross >= 0),
    fee         INTEGER NOT NULL CHECK (fee >= 0 AND fee <= gross),
    net         INTEGER NOT NULL CHECK (net = gross - fee),
    fee_transfer_id TEXT,
    settled_at  INTEGER NOT NULL,
    CHECK (amount = refunded + gross)
);
CREATE INDEX order_settlements_by_seller ON order_settlements(seller_id, settled_at, order_id);
