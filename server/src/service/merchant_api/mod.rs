//! The merchant API (issue 15): what a shop's *server* may do holding only an API key —
//! create and run escrow orders under its own references, receive webhooks, read settlement
//! reports — and never more: no scope moves money out of the merchant's wallet (P2P transfers
//! and withdrawals stay with the merchant's devices; see [`super::commands`]).

use crate::service::{self, Answer, ServiceError, ServiceResult};
use crate::store::Tx;

pub mod events;
pub mod keys;
pub mod orders;
pub mod reports;
pub mod views;
pub mod webhooks;

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Create orders, ship and cancel them.
    OrdersWrite,
    /// Read and list orders.
    OrdersRead,
    /// Accept or reject a buyer's refund request.
    RefundsWrite,
    /// Read settlement reports.
    ReportsRead,
    /// Manage webhook endpoints and deliveries.
    WebhooksWrite,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 5] = [
        Self::OrdersWrite,
        Self::OrdersRead,
        Self::RefundsWrite,
        Self::ReportsRead,
        Self::WebhooksWrite,
    ];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrdersWrite => "orders:write",
            Self::OrdersRead => "orders:read",
            Self::RefundsWrite => "refunds:write",
            Self::ReportsRead => "reports:read",
            Self::WebhooksWrite => "webhooks:write",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == text)
    }
}

/// A request authenticated by a merchant API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCaller {
    /// The key's public id.
    pub key_id: String,
    /// The merchant (the key's owner).
    pub user_id: i64,
    /// What the key may do.
    pub scopes: Vec<Scope>,
    /// The request's idempotency key (every write has one).
    pub idempotency_key: Option<String>,
    /// SHA-256 of method, path and body: what the idempotency key is bound to.
    pub request_hash: Vec<u8>,
}

impl KeyCaller {
    /// Refuses a request the key's scopes do not cover: `403 missing_scope`.
    pub fn require(&self, scope: Scope) -> ServiceResult<()> {
        if self.scopes.contains(&scope) {
            return Ok(());
        }
        Err(ServiceError::forbidden(
            "missing_scope",
            format!(
                "this API key lacks the scope {}; create a key that has it",
                scope.as_str()
            ),
        ))
    }
}

/// Refuses a user who is not an enrolled, enabled merchant.
pub fn require_merchant(tx: &mut dyn Tx, user_id: i64) -> ServiceResult<()> {
    match tx.merchant(user_id)? {
        None => Err(ServiceError::forbidden(
            "merchant_not_enrolled",
            "the merchant API is for enrolled merchants, and this account is not one; ask the \
             operator to enrol it",
        )),
        Some(record) if !record.enabled => Err(ServiceError::forbidden(
            "merchant_disabled",
            "the operator switched this merchant off: its API keys are refused until the \
             operator enables it again",
        )),
        Some(_) => Ok(()),
    }
}

/// Runs a key's write exactly once: checks in this transaction that the key is still
/// active (a revocation that committed just before is honoured), stamps its use, and runs
/// `flow` under the merchant's idempotency scope (the same rules as a device's writes: the
/// same key and request answer the stored first answer, a different request is refused).
pub fn once_for_key(
    tx: &mut dyn Tx,
    caller: &KeyCaller,
    now: i64,
    flow: impl FnOnce(&mut dyn Tx) -> ServiceResult<Answer>,
) -> ServiceResult<Answer> {
    let active = tx
        .api_key(&caller.key_id)?
        .is_some_and(|key| key.revoked_at.is_none());
    if !active {
        return Err(ServiceError::unauthorized(
            "invalid_api_key",
            "the API key is not valid: it was revoked",
        ));
    }
    tx.touch_api_key(&caller.key_id, now)?;
    let key = caller
        .idempotency_key
        .as_deref()
        .ok_or_else(service::missing_key)?;
    service::once_keyed(tx, caller.user_id, key, &caller.request_hash, now, flow)
}
