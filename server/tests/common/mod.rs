//! Test harness: an in-process server on 127.0.0.1:0 with a fresh SQLite file, and a signing
//! HTTP client per user.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use danbao_core::protocol;
use danbao_server::{App, Config, SqliteStore};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

pub const OPERATOR: &str = "operator-test-token";

/// A running server.
pub struct Server {
    pub url: String,
    pub app: App<SqliteStore>,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub http: reqwest::Client,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path().join("danbao.db"));
        adjust(&mut config);
        let app = danbao_server::open(config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(danbao_server::serve(app.clone(), listener, async {
            let _ = stop.await;
        }));
        Self {
            url,
            app,
            dir,
            shutdown: Some(shutdown),
            http: reqwest::Client::new(),
        }
    }

    /// Signs up a user with a fresh device key.
    pub async fn sign_up(&self, handle: &str, name: &str) -> Wallet {
        let wallet = Wallet::new(self);
        let body = json!({
            "handle": handle,
            "display_name": name,
            "public_key": URL_SAFE_NO_PAD.encode(wallet.key.public_key().as_ref()),
            "device_name": "test phone",
        });
        let (status, answer) = wallet
            .call_as("new", "POST", "/v1/users", Some(&body), Some(&next_key()))
            .await;
        assert_eq!(status, 201, "sign-up of {handle}: {answer}");
        Wallet {
            device: answer["device_id"].as_i64().unwrap().to_string(),
            user_id: answer["user_id"].as_i64().unwrap(),
            ..wallet
        }
    }

    /// An operator call.
    pub async fn operator(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .bearer_auth(OPERATOR);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
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

    pub async fn top_up(&self, handle: &str, amount: &str, currency: &str) {
        let (status, body) = self
            .operator(
                "POST",
                "/v1/sandbox/top-ups",
                Some(&json!({"handle": handle, "amount": amount, "currency": currency})),
                Some(&next_key()),
            )
            .await;
        assert_eq!(status, 200, "top-up: {body}");
    }

    pub async fn invariants(&self) -> Value {
        let (status, body) = self
            .operator("GET", "/v1/admin/invariants", None, None)
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["ok"], true, "invariants: {body}");
        body
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh idempotency key.
pub fn next_key() -> String {
    format!(
        "key-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn nonce() -> String {
    format!(
        "nonce-{}-{:010}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A user's device: a P-256 key and the server's ids.
pub struct Wallet {
    pub url: String,
    pub http: reqwest::Client,
    pub key: EcdsaKeyPair,
    pub device: String,
    pub user_id: i64,
    /// Seconds added to the signing time (the server clock may have been advanced).
    pub clock_offset: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Wallet {
    fn new(server: &Server) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Self {
            url: server.url.clone(),
            http: server.http.clone(),
            key,
            device: String::new(),
            user_id: 0,
            clock_offset: Default::default(),
        }
    }

    /// A signed call; `key` is the Idempotency-Key.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        self.call_as(&self.device, method, path, body, key).await
    }

    pub async fn call_as(
        &self,
        device: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (u16, Value) {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let request = self.signed(
            device,
            method,
            path,
            bytes,
            key,
            &nonce(),
            now() + self.offset(),
        );
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn offset(&self) -> i64 {
        self.clock_offset.load(Ordering::Relaxed)
    }

    /// Builds a signed request with explicit nonce and timestamp (for replay tests).
    pub fn signed(
        &self,
        device: &str,
        method: &str,
        path: &str,
        body: Vec<u8>,
        key: Option<&str>,
        nonce: &str,
        timestamp: i64,
    ) -> reqwest::RequestBuilder {
        let message =
            protocol::signing_message(method, path, &body, timestamp, nonce, key.unwrap_or(""));
        let signature = self.key.sign(&SystemRandom::new(), &message).unwrap();
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.url))
            .header(protocol::HEADER_DEVICE, device)
            .header(protocol::HEADER_TIMESTAMP, timestamp.to_string())
            .header(protocol::HEADER_NONCE, nonce)
            .header(
                protocol::HEADER_SIGNATURE,
                STANDARD.encode(signature.as_ref()),
            );
        if let Some(key) = key {
            request = request.header(protocol::HEADER_IDEMPOTENCY_KEY, key);
        }
        if !body.is_empty() {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        request
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call("POST", path, Some(body), Some(&next_key())).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None, None).await
    }

    /// Available balance in minor units of `currency` (0 if no wallet yet).
    pub async fn available(&self, currency: &str) -> i64 {
        let (status, balances) = self.get("/v1/balances").await;
        assert_eq!(status, 200, "{balances}");
        balances
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == currency)
            .map_or(0, |b| b["available"]["minor"].as_i64().unwrap())
    }
}

impl Server {
    /// A sign-up attempt whose answer the test inspects.
    pub async fn sign_up_raw(&self, handle: &str) -> (u16, Value) {
        let wallet = Wallet::new(self);
        let body = json!({
            "handle": handle,
            "display_name": "Someone",
            "public_key": URL_SAFE_NO_PAD.encode(wallet.key.public_key().as_ref()),
            "device_name": "phone",
        });
        wallet
            .call_as("new", "POST", "/v1/users", Some(&body), Some(&next_key()))
            .await
    }
}
