//! Money requests over HTTP: create, accept once, decline; every wrong party refused.

mod common;

use common::{Server, Wallet, next_key};
use serde_json::{Value, json};

async fn request(from: &Wallet, body: Value) -> Value {
    let (status, created) = from.post("/v1/requests", &body).await;
    assert_eq!(status, 201, "{created}");
    created
}

async fn request_events(wallet: &Wallet) -> Vec<Value> {
    let (status, page) = wallet.get("/v1/events?limit=200").await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "request")
        .map(|e| e["data"].clone())
        .collect()
}

#[tokio::test]
async fn a_request_is_paid_once_by_its_payer_only() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice Chen").await;
    let bob = server.sign_up("bob", "Bob Li").await;
    let carol = server.sign_up("carol", "Carol").await;
    server.top_up("alice", "100.00", "CNY").await;

    let created = request(
        &bob,
        json!({"from": "Alice", "amount": "30.00", "currency": "CNY", "note": "concert ticket"}),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "open");
    assert_eq!(created["requester"]["display_name"], "Bob Li");
    assert_eq!(created["payer"]["handle"], "alice");
    assert_eq!(created["amount"]["display"], "30.00 CNY");
    assert_eq!(created["transfer_id"], Value::Null);

    let path = format!("/v1/requests/{id}");
    for party in [&alice, &bob] {
        let (status, seen) = party.get(&path).await;
        assert_eq!((status, &seen["status"]), (200, &json!("open")), "{seen}");
    }
    let (status, problem) = carol.get(&path).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_request"))
    );

    let accept = format!("{path}/accept");
    let (status, problem) = bob.post(&accept, &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("wrong_party")),
        "{problem}"
    );
    let (status, problem) = carol.post(&accept, &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_request"))
    );
    let (status, problem) = bob.post(&format!("{path}/decline"), &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("wrong_party"))
    );
    assert_eq!(alice.available("CNY").await, 10_000);

    let key = next_key();
    let (status, paid) = alice
        .call("POST", &accept, Some(&json!({})), Some(&key))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["transfer_id"].as_str().unwrap().len(), 32);
    let (status, retried) = alice
        .call("POST", &accept, Some(&json!({})), Some(&key))
        .await;
    assert_eq!((status, &retried), (200, &paid));
    let (status, problem) = alice.post(&accept, &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("request_not_open")),
        "{problem}"
    );
    let (status, problem) = alice.post(&format!("{path}/decline"), &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("request_not_open"))
    );

    assert_eq!(alice.available("CNY").await, 7_000);
    assert_eq!(bob.available("CNY").await, 3_000);
    let (_, seen) = bob.get(&path).await;
    assert_eq!(seen["status"], "paid");
    assert_eq!(seen["transfer_id"], paid["transfer_id"]);

    for (wallet, role) in [(&alice, "payer"), (&bob, "requester")] {
        let events = request_events(wallet).await;
        let actions: Vec<_> = events.iter().map(|e| e["action"].clone()).collect();
        assert_eq!(actions, [json!("created"), json!("paid")]);
        assert!(
            events
                .iter()
                .all(|e| e["role"] == role && e["request"]["id"] == id)
        );
    }
    let (_, activity) = alice.get("/v1/activity?limit=5").await;
    assert_eq!(activity["items"][0]["data"]["type"], "request");
    assert_eq!(activity["items"][0]["data"]["memo"], "concert ticket");
    assert!(request_events(&carol).await.is_empty());
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 2);
}

#[tokio::test]
async fn a_declined_request_cannot_be_paid() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "100.00", "CNY").await;
    let created = request(
        &bob,
        json!({"from": "alice", "amount": "5.00", "currency": "CNY"}),
    )
    .await;
    let path = format!("/v1/requests/{}", created["id"]);
    let (status, declined) = alice.post(&format!("{path}/decline"), &json!({})).await;
    assert_eq!(
        (status, &declined["status"]),
        (200, &json!("declined")),
        "{declined}"
    );
    let (status, problem) = alice.post(&format!("{path}/accept"), &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("request_not_open"))
    );
    assert_eq!(alice.available("CNY").await, 10_000);
    assert_eq!(bob.available("CNY").await, 0);
    let actions: Vec<_> = request_events(&bob)
        .await
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(actions, [json!("created"), json!("declined")]);
    server.invariants().await;
}

#[tokio::test]
async fn a_payer_without_funds_leaves_the_request_open() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "1.00", "CNY").await;
    let created = request(
        &bob,
        json!({"from": "alice", "amount": "5.00", "currency": "CNY"}),
    )
    .await;
    let path = format!("/v1/requests/{}", created["id"]);
    let (status, problem) = alice.post(&format!("{path}/accept"), &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insufficient_funds"))
    );
    let (_, seen) = alice.get(&path).await;
    assert_eq!(seen["status"], "open");
    server.top_up("alice", "10.00", "CNY").await;
    let (status, paid) = alice.post(&format!("{path}/accept"), &json!({})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(alice.available("CNY").await, 600);
    assert_eq!(bob.available("CNY").await, 500);
    server.invariants().await;
}

#[tokio::test]
async fn bad_requests_are_refused_precisely() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.sign_up("bob", "Bob").await;
    let long_note = "x".repeat(141);
    let cases = [
        (
            json!({"from": "alice", "amount": "1.00", "currency": "CNY"}),
            422,
            "same_account",
        ),
        (
            json!({"from": "nobody", "amount": "1.00", "currency": "CNY"}),
            404,
            "unknown_user",
        ),
        (
            json!({"from": "bob", "amount": "0", "currency": "CNY"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"from": "bob", "amount": "1.001", "currency": "CNY"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"from": "bob", "amount": "1", "currency": "XYZ"}),
            422,
            "invalid_currency",
        ),
        (
            json!({"from": "bob", "amount": "1", "currency": "CNY", "note": long_note}),
            422,
            "note_too_long",
        ),
        (
            json!({"from": "bob", "amount": "1", "currency": "CNY", "to": "x"}),
            400,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let (got, problem) = alice.post("/v1/requests", &body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body} → {problem}"
        );
    }
    let (status, problem) = alice.get("/v1/requests/999").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_request"))
    );
    let (status, problem) = alice.post("/v1/requests/999/accept", &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_request"))
    );
    server.invariants().await;
}
