//! Payment codes over HTTP: provisioning (sealed at rest), a till charging a code once, the
//! ±1 step window, the failure budget, the amount cap and a payer without funds.

mod common;

use danbao_server::config::PaycodeCaps;

use std::sync::atomic::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, Wallet};
use danbao_domain::paycode::{
    MASK_WINDOW_STEPS, MaskWindow, PaycodeSecret, PaymentCodeGenerator, index_mask,
};
use serde_json::{Value, json};

/// Moves the server clock and the wallets' signing clocks forward together.
fn advance(server: &Server, wallets: &[&Wallet], secs: i64) {
    server.app.clock.advance(secs);
    for wallet in wallets {
        wallet.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }
}

/// Puts the server clock 30 s into a 60 s step, so codes made at now ± n·60 stay n steps
/// away while the test runs.
fn mid_step(server: &Server, wallets: &[&Wallet]) {
    let into = server.app.now().rem_euclid(60);
    advance(server, wallets, (90 - into) % 60);
}

struct Device {
    generator: PaymentCodeGenerator,
    answer: Value,
}

impl Device {
    fn code_at(&self, unix: i64) -> String {
        self.generator.generate(unix as u64).unwrap().digits
    }

    fn masks(&self) -> &MaskWindow {
        self.generator.masks()
    }
}

fn masks_of(answer: &Value) -> MaskWindow {
    MaskWindow::from_bytes(&STANDARD.decode(answer["masks"].as_str().unwrap()).unwrap()).unwrap()
}

async fn provision(wallet: &Wallet) -> Device {
    let (status, answer) = wallet.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    let secret = STANDARD.decode(answer["secret"].as_str().unwrap()).unwrap();
    assert_eq!(secret.len(), 32);
    assert_eq!(answer["digits"], 18);
    // No deployment-wide key reaches a device any more: only its own masks.
    assert!(answer.get("mask_key").is_none(), "{answer}");
    let generator = common::paycode_generator(&answer);
    Device { generator, answer }
}

async fn charge(merchant: &Wallet, code: &str, amount: &str) -> (u16, Value) {
    merchant
        .post(
            "/v1/merchant/charges",
            &json!({"payment_code": code, "amount": amount, "currency": "CNY"}),
        )
        .await
}

/// `code` with its last digit changed: a guess.
fn wrong_digits(code: &str) -> String {
    let mut digits = code.as_bytes().to_vec();
    digits[17] = b'0' + (digits[17] - b'0' + 1) % 10;
    String::from_utf8(digits).unwrap()
}

fn code_of(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

#[tokio::test]
async fn a_till_charges_a_code_once_and_the_secret_is_sealed() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice Chen").await;
    let shop = server.sign_up_merchant("shop", "Corner Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;

    let code = device.code_at(server.app.now());
    let (status, charged) = charge(&shop, &code, "12.00").await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(charged["payer"]["handle"], "alice");
    assert_eq!(charged["payer"]["display_name"], "Alice Chen");
    assert_eq!(charged["step_offset"], 0);
    assert_eq!(charged["balance"]["available"]["minor"], 1_200);
    assert_eq!(alice.available("CNY").await, 8_800);

    let replay = charge(&shop, &code, "12.00").await;
    assert_eq!(
        code_of(&replay),
        (409, Some("payment_code_used")),
        "{}",
        replay.1
    );
    assert!(!replay.1["detail"].as_str().unwrap().contains(&code));
    let (_, activity) = alice.get("/v1/activity?limit=5").await;
    assert_eq!(activity["items"][0]["data"]["type"], "paycode");
    assert_eq!(activity["items"][0]["data"]["counterparty"], "shop");

    // At rest: AES-GCM nonce + ciphertext + tag, never the secret; no stored answer holds it.
    let secret = STANDARD
        .decode(device.answer["secret"].as_str().unwrap())
        .unwrap();
    let db = common::Db::open(&server);
    let sealed = db.bytes(
        "SELECT sealed FROM paycode_secrets WHERE account_index = ?1",
        &[common::Param::Int(
            device.answer["account_index"].as_i64().unwrap(),
        )],
    );
    assert_eq!(sealed.len(), 1, "one sealed secret for the device");
    let sealed = &sealed[0];
    assert_eq!(sealed.len(), 12 + 32 + 16);
    assert!(!sealed.windows(8).any(|w| secret.windows(8).any(|s| s == w)));
    let bodies = db.bytes("SELECT body FROM idempotency", &[]);
    assert!(!bodies.is_empty(), "the charges' answers are stored");
    let encoded = device.answer["secret"].as_str().unwrap().as_bytes();
    let leaks = bodies
        .iter()
        .filter(|body| common::holds(body, encoded) || common::holds(body, &secret))
        .count();
    assert_eq!(leaks, 0);
    assert_eq!(server.invariants().await["transfers"], 2);
}

#[tokio::test]
async fn one_step_either_side_is_accepted_two_are_not() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;
    let now = server.app.now();

    for (offset, expected) in [(-60, -1), (60, 1)] {
        let (status, charged) = charge(&shop, &device.code_at(now + offset), "1.00").await;
        assert_eq!(status, 200, "{offset}: {charged}");
        assert_eq!(charged["step_offset"], expected);
    }
    let old = charge(&shop, &device.code_at(now - 120), "1.00").await;
    assert_eq!(
        code_of(&old),
        (422, Some("payment_code_expired")),
        "{}",
        old.1
    );
    // A genuine code two steps ahead is answered exactly like a wrong one (same code, same
    // words), so a submitter learns nothing from it, and it counts as a guess.
    let early = charge(&shop, &device.code_at(now + 120), "1.00").await;
    let wrong = charge(&shop, &wrong_digits(&device.code_at(now)), "1.00").await;
    assert_eq!(code_of(&early), (422, Some("payment_code_rejected")));
    assert_eq!(
        early.1["detail"], wrong.1["detail"],
        "{} / {}",
        early.1, wrong.1
    );
    let garbage = charge(&shop, "123456", "1.00").await;
    assert_eq!(code_of(&garbage), (422, Some("invalid_payment_code")));
    assert_eq!(alice.available("CNY").await, 9_800);
    assert_eq!(shop.available("CNY").await, 200);
    server.invariants().await;
}

#[tokio::test]
async fn wrong_codes_exhaust_the_merchants_budget() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    let other = server.sign_up_merchant("other", "Other Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    mid_step(&server, &[&alice, &shop, &other]);
    let device = provision(&alice).await;
    let genuine = device.code_at(server.app.now());

    for guess in 0..5u8 {
        let mut wrong = genuine.clone().into_bytes();
        wrong[17] = b'0' + (wrong[17] - b'0' + 1 + guess % 9) % 10;
        let wrong = String::from_utf8(wrong).unwrap();
        let refused = charge(&shop, &wrong, "1.00").await;
        assert_eq!(
            code_of(&refused),
            (422, Some("payment_code_rejected")),
            "{}",
            refused.1
        );
    }
    let blocked = charge(&shop, &genuine, "1.00").await;
    assert_eq!(
        code_of(&blocked),
        (429, Some("too_many_attempts")),
        "{}",
        blocked.1
    );
    assert_eq!(alice.available("CNY").await, 10_000);

    // The budget is the merchant's: another till still charges, and the code is unused.
    let (status, charged) = charge(&other, &genuine, "1.00").await;
    assert_eq!(status, 200, "{charged}");

    // After the window the merchant may charge again.
    advance(&server, &[&alice, &shop, &other], 601);
    let (status, charged) = charge(&shop, &device.code_at(server.app.now()), "2.00").await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(alice.available("CNY").await, 9_700);
    server.invariants().await;
}

#[tokio::test]
async fn charges_above_the_cap_or_beyond_the_balance_are_refused_and_keep_the_code() {
    let server = Server::start_with(|config| {
        config.paycode_cap = PaycodeCaps::parse("CNY=500").unwrap();
    })
    .await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "600.00", "CNY").await;
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;
    let code = device.code_at(server.app.now());

    let capped = charge(&shop, &code, "500.01").await;
    assert_eq!(
        code_of(&capped),
        (422, Some("confirmation_required")),
        "{}",
        capped.1
    );
    let at_cap = charge(&shop, &code, "500.00").await;
    assert_eq!(code_of(&at_cap), (200, None), "{}", at_cap.1);

    let code = device.code_at(server.app.now() + 60);
    let poor = charge(&shop, &code, "100.01").await;
    assert_eq!(
        code_of(&poor),
        (422, Some("insufficient_funds")),
        "{}",
        poor.1
    );
    // The merchant learns that this amount cannot be paid, never what the customer holds
    // (100.00 CNY, which it could then charge exactly) nor an account id (issue 12 point 3).
    assert_eq!(
        poor.1["detail"],
        "the customer's wallet cannot pay 100.01 CNY; ask the customer to top up or to pay \
         another way"
    );
    assert!(!poor.1.to_string().contains("100.00"), "{}", poor.1);
    let (status, charged) = charge(&shop, &code, "100.00").await;
    assert_eq!(
        status, 200,
        "the refused charge did not use the code: {charged}"
    );
    assert_eq!(alice.available("CNY").await, 0);
    assert_eq!(shop.available("CNY").await, 60_000);
    server.invariants().await;
}

#[tokio::test]
async fn reprovisioning_revokes_the_old_secret() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "10.00", "CNY").await;
    mid_step(&server, &[&alice, &shop]);
    let first = provision(&alice).await;
    let second = provision(&alice).await;
    assert_ne!(first.answer["secret"], second.answer["secret"]);
    // Each secret has its own masks: nothing shared between provisionings.
    assert_ne!(first.answer["masks"], second.answer["masks"]);
    let now = server.app.now();
    let stale = charge(&shop, &first.code_at(now), "1.00").await;
    assert_eq!(
        code_of(&stale),
        (422, Some("payment_code_rejected")),
        "{}",
        stale.1
    );
    let (status, charged) = charge(&shop, &second.code_at(now), "1.00").await;
    assert_eq!(status, 200, "{charged}");
    // Charging one's own code is refused (alice is enrolled to reach that check).
    server.enrol("alice").await;
    let own = charge(&alice, &second.code_at(now + 60), "1.00").await;
    assert_eq!(code_of(&own), (422, Some("same_account")));
    assert_eq!(alice.available("CNY").await, 900);
    server.invariants().await;
}

#[tokio::test]
async fn two_tills_racing_on_one_code_charge_it_once() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let one = server.sign_up_merchant("one", "Till One").await;
    let two = server.sign_up_merchant("two", "Till Two").await;
    server.top_up("alice", "100.00", "CNY").await;
    mid_step(&server, &[&alice, &one, &two]);
    let device = provision(&alice).await;
    let now = server.app.now();
    for offset in [-60, 0, 60] {
        let code = device.code_at(now + offset);
        let (a, b) = tokio::join!(charge(&one, &code, "1.00"), charge(&two, &code, "1.00"));
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{} / {}", a.1, b.1);
    }
    assert_eq!(alice.available("CNY").await, 9_700);
    assert_eq!(one.available("CNY").await + two.available("CNY").await, 300);
    server.invariants().await;
}

#[tokio::test]
async fn spent_steps_and_old_failures_are_forgotten_once_they_no_longer_matter() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;
    let code = device.code_at(server.app.now());
    let (status, charged) = charge(&shop, &code, "5.00").await;
    assert_eq!(status, 200, "{charged}");
    let mut wrong = code.clone().into_bytes();
    wrong[17] = b'0' + (wrong[17] - b'0' + 1) % 10;
    let refused = charge(&shop, &String::from_utf8(wrong).unwrap(), "1.00").await;
    assert_eq!(code_of(&refused), (422, Some("payment_code_rejected")));

    let db = common::Db::open(&server);
    let rows = |table: &str| -> i64 { db.int(&format!("SELECT count(*) FROM {table}"), &[]) };
    // While the code could still be presented, its used step stays and a replay is refused.
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!((purged.paycode_steps, purged.paycode_failures), (0, 0));
    let replay = charge(&shop, &code, "5.00").await;
    assert_eq!(code_of(&replay), (409, Some("payment_code_used")));

    // Eight steps later the code can no longer be accepted, so its step is forgotten; the
    // failed attempt still counts in the merchant's 10-minute window.
    advance(&server, &[&alice, &shop], 480);
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!((purged.paycode_steps, purged.paycode_failures), (1, 0));
    assert_eq!((rows("paycode_uses"), rows("paycode_failures")), (0, 1));
    // Presented again, the code is refused for its age: eight steps is past the window in
    // which the verifier can tell an old code from a wrong one, so it counts as a guess.
    let replay = charge(&shop, &code, "5.00").await;
    assert_eq!(
        code_of(&replay),
        (422, Some("payment_code_rejected")),
        "{}",
        replay.1
    );
    assert_eq!(rows("paycode_failures"), 2);

    // The first failure leaves the window (and its margin); the second is still counted.
    advance(&server, &[&alice, &shop], 500);
    let purged = danbao_server::housekeep(&server.app).await.unwrap();
    assert_eq!(purged.paycode_failures, 1);
    assert_eq!(rows("paycode_failures"), 1);
    assert_eq!(alice.available("CNY").await, 9_500);
    assert_eq!(server.invariants().await["transfers"], 2);
}

/// Issue 12 point 7: the cap is per currency, in major units, so 2000 means 2000 yuan and
/// 40000 yen — not 200,000 minor units of every currency (20 yuan for a 0-decimal one would be
/// 200,000 yen). A currency without a cap is not charged by payment code.
#[tokio::test]
async fn the_cap_is_per_currency_in_major_units() {
    let server = Server::start_with(|config| {
        config.paycode_cap = PaycodeCaps::parse("CNY=20,JPY=3000").unwrap();
    })
    .await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    server.top_up("alice", "10000", "JPY").await;
    server.top_up("alice", "10.00", "USD").await;
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;
    let code = device.code_at(server.app.now());
    let charge_in = |amount: &'static str, currency: &'static str, code: String| {
        let shop = &shop;
        async move {
            shop.post(
                "/v1/merchant/charges",
                &json!({"payment_code": code, "amount": amount, "currency": currency}),
            )
            .await
        }
    };

    let over = charge_in("3001", "JPY", code.clone()).await;
    assert_eq!(
        code_of(&over),
        (422, Some("confirmation_required")),
        "{}",
        over.1
    );
    assert!(
        over.1["detail"].as_str().unwrap().contains("3000 JPY"),
        "{}",
        over.1
    );
    let cny_over = charge_in("20.01", "CNY", code.clone()).await;
    assert_eq!(
        code_of(&cny_over),
        (422, Some("confirmation_required")),
        "{}",
        cny_over.1
    );
    let usd = charge_in("1.00", "USD", code.clone()).await;
    assert_eq!(
        code_of(&usd),
        (422, Some("confirmation_required")),
        "{}",
        usd.1
    );
    assert!(
        usd.1["detail"]
            .as_str()
            .unwrap()
            .contains("no payment-code limit is configured for USD"),
        "{}",
        usd.1
    );
    let at_cap = charge_in("3000", "JPY", code).await;
    assert_eq!(code_of(&at_cap), (200, None), "{}", at_cap.1);
    let code = device.code_at(server.app.now() + 60);
    let cny_at_cap = charge_in("20.00", "CNY", code).await;
    assert_eq!(code_of(&cny_at_cap), (200, None), "{}", cny_at_cap.1);
    assert_eq!(alice.available("JPY").await, 7_000);
    assert_eq!(alice.available("CNY").await, 8_000);
    assert_eq!(alice.available("USD").await, 1_000);
    server.invariants().await;
}

/// The code an attacker who somehow knows a customer's account index (not from her codes:
/// those no longer give it away) would send with TOTP guess `otp` at `step`: built with the
/// server's own mask key, which no device holds — the strongest position a guesser can be in.
fn targeted_code(server: &Server, index: u64, step: u64, otp: u32) -> String {
    let key = danbao_server::service::paycode::mask_key(&server.app.seal_key).unwrap();
    let masked = (index + u64::from(index_mask(&key, step, otp))) % 100_000_000;
    format!("29{}{masked:08}{otp:07}", step % 10)
}

#[tokio::test]
async fn guesses_spread_over_fresh_merchants_lock_the_targeted_customer_and_warn_her() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.top_up("alice", "100.00", "CNY").await;
    let mut merchants = Vec::new();
    for n in 0..6 {
        merchants.push(server.sign_up_merchant(&format!("shop{n}"), "Shop").await);
    }
    let mut everyone: Vec<&Wallet> = merchants.iter().collect();
    everyone.push(&alice);
    mid_step(&server, &everyone);
    let device = provision(&alice).await;

    // Her account index is known to the attacker (the worst case: codes no longer reveal it);
    // each fresh merchant account makes one guess at her current OTP, well under its own
    // budget of 5.
    let index = device.answer["account_index"].as_u64().unwrap();
    let genuine = device.code_at(server.app.now());
    let step = server.app.now() as u64 / 60;
    let otp: u32 = genuine[11..18].parse().unwrap();
    for (n, merchant) in merchants[..5].iter().enumerate() {
        let guess = (otp + 1 + n as u32) % 10_000_000;
        let code = targeted_code(&server, index, step, guess);
        let refused = charge(merchant, &code, "1.00").await;
        assert_eq!(
            code_of(&refused),
            (422, Some("payment_code_rejected")),
            "{}",
            refused.1
        );
    }

    // Her index is now locked for every merchant, a brand-new one included: even her genuine
    // code is answered exactly like a wrong one, and nothing moves.
    let locked = charge(&merchants[5], &genuine, "1.00").await;
    assert_eq!(
        code_of(&locked),
        (422, Some("payment_code_rejected")),
        "{}",
        locked.1
    );
    let wrong = charge(&merchants[5], &wrong_digits(&genuine), "1.00").await;
    assert_eq!(locked.1["detail"], wrong.1["detail"]);
    assert_eq!(alice.available("CNY").await, 10_000);

    // Alice's phone is told, once.
    let (status, events) = alice.get("/v1/events?limit=50").await;
    assert_eq!(status, 200, "{events}");
    let notices: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["kind"] == "security")
        .collect();
    assert_eq!(notices.len(), 1, "{events}");
    assert_eq!(notices[0]["data"]["type"], "paycode_guessed");
    assert_eq!(notices[0]["data"]["failures"], 5);
    assert_eq!(notices[0]["data"]["window_secs"], 600);

    // Once the failures leave the window her codes work again.
    advance(&server, &everyone, 601);
    let (status, charged) = charge(&merchants[5], &device.code_at(server.app.now()), "2.00").await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(alice.available("CNY").await, 9_800);
    server.invariants().await;
}

#[tokio::test]
async fn failures_of_all_merchants_together_pause_every_charge() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.top_up("alice", "100.00", "CNY").await;
    let honest = server.sign_up_merchant("honest", "Honest Shop").await;
    mid_step(&server, &[&alice, &honest]);
    let device = provision(&alice).await;
    let genuine = device.code_at(server.app.now());
    // 100 fresh accounts, each within its own budget of 5, guess codes of nobody in particular.
    let mut sent = 0u64;
    for n in 0..100 {
        let guesser = server
            .sign_up_merchant(&format!("guesser{n}"), "Guesser")
            .await;
        for _ in 0..5 {
            let code = format!("29{:016}", 1_000_000_000_000 + sent * 7_919);
            sent += 1;
            let refused = charge(&guesser, &code, "1.00").await;
            assert_eq!(
                code_of(&refused),
                (422, Some("payment_code_rejected")),
                "{}",
                refused.1
            );
        }
    }
    // 500 failures in the window: every charge slows down, an honest till's included.
    let paused = charge(&honest, &genuine, "1.00").await;
    assert_eq!(
        code_of(&paused),
        (429, Some("too_many_attempts")),
        "{}",
        paused.1
    );
    assert!(
        paused.1["detail"]
            .as_str()
            .unwrap()
            .contains("paused for everyone"),
        "{}",
        paused.1
    );
    assert_eq!(alice.available("CNY").await, 10_000);
    advance(&server, &[&alice, &honest], 601);
    let (status, charged) = charge(&honest, &device.code_at(server.app.now()), "1.00").await;
    assert_eq!(status, 200, "{charged}");
}

/// A charge that also returns the `Retry-After` header.
async fn charge_with_retry_after(merchant: &Wallet, code: &str) -> (u16, Option<u64>, Value) {
    let body = json!({"payment_code": code, "amount": "1.00", "currency": "CNY"});
    let response = merchant
        .signed(
            &merchant.device,
            "POST",
            "/v1/merchant/charges",
            body.to_string().into_bytes(),
            Some(&common::next_key()),
            &common::fresh_nonce(),
            common::unix_now() + merchant.offset(),
        )
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().parse().unwrap());
    (
        response.status().as_u16(),
        retry_after,
        response.json().await.unwrap(),
    )
}

/// Issue 12 point 1: no device learns anything that unmasks another customer's codes. Alice's
/// phone holds everything the server ever gave it — her secret and her 3 days of masks; none
/// of it gives Bob's account index back from a code Bob really showed.
#[tokio::test]
async fn a_device_provisioned_for_one_customer_cannot_unmask_anothers_codes() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let bob = server.sign_up("bob", "Bob").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("bob", "10.00", "CNY").await;
    mid_step(&server, &[&alice, &bob, &shop]);
    let alices = provision(&alice).await;
    let bobs = provision(&bob).await;
    let bob_index = bobs.answer["account_index"].as_u64().unwrap();
    let now = server.app.now();
    let bob_code = bobs.code_at(now);
    let masked: u64 = bob_code[3..11].parse().unwrap();
    let unmask = |mask: u32| (masked + 100_000_000 - u64::from(mask)) % 100_000_000;

    let window = alices.masks();
    assert_eq!(window.len(), MASK_WINDOW_STEPS as usize);
    assert_eq!(window.first_step(), now as u64 / 60 - 10);
    // Alice's mask for this very step unmasks her own code, not Bob's.
    let step = now as u64 / 60;
    let hers = window.mask_for(step).unwrap();
    assert_ne!(unmask(hers), bob_index);
    let alice_code = alices.code_at(now);
    let alice_masked: u64 = alice_code[3..11].parse().unwrap();
    assert_eq!(
        (alice_masked + 100_000_000 - u64::from(hers)) % 100_000_000,
        alices.answer["account_index"].as_u64().unwrap()
    );
    // Every mask she holds, whatever its step: none recovers Bob's index.
    let recovered = (window.first_step()..=window.last_step())
        .filter(|&s| unmask(window.mask_for(s).unwrap()) == bob_index)
        .count();
    assert_eq!(recovered, 0);
    // Bob's code still charges: the server, and only the server, finds him.
    let (status, charged) = charge(&shop, &bob_code, "1.00").await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(charged["payer"]["handle"], "bob");
}

/// The device refreshes its window of masks for the same secret and index; outside its
/// window it makes no code; a device never provisioned gets a precise 404.
#[tokio::test]
async fn the_mask_window_is_refreshed_for_the_same_secret() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "10.00", "CNY").await;
    let (status, refused) = alice.post("/v1/paycode/masks", &json!({})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (404, Some("paycode_not_provisioned")),
        "{refused}"
    );
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;
    let first_end = device.masks().last_step();

    // Two days later, the window has a day left: the app refreshes it.
    advance(&server, &[&alice, &shop], 2 * 86_400);
    let (status, answer) = alice.post("/v1/paycode/masks", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    let fresh = masks_of(&answer);
    let now = server.app.now();
    assert_eq!(fresh.first_step(), now as u64 / 60 - 10);
    assert_eq!(fresh.len(), MASK_WINDOW_STEPS as usize);
    assert_eq!(fresh.last_step(), first_end + 2 * 1_440);
    // Where both cover a step they agree: same secret, same masks.
    assert_eq!(
        fresh.mask_for(first_end),
        device.masks().mask_for(first_end)
    );

    // Past the old window's end the old material makes no code at all …
    advance(&server, &[&alice, &shop], 86_400 + 60);
    let later = server.app.now();
    let old = device.generator.generate(later as u64).unwrap_err();
    assert!(old.to_string().contains("go online"), "{old}");
    // … while the refreshed one does, under the same secret and index.
    let refreshed = PaymentCodeGenerator::new(
        PaycodeSecret::from_bytes(
            &STANDARD
                .decode(device.answer["secret"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap(),
        fresh,
        device.generator.account_index(),
    );
    let code = refreshed.generate(later as u64).unwrap().digits;
    let (status, charged) = charge(&shop, &code, "1.00").await;
    assert_eq!(status, 200, "{charged}");
    assert_eq!(alice.available("CNY").await, 900);
}

/// A code of the first layout (prefix 28, made with the key every device used to hold) is
/// refused with its own code and words, and is not counted as a guess.
#[tokio::test]
async fn a_code_of_the_old_layout_is_refused_as_outdated() {
    let server = Server::start().await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    let refused = charge(&shop, "282869134728532396", "1.00").await;
    assert_eq!(
        code_of(&refused),
        (422, Some("payment_code_outdated")),
        "{}",
        refused.1
    );
    assert!(
        refused.1["detail"]
            .as_str()
            .unwrap()
            .contains("go online once"),
        "{}",
        refused.1
    );
    let failures = common::Db::open(&server).int("SELECT count(*) FROM paycode_failures", &[]);
    assert_eq!(failures, 0);
}

/// The 429s of the failure budgets say when to come back: `Retry-After` is the time until the
/// oldest failure that keeps the budget full leaves the window.
#[tokio::test]
async fn budget_refusals_carry_the_remaining_lockout_in_retry_after() {
    let server = Server::start_with(|config| {
        // Only the payment-code budgets are under test.
        config.paycode_cap = PaycodeCaps::parse("CNY=500").unwrap();
    })
    .await;
    let alice = server.sign_up("alice", "Alice").await;
    let shop = server.sign_up_merchant("shop", "Shop").await;
    server.top_up("alice", "100.00", "CNY").await;
    mid_step(&server, &[&alice, &shop]);
    let device = provision(&alice).await;
    // Five failures, 40 s apart: the first leaves the window 600 s after it was made.
    for n in 0..5 {
        let refused = charge(
            &shop,
            &wrong_digits(&device.code_at(server.app.now())),
            "1.00",
        )
        .await;
        assert_eq!(
            code_of(&refused),
            (422, Some("payment_code_rejected")),
            "{n}"
        );
        if n < 4 {
            advance(&server, &[&alice, &shop], 40);
        }
    }
    let (status, retry_after, body) =
        charge_with_retry_after(&shop, &device.code_at(server.app.now())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    // The first failure was 160 s ago (and the seconds the test took): 440 s to go.
    let wait = retry_after.unwrap();
    assert!((430..=440).contains(&wait), "{wait} {body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{wait} s")),
        "{body}"
    );
    advance(&server, &[&alice, &shop], wait as i64 - 5);
    let (status, retry_after, _) =
        charge_with_retry_after(&shop, &device.code_at(server.app.now())).await;
    assert_eq!(status, 429);
    assert!((1..=5).contains(&retry_after.unwrap()), "{retry_after:?}");
    advance(&server, &[&alice, &shop], 5);
    let (status, retry_after, body) =
        charge_with_retry_after(&shop, &device.code_at(server.app.now())).await;
    assert_eq!((status, retry_after), (200, None), "{body}");
}

/// Everyone's budget: the same, counted over all merchants.
#[tokio::test]
async fn the_global_pause_says_how_long_it_lasts() {
    let server = Server::start().await;
    let honest = server.sign_up_merchant("honest", "Honest Shop").await;
    let mut sent = 0u64;
    for n in 0..100 {
        let guesser = server
            .sign_up_merchant(&format!("guesser{n}"), "Guesser")
            .await;
        for _ in 0..5 {
            let code = format!("29{:016}", 1_000_000_000_000 + sent * 7_919);
            sent += 1;
            let refused = charge(&guesser, &code, "1.00").await;
            assert_eq!(code_of(&refused), (422, Some("payment_code_rejected")));
        }
        if n == 0 {
            advance(&server, &[&honest], 100);
        }
    }
    // 500 failures: the pause ends when the oldest leaves the window, 600 s after it was
    // made, 100 s (and the seconds the test took) before now.
    let (status, retry_after, body) = charge_with_retry_after(&honest, "290000000000000000").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    let wait = retry_after.unwrap();
    assert!((470..=500).contains(&wait), "{wait} {body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{wait} s")),
        "{body}"
    );
}

/// Lockout state is consistent: a genuine code of a locked customer that is 2–6 steps old
/// is answered like a wrong code (the lockout's words), not `payment_code_expired`, which
/// would confirm it was genuine.
#[tokio::test]
async fn a_late_genuine_code_of_a_locked_customer_is_answered_like_a_wrong_code() {
    let server = Server::start().await;
    let alice = server.sign_up("alice", "Alice").await;
    server.top_up("alice", "100.00", "CNY").await;
    let mut merchants = Vec::new();
    for n in 0..6 {
        merchants.push(server.sign_up_merchant(&format!("shop{n}"), "Shop").await);
    }
    let mut everyone: Vec<&Wallet> = merchants.iter().collect();
    everyone.push(&alice);
    mid_step(&server, &everyone);
    let device = provision(&alice).await;
    let index = device.answer["account_index"].as_u64().unwrap();
    let late = device.code_at(server.app.now() - 180);
    // Before the lockout the late code is expired, as always.
    let expired = charge(&merchants[5], &late, "1.00").await;
    assert_eq!(code_of(&expired), (422, Some("payment_code_expired")));

    let step = server.app.now() as u64 / 60;
    let otp: u32 = device.code_at(server.app.now())[11..18].parse().unwrap();
    for (n, merchant) in merchants[..5].iter().enumerate() {
        let code = targeted_code(&server, index, step, (otp + 1 + n as u32) % 10_000_000);
        let refused = charge(merchant, &code, "1.00").await;
        assert_eq!(code_of(&refused), (422, Some("payment_code_rejected")));
    }
    let locked = charge(&merchants[5], &late, "1.00").await;
    let wrong = charge(&merchants[5], &wrong_digits(&late), "1.00").await;
    assert_eq!(
        code_of(&locked),
        (422, Some("payment_code_rejected")),
        "{}",
        locked.1
    );
    assert_eq!(locked.1["detail"], wrong.1["detail"]);
    assert_eq!(alice.available("CNY").await, 10_000);
}
