//! Platform fees (issue 15 point 4): the operator's schedule (per merchant, else per merchant
//! category code) is applied when escrow is released — on the seller's share, as a transfer to
//! the platform's revenue account in the release's transaction; a full refund carries none.
//! Order views and the seller's activity show gross, fee and net; the invariants hold.

mod common;

use common::{Server, Wallet};
use danbao_domain::money::Currency;
use danbao_server::store::{AccountKind, Store};
use serde_json::{Value, json};

const CNY: &str = "CNY";

struct Market {
    server: Server,
    seller: Wallet,
    buyer: Wallet,
}

async fn market() -> Market {
    market_in(None).await
}

/// The seller enrolled under merchant category `category`.
async fn market_in(category: Option<&str>) -> Market {
    let server = Server::start().await;
    let seller = server.sign_up("teashop", "Tea Shop").await;
    let mut enrol = json!({"action": "enrol"});
    if let Some(category) = category {
        enrol["category"] = json!(category);
    }
    server.merchant("teashop", enrol).await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "1000.00", CNY).await;
    Market {
        server,
        seller,
        buyer,
    }
}

async fn set_fee(server: &Server, body: Value) -> (u16, Value) {
    server
        .operator("POST", "/v1/admin/fees", Some(&body), None)
        .await
}

async fn step(wallet: &Wallet, id: &str, action: &str, body: Value) -> Value {
    let (status, view) = wallet
        .post(&format!("/v1/orders/{id}/{action}"), &body)
        .await;
    assert_eq!(status, 200, "{action}: {view}");
    view
}

/// An order of `amount` for Bea, paid and shipped.
async fn shipped_order(market: &Market, amount: &str) -> String {
    let (status, created) = market
        .seller
        .post(
            "/v1/orders",
            &json!({"title": "Longjing tea", "amount": amount, "currency": CNY, "buyer": "bea"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["order"]["id"].as_str().unwrap().to_owned();
    step(&market.buyer, &id, "pay", json!({})).await;
    step(
        &market.seller,
        &id,
        "ship",
        json!({"carrier": "SF", "tracking": "SF1"}),
    )
    .await;
    id
}

async fn revenue(server: &Server) -> i64 {
    let cny = Currency::from_code(CNY).unwrap();
    let account = server
        .app
        .store
        .read(move |tx| tx.find_account(None, AccountKind::Revenue, cny))
        .await
        .unwrap();
    account.map_or(0, |a| {
        // The platform's revenue may not overdraw, on every backend.
        assert!(a.no_overdraft, "the revenue account is no-overdraft");
        a.balances.credits_posted - a.balances.debits_posted
    })
}

/// The seller's release rows in its activity, newest first.
async fn releases(wallet: &Wallet) -> Vec<Value> {
    wallet
        .all_activity()
        .await
        .into_iter()
        .map(|item| item["data"].clone())
        .filter(|data| data["type"] == "escrow_release")
        .collect()
}

#[tokio::test]
async fn the_fee_is_taken_on_release_into_the_platforms_revenue_in_the_same_step() {
    let market = market().await;
    // 1 % + 0.30, at least 0.50, at most 20.00.
    let (status, stored) = set_fee(
        &market.server,
        json!({"merchant": "teashop", "currency": CNY, "basis_points": 100,
               "fixed_minor": 30, "min_minor": 50, "max_minor": 2000}),
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["basis_points"], 100);

    // A whole release: 88.00 → fee 0.88 + 0.30 = 1.18, net 86.82.
    let id = shipped_order(&market, "88.00").await;
    let done = step(&market.buyer, &id, "confirm", json!({})).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(market.seller.available(CNY).await, 8_682);
    assert_eq!(revenue(&market.server).await, 118);
    let rows = releases(&market.seller).await;
    assert_eq!(rows[0]["amount"]["minor"], 8_800);
    assert_eq!(rows[0]["platform_fee"]["minor"], 118);
    assert_eq!(rows[0]["net_to_seller"]["minor"], 8_682);
    // The buyer's copy of the release says nothing about the seller's fee.
    let buyer_rows = releases(&market.buyer).await;
    assert!(
        buyer_rows[0].get("platform_fee").is_none(),
        "{}",
        buyer_rows[0]
    );

    // A partial refund: the fee is on the seller's share only. 100.00 − 60.00 = 40.00 →
    // 0.40 + 0.30 = 0.70, net 39.30.
    let id = shipped_order(&market, "100.00").await;
    step(
        &market.buyer,
        &id,
        "refund-request",
        json!({"amount": "60.00"}),
    )
    .await;
    let refunded = step(&market.seller, &id, "refund-accept", json!({})).await;
    assert_eq!(refunded["state"], "refunded");
    assert_eq!(market.seller.available(CNY).await, 8_682 + 3_930);
    assert_eq!(revenue(&market.server).await, 118 + 70);

    // A split the operator decides: the seller's 25.00 → 0.25 + 0.30 = 0.55 → min 0.50 does
    // not apply; net 24.45.
    let id = shipped_order(&market, "50.00").await;
    step(
        &market.buyer,
        &id,
        "refund-request",
        json!({"amount": "25.00"}),
    )
    .await;
    step(&market.seller, &id, "refund-reject", json!({})).await;
    let (status, split) = market
        .server
        .operator(
            "POST",
            &format!("/v1/admin/orders/{id}/resolve"),
            Some(&json!({"resolution": "split", "to_seller": "25.00"})),
            Some(&common::next_key()),
        )
        .await;
    assert_eq!(status, 200, "{split}");
    assert_eq!(revenue(&market.server).await, 118 + 70 + 55);
    assert_eq!(market.seller.available(CNY).await, 8_682 + 3_930 + 2_445);

    // A full refund (cancelled after payment): no fee.
    let (status, created) = market
        .seller
        .post(
            "/v1/orders",
            &json!({"title": "Tin", "amount": "8.00", "currency": CNY, "buyer": "bea"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["order"]["id"].as_str().unwrap().to_owned();
    step(&market.buyer, &id, "pay", json!({})).await;
    let cancelled = step(&market.buyer, &id, "cancel", json!({})).await;
    assert_eq!(cancelled["state"], "refunded");
    assert_eq!(revenue(&market.server).await, 118 + 70 + 55);

    // Money is conserved: the buyer paid what the seller and the platform received.
    let paid_by_buyer = 100_000 - market.buyer.available(CNY).await;
    assert_eq!(
        paid_by_buyer,
        market.seller.available(CNY).await + revenue(&market.server).await
    );
    market.server.invariants().await;
}

#[tokio::test]
async fn a_category_schedule_applies_unless_the_merchant_has_its_own_and_bad_ones_are_refused() {
    let market = market_in(Some("5499")).await;
    let (status, _) = set_fee(
        &market.server,
        json!({"category": "5499", "currency": CNY, "basis_points": 250, "fixed_minor": 0}),
    )
    .await;
    assert_eq!(status, 200);
    let id = shipped_order(&market, "100.00").await;
    step(&market.buyer, &id, "confirm", json!({})).await;
    assert_eq!(revenue(&market.server).await, 250);

    // The merchant's own schedule wins over its category's.
    set_fee(
        &market.server,
        json!({"merchant": "teashop", "currency": CNY, "basis_points": 0, "fixed_minor": 10}),
    )
    .await;
    let id = shipped_order(&market, "100.00").await;
    step(&market.buyer, &id, "confirm", json!({})).await;
    assert_eq!(revenue(&market.server).await, 260);
    // Another currency has no schedule: no fee.
    assert_eq!(market.seller.available(CNY).await, 9_750 + 9_990);

    for (body, status, code) in [
        (
            json!({"merchant": "teashop", "currency": CNY, "basis_points": 10_001}),
            422,
            "invalid_fee_schedule",
        ),
        (
            json!({"merchant": "teashop", "currency": CNY, "basis_points": 10, "min_minor": 9, "max_minor": 5}),
            422,
            "invalid_fee_schedule",
        ),
        (
            json!({"merchant": "teashop", "category": "5499", "currency": CNY, "basis_points": 1}),
            422,
            "invalid_fee_schedule",
        ),
        (
            json!({"category": "54", "currency": CNY, "basis_points": 1}),
            422,
            "invalid_fee_schedule",
        ),
        (
            json!({"merchant": "nobody", "currency": CNY, "basis_points": 1}),
            404,
            "unknown_user",
        ),
        (
            json!({"merchant": "teashop", "currency": "XXX1", "basis_points": 1}),
            422,
            "invalid_currency",
        ),
    ] {
        let (got, refused) = set_fee(&market.server, body.clone()).await;
        assert_eq!((got, &refused["code"]), (status, &json!(code)), "{body}");
    }
    // Only the operator sets fees.
    let (status, refused) = market
        .seller
        .post(
            "/v1/admin/fees",
            &json!({"merchant": "teashop", "currency": CNY, "basis_points": 0}),
        )
        .await;
    assert_eq!((status, &refused["code"]), (401, &json!("operator_only")));
    market.server.invariants().await;
}
