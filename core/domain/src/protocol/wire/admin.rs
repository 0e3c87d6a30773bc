//! Operator endpoints (the ledger invariants and the sandbox clock), and the problem body of
//! every refusal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Answer of `GET /v1/admin/invariants` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invariants {
    /// True when every invariant holds.
    pub ok: bool,
    /// The first violation, if any.
    pub violation: Option<String>,
    /// Accounts checked.
    pub accounts: usize,
    /// Journal entries replayed.
    pub transfers: usize,
    /// Per currency: Σ posted credits (= Σ posted debits) over all accounts, minor units.
    pub posted_volume: BTreeMap<String, i64>,
}

/// Body of `POST /v1/admin/clock` (operator, sandbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds to move the server clock forward (sandbox only).
    pub advance_secs: i64,
}

/// Answer of `POST /v1/admin/clock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ClockMoved))]
pub struct ServerTime {
    /// The server clock after the move (Unix seconds).
    pub now: i64,
}

/// Where a withdrawal is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalStatus {
    /// Out of the wallet, in the payouts-pending account: the operator must pay it out.
    Requested,
    /// Paid out to the user's bank (final).
    PaidOut,
    /// The payout failed; the amount is back in the wallet (final).
    Returned,
}

impl WithdrawalStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::PaidOut => "paid_out",
            Self::Returned => "returned",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "requested" => Some(Self::Requested),
            "paid_out" => Some(Self::PaidOut),
            "returned" => Some(Self::Returned),
            _ => None,
        }
    }
}

/// A withdrawal as the operator sees it (`/v1/admin/withdrawals`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalView {
    /// The withdrawal's id.
    pub id: i64,
    /// The user's handle.
    pub handle: String,
    /// The amount.
    pub amount: super::AmountView,
    /// Where it is.
    pub status: WithdrawalStatus,
    /// The bank transfer's id, once paid out.
    pub payout_ref: Option<String>,
    /// Why the payout failed, once returned.
    pub reason: Option<String>,
    /// When the user asked (Unix seconds).
    pub requested_at: i64,
    /// When it was paid out or returned.
    pub settled_at: Option<i64>,
}

/// Answer of `GET /v1/admin/withdrawals?status=…`: oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalList {
    /// The withdrawals.
    pub items: Vec<WithdrawalView>,
}

/// Body of `POST /v1/admin/withdrawals/{id}/paid-out` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkPaidOut {
    /// The bank transfer's id: 1 to 128 printable ASCII characters without spaces.
    pub payout_ref: String,
}

/// Body of `POST /v1/admin/withdrawals/{id}/failed` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkFailed {
    /// Why the bank refused or returned the payout (shown to the user), 1 to 200 characters.
    pub reason: String,
}

/// The body of every refusal (`application/problem+json`, RFC 9457 with Danbao's `code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type: `urn:danbao:problem:<code>`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Short summary: the HTTP reason phrase.
    #[serde(default)]
    pub title: String,
    /// HTTP status.
    #[serde(default)]
    pub status: u16,
    /// Stable machine-readable code (docs/protocol.md lists them).
    pub code: String,
    /// What was wrong and what would be right.
    #[serde(default)]
    pub detail: String,
}
