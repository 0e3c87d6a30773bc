//! What each party (and the operator) sees of an order, and the order lists' cursors.

use danbao_domain::escrow::Party;
use danbao_domain::protocol::wire::{
    AmountView, DeadlineView, OrderView, PartyView, RefundRequestView, ShipmentView,
};

use super::action::action_slug;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{OrderRecord, Tx, User};

/// The view of `record` for `role` at `now`, with the parties already loaded. Its actions are
/// the steps the machine would take at `now`: none whose deadline has passed, even before the
/// timer loop has fired it.
pub fn view_of(
    record: &OrderRecord,
    seller: &User,
    buyer: Option<&User>,
    role: Party,
    now: i64,
) -> OrderView {
    let order = &record.order;
    OrderView {
        id: record.id.clone(),
        title: record.title.clone(),
        state: order.state,
        role,
        actions: order
            .allowed_events_at(role, now)
            .into_iter()
            .map(|name| action_slug(name).to_owned())
            .collect(),
        amount: order.amount.into(),
        seller: seller.into(),
        buyer: buyer.map(PartyView::from),
        pay_by: order.pay_by,
        auto_confirm_at: order.auto_confirm_at,
        refund_request: order.refund_request.map(|request| RefundRequestView {
            amount: request.amount.into(),
            answer_by: request.answer_by,
        }),
        shipment: order
            .shipment
            .as_ref()
            .map(|(carrier, tracking)| ShipmentView {
                carrier: carrier.clone(),
                tracking: tracking.clone(),
            }),
        released: order.released.map(AmountView::from),
        refunded: order.refunded.map(AmountView::from),
        next_deadline: order
            .next_deadline()
            .map(|(kind, at)| DeadlineView { kind, at }),
        created_at: record.created_at,
        updated_at: record.updated_at,
        balance: None,
    }
}

pub(super) fn user(tx: &mut dyn Tx, id: i64) -> ServiceResult<User> {
    tx.user(id)?
        .ok_or_else(|| ServiceError::storage(format!("order party {id} has no user row")))
}

/// The parties of an order.
pub(super) struct Parties {
    pub(super) seller: User,
    pub(super) buyer: Option<User>,
}

pub(super) fn parties(tx: &mut dyn Tx, record: &OrderRecord) -> ServiceResult<Parties> {
    Ok(Parties {
        seller: user(tx, record.seller_id)?,
        buyer: record.buyer_id.map(|id| user(tx, id)).transpose()?,
    })
}

/// The view of `record` for `role` at `now`, loading the parties.
pub fn view(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    role: Party,
    now: i64,
) -> ServiceResult<OrderView> {
    let Parties { seller, buyer } = parties(tx, record)?;
    Ok(view_of(record, &seller, buyer.as_ref(), role, now))
}

/// The refusal for an order that does not exist or is not the caller's to see.
pub fn unknown_order(id: &str) -> ServiceError {
    ServiceError::not_found(
        "unknown_order",
        format!("there is no order {id:?} of yours; check the id, or scan the order code to pay"),
    )
}

/// The caller's part in an order, if any.
pub fn role_of(record: &OrderRecord, user_id: i64) -> Option<Party> {
    if record.seller_id == user_id {
        Some(Party::Seller)
    } else if record.buyer_id == Some(user_id) {
        Some(Party::Buyer)
    } else {
        None
    }
}

/// An order for the caller to see: as buyer or seller, otherwise 404.
pub fn visible(tx: &mut dyn Tx, id: &str, user_id: i64, now: i64) -> ServiceResult<OrderView> {
    let record = tx.order(id)?.ok_or_else(|| unknown_order(id))?;
    let role = role_of(&record, user_id).ok_or_else(|| unknown_order(id))?;
    view(tx, &record, role, now)
}

/// The keyset cursor of an order list: created_at and id of the last order shown.
pub fn cursor_of(record: &OrderRecord) -> String {
    format!("{}:{}", record.created_at, record.id)
}

/// Parses a cursor written by [`cursor_of`].
pub fn parse_cursor(text: &str) -> ServiceResult<(i64, String)> {
    text.split_once(':')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_owned())))
        .ok_or_else(|| {
            ServiceError::bad_request(
                "invalid_cursor",
                format!("cursor {text:?} is not one this API returned (next_cursor)"),
            )
        })
}
