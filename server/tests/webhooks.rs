//! Webhooks (issue 15 point 3) against a real HTTP receiver on loopback that verifies every
//! delivery's Standard Webhooks signature: events written with each order change, retried with
//! backoff after failures, each seen exactly once after de-duplication by id, a dead endpoint
//! disabled after about three days, test-send, the delivery log, redelivery, secret rotation,
//! a delivery cut off by a server restart sent after it (once its claim lapsed), and two
//! instances on one PostgreSQL database sending each delivery once.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::{Server, Wallet, next_key};
use danbao_domain::webhook::{self, WebhookSecret};
use danbao_server::service::merchant_api::webhooks::CLAIM_SECS;
use danbao_server::{App, Backend};
use serde_json::{Value, json};

const CNY: &str = "CNY";

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    id: String,
    event_type: String,
    verified: bool,
    body: Value,
}

/// The receiver's shared state.
#[derive(Default)]
struct Inbox {
    seen: Mutex<Vec<Seen>>,
    secrets: Mutex<Vec<WebhookSecret>>,
    /// Answer 500 to this many more requests.
    fail: AtomicUsize,
    /// Hold the next request without answering (a server stopped mid-delivery).
    stall_next: AtomicBool,
    /// Take this long to answer each request (milliseconds).
    delay_ms: AtomicU64,
    /// The server whose clock the timestamps are checked against.
    app: Mutex<Option<App<Backend>>>,
}

impl Inbox {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The distinct events, by id (what a receiver keeps after de-duplication).
    fn unique(&self) -> BTreeMap<String, String> {
        self.seen()
            .into_iter()
            .map(|s| (s.id, s.event_type))
            .collect()
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (id, timestamp, signature) = (
        header(webhook::HEADER_ID),
        header(webhook::HEADER_TIMESTAMP),
        header(webhook::HEADER_SIGNATURE),
    );
    let now = inbox
        .app
        .lock()
        .unwrap()
        .as_ref()
        .map_or(0, |app| app.now());
    let secrets = inbox.secrets.lock().unwrap().clone();
    let verified = webhook::verify(&secrets, &id, &timestamp, &signature, &body, now).is_ok();
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inbox.seen.lock().unwrap().push(Seen {
        id: id.clone(),
        event_type: parsed["type"].as_str().unwrap_or_default().to_owned(),
        verified,
        body: parsed.clone(),
    });
    assert_eq!(parsed["id"], id.as_str(), "the body's id is the header's");
    if inbox.stall_next.swap(false, Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    let delay = inbox.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if inbox
        .fail
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::NO_CONTENT
}

/// Starts the receiver on 127.0.0.1; answers its URL.
async fn receiver(inbox: Arc<Inbox>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/danbao", listener.local_addr().unwrap());
    let routes = axum::Router::new()
        .route("/hooks/danbao", axum::routing::post(receive))
        .with_state(inbox);
    tokio::spawn(async move { axum::serve(listener, routes).await });
    url
}

async fn api(
    server: &Server,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = server
        .http
        .request(method.parse().unwrap(), format!("{}{path}", server.url))
        .bearer_auth(key);
    if method == "POST" {
        request = request.header("Idempotency-Key", next_key());
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

struct Shop {
    server: Server,
    merchant: Wallet,
    buyer: Wallet,
    key: String,
    inbox: Arc<Inbox>,
    endpoint: String,
}

async fn shop() -> Shop {
    let server = Server::start().await;
    let merchant = server.sign_up_merchant("teashop", "Tea Shop").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "1000.00", CNY).await;
    let (status, issued) = merchant
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "shop", "scopes": ["orders:write", "orders:read", "webhooks:write"]}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let key = issued["secret"].as_str().unwrap().to_owned();
    let inbox = Arc::new(Inbox::default());
    *inbox.app.lock().unwrap() = Some(server.app.clone());
    let url = receiver(inbox.clone()).await;
    let (status, endpoint) = api(
        &server,
        &key,
        "POST",
        "/v1/merchant-api/webhooks",
        Some(&json!({"url": url, "events": ["*"]})),
    )
    .await;
    assert_eq!(status, 201, "{endpoint}");
    let secret = WebhookSecret::from_text(endpoint["secret"].as_str().unwrap()).unwrap();
    inbox.secrets.lock().unwrap().push(secret);
    Shop {
        server,
        merchant,
        buyer,
        key,
        inbox,
        endpoint: endpoint["endpoint"]["id"].as_str().unwrap().to_owned(),
    }
}

/// Waits (up to 10 s) until `check` holds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn deliveries(shop: &Shop) -> Vec<Value> {
    let (status, log) = api(
        &shop.server,
        &shop.key,
        "GET",
        &format!("/v1/merchant-api/webhooks/{}/deliveries", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    log["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn order_events_are_signed_retried_after_failures_and_seen_once_by_id() {
    let shop = shop().await;
    // The receiver fails its first two requests.
    shop.inbox.fail.store(2, Ordering::SeqCst);
    let body =
        json!({"merchant_reference": "web-1", "title": "Tea", "amount": "88.00", "currency": CNY});
    let (status, created) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["order"]["id"].as_str().unwrap().to_owned();

    // First attempt fails at once; the retry waits 30 s of server time, the next 60 s.
    eventually("the first attempt", || shop.inbox.seen().len() == 1).await;
    shop.server
        .advance_clock(31, &[&shop.buyer, &shop.merchant])
        .await;
    eventually("the second attempt", || shop.inbox.seen().len() == 2).await;
    shop.server
        .advance_clock(61, &[&shop.buyer, &shop.merchant])
        .await;
    eventually("the third attempt", || shop.inbox.seen().len() == 3).await;
    let log = deliveries(&shop).await;
    assert_eq!(log[0]["status"], "delivered", "{log:?}");
    let statuses: Vec<&Value> = log[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(204)]);

    // The order runs: paid, shipped (with the key), completed.
    let (status, _) = shop
        .buyer
        .post("/v1/orders/pay-code", &json!({"code": created["code"]}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/orders/{id}/ship"),
        Some(&json!({"carrier": "SF", "tracking": "SF1"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = shop
        .buyer
        .post(&format!("/v1/orders/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 200);
    eventually("every event", || shop.inbox.unique().len() == 4).await;

    let seen = shop.inbox.seen();
    assert!(
        seen.iter().all(|s| s.verified),
        "a signature did not verify: {seen:?}"
    );
    let types: BTreeSet<String> = shop.inbox.unique().into_values().collect();
    assert_eq!(
        types,
        BTreeSet::from(
            [
                "order.completed",
                "order.created",
                "order.paid",
                "order.shipped"
            ]
            .map(String::from)
        )
    );
    // The created event arrived three times under one id; after de-duplication, once each.
    assert_eq!(seen.len(), 6);
    let completed = seen
        .iter()
        .find(|s| s.event_type == "order.completed")
        .unwrap();
    assert_eq!(
        completed.body["data"]["order"]["merchant_reference"],
        "web-1"
    );
    assert_eq!(
        completed.body["data"]["order"]["order"]["state"],
        "completed"
    );
    assert!(completed.body["data"]["order"]["completed_at"].is_i64());
    // Nothing was sent twice once delivered.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(shop.inbox.seen().len(), 6);
    shop.server.invariants().await;
}

#[tokio::test]
async fn a_dead_endpoint_is_disabled_after_three_days_and_test_send_and_redelivery_work() {
    let shop = shop().await;
    // Another merchant, signed up before the clock moves days ahead of the test's devices.
    let other = shop.server.sign_up_merchant("other", "Other").await;
    let (_, issued) = other
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "x", "scopes": ["webhooks:write"]}),
        )
        .await;
    let other_key = issued["secret"].as_str().unwrap().to_owned();
    shop.inbox.fail.store(usize::MAX, Ordering::SeqCst);
    let (status, test) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/webhooks/{}/test", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(status, 201, "{test}");
    assert_eq!(test["event_type"], "webhook.test");
    let delivery = test["id"].as_i64().unwrap();
    // 17 attempts, 12 h of server time apart at most: about three days.
    for attempt in 1..=17 {
        eventually("an attempt", || shop.inbox.seen().len() == attempt).await;
        if attempt < 17 {
            shop.server
                .advance_clock(12 * 3600, &[&shop.merchant])
                .await;
        }
    }
    let (_, list) = api(
        &shop.server,
        &shop.key,
        "GET",
        "/v1/merchant-api/webhooks",
        None,
    )
    .await;
    let mut list = list;
    for _ in 0..100 {
        if list["items"][0]["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        list = api(
            &shop.server,
            &shop.key,
            "GET",
            "/v1/merchant-api/webhooks",
            None,
        )
        .await
        .1;
    }
    assert_eq!(list["items"][0]["enabled"], false, "{list}");
    assert!(
        list["items"][0]["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("17 attempts")
    );
    let log = deliveries(&shop).await;
    assert_eq!(log[0]["status"], "failed");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 17);
    assert!(shop.inbox.seen().iter().all(|s| s.verified));

    // Events while disabled wait; once fixed and enabled, a redelivery goes out.
    shop.inbox.fail.store(0, Ordering::SeqCst);
    let (status, _) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/webhooks/{}/enable", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, again) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/webhook-deliveries/{delivery}/redeliver"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{again}");
    eventually("the redelivery", || shop.inbox.seen().len() == 18).await;
    assert_eq!(shop.inbox.unique().len(), 1, "one event id throughout");

    // Rotation: for a day deliveries carry both signatures; a receiver holding only the new
    // secret verifies them.
    let (status, rotated) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/webhooks/{}/rotate-secret", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = WebhookSecret::from_text(rotated["secret"].as_str().unwrap()).unwrap();
    *shop.inbox.secrets.lock().unwrap() = vec![new_secret];
    let (status, _) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/webhooks/{}/test", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(status, 201);
    eventually("the test after rotation", || shop.inbox.seen().len() == 19).await;
    let last = shop.inbox.seen().pop().unwrap();
    assert!(last.verified);

    // Another merchant's key sees none of it; bad endpoints are refused.
    for (body, code) in [
        (
            json!({"url": "ftp://example.com/x", "events": ["*"]}),
            "invalid_webhook_url",
        ),
        (
            json!({"url": "https://example.com/x", "events": ["order.lost"]}),
            "invalid_webhook_events",
        ),
        (
            json!({"url": "https://a b.com/", "events": ["*"]}),
            "invalid_webhook_url",
        ),
    ] {
        let (status, refused) = api(
            &shop.server,
            &shop.key,
            "POST",
            "/v1/merchant-api/webhooks",
            Some(&body),
        )
        .await;
        assert_eq!((status, &refused["code"]), (422, &json!(code)), "{body}");
    }
    let (status, refused) = api(
        &shop.server,
        &other_key,
        "GET",
        &format!("/v1/merchant-api/webhooks/{}/deliveries", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(
        (status, &refused["code"]),
        (404, &json!("unknown_webhook_endpoint"))
    );
    let (status, refused) = api(
        &shop.server,
        &other_key,
        "POST",
        &format!("/v1/merchant-api/webhook-deliveries/{delivery}/redeliver"),
        None,
    )
    .await;
    assert_eq!(
        (status, &refused["code"]),
        (404, &json!("unknown_webhook_delivery"))
    );
}

#[tokio::test]
async fn a_delivery_cut_off_by_a_restart_is_sent_after_it() {
    let shop = shop().await;
    shop.inbox.stall_next.store(true, Ordering::SeqCst);
    let (status, _) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!("/v1/merchant-api/webhooks/{}/test", shop.endpoint),
        None,
    )
    .await;
    assert_eq!(status, 201);
    // The receiver holds the first attempt; the server stops while it waits for the answer.
    eventually("the first attempt", || shop.inbox.seen().len() == 1).await;
    let Shop {
        server,
        inbox,
        key,
        endpoint,
        ..
    } = shop;
    let dir = server.stop().await;
    let server = Server::start_in(dir, |_| {}).await;
    *inbox.app.lock().unwrap() = Some(server.app.clone());
    // The cut-off attempt's claim lapses first (it holds the delivery for CLAIM_SECS).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(inbox.seen().len(), 1, "not sent again while it is claimed");
    server.advance_clock(CLAIM_SECS + 1, &[]).await;
    eventually("the delivery after restart", || inbox.seen().len() == 2).await;
    assert_eq!(inbox.unique().len(), 1, "the same event id");
    assert!(inbox.seen().iter().all(|s| s.verified));
    let (status, log) = api(
        &server,
        &key,
        "GET",
        &format!("/v1/merchant-api/webhooks/{endpoint}/deliveries"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mut log = log;
    for _ in 0..100 {
        if log["items"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        log = api(
            &server,
            &key,
            "GET",
            &format!("/v1/merchant-api/webhooks/{endpoint}/deliveries"),
            None,
        )
        .await
        .1;
    }
    assert_eq!(log["items"][0]["status"], "delivered", "{log}");
}

/// Two instances on one PostgreSQL database both run the delivery loop: each delivery is
/// claimed by one of them before it is sent, so the receiver gets every event once (with a
/// slow receiver, both loops list the same due deliveries; without the claim both send them).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_send_each_delivery_once() {
    if !common::on_postgres() {
        eprintln!("skipped: two instances share a database only on PostgreSQL");
        return;
    }
    let shop = shop().await;
    shop.inbox.delay_ms.store(150, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        shop.server.dir.path().join("database-url"),
        dir.path().join("database-url"),
    )
    .unwrap();
    let second = Server::start_in(dir, |_| {}).await;
    const SENDS: usize = 12;
    for _ in 0..SENDS {
        let (status, sent) = api(
            &shop.server,
            &shop.key,
            "POST",
            &format!("/v1/merchant-api/webhooks/{}/test", shop.endpoint),
            None,
        )
        .await;
        assert_eq!(status, 201, "{sent}");
    }
    eventually("every event", || shop.inbox.unique().len() == SENDS).await;
    // Both loops keep polling a while: nothing is sent twice.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let seen = shop.inbox.seen();
    assert_eq!(seen.len(), SENDS, "each event sent once: {seen:?}");
    assert!(seen.iter().all(|s| s.verified));
    for _ in 0..100 {
        let log = deliveries(&shop).await;
        if log.iter().all(|d| d["status"] == "delivered") {
            assert_eq!(log.len(), SENDS);
            assert!(
                log.iter()
                    .all(|d| d["attempts"].as_array().unwrap().len() == 1),
                "{log:?}"
            );
            drop(second);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the deliveries were not all recorded as delivered");
}

/// A test CA and a TLS terminator for 127.0.0.1 in front of `upstream` (host:port).
async fn tls_terminator(upstream: String) -> (Vec<u8>, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![
            rustls::pki_types::CertificateDer::from(leaf.der().to_vec()),
            ca.der().clone(),
        ],
        rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hooks/danbao", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (ca.der().to_vec(), url)
}

#[tokio::test]
async fn the_sender_speaks_https_to_endpoints_it_trusts_and_keeps_off_private_addresses() {
    use danbao_server::webhooks::{HttpTransport, OutboundRequest, WebhookTransport};
    let inbox = Arc::new(Inbox::default());
    let plain = receiver(inbox.clone()).await;
    let upstream = plain
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (ca, url) = tls_terminator(upstream).await;
    let request = |url: &str| OutboundRequest {
        url: url.to_owned(),
        headers: vec![
            (webhook::HEADER_ID, "msg_tls".to_owned()),
            (webhook::HEADER_TIMESTAMP, "0".to_owned()),
            (webhook::HEADER_SIGNATURE, "v1,x".to_owned()),
        ],
        body: br#"{"id":"msg_tls","type":"webhook.test"}"#.to_vec(),
    };
    let trusting =
        HttpTransport::new(true, &[rustls::pki_types::CertificateDer::from(ca)]).unwrap();
    assert_eq!(trusting.post(request(&url)).await, Ok(204));
    assert_eq!(inbox.seen()[0].id, "msg_tls");

    // A certificate the sender does not trust: no delivery.
    let strict = HttpTransport::new(true, &[]).unwrap();
    let error = strict.post(request(&url)).await.unwrap_err();
    assert!(error.contains("TLS"), "{error}");
    // Outside the sandbox, loopback (and every private address) is refused before connecting.
    let public_only = HttpTransport::new(false, &[]).unwrap();
    let error = public_only.post(request(&plain)).await.unwrap_err();
    assert!(error.contains("no public address"), "{error}");
    assert_eq!(inbox.seen().len(), 1);
}

#[tokio::test]
async fn a_merchant_payment_is_a_payment_received_event_written_once() {
    let shop = shop().await;
    let (status, _) = shop
        .server
        .operator(
            "POST",
            "/v1/admin/fees",
            Some(
                &json!({"merchant": "teashop", "currency": CNY, "basis_points": 100,
                         "fixed_minor": 30}),
            ),
            None,
        )
        .await;
    assert_eq!(status, 200);
    // A friend's transfer to the merchant is no merchant payment: no event.
    let (status, _) = shop
        .buyer
        .post(
            "/v1/transfers",
            &json!({"to": "teashop", "amount": "5.00", "currency": CNY}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, code) = shop
        .merchant
        .post(
            "/v1/codes",
            &json!({"kind": "merchant", "amount": "88.00", "currency": CNY}),
        )
        .await;
    assert_eq!(status, 201, "{code}");
    // Paid, and the same request retried under its key: one event.
    let body = json!({"code": code["code"], "memo": "tea"});
    let key = next_key();
    let (status, paid) = shop
        .buyer
        .call("POST", "/v1/payments", Some(&body), Some(&key))
        .await;
    assert_eq!(status, 200, "{paid}");
    let (status, again) = shop
        .buyer
        .call("POST", "/v1/payments", Some(&body), Some(&key))
        .await;
    assert_eq!((status, &again), (200, &paid));
    eventually("the payment event", || !shop.inbox.seen().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = shop.inbox.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let event = &seen[0];
    assert!(event.verified, "{event:?}");
    assert_eq!(event.event_type, "payment.received");
    let payment = &event.body["data"]["payment"];
    assert_eq!(payment["transfer_id"], paid["transfer_id"]);
    assert_eq!(payment["kind"], "merchant");
    assert_eq!(payment["payer"], "bea");
    assert_eq!(payment["amount"]["minor"], 8_800);
    // 1 % + 0.30 of 88.00.
    assert_eq!(payment["platform_fee"]["minor"], 118);
    assert_eq!(payment["net"]["minor"], 8_682);
    assert_eq!(payment["memo"], "tea");
    let log = deliveries(&shop).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["status"], "delivered", "{log:?}");
    shop.server.invariants().await;
}

/// Housekeeping forgets a finished delivery, its attempts and its event once they are
/// `RETENTION_SECS` old, and never a delivery still pending.
#[tokio::test]
async fn finished_deliveries_are_forgotten_after_the_retention_and_pending_ones_are_kept() {
    use danbao_server::service::merchant_api::webhooks::RETENTION_SECS;
    use danbao_server::store::Store;
    let shop = shop().await;
    let order = |reference: &str| json!({"merchant_reference": reference, "title": "Tea", "amount": "8.00", "currency": CNY});
    let (status, _) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&order("kept-1")),
    )
    .await;
    assert_eq!(status, 201);
    eventually("the first delivery", || shop.inbox.seen().len() == 1).await;
    // The receiver is down for the second event: its delivery stays pending.
    shop.inbox.fail.store(1_000, Ordering::SeqCst);
    let (status, _) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&order("kept-2")),
    )
    .await;
    assert_eq!(status, 201);
    eventually("the failed attempt", || shop.inbox.seen().len() == 2).await;
    let log = deliveries(&shop).await;
    let mut statuses: Vec<&str> = log.iter().map(|d| d["status"].as_str().unwrap()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["delivered", "pending"], "{log:?}");
    let delivered = log.iter().find(|d| d["status"] == "delivered").unwrap()["id"].clone();

    let purge = |at: i64| {
        let before = danbao_server::purge_cutoffs(at);
        shop.server.app.store.write(move |tx| tx.purge(&before))
    };
    let now = shop.server.app.now();
    let purged = purge(now + RETENTION_SECS - 60).await.unwrap();
    assert_eq!(purged.webhooks, 0, "nothing is old enough yet");
    assert_eq!(deliveries(&shop).await.len(), 2);

    let purged = purge(now + RETENTION_SECS + 60).await.unwrap();
    // The delivered one: its attempt, itself and its event.
    assert_eq!(purged.webhooks, 3, "{purged:?}");
    let log = deliveries(&shop).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["status"], "pending");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
    let (status, answer) = api(
        &shop.server,
        &shop.key,
        "POST",
        &format!(
            "/v1/merchant-api/webhook-deliveries/{}/redeliver",
            delivered.as_i64().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (404, Some("unknown_webhook_delivery")),
        "{answer}"
    );
}
