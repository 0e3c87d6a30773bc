//! Webhooks (issue 15 point 3): a merchant's endpoints, the events every order change writes in
//! the same transaction as the change (an outbox: `webhook_events` and one pending
//! `webhook_deliveries` row per subscribed endpoint), and what each delivery attempt records.
//! The loop that sends them is [`crate::webhooks`].
//!
//! Delivery is at least once: a delivery stays pending until an attempt is answered 2xx, so a
//! server stopped mid-delivery sends it again after restart, once the claim of the cut-off
//! attempt ([`claim`], [`CLAIM_SECS`]) has lapsed; each attempt is claimed first, so two
//! instances on one PostgreSQL database never send one delivery at once; the event id (`webhook-id`) is the
//! same on every attempt, so the receiver de-duplicates by it. Failed attempts are retried with
//! exponential backoff ([`retry_delay`]) for about three days ([`MAX_ATTEMPTS`]); then the
//! delivery is failed and the endpoint disabled as dead, until the merchant enables it again.

use danbao_domain::escrow::OrderState;
use danbao_domain::protocol::wire::{
    IssuedWebhookEndpoint, NewWebhookEndpoint, WebhookAttemptView, WebhookDeliveryList,
    WebhookDeliveryView, WebhookEndpointList, WebhookEndpointView,
};
use danbao_domain::webhook::WebhookSecret;
use ring::aead::NONCE_LEN;
use ring::rand::SecureRandom;
use serde_json::json;

use super::{KeyCaller, Scope, once_for_key, require_merchant};
use crate::app::App;
use crate::service::sealed;
use crate::service::{Answer, ServiceError, ServiceResult};
use crate::store::merchant_api::{
    DeliveryStatus, WebhookAttemptRecord, WebhookEndpointRecord, WebhookEventRecord,
};
use crate::store::{OrderRecord, Store, Tx};

/// The order and payment events an endpoint can subscribe to.
pub const EVENT_TYPES: [&str; 9] = [
    "order.created",
    "order.paid",
    "order.shipped",
    "order.refund_requested",
    "order.disputed",
    "order.completed",
    "order.cancelled",
    "order.refunded",
    "payment.received",
];
/// A merchant payment (a scanned merchant code, a charged payment code) reached the merchant.
pub const PAYMENT_RECEIVED: &str = "payment.received";
/// The type of a test-send.
pub const TEST_EVENT: &str = "webhook.test";
/// Most endpoints per merchant.
pub const MAX_ENDPOINTS: usize = 16;
/// Longest endpoint URL.
pub const MAX_URL_CHARS: usize = 2_000;
/// How long the secret before a rotation still signs deliveries (alongside the new one).
pub const ROTATION_GRACE_SECS: i64 = 24 * 3600;
/// Attempts before a delivery fails: with [`retry_delay`], about three days.
pub const MAX_ATTEMPTS: u32 = 17;
/// How long a finished delivery (delivered or failed), its attempts and its event are kept:
/// the delivery log and redelivery reach back this far, then housekeeping forgets them.
pub const RETENTION_SECS: i64 = 30 * 24 * 3600;
/// Most deliveries shown in the log.
pub const DELIVERY_LOG_LIMIT: u32 = 100;
/// How long a delivery claimed for an attempt ([`claim`]) is left to the pass that claimed it:
/// longer than an attempt may take (`crate::webhooks::ATTEMPT_TIMEOUT`) plus recording it. A
/// delivery whose attempt was cut off (the server stopped) is due again after it.
pub const CLAIM_SECS: i64 = 60;

/// Seconds to wait after the `attempts_made`-th failed attempt: 30 s doubling each time, at
/// most 12 h (30 s, 1 min, 2 min, … 8.5 h, then 12 h): the 17 attempts span about 3.2 days.
pub fn retry_delay(attempts_made: u32) -> i64 {
    let doublings = attempts_made.saturating_sub(1).min(11);
    (30_i64 << doublings).min(12 * 3600)
}

/// The webhook event an order's new state is.
pub fn event_type_of(state: OrderState) -> Option<&'static str> {
    Some(match state {
        OrderState::AwaitingPayment => return None,
        OrderState::Paid => "order.paid",
        OrderState::Shipped => "order.shipped",
        OrderState::RefundRequested => "order.refund_requested",
        OrderState::Disputed => "order.disputed",
        OrderState::Completed => "order.completed",
        OrderState::Cancelled => "order.cancelled",
        OrderState::Refunded => "order.refunded",
    })
}

/// The event id of an order reaching `event_type` (each happens once per order): derived, so
/// a job run again writes the same event.
pub fn event_id(order_id: &str, event_type: &str) -> String {
    let seed = format!("danbao-webhook-event\n{order_id}\n{event_type}");
    let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    format!(
        "msg_{}",
        danbao_domain::protocol::hex_lower(&digest.as_ref()[..12])
    )
}

fn aad(endpoint_id: &str) -> Vec<u8> {
    format!("danbao/webhook-secret\n{endpoint_id}").into_bytes()
}

/// Seals an endpoint's secret at rest (AES-256-GCM, the endpoint id authenticated).
pub fn seal_secret(
    seal_key: &[u8; 32],
    nonce: [u8; NONCE_LEN],
    endpoint_id: &str,
    secret: &WebhookSecret,
) -> ServiceResult<Vec<u8>> {
    sealed::seal(seal_key, nonce, &aad(endpoint_id), secret.expose_bytes())
        .map_err(|_| ServiceError::storage("sealing a webhook secret failed"))
}

/// Opens what [`seal_secret`] wrote for `endpoint_id`.
pub fn open_secret(
    seal_key: &[u8; 32],
    endpoint_id: &str,
    sealed: &[u8],
) -> ServiceResult<WebhookSecret> {
    let failed = || ServiceError::storage("a sealed webhook secret does not open");
    sealed::open(seal_key, &aad(endpoint_id), sealed, |plain| {
        WebhookSecret::from_bytes(plain.to_vec())
    })
    .map_err(|_| failed())?
    .map_err(|_| failed())
}

/// Random material for a new endpoint or secret, chosen outside the write job.
#[derive(Clone)]
pub struct EndpointMaterial {
    id: String,
    secret: WebhookSecret,
    nonce: [u8; NONCE_LEN],
}

impl EndpointMaterial {
    /// Fresh id, secret and sealing nonce.
    pub fn generate(rng: &dyn SecureRandom) -> ServiceResult<Self> {
        let failed = |_| ServiceError::storage("the random source failed");
        let mut id = [0u8; 12];
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut id).map_err(failed)?;
        rng.fill(&mut nonce).map_err(failed)?;
        let secret = WebhookSecret::generate(rng).map_err(ServiceError::storage)?;
        Ok(Self {
            id: format!("we_{}", danbao_domain::protocol::hex_lower(&id)),
            secret,
            nonce,
        })
    }
}

/// A fresh event id for a test-send.
pub fn random_event_id(rng: &dyn SecureRandom) -> ServiceResult<String> {
    let mut bytes = [0u8; 12];
    rng.fill(&mut bytes)
        .map_err(|_| ServiceError::storage("the random source failed"))?;
    Ok(format!(
        "msg_{}",
        danbao_domain::protocol::hex_lower(&bytes)
    ))
}

fn view(record: &WebhookEndpointRecord, now: i64) -> WebhookEndpointView {
    WebhookEndpointView {
        id: record.id.clone(),
        url: record.url.clone(),
        events: record.events.clone(),
        enabled: record.enabled,
        disabled_reason: record.disabled_reason.clone(),
        previous_secret_until: record.previous_until.filter(|until| *until > now),
        created_at: record.created_at,
    }
}

fn check_url(url: &str, sandbox: bool) -> ServiceResult<()> {
    let refuse = |why: &str| {
        Err(ServiceError::unprocessable(
            "invalid_webhook_url",
            format!("webhook url {url:?} {why}"),
        ))
    };
    if url.chars().count() > MAX_URL_CHARS {
        return refuse(&format!("is longer than {MAX_URL_CHARS} characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("contains spaces or control characters");
    }
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if sandbox => rest,
        (None, Some(_)) => return refuse("must be https:// (http:// only on a sandbox server)"),
        (None, None) => return refuse("must start with https://"),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        return refuse("needs a host (and no user name)");
    }
    Ok(())
}

fn check_events(events: &[String]) -> ServiceResult<Vec<String>> {
    let known = |e: &str| e == "*" || EVENT_TYPES.contains(&e);
    if events.is_empty() || events.iter().any(|e| !known(e)) {
        return Err(ServiceError::unprocessable(
            "invalid_webhook_events",
            format!(
                "events must be \"*\" or some of: {}",
                EVENT_TYPES.join(", ")
            ),
        ));
    }
    let mut events = events.to_vec();
    events.sort();
    events.dedup();
    Ok(events)
}

fn own_endpoint(tx: &mut dyn Tx, user_id: i64, id: &str) -> ServiceResult<WebhookEndpointRecord> {
    tx.webhook_endpoint(id)?
        .filter(|endpoint| endpoint.user_id == user_id)
        .ok_or_else(|| {
            ServiceError::not_found(
                "unknown_webhook_endpoint",
                format!("there is no webhook endpoint {id:?} of yours"),
            )
        })
}

/// `POST /v1/merchant-api/webhooks`: a new endpoint; its secret is in this answer only.
pub async fn create<S: Store>(
    app: &App<S>,
    caller: KeyCaller,
    body: NewWebhookEndpoint,
    material: EndpointMaterial,
) -> ServiceResult<Answer> {
    caller.require(Scope::WebhooksWrite)?;
    check_url(&body.url, app.config.sandbox)?;
    let events = check_events(&body.events)?;
    let now = app.now();
    let seal_key = app.seal_key;
    app.store
        .write(move |tx| {
            once_for_key(tx, &caller, now, |tx| {
                require_merchant(tx, caller.user_id)?;
                if tx.webhook_endpoints_of(caller.user_id)?.len() >= MAX_ENDPOINTS {
                    return Err(ServiceError::conflict(
                        "too_many_webhook_endpoints",
                        format!("a merchant has at most {MAX_ENDPOINTS} webhook endpoints"),
                    ));
                }
                let record = WebhookEndpointRecord {
                    id: material.id.clone(),
                    user_id: caller.user_id,
                    url: body.url.clone(),
                    events: events.clone(),
                    secret: seal_secret(&seal_key, material.nonce, &material.id, &material.secret)?,
                    previous_secret: None,
                    previous_until: None,
                    enabled: true,
                    disabled_reason: None,
                    created_at: now,
                };
                tx.insert_webhook_endpoint(&record)?;
                Answer::created(&IssuedWebhookEndpoint {
                    endpoint: view(&record, now),
                    secret: material.secret.to_text(),
                })
            })
        })
        .await
}

/// `GET /v1/merchant-api/webhooks`.
pub async fn list<S: Store>(
    store: &S,
    caller: KeyCaller,
    now: i64,
) -> ServiceResult<WebhookEndpointList> {
    caller.require(Scope::WebhooksWrite)?;
    store
        .read(move |tx| {
            let items = tx
                .webhook_endpoints_of(caller.user_id)?
                .iter()
                .map(|record| view(record, now))
                .collect();
            Ok(WebhookEndpointList { items })
        })
        .await
}

/// `POST /v1/merchant-api/webhooks/{id}/rotate-secret`: a new secret (in this answer only);
/// for [`ROTATION_GRACE_SECS`] deliveries carry signatures under both.
pub async fn rotate<S: Store>(
    app: &App<S>,
    caller: KeyCaller,
    id: String,
    material: EndpointMaterial,
) -> ServiceResult<Answer> {
    caller.require(Scope::WebhooksWrite)?;
    let now = app.now();
    let seal_key = app.seal_key;
    app.store
        .write(move |tx| {
            once_for_key(tx, &caller, now, |tx| {
                let mut record = own_endpoint(tx, caller.user_id, &id)?;
                record.previous_secret = Some(record.secret.clone());
                record.previous_until = Some(now + ROTATION_GRACE_SECS);
                record.secret = seal_secret(&seal_key, material.nonce, &id, &material.secret)?;
                tx.save_webhook_endpoint(&record)?;
                Answer::ok(&IssuedWebhookEndpoint {
                    endpoint: view(&record, now),
                    secret: material.secret.to_text(),
                })
            })
        })
        .await
}

/// `POST /v1/merchant-api/webhooks/{id}/enable`: deliveries to a disabled endpoint resume
/// (failed ones can be sent again with redelivery).
pub async fn enable<S: Store>(
    store: &S,
    caller: KeyCaller,
    id: String,
    now: i64,
) -> ServiceResult<Answer> {
    caller.require(Scope::WebhooksWrite)?;
    store
        .write(move |tx| {
            once_for_key(tx, &caller, now, |tx| {
                let mut record = own_endpoint(tx, caller.user_id, &id)?;
                record.enabled = true;
                record.disabled_reason = None;
                tx.save_webhook_endpoint(&record)?;
                Answer::ok(&view(&record, now))
            })
        })
        .await
}

/// `POST /v1/merchant-api/webhooks/{id}/test`: queues a `webhook.test` event for this
/// endpoint alone and answers its delivery.
pub async fn test<S: Store>(
    store: &S,
    caller: KeyCaller,
    id: String,
    event_id: String,
    now: i64,
) -> ServiceResult<Answer> {
    caller.require(Scope::WebhooksWrite)?;
    store
        .write(move |tx| {
            once_for_key(tx, &caller, now, |tx| {
                let endpoint = own_endpoint(tx, caller.user_id, &id)?;
                let payload = json!({
                    "id": event_id,
                    "type": TEST_EVENT,
                    "created_at": now,
                    "data": {"endpoint_id": endpoint.id},
                });
                tx.insert_webhook_event(&WebhookEventRecord {
                    id: event_id.clone(),
                    user_id: caller.user_id,
                    event_type: TEST_EVENT.to_owned(),
                    payload: payload.to_string(),
                    created_at: now,
                })?;
                let delivery = tx.insert_webhook_delivery(&event_id, &endpoint.id, now)?;
                Answer::created(&delivery_view(tx, delivery)?)
            })
        })
        .await
}

fn delivery_view(tx: &mut dyn Tx, id: i64) -> ServiceResult<WebhookDeliveryView> {
    let delivery = tx
        .webhook_delivery(id)?
        .ok_or_else(|| ServiceError::storage("a delivery vanished"))?;
    let event_type = tx
        .webhook_event(&delivery.event_id)?
        .map(|event| event.event_type)
        .unwrap_or_default();
    let attempts = tx
        .webhook_attempts(id)?
        .into_iter()
        .map(|attempt| WebhookAttemptView {
            at: attempt.at,
            status: attempt.status,
            error: attempt.error,
        })
        .collect();
    Ok(WebhookDeliveryView {
        id: delivery.id,
        event_id: delivery.event_id,
        event_type,
        endpoint_id: delivery.endpoint_id,
        status: delivery.status.as_str().to_owned(),
        next_attempt_at: delivery.next_attempt_at,
        delivered_at: delivery.delivered_at,
        attempts,
        created_at: delivery.created_at,
    })
}

/// `GET /v1/merchant-api/webhooks/{id}/deliveries`: the delivery log, newest first.
pub async fn deliveries<S: Store>(
    store: &S,
    caller: KeyCaller,
    id: String,
) -> ServiceResult<WebhookDeliveryList> {
    caller.require(Scope::WebhooksWrite)?;
    store
        .read(move |tx| {
            own_endpoint(tx, caller.user_id, &id)?;
            let mut items = Vec::new();
            for delivery in tx.webhook_deliveries_of(&id, DELIVERY_LOG_LIMIT)? {
                items.push(delivery_view(tx, delivery.id)?);
            }
            Ok(WebhookDeliveryList { items })
        })
        .await
}

/// `POST /v1/merchant-api/webhook-deliveries/{id}/redeliver`: sends a delivery again (same
/// event id), with a fresh retry schedule.
pub async fn redeliver<S: Store>(
    store: &S,
    caller: KeyCaller,
    id: i64,
    now: i64,
) -> ServiceResult<Answer> {
    caller.require(Scope::WebhooksWrite)?;
    store
        .write(move |tx| {
            once_for_key(tx, &caller, now, |tx| {
                let unknown = || {
                    ServiceError::not_found(
                        "unknown_webhook_delivery",
                        format!("there is no webhook delivery {id} of yours"),
                    )
                };
                let mut delivery = tx.webhook_delivery(id)?.ok_or_else(unknown)?;
                let endpoint = tx.webhook_endpoint(&delivery.endpoint_id)?;
                if endpoint.is_none_or(|e| e.user_id != caller.user_id) {
                    return Err(unknown());
                }
                delivery.status = DeliveryStatus::Pending;
                delivery.attempts = 0;
                delivery.next_attempt_at = Some(now);
                tx.save_webhook_delivery(&delivery)?;
                Answer::ok(&delivery_view(tx, id)?)
            })
        })
        .await
}

/// Writes the event of `record` reaching `event_type`, in the caller's transaction, and
/// queues it for every enabled endpoint of the seller that wants it.
pub fn order_event(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    event_type: &str,
    now: i64,
) -> ServiceResult<()> {
    let endpoints: Vec<WebhookEndpointRecord> = tx
        .webhook_endpoints_of(record.seller_id)?
        .into_iter()
        .filter(|e| e.enabled && e.events.iter().any(|w| w == "*" || w == event_type))
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let order = super::views::view_of(tx, record, now)?;
    let id = event_id(&record.id, event_type);
    let payload = json!({
        "id": id,
        "type": event_type,
        "created_at": now,
        "data": {"order": order},
    });
    let event = WebhookEventRecord {
        id: id.clone(),
        user_id: record.seller_id,
        event_type: event_type.to_owned(),
        payload: payload.to_string(),
        created_at: now,
    };
    if tx.insert_webhook_event(&event)? {
        for endpoint in endpoints {
            tx.insert_webhook_delivery(&id, &endpoint.id, now)?;
        }
    }
    Ok(())
}

/// Writes the `payment.received` event of a merchant payment to `merchant_id`, in the
/// payment's transaction, and queues it for every enabled endpoint of the merchant that wants
/// it. Its id derives from the payment's transfer id, so a job run again writes the same
/// event. `payment` is the event's `data.payment`.
pub fn payment_event(
    tx: &mut dyn Tx,
    merchant_id: i64,
    transfer_id: &str,
    payment: serde_json::Value,
    now: i64,
) -> ServiceResult<()> {
    let endpoints: Vec<WebhookEndpointRecord> = tx
        .webhook_endpoints_of(merchant_id)?
        .into_iter()
        .filter(|e| e.enabled && e.events.iter().any(|w| w == "*" || w == PAYMENT_RECEIVED))
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let id = event_id(&format!("payment:{transfer_id}"), PAYMENT_RECEIVED);
    let payload = json!({
        "id": id,
        "type": PAYMENT_RECEIVED,
        "created_at": now,
        "data": {"payment": payment},
    });
    let event = WebhookEventRecord {
        id: id.clone(),
        user_id: merchant_id,
        event_type: PAYMENT_RECEIVED.to_owned(),
        payload: payload.to_string(),
        created_at: now,
    };
    if tx.insert_webhook_event(&event)? {
        for endpoint in endpoints {
            tx.insert_webhook_delivery(&id, &endpoint.id, now)?;
        }
    }
    Ok(())
}

/// A delivery ready to send: where, what, and the sealed secrets that sign it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The delivery.
    pub delivery_id: i64,
    /// The event id (`webhook-id`).
    pub event_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// Where.
    pub url: String,
    /// The JSON body.
    pub payload: String,
    /// The current secret and, during a rotation's grace, the previous one (sealed).
    pub sealed_secrets: Vec<Vec<u8>>,
}

/// The deliveries due at `now`, at most `limit`.
pub fn due(tx: &mut dyn Tx, now: i64, limit: u32) -> ServiceResult<Vec<Outgoing>> {
    let mut out = Vec::new();
    for delivery in tx.due_webhook_deliveries(now, limit)? {
        let Some(endpoint) = tx.webhook_endpoint(&delivery.endpoint_id)? else {
            continue;
        };
        let Some(event) = tx.webhook_event(&delivery.event_id)? else {
            continue;
        };
        let mut sealed_secrets = vec![endpoint.secret.clone()];
        if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_until)
            && until > now
        {
            sealed_secrets.push(previous.clone());
        }
        out.push(Outgoing {
            delivery_id: delivery.id,
            event_id: event.id,
            endpoint_id: endpoint.id,
            url: endpoint.url,
            payload: event.payload,
            sealed_secrets,
        });
    }
    Ok(out)
}

/// Claims delivery `delivery_id` for one attempt at `now`, just before it is sent: `true`
/// when it is still pending, due and its endpoint enabled, and then its next attempt moves to
/// `now + CLAIM_SECS`, so no other pass sends it meanwhile (on PostgreSQL, no other instance
/// either: two instances claiming one delivery at once both update its row; the second is
/// cancelled, runs again and finds it claimed). [`record_attempt`] then sets the real next
/// attempt, or delivers or fails it.
pub fn claim(tx: &mut dyn Tx, delivery_id: i64, now: i64) -> ServiceResult<bool> {
    let Some(mut delivery) = tx.webhook_delivery(delivery_id)? else {
        return Ok(false);
    };
    if delivery.status != DeliveryStatus::Pending
        || delivery.next_attempt_at.is_none_or(|at| at > now)
    {
        return Ok(false);
    }
    let enabled = tx
        .webhook_endpoint(&delivery.endpoint_id)?
        .is_some_and(|endpoint| endpoint.enabled);
    if !enabled {
        return Ok(false);
    }
    delivery.next_attempt_at = Some(now + CLAIM_SECS);
    tx.save_webhook_delivery(&delivery)?;
    Ok(true)
}

/// Records one attempt of `delivery_id` at `now`: answered `status` (2xx delivers it) or
/// failed with `error`. A failure is retried after [`retry_delay`]; the [`MAX_ATTEMPTS`]-th
/// fails the delivery and disables its endpoint as dead.
pub fn record_attempt(
    tx: &mut dyn Tx,
    delivery_id: i64,
    status: Option<u16>,
    error: Option<String>,
    now: i64,
) -> ServiceResult<DeliveryStatus> {
    let Some(mut delivery) = tx.webhook_delivery(delivery_id)? else {
        return Err(ServiceError::storage("a delivery vanished"));
    };
    tx.insert_webhook_attempt(
        delivery_id,
        &WebhookAttemptRecord {
            at: now,
            status,
            error: error.clone(),
        },
    )?;
    if delivery.status != DeliveryStatus::Pending {
        return Ok(delivery.status);
    }
    delivery.attempts += 1;
    delivery.last_attempt_at = Some(now);
    delivery.last_status = status;
    delivery.last_error = error;
    if status.is_some_and(|s| (200..300).contains(&s)) {
        delivery.status = DeliveryStatus::Delivered;
        delivery.delivered_at = Some(now);
        delivery.next_attempt_at = None;
    } else if delivery.attempts >= MAX_ATTEMPTS {
        delivery.status = DeliveryStatus::Failed;
        delivery.next_attempt_at = None;
        if let Some(mut endpoint) = tx.webhook_endpoint(&delivery.endpoint_id)? {
            endpoint.enabled = false;
            endpoint.disabled_reason = Some(format!(
                "disabled at {now}: event {} failed {MAX_ATTEMPTS} attempts over about three \
                 days; fix the endpoint, enable it and redeliver",
                delivery.event_id
            ));
            tx.save_webhook_endpoint(&endpoint)?;
        }
    } else {
        delivery.next_attempt_at = Some(now + retry_delay(delivery.attempts));
    }
    tx.save_webhook_delivery(&delivery)?;
    Ok(delivery.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_and_spans_about_three_days() {
        assert_eq!(retry_delay(1), 30);
        assert_eq!(retry_delay(2), 60);
        assert_eq!(retry_delay(11), 30 * 1024);
        assert_eq!(retry_delay(12), 12 * 3600);
        let total: i64 = (1..MAX_ATTEMPTS).map(retry_delay).sum();
        assert!((3 * 86_400..4 * 86_400).contains(&total), "{total}");
    }

    #[test]
    fn sealed_secrets_open_only_for_their_endpoint() {
        let key = [7u8; 32];
        let secret = WebhookSecret::from_bytes(vec![3; 32]).unwrap();
        let sealed = seal_secret(&key, [1; NONCE_LEN], "we_a", &secret).unwrap();
        assert_eq!(open_secret(&key, "we_a", &sealed).unwrap(), secret);
        assert!(open_secret(&key, "we_b", &sealed).is_err());
        assert!(!sealed.windows(32).any(|w| w == [3; 32]));
    }
}
