//! Sign-up and profiles: a user with its first device, a profile by handle, the caller's own.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use danbao_domain::protocol::limits::{MAX_DISPLAY_NAME_CHARS, MAX_HANDLE_CHARS, MIN_HANDLE_CHARS};
use danbao_domain::protocol::wire::{BalanceView, Me, PublicProfile, SignUp, SignedUp};

use super::users::user_by_handle;
use super::{self as service, Answer, ServiceError, ServiceResult, merchant_profiles};
use crate::store::Store;

fn check_handle(handle: &str) -> ServiceResult<()> {
    let ok = (MIN_HANDLE_CHARS..=MAX_HANDLE_CHARS).contains(&handle.len())
        && handle.as_bytes()[0].is_ascii_lowercase()
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::unprocessable(
            "invalid_handle",
            format!(
                "handle {handle:?} must be {MIN_HANDLE_CHARS} to {MAX_HANDLE_CHARS} characters of a-z, \
                 0-9, '_' and '.', starting with a letter"
            ),
        ))
    }
}

/// The device key of a sign-up: an uncompressed SEC1 P-256 point, base64url.
pub fn decode_public_key(text: &str) -> ServiceResult<Vec<u8>> {
    let public_key = URL_SAFE_NO_PAD.decode(text).map_err(|_| {
        ServiceError::unprocessable("invalid_public_key", "public_key is not base64url")
    })?;
    if public_key.len() != 65 || public_key[0] != 4 {
        return Err(ServiceError::unprocessable(
            "invalid_public_key",
            "public_key must be an uncompressed SEC1 P-256 point (65 bytes starting 0x04)",
        ));
    }
    Ok(public_key)
}

/// Creates a user with its first device (`public_key`, already proven by the request's
/// signature). Idempotent under `idempotency_key`, scoped by the key being registered (there is
/// no user yet).
pub async fn sign_up<S: Store>(
    store: &S,
    body: SignUp,
    public_key: Vec<u8>,
    idempotency_key: Option<String>,
    request_hash: Vec<u8>,
    now: i64,
) -> ServiceResult<Answer> {
    check_handle(&body.handle)?;
    // The text is checked before the store (a bad name costs no write); the look-alike check
    // needs the verified merchants, so it runs in the job.
    let trimmed = body.display_name.trim().to_owned();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ServiceError::unprocessable(
            "invalid_display_name",
            format!("display_name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    danbao_domain::text::check_visible("display_name", &trimmed).map_err(|hidden| {
        ServiceError::unprocessable("invalid_display_name", hidden.to_string())
    })?;
    // The first device's name is checked like a joining device's; an app that sends none
    // keeps an empty name, as before.
    let device_name = if body.device_name.trim().is_empty() {
        String::new()
    } else {
        super::devices::check_device_name(&body.device_name)?
    };
    let key_scope = ring::digest::digest(&ring::digest::SHA256, &public_key);
    let key = idempotency_key
        .map(|key| {
            format!(
                "signup:{}:{key}",
                danbao_domain::protocol::hex_lower(&key_scope.as_ref()[..8])
            )
        })
        .ok_or_else(service::missing_key)?;
    store
        .write(move |tx| {
            service::once_keyed(tx, 0, &key, &request_hash, now, |tx| {
                let (display_name, name_key) =
                    merchant_profiles::check_display_name(tx, None, &trimmed)?;
                let user_id = tx
                    .insert_user(&body.handle, &display_name, now)?
                    .ok_or_else(|| {
                        ServiceError::conflict(
                            "handle_taken",
                            format!("the handle {:?} is taken", body.handle),
                        )
                    })?;
                tx.set_display_name(user_id, &display_name, &name_key)?;
                let device_id = tx.insert_device(user_id, &public_key, &device_name, now)?;
                Answer::created(&SignedUp {
                    user_id,
                    device_id,
                    handle: body.handle.clone(),
                })
            })
        })
        .await
}

/// The display name behind `handle` (any case).
pub async fn lookup<S: Store>(store: &S, handle: String) -> ServiceResult<PublicProfile> {
    store
        .read(move |tx| {
            let user = user_by_handle(tx, &handle)?;
            merchant_profiles::public_profile(tx, &user)
        })
        .await
}

/// The caller's profile and balances.
pub async fn me<S: Store>(store: &S, user_id: i64, device_id: i64) -> ServiceResult<Me> {
    let (user, wallets) = store
        .read(move |tx| Ok::<_, ServiceError>((tx.user(user_id)?, tx.wallets_of(user_id)?)))
        .await?;
    let user = user.ok_or_else(|| ServiceError::not_found("unknown_user", "the user is gone"))?;
    Ok(Me {
        user_id,
        handle: user.handle,
        display_name: user.display_name,
        device_id,
        balances: wallets.iter().map(BalanceView::from).collect(),
    })
}
