//! Money in, out and between friends: top-ups, withdrawals and transfers.

use serde::{Deserialize, Serialize};

use super::{AmountView, BalanceView};
use crate::money::Money;

/// Body of `POST /v1/sandbox/top-ups` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    /// Whose wallet to fund.
    pub handle: String,
    /// Decimal amount, e.g. "100.00".
    pub amount: String,
    /// ISO 4217 code, e.g. "CNY".
    pub currency: String,
}

impl TopUp {
    /// A top-up of `amount` for `handle`.
    pub fn new(handle: impl Into<String>, amount: Money) -> Self {
        Self {
            handle: handle.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
        }
    }
}

/// Body of `POST /v1/admin/deposits` (operator): money that arrived in the operator's bank
/// account, credited to a user from the settlement account. Idempotent on `external_ref`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Deposit {
    /// Whose wallet to credit.
    pub handle: String,
    /// Decimal amount, e.g. "100.00".
    pub amount: String,
    /// ISO 4217 code, e.g. "CNY".
    pub currency: String,
    /// The bank transfer's id (1–128 printable ASCII characters): the same reference is the
    /// same deposit.
    pub external_ref: String,
}

/// Body of `POST /v1/withdrawals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Withdraw {
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl Withdraw {
    /// A withdrawal of `amount`.
    pub fn new(amount: Money) -> Self {
        Self {
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
        }
    }
}

/// Body of `POST /v1/transfers`: money to a friend by handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Send {
    /// The friend's handle.
    pub to: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// A note shown to both (at most [`MAX_MEMO_CHARS`](crate::protocol::limits::MAX_MEMO_CHARS) characters).
    #[serde(default)]
    pub memo: String,
}

impl Send {
    /// `amount` to `to` with `memo`.
    pub fn new(to: impl Into<String>, amount: Money, memo: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            memo: memo.into(),
        }
    }
}

/// Answer of a money movement (top-up, withdrawal, transfer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moved {
    /// The ledger transfer id (32 hex digits).
    pub transfer_id: String,
    /// The amount.
    pub amount: AmountView,
    /// The caller's (for a top-up: the payee's) balance afterwards.
    pub balance: BalanceView,
}
