//! A wallet set to `zh-Hans-CN` shows no English (issue 14): the main flows and their
//! refusals run against the real server — a send, a merchant code paid, an escrow order paid,
//! shipped and confirmed, a money request, a payment code charged; and insufficient funds, a
//! wrong payment code, a used order code, a handle taken, an unknown friend, an offline
//! server, a malformed, a foreign and an empty QR code, bad amounts typed — and every string a
//! screen shows from every record (home, activity, orders, outbox, scan screens, outcomes)
//! and every error's sentence is checked: no run of three or more ASCII letters except the
//! allowed tokens.
//!
//! The allow-list is narrow: the currency code `CNY`, the handles of this test's users
//! (handles are `a-z`), the few Latin tokens the test's users type on purpose (a wrong amount
//! `abc`, an unknown currency `XQZ`, an unknown action `dance`, an unknown handle
//! `nobody_here`), and order ids (`ord_` and 24 hex digits, an identifier quoted to support).
//! Everything else the users type or print (names, titles, memos, carriers, printed merchant
//! names) is Chinese, so any English left is the wallet's own.

mod wallet_common;

use danbao_client::{CommandOutcome, WalletError};
use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{self as codes, DanbaoCode, MerchantCode};
use serde::Serialize;
use serde_json::{Value, json};
use wallet_common::*;

/// Tokens a Chinese screen may show: the currency code, this test's handles and what its
/// users type in Latin letters.
const ALLOWED: [&str; 10] = [
    "CNY", "ann", "bob", "cat", "dan", "abc", "XQZ", "dance", "nobody", "here",
];

/// Keys of records whose values are for machines, not people (ids, codes, states by name,
/// QR payloads and drawings, decimal values); every other string is checked.
const MACHINE_KEYS: [&str; 20] = [
    "id",
    "code",
    "svg",
    "kind",
    "state",
    "direction",
    "role",
    "status",
    "action",
    "actions",
    "input",
    "currency",
    "value",
    "idempotency_key",
    "problem",
    "transfer_id",
    "order_id",
    "server_url",
    "digits",
    "text",
];

/// Every user-visible string seen, with where it came from.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn record(&mut self, place: &str, record: &impl Serialize) {
        let value = serde_json::to_value(record).expect("records serialise");
        self.walk(place, &value, None);
    }

    fn walk(&mut self, place: &str, value: &Value, key: Option<&str>) {
        match value {
            Value::String(text) if key.is_none_or(|k| !MACHINE_KEYS.contains(&k)) => {
                self.0
                    .push((format!("{place}.{}", key.unwrap_or("")), text.clone()));
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(place, item, key);
                }
            }
            Value::Object(fields) => {
                // Handles are shown as @handle inside sentences; as a field they are machine
                // data too (the allow-list covers them either way).
                for (name, field) in fields {
                    self.walk(place, field, Some(name));
                }
            }
            _ => {}
        }
    }

    fn error(&mut self, place: &str, phone: &Phone, error: &WalletError) {
        self.0
            .push((format!("{place} (error)"), phone.w().error_message(error)));
    }

    fn outcome(
        &mut self,
        place: &str,
        phone: &Phone,
        result: &Result<CommandOutcome, WalletError>,
    ) {
        match result {
            Ok(outcome) => self.record(place, outcome),
            Err(error) => self.error(place, phone, error),
        }
    }
}

/// The runs of three or more ASCII letters in `text` that the allow-list does not cover.
fn english_words(text: &str) -> Vec<String> {
    let text = without_order_ids(text);
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !ALLOWED.contains(w))
        .map(str::to_owned)
        .collect()
}

/// `text` with every order id (`ord_` + 24 lowercase hex digits) blanked out.
fn without_order_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("ord_") {
        let id_len = rest[at + 4..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        out.push_str(&rest[..at]);
        if id_len == 24 {
            out.push('#');
            rest = &rest[at + 4 + id_len..];
        } else {
            out.push_str("ord_");
            rest = &rest[at + 4..];
        }
    }
    out.push_str(rest);
    out
}

fn sticker() -> String {
    codes::encode_unsigned(&DanbaoCode::Merchant(MerchantCode {
        merchant_id: "bob".into(),
        merchant_name: "莲花茶馆".into(),
        merchant_city: "杭州".into(),
        country: "CN".into(),
        mcc: "5812".into(),
        currency: Currency::from_code("CNY").unwrap(),
        amount_minor: None,
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chinese_wallet_shows_no_english_in_any_flow_or_refusal() {
    speak("zh-Hans-CN");
    let server = Server::start().await;
    let net = Gate::new(&server).await;
    let ann = Phone::signed_up(&net.url(), "ann", "安娜", true).await;
    let bob = Phone::signed_up(&server.url, "bob", "莲花茶馆", true).await;
    let cat = Phone::signed_up(&server.url, "cat", "小猫", false).await;
    server.top_up("ann", "100.00").await;
    ann.w().sync().await.unwrap();
    let mut seen = Seen::default();

    // Sign-up refused: the handle is taken (a server code), and an empty name (the wallet's
    // own check).
    let late = Phone::new(&server.url, false).await;
    let taken = late
        .w()
        .sign_up("bob", "另一个", "测试手机")
        .await
        .unwrap_err();
    assert!(matches!(&taken, WalletError::Server { code, .. } if code == "handle_taken"));
    seen.error("sign_up taken", &late, &taken);
    let unnamed = late.w().sign_up("dan", "  ", "测试手机").await.unwrap_err();
    seen.error("sign_up unnamed", &late, &unnamed);

    // A send, and its refusals: an unknown friend, more than the balance, to oneself.
    let sent = ann.w().send("cat", "12.50", "CNY", "茶钱").await;
    assert_eq!(sent.as_ref().unwrap().state.as_str(), "done", "{sent:?}");
    seen.outcome("send", &ann, &sent);
    let nobody = ann.w().send("nobody_here", "1.00", "CNY", "").await;
    seen.outcome("send to nobody", &ann, &nobody);
    let broke = ann.w().send("cat", "500.00", "CNY", "").await;
    let broke_outcome = broke.as_ref().unwrap();
    assert_eq!(broke_outcome.problem.as_deref(), Some("insufficient_funds"));
    assert_eq!(
        broke_outcome.message,
        "被拒绝：钱包余额不足，无法支付 ¥500.00"
    );
    seen.outcome("send too much", &ann, &broke);
    seen.outcome(
        "send to self",
        &ann,
        &ann.w().send("ann", "1.00", "CNY", "").await,
    );

    // Bad amounts typed: too many decimals, letters, nothing, zero, a sign, an unknown
    // currency; a hidden character in the memo.
    for (amount, currency) in [
        ("12.345", "CNY"),
        ("abc", "CNY"),
        ("", "CNY"),
        ("0", "CNY"),
        ("-5", "CNY"),
        ("1.0.0", "CNY"),
        ("5", "XQZ"),
    ] {
        let refused = ann.w().send("cat", amount, currency, "").await.unwrap_err();
        assert!(
            matches!(refused, WalletError::InvalidInput { .. }),
            "{refused:?}"
        );
        seen.error(&format!("send {amount:?} {currency}"), &ann, &refused);
    }
    let hidden = ann
        .w()
        .send("cat", "1.00", "CNY", "茶\u{202E}钱")
        .await
        .unwrap_err();
    seen.error("hidden memo", &ann, &hidden);
    seen.outcome(
        "empty handle",
        &ann,
        &ann.w().send(" @ ", "1.00", "CNY", "").await,
    );

    // A merchant's printed code paid with an amount typed, and a wrong amount for a code
    // with one.
    let code = sticker();
    seen.record("scan sticker", &ann.w().scan(&code).await.unwrap());
    let paid = ann.w().pay(&code, Some("8.00")).await;
    assert_eq!(paid.as_ref().unwrap().state.as_str(), "done", "{paid:?}");
    seen.outcome("pay sticker", &ann, &paid);
    seen.outcome(
        "pay sticker without amount",
        &ann,
        &ann.w().pay(&code, None).await,
    );
    let fixed = bob.w().merchant_code(Some("3.00"), "CNY").await.unwrap();
    seen.outcome(
        "pay fixed wrong amount",
        &ann,
        &ann.w().pay(&fixed.text, Some("4.00")).await,
    );

    // Malformed, foreign and empty codes: scanned and paid.
    let promptpay = "00020101021129370016A000000677010111011300668012345675802TH530376463046197";
    for (name, text) in [
        ("malformed", "hello world"),
        ("foreign", promptpay),
        ("empty", "   "),
    ] {
        match ann.w().scan(text).await {
            Ok(screen) => seen.record(&format!("scan {name}"), &screen),
            Err(error) => seen.error(&format!("scan {name}"), &ann, &error),
        }
        seen.outcome(
            &format!("pay {name}"),
            &ann,
            &ann.w().pay(text, Some("1.00")).await,
        );
    }
    // A tampered signed code: the server refuses it.
    let tampered = fixed.text.replacen("3.00", "0.30", 1);
    if let Ok(screen) = ann.w().scan(&tampered).await {
        seen.record("scan tampered", &screen);
    }
    seen.outcome("pay tampered", &ann, &ann.w().pay(&tampered, None).await);

    // An escrow order: created, paid by code, shipped, confirmed; paid again (refused).
    let order = bob
        .w()
        .create_order("乌龙茶一盒", "20.00", "CNY")
        .await
        .unwrap();
    seen.record("order created", &order);
    seen.record("scan order", &ann.w().scan(&order.code.text).await.unwrap());
    let into_escrow = ann.w().pay(&order.code.text, None).await;
    assert_eq!(
        into_escrow.as_ref().unwrap().state.as_str(),
        "done",
        "{into_escrow:?}"
    );
    seen.outcome("pay order", &ann, &into_escrow);
    bob.w().sync().await.unwrap();
    seen.record("seller orders", &bob.w().orders().unwrap());
    let order_id = order.order.id.clone();
    seen.outcome(
        "ship",
        &bob,
        &bob.w()
            .order_action(
                &order_id,
                "ship",
                Some(json!({"carrier": "顺丰速运", "tracking": "1234567890"})),
            )
            .await,
    );
    seen.outcome(
        "ship twice",
        &bob,
        &bob.w()
            .order_action(
                &order_id,
                "ship",
                Some(json!({"carrier": "顺丰速运", "tracking": "1234567890"})),
            )
            .await,
    );
    seen.outcome(
        "bad action",
        &bob,
        &bob.w().order_action(&order_id, "dance", None).await,
    );
    seen.outcome(
        "ship without body",
        &bob,
        &bob.w().order_action(&order_id, "ship", None).await,
    );
    ann.w().sync().await.unwrap();
    seen.record("buyer orders", &ann.w().orders().unwrap());
    seen.outcome(
        "refund too much",
        &ann,
        &ann.w()
            .order_action(
                &order_id,
                "refund-request",
                Some(json!({"amount": "99.00"})),
            )
            .await,
    );
    seen.outcome(
        "confirm",
        &ann,
        &ann.w().order_action(&order_id, "confirm", None).await,
    );
    seen.outcome(
        "pay order again",
        &ann,
        &ann.w().pay(&order.code.text, None).await,
    );
    seen.outcome(
        "cancel done order",
        &bob,
        &bob.w().order_action(&order_id, "cancel", None).await,
    );
    let long_title = "茶".repeat(200);
    if let Err(error) = bob.w().create_order(&long_title, "1.00", "CNY").await {
        seen.error("long title", &bob, &error);
    }

    // A money request, answered; an unknown one.
    let asked = cat
        .w()
        .request_money("ann", "6.00", "CNY", "午饭")
        .await
        .unwrap();
    seen.record("request", &asked);
    ann.w().sync().await.unwrap();
    seen.record("requests", &ann.w().requests().unwrap());
    seen.outcome(
        "accept request",
        &ann,
        &ann.w().answer_request(asked.id, true).await,
    );
    seen.outcome(
        "accept again",
        &ann,
        &ann.w().answer_request(asked.id, true).await,
    );
    seen.outcome(
        "unknown request",
        &ann,
        &ann.w().answer_request(987_654, false).await,
    );
    seen.outcome(
        "request id zero",
        &ann,
        &ann.w().answer_request(0, false).await,
    );

    // A payment code: not enabled yet, then enabled and charged; a wrong code charged.
    if let Err(error) = ann.w().payment_code(1_800_000_000) {
        seen.error("payment code not enabled", &ann, &error);
    }
    ann.w().enable_payment_code().await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let shown = ann.w().payment_code(now).unwrap();
    seen.record("payment code", &shown);
    seen.record(
        "scan payment code",
        &bob.w().scan(&shown.digits).await.unwrap(),
    );
    seen.outcome(
        "pay a payment code",
        &ann,
        &ann.w().pay(&shown.digits, Some("1.00")).await,
    );
    let charged = bob
        .w()
        .charge_payment_code(&shown.digits, "2.00", "CNY")
        .await;
    seen.outcome("charge", &bob, &charged);
    let wrong = bob
        .w()
        .charge_payment_code("123456789012345678", "2.00", "CNY")
        .await;
    seen.outcome("charge wrong code", &bob, &wrong);
    seen.outcome(
        "charge short code",
        &bob,
        &bob.w().charge_payment_code("12345", "2.00", "CNY").await,
    );

    // Offline: the server is out of reach; a send is queued, sync fails, the rows say so.
    net.close();
    let queued = ann.w().send("cat", "1.00", "CNY", "").await;
    seen.outcome("send offline", &ann, &queued);
    match ann.w().sync().await {
        Ok(_) => panic!("sync through a closed gate succeeded"),
        Err(error) => {
            assert!(error.is_offline(), "{error:?}");
            assert!(
                error.to_string().contains("cannot reach"),
                "the cause stays for logs"
            );
            seen.error("sync offline", &ann, &error);
        }
    }
    seen.record("outbox offline", &ann.w().outbox().unwrap());
    net.open().await;
    ann.w().sync().await.unwrap();

    // Every screen record of every phone.
    for (name, phone) in [("ann", &ann), ("bob", &bob), ("cat", &cat)] {
        phone.w().sync().await.unwrap();
        seen.record(&format!("{name} home"), &phone.w().home().unwrap());
        seen.record(
            &format!("{name} activity"),
            &phone.w().activity(None, 100).await.unwrap(),
        );
        seen.record(&format!("{name} orders"), &phone.w().orders().unwrap());
        seen.record(&format!("{name} outbox"), &phone.w().outbox().unwrap());
        seen.record(&format!("{name} profile"), &phone.w().profile().unwrap());
        if let Err(error) = phone.w().activity(None, 0).await {
            seen.error("activity limit 0", phone, &error);
        }
    }

    assert!(seen.0.len() > 150, "only {} strings seen", seen.0.len());
    let english: Vec<String> = seen
        .0
        .iter()
        .filter(|(_, text)| !english_words(text).is_empty())
        .map(|(place, text)| format!("{place}: {text:?} ({:?})", english_words(text)))
        .collect();
    assert!(
        english.is_empty(),
        "English in a Chinese wallet:\n{}",
        english.join("\n")
    );
    // The sentences are the catalogue's, with the user's own values.
    let said: Vec<&str> = seen.0.iter().map(|(_, t)| t.as_str()).collect();
    assert!(
        said.contains(&"无法连接服务器，请稍后重试；已排队的操作会在联网后自动发送"),
        "{said:?}"
    );
    assert!(
        said.iter().any(|t| t.contains("此账号已被使用")),
        "{said:?}"
    );
    assert!(said.iter().any(|t| t.contains("有 3 位小数")), "{said:?}");
    server.assert_invariants().await;
}
