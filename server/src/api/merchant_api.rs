//! The merchant API over HTTP: what a shop's server does with its API key (`Authorization:
//! Bearer`, see [`super::merchant_key`]). Handlers parse and hand the request to
//! [`crate::service::run`] / [`crate::service::run_merchant`] as a merchant key's command.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use danbao_domain::protocol::Command;
use danbao_domain::protocol::wire::{
    MerchantCreateOrder, MerchantOrderList, MerchantOrderQuery, MerchantOrderView,
    SettlementReport, SettlementReportQuery, StepAction,
};

use super::extract::{Path, Query};
use super::merchant_key::KeyAuth;
use crate::app::App;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::merchant_api::{orders, reports};
use crate::service::{self, Actor, Answer, MerchantCommand};
use crate::store::Store;

/// 401 codes of a merchant API request.
pub const KEY_401: &str = "missing_api_key, invalid_api_key";
/// 403 codes every merchant API request can answer.
pub const KEY_403: &str = "missing_scope, merchant_not_enrolled, merchant_disabled";

/// `POST /v1/merchant-api/orders`: creates an escrow order under the shop's reference (or
/// answers the order the reference names) with the code the buyer scans.
#[utoipa::path(
    post,
    path = "/v1/merchant-api/orders",
    tag = "merchant-api",
    request_body = MerchantCreateOrder,
    params(super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 201, description = "The new order with its code", body = MerchantOrderView),
        (status = 200, description = "The order this reference already names (with a fresh code while it awaits payment)", body = MerchantOrderView),
        (status = 400, description = "invalid_body, missing_idempotency_key, bad_idempotency_key", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_user (buyer)", body = Problem),
        (status = 409, description = "reference_conflict", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_reference, invalid_text, invalid_amount, invalid_currency, invalid_window, invalid_metadata, invalid_line_items, line_items_mismatch, same_account, idempotency_key_reused", body = Problem),
        (status = 429, description = "rate_limited", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn create<S: Store>(State(app): State<App<S>>, auth: KeyAuth) -> ApiResult<Answer> {
    let body: MerchantCreateOrder = service::parse_body(&auth.body)?;
    let checked = orders::check_create(&app, body)?;
    let command = MerchantCommand::CreateOrder(Box::new(checked));
    service::run_merchant(&app, auth.caller, command).await
}

/// `GET /v1/merchant-api/orders?reference=&state=&created_from=&created_to=&cursor=&limit=`:
/// the shop's orders, newest first.
#[utoipa::path(
    get,
    path = "/v1/merchant-api/orders",
    tag = "merchant-api",
    params(MerchantOrderQuery),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The shop's orders, newest first", body = MerchantOrderList),
        (status = 400, description = "invalid_query, invalid_limit, invalid_cursor", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn list<S: Store>(
    State(app): State<App<S>>,
    Query(query): Query<MerchantOrderQuery>,
    auth: KeyAuth,
) -> ApiResult<Json<MerchantOrderList>> {
    let limit = super::http::page_limit(query.limit)?;
    let list = orders::list(&app.store, auth.caller, query, limit, app.now()).await?;
    Ok(Json(list))
}

/// `GET /v1/merchant-api/orders/{id}`: one of the merchant's orders.
#[utoipa::path(
    get,
    path = "/v1/merchant-api/orders/{id}",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The order id (ord_…)")),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The order", body = MerchantOrderView),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_order", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn show<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    auth: KeyAuth,
) -> ApiResult<Json<MerchantOrderView>> {
    Ok(Json(
        orders::show(&app.store, auth.caller, id, app.now()).await?,
    ))
}

/// `POST /v1/merchant-api/orders/{id}/{action}`: `ship` {carrier, tracking} and `cancel`
/// (scope orders:write), `refund-accept` and `refund-reject` (scope refunds:write).
#[utoipa::path(
    post,
    path = "/v1/merchant-api/orders/{id}/{action}",
    tag = "merchant-api",
    request_body(content = Option<super::doc::StepBody>, description = "ship: ShipBody; cancel, refund-accept, refund-reject: no body or {}"),
    params(("id" = String, Path, description = "The order id (ord_…)"), ("action" = StepAction, Path, description = "ship, cancel, refund-accept or refund-reject (the buyer's steps answer 403 wrong_actor)"), super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The order after the step", body = MerchantOrderView),
        (status = 400, description = "invalid_body, missing_idempotency_key, bad_idempotency_key", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = "missing_scope, merchant_not_enrolled, merchant_disabled, wrong_actor, wrong_party", body = Problem),
        (status = 404, description = "unknown_order, no_such_route (unknown action)", body = Problem),
        (status = 409, description = "illegal_transition", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_text, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn act<S: Store>(
    State(app): State<App<S>>,
    Path((id, slug)): Path<(String, String)>,
    auth: KeyAuth,
) -> ApiResult<Answer> {
    if slug == "resolve" {
        return Err(ApiError::forbidden(
            "wrong_actor",
            "only the operator resolves disputes",
        ));
    }
    let command = Command::OrderStep {
        order_id: id,
        step: super::orders::step_command(&slug, &auth.body)?,
    };
    service::run(&app, Actor::MerchantKey(auth.caller), command).await
}

/// `GET /v1/merchant-api/reports/settlements?from=&to=&format=json|csv`: every order settled
/// in `[from, to)` with gross, fee, refunds and net, and totals per currency that equal the
/// merchant wallet's ledger movements from those orders.
#[utoipa::path(
    get,
    path = "/v1/merchant-api/reports/settlements",
    tag = "merchant-api",
    params(SettlementReportQuery),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The report (format=csv: text/csv with one line per order)", body = SettlementReport),
        (status = 400, description = "invalid_query", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn settlements<S: Store>(
    State(app): State<App<S>>,
    Query(query): Query<SettlementReportQuery>,
    auth: KeyAuth,
) -> ApiResult<Response> {
    let format = reports::format_of(&query)?;
    let report = reports::settlements(&app.store, auth.caller, query).await?;
    Ok(match format {
        reports::Format::Json => Json(report).into_response(),
        reports::Format::Csv => {
            let mut response = reports::csv(&report).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            response
        }
    })
}
