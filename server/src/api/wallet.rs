//! Money in, out and between friends; balances, activity and the event feed.

use axum::Json;
use axum::extract::{Request, State};

use super::extract::Query;
use danbao_domain::money::Money;
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;
use danbao_domain::protocol::wire::{
    self, BalanceView, Direction, FeedEvent, FeedPage, Moved, Movement, Page, PaymentKind, Send,
    TopUp, TransferEvent, Withdraw, parse_amount,
};

use crate::app::App;
use crate::auth::{Operator, Signed};
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::ledger;
use crate::service::{self, Answer};
use crate::store::{AccountKind, Store, Tx, User};

/// Records a movement in a user's feed.
pub fn record(tx: &mut dyn Tx, user_id: i64, event: TransferEvent, now: i64) -> ApiResult<()> {
    tx.append_event(user_id, &FeedEvent::Transfer(event), now)?;
    Ok(())
}

fn user_by_handle(tx: &mut dyn Tx, handle: &str) -> ApiResult<User> {
    tx.user_by_handle(&handle.to_ascii_lowercase())?
        .ok_or_else(|| {
            ApiError::not_found("unknown_user", format!("no user has the handle {handle:?}"))
        })
}

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
    if !app.config.sandbox {
        return Err(ApiError::forbidden(
            "sandbox_off",
            "top-ups exist only in sandbox mode",
        ));
    }
    let (parts, body) = request.into_parts();
    let body = super::http::read_body(body).await?;
    let key = parts
        .headers
        .get(danbao_domain::protocol::HEADER_IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(service::missing_key)?;
    let hash = service::request_hash(parts.method.as_str(), parts.uri.path(), &body);
    let top_up: TopUp = service::parse_body(&body)?;
    let amount = parse_amount(&top_up.amount, &top_up.currency)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once_keyed(tx, -1, &key, &hash, now, |tx| {
                let user = user_by_handle(tx, &top_up.handle)?;
                let funding = ledger::system(tx, AccountKind::Funding, amount.currency())?;
                let wallet = ledger::wallet(tx, user.id, amount.currency())?;
                let id = ledger::transfer_id(-1, &key, "top-up");
                ledger::apply(tx, ledger::posted(id, &funding, &wallet, amount), now)?;
                let movement = Movement {
                    direction: Direction::In,
                    transfer_id: format!("{:032x}", id.0),
                    amount: amount.into(),
                };
                record(tx, user.id, TransferEvent::TopUp(movement), now)?;
                moved(tx, id.0, amount, user.id)
            })
        })
        .await
}

fn moved(tx: &mut dyn Tx, id: u128, amount: Money, user_id: i64) -> ApiResult<Answer> {
    let wallet = ledger::wallet(tx, user_id, amount.currency())?;
    Answer::ok(&Moved {
        transfer_id: format!("{id:032x}"),
        amount: amount.into(),
        balance: BalanceView::from(&wallet),
    })
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
    let request: Withdraw = service::parse_body(&signed.body)?;
    let amount = parse_amount(&request.amount, &request.currency)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let key = signed.idempotency_key.as_deref().unwrap_or_default();
                let wallet = ledger::wallet(tx, signed.user_id, amount.currency())?;
                let sink = ledger::system(tx, AccountKind::Withdrawal, amount.currency())?;
                let id = ledger::transfer_id(signed.user_id, key, "withdrawal");
                ledger::apply(tx, ledger::posted(id, &wallet, &sink, amount), now)?;
                let movement = Movement {
                    direction: Direction::Out,
                    transfer_id: format!("{:032x}", id.0),
                    amount: amount.into(),
                };
                record(tx, signed.user_id, TransferEvent::Withdrawal(movement), now)?;
                moved(tx, id.0, amount, signed.user_id)
            })
        })
        .await
}

/// What a user-to-user payment is: its transfer id, its kind in the feed, and a memo.
#[derive(Debug, Clone, Copy)]
pub struct Payment<'a> {
    /// The ledger transfer id.
    pub id: danbao_domain::ledger::TransferId,
    /// Its `type` in the feeds.
    pub kind: PaymentKind,
    /// Shown to both sides.
    pub memo: &'a str,
}

/// Moves `amount` from one user's wallet to another's and records it in both feeds.
pub fn pay_user(
    tx: &mut dyn Tx,
    from: &User,
    to: &User,
    amount: Money,
    payment: Payment<'_>,
    now: i64,
) -> ApiResult<()> {
    let Payment { id, kind, memo } = payment;
    if from.id == to.id {
        return Err(ApiError::unprocessable(
            "same_account",
            "you cannot pay yourself",
        ));
    }
    let source = ledger::wallet(tx, from.id, amount.currency())?;
    let target = ledger::wallet(tx, to.id, amount.currency())?;
    let transfer = ledger::posted(id, &source, &target, amount);
    ledger::apply_between(tx, transfer, &source, &target, now)?;
    let transfer_id = format!("{:032x}", id.0);
    for (user_id, direction, other) in [(from.id, Direction::Out, to), (to.id, Direction::In, from)]
    {
        let payment = wire::Payment {
            direction,
            transfer_id: transfer_id.clone(),
            counterparty: other.handle.clone(),
            counterparty_name: other.display_name.clone(),
            amount: amount.into(),
            memo: memo.to_owned(),
        };
        record(tx, user_id, TransferEvent::payment(kind, payment), now)?;
    }
    Ok(())
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
    let request: Send = service::parse_body(&signed.body)?;
    let amount = parse_amount(&request.amount, &request.currency)?;
    if request.memo.chars().count() > MAX_MEMO_CHARS {
        return Err(ApiError::unprocessable(
            "memo_too_long",
            format!("a memo has at most {MAX_MEMO_CHARS} characters"),
        ));
    }
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let key = signed.idempotency_key.as_deref().unwrap_or_default();
                let from = tx
                    .user(signed.user_id)?
                    .ok_or_else(|| ApiError::not_found("unknown_user", "the sender is gone"))?;
                let to = user_by_handle(tx, &request.to)?;
                let id = ledger::transfer_id(signed.user_id, key, "p2p");
                pay_user(
                    tx,
                    &from,
                    &to,
                    amount,
                    Payment {
                        id,
                        kind: PaymentKind::P2p,
                        memo: &request.memo,
                    },
                    now,
                )?;
                moved(tx, id.0, amount, signed.user_id)
            })
        })
        .await
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
    let wallets = app
        .store
        .read(move |tx| tx.wallets_of(signed.user_id))
        .await?;
    Ok(Json(wallets.iter().map(BalanceView::from).collect()))
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
    let before = page.cursor.unwrap_or(i64::MAX);
    let items = app
        .store
        .read(move |tx| tx.events_before(signed.user_id, "transfer", before, limit))
        .await?;
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|e| e.seq))
        .flatten();
    Ok(Json(FeedPage { items, next_cursor }))
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
    let after = page.cursor.unwrap_or(0);
    let items = app
        .store
        .read(move |tx| tx.events_after(signed.user_id, after, limit))
        .await?;
    let next_cursor = Some(items.last().map_or(after, |e| e.seq));
    Ok(Json(FeedPage { items, next_cursor }))
}
