//! The sample shop (`server/examples/sample_shop`, issue 15 point 7) end to end: holding only an
//! API key, it creates an order under its own reference, learns by a signed webhook that it was
//! paid, ships it, is paid net of the platform fee when the buyer confirms, and downloads a
//! settlement report that matches its wallet.

mod common;

#[path = "../examples/sample_shop/shop.rs"]
mod shop;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Server;
use serde_json::json;

#[tokio::test]
async fn the_sample_shop_sells_through_escrow_with_only_its_key_and_webhooks() {
    let server = Server::start().await;
    let merchant = server.sign_up_merchant("teashop", "Tea Shop").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "500.00", "CNY").await;
    let (status, _) = server
        .operator(
            "POST",
            "/v1/admin/fees",
            Some(&json!({"merchant": "teashop", "currency": "CNY", "basis_points": 60})),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, issued) = merchant
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "sample shop",
                    "scopes": ["orders:write", "orders:read", "reports:read", "webhooks:write"]}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let key = issued["secret"].as_str().unwrap();
    let start = server.app.now();

    let log: shop::Log = Arc::new(Mutex::new(Vec::new()));
    let (shop, paid) = shop::Shop::start(&server.url, key, "127.0.0.1:0", log.clone())
        .await
        .unwrap();
    let (order_id, code) = shop.checkout("web-7001", "88.00").await.unwrap();
    tokio::spawn(shop::ship_paid_orders(shop.clone(), paid));

    // The buyer scans the code in the app and pays; the shop ships on the webhook alone.
    let (status, _) = buyer
        .post("/v1/orders/pay-code", &json!({ "code": code }))
        .await;
    assert_eq!(status, 200);
    let mut shipped = false;
    for _ in 0..200 {
        let (_, order) = buyer.get(&format!("/v1/orders/{order_id}")).await;
        if order["state"] == "shipped" {
            shipped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(shipped, "the shop did not ship: {:?}", log.lock().unwrap());
    let (status, done) = buyer
        .post(&format!("/v1/orders/{order_id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 200, "{done}");

    // Paid net of the fee: 88.00 − 0.53 = 87.47; the report says the same.
    assert_eq!(merchant.available("CNY").await, 8_747);
    let csv = shop.report(start, server.app.now() + 1).await.unwrap();
    let line = csv.lines().nth(1).unwrap();
    assert_eq!(
        line.split(',').take(8).collect::<Vec<_>>(),
        [
            order_id.as_str(),
            "web-7001",
            "CNY",
            "88.00",
            "0.00",
            "88.00",
            "0.53",
            "87.47"
        ]
    );
    let lines = log.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("webhook order.paid for web-7001")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("shipped ")), "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("refused")), "{lines:?}");
    server.invariants().await;
}
