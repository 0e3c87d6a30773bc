//! Merchant profiles the operator controls (enrolment, switching off, verification), and what
//! a payer learns about a payee's standing (verified, look-alike names).

use serde::{Deserialize, Serialize};

/// What the operator does to a merchant profile (`POST /v1/admin/merchants/{handle}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MerchantAction {
    /// Makes the user a merchant (enabled, not verified). Enrolling an enrolled merchant
    /// changes nothing (its category is set when one is given).
    Enrol,
    /// Lets a disabled merchant charge payment codes again.
    Enable,
    /// Stops the merchant charging payment codes (the profile and its verification stay).
    Disable,
    /// Records that the operator checked the merchant under `verified_name`.
    Verify,
    /// Withdraws the verification.
    Unverify,
}

impl MerchantAction {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enrol => "enrol",
            Self::Enable => "enable",
            Self::Disable => "disable",
            Self::Verify => "verify",
            Self::Unverify => "unverify",
        }
    }
}

/// Body of `POST /v1/admin/merchants/{handle}` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MerchantChange {
    /// What to do.
    pub action: MerchantAction,
    /// For `verify`: the name the operator checked (the business's registered name), 1–64
    /// visible characters. Refused for the other actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_name: Option<String>,
    /// For `enrol`: the ISO 18245 merchant category code (4 digits), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl MerchantChange {
    /// A change without a name or category.
    pub fn new(action: MerchantAction) -> Self {
        Self {
            action,
            verified_name: None,
            category: None,
        }
    }

    /// `verify` under `name`.
    pub fn verify(name: impl Into<String>) -> Self {
        Self {
            verified_name: Some(name.into()),
            ..Self::new(MerchantAction::Verify)
        }
    }
}

/// Answer of `POST /v1/admin/merchants/{handle}` and `GET /v1/admin/merchants/{handle}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantProfile {
    /// The merchant's handle.
    pub handle: String,
    /// Its display name (what payers are shown).
    pub display_name: String,
    /// When it was enrolled (Unix seconds).
    pub enrolled_at: i64,
    /// Whether it may charge payment codes.
    pub enabled: bool,
    /// Whether the operator verified it.
    pub verified: bool,
    /// The name the operator verified (when verified).
    pub verified_name: Option<String>,
    /// When it was verified (Unix seconds).
    pub verified_at: Option<i64>,
    /// Its merchant category code, if given.
    pub category: Option<String>,
}

/// What a payer should know about a payee before paying: whether the operator verified it,
/// and whether its name looks like another account's (Unicode TR39 skeletons). Part of the
/// resolve answers (`GET /v1/users/{handle}`, `POST /v1/codes/resolve`), flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayeeStanding {
    /// The operator verified this payee as a merchant.
    #[serde(default)]
    pub verified: bool,
    /// The name the operator verified (when `verified`).
    #[serde(default)]
    pub verified_name: Option<String>,
    /// Another account's display name looks the same as this payee's: the payer should check
    /// the handle.
    #[serde(default)]
    pub look_alike: bool,
    /// This payee is not verified, yet its name looks like a verified merchant's name: most
    /// likely an impostor.
    #[serde(default)]
    pub resembles_verified: bool,
}
