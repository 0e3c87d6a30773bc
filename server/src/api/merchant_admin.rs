//! Merchant profiles over HTTP: the operator enrols, switches off and verifies merchants; a
//! user changes its display name (checked against verified merchants). The work is
//! [`crate::service::merchant_profiles`]'s.

use axum::Json;
use axum::extract::State;

use super::extract::{Json as JsonBody, Path};
use danbao_domain::protocol::wire::{MerchantChange, MerchantProfile, Rename};

use crate::app::App;
use crate::auth::{Operator, Signed};
use crate::error::{ApiResult, Problem};
use crate::service::{self, Actor, Answer, merchant_profiles};
use crate::store::Store;
use danbao_domain::protocol::Command;

/// `POST /v1/admin/merchants/{handle}` (operator): enrol, enable, disable, verify or
/// unverify a merchant. Each action sets a state, so it carries no idempotency key.
#[utoipa::path(
    post,
    path = "/v1/admin/merchants/{handle}",
    tag = "admin",
    params(("handle" = String, Path, description = "The merchant's handle")),
    request_body = MerchantChange,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The merchant's profile after the change", body = MerchantProfile),
        (status = 400, description = "invalid_body", body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_user, unknown_merchant (not enrolled: enrol first)", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_merchant_change", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn change<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Path(handle): Path<String>,
    JsonBody(change): JsonBody<MerchantChange>,
) -> ApiResult<Answer> {
    let command = Command::ChangeMerchant { handle, change };
    service::run(&app, Actor::Operator(None), command).await
}

/// `GET /v1/admin/merchants/{handle}` (operator): a merchant's profile.
#[utoipa::path(
    get,
    path = "/v1/admin/merchants/{handle}",
    tag = "admin",
    params(("handle" = String, Path, description = "The merchant's handle")),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The merchant's profile", body = MerchantProfile),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_user, unknown_merchant", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn show<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Path(handle): Path<String>,
) -> ApiResult<Json<MerchantProfile>> {
    Ok(Json(merchant_profiles::show(&app.store, handle).await?))
}

/// `POST /v1/me/display-name`: the caller changes its display name.
#[utoipa::path(
    post,
    path = "/v1/me/display-name",
    tag = "identity",
    request_body = Rename,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Renamed: the caller as payers now see it", body = danbao_domain::protocol::wire::PublicProfile),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 409, description = "display_name_confusable (the name looks like a verified merchant's)", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_display_name, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn rename<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::Rename(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}
