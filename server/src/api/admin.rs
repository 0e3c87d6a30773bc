//! Operator endpoints over HTTP: the ledger invariants and the sandbox clock (the work is
//! [`crate::service::admin`]'s).

use axum::Json;
use axum::extract::State;

use super::extract::Json as JsonBody;
use danbao_domain::protocol::wire::{AdvanceClock, Invariants, ServerTime};

use crate::app::App;
use crate::auth::Operator;
use crate::error::{ApiResult, Problem};
use crate::service::admin;
use crate::service::{self, Actor, Answer};
use crate::store::Store;
use danbao_domain::protocol::Command;

/// `GET /v1/admin/invariants` (operator).
#[utoipa::path(
    get,
    path = "/v1/admin/invariants",
    tag = "admin",
    security(("operator" = [])),
    responses(
        (status = 200, description = "The check; `ok` is false with the first violation when one fails", body = Invariants),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn invariants<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
) -> ApiResult<Json<Invariants>> {
    Ok(Json(admin::invariants(&app.store).await?))
}

/// `POST /v1/admin/clock` (operator, sandbox): moves the clock so timers can be tested.
#[utoipa::path(
    post,
    path = "/v1/admin/clock",
    tag = "admin",
    request_body = AdvanceClock,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The server clock after the move", body = ServerTime),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 403, description = "sandbox_off", body = Problem),
        (status = 422, description = "invalid_advance", body = Problem),
    )
)]
pub async fn advance_clock<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    JsonBody(request): JsonBody<AdvanceClock>,
) -> ApiResult<Answer> {
    let command = Command::AdvanceClock(request);
    service::run(&app, Actor::Operator(None), command).await
}
