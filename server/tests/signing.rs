//! Request signing (DESIGN.md §6, docs/protocol.md): a signature binds the host and the device
//! id, and a timestamp anywhere in `i64` is answered with a precise 401, never a dropped
//! connection.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, Wallet, fresh_nonce, unix_now};
use danbao_domain::protocol::{self, SignedParts};
use ring::rand::SystemRandom;
use serde_json::Value;

/// A transfer of 1.00 CNY to bob, signed by `wallet` over `parts` (host, device, timestamp
/// as the test chooses) and sent to the real server with `device` in `Danbao-Device`.
async fn send_signed(wallet: &Wallet, parts: SignedParts<'_>, device: &str) -> (u16, Value) {
    let message = protocol::signing_message(&parts);
    let signature = wallet.key.sign(&SystemRandom::new(), &message).unwrap();
    let response = wallet
        .http
        .post(format!("{}{}", wallet.url, parts.path))
        .header(protocol::HEADER_DEVICE, device)
        .header(protocol::HEADER_TIMESTAMP, parts.timestamp.to_string())
        .header(protocol::HEADER_NONCE, parts.nonce)
        .header(protocol::HEADER_IDEMPOTENCY_KEY, parts.idempotency_key)
        .header(
            protocol::HEADER_SIGNATURE,
            STANDARD.encode(signature.as_ref()),
        )
        .header("content-type", "application/json")
        .body(parts.body.to_vec())
        .send()
        .await
        .expect("the server answers; it never drops the connection");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

const BODY: &[u8] = br#"{"to":"bob","amount":"1.00","currency":"CNY","memo":""}"#;

#[tokio::test]
async fn a_signature_is_bound_to_the_host_and_the_device() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let _bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "10.00", "CNY").await;
    let host = alice.url.trim_start_matches("http://").to_owned();
    let nonce = fresh_nonce();
    let parts = SignedParts {
        method: "POST",
        host: &host,
        path: "/v1/transfers",
        body: BODY,
        device: &alice.device,
        timestamp: unix_now(),
        nonce: &nonce,
        idempotency_key: "host-binding-0001",
    };

    // Signed for the staging deployment, sent to this one: refused.
    let (status, problem) = send_signed(
        &alice,
        SignedParts {
            host: "staging.danbao.example",
            ..parts
        },
        &alice.device,
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("bad_signature"))
    );

    // Signed for another device id than the header names: refused.
    let (status, problem) = send_signed(
        &alice,
        SignedParts {
            device: "999",
            ..parts
        },
        &alice.device,
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("bad_signature"))
    );

    // The same request signed for this host and device goes through; the host is compared
    // without regard to case.
    let upper = host.to_ascii_uppercase();
    let (status, moved) = send_signed(
        &alice,
        SignedParts {
            host: &upper,
            ..parts
        },
        &alice.device,
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(alice.available("CNY").await, 900);
    server.invariants().await;
}

#[tokio::test]
async fn timestamps_at_the_edges_of_i64_are_refused_as_stale() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let host = alice.url.trim_start_matches("http://").to_owned();
    for timestamp in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX, i64::MAX - 1] {
        let nonce = fresh_nonce();
        let key = format!("edge-{}", nonce);
        let (status, problem) = send_signed(
            &alice,
            SignedParts {
                method: "POST",
                host: &host,
                path: "/v1/transfers",
                body: BODY,
                device: &alice.device,
                timestamp,
                nonce: &nonce,
                idempotency_key: &key,
            },
            &alice.device,
        )
        .await;
        assert_eq!(status, 401, "{timestamp}: {problem}");
        assert_eq!(problem["code"], "stale_request", "{timestamp}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("signed at {timestamp}")),
            "{problem}"
        );
    }
    // The server is still up and answering.
    let (status, _) = alice.get("/v1/balances").await;
    assert_eq!(status, 200);
}

/// Text another user reads may not hide characters (DESIGN.md §6): a bidi override in a memo
/// or a zero-width space in a display name is refused, naming the code point, and nothing is
/// created or moved.
#[tokio::test]
async fn memos_and_display_names_that_hide_characters_are_refused() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let _bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "10.00", "CNY").await;

    let memo = "tea \u{202E}001";
    let (status, problem) = alice
        .post(
            "/v1/transfers",
            &serde_json::json!({"to": "bob", "amount": "1.00", "currency": "CNY", "memo": memo}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "invisible_characters");
    assert_eq!(
        problem["detail"],
        "memo contains the bidirectional control U+202E at character 5; remove it \
         (text may not hide characters from the reader)"
    );
    assert_eq!(alice.available("CNY").await, 1_000);

    let (status, problem) = server.sign_up_named_raw("lotus", "Lotus\u{200B}Tea").await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "invalid_display_name");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("U+200B at character 6"),
        "{problem}"
    );
    let (status, _) = server.sign_up_named_raw("lotus", "Lotus Tea").await;
    assert_eq!(
        status, 201,
        "the handle was not taken by the refused sign-up"
    );

    // The first device's name is checked like a joining device's: it is shown in device lists.
    let (status, problem) = server
        .sign_up_device_raw("mallory", "Mallory", "Pixel\u{202e}8")
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_device_name")),
        "{problem}"
    );
    let long = "x".repeat(200);
    let (status, problem) = server.sign_up_device_raw("mallory", "Mallory", &long).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_device_name")),
        "{problem}"
    );
    let (status, answer) = server.sign_up_device_raw("mallory", "Mallory", "").await;
    assert_eq!(
        status, 201,
        "an app that sends no device name still signs up: {answer}"
    );
}
