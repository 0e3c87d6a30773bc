//! Sign-up, profiles and how a user appears to others.

use serde::{Deserialize, Serialize};

use super::{BalanceView, PayeeStanding};

/// Body of `POST /v1/users` (sign-up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    /// [`MIN_HANDLE_CHARS`](crate::protocol::limits::MIN_HANDLE_CHARS)–[`MAX_HANDLE_CHARS`](crate::protocol::limits::MAX_HANDLE_CHARS)
    /// characters of a-z, 0-9, '_' and '.', starting with a letter.
    pub handle: String,
    /// 1–[`MAX_DISPLAY_NAME_CHARS`](crate::protocol::limits::MAX_DISPLAY_NAME_CHARS) characters shown to payers.
    pub display_name: String,
    /// The device's P-256 public key, uncompressed SEC1 (65 bytes), base64url without padding.
    pub public_key: String,
    /// A label for the device.
    pub device_name: String,
}

/// Answer of sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedUp {
    /// The new user's id.
    pub user_id: i64,
    /// The registered device's id: the `Danbao-Device` header from now on.
    pub device_id: i64,
    /// The handle.
    pub handle: String,
}

/// A user as others see them (`GET /v1/users/{handle}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicProfile {
    /// The handle.
    pub handle: String,
    /// The display name the server knows (what a payer is shown).
    pub display_name: String,
    /// Verified merchant, look-alike names.
    #[serde(flatten, default)]
    pub standing: PayeeStanding,
}

/// Body of `POST /v1/me/display-name`: the caller's new display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// 1–[`MAX_DISPLAY_NAME_CHARS`](crate::protocol::limits::MAX_DISPLAY_NAME_CHARS) visible
    /// characters; refused when it looks like a verified merchant's name.
    pub display_name: String,
}

/// The caller's profile and balances (`GET /v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The user id.
    pub user_id: i64,
    /// The handle.
    pub handle: String,
    /// The display name.
    pub display_name: String,
    /// The calling device.
    pub device_id: i64,
    /// Wallet balances per currency.
    pub balances: Vec<BalanceView>,
}

/// A user named by a code, request, order or payment, as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyView {
    /// The handle.
    pub handle: String,
    /// The display name from the server's database.
    pub display_name: String,
}
