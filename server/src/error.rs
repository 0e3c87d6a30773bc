//! The API's one error type, rendered as RFC 9457 problem details.
//!
//! Every refusal carries a stable machine `code` (snake_case, documented in docs/protocol.md)
//! and a human `detail`. Internal failures (storage) are logged with their cause and answered
//! with a generic 503 so no internal detail leaks.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use danbao_domain::escrow::EscrowError;
use danbao_domain::ledger::LedgerError;
use danbao_domain::money::MoneyError;
use danbao_domain::protocol::wire::AmountError;
pub use danbao_domain::protocol::wire::Problem;

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation.
    pub detail: String,
}

impl ApiError {
    /// An error with an explicit status.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: status.as_u16(),
            code,
            detail: detail.into(),
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 401: missing or invalid credentials.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403: authenticated, but not allowed to do this.
    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    /// 404: the named thing does not exist (or is not the caller's to see).
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// 422: well-formed, but the values are refused.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// 503: storage failed; the cause is logged, not sent.
    pub fn storage(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "storage failure");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "the ledger store failed; retry the request with the same Idempotency-Key",
        )
    }

    /// True for 4xx: the request was refused and nothing changed. Such answers are stored
    /// under the idempotency key; 5xx answers are not, so a retry can succeed.
    pub fn is_client_error(&self) -> bool {
        (400..500).contains(&self.status)
    }

    /// The problem-details body.
    pub fn problem(&self) -> Problem {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Problem {
            kind: format!("urn:danbao:problem:{}", self.code),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status,
            code: self.code.to_owned(),
            detail: self.detail.clone(),
        }
    }

    /// The serialised problem body.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&self.problem()).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            self.body(),
        )
            .into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::storage(error)
    }
}

impl From<MoneyError> for ApiError {
    fn from(error: MoneyError) -> Self {
        let code = match error {
            MoneyError::UnknownCurrency { .. } | MoneyError::NotPayable { .. } => {
                "invalid_currency"
            }
            MoneyError::CurrencyMismatch { .. } => "currency_mismatch",
            _ => "invalid_amount",
        };
        Self::unprocessable(code, error.to_string())
    }
}

impl From<AmountError> for ApiError {
    fn from(error: AmountError) -> Self {
        match error {
            AmountError::Money(error) => error.into(),
            AmountError::NotPositive { .. } => {
                Self::unprocessable("invalid_amount", error.to_string())
            }
            AmountError::Mismatch { .. } => {
                Self::unprocessable("amount_mismatch", error.to_string())
            }
            AmountError::Required { .. } => {
                Self::unprocessable("amount_required", error.to_string())
            }
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(error: LedgerError) -> Self {
        let code = match &error {
            LedgerError::InsufficientFunds { .. } => "insufficient_funds",
            LedgerError::AmountNotPositive { .. } => "invalid_amount",
            LedgerError::SameAccount { .. } => "same_account",
            LedgerError::CurrencyMismatch { .. } => "currency_mismatch",
            LedgerError::AccountNotFound { .. } => "account_not_found",
            LedgerError::IdReused { .. } => "transfer_id_reused",
            LedgerError::PendingNotFound { .. }
            | LedgerError::PendingResolved { .. }
            | LedgerError::PendingMismatch { .. } => "pending_transfer_conflict",
            LedgerError::AccountExists { .. } => "account_exists",
            LedgerError::Overflow { .. } => "amount_too_large",
        };
        Self::unprocessable(code, error.to_string())
    }
}

impl From<EscrowError> for ApiError {
    fn from(error: EscrowError) -> Self {
        match &error {
            EscrowError::IllegalTransition { .. } | EscrowError::DeadlineNotReached { .. } => {
                Self::conflict("illegal_transition", error.to_string())
            }
            EscrowError::WrongParty { .. } => Self::forbidden("wrong_party", error.to_string()),
            EscrowError::AmountOutOfRange { .. } => {
                Self::unprocessable("invalid_amount", error.to_string())
            }
            EscrowError::Money(money) => money.clone().into(),
        }
    }
}

/// Result type of handlers and services.
pub type ApiResult<T> = Result<T, ApiError>;
