//! Money in, out and between friends; balances, activity and the event feed (the flows are
//! [`crate::service::wallet`]'s).

use axum::Json;
use axum::extract::{Request, State};

use super::extract::Query;
use danbao_domain::protocol::wire::{
    BalanceView, Deposit, FeedPage, Moved, Page, Send, TopUp, Withdraw,
};

use crate::app::App;
use crate::auth::{Operator, Signed};
use crate::error::{ApiResult, Problem};
use crate::service::Actor;
use crate::service::{self, Answer, wallet};
use crate::store::Store;
use danbao_domain::protocol::Command;

/// `POST /v1/sandbox/top-ups`: funds a wallet from the sandbox funding account.
#[utoipa::path(
    post,
    path = "/v1/sandbox/top-ups",
    tag = "wallet",
    request_body = TopUp,
    params(super::doc::IdempotencyKey),
    security(("operator" = [])),
    responses(
        (status = 200, description = "Funded; `balance` is the payee's", body = Moved),
        (status = 400, description = super::doc::OPERATOR_WRITE_400, body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 403, description = "sandbox_off", body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, amount_too_large, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn top_up<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    request: Request,
) -> ApiResult<Answer> {
    let (call, body) = super::http::operator_call(request).await?;
    let command = Command::TopUp(service::parse_body(&body)?);
    service::run(&app, Actor::Operator(Some(call)), command).await
}

/// `POST /v1/admin/deposits` (operator): credits a user from the settlement account against a
/// bank transfer's reference, once per reference (and, like every operator write, once per
/// Idempotency-Key).
#[utoipa::path(
    post,
    path = "/v1/admin/deposits",
    tag = "admin",
    request_body = Deposit,
    params(super::doc::IdempotencyKey),
    security(("operator" = [])),
    responses(
        (status = 200, description = "Credited (or, for a reference seen before with the same user and amount, the same deposit again); `balance` is the user's", body = Moved),
        (status = 400, description = "invalid_external_ref, missing_idempotency_key, bad_idempotency_key, invalid_body", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 409, description = "deposit_ref_conflict", body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, amount_too_large, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn deposit<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    request: Request,
) -> ApiResult<Answer> {
    let (call, body) = super::http::operator_call(request).await?;
    let command = Command::Deposit(service::parse_body(&body)?);
    service::run(&app, Actor::Operator(Some(call)), command).await
}

/// `POST /v1/withdrawals`: moves money out of the caller's wallet.
#[utoipa::path(
    post,
    path = "/v1/withdrawals",
    tag = "wallet",
    request_body = Withdraw,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Withdrawn; `balance` is the caller's", body = Moved),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, insufficient_funds, amount_too_large, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn withdraw<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::Withdraw(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `POST /v1/transfers`: sends money to a friend by handle.
#[utoipa::path(
    post,
    path = "/v1/transfers",
    tag = "wallet",
    request_body = Send,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Sent; `balance` is the caller's", body = Moved),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, memo_too_long, same_account, insufficient_funds, amount_too_large, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn send<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::Send(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `GET /v1/balances`.
#[utoipa::path(
    get,
    path = "/v1/balances",
    tag = "wallet",
    responses(
        (status = 200, description = "The caller's wallets, one per currency", body = Vec<BalanceView>),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn balances<S: Store>(
    State(app): State<App<S>>,
    signed: Signed,
) -> ApiResult<Json<Vec<BalanceView>>> {
    Ok(Json(wallet::balances(&app.store, signed.user_id).await?))
}

/// `GET /v1/activity?cursor=&limit=`: the caller's money movements, newest first. Keyset
/// pagination over an index, so a page costs the same however long the history is.
#[utoipa::path(
    get,
    path = "/v1/activity",
    tag = "wallet",
    params(Page),
    responses(
        (status = 200, description = "Money movements (feed kind transfer), newest first", body = FeedPage),
        (status = 400, description = "invalid_limit", body = Problem),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn activity<S: Store>(
    State(app): State<App<S>>,
    Query(page): Query<Page>,
    signed: Signed,
) -> ApiResult<Json<FeedPage>> {
    let limit = super::http::page_limit(page.limit)?;
    let page = wallet::activity(&app.store, signed.user_id, page.cursor, limit).await?;
    Ok(Json(page))
}

/// `GET /v1/events?cursor=&limit=`: everything that happened to the caller after `cursor`,
/// oldest first — the sync feed.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "wallet",
    params(Page),
    responses(
        (status = 200, description = "Everything after `cursor`, oldest first; `next_cursor` is the cursor to poll with next", body = FeedPage),
        (status = 400, description = "invalid_limit", body = Problem),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn events<S: Store>(
    State(app): State<App<S>>,
    Query(page): Query<Page>,
    signed: Signed,
) -> ApiResult<Json<FeedPage>> {
    let limit = super::http::page_limit(page.limit)?;
    let page = wallet::events(&app.store, signed.user_id, page.cursor, limit).await?;
    Ok(Json(page))
}
