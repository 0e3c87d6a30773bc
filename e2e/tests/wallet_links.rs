//! Payment links against a real server (issue 15 point 6): a buyer on a phone's web browser
//! taps a shop's link and the app opens on the confirm screen of the order it carries; paying
//! from there holds the money in escrow exactly as paying the scanned code does.

mod wallet_common;

use danbao_client::ScanKind;
use danbao_domain::qr::link::payment_link;
use wallet_common::{Phone, Server, done};

#[tokio::test]
async fn a_tapped_payment_link_opens_the_orders_confirm_screen_and_pays_into_escrow() {
    let server = Server::start().await;
    let seller = Phone::signed_up(&server.url, "lotus", "Lotus Tea House", false).await;
    let buyer = Phone::signed_up(&server.url, "bea", "Bea Wang", false).await;
    server.top_up("bea", "100.00").await;
    buyer.w().sync().await.unwrap();
    let created = seller
        .w()
        .create_order("Tea set", "88.00", "CNY")
        .await
        .unwrap();

    for base in ["https://pay.danbao.app", "danbao"] {
        let link = payment_link(base, &created.code.text);
        let screen = buyer.w().scan(&link).await.unwrap();
        assert!(matches!(screen.kind, ScanKind::DanbaoOrder), "{screen:?}");
        assert!(screen.payable && !screen.needs_amount, "{screen:?}");
        // The screen carries the code itself: what Pay sends, and what the server sees.
        assert_eq!(screen.code, created.code.text);
        assert_eq!(screen.amount.as_ref().map(|a| a.minor), Some(8_800));
    }

    // Pay straight from the link (the shell passes what it was opened with).
    let link = payment_link("https://pay.danbao.app", &created.code.text);
    done(buyer.w().pay(&link, None).await, "pay by link");
    let line = buyer.synced_cny().await;
    assert_eq!(
        (line.available.minor, line.held_out.minor),
        (10_000 - 8_800, 8_800)
    );
    let order = seller.w().order(&created.order.id).await.unwrap();
    assert_eq!(order.state, danbao_domain::escrow::OrderState::Paid);
    server.assert_invariants().await;

    // A broken link is refused with its reason, and nothing moves.
    let broken = buyer.w().scan("danbao://pay?code=%zz").await.unwrap();
    assert!(matches!(broken.kind, ScanKind::Invalid), "{broken:?}");
    assert!(!broken.payable, "{broken:?}");
    assert_eq!(buyer.synced_cny().await.available.minor, 10_000 - 8_800);
}
