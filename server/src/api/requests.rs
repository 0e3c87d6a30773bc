//! Money requests over HTTP: a user asks another to pay them; the payer accepts (pays once) or
//! declines. The flows are [`crate::service::requests`]'s.

use axum::Json;
use axum::extract::State;

use super::extract::Path;
use danbao_domain::protocol::wire::{NewRequest, RequestView};

use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiResult, Problem};
use crate::service::Actor;
use crate::service::{self, Answer, requests};
use crate::store::Store;
use danbao_domain::protocol::Command;

/// `POST /v1/requests`: asks the user `from` to pay the caller.
#[utoipa::path(
    post,
    path = "/v1/requests",
    tag = "requests",
    request_body = NewRequest,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "The open request", body = RequestView),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, note_too_long, same_account, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn create<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::NewRequest(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `POST /v1/requests/{id}/accept`: the payer pays the request (once).
#[utoipa::path(
    post,
    path = "/v1/requests/{id}/accept",
    tag = "requests",
    params(("id" = i64, Path, description = "The request id"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Paid", body = RequestView),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "wrong_party", body = Problem),
        (status = 404, description = "unknown_request", body = Problem),
        (status = 409, description = "request_not_open", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "insufficient_funds, same_account, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn accept<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Answer> {
    let command = Command::AcceptRequest { id };
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `POST /v1/requests/{id}/decline`: the payer declines the request.
#[utoipa::path(
    post,
    path = "/v1/requests/{id}/decline",
    tag = "requests",
    params(("id" = i64, Path, description = "The request id"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Declined", body = RequestView),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "wrong_party", body = Problem),
        (status = 404, description = "unknown_request", body = Problem),
        (status = 409, description = "request_not_open", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn decline<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Answer> {
    let command = Command::DeclineRequest { id };
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `GET /v1/requests/{id}`: a request the caller made or was asked to pay.
#[utoipa::path(
    get,
    path = "/v1/requests/{id}",
    tag = "requests",
    params(("id" = i64, Path, description = "The request id")),
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 404, description = "unknown_request", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn get<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Json<RequestView>> {
    Ok(Json(requests::get(&app.store, signed.user_id, id).await?))
}
