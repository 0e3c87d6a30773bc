//! Order deadlines delivered by the timer loop: pay-window expiry, auto-confirm, unanswered
//! refund requests (dispute or auto-accept), nothing before its time, and deadlines that
//! survive a restart and fire exactly once.

mod common;

use std::time::Duration;

use common::{Server, Wallet};
use danbao_server::service::orders;
use serde_json::{Value, json};

const CNY: &str = "CNY";

async fn create(seller: &Wallet, body: Value) -> String {
    let (status, created) = seller.post("/v1/orders", &body).await;
    assert_eq!(status, 201, "{created}");
    created["order"]["id"].as_str().unwrap().to_owned()
}

async fn ok(wallet: &Wallet, id: &str, action: &str, body: Value) -> Value {
    let (status, view) = wallet
        .post(&format!("/v1/orders/{id}/{action}"), &body)
        .await;
    assert_eq!(status, 200, "{action}: {view}");
    view
}

async fn view(wallet: &Wallet, id: &str) -> Value {
    let (status, view) = wallet.get(&format!("/v1/orders/{id}")).await;
    assert_eq!(status, 200, "{view}");
    view
}

/// Polls until the order reaches `state` (the loop ticks every 50 ms in tests); at most 10 s.
async fn wait_for(wallet: &Wallet, id: &str, state: &str) -> Value {
    for _ in 0..200 {
        let current = view(wallet, id).await;
        if current["state"] == state {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "order {id} did not reach {state} within 10 s: {}",
        view(wallet, id).await
    );
}

/// The "order" feed events of `wallet` for order `id`, by event name.
async fn order_events(wallet: &Wallet, id: &str) -> Vec<String> {
    let (status, page) = wallet.get("/v1/events?limit=200").await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "order" && e["data"]["order"]["id"] == id)
        .map(|e| e["data"]["event"].as_str().unwrap().to_owned())
        .collect()
}

async fn parties(server: &Server) -> (Wallet, Wallet) {
    let seller = server.sign_up("sam", "Sam").await;
    let buyer = server.sign_up("bea", "Bea").await;
    server.top_up("bea", "1000.00", CNY).await;
    (seller, buyer)
}

/// Lets the loop run a few ticks.
async fn a_few_ticks() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn an_unpaid_order_is_cancelled_when_its_pay_window_passes() {
    let server = Server::start().await;
    let (seller, buyer) = parties(&server).await;
    let id = create(
        &seller,
        json!({"title": "Tea", "amount": "10.00", "currency": CNY, "buyer": "bea", "pay_window_secs": 120}),
    )
    .await;
    let due = view(&seller, &id).await["pay_by"].as_i64().unwrap();
    // 10 s short of the deadline: margin for the wall clock ticking during the test.
    server.advance_clock(110, &[&seller, &buyer]).await;
    a_few_ticks().await;
    assert_eq!(view(&seller, &id).await["state"], "awaiting_payment");

    server.advance_clock(10, &[&seller, &buyer]).await;
    let cancelled = wait_for(&seller, &id, "cancelled").await;
    assert!(cancelled["updated_at"].as_i64().unwrap() >= due);
    assert!(cancelled["next_deadline"].is_null());
    a_few_ticks().await;
    assert_eq!(order_events(&seller, &id).await, ["create", "pay deadline"]);
    let (status, problem) = buyer
        .post(&format!("/v1/orders/{id}/pay"), &json!({}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("illegal_transition"))
    );
    assert_eq!(buyer.balance(CNY).await, (100_000, 0, 0));
    server.invariants().await;
}

#[tokio::test]
async fn a_shipped_order_completes_by_itself_and_pays_the_seller_once() {
    let server = Server::start().await;
    let (seller, buyer) = parties(&server).await;
    let id = create(
        &seller,
        json!({"title": "Tea", "amount": "100.00", "currency": CNY, "buyer": "bea", "auto_confirm_secs": 3600}),
    )
    .await;
    ok(&buyer, &id, "pay", json!({})).await;
    let shipped = ok(
        &seller,
        &id,
        "ship",
        json!({"carrier": "SF", "tracking": "SF1"}),
    )
    .await;
    assert_eq!(
        shipped["auto_confirm_at"].as_i64().unwrap(),
        shipped["updated_at"].as_i64().unwrap() + 3600
    );
    server.advance_clock(3590, &[&seller, &buyer]).await;
    a_few_ticks().await;
    assert_eq!(view(&seller, &id).await["state"], "shipped");
    assert_eq!(seller.balance(CNY).await, (0, 0, 10_000));

    server.advance_clock(10, &[&seller, &buyer]).await;
    let done = wait_for(&buyer, &id, "completed").await;
    assert_eq!(done["released"]["minor"], 10_000);
    a_few_ticks().await;
    assert_eq!(seller.balance(CNY).await, (10_000, 0, 0));
    assert_eq!(buyer.balance(CNY).await, (90_000, 0, 0));
    assert_eq!(
        order_events(&seller, &id).await,
        ["create", "pay", "ship", "auto-confirm deadline"]
    );
    // The buyer can no longer confirm or ask for a refund.
    let (status, _) = buyer
        .post(&format!("/v1/orders/{id}/confirm"), &json!({}))
        .await;
    assert_eq!(status, 409);
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 3, "top-up, hold, post: {checked}");
}

#[tokio::test]
async fn an_unanswered_refund_request_opens_a_dispute() {
    let server = Server::start().await;
    let (seller, buyer) = parties(&server).await;
    let id = create(
        &seller,
        json!({"title": "Tea", "amount": "100.00", "currency": CNY, "buyer": "bea"}),
    )
    .await;
    ok(&buyer, &id, "pay", json!({})).await;
    let asked = ok(&buyer, &id, "refund-request", json!({"amount": "30.00"})).await;
    let answer_by = asked["refund_request"]["answer_by"].as_i64().unwrap();
    assert_eq!(
        answer_by,
        asked["updated_at"].as_i64().unwrap() + 3 * 24 * 3600
    );
    server
        .advance_clock(3 * 24 * 3600, &[&seller, &buyer])
        .await;
    let disputed = wait_for(&seller, &id, "disputed").await;
    assert!(disputed["next_deadline"].is_null());
    // Still held: only the operator moves it now.
    assert_eq!(buyer.balance(CNY).await, (90_000, 10_000, 0));
    let (status, _) = seller
        .post(&format!("/v1/orders/{id}/refund-accept"), &json!({}))
        .await;
    assert_eq!(status, 409);
    server.invariants().await;
}

#[tokio::test]
async fn an_unanswered_refund_request_is_accepted_when_so_configured() {
    let server = Server::start_with(|config| config.auto_accept_refunds = true).await;
    let (seller, buyer) = parties(&server).await;
    let id = create(
        &seller,
        json!({"title": "Tea", "amount": "100.00", "currency": CNY, "buyer": "bea"}),
    )
    .await;
    ok(&buyer, &id, "pay", json!({})).await;
    ok(
        &seller,
        &id,
        "ship",
        json!({"carrier": "SF", "tracking": "SF1"}),
    )
    .await;
    ok(&buyer, &id, "refund-request", json!({"amount": "30.00"})).await;
    server
        .advance_clock(3 * 24 * 3600, &[&seller, &buyer])
        .await;
    let refunded = wait_for(&seller, &id, "refunded").await;
    assert_eq!(refunded["refunded"]["minor"], 3_000);
    assert_eq!(refunded["released"]["minor"], 7_000);
    assert_eq!(buyer.balance(CNY).await, (93_000, 0, 0));
    assert_eq!(seller.balance(CNY).await, (7_000, 0, 0));
    server.invariants().await;
}

#[tokio::test]
async fn deadlines_survive_a_restart_and_fire_exactly_once() {
    let server = Server::start().await;
    let (seller, buyer) = parties(&server).await;
    let shipped = create(
        &seller,
        json!({"title": "Tea", "amount": "100.00", "currency": CNY, "buyer": "bea", "auto_confirm_secs": 3600}),
    )
    .await;
    ok(&buyer, &shipped, "pay", json!({})).await;
    ok(
        &seller,
        &shipped,
        "ship",
        json!({"carrier": "SF", "tracking": "SF1"}),
    )
    .await;
    let unpaid = create(
        &seller,
        json!({"title": "Cup", "amount": "5.00", "currency": CNY, "buyer": "bea", "pay_window_secs": 600}),
    )
    .await;
    let (seller_id, buyer_id) = (seller.user_id, buyer.user_id);
    let dir = server.stop().await;

    // A new server on the same database file, with a fresh clock.
    let server = Server::start_in(dir, |_| {}).await;
    let (seller, buyer) = (
        server_wallet(&server, seller, seller_id),
        server_wallet(&server, buyer, buyer_id),
    );
    assert_eq!(view(&seller, &shipped).await["state"], "shipped");
    assert_eq!(view(&seller, &unpaid).await["state"], "awaiting_payment");
    assert_eq!(seller.balance(CNY).await, (0, 0, 10_000));

    server.advance_clock(3600, &[&seller, &buyer]).await;
    wait_for(&seller, &shipped, "completed").await;
    wait_for(&seller, &unpaid, "cancelled").await;
    // Many more ticks, and more time: nothing fires again.
    server
        .advance_clock(30 * 24 * 3600, &[&seller, &buyer])
        .await;
    a_few_ticks().await;
    assert_eq!(seller.balance(CNY).await, (10_000, 0, 0));
    assert_eq!(buyer.balance(CNY).await, (90_000, 0, 0));
    assert_eq!(
        order_events(&seller, &shipped).await,
        ["create", "pay", "ship", "auto-confirm deadline"]
    );
    assert_eq!(
        order_events(&seller, &unpaid).await,
        ["create", "pay deadline"]
    );
    let checked = server.invariants().await;
    assert_eq!(checked["transfers"], 3, "top-up, hold, one post: {checked}");

    // A timer pass run by hand finds nothing due.
    let fired = danbao_server::timers::fire(&server.app).await.unwrap();
    assert_eq!((fired.due, fired.fired), (0, 0));
}

/// Pays and ships an order that completes by itself an hour after shipping.
async fn shipped_order(seller: &Wallet, buyer: &Wallet, title: &str) -> String {
    let id = create(
        seller,
        json!({"title": title, "amount": "10.00", "currency": CNY, "buyer": "bea", "auto_confirm_secs": 3600}),
    )
    .await;
    ok(buyer, &id, "pay", json!({})).await;
    ok(
        seller,
        &id,
        "ship",
        json!({"carrier": "SF", "tracking": title}),
    )
    .await;
    id
}

/// Takes an order's hold away behind the API's back, or puts it back, touching nothing else
/// (not the timer's schedule), so that delivering its auto-confirm deadline fails without
/// touching the ledger. Returns the hold that was there.
fn set_hold(server: &Server, id: &str, hold: Option<Vec<u8>>) -> Option<Vec<u8>> {
    use common::{Db, Param};
    let db = Db::open(server);
    let id = Param::Text(id.to_owned());
    let before = match db.row(
        "SELECT coalesce(hold_id, x'') FROM orders WHERE id = ?1",
        std::slice::from_ref(&id),
    )[0]
    .clone()
    {
        Param::Bytes(bytes) if !bytes.is_empty() => Some(bytes),
        _ => None,
    };
    let changed = match hold {
        Some(hold) => db.execute(
            "UPDATE orders SET hold_id = ?2 WHERE id = ?1",
            &[id, Param::Bytes(hold)],
        ),
        None => db.execute("UPDATE orders SET hold_id = NULL WHERE id = ?1", &[id]),
    };
    assert_eq!(changed, 1);
    before
}

/// When the timer next looks at an order (its stored schedule).
fn scheduled(server: &Server, id: &str) -> Option<i64> {
    let at = common::Db::open(server).int(
        "SELECT coalesce(next_deadline, -1) FROM orders WHERE id = ?1",
        &[common::Param::Text(id.to_owned())],
    );
    (at >= 0).then_some(at)
}

#[tokio::test]
async fn a_deadline_that_cannot_be_delivered_is_retried_later_and_holds_up_no_other_order() {
    // Two orders per write job, and no background ticks: the test runs each pass itself.
    let server = Server::start_with(|config| {
        config.timer_batch = 2;
        config.timer_interval_ms = 24 * 3600 * 1000;
    })
    .await;
    let (seller, buyer) = parties(&server).await;
    let broken = [
        shipped_order(&seller, &buyer, "Broken one").await,
        shipped_order(&seller, &buyer, "Broken two").await,
    ];
    // Shipped later, so the broken orders come first in the timer's queue and fill its batch.
    server.advance_clock(10, &[&seller, &buyer]).await;
    let healthy = shipped_order(&seller, &buyer, "Healthy").await;
    let mut holds = Vec::new();
    for id in &broken {
        holds.push(set_hold(&server, id, None).expect("a paid order has a hold"));
    }

    server.advance_clock(3600, &[&seller, &buyer]).await;
    let started = server.app.now();
    let pass = danbao_server::timers::fire(&server.app).await.unwrap();
    let ended = server.app.now();
    assert_eq!((pass.due, pass.fired, pass.deferred), (3, 1, 2), "{pass:?}");
    assert_eq!(view(&seller, &healthy).await["state"], "completed");
    let retry = started + orders::DEADLINE_RETRY_SECS..=ended + orders::DEADLINE_RETRY_SECS;
    for id in &broken {
        let order = view(&seller, id).await;
        assert_eq!(order["state"], "shipped", "{order}");
        let at = scheduled(&server, id).expect("rescheduled");
        assert!(retry.contains(&at), "{at} not in {retry:?}");
    }
    assert_eq!(seller.balance(CNY).await, (1_000, 0, 2_000));

    // Mended at once, the broken orders still wait for their retry time: nothing is due.
    for (id, hold) in broken.iter().zip(holds) {
        set_hold(&server, id, Some(hold));
    }
    let pass = danbao_server::timers::fire(&server.app).await.unwrap();
    assert_eq!((pass.due, pass.fired), (0, 0), "{pass:?}");
    assert_eq!(seller.balance(CNY).await, (1_000, 0, 2_000));

    // At the retry they complete, each paying the seller once.
    server
        .advance_clock(orders::DEADLINE_RETRY_SECS, &[&seller, &buyer])
        .await;
    let pass = danbao_server::timers::fire(&server.app).await.unwrap();
    assert_eq!((pass.due, pass.fired, pass.deferred), (2, 2, 0), "{pass:?}");
    for id in &broken {
        let order = view(&seller, id).await;
        assert_eq!(order["state"], "completed", "{order}");
        assert_eq!(order["released"]["minor"], 1_000, "{order}");
        assert_eq!(scheduled(&server, id), None);
    }
    assert_eq!(seller.balance(CNY).await, (3_000, 0, 0));
    assert_eq!(buyer.balance(CNY).await, (97_000, 0, 0));
    let checked = server.invariants().await;
    assert_eq!(
        checked["transfers"], 7,
        "top-up, three holds, three posts: {checked}"
    );
}

/// The same device key, now talking to the restarted server.
fn server_wallet(server: &Server, wallet: Wallet, user_id: i64) -> Wallet {
    assert_eq!(wallet.user_id, user_id);
    wallet
        .clock_offset
        .store(0, std::sync::atomic::Ordering::Relaxed);
    Wallet {
        url: server.url.clone(),
        http: server.http.clone(),
        ..wallet
    }
}
