//! Merchant profiles the operator controls and look-alike payees (issue 12 points 1 and 2):
//! only an enrolled, enabled merchant charges payment codes; a display name that looks like a
//! verified merchant's is refused at sign-up and at rename; the resolve answers say whether a
//! payee is verified and whether its name looks like someone else's.

mod common;

use std::sync::atomic::Ordering;

use common::{Server, Wallet};
use danbao_domain::paycode::PaymentCodeGenerator;
use serde_json::{Value, json};

/// "Lotus Tea House" with a Cyrillic о, a Greek Τ and ο, different spacing, other case.
const LOOK_ALIKES: [&str; 5] = [
    "L\u{43e}tus Tea House",
    "Lotus \u{3a4}ea H\u{3bf}use",
    "Lotus  Tea House",
    "LotusTea House",
    "lotus tea house",
];

async fn code_generator(server: &Server, wallet: &Wallet) -> PaymentCodeGenerator {
    // Mid-step, so the code stays current while the test runs.
    let into = server.app.now().rem_euclid(60);
    let secs = (90 - into) % 60;
    server.app.clock.advance(secs);
    wallet.clock_offset.fetch_add(secs, Ordering::Relaxed);
    let (status, answer) = wallet.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    common::paycode_generator(&answer)
}

async fn charge(merchant: &Wallet, code: &str) -> (u16, Value) {
    merchant
        .post(
            "/v1/merchant/charges",
            &json!({"payment_code": code, "amount": "5.00", "currency": "CNY"}),
        )
        .await
}

fn problem(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["code"].as_str().unwrap_or_default())
}

/// Failed payment-code attempts recorded (any merchant, any time), through the store.
async fn failures(server: &Server) -> i64 {
    use danbao_server::store::Store;
    let count = server
        .app
        .store
        .read(|tx| tx.paycode_all_failures_since(i64::MIN))
        .await
        .unwrap();
    i64::from(count)
}

#[tokio::test]
async fn only_an_enrolled_enabled_merchant_charges_a_code_and_a_refusal_tells_nothing() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice Chen").await;
    server.top_up("alice", "100.00", "CNY").await;
    let fresh = server.sign_up("fresh", "Fresh Account").await;
    // The same clock offset for both signers (the provisioning moves the server clock).
    let generator = code_generator(&server, &alice).await;
    fresh.clock_offset.store(
        alice.clock_offset.load(Ordering::Relaxed),
        Ordering::Relaxed,
    );
    let genuine = generator.generate(server.app.now() as u64).unwrap().digits;

    // A fresh account charging a genuine code: refused before the code is read.
    let refused = charge(&fresh, &genuine).await;
    assert_eq!(
        problem(&refused),
        (403, "merchant_not_enrolled"),
        "{}",
        refused.1
    );
    let detail = refused.1["detail"].as_str().unwrap();
    for secret in ["alice", "Alice", "100", "10000", &genuine] {
        assert!(!detail.contains(secret), "{detail:?} reveals {secret:?}");
    }
    // A wrong code gets the same answer: the refusal cannot tell codes apart.
    let mut wrong = genuine.clone().into_bytes();
    wrong[17] = b'0' + (wrong[17] - b'0' + 1) % 10;
    let wrong = charge(&fresh, std::str::from_utf8(&wrong).unwrap()).await;
    assert_eq!(wrong.1["detail"], refused.1["detail"]);
    assert_eq!(failures(&server).await, 0, "no guess was counted");
    assert_eq!(alice.available("CNY").await, 10_000);

    // Enrolled by the operator, the same account charges the same code.
    let profile = server
        .merchant("fresh", json!({"action": "enrol", "category": "5814"}))
        .await;
    assert_eq!(profile["enabled"], true);
    assert_eq!(profile["verified"], false);
    assert_eq!(profile["category"], "5814");
    let (status, charged) = charge(&fresh, &genuine).await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(alice.available("CNY").await, 9_500);

    // Switched off by the operator: refused again, with its own code; switched on: charges.
    let off = server.merchant("fresh", json!({"action": "disable"})).await;
    assert_eq!(off["enabled"], false);
    let next = generator
        .generate(server.app.now() as u64 + 60)
        .unwrap()
        .digits;
    server.app.clock.advance(60);
    alice.clock_offset.fetch_add(60, Ordering::Relaxed);
    fresh.clock_offset.fetch_add(60, Ordering::Relaxed);
    let disabled = charge(&fresh, &next).await;
    assert_eq!(
        problem(&disabled),
        (403, "merchant_disabled"),
        "{}",
        disabled.1
    );
    assert!(!disabled.1["detail"].as_str().unwrap().contains("alice"));
    assert_eq!(alice.available("CNY").await, 9_500);
    // Enrolling again does not switch it back on; enabling does.
    assert_eq!(server.enrol("fresh").await["enabled"], false);
    server.merchant("fresh", json!({"action": "enable"})).await;
    let (status, charged) = charge(&fresh, &next).await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(alice.available("CNY").await, 9_000);
    server.invariants().await;
}

#[tokio::test]
async fn merchant_changes_are_the_operators_and_are_checked() {
    let server = Server::start().await;
    let shop = server.sign_up("shop", "Corner Shop").await;

    // Not for a device: the route needs the operator token.
    let (status, answer) = shop
        .post("/v1/admin/merchants/shop", &json!({"action": "enrol"}))
        .await;
    assert_eq!(status, 401, "{answer}");
    // Not enrolled yet: nothing to enable or verify.
    for change in [
        json!({"action": "enable"}),
        json!({"action": "verify", "verified_name": "Corner Shop"}),
    ] {
        let (status, answer) = server
            .operator("POST", "/v1/admin/merchants/shop", Some(&change), None)
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (404, Some("unknown_merchant"))
        );
    }
    let (status, answer) = server
        .operator(
            "POST",
            "/v1/admin/merchants/nobody",
            Some(&json!({"action": "enrol"})),
            None,
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (404, Some("unknown_user"))
    );
    server.enrol("shop").await;
    for bad in [
        json!({"action": "verify"}),
        json!({"action": "verify", "verified_name": "Corner\u{202e}Shop"}),
        json!({"action": "disable", "verified_name": "Corner Shop"}),
        json!({"action": "enrol", "category": "58a4"}),
    ] {
        let (status, answer) = server
            .operator("POST", "/v1/admin/merchants/shop", Some(&bad), None)
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (422, Some("invalid_merchant_change")),
            "{bad}: {answer}"
        );
    }
    let verified = server
        .merchant(
            "shop",
            json!({"action": "verify", "verified_name": "Corner Shop Ltd"}),
        )
        .await;
    assert_eq!(verified["verified"], true);
    assert_eq!(verified["verified_name"], "Corner Shop Ltd");
    let (status, shown) = server
        .operator("GET", "/v1/admin/merchants/shop", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(shown, verified);
    let unverified = server.merchant("shop", json!({"action": "unverify"})).await;
    assert_eq!(unverified["verified"], false);
    assert_eq!(unverified["verified_name"], Value::Null);
}

async fn lotus(server: &Server) -> Wallet {
    let lotus = server.sign_up("lotus", "Lotus Tea House").await;
    server.enrol("lotus").await;
    server
        .merchant(
            "lotus",
            json!({"action": "verify", "verified_name": "Lotus Tea House"}),
        )
        .await;
    lotus
}

#[tokio::test]
async fn a_look_alike_of_a_verified_merchant_is_refused_at_sign_up_and_rename() {
    let server = Server::start().await;
    let lotus = lotus(&server).await;

    for (n, name) in LOOK_ALIKES.iter().enumerate() {
        let handle = format!("impostor{n}");
        let (status, answer) = server.sign_up_named_raw(&handle, name).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (409, Some("display_name_confusable")),
            "{name:?}: {answer}"
        );
        // Nothing was created: the handle is still free.
        let (status, _) = lotus.get(&format!("/v1/users/{handle}")).await;
        assert_eq!(status, 404);
    }
    // Its verified name counts too, not only its display name.
    server
        .merchant(
            "lotus",
            json!({"action": "verify", "verified_name": "Lotus Teahouse Hangzhou"}),
        )
        .await;
    let (status, answer) = server
        .sign_up_named_raw("impostor9", "L\u{43e}tus Teahouse Hangzhou")
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("display_name_confusable"))
    );

    // An ordinary user renaming to a look-alike is refused and keeps its name.
    let mallory = server.sign_up("mallory", "Mallory").await;
    for name in LOOK_ALIKES {
        let (status, answer) = mallory
            .post("/v1/me/display-name", &json!({"display_name": name}))
            .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (409, Some("display_name_confusable")),
            "{name:?}: {answer}"
        );
    }
    let (_, me) = mallory.get("/v1/me").await;
    assert_eq!(me["display_name"], "Mallory");
    let (status, answer) = mallory
        .post(
            "/v1/me/display-name",
            &json!({"display_name": "Mal\u{200b}lory"}),
        )
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (422, Some("invalid_display_name"))
    );

    // A different name is fine; the merchant itself may respell its own name.
    let (status, renamed) = mallory
        .post(
            "/v1/me/display-name",
            &json!({"display_name": "  Mallory's Tea  "}),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["display_name"], "Mallory's Tea");
    let (status, renamed) = lotus
        .post(
            "/v1/me/display-name",
            &json!({"display_name": "LOTUS TEA HOUSE"}),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["verified"], true);

    // Unverified, the merchant's name is an ordinary one again: a same-looking name is
    // allowed (two people may share a name) and flagged.
    server
        .merchant("lotus", json!({"action": "unverify"}))
        .await;
    let twin = server.sign_up("twin", "L\u{43e}tus Tea House").await;
    let (status, profile) = twin.get("/v1/users/lotus").await;
    assert_eq!(status, 200);
    assert_eq!(profile["verified"], false);
    assert_eq!(profile["look_alike"], true);
    assert_eq!(profile["resembles_verified"], false);
}

#[tokio::test]
async fn resolve_answers_say_verified_and_look_alike() {
    let server = Server::start().await;
    // An impostor who took the name before the shop was verified.
    let impostor = server.sign_up("lotus_tea", "L\u{43e}tus Tea House").await;
    let lotus = lotus(&server).await;
    let wei = server.sign_up("wei", "Wei Zhang").await;
    let other_wei = server.sign_up("wei2", "Wei  Zhang").await;

    let (status, shop) = wei.get("/v1/users/lotus").await;
    assert_eq!(status, 200, "{shop}");
    assert_eq!(shop["verified"], true);
    assert_eq!(shop["verified_name"], "Lotus Tea House");
    assert_eq!(shop["resembles_verified"], false);

    let (_, fake) = wei.get("/v1/users/lotus_tea").await;
    assert_eq!(fake["verified"], false);
    assert_eq!(fake["verified_name"], Value::Null);
    assert_eq!(fake["look_alike"], true);
    assert_eq!(fake["resembles_verified"], true);

    // Two ordinary users with the same name: both allowed, each flagged.
    let (_, twin) = lotus.get("/v1/users/wei2").await;
    assert_eq!(twin["look_alike"], true);
    assert_eq!(twin["resembles_verified"], false);
    let (_, alone) = other_wei.get("/v1/users/lotus").await;
    assert_eq!(
        alone["look_alike"], true,
        "the impostor looks like the shop"
    );

    // The same facts on a scanned code's confirm screen.
    let (status, issued) = impostor
        .post("/v1/codes", &json!({"kind": "merchant", "currency": "CNY"}))
        .await;
    assert_eq!(status, 201, "{issued}");
    let (status, resolved) = wei
        .post("/v1/codes/resolve", &json!({"code": issued["code"]}))
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["payee"]["handle"], "lotus_tea");
    assert_eq!(resolved["verified"], false);
    assert_eq!(resolved["resembles_verified"], true);
    let (_, issued) = lotus
        .post("/v1/codes", &json!({"kind": "merchant", "currency": "CNY"}))
        .await;
    let (_, resolved) = wei
        .post("/v1/codes/resolve", &json!({"code": issued["code"]}))
        .await;
    assert_eq!(resolved["verified"], true);
    assert_eq!(resolved["verified_name"], "Lotus Tea House");
}
