//! The one entry point for everything a camera can hand the wallet: `scan(text)`.
//!
//! The classification is the core's (`danbao_domain::qr::scan`); this module mirrors its outcome
//! as a UniFFI enum (a sealed class in Kotlin, an enum with associated values in Swift) whose
//! codes are plain records.

use danbao_domain::qr as core;
use danbao_domain::qr::danbao as core_danbao;

use crate::error::catch_panic;

/// What a scanned text is, as far as can be told without keys, a clock or the network.
///
/// The signature and expiry of a Danbao code are **not** checked by `scan`: the server checks
/// them before any payment.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScanOutcome {
    /// A Danbao merchant code, payable here: static (no amount) or with an amount (signed).
    MerchantPayment {
        /// The merchant code as read.
        code: MerchantCode,
        /// The amount for display ("128.50 CNY"), if the code has one.
        display_amount: Option<String>,
        /// The seal of a signed code (not yet verified).
        seal: Option<Seal>,
    },
    /// A Danbao per-order code: pay this order into escrow.
    DanbaoOrder {
        /// The order code as read.
        code: OrderCode,
        /// The amount for display ("128.50 CNY").
        display_amount: String,
        /// The seal (not yet verified); order codes are always signed.
        seal: Seal,
    },
    /// A friend's Danbao receive code.
    FriendReceive {
        /// The receive code as read.
        code: ReceiveCode,
        /// The requested amount for display, if any.
        display_amount: Option<String>,
        /// The seal of a code with an amount (not yet verified).
        seal: Option<Seal>,
    },
    /// A consumer-presented 18-digit payment code (the scanner is a merchant's till).
    PaymentCode {
        /// The 18 digits.
        code: String,
    },
    /// A well-formed EMV merchant code of networks this wallet cannot pay.
    ForeignScheme {
        /// The networks the code carries (empty when none is known).
        schemes: Vec<ForeignNetwork>,
        /// One line for a person, e.g. "PromptPay (TH): not payable with Danbao".
        description: String,
        /// The merchant name printed in the code (tag 59), if any.
        merchant_name: Option<String>,
        /// The country printed in the code (tag 58), if any.
        country: Option<String>,
    },
    /// Not something this wallet can use, with the reasons (one sentence each).
    Invalid {
        /// Why, one sentence each.
        reasons: Vec<String>,
    },
}

/// A Danbao merchant code: pay this merchant.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MerchantCode {
    /// The merchant's Danbao id.
    pub merchant_id: String,
    /// The name printed in the code; show the name the server resolves, not this one.
    pub merchant_name: String,
    /// The city printed in the code.
    pub merchant_city: String,
    /// ISO 3166-1 alpha-2 country, e.g. "CN".
    pub country: String,
    /// Merchant category code, four digits.
    pub mcc: String,
    /// ISO 4217 alphabetic code of the currency, e.g. "CNY".
    pub currency: String,
    /// The amount in minor units, if the code fixes one.
    pub amount_minor: Option<i64>,
}

/// A Danbao per-order code: pay this order into escrow.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderCode {
    /// The merchant's Danbao id.
    pub merchant_id: String,
    /// The order to pay.
    pub order_id: String,
    /// The name printed in the code; show the name the server resolves, not this one.
    pub merchant_name: String,
    /// The city printed in the code.
    pub merchant_city: String,
    /// ISO 3166-1 alpha-2 country, e.g. "CN".
    pub country: String,
    /// Merchant category code, four digits.
    pub mcc: String,
    /// ISO 4217 alphabetic code of the currency, e.g. "CNY".
    pub currency: String,
    /// The order's amount in minor units.
    pub amount_minor: i64,
}

/// A friend's receive code: send money to this handle.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiveCode {
    /// The friend's Danbao handle.
    pub handle: String,
    /// The name printed in the code; show the name the server resolves, not this one.
    pub name: String,
    /// The city printed in the code.
    pub city: String,
    /// ISO 3166-1 alpha-2 country, e.g. "CN".
    pub country: String,
    /// ISO 4217 alphabetic code of the currency, e.g. "CNY".
    pub currency: String,
    /// The requested amount in minor units, if any.
    pub amount_minor: Option<i64>,
}

/// A signed code's metadata: who signed it, its nonce and validity window (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Seal {
    /// Id of the signing key.
    pub key_id: String,
    /// The code's nonce, as text.
    pub nonce: String,
    /// Issued at, unix seconds.
    pub issued_at: u64,
    /// Expires at, unix seconds.
    pub expires_at: u64,
}

/// A payment network found in a foreign code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ForeignNetwork {
    /// Registry id, e.g. "promptpay".
    pub id: String,
    /// Name for a person, e.g. "PromptPay".
    pub name: String,
    /// ISO 3166-1 alpha-2 country of a domestic scheme, e.g. "TH".
    pub country: Option<String>,
}

/// Classifies a scanned text: Danbao code, payment code, foreign EMV code or invalid.
///
/// Never fails: anything unusable is `Invalid` with its reasons. Surrounding whitespace is
/// ignored. Pure: no I/O, no clock, no keys.
#[uniffi::export]
pub fn scan(text: String) -> ScanOutcome {
    catch_panic(|| core::scan(&text).into()).unwrap_or_else(|reason| ScanOutcome::Invalid {
        // A bug must not look like a payable code; say so instead.
        reasons: vec![reason],
    })
}

impl From<core::ScanOutcome> for ScanOutcome {
    fn from(outcome: core::ScanOutcome) -> Self {
        use core::ScanOutcome as Core;
        match outcome {
            Core::MerchantPayment {
                code,
                display_amount,
                seal,
            } => Self::MerchantPayment {
                code: code.into(),
                display_amount,
                seal: seal.map(Into::into),
            },
            Core::DanbaoOrder {
                code,
                display_amount,
                seal,
            } => Self::DanbaoOrder {
                code: code.into(),
                display_amount,
                seal: seal.into(),
            },
            Core::FriendReceive {
                code,
                display_amount,
                seal,
            } => Self::FriendReceive {
                code: code.into(),
                display_amount,
                seal: seal.map(Into::into),
            },
            Core::PaymentCode { code } => Self::PaymentCode { code },
            Core::ForeignScheme {
                schemes,
                description,
                merchant_name,
                country,
            } => Self::ForeignScheme {
                schemes: schemes.into_iter().map(Into::into).collect(),
                description,
                merchant_name,
                country,
            },
            Core::Invalid { reasons } => Self::Invalid { reasons },
        }
    }
}

impl From<core_danbao::MerchantCode> for MerchantCode {
    fn from(code: core_danbao::MerchantCode) -> Self {
        Self {
            merchant_id: code.merchant_id,
            merchant_name: code.merchant_name,
            merchant_city: code.merchant_city,
            country: code.country,
            mcc: code.mcc,
            currency: code.currency.code().to_owned(),
            amount_minor: code.amount_minor,
        }
    }
}

impl From<core_danbao::OrderCode> for OrderCode {
    fn from(code: core_danbao::OrderCode) -> Self {
        Self {
            merchant_id: code.merchant_id,
            order_id: code.order_id,
            merchant_name: code.merchant_name,
            merchant_city: code.merchant_city,
            country: code.country,
            mcc: code.mcc,
            currency: code.currency.code().to_owned(),
            amount_minor: code.amount_minor,
        }
    }
}

impl From<core_danbao::ReceiveCode> for ReceiveCode {
    fn from(code: core_danbao::ReceiveCode) -> Self {
        Self {
            handle: code.handle,
            name: code.name,
            city: code.city,
            country: code.country,
            currency: code.currency.code().to_owned(),
            amount_minor: code.amount_minor,
        }
    }
}

impl From<core_danbao::Seal> for Seal {
    fn from(seal: core_danbao::Seal) -> Self {
        Self {
            key_id: seal.key_id,
            nonce: seal.nonce.to_text(),
            issued_at: seal.issued_at,
            expires_at: seal.expires_at,
        }
    }
}

impl From<core::ForeignNetwork> for ForeignNetwork {
    fn from(network: core::ForeignNetwork) -> Self {
        Self {
            id: network.id,
            name: network.name,
            country: network.country,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/qr-danbao.md's worked example: a signed per-order code.
    const ORDER: &str = include_str!("../../core/domain/src/qr/danbao/worked_example.txt");

    #[test]
    fn order_code_converts_every_field() {
        assert_eq!(
            scan(ORDER.to_owned()),
            ScanOutcome::DanbaoOrder {
                code: OrderCode {
                    merchant_id: "m-1001".into(),
                    order_id: "ord-20250101-0042".into(),
                    merchant_name: "Lotus Tea House".into(),
                    merchant_city: "Hangzhou".into(),
                    country: "CN".into(),
                    mcc: "5812".into(),
                    currency: "CNY".into(),
                    amount_minor: 12_850,
                },
                display_amount: "128.50 CNY".into(),
                seal: Seal {
                    key_id: "srv1".into(),
                    nonce: "fFLssg=mfIi5$zRv}od.".into(),
                    issued_at: 1_735_689_600,
                    expires_at: 1_735_690_500,
                },
            }
        );
    }

    #[test]
    fn foreign_and_invalid_keep_the_cores_words() {
        let promptpay =
            "00020101021229370016A000000677010111011300660000000005802TH530376454044.226304E469";
        match scan(promptpay.into()) {
            ScanOutcome::ForeignScheme {
                schemes, country, ..
            } => {
                assert_eq!(schemes[0].id, "promptpay");
                assert_eq!(schemes[0].country.as_deref(), Some("TH"));
                assert_eq!(country.as_deref(), Some("TH"));
            }
            other => panic!("expected ForeignScheme, got {other:?}"),
        }
        assert_eq!(
            scan(String::new()),
            ScanOutcome::Invalid {
                reasons: vec!["nothing was scanned: the text is empty".into()]
            }
        );
    }
}
