//! Platform fees on merchant payments (issue 15): a buyer paying a scanned merchant code and a
//! till charging a customer's payment code carry the merchant's fee (its own schedule, else its
//! category's, as on escrow releases), moved from the merchant's wallet to the platform's
//! revenue account in the payment's transaction; a retried request charges it once; friends'
//! payments never carry one; the ledger's invariants hold.

mod common;

use common::{Server, Wallet, next_key};
use danbao_domain::money::Currency;
use danbao_server::store::{AccountKind, Store};
use serde_json::{Value, json};

const CNY: &str = "CNY";

async fn set_fee(server: &Server, body: Value) {
    let (status, stored) = server
        .operator("POST", "/v1/admin/fees", Some(&body), None)
        .await;
    assert_eq!(status, 200, "{stored}");
}

async fn revenue(server: &Server) -> i64 {
    let cny = Currency::from_code(CNY).unwrap();
    let account = server
        .app
        .store
        .read(move |tx| tx.find_account(None, AccountKind::Revenue, cny))
        .await
        .unwrap();
    account.map_or(0, |a| a.balances.credits_posted - a.balances.debits_posted)
}

async fn issue(wallet: &Wallet, body: Value) -> String {
    let (status, issued) = wallet.post("/v1/codes", &body).await;
    assert_eq!(status, 201, "{issued}");
    issued["code"].as_str().unwrap().to_owned()
}

/// The newest payment row (type `kind`) in `wallet`'s activity.
async fn newest(wallet: &Wallet, kind: &str) -> Value {
    wallet
        .all_activity()
        .await
        .into_iter()
        .map(|item| item["data"].clone())
        .find(|data| data["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} row"))
}

async fn transfers(server: &Server) -> i64 {
    server.invariants().await["transfers"].as_i64().unwrap()
}

#[tokio::test]
async fn a_scanned_merchant_code_pays_the_fee_once_even_when_retried() {
    let server = Server::start().await;
    let shop = server.sign_up_merchant("teashop", "Tea Shop").await;
    let bea = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "500.00", CNY).await;
    // 1 % + 0.30, at least 0.50, at most 20.00.
    set_fee(
        &server,
        json!({"merchant": "teashop", "currency": CNY, "basis_points": 100,
               "fixed_minor": 30, "min_minor": 50, "max_minor": 2000}),
    )
    .await;
    let code = issue(
        &shop,
        json!({"kind": "merchant", "amount": "88.00", "currency": CNY}),
    )
    .await;
    let before = transfers(&server).await;
    let key = next_key();
    let body = json!({"code": code, "memo": "tea"});
    let (status, paid) = bea
        .call("POST", "/v1/payments", Some(&body), Some(&key))
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["kind"], "merchant");
    // The buyer pays the price, no more: the fee is the merchant's.
    assert_eq!(paid["balance"]["available"]["minor"], 50_000 - 8_800);
    // 88.00 → 0.88 + 0.30 = 1.18 to the platform, 86.82 kept.
    assert_eq!(revenue(&server).await, 118);
    assert_eq!(shop.available(CNY).await, 8_682);
    // The payment and its fee: two transfers.
    assert_eq!(transfers(&server).await, before + 2);

    // The same request again (a retried job) answers the same and charges nothing more.
    let (status, again) = bea
        .call("POST", "/v1/payments", Some(&body), Some(&key))
        .await;
    assert_eq!((status, &again), (200, &paid));
    assert_eq!(revenue(&server).await, 118);
    assert_eq!(shop.available(CNY).await, 8_682);
    assert_eq!(transfers(&server).await, before + 2);

    // The merchant's row says the fee and the net; the buyer's does not.
    let row = newest(&shop, "merchant").await;
    assert_eq!(row["direction"], "in");
    assert_eq!(row["amount"]["minor"], 8_800);
    assert_eq!(row["platform_fee"]["minor"], 118);
    assert_eq!(row["net_to_payee"]["minor"], 8_682);
    assert_eq!(row["transfer_id"], paid["transfer_id"]);
    let row = newest(&bea, "merchant").await;
    assert_eq!(row["direction"], "out");
    assert!(row.get("platform_fee").is_none(), "{row}");
    assert!(row.get("net_to_payee").is_none(), "{row}");
    server.invariants().await;
}

#[tokio::test]
async fn a_till_charging_a_payment_code_pays_the_category_fee() {
    let server = Server::start().await;
    let till = server.sign_up("corner", "Corner Store").await;
    server
        .merchant("corner", json!({"action": "enrol", "category": "5411"}))
        .await;
    let bea = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "500.00", CNY).await;
    // 0.6 %, at least 0.10: by category.
    set_fee(
        &server,
        json!({"category": "5411", "currency": CNY, "basis_points": 60,
               "fixed_minor": 0, "min_minor": 10, "max_minor": null}),
    )
    .await;
    let (status, provisioned) = bea.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{provisioned}");
    let generator = common::paycode_generator(&provisioned);
    let digits = generator.generate(server.app.now() as u64).unwrap().digits;
    let (status, charged) = till
        .post(
            "/v1/merchant/charges",
            &json!({"payment_code": digits, "amount": "250.00", "currency": CNY}),
        )
        .await;
    assert_eq!(status, 200, "{charged}");
    // 250.00 × 0.6 % = 1.50.
    assert_eq!(charged["amount"]["minor"], 25_000);
    assert_eq!(charged["platform_fee"]["minor"], 150);
    assert_eq!(charged["net_to_payee"]["minor"], 24_850);
    assert_eq!(charged["balance"]["available"]["minor"], 24_850);
    assert_eq!(revenue(&server).await, 150);
    assert_eq!(bea.available(CNY).await, 50_000 - 25_000);
    let row = newest(&till, "paycode").await;
    assert_eq!(row["platform_fee"]["minor"], 150);
    assert_eq!(row["net_to_payee"]["minor"], 24_850);
    server.invariants().await;
}

#[tokio::test]
async fn friends_never_pay_a_fee() {
    let server = Server::start().await;
    // Even a merchant with a schedule receives a friend's money whole.
    let shop = server.sign_up_merchant("teashop", "Tea Shop").await;
    let bea = server.sign_up("bea", "Bea Wang").await;
    let cai = server.sign_up("cai", "Cai Li").await;
    server.top_up("bea", "500.00", CNY).await;
    set_fee(
        &server,
        json!({"merchant": "teashop", "currency": CNY, "basis_points": 500,
               "fixed_minor": 100, "min_minor": null, "max_minor": null}),
    )
    .await;
    // A transfer by handle to the merchant and to a friend.
    for (to, amount) in [("teashop", 1_000), ("cai", 2_000)] {
        let (status, sent) = bea
            .post(
                "/v1/transfers",
                &json!({"to": to, "amount": common::decimal(amount), "currency": CNY}),
            )
            .await;
        assert_eq!(status, 200, "{sent}");
    }
    // A friend's receive code.
    let code = issue(
        &cai,
        json!({"kind": "receive", "amount": "3.00", "currency": CNY}),
    )
    .await;
    let (status, paid) = bea.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["kind"], "p2p");
    // The merchant's own receive code: a friend's payment too.
    let code = issue(
        &shop,
        json!({"kind": "receive", "amount": "4.00", "currency": CNY}),
    )
    .await;
    let (status, paid) = bea.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(revenue(&server).await, 0);
    assert_eq!(shop.available(CNY).await, 1_400);
    assert_eq!(cai.available(CNY).await, 2_300);
    for row in shop.all_activity().await {
        assert!(row["data"].get("platform_fee").is_none(), "{row}");
    }
    server.invariants().await;
}

#[tokio::test]
async fn a_merchant_without_a_schedule_is_paid_whole_and_the_payment_is_still_settled() {
    let server = Server::start().await;
    let shop = server.sign_up_merchant("teashop", "Tea Shop").await;
    let bea = server.sign_up("bea", "Bea Wang").await;
    server.top_up("bea", "50.00", CNY).await;
    let code = issue(
        &shop,
        json!({"kind": "merchant", "amount": "12.00", "currency": CNY}),
    )
    .await;
    let (status, paid) = bea.post("/v1/payments", &json!({"code": code})).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(shop.available(CNY).await, 1_200);
    assert_eq!(revenue(&server).await, 0);
    for row in shop.all_activity().await {
        assert!(row["data"].get("platform_fee").is_none(), "{row}");
    }
    // Settled with no fee, so the merchant's settlement report lists it.
    let merchant_id = shop.user_id;
    let settled = server
        .app
        .store
        .read(move |tx| {
            tx.payment_settlements_between(merchant_id, 0, i64::MAX)
                .map_err(danbao_server::service::ServiceError::from)
        })
        .await
        .unwrap();
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(
        (
            settled[0].transfer_id.as_str(),
            settled[0].gross,
            settled[0].fee,
            settled[0].net
        ),
        (paid["transfer_id"].as_str().unwrap(), 1_200, 0, 1_200)
    );
    server.invariants().await;
}
