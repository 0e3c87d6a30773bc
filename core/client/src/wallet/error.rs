//! The facade's public error: one small enum whose variants each carry a readable message,
//! mapped from the store, secrets, transport and code errors in one place (this file).

use crate::i18n::{Texts, Words, problem_sentence};
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
        /// What is wrong and what would be right (a catalogue sentence; `Display` is English).
        reason: Words,
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
        /// Why, and what the code is instead (a catalogue sentence).
        detail: Words,
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
        /// What to do first (a catalogue sentence).
        detail: Words,
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
    pub fn invalid(field: &str, reason: Words) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            reason,
        }
    }

    /// The sentence to show, in `texts`' language (`Display` is the English one, with the
    /// raw causes for logs). Every part of it comes from the catalogue: the client's own
    /// reasons are catalogue sentences with typed arguments; a server refusal is said by its
    /// problem `code` (English may add the server's own sentence, `detail`; another language
    /// never shows it); the causes of offline, storage, secrets and protocol failures are
    /// English technical text and stay out of other languages (and out of English's offline
    /// sentence: the user is told what happened and that queued commands are kept).
    pub fn message(&self, texts: &Texts) -> String {
        match self {
            Self::NotSignedUp => texts.get("error-not-signed-up"),
            Self::AlreadySignedUp { handle } => {
                texts.with("error-already-signed-up", &[("handle", handle)])
            }
            Self::InvalidInput { field, reason } => {
                let label = format!("field-{}", field.replace('.', "_"));
                let field = if texts.has(&label) {
                    texts.get(&label)
                } else {
                    texts.with("field-other", &[("field", field)])
                };
                texts.with(
                    "error-invalid-input",
                    &[("field", &field), ("reason", &reason.say(texts))],
                )
            }
            Self::Server {
                status,
                code,
                detail,
            } => {
                let reason = problem_sentence(texts, code);
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
            Self::Code { detail } => texts.with("error-code", &[("detail", &detail.say(texts))]),
            Self::Protocol { detail } => texts.with("error-protocol", &[("detail", detail)]),
            Self::NotReady { detail } => {
                texts.with("error-not-ready", &[("detail", &detail.say(texts))])
            }
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
        let field = match error {
            MoneyError::UnknownCurrency { .. } | MoneyError::NotPayable { .. } => "currency",
            _ => "amount",
        };
        Self::invalid(field, money_words(&error))
    }
}

/// A refused amount or currency in catalogue words, its values typed.
pub(crate) fn money_words(error: &MoneyError) -> Words {
    match error {
        MoneyError::UnknownCurrency { code } => {
            Words::new("money-unknown-currency").text("code", code)
        }
        MoneyError::NotPayable { code } => Words::new("money-not-payable").text("code", code),
        MoneyError::Empty => Words::new("money-empty"),
        MoneyError::InvalidCharacter {
            text,
            found,
            position,
        } => Words::new("money-invalid-character")
            .text("text", text)
            .text("found", found)
            .text("position", position)
            .text("ordinal", position.saturating_add(1)),
        MoneyError::SignNotAllowed { text } => Words::new("money-sign").text("text", text),
        MoneyError::MissingDigits { text } => Words::new("money-missing-digits").text("text", text),
        MoneyError::TooManyDecimals {
            text,
            decimals,
            currency,
            allowed,
        } => Words::new("money-too-many-decimals")
            .text("text", text)
            .text("decimals", decimals)
            .text("currency", currency)
            .text("allowed", allowed),
        MoneyError::Overflow { text, currency, .. } => Words::new("money-too-large")
            .text("text", text)
            .amount("max", i64::MAX, currency),
        MoneyError::CurrencyMismatch { left, right } => Words::new("money-currency-mismatch")
            .text("left", left)
            .text("right", right),
        MoneyError::ArithmeticOverflow { .. } => {
            Words::new("money-arithmetic-overflow").text("detail", error)
        }
    }
}

impl From<PaycodeError> for WalletError {
    fn from(error: PaycodeError) -> Self {
        Self::Code {
            detail: Words::new("code-payment-code-invalid").text("detail", error),
        }
    }
}

#[cfg(test)]
mod tests {
    /// Runs of three or more ASCII letters (an English word) in `text`.
    fn latin_words(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 3)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn messages_follow_the_locale_and_english_matches_display() {
        let en = Texts::new("en").unwrap();
        let zh = Texts::new("zh-Hans-CN").unwrap();
        let errors = [
            WalletError::NotSignedUp,
            WalletError::AlreadySignedUp {
                handle: "ann".into(),
            },
            WalletError::invalid("amount", Words::new("money-empty")),
            WalletError::Server {
                status: 422,
                code: "insufficient_funds".into(),
                detail: "the wallet has 1.00 CNY".into(),
            },
            WalletError::NotReady {
                detail: Words::new("not-ready-payment-code"),
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
            "金额无效，请检查后重新输入（请填写金额，例如 12.50）"
        );
        assert_eq!(errors[3].message(&zh), "服务器拒绝了此操作：钱包余额不足");
    }

    /// Every kind of error a Chinese wallet can show, with English causes inside: none of
    /// that English reaches the Chinese sentence; the offline sentence leaves the transport's
    /// cause out in English too (it stays in `Display`, for logs).
    #[test]
    fn no_english_word_reaches_a_chinese_error() {
        let en = Texts::new("en").unwrap();
        let zh = Texts::new("zh-Hans-CN").unwrap();
        let offline = WalletError::from(TransportError::Offline {
            host: "127.0.0.1".into(),
            detail: "tcp connect error: Connection refused (os error 111)".into(),
        });
        assert!(
            offline.to_string().contains("tcp connect error"),
            "{offline}"
        );
        assert!(
            !offline.message(&en).contains("tcp"),
            "{}",
            offline.message(&en)
        );
        let errors = [
            offline,
            WalletError::Server {
                status: 409,
                code: "handle_taken".into(),
                detail: "the handle ann is taken".into(),
            },
            WalletError::Server {
                status: 422,
                code: "a_code_from_a_newer_server".into(),
                detail: "something English".into(),
            },
            WalletError::from(MoneyError::TooManyDecimals {
                text: "1.234".into(),
                decimals: 3,
                currency: "CNY",
                allowed: 2,
            }),
            WalletError::from(MoneyError::InvalidCharacter {
                text: "12,5x".into(),
                found: 'x',
                position: 5,
            }),
            WalletError::from(MoneyError::Empty),
            WalletError::Storage {
                detail: "database disk image is malformed".into(),
            },
            WalletError::Secrets {
                detail: "the key was replaced".into(),
            },
            WalletError::Protocol {
                detail: "expected value at line 1".into(),
            },
            WalletError::Code {
                detail: Words::new("scan-invalid-reason")
                    .text("reason", "not an EMV payload: the CRC is wrong"),
            },
            WalletError::Code {
                detail: Words::new("code-refused")
                    .text("detail", "the code's signature does not verify")
                    .text("code", "code_signature_invalid")
                    .problem("reason", "code_signature_invalid"),
            },
            WalletError::invalid(
                "body.amount",
                Words::new("input-refund-too-much")
                    .amount("asked", 50_000, "CNY")
                    .amount("paid", 1_250, "CNY"),
            ),
            WalletError::invalid(
                "some_new_field",
                Words::new("input-detail").text("detail", "bad"),
            ),
            WalletError::PaymentCodeRefreshNeeded {
                outdated_layout: false,
            },
            WalletError::PaymentCodeRefreshNeeded {
                outdated_layout: true,
            },
        ];
        for error in &errors {
            let said = error.message(&zh);
            let english: Vec<_> = latin_words(&said)
                .into_iter()
                .filter(|w| w != "CNY")
                .collect();
            assert!(english.is_empty(), "{error:?} says {said:?}: {english:?}");
        }
        assert_eq!(
            errors[11].message(&zh),
            "退款金额无效，请检查后重新输入（申请退回 ¥500.00，超过了订单金额 ¥12.50；最多只能申请退回已付金额）"
        );
        assert_eq!(
            errors[2].message(&zh),
            "服务器拒绝了此操作：服务器拒绝了此操作"
        );
        assert_eq!(
            errors[13].message(&zh),
            "本机的付款码离线可用 3 天，现已用完。请联网一次，应用会自动更新，然后再出示新的付款码。"
        );
        assert_eq!(
            errors[14].message(&zh),
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
