//! The merchant API (issue 15 points 1 and 2): API keys a merchant's device creates, lists,
//! rotates and revokes, with scopes, stored hashed; a key never moves money out; orders under
//! the shop's own reference with line items, metadata, description, milestone times; looked
//! up and listed by reference, state and time; shipped, cancelled and refunds answered with
//! the key.

mod common;

use common::{Server, Wallet, next_key};
use danbao_domain::protocol::Command;
use danbao_domain::protocol::wire::{Send, Withdraw};
use danbao_server::service::merchant_api::KeyCaller;
use danbao_server::service::merchant_api::Scope;
use danbao_server::service::{Actor, run};
use serde_json::{Value, json};

const CNY: &str = "CNY";

/// A shop: an enrolled merchant with a key of every scope, and a buyer with money.
struct Shop {
    server: Server,
    merchant: Wallet,
    buyer: Wallet,
    key: String,
}

async fn shop() -> Shop {
    let server = Server::start().await;
    let merchant = server.sign_up_merchant("teashop", "Tea Shop").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "1000.00", CNY).await;
    let key = new_key(
        &merchant,
        &[
            "orders:write",
            "orders:read",
            "refunds:write",
            "reports:read",
            "webhooks:write",
        ],
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    Shop {
        server,
        merchant,
        buyer,
        key,
    }
}

async fn new_key(merchant: &Wallet, scopes: &[&str]) -> Value {
    let (status, body) = merchant
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "shop backend", "scopes": scopes}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// A call with a merchant API key; `idempotency` for writes.
async fn api(
    server: &Server,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    idempotency: Option<&str>,
) -> (u16, Value) {
    let mut request = server
        .http
        .request(method.parse().unwrap(), format!("{}{path}", server.url))
        .bearer_auth(key);
    if let Some(idempotency) = idempotency {
        request = request.header("Idempotency-Key", idempotency);
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

async fn post(server: &Server, key: &str, path: &str, body: &Value) -> (u16, Value) {
    api(server, key, "POST", path, Some(body), Some(&next_key())).await
}

async fn get(server: &Server, key: &str, path: &str) -> (u16, Value) {
    api(server, key, "GET", path, None, None).await
}

fn order_body(reference: &str, amount: &str) -> Value {
    json!({
        "merchant_reference": reference,
        "title": "Longjing tea",
        "amount": amount,
        "currency": CNY,
        "description": "250 g of spring Longjing, shipped in a tin",
        "line_items": [
            {"name": "Longjing 250 g", "quantity": 2, "unit_amount": "40.00", "sku": "LJ-250"},
            {"name": "Tin", "quantity": 1, "unit_amount": "8.00"}
        ],
        "metadata": {"cart": "c-991", "customer": "42"}
    })
}

async fn create(shop: &Shop, reference: &str) -> Value {
    let (status, body) = post(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders",
        &order_body(reference, "88.00"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn buyer_pays(shop: &Shop, code: &str) {
    let (status, body) = shop
        .buyer
        .post("/v1/orders/pay-code", &json!({ "code": code }))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn keys_are_created_listed_rotated_and_revoked_and_stored_hashed() {
    let shop = shop().await;
    let issued = new_key(&shop.merchant, &["orders:read", "orders:read"]).await;
    let id = issued["key"]["id"].as_str().unwrap().to_owned();
    let secret = issued["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(&format!("{id}.")), "{secret}");
    assert_eq!(issued["key"]["scopes"], json!(["orders:read"]));
    assert_eq!(
        get(&shop.server, &secret, "/v1/merchant-api/orders")
            .await
            .0,
        200
    );

    // The list shows the keys, never a secret.
    let (status, list) = shop.merchant.get("/v1/merchant/api-keys").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(secret.split('.').nth(1).unwrap()));

    // Only the SHA-256 of the secret is stored (read from the database itself, SQLite or
    // PostgreSQL).
    let db = common::Db::open(&shop.server);
    let stored = match db
        .row(
            "SELECT secret_hash FROM merchant_api_keys WHERE id = ?1",
            &[common::Param::Text(id.clone())],
        )
        .as_slice()
    {
        [common::Param::Bytes(bytes)] => bytes.clone(),
        other => panic!("secret_hash is not bytes: {other:?}"),
    };
    let part = secret.split('.').nth(1).unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, part.as_bytes());
    assert_eq!(stored, digest.as_ref());
    drop(db);

    // Rotation: the old secret is refused at once, the new one works.
    let (status, rotated) = shop
        .merchant
        .post(&format!("/v1/merchant/api-keys/{id}/rotate"), &json!({}))
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert!(rotated["key"]["rotated_at"].is_i64());
    let (status, refused) = get(&shop.server, &secret, "/v1/merchant-api/orders").await;
    assert_eq!((status, &refused["code"]), (401, &json!("invalid_api_key")));
    assert_eq!(
        get(&shop.server, &new_secret, "/v1/merchant-api/orders")
            .await
            .0,
        200
    );

    // Revocation: refused from now on.
    let (status, revoked) = shop
        .merchant
        .post(&format!("/v1/merchant/api-keys/{id}/revoke"), &json!({}))
        .await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_i64());
    let (status, refused) = get(&shop.server, &new_secret, "/v1/merchant-api/orders").await;
    assert_eq!((status, &refused["code"]), (401, &json!("invalid_api_key")));
    let (status, refused) = shop
        .merchant
        .post(&format!("/v1/merchant/api-keys/{id}/rotate"), &json!({}))
        .await;
    assert_eq!((status, &refused["code"]), (409, &json!("api_key_revoked")));

    // A forged secret for a real id, a malformed key and no key at all.
    let forged = format!("{id}.{}", "0".repeat(64));
    let (status, refused) = get(&shop.server, &forged, "/v1/merchant-api/orders").await;
    assert_eq!((status, &refused["code"]), (401, &json!("invalid_api_key")));
    let (status, refused) = get(&shop.server, "hello", "/v1/merchant-api/orders").await;
    assert_eq!((status, &refused["code"]), (401, &json!("invalid_api_key")));
    let response = shop
        .server
        .http
        .get(format!("{}/v1/merchant-api/orders", shop.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "missing_api_key");

    // Another user cannot touch the merchant's keys.
    let other = shop.server.sign_up_merchant("other", "Other Shop").await;
    let (status, refused) = other
        .post(
            &format!("/v1/merchant/api-keys/{}/revoke", {
                let list = shop.merchant.get("/v1/merchant/api-keys").await.1;
                list["items"][0]["id"].as_str().unwrap().to_owned()
            }),
            &json!({}),
        )
        .await;
    assert_eq!((status, &refused["code"]), (404, &json!("unknown_api_key")));
}

#[tokio::test]
async fn only_enrolled_enabled_merchants_hold_keys_and_scopes_are_checked() {
    let shop = shop().await;
    let (status, refused) = shop
        .buyer
        .post(
            "/v1/merchant/api-keys",
            &json!({"name": "x", "scopes": ["orders:read"]}),
        )
        .await;
    assert_eq!(
        (status, &refused["code"]),
        (403, &json!("merchant_not_enrolled"))
    );
    for scopes in [
        json!([]),
        json!(["wallet:send"]),
        json!(["withdrawals:write"]),
    ] {
        let (status, refused) = shop
            .merchant
            .post(
                "/v1/merchant/api-keys",
                &json!({"name": "x", "scopes": scopes}),
            )
            .await;
        assert_eq!(
            (status, &refused["code"]),
            (422, &json!("invalid_scope")),
            "{scopes}"
        );
    }

    // A read-only key cannot create or ship.
    let reader = new_key(&shop.merchant, &["orders:read"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, refused) = post(
        &shop.server,
        &reader,
        "/v1/merchant-api/orders",
        &order_body("r-1", "88.00"),
    )
    .await;
    assert_eq!((status, &refused["code"]), (403, &json!("missing_scope")));
    // A writer without refunds:write cannot answer a refund request.
    let writer = new_key(&shop.merchant, &["orders:write"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = create(&shop, "r-2").await;
    let id = created["order"]["id"].as_str().unwrap();
    let (status, refused) = post(
        &shop.server,
        &writer,
        &format!("/v1/merchant-api/orders/{id}/refund-accept"),
        &json!({}),
    )
    .await;
    assert_eq!((status, &refused["code"]), (403, &json!("missing_scope")));
    let (status, refused) = get(&shop.server, &writer, "/v1/merchant-api/orders").await;
    assert_eq!((status, &refused["code"]), (403, &json!("missing_scope")));

    // A merchant the operator switched off: its keys are refused.
    shop.server
        .merchant("teashop", json!({"action": "disable"}))
        .await;
    let (status, refused) = get(&shop.server, &shop.key, "/v1/merchant-api/orders").await;
    assert_eq!(
        (status, &refused["code"]),
        (403, &json!("merchant_disabled"))
    );
}

#[tokio::test]
async fn a_key_can_never_move_money_out_of_the_wallet() {
    let shop = shop().await;
    shop.server.top_up("teashop", "500.00", CNY).await;
    // Over HTTP: the wallet's routes want a device signature, not a key.
    for (path, body) in [
        (
            "/v1/transfers",
            json!({"to": "bea", "amount": "100.00", "currency": CNY}),
        ),
        (
            "/v1/withdrawals",
            json!({"amount": "100.00", "currency": CNY}),
        ),
    ] {
        let (status, refused) = post(&shop.server, &shop.key, path, &body).await;
        assert_eq!(
            (status, &refused["code"]),
            (401, &json!("missing_signature")),
            "{path}"
        );
    }
    // And the command layer refuses a key's transfer or withdrawal whatever route asks.
    let user_id = shop.merchant.user_id;
    let caller = KeyCaller {
        key_id: "mk_000000000000000000000000".to_owned(),
        user_id,
        scopes: Scope::ALL.to_vec(),
        idempotency_key: Some(next_key()),
        request_hash: vec![0; 32],
    };
    let send: Send =
        serde_json::from_value(json!({"to": "bea", "amount": "100.00", "currency": CNY})).unwrap();
    let withdraw: Withdraw =
        serde_json::from_value(json!({"amount": "100.00", "currency": CNY})).unwrap();
    for command in [Command::Send(send), Command::Withdraw(withdraw)] {
        let error = run(
            &shop.server.app,
            Actor::MerchantKey(caller.clone()),
            command,
        )
        .await
        .unwrap_err();
        assert_eq!(error.code, "wrong_actor");
    }
    assert_eq!(shop.merchant.available(CNY).await, 50_000);
    assert_eq!(shop.buyer.available(CNY).await, 100_000);
    shop.server.invariants().await;
}

#[tokio::test]
async fn the_same_reference_is_the_same_order_and_writes_are_idempotent() {
    let shop = shop().await;
    let first = create(&shop, "web-1001").await;
    let id = first["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(first["merchant_reference"], "web-1001");
    assert_eq!(
        first["description"],
        "250 g of spring Longjing, shipped in a tin"
    );
    assert_eq!(
        first["metadata"],
        json!({"cart": "c-991", "customer": "42"})
    );
    assert_eq!(first["line_items"][0]["total"]["minor"], 8_000);
    assert_eq!(first["line_items"][0]["sku"], "LJ-250");
    assert_eq!(first["line_items"][1]["unit_amount"]["minor"], 800);
    assert_eq!(first["order"]["amount"]["minor"], 8_800);
    assert!(first["code"].as_str().unwrap().len() > 20);
    assert!(first["paid_at"].is_null());

    // The same reference again (a new idempotency key): the same order.
    let (status, again) = post(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders",
        &order_body("web-1001", "88.00"),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["order"]["id"], id.as_str());
    // ... but with another amount, a conflict.
    let mut other = order_body("web-1001", "90.00");
    other["line_items"] = json!([]);
    let (status, refused) = post(&shop.server, &shop.key, "/v1/merchant-api/orders", &other).await;
    assert_eq!(
        (status, &refused["code"]),
        (409, &json!("reference_conflict"))
    );

    // The same idempotency key and body: the stored first answer; another body: refused.
    let key = next_key();
    let body = order_body("web-1002", "88.00");
    let (s1, a1) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&body),
        Some(&key),
    )
    .await;
    let (s2, a2) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&body),
        Some(&key),
    )
    .await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(a1, a2);
    let (status, refused) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&order_body("web-1003", "88.00")),
        Some(&key),
    )
    .await;
    assert_eq!(
        (status, &refused["code"]),
        (422, &json!("idempotency_key_reused"))
    );
    let (status, refused) = api(
        &shop.server,
        &shop.key,
        "POST",
        "/v1/merchant-api/orders",
        Some(&order_body("web-1004", "88.00")),
        None,
    )
    .await;
    assert_eq!(
        (status, &refused["code"]),
        (400, &json!("missing_idempotency_key"))
    );

    // Bad input: each with its code, nothing stored.
    for (body, code) in [
        (order_body("has space", "88.00"), "invalid_reference"),
        (order_body("web-2", "90.00"), "line_items_mismatch"),
        (
            {
                let mut body = order_body("web-3", "88.00");
                body["metadata"] = json!({"": "x"});
                body
            },
            "invalid_metadata",
        ),
        (
            {
                let mut body = order_body("web-4", "88.00");
                body["line_items"][0]["quantity"] = json!(0);
                body
            },
            "invalid_line_items",
        ),
    ] {
        let (status, refused) =
            post(&shop.server, &shop.key, "/v1/merchant-api/orders", &body).await;
        assert_eq!((status, &refused["code"]), (422, &json!(code)), "{body}");
    }
    let (_, list) = get(&shop.server, &shop.key, "/v1/merchant-api/orders").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_shop_runs_its_orders_with_the_key_and_sees_their_times() {
    let shop = shop().await;
    let first = create(&shop, "web-1").await;
    let id = first["order"]["id"].as_str().unwrap().to_owned();
    buyer_pays(&shop, first["code"].as_str().unwrap()).await;

    // The buyer's steps are not the key's.
    let (status, refused) = post(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders/{id}/confirm"),
        &json!({}),
    )
    .await;
    assert_eq!((status, &refused["code"]), (403, &json!("wrong_actor")));

    let (status, shipped) = post(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders/{id}/ship"),
        &json!({"carrier": "SF Express", "tracking": "SF123456"}),
    )
    .await;
    assert_eq!(status, 200, "{shipped}");
    assert_eq!(shipped["order"]["state"], "shipped");
    assert!(shipped["paid_at"].is_i64());
    assert!(shipped["shipped_at"].is_i64());
    assert!(shipped["completed_at"].is_null());

    let (status, done) = shop
        .buyer
        .post(&format!("/v1/orders/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 200, "{done}");
    let (status, seen) = get(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders/{id}"),
    )
    .await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["order"]["state"], "completed");
    assert!(seen["completed_at"].as_i64().unwrap() >= seen["shipped_at"].as_i64().unwrap());
    assert_eq!(seen["settlement"]["gross"]["minor"], 8_800);
    assert_eq!(seen["settlement"]["net"]["minor"], 8_800);

    // A second order: paid, the buyer asks for 30.00 back, the shop accepts with the key.
    let second = create(&shop, "web-2").await;
    let second_id = second["order"]["id"].as_str().unwrap().to_owned();
    buyer_pays(&shop, second["code"].as_str().unwrap()).await;
    let (status, asked) = shop
        .buyer
        .post(
            &format!("/v1/orders/{second_id}/refund-request"),
            &json!({"amount": "30.00"}),
        )
        .await;
    assert_eq!(status, 200, "{asked}");
    let (status, refunded) = post(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders/{second_id}/refund-accept"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{refunded}");
    assert_eq!(refunded["settlement"]["refunded"]["minor"], 3_000);
    assert_eq!(refunded["settlement"]["gross"]["minor"], 5_800);

    // A third: cancelled by the shop before payment.
    let third = create(&shop, "web-3").await;
    let third_id = third["order"]["id"].as_str().unwrap().to_owned();
    let (status, cancelled) = post(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders/{third_id}/cancel"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    assert!(cancelled["cancelled_at"].is_i64());

    // Look-ups: by reference, by state, by time range.
    let (_, by_ref) = get(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders?reference=web-2",
    )
    .await;
    assert_eq!(by_ref["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_ref["items"][0]["order"]["id"], second_id.as_str());
    let (_, completed) = get(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders?state=completed",
    )
    .await;
    let ids: Vec<&str> = completed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    // A partly refunded order ends refunded, with its time.
    let (_, refunded) = get(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders?state=refunded",
    )
    .await;
    assert_eq!(refunded["items"][0]["order"]["id"], second_id.as_str());
    assert!(refunded["items"][0]["refunded_at"].is_i64());
    let (_, cancelled) = get(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders?state=cancelled",
    )
    .await;
    assert_eq!(cancelled["items"][0]["merchant_reference"], "web-3");
    let created_at = first["created_at"].as_i64().unwrap();
    let (_, none) = get(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders?created_to={created_at}"),
    )
    .await;
    assert_eq!(none["items"], json!([]));
    let (_, all) = get(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders?created_from={created_at}&limit=2"),
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let cursor = all["next_cursor"].as_str().unwrap();
    let (_, rest) = get(
        &shop.server,
        &shop.key,
        &format!("/v1/merchant-api/orders?created_from={created_at}&limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next_cursor"].is_null());
    // Both pages together: every order once (newest first; one second orders by id).
    let mut references: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|o| o["merchant_reference"].as_str().unwrap())
        .collect();
    references.sort_unstable();
    assert_eq!(references, ["web-1", "web-2", "web-3"]);
    let (status, refused) = get(
        &shop.server,
        &shop.key,
        "/v1/merchant-api/orders?state=lost",
    )
    .await;
    assert_eq!((status, &refused["code"]), (400, &json!("invalid_query")));

    // Another merchant's key sees none of it.
    let other = shop.server.sign_up_merchant("other", "Other Shop").await;
    let other_key = new_key(&other, &["orders:read", "orders:write"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, refused) = get(
        &shop.server,
        &other_key,
        &format!("/v1/merchant-api/orders/{id}"),
    )
    .await;
    assert_eq!((status, &refused["code"]), (404, &json!("unknown_order")));
    let (status, refused) = post(
        &shop.server,
        &other_key,
        &format!("/v1/merchant-api/orders/{third_id}/cancel"),
        &json!({}),
    )
    .await;
    assert_eq!((status, &refused["code"]), (404, &json!("unknown_order")));
    shop.server.invariants().await;
}

#[tokio::test]
async fn order_creation_with_a_key_is_rate_limited_per_merchant() {
    let server = Server::start_with(|config| {
        config.rate_limit = 3;
    })
    .await;
    let merchant = server.sign_up_merchant("teashop", "Tea Shop").await;
    let key = new_key(&merchant, &["orders:write"]).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in 0..3 {
        let (status, body) = post(
            &server,
            &key,
            "/v1/merchant-api/orders",
            &order_body(&format!("r-{n}"), "88.00"),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, refused) = post(
        &server,
        &key,
        "/v1/merchant-api/orders",
        &order_body("r-9", "88.00"),
    )
    .await;
    assert_eq!((status, &refused["code"]), (429, &json!("rate_limited")));
}
