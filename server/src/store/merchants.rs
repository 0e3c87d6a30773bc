//! Merchant profiles and display-name look-alike keys (migration 011).

use super::StoreResult;

/// A merchant profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRecord {
    /// The merchant's user.
    pub user_id: i64,
    /// When the operator enrolled it (Unix seconds).
    pub enrolled_at: i64,
    /// Whether it may charge payment codes.
    pub enabled: bool,
    /// The name the operator verified, with its look-alike key and when (all or none).
    pub verified: Option<Verification>,
    /// Its merchant category code.
    pub category: Option<String>,
}

/// The operator's verification of a merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The name the operator checked.
    pub name: String,
    /// Its look-alike key (`danbao_domain::text::name_key`).
    pub key: String,
    /// When (Unix seconds).
    pub at: i64,
}

/// Merchant profiles and the look-alike keys of display names.
pub trait MerchantTx {
    /// The merchant profile of a user, if it was enrolled.
    fn merchant(&mut self, user_id: i64) -> StoreResult<Option<MerchantRecord>>;
    /// Creates or replaces a merchant profile.
    fn put_merchant(&mut self, record: &MerchantRecord, now: i64) -> StoreResult<()>;
    /// Sets a user's display name and its look-alike key.
    fn set_display_name(&mut self, user_id: i64, display_name: &str, key: &str) -> StoreResult<()>;
    /// Up to `limit` users whose display name has the look-alike key `key`, by id.
    fn users_with_name_key(&mut self, key: &str, limit: u32) -> StoreResult<Vec<i64>>;
    /// The verified merchants whose verified name or display name has the look-alike key
    /// `key`, by id.
    fn verified_merchants_with_key(&mut self, key: &str) -> StoreResult<Vec<i64>>;
}
