//! Devices of a user (issue 12 point 8): one-time approval codes, a new device joining with
//! one, the device list, and revocation.
//!
//! - An approval code is 80 random bits, valid [`APPROVAL_CODE_TTL_SECS`], single use, at most
//!   [`MAX_OPEN_APPROVAL_CODES`] open per user; the server keeps only its SHA-256 (the answer
//!   that shows it is not kept under the idempotency key either).
//! - Every refused join (wrong, expired or used code) is counted: against the user the request
//!   named (its handle, or the code's own row) and globally. Past [`USER_FAILURE_BUDGET`] in
//!   [`FAILURE_WINDOW_SECS`] joins to that user are refused, genuine codes too; past
//!   [`GLOBAL_FAILURE_BUDGET`] every join is. Sign-up's per-address rate limit applies too.
//! - Revoking sets `revoked_at`, deletes the device's payment-code secrets and expires the
//!   approval codes it asked for, in one transaction; the last active device cannot be revoked.

use danbao_domain::protocol::wire::{
    APPROVAL_CODE_BYTES, APPROVAL_CODE_TTL_SECS, DeviceApproval, DeviceList, DeviceNotice,
    DeviceView, FeedEvent, JoinDevice, Joined, MAX_DEVICE_NAME_CHARS, MAX_OPEN_APPROVAL_CODES,
    SecurityEvent, approval_qr_payload, encode_approval_code, normalize_approval_code,
};
use ring::rand::SecureRandom;

use super::{self as service, Answer, Caller, ServiceError, ServiceResult};
use crate::app::App;
use crate::store::{DeviceRow, Store, Tx};

/// Refused joins against one user per window before joins to that user pause.
pub const USER_FAILURE_BUDGET: u32 = 5;
/// Refused joins of everyone together per window before every join pauses.
pub const GLOBAL_FAILURE_BUDGET: u32 = 200;
/// The failure window, seconds.
pub const FAILURE_WINDOW_SECS: i64 = 10 * 60;

/// What the server keeps of an approval code: SHA-256 of its canonical text.
pub fn code_hash(canonical: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes())
        .as_ref()
        .to_vec()
}

/// `POST /v1/devices/approvals`: a fresh approval code for the caller's user. The request
/// nonce is single use; the answer is not stored (it carries the code).
pub async fn new_approval<S: Store>(app: &App<S>, caller: Caller) -> ServiceResult<DeviceApproval> {
    let mut bytes = [0u8; APPROVAL_CODE_BYTES];
    app.rng
        .fill(&mut bytes)
        .map_err(|_| ServiceError::storage("no randomness"))?;
    let code = encode_approval_code(&bytes);
    bytes.fill(0);
    let hash = code_hash(&code);
    let now = app.now();
    let expires_at = now + APPROVAL_CODE_TTL_SECS;
    let (user_id, device_id, nonce) = (caller.user_id, caller.device_id, caller.nonce);
    app.store
        .write(move |tx| {
            service::spend_nonce(tx, device_id, &nonce, now)?;
            let open = tx.open_approvals(user_id, now)?;
            if open >= MAX_OPEN_APPROVAL_CODES {
                return Err(ServiceError::conflict(
                    "too_many_approval_codes",
                    format!(
                        "{open} approval codes are open; use one or wait until one expires \
                         (at most {} minutes)",
                        APPROVAL_CODE_TTL_SECS / 60
                    ),
                ));
            }
            tx.insert_approval(user_id, &hash, device_id, now, expires_at)?;
            Ok(())
        })
        .await?;
    tracing::info!(user_id, device_id, "device approval code issued");
    Ok(DeviceApproval {
        qr_payload: approval_qr_payload(&code),
        code,
        expires_at,
    })
}

/// A device's name, trimmed: 1 to [`MAX_DEVICE_NAME_CHARS`] characters that hide nothing from
/// the reader (`422 invalid_device_name`).
pub(crate) fn check_device_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_DEVICE_NAME_CHARS {
        return Err(ServiceError::unprocessable(
            "invalid_device_name",
            format!("device_name must be 1 to {MAX_DEVICE_NAME_CHARS} characters"),
        ));
    }
    danbao_domain::text::check_visible("device_name", name)
        .map_err(|hidden| ServiceError::unprocessable("invalid_device_name", hidden.to_string()))?;
    Ok(name.to_owned())
}

fn invalid_code() -> ServiceError {
    ServiceError::unprocessable(
        "approval_code_invalid",
        "this approval code matches no open code (of this user); check it on the device that \
         shows it, or ask that device for a new one",
    )
}

fn paused(whom: &str) -> ServiceError {
    ServiceError::too_many_requests(
        "too_many_attempts",
        format!(
            "too many wrong approval codes were tried for {whom} in the last {} minutes; \
             adding devices is paused, try again later",
            FAILURE_WINDOW_SECS / 60
        ),
    )
    .retry_after(u64::try_from(FAILURE_WINDOW_SECS).unwrap_or(600))
}

/// `POST /v1/devices/join`: registers `public_key` (already proven by the request's signature)
/// as a device of the approval code's user and spends the code. Idempotent under the key, like
/// sign-up (scoped by the key being registered).
pub async fn join<S: Store>(
    store: &S,
    body: JoinDevice,
    public_key: Vec<u8>,
    idempotency_key: Option<String>,
    request_hash: Vec<u8>,
    now: i64,
) -> ServiceResult<Answer> {
    let device_name = check_device_name(&body.device_name)?;
    let handle = body
        .handle
        .as_deref()
        .map(|handle| handle.trim().to_ascii_lowercase());
    let key_scope = ring::digest::digest(&ring::digest::SHA256, &public_key);
    let key = idempotency_key
        .map(|key| {
            format!(
                "join:{}:{key}",
                danbao_domain::protocol::hex_lower(&key_scope.as_ref()[..8])
            )
        })
        .ok_or_else(service::missing_key)?;
    // A malformed code is refused like a wrong one (and counted): its shape says nothing.
    let hash = normalize_approval_code(&body.code)
        .ok()
        .map(|code| code_hash(&code));
    store
        .write(move |tx| {
            let since = now - FAILURE_WINDOW_SECS;
            if tx.join_failures_since(None, since)? >= GLOBAL_FAILURE_BUDGET {
                return Err(paused("everyone"));
            }
            let named = match &handle {
                None => None,
                Some(handle) => Some(tx.user_by_handle(handle)?.map(|user| user.id)),
            };
            if let Some(Some(user_id)) = named
                && tx.join_failures_since(Some(user_id), since)? >= USER_FAILURE_BUDGET
            {
                return Err(paused("this user"));
            }
            let mut refused: Option<Option<i64>> = None;
            let answer = service::once_keyed(tx, 0, &key, &request_hash, now, |tx| {
                join_flow(
                    tx,
                    hash.as_deref(),
                    named,
                    &public_key,
                    &device_name,
                    now,
                    &mut refused,
                )
            })?;
            // Counted outside the request's savepoint: the refusal rolls back the flow, the
            // failure count must stay.
            if let Some(user_id) = refused {
                tx.count_join_failure(user_id, now)?;
            }
            Ok(answer)
        })
        .await
}

/// The join itself. `named`: `None` without a handle, `Some(None)` for a handle nobody has.
/// Sets `refused` to the user a refused code counts against.
fn join_flow(
    tx: &mut dyn Tx,
    hash: Option<&[u8]>,
    named: Option<Option<i64>>,
    public_key: &[u8],
    device_name: &str,
    now: i64,
    refused: &mut Option<Option<i64>>,
) -> ServiceResult<Answer> {
    let named_user = named.flatten();
    let approval = match hash {
        Some(hash) => tx.approval(hash)?,
        None => None,
    };
    let Some(approval) =
        approval.filter(|found| named.is_none() || named_user == Some(found.user_id))
    else {
        *refused = Some(named_user);
        return Err(invalid_code());
    };
    *refused = Some(Some(approval.user_id));
    if named.is_none()
        && tx.join_failures_since(Some(approval.user_id), now - FAILURE_WINDOW_SECS)?
            >= USER_FAILURE_BUDGET
    {
        return Err(paused("this user"));
    }
    if approval.used_at.is_some() {
        return Err(ServiceError::conflict(
            "approval_code_used",
            "this approval code was used already; each code adds one device — ask an active \
             device for a new one",
        ));
    }
    if approval.expires_at <= now {
        return Err(ServiceError::unprocessable(
            "approval_code_expired",
            format!(
                "this approval code expired (codes last {} minutes, and a revoked device's \
                 codes end with it); ask an active device for a new one",
                APPROVAL_CODE_TTL_SECS / 60
            ),
        ));
    }
    let user = tx
        .user(approval.user_id)?
        .ok_or_else(|| ServiceError::not_found("unknown_user", "the code's user is gone"))?;
    let device_id = tx.insert_device(user.id, public_key, device_name, now)?;
    tx.use_approval(approval.id, device_id, now)?;
    *refused = None;
    // Every device of the account sees the new one in its activity: a join the user did not
    // make is revoked from there.
    notify(
        tx,
        user.id,
        SecurityEvent::DeviceAdded,
        device_id,
        device_name,
        now,
    )?;
    tracing::info!(
        user_id = user.id,
        device_id,
        "device joined with an approval code"
    );
    Answer::created(&Joined {
        user_id: user.id,
        device_id,
        handle: user.handle,
        display_name: user.display_name,
    })
}

fn view(row: &DeviceRow, caller_device: i64) -> DeviceView {
    DeviceView {
        id: row.id,
        name: row.name.clone(),
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
        revoked_at: row.revoked_at,
        this_device: row.id == caller_device,
    }
}

/// `GET /v1/devices`: the caller's user's devices, active ones first.
pub async fn list<S: Store>(store: &S, caller: &Caller) -> ServiceResult<DeviceList> {
    let user_id = caller.user_id;
    let rows = store.read(move |tx| tx.devices_of(user_id)).await?;
    let (mut devices, revoked): (Vec<_>, Vec<_>) = rows
        .iter()
        .map(|row| view(row, caller.device_id))
        .partition(|device| device.revoked_at.is_none());
    devices.extend(revoked);
    Ok(DeviceList { devices })
}

/// `POST /v1/devices/{id}/revoke`: revokes a device of the caller's user (the caller itself
/// included). Another user's device, or one that does not exist, is `404 unknown_device`; the
/// last active device is `409 last_device`. Revoking a revoked device answers its view again.
pub async fn revoke<S: Store>(
    app: &App<S>,
    caller: Caller,
    device_id: i64,
) -> ServiceResult<Answer> {
    let now = app.now();
    let caller_user = caller.user_id;
    let answer = service::write_once(&app.store, caller, now, move |tx, caller| {
        let device = tx
            .device(device_id)?
            .filter(|device| device.user_id == caller.user_id)
            .ok_or_else(|| {
                ServiceError::not_found("unknown_device", "you have no device with this id")
            })?;
        let revoking_now = device.revoked_at.is_none();
        if revoking_now {
            if tx.active_devices(caller.user_id)? <= 1 {
                return Err(ServiceError::conflict(
                    "last_device",
                    "this is your only active device: revoking it would lock you out; add \
                     another device first, then revoke this one",
                ));
            }
            tx.revoke_device(device_id, caller.user_id, now)?;
            tracing::info!(
                user_id = caller.user_id,
                device_id,
                by = caller.device_id,
                "device revoked"
            );
        }
        let row = tx
            .devices_of(caller.user_id)?
            .into_iter()
            .find(|row| row.id == device_id)
            .ok_or_else(|| ServiceError::storage("a revoked device vanished"))?;
        if revoking_now {
            let revoked = SecurityEvent::DeviceRevoked;
            notify(tx, caller.user_id, revoked, device_id, &row.name, now)?;
        }
        Answer::ok(&view(&row, caller.device_id))
    })
    .await?;
    // Whatever the answer (a refusal, or one replayed under the idempotency key), a device
    // of the caller's user that is revoked now is refused by this instance from now on.
    let user_id = caller_user;
    let revoked = app
        .store
        .read(move |tx| tx.device(device_id))
        .await?
        .is_some_and(|device| device.user_id == user_id && device.revoked_at.is_some());
    if revoked {
        crate::auth::forget_device(app, device_id);
    }
    Ok(answer)
}

/// Tells the account's feed that a device was added or revoked.
fn notify(
    tx: &mut dyn Tx,
    user_id: i64,
    event: fn(DeviceNotice) -> SecurityEvent,
    device_id: i64,
    name: &str,
    now: i64,
) -> ServiceResult<()> {
    let notice = event(DeviceNotice {
        device_id,
        name: name.to_owned(),
    });
    tx.append_event(user_id, &FeedEvent::Security(notice), now)?;
    Ok(())
}
