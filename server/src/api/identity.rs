//! Sign-up, device keys and profiles over HTTP: the signature checks are here, the flows are
//! [`crate::service::identity`]'s.

use axum::Json;
use axum::extract::{Request, State};

use super::extract::Path;
use danbao_domain::protocol::wire::{Me, PublicProfile, SignUp, SignedUp};

use crate::app::App;
use crate::auth::{self, Signed};
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::{self, Answer, identity};
use crate::service::{Actor, Newcomer};
use crate::store::Store;
use danbao_domain::protocol::Command;

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
        (status = 409, description = "handle_taken, public_key_taken, display_name_confusable (the name looks like a verified merchant's)", body = Problem),
        (status = 422, description = "invalid_public_key, invalid_handle, invalid_display_name, invalid_device_name, idempotency_key_reused", body = Problem),
        (status = 429, description = "rate_limited (with Retry-After): too many sign-ups from this address", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn sign_up<S: Store>(State(app): State<App<S>>, request: Request) -> ApiResult<Answer> {
    let (request, newcomer) =
        newcomer_request::<S, SignUp>(&app, request, "sign-up", |body| &body.public_key).await?;
    service::run(&app, Actor::Newcomer(newcomer), Command::SignUp(request)).await
}

/// A request signed by a device that is not registered yet (`Danbao-Device: new`): a sign-up or
/// a join. Counted per client address before anything else (a flood costs no store work), then
/// the body is read and its signature checked against the public key the body itself names
/// (`key_of`). `what` names the request in the refusal.
pub(super) async fn newcomer_request<S: Store, T: serde::de::DeserializeOwned>(
    app: &App<S>,
    request: Request,
    what: &str,
    key_of: impl FnOnce(&T) -> &str,
) -> ApiResult<(T, Newcomer)> {
    let (parts, body) = request.into_parts();
    if let Some(address) = auth::client_address(&parts) {
        app.rate_limiter
            .take(
                crate::ratelimit::Action::SignUp,
                &[crate::ratelimit::Subject::Address(address)],
            )
            .await?;
    }
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
            format!("{what} is signed with the new device key and Danbao-Device: new"),
        ));
    }
    let request: T = service::parse_body(&body)?;
    let public_key = identity::decode_public_key(key_of(&request))?;
    auth::verify(&public_key, &signature.message, &signature.signature)?;
    let newcomer = Newcomer {
        public_key,
        idempotency_key: signature.idempotency_key,
        request_hash: signature.request_hash,
    };
    Ok((request, newcomer))
}

/// `GET /v1/users/{handle}`: the display name behind a handle (signed read).
#[utoipa::path(
    get,
    path = "/v1/users/{handle}",
    tag = "identity",
    params(("handle" = String, Path, description = "A user's handle (matched case-insensitively)")),
    responses(
        (status = 200, description = "The display name behind the handle, whether the operator verified it and whether another account's name looks the same", body = PublicProfile),
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
    Ok(Json(identity::lookup(&app.store, handle).await?))
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
    Ok(Json(
        identity::me(&app.store, signed.user_id, signed.device_id).await?,
    ))
}
