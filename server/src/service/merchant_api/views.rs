//! The merchant's view of an order (the escrow view with the shop's reference, line items,
//! metadata, milestones and settlement), shared by the order routes, the webhooks and the
//! reports. It reads the escrow view from `orders::views` directly, so the order flows (which
//! write webhook events) and this view do not import each other.

use std::collections::BTreeMap;

use danbao_domain::escrow::Party;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{
    AmountView, LineItem, LineItemView, MerchantOrderView, SettlementView,
};

use crate::service::orders::views;
use crate::service::{ServiceError, ServiceResult};
use crate::store::merchant_api::SettlementRecord;
use crate::store::{OrderRecord, Tx};

fn amount(minor: i64, currency: Currency) -> AmountView {
    Money::from_minor(minor, currency).into()
}

/// The settlement as the API shows it.
pub fn settlement_view(record: &SettlementRecord) -> SettlementView {
    let currency = record.currency;
    SettlementView {
        amount: amount(record.amount, currency),
        refunded: amount(record.refunded, currency),
        gross: amount(record.gross, currency),
        fee: amount(record.fee, currency),
        net: amount(record.net, currency),
        settled_at: record.settled_at,
    }
}

/// The merchant's view of `record`.
pub fn view_of(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    now: i64,
) -> ServiceResult<MerchantOrderView> {
    let order = views::view(tx, record, Party::Seller, now)?;
    let shop = tx.merchant_order(&record.id)?;
    let settlement = tx.settlement(&record.id)?.as_ref().map(settlement_view);
    let currency = record.order.amount.currency();
    let (line_items, metadata) = match &shop {
        Some(shop) => {
            let items: Vec<LineItem> =
                serde_json::from_str(&shop.line_items).map_err(ServiceError::storage)?;
            let metadata: BTreeMap<String, String> =
                serde_json::from_str(&shop.metadata).map_err(ServiceError::storage)?;
            let mut views = Vec::with_capacity(items.len());
            for item in items {
                let unit =
                    Money::parse(&item.unit_amount, currency).map_err(ServiceError::storage)?;
                let total = unit
                    .minor()
                    .checked_mul(i64::from(item.quantity))
                    .ok_or_else(|| ServiceError::storage("a stored line item overflows"))?;
                views.push(LineItemView {
                    name: item.name,
                    quantity: item.quantity,
                    unit_amount: unit.into(),
                    total: amount(total, currency),
                    sku: item.sku,
                });
            }
            (views, metadata)
        }
        None => (Vec::new(), BTreeMap::new()),
    };
    Ok(MerchantOrderView {
        order,
        merchant_reference: shop.as_ref().map(|s| s.merchant_reference.clone()),
        description: shop.as_ref().and_then(|s| s.description.clone()),
        line_items,
        metadata,
        created_at: record.created_at,
        paid_at: shop.as_ref().and_then(|s| s.paid_at),
        shipped_at: shop.as_ref().and_then(|s| s.shipped_at),
        completed_at: shop.as_ref().and_then(|s| s.completed_at),
        cancelled_at: shop.as_ref().and_then(|s| s.cancelled_at),
        refunded_at: shop.as_ref().and_then(|s| s.refunded_at),
        settlement,
        code: None,
    })
}
