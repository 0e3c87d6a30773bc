//! Danbao codes: issuing a merchant or receive code, resolving a scanned code to its payee,
//! and paying it.

use serde::{Deserialize, Serialize};

use super::{AmountView, BalanceView, PartyView, PayeeStanding};
use crate::money::Money;

/// What kind of Danbao code to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A merchant code: static without an amount, signed with one.
    Merchant,
    /// A friend receive code: signed when it carries an amount.
    Receive,
}

impl IssueKind {
    /// The wire name ("merchant" or "receive").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merchant => "merchant",
            Self::Receive => "receive",
        }
    }
}

/// Body of `POST /v1/codes`: a code that pays the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCode {
    /// "merchant" or "receive".
    pub kind: IssueKind,
    /// Decimal amount the code asks for; without one the payer enters the amount. A code with
    /// an amount is signed, single use and expires.
    pub amount: Option<String>,
    /// ISO 4217 code (server default "CNY").
    pub currency: Option<String>,
    /// City printed in the code (server default "Online").
    pub city: Option<String>,
    /// Country printed in the code, ISO 3166-1 alpha-2 (server default "CN").
    pub country: Option<String>,
    /// Merchant category code, four digits (merchant codes; server default "5999").
    pub mcc: Option<String>,
    /// Lifetime of a signed code in seconds, [`MIN_CODE_TTL_SECS`](crate::protocol::limits::MIN_CODE_TTL_SECS) to
    /// [`MAX_CODE_TTL_SECS`](crate::protocol::limits::MAX_CODE_TTL_SECS) (server default
    /// [`DEFAULT_CODE_TTL_SECS`](crate::protocol::limits::DEFAULT_CODE_TTL_SECS)).
    pub expires_in_secs: Option<i64>,
    /// Also return an SVG rendering of the QR code.
    #[serde(default)]
    pub svg: bool,
}

impl NewCode {
    /// A code of `kind`, with `amount` fixed or left to the payer; server defaults elsewhere.
    pub fn new(kind: IssueKind, amount: Option<Money>) -> Self {
        Self {
            kind,
            amount: amount.map(Money::format),
            currency: amount.map(|money| money.currency().code().to_owned()),
            city: None,
            country: None,
            mcc: None,
            expires_in_secs: None,
            svg: false,
        }
    }
}

/// A code issued to its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCode {
    /// The EMV payload to render as a QR code.
    pub code: String,
    /// "merchant" or "receive".
    pub kind: String,
    /// Whether the code carries a server signature (then it is single use and expires).
    pub signed: bool,
    /// The fixed amount; `None` means the payer enters one.
    pub amount: Option<AmountView>,
    /// ISO 4217 alpha code.
    pub currency: String,
    /// The payee's handle.
    pub payee: String,
    /// The name printed in the code.
    pub printed_name: String,
    /// Unix seconds after which a signed code is refused.
    pub expires_at: Option<i64>,
    /// The SVG rendering, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

/// Body of `POST /v1/codes/resolve` and `POST /v1/orders/pay-code`: a scanned code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScannedCode {
    /// The scanned text.
    pub code: String,
}

/// What the confirm screen shows for a scanned code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolved {
    /// "merchant", "receive" or "order".
    pub kind: String,
    /// Who gets paid, with the name the server knows (show this one).
    pub payee: PartyView,
    /// The name printed in the code (never show it as the payee's name).
    pub printed_name: String,
    /// The printed name differs from the name the server would print: warn the payer.
    pub name_mismatch: bool,
    /// The fixed amount; `None` means the payer enters one.
    pub amount: Option<AmountView>,
    /// ISO 4217 alpha code.
    pub currency: String,
    /// Whether the code is signed (single use, expires).
    pub signed: bool,
    /// Unix seconds after which the code is refused (signed codes).
    pub expires_at: Option<i64>,
    /// The order id of an order code (pay it through the orders API).
    pub order_id: Option<String>,
    /// The payee's standing: verified merchant, look-alike names.
    #[serde(flatten, default)]
    pub standing: PayeeStanding,
}

/// Body of `POST /v1/payments`: pay a scanned merchant or receive code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PayCode {
    /// The scanned text.
    pub code: String,
    /// Decimal amount: required when the code has none; must equal the code's if given.
    pub amount: Option<String>,
    /// A note shown to both sides.
    #[serde(default)]
    pub memo: String,
}

/// Answer of `POST /v1/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodePaid {
    /// The ledger transfer id (hex).
    pub transfer_id: String,
    /// "merchant" or "p2p".
    pub kind: String,
    /// Who was paid, as the server knows them.
    pub payee: PartyView,
    /// The amount.
    pub amount: AmountView,
    /// The payer's balance afterwards.
    pub balance: BalanceView,
}
