//! The one public error of the bindings, and the one place internal errors are mapped to it.
//!
//! It is a "flat" UniFFI error: each variant crosses the FFI as its kind plus the
//! human-readable text of the internal error, so Kotlin's `DanbaoException.message`, Swift's
//! `localizedDescription` and Python's `str(error)` read exactly as the core wrote it
//! ("amount 12.345 has 3 decimals; CNY allows 2"). The variant says what kind of input was
//! wrong, so a shell can choose where to show it.

use std::panic::{self, AssertUnwindSafe};

use danbao_client::wallet::WalletError;
use danbao_domain::money::MoneyError;
use danbao_domain::qr::render::RenderError;

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
    /// The call needs a signed-up wallet (call `sign_up` first), or sign-up was asked for on
    /// a wallet that already has a user.
    #[error("{reason}")]
    Account {
        /// What was wrong and what would be right.
        reason: String,
    },
    /// An argument was refused before anything was stored or sent (the message names it).
    #[error("{reason}")]
    InvalidInput {
        /// What was wrong and what would be right.
        reason: String,
    },
    /// The server refused a call answered at once (`request_money`, `create_order`, issuing a
    /// code, a sandbox top-up): a final answer, nothing was applied. The message carries the
    /// HTTP status and the problem's stable code, e.g. `unknown_user`. Commands that move money
    /// go through the outbox instead and report a refusal as a `failed` `CommandOutcome`.
    #[error("{reason}")]
    Refused {
        /// The server's explanation, with status and code.
        reason: String,
    },
    /// The server could not be reached or did not answer. Commands already in the outbox stay
    /// queued and are sent again by `sync` or `flush_outbox`; nothing is lost or doubled.
    #[error("{reason}")]
    Offline {
        /// What the network reported.
        reason: String,
    },
    /// A scanned or typed code cannot be used for this call (malformed, tampered, expired,
    /// another network's, or a payment code a wallet cannot pay).
    #[error("{reason}")]
    CodeRefused {
        /// Why, and what the code is instead.
        reason: String,
    },
    /// The local database failed or holds something unreadable.
    #[error("{reason}")]
    Storage {
        /// What the store reported.
        reason: String,
    },
    /// The key store or the signer failed (a platform `KeyStore`/`Signer` threw, a key was
    /// replaced, a sealed value was altered).
    #[error("{reason}")]
    Secrets {
        /// What went wrong.
        reason: String,
    },
    /// The server's answer could not be read, or the connection could not be set up (a bad
    /// URL, a certificate that fails the pins).
    #[error("{reason}")]
    Protocol {
        /// What was wrong.
        reason: String,
    },
    /// The feature needs a step first (payment codes need `enable_payment_code`).
    #[error("{reason}")]
    NotReady {
        /// What to do first.
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

impl From<WalletError> for DanbaoError {
    fn from(error: WalletError) -> Self {
        let reason = error.to_string();
        Self::from_wallet(error, reason)
    }
}

impl DanbaoError {
    /// The variant for `error`, carrying `reason`: its sentence in the wallet's language
    /// (`WalletError::message`), or the English `Display` where no wallet is at hand.
    pub(crate) fn from_wallet(error: WalletError, reason: String) -> Self {
        match error {
            WalletError::NotSignedUp | WalletError::AlreadySignedUp { .. } => {
                Self::Account { reason }
            }
            WalletError::InvalidInput { .. } => Self::InvalidInput { reason },
            WalletError::Server { .. } => Self::Refused { reason },
            WalletError::Offline { .. } => Self::Offline { reason },
            WalletError::Code { .. } => Self::CodeRefused { reason },
            WalletError::Storage { .. } => Self::Storage { reason },
            WalletError::Secrets { .. } => Self::Secrets { reason },
            WalletError::Protocol { .. } => Self::Protocol { reason },
            WalletError::NotReady { .. } | WalletError::PaymentCodeRefreshNeeded { .. } => {
                Self::NotReady { reason }
            }
        }
    }
}

/// What a platform implementation (`KeyStore`, `Signer`) throws when it cannot do its work,
/// e.g. the Android Keystore refused a key or the user cancelled biometric confirmation.
/// Any other exception a platform method throws arrives as `Unexpected`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PlatformError {
    /// The platform could not do it; `reason` says why (shown in the resulting error).
    #[error("{reason}")]
    Failed {
        /// Why.
        reason: String,
    },
    /// The platform code threw something other than `PlatformError`.
    #[error("the platform code failed unexpectedly: {reason}")]
    Unexpected {
        /// What was thrown.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PlatformError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Unexpected {
            reason: error.reason,
        }
    }
}

/// Runs `call`, turning a panic into [`DanbaoError::Internal`] so that no panic unwinds
/// towards the foreign caller. (UniFFI's scaffolding would also catch it, but as an untyped
/// internal exception; this keeps every failure inside the one public error type.)
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T, DanbaoError>) -> Result<T, DanbaoError> {
    catch_panic(call).unwrap_or_else(|reason| Err(DanbaoError::Internal { reason }))
}

/// Runs core code: a panic becomes `Err` with a sentence saying what the core said, which also
/// goes to the app's `Logger` (Rust's panic hook writes to stderr, which a phone does not show).
pub(crate) fn catch_panic<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind_message(call).map_err(|what| {
        let reason = format!("internal error in the Danbao core: {what}");
        tracing::error!(target: "danbao_ffi", "{reason}");
        reason
    })
}

/// Runs `call`; a panic becomes `Err` with the panic's message, and nothing is logged (the
/// platform adapters use this: a panic while calling the Logger must not log again).
pub(crate) fn catch_unwind_message<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    // AssertUnwindSafe: a panicking call leaves nothing behind that a later call observes;
    // the bindings hold no state between calls.
    panic::catch_unwind(AssertUnwindSafe(call)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// The async form of [`guard`]: a panic while the future is polled ends it with
/// [`DanbaoError::Internal`] instead of unwinding into the foreign executor.
pub(crate) async fn guard_async<T>(
    call: impl Future<Output = Result<T, DanbaoError>>,
) -> Result<T, DanbaoError> {
    let mut call = std::pin::pin!(call);
    std::future::poll_fn(
        move |context| match catch_panic(|| call.as_mut().poll(context)) {
            Ok(std::task::Poll::Ready(result)) => std::task::Poll::Ready(result),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(reason) => std::task::Poll::Ready(Err(DanbaoError::Internal { reason })),
        },
    )
    .await
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
    fn guard_async_turns_a_panic_inside_a_future_into_an_internal_error() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let result: Result<(), DanbaoError> = runtime.block_on(guard_async(async {
            tokio::task::yield_now().await;
            panic!("late {}", 9)
        }));
        assert_eq!(
            result,
            Err(DanbaoError::Internal {
                reason: "internal error in the Danbao core: late 9".to_owned()
            })
        );
        assert_eq!(runtime.block_on(guard_async(async { Ok(4) })), Ok(4));
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
