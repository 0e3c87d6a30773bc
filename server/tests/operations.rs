//! Production-safe operation (issue 12 points 5 and 6): sandbox off unless turned on, the
//! operator endpoints on their own listener, money in and out without the sandbox, rate limits,
//! slow clients and a bounded write queue.

mod common;

use common::{OPERATOR, Server, next_key};
use danbao_server::Config;
use serde_json::{Value, json};

/// Without `--sandbox true` there are no top-ups from nothing and no test clock.
#[tokio::test]
async fn with_sandbox_off_top_ups_and_the_clock_are_refused() {
    let server = Server::start_with(|config| config.sandbox = false).await;
    server.sign_up("alice", "Alice").await;
    let (status, problem) = server
        .operator(
            "POST",
            "/v1/sandbox/top-ups",
            Some(&json!({"handle": "alice", "amount": "10.00", "currency": "CNY"})),
            Some(&next_key()),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("sandbox_off")),
        "{problem}"
    );
    let (status, problem) = server
        .operator(
            "POST",
            "/v1/admin/clock",
            Some(&json!({"advance_secs": 60})),
            None,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("sandbox_off")),
        "{problem}"
    );
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 0);
}

async fn get(http: &common::Client, url: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `--operator-bind`: the operator's routes answer only on their own listener, the devices'
/// only on the public one.
#[tokio::test]
async fn operator_endpoints_answer_only_on_the_operator_listener() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("danbao.db"));
    let app = danbao_server::open(config).unwrap();
    let public = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let operator = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public_url = format!("http://{}", public.local_addr().unwrap());
    let operator_url = format!("http://{}", operator.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(danbao_server::serve_split(app, public, operator, async {
        let _ = stopped.await;
    }));
    let http = common::Client::new();

    let (status, problem) = get(
        &http,
        &format!("{public_url}/v1/admin/invariants"),
        Some(OPERATOR),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("no_such_route")),
        "{problem}"
    );
    let (status, checked) = get(
        &http,
        &format!("{operator_url}/v1/admin/invariants"),
        Some(OPERATOR),
    )
    .await;
    assert_eq!((status, &checked["ok"]), (200, &json!(true)), "{checked}");
    for (url, path) in [
        (&public_url, "/v1/sandbox/top-ups"),
        (&public_url, "/v1/admin/clock"),
        (&operator_url, "/v1/transfers"),
        (&operator_url, "/v1/users"),
    ] {
        let response = http
            .post(format!("{url}{path}"))
            .bearer_auth(OPERATOR)
            .header("Idempotency-Key", next_key())
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{url}{path}");
    }
    for url in [&public_url, &operator_url] {
        let (status, body) = get(&http, &format!("{url}/health"), None).await;
        assert_eq!((status, body), (200, Value::String("ok".into())), "{url}");
    }
    let (status, _) = get(&http, &format!("{public_url}/openapi.json"), None).await;
    assert_eq!(status, 200);
    let _ = stop.send(());
    served.await.unwrap().unwrap();
}

/// Point 6: the writer's queue is bounded. With room for two waiting jobs, a burst of
/// concurrent writes gets `503 overloaded` with `Retry-After` for what does not fit — nothing
/// of a refused request is applied — and every request retried with its key applies once.
///
/// On SQLite the two places are the writer thread's channel (`--write-queue 2`); on
/// PostgreSQL they are the jobs allowed to wait for one of the pool's connections
/// (`--database-pool 1 --write-queue 2`; reads wait there too, so the device's key is read
/// once before the burst and the burst's requests are all writes). Either way a slow job holds
/// the only writer until the burst has been answered, so exactly two requests wait and six
/// are refused, on both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_write_queue_answers_503_with_retry_after_and_applies_nothing() {
    const BURST: usize = 8;
    const PLACES: usize = 2;
    // Two places (and on PostgreSQL one connection); the timer loops are slowed so only their
    // first runs, at start, use the store besides the test.
    let server = Server::start_with(|config| {
        config.write_queue = PLACES as u32;
        config.database_pool = 1;
        config.timer_interval_ms = 3_600_000;
    })
    .await;
    let alice = server.sign_up("alice", "Alice").await;
    server.sign_up("bob", "Bob").await;
    server.top_up("alice", "1000.00", "CNY").await;
    // A signed read first: the server caches the device's key, so the burst reads nothing.
    assert_eq!(alice.available("CNY").await, 100_000);
    let alice = std::sync::Arc::new(alice);
    let send = json!({"to": "bob", "amount": "1.00", "currency": "CNY"});

    // Hold the writer (SQLite's writer thread, PostgreSQL's only connection) with a job that
    // says when it runs and ends only when the test lets it: the queue's places are free
    // until the burst comes.
    use danbao_server::store::{Store as _, StoreError};
    let (started, mut running) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let store = server.app.store.clone();
    let slow = tokio::spawn(async move {
        store
            .write(move |_tx| {
                let _ = started.send(());
                // Also ends if the test fails first (the sender is dropped).
                let _ = released.recv();
                Ok::<_, StoreError>(())
            })
            .await
    });
    running.recv().await.expect("the slow job runs");

    let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel::<Answer>();
    let mut keys = Vec::new();
    for _ in 0..BURST {
        let (alice, send, key, answered) =
            (alice.clone(), send.clone(), next_key(), answered.clone());
        keys.push(key.clone());
        tokio::spawn(async move {
            let bytes = send.to_string().into_bytes();
            let response = alice
                .signed(
                    &alice.device,
                    "POST",
                    "/v1/transfers",
                    bytes,
                    Some(&key),
                    &common::fresh_nonce(),
                    common::unix_now() + alice.offset(),
                )
                .send()
                .await
                .unwrap();
            let retry_after = response
                .headers()
                .get("retry-after")
                .map(|value| value.to_str().unwrap().to_owned());
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            let _ = answered.send((key, status, retry_after, body));
        });
    }
    drop(answered);
    // While the writer is held, what does not fit is refused at once; nothing is applied.
    let mut refused = Vec::new();
    for _ in 0..BURST - PLACES {
        let (key, status, retry_after, body) = next_answer(&mut answers).await;
        assert_eq!(status, 503, "only the places wait: {body}");
        assert_eq!(body["code"], "overloaded", "{body}");
        assert_eq!(retry_after.as_deref(), Some("1"));
        refused.push(key);
    }
    release.send(()).unwrap();
    slow.await.unwrap().unwrap();
    // The two that waited are applied once the writer is free.
    let mut applied = std::collections::HashMap::new();
    for _ in 0..PLACES {
        let (key, status, _, body) = next_answer(&mut answers).await;
        assert_eq!(status, 200, "a waiting request is applied: {body}");
        assert!(!refused.contains(&key));
        applied.insert(key, body);
    }
    assert!(answers.recv().await.is_none(), "one answer each");
    assert_eq!(alice.available("CNY").await, 100_000 - 100 * PLACES as i64);
    assert_eq!(server.invariants().await["transfers"], 1 + PLACES as i64);

    // Retried with their keys (again after a pause if the queue is full), the refused requests
    // apply once each and the applied ones answer their first answer again.
    for key in &keys {
        let mut attempts = 0;
        loop {
            let (status, body) = alice
                .call("POST", "/v1/transfers", Some(&send), Some(key))
                .await;
            attempts += 1;
            if status == 503 && body["code"] == "overloaded" && attempts < 50 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
            assert_eq!(status, 200, "{body}");
            if let Some(first) = applied.get(key) {
                assert_eq!(&body, first, "a replay answers the first answer");
            }
            break;
        }
    }
    assert_eq!(alice.available("CNY").await, 100_000 - 100 * BURST as i64);
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 1 + BURST as i64);
}

/// A request's key, status, `Retry-After` and body.
type Answer = (String, u16, Option<String>, Value);

/// The next answer of a burst (within 10 s: a hung writer fails the test instead of hanging it).
async fn next_answer(answers: &mut tokio::sync::mpsc::UnboundedReceiver<Answer>) -> Answer {
    tokio::time::timeout(std::time::Duration::from_secs(10), answers.recv())
        .await
        .expect("an answer within 10 s")
        .expect("an answer")
}

async fn send_raw(wallet: &common::Wallet, to: &str) -> (u16, Option<String>, Value) {
    let body = json!({"to": to, "amount": "1.00", "currency": "CNY"});
    let response = wallet
        .signed(
            &wallet.device,
            "POST",
            "/v1/transfers",
            body.to_string().into_bytes(),
            Some(&next_key()),
            &common::fresh_nonce(),
            common::unix_now() + wallet.offset(),
        )
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    (status, retry_after, response.json().await.unwrap())
}

/// Point 6: sign-ups are limited per client address, payments per device, per user and per
/// address; a refusal is `429 rate_limited` with `Retry-After` and moves nothing.
#[tokio::test]
async fn rate_limits_refuse_with_429_and_retry_after_per_device_user_and_address() {
    let server = Server::start_with(|config| {
        config.sign_up_limit = 3;
        config.rate_limit = 3;
        config.rate_limit_address = 5;
    })
    .await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.sign_up("carol", "Carol").await;
    let (status, problem) = server.sign_up_raw("dave").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (429, Some("rate_limited")),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("sign-ups"),
        "{problem}"
    );
    server.top_up("alice", "100.00", "CNY").await;
    server.top_up("bob", "100.00", "CNY").await;

    for _ in 0..3 {
        let (status, _, body) = send_raw(&alice, "carol").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, retry_after, problem) = send_raw(&alice, "carol").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (429, Some("rate_limited")),
        "{problem}"
    );
    assert_eq!(
        retry_after.as_deref(),
        Some("20"),
        "3 a minute: a token every 20 s"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("this device"),
        "{problem}"
    );
    // Bob has his own device and user buckets, but shares alice's address (5 a minute).
    for _ in 0..2 {
        let (status, _, body) = send_raw(&bob, "carol").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, retry_after, problem) = send_raw(&bob, "carol").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (429, Some("rate_limited")),
        "{problem}"
    );
    assert!(retry_after.is_some());
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("this network address"),
        "{problem}"
    );
    // Reads are not limited; the refused sends moved nothing.
    assert_eq!(alice.available("CNY").await, 9_700);
    assert_eq!(bob.available("CNY").await, 9_800);
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 7);
}

/// Point 6: slow clients. Every connection the server allows is held by a client trickling
/// its headers (slowloris); the header deadline closes them, so `/health` still answers; a
/// body that never completes is answered `408 request_timeout`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_health_still_answers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const CAP: u32 = 16;
    let server = Server::start_with(|config| {
        config.max_connections = CAP;
        config.header_read_timeout_secs = 1;
        config.request_timeout_secs = 1;
    })
    .await;
    let address = server.url.trim_start_matches("http://").to_owned();

    // Twice as many trickling clients as the cap: one header byte every 200 ms, never done.
    let mut slow = Vec::new();
    for _ in 0..2 * CAP {
        let address = address.clone();
        slow.push(tokio::spawn(async move {
            let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
                return false;
            };
            if stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                .await
                .is_err()
            {
                return true;
            }
            for _ in 0..100 {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                if stream.write_all(b"X").await.is_err() {
                    return true; // the server closed it
                }
            }
            // 20 s of trickling without being cut off.
            let mut buffer = [0u8; 64];
            matches!(stream.read(&mut buffer).await, Ok(0) | Err(_))
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // /health answers despite them (a generous cap, not a timing assertion).
    let http = common::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .unwrap();
    let health = http.get(format!("{}/health", server.url)).send().await;
    let health = health.expect("/health answered while slow clients held the connections");
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    // A body announced but never sent in full is answered 408.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(
            b"POST /v1/transfers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"to\":",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(15),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the slow body was not cut off");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");

    for client in slow {
        assert!(
            client.await.unwrap(),
            "a trickling client was never cut off"
        );
    }
    server.invariants().await;
}

/// Point 5: with sandbox off, money comes in by operator deposits from the settlement account,
/// once per bank reference; the same reference again is the same deposit, the reference with
/// another amount or user is refused; every deposit is a ledger transfer under the invariants.
#[tokio::test]
async fn operator_deposits_credit_once_per_bank_reference_with_sandbox_off() {
    let server = Server::start_with(|config| config.sandbox = false).await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    let deposit = |handle: &str, amount: &str, external_ref: &str| json!({"handle": handle, "amount": amount, "currency": "CNY", "external_ref": external_ref});
    let post = |body: Value| {
        let server = &server;
        async move {
            server
                .operator("POST", "/v1/admin/deposits", Some(&body), Some(&next_key()))
                .await
        }
    };

    let (status, first) = post(deposit("alice", "100.00", "BANK-2026-0001")).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["balance"]["available"]["minor"], 10_000);
    let (status, again) = post(deposit("alice", "100.00", "BANK-2026-0001")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        again["transfer_id"], first["transfer_id"],
        "the same deposit"
    );
    assert_eq!(alice.available("CNY").await, 10_000, "credited once");

    for (body, code) in [
        (
            deposit("alice", "100.01", "BANK-2026-0001"),
            "deposit_ref_conflict",
        ),
        (
            deposit("bob", "100.00", "BANK-2026-0001"),
            "deposit_ref_conflict",
        ),
    ] {
        let (status, problem) = post(body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (409, Some(code)),
            "{problem}"
        );
    }
    let (status, problem) = post(deposit("alice", "1.00", "has space")).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("invalid_external_ref"))
    );
    let (status, problem) = post(deposit("nobody", "1.00", "BANK-2")).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_user")),
        "{problem}"
    );
    let (status, problem) = post(deposit("bob", "1.001", "BANK-3")).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_amount")),
        "{problem}"
    );
    // The reference refused for bob above is still free for nobody else; bob's own works.
    let (status, body) = post(deposit("bob", "20.00", "BANK-2026-0002")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(bob.available("CNY").await, 2_000);
    // Without the operator token: refused.
    let response = server
        .http
        .post(format!("{}/v1/admin/deposits", server.url))
        .header("Idempotency-Key", next_key())
        .header("content-type", "application/json")
        .body(deposit("alice", "5.00", "BANK-4").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);

    let activity = alice.all_activity().await;
    let deposits: Vec<_> = activity
        .iter()
        .filter(|entry| entry["data"]["type"] == "deposit")
        .collect();
    assert_eq!(deposits.len(), 1, "{activity:?}");
    assert_eq!(deposits[0]["data"]["direction"], "in");
    assert_eq!(deposits[0]["data"]["transfer_id"], first["transfer_id"]);
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 2);
}
