-- Client store schema version 1. Never edit this file once released: add a new migration.
-- The server is the source of truth; everything here except `data_key`, `secrets` and `outbox`
-- is a cache that sync can rebuild.

-- The one signed-up identity of this device.
CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    server_url TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    handle TEXT NOT NULL,
    display_name TEXT NOT NULL,
    device_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The data key, wrapped by the platform key store (never stored in the clear).
CREATE TABLE data_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Secrets, each AES-256-GCM sealed under the data key with (table, column, slot) as
-- associated data.
CREATE TABLE secrets (
    slot TEXT PRIMARY KEY,
    sealed BLOB NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Balances per currency, integer minor units.
CREATE TABLE balances (
    currency TEXT PRIMARY KEY,
    available INTEGER NOT NULL,
    held_out INTEGER NOT NULL,
    incoming INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The user's event feed as synced. `seq` is the server's feed position and the rowid, so
-- newest-first keyset paging (`seq < ? ORDER BY seq DESC`) walks the table's own b-tree.
CREATE TABLE activity (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    data TEXT NOT NULL CHECK (json_valid(data)),
    created_at INTEGER NOT NULL
) STRICT;

-- Escrow orders the user takes part in, as the server's order view (JSON).
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    role TEXT NOT NULL,
    view TEXT NOT NULL CHECK (json_valid(view)),
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_updated ON orders (updated_at DESC, id);

-- People the user paid or was paid by, most recent first.
CREATE TABLE contacts (
    handle TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    last_used_at INTEGER NOT NULL
) STRICT;
CREATE INDEX contacts_by_last_used ON contacts (last_used_at DESC);

-- Commands written with their idempotency key before the first attempt.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL CHECK (body = '' OR json_valid(body)),
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    outcome_status INTEGER,
    outcome_body TEXT
) STRICT;

-- Where sync stopped in the server's event feed.
CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL,
    synced_at INTEGER NOT NULL
) STRICT;
