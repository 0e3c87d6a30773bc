//! Platform fees on escrow releases (issue 15 point 4), by `danbao_domain::fees`' rule.
//!
//! When an order's escrow is settled, in the same transaction as the post or void of the
//! hold:
//! - the seller's share (`gross`: the whole amount on a release, the seller's part of a split
//!   or of a partially refunded order) carries the fee of the seller's schedule — its own, else
//!   its merchant category's, else none — moved from the seller's wallet to the platform's
//!   revenue account by a posted transfer whose id derives from the order (leg "fee"), so a
//!   repeated step can never charge twice;
//! - a full refund (nothing to the seller) carries no fee;
//! - the settlement (amount, refunded, gross, fee, net) is recorded for order views and
//!   settlement reports.

use danbao_domain::fees::{FeeError, FeeSchedule, FeeSplit};
use danbao_domain::money::{Currency, Money};

use super::ledger;
use super::{ServiceError, ServiceResult};
use crate::store::merchant_api::{FeeScope, SettlementRecord};
use crate::store::{AccountKind, OrderRecord, Tx};

impl From<FeeError> for ServiceError {
    fn from(error: FeeError) -> Self {
        ServiceError::unprocessable("invalid_fee_schedule", error.to_string())
    }
}

/// The schedule that applies to `seller_id` in `currency`: its own, else its merchant
/// category's, else none (no fee).
pub fn schedule_for(
    tx: &mut dyn Tx,
    seller_id: i64,
    currency: Currency,
) -> ServiceResult<Option<FeeSchedule>> {
    if let Some(own) = tx.fee_schedule(&FeeScope::Merchant(seller_id), currency)? {
        return Ok(Some(own));
    }
    let category = tx.merchant(seller_id)?.and_then(|m| m.category);
    match category {
        Some(code) => Ok(tx.fee_schedule(&FeeScope::Category(code), currency)?),
        None => Ok(None),
    }
}

/// The fee on what the seller receives (`gross`), by the seller's schedule.
pub fn split(tx: &mut dyn Tx, seller_id: i64, gross: Money) -> ServiceResult<FeeSplit> {
    let currency = gross.currency();
    let zero = Money::from_minor(0, currency);
    if gross.minor() <= 0 {
        return Ok(FeeSplit {
            gross,
            fee: zero,
            net: gross,
        });
    }
    match schedule_for(tx, seller_id, currency)? {
        Some(schedule) => Ok(schedule.apply(gross)?),
        None => Ok(FeeSplit {
            gross,
            fee: zero,
            net: gross,
        }),
    }
}

/// Settles the fee of an order whose escrow just went `gross` to the seller (and the rest
/// back to the buyer): the fee transfer and the settlement record, in the caller's
/// transaction. Returns the split.
pub fn settle(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    gross: Money,
    now: i64,
) -> ServiceResult<FeeSplit> {
    let currency = record.order.amount.currency();
    let split = split(tx, record.seller_id, gross)?;
    let mut fee_transfer_id = None;
    if split.fee.minor() > 0 {
        let seller = ledger::wallet(tx, record.seller_id, currency)?;
        let revenue = ledger::system(tx, AccountKind::Revenue, currency)?;
        let id = ledger::order_transfer_id(&record.id, "fee");
        let transfer = ledger::posted(id, &seller, &revenue, split.fee);
        ledger::apply_between(tx, transfer, &seller, &revenue, now)?;
        fee_transfer_id = Some(format!("{:032x}", id.0));
    }
    if tx.settlement(&record.id)?.is_none() {
        tx.insert_settlement(&SettlementRecord {
            order_id: record.id.clone(),
            seller_id: record.seller_id,
            currency,
            amount: record.order.amount.minor(),
            refunded: record.order.amount.minor() - gross.minor(),
            gross: gross.minor(),
            fee: split.fee.minor(),
            net: split.net.minor(),
            fee_transfer_id,
            settled_at: now,
        })?;
    }
    Ok(split)
}

/// `POST /v1/admin/fees` (operator): sets the fee schedule of a merchant or of a merchant
/// category code in one currency. Setting a state, it is safe to repeat and carries no
/// idempotency key.
pub async fn set_schedule<S: crate::store::Store>(
    store: &S,
    body: danbao_domain::protocol::wire::FeeScheduleBody,
    now: i64,
) -> ServiceResult<danbao_domain::protocol::wire::FeeScheduleBody> {
    let currency = Currency::from_code(body.currency.trim())
        .map_err(|error| ServiceError::unprocessable("invalid_currency", error.to_string()))?;
    let schedule = FeeSchedule {
        currency,
        basis_points: body.basis_points,
        fixed_minor: body.fixed_minor,
        min_minor: body.min_minor,
        max_minor: body.max_minor,
    };
    schedule.validate()?;
    let category = match (&body.merchant, &body.category) {
        (Some(_), None) => None,
        (None, Some(code)) if code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()) => {
            Some(code.clone())
        }
        _ => {
            return Err(ServiceError::unprocessable(
                "invalid_fee_schedule",
                "name exactly one of merchant (a handle) and category (4 digits, e.g. \"5399\")",
            ));
        }
    };
    store
        .write(move |tx| {
            let scope = match (&body.merchant, &category) {
                (Some(handle), _) => {
                    let user = super::users::user_by_handle(tx, handle)?;
                    FeeScope::Merchant(user.id)
                }
                (None, Some(code)) => FeeScope::Category(code.clone()),
                (None, None) => {
                    return Err(ServiceError::internal("a fee schedule without a scope"));
                }
            };
            tx.put_fee_schedule(&scope, currency, Some(&schedule), now)?;
            Ok(body.clone())
        })
        .await
}
