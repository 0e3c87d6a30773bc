//! Tampered QR codes through the `Wallet` facade: a signed receive code or order code whose
//! amount, payee or printed name was edited — with the CRC recomputed, so the code passes the
//! CRC check like a genuine one — is refused at scan and at pay with an error that names the
//! signature, before any money moves: balances unchanged on the phone and the server, the
//! payer's server activity holds only the top-up, and the outbox completed nothing. The
//! genuine codes are then paid, proving the refusals are about the edits. Offline, a tampered
//! code cannot be checked and its payment is queued; the server refuses it when it arrives
//! (final, with the signature error) and nothing moves either.

mod wallet_common;

use danbao_client::WalletError;
use danbao_domain::qr::emv::{self, MerchantAccount};
use wallet_common::*;

/// Decodes `code`, applies `edit`, encodes it again (which writes a fresh, matching CRC).
fn tampered(code: &str, edit: impl FnOnce(&mut emv::MerchantPayload)) -> String {
    let mut payload = emv::decode(code).unwrap();
    edit(&mut payload);
    let text = emv::encode(&payload).unwrap();
    assert_ne!(text, code, "the edit changed nothing");
    // The CRC is right: the edited code is structurally as good as the genuine one.
    assert!(
        emv::decode(&text).is_ok(),
        "tampered code fails the CRC: {text}"
    );
    text
}

/// Sets sub-field `sub` of the Danbao merchant-account template (tag 26).
fn set_account_field(payload: &mut emv::MerchantPayload, sub: u8, value: &str) {
    let account = payload
        .merchant_accounts
        .iter_mut()
        .find(|a| a.guid() == Some("app.danbao"))
        .expect("a Danbao template");
    let MerchantAccount::Template { fields, .. } = account else {
        panic!("tag 26 is a template")
    };
    let field = fields
        .iter_mut()
        .find(|f| f.tag == sub)
        .unwrap_or_else(|| panic!("26.{sub:02} present"));
    field.value = value.to_owned();
}

/// What the wallet says about a tampered code, at scan and at pay: refused, and why.
async fn refusals(payer: &Phone, code: &str, amount: Option<&str>) -> (String, String) {
    let scanned = match payer.w().scan(code).await {
        Ok(screen) => {
            assert!(
                !screen.payable,
                "tampered code shown as payable: {screen:?}"
            );
            assert!(
                !screen.reasons.is_empty(),
                "refused without a reason: {screen:?}"
            );
            screen.reasons.join("; ")
        }
        Err(e) => e.to_string(),
    };
    let paid = match payer.w().pay(code, amount).await {
        Ok(outcome) => {
            assert_eq!(
                outcome.state.as_str(),
                "failed",
                "tampered code paid: {outcome:?}"
            );
            assert_eq!(outcome.transfer_id, None, "{outcome:?}");
            outcome.message
        }
        Err(
            e @ (WalletError::Code { .. }
            | WalletError::Server { .. }
            | WalletError::InvalidInput { .. }),
        ) => e.to_string(),
        Err(other) => panic!("pay of a tampered code: unexpected error {other:?}"),
    };
    (scanned, paid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_codes_are_refused_before_any_money_moves() {
    let server = Server::start().await;
    let buyer = Phone::signed_up(&server.url, "buyer", "Bea Buyer", true).await;
    let seller = Phone::signed_up(&server.url, "seller", "Lotus Tea House", true).await;
    let friend = Phone::signed_up(&server.url, "friend", "Fay Friend", true).await;
    // The attacker who would like the money.
    let mallory = Phone::signed_up(&server.url, "mallory", "Mallory", true).await;
    let apis = [
        buyer.server_view(&server),
        seller.server_view(&server),
        friend.server_view(&server),
        mallory.server_view(&server),
    ];
    server.top_up("buyer", "500.00").await;
    buyer.w().sync().await.unwrap();

    let receive = friend.w().receive_code(Some("12.50"), "CNY").await.unwrap();
    let order = seller
        .w()
        .create_order("Desk lamp", "88.00", "CNY")
        .await
        .unwrap();
    // Control: decode + encode without an edit reproduces the codes byte for byte, so each
    // tampered code below differs from the genuine one only by its edit (and the CRC).
    for genuine in [&receive.text, &order.code.text] {
        assert_eq!(
            &emv::encode(&emv::decode(genuine).unwrap()).unwrap(),
            genuine
        );
    }

    let cases = [
        (
            "receive code, amount 12.50 -> 1.25",
            tampered(&receive.text, |p| p.amount = Some("1.25".into())),
            None,
        ),
        (
            "receive code, payee friend -> mallory",
            tampered(&receive.text, |p| set_account_field(p, 2, "mallory")),
            None,
        ),
        (
            "receive code, printed name -> Mallory",
            tampered(&receive.text, |p| p.merchant_name = Some("Mallory".into())),
            None,
        ),
        (
            "order code, amount 88.00 -> 8.80",
            tampered(&order.code.text, |p| p.amount = Some("8.80".into())),
            None,
        ),
        (
            "order code, seller -> mallory",
            tampered(&order.code.text, |p| set_account_field(p, 1, "mallory")),
            None,
        ),
        (
            // Amount removed and the payer types one: still the signed code, edited.
            "receive code, amount removed (payer enters 1.00)",
            tampered(&receive.text, |p| p.amount = None),
            Some("1.00"),
        ),
    ];
    for (what, code, amount) in &cases {
        let (scanned, paid) = refusals(&buyer, code, *amount).await;
        eprintln!("{what}\n  scan: {scanned}\n  pay:  {paid}");
        for (when, reason) in [("scan", &scanned), ("pay", &paid)] {
            assert!(
                reason.contains("signature does not verify")
                    && reason.contains("code_signature_invalid"),
                "{what}: the {when} refusal must name the signature: {reason}"
            );
        }
    }
    // An edit without a recomputed CRC fails the CRC, locally and precisely.
    let bad_crc = receive.text.replace("540512.50", "540599.50");
    assert_ne!(bad_crc, receive.text, "tag 54 is 12.50");
    let (scanned, paid) = refusals(&buyer, &bad_crc, None).await;
    eprintln!("edited amount, CRC not recomputed\n  scan: {scanned}\n  pay:  {paid}");
    assert!(scanned.contains("CRC"), "scan of a bad CRC: {scanned}");
    assert!(paid.contains("CRC"), "pay of a bad CRC: {paid}");

    // Offline the wallet cannot ask the server about a code, so a tampered payment is queued;
    // when it arrives the server refuses it for the same reason, finally, and nothing moves.
    let gate = Gate::new(&server).await;
    let offline = Phone::signed_up(&gate.url(), "offline", "Otto Offline", true).await;
    let offline_api = offline.server_view(&server);
    server.top_up("offline", "100.00").await;
    gate.close();
    let (_, edited, _) = &cases[0];
    let queued = offline.w().pay(edited, None).await.unwrap();
    assert_eq!(queued.state.as_str(), "queued", "{queued:?}");
    gate.open().await;
    let flushed = offline.w().flush_outbox().await.unwrap();
    assert_eq!(flushed.len(), 1, "{flushed:?}");
    assert_eq!(flushed[0].state.as_str(), "failed", "{flushed:?}");
    assert!(
        flushed[0].message.contains("signature does not verify"),
        "{flushed:?}"
    );
    assert!(
        offline
            .w()
            .outbox()
            .unwrap()
            .iter()
            .all(|i| i.state.as_str() == "failed")
    );
    assert_eq!(server_cny(&offline_api).await, (10_000, 0, 0));
    assert_eq!(
        server_activity(&offline_api).await.len(),
        1,
        "the top-up alone"
    );

    // No money moved anywhere; the payer's server activity is the top-up alone.
    assert_eq!(server_cny(&apis[0]).await, (50_000, 0, 0));
    for api in &apis[1..] {
        assert_eq!(server_cny(api).await, (0, 0, 0));
    }
    let activity = server_activity(&apis[0]).await;
    assert_eq!(activity.len(), 1, "{activity:?}");
    assert_eq!(activity[0].data["type"], "top_up");
    assert_line(
        &buyer.synced_cny().await,
        50_000,
        0,
        0,
        "after the refusals",
    );
    assert!(
        buyer
            .w()
            .outbox()
            .unwrap()
            .iter()
            .all(|i| i.state.as_str() != "done"),
        "no tampered payment completed: {:?}",
        buyer.w().outbox()
    );
    assert!(
        buyer.w().home().unwrap().outbox.is_empty(),
        "refused payments do not wait to be retried"
    );
    let order_now = seller.w().order(&order.order.id).await.unwrap();
    assert_eq!(order_now.state.as_str(), "awaiting_payment");

    // The genuine codes pay.
    done(
        buyer.w().pay(&receive.text, None).await,
        "genuine receive code",
    );
    done(
        buyer.w().pay(&order.code.text, None).await,
        "genuine order code",
    );
    assert_eq!(
        server_cny(&apis[0]).await,
        (50_000 - 1_250 - 8_800, 8_800, 0)
    );
    assert_eq!(server_cny(&apis[2]).await, (1_250, 0, 0));
    assert_eq!(server_cny(&apis[3]).await, (0, 0, 0));
    server.assert_invariants().await;
}
