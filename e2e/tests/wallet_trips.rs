//! What one payment costs in round trips (issue 11 point 8, client side): the buyer's network
//! is a gate that logs every request line it forwards, so each assertion names the requests
//! a flow made, in order.
//!
//! Before: `scan` resolved the code; `pay` decoded and resolved it again, sent the payment,
//! and then read the balances (`GET /v1/balances`): four requests for scan + pay, three for
//! a payment without a scan, two for a send. Now `pay` reuses the scan's decoded code and the
//! server's acceptance of it, and the payment's answer carries the payer's new balance,
//! which is cached as it is (read again only when an answer has none: an order's answer from
//! a server that does not yet give it).

mod wallet_common;

use danbao_client::wallet::Change;
use wallet_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_payment_is_one_request_after_its_scan() {
    let server = Server::start().await;
    let gate = Gate::new(&server).await;
    let buyer = Phone::signed_up(&gate.url(), "buyer", "Bea Buyer", true).await;
    let seller = Phone::signed_up(&server.url, "seller", "Lotus Tea House", true).await;
    let _friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    server.top_up("buyer", "100.00").await;
    assert_line(&buyer.synced_cny().await, 10_000, 0, 0, "topped up");
    buyer.changes.take();

    // Scan, then pay: the scan's one resolve, then the payment alone.
    let checkout = seller
        .w()
        .merchant_code(Some("12.30"), "CNY")
        .await
        .unwrap();
    gate.take_requests();
    let screen = buyer.w().scan(&checkout.text).await.unwrap();
    assert!(screen.payable, "{screen:?}");
    assert_eq!(gate.take_requests(), vec!["POST /v1/codes/resolve"]);
    let paid = done(buyer.w().pay(&checkout.text, None).await, "pay after scan");
    assert!(paid.message.contains("CN¥12.30"), "{paid:?}");
    assert_eq!(gate.take_requests(), vec!["POST /v1/payments"]);
    // The cached balance is the one the answer carried, and it is the server's.
    assert_line(&buyer.cny(), 8_770, 0, 0, "paid 12.30 after a scan");
    assert_eq!(server_cny(&buyer_api).await, (8_770, 0, 0));
    assert!(
        buyer.changes.take().contains(&Change::Balances),
        "the balance change is told"
    );

    // A scan serves one payment: paying the same code again asks the server again.
    let again = buyer.w().pay(&checkout.text, None).await;
    assert!(again.is_err(), "a signed code pays once: {again:?}");
    assert_eq!(gate.take_requests(), vec!["POST /v1/codes/resolve"]);

    // Pay without a scan: the resolve before queuing, then the payment; no balances read.
    let sticker = seller.w().merchant_code(None, "CNY").await.unwrap();
    gate.take_requests();
    done(
        buyer.w().pay(&sticker.text, Some("5.00")).await,
        "pay without scan",
    );
    assert_eq!(
        gate.take_requests(),
        vec!["POST /v1/codes/resolve", "POST /v1/payments"]
    );
    assert_line(&buyer.cny(), 8_270, 0, 0, "paid 5.00 by sticker");

    // A send: the transfer alone.
    done(buyer.w().send("friend", "2.00", "CNY", "").await, "send");
    assert_eq!(gate.take_requests(), vec!["POST /v1/transfers"]);
    assert_line(&buyer.cny(), 8_070, 0, 0, "sent 2.00");
    assert_eq!(server_cny(&buyer_api).await, (8_070, 0, 0));

    // An order paid into escrow: a server that puts the buyer's balance in the order's answer
    // (`OrderView.balance`) saves the balances read; an older one does not, and the balances
    // are read once, as before.
    let order = seller
        .w()
        .create_order("Teapot", "30.00", "CNY")
        .await
        .unwrap();
    gate.take_requests();
    done(buyer.w().pay(&order.code.text, None).await, "pay order");
    let answer: serde_json::Value =
        serde_json::from_str(&buyer.newest_answer().expect("the order's answer")).unwrap();
    assert_eq!(answer["state"], "paid", "{answer}");
    let mut expected = vec!["POST /v1/codes/resolve", "POST /v1/orders/pay-code"];
    if answer.get("balance").is_none() {
        expected.push("GET /v1/balances");
    }
    assert_eq!(gate.take_requests(), expected);
    assert_line(&buyer.cny(), 5_070, 3_000, 0, "paid into escrow");
    assert_eq!(server_cny(&buyer_api).await, (5_070, 3_000, 0));
    server.assert_invariants().await;
}
