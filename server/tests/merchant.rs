//! Danbao codes over HTTP: issue, resolve (real payee name, mismatch flag), pay once; tampered,
//! expired, foreign-key, used and wrong-amount codes refused before any money moves.

mod common;

use std::sync::atomic::Ordering;

use common::{Server, Wallet, next_key};
use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{self, DanbaoCode, DanbaoSigner, Nonce, OrderCode, SystemRandom};
use serde_json::{Value, json};

/// Moves the server clock and the wallets' signing clocks forward together.
fn advance(server: &Server, wallets: &[&Wallet], secs: i64) {
    server.app.clock.advance(secs);
    for wallet in wallets {
        wallet.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }
}

/// Replaces `from` by `to` in a code and recomputes the CRC, as an attacker would.
fn tamper(code: &str, from: &str, to: &str) -> String {
    assert!(code.contains(from), "{from:?} not in {code}");
    let edited = code.replacen(from, to, 1);
    let mut body = edited[..edited.len() - 4].to_owned();
    assert!(body.ends_with("6304"));
    let crc = danbao_domain::qr::emv::crc16(body.as_bytes());
    body.push_str(&format!("{crc:04X}"));
    body
}

async fn issue(wallet: &Wallet, body: Value) -> Value {
    let (status, issued) = wallet.post("/v1/codes", &body).await;
    assert_eq!(status, 201, "{issued}");
    issued
}

async fn transfers(server: &Server) -> i64 {
    server.invariants().await["transfers"].as_i64().unwrap()
}

#[tokio::test]
async fn static_merchant_code_pays_an_entered_amount_and_shows_the_real_name() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice Chen").await;
    let bob = server.sign_up("bob", "Bob's Noodles").await;
    server.top_up("alice", "100.00", "CNY").await;

    let issued = issue(&bob, json!({"kind": "merchant"})).await;
    assert_eq!(issued["signed"], false);
    assert_eq!(issued["expires_at"], Value::Null);
    assert_eq!(issued["printed_name"], "Bob's Noodles");
    assert!(issued.get("svg").is_none());
    let code = issued["code"].as_str().unwrap();
    assert!(code.starts_with("000201010211"), "{code}");

    let (status, resolved) = alice
        .post("/v1/codes/resolve", &json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["kind"], "merchant");
    assert_eq!(resolved["payee"]["handle"], "bob");
    assert_eq!(resolved["payee"]["display_name"], "Bob's Noodles");
    assert_eq!(resolved["name_mismatch"], false);
    assert_eq!(resolved["amount"], Value::Null);
    assert_eq!(resolved["currency"], "CNY");

    let (status, problem) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("amount_required"))
    );

    for _ in 0..2 {
        let (status, paid) = alice
            .post(
                "/v1/payments",
                &json!({"code": code, "amount": "12.50", "memo": "noodles"}),
            )
            .await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(paid["kind"], "merchant");
        assert_eq!(paid["payee"]["display_name"], "Bob's Noodles");
        assert_eq!(paid["amount"]["minor"], 1_250);
    }
    assert_eq!(alice.available("CNY").await, 7_500);
    assert_eq!(bob.available("CNY").await, 2_500);
    let (_, activity) = bob.get("/v1/activity?limit=5").await;
    assert_eq!(activity["items"][0]["data"]["type"], "merchant");
    assert_eq!(activity["items"][0]["data"]["counterparty"], "alice");
    assert_eq!(transfers(&server).await, 3);
}

#[tokio::test]
async fn signed_code_with_amount_pays_once_and_retries_return_the_first_answer() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob Shop").await;
    server.top_up("alice", "100.00", "CNY").await;

    let issued = issue(
        &bob,
        json!({"kind": "merchant", "amount": "25.00", "currency": "CNY", "svg": true}),
    )
    .await;
    assert_eq!(issued["signed"], true);
    assert_eq!(issued["amount"]["minor"], 2_500);
    assert!(issued["svg"].as_str().unwrap().contains("<svg"));
    let now = server.app.now();
    let expires_at = issued["expires_at"].as_i64().unwrap();
    assert!(
        (now + 590..=now + 600).contains(&expires_at),
        "{expires_at}"
    );
    let code = issued["code"].as_str().unwrap();

    let (status, resolved) = alice
        .post("/v1/codes/resolve", &json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["amount"]["minor"], 2_500);
    assert_eq!(resolved["signed"], true);
    assert_eq!(resolved["expires_at"], expires_at);
    assert_eq!(resolved["name_mismatch"], false);

    let (status, problem) = alice
        .post("/v1/payments", &json!({"code": code, "amount": "20.00"}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("amount_mismatch")),
        "{problem}"
    );

    let key = next_key();
    let body = json!({"code": code, "amount": "25.00"});
    let (status, paid) = alice
        .call("POST", "/v1/payments", Some(&body), Some(&key))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["balance"]["available"]["minor"], 7_500);
    let (status, again) = alice
        .call("POST", "/v1/payments", Some(&body), Some(&key))
        .await;
    assert_eq!(
        (status, &again),
        (200, &paid),
        "a retry returns the first answer"
    );

    let (status, problem) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("code_used")),
        "{problem}"
    );
    let carol = server.sign_up("carol", "Carol").await;
    server.top_up("carol", "100.00", "CNY").await;
    let (status, problem) = carol.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("code_used")));
    let (status, problem) = carol
        .post("/v1/codes/resolve", &json!({"code": code}))
        .await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("code_used")));

    assert_eq!(alice.available("CNY").await, 7_500);
    assert_eq!(bob.available("CNY").await, 2_500);
    assert_eq!(carol.available("CNY").await, 10_000);
    assert_eq!(transfers(&server).await, 3);
}

#[tokio::test]
async fn tampered_codes_are_refused_before_money_moves() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let _bob = server.sign_up("bob", "Bob Shop").await;
    let _mallo = server.sign_up("mallo", "Mallory").await;
    server.top_up("alice", "100.00", "CNY").await;
    let bob = server.sign_up("bobby", "Bob Shop").await;

    let issued = issue(
        &bob,
        json!({"kind": "merchant", "amount": "10.00", "currency": "CNY"}),
    )
    .await;
    let code = issued["code"].as_str().unwrap();
    let cheaper = tamper(code, "540510.00", "54041.00");
    let redirected = tamper(code, "0105bobby", "0105mallo");
    for forged in [&cheaper, &redirected] {
        let (status, problem) = alice
            .post("/v1/codes/resolve", &json!({"code": forged}))
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("code_signature_invalid")),
            "{problem}"
        );
        let (status, problem) = alice.post("/v1/payments", &json!({"code": forged})).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("code_signature_invalid"))
        );
    }
    // A broken CRC is not even a code.
    let broken = format!("{}0000", &code[..code.len() - 4]);
    let (status, problem) = alice.post("/v1/payments", &json!({"code": broken})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_code")),
        "{problem}"
    );
    // Text that is no EMV payload at all.
    let (status, problem) = alice
        .post("/v1/payments", &json!({"code": "hello", "amount": "1.00"}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_code"))
    );

    assert_eq!(alice.available("CNY").await, 10_000);
    assert_eq!(transfers(&server).await, 1);
    // The genuine code still pays.
    let (status, paid) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["payee"]["handle"], "bobby");
    assert_eq!(transfers(&server).await, 2);
}

#[tokio::test]
async fn an_edited_name_on_a_static_code_is_flagged() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob Li").await;
    let issued = issue(&bob, json!({"kind": "merchant"})).await;
    let forged = tamper(
        issued["code"].as_str().unwrap(),
        "5906Bob Li",
        "5909Starbucks",
    );
    let (status, resolved) = alice
        .post("/v1/codes/resolve", &json!({"code": forged}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["printed_name"], "Starbucks");
    assert_eq!(resolved["payee"]["display_name"], "Bob Li");
    assert_eq!(resolved["name_mismatch"], true);

    // A display name longer than EMV's 25 characters is printed cut, which is no mismatch.
    let long = server
        .sign_up("longname", "The Very Long Noodle House of Chengdu")
        .await;
    let issued = issue(&long, json!({"kind": "merchant"})).await;
    assert_eq!(issued["printed_name"], "The Very Long Noodle Hous");
    let (_, resolved) = alice
        .post("/v1/codes/resolve", &json!({"code": issued["code"]}))
        .await;
    assert_eq!(resolved["name_mismatch"], false);
    assert_eq!(
        resolved["payee"]["display_name"],
        "The Very Long Noodle House of Chengdu"
    );
    server.invariants().await;
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "100.00", "CNY").await;
    let issued = issue(
        &bob,
        json!({"kind": "merchant", "amount": "5.00", "currency": "CNY", "expires_in_secs": 60}),
    )
    .await;
    advance(&server, &[&alice, &bob], 61);
    let (status, problem) = alice
        .post("/v1/codes/resolve", &json!({"code": issued["code"]}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_expired")),
        "{problem}"
    );
    let (status, problem) = alice
        .post("/v1/payments", &json!({"code": issued["code"]}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_expired"))
    );
    let (status, problem) = bob
        .post(
            "/v1/codes",
            &json!({"kind": "merchant", "amount": "5.00", "expires_in_secs": 10}),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_expiry"))
    );
    assert_eq!(alice.available("CNY").await, 10_000);
    assert_eq!(transfers(&server).await, 1);
}

#[tokio::test]
async fn foreign_keys_unknown_payees_and_order_codes_are_refused() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.sign_up("bob", "Bob").await;
    server.top_up("alice", "100.00", "CNY").await;
    let rng = SystemRandom::new();
    let now = server.app.now() as u64;
    let order = DanbaoCode::Order(OrderCode {
        merchant_id: "bob".into(),
        order_id: "ord_1".into(),
        merchant_name: "Bob".into(),
        merchant_city: "Online".into(),
        country: "CN".into(),
        mcc: "5999".into(),
        currency: Currency::from_code("CNY").unwrap(),
        amount_minor: 500,
    });
    let stranger =
        DanbaoSigner::from_pkcs8("stranger", &DanbaoSigner::generate_pkcs8(&rng).unwrap()).unwrap();
    let foreign = danbao::issue(
        &order,
        &stranger,
        Nonce::random(&rng).unwrap(),
        now,
        now + 600,
    )
    .unwrap();
    let (status, problem) = alice.post("/v1/payments", &json!({"code": foreign})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_unknown_key")),
        "{problem}"
    );

    let ours = danbao::issue(
        &order,
        &server.app.code_signer,
        Nonce::random(&rng).unwrap(),
        now,
        now + 600,
    )
    .unwrap();
    let (status, resolved) = alice
        .post("/v1/codes/resolve", &json!({"code": ours}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["kind"], "order");
    assert_eq!(resolved["order_id"], "ord_1");
    let (status, problem) = alice.post("/v1/payments", &json!({"code": ours})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("order_code")),
        "{problem}"
    );

    let DanbaoCode::Order(mut ghost) = order else {
        unreachable!()
    };
    ghost.merchant_id = "ghost".into();
    let ghost = danbao::encode_unsigned(&DanbaoCode::Merchant(danbao::MerchantCode {
        merchant_id: ghost.merchant_id,
        merchant_name: "Ghost".into(),
        merchant_city: "Online".into(),
        country: "CN".into(),
        mcc: "5999".into(),
        currency: ghost.currency,
        amount_minor: None,
    }))
    .unwrap();
    let (status, problem) = alice
        .post("/v1/payments", &json!({"code": ghost, "amount": "1.00"}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_payee"))
    );
    assert_eq!(alice.available("CNY").await, 10_000);
    assert_eq!(transfers(&server).await, 1);
}

#[tokio::test]
async fn receive_codes_pay_friends_and_a_failed_payment_leaves_the_code_usable() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    server.top_up("alice", "5.00", "CNY").await;

    let open = issue(&bob, json!({"kind": "receive"})).await;
    assert_eq!(open["kind"], "receive");
    assert_eq!(open["signed"], false);
    let (status, paid) = alice
        .post(
            "/v1/payments",
            &json!({"code": open["code"], "amount": "3.00"}),
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["kind"], "p2p");

    let fixed = issue(
        &bob,
        json!({"kind": "receive", "amount": "8.00", "currency": "CNY"}),
    )
    .await;
    assert_eq!(fixed["signed"], true);
    let (status, problem) = alice
        .post("/v1/payments", &json!({"code": fixed["code"]}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insufficient_funds"))
    );
    server.top_up("alice", "10.00", "CNY").await;
    let (status, paid) = alice
        .post("/v1/payments", &json!({"code": fixed["code"]}))
        .await;
    assert_eq!(
        status, 200,
        "the refused attempt did not use up the code: {paid}"
    );
    assert_eq!(alice.available("CNY").await, 400);
    assert_eq!(bob.available("CNY").await, 1_100);

    let (status, problem) = bob
        .post(
            "/v1/payments",
            &json!({"code": open["code"], "amount": "1.00"}),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("same_account"))
    );
    let (status, problem) = bob
        .post("/v1/codes", &json!({"kind": "receive", "mcc": "5812"}))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_code_request"))
    );
    let (status, problem) = bob.post("/v1/codes", &json!({"kind": "gift"})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("invalid_body"))
    );
    assert_eq!(transfers(&server).await, 4);
}

#[tokio::test]
async fn two_payers_racing_on_one_signed_code_pay_it_once() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let carol = server.sign_up("carol", "Carol").await;
    let bob = server.sign_up("bob", "Bob Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    server.top_up("carol", "100.00", "CNY").await;
    for _ in 0..5 {
        let issued = issue(
            &bob,
            json!({"kind": "merchant", "amount": "1.00", "currency": "CNY"}),
        )
        .await;
        let body = json!({"code": issued["code"]});
        let (a, c) = tokio::join!(
            alice.post("/v1/payments", &body),
            carol.post("/v1/payments", &body)
        );
        let mut statuses = [a.0, c.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", a.1, c.1);
    }
    assert_eq!(
        alice.available("CNY").await + carol.available("CNY").await,
        19_500
    );
    assert_eq!(bob.available("CNY").await, 500);
    assert_eq!(transfers(&server).await, 7);
}

#[tokio::test]
async fn a_paid_signed_code_is_remembered_until_it_expires_and_then_refused_for_its_age() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    let issued = issue(
        &bob,
        json!({"kind": "merchant", "amount": "25.00", "currency": "CNY"}),
    )
    .await;
    let code = issued["code"].as_str().unwrap();
    let (status, paid) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(status, 200, "{paid}");

    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!(purged.code_nonces, 0);
    let (status, problem) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("code_used")));

    // Expired (10 minutes), the code is refused for its age; its nonce stays for the clock
    // margin of 5 minutes more, then goes. No money moves.
    server.advance_clock(600 + 290, &[&alice, &bob]).await;
    let (status, problem) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_expired")),
        "{problem}"
    );
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!(purged.code_nonces, 0, "within the margin");
    server.advance_clock(12, &[&alice, &bob]).await;
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!(purged.code_nonces, 1);
    let (status, problem) = alice.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("code_expired")),
        "{problem}"
    );
    assert_eq!(alice.available("CNY").await, 7_500);
    assert_eq!(bob.available("CNY").await, 2_500);
    assert_eq!(transfers(&server).await, 2);
}
