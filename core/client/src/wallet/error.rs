//! The facade's public error: one small enum whose variants each carry a readable message,
//! mapped from the store, secrets, transport and code errors in one place (this file).

use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::transport::{Outcome, TransportError};
use danbao_domain::money::MoneyError;
use danbao_domain::paycode::PaycodeError;

/// Why a [`Wallet`](super::Wallet) call failed. Every variant says what was wrong and, where
/// there is one, what would be right; `Display` is the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalletError {
    /// The call needs a signed-up wallet and this one has no profile yet.
    #[error("this wallet is not signed up yet: call sign_up first")]
    NotSignedUp,
    /// Sign-up was asked for on a wallet that already has a profile.
    #[error(
        "this wallet is already signed up as @{handle}; one database holds one user (open \
         another database file for another user)"
    )]
    AlreadySignedUp {
        /// The handle it is signed up as.
        handle: String,
    },
    /// An argument was refused before anything was stored or sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which argument.
        field: String,
        /// What is wrong and what would be right.
        reason: String,
    },
    /// The server refused the request (a final answer: nothing was applied).
    #[error("the server refused it ({status} {code}): {detail}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The problem's stable code, e.g. `insufficient_funds`.
        code: String,
        /// The server's explanation.
        detail: String,
    },
    /// The server could not be reached or did not answer; nothing is known to have happened.
    /// Commands written to the outbox stay queued and are sent again later.
    #[error("offline: {detail}")]
    Offline {
        /// What the transport reported.
        detail: String,
    },
    /// The local database failed or holds something unreadable.
    #[error("local storage: {detail}")]
    Storage {
        /// What the store reported.
        detail: String,
    },
    /// A key or sealed secret could not be used.
    #[error("secrets: {detail}")]
    Secrets {
        /// What went wrong.
        detail: String,
    },
    /// A scanned or typed code cannot be used for this call.
    #[error("code refused: {detail}")]
    Code {
        /// Why, and what the code is instead.
        detail: String,
    },
    /// The server's answer could not be read, or the transport could not be set up.
    #[error("protocol: {detail}")]
    Protocol {
        /// What was wrong.
        detail: String,
    },
    /// The feature needs a step first (e.g. payment codes need `enable_payment_code`).
    #[error("{detail}")]
    NotReady {
        /// What to do first.
        detail: String,
    },
}

impl WalletError {
    /// An [`WalletError::InvalidInput`] for `field`.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// True when the call may succeed later without any change (network, server down).
    pub fn is_offline(&self) -> bool {
        matches!(self, Self::Offline { .. })
    }
}

impl From<StoreError> for WalletError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Secret(secret) => secret.into(),
            other => Self::Storage {
                detail: other.to_string(),
            },
        }
    }
}

impl From<SecretError> for WalletError {
    fn from(error: SecretError) -> Self {
        Self::Secrets {
            detail: error.to_string(),
        }
    }
}

impl From<TransportError> for WalletError {
    fn from(error: TransportError) -> Self {
        match &error {
            TransportError::Http {
                status,
                code,
                detail,
                ..
            } if *status < 500 && *status != 429 => Self::Server {
                status: *status,
                code: code.clone(),
                detail: detail.clone(),
            },
            TransportError::InvalidUrl { .. }
            | TransportError::InvalidConfig { .. }
            | TransportError::InvalidRequest { .. }
            | TransportError::TooLarge { .. }
            | TransportError::Decode { .. } => Self::Protocol {
                detail: error.to_string(),
            },
            TransportError::Signing { detail } => Self::Secrets {
                detail: format!("the device key could not sign the request: {detail}"),
            },
            _ => {
                let note = if error.outcome() == Outcome::Unknown {
                    " (the request may have reached the server; a retry with the same key \
                     or a sync will tell)"
                } else {
                    ""
                };
                Self::Offline {
                    detail: format!("{error}{note}"),
                }
            }
        }
    }
}

impl From<MoneyError> for WalletError {
    fn from(error: MoneyError) -> Self {
        Self::InvalidInput {
            field: "amount".to_owned(),
            reason: error.to_string(),
        }
    }
}

impl From<PaycodeError> for WalletError {
    fn from(error: PaycodeError) -> Self {
        Self::Code {
            detail: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_map_by_finality() {
        let refused = TransportError::Http {
            status: 422,
            code: "insufficient_funds".into(),
            detail: "not enough CNY".into(),
            retry_after_secs: None,
        };
        assert_eq!(
            WalletError::from(refused),
            WalletError::Server {
                status: 422,
                code: "insufficient_funds".into(),
                detail: "not enough CNY".into()
            }
        );
        let busy = TransportError::Http {
            status: 503,
            code: "storage".into(),
            detail: "busy".into(),
            retry_after_secs: None,
        };
        let mapped = WalletError::from(busy);
        assert!(mapped.is_offline(), "{mapped:?}");
        assert!(mapped.to_string().contains("may have reached the server"));
        let offline = TransportError::Offline {
            host: "127.0.0.1".into(),
            detail: "connection refused".into(),
        };
        let mapped = WalletError::from(offline);
        assert!(mapped.is_offline());
        assert!(!mapped.to_string().contains("may have reached"));
    }
}
