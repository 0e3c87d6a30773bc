//! Payment codes: provisioning a device's secret and the till charging a code.

use serde::{Deserialize, Serialize};

use super::{AmountView, BalanceView, PartyView};
use crate::money::Money;

/// Answer of `POST /v1/paycode/provision`: the device's payment-code secret and the masks of
/// its codes for the coming days. Shown once: the server keeps the secret only sealed and does
/// not store this answer; keep it sealed. `Debug` does not print the secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provisioned {
    /// The device's account index (0 … 99,999,999), an input of the generator.
    pub account_index: u64,
    /// The device's TOTP secret, base64 (standard, padded). Keep it in the platform keystore.
    pub secret: String,
    /// The index masks of this device's codes for the coming steps (`MaskWindow`'s bytes,
    /// docs/payment-codes.md), base64. They unmask only this device's own codes.
    pub masks: String,
    /// Digits of a code.
    pub digits: usize,
    /// Seconds per code.
    pub step_seconds: u64,
}

impl std::fmt::Debug for Provisioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioned")
            .field("account_index", &self.account_index)
            .field("secret", &"<redacted>")
            .field("masks", &"<redacted>")
            .field("digits", &self.digits)
            .field("step_seconds", &self.step_seconds)
            .finish()
    }
}

/// Answer of `POST /v1/paycode/masks`: a fresh window of index masks for the calling device's
/// current payment-code secret, from the current step. `Debug` does not print them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaycodeMasks {
    /// As [`Provisioned::masks`].
    pub masks: String,
}

impl std::fmt::Debug for PaycodeMasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaycodeMasks")
            .field("masks", &"<redacted>")
            .finish()
    }
}

/// Body of `POST /v1/merchant/charges`: the till charges a customer's payment code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Charge {
    /// The 18 digits the till scanned.
    pub payment_code: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// A note shown to both sides.
    #[serde(default)]
    pub memo: String,
}

impl Charge {
    /// Charge `amount` to `payment_code`.
    pub fn new(payment_code: impl Into<String>, amount: Money, memo: impl Into<String>) -> Self {
        Self {
            payment_code: payment_code.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            memo: memo.into(),
        }
    }
}

/// Answer of a payment-code charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charged {
    /// The ledger transfer id (hex).
    pub transfer_id: String,
    /// Who paid.
    pub payer: PartyView,
    /// The amount.
    pub amount: AmountView,
    /// The merchant's balance afterwards.
    pub balance: BalanceView,
    /// −1, 0 or +1: how far the customer's clock was from the server's, in steps.
    pub step_offset: i8,
    /// The platform's fee on `amount`, moved from the merchant's wallet in the same
    /// transaction (absent without a fee schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_fee: Option<AmountView>,
    /// With `platform_fee`: what the merchant kept, `amount − platform_fee`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_to_payee: Option<AmountView>,
}
