//! Escrow orders: the cached list, one order fresh from the server, the steps on an order
//! ([`Wallet::order_action`], through the outbox) and [`Wallet::create_order`].

use serde_json::Value;

use super::args::{currency, positive_amount, render};
use super::outbox;
use super::view::{self, Amount, CodeView, CommandOutcome, OrderCreated, OrderSummary};
use super::{Change, Wallet, WalletError};
use crate::api::{
    self, Command, OrderAction, OrderStepCommand, RefundRequest, Ship, StepAction,
    new_idempotency_key,
};
use crate::i18n::{Texts, Words};
use crate::store::{CachedOrder, MAX_PAGE};
use danbao_domain::protocol::limits::{MAX_CARRIER_CHARS, MAX_TITLE_CHARS, MAX_TRACKING_CHARS};

impl Wallet {
    /// The cached orders, most recently changed first (no network).
    pub fn orders(&self) -> Result<Vec<OrderSummary>, WalletError> {
        self.cached_orders()
    }

    fn cached_orders(&self) -> Result<Vec<OrderSummary>, WalletError> {
        Ok(summaries(
            &self.store.orders(MAX_PAGE)?,
            self.now(),
            &self.texts(),
        ))
    }

    /// Order `id` fresh from the server; the cache is updated.
    pub async fn order(&self, id: &str) -> Result<OrderSummary, WalletError> {
        let id = id.trim();
        if id.is_empty() {
            return Err(WalletError::invalid(
                "id",
                Words::new("input-order-id-empty"),
            ));
        }
        let api = self.api()?;
        let order = api.order(id).await?;
        self.cache_order(&order).await?;
        Ok(view::order_summary(&order, self.now(), &self.texts()))
    }

    pub(super) async fn cache_order(&self, order: &api::OrderView) -> Result<(), WalletError> {
        let row = view::cached_order(order).map_err(|e| WalletError::Protocol {
            detail: format!("the order view does not serialize: {e}"),
        })?;
        if outbox::on_store(&self.store, move |s| s.upsert_order(&row)).await? {
            self.notify(Change::Orders);
        }
        Ok(())
    }

    /// A step on an order, through the outbox, as typed text (the CLI): `confirm`, `cancel`,
    /// `pay`, `refund-request` (body `{"amount": "5.00"}`), `refund-accept`, `refund-reject`,
    /// `ship` (body `{"carrier": "…", "tracking": "…"}`). Read into the protocol's
    /// [`OrderStepCommand`] and sent by [`Wallet::order_step`].
    pub async fn order_action(
        &self,
        id: &str,
        action: &str,
        body: Option<Value>,
    ) -> Result<CommandOutcome, WalletError> {
        let id = order_id(id)?;
        let action = action.trim();
        let body = body.filter(|b| !b.is_null() && b.as_object().is_none_or(|o| !o.is_empty()));
        let plain = |step: OrderAction| -> Result<OrderStepCommand, WalletError> {
            match &body {
                Some(body) => Err(WalletError::invalid(
                    "body",
                    Words::new("input-body-not-taken")
                        .text("action", action)
                        .text("body", body),
                )),
                None => Ok(OrderStepCommand::Plain(step)),
            }
        };
        let step = match StepAction::from_slug(action) {
            Some(StepAction::Confirm) => plain(OrderAction::Confirm)?,
            Some(StepAction::Cancel) => plain(OrderAction::Cancel)?,
            Some(StepAction::Pay) => plain(OrderAction::Pay)?,
            Some(StepAction::RefundAccept) => plain(OrderAction::AcceptRefund)?,
            Some(StepAction::RefundReject) => plain(OrderAction::RejectRefund)?,
            Some(StepAction::RefundRequest) => OrderStepCommand::RequestRefund(RefundRequest {
                amount: refund_body(body)?,
            }),
            Some(StepAction::Ship) => OrderStepCommand::Ship(ship_body(body)?),
            None => {
                return Err(WalletError::invalid(
                    "action",
                    Words::new("input-order-action").text("action", action),
                ));
            }
        };
        self.order_step(id, step).await
    }

    /// A step on an order, through the outbox, typed (what an app's order button sends): the
    /// shipment's carrier and tracking number are checked and trimmed, the amount asked back
    /// must be exact, more than zero and at most what was paid.
    pub async fn order_step(
        &self,
        id: &str,
        step: OrderStepCommand,
    ) -> Result<CommandOutcome, WalletError> {
        let id = order_id(id)?;
        let step = match step {
            OrderStepCommand::Plain(action) => OrderStepCommand::Plain(action),
            OrderStepCommand::Ship(ship) => {
                OrderStepCommand::Ship(checked_ship(&ship.carrier, &ship.tracking)?)
            }
            OrderStepCommand::RequestRefund(refund) => {
                OrderStepCommand::RequestRefund(self.checked_refund(id, refund.amount).await?)
            }
        };
        self.run_command(Command::OrderStep {
            order_id: id.to_owned(),
            step,
        })
        .await
    }

    async fn checked_refund(&self, id: &str, amount: String) -> Result<RefundRequest, WalletError> {
        let amount = amount.trim().to_owned();
        let key = id.to_owned();
        let cached = outbox::on_store(&self.store, move |s| s.order(&key)).await?;
        if let Some(order) = cached.as_ref().and_then(|row| view::order_view(row).ok()) {
            let currency = self::currency(&order.amount.currency)?;
            let asked = positive_amount(&amount, currency)?;
            if asked.minor() > order.amount.minor {
                return Err(WalletError::invalid(
                    "body.amount",
                    Words::new("input-refund-too-much")
                        .amount("asked", asked.minor(), asked.currency().code())
                        .amount("paid", order.amount.minor, &order.amount.currency),
                ));
            }
        }
        Ok(RefundRequest { amount })
    }

    /// Opens an escrow order as the seller and returns it with the signed code the buyer
    /// scans (valid until the pay window closes). Sent now, not queued.
    pub async fn create_order(
        &self,
        title: &str,
        amount: &str,
        currency: &str,
    ) -> Result<OrderCreated, WalletError> {
        let title = title.trim();
        let chars = title.chars().count();
        if !(1..=MAX_TITLE_CHARS).contains(&chars) {
            return Err(WalletError::invalid(
                "title",
                Words::new("input-length")
                    .text("chars", chars)
                    .text("max", MAX_TITLE_CHARS),
            ));
        }
        let money = positive_amount(amount, self::currency(currency)?)?;
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let created = api
            .create_order(&api::CreateOrder::new(title, money), &key)
            .await?;
        self.cache_order(&created.order).await?;
        Ok(OrderCreated {
            order: view::order_summary(&created.order, self.now(), &self.texts()),
            code: CodeView {
                svg: render(&created.code)?,
                text: created.code,
                amount: Some(Amount::from_view(&created.order.amount, &self.texts())),
                expires_at: Some(created.order.pay_by),
            },
        })
    }
}

/// The summaries of cached order rows; a row whose view cannot be read is skipped (logged),
/// and the next sync replaces it.
pub(super) fn summaries(rows: &[CachedOrder], now: i64, texts: &Texts) -> Vec<OrderSummary> {
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        match view::order_view(row) {
            Ok(order) => orders.push(view::order_summary(&order, now, texts)),
            Err(reason) => tracing::warn!(order = %row.id, %reason, "cached order skipped"),
        }
    }
    orders
}

/// An order id as given, trimmed; an empty one is refused.
fn order_id(id: &str) -> Result<&str, WalletError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(WalletError::invalid(
            "id",
            Words::new("input-order-id-empty"),
        ));
    }
    Ok(id)
}

/// The amount text of a refund request's JSON body.
fn refund_body(body: Option<Value>) -> Result<String, WalletError> {
    match body.as_ref().and_then(|b| b.get("amount")) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(WalletError::invalid(
            "body.amount",
            Words::new("input-refund-amount-text").text("given", other),
        )),
        None => Err(WalletError::invalid(
            "body",
            Words::new("input-refund-amount-missing"),
        )),
    }
}

/// The shipment of a `ship` step's JSON body, checked.
pub(super) fn ship_body(body: Option<Value>) -> Result<Ship, WalletError> {
    let body = body.ok_or_else(|| WalletError::invalid("body", Words::new("input-ship-body")))?;
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
    checked_ship(text("carrier"), text("tracking"))
}

/// A shipment's carrier and tracking number, trimmed, each within its limit (the errors name
/// the field as the JSON body does: `body.carrier`, `body.tracking`).
pub(super) fn checked_ship(carrier: &str, tracking: &str) -> Result<Ship, WalletError> {
    let field = |name: &str, value: &str, max: usize| -> Result<String, WalletError> {
        let value = value.trim();
        let chars = value.chars().count();
        if !(1..=max).contains(&chars) {
            return Err(WalletError::invalid(
                &format!("body.{name}"),
                Words::new("input-length")
                    .text("chars", chars)
                    .text("max", max),
            ));
        }
        Ok(value.to_owned())
    };
    Ok(Ship {
        carrier: field("carrier", carrier, MAX_CARRIER_CHARS)?,
        tracking: field("tracking", tracking, MAX_TRACKING_CHARS)?,
    })
}
