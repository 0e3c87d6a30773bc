//! The merchant API's rows (migration 013): API keys, the shop's data of its orders, fee
//! schedules and how each order was settled.

use danbao_domain::fees::FeeSchedule;
use danbao_domain::money::Currency;

use super::StoreResult;

/// A merchant's API key as stored: never its secret, only the secret's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// The public id (`mk_…`), the first part of the key text.
    pub id: String,
    /// The merchant's user.
    pub user_id: i64,
    /// A label the merchant chose.
    pub name: String,
    /// What the key may do (`orders:write`, ...).
    pub scopes: Vec<String>,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// Unix seconds.
    pub created_at: i64,
    /// When the secret was last replaced.
    pub rotated_at: Option<i64>,
    /// When it was revoked (its requests are refused from then on).
    pub revoked_at: Option<i64>,
    /// When a request last authenticated with it (only writes stamp it).
    pub last_used_at: Option<i64>,
}

/// The milestones of an order a shop sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// Paid into escrow.
    Paid,
    /// Shipped.
    Shipped,
    /// Completed (released to the seller).
    Completed,
    /// Cancelled before payment.
    Cancelled,
    /// Refunded (all or part).
    Refunded,
}

/// What a shop adds to an order it created through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantOrderRecord {
    /// The order.
    pub order_id: String,
    /// The merchant (the order's seller).
    pub merchant_id: i64,
    /// The shop's own reference, unique per merchant.
    pub merchant_reference: String,
    /// What the buyer is shown.
    pub description: Option<String>,
    /// The line items as JSON (an array).
    pub line_items: String,
    /// The metadata as JSON (an object of strings).
    pub metadata: String,
    /// Unix seconds.
    pub created_at: i64,
    /// When it was paid.
    pub paid_at: Option<i64>,
    /// When it was shipped.
    pub shipped_at: Option<i64>,
    /// When it completed.
    pub completed_at: Option<i64>,
    /// When it was cancelled.
    pub cancelled_at: Option<i64>,
    /// When it was refunded.
    pub refunded_at: Option<i64>,
}

/// Which of a merchant's orders to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantOrderFilter {
    /// The merchant.
    pub merchant_id: i64,
    /// Only in this state (the stored snake_case name).
    pub state: Option<String>,
    /// Created at or after.
    pub created_from: Option<i64>,
    /// Created before.
    pub created_to: Option<i64>,
    /// Strictly before this keyset position (created_at, order id).
    pub before: Option<(i64, String)>,
    /// At most this many.
    pub limit: u32,
}

/// How an order's escrow was settled, with the platform's fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRecord {
    /// The order.
    pub order_id: String,
    /// Its seller.
    pub seller_id: i64,
    /// The currency.
    pub currency: Currency,
    /// What the buyer paid into escrow, minor units.
    pub amount: i64,
    /// What went back to the buyer.
    pub refunded: i64,
    /// The seller's share before the fee: `amount − refunded`.
    pub gross: i64,
    /// The platform's fee.
    pub fee: i64,
    /// `gross − fee`: what the seller received.
    pub net: i64,
    /// The fee's ledger transfer (hex), when there was a fee.
    pub fee_transfer_id: Option<String>,
    /// Unix seconds.
    pub settled_at: i64,
}

/// A merchant payment (a scanned merchant code, a charged payment code) with the platform's
/// fee (migration 015).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSettlementRecord {
    /// The payment's ledger transfer (hex).
    pub transfer_id: String,
    /// The merchant paid.
    pub merchant_id: i64,
    /// The currency.
    pub currency: Currency,
    /// What the payer paid, minor units.
    pub gross: i64,
    /// The platform's fee.
    pub fee: i64,
    /// `gross − fee`: what the merchant kept.
    pub net: i64,
    /// The fee's ledger transfer (hex), when there was a fee.
    pub fee_transfer_id: Option<String>,
    /// Unix seconds.
    pub settled_at: i64,
}

/// Whose fee schedule: one merchant's, or a merchant category code's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeeScope {
    /// A merchant (user id).
    Merchant(i64),
    /// A merchant category code, e.g. "5399".
    Category(String),
}

/// Merchant API keys, the shop's data of orders, and fees.
pub trait MerchantApiTx {
    /// Stores a new key.
    fn insert_api_key(&mut self, key: &ApiKeyRecord) -> StoreResult<()>;
    /// A key by id.
    fn api_key(&mut self, id: &str) -> StoreResult<Option<ApiKeyRecord>>;
    /// Every key of a merchant, oldest first.
    fn api_keys_of(&mut self, user_id: i64) -> StoreResult<Vec<ApiKeyRecord>>;
    /// Replaces a key's secret hash (rotation).
    fn rotate_api_key(&mut self, id: &str, secret_hash: &[u8], now: i64) -> StoreResult<()>;
    /// Revokes a key; `false` if it was revoked already.
    fn revoke_api_key(&mut self, id: &str, now: i64) -> StoreResult<bool>;
    /// Stamps a key's last use.
    fn touch_api_key(&mut self, id: &str, now: i64) -> StoreResult<()>;
    /// Stores the shop's data of a new order; `false` when the merchant used the reference
    /// already (nothing is stored).
    fn insert_merchant_order(&mut self, record: &MerchantOrderRecord) -> StoreResult<bool>;
    /// The shop's data of an order, if it was created through the API.
    fn merchant_order(&mut self, order_id: &str) -> StoreResult<Option<MerchantOrderRecord>>;
    /// The order id a merchant's reference names.
    fn order_by_reference(
        &mut self,
        merchant_id: i64,
        reference: &str,
    ) -> StoreResult<Option<String>>;
    /// Ids of a merchant's API orders matching `filter`, newest first by (created_at, id).
    fn merchant_orders(&mut self, filter: &MerchantOrderFilter) -> StoreResult<Vec<String>>;
    /// Records when an order reached `milestone` (the first time only; orders not created
    /// through the API are left alone).
    fn mark_milestone(&mut self, order_id: &str, milestone: Milestone, at: i64) -> StoreResult<()>;
    /// The fee schedule of `scope` in `currency`.
    fn fee_schedule(
        &mut self,
        scope: &FeeScope,
        currency: Currency,
    ) -> StoreResult<Option<FeeSchedule>>;
    /// Sets (or, with `None`, removes) the fee schedule of `scope` in `currency`.
    fn put_fee_schedule(
        &mut self,
        scope: &FeeScope,
        currency: Currency,
        schedule: Option<&FeeSchedule>,
        now: i64,
    ) -> StoreResult<()>;
    /// Records how an order was settled.
    fn insert_settlement(&mut self, record: &SettlementRecord) -> StoreResult<()>;
    /// How an order was settled.
    fn settlement(&mut self, order_id: &str) -> StoreResult<Option<SettlementRecord>>;
    /// A seller's settlements with `from <= settled_at < to`, oldest first.
    fn settlements_between(
        &mut self,
        seller_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<SettlementRecord>>;
    /// Records a merchant payment's settlement (once per transfer: a second insert of the same
    /// transfer is ignored).
    fn insert_payment_settlement(&mut self, record: &PaymentSettlementRecord) -> StoreResult<()>;
    /// A merchant's payment settlements with `from <= settled_at < to`, oldest first.
    fn payment_settlements_between(
        &mut self,
        merchant_id: i64,
        from: i64,
        to: i64,
    ) -> StoreResult<Vec<PaymentSettlementRecord>>;
}

/// A merchant's webhook endpoint as stored (its secrets sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpointRecord {
    /// `we_…`.
    pub id: String,
    /// The merchant.
    pub user_id: i64,
    /// Where deliveries go.
    pub url: String,
    /// The event types it wants (`*` for all).
    pub events: Vec<String>,
    /// The signing secret, sealed.
    pub secret: Vec<u8>,
    /// The secret before the last rotation, sealed, still signed with until `previous_until`.
    pub previous_secret: Option<Vec<u8>>,
    /// Until when the previous secret also signs.
    pub previous_until: Option<i64>,
    /// Whether deliveries go out.
    pub enabled: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed (about three days).
    Failed,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDeliveryRecord {
    /// Its id.
    pub id: i64,
    /// The event (`msg_…`): the `webhook-id` of every attempt.
    pub event_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// Where it is.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<i64>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<i64>,
    /// The HTTP status of the last attempt, if it got one.
    pub last_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
    /// Unix seconds.
    pub created_at: i64,
}

/// A webhook event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEventRecord {
    /// `msg_…`.
    pub id: String,
    /// The merchant.
    pub user_id: i64,
    /// e.g. `order.paid`.
    pub event_type: String,
    /// The JSON body sent.
    pub payload: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookAttemptRecord {
    /// Unix seconds.
    pub at: i64,
    /// The HTTP status, if the endpoint answered.
    pub status: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// Webhook endpoints, events, deliveries and attempts (migration 014).
pub trait WebhookTx {
    /// Stores a new endpoint.
    fn insert_webhook_endpoint(&mut self, endpoint: &WebhookEndpointRecord) -> StoreResult<()>;
    /// An endpoint by id.
    fn webhook_endpoint(&mut self, id: &str) -> StoreResult<Option<WebhookEndpointRecord>>;
    /// A merchant's endpoints, oldest first.
    fn webhook_endpoints_of(&mut self, user_id: i64) -> StoreResult<Vec<WebhookEndpointRecord>>;
    /// Stores an endpoint's secrets and state.
    fn save_webhook_endpoint(&mut self, endpoint: &WebhookEndpointRecord) -> StoreResult<()>;
    /// Stores an event; `false` if its id exists (nothing changes).
    fn insert_webhook_event(&mut self, event: &WebhookEventRecord) -> StoreResult<bool>;
    /// An event by id.
    fn webhook_event(&mut self, id: &str) -> StoreResult<Option<WebhookEventRecord>>;
    /// Queues an event for an endpoint, due at `now`; returns the delivery id.
    fn insert_webhook_delivery(
        &mut self,
        event_id: &str,
        endpoint_id: &str,
        now: i64,
    ) -> StoreResult<i64>;
    /// A delivery by id.
    fn webhook_delivery(&mut self, id: i64) -> StoreResult<Option<WebhookDeliveryRecord>>;
    /// Stores a delivery's state.
    fn save_webhook_delivery(&mut self, delivery: &WebhookDeliveryRecord) -> StoreResult<()>;
    /// Pending deliveries to enabled endpoints due at `now`, oldest due first, at most `limit`.
    fn due_webhook_deliveries(
        &mut self,
        now: i64,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>>;
    /// An endpoint's deliveries, newest first, at most `limit`.
    fn webhook_deliveries_of(
        &mut self,
        endpoint_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>>;
    /// Logs an attempt.
    fn insert_webhook_attempt(
        &mut self,
        delivery_id: i64,
        attempt: &WebhookAttemptRecord,
    ) -> StoreResult<()>;
    /// A delivery's attempts, oldest first.
    fn webhook_attempts(&mut self, delivery_id: i64) -> StoreResult<Vec<WebhookAttemptRecord>>;
}
