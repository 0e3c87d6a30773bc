//! Sign-up, device keys and profiles.

use axum::Json;
use axum::extract::{Request, State};

use super::extract::Path;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use danbao_domain::protocol::limits::{MAX_DISPLAY_NAME_CHARS, MAX_HANDLE_CHARS, MIN_HANDLE_CHARS};
use danbao_domain::protocol::wire::{BalanceView, Me, PublicProfile, SignUp, SignedUp};

use crate::app::App;
use crate::auth::{self, Signed};
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::{self, Answer};
use crate::store::{Store, User};

fn check_handle(handle: &str) -> ApiResult<()> {
    let ok = (MIN_HANDLE_CHARS..=MAX_HANDLE_CHARS).contains(&handle.len())
        && handle.as_bytes()[0].is_ascii_lowercase()
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "invalid_handle",
            format!(
                "handle {handle:?} must be {MIN_HANDLE_CHARS} to {MAX_HANDLE_CHARS} characters of a-z, \
                 0-9, '_' and '.', starting with a letter"
            ),
        ))
    }
}

/// `POST /v1/users`: creates a user with its first device. The request is signed with the
/// device key it registers (`Danbao-Device: new`), proving possession of the key.
#[utoipa::path(
    post,
    path = "/v1/users",
    tag = "identity",
    request_body = SignUp,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "Signed up: the user and its first device", body = SignedUp),
        (status = 400, description = "invalid_body, missing_idempotency_key, bad_idempotency_key, bad_signature (Danbao-Device must be `new`)", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 401, description = "missing_signature, bad_signature, stale_request", body = Problem),
        (status = 409, description = "handle_taken", body = Problem),
        (status = 422, description = "invalid_public_key, invalid_handle, invalid_display_name, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
// Long (73 lines): a handler still holding its flow (signature, checks, user and device rows);
// issue 11 point 4 moves such flows into the service layer.
pub async fn sign_up<S: Store>(State(app): State<App<S>>, request: Request) -> ApiResult<Answer> {
    let (parts, body) = request.into_parts();
    let body = super::http::read_body(body).await?;
    let signature = auth::read_signature(
        &parts.method,
        &auth::signed_path(&parts),
        &parts.headers,
        &body,
        app.now(),
    )?;
    if signature.device != "new" {
        return Err(ApiError::bad_request(
            "bad_signature",
            "sign-up is signed with the new device key and Danbao-Device: new",
        ));
    }
    let request: SignUp = service::parse_body(&body)?;
    let public_key = URL_SAFE_NO_PAD.decode(&request.public_key).map_err(|_| {
        ApiError::unprocessable("invalid_public_key", "public_key is not base64url")
    })?;
    if public_key.len() != 65 || public_key[0] != 4 {
        return Err(ApiError::unprocessable(
            "invalid_public_key",
            "public_key must be an uncompressed SEC1 P-256 point (65 bytes starting 0x04)",
        ));
    }
    auth::verify(&public_key, &signature.message, &signature.signature)?;
    check_handle(&request.handle)?;
    let display_name = request.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ApiError::unprocessable(
            "invalid_display_name",
            format!("display_name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    // Idempotency for sign-up is scoped by the key being registered (there is no user yet).
    let key_scope = ring::digest::digest(&ring::digest::SHA256, &public_key);
    let scoped_key = format!(
        "signup:{}:{}",
        danbao_domain::protocol::hex_lower(&key_scope.as_ref()[..8]),
        signature.idempotency_key.clone().unwrap_or_default()
    );
    let key = signature
        .idempotency_key
        .map(|_| scoped_key)
        .ok_or_else(service::missing_key)?;
    let request_hash = signature.request_hash;
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once_keyed(tx, 0, &key, &request_hash, now, |tx| {
                let user_id = tx
                    .insert_user(&request.handle, &display_name, now)?
                    .ok_or_else(|| {
                        ApiError::conflict(
                            "handle_taken",
                            format!("the handle {:?} is taken", request.handle),
                        )
                    })?;
                let device_id =
                    tx.insert_device(user_id, &public_key, &request.device_name, now)?;
                Answer::with_status(
                    201,
                    &SignedUp {
                        user_id,
                        device_id,
                        handle: request.handle.clone(),
                    },
                )
            })
        })
        .await
}

/// `GET /v1/users/{handle}`: the display name behind a handle (signed read).
#[utoipa::path(
    get,
    path = "/v1/users/{handle}",
    tag = "identity",
    params(("handle" = String, Path, description = "A user's handle (matched case-insensitively)")),
    responses(
        (status = 200, description = "The display name behind the handle", body = PublicProfile),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn lookup<S: Store>(
    State(app): State<App<S>>,
    Path(handle): Path<String>,
    _signed: Signed,
) -> ApiResult<Json<PublicProfile>> {
    let user = find_user(&app, handle).await?;
    Ok(Json(PublicProfile {
        handle: user.handle,
        display_name: user.display_name,
    }))
}

async fn find_user<S: Store>(app: &App<S>, handle: String) -> ApiResult<User> {
    let lower = handle.to_ascii_lowercase();
    app.store
        .read(move |tx| tx.user_by_handle(&lower))
        .await?
        .ok_or_else(|| {
            ApiError::not_found("unknown_user", format!("no user has the handle {handle:?}"))
        })
}

/// `GET /v1/me`: the caller's profile and balances.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "identity",
    responses(
        (status = 200, description = "The caller's profile and balances", body = Me),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn me<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Json<Me>> {
    let user_id = signed.user_id;
    let (user, wallets) = app
        .store
        .read(move |tx| Ok::<_, ApiError>((tx.user(user_id)?, tx.wallets_of(user_id)?)))
        .await?;
    let user = user.ok_or_else(|| ApiError::not_found("unknown_user", "the user is gone"))?;
    Ok(Json(Me {
        user_id,
        handle: user.handle,
        display_name: user.display_name,
        device_id: signed.device_id,
        balances: wallets.iter().map(BalanceView::from).collect(),
    }))
}
