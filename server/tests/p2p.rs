//! Sign-up, top-up, P2P send, withdrawal, idempotency and request signing over HTTP.

mod common;

use common::{Server, next_key};
use serde_json::json;

#[tokio::test]
async fn friends_send_money_and_nothing_is_created_or_lost() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice Chen").await;
    let bob = server.sign_up("bob", "Bob Li").await;
    server.top_up("alice", "100.00", "CNY").await;
    assert_eq!(alice.available("CNY").await, 10_000);

    let (status, sent) = alice
        .post(
            "/v1/transfers",
            &json!({"to": "bob", "amount": "12.50", "currency": "CNY", "memo": "lunch"}),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["amount"]["display"], "12.50 CNY");
    assert_eq!(sent["balance"]["available"]["minor"], 8_750);
    assert_eq!(bob.available("CNY").await, 1_250);

    let (status, activity) = bob.get("/v1/activity?limit=10").await;
    assert_eq!(status, 200);
    let first = &activity["items"][0]["data"];
    assert_eq!(first["counterparty"], "alice");
    assert_eq!(first["counterparty_name"], "Alice Chen");
    assert_eq!(first["direction"], "in");
    assert_eq!(first["memo"], "lunch");

    let (status, withdrawn) = bob
        .post(
            "/v1/withdrawals",
            &json!({"amount": "2.50", "currency": "CNY"}),
        )
        .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(bob.available("CNY").await, 1_000);
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 3);
}

#[tokio::test]
async fn refusals_are_precise_and_move_nothing() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.sign_up("bob", "Bob").await;
    server.top_up("alice", "10.00", "CNY").await;
    let cases = [
        (
            json!({"to": "bob", "amount": "10.01", "currency": "CNY"}),
            422,
            "insufficient_funds",
        ),
        (
            json!({"to": "bob", "amount": "1.234", "currency": "CNY"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"to": "bob", "amount": "-1", "currency": "CNY"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"to": "bob", "amount": "0", "currency": "CNY"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"to": "bob", "amount": "1", "currency": "XYZ"}),
            422,
            "invalid_currency",
        ),
        (
            json!({"to": "nobody", "amount": "1", "currency": "CNY"}),
            404,
            "unknown_user",
        ),
        (
            json!({"to": "alice", "amount": "1", "currency": "CNY"}),
            422,
            "same_account",
        ),
        (
            json!({"to": "bob", "amount": 1, "currency": "CNY"}),
            400,
            "invalid_body",
        ),
        (
            json!({"to": "bob", "amount": "1", "currency": "CNY", "extra": true}),
            400,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let (got, problem) = alice.post("/v1/transfers", &body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body} → {problem}"
        );
        assert!(problem["detail"].as_str().unwrap().len() > 10);
    }
    // The sender is the payer: she hears her own balance, and no account or transfer id.
    let (_, short) = alice
        .post(
            "/v1/transfers",
            &json!({"to": "bob", "amount": "10.01", "currency": "CNY"}),
        )
        .await;
    assert_eq!(
        short["detail"],
        "your wallet has 10.00 CNY available; this payment needs 10.01 CNY"
    );
    assert_eq!(alice.available("CNY").await, 1_000);
    server.invariants().await;
}

#[tokio::test]
async fn idempotency_returns_the_first_answer_byte_for_byte() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "10.00", "CNY").await;
    let key = next_key();
    let body = json!({"to": "bob", "amount": "1.00", "currency": "CNY"});
    let first = alice
        .call("POST", "/v1/transfers", Some(&body), Some(&key))
        .await;
    let again = alice
        .call("POST", "/v1/transfers", Some(&body), Some(&key))
        .await;
    assert_eq!(first, again);
    assert_eq!(bob.available("CNY").await, 100);
    let other = json!({"to": "bob", "amount": "2.00", "currency": "CNY"});
    let (status, problem) = alice
        .call("POST", "/v1/transfers", Some(&other), Some(&key))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    // A refusal is stored too: retrying an overdraft gives the same refusal even after top-up.
    let key = next_key();
    let big = json!({"to": "bob", "amount": "50.00", "currency": "CNY"});
    let refused = alice
        .call("POST", "/v1/transfers", Some(&big), Some(&key))
        .await;
    assert_eq!(refused.0, 422);
    server.top_up("alice", "100.00", "CNY").await;
    assert_eq!(
        alice
            .call("POST", "/v1/transfers", Some(&big), Some(&key))
            .await,
        refused
    );
    let (status, _) = alice.call("POST", "/v1/transfers", Some(&body), None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn concurrent_duplicates_have_one_effect() {
    let server = Server::start().await;
    let alice = std::sync::Arc::new(server.sign_up("alice", "Alice").await);
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "10.00", "CNY").await;
    let key = next_key();
    let body = json!({"to": "bob", "amount": "3.00", "currency": "CNY"});
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (alice, key, body) = (alice.clone(), key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            alice
                .call("POST", "/v1/transfers", Some(&body), Some(&key))
                .await
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert!(
        answers.iter().all(|a| *a == answers[0] && a.0 == 200),
        "{answers:?}"
    );
    assert_eq!(bob.available("CNY").await, 300);
    server.invariants().await;
}

#[tokio::test]
async fn forged_stale_and_replayed_requests_are_refused() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let mallory = server.sign_up("mallory", "Mallory").await;
    server.top_up("alice", "10.00", "CNY").await;
    let body = json!({"to": "mallory", "amount": "5.00", "currency": "CNY"})
        .to_string()
        .into_bytes();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;

    // Mallory signs with her key but claims Alice's device.
    let forged = mallory.signed(
        &alice.device,
        "POST",
        "/v1/transfers",
        body.clone(),
        Some("forged-key-1"),
        "nonce-forged-00001",
        now,
    );
    let response = forged.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);

    // Stale timestamp.
    let stale = alice.signed(
        &alice.device,
        "POST",
        "/v1/transfers",
        body.clone(),
        Some("stale-key-01"),
        "nonce-stale-000001",
        now - 600,
    );
    let problem: serde_json::Value = stale.send().await.unwrap().json().await.unwrap();
    assert_eq!(problem["code"], "stale_request");

    // A captured request replayed verbatim.
    let original = alice.signed(
        &alice.device,
        "POST",
        "/v1/transfers",
        body.clone(),
        Some("replay-key-1"),
        "nonce-replay-00001",
        now,
    );
    assert_eq!(original.send().await.unwrap().status().as_u16(), 200);
    let replay = alice.signed(
        &alice.device,
        "POST",
        "/v1/transfers",
        body.clone(),
        Some("replay-key-1"),
        "nonce-replay-00001",
        now,
    );
    let problem: serde_json::Value = replay.send().await.unwrap().json().await.unwrap();
    assert_eq!(problem["code"], "replayed_request");

    // A tampered body under a valid signature.
    let message_body = json!({"to": "mallory", "amount": "9.00", "currency": "CNY"})
        .to_string()
        .into_bytes();
    let tampered = alice
        .signed(
            &alice.device,
            "POST",
            "/v1/transfers",
            body,
            Some("tamper-key-1"),
            "nonce-tamper-00001",
            now,
        )
        .body(message_body);
    assert_eq!(tampered.send().await.unwrap().status().as_u16(), 401);

    assert_eq!(mallory.available("CNY").await, 500);
    // Reads of someone else's data need their key too; an unsigned read is refused.
    let unsigned = server
        .http
        .get(format!("{}/v1/balances", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    server.invariants().await;
}

#[tokio::test]
async fn handles_are_unique_and_validated() {
    let server = Server::start().await;
    server.sign_up("alice", "Alice").await;
    let other = common::Server::sign_up_raw(&server, "alice").await;
    assert_eq!(
        (other.0, other.1["code"].as_str()),
        (409, Some("handle_taken"))
    );
    let bad = common::Server::sign_up_raw(&server, "A!").await;
    assert_eq!(
        (bad.0, bad.1["code"].as_str()),
        (422, Some("invalid_handle"))
    );
    let (status, problem) = server
        .operator("GET", "/v1/admin/invariants", None, None)
        .await;
    assert_eq!(status, 200, "{problem}");
    let response = server
        .http
        .get(format!("{}/v1/admin/invariants", server.url))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn malformed_paths_queries_and_bodies_are_problem_details() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    for path in [
        "/v1/activity?limit=abc",
        "/v1/activity?foo=1",
        "/v1/requests/not-a-number",
    ] {
        let (status, problem) = alice.get(path).await;
        assert_eq!(status, 400, "{path}: {problem}");
        let code = problem["code"].as_str().unwrap_or_default();
        assert!(
            ["invalid_query", "invalid_path"].contains(&code),
            "{path}: {problem}"
        );
    }
    let huge = json!({"to": "bob", "amount": "1", "currency": "CNY", "memo": "x".repeat(70_000)});
    let (status, problem) = alice.post("/v1/transfers", &huge).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (413, Some("body_too_large"))
    );
    let (status, problem) = server
        .operator(
            "POST",
            "/v1/admin/clock",
            Some(&json!({"advance_secs": "soon"})),
            None,
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("invalid_body")),
        "{problem}"
    );
}

/// Issue 12 point 10: transfer ids derive from the idempotency key, so a key presented again
/// after housekeeping forgot its answer would find its transfer id taken, move nothing, and
/// answer success with the payment shown twice in the feed. It is refused instead.
#[tokio::test]
async fn a_key_reused_after_its_answer_expired_is_refused_and_moves_nothing() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "100.00", "CNY").await;
    let key = next_key();
    let send = json!({"to": "bob", "amount": "12.50", "currency": "CNY"});
    let (status, sent) = alice
        .call("POST", "/v1/transfers", Some(&send), Some(&key))
        .await;
    assert_eq!(status, 200, "{sent}");
    let (status, again) = alice
        .call("POST", "/v1/transfers", Some(&send), Some(&key))
        .await;
    assert_eq!(
        (status, &again),
        (200, &sent),
        "within retention: the first answer"
    );

    let retention = danbao_server::IDEMPOTENCY_RETENTION_SECS;
    server
        .advance_clock(retention + 3600, &[&alice, &bob])
        .await;
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert!(purged.idempotency >= 1, "{purged:?}");
    let feed_before = bob.all_activity().await.len();
    let (status, events_before) = bob.get("/v1/events?limit=200").await;
    assert_eq!(status, 200, "{events_before}");

    let (status, problem) = alice
        .call("POST", "/v1/transfers", Some(&send), Some(&key))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("idempotency_key_expired")),
        "{problem}"
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("49 hours ago"), "{detail}");
    assert!(detail.contains("new key"), "{detail}");
    // A different request under the expired key is refused the same way.
    let other = json!({"to": "bob", "amount": "1.00", "currency": "CNY"});
    let (status, problem) = alice
        .call("POST", "/v1/transfers", Some(&other), Some(&key))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("idempotency_key_expired"))
    );
    // Housekeeping again keeps refusing it.
    danbao_server::housekeep(&server.app).await.unwrap();
    let (status, problem) = alice
        .call("POST", "/v1/transfers", Some(&send), Some(&key))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("idempotency_key_expired"))
    );

    assert_eq!(
        bob.all_activity().await.len(),
        feed_before,
        "no new activity"
    );
    let (_, events_after) = bob.get("/v1/events?limit=200").await;
    assert_eq!(events_after, events_before, "no new feed event");
    assert_eq!(alice.available("CNY").await, 8_750);
    assert_eq!(bob.available("CNY").await, 1_250);
    // A new key does it again, once.
    let (status, sent) = alice.post("/v1/transfers", &send).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(bob.available("CNY").await, 2_500);
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 3);
}

/// Issue 12 point 7: a public key belongs to one device. Registering alice's key again (for a
/// new user, so that one signer would act as two devices) is refused `409 public_key_taken`
/// and creates nothing; a retry of alice's own sign-up under its key still answers its first
/// answer.
#[tokio::test]
async fn a_public_key_already_registered_is_refused_for_another_device() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ring::signature::KeyPair;

    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let public_key = URL_SAFE_NO_PAD.encode(alice.key.public_key().as_ref());
    let again = json!({
        "handle": "mallory",
        "display_name": "Mallory",
        "public_key": public_key,
        "device_name": "second phone",
    });
    let (status, problem) = alice
        .call_as("new", "POST", "/v1/users", Some(&again), Some(&next_key()))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("public_key_taken")),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("new key pair"),
        "{problem}"
    );
    // Nothing was created: the handle is still free and alice's device still signs as hers.
    let (status, _) = alice.get("/v1/users/mallory").await;
    assert_eq!(status, 404);
    let (status, me) = alice.get("/v1/me").await;
    assert_eq!(
        (status, me["handle"].as_str()),
        (200, Some("alice")),
        "{me}"
    );
    let (status, fresh) = server.sign_up_raw("mallory").await;
    assert_eq!(status, 201, "a fresh key signs up: {fresh}");
}
