-- Version 10: devices can be added from an existing device and revoked (issue 12 point 8).
-- `revoked_at` set: the device's requests are refused (401 device_revoked) and its
-- payment-code secrets are deleted. `last_seen_at`: the last signed change the device made.
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;
UPDATE devices SET last_seen_at = created_at;

-- One-time approval codes an existing device asked for, so a new device can join its user.
-- Only the SHA-256 of the code is kept. A used or expired row stays (until housekeeping) so a
-- second use is answered precisely.
CREATE TABLE device_approvals (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    code_hash    BLOB    NOT NULL UNIQUE,
    created_by   INTEGER NOT NULL REFERENCES devices(id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    used_by      INTEGER REFERENCES devices(id)
);
CREATE INDEX device_approvals_user ON device_approvals(user_id, expires_at);
CREATE INDEX device_approvals_expires ON device_approvals(expires_at);

-- Refused joins (wrong, expired or used codes), against the user the request named (by handle
-- or by the code's row), NULL when nothing identified one: counted per user and globally.
CREATE TABLE device_join_failures (
    user_id INTEGER,
    at      INTEGER NOT NULL
);
CREATE INDEX device_join_failures_user ON device_join_failures(user_id, at);
CREATE INDEX device_join_failures_at ON device_join_failures(at);
