//! What the server keeps of a refused request under its Idempotency-Key: a final refusal is
//! kept and replayed byte for byte; a "too many attempts" refusal is answered with
//! `Retry-After` but not kept, so the client's retry with the same key after the wait is
//! judged afresh, while the refused request's nonce stays spent.

mod common;

use std::sync::atomic::Ordering;

use common::{Server, Wallet, fresh_nonce, unix_now};
use serde_json::{Value, json};

const CHARGES: &str = "/v1/merchant/charges";

fn advance(server: &Server, wallets: &[&Wallet], secs: i64) {
    server.app.clock.advance(secs);
    for wallet in wallets {
        wallet.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }
}

/// A charge body for `code`, signed with an explicit key and nonce; the answer's status,
/// `Retry-After` and body.
async fn charge_with(
    shop: &Wallet,
    code: &str,
    key: &str,
    nonce: &str,
) -> (u16, Option<String>, Value) {
    let body = json!({"payment_code": code, "amount": "1.00", "currency": "CNY"});
    let response = shop
        .signed(
            &shop.device,
            "POST",
            CHARGES,
            body.to_string().into_bytes(),
            Some(key),
            nonce,
            unix_now() + shop.clock_offset.load(Ordering::Relaxed),
        )
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        retry_after,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn a_too_many_refusal_is_not_kept_under_the_key_but_its_nonce_stays_spent() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    // 30 s into a step, so a code made now stays current while the test runs.
    let into = server.app.now().rem_euclid(60);
    advance(&server, &[&alice, &shop], (90 - into) % 60);

    let (status, provisioned) = alice.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{provisioned}");
    let generator = common::paycode_generator(&provisioned);
    let genuine = generator.generate(server.app.now() as u64).unwrap().digits;

    // A final refusal (a wrong code) is kept: the same key answers it again, byte for byte.
    let mut wrong = genuine.clone().into_bytes();
    wrong[17] = b'0' + (wrong[17] - b'0' + 1) % 10;
    let wrong = String::from_utf8(wrong).unwrap();
    let first = charge_with(&shop, &wrong, "wrong-once", &fresh_nonce()).await;
    assert_eq!(first.0, 422, "{}", first.2);
    let again = charge_with(&shop, &wrong, "wrong-once", &fresh_nonce()).await;
    assert_eq!((again.0, &again.2), (422, &first.2));

    // Four more wrong codes use up the shop's budget of five.
    for attempt in 0..4 {
        let key = format!("wrong-guess-{attempt}");
        let (status, _, body) = charge_with(&shop, &wrong, &key, &fresh_nonce()).await;
        assert_eq!(status, 422, "{body}");
    }
    let nonce = fresh_nonce();
    let (status, _, refused) = charge_with(&shop, &genuine, "the-sale", &nonce).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (429, Some("too_many_attempts")),
        "{refused}"
    );
    assert_eq!(refused["status"], 429);
    assert_eq!(alice.available("CNY").await, 10_000, "nothing moved");

    // The captured request, sent again as it was, is a replay: its nonce was spent even
    // though the refusal was not kept.
    let (status, _, replayed) = charge_with(&shop, &genuine, "the-sale", &nonce).await;
    assert_eq!(
        (status, replayed["code"].as_str()),
        (401, Some("replayed_request")),
        "{replayed}"
    );

    // After the window the till retries under the same key with a fresh nonce: the request
    // is judged afresh (the code is now ten steps old, so it matches no current code), not
    // answered with a stored 429.
    advance(&server, &[&alice, &shop], 601);
    let (status, _, retried) = charge_with(&shop, &genuine, "the-sale", &fresh_nonce()).await;
    assert_eq!(
        (status, retried["code"].as_str()),
        (422, Some("payment_code_rejected")),
        "{retried}"
    );
    // And that final answer is now the key's, kept like any other.
    let (status, _, kept) = charge_with(&shop, &genuine, "the-sale", &fresh_nonce()).await;
    assert_eq!((status, &kept), (422, &retried));
    assert_eq!(alice.available("CNY").await, 10_000);
    server.invariants().await;
}
