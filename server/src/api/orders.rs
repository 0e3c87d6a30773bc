//! Escrow orders over HTTP (DESIGN.md §4): create, read, list, every transition, pay by
//! scanned order code, and the operator's view and resolution.
//!
//! Every step is a signed POST with an Idempotency-Key; the handler only parses and hands a
//! job to the store, and the rules are the escrow machine's (see [`crate::service::orders`]).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Request, State};

use super::extract::{Path, Query};
use danbao_domain::escrow::{Party, UnansweredRefund, Windows};
use danbao_domain::protocol::wire::{
    CreateOrder, CreatedOrder, OrderList, OrderPage, OrderView, Resolve, ScannedCode, StepAction,
    parse_amount,
};
use danbao_domain::qr::danbao::Nonce;
use ring::rand::SecureRandom;

use crate::app::App;
use crate::auth::{Operator, Signed};
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::orders::{self as escrow, Action, Actor, NewOrder};
use crate::service::{self, Answer};
use crate::store::Store;

fn window(name: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> ApiResult<i64> {
    match value {
        None => Ok(default),
        Some(secs) if (min..=max).contains(&secs) => Ok(secs),
        Some(secs) => Err(ApiError::unprocessable(
            "invalid_window",
            format!("{name} {secs} is outside {min} to {max} seconds"),
        )),
    }
}

fn order_id<S: Store>(app: &App<S>) -> ApiResult<String> {
    let mut bytes = [0u8; 12];
    app.rng
        .fill(&mut bytes)
        .map_err(|_| ApiError::storage("the random source failed"))?;
    Ok(format!(
        "ord_{}",
        danbao_domain::protocol::hex_lower(&bytes)
    ))
}

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
    let request: CreateOrder = service::parse_body(&signed.body)?;
    escrow::check_text("title", &request.title, escrow::MAX_TITLE_CHARS)?;
    let amount = parse_amount(&request.amount, &request.currency)?;
    let config = &app.config;
    let windows = Windows {
        pay: window(
            "pay_window_secs",
            request.pay_window_secs,
            config.pay_window_secs,
            escrow::MIN_PAY_WINDOW_SECS,
            escrow::MAX_PAY_WINDOW_SECS,
        )?,
        auto_confirm: window(
            "auto_confirm_secs",
            request.auto_confirm_secs,
            config.auto_confirm_secs,
            escrow::MIN_AUTO_CONFIRM_SECS,
            escrow::MAX_AUTO_CONFIRM_SECS,
        )?,
        refund_answer: config.refund_answer_secs,
        unanswered_refund: if config.auto_accept_refunds {
            UnansweredRefund::AutoAccept
        } else {
            UnansweredRefund::Dispute
        },
    };
    let new = NewOrder {
        id: order_id(&app)?,
        title: request.title,
        amount,
        windows,
    };
    let nonce = Nonce::random(&app.rng).map_err(ApiError::storage)?;
    let now = app.now();
    let signer = app.clone();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let (record, seller) = escrow::create(tx, signed.user_id, &new, now)?;
                let code = escrow::order_code(&signer.code_signer, nonce, &record, &seller, now)?;
                let order = escrow::view_of(&record, &seller, None, Party::Seller);
                Answer::with_status(201, &CreatedOrder { order, code })
            })
        })
        .await
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
    let view = app
        .store
        .read(move |tx| escrow::visible(tx, &id, signed.user_id))
        .await?;
    Ok(Json(view))
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
    let before = page
        .cursor
        .as_deref()
        .map(escrow::parse_cursor)
        .transpose()?;
    let user_id = signed.user_id;
    let list = app
        .store
        .read(move |tx| {
            let before = before.as_ref().map(|(at, id)| (*at, id.as_str()));
            let records = tx.orders_page(user_id, before, limit)?;
            let next_cursor = (records.len() == limit as usize)
                .then(|| records.last().map(escrow::cursor_of))
                .flatten();
            let mut items = Vec::with_capacity(records.len());
            for record in &records {
                let role = escrow::role_of(record, user_id).unwrap_or(Party::Buyer);
                items.push(escrow::view(tx, record, role)?);
            }
            Ok::<_, ApiError>(OrderList { items, next_cursor })
        })
        .await?;
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
    let action = Action::from_request(&slug, &signed.body)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let record = escrow::step(tx, &id, Actor::User(signed.user_id), &action, now)?;
                let role = escrow::role_of(&record, signed.user_id).unwrap_or(Party::Buyer);
                Answer::ok(&escrow::view(tx, &record, role)?)
            })
        })
        .await
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
    let request: ScannedCode = service::parse_body(&signed.body)?;
    let keys = HashMap::from([(app.code_signer.key_id().to_owned(), app.code_public_key)]);
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let record = escrow::pay_by_code(tx, &request.code, &keys, signed.user_id, now)?;
                Answer::ok(&escrow::view(tx, &record, Party::Buyer)?)
            })
        })
        .await
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
    let view = app
        .store
        .read(move |tx| {
            let record = tx.order(&id)?.ok_or_else(|| escrow::unknown_order(&id))?;
            escrow::view(tx, &record, Party::Operator)
        })
        .await?;
    Ok(Json(view))
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
    let (parts, body) = request.into_parts();
    let body = super::http::read_body(body).await?;
    let key = parts
        .headers
        .get(danbao_domain::protocol::HEADER_IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(service::missing_key)?;
    let hash = service::request_hash(parts.method.as_str(), parts.uri.path(), &body);
    let action = Action::from_request("resolve", &body)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once_keyed(tx, -1, &key, &hash, now, |tx| {
                let record = escrow::step(tx, &id, Actor::Operator, &action, now)?;
                Answer::ok(&escrow::view(tx, &record, Party::Operator)?)
            })
        })
        .await
}
