-- Client store schema version 3: the outbox stores each command as data.
--
-- `command` is the serde JSON of a danbao_domain::protocol::Command; `command_version` says
-- which form (1). A row that schema 2 queued and that could not be read as a command keeps
-- its old request with the reason in form 0 and is shown failed, never sent. The rows are
-- converted by the migration's hook (core/client/src/store/migrate_v3.rs), which then drops
-- the old table and renames this one to `outbox`, keeping ids, idempotency keys, states,
-- attempts, times, answers and the AUTOINCREMENT counter.
CREATE TABLE outbox_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    command_version INTEGER NOT NULL,
    command TEXT NOT NULL CHECK (json_valid(command)),
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    outcome_status INTEGER,
    outcome_body TEXT,
    last_error TEXT
) STRICT;
