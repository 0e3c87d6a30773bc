//! The outbox through the `Wallet` facade against an in-process server behind a TCP gate
//! (the phone's network):
//!
//! - app kill: the wallet is dropped after its command was written to the outbox — before
//!   any send, while the request is lost on the way, and after the server applied it but
//!   before the answer came back — and reopened: each command completes exactly once
//!   (balances, the outbox and the server's activity). The killed commands are left
//!   `sending` on disk, as a SIGKILL leaves them (an in-process drop would run destructors);
//! - a call cancelled in flight with the wallet still open (a shell leaving the screen) is
//!   sent again by the next flush;
//! - offline: with the network down, send, pay and confirm-receipt are queued; when it is back,
//!   `flush_outbox` completes each exactly once;
//! - unknown outcome: the server applies a request and the answer is lost (connection closed,
//!   network down for the transport's retries too); the outbox's later retry with the same key
//!   gets the first answer, not a second transfer.

mod wallet_common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use danbao_client::api::DeviceApi;
use danbao_client::wallet::CommandKind;
use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{self as codes, DanbaoCode, MerchantCode};
use wallet_common::*;

/// How many entries of the user's server activity carry `memo`.
async fn server_entries_with_memo(device: &DeviceApi, memo: &str) -> usize {
    server_activity(device)
        .await
        .iter()
        .filter(|e| e.data["memo"] == memo)
        .count()
}

/// Runs `command` until the wallet's outbox shows it in flight and then `ready` completes,
/// and drops the command's future there (the app is killed mid-call). The caller then drops
/// the wallet.
async fn kill_when(phone: &Phone, command: impl Future, ready: impl Future<Output = ()>) {
    let in_flight = async {
        let mut polls = 0;
        while !phone
            .w()
            .outbox()
            .unwrap()
            .iter()
            .any(|i| i.state.as_str() == "sending")
        {
            polls += 1;
            assert!(polls < 500, "never in flight: {:?}", phone.w().outbox());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        ready.await;
    };
    tokio::select! {
        _ = command => panic!("the command finished although its answer never comes"),
        () = in_flight => {}
    }
}

/// Completes once the server's activity of `device` has an entry with `memo`.
async fn applied_on_server(device: &DeviceApi, memo: &str) {
    for _ in 0..500 {
        if server_entries_with_memo(device, memo).await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server never applied {memo:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_killed_mid_command_completes_exactly_once_after_reopen() {
    let server = Server::start().await;
    let gate = Gate::new(&server).await;
    let mut buyer = Phone::signed_up(&gate.url(), "buyer", "Bea Buyer", true).await;
    let friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    server.top_up("buyer", "100.00").await;
    assert_line(&buyer.synced_cny().await, 10_000, 0, 0, "topped up");

    // 0. Killed between the outbox write and the send (sending paused: the command is on
    //    disk, nothing went out).
    buyer.w().pause_sending(true);
    let queued = buyer
        .w()
        .send("friend", "5.00", "CNY", "kill-unsent")
        .await
        .unwrap();
    assert_eq!(queued.state.as_str(), "queued", "{queued:?}");
    let outbox = buyer.w().outbox().unwrap();
    assert_eq!((outbox.len(), outbox[0].attempts), (1, 0), "{outbox:?}");
    assert_eq!(outbox[0].state.as_str(), "pending", "{outbox:?}");
    buyer.close();
    assert_eq!(server_entries_with_memo(&buyer_api, "kill-unsent").await, 0);
    // Reopening sends it (open flushes the outbox); a sync after that changes nothing more.
    buyer.reopen().await;
    let outbox = buyer.w().outbox().unwrap();
    assert_eq!(
        outbox[0].state.as_str(),
        "done",
        "open flushed the outbox: {outbox:?}"
    );
    assert_eq!(outbox[0].attempts, 1, "{outbox:?}");
    buyer.w().sync().await.unwrap();
    assert_line(&buyer.cny(), 9_500, 0, 0, "0: reopened and synced");
    assert_eq!(server_entries_with_memo(&buyer_api, "kill-unsent").await, 1);

    // A. Killed before the request reached the server: the network swallows it.
    gate.black_hole();
    kill_when(
        &buyer,
        buyer.w().send("friend", "10.00", "CNY", "kill-before"),
        tokio::time::sleep(Duration::from_millis(200)),
    )
    .await;
    buyer.close();
    assert_eq!(buyer.leave_unfinished_as_sigkill_would(), 1);
    assert!(
        gate.lost.load(Ordering::SeqCst) >= 1,
        "the request left the phone"
    );
    assert_eq!(server_entries_with_memo(&buyer_api, "kill-before").await, 0);
    assert_eq!(server_cny(&buyer_api).await, (9_500, 0, 0));
    gate.open().await;
    buyer.reopen().await;
    buyer.w().sync().await.unwrap();
    assert_line(&buyer.cny(), 8_500, 0, 0, "A: reopened and synced");
    assert_eq!(server_cny(&buyer_api).await, (8_500, 0, 0));
    assert_eq!(server_entries_with_memo(&buyer_api, "kill-before").await, 1);
    let outbox = buyer.w().outbox().unwrap();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    // Newest first: the killed command.
    assert_eq!(outbox[0].state.as_str(), "done", "{outbox:?}");
    assert_eq!(outbox[0].kind, CommandKind::Send, "{outbox:?}");
    assert!(
        outbox[0].attempts >= 2,
        "sent before the kill and after: {outbox:?}"
    );
    assert!(outbox[0].outcome.is_some(), "{outbox:?}");
    // More flushing and syncing changes nothing.
    buyer.w().flush_outbox().await.unwrap();
    assert_line(
        &buyer.synced_cny().await,
        8_500,
        0,
        0,
        "A: after more flushes",
    );
    assert_eq!(server_entries_with_memo(&buyer_api, "kill-before").await, 1);

    // B. Killed after the server applied the request, before its answer arrived.
    let swallowed_before = gate.lost.load(Ordering::SeqCst);
    gate.hold_answers();
    kill_when(
        &buyer,
        buyer.w().send("friend", "7.00", "CNY", "kill-after"),
        applied_on_server(&buyer_api, "kill-after"),
    )
    .await;
    buyer.close();
    assert_eq!(buyer.leave_unfinished_as_sigkill_would(), 1);
    // The server commits before its answer reaches the gate: wait (bounded) for the gate to
    // have held it back.
    let held = async {
        while gate.lost.load(Ordering::SeqCst) <= swallowed_before {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(10), held)
            .await
            .is_ok(),
        "the answer was held back"
    );
    assert_eq!(
        server_cny(&buyer_api).await,
        (7_800, 0, 0),
        "applied before the kill"
    );
    gate.open().await;
    buyer.reopen().await;
    buyer.w().sync().await.unwrap();
    assert_line(&buyer.cny(), 7_800, 0, 0, "B: reopened and synced");
    assert_eq!(server_cny(&buyer_api).await, (7_800, 0, 0));
    assert_eq!(server_entries_with_memo(&buyer_api, "kill-after").await, 1);
    let outbox = buyer.w().outbox().unwrap();
    assert_eq!(outbox.len(), 3, "{outbox:?}");
    assert!(
        outbox.iter().all(|i| i.state.as_str() == "done"),
        "{outbox:?}"
    );
    assert!(buyer.w().home().unwrap().outbox.is_empty());
    assert_line(
        &friend.synced_cny().await,
        2_200,
        0,
        0,
        "friend got each payment once",
    );
    server.assert_invariants().await;
}

/// The seller's static sticker (unsigned merchant code, no amount).
fn sticker() -> String {
    codes::encode_unsigned(&DanbaoCode::Merchant(MerchantCode {
        merchant_id: "seller".into(),
        merchant_name: "Lotus Tea House".into(),
        merchant_city: "Hangzhou".into(),
        country: "CN".into(),
        mcc: "5812".into(),
        currency: Currency::from_code("CNY").unwrap(),
        amount_minor: None,
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_commands_queue_and_complete_once_when_back() {
    let server = Server::start().await;
    let gate = Gate::new(&server).await;
    let buyer = Phone::signed_up(&gate.url(), "buyer", "Bea Buyer", true).await;
    let seller = Phone::signed_up(&server.url, "seller", "Lotus Tea House", true).await;
    let friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    let seller_api = seller.server_view(&server);
    server.top_up("buyer", "100.00").await;
    // Online: an order paid and shipped, waiting for the buyer's confirmation.
    let order = seller
        .w()
        .create_order("Kettle", "30.00", "CNY")
        .await
        .unwrap();
    done(buyer.w().pay(&order.code.text, None).await, "pay order");
    done(
        seller
            .w()
            .order_action(
                &order.order.id,
                "ship",
                Some(serde_json::json!({"carrier": "EMS", "tracking": "E1"})),
            )
            .await,
        "ship",
    );
    assert_line(
        &buyer.synced_cny().await,
        7_000,
        3_000,
        0,
        "paid into escrow",
    );
    buyer.changes.take();

    // Offline: three commands, each queued with a readable outcome.
    gate.close();
    let queued = [
        buyer
            .w()
            .send("friend", "10.00", "CNY", "offline send")
            .await,
        buyer.w().pay(&sticker(), Some("5.00")).await,
        buyer
            .w()
            .order_action(&order.order.id, "confirm", None)
            .await,
    ];
    let mut keys = Vec::new();
    for (what, outcome) in ["send", "pay", "confirm"].iter().zip(queued) {
        let outcome = outcome.unwrap_or_else(|e| panic!("offline {what}: {e}"));
        assert_eq!(
            outcome.state.as_str(),
            "queued",
            "offline {what}: {outcome:?}"
        );
        assert!(
            outcome.message.contains("offline") || outcome.message.contains("queued"),
            "offline {what}: {outcome:?}"
        );
        assert_eq!(outcome.transfer_id, None);
        keys.push(outcome.idempotency_key);
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3, "each command has its own idempotency key");
    let outbox = buyer.w().outbox().unwrap();
    let waiting: Vec<_> = outbox
        .iter()
        .filter(|i| i.state.as_str() != "done")
        .collect();
    assert_eq!(waiting.len(), 3, "{outbox:?}");
    assert!(
        waiting
            .iter()
            .all(|i| i.state.as_str() == "pending" && i.attempts >= 1),
        "{outbox:?}"
    );
    assert_eq!(buyer.w().home().unwrap().outbox.len(), 3);
    assert!(
        buyer
            .changes
            .take()
            .iter()
            .any(|c| matches!(c, danbao_client::Change::Outbox))
    );
    // Still offline: flushing keeps them queued, nothing moved.
    let still = buyer.w().flush_outbox().await.unwrap();
    assert!(
        still.iter().all(|o| o.state.as_str() == "queued"),
        "{still:?}"
    );
    assert_eq!(server_cny(&buyer_api).await, (7_000, 3_000, 0));
    assert_eq!(server_cny(&seller_api).await, (0, 0, 3_000));

    // Back online: each completes once.
    gate.open().await;
    let flushed = buyer.w().flush_outbox().await.unwrap();
    assert_eq!(flushed.len(), 3, "{flushed:?}");
    assert!(
        flushed.iter().all(|o| o.state.as_str() == "done"),
        "{flushed:?}"
    );
    let again = buyer.w().flush_outbox().await.unwrap();
    assert!(
        again.iter().all(|o| o.state.as_str() == "done"),
        "{again:?}"
    );
    assert_line(&buyer.synced_cny().await, 5_500, 0, 0, "back online");
    assert_eq!(server_cny(&buyer_api).await, (5_500, 0, 0));
    assert_eq!(server_cny(&seller_api).await, (3_500, 0, 0));
    assert_line(&friend.synced_cny().await, 1_000, 0, 0, "friend");
    assert_eq!(
        server_entries_with_memo(&buyer_api, "offline send").await,
        1
    );
    let activity = server_activity(&buyer_api).await;
    let fives = activity
        .iter()
        .filter(|e| e.data["amount"]["minor"] == 500)
        .count();
    assert_eq!(fives, 1, "one sticker payment: {activity:?}");
    assert_eq!(
        buyer
            .w()
            .order(&order.order.id)
            .await
            .unwrap()
            .state
            .as_str(),
        "completed"
    );
    assert!(
        buyer
            .w()
            .outbox()
            .unwrap()
            .iter()
            .all(|i| i.state.as_str() == "done")
    );
    server.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_retried_with_the_same_key_and_applied_once() {
    let server = Server::start().await;
    let gate = Gate::new(&server).await;
    let buyer = Phone::signed_up(&gate.url(), "buyer", "Bea Buyer", true).await;
    let friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    server.top_up("buyer", "100.00").await;

    // The server applies the send; the answer is lost and the network stays down, so the
    // transport's own retries fail too: the outcome is unknown and the command stays queued.
    gate.lose_next_answer_then_close();
    let outcome = buyer
        .w()
        .send("friend", "10.00", "CNY", "lost answer")
        .await
        .unwrap();
    assert_eq!(outcome.state.as_str(), "queued", "{outcome:?}");
    assert_eq!(gate.lost.load(Ordering::SeqCst), 1, "the answer was lost");
    assert!(!gate.is_open());
    assert_eq!(
        server_cny(&buyer_api).await,
        (9_000, 0, 0),
        "the server applied it"
    );
    let pending = buyer.w().outbox().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].state.as_str(), "pending", "{pending:?}");

    gate.open().await;
    let flushed = buyer.w().flush_outbox().await.unwrap();
    assert_eq!(flushed.len(), 1, "{flushed:?}");
    assert_eq!(flushed[0].state.as_str(), "done", "{flushed:?}");
    assert_eq!(
        flushed[0].idempotency_key, outcome.idempotency_key,
        "same key"
    );
    assert!(flushed[0].transfer_id.is_some());
    assert_eq!(
        server_cny(&buyer_api).await,
        (9_000, 0, 0),
        "not applied twice"
    );
    assert_eq!(server_entries_with_memo(&buyer_api, "lost answer").await, 1);
    assert_line(&buyer.synced_cny().await, 9_000, 0, 0, "after the retry");

    // A lost answer with the network still up: the transport retries within the call.
    gate.lose_next_answer();
    let outcome = done(
        buyer.w().send("friend", "2.50", "CNY", "lost once").await,
        "send with a lost answer",
    );
    assert!(outcome.transfer_id.is_some());
    assert_eq!(
        gate.lost.load(Ordering::SeqCst),
        2,
        "the second answer was lost too"
    );
    assert_eq!(server_entries_with_memo(&buyer_api, "lost once").await, 1);
    assert_line(
        &buyer.synced_cny().await,
        8_750,
        0,
        0,
        "after the in-call retry",
    );
    assert_line(&friend.synced_cny().await, 1_250, 0, 0, "friend");
    server.assert_invariants().await;
}

/// A command whose call is cancelled while in flight — what a shell does when the user leaves
/// the screen (Kotlin cancels the coroutine, Swift the Task) — but whose wallet stays open:
/// the next flush must send it again with its key, not leave it "sending" until a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_call_is_resent_by_the_next_flush_without_a_restart() {
    let server = Server::start().await;
    let gate = Gate::new(&server).await;
    let buyer = Phone::signed_up(&gate.url(), "buyer", "Bea Buyer", true).await;
    let _friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    server.top_up("buyer", "100.00").await;
    gate.black_hole();
    kill_when(
        &buyer,
        buyer.w().send("friend", "10.00", "CNY", "cancelled"),
        tokio::time::sleep(Duration::from_millis(200)),
    )
    .await;
    gate.open().await;
    let flushed = buyer.w().flush_outbox().await.unwrap();
    assert_eq!(flushed.len(), 1, "{flushed:?}");
    assert_eq!(flushed[0].state.as_str(), "done", "{flushed:?}");
    buyer.w().sync().await.unwrap();
    assert_eq!(server_entries_with_memo(&buyer_api, "cancelled").await, 1);
    assert_line(&buyer.cny(), 9_000, 0, 0, "after the flush");
}

/// A command whose answer was lost and which is retried only after the server forgot its
/// first answer (a phone offline for days, issue 12 point 10): the server refuses the key
/// (`409 idempotency_key_expired`) instead of answering success for a transfer it did not
/// make again, and the outbox shows that refusal as final, with its code and its words — not
/// as done, and not as a retry.
#[tokio::test]
async fn a_command_retried_after_its_key_expired_shows_the_refusal_and_moves_nothing_again() {
    let server = Server::start().await;
    let gate = Gate::new(&server).await;
    let buyer = Phone::signed_up(&gate.url(), "buyer", "Bea Buyer", true).await;
    let _friend = Phone::signed_up(&server.url, "friend", "Fay Friend", false).await;
    let buyer_api = buyer.server_view(&server);
    server.top_up("buyer", "100.00").await;

    gate.lose_next_answer_then_close();
    let outcome = buyer
        .w()
        .send("friend", "10.00", "CNY", "days later")
        .await
        .unwrap();
    assert_eq!(outcome.state.as_str(), "queued", "{outcome:?}");
    assert_eq!(server_cny(&buyer_api).await, (9_000, 0, 0), "applied once");

    // Days pass: housekeeping forgets every answer stored so far (the cutoff is after now, so
    // the phone's signing clock needs no change).
    let now = server.app.now();
    let before = danbao_server::store::PurgeBefore {
        idempotency: now + 1,
        ..danbao_server::purge_cutoffs(now)
    };
    use danbao_server::store::Store as _;
    let purged = server
        .app
        .store
        .write(move |tx| tx.purge(&before))
        .await
        .unwrap();
    assert!(purged.idempotency >= 1, "{purged:?}");

    gate.open().await;
    let flushed = buyer.w().flush_outbox().await.unwrap();
    assert_eq!(flushed.len(), 1, "{flushed:?}");
    let retried = &flushed[0];
    assert_eq!(retried.idempotency_key, outcome.idempotency_key, "same key");
    assert_eq!(retried.state.as_str(), "failed", "{retried:?}");
    assert_eq!(retried.problem.as_deref(), Some("idempotency_key_expired"));
    assert!(
        retried.message.contains("new key") && retried.message.contains("idempotency_key_expired"),
        "{}",
        retried.message
    );
    assert_eq!(retried.transfer_id, None);
    assert!(
        buyer
            .w()
            .outbox()
            .unwrap()
            .iter()
            .all(|c| c.state.as_str() != "pending")
    );
    assert_eq!(
        server_cny(&buyer_api).await,
        (9_000, 0, 0),
        "not applied again"
    );
    assert_eq!(server_entries_with_memo(&buyer_api, "days later").await, 1);
    server.assert_invariants().await;
}
