//! Users looked up for a flow: by handle, or the caller itself, each a precise `404
//! unknown_user` when missing. The lowest room of the service: it imports only the store.

use crate::service::{ServiceError, ServiceResult};
use crate::store::{Tx, User};

/// The user with `handle` (any case), or 404 `unknown_user`.
pub fn user_by_handle(tx: &mut dyn Tx, handle: &str) -> ServiceResult<User> {
    tx.user_by_handle(&handle.to_ascii_lowercase())?
        .ok_or_else(|| {
            ServiceError::not_found("unknown_user", format!("no user has the handle {handle:?}"))
        })
}

/// The calling user, or 404 `unknown_user` (`who` says which party is gone).
pub fn caller_user(tx: &mut dyn Tx, user_id: i64, who: &str) -> ServiceResult<User> {
    tx.user(user_id)?
        .ok_or_else(|| ServiceError::not_found("unknown_user", format!("the {who} is gone")))
}
