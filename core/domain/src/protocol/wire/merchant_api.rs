//! The merchant API (issue 15): what a shop's server sends and receives with its API key, and
//! the keys its merchant's devices manage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AmountView, OrderView};

/// Body of `POST /v1/merchant/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// A label, e.g. "shop backend (production)": 1–60 characters.
    pub name: String,
    /// What the key may do: any of `orders:write`, `orders:read`, `refunds:write`,
    /// `reports:read`, `webhooks:write` (at least one). No scope moves money out of the
    /// merchant's wallet: P2P transfers and withdrawals need a device.
    pub scopes: Vec<String>,
}

/// A key as its merchant sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyView {
    /// The public id (`mk_…`), the part of the key before the dot.
    pub id: String,
    /// The label.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// When its secret was last replaced.
    pub rotated_at: Option<i64>,
    /// When it was revoked; its requests are refused from then on.
    pub revoked_at: Option<i64>,
    /// When a write last authenticated with it.
    pub last_used_at: Option<i64>,
}

/// Answer of creating or rotating a key: the key and, this once, its whole secret text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedApiKey {
    /// The key.
    pub key: ApiKeyView,
    /// `mk_….<secret>`: send it as `Authorization: Bearer <secret>`. Shown only here; the
    /// server keeps only its hash.
    pub secret: String,
}

/// The merchant's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyList {
    /// Oldest first.
    pub items: Vec<ApiKeyView>,
}

/// One line of an order, as the shop sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    /// What it is, 1–120 characters.
    pub name: String,
    /// How many, 1 to 1,000,000.
    pub quantity: u32,
    /// Decimal price of one, in the order's currency, e.g. "12.50" (0 allowed).
    pub unit_amount: String,
    /// The shop's article number, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

/// Body of `POST /v1/merchant-api/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MerchantCreateOrder {
    /// The shop's own order reference: 1–64 characters of A–Z a–z 0–9 `-` `_` `.` `:` `/`,
    /// unique per merchant. Creating with a reference used before answers that order (200)
    /// when amount, currency and title match, `409 reference_conflict` otherwise.
    pub merchant_reference: String,
    /// What is sold (the order's title), 1–80 characters.
    pub title: String,
    /// Decimal price, e.g. "199.00".
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What the buyer is shown, up to 500 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// The lines; when given, their totals must add up to `amount`.
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    /// The shop's own key–value data (up to 20 keys of 40 characters, values of 500); given
    /// back in every view and webhook.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Seconds the buyer has to pay (server default when absent).
    #[serde(default)]
    pub pay_window_secs: Option<i64>,
    /// Seconds after shipping before the order completes by itself (server default when
    /// absent).
    #[serde(default)]
    pub auto_confirm_secs: Option<i64>,
    /// The handle of the one user who may pay this order by its id (otherwise it is paid by
    /// scanning its code).
    #[serde(default)]
    pub buyer: Option<String>,
}

/// A line of an order as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineItemView {
    /// What it is.
    pub name: String,
    /// How many.
    pub quantity: u32,
    /// Price of one.
    pub unit_amount: AmountView,
    /// quantity × unit_amount.
    pub total: AmountView,
    /// The shop's article number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

/// How an order's escrow was settled: gross, the platform fee and net.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementView {
    /// What the buyer paid into escrow.
    pub amount: AmountView,
    /// What went back to the buyer.
    pub refunded: AmountView,
    /// The seller's share before the fee (amount − refunded).
    pub gross: AmountView,
    /// The platform's fee on the gross.
    pub fee: AmountView,
    /// What the seller received (gross − fee).
    pub net: AmountView,
    /// Unix seconds.
    pub settled_at: i64,
}

/// An order as the shop's server sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantOrderView {
    /// The order as its seller sees it (state, actions, amounts, deadlines).
    pub order: OrderView,
    /// The shop's reference (absent for orders made on the merchant's phone).
    pub merchant_reference: Option<String>,
    /// What the buyer is shown.
    pub description: Option<String>,
    /// The lines.
    pub line_items: Vec<LineItemView>,
    /// The shop's key–value data.
    pub metadata: BTreeMap<String, String>,
    /// Unix seconds of creation.
    pub created_at: i64,
    /// When it was paid into escrow.
    pub paid_at: Option<i64>,
    /// When it was shipped.
    pub shipped_at: Option<i64>,
    /// When it completed (escrow released to the seller).
    pub completed_at: Option<i64>,
    /// When it was cancelled.
    pub cancelled_at: Option<i64>,
    /// When (part of) it was refunded.
    pub refunded_at: Option<i64>,
    /// Gross, fee and net, once the escrow was settled.
    pub settlement: Option<SettlementView>,
    /// The signed order code the buyer scans, while it awaits payment (only in the answer
    /// of creating the order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A page of the shop's orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantOrderList {
    /// The orders.
    pub items: Vec<MerchantOrderView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/merchant-api/orders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct MerchantOrderQuery {
    /// Only the order with this reference.
    pub reference: Option<String>,
    /// Only orders in this state (awaiting_payment, paid, shipped, refund_requested,
    /// disputed, completed, cancelled, refunded).
    pub state: Option<String>,
    /// Only orders created at or after (Unix seconds).
    pub created_from: Option<i64>,
    /// Only orders created before (Unix seconds).
    pub created_to: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// At most this many (1–200, default 50).
    pub limit: Option<u32>,
}

/// Body (and answer) of `POST /v1/admin/fees` (operator): the platform fee of one merchant or
/// of one merchant category code, in one currency (`danbao_domain::fees`' rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeeScheduleBody {
    /// The merchant's handle (exactly one of `merchant` and `category`).
    #[serde(default)]
    pub merchant: Option<String>,
    /// A merchant category code, 4 digits, e.g. "5399"; a merchant's own schedule wins.
    #[serde(default)]
    pub category: Option<String>,
    /// ISO 4217 code.
    pub currency: String,
    /// The percentage in basis points (60 = 0.60 %), 0 to 10000.
    pub basis_points: u32,
    /// Added to the percentage, minor units.
    #[serde(default)]
    pub fixed_minor: i64,
    /// The smallest fee, minor units.
    #[serde(default)]
    pub min_minor: Option<i64>,
    /// The largest fee, minor units.
    #[serde(default)]
    pub max_minor: Option<i64>,
}

/// Query of `GET /v1/merchant-api/reports/settlements`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SettlementReportQuery {
    /// Settled at or after (Unix seconds); required.
    pub from: Option<i64>,
    /// Settled before (Unix seconds), at most 366 days after `from`; required.
    pub to: Option<i64>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// One settled order of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementLine {
    /// `order` (an escrow order's settlement) or `payment` (a merchant payment: a scanned
    /// merchant code or a charged payment code).
    #[serde(default = "order_line")]
    pub kind: String,
    /// The order (empty on a payment line).
    pub order_id: String,
    /// A payment line: the payment's ledger transfer (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
    /// The shop's reference, for orders created through the API.
    pub merchant_reference: Option<String>,
    /// What the buyer paid into escrow.
    pub amount: AmountView,
    /// What went back to the buyer.
    pub refunded: AmountView,
    /// The seller's share before the fee.
    pub gross: AmountView,
    /// The platform's fee.
    pub fee: AmountView,
    /// What the seller received.
    pub net: AmountView,
    /// Unix seconds.
    pub settled_at: i64,
}

fn order_line() -> String {
    "order".to_owned()
}

/// A report's totals in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementTotals {
    /// ISO 4217 code.
    pub currency: String,
    /// Settled orders.
    pub orders: u64,
    /// Merchant payments (their `amount` = `gross`, nothing refunded).
    #[serde(default)]
    pub payments: u64,
    /// Sum of `amount`.
    pub amount: AmountView,
    /// Sum of `refunded`.
    pub refunded: AmountView,
    /// Sum of `gross`: what escrow released to the merchant's wallet.
    pub gross: AmountView,
    /// Sum of `fee`: what moved from the wallet to the platform.
    pub fee: AmountView,
    /// Sum of `net`: the wallet's net change from these orders (gross − fee).
    pub net: AmountView,
}

/// `GET /v1/merchant-api/reports/settlements` as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementReport {
    /// The range's start (inclusive).
    pub from: i64,
    /// The range's end (exclusive).
    pub to: i64,
    /// Every order settled in the range, oldest first.
    pub items: Vec<SettlementLine>,
    /// Per currency.
    pub totals: Vec<SettlementTotals>,
}

/// Body of `POST /v1/merchant-api/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookEndpoint {
    /// Where deliveries are POSTed: an `https://` URL (`http://` only on a sandbox server),
    /// at most 2,000 characters.
    pub url: String,
    /// The event types wanted (`order.created`, `order.paid`, `order.shipped`,
    /// `order.refund_requested`, `order.disputed`, `order.completed`, `order.cancelled`,
    /// `order.refunded`), or `["*"]` for all.
    pub events: Vec<String>,
}

/// A webhook endpoint as its merchant sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointView {
    /// `we_…`.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// Whether deliveries go out (an endpoint that failed for about three days is disabled).
    pub enabled: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// Until when deliveries are also signed with the secret before the last rotation.
    pub previous_secret_until: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Answer of creating an endpoint or rotating its secret: the secret, this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedWebhookEndpoint {
    /// The endpoint.
    pub endpoint: WebhookEndpointView,
    /// `whsec_<base64>`: verify each delivery's `webhook-signature` with it (Standard
    /// Webhooks). Shown only here.
    pub secret: String,
}

/// The merchant's endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointList {
    /// Oldest first.
    pub items: Vec<WebhookEndpointView>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttemptView {
    /// Unix seconds.
    pub at: i64,
    /// The HTTP status the endpoint answered, if it answered.
    pub status: Option<u16>,
    /// Why the attempt failed, if it did.
    pub error: Option<String>,
}

/// One event's delivery to one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryView {
    /// The delivery id (for redelivery).
    pub id: i64,
    /// The event id: the `webhook-id` header, the same on every attempt.
    pub event_id: String,
    /// The event type.
    pub event_type: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// When the next attempt is due.
    pub next_attempt_at: Option<i64>,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
    /// Every attempt, oldest first.
    pub attempts: Vec<WebhookAttemptView>,
    /// Unix seconds.
    pub created_at: i64,
}

/// An endpoint's deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryList {
    /// At most 100.
    pub items: Vec<WebhookDeliveryView>,
}
