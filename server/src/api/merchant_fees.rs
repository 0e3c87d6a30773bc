//! The operator's platform fee schedules (issue 15 point 4); the rule is
//! `danbao_domain::fees`', applied on release by [`crate::service::fees`].

use axum::Json;
use axum::extract::State;
use danbao_domain::protocol::wire::FeeScheduleBody;

use super::extract::Json as JsonBody;
use crate::app::App;
use crate::auth::Operator;
use crate::error::{ApiResult, Problem};
use crate::service::fees;
use crate::store::Store;

/// `POST /v1/admin/fees` (operator) {merchant | category, currency, basis_points,
/// fixed_minor, min_minor?, max_minor?}: sets the fee schedule the releases of that merchant
/// (or category) pay from now on. Sets a state: no idempotency key.
#[utoipa::path(
    post,
    path = "/v1/admin/fees",
    tag = "admin",
    request_body = FeeScheduleBody,
    security(("operator" = [])),
    responses(
        (status = 200, description = "The schedule as stored", body = FeeScheduleBody),
        (status = 400, description = "invalid_body", body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_fee_schedule, invalid_currency", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn set<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    JsonBody(body): JsonBody<FeeScheduleBody>,
) -> ApiResult<Json<FeeScheduleBody>> {
    Ok(Json(fees::set_schedule(&app.store, body, app.now()).await?))
}
