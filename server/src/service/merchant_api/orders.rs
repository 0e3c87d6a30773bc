//! Orders a shop runs with its API key: created under the shop's own `merchant_reference`
//! (unique per merchant: the same reference twice is the same order), with line items,
//! metadata and a description for the buyer; read by id or reference, listed by state and
//! time range; shipped, cancelled and refund requests answered.

use std::collections::BTreeMap;

use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{
    LineItem, MerchantCreateOrder, MerchantOrderList, MerchantOrderQuery, MerchantOrderView,
    parse_amount, positive_amount,
};
use danbao_domain::qr::danbao::Nonce;

use super::views::view_of;
use super::{KeyCaller, Scope, once_for_key, require_merchant};
use crate::app::App;
use crate::service::order_flows;
use crate::service::orders::{self as escrow, Action, Actor, NewOrder};
use crate::service::{Answer, ServiceError, ServiceResult};
use crate::store::merchant_api::{MerchantOrderFilter, MerchantOrderRecord};
use crate::store::{OrderRecord, Store, Tx};

/// Longest merchant reference.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// Longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Most line items.
pub const MAX_LINE_ITEMS: usize = 100;
/// Longest line item name or SKU.
pub const MAX_ITEM_NAME_CHARS: usize = 120;
/// Most metadata keys.
pub const MAX_METADATA_KEYS: usize = 20;
/// Longest metadata key.
pub const MAX_METADATA_KEY_CHARS: usize = 40;
/// Longest metadata value.
pub const MAX_METADATA_VALUE_CHARS: usize = 500;

const STATES: [&str; 8] = [
    "awaiting_payment",
    "paid",
    "shipped",
    "refund_requested",
    "disputed",
    "completed",
    "cancelled",
    "refunded",
];

fn check_reference(reference: &str) -> ServiceResult<()> {
    let count = reference.chars().count();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:/".contains(c);
    if count == 0 || count > MAX_REFERENCE_CHARS || !reference.chars().all(allowed) {
        return Err(ServiceError::unprocessable(
            "invalid_reference",
            format!(
                "merchant_reference {reference:?} must be 1 to {MAX_REFERENCE_CHARS} characters \
                 of A-Z, a-z, 0-9, '-', '_', '.', ':' and '/'"
            ),
        ));
    }
    Ok(())
}

fn check_metadata(metadata: &BTreeMap<String, String>) -> ServiceResult<()> {
    let refuse = |detail: String| Err(ServiceError::unprocessable("invalid_metadata", detail));
    if metadata.len() > MAX_METADATA_KEYS {
        return refuse(format!(
            "metadata has {} keys; at most {MAX_METADATA_KEYS} are allowed",
            metadata.len()
        ));
    }
    for (key, value) in metadata {
        let key_chars = key.chars().count();
        if key_chars == 0 || key_chars > MAX_METADATA_KEY_CHARS || key.chars().any(char::is_control)
        {
            return refuse(format!(
                "metadata key {key:?} must be 1 to {MAX_METADATA_KEY_CHARS} characters without \
                 control characters"
            ));
        }
        if value.chars().count() > MAX_METADATA_VALUE_CHARS || value.chars().any(char::is_control) {
            return refuse(format!(
                "metadata value of {key:?} must be at most {MAX_METADATA_VALUE_CHARS} characters \
                 without control characters"
            ));
        }
    }
    Ok(())
}

/// Checks the lines against the order's amount and answers them normalized.
fn check_line_items(items: &[LineItem], amount: Money) -> ServiceResult<Vec<LineItem>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    if items.len() > MAX_LINE_ITEMS {
        return Err(ServiceError::unprocessable(
            "invalid_line_items",
            format!(
                "{} line items; at most {MAX_LINE_ITEMS} are allowed",
                items.len()
            ),
        ));
    }
    let currency = amount.currency();
    let mut total: i64 = 0;
    let mut normalized = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        escrow::check_text("line item name", &item.name, MAX_ITEM_NAME_CHARS)?;
        if let Some(sku) = &item.sku {
            escrow::check_text("line item sku", sku, MAX_ITEM_NAME_CHARS)?;
        }
        if !(1..=1_000_000).contains(&item.quantity) {
            return Err(ServiceError::unprocessable(
                "invalid_line_items",
                format!(
                    "line item {index} has quantity {}; 1 to 1,000,000 is allowed",
                    item.quantity
                ),
            ));
        }
        let unit = unit_amount(&item.unit_amount, currency)?;
        total = unit
            .minor()
            .checked_mul(i64::from(item.quantity))
            .and_then(|line| total.checked_add(line))
            .ok_or_else(|| {
                ServiceError::unprocessable("invalid_line_items", "the line items overflow")
            })?;
        normalized.push(LineItem {
            unit_amount: unit.format(),
            ..item.clone()
        });
    }
    if total != amount.minor() {
        return Err(ServiceError::unprocessable(
            "line_items_mismatch",
            format!(
                "the line items add up to {}, the order's amount is {}",
                Money::from_minor(total, currency).format_with_code(),
                amount.format_with_code()
            ),
        ));
    }
    Ok(normalized)
}

/// A unit price: zero or positive.
fn unit_amount(text: &str, currency: Currency) -> ServiceResult<Money> {
    if Money::parse(text.trim(), currency).is_ok_and(|money| money.minor() == 0) {
        return Ok(Money::from_minor(0, currency));
    }
    Ok(positive_amount(text, currency)?)
}

/// The shop's data of a new order, checked.
#[derive(Clone)]
pub struct Checked {
    new: NewOrder,
    record: MerchantOrderRecord,
    nonce: Nonce,
}

/// Checks a create request outside the write job and picks the order's id and code nonce.
pub fn check_create<S: Store>(app: &App<S>, body: MerchantCreateOrder) -> ServiceResult<Checked> {
    check_reference(&body.merchant_reference)?;
    escrow::check_text("title", &body.title, escrow::MAX_TITLE_CHARS)?;
    if let Some(description) = &body.description {
        escrow::check_text("description", description, MAX_DESCRIPTION_CHARS)?;
    }
    check_metadata(&body.metadata)?;
    let amount = parse_amount(&body.amount, &body.currency)?;
    let line_items = check_line_items(&body.line_items, amount)?;
    let id = order_flows::order_id(app)?;
    let new = NewOrder {
        id: id.clone(),
        windows: order_flows::windows(&app.config, body.pay_window_secs, body.auto_confirm_secs)?,
        title: body.title,
        amount,
        buyer: body.buyer,
    };
    let record = MerchantOrderRecord {
        order_id: id,
        merchant_id: 0,
        merchant_reference: body.merchant_reference,
        description: body.description,
        line_items: serde_json::to_string(&line_items).map_err(ServiceError::storage)?,
        metadata: serde_json::to_string(&body.metadata).map_err(ServiceError::storage)?,
        created_at: 0,
        paid_at: None,
        shipped_at: None,
        completed_at: None,
        cancelled_at: None,
        refunded_at: None,
    };
    let nonce = Nonce::random(&app.rng).map_err(ServiceError::storage)?;
    Ok(Checked { new, record, nonce })
}

/// `POST /v1/merchant-api/orders`: creates the order, or answers the one the reference
/// already names.
pub async fn create<S: Store>(
    app: &App<S>,
    caller: KeyCaller,
    checked: Checked,
) -> ServiceResult<Answer> {
    caller.require(Scope::OrdersWrite)?;
    let now = app.now();
    let signer = app.clone();
    app.store
        .write(move |tx| {
            let checked = checked.clone();
            once_for_key(tx, &caller, now, |tx| {
                require_merchant(tx, caller.user_id)?;
                let reference = &checked.record.merchant_reference;
                if let Some(existing) = tx.order_by_reference(caller.user_id, reference)? {
                    let record = tx
                        .order(&existing)?
                        .ok_or_else(|| escrow::unknown_order(&existing))?;
                    if record.order.amount != checked.new.amount
                        || record.title != checked.new.title
                    {
                        return Err(ServiceError::conflict(
                            "reference_conflict",
                            format!(
                                "merchant_reference {reference:?} is order {} of {} for {:?}; \
                                 a reference names one order: use a new reference for a new \
                                 order",
                                record.id,
                                record.order.amount.format_with_code(),
                                record.title
                            ),
                        ));
                    }
                    let code = fresh_code(tx, &signer, &checked, &record, now)?;
                    let mut view = view_of(tx, &record, now)?;
                    view.code = code;
                    return Answer::ok(&view);
                }
                let (record, seller) = escrow::create(tx, caller.user_id, &checked.new, now)?;
                let shop = MerchantOrderRecord {
                    merchant_id: caller.user_id,
                    created_at: now,
                    ..checked.record.clone()
                };
                if !tx.insert_merchant_order(&shop)? {
                    return Err(ServiceError::storage("the reference was taken meanwhile"));
                }
                super::webhooks::order_event(tx, &record, "order.created", now)?;
                let code =
                    escrow::order_code(&signer.code_signer, checked.nonce, &record, &seller, now)?;
                let mut view = view_of(tx, &record, now)?;
                view.code = Some(code);
                Answer::created(&view)
            })
        })
        .await
}

/// A code for an existing order that still awaits payment.
fn fresh_code<S: Store>(
    tx: &mut dyn Tx,
    app: &App<S>,
    checked: &Checked,
    record: &OrderRecord,
    now: i64,
) -> ServiceResult<Option<String>> {
    if record.order.state != danbao_domain::escrow::OrderState::AwaitingPayment
        || record.order.pay_by <= now
    {
        return Ok(None);
    }
    let seller = tx
        .user(record.seller_id)?
        .ok_or_else(|| ServiceError::storage("the order's seller has no user row"))?;
    escrow::order_code(&app.code_signer, checked.nonce, record, &seller, now).map(Some)
}

/// The merchant's order `id`: 404 unless the merchant is its seller.
fn own_order(tx: &mut dyn Tx, merchant_id: i64, id: &str) -> ServiceResult<OrderRecord> {
    tx.order(id)?
        .filter(|record| record.seller_id == merchant_id)
        .ok_or_else(|| escrow::unknown_order(id))
}

/// `GET /v1/merchant-api/orders/{id}`.
pub async fn show<S: Store>(
    store: &S,
    caller: KeyCaller,
    id: String,
    now: i64,
) -> ServiceResult<MerchantOrderView> {
    caller.require(Scope::OrdersRead)?;
    store
        .read(move |tx| {
            let record = own_order(tx, caller.user_id, &id)?;
            view_of(tx, &record, now)
        })
        .await
}

/// `GET /v1/merchant-api/orders/by-reference/{reference}`.
pub async fn by_reference<S: Store>(
    store: &S,
    caller: KeyCaller,
    reference: String,
    now: i64,
) -> ServiceResult<MerchantOrderView> {
    caller.require(Scope::OrdersRead)?;
    store
        .read(move |tx| {
            let id = tx
                .order_by_reference(caller.user_id, &reference)?
                .ok_or_else(|| {
                    ServiceError::not_found(
                        "unknown_order",
                        format!("there is no order with merchant_reference {reference:?}"),
                    )
                })?;
            let record = own_order(tx, caller.user_id, &id)?;
            view_of(tx, &record, now)
        })
        .await
}

/// `GET /v1/merchant-api/orders`: the shop's orders, newest first, filtered.
pub async fn list<S: Store>(
    store: &S,
    caller: KeyCaller,
    query: MerchantOrderQuery,
    limit: u32,
    now: i64,
) -> ServiceResult<MerchantOrderList> {
    caller.require(Scope::OrdersRead)?;
    if let Some(state) = &query.state
        && !STATES.contains(&state.as_str())
    {
        return Err(ServiceError::bad_request(
            "invalid_query",
            format!("state {state:?} is not one of {}", STATES.join(", ")),
        ));
    }
    let before = query
        .cursor
        .as_deref()
        .map(escrow::parse_cursor)
        .transpose()?;
    store
        .read(move |tx| {
            let ids = match &query.reference {
                Some(reference) => tx
                    .order_by_reference(caller.user_id, reference)?
                    .into_iter()
                    .collect(),
                None => tx.merchant_orders(&MerchantOrderFilter {
                    merchant_id: caller.user_id,
                    state: query.state.clone(),
                    created_from: query.created_from,
                    created_to: query.created_to,
                    before,
                    limit,
                })?,
            };
            let mut items = Vec::with_capacity(ids.len());
            let mut last = None;
            for id in &ids {
                let record = own_order(tx, caller.user_id, id)?;
                if let Some(state) = &query.state
                    && query.reference.is_some()
                    && state_name(&record) != *state
                {
                    continue;
                }
                last = Some(escrow::cursor_of(&record));
                items.push(view_of(tx, &record, now)?);
            }
            let next_cursor = (query.reference.is_none() && ids.len() == limit as usize)
                .then_some(last)
                .flatten();
            Ok(MerchantOrderList { items, next_cursor })
        })
        .await
}

fn state_name(record: &OrderRecord) -> String {
    serde_json::to_value(record.order.state)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A step the shop takes on its order with its key: ship and cancel (`orders:write`),
/// accept or reject a refund request (`refunds:write`). The buyer's steps are refused.
pub async fn step<S: Store>(
    store: &S,
    caller: KeyCaller,
    id: String,
    action: Action,
    now: i64,
) -> ServiceResult<Answer> {
    let scope = match &action {
        Action::Ship { .. } | Action::Cancel => Scope::OrdersWrite,
        Action::AcceptRefund | Action::RejectRefund => Scope::RefundsWrite,
        _ => {
            return Err(ServiceError::forbidden(
                "wrong_actor",
                "a merchant API key ships, cancels and answers refund requests; the buyer's \
                 steps are the buyer's",
            ));
        }
    };
    caller.require(scope)?;
    store
        .write(move |tx| {
            once_for_key(tx, &caller, now, |tx| {
                own_order(tx, caller.user_id, &id)?;
                let record = escrow::step(tx, &id, Actor::User(caller.user_id), &action, now)?;
                Answer::ok(&view_of(tx, &record, now)?)
            })
        })
        .await
}
