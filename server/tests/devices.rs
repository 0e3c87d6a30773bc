//! Devices (issue 12 point 8): adding a device with a one-time approval code, listing and
//! revoking devices, and the attacks: a revoked device's requests and payment codes, approval
//! codes reused, expired or guessed, and another user's device revoking yours.

mod common;

use std::sync::atomic::Ordering;

use base64::Engine;
use common::{Server, Wallet, fresh_nonce, next_key, unix_now};
use danbao_domain::paycode::PaymentCodeGenerator;
use serde_json::{Value, json};

fn code_of(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

/// Moves the server clock and the wallets' signing clocks forward together.
fn advance(server: &Server, wallets: &[&Wallet], secs: i64) {
    server.app.clock.advance(secs);
    for wallet in wallets {
        wallet.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }
}

/// A fresh approval code of `wallet`'s user.
async fn approval(wallet: &Wallet) -> String {
    let (status, answer) = wallet.approval_code().await;
    assert_eq!(status, 201, "{answer}");
    answer["code"].as_str().unwrap().to_owned()
}

/// Adds a device named `name` to `wallet`'s user.
async fn add_device(server: &Server, wallet: &Wallet, name: &str) -> Wallet {
    let code = approval(wallet).await;
    let mut device = server.new_device();
    device
        .clock_offset
        .store(wallet.offset(), Ordering::Relaxed);
    let joined = device.join(&code, None, name).await;
    assert_eq!(joined.0, 201, "{}", joined.1);
    device
}

async fn revoke(by: &Wallet, device: &str) -> (u16, Value) {
    by.post(&format!("/v1/devices/{device}/revoke"), &json!({}))
        .await
}

/// A code that was never issued (well formed).
fn made_up_code(n: u32) -> String {
    format!("ZZZZ-ZZZZ-ZZZZ-{n:04}")
}

#[tokio::test]
async fn a_second_device_joins_with_an_approval_code_and_both_are_listed() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    server.top_up("alice", "20.00", "CNY").await;

    // The server's clock may tick a second during a request: times are checked against the
    // clock before and after it.
    let asked = server.app.now();
    let (status, approval) = phone.approval_code().await;
    assert_eq!(status, 201, "{approval}");
    let code = approval["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 19);
    assert_eq!(code.matches('-').count(), 3);
    assert_eq!(approval["qr_payload"], format!("DANBAO-JOIN:{code}"));
    let expires_at = approval["expires_at"].as_i64().unwrap();
    assert!(
        (asked + 600..=server.app.now() + 600).contains(&expires_at),
        "expires at {expires_at}, asked at {asked}"
    );

    // The QR payload works as the code; the new device becomes a device of the same user.
    let mut tablet = server.new_device();
    let joining = server.app.now();
    let (status, joined) = tablet
        .join(approval["qr_payload"].as_str().unwrap(), None, "Tablet")
        .await;
    assert_eq!(status, 201, "{joined}");
    assert_eq!(joined["user_id"], phone.user_id);
    assert_eq!(joined["handle"], "alice");
    assert_eq!(joined["display_name"], "Alice Chen");
    assert_ne!(tablet.device, phone.device);
    let (status, me) = tablet.get("/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user_id"], phone.user_id);
    assert_eq!(tablet.available("CNY").await, 2_000);

    let (status, list) = tablet.get("/v1/devices").await;
    assert_eq!(status, 200, "{list}");
    let devices = list["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[0]["id"].to_string(), phone.device);
    assert_eq!(devices[0]["name"], "test phone");
    assert_eq!(devices[0]["this_device"], false);
    assert_eq!(devices[1]["name"], "Tablet");
    assert_eq!(devices[1]["this_device"], true);
    assert!(devices[1].get("revoked_at").is_none());
    let created_at = devices[1]["created_at"].as_i64().unwrap();
    assert!(
        (joining..=server.app.now()).contains(&created_at),
        "created at {created_at}, joined at {joining}"
    );

    // A signed change moves "last seen".
    advance(&server, &[&phone, &tablet], 120);
    let before = server.app.now();
    let (status, _) = tablet
        .post(
            "/v1/transfers",
            &json!({"to": "alice", "amount": "1.00", "currency": "CNY"}),
        )
        .await;
    assert_eq!(
        status, 422,
        "a payment to oneself is refused, the device was seen"
    );
    let (_, list) = phone.get("/v1/devices").await;
    // The server's clock may tick a second between the request and this check.
    let seen = list["devices"][1]["last_seen_at"].as_i64().unwrap();
    assert!(
        (before..=server.app.now()).contains(&seen),
        "seen at {seen}, asked at {before}"
    );
    assert_eq!(list["devices"][0]["this_device"], true);

    // Only the hash of a code is kept, and no stored answer holds it.
    let db = common::Db::open(&server);
    let bodies = db.bytes("SELECT body FROM idempotency", &[]);
    assert!(!bodies.is_empty(), "the approval's answer is stored");
    let hashes = db.bytes("SELECT code_hash FROM device_approvals", &[]);
    assert_eq!(hashes.len(), 1, "one approval code was issued");
    assert_eq!(hashes[0].len(), 32);
    let leaks = bodies
        .iter()
        .chain(&hashes)
        .filter(|stored| common::holds(stored, code.as_bytes()))
        .count();
    assert_eq!(leaks, 0);
}

#[tokio::test]
async fn approval_codes_are_single_use_short_lived_few_and_bound_to_their_user() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let _bob = server.sign_up("bob", "Bob Li").await;

    // Used once: a second device with the same code is refused, precisely.
    let code = approval(&phone).await;
    let mut first = server.new_device();
    assert_eq!(first.join(&code, Some("alice"), "Tablet").await.0, 201);
    let mut second = server.new_device();
    let reused = second.join(&code, None, "Laptop").await;
    assert_eq!(
        code_of(&reused),
        (409, Some("approval_code_used")),
        "{}",
        reused.1
    );

    // A code named with another user's handle is no code of that user.
    let code = approval(&phone).await;
    let wrong_user = second.join(&code, Some("bob"), "Laptop").await;
    assert_eq!(code_of(&wrong_user), (422, Some("approval_code_invalid")));
    let unknown_user = second.join(&code, Some("nobody"), "Laptop").await;
    assert_eq!(code_of(&unknown_user), (422, Some("approval_code_invalid")));

    // Ten minutes later it has expired (it was never used).
    advance(&server, &[&phone, &second], 601);
    let expired = second.join(&code, Some("alice"), "Laptop").await;
    assert_eq!(
        code_of(&expired),
        (422, Some("approval_code_expired")),
        "{}",
        expired.1
    );

    // At most three open at once.
    for _ in 0..3 {
        approval(&phone).await;
    }
    let fourth = phone.approval_code().await;
    assert_eq!(
        code_of(&fourth),
        (409, Some("too_many_approval_codes")),
        "{}",
        fourth.1
    );
    assert_eq!(second.device, "", "no refused join registered the device");
    let (_, list) = phone.get("/v1/devices").await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn guessing_approval_codes_locks_the_named_user_then_everyone() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let genuine = approval(&phone).await;
    let mut thief = server.new_device();
    for n in 0..5 {
        let guess = thief.join(&made_up_code(n), Some("alice"), "Thief").await;
        assert_eq!(code_of(&guess), (422, Some("approval_code_invalid")));
    }
    // Past the budget the genuine code is refused too, with or without the handle.
    let body = json!({
        "code": genuine,
        "handle": "alice",
        "public_key": base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(ring::signature::KeyPair::public_key(&thief.key).as_ref()),
        "device_name": "Thief",
    })
    .to_string()
    .into_bytes();
    let response = thief
        .signed(
            "new",
            "POST",
            "/v1/devices/join",
            body,
            Some(&next_key()),
            &fresh_nonce(),
            unix_now() + thief.offset(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap(),
        "600"
    );
    let problem: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(problem["code"], "too_many_attempts");
    let alone = thief.join(&genuine, None, "Thief").await;
    assert_eq!(
        code_of(&alone),
        (429, Some("too_many_attempts")),
        "{}",
        alone.1
    );
    assert_eq!(thief.device, "");

    // Once the failures leave the window, a new code adds the device.
    advance(&server, &[&phone, &thief], 601);
    let code = approval(&phone).await;
    assert_eq!(thief.join(&code, Some("alice"), "Tablet").await.0, 201);

    // Guesses without a handle are counted globally: past 200 every join pauses.
    let fresh = approval(&phone).await;
    let mut guesser = server.new_device();
    guesser
        .clock_offset
        .store(phone.offset(), Ordering::Relaxed);
    for n in 0..200 {
        let guess = guesser.join(&made_up_code(n), None, "Guesser").await;
        assert_eq!(guess.0, 422, "{}", guess.1);
    }
    let paused = guesser.join(&fresh, None, "Guesser").await;
    assert_eq!(
        code_of(&paused),
        (429, Some("too_many_attempts")),
        "{}",
        paused.1
    );
    assert_eq!(guesser.device, "");
}

#[tokio::test]
async fn a_revoked_device_is_refused_at_once_even_with_a_fresh_nonce() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    server.top_up("alice", "50.00", "CNY").await;
    let _bob = server.sign_up("bob", "Bob Li").await;
    let lost = add_device(&server, &phone, "Old phone").await;
    // The lost phone's key is cached by a read and a write.
    assert_eq!(lost.get("/v1/me").await.0, 200);
    let pay = json!({"to": "bob", "amount": "1.00", "currency": "CNY"});
    assert_eq!(lost.post("/v1/transfers", &pay).await.0, 200);

    let revoking = server.app.now();
    let (status, revoked) = revoke(&phone, &lost.device).await;
    assert_eq!(status, 200, "{revoked}");
    let revoked_at = revoked["revoked_at"].as_i64().unwrap();
    assert!(
        (revoking..=server.app.now()).contains(&revoked_at),
        "revoked at {revoked_at}, asked at {revoking}"
    );
    assert_eq!(revoked["this_device"], false);

    // Reads and writes, each freshly signed with a new nonce and key.
    let read = lost.get("/v1/me").await;
    assert_eq!(code_of(&read), (401, Some("device_revoked")), "{}", read.1);
    let write = lost.post("/v1/transfers", &pay).await;
    assert_eq!(
        code_of(&write),
        (401, Some("device_revoked")),
        "{}",
        write.1
    );
    assert_eq!(phone.available("CNY").await, 4_900);

    // Even an instance that never heard of the revocation (its cache holds the key) changes
    // nothing for the device: the write transaction itself refuses it.
    server.app.revoked_devices.write().unwrap().clear();
    let key = ring::signature::KeyPair::public_key(&lost.key)
        .as_ref()
        .to_vec();
    server.app.device_keys.write().unwrap().insert(
        lost.device.parse().unwrap(),
        (phone.user_id, key, std::time::Instant::now()),
    );
    let write = lost.post("/v1/transfers", &pay).await;
    assert_eq!(
        code_of(&write),
        (401, Some("device_revoked")),
        "{}",
        write.1
    );
    assert_eq!(phone.available("CNY").await, 4_900);
    server.invariants().await;

    // The list shows it revoked; the phone still works.
    let (_, list) = phone.get("/v1/devices").await;
    assert_eq!(list["devices"][0]["this_device"], true);
    assert_eq!(list["devices"][1]["revoked_at"], revoked["revoked_at"]);
}

#[tokio::test]
async fn the_last_active_device_cannot_be_revoked_and_a_device_can_revoke_itself() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let last = revoke(&phone, &phone.device).await;
    assert_eq!(code_of(&last), (409, Some("last_device")), "{}", last.1);
    assert_eq!(phone.get("/v1/me").await.0, 200);

    let tablet = add_device(&server, &phone, "Tablet").await;
    let (status, itself) = revoke(&tablet, &tablet.device).await;
    assert_eq!(status, 200, "{itself}");
    assert_eq!(itself["this_device"], true);
    assert_eq!(
        code_of(&tablet.get("/v1/me").await),
        (401, Some("device_revoked"))
    );

    // Revoking it again answers its view; the phone, now alone again, stays.
    let (status, again) = revoke(&phone, &tablet.device).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["revoked_at"], itself["revoked_at"]);
    let last = revoke(&phone, &phone.device).await;
    assert_eq!(code_of(&last), (409, Some("last_device")));

    // The account's feed told every device: the join, then one revocation (the repeated
    // revoke and the refused ones add nothing).
    let (status, events) = phone.get("/v1/events?limit=50").await;
    assert_eq!(status, 200, "{events}");
    let notices: Vec<(String, String, String)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["kind"] == "security")
        .map(|event| {
            let data = &event["data"];
            (
                data["type"].as_str().unwrap().to_owned(),
                data["name"].as_str().unwrap().to_owned(),
                data["device_id"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        notices,
        [
            (
                "device_added".into(),
                "Tablet".into(),
                tablet.device.clone()
            ),
            (
                "device_revoked".into(),
                "Tablet".into(),
                tablet.device.clone()
            ),
        ]
    );
}

#[tokio::test]
async fn another_users_device_cannot_revoke_yours() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let tablet = add_device(&server, &phone, "Tablet").await;
    let bob = server.sign_up("bob", "Bob Li").await;
    let _bobs_tablet = add_device(&server, &bob, "Bob's tablet").await;

    for target in [&phone.device, &tablet.device] {
        let refused = revoke(&bob, target).await;
        assert_eq!(
            code_of(&refused),
            (404, Some("unknown_device")),
            "{}",
            refused.1
        );
    }
    let unknown = revoke(&bob, "999999").await;
    assert_eq!(code_of(&unknown), (404, Some("unknown_device")));
    assert_eq!(phone.get("/v1/me").await.0, 200);
    assert_eq!(tablet.get("/v1/me").await.0, 200);
    // Bob's list shows only his own devices.
    let (_, list) = bob.get("/v1/devices").await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 2);
    let ids: Vec<String> = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|device| device["id"].to_string())
        .collect();
    assert!(
        !ids.contains(&phone.device) && !ids.contains(&tablet.device),
        "{ids:?}"
    );
}

fn generator(answer: &Value) -> PaymentCodeGenerator {
    common::paycode_generator(answer)
}

async fn charge(merchant: &Wallet, code: &str, amount: &str) -> (u16, Value) {
    merchant
        .post(
            "/v1/merchant/charges",
            &json!({"payment_code": code, "amount": amount, "currency": "CNY"}),
        )
        .await
}

#[tokio::test]
async fn a_revoked_devices_payment_codes_are_refused_and_the_others_still_pay() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let shop = server.sign_up_merchant("shop", "Corner Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    let lost = add_device(&server, &phone, "Old phone").await;
    // The middle of a 60 s step, so codes made now stay current while the test runs.
    let into = server.app.now().rem_euclid(60);
    advance(&server, &[&phone, &shop, &lost], (90 - into) % 60);

    let (status, lost_secret) = lost.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{lost_secret}");
    let (status, phone_secret) = phone.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{phone_secret}");
    assert_ne!(lost_secret["account_index"], phone_secret["account_index"]);
    let lost_codes = generator(&lost_secret);
    let phone_codes = generator(&phone_secret);
    let first = lost_codes.generate(server.app.now() as u64).unwrap().digits;
    assert_eq!(charge(&shop, &first, "1.00").await.0, 200);

    assert_eq!(revoke(&phone, &lost.device).await.0, 200);
    // A code the lost phone showed before it was revoked, not yet charged, is refused now.
    advance(&server, &[&phone, &shop, &lost], 60);
    let stolen = lost_codes.generate(server.app.now() as u64).unwrap().digits;
    let refused = charge(&shop, &stolen, "1.00").await;
    assert_eq!(
        code_of(&refused),
        (422, Some("payment_code_rejected")),
        "{}",
        refused.1
    );
    assert_eq!(phone.available("CNY").await, 9_900);
    let kept = common::Db::open(&server).int(
        "SELECT count(*) FROM paycode_secrets WHERE device_id = ?1",
        &[common::Param::Int(lost.device.parse::<i64>().unwrap())],
    );
    assert_eq!(kept, 0, "the revoked device's secret is deleted");
    // A revoked device cannot provision a new secret either.
    let again = lost.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(code_of(&again), (401, Some("device_revoked")));

    // The phone's own codes still pay.
    let good = phone_codes
        .generate(server.app.now() as u64)
        .unwrap()
        .digits;
    let paid = charge(&shop, &good, "2.00").await;
    assert_eq!(paid.0, 200, "{}", paid.1);
    assert_eq!(phone.available("CNY").await, 9_700);
    server.invariants().await;
}

#[tokio::test]
async fn a_lost_phones_open_approval_codes_end_with_it() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let lost = add_device(&server, &phone, "Old phone").await;
    // The thief asks the lost phone for a code before its owner revokes it.
    let code = approval(&lost).await;
    assert_eq!(revoke(&phone, &lost.device).await.0, 200);
    let mut thief = server.new_device();
    let refused = thief.join(&code, None, "Thief").await;
    assert_eq!(
        code_of(&refused),
        (422, Some("approval_code_expired")),
        "{}",
        refused.1
    );
    let asked = lost.approval_code().await;
    assert_eq!(code_of(&asked), (401, Some("device_revoked")));
    let (_, list) = phone.get("/v1/devices").await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn housekeeping_forgets_expired_codes_and_old_refusals_only_after_the_window() {
    let server = Server::start().await;
    let phone = server.sign_up("alice", "Alice Chen").await;
    let code = approval(&phone).await;
    let mut thief = server.new_device();
    thief.clock_offset.store(phone.offset(), Ordering::Relaxed);
    assert_eq!(thief.join(&made_up_code(1), None, "Thief").await.0, 422);
    // Still within the window: nothing is forgotten, and the code is answered precisely.
    advance(&server, &[&phone, &thief], 601);
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!(purged.device_approvals, 0);
    let expired = thief.join(&code, None, "Thief").await;
    assert_eq!(code_of(&expired), (422, Some("approval_code_expired")));
    // Well after it: the expired code and both refusals go.
    advance(&server, &[&phone, &thief], 1_800);
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!(purged.device_approvals, 3, "{purged:?}");
}
