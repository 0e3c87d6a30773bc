//! A step told to both parties' feeds as an `OrderEvent`.

use danbao_domain::escrow::Party;
use danbao_domain::protocol::wire::{
    AmountView, Direction, EscrowMovement, FeedEvent, OrderEvent, OrderStep, TransferEvent,
};

use super::legs::{Movement, MovementKind};
use super::views::{Parties, parties, view_of};
use crate::service::ServiceResult;
use crate::store::{OrderRecord, Tx};

/// Appends the change to both parties' feeds: an "order" event with each party's own view,
/// and a "transfer" event per money movement.
pub(super) fn announce(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    step: OrderStep,
    moved: &[Movement],
    now: i64,
) -> ServiceResult<()> {
    let Parties { seller, buyer } = parties(tx, record)?;
    let mut audience = vec![(&seller, Party::Seller)];
    if let Some(buyer) = &buyer {
        audience.push((buyer, Party::Buyer));
    }
    for (user, role) in &audience {
        let event = OrderEvent {
            event: step,
            order: view_of(record, &seller, buyer.as_ref(), *role, now),
        };
        tx.append_event(user.id, &FeedEvent::Order(Box::new(event)), now)?;
    }
    let Some(buyer) = &buyer else {
        return Ok(());
    };
    for movement in moved {
        for (user, other, role) in [
            (buyer, &seller, Party::Buyer),
            (&seller, buyer, Party::Seller),
        ] {
            // Holds and releases flow buyer → seller; a refund flows back to the buyer.
            let towards_seller = !matches!(movement.kind, MovementKind::Refund);
            let direction = if towards_seller == (role == Party::Seller) {
                Direction::In
            } else {
                Direction::Out
            };
            let escrow = EscrowMovement {
                direction,
                transfer_id: format!("{:032x}", movement.id.0),
                order_id: record.id.clone(),
                amount: movement.amount.into(),
                counterparty: other.handle.clone(),
                counterparty_name: other.display_name.clone(),
                memo: record.title.clone(),
                returned_to_buyer: movement.returned.map(AmountView::from),
                platform_fee: None,
                net_to_seller: None,
            };
            let escrow = match (role, &movement.fee) {
                (Party::Seller, Some(split)) => EscrowMovement {
                    platform_fee: Some(split.fee.into()),
                    net_to_seller: Some(split.net.into()),
                    ..escrow
                },
                _ => escrow,
            };
            let event = match movement.kind {
                MovementKind::Hold => TransferEvent::EscrowHold(escrow),
                MovementKind::Release => TransferEvent::EscrowRelease(escrow),
                MovementKind::Refund => TransferEvent::EscrowRefund(escrow),
            };
            tx.append_event(user.id, &FeedEvent::Transfer(event), now)?;
        }
    }
    Ok(())
}
