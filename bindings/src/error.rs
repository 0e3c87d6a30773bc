//! The one public error of the bindings, and the one place internal errors are mapped to it.
//!
//! It is a "flat" UniFFI error: each variant crosses the FFI as its kind plus the
//! human-readable text of the internal error, so Kotlin's `DanbaoException.message`, Swift's
//! `localizedDescription` and Python's `str(error)` read exactly as the core wrote it
//! ("amount 12.345 has 3 decimals; CNY allows 2"). The variant says what kind of input was
//! wrong, so a shell can choose where to show it.

use std::panic::{self, AssertUnwindSafe};

use danbao_core::money::MoneyError;
use danbao_core::qr::render::RenderError;

/// Why a call into the Danbao core was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum DanbaoError {
    /// The currency code is not an ISO 4217 currency that can carry payment amounts.
    #[error("{reason}")]
    UnknownCurrency {
        /// What was wrong and what would be right.
        reason: String,
    },
    /// The amount text or the amount arithmetic was refused.
    #[error("{reason}")]
    InvalidAmount {
        /// What was wrong and what would be right.
        reason: String,
    },
    /// The text cannot be drawn as a QR symbol (too long for the error-correction level), or
    /// a rendering option is out of range.
    #[error("{reason}")]
    Render {
        /// What was wrong and what would be right.
        reason: String,
    },
    /// A bug in the core: it panicked. The call had no effect; please report the reason.
    #[error("{reason}")]
    Internal {
        /// What the core said when it failed.
        reason: String,
    },
}

impl From<MoneyError> for DanbaoError {
    fn from(error: MoneyError) -> Self {
        let reason = error.to_string();
        match error {
            MoneyError::UnknownCurrency { .. } | MoneyError::NotPayable { .. } => {
                Self::UnknownCurrency { reason }
            }
            MoneyError::Empty
            | MoneyError::InvalidCharacter { .. }
            | MoneyError::SignNotAllowed { .. }
            | MoneyError::MissingDigits { .. }
            | MoneyError::TooManyDecimals { .. }
            | MoneyError::Overflow { .. }
            | MoneyError::CurrencyMismatch { .. }
            | MoneyError::ArithmeticOverflow { .. } => Self::InvalidAmount { reason },
        }
    }
}

impl From<RenderError> for DanbaoError {
    fn from(error: RenderError) -> Self {
        Self::Render {
            reason: error.to_string(),
        }
    }
}

/// Runs `call`, turning a panic into [`DanbaoError::Internal`] so that no panic unwinds
/// towards the foreign caller. (UniFFI's scaffolding would also catch it, but as an untyped
/// internal exception; this keeps every failure inside the one public error type.)
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T, DanbaoError>) -> Result<T, DanbaoError> {
    catch_panic(call).unwrap_or_else(|reason| Err(DanbaoError::Internal { reason }))
}

/// Runs `call`; a panic becomes `Err` with a sentence saying what the core said.
pub(crate) fn catch_panic<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    // AssertUnwindSafe: a panicking call leaves nothing behind that a later call observes;
    // the bindings hold no state between calls.
    panic::catch_unwind(AssertUnwindSafe(call)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        format!("internal error in the Danbao core: {what}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_errors_keep_their_text_and_choose_the_kind() {
        let unknown = MoneyError::UnknownCurrency {
            code: "XYZ".to_owned(),
        };
        let text = unknown.to_string();
        assert_eq!(
            DanbaoError::from(unknown),
            DanbaoError::UnknownCurrency { reason: text }
        );
        let empty = DanbaoError::from(MoneyError::Empty);
        assert!(matches!(empty, DanbaoError::InvalidAmount { .. }));
        assert_eq!(empty.to_string(), MoneyError::Empty.to_string());
    }

    #[test]
    fn guard_turns_a_panic_into_an_internal_error() {
        let result: Result<(), DanbaoError> = guard(|| panic!("boom {}", 7));
        assert_eq!(
            result,
            Err(DanbaoError::Internal {
                reason: "internal error in the Danbao core: boom 7".to_owned()
            })
        );
        assert_eq!(guard(|| Ok(3)), Ok(3));
    }
}
