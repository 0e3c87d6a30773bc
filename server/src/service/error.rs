//! The service layer's one error type: a refusal or failure with the protocol's class of
//! refusal ([`Refusal`]; its status number is the wire's business), a stable machine `code`
//! (snake_case, documented in docs/protocol.md) and a human `detail`.
//! The domain's and the store's errors are mapped to it here, in one place; the HTTP layer
//! (`crate::error`) only turns it into a response. Internal failures (storage) are logged with
//! their cause and answered with a generic 503 so no internal detail leaks.

use danbao_domain::escrow::EscrowError;
use danbao_domain::ledger::LedgerError;
use danbao_domain::money::MoneyError;
use danbao_domain::protocol::Refusal;
use danbao_domain::protocol::wire::{AmountError, Problem};

use crate::store::StoreError;

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub struct ServiceError {
    /// The class of the refusal (docs/protocol.md gives each its status).
    pub refusal: Refusal,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation.
    pub detail: String,
    /// Seconds the client should wait before retrying (sent as `Retry-After`), for 429/503.
    pub retry_after_secs: Option<u64>,
}

impl ServiceError {
    /// An error of the class `refusal`.
    pub fn new(refusal: Refusal, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            refusal,
            code,
            detail: detail.into(),
            retry_after_secs: None,
        }
    }

    /// The same refusal, telling the client to wait `secs` before retrying (`Retry-After`).
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// Malformed (400): the request is malformed.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::Malformed, code, detail)
    }

    /// Unauthenticated (401): missing or invalid credentials.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::Unauthenticated, code, detail)
    }

    /// Forbidden (403): authenticated, but not allowed to do this.
    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::Forbidden, code, detail)
    }

    /// Not found (404): the named thing does not exist (or is not the caller's to see).
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::NotFound, code, detail)
    }

    /// Conflict (409): the request conflicts with the current state.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::Conflict, code, detail)
    }

    /// Unprocessable (422): well-formed, but the values are refused.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::Unprocessable, code, detail)
    }

    /// Unavailable (503): storage failed; the cause is logged, not sent.
    pub fn storage(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "storage failure");
        Self::store_failed()
    }

    fn store_failed() -> Self {
        Self::new(
            Refusal::Unavailable,
            "storage_unavailable",
            "the ledger store failed; retry the request with the same Idempotency-Key",
        )
    }

    /// Too large (413): the body is over the limit.
    pub fn payload_too_large(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::TooLarge, code, detail)
    }

    /// Too many (429): too many attempts; try again later.
    pub fn too_many_requests(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(Refusal::TooMany, code, detail)
    }

    /// Internal (500): the server broke an invariant of its own; nothing was changed.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(Refusal::Internal, "internal_error", detail)
    }

    /// This refusal as the payee may see it, when the payee (a merchant charging a payment
    /// code) asked to move the payer's money: a shortfall says neither the payer's balance nor
    /// any account, only that this amount could not be paid (issue 12 point 3).
    pub fn for_the_payee(self, amount: &str) -> Self {
        if self.code == "insufficient_funds" {
            return Self::unprocessable(
                "insufficient_funds",
                format!(
                    "the customer's wallet cannot pay {amount}; ask the customer to top up or \
                     to pay another way"
                ),
            );
        }
        self
    }

    /// True when the request itself was refused and nothing changed ([`Refusal::is_final`]).
    /// Such answers are stored under the idempotency key; the others are not, so a retry with
    /// the same key can succeed.
    pub fn is_final(&self) -> bool {
        self.refusal.is_final()
    }

    /// The problem-details body.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:danbao:problem:{}", self.code),
            title: self.refusal.title().to_owned(),
            status: self.refusal.status(),
            code: self.code.to_owned(),
            detail: self.detail.clone(),
        }
    }

    /// The serialised problem body.
    pub fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&self.problem()).unwrap_or_default()
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::PublicKeyTaken => Self::conflict(
                "public_key_taken",
                "this public key is registered for another device; generate a new key pair \
                 for this device",
            ),
            StoreError::DeviceRevoked => Self::unauthorized(
                "device_revoked",
                "this device was revoked; add it again from one of your active devices",
            ),
            StoreError::Busy => Self::new(
                Refusal::Unavailable,
                "overloaded",
                "the server has too many writes waiting; nothing was changed — retry after the \
                 Retry-After seconds with the same Idempotency-Key",
            )
            .retry_after(1),
            StoreError::Panicked => {
                Self::internal("the server failed on this request; nothing was changed")
            }
            // A conflict with concurrent transactions: the store runs the job again (and warns
            // itself if it gives up), so one met inside a job is no failure worth an error line.
            StoreError::Conflict(cause) => {
                tracing::debug!(%cause, "a transaction conflicted with a concurrent one");
                Self::store_failed()
            }
            // Every other store failure is the store's, not the request's: a generic 503 (the
            // cause is logged), and the client retries under the same Idempotency-Key.
            other => Self::storage(other),
        }
    }
}

impl From<MoneyError> for ServiceError {
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

impl From<AmountError> for ServiceError {
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

impl From<LedgerError> for ServiceError {
    /// The ledger's messages name accounts and transfer ids, which are the server's business:
    /// a shortfall is said in the words of the payer, who is the caller in every flow but a
    /// payment-code charge (that one maps it again with [`ServiceError::for_the_payee`]).
    fn from(error: LedgerError) -> Self {
        if let LedgerError::InsufficientFunds {
            available, amount, ..
        } = &error
        {
            return Self::unprocessable(
                "insufficient_funds",
                format!(
                    "your wallet has {} available; this payment needs {}",
                    available.format_with_code(),
                    amount.format_with_code()
                ),
            );
        }
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

impl From<EscrowError> for ServiceError {
    fn from(error: EscrowError) -> Self {
        match &error {
            EscrowError::IllegalTransition { .. } | EscrowError::DeadlineNotReached { .. } => {
                Self::conflict("illegal_transition", error.to_string())
            }
            EscrowError::DeadlinePassed { .. } => {
                Self::conflict("deadline_passed", error.to_string())
            }
            EscrowError::WrongParty { .. } => Self::forbidden("wrong_party", error.to_string()),
            EscrowError::AmountOutOfRange { .. } => {
                Self::unprocessable("invalid_amount", error.to_string())
            }
            EscrowError::Money(money) => money.clone().into(),
        }
    }
}

/// Result type of the services.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_failures_become_the_documented_refusals() {
        let busy = ServiceError::from(StoreError::Busy);
        assert_eq!(
            (busy.refusal, busy.code, busy.retry_after_secs),
            (Refusal::Unavailable, "overloaded", Some(1))
        );
        let taken = ServiceError::from(StoreError::PublicKeyTaken);
        assert_eq!(
            (taken.refusal, taken.code),
            (Refusal::Conflict, "public_key_taken")
        );
        let revoked = ServiceError::from(StoreError::DeviceRevoked).problem();
        assert_eq!(
            (revoked.status, revoked.code.as_str()),
            (401, "device_revoked")
        );
        let panicked = ServiceError::from(StoreError::Panicked);
        assert_eq!(
            (panicked.refusal, panicked.code),
            (Refusal::Internal, "internal_error")
        );
        for failure in [
            StoreError::Unavailable("disk".into()),
            StoreError::Constraint("unique".into()),
            StoreError::NotFound("row".into()),
            StoreError::Conflict("busy".into()),
        ] {
            let error = ServiceError::from(failure);
            assert_eq!(
                (error.refusal, error.code),
                (Refusal::Unavailable, "storage_unavailable")
            );
        }
    }

    #[test]
    fn problems_carry_the_reason_phrase_and_the_code() {
        let problem = ServiceError::unprocessable("insufficient_funds", "short").problem();
        assert_eq!(problem.title, "Unprocessable Entity");
        assert_eq!(problem.kind, "urn:danbao:problem:insufficient_funds");
        assert_eq!(problem.status, 422);
        assert_eq!(
            ServiceError::too_many_requests("x", "y").problem().title,
            "Too Many Requests"
        );
        assert_eq!(
            ServiceError::payload_too_large("x", "y").problem().title,
            "Payload Too Large"
        );
    }
}
