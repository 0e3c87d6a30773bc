//! Three wallets — buyer, seller (the merchant) and friend — each with its own database and
//! key store, through every flow of DESIGN.md §1 against an in-process server: a merchant's
//! static code paid with amount entry, an escrow purchase by order code (pay, ship, confirm
//! receipt), a partial refund accepted by the seller, a refund rejected into a dispute that the
//! operator splits, P2P by handle, a friend's receive code
//! with an amount, a money request accepted (and one declined), a payment code generated
//! offline and charged by the merchant. After each step the cached balances (raw minor units
//! and display strings) and the server's balances agree with a hand-kept ledger; at the end
//! the server's invariants hold. Also: the listener is told what changed, the home snapshot
//! shows the right orders with the right actions per role, and activity pages walk the whole
//! history without gaps or repeats.

mod wallet_common;

use danbao_client::api::{ResolutionKind, Resolve, new_idempotency_key};
use danbao_client::{Change, CommandOutcome, ScanKind, WalletError};
use danbao_domain::money::Currency;
use danbao_domain::protocol::wire::StepAction;
use danbao_domain::qr::danbao::{self as codes, DanbaoCode, MerchantCode};
use serde_json::json;
use wallet_common::*;

/// The seller's printed static sticker: a Danbao merchant code without an amount (unsigned,
/// like any static merchant QR code), naming the merchant by handle.
fn sticker(printed_name: &str) -> String {
    codes::encode_unsigned(&DanbaoCode::Merchant(MerchantCode {
        merchant_id: "seller".into(),
        merchant_name: printed_name.into(),
        merchant_city: "Hangzhou".into(),
        country: "CN".into(),
        mcc: "5812".into(),
        currency: Currency::from_code("CNY").unwrap(),
        amount_minor: None,
    }))
    .unwrap()
}

/// A command the wallet or the server refused: its readable reason. Refused before the
/// outbox (an error) or by the server (a final `failed` outcome) — never done, never queued.
#[track_caller]
/// A refused command's sentence and, after it in brackets, its problem code. In Chinese the
/// sentence is the catalogue's for the code (checked to be Chinese), not the server's.
fn refused(result: Result<CommandOutcome, WalletError>, step: &str) -> String {
    let reason = match result {
        Ok(outcome) => {
            assert_eq!(outcome.state.as_str(), "failed", "{step}: {outcome:?}");
            assert_eq!(outcome.transfer_id, None, "{step}: {outcome:?}");
            if in_chinese() {
                assert!(
                    outcome.message.starts_with("被拒绝：")
                        && !outcome.message.chars().any(|c| c.is_ascii_alphabetic()),
                    "{step}: {outcome:?}"
                );
            }
            format!(
                "{} [{}]",
                outcome.message,
                outcome.problem.unwrap_or_default()
            )
        }
        Err(error) => error.to_string(),
    };
    eprintln!("{step}: {reason}");
    reason
}

fn has(changes: &[Change], wanted: Change) -> bool {
    changes
        .iter()
        .any(|c| std::mem::discriminant(c) == std::mem::discriminant(&wanted))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wallets_through_every_flow() {
    every_flow().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wallets_through_every_flow_in_chinese() {
    speak("zh-Hans-CN");
    every_flow().await;
}

/// Every flow of three wallets speaking this test's [`locale`].
async fn every_flow() {
    let server = Server::start().await;
    // Buyer and seller keep their device key in a "platform" signer the test also holds (to
    // read the server's side); the friend's wallet keeps a software key sealed in its store.
    // The buyer's network goes through a gate, to prove the payment code needs none.
    let buyer_net = Gate::new(&server).await;
    let buyer = Phone::signed_up(&buyer_net.url(), "buyer", "Bea Buyer", true).await;
    let seller = Phone::signed_up(&server.url, "seller", "Lotus Tea House", true).await;
    // The seller's till charges payment codes: the operator enrolled it as a merchant.
    server.enrol_merchant("seller").await;
    let friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    let seller_api = seller.server_view(&server);
    server.top_up("buyer", "1000.00").await;
    server.top_up("friend", "200.00").await;

    // The hand-kept ledger, minor units: (available, held_out, incoming).
    let mut b = (100_000, 0, 0);
    let mut s = (0, 0, 0);
    let mut f = (20_000, 0, 0);
    macro_rules! check {
        ($step:expr) => {{
            let step = $step;
            assert_line(
                &buyer.synced_cny().await,
                b.0,
                b.1,
                b.2,
                &format!("{step}: buyer"),
            );
            assert_line(
                &friend.synced_cny().await,
                f.0,
                f.1,
                f.2,
                &format!("{step}: friend"),
            );
            // The seller has no CNY line until money arrives.
            seller.w().sync().await.unwrap();
            if s != (0, 0, 0) {
                assert_line(&seller.cny(), s.0, s.1, s.2, &format!("{step}: seller"));
            }
            assert_eq!(
                server_cny(&buyer_api).await,
                b,
                "{step}: buyer on the server"
            );
            assert_eq!(
                server_cny(&seller_api).await,
                s,
                "{step}: seller on the server"
            );
            // Nothing created or destroyed: 1200.00 CNY came in by top-up.
            assert_eq!(
                b.0 + b.1 + s.0 + f.0,
                120_000,
                "{step}: conservation (held money counted once)"
            );
            assert_eq!(
                b.1, s.2,
                "{step}: what the buyer holds is what the seller has incoming"
            );
        }};
    }
    check!("after top-ups");
    assert_eq!(buyer.cny().available.display, display(100_000));
    let profile = buyer.w().profile().unwrap().unwrap();
    assert_eq!(
        (profile.handle.as_str(), profile.display_name.as_str()),
        ("buyer", "Bea Buyer")
    );
    assert_eq!(profile.server_url, buyer_net.url());

    // ---- 1. shopper scans a merchant's static code and enters the amount ----------------
    let code = sticker("Lotus Tea House");
    let screen = buyer.w().scan(&code).await.unwrap();
    assert!(
        matches!(screen.kind, ScanKind::MerchantPayment),
        "{screen:?}"
    );
    assert!(screen.payable && screen.needs_amount, "{screen:?}");
    assert_eq!(screen.payee_handle.as_deref(), Some("seller"));
    assert_eq!(screen.payee_name.as_deref(), Some("Lotus Tea House"));
    assert_eq!(screen.name_warning, None, "{screen:?}");
    assert_eq!(screen.amount, None);
    assert_eq!(screen.currency.as_deref(), Some("CNY"));
    assert_eq!(screen.code, code);
    // A sticker printed with another name: the server's name is shown, with a warning.
    let fake = sticker("City Bank Refunds");
    let screen = buyer.w().scan(&fake).await.unwrap();
    assert_eq!(screen.payee_name.as_deref(), Some("Lotus Tea House"));
    assert_eq!(screen.printed_name.as_deref(), Some("City Bank Refunds"));
    let warning = screen.name_warning.clone().unwrap_or_default();
    let says = if in_chinese() {
        "二维码上写的是“City Bank Refunds”，但实际收款人是 Lotus Tea House（@seller）"
    } else {
        "The code says “City Bank Refunds”, but it pays Lotus Tea House (@seller)"
    };
    assert!(warning.starts_with(says), "{screen:?}");
    // Amount entry: none, too many decimals, then a good one.
    match buyer.w().pay(&code, None).await {
        Err(WalletError::InvalidInput { .. }) => {}
        other => panic!("pay without an amount on a static code: {other:?}"),
    }
    match buyer.w().pay(&code, Some("12.345")).await {
        Err(e @ WalletError::InvalidInput { .. }) => {
            assert!(e.to_string().contains("12.345"), "{e}")
        }
        other => panic!("pay 12.345 CNY: {other:?}"),
    }
    check!("refused amounts moved nothing");
    let paid = done(buyer.w().pay(&code, Some("25.00")).await, "pay sticker");
    assert!(paid.transfer_id.is_some(), "{paid:?}");
    assert!(paid.message.contains(&display(2500)), "{paid:?}");
    let verb = if in_chinese() { "已付款" } else { "Paid" };
    assert!(paid.message.starts_with(verb), "{paid:?}");
    b.0 -= 2_500;
    s.0 += 2_500;
    check!("paid the sticker 25.00");
    // The seller's checkout code with an amount, from the facade: signed, single use.
    let checkout = seller.w().merchant_code(Some("6.60"), "CNY").await.unwrap();
    assert_eq!(checkout.amount.as_ref().map(|a| a.minor), Some(660));
    assert!(checkout.expires_at.is_some(), "{checkout:?}");
    assert!(checkout.svg.contains("<svg"), "{checkout:?}");
    let screen = buyer.w().scan(&checkout.text).await.unwrap();
    assert!(
        matches!(screen.kind, ScanKind::MerchantPayment) && screen.payable && !screen.needs_amount,
        "{screen:?}"
    );
    assert_eq!(screen.payee_handle.as_deref(), Some("seller"));
    done(
        buyer.w().pay(&checkout.text, None).await,
        "pay checkout code",
    );
    b.0 -= 660;
    s.0 += 660;
    check!("paid the checkout code 6.60");
    match buyer.w().pay(&checkout.text, None).await {
        Ok(outcome) => assert_eq!(
            outcome.state.as_str(),
            "failed",
            "a used code paid twice: {outcome:?}"
        ),
        Err(error) => assert!(
            matches!(error, WalletError::Code { .. } | WalletError::Server { .. }),
            "{error:?}"
        ),
    }
    check!("a used checkout code moved nothing");

    // ---- 2. escrow purchase by order code: pay, ship, confirm receipt ---------------------
    let created = seller
        .w()
        .create_order("Tea set", "88.00", "CNY")
        .await
        .unwrap();
    let order_id = created.order.id.clone();
    assert_eq!(created.order.role.as_str(), "seller");
    assert_eq!(created.order.state.as_str(), "awaiting_payment");
    assert_eq!(created.order.amount.minor, 8_800);
    assert_eq!(created.order.amount.display, display(8_800));
    assert_eq!(created.code.amount.as_ref().map(|a| a.minor), Some(8_800));
    assert!(created.code.svg.starts_with("<?xml") || created.code.svg.contains("<svg"));
    let screen = buyer.w().scan(&created.code.text).await.unwrap();
    assert!(matches!(screen.kind, ScanKind::DanbaoOrder), "{screen:?}");
    assert!(screen.payable && !screen.needs_amount, "{screen:?}");
    assert_eq!(screen.order_id.as_deref(), Some(order_id.as_str()));
    assert_eq!(screen.amount.as_ref().map(|a| a.minor), Some(8_800));
    assert_eq!(screen.payee_name.as_deref(), Some("Lotus Tea House"));
    done(buyer.w().pay(&created.code.text, None).await, "pay order");
    b.0 -= 8_800;
    b.1 += 8_800;
    s.2 += 8_800;
    check!("order paid into escrow");
    // The seller must ship; the buyer may cancel or ask for a refund.
    let seller_home = seller.w().home().unwrap();
    let to_ship = seller_home
        .orders_needing_action
        .iter()
        .find(|o| o.id == order_id)
        .unwrap_or_else(|| panic!("seller's home lacks the paid order: {seller_home:?}"));
    assert_eq!(to_ship.role.as_str(), "seller");
    assert_eq!(to_ship.state.as_str(), "paid");
    assert!(to_ship.actions.contains(&StepAction::Ship), "{to_ship:?}");
    assert!(
        !to_ship.actions.contains(&StepAction::Confirm),
        "{to_ship:?}"
    );
    assert!(
        !buyer
            .w()
            .home()
            .unwrap()
            .orders_needing_action
            .iter()
            .any(|o| o.id == order_id),
        "a paid order waits for the seller, not the buyer"
    );
    let buyer_view = buyer.w().order(&order_id).await.unwrap();
    assert_eq!(buyer_view.role.as_str(), "buyer");
    assert!(
        !buyer_view.actions.contains(&StepAction::Ship),
        "{buyer_view:?}"
    );
    assert!(
        buyer_view.actions.contains(&StepAction::RefundRequest),
        "{buyer_view:?}"
    );
    // The buyer cannot ship; the server refuses with its reason and nothing moves.
    let wrong = buyer
        .w()
        .order_action(
            &order_id,
            "ship",
            Some(json!({"carrier": "SF", "tracking": "X"})),
        )
        .await;
    let reason = refused(wrong, "the buyer ships");
    assert!(
        (in_chinese() || reason.contains("only the seller may ship"))
            && reason.contains("wrong_party"),
        "{reason}"
    );
    done(
        seller
            .w()
            .order_action(
                &order_id,
                "ship",
                Some(json!({"carrier": "SF Express", "tracking": "SF1234567890"})),
            )
            .await,
        "ship",
    );
    check!("shipped: nothing moves yet");
    assert!(
        !seller
            .w()
            .home()
            .unwrap()
            .orders_needing_action
            .iter()
            .any(|o| o.id == order_id),
        "a shipped order waits for the buyer, not the seller"
    );
    let buyer_home = buyer.w().home().unwrap();
    let to_confirm = buyer_home
        .orders_needing_action
        .iter()
        .find(|o| o.id == order_id)
        .unwrap_or_else(|| panic!("buyer's home lacks the shipped order: {buyer_home:?}"));
    assert_eq!(to_confirm.role.as_str(), "buyer");
    assert_eq!(to_confirm.state.as_str(), "shipped");
    assert!(
        to_confirm.actions.contains(&StepAction::Confirm),
        "{to_confirm:?}"
    );
    assert!(
        to_confirm.deadline.is_some(),
        "auto-confirm deadline: {to_confirm:?}"
    );
    assert_eq!(to_confirm.counterparty.as_deref(), Some("seller"));
    done(
        buyer.w().order_action(&order_id, "confirm", None).await,
        "confirm receipt",
    );
    b.1 -= 8_800;
    s.2 -= 8_800;
    s.0 += 8_800;
    check!("receipt confirmed: released to the seller");
    let finished = buyer.w().order(&order_id).await.unwrap();
    assert_eq!(finished.state.as_str(), "completed");
    assert!(finished.actions.is_empty(), "{finished:?}");
    assert!(
        !buyer
            .w()
            .home()
            .unwrap()
            .orders_needing_action
            .iter()
            .any(|o| o.id == order_id),
        "a completed order needs nobody"
    );

    // ---- 3. partial refund: buyer asks 15.00 of 40.00 back, seller accepts ----------------
    let teapot = seller
        .w()
        .create_order("Teapot", "40.00", "CNY")
        .await
        .unwrap();
    let teapot_id = teapot.order.id.clone();
    done(buyer.w().pay(&teapot.code.text, None).await, "pay teapot");
    b.0 -= 4_000;
    b.1 += 4_000;
    s.2 += 4_000;
    check!("teapot paid");
    done(
        buyer
            .w()
            .order_action(
                &teapot_id,
                "refund-request",
                Some(json!({"amount": "15.00"})),
            )
            .await,
        "refund request",
    );
    seller.w().sync().await.unwrap();
    let seller_home = seller.w().home().unwrap();
    let to_answer = seller_home
        .orders_needing_action
        .iter()
        .find(|o| o.id == teapot_id)
        .unwrap_or_else(|| panic!("seller's home lacks the refund request: {seller_home:?}"));
    assert_eq!(to_answer.state.as_str(), "refund_requested");
    assert!(
        to_answer.actions.contains(&StepAction::RefundAccept)
            && to_answer.actions.contains(&StepAction::RefundReject),
        "{to_answer:?}"
    );
    done(
        seller
            .w()
            .order_action(&teapot_id, "refund-accept", None)
            .await,
        "refund accept",
    );
    b.1 -= 4_000;
    b.0 += 1_500;
    s.2 -= 4_000;
    s.0 += 2_500;
    check!("partial refund: 15.00 back, 25.00 to the seller");
    assert_eq!(
        buyer.w().order(&teapot_id).await.unwrap().state.as_str(),
        "refunded"
    );

    // ---- 3b. dispute: the seller rejects a refund request; the operator splits -----------
    let cups = seller
        .w()
        .create_order("Cups", "20.00", "CNY")
        .await
        .unwrap();
    let cups_id = cups.order.id.clone();
    done(buyer.w().pay(&cups.code.text, None).await, "pay cups");
    done(
        buyer
            .w()
            .order_action(&cups_id, "refund-request", Some(json!({"amount": "20.00"})))
            .await,
        "refund request (cups)",
    );
    done(
        seller
            .w()
            .order_action(&cups_id, "refund-reject", None)
            .await,
        "refund reject",
    );
    b.0 -= 2_000;
    b.1 += 2_000;
    s.2 += 2_000;
    check!("disputed: the money stays held");
    let disputed = buyer.w().order(&cups_id).await.unwrap();
    assert_eq!(disputed.state.as_str(), "disputed");
    assert!(
        disputed.actions.is_empty(),
        "only the operator acts: {disputed:?}"
    );
    server
        .operator()
        .resolve_order(
            &cups_id,
            &Resolve {
                resolution: ResolutionKind::Split,
                to_seller: Some("5.00".into()),
            },
            &new_idempotency_key().unwrap(),
        )
        .await
        .unwrap();
    b.1 -= 2_000;
    b.0 += 1_500;
    s.2 -= 2_000;
    s.0 += 500;
    check!("dispute split: 15.00 back, 5.00 to the seller");
    assert_eq!(
        buyer.w().order(&cups_id).await.unwrap().state.as_str(),
        "refunded"
    );

    // ---- 4. P2P by handle ----------------------------------------------------------------
    let sent = done(
        buyer.w().send("friend", "30.00", "CNY", "dinner").await,
        "send",
    );
    assert!(sent.message.contains("30.00"), "{sent:?}");
    b.0 -= 3_000;
    f.0 += 3_000;
    check!("sent 30.00 to friend");
    match buyer.w().send("friend", "0.00", "CNY", "").await {
        Err(WalletError::InvalidInput { .. }) => {}
        other => panic!("send 0.00: {other:?}"),
    }
    let reason = refused(
        buyer
            .w()
            .send("friend", "99999.00", "CNY", "too much")
            .await,
        "send more than available",
    );
    assert!(reason.contains("insufficient_funds"), "{reason}");
    check!("refused sends moved nothing");

    // ---- 5. a friend's receive code with an amount, scanned and paid ---------------------
    let receive = buyer.w().receive_code(Some("12.50"), "CNY").await.unwrap();
    assert_eq!(receive.amount.as_ref().map(|a| a.minor), Some(1_250));
    assert!(
        receive.expires_at.is_some(),
        "a code with an amount expires"
    );
    let screen = friend.w().scan(&receive.text).await.unwrap();
    assert!(matches!(screen.kind, ScanKind::FriendReceive), "{screen:?}");
    assert!(screen.payable && !screen.needs_amount, "{screen:?}");
    assert_eq!(screen.payee_handle.as_deref(), Some("buyer"));
    assert_eq!(screen.payee_name.as_deref(), Some("Bea Buyer"));
    assert_eq!(
        screen.amount.as_ref().map(|a| a.display.as_str()),
        Some(display(1250).as_str())
    );
    done(
        friend.w().pay(&receive.text, None).await,
        "pay receive code",
    );
    f.0 -= 1_250;
    b.0 += 1_250;
    check!("friend paid the receive code 12.50");
    // The same signed code cannot be paid twice.
    let reason = refused(
        friend.w().pay(&receive.text, None).await,
        "pay a single-use code again",
    );
    assert!(reason.contains("code_used"), "{reason}");
    check!("second payment of a single-use code refused");
    // Without an amount: the payer enters one.
    let open_code = friend.w().receive_code(None, "CNY").await.unwrap();
    assert_eq!(open_code.amount, None);
    let screen = buyer.w().scan(&open_code.text).await.unwrap();
    assert!(screen.needs_amount && screen.payable, "{screen:?}");
    done(
        buyer.w().pay(&open_code.text, Some("5.00")).await,
        "pay open receive code",
    );
    b.0 -= 500;
    f.0 += 500;
    check!("buyer paid friend's open code 5.00");

    // ---- 6. money requests: one accepted, one declined ----------------------------------
    let request = friend
        .w()
        .request_money("buyer", "20.00", "CNY", "movie tickets")
        .await
        .unwrap();
    assert_eq!(request.requester, "friend");
    assert_eq!(request.payer, "buyer");
    assert_eq!(request.amount.minor, 2_000);
    assert_eq!(request.note, "movie tickets");
    assert_eq!(request.status.as_str(), "open");
    buyer.w().sync().await.unwrap();
    done(
        buyer.w().answer_request(request.id, true).await,
        "accept request",
    );
    b.0 -= 2_000;
    f.0 += 2_000;
    check!("request accepted: 20.00 paid");
    let reason = refused(
        buyer.w().answer_request(request.id, true).await,
        "accept a paid request again",
    );
    assert!(reason.contains("request_not_open"), "{reason}");
    check!("a request is paid once");
    let declined = friend
        .w()
        .request_money("seller", "1.00", "CNY", "gum")
        .await
        .unwrap();
    done(
        seller.w().answer_request(declined.id, false).await,
        "decline",
    );
    check!("declined request moved nothing");

    // ---- 7. payment code: enabled once, generated offline, charged by the merchant --------
    assert!(!buyer.w().home().unwrap().payment_code_enabled);
    buyer.w().enable_payment_code().await.unwrap();
    assert!(buyer.w().home().unwrap().payment_code_enabled);
    // The buyer's phone goes offline at the till: the code is made from the sealed secret.
    buyer_net.close();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let pay_code = buyer.w().payment_code(now).unwrap();
    assert_eq!(pay_code.digits.len(), 18, "{}", pay_code.digits);
    assert!(pay_code.digits.bytes().all(|c| c.is_ascii_digit()));
    assert!(pay_code.seconds_remaining <= 60 && pay_code.seconds_remaining > 0);
    assert!(pay_code.valid_until > now);
    assert!(pay_code.svg.contains("<svg"));
    // Offline means offline: the same instant gives the same code, the next minute another.
    assert_eq!(buyer.w().payment_code(now).unwrap().digits, pay_code.digits);
    assert_ne!(
        buyer.w().payment_code(now + 60).unwrap().digits,
        pay_code.digits
    );
    assert!(
        matches!(buyer.w().sync().await, Err(WalletError::Offline { .. })),
        "the buyer really is offline"
    );
    let charged = done(
        seller
            .w()
            .charge_payment_code(&pay_code.digits, "9.90", "CNY")
            .await,
        "charge payment code",
    );
    assert!(charged.message.contains("9.90"), "{charged:?}");
    buyer_net.open().await;
    b.0 -= 990;
    s.0 += 990;
    check!("payment code charged 9.90");
    let reason = refused(
        seller
            .w()
            .charge_payment_code(&pay_code.digits, "9.90", "CNY")
            .await,
        "charge the same payment code again",
    );
    assert!(reason.contains("payment_code_used"), "{reason}");
    check!("a payment code is charged once");

    // ---- the listener, the home snapshot, the server's invariants ------------------------
    let told = buyer.changes.take();
    assert!(has(&told, Change::Balances), "buyer's listener: {told:?}");
    assert!(has(&told, Change::Activity), "buyer's listener: {told:?}");
    assert!(has(&told, Change::Orders), "buyer's listener: {told:?}");
    assert!(has(&told, Change::Outbox), "buyer's listener: {told:?}");
    let told = seller.changes.take();
    assert!(has(&told, Change::Orders), "seller's listener: {told:?}");
    // After everything was told, a sync with nothing new tells nothing.
    let quiet = buyer.w().sync().await.unwrap();
    assert!(quiet.is_empty(), "sync with nothing new: {quiet:?}");
    assert!(buyer.changes.take().is_empty());

    let home = buyer.w().home().unwrap();
    assert_eq!(
        home.profile.as_ref().map(|p| p.handle.as_str()),
        Some("buyer")
    );
    assert_eq!(home.balances.len(), 1, "{home:?}");
    assert!(
        home.outbox.is_empty(),
        "nothing left to send: {:?}",
        home.outbox
    );
    assert!(
        home.recent.len() <= 20 && home.recent.len() >= 9,
        "{:?}",
        home.recent
    );
    assert!(
        home.recent.windows(2).all(|w| w[0].seq > w[1].seq),
        "recent is newest first"
    );
    // The newest money movement is the payment-code charge: out, 9.90, to the seller.
    let newest = home
        .recent
        .iter()
        .find(|i| i.amount.minor == 990)
        .unwrap_or_else(|| panic!("charge missing from recent: {:?}", home.recent));
    assert_eq!(newest.direction.as_str(), "out");
    assert_eq!(newest.counterparty.as_deref(), Some("seller"));
    assert_eq!(newest.counterparty_name.as_deref(), Some("Lotus Tea House"));
    assert!(!newest.title.is_empty());
    let dinner = home
        .recent
        .iter()
        .find(|i| i.memo.as_deref() == Some("dinner"))
        .unwrap_or_else(|| panic!("P2P send missing from recent: {:?}", home.recent));
    assert_eq!(
        (
            dinner.direction.as_str(),
            dinner.amount.minor,
            dinner.kind.as_str()
        ),
        ("out", 3_000, "p2p")
    );
    let friend_home = friend.w().home().unwrap();
    assert!(
        friend_home
            .recent
            .iter()
            .any(|i| i.memo.as_deref() == Some("dinner") && i.direction.as_str() == "in"),
        "friend sees the dinner money arrive: {:?}",
        friend_home.recent
    );
    // Orders cached: both, as buyer.
    let orders = buyer.w().orders().unwrap();
    assert!(
        orders
            .iter()
            .any(|o| o.id == order_id && o.state.as_str() == "completed")
    );
    assert!(
        orders
            .iter()
            .any(|o| o.id == teapot_id && o.state.as_str() == "refunded")
    );
    assert!(orders.iter().all(|o| o.role.as_str() == "buyer"));

    assert!(server.assert_invariants().await > 0);
}

/// A long history pages newest first, 50 at a time, without gaps or repeats, and the last
/// page says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_pages_cover_the_history_once() {
    activity_pages().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_pages_cover_the_history_once_in_chinese() {
    speak("zh-Hans-CN");
    activity_pages().await;
}

async fn activity_pages() {
    let server = Server::start().await;
    let ann = Phone::signed_up(&server.url, "ann", "Ann", false).await;
    let bob = Phone::signed_up(&server.url, "bob", "Bob", false).await;
    server.top_up("ann", "500.00").await;
    const SENDS: i64 = 110;
    for n in 1..=SENDS {
        done(
            ann.w()
                .send("bob", &value(n), "CNY", &format!("n{n}"))
                .await,
            "send",
        );
    }
    let spent: i64 = (1..=SENDS).sum();
    assert_line(
        &ann.synced_cny().await,
        50_000 - spent,
        0,
        0,
        "ann after sends",
    );
    assert_line(&bob.synced_cny().await, spent, 0, 0, "bob after sends");

    for (phone, expected, direction) in [(&ann, SENDS + 1, "out"), (&bob, SENDS, "in")] {
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = phone.w().activity(cursor, 50).await.unwrap();
            pages += 1;
            assert!(page.items.len() <= 50);
            seen.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(pages < 10, "paging does not end");
        }
        assert_eq!(seen.len() as i64, expected, "every entry once");
        assert!(
            seen.windows(2).all(|w| w[0].seq > w[1].seq),
            "strictly newest first"
        );
        // The newest is the last send, the oldest of the sends the first.
        let sends: Vec<_> = seen
            .iter()
            .filter(|i| i.direction.as_str() == direction && i.kind == "p2p")
            .collect();
        assert_eq!(sends.len() as i64, SENDS);
        assert_eq!(sends[0].memo.as_deref(), Some(format!("n{SENDS}").as_str()));
        assert_eq!(sends[0].amount.minor, SENDS);
        assert_eq!(sends[sends.len() - 1].memo.as_deref(), Some("n1"));
        assert_eq!(sends[sends.len() - 1].amount.display, display(1));
    }
    server.assert_invariants().await;
}
