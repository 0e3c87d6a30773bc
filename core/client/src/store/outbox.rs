//! The outbox: mutating commands written with their idempotency key before the first attempt,
//! so that process death or a dead network neither loses nor doubles them (DESIGN.md §7).
//!
//! Life of a command:
//!
//! ```text
//! enqueue ──► Pending ──mark_sending──► Sending ──record_outcome(Accepted)──► Done
//!               ▲                          │    ──record_outcome(Refused)───► Failed
//!               └──record_outcome(Retry)───┘
//!               └──────── open() after process death ◄── Sending
//! ```
//!
//! The sender loop: `next_due(now)` → `mark_sending(id, now)` (commit) → send with the stored
//! idempotency key → `record_outcome`. Because the key is stored before anything is sent,
//! every resend is the same request to the server, which answers it once.
//!
//! A row holds the command as data: `command` is the serde JSON of a
//! [`danbao_domain::protocol::Command`] and `command_version` says which form
//! ([`COMMAND_VERSION`]); the request's method, path and body are the command's.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::error::DatabaseContext;
use super::{
    AttemptOutcome, COMMAND_VERSION, CommandAnswer, CommandState, LocalStore, NewCommand,
    OutboxEntry, StoreError, StoredCommand, UNCONVERTED_COMMAND_VERSION, UnreadableCommand,
    clamp_limit,
};
use danbao_domain::protocol::{Command, idempotency_key_is_well_formed};

const ENTRY_COLUMNS: &str = "id, idempotency_key, command_version, command, state, attempts,
     next_attempt_at, created_at, updated_at, last_error, outcome_status, outcome_body";

impl LocalStore {
    /// Stores `command` as `Pending`, due at `now`. Call it before any network: the command
    /// then survives process death and is sent with the same idempotency key on every attempt.
    ///
    /// Enqueuing the same idempotency key again with the same request returns the stored
    /// entry unchanged (a double tap or a repeated call is harmless); with a different
    /// request it fails with [`StoreError::IdempotencyKeyReused`].
    pub fn enqueue(&self, command: &NewCommand, now: i64) -> Result<OutboxEntry, StoreError> {
        let stored = validate(command)?;
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to enqueue a command")?;
        if let Some(existing) = entry_where(&tx, "idempotency_key = ?1", &command.idempotency_key)?
        {
            if existing.command.known() == Some(&command.command) {
                return Ok(existing);
            }
            return Err(StoreError::IdempotencyKeyReused {
                key: command.idempotency_key.clone(),
                existing_id: existing.id,
                existing: describe(&existing.command),
            });
        }
        tx.prepare_cached(
            "INSERT INTO outbox (idempotency_key, command_version, command, state, attempts,
                                 next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?4, ?4)",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                command.idempotency_key,
                COMMAND_VERSION,
                stored,
                now
            ])
        })
        .during("enqueuing a command")?;
        let id = tx.last_insert_rowid();
        let entry = entry_by_id(&tx, id)?;
        tx.commit().during("committing an enqueued command")?;
        Ok(entry)
    }

    /// The oldest (by enqueue order) `Pending` command whose `next_attempt_at` is at or
    /// before `now`, or `None`.
    pub fn next_due(&self, now: i64) -> Result<Option<OutboxEntry>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox
              WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 1"
        );
        conn.prepare_cached(&sql)
            .and_then(|mut stmt| stmt.query_row([now], entry_row).optional())
            .during("finding the next due command")?
            .map(finish_entry)
            .transpose()
    }

    /// When the next `Pending` command becomes due (the earliest `next_attempt_at`), or
    /// `None` when nothing is pending: how long a sender may sleep.
    pub fn next_attempt_at(&self) -> Result<Option<i64>, StoreError> {
        self.conn()
            .prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'")
            .and_then(|mut stmt| stmt.query_row([], |row| row.get(0)))
            .during("finding the next attempt time")
    }

    /// Marks a `Pending` command `Sending` and counts the attempt. Call it (it commits)
    /// before sending. Fails with [`StoreError::CommandState`] if the command is not
    /// pending, so two senders never send one command at once.
    pub fn mark_sending(&self, id: i64, now: i64) -> Result<OutboxEntry, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to mark a command sending")?;
        let entry = entry_by_id(&tx, id)?;
        if entry.state != CommandState::Pending {
            return Err(StoreError::CommandState {
                id,
                operation: "mark_sending",
                actual: entry.state.to_string(),
                expected: "pending",
            });
        }
        tx.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?2
              WHERE id = ?1",
            params![id, now],
        )
        .during("marking a command sending")?;
        let entry = entry_by_id(&tx, id)?;
        tx.commit().during("committing a command sending")?;
        Ok(entry)
    }

    /// Records how an attempt of a `Sending` command ended: `Done` or `Failed` with the
    /// server's answer, or `Pending` again for a retry at `next_attempt_at`.
    pub fn record_outcome(
        &self,
        id: i64,
        outcome: &AttemptOutcome,
        now: i64,
    ) -> Result<OutboxEntry, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to record an outcome")?;
        let entry = entry_by_id(&tx, id)?;
        if entry.state != CommandState::Sending {
            return Err(StoreError::CommandState {
                id,
                operation: "record_outcome",
                actual: entry.state.to_string(),
                expected: "sending",
            });
        }
        match outcome {
            AttemptOutcome::Accepted(answer) | AttemptOutcome::Refused(answer) => {
                let state = match outcome {
                    AttemptOutcome::Accepted(_) => CommandState::Done,
                    _ => CommandState::Failed,
                };
                tx.execute(
                    "UPDATE outbox SET state = ?2, outcome_status = ?3, outcome_body = ?4,
                            last_error = NULL, updated_at = ?5
                      WHERE id = ?1",
                    params![id, state.as_str(), answer.status, answer.body, now],
                )
                .during("recording a command's answer")?;
            }
            AttemptOutcome::Retry {
                error,
                next_attempt_at,
            } => {
                tx.execute(
                    "UPDATE outbox SET state = 'pending', last_error = ?2, next_attempt_at = ?3,
                            updated_at = ?4
                      WHERE id = ?1",
                    params![id, error, next_attempt_at, now],
                )
                .during("scheduling a command's retry")?;
            }
        }
        let entry = entry_by_id(&tx, id)?;
        tx.commit().during("committing a command's outcome")?;
        Ok(entry)
    }

    /// The command with local id `id`, or `None`.
    pub fn outbox_entry(&self, id: i64) -> Result<Option<OutboxEntry>, StoreError> {
        entry_where(&self.conn(), "id = ?1", &id)
    }

    /// The command with this idempotency key, or `None`.
    pub fn outbox_entry_by_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        entry_where(&self.conn(), "idempotency_key = ?1", &idempotency_key)
    }

    /// Commands, newest first, at most `limit` (clamped to [`super::MAX_PAGE`]).
    pub fn outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        self.entries(
            "SELECT {cols} FROM outbox ORDER BY id DESC LIMIT ?1",
            clamp_limit(limit),
        )
    }

    /// Commands not yet answered (`Pending` or `Sending`), oldest first, at most `limit`
    /// (clamped to [`super::MAX_PAGE`]): what the app shows as "waiting to send".
    pub fn unfinished_commands(&self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        self.entries(
            "SELECT {cols} FROM outbox WHERE state IN ('pending', 'sending')
              ORDER BY id LIMIT ?1",
            clamp_limit(limit),
        )
    }

    fn entries(&self, template: &str, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let sql = template.replace("{cols}", ENTRY_COLUMNS);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).during("listing the outbox")?;
        let rows: Vec<RawEntry> = stmt
            .query_map([limit], entry_row)
            .and_then(Iterator::collect)
            .during("listing the outbox")?;
        rows.into_iter().map(finish_entry).collect()
    }
}

/// Checks a command before it is stored and gives its stored form.
fn validate(command: &NewCommand) -> Result<String, StoreError> {
    let invalid = |what, reason: String| Err(StoreError::InvalidInput { what, reason });
    if !idempotency_key_is_well_formed(&command.idempotency_key) {
        return invalid(
            "idempotency key",
            format!(
                "{:?} is not 8–128 printable ASCII characters without spaces",
                command.idempotency_key
            ),
        );
    }
    if !command.command.is_keyed() {
        return invalid(
            "command",
            format!(
                "{} is not idempotent (it has no idempotency key), so it cannot be queued; \
                 send it directly",
                command.command.name()
            ),
        );
    }
    serde_json::to_string(&command.command).or_else(|error| {
        invalid(
            "command",
            format!("{} does not serialize: {error}", command.command.name()),
        )
    })
}

/// What a stored command asks, for messages: `send (POST /v1/transfers)`.
pub(crate) fn describe(command: &StoredCommand) -> String {
    match command {
        StoredCommand::Known(command) => format!(
            "{} ({} {})",
            command.name(),
            command.method(),
            command.path()
        ),
        StoredCommand::Unreadable(unreadable) => unreadable.request.clone(),
    }
}

/// Reads a row's stored command: a command of [`COMMAND_VERSION`], or what is known of a
/// row that is not one (never an error: one damaged row must not hide the outbox).
fn read_command(id: i64, version: i64, text: &str) -> StoredCommand {
    let unreadable = |request: String, reason: String| {
        StoredCommand::Unreadable(UnreadableCommand { request, reason })
    };
    match version {
        COMMAND_VERSION => match serde_json::from_str::<Command>(text) {
            Ok(command) => StoredCommand::Known(command),
            Err(error) => unreadable(
                format!("outbox command {id}"),
                format!(
                    "its stored command does not read as a version {COMMAND_VERSION} command \
                     ({error}); it was not sent again"
                ),
            ),
        },
        UNCONVERTED_COMMAND_VERSION => {
            match serde_json::from_str::<super::migrate_v3::Unconverted>(text) {
                Ok(old) => unreadable(old.request(), old.reason),
                Err(error) => unreadable(
                    format!("outbox command {id}"),
                    format!(
                        "its unconverted request does not read ({error}); it was not sent again"
                    ),
                ),
            }
        }
        other => unreadable(
            format!("outbox command {id}"),
            format!(
                "its command is stored in form {other}, which this version (form \
                 {COMMAND_VERSION}) does not read: it was written by a newer app; it was not sent"
            ),
        ),
    }
}

/// A row as read, before the state and command texts are checked.
struct RawEntry {
    entry: OutboxEntry,
    state: String,
    command_version: i64,
    command: String,
}

fn entry_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    let outcome_status: Option<u16> = row.get(10)?;
    let outcome_body: Option<String> = row.get(11)?;
    Ok(RawEntry {
        entry: OutboxEntry {
            id: row.get(0)?,
            idempotency_key: row.get(1)?,
            command: StoredCommand::Unreadable(UnreadableCommand {
                request: String::new(),
                reason: String::new(),
            }),
            state: CommandState::Pending,
            attempts: row.get(5)?,
            next_attempt_at: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
            last_error: row.get(9)?,
            answer: outcome_status.map(|status| CommandAnswer {
                status,
                body: outcome_body.unwrap_or_default(),
            }),
        },
        command_version: row.get(2)?,
        command: row.get(3)?,
        state: row.get(4)?,
    })
}

fn finish_entry(raw: RawEntry) -> Result<OutboxEntry, StoreError> {
    let state = CommandState::parse(&raw.state).ok_or_else(|| StoreError::Corrupt {
        what: format!("outbox state of command {}", raw.entry.id),
        reason: format!("{:?} is not pending, sending, done or failed", raw.state),
    })?;
    let command = read_command(raw.entry.id, raw.command_version, &raw.command);
    Ok(OutboxEntry {
        state,
        command,
        ..raw.entry
    })
}

fn entry_where(
    conn: &Connection,
    condition: &str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<OutboxEntry>, StoreError> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE {condition}");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([value], entry_row).optional())
        .during("reading an outbox command")?
        .map(finish_entry)
        .transpose()
}

fn entry_by_id(conn: &Connection, id: i64) -> Result<OutboxEntry, StoreError> {
    entry_where(conn, "id = ?1", &id)?.ok_or(StoreError::NoSuchCommand { id })
}
