//! The escrow orders' requests as flows: a seller creates an order, a party reads or lists
//! them, takes a step, a buyer pays by scanned code, and the operator reads any order and
//! settles disputes. The machine, the ledger legs, the views and the feed are
//! [`super::orders`]'s; this module runs them for a caller inside one store transaction.

use std::collections::HashMap;

use danbao_domain::escrow::{Party, UnansweredRefund, Windows};
use danbao_domain::protocol::wire::{
    CreateOrder, CreatedOrder, OrderList, OrderView, Resolve, ScannedCode, parse_amount,
};
use danbao_domain::qr::danbao::Nonce;
use ring::rand::SecureRandom;

use super::orders::{self as escrow, Action, Actor, NewOrder};
use super::wallet::balance_after;
use super::{self as service, Answer, Caller, OperatorCall, ServiceError, ServiceResult};
use crate::app::App;
use crate::config::Config;
use crate::store::{OrderRecord, Store, Tx};

fn window(name: &str, value: Option<i64>, default: i64, min: i64, max: i64) -> ServiceResult<i64> {
    match value {
        None => Ok(default),
        Some(secs) if (min..=max).contains(&secs) => Ok(secs),
        Some(secs) => Err(ServiceError::unprocessable(
            "invalid_window",
            format!("{name} {secs} is outside {min} to {max} seconds"),
        )),
    }
}

/// The windows a new order runs on: the seller's, within the protocol's limits, or the
/// server's defaults.
pub(crate) fn windows(
    config: &Config,
    pay_window_secs: Option<i64>,
    auto_confirm_secs: Option<i64>,
) -> ServiceResult<Windows> {
    Ok(Windows {
        pay: window(
            "pay_window_secs",
            pay_window_secs,
            config.pay_window_secs,
            escrow::MIN_PAY_WINDOW_SECS,
            escrow::MAX_PAY_WINDOW_SECS,
        )?,
        auto_confirm: window(
            "auto_confirm_secs",
            auto_confirm_secs,
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
    })
}

pub(crate) fn order_id<S: Store>(app: &App<S>) -> ServiceResult<String> {
    let mut bytes = [0u8; 12];
    app.rng
        .fill(&mut bytes)
        .map_err(|_| ServiceError::storage("the random source failed"))?;
    Ok(format!(
        "ord_{}",
        danbao_domain::protocol::hex_lower(&bytes)
    ))
}

/// The caller (seller) opens an order and gets the signed code to show the buyer.
pub async fn create<S: Store>(
    app: &App<S>,
    caller: Caller,
    body: CreateOrder,
) -> ServiceResult<Answer> {
    escrow::check_text("title", &body.title, escrow::MAX_TITLE_CHARS)?;
    let amount = parse_amount(&body.amount, &body.currency)?;
    let new = NewOrder {
        id: order_id(app)?,
        windows: windows(&app.config, body.pay_window_secs, body.auto_confirm_secs)?,
        title: body.title,
        amount,
        buyer: body.buyer,
    };
    let nonce = Nonce::random(&app.rng).map_err(ServiceError::storage)?;
    let now = app.now();
    let signer = app.clone();
    service::write_once(&app.store, caller, now, move |tx, caller| {
        let (record, seller) = escrow::create(tx, caller.user_id, &new, now)?;
        let code = escrow::order_code(&signer.code_signer, nonce, &record, &seller, now)?;
        let order = escrow::view(tx, &record, Party::Seller, now)?;
        Answer::created(&CreatedOrder { order, code })
    })
    .await
}

/// Order `id` as the caller (buyer or seller) sees it; 404 for anyone else.
pub async fn show<S: Store>(
    store: &S,
    user_id: i64,
    id: String,
    now: i64,
) -> ServiceResult<OrderView> {
    store
        .read(move |tx| escrow::visible(tx, &id, user_id, now))
        .await
}

/// The caller's orders (as buyer or seller), newest first, by keyset pagination after
/// `cursor` (a `next_cursor` of a previous page).
pub async fn list<S: Store>(
    store: &S,
    user_id: i64,
    cursor: Option<String>,
    limit: u32,
    now: i64,
) -> ServiceResult<OrderList> {
    let before = cursor.as_deref().map(escrow::parse_cursor).transpose()?;
    store
        .read(move |tx| {
            let before = before.as_ref().map(|(at, id)| (*at, id.as_str()));
            let records = tx.orders_page(user_id, before, limit)?;
            let next_cursor = (records.len() == limit as usize)
                .then(|| records.last().map(escrow::cursor_of))
                .flatten();
            let mut items = Vec::with_capacity(records.len());
            for record in &records {
                let role = escrow::role_of(record, user_id).unwrap_or(Party::Buyer);
                items.push(escrow::view(tx, record, role, now)?);
            }
            Ok(OrderList { items, next_cursor })
        })
        .await
}

/// The order as `role` sees it after a step; a payment's answer carries the buyer's balance.
pub(crate) fn answer(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    role: Party,
    paid_by: Option<i64>,
    now: i64,
) -> ServiceResult<Answer> {
    let mut view = escrow::view(tx, record, role, now)?;
    if let Some(buyer) = paid_by {
        view.balance = Some(balance_after(tx, buyer, record.order.amount)?);
    }
    Answer::ok(&view)
}

/// One step by the buyer or seller (pay, ship, cancel, confirm, ask for, accept or reject a
/// refund). Answers the order as the caller now sees it.
pub async fn step<S: Store>(
    store: &S,
    caller: Caller,
    id: String,
    action: Action,
    now: i64,
) -> ServiceResult<Answer> {
    service::write_once(store, caller, now, move |tx, caller| {
        let record = escrow::step(tx, &id, Actor::User(caller.user_id), &action, now)?;
        let role = escrow::role_of(&record, caller.user_id).unwrap_or(Party::Buyer);
        let paid_by = (action == Action::Pay).then_some(caller.user_id);
        answer(tx, &record, role, paid_by, now)
    })
    .await
}

/// Pays the order of a scanned order code into escrow. The code is decoded and verified once
/// (genuine, unexpired, unused, matching its order); the answer carries the buyer's balance.
pub async fn pay_code<S: Store>(
    app: &App<S>,
    caller: Caller,
    body: ScannedCode,
) -> ServiceResult<Answer> {
    let keys = HashMap::from([(app.code_signer.key_id().to_owned(), app.code_public_key)]);
    let now = app.now();
    service::write_once(&app.store, caller, now, move |tx, caller| {
        let record = escrow::pay_by_code(tx, &body.code, &keys, caller.user_id, now)?;
        answer(tx, &record, Party::Buyer, Some(caller.user_id), now)
    })
    .await
}

/// Any order, as the operator sees it.
pub async fn admin_show<S: Store>(store: &S, id: String, now: i64) -> ServiceResult<OrderView> {
    store
        .read(move |tx| {
            let record = tx.order(&id)?.ok_or_else(|| escrow::unknown_order(&id))?;
            escrow::view(tx, &record, Party::Operator, now)
        })
        .await
}

/// The operator settles a disputed order (release, refund or split).
pub async fn resolve<S: Store>(
    store: &S,
    call: OperatorCall,
    id: String,
    resolution: Resolve,
    now: i64,
) -> ServiceResult<Answer> {
    let action = Action::from_resolution(resolution)?;
    store
        .write(move |tx| {
            service::once_keyed(tx, -1, &call.key, &call.request_hash, now, |tx| {
                let record = escrow::step(tx, &id, Actor::Operator, &action, now)?;
                answer(tx, &record, Party::Operator, None, now)
            })
        })
        .await
}
