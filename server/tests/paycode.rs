//! Payment codes over HTTP: provisioning (sealed at rest), a till charging a code once, the
//! ±1 step window, the failure budget, the amount cap and a payer without funds.

mod common;

use danbao_server::config::PaycodeCaps;

use std::sync::atomic::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Server, Wallet};
use danbao_domain::paycode::{AccountIndex, IndexMaskKey, PaycodeSecret, PaymentCodeGenerator};
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
        self.generator.generate(unix as u64).digits
    }
}

async fn provision(wallet: &Wallet) -> Device {
    let (status, answer) = wallet.post("/v1/paycode/provision", &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    let secret = STANDARD.decode(answer["secret"].as_str().unwrap()).unwrap();
    let mask = STANDARD
        .decode(answer["mask_key"].as_str().unwrap())
        .unwrap();
    assert_eq!(secret.len(), 32);
    assert_eq!(answer["digits"], 18);
    let generator = PaymentCodeGenerator::new(
        PaycodeSecret::from_bytes(&secret).unwrap(),
        IndexMaskKey::from_bytes(&mask).unwrap(),
        AccountIndex::new(answer["account_index"].as_u64().unwrap()).unwrap(),
    );
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
    let db = rusqlite::Connection::open(server.dir.path().join("danbao.db")).unwrap();
    let sealed: Vec<u8> = db
        .query_row(
            "SELECT sealed FROM paycode_secrets WHERE account_index = ?1",
            [device.answer["account_index"].as_i64().unwrap()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(sealed.len(), 12 + 32 + 16);
    assert!(!sealed.windows(8).any(|w| secret.windows(8).any(|s| s == w)));
    let leaks: i64 = db
        .query_row(
            "SELECT count(*) FROM idempotency WHERE instr(body, ?1) > 0",
            [device.answer["secret"].as_str().unwrap()],
            |row| row.get(0),
        )
        .unwrap();
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
    assert_eq!(first.answer["mask_key"], second.answer["mask_key"]);
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

    let db = rusqlite::Connection::open(server.dir.path().join("danbao.db")).unwrap();
    let rows = |table: &str| -> i64 {
        db.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
    };
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

/// What anyone holding the deployment's mask key (today: every device) computes from a code
/// a customer showed once: the account index behind it (docs/payment-codes.md).
fn unmask(mask_key: &[u8], code: &str) -> u64 {
    let masked: u64 = code[2..11].parse().unwrap();
    let otp = &code[11..18];
    mask_of(mask_key, otp, masked, false)
}

/// `masked ∓ mask(otp)` mod 10^9: `mask_in` adds the mask (an index becomes a code's middle
/// digits), otherwise it is taken away.
fn mask_of(mask_key: &[u8], otp: &str, value: u64, mask_in: bool) -> u64 {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, mask_key);
    let mut message = b"danbao/paycode/mask/v1".to_vec();
    message.extend_from_slice(otp.as_bytes());
    let tag = ring::hmac::sign(&key, &message);
    let mask = u64::from_be_bytes(tag.as_ref()[..8].try_into().unwrap()) % 1_000_000_000;
    if mask_in {
        (value + mask) % 1_000_000_000
    } else {
        (value + 1_000_000_000 - mask) % 1_000_000_000
    }
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
    let mask_key = STANDARD
        .decode(device.answer["mask_key"].as_str().unwrap())
        .unwrap();

    // One code Alice showed gives her account index away; each fresh merchant account then
    // makes one guess at her current OTP, well under its own budget of 5.
    let shown = device.code_at(server.app.now() - 60);
    let index = unmask(&mask_key, &shown);
    assert_eq!(index, device.answer["account_index"].as_u64().unwrap());
    let genuine = device.code_at(server.app.now());
    let otp: u64 = genuine[11..18].parse().unwrap();
    for (n, merchant) in merchants[..5].iter().enumerate() {
        let guess = format!("{:07}", (otp + 1 + n as u64) % 10_000_000);
        let code = format!("28{:09}{guess}", mask_of(&mask_key, &guess, index, true));
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
            let code = format!("28{:016}", 1_000_000_000_000 + sent * 7_919);
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
