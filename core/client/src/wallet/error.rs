//! The facade's public error: one small enum whose variants each carry a readable message,
//! mapped from the store, secrets, transport and code errors in one place (this file).

use crate::i18n::Texts;
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
    /// No payment code can be shown until the device has been online: the masks its codes
    /// need ran out (they cover 3 days from the last sync) or are of the older layout. A sync
    /// refreshes them (and provisions an older device again).
    #[error("{}", if *outdated_layout { PAYCODE_OUTDATED } else { PAYCODE_MASKS_RAN_OUT })]
    PaymentCodeRefreshNeeded {
        /// True when the device holds payment-code material of the older layout.
        outdated_layout: bool,
    },
    /// The feature needs a step first (e.g. payment codes need `enable_payment_code`).
    #[error("{detail}")]
    NotReady {
        /// What to do first.
        detail: String,
    },
}

/// The English of `error-paycode-outdated` (`Display` of [`WalletError`] is the English).
const PAYCODE_OUTDATED: &str = "Payment codes on this phone use an older layout that shops no \
     longer accept. Go online once so the app updates them, then show a fresh code.";
/// The English of `error-paycode-masks-ran-out`.
const PAYCODE_MASKS_RAN_OUT: &str = "This phone can show payment codes offline for 3 days after \
     it was last online, and that time is up. Go online once so the app refreshes them, then \
     show a fresh code.";

impl WalletError {
    /// An [`WalletError::InvalidInput`] for `field`.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// The sentence to show, in `texts`' language (`Display` is the English one). A
    /// catalogue may replace the server's English explanation by its own sentence for the
    /// problem code, and name the argument in its words.
    pub fn message(&self, texts: &Texts) -> String {
        match self {
            Self::NotSignedUp => texts.get("error-not-signed-up"),
            Self::AlreadySignedUp { handle } => {
                texts.with("error-already-signed-up", &[("handle", handle)])
            }
            Self::InvalidInput { field, reason } => {
                let label = format!("field-{field}");
                let field = if texts.has(&label) {
                    texts.get(&label)
                } else {
                    field.clone()
                };
                texts.with(
                    "error-invalid-input",
                    &[("field", &field), ("reason", reason)],
                )
            }
            Self::Server {
                status,
                code,
                detail,
            } => {
                let problem = format!("problem-{code}");
                let reason = if texts.has(&problem) {
                    texts.get(&problem)
                } else {
                    detail.clone()
                };
                texts.with(
                    "error-server",
                    &[
                        ("status", &status.to_string()),
                        ("code", code),
                        ("detail", detail),
                        ("reason", &reason),
                    ],
                )
            }
            Self::Offline { detail } => texts.with("error-offline", &[("detail", detail)]),
            Self::Storage { detail } => texts.with("error-storage", &[("detail", detail)]),
            Self::Secrets { detail } => texts.with("error-secrets", &[("detail", detail)]),
            Self::Code { detail } => texts.with("error-code", &[("detail", detail)]),
            Self::Protocol { detail } => texts.with("error-protocol", &[("detail", detail)]),
            Self::NotReady { detail } => texts.with("error-not-ready", &[("detail", detail)]),
            Self::PaymentCodeRefreshNeeded { outdated_layout } => texts.get(if *outdated_layout {
                "error-paycode-outdated"
            } else {
                "error-paycode-masks-ran-out"
            }),
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
    #[test]
    fn messages_follow_the_locale_and_english_matches_display() {
        let en = Texts::new("en").unwrap();
        let zh = Texts::new("zh-Hans-CN").unwrap();
        let errors = [
            WalletError::NotSignedUp,
            WalletError::AlreadySignedUp {
                handle: "ann".into(),
            },
            WalletError::invalid("amount", "it is 0"),
            WalletError::Server {
                status: 422,
                code: "insufficient_funds".into(),
                detail: "the wallet has 1.00 CNY".into(),
            },
            WalletError::Offline {
                detail: "connection refused".into(),
            },
            WalletError::NotReady {
                detail: "call enable_payment_code first".into(),
            },
            WalletError::PaymentCodeRefreshNeeded {
                outdated_layout: false,
            },
            WalletError::PaymentCodeRefreshNeeded {
                outdated_layout: true,
            },
        ];
        for error in &errors {
            assert_eq!(error.message(&en), error.to_string());
        }
        assert_eq!(errors[0].message(&zh), "此钱包尚未注册：请先注册");
        assert_eq!(
            errors[2].message(&zh),
            "金额无效，请检查后重新输入（it is 0）"
        );
        assert_eq!(errors[3].message(&zh), "服务器拒绝了此操作：钱包余额不足");
        assert_eq!(
            errors[4].message(&zh),
            "无法连接服务器，请稍后重试；已排队的操作会在联网后自动发送"
        );
        assert_eq!(
            errors[6].message(&zh),
            "本机的付款码离线可用 3 天，现已用完。请联网一次，应用会自动更新，然后再出示新的付款码。"
        );
        assert_eq!(
            errors[7].message(&zh),
            "本机的付款码是旧版格式，商家已不再接受。请联网一次，应用会自动更新，然后再出示新的付款码。"
        );
    }

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
