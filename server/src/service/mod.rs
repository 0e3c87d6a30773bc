//! The flows, as jobs over a [`Tx`]: storage-neutral, run inside one write transaction each.

use serde::Serialize;

use crate::store::{Store, StoredResponse, Tx, User, attempt};
use danbao_domain::protocol::wire::PartyView;
use danbao_domain::protocol::{Outcome, Refusal};

pub mod admin;
pub mod commands;
pub mod devices;
mod error;
pub mod fees;
pub mod identity;
pub mod ledger;
pub mod merchant;
pub mod merchant_api;
pub mod merchant_profiles;
pub mod order_flows;
pub mod orders;
pub mod paycode;
pub mod payouts;
pub mod requests;
pub mod sealed;
pub mod users;
pub mod wallet;

pub use commands::{Actor, MerchantCommand, Newcomer, run, run_merchant};
pub use error::{ServiceError, ServiceResult};

/// Who asks, as the HTTP layer authenticated them: a signed request of a registered device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The signing device's owner.
    pub user_id: i64,
    /// The signing device.
    pub device_id: i64,
    /// The request nonce (single use).
    pub nonce: String,
    /// The idempotency key, if the request carried one.
    pub idempotency_key: Option<String>,
    /// SHA-256 of method, path and body: what an idempotency key is bound to.
    pub request_hash: Vec<u8>,
}

impl Caller {
    /// The idempotency key (empty when there is none: [`once`] refuses such requests first).
    pub fn key(&self) -> &str {
        self.idempotency_key.as_deref().unwrap_or_default()
    }
}

/// An operator's keyed write: its idempotency key and what the key is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorCall {
    /// The idempotency key.
    pub key: String,
    /// SHA-256 of method, path and body.
    pub request_hash: Vec<u8>,
}

/// A user as others are shown them.
impl From<&User> for PartyView {
    fn from(user: &User) -> Self {
        Self {
            handle: user.handle.clone(),
            display_name: user.display_name.clone(),
        }
    }
}

/// An answer as it goes on the wire (and into the idempotency store): what became of the
/// request and the JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Done, created, or refused (and why).
    pub outcome: Outcome,
    /// JSON body: the result, or a problem.
    pub body: Vec<u8>,
    /// Seconds to wait before retrying (`Retry-After`), for a refusal that is not final.
    pub retry_after_secs: Option<u64>,
}

impl Answer {
    /// Done, with `value` as JSON.
    pub fn ok(value: &impl Serialize) -> ServiceResult<Self> {
        Self::of(Outcome::Done, value)
    }

    /// Created, with the new thing's `value` as JSON.
    pub fn created(value: &impl Serialize) -> ServiceResult<Self> {
        Self::of(Outcome::Created, value)
    }

    fn of(outcome: Outcome, value: &impl Serialize) -> ServiceResult<Self> {
        Ok(Self {
            outcome,
            body: serde_json::to_vec(value).map_err(ServiceError::storage)?,
            retry_after_secs: None,
        })
    }

    /// A refusal as it is answered.
    pub fn refused(error: &ServiceError) -> Self {
        Self {
            outcome: Outcome::Refused(error.refusal),
            body: error.body(),
            retry_after_secs: error.retry_after_secs,
        }
    }
}

/// Runs a signed mutating request exactly once: records the nonce (a replay is refused), then
/// [`once_keyed`] under the caller's idempotency key.
pub fn once(
    tx: &mut dyn Tx,
    signed: &Caller,
    now: i64,
    flow: impl FnOnce(&mut dyn Tx) -> ServiceResult<Answer>,
) -> ServiceResult<Answer> {
    spend_nonce(tx, signed.device_id, &signed.nonce, now)?;
    let key = signed.idempotency_key.as_deref().ok_or_else(missing_key)?;
    once_keyed(tx, signed.user_id, key, &signed.request_hash, now, flow)
}

/// Records a signed request's nonce as used: a request whose answer is not kept under its
/// idempotency key (it carries a fresh secret) is still single use. A replay is refused.
pub fn spend_nonce(tx: &mut dyn Tx, device_id: i64, nonce: &str, now: i64) -> ServiceResult<()> {
    if tx.use_nonce(device_id, nonce, now)? {
        Ok(())
    } else {
        Err(ServiceError::unauthorized(
            "replayed_request",
            "this nonce was used before; sign each attempt with a fresh nonce",
        ))
    }
}

/// Runs `flow` for `caller` exactly once ([`once`]) in a write transaction of `store`: the
/// shape of every signed mutating request.
pub async fn write_once<S, F>(
    store: &S,
    caller: Caller,
    now: i64,
    mut flow: F,
) -> ServiceResult<Answer>
where
    S: Store,
    F: FnMut(&mut dyn Tx, &Caller) -> ServiceResult<Answer> + Send + 'static,
{
    store
        .write(move |tx| once(tx, &caller, now, |tx| flow(tx, &caller)))
        .await
}

/// The error for a mutating request without an idempotency key.
pub fn missing_key() -> ServiceError {
    ServiceError::bad_request(
        "missing_idempotency_key",
        "every mutating request needs an Idempotency-Key header",
    )
}

/// Returns the stored first answer for a repeated (scope, key), refuses the key with a
/// different request, and otherwise runs `flow` and stores its answer — including a final
/// refusal ([`ServiceError::is_final`]), whose effects are rolled back. A "too many" refusal
/// is answered but not stored (its effects rolled back, the nonce kept), so the same key can
/// be retried after the wait; other failures are not stored either, so a retry can succeed.
/// Scope 0 is sign-up, scope -1 the operator.
pub fn once_keyed(
    tx: &mut dyn Tx,
    scope: i64,
    key: &str,
    request_hash: &[u8],
    now: i64,
    flow: impl FnOnce(&mut dyn Tx) -> ServiceResult<Answer>,
) -> ServiceResult<Answer> {
    if let Some(stored) = tx.idempotency(scope, key)? {
        if stored.request_hash != request_hash {
            return Err(ServiceError::unprocessable(
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request; use a new key",
            ));
        }
        return Ok(Answer {
            outcome: stored.outcome,
            body: stored.body,
            retry_after_secs: None,
        });
    }
    if let Some(first_used_at) = tx.expired_idempotency(scope, key)? {
        return Err(expired_key(first_used_at, now));
    }
    let answer = match attempt(tx, flow)? {
        Ok(answer) => answer,
        Err(error) if error.is_final() => Answer::refused(&error),
        // Answered, but not kept: the key stays free for the retry after the wait, while the
        // transaction commits so the nonce stays spent (a captured request cannot be replayed
        // once the limit has passed).
        Err(error) if error.refusal == Refusal::TooMany => return Ok(Answer::refused(&error)),
        Err(error) => return Err(error),
    };
    let stored = StoredResponse {
        request_hash: request_hash.to_vec(),
        outcome: answer.outcome,
        body: answer.body,
    };
    tx.put_idempotency(scope, key, &stored, now)?;
    Ok(Answer {
        outcome: stored.outcome,
        body: stored.body,
        retry_after_secs: None,
    })
}

/// The refusal of a key whose stored answer housekeeping forgot. Running it as new would
/// derive the same transfer ids as its first use: no money would move, yet the flow would
/// answer success and the feed would show the payment twice. The client must pick a new key
/// (and so decide again whether it wants the effect a second time).
fn expired_key(first_used_at: i64, now: i64) -> ServiceError {
    let hours = now.saturating_sub(first_used_at) / 3600;
    ServiceError::conflict(
        "idempotency_key_expired",
        format!(
            "this Idempotency-Key was first used {hours} hours ago, more than the {} hours its \
             answer is kept; its first answer is no longer known. Check the activity feed for \
             its effect and, to do it again, send the request with a new key",
            crate::IDEMPOTENCY_RETENTION_SECS / 3600
        ),
    )
}

/// SHA-256 of method, path and body: what an idempotency key is bound to.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(method.as_bytes());
    context.update(b"\n");
    context.update(path.as_bytes());
    context.update(b"\n");
    context.update(body);
    context.finish().as_ref().to_vec()
}

/// Parses a JSON body, refusing unknown fields and wrong types with a precise 400.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> ServiceResult<T> {
    serde_json::from_slice(body).map_err(|error| {
        ServiceError::bad_request("invalid_body", format!("the JSON body is invalid: {error}"))
    })
}
