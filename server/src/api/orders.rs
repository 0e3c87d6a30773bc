//! Escrow orders over HTTP (DESIGN.md §4): create, read, list, every transition, pay by
//! scanned order code, and the operator's view and resolution.
//!
//! Every step is a signed POST with an Idempotency-Key; the handler only parses and hands the
//! request to its flow in [`crate::service::order_flows`]; the rules are the escrow machine's.

use axum::Json;
use axum::extract::{Request, State};

use super::extract::{Path, Query};
use danbao_domain::protocol::wire::{
    CreateOrder, CreatedOrder, OrderList, OrderPage, OrderView, Resolve, ScannedCode, StepAction,
};

use crate::app::App;
use crate::auth::{Operator, Signed};
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::Actor;
use crate::service::{self, Answer, order_flows};
use crate::store::Store;
use danbao_domain::protocol::wire::OrderAction;
use danbao_domain::protocol::{Command, OrderStepCommand};

/// `POST /v1/orders`: the caller (seller) opens an order and gets the code to show the buyer.
#[utoipa::path(
    post,
    path = "/v1/orders",
    tag = "orders",
    request_body = CreateOrder,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "The order as the seller sees it, and the signed code the buyer scans", body = CreatedOrder),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_text, invalid_amount, invalid_currency, invalid_window, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn create<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::CreateOrder(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `GET /v1/orders/{id}`: the order as the caller (buyer or seller) sees it; 404 for others.
#[utoipa::path(
    get,
    path = "/v1/orders/{id}",
    tag = "orders",
    params(("id" = String, Path, description = "The order id (ord_…)")),
    responses(
        (status = 200, description = "The order as the caller (buyer or seller) sees it", body = OrderView),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 404, description = "unknown_order", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn show<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    signed: Signed,
) -> ApiResult<Json<OrderView>> {
    Ok(Json(
        order_flows::show(&app.store, signed.user_id, id, app.now()).await?,
    ))
}

/// `GET /v1/orders?cursor=&limit=`: the caller's orders (as buyer or seller), newest first,
/// by keyset pagination.
#[utoipa::path(
    get,
    path = "/v1/orders",
    tag = "orders",
    params(OrderPage),
    responses(
        (status = 200, description = "The caller's orders, newest first", body = OrderList),
        (status = 400, description = "invalid_limit, invalid_cursor", body = Problem),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn list<S: Store>(
    State(app): State<App<S>>,
    Query(page): Query<OrderPage>,
    signed: Signed,
) -> ApiResult<Json<OrderList>> {
    let limit = super::http::page_limit(page.limit)?;
    let list = order_flows::list(&app.store, signed.user_id, page.cursor, limit, app.now()).await?;
    Ok(Json(list))
}

/// `POST /v1/orders/{id}/{action}`: one step by the buyer or seller — `pay`, `ship`
/// {carrier, tracking}, `cancel`, `confirm`, `refund-request` {amount}, `refund-accept`,
/// `refund-reject` (and `resolve`, which the machine refuses to anyone but the operator).
/// Answers the order as the caller now sees it.
#[utoipa::path(
    post,
    path = "/v1/orders/{id}/{action}",
    tag = "orders",
    request_body(content = Option<super::doc::StepBody>, description = "ship: ShipBody; refund-request: RefundBody; the other steps: no body or {}"),
    params(("id" = String, Path, description = "The order id (ord_…)"), ("action" = StepAction, Path, description = "The step (resolve is the operator's and answers 403 here)"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "The order as the caller now sees it", body = OrderView),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "wrong_party", body = Problem),
        (status = 404, description = "unknown_order, no_such_route (unknown action)", body = Problem),
        (status = 409, description = "illegal_transition", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_text, invalid_amount, insufficient_funds, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn act<S: Store>(
    State(app): State<App<S>>,
    Path((id, slug)): Path<(String, String)>,
    signed: Signed,
) -> ApiResult<Answer> {
    // A party may name the operator's step too: the escrow machine refuses it (wrong party,
    // or no dispute to settle) in the words it uses for every step.
    let command = if slug == "resolve" {
        Command::ResolveOrder {
            order_id: id,
            resolution: service::parse_body(&signed.body)?,
        }
    } else {
        Command::OrderStep {
            order_id: id,
            step: step_command(&slug, &signed.body)?,
        }
    };
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `POST /v1/orders/pay-code` {code}: pays the order of a scanned order code. The code must be
/// genuine (signed by this server), unexpired, unused and match its order.
#[utoipa::path(
    post,
    path = "/v1/orders/pay-code",
    tag = "orders",
    request_body = ScannedCode,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Paid into escrow: the order as the buyer sees it", body = OrderView),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "wrong_party", body = Problem),
        (status = 404, description = "unknown_order", body = Problem),
        (status = 409, description = "code_used, illegal_transition", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_code, code_not_genuine, code_expired, code_not_yet_valid, not_an_order_code, code_mismatch, insufficient_funds, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn pay_code<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::PayOrderCode(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `GET /v1/admin/orders/{id}` (operator): any order, with the operator's actions.
#[utoipa::path(
    get,
    path = "/v1/admin/orders/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The order id (ord_…)")),
    security(("operator" = [])),
    responses(
        (status = 200, description = "Any order, with the operator's actions", body = OrderView),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_order", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn admin_show<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderView>> {
    Ok(Json(
        order_flows::admin_show(&app.store, id, app.now()).await?,
    ))
}

/// `POST /v1/admin/orders/{id}/resolve` (operator) {resolution: release|refund|split,
/// to_seller?}: settles a disputed order. Needs an Idempotency-Key.
#[utoipa::path(
    post,
    path = "/v1/admin/orders/{id}/resolve",
    tag = "admin",
    request_body = Resolve,
    params(("id" = String, Path, description = "The order id (ord_…)"), super::doc::IdempotencyKey),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The settled order as the operator sees it", body = OrderView),
        (status = 400, description = super::doc::OPERATOR_WRITE_400, body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_order", body = Problem),
        (status = 409, description = "illegal_transition", body = Problem),
        (status = 422, description = "invalid_amount, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn resolve<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Path(id): Path<String>,
    request: Request,
) -> ApiResult<Answer> {
    let (call, body) = super::http::operator_call(request).await?;
    let command = Command::ResolveOrder {
        order_id: id,
        resolution: service::parse_body(&body)?,
    };
    service::run(&app, Actor::Operator(Some(call)), command).await
}

/// The step named by a path segment (`pay`, `ship`, `cancel`, `confirm`, `refund-request`,
/// `refund-accept`, `refund-reject`) with its JSON body: a step without parameters takes an
/// empty body or `{}`.
pub(crate) fn step_command(slug: &str, body: &[u8]) -> ApiResult<OrderStepCommand> {
    let step = StepAction::from_slug(slug).ok_or_else(|| {
        ApiError::not_found(
            "no_such_route",
            format!(
                "orders have no action {slug:?}; use pay, ship, cancel, confirm, \
                 refund-request, refund-accept, refund-reject or resolve"
            ),
        )
    })?;
    let plain = |action: OrderAction| -> ApiResult<OrderStepCommand> {
        if !body.iter().all(u8::is_ascii_whitespace) {
            service::parse_body::<NoFields>(body)?;
        }
        Ok(OrderStepCommand::Plain(action))
    };
    match step {
        StepAction::Pay => plain(OrderAction::Pay),
        StepAction::Cancel => plain(OrderAction::Cancel),
        StepAction::Confirm => plain(OrderAction::Confirm),
        StepAction::RefundAccept => plain(OrderAction::AcceptRefund),
        StepAction::RefundReject => plain(OrderAction::RejectRefund),
        StepAction::Ship => Ok(OrderStepCommand::Ship(service::parse_body(body)?)),
        StepAction::RefundRequest => {
            Ok(OrderStepCommand::RequestRefund(service::parse_body(body)?))
        }
    }
}

/// The body of a step without parameters: nothing, or an object without fields.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}
