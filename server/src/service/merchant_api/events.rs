//! What an order's change means to its shop, written in the same transaction as the change:
//! the milestone times of its view, and the webhook event (the outbox).

use danbao_domain::escrow::OrderState;

use crate::service::ServiceResult;
use crate::store::merchant_api::Milestone;
use crate::store::{OrderRecord, Tx};

/// The milestone an order reaches by entering `state`.
pub fn milestone_of(state: OrderState) -> Option<Milestone> {
    match state {
        OrderState::Paid => Some(Milestone::Paid),
        OrderState::Shipped => Some(Milestone::Shipped),
        OrderState::Completed => Some(Milestone::Completed),
        OrderState::Cancelled => Some(Milestone::Cancelled),
        OrderState::Refunded => Some(Milestone::Refunded),
        OrderState::AwaitingPayment | OrderState::RefundRequested | OrderState::Disputed => None,
    }
}

/// Records what `record`'s step from `before` changed for its shop (nothing when the state
/// stayed, or the order was not created through the merchant API).
pub fn after_step(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    before: OrderState,
    now: i64,
) -> ServiceResult<()> {
    let after = record.order.state;
    if after == before {
        return Ok(());
    }
    if let Some(milestone) = milestone_of(after) {
        tx.mark_milestone(&record.id, milestone, now)?;
    }
    if let Some(event_type) = super::webhooks::event_type_of(after) {
        super::webhooks::order_event(tx, record, event_type, now)?;
    }
    Ok(())
}
