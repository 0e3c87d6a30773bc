//! What can go wrong in the local store.

use crate::secrets::SecretError;

/// An error of the local store. Each variant says what was wrong and, where there is one,
/// what would be right.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or set up.
    #[error("the local database {path} could not be opened: {reason}")]
    Open {
        /// The database file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// The database was written by a newer app version.
    #[error(
        "the local database {path} has schema version {found}, newer than the {supported} this \
         build knows; update the app (downgrades are not supported)"
    )]
    SchemaTooNew {
        /// The database file.
        path: String,
        /// The version found in the file.
        found: usize,
        /// The newest version this build knows.
        supported: usize,
    },
    /// A migration failed; the database is left at its previous version (each migration run
    /// is one transaction).
    #[error("migrating the local database from schema version {from} to {to} failed: {reason}")]
    Migration {
        /// The version before.
        from: usize,
        /// The version aimed at.
        to: usize,
        /// What went wrong.
        reason: String,
    },
    /// A database statement failed.
    #[error("the local database failed while {operation}: {source}")]
    Database {
        /// What the store was doing.
        operation: &'static str,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// Sealing, opening, wrapping or unwrapping a secret failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The database holds something this build cannot read (it was edited or damaged).
    #[error("the local database holds an invalid {what}: {reason}")]
    Corrupt {
        /// Which value.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An argument was refused before touching the database.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// What is wrong and what would be right.
        reason: String,
    },
    /// An idempotency key was enqueued again with a different request.
    #[error(
        "idempotency key {key:?} already belongs to outbox command {existing_id} ({existing}) \
         with a different request; a new command needs a new key"
    )]
    IdempotencyKeyReused {
        /// The key.
        key: String,
        /// The command that has it.
        existing_id: i64,
        /// What it asks, e.g. `send (POST /v1/transfers)`.
        existing: String,
    },
    /// No outbox command has this id.
    #[error("outbox command {id} does not exist")]
    NoSuchCommand {
        /// The id asked for.
        id: i64,
    },
    /// An outbox transition was asked for in the wrong state.
    #[error("outbox command {id} is {actual}; {operation} needs it {expected}")]
    CommandState {
        /// The command.
        id: i64,
        /// What was asked.
        operation: &'static str,
        /// Its state.
        actual: String,
        /// The state the operation needs.
        expected: &'static str,
    },
}

/// Attaches what the store was doing to a SQLite error.
pub(crate) trait DatabaseContext<T> {
    fn during(self, operation: &'static str) -> Result<T, StoreError>;
}

impl<T> DatabaseContext<T> for Result<T, rusqlite::Error> {
    fn during(self, operation: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Database { operation, source })
    }
}
