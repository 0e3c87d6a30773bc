//! `qr::scan`: one entry point for everything a camera can hand the wallet.

use danbao_domain::money::Currency;
use danbao_domain::paycode::{
    AccountIndex, IndexMaskKey, MaskWindow, PaycodeSecret, PaymentCodeGenerator,
};
use danbao_domain::qr::danbao::{
    DanbaoCode, DanbaoSigner, MerchantCode, Nonce, OrderCode, ReceiveCode, encode_unsigned, issue,
};
use danbao_domain::qr::{ScanOutcome, scan};

const ISSUED: u64 = 1_735_689_600;

fn signer() -> DanbaoSigner {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[1u8; 32]);
    DanbaoSigner::from_pkcs8("srv1", &der).expect("fixed key loads")
}

fn cny() -> Currency {
    Currency::from_code("CNY").expect("CNY")
}

fn merchant(amount_minor: Option<i64>) -> MerchantCode {
    MerchantCode {
        merchant_id: "m-1001".to_owned(),
        merchant_name: "Lotus Tea House".to_owned(),
        merchant_city: "Hangzhou".to_owned(),
        country: "CN".to_owned(),
        mcc: "5812".to_owned(),
        currency: cny(),
        amount_minor,
    }
}

fn order() -> OrderCode {
    OrderCode {
        merchant_id: "m-1001".to_owned(),
        order_id: "ord-42".to_owned(),
        merchant_name: "Lotus Tea House".to_owned(),
        merchant_city: "Hangzhou".to_owned(),
        country: "CN".to_owned(),
        mcc: "5812".to_owned(),
        currency: cny(),
        amount_minor: 12_850,
    }
}

fn receive(amount_minor: Option<i64>) -> ReceiveCode {
    ReceiveCode {
        handle: "alice.w".to_owned(),
        name: "Alice Wang".to_owned(),
        city: "Shanghai".to_owned(),
        country: "CN".to_owned(),
        currency: cny(),
        amount_minor,
    }
}

fn signed(code: DanbaoCode) -> String {
    issue(
        &code,
        &signer(),
        Nonce::from_bytes([7; 16]),
        ISSUED,
        ISSUED + 900,
    )
    .expect("issues")
}

fn reasons(outcome: ScanOutcome) -> Vec<String> {
    match outcome {
        ScanOutcome::Invalid { reasons } => reasons,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn static_merchant_code_is_a_merchant_payment() {
    let text = encode_unsigned(&DanbaoCode::Merchant(merchant(None))).expect("encodes");
    assert_eq!(
        scan(&format!("  {text}\n")),
        ScanOutcome::MerchantPayment {
            code: merchant(None),
            display_amount: None,
            seal: None
        }
    );
}

#[test]
fn merchant_code_with_amount_carries_its_seal() {
    let text = signed(DanbaoCode::Merchant(merchant(Some(3_000))));
    let ScanOutcome::MerchantPayment {
        code,
        display_amount,
        seal,
    } = scan(&text)
    else {
        panic!("expected a merchant payment");
    };
    assert_eq!(code, merchant(Some(3_000)));
    assert_eq!(display_amount.as_deref(), Some("30.00 CNY"));
    let seal = seal.expect("sealed");
    assert_eq!(
        (seal.key_id.as_str(), seal.expires_at),
        ("srv1", ISSUED + 900)
    );
}

#[test]
fn order_code_is_a_danbao_order() {
    let ScanOutcome::DanbaoOrder {
        code,
        display_amount,
        seal,
    } = scan(&signed(DanbaoCode::Order(order())))
    else {
        panic!("expected an order");
    };
    assert_eq!(code, order());
    assert_eq!(display_amount, "128.50 CNY");
    assert_eq!(seal.nonce.as_bytes(), &[7; 16]);
}

#[test]
fn receive_codes_are_friend_receives() {
    let plain = encode_unsigned(&DanbaoCode::Receive(receive(None))).expect("encodes");
    assert_eq!(
        scan(&plain),
        ScanOutcome::FriendReceive {
            code: receive(None),
            display_amount: None,
            seal: None
        }
    );
    let ScanOutcome::FriendReceive {
        code,
        display_amount,
        seal,
    } = scan(&signed(DanbaoCode::Receive(receive(Some(500)))))
    else {
        panic!("expected a friend receive");
    };
    assert_eq!(code.amount_minor, Some(500));
    assert_eq!(display_amount.as_deref(), Some("5.00 CNY"));
    assert!(seal.is_some());
}

#[test]
fn scan_does_not_read_the_clock_or_check_signatures() {
    // Expired long ago and signed by a key nobody trusts: scan still reports what it is, and
    // says in its docs that danbao::verify decides. (Mutations are rejected by verify; see
    // danbao_mutation.rs.)
    let text = issue(
        &DanbaoCode::Order(order()),
        &signer(),
        Nonce::from_bytes([0; 16]),
        1,
        2,
    )
    .expect("issues");
    assert!(matches!(scan(&text), ScanOutcome::DanbaoOrder { .. }));
}

#[test]
fn an_order_code_without_signature_is_invalid() {
    // The signed order with templates 80/81 cut out, POI set to 11, CRC recomputed.
    let text = signed(DanbaoCode::Order(order()));
    let cut = text.find("8074").expect("seal template");
    let body = text[..cut].replacen("010212", "010211", 1) + "6304";
    const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);
    let forged = format!("{body}{:04X}", CRC.checksum(body.as_bytes()));
    let reasons = reasons(scan(&forged));
    assert!(reasons[0].contains("no signature"), "{reasons:?}");
}

#[test]
fn a_broken_danbao_code_is_invalid_not_foreign() {
    // A lenient-EMV-valid code with the Danbao GUID but tags out of canonical order.
    let body = "00020101021153031565204581226200010APP.DANBAO0102m15802CN5901A6001B6304";
    const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);
    let text = format!("{body}{:04X}", CRC.checksum(body.as_bytes()));
    let reasons = reasons(scan(&text));
    assert!(reasons[0].contains("Danbao"), "{reasons:?}");
}

#[test]
fn payment_codes_are_recognised_by_shape() {
    let secret = PaycodeSecret::from_bytes(&[0x5a; 32]).expect("secret");
    let mask = IndexMaskKey::from_bytes(&[0xa5; 32]).expect("mask");
    let index = AccountIndex::new(4_242).expect("index");
    let masks = MaskWindow::provision(&mask, &secret, 1_700_000_000 / 60, 1).expect("masks");
    let code = PaymentCodeGenerator::new(secret, masks, index)
        .generate(1_700_000_000)
        .expect("in the window");
    assert_eq!(
        scan(&code.digits),
        ScanOutcome::PaymentCode {
            code: code.digits.clone()
        }
    );
    assert!(reasons(scan("123456789012345678"))[0].contains("not a payment code"));
    assert!(reasons(scan("28123"))[0].contains("not a payment code"));
    // A code of the first layout is told apart: the customer's app must update its codes.
    let outdated = reasons(scan("282869134728532396"));
    assert!(outdated[0].contains("older layout"), "{outdated:?}");
}

#[test]
fn foreign_schemes_from_real_codes_are_named_with_their_country() {
    let fixtures: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("fixtures/emv/real_world.json")).expect("fixtures");
    let mut seen = 0;
    for fixture in &fixtures {
        let text = fixture["text"].as_str().expect("text");
        let name = fixture["name"].as_str().unwrap_or("?");
        match scan(text) {
            ScanOutcome::ForeignScheme {
                schemes,
                description,
                ..
            } => {
                seen += 1;
                assert!(description.ends_with("not payable with Danbao"), "{name}");
                for scheme in &schemes {
                    assert!(description.contains(&scheme.name), "{name}: {description}");
                }
            }
            other => panic!("{name}: expected a foreign scheme, got {other:?}"),
        }
    }
    assert!(seen >= 20, "only {seen} fixtures");

    let promptpay = fixtures
        .iter()
        .find(|f| f["name"] == "th-promptpay-odoo")
        .and_then(|f| f["text"].as_str())
        .expect("PromptPay fixture");
    let ScanOutcome::ForeignScheme {
        schemes,
        description,
        country,
        ..
    } = scan(promptpay)
    else {
        panic!("expected a foreign scheme");
    };
    assert_eq!(schemes[0].id, "promptpay");
    assert_eq!(schemes[0].country.as_deref(), Some("TH"));
    assert!(description.starts_with("PromptPay (TH)"), "{description}");
    assert_eq!(country.as_deref(), Some("TH"));
}

#[test]
fn non_codes_are_invalid_with_a_clear_reason() {
    assert!(reasons(scan(""))[0].contains("empty"));
    assert!(reasons(scan(" \n\t"))[0].contains("empty"));
    assert!(reasons(scan("https://example.com/about?x=1"))[0].contains("web address"));
    assert!(reasons(scan("https://example.com/pay?x=1"))[0].contains("carries no code"));
    assert!(reasons(scan("hello, world"))[0].contains("starts with \"000201\""));
    assert!(reasons(scan(&"0".repeat(10_240)))[0].contains("at most 2953 bytes"));
    // An EMV-looking text with a wrong CRC.
    let text = encode_unsigned(&DanbaoCode::Merchant(merchant(None))).expect("encodes");
    let broken = format!("{}0000", &text[..text.len() - 4]);
    let reasons = reasons(scan(&broken));
    assert!(reasons.len() >= 2, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("CRC")), "{reasons:?}");
}

#[test]
fn outcomes_serialise_with_a_kind_tag() {
    let json = serde_json::to_value(scan(&signed(DanbaoCode::Order(order())))).expect("json");
    assert_eq!(json["kind"], "danbao_order");
    assert_eq!(json["code"]["order_id"], "ord-42");
    assert_eq!(json["code"]["amount_minor"], 12_850);
    assert_eq!(json["code"]["currency"], "CNY");
    assert_eq!(json["seal"]["key_id"], "srv1");
    assert_eq!(json["seal"]["nonce"].as_str().map(str::len), Some(20));
    let json = serde_json::to_value(scan("nope")).expect("json");
    assert_eq!(json["kind"], "invalid");
    assert!(json["reasons"][0].is_string());
}

#[test]
fn a_payment_link_is_read_as_the_code_it_carries() {
    use danbao_domain::qr::link::payment_link;
    for code in [
        signed(DanbaoCode::Order(order())),
        encode_unsigned(&DanbaoCode::Merchant(merchant(None))).expect("encodes"),
    ] {
        let direct = scan(&code);
        assert!(!matches!(direct, ScanOutcome::Invalid { .. }), "{direct:?}");
        for base in ["https://pay.example.com", "danbao"] {
            let link = payment_link(base, &code);
            assert_eq!(scan(&link), direct, "{link}");
        }
    }
    // A link's code is read as strictly as a scanned one.
    let text = encode_unsigned(&DanbaoCode::Merchant(merchant(None))).expect("encodes");
    let broken = format!("{}0000", &text[..text.len() - 4]);
    let link = payment_link("danbao", &broken);
    assert!(reasons(scan(&link)).iter().any(|r| r.contains("CRC")));
    // A customer's payment code is for a till to charge, never a link to pay.
    let link = payment_link("danbao", "281234567890123456");
    assert!(reasons(scan(&link))[0].contains("never a customer's payment code"));
}
