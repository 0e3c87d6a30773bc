//! The confirm screens against a real server (issue 12 point 2): a verified merchant's badge,
//! the warning for an unverified look-alike of it, and the first-payment warning that is shown
//! until the wallet paid the payee once, for scanned codes and for sending by handle.

mod wallet_common;

use danbao_client::ScanKind;
use danbao_client::api::{MerchantChange, OperatorApi};
use wallet_common::{Phone, Server};

async fn verify(server: &Server, handle: &str, name: &str) {
    let operator: OperatorApi = server.operator();
    operator
        .change_merchant(
            handle,
            &MerchantChange::new(danbao_client::api::MerchantAction::Enrol),
        )
        .await
        .unwrap();
    let profile = operator
        .change_merchant(handle, &MerchantChange::verify(name))
        .await
        .unwrap();
    assert!(profile.verified, "{profile:?}");
}

#[tokio::test]
async fn the_confirm_screen_badges_the_verified_warns_of_look_alikes_and_of_first_payments() {
    let server = Server::start().await;
    // The impostor took a look-alike name before the shop was verified (afterwards it would
    // be refused: server/tests/merchants.rs).
    let impostor = Phone::signed_up(&server.url, "lotus_tea", "L\u{43e}tus Tea House", false).await;
    let shop = Phone::signed_up(&server.url, "lotus", "Lotus Tea House", false).await;
    verify(&server, "lotus", "Lotus Tea House").await;
    let buyer = Phone::signed_up(&server.url, "bea", "Bea Wang", false).await;
    let friend = Phone::signed_up(&server.url, "fay", "Fay Friend", false).await;
    server.top_up("bea", "100.00").await;
    buyer.w().sync().await.unwrap();

    // The impostor's sticker: not verified, looks like the verified shop, never paid.
    let sticker = impostor.w().merchant_code(None, "CNY").await.unwrap();
    let screen = buyer.w().scan(&sticker.text).await.unwrap();
    assert_eq!(screen.kind, ScanKind::MerchantPayment);
    assert_eq!(screen.payee_handle.as_deref(), Some("lotus_tea"));
    assert!(!screen.payee_verified);
    assert_eq!(screen.verified_label, None);
    let warning = screen.look_alike_warning.expect("a look-alike warning");
    assert!(
        warning.starts_with("Not a verified merchant") && warning.contains("@lotus_tea"),
        "{warning}"
    );
    assert!(screen.first_payment_warning.is_some());

    // The real shop: the badge, no look-alike warning, but a first payment.
    let code = shop.w().merchant_code(Some("5.00"), "CNY").await.unwrap();
    let screen = buyer.w().scan(&code.text).await.unwrap();
    assert!(screen.payee_verified);
    assert_eq!(
        screen.verified_label.as_deref(),
        Some("Verified merchant: Lotus Tea House")
    );
    assert_eq!(screen.look_alike_warning, None);
    assert_eq!(
        screen.first_payment_warning.as_deref(),
        Some("You have never paid @lotus before. Check the name and handle before you pay.")
    );
    let paid = buyer.w().pay(&code.text, None).await.unwrap();
    assert_eq!(paid.state.as_str(), "done", "{paid:?}");

    // Paid once (the outbox's answer, before any sync): no first-payment warning any more.
    let again = shop.w().merchant_code(Some("6.00"), "CNY").await.unwrap();
    let screen = buyer.w().scan(&again.text).await.unwrap();
    assert_eq!(screen.first_payment_warning, None);
    assert!(screen.payee_verified);
    // After a sync it comes from the activity too.
    buyer.w().sync().await.unwrap();
    let payee = buyer.w().check_payee("lotus").await.unwrap();
    assert!(payee.verified);
    assert_eq!(payee.first_payment_warning, None);
    let payee = buyer.w().check_payee("lotus_tea").await.unwrap();
    assert!(!payee.verified);
    assert!(payee.look_alike_warning.is_some());
    assert!(payee.first_payment_warning.is_some());

    // Sending by handle: warned the first time, not after the money went.
    let payee = buyer.w().check_payee("@Fay").await.unwrap();
    assert_eq!(
        (payee.handle.as_str(), payee.name.as_str()),
        ("fay", "Fay Friend")
    );
    assert_eq!(payee.look_alike_warning, None);
    assert_eq!(
        payee.first_payment_warning.as_deref(),
        Some("You have never paid @fay before. Check the name and handle before you pay.")
    );
    let sent = buyer.w().send("fay", "1.00", "CNY", "").await.unwrap();
    assert_eq!(sent.state.as_str(), "done", "{sent:?}");
    let payee = buyer.w().check_payee("fay").await.unwrap();
    assert_eq!(payee.first_payment_warning, None);
    // Fay never paid Bea: her own screen still warns.
    friend.w().sync().await.unwrap();
    let back = friend.w().check_payee("bea").await.unwrap();
    assert!(back.first_payment_warning.is_some());
    server.assert_invariants().await;
}
