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
