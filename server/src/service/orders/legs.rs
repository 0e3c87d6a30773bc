//! The ledger legs of an order: the buyer's hold, its post to the seller and its void back,
//! with ids derived from the order so a repeated step can never move money twice.

use danbao_domain::escrow::Effect;
use danbao_domain::ledger::{AccountId, Transfer, TransferId, TransferKind};
use danbao_domain::money::Money;

use crate::service::ledger;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{OrderRecord, Tx};

/// Which leg of an order's escrow a movement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MovementKind {
    /// The buyer's money held (pending).
    Hold,
    /// The hold posted to the seller.
    Release,
    /// The hold voided back to the buyer.
    Refund,
}

/// A money movement of an order, for the feeds.
pub(super) struct Movement {
    pub(super) kind: MovementKind,
    pub(super) id: TransferId,
    pub(super) amount: Money,
    /// For a post: what went back to the buyer.
    pub(super) returned: Option<Money>,
    /// For a post: the platform's fee on the seller's share, and what the seller keeps.
    pub(super) fee: Option<danbao_domain::fees::FeeSplit>,
}

/// Commits the machine's effects to the ledger: hold, post of the hold, void of the hold.
pub(super) fn commit_effects(
    tx: &mut dyn Tx,
    record: &mut OrderRecord,
    effects: &[Effect],
    now: i64,
) -> ServiceResult<Vec<Movement>> {
    let mut moved = Vec::new();
    for effect in effects {
        let currency = record.order.amount.currency();
        let buyer_id = record.buyer_id.ok_or_else(|| {
            ServiceError::storage(format!("order {} moves money but has no buyer", record.id))
        })?;
        let buyer = ledger::wallet(tx, buyer_id, currency)?;
        let seller = ledger::wallet(tx, record.seller_id, currency)?;
        let (kind, transfer, returned) = effect_transfer(record, effect, buyer.id, seller.id)?;
        ledger::apply(tx, transfer, now)?;
        let mut fee = None;
        match effect {
            Effect::Hold { .. } => record.hold_id = Some(transfer.id),
            // The platform's fee on the seller's share, in this transaction (none on a full
            // refund, which still records its settlement).
            Effect::Post { amount } => {
                fee = Some(crate::service::fees::settle(tx, record, *amount, now)?);
            }
            Effect::Void => {
                let nothing = Money::from_minor(0, currency);
                crate::service::fees::settle(tx, record, nothing, now)?;
            }
        }
        moved.push(Movement {
            kind,
            id: transfer.id,
            amount: transfer.amount,
            returned,
            fee,
        });
    }
    Ok(moved)
}

/// The ledger transfer of one effect of the machine on `record`'s order, with the movement's
/// kind and, for a release, what goes back to the buyer.
fn effect_transfer(
    record: &OrderRecord,
    effect: &Effect,
    buyer: AccountId,
    seller: AccountId,
) -> ServiceResult<(MovementKind, Transfer, Option<Money>)> {
    let hold = || {
        record.hold_id.ok_or_else(|| {
            ServiceError::storage(format!("order {} resolves a hold it never made", record.id))
        })
    };
    Ok(match *effect {
        Effect::Hold { amount } => {
            let id = ledger::order_transfer_id(&record.id, "hold");
            let transfer = Transfer {
                id,
                debit: buyer,
                credit: seller,
                amount,
                kind: TransferKind::Pending,
            };
            (MovementKind::Hold, transfer, None)
        }
        Effect::Post { amount } => {
            let transfer = Transfer {
                id: ledger::order_transfer_id(&record.id, "post"),
                debit: buyer,
                credit: seller,
                amount,
                kind: TransferKind::Post {
                    pending_id: hold()?,
                },
            };
            let returned = record.order.amount.checked_sub(amount)?;
            (MovementKind::Release, transfer, Some(returned))
        }
        Effect::Void => {
            let transfer = Transfer {
                id: ledger::order_transfer_id(&record.id, "void"),
                debit: buyer,
                credit: seller,
                amount: record.order.amount,
                kind: TransferKind::Void {
                    pending_id: hold()?,
                },
            };
            (MovementKind::Refund, transfer, None)
        }
    })
}
