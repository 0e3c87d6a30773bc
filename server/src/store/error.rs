//! The store's own error: what went wrong with the data, in storage terms. The service layer
//! maps it to its refusals (`crate::service::ServiceError`); nothing here knows HTTP.

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A row the operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The operation conflicts with the stored state (e.g. a concurrent change).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A constraint of the schema refused the write (a unique key, a check).
    #[error("constraint: {0}")]
    Constraint(String),
    /// The public key is already registered for a device (`devices.public_key` is unique).
    #[error("the public key is registered for another device")]
    PublicKeyTaken,
    /// The device that signed was revoked: none of its requests are accepted.
    #[error("the device was revoked")]
    DeviceRevoked,
    /// The database could not be used (I/O, a stopped writer, a corrupt row); retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The writer's queue is full: the job was not run; retry shortly.
    #[error("the write queue is full")]
    Busy,
    /// A job panicked; its changes were rolled back.
    #[error("a store job panicked; its changes were rolled back")]
    Panicked,
}

impl StoreError {
    /// The store failed for `cause`.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        Self::Unavailable(cause.to_string())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(code, _)
                if code.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Self::Constraint(error.to_string())
            }
            rusqlite::Error::QueryReturnedNoRows => Self::NotFound(error.to_string()),
            _ => Self::Unavailable(error.to_string()),
        }
    }
}

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;
