//! A small web shop's server that sells through Danbao escrow using only the merchant API and
//! webhooks (issue 15 point 7): it registers a webhook endpoint, creates an order under its own
//! reference and shows the code the buyer scans, ships when the signed `order.paid` webhook
//! arrives, and prints its settlement report. `main.rs` runs it against a server; the test
//! `server/tests/sample_shop.rs` runs it end to end.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use danbao_domain::webhook::{self, WebhookSecret};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// What the shop logs, line by line (the test reads it; `main` prints it).
pub type Log = Arc<Mutex<Vec<String>>>;

/// The shop: its API key, the Danbao server's URL and its webhook secret.
#[derive(Clone)]
pub struct Shop {
    danbao: String,
    key: String,
    secret: Arc<Mutex<Option<WebhookSecret>>>,
    seen: Arc<Mutex<HashSet<String>>>,
    log: Log,
    paid: mpsc::UnboundedSender<String>,
}

/// One call to the merchant API; answers (status, JSON or text).
pub async fn call(
    danbao: &str,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> Result<(u16, Value), String> {
    let uri: hyper::Uri = format!("{danbao}{path}")
        .parse()
        .map_err(|e| format!("{e}"))?;
    let authority = uri.authority().ok_or("no host")?.to_string();
    let stream = tokio::net::TcpStream::connect(&authority)
        .await
        .map_err(|e| format!("connect {authority}: {e}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", authority)
        .header("authorization", format!("Bearer {key}"));
    if let Some(idempotency_key) = idempotency_key {
        request = request.header("idempotency-key", idempotency_key);
    }
    let bytes = match body {
        Some(body) => {
            request = request.header("content-type", "application/json");
            body.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    let response = sender
        .send_request(
            request
                .body(Full::new(Bytes::from(bytes)))
                .map_err(|e| e.to_string())?,
        )
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    Ok((
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

impl Shop {
    fn say(&self, line: String) {
        println!("[shop] {line}");
        if let Ok(mut log) = self.log.lock() {
            log.push(line);
        }
    }

    /// Starts the shop's webhook receiver on `listen` (e.g. "127.0.0.1:0") and registers it
    /// with Danbao; answers the shop and a channel of the order ids paid.
    pub async fn start(
        danbao: &str,
        key: &str,
        listen: &str,
        log: Log,
    ) -> Result<(Self, mpsc::UnboundedReceiver<String>), String> {
        let (paid, paid_orders) = mpsc::unbounded_channel();
        let shop = Self {
            danbao: danbao.to_owned(),
            key: key.to_owned(),
            secret: Arc::new(Mutex::new(None)),
            seen: Arc::new(Mutex::new(HashSet::new())),
            log,
            paid,
        };
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| e.to_string())?;
        let url = format!(
            "http://{}/danbao/webhooks",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let routes = axum::Router::new()
            .route("/danbao/webhooks", axum::routing::post(receive))
            .with_state(shop.clone());
        tokio::spawn(async move { axum::serve(listener, routes).await });
        let (status, endpoint) = call(
            danbao,
            key,
            "POST",
            "/v1/merchant-api/webhooks",
            Some(&json!({"url": url, "events": ["order.paid", "order.completed"]})),
            Some("sample-shop-endpoint"),
        )
        .await?;
        if status != 201 {
            return Err(format!("registering the webhook: {status} {endpoint}"));
        }
        let secret = WebhookSecret::from_text(endpoint["secret"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        if let Ok(mut slot) = shop.secret.lock() {
            *slot = Some(secret);
        }
        shop.say(format!("webhook endpoint registered at {url}"));
        Ok((shop, paid_orders))
    }

    /// Checkout: creates the order under the shop's reference; answers (order id, code).
    pub async fn checkout(
        &self,
        reference: &str,
        amount: &str,
    ) -> Result<(String, String), String> {
        let body = json!({
            "merchant_reference": reference,
            "title": "Longjing green tea, 250 g",
            "amount": amount,
            "currency": "CNY",
            "description": "Spring harvest, shipped in a tin",
            "line_items": [{"name": "Longjing 250 g", "quantity": 1, "unit_amount": amount}],
            "metadata": {"channel": "web"}
        });
        let (status, order) = call(
            &self.danbao,
            &self.key,
            "POST",
            "/v1/merchant-api/orders",
            Some(&body),
            Some(&format!("checkout-{reference}")),
        )
        .await?;
        if status != 201 && status != 200 {
            return Err(format!("creating the order: {status} {order}"));
        }
        let id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
        let code = order["code"].as_str().unwrap_or_default().to_owned();
        // A buyer already on the phone taps a link instead of scanning.
        let link = danbao_domain::qr::link::payment_link("danbao", &code);
        self.say(format!(
            "order {reference} is {id}; show this code as a QR code: {code}\n\
             or, to a phone, this payment link: {link}"
        ));
        Ok((id, code))
    }

    /// Ships a paid order.
    pub async fn ship(&self, order_id: &str) -> Result<(), String> {
        let (status, order) = call(
            &self.danbao,
            &self.key,
            "POST",
            &format!("/v1/merchant-api/orders/{order_id}/ship"),
            Some(&json!({"carrier": "SF Express", "tracking": format!("SF-{order_id}")})),
            Some(&format!("ship-{order_id}")),
        )
        .await?;
        if status != 200 {
            return Err(format!("shipping: {status} {order}"));
        }
        self.say(format!("shipped {order_id}"));
        Ok(())
    }

    /// Prints the settlement report of `[from, to)` (CSV) and answers it.
    pub async fn report(&self, from: i64, to: i64) -> Result<String, String> {
        let (status, csv) = call(
            &self.danbao,
            &self.key,
            "GET",
            &format!("/v1/merchant-api/reports/settlements?from={from}&to={to}&format=csv"),
            None,
            None,
        )
        .await?;
        let csv = csv.as_str().unwrap_or_default().to_owned();
        if status != 200 {
            return Err(format!("the report: {status} {csv}"));
        }
        self.say(format!("settlement report:\n{csv}"));
        Ok(csv)
    }
}

/// The webhook receiver: checks the signature, de-duplicates by id, and hands paid orders to
/// the shipping loop. Answers 2xx quickly; anything it cannot verify is refused.
async fn receive(State(shop): State<Shop>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let id = header(webhook::HEADER_ID);
    let secrets: Vec<WebhookSecret> = shop
        .secret
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .into_iter()
        .collect();
    let timestamp = header(webhook::HEADER_TIMESTAMP);
    // The shop's own clock: a delivery older or newer than 5 minutes is refused (replays).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if let Err(error) = webhook::verify(
        &secrets,
        &id,
        &timestamp,
        &header(webhook::HEADER_SIGNATURE),
        &body,
        now,
    ) {
        shop.say(format!("refused a webhook: {error}"));
        return StatusCode::UNAUTHORIZED;
    }
    if !shop
        .seen
        .lock()
        .is_ok_and(|mut seen| seen.insert(id.clone()))
    {
        return StatusCode::NO_CONTENT;
    }
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let order = &event["data"]["order"];
    let order_id = order["order"]["id"].as_str().unwrap_or_default().to_owned();
    shop.say(format!(
        "webhook {} for {} ({})",
        event["type"].as_str().unwrap_or_default(),
        order["merchant_reference"].as_str().unwrap_or_default(),
        order_id
    ));
    if event["type"] == "order.paid" {
        let _ = shop.paid.send(order_id);
    }
    StatusCode::NO_CONTENT
}

/// Ships every order the webhooks say was paid, until the channel closes.
pub async fn ship_paid_orders(shop: Shop, mut paid: mpsc::UnboundedReceiver<String>) {
    while let Some(order_id) = paid.recv().await {
        if let Err(error) = shop.ship(&order_id).await {
            shop.say(format!("could not ship {order_id}: {error}"));
        }
    }
}
