//! Escrow orders over HTTP (DESIGN.md §4): every transition with balances, partial and full
//! refunds, disputes and operator resolution, every wrong party and illegal transition,
//! idempotent retries, pay by order code (single use, expiry, tampering) and listing.

mod common;

use common::{Server, Wallet, next_key};
use danbao_domain::qr::danbao::{
    self, DanbaoCode, DanbaoSigner, Nonce, OrderCode, SystemRandom as CodeRng,
};
use danbao_domain::qr::emv::crc16;
use serde_json::{Value, json};

const CNY: &str = "CNY";

struct Shop {
    server: Server,
    seller: Wallet,
    buyer: Wallet,
    stranger: Wallet,
}

async fn shop() -> Shop {
    shop_with(|_| {}).await
}

async fn shop_with(adjust: impl FnOnce(&mut danbao_server::Config)) -> Shop {
    let server = Server::start_with(adjust).await;
    let seller = server.sign_up("sam", "Sam's Tea House").await;
    let buyer = server.sign_up("bea", "Bea Wang").await;
    let stranger = server.sign_up("eve", "Eve").await;
    server.top_up("bea", "1000.00", CNY).await;
    server.top_up("eve", "1000.00", CNY).await;
    Shop {
        server,
        seller,
        buyer,
        stranger,
    }
}

/// Creates an order of `amount` CNY for the buyer Bea, who may pay it by id; returns
/// (id, code).
async fn create(seller: &Wallet, amount: &str) -> (String, String) {
    create_with(
        seller,
        json!({"title": "Longjing tea 250 g", "amount": amount, "currency": CNY, "buyer": "bea"}),
    )
    .await
}

/// Creates an order of `amount` CNY that names no buyer: only its code pays it.
async fn create_open(seller: &Wallet, amount: &str) -> (String, String) {
    create_with(
        seller,
        json!({"title": "Longjing tea 250 g", "amount": amount, "currency": CNY}),
    )
    .await
}

async fn create_with(seller: &Wallet, body: Value) -> (String, String) {
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

/// Runs a step that must succeed and returns the caller's view.
async fn ok(wallet: &Wallet, id: &str, action: &str, body: Value) -> Value {
    let (status, view) = act(wallet, id, action, body).await;
    assert_eq!(status, 200, "{action}: {view}");
    view
}

async fn resolve(server: &Server, id: &str, body: Value) -> (u16, Value) {
    server
        .operator(
            "POST",
            &format!("/v1/admin/orders/{id}/resolve"),
            Some(&body),
            Some(&next_key()),
        )
        .await
}

fn ship() -> Value {
    json!({"carrier": "SF Express", "tracking": "SF1234567890"})
}

async fn state(wallet: &Wallet, id: &str) -> String {
    let (status, view) = wallet.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(status, 200, "{view}");
    view["state"].as_str().unwrap().to_owned()
}

/// Feed entries of `kind` for `wallet`, oldest first.
async fn feed(wallet: &Wallet, kind: &str) -> Vec<Value> {
    let (status, page) = wallet.get("/v1/events?limit=200").await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["data"].clone())
        .collect()
}

#[tokio::test]
async fn happy_path_holds_then_releases_with_balances_at_each_step() {
    let Shop {
        server,
        seller,
        buyer,
        stranger,
    } = shop().await;
    let (id, code) = create_open(&seller, "100.00").await;
    assert!(code.starts_with("000201"), "{code}");
    let (status, view) = seller.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(view["state"], "awaiting_payment");
    assert_eq!(view["role"], "seller");
    assert_eq!(view["actions"], json!(["cancel"]));
    assert_eq!(view["amount"]["display"], "100.00 CNY");
    assert_eq!(view["seller"]["display_name"], "Sam's Tea House");
    assert_eq!(view["next_deadline"]["kind"], "pay_by");
    assert!(view["buyer"].is_null());
    // Nobody else can see it before or after payment.
    for wallet in [&buyer, &stranger] {
        let (status, problem) = wallet.get(&format!("/v1/orders/{id}")).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (404, Some("unknown_order"))
        );
    }

    // The buyer scans the order's code: it pays the order and makes her its buyer.
    let (status, paid) = buyer
        .post("/v1/orders/pay-code", &json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["role"], "buyer");
    assert_eq!(paid["buyer"]["handle"], "bea");
    assert_eq!(paid["actions"], json!(["cancel", "refund-request"]));
    assert!(paid["next_deadline"].is_null());
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    assert_eq!(seller.balance(CNY).await, (0, 0, 10_000));
    server.invariants().await;
    let (status, _) = stranger.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(status, 404);

    let shipped = ok(&seller, &id, "ship", ship()).await;
    assert_eq!(shipped["state"], "shipped");
    assert_eq!(shipped["shipment"]["tracking"], "SF1234567890");
    assert_eq!(shipped["actions"], json!([]));
    assert_eq!(shipped["next_deadline"]["kind"], "auto_confirm");
    let auto_confirm_at = shipped["auto_confirm_at"].as_i64().unwrap();
    assert_eq!(
        auto_confirm_at,
        shipped["updated_at"].as_i64().unwrap() + 10 * 24 * 3600
    );
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    assert_eq!(seller.balance(CNY).await, (0, 0, 10_000));
    let (_, buyer_view) = buyer.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(buyer_view["actions"], json!(["confirm", "refund-request"]));

    let done = ok(&buyer, &id, "confirm", json!({})).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["released"]["minor"], 10_000);
    assert!(done["refunded"].is_null());
    assert!(done["next_deadline"].is_null());
    assert_eq!(buyer.balance(CNY).await, (90_000, 0, 0));
    assert_eq!(seller.balance(CNY).await, (10_000, 0, 0));
    let checked = server.invariants().await;
    // 2 top-ups, the hold and its post.
    assert_eq!(checked["transfers"], 4);

    // Both feeds tell the story; the money events name the order and the counterparty.
    let seller_orders: Vec<_> = feed(&seller, "order").await;
    let events: Vec<_> = seller_orders.iter().map(|e| e["event"].clone()).collect();
    assert_eq!(
        events,
        json!(["create", "pay", "ship", "confirm"])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        seller_orders[1]["order"]["actions"],
        json!(["ship", "cancel"])
    );
    let buyer_orders = feed(&buyer, "order").await;
    assert_eq!(buyer_orders.len(), 3);
    assert_eq!(buyer_orders[2]["order"]["state"], "completed");
    let seller_money = feed(&seller, "transfer").await;
    assert_eq!(seller_money.len(), 2);
    assert_eq!(seller_money[0]["type"], "escrow_hold");
    assert_eq!(seller_money[0]["direction"], "in");
    assert_eq!(seller_money[1]["type"], "escrow_release");
    assert_eq!(seller_money[1]["amount"]["minor"], 10_000);
    assert_eq!(seller_money[1]["order_id"], id.as_str());
    assert_eq!(seller_money[1]["counterparty"], "bea");
    let buyer_money = feed(&buyer, "transfer").await;
    assert_eq!(buyer_money[1]["type"], "escrow_hold");
    assert_eq!(buyer_money[1]["direction"], "out");
    assert_eq!(buyer_money[2]["returned_to_buyer"]["minor"], 0);

    // Both parties list it.
    for wallet in [&seller, &buyer] {
        let (status, list) = wallet.get("/v1/orders").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["items"][0]["id"], id.as_str());
    }
    let (_, list) = stranger.get("/v1/orders").await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn partial_refunds_before_and_after_shipping_post_the_rest() {
    let Shop {
        server,
        seller,
        buyer,
        ..
    } = shop().await;
    // Before shipping.
    let (first, _) = create(&seller, "100.00").await;
    ok(&buyer, &first, "pay", json!({})).await;
    let asked = ok(&buyer, &first, "refund-request", json!({"amount": "30.00"})).await;
    assert_eq!(asked["state"], "refund_requested");
    assert_eq!(asked["refund_request"]["amount"]["minor"], 3_000);
    assert_eq!(asked["next_deadline"]["kind"], "refund_answer");
    assert_eq!(asked["actions"], json!([]));
    let (_, seller_view) = seller.get(&format!("/v1/orders/{first}")).await;
    assert_eq!(
        seller_view["actions"],
        json!(["refund-accept", "refund-reject"])
    );
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    let refunded = ok(&seller, &first, "refund-accept", json!({})).await;
    assert_eq!(refunded["state"], "refunded");
    assert_eq!(refunded["released"]["minor"], 7_000);
    assert_eq!(refunded["refunded"]["minor"], 3_000);
    assert_eq!(buyer.balance(CNY).await, (93_000, 0, 0));
    assert_eq!(seller.balance(CNY).await, (7_000, 0, 0));
    server.invariants().await;

    // After shipping: the auto-confirm clock pauses while the seller answers.
    let (second, _) = create(&seller, "50.00").await;
    ok(&buyer, &second, "pay", json!({})).await;
    ok(&seller, &second, "ship", ship()).await;
    let asked = ok(
        &buyer,
        &second,
        "refund-request",
        json!({"amount": "12.50"}),
    )
    .await;
    assert!(asked["auto_confirm_at"].is_null());
    assert_eq!(buyer.balance(CNY).await, (88_000, 5_000, 0));
    assert_eq!(seller.balance(CNY).await, (7_000, 0, 5_000));
    let refunded = ok(&seller, &second, "refund-accept", json!({})).await;
    assert_eq!(refunded["released"]["minor"], 3_750);
    assert_eq!(refunded["refunded"]["minor"], 1_250);
    assert_eq!(buyer.balance(CNY).await, (89_250, 0, 0));
    assert_eq!(seller.balance(CNY).await, (10_750, 0, 0));
    let money = feed(&buyer, "transfer").await;
    let last = money.last().unwrap();
    assert_eq!(last["type"], "escrow_release");
    assert_eq!(last["amount"]["minor"], 3_750);
    assert_eq!(last["returned_to_buyer"]["minor"], 1_250);
    server.invariants().await;
}

#[tokio::test]
async fn full_refund_and_cancel_after_payment_void_the_hold() {
    let Shop {
        server,
        seller,
        buyer,
        ..
    } = shop().await;
    let (id, _) = create(&seller, "100.00").await;
    ok(&buyer, &id, "pay", json!({})).await;
    ok(&seller, &id, "ship", ship()).await;
    ok(&buyer, &id, "refund-request", json!({"amount": "100.00"})).await;
    let refunded = ok(&seller, &id, "refund-accept", json!({})).await;
    assert_eq!(refunded["state"], "refunded");
    assert_eq!(refunded["refunded"]["minor"], 10_000);
    assert!(refunded["released"].is_null());
    assert_eq!(buyer.balance(CNY).await, (100_000, 0, 0));
    assert_eq!(seller.balance(CNY).await, (0, 0, 0));
    let money = feed(&buyer, "transfer").await;
    assert_eq!(money.last().unwrap()["type"], "escrow_refund");
    assert_eq!(money.last().unwrap()["direction"], "in");

    // Cancel after payment (either party) voids too; cancel before payment moves nothing.
    for canceller in [&buyer, &seller] {
        let (id, _) = create(&seller, "20.00").await;
        ok(&buyer, &id, "pay", json!({})).await;
        assert_eq!(buyer.balance(CNY).await, (98_000, 2_000, 0));
        let cancelled = ok(canceller, &id, "cancel", json!({})).await;
        assert_eq!(cancelled["state"], "refunded");
        assert_eq!(cancelled["refunded"]["minor"], 2_000);
        assert_eq!(buyer.balance(CNY).await, (100_000, 0, 0));
    }
    let (id, _) = create(&seller, "20.00").await;
    assert_eq!(
        ok(&seller, &id, "cancel", json!({})).await["state"],
        "cancelled"
    );
    let checked = server.invariants().await;
    // 2 top-ups + (hold, void) × 3.
    assert_eq!(checked["transfers"], 8);
}

#[tokio::test]
async fn disputes_are_resolved_by_the_operator_only() {
    let Shop {
        server,
        seller,
        buyer,
        ..
    } = shop().await;
    let mut disputed = Vec::new();
    for _ in 0..3 {
        let (id, _) = create(&seller, "100.00").await;
        ok(&buyer, &id, "pay", json!({})).await;
        ok(&seller, &id, "ship", ship()).await;
        ok(&buyer, &id, "refund-request", json!({"amount": "60.00"})).await;
        let view = ok(&seller, &id, "refund-reject", json!({})).await;
        assert_eq!(view["state"], "disputed");
        assert!(view["next_deadline"].is_null());
        disputed.push(id);
    }
    assert_eq!(buyer.balance(CNY).await, (70_000, 30_000, 0));
    let (status, view) = server
        .operator(
            "GET",
            &format!("/v1/admin/orders/{}", disputed[0]),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["role"], "operator");
    assert_eq!(view["actions"], json!(["resolve"]));

    // Buyer and seller cannot resolve; the machine names who can.
    for wallet in [&buyer, &seller] {
        let (status, problem) = act(
            wallet,
            &disputed[0],
            "resolve",
            json!({"resolution": "release"}),
        )
        .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (403, Some("wrong_party"))
        );
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .starts_with("only the operator may resolve"),
            "{problem}"
        );
    }
    // Malformed resolutions.
    let bad = [
        (json!({"resolution": "split"}), 400, "invalid_body"),
        (
            json!({"resolution": "release", "to_seller": "1.00"}),
            400,
            "invalid_body",
        ),
        (json!({"resolution": "halve"}), 400, "invalid_body"),
        (
            json!({"resolution": "split", "to_seller": "100.01"}),
            422,
            "invalid_amount",
        ),
        (
            json!({"resolution": "split", "to_seller": "0.00"}),
            422,
            "invalid_amount",
        ),
    ];
    for (body, status, code) in bad {
        let (got, problem) = resolve(&server, &disputed[0], body.clone()).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body}: {problem}"
        );
    }
    let (status, _) = server
        .operator(
            "POST",
            &format!("/v1/admin/orders/{}/resolve", disputed[0]),
            Some(&json!({"resolution": "release"})),
            None,
        )
        .await;
    assert_eq!(status, 400, "operator steps need an Idempotency-Key");

    let (status, released) = resolve(&server, &disputed[0], json!({"resolution": "release"})).await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["state"], "completed");
    assert_eq!(released["released"]["minor"], 10_000);
    assert_eq!(seller.balance(CNY).await, (10_000, 0, 20_000));

    let (status, refunded) = resolve(&server, &disputed[1], json!({"resolution": "refund"})).await;
    assert_eq!(status, 200, "{refunded}");
    assert_eq!(refunded["state"], "refunded");
    assert_eq!(refunded["refunded"]["minor"], 10_000);
    assert_eq!(buyer.balance(CNY).await, (80_000, 10_000, 0));

    let (status, split) = resolve(
        &server,
        &disputed[2],
        json!({"resolution": "split", "to_seller": "40.00"}),
    )
    .await;
    assert_eq!(status, 200, "{split}");
    assert_eq!(split["state"], "refunded");
    assert_eq!(split["released"]["minor"], 4_000);
    assert_eq!(split["refunded"]["minor"], 6_000);
    assert_eq!(buyer.balance(CNY).await, (86_000, 0, 0));
    assert_eq!(seller.balance(CNY).await, (14_000, 0, 0));

    // A settled dispute cannot be settled again.
    let (status, problem) = resolve(&server, &disputed[2], json!({"resolution": "refund"})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("illegal_transition"))
    );
    let (status, _) = resolve(&server, "ord_nothing", json!({"resolution": "refund"})).await;
    assert_eq!(status, 404);
    let (status, _) = server
        .http
        .post(format!(
            "{}/v1/admin/orders/{}/resolve",
            server.url, disputed[0]
        ))
        .header("Idempotency-Key", next_key())
        .body(r#"{"resolution":"release"}"#)
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 401, "resolve needs the operator token");
    server.invariants().await;
}

const ACTIONS: [&str; 8] = [
    "pay",
    "ship",
    "cancel",
    "confirm",
    "refund-request",
    "refund-accept",
    "refund-reject",
    "resolve",
];

fn body_of(action: &str) -> Value {
    match action {
        "ship" => ship(),
        "refund-request" => json!({"amount": "1.00"}),
        "resolve" => json!({"resolution": "release"}),
        _ => json!({}),
    }
}

/// DESIGN.md §4: which party may take which action in which state ("" = nobody).
fn allowed(state: &str, action: &str) -> &'static [&'static str] {
    match (state, action) {
        ("awaiting_payment", "pay") => &["buyer"],
        ("awaiting_payment", "cancel") => &["buyer", "seller"],
        ("paid", "ship") => &["seller"],
        ("paid", "cancel") => &["buyer", "seller"],
        ("paid", "refund-request") => &["buyer"],
        ("shipped", "confirm") => &["buyer"],
        ("shipped", "refund-request") => &["buyer"],
        ("refund_requested", "refund-accept" | "refund-reject") => &["seller"],
        ("disputed", "resolve") => &["operator"],
        _ => &[],
    }
}

async fn paid_order(seller: &Wallet, buyer: &Wallet) -> String {
    let (id, _) = create(seller, "10.00").await;
    ok(buyer, &id, "pay", json!({})).await;
    id
}

/// Builds one order in each reachable state; returns (state, id).
async fn orders_in_every_state(shop: &Shop) -> Vec<(&'static str, String)> {
    let Shop {
        server,
        seller,
        buyer,
        ..
    } = shop;
    let mut orders = Vec::new();
    let (id, _) = create(seller, "10.00").await;
    orders.push(("awaiting_payment", id));
    let id = paid_order(seller, buyer).await;
    orders.push(("paid", id));
    let id = paid_order(seller, buyer).await;
    ok(seller, &id, "ship", ship()).await;
    orders.push(("shipped", id.clone()));
    let id = paid_order(seller, buyer).await;
    ok(buyer, &id, "refund-request", json!({"amount": "2.00"})).await;
    orders.push(("refund_requested", id));
    let id = paid_order(seller, buyer).await;
    ok(buyer, &id, "refund-request", json!({"amount": "2.00"})).await;
    ok(seller, &id, "refund-reject", json!({})).await;
    orders.push(("disputed", id));
    let id = paid_order(seller, buyer).await;
    ok(seller, &id, "ship", ship()).await;
    ok(buyer, &id, "confirm", json!({})).await;
    orders.push(("completed", id));
    let (id, _) = create(seller, "10.00").await;
    ok(seller, &id, "cancel", json!({})).await;
    orders.push(("cancelled", id));
    let id = paid_order(seller, buyer).await;
    ok(buyer, &id, "cancel", json!({})).await;
    orders.push(("refunded", id));
    server.invariants().await;
    orders
}

#[tokio::test]
async fn every_wrong_party_and_every_illegal_transition_is_refused() {
    let shop = shop().await;
    let orders = orders_in_every_state(&shop).await;
    let Shop {
        server,
        seller,
        buyer,
        stranger,
    } = &shop;
    let before = (buyer.balance(CNY).await, seller.balance(CNY).await);
    let (mut wrong_party, mut illegal, mut hidden) = (0, 0, 0);
    for (state, id) in &orders {
        for action in ACTIONS {
            let may = allowed(state, action);
            for (name, wallet) in [("buyer", buyer), ("seller", seller)] {
                if may.contains(&name) {
                    continue;
                }
                let (status, problem) = act(wallet, id, action, body_of(action)).await;
                let expected = if may.is_empty() {
                    illegal += 1;
                    (409, "illegal_transition")
                } else {
                    wrong_party += 1;
                    (403, "wrong_party")
                };
                assert_eq!(
                    (status, problem["code"].as_str().unwrap_or_default()),
                    expected,
                    "{action} by the {name} of a {state} order: {problem}"
                );
                let detail = problem["detail"].as_str().unwrap();
                if expected.0 == 403 {
                    assert!(detail.starts_with("only the "), "{detail}");
                } else {
                    assert!(
                        detail.contains(" is not allowed while the order is "),
                        "{detail}"
                    );
                }
            }
            // A stranger sees nothing and does nothing by id, paying included (issue 12
            // point 4: an order id is no proof of anything).
            let (status, problem) = act(stranger, id, action, body_of(action)).await;
            hidden += 1;
            assert_eq!(
                (status, problem["code"].as_str()),
                (404, Some("unknown_order")),
                "{action} by a stranger of a {state} order: {problem}"
            );
        }
        // The operator may only resolve disputes.
        if *state != "disputed" {
            let (status, problem) = resolve(server, id, json!({"resolution": "refund"})).await;
            assert_eq!(
                (status, problem["code"].as_str()),
                (409, Some("illegal_transition")),
                "resolve of a {state} order"
            );
        }
        // Nothing changed.
        assert_eq!(&state_of(seller, id).await, state);
    }
    // 9 wrong parties (table above), 108 illegal pairs (the designated buyer is a party of
    // the unpaid and the cancelled order too), all 64 hidden from the stranger.
    assert_eq!((wrong_party, illegal, hidden), (9, 108, 64));
    assert_eq!(
        (buyer.balance(CNY).await, seller.balance(CNY).await),
        before
    );
    server.invariants().await;
}

async fn state_of(wallet: &Wallet, id: &str) -> String {
    state(wallet, id).await
}

#[tokio::test]
async fn refused_requests_name_what_is_wrong() {
    let Shop {
        server,
        seller,
        buyer,
        ..
    } = shop().await;
    let bad = [
        (
            json!({"title": "", "amount": "1.00", "currency": CNY}),
            422,
            "invalid_text",
        ),
        (
            json!({"title": "x", "amount": "1.234", "currency": CNY}),
            422,
            "invalid_amount",
        ),
        (
            json!({"title": "x", "amount": "0", "currency": CNY}),
            422,
            "invalid_amount",
        ),
        (
            json!({"title": "x", "amount": "1", "currency": "XYZ"}),
            422,
            "invalid_currency",
        ),
        (
            json!({"title": "x", "amount": "1", "currency": CNY, "pay_window_secs": 59}),
            422,
            "invalid_window",
        ),
        (
            json!({"title": "x", "amount": "1", "currency": CNY, "pay_window_secs": 30 * 24 * 3600 + 1}),
            422,
            "invalid_window",
        ),
        (
            json!({"title": "x", "amount": "1", "currency": CNY, "auto_confirm_secs": 10}),
            422,
            "invalid_window",
        ),
        (
            json!({"title": "x", "amount": "1", "currency": CNY, "extra": 1}),
            400,
            "invalid_body",
        ),
    ];
    for (body, status, code) in bad {
        let (got, problem) = seller.post("/v1/orders", &body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body}: {problem}"
        );
    }
    let (id, _) = create(&seller, "10.00").await;
    let cases = [
        ("pay", json!({"tip": 1}), 400, "invalid_body"),
        ("ship", json!({"carrier": "SF"}), 400, "invalid_body"),
        (
            "ship",
            json!({"carrier": "", "tracking": "1"}),
            422,
            "invalid_text",
        ),
        ("teleport", json!({}), 404, "no_such_route"),
    ];
    for (action, body, status, code) in cases {
        let (got, problem) = act(&buyer, &id, action, body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{action}: {problem}"
        );
    }
    ok(&buyer, &id, "pay", json!({})).await;
    for (amount, code) in [
        ("10.01", "invalid_amount"),
        ("0", "invalid_amount"),
        ("1.001", "invalid_amount"),
    ] {
        let (status, problem) = act(&buyer, &id, "refund-request", json!({"amount": amount})).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some(code)),
            "{amount}: {problem}"
        );
    }
    let (status, problem) = buyer.get("/v1/orders/ord_missing").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_order"))
    );
    // Paying needs the money: refused, and the order stays unpaid.
    let (poor_order, _) = create(&seller, "5000.00").await;
    let (status, problem) = act(&buyer, &poor_order, "pay", json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insufficient_funds"))
    );
    assert_eq!(state(&seller, &poor_order).await, "awaiting_payment");
    server.invariants().await;
}

#[tokio::test]
async fn retries_with_the_same_key_answer_the_same_and_act_once() {
    let Shop {
        server,
        seller,
        buyer,
        stranger,
    } = shop().await;
    let key = next_key();
    let body = json!({"title": "Tea", "amount": "100.00", "currency": CNY, "buyer": "bea"});
    let first = seller
        .call("POST", "/v1/orders", Some(&body), Some(&key))
        .await;
    let again = seller
        .call("POST", "/v1/orders", Some(&body), Some(&key))
        .await;
    assert_eq!(first.0, 201);
    assert_eq!(first, again);
    let (_, list) = seller.get("/v1/orders").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let id = first.1["order"]["id"].as_str().unwrap().to_owned();

    let pay_path = format!("/v1/orders/{id}/pay");
    let key = next_key();
    let paid = buyer
        .call("POST", &pay_path, Some(&json!({})), Some(&key))
        .await;
    let repaid = buyer
        .call("POST", &pay_path, Some(&json!({})), Some(&key))
        .await;
    assert_eq!(paid.0, 200);
    assert_eq!(paid, repaid);
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    // A new key is a new request: the order is paid already.
    let (status, problem) = act(&buyer, &id, "pay", json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("illegal_transition"))
    );
    // Same key, different request.
    let (status, problem) = buyer
        .call(
            "POST",
            &format!("/v1/orders/{id}/cancel"),
            Some(&json!({})),
            Some(&key),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );

    ok(&seller, &id, "ship", ship()).await;
    let confirm_path = format!("/v1/orders/{id}/confirm");
    let key = next_key();
    let confirmed = buyer
        .call("POST", &confirm_path, Some(&json!({})), Some(&key))
        .await;
    let reconfirmed = buyer
        .call("POST", &confirm_path, Some(&json!({})), Some(&key))
        .await;
    assert_eq!(confirmed.0, 200);
    assert_eq!(confirmed, reconfirmed);
    assert_eq!(seller.balance(CNY).await, (10_000, 0, 0));

    // A refusal is stored too: retrying a stranger's refused pay gives the same refusal.
    let (other, _) = create(&seller, "10.00").await;
    let key = next_key();
    let path = format!("/v1/orders/{other}/ship");
    let refused = stranger
        .call("POST", &path, Some(&ship()), Some(&key))
        .await;
    assert_eq!(refused.0, 404);
    assert_eq!(
        stranger
            .call("POST", &path, Some(&ship()), Some(&key))
            .await,
        refused
    );

    // Operator retries too.
    let (disputed, _) = create(&seller, "10.00").await;
    ok(&buyer, &disputed, "pay", json!({})).await;
    ok(
        &buyer,
        &disputed,
        "refund-request",
        json!({"amount": "1.00"}),
    )
    .await;
    ok(&seller, &disputed, "refund-reject", json!({})).await;
    let key = next_key();
    let path = format!("/v1/admin/orders/{disputed}/resolve");
    let body = json!({"resolution": "split", "to_seller": "4.00"});
    let first = server
        .operator("POST", &path, Some(&body), Some(&key))
        .await;
    let again = server
        .operator("POST", &path, Some(&body), Some(&key))
        .await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(first, again);
    assert_eq!(seller.balance(CNY).await, (10_400, 0, 0));
    let checked = server.invariants().await;
    // 2 top-ups, hold + post, hold + post.
    assert_eq!(checked["transfers"], 6);
}

fn with_crc(mut text: String) -> String {
    text.truncate(text.len() - 4);
    let crc = crc16(text.as_bytes());
    format!("{text}{crc:04X}")
}

#[tokio::test]
async fn an_order_code_pays_once_and_must_be_genuine_and_fresh() {
    let Shop {
        server,
        seller,
        buyer,
        stranger,
    } = shop().await;
    let (id, code) = create_open(&seller, "100.00").await;
    let parsed = danbao::parse(&code).unwrap();
    let DanbaoCode::Order(order_code) = &parsed.code else {
        panic!("not an order code: {code}");
    };
    assert_eq!(order_code.order_id, id);
    assert_eq!(order_code.merchant_id, "sam");
    assert_eq!(order_code.amount_minor, 10_000);
    let seal = parsed.seal.as_ref().unwrap();
    let (_, view) = seller.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(seal.expires_at as i64, view["pay_by"].as_i64().unwrap());

    // Edited codes: the CRC catches a plain edit, the signature an edit with a fixed CRC.
    let edited = code.replacen("Sam's Tea House", "Sam's Tea Housf", 1);
    assert_ne!(edited, code);
    let (status, problem) = buyer
        .post("/v1/orders/pay-code", &json!({"code": edited}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_code")),
        "{problem}"
    );
    let (status, problem) = buyer
        .post("/v1/orders/pay-code", &json!({"code": with_crc(edited)}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_not_genuine")),
        "{problem}"
    );
    // A code for this order signed by someone else's key.
    let rng = CodeRng::new();
    let forger =
        DanbaoSigner::from_pkcs8("forger", &DanbaoSigner::generate_pkcs8(&rng).unwrap()).unwrap();
    let forged = danbao::issue(
        &DanbaoCode::Order(OrderCode {
            amount_minor: 1,
            ..order_code.clone()
        }),
        &forger,
        Nonce::random(&rng).unwrap(),
        seal.issued_at,
        seal.expires_at,
    )
    .unwrap();
    let (status, problem) = buyer
        .post("/v1/orders/pay-code", &json!({"code": forged}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_not_genuine")),
        "{problem}"
    );
    assert_eq!(state(&seller, &id).await, "awaiting_payment");

    // A payer without the money is refused and the code stays usable.
    let poor = server.sign_up("pat", "Pat").await;
    let (status, problem) = poor
        .post("/v1/orders/pay-code", &json!({"code": code}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insufficient_funds"))
    );

    let (status, paid) = buyer
        .post("/v1/orders/pay-code", &json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["buyer"]["handle"], "bea");
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    assert_eq!(seller.balance(CNY).await, (0, 0, 10_000));
    // Used: refused for anyone, the first payer included.
    for wallet in [&stranger, &buyer] {
        let (status, problem) = wallet
            .post("/v1/orders/pay-code", &json!({"code": code}))
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (409, Some("code_used")),
            "{problem}"
        );
    }

    // Expired: the code ends with the pay window.
    let (status, created) = seller
        .post(
            "/v1/orders",
            &json!({"title": "Quick", "amount": "1.00", "currency": CNY, "pay_window_secs": 60}),
        )
        .await;
    assert_eq!(status, 201);
    let short_code = created["code"].as_str().unwrap().to_owned();
    server.advance_clock(61, &[&buyer, &seller]).await;
    let (status, problem) = buyer
        .post("/v1/orders/pay-code", &json!({"code": short_code}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_expired")),
        "{problem}"
    );
    // A payment code or garbage is not an order code.
    let (status, problem) = buyer
        .post("/v1/orders/pay-code", &json!({"code": "hello"}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_code"))
    );
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    server.invariants().await;
}

#[tokio::test]
async fn orders_list_newest_first_in_keyset_pages() {
    let Shop {
        server,
        seller,
        buyer,
        stranger,
    } = shop().await;
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    for _ in 0..5 {
        let (id, code) = create_open(&seller, "1.00").await;
        ids.push(id);
        codes.push(code);
    }
    // The buyer's list holds what they paid, including an order of another seller (one that
    // names her as its buyer, paid by id).
    let paid = ids[1].clone();
    let (status, answer) = buyer
        .post("/v1/orders/pay-code", &json!({"code": codes[1]}))
        .await;
    assert_eq!(status, 200, "{answer}");
    let (theirs, _) = create(&stranger, "2.00").await;
    ok(&buyer, &theirs, "pay", json!({})).await;

    let mut seen = Vec::new();
    let mut path = "/v1/orders?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = seller.get(&path).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            seen.push((
                item["created_at"].as_i64().unwrap(),
                item["id"].as_str().unwrap().to_owned(),
            ));
            assert_eq!(item["role"], "seller");
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/orders?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    // Newest first by (created_at, id) — ties within a second are broken by id — each once.
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted);
    let mut listed: Vec<_> = seen.into_iter().map(|(_, id)| id).collect();
    listed.sort();
    ids.sort();
    assert_eq!(listed, ids);
    let (_, bought) = buyer.get("/v1/orders").await;
    let items = bought["items"].as_array().unwrap();
    let mut bought: Vec<_> = items
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect();
    bought.sort();
    let mut expected = vec![paid.as_str(), theirs.as_str()];
    expected.sort();
    assert_eq!(bought, expected);
    assert!(items.iter().all(|item| item["role"] == "buyer"));
    let (status, problem) = seller.get("/v1/orders?cursor=nonsense").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("invalid_cursor"))
    );
    let (status, _) = seller.get("/v1/orders?limit=0").await;
    assert_eq!(status, 400);
    server.invariants().await;
}

/// What `POST /v1/codes/resolve` answers `wallet` for `code`.
async fn resolve_code(wallet: &Wallet, code: &str) -> (u16, Value) {
    wallet
        .post("/v1/codes/resolve", &json!({ "code": code }))
        .await
}

#[tokio::test]
async fn an_order_code_resolves_only_while_the_order_waits_for_payment() {
    // Bound, not `..`: the server stops when its handle is dropped.
    let Shop {
        server: _server,
        seller,
        buyer,
        stranger,
    } = shop().await;

    // Waiting for payment: the confirm screen shows the order and its price.
    let (paid_id, paid_code) = create(&seller, "30.00").await;
    let (status, resolved) = resolve_code(&buyer, &paid_code).await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["order_id"], paid_id.as_str());
    assert_eq!(resolved["amount"]["minor"], 3_000);

    // Paid: the same code no longer resolves, for the buyer or anyone else.
    let (status, paid) = buyer
        .post("/v1/orders/pay-code", &json!({"code": paid_code}))
        .await;
    assert_eq!(status, 200, "{paid}");
    for wallet in [&buyer, &stranger] {
        let (status, problem) = resolve_code(wallet, &paid_code).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (409, Some("order_not_payable")),
            "{problem}"
        );
        assert_eq!(
            problem["detail"],
            format!("order {paid_id} is already paid; its code can no longer be paid")
        );
    }

    // Cancelled before payment: refused with the reason, and nothing was held.
    let (cancelled_id, cancelled_code) = create(&seller, "9.00").await;
    ok(&seller, &cancelled_id, "cancel", json!({})).await;
    let (status, problem) = resolve_code(&stranger, &cancelled_code).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("order_not_payable")),
        "{problem}"
    );
    assert_eq!(
        problem["detail"],
        format!("order {cancelled_id} was cancelled; its code can no longer be paid")
    );
    assert_eq!(state(&seller, &cancelled_id).await, "cancelled");
}

#[tokio::test]
async fn an_order_is_paid_by_its_code_or_its_designated_buyer_never_by_id_alone() {
    let Shop {
        server,
        seller,
        buyer,
        stranger,
    } = shop().await;
    let before = stranger.balance(CNY).await;

    // An order that names no buyer: knowing its id (from a link, a log, a screenshot) lets
    // nobody pay or cancel it; the answer is the one for an order that does not exist.
    let (open, open_code) = create_open(&seller, "100.00").await;
    for wallet in [&stranger, &buyer] {
        for action in ["pay", "cancel"] {
            let (status, problem) = act(wallet, &open, action, json!({})).await;
            assert_eq!(
                (status, problem["code"].as_str()),
                (404, Some("unknown_order")),
                "{action} by id: {problem}"
            );
        }
    }
    assert_eq!(state(&seller, &open).await, "awaiting_payment");
    assert_eq!(stranger.balance(CNY).await, before);
    // Its signed code pays it, once, and makes the payer its buyer.
    let (status, paid) = buyer
        .post("/v1/orders/pay-code", &json!({"code": open_code}))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["buyer"]["handle"], "bea");
    // Now paid, the stranger cannot cancel it (which would void the buyer's hold).
    let (status, _) = act(&stranger, &open, "cancel", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(state(&seller, &open).await, "paid");

    // An order for Bea: only she pays it by id, and not even its code makes a stranger its
    // buyer; she (or the seller) may cancel it unpaid, a stranger may not.
    let (named, named_code) = create(&seller, "10.00").await;
    let (status, problem) = act(&stranger, &named, "pay", json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_order"))
    );
    let (status, problem) = stranger
        .post("/v1/orders/pay-code", &json!({"code": named_code}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_order")),
        "{problem}"
    );
    let (status, _) = act(&stranger, &named, "cancel", json!({})).await;
    assert_eq!(status, 404);
    let (_, seen) = buyer.get(&format!("/v1/orders/{named}")).await;
    assert_eq!(seen["buyer"]["handle"], "bea");
    ok(&buyer, &named, "cancel", json!({})).await;
    assert_eq!(state(&seller, &named).await, "cancelled");

    let (named, _) = create(&seller, "10.00").await;
    let paid = ok(&buyer, &named, "pay", json!({})).await;
    assert_eq!(paid["state"], "paid");
    assert_eq!(stranger.balance(CNY).await, before);

    // A designated buyer must exist and must not be the seller.
    for (who, status, code) in [
        ("nobody", 404, "unknown_user"),
        ("sam", 422, "same_account"),
    ] {
        let (got, problem) = seller
            .post(
                "/v1/orders",
                &json!({"title": "Tea", "amount": "1.00", "currency": CNY, "buyer": who}),
            )
            .await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{problem}"
        );
    }
    server.invariants().await;
}
