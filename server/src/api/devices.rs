//! Devices over HTTP (issue 12 point 8): approval codes, joining a user with one, the device
//! list and revocation. The flows are [`crate::service::devices`]'s.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use danbao_domain::protocol::Command;
use danbao_domain::protocol::wire::{DeviceApproval, DeviceList, DeviceView, JoinDevice, Joined};

use super::extract::Path;
use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiResult, Problem};
use crate::service::{self, Actor, Answer, devices};
use crate::store::Store;

/// `POST /v1/devices/approvals`: a one-time code (10 minutes, single use) with which a new
/// device joins the caller's user. The answer carries the code, so it is not kept under the
/// idempotency key: a retry asks for another code; the request nonce is single use.
#[utoipa::path(
    post,
    path = "/v1/devices/approvals",
    tag = "devices",
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "The code, as text and QR payload (Cache-Control: no-store; not kept under the idempotency key)", body = DeviceApproval),
        (status = 400, description = "invalid_body (the body must be empty or {}), missing_idempotency_key, bad_idempotency_key", body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 409, description = "too_many_approval_codes (3 codes are open already)", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 429, description = "rate_limited (with Retry-After)", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn new_approval<S: Store>(
    State(app): State<App<S>>,
    signed: Signed,
) -> ApiResult<Response> {
    super::http::no_body(&signed.body, "asking for an approval code")?;
    let approval = service::run(&app, Actor::Device(signed.caller()), Command::ApproveDevice);
    Ok(super::http::no_store(approval.await?.into_response()))
}

/// `POST /v1/devices/join`: registers a new device of the user whose approval code it
/// presents. Signed like sign-up, with the new device key and `Danbao-Device: new`.
#[utoipa::path(
    post,
    path = "/v1/devices/join",
    tag = "devices",
    request_body = JoinDevice,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "Joined: the new device of the code's user", body = Joined),
        (status = 400, description = "invalid_body, missing_idempotency_key, bad_idempotency_key, bad_signature (Danbao-Device must be `new`)", body = Problem),
        (status = 401, description = "missing_signature, bad_signature, stale_request", body = Problem),
        (status = 409, description = "approval_code_used, public_key_taken", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "approval_code_invalid, approval_code_expired, invalid_public_key, invalid_device_name, idempotency_key_reused", body = Problem),
        (status = 429, description = "too_many_attempts (with Retry-After): too many refused codes for this user or for everyone; rate_limited: too many joins from this address", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn join<S: Store>(State(app): State<App<S>>, request: Request) -> ApiResult<Answer> {
    let (request, newcomer) =
        super::identity::newcomer_request::<S, JoinDevice>(&app, request, "joining", |body| {
            &body.public_key
        })
        .await?;
    let command = Command::JoinDevice(request);
    service::run(&app, Actor::Newcomer(newcomer), command).await
}

/// `GET /v1/devices`: the caller's devices (active first), marking the calling one.
#[utoipa::path(
    get,
    path = "/v1/devices",
    tag = "devices",
    responses(
        (status = 200, description = "The devices", body = DeviceList),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn list<S: Store>(
    State(app): State<App<S>>,
    signed: Signed,
) -> ApiResult<Json<DeviceList>> {
    Ok(Json(devices::list(&app.store, &signed.caller()).await?))
}

/// `POST /v1/devices/{id}/revoke`: revokes one of the caller's devices (the calling one
/// included). Its next request is refused `401 device_revoked` and its payment codes stop
/// working. The last active device cannot be revoked.
#[utoipa::path(
    post,
    path = "/v1/devices/{id}/revoke",
    tag = "devices",
    params(("id" = i64, Path, description = "The device id"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Revoked (or already revoked): the device as listed", body = DeviceView),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_device (no device of yours has this id)", body = Problem),
        (status = 409, description = "last_device (the only active device cannot be revoked)", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn revoke<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Answer> {
    let command = Command::RevokeDevice { id };
    service::run(&app, Actor::Device(signed.caller()), command).await
}
