-- Version 14: merchant webhooks (issue 15 point 3). A merchant's endpoints (URL, the events it
-- wants, its signing secret sealed with the server's seal key, and the previous secret while a
-- rotation's grace period runs); every event an order change produces, written in the same
-- transaction as the change; one delivery per (event, endpoint), retried with exponential
-- backoff until it succeeds or about three days have passed; and the log of every attempt.
CREATE TABLE webhook_endpoints (
    id                   TEXT    PRIMARY KEY,
    user_id              INTEGER NOT NULL REFERENCES users(id),
    url                  TEXT    NOT NULL,
    events               TEXT    NOT NULL,
    secret               BLOB    NOT NULL,
    previous_secret      BLOB,
    previous_until       INTEGER,
    enabled              INTEGER NOT NULL,
    disabled_reason      TEXT,
    created_at           INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_by_user ON webhook_endpoints(user_id, created_at);

CREATE TABLE webhook_events (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    type       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        TEXT    NOT NULL REFERENCES webhook_events(id),
    endpoint_id     TEXT    NOT NULL REFERENCES webhook_endpoints(id),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries(endpoint_id, id);

CREATE TABLE webhook_attempts (
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
    at          INTEGER NOT NULL,
    status      INTEGER,
    error       TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts(delivery_id, at);
