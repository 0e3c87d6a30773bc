//! Deadlines hold even before the timer delivers them (DESIGN.md §4): with the timer loop
//! stopped, a step after its state's deadline is refused with 409 `deadline_passed` unless it
//! leads where the deadline leads, and nothing moves.

mod common;

use common::{Server, Wallet};
use serde_json::{Value, json};

const CNY: &str = "CNY";
const DAY: i64 = 24 * 3600;

/// A server whose timer never runs by itself, a seller and a funded buyer.
async fn quiet_shop() -> (Server, Wallet, Wallet) {
    let server = Server::start_with(|config| {
        config.timer_interval_ms = 24 * 3600 * 1000;
    })
    .await;
    let seller = server.sign_up("sam", "Sam's Tea House").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "500.00", CNY).await;
    (server, seller, buyer)
}

/// Opens an order with the given windows; returns (id, code).
async fn open_order(seller: &Wallet, windows: Value) -> (String, String) {
    let mut body = json!({"title": "Dianhong black tea", "amount": "88.00", "currency": CNY,
                          "buyer": "bea"});
    body.as_object_mut()
        .unwrap()
        .extend(windows.as_object().unwrap().clone());
    let (status, created) = seller.post("/v1/orders", &body).await;
    assert_eq!(status, 201, "{created}");
    (
        created["order"]["id"].as_str().unwrap().to_owned(),
        created["code"].as_str().unwrap().to_owned(),
    )
}

async fn act(wallet: &Wallet, id: &str, action: &str, body: Value) -> (u16, Value) {
    wallet
        .post(&format!("/v1/orders/{id}/{action}"), &body)
        .await
}

/// What the order's view offers `wallet` now.
async fn actions(wallet: &Wallet, id: &str) -> Value {
    let (status, view) = wallet.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(status, 200, "{view}");
    view["actions"].clone()
}

fn too_late(status: u16, body: &Value, what: &str) {
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "deadline_passed", "{body}");
    let message = body["detail"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("too late to {what}: the ")),
        "{message}"
    );
}

#[tokio::test]
async fn a_payment_after_the_pay_window_is_refused_before_the_timer_cancels() {
    let (server, seller, buyer) = quiet_shop().await;
    let (id, _code) = open_order(&seller, json!({"pay_window_secs": 600})).await;
    assert_eq!(actions(&buyer, &id).await, json!(["pay", "cancel"]));
    server.advance_clock(600, &[&seller, &buyer]).await;
    // The view no longer offers what the machine would refuse.
    assert_eq!(actions(&buyer, &id).await, json!(["cancel"]));

    let (status, body) = act(&buyer, &id, "pay", json!({})).await;
    too_late(status, &body, "pay");
    assert!(
        body["detail"].as_str().unwrap().contains("pay window"),
        "{body}"
    );
    assert_eq!(buyer.balance(CNY).await, (50_000, 0, 0), "nothing held");
    // Cancelling is where the deadline leads, so it stands.
    let (status, body) = act(&seller, &id, "cancel", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "cancelled");
    server.invariants().await;
}

#[tokio::test]
async fn after_auto_confirm_a_refund_request_is_refused_and_a_confirmation_releases() {
    let (server, seller, buyer) = quiet_shop().await;
    let (id, code) = open_order(&seller, json!({"auto_confirm_secs": 2 * DAY})).await;
    let (status, body) = buyer
        .post("/v1/orders/pay-code", &json!({ "code": code }))
        .await;
    assert_eq!(status, 200, "{body}");
    let ship = json!({"carrier": "SF Express", "tracking": "SF1234567890"});
    let (status, body) = act(&seller, &id, "ship", ship).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        actions(&buyer, &id).await,
        json!(["confirm", "refund-request"])
    );
    server.advance_clock(2 * DAY, &[&seller, &buyer]).await;
    assert_eq!(actions(&buyer, &id).await, json!(["confirm"]));

    let (status, body) = act(&buyer, &id, "refund-request", json!({"amount": "10.00"})).await;
    too_late(status, &body, "request refund");
    assert_eq!(buyer.balance(CNY).await, (41_200, 8_800, 0), "still held");

    let (status, body) = act(&buyer, &id, "confirm", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "completed");
    assert_eq!(seller.balance(CNY).await, (8_800, 0, 0));
    server.invariants().await;
}

#[tokio::test]
async fn after_the_refund_answer_time_only_the_default_outcome_stands() {
    let (server, seller, buyer) = quiet_shop().await;
    let (id, code) = open_order(&seller, json!({})).await;
    let (status, body) = buyer
        .post("/v1/orders/pay-code", &json!({ "code": code }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = act(&buyer, &id, "refund-request", json!({"amount": "20.00"})).await;
    assert_eq!(status, 200, "{body}");
    let answer_by = body["refund_request"]["answer_by"].as_i64().unwrap();
    let now = body["updated_at"].as_i64().unwrap();
    server
        .advance_clock(answer_by - now, &[&seller, &buyer])
        .await;

    // Silence opens a dispute (the server's default), so a late acceptance is refused and a
    // late rejection, which opens the same dispute, stands; the view offers only that.
    assert_eq!(actions(&seller, &id).await, json!(["refund-reject"]));
    let (status, body) = act(&seller, &id, "refund-accept", json!({})).await;
    too_late(status, &body, "accept refund");
    assert_eq!(buyer.balance(CNY).await, (41_200, 8_800, 0), "still held");
    let (status, body) = act(&seller, &id, "refund-reject", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "disputed");
    server.invariants().await;
}
