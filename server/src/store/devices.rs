//! Devices of a user: listing, revoking, and the one-time approval codes that add one
//! (issue 12 point 8; the flows are `crate::service::devices`).

use super::StoreResult;

/// How far a device's `last_seen_at` trails its latest signed change at most: the stamp moves
/// only when it is this much older. Concurrent requests of one device then do not all write
/// its row, which on PostgreSQL would cancel all but one of them (a serialization failure).
pub const LAST_SEEN_STEP_SECS: i64 = 60;

/// A device as its user's device list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The device id.
    pub id: i64,
    /// Its label.
    pub name: String,
    /// Unix seconds it was registered.
    pub created_at: i64,
    /// Unix seconds of its last signed change, to [`LAST_SEEN_STEP_SECS`].
    pub last_seen_at: i64,
    /// Unix seconds it was revoked, `None` while active.
    pub revoked_at: Option<i64>,
}

/// A stored approval code (only its hash is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approval {
    /// Row id.
    pub id: i64,
    /// The user a device joins with it.
    pub user_id: i64,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
    /// Unix seconds it was used, if it was.
    pub used_at: Option<i64>,
}

/// Device lists, revocation and approval codes.
pub trait DeviceTx {
    /// Every device of `user_id`, in registration order.
    fn devices_of(&mut self, user_id: i64) -> StoreResult<Vec<DeviceRow>>;
    /// How many devices of `user_id` are not revoked.
    fn active_devices(&mut self, user_id: i64) -> StoreResult<u32>;
    /// Revokes a device of `user_id` at `now`: its requests are refused from now on, its
    /// payment-code secrets (and the user's legacy secrets of no recorded device) are deleted,
    /// and the approval codes it asked for and that are still open expire now.
    fn revoke_device(&mut self, device_id: i64, user_id: i64, now: i64) -> StoreResult<()>;
    /// Stores an approval code's hash for `user_id`, asked for by `created_by`.
    fn insert_approval(
        &mut self,
        user_id: i64,
        code_hash: &[u8],
        created_by: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Approval codes of `user_id` neither used nor expired at `now`.
    fn open_approvals(&mut self, user_id: i64, now: i64) -> StoreResult<u32>;
    /// The approval code with this hash.
    fn approval(&mut self, code_hash: &[u8]) -> StoreResult<Option<Approval>>;
    /// Marks an approval code used by the device it added.
    fn use_approval(&mut self, id: i64, device_id: i64, now: i64) -> StoreResult<()>;
    /// Records a refused join, against `user_id` when the request identified one.
    fn count_join_failure(&mut self, user_id: Option<i64>, now: i64) -> StoreResult<()>;
    /// Refused joins after `since` (exclusive): against `user_id`, or (`None`) all of them.
    fn join_failures_since(&mut self, user_id: Option<i64>, since: i64) -> StoreResult<u32>;
}
