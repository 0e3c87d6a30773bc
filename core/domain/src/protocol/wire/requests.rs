//! Money requests: a user asks another to pay them; the payer pays once or declines.

use serde::{Deserialize, Serialize};

use super::{AmountView, BalanceView, PartyView};
use crate::money::Money;

/// Body of `POST /v1/requests`: ask `from` to pay the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The handle of the user asked to pay.
    pub from: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What it is for, shown to the payer (at most [`MAX_MEMO_CHARS`](crate::protocol::limits::MAX_MEMO_CHARS) characters).
    #[serde(default)]
    pub note: String,
}

impl NewRequest {
    /// Ask `from` for `amount`.
    pub fn new(from: impl Into<String>, amount: Money, note: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            note: note.into(),
        }
    }
}

/// A money request as both parties see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    /// The request id.
    pub id: i64,
    /// Who asks to be paid.
    pub requester: PartyView,
    /// Who is asked to pay.
    pub payer: PartyView,
    /// The amount.
    pub amount: AmountView,
    /// The note.
    pub note: String,
    /// "open", "paid" or "declined" ([`REQUEST_OPEN`], [`REQUEST_PAID`], [`REQUEST_DECLINED`]).
    pub status: String,
    /// The transfer that paid it (hex), once paid.
    pub transfer_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Only in the answer of paying the request: the payer's balance afterwards, so the app
    /// need not ask again. Absent everywhere else (and from servers before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<BalanceView>,
}

/// Status of a request nobody answered yet.
pub const REQUEST_OPEN: &str = "open";
/// Status of a paid request.
pub const REQUEST_PAID: &str = "paid";
/// Status of a declined request.
pub const REQUEST_DECLINED: &str = "declined";

/// Where a money request is: the closed set of [`RequestView::status`] (written on the wire as
/// [`REQUEST_OPEN`], [`REQUEST_PAID`] or [`REQUEST_DECLINED`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum RequestStatus {
    /// Waiting for the payer.
    Open,
    /// The payer paid it.
    Paid,
    /// The payer declined it.
    Declined,
}

impl RequestStatus {
    /// Every status.
    pub const ALL: [RequestStatus; 3] = [Self::Open, Self::Paid, Self::Declined];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => REQUEST_OPEN,
            Self::Paid => REQUEST_PAID,
            Self::Declined => REQUEST_DECLINED,
        }
    }

    /// The status a wire name names; `None` for a name this version does not know.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }
}
