//! Test harness: an in-process server on 127.0.0.1:0 with a fresh SQLite file, and a signing
//! HTTP client per user.
//!
//! With `DANBAO_TEST_DATABASE_URL=postgres://user@host:port/postgres` set, every server runs
//! on PostgreSQL instead, each on a database of its own created from that URL (`cargo xtask
//! test` starts a private PostgreSQL and runs the suite a second time that way).
#![allow(dead_code)]

pub mod http_client;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use danbao_domain::protocol;
use danbao_server::{App, Backend, Config};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

// The harness's HTTP client types, for tests that name them (`common::Response`, ...).
#[allow(unused_imports)]
pub use http_client::{Client, Error, RequestBuilder, Response};

pub const OPERATOR: &str = "operator-test-token";

/// A running server.
pub struct Server {
    pub url: String,
    pub app: App<Backend>,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub http: Client,
}

/// With `DANBAO_TEST_LOG=<filter>` (for example `warn`), the servers of a test log to its
/// output, which the test harness shows when it fails.
fn log_if_asked() {
    if let Ok(filter) = std::env::var("DANBAO_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        log_if_asked();
        let dir = tempfile::tempdir().unwrap();
        let mut config = config_in(&dir);
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
            http: Client::new(),
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
        // A set-up step retries a 503 (a full write queue) as a client does, under its key.
        let key = next_key();
        let mut attempt = 0;
        let (status, answer) = loop {
            let answer = wallet
                .call_as("new", "POST", "/v1/users", Some(&body), Some(&key))
                .await;
            attempt += 1;
            if answer.0 != 503 || attempt == 50 {
                break answer;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
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
        let body = json!({"handle": handle, "amount": amount, "currency": currency});
        let key = next_key();
        let mut attempt = 0;
        let (status, body) = loop {
            let answer = self
                .operator("POST", "/v1/sandbox/top-ups", Some(&body), Some(&key))
                .await;
            attempt += 1;
            if answer.0 != 503 || attempt == 50 {
                break answer;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        assert_eq!(status, 200, "top-up: {body}");
    }

    /// The operator changes `handle`'s merchant profile (`action`: enrol, enable, disable,
    /// verify with `verified_name`, unverify) and the profile is returned.
    pub async fn merchant(&self, handle: &str, change: Value) -> Value {
        let (status, body) = self
            .operator(
                "POST",
                &format!("/v1/admin/merchants/{handle}"),
                Some(&change),
                None,
            )
            .await;
        assert_eq!(status, 200, "merchant change of {handle}: {body}");
        body
    }

    /// The operator enrols `handle` as a merchant: only then does it charge payment codes.
    pub async fn enrol(&self, handle: &str) -> Value {
        self.merchant(handle, json!({"action": "enrol"})).await
    }

    /// Signs up `handle` and has the operator enrol it as a merchant.
    pub async fn sign_up_merchant(&self, handle: &str, name: &str) -> Wallet {
        let wallet = self.sign_up(handle, name).await;
        self.enrol(handle).await;
        wallet
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

/// The PostgreSQL server the tests run on (an administrative database URL such as
/// `postgres://danbao@127.0.0.1:5432/postgres`), if `DANBAO_TEST_DATABASE_URL` names one.
pub fn test_database_url() -> Option<String> {
    std::env::var("DANBAO_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Whether this run is on PostgreSQL (for the tests of what only PostgreSQL does).
pub fn on_postgres() -> bool {
    test_database_url().is_some()
}

/// A new empty database on the test PostgreSQL server; its URL.
pub fn fresh_database() -> String {
    let admin = test_database_url().expect("DANBAO_TEST_DATABASE_URL");
    let name = format!(
        "danbao_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let create = format!("CREATE DATABASE {name}");
    let admin_for_thread = admin.clone();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin_for_thread, postgres::NoTls)
            .expect("connect to DANBAO_TEST_DATABASE_URL");
        client
            .batch_execute(&create)
            .expect("create a test database");
    })
    .join()
    .unwrap();
    let (base, _) = admin
        .rsplit_once('/')
        .expect("DANBAO_TEST_DATABASE_URL ends with /<database>");
    format!("{base}/{name}")
}

/// The test configuration for a server whose files live in `dir`: SQLite at
/// `dir/danbao.db`, or on PostgreSQL the database recorded in `dir/database-url` (created on
/// the first start, so a restart in the same directory finds the same database).
pub fn config_in(dir: &tempfile::TempDir) -> Config {
    let mut config = Config::for_tests(dir.path().join("danbao.db"));
    if on_postgres() {
        let marker = dir.path().join("database-url");
        let url = match std::fs::read_to_string(&marker) {
            Ok(url) => url,
            Err(_) => {
                let url = fresh_database();
                std::fs::write(&marker, &url).unwrap();
                url
            }
        };
        config.database_url = Some(url.as_str().into());
    }
    config
}

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
    pub http: Client,
    pub key: EcdsaKeyPair,
    pub device: String,
    pub user_id: i64,
    /// Seconds added to the signing time (the server clock may have been advanced).
    pub clock_offset: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// The device key as PKCS#8, to sign for the same device towards another server URL.
    pub pkcs8: Vec<u8>,
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
            pkcs8: pkcs8.as_ref().to_vec(),
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
    #[allow(clippy::too_many_arguments)] // each part of the signed message is a test knob
    pub fn signed(
        &self,
        device: &str,
        method: &str,
        path: &str,
        body: Vec<u8>,
        key: Option<&str>,
        nonce: &str,
        timestamp: i64,
    ) -> RequestBuilder {
        // The client sends `Host: 127.0.0.1:port` for the server's URL.
        let host = self.url.trim_start_matches("http://");
        let message = protocol::signing_message(&protocol::SignedParts {
            method,
            host,
            path,
            body: &body,
            device,
            timestamp,
            nonce,
            idempotency_key: key.unwrap_or(""),
        });
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
        self.sign_up_named_raw(handle, "Someone").await
    }

    /// A sign-up with `display_name`, its answer as it comes (for refusals).
    pub async fn sign_up_named_raw(&self, handle: &str, display_name: &str) -> (u16, Value) {
        self.sign_up_device_raw(handle, display_name, "phone").await
    }

    /// A sign-up with the given display and device names, answered as is.
    pub async fn sign_up_device_raw(
        &self,
        handle: &str,
        display_name: &str,
        device_name: &str,
    ) -> (u16, Value) {
        let wallet = Wallet::new(self);
        let body = json!({
            "handle": handle,
            "display_name": display_name,
            "public_key": URL_SAFE_NO_PAD.encode(wallet.key.public_key().as_ref()),
            "device_name": device_name,
        });
        wallet
            .call_as("new", "POST", "/v1/users", Some(&body), Some(&next_key()))
            .await
    }
}

// --- Evidence helpers (bank and crash tests) ---

/// A small deterministic PRNG (SplitMix64) so a failing run can be replayed from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A seed from the environment variable `name`, or from the clock (printed by the caller).
    pub fn seed_from_env(name: &str) -> u64 {
        std::env::var(name)
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as u64) as i64
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A fresh request nonce (for requests built with [`Wallet::signed`]).
pub fn fresh_nonce() -> String {
    nonce()
}

/// Unix seconds now (for [`Wallet::signed`]).
pub fn unix_now() -> i64 {
    now()
}

/// Minor units as API decimal text with two decimals ("12.34").
pub fn decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// The code generator of a provisioning answer (`POST /v1/paycode/provision`): the device's
/// secret, its window of masks and its account index, as the wallet keeps them.
pub fn paycode_generator(answer: &Value) -> danbao_domain::paycode::PaymentCodeGenerator {
    use danbao_domain::paycode::{AccountIndex, MaskWindow, PaycodeSecret};
    let bytes = |field: &str| STANDARD.decode(answer[field].as_str().unwrap()).unwrap();
    danbao_domain::paycode::PaymentCodeGenerator::new(
        PaycodeSecret::from_bytes(&bytes("secret")).unwrap(),
        MaskWindow::from_bytes(&bytes("masks")).unwrap(),
        AccountIndex::new(answer["account_index"].as_u64().unwrap()).unwrap(),
    )
}

/// Signs up `handle` on the server at `url` (for servers not started by [`Server`]).
pub async fn sign_up_at(url: &str, http: &Client, handle: &str, name: &str) -> Wallet {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let key =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let wallet = Wallet {
        url: url.to_owned(),
        http: http.clone(),
        key,
        device: String::new(),
        user_id: 0,
        clock_offset: Default::default(),
        pkcs8: pkcs8.as_ref().to_vec(),
    };
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

impl Wallet {
    /// The same device (key, ids, clock) talking to the server at `url` (another instance on
    /// the same database).
    pub fn at(&self, url: &str) -> Wallet {
        let key = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_ASN1_SIGNING,
            &self.pkcs8,
            &SystemRandom::new(),
        )
        .unwrap();
        Wallet {
            url: url.to_owned(),
            http: self.http.clone(),
            key,
            device: self.device.clone(),
            user_id: self.user_id,
            clock_offset: self.clock_offset.clone(),
            pkcs8: self.pkcs8.clone(),
        }
    }

    /// Every entry of the caller's activity (transfer feed), newest first, following cursors.
    pub async fn all_activity(&self) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<i64> = None;
        loop {
            let path = match cursor {
                Some(cursor) => format!("/v1/activity?limit=200&cursor={cursor}"),
                None => "/v1/activity?limit=200".to_owned(),
            };
            let (status, page) = self.get(&path).await;
            assert_eq!(status, 200, "{page}");
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_i64() {
                Some(next) => cursor = Some(next),
                None => return items,
            }
        }
    }
}

// --- Orders and timers helpers ---

impl Server {
    /// Starts a server on the database in `dir` (e.g. the directory of a stopped server).
    pub async fn start_in(dir: tempfile::TempDir, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = config_in(&dir);
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
            http: Client::new(),
        }
    }

    /// Stops the server (graceful shutdown, timer loop aborted) and hands back its directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        drop(self);
        // Let the serve task finish its graceful shutdown and abort its loops.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        dir
    }

    /// Moves the server clock forward and lets `wallets` sign with the new time.
    pub async fn advance_clock(&self, secs: i64, wallets: &[&Wallet]) {
        let (status, body) = self
            .operator(
                "POST",
                "/v1/admin/clock",
                Some(&json!({ "advance_secs": secs })),
                None,
            )
            .await;
        assert_eq!(status, 200, "advance clock: {body}");
        for wallet in wallets {
            wallet.clock_offset.fetch_add(secs, Ordering::Relaxed);
        }
    }
}

impl Wallet {
    /// (available, held_out, incoming) in minor units of `currency` (zeros if no wallet yet).
    pub async fn balance(&self, currency: &str) -> (i64, i64, i64) {
        let (status, balances) = self.get("/v1/balances").await;
        assert_eq!(status, 200, "{balances}");
        balances
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == currency)
            .map_or((0, 0, 0), |b| {
                (
                    b["available"]["minor"].as_i64().unwrap(),
                    b["held_out"]["minor"].as_i64().unwrap(),
                    b["incoming"]["minor"].as_i64().unwrap(),
                )
            })
    }
}

// --- Devices (issue 12 point 8) ---

impl Server {
    /// A device key not yet registered (to join a user with an approval code).
    pub fn new_device(&self) -> Wallet {
        Wallet::new(self)
    }
}

impl Wallet {
    /// Joins a user with an approval `code` (and the `handle`, if given), signed with this
    /// device's key as `Danbao-Device: new`; on success the device id and user id are set.
    pub async fn join(&mut self, code: &str, handle: Option<&str>, name: &str) -> (u16, Value) {
        let mut body = json!({
            "code": code,
            "public_key": URL_SAFE_NO_PAD.encode(self.key.public_key().as_ref()),
            "device_name": name,
        });
        if let Some(handle) = handle {
            body["handle"] = json!(handle);
        }
        let (status, answer) = self
            .call_as(
                "new",
                "POST",
                "/v1/devices/join",
                Some(&body),
                Some(&next_key()),
            )
            .await;
        if status == 201 {
            self.device = answer["device_id"].as_i64().unwrap().to_string();
            self.user_id = answer["user_id"].as_i64().unwrap();
        }
        (status, answer)
    }

    /// Asks for an approval code; its answer as it comes.
    pub async fn approval_code(&self) -> (u16, Value) {
        self.post("/v1/devices/approvals", &json!({})).await
    }
}

// --- Direct database access for tests that read or damage the store behind the API ---

/// A parameter of [`Db`]'s statements.
#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// The server's database opened directly (SQLite file or PostgreSQL database), for tests that
/// read what is stored or change rows behind the API. Statements are written for SQLite (`?1` placeholders,
/// `randomblob(16)`) and translated for PostgreSQL.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(String),
}

impl Db {
    pub fn open(server: &Server) -> Self {
        if on_postgres() {
            let url = std::fs::read_to_string(server.dir.path().join("database-url")).unwrap();
            Db::Postgres(url)
        } else {
            let db = rusqlite::Connection::open(server.dir.path().join("danbao.db")).unwrap();
            db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            Db::Sqlite(db)
        }
    }

    fn postgres_sql(sql: &str) -> String {
        let mut out = sql
            .replace("randomblob(16)", "decode(md5(random()::text), 'hex')")
            .replace("x''", "''::bytea");
        for n in (1..10).rev() {
            out = out.replace(&format!("?{n}"), &format!("${n}"));
        }
        out
    }

    fn on_pg<T: Send>(url: &str, work: impl FnOnce(&mut postgres::Client) -> T + Send) -> T {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                    work(&mut client)
                })
                .join()
                .unwrap()
        })
    }

    /// Runs a change; the rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param]) -> usize {
        match self {
            Db::Sqlite(db) => db
                .execute(sql, rusqlite::params_from_iter(sqlite_values(params)))
                .unwrap(),
            Db::Postgres(url) => {
                let sql = Self::postgres_sql(sql);
                Self::on_pg(url, |client| {
                    let boxed = pg_values(params);
                    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                        boxed.iter().map(|b| b.as_ref()).collect();
                    client.execute(sql.as_str(), &refs).unwrap() as usize
                })
            }
        }
    }

    /// The first row of a query, each column as a [`Param`] (integers, text or bytes).
    pub fn row(&self, sql: &str, params: &[Param]) -> Vec<Param> {
        match self {
            Db::Sqlite(db) => db
                .query_row(
                    sql,
                    rusqlite::params_from_iter(sqlite_values(params)),
                    |row| Ok(sqlite_columns(row)),
                )
                .unwrap(),
            Db::Postgres(url) => {
                let sql = Self::postgres_sql(sql);
                Self::on_pg(url, |client| {
                    let boxed = pg_values(params);
                    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                        boxed.iter().map(|b| b.as_ref()).collect();
                    pg_columns(&client.query_one(sql.as_str(), &refs).unwrap())
                })
            }
        }
    }

    /// Every row of a query, each column as a [`Param`].
    pub fn rows(&self, sql: &str, params: &[Param]) -> Vec<Vec<Param>> {
        match self {
            Db::Sqlite(db) => {
                let mut statement = db.prepare(sql).unwrap();
                statement
                    .query_map(rusqlite::params_from_iter(sqlite_values(params)), |row| {
                        Ok(sqlite_columns(row))
                    })
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            }
            Db::Postgres(url) => {
                let sql = Self::postgres_sql(sql);
                Self::on_pg(url, |client| {
                    let boxed = pg_values(params);
                    let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                        boxed.iter().map(|b| b.as_ref()).collect();
                    client
                        .query(sql.as_str(), &refs)
                        .unwrap()
                        .iter()
                        .map(pg_columns)
                        .collect()
                })
            }
        }
    }

    /// The first column of every row of a query as bytes (a BLOB / BYTEA column, or text as
    /// its UTF-8): for tests that look for a secret in what is stored.
    pub fn bytes(&self, sql: &str, params: &[Param]) -> Vec<Vec<u8>> {
        self.rows(sql, params)
            .into_iter()
            .map(|row| match row.into_iter().next() {
                Some(Param::Bytes(bytes)) => bytes,
                Some(Param::Text(text)) => text.into_bytes(),
                other => panic!("{sql}: not bytes: {other:?}"),
            })
            .collect()
    }

    /// A query's single integer.
    pub fn int(&self, sql: &str, params: &[Param]) -> i64 {
        match self.row(sql, params).first() {
            Some(Param::Int(n)) => *n,
            other => panic!("{sql}: not an integer: {other:?}"),
        }
    }
}

fn sqlite_values(params: &[Param]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|param| match param {
            Param::Int(n) => rusqlite::types::Value::Integer(*n),
            Param::Text(t) => rusqlite::types::Value::Text(t.clone()),
            Param::Bytes(b) => rusqlite::types::Value::Blob(b.clone()),
        })
        .collect()
}

fn sqlite_columns(row: &rusqlite::Row<'_>) -> Vec<Param> {
    (0..row.as_ref().column_count())
        .map(|i| match row.get::<_, rusqlite::types::Value>(i).unwrap() {
            rusqlite::types::Value::Integer(n) => Param::Int(n),
            rusqlite::types::Value::Text(t) => Param::Text(t),
            rusqlite::types::Value::Blob(b) => Param::Bytes(b),
            other => panic!("unexpected column {other:?}"),
        })
        .collect()
}

fn pg_values(params: &[Param]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|param| -> Box<dyn postgres::types::ToSql + Sync> {
            match param {
                Param::Int(n) => Box::new(*n),
                Param::Text(t) => Box::new(t.clone()),
                Param::Bytes(b) => Box::new(b.clone()),
            }
        })
        .collect()
}

/// A PostgreSQL row as [`Param`]s: BIGINT, INTEGER and SMALLINT (what `count(*)` and
/// `length(...)` answer) as integers, TEXT as text, BYTEA as bytes.
fn pg_columns(row: &postgres::Row) -> Vec<Param> {
    (0..row.len())
        .map(|i| {
            if let Ok(n) = row.try_get::<_, i64>(i) {
                Param::Int(n)
            } else if let Ok(n) = row.try_get::<_, i32>(i) {
                Param::Int(n.into())
            } else if let Ok(n) = row.try_get::<_, i16>(i) {
                Param::Int(n.into())
            } else if let Ok(t) = row.try_get::<_, String>(i) {
                Param::Text(t)
            } else {
                Param::Bytes(row.try_get::<_, Vec<u8>>(i).unwrap())
            }
        })
        .collect()
}

/// Whether `needle` (not empty) occurs in `haystack`.
pub fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}
