use super::*;

// RFC 8032 §7.1 TEST 1 secret key, wrapped as PKCS#8 v1 (RFC 8410 §10.3 layout), so the
// tests sign with a fixed, published key.
const RFC8032_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn pkcs8_v1(seed: &[u8]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der
}

fn signer() -> DanbaoSigner {
    DanbaoSigner::from_pkcs8("srv1", &pkcs8_v1(&unhex(RFC8032_SEED))).expect("RFC 8032 key loads")
}

fn keys() -> BTreeMap<String, [u8; 32]> {
    BTreeMap::from([("srv1".to_owned(), signer().public_key())])
}

fn cny() -> Currency {
    Currency::from_code("CNY").expect("CNY exists")
}

fn order() -> DanbaoCode {
    DanbaoCode::Order(OrderCode {
        merchant_id: "m-1001".to_owned(),
        order_id: "ord-20250101-0042".to_owned(),
        merchant_name: "Lotus Tea House".to_owned(),
        merchant_city: "Hangzhou".to_owned(),
        country: "CN".to_owned(),
        mcc: "5812".to_owned(),
        currency: cny(),
        amount_minor: 12_850,
    })
}

fn merchant() -> DanbaoCode {
    DanbaoCode::Merchant(MerchantCode {
        merchant_id: "m-1001".to_owned(),
        merchant_name: "Lotus Tea House".to_owned(),
        merchant_city: "Hangzhou".to_owned(),
        country: "CN".to_owned(),
        mcc: "5812".to_owned(),
        currency: cny(),
        amount_minor: None,
    })
}

fn receive(amount_minor: Option<i64>) -> DanbaoCode {
    DanbaoCode::Receive(ReceiveCode {
        handle: "alice.w".to_owned(),
        name: "Alice Wang".to_owned(),
        city: "Shanghai".to_owned(),
        country: "CN".to_owned(),
        currency: cny(),
        amount_minor,
    })
}

/// Appends "6304" and the CRC, as anyone editing a code can.
fn finish_with_crc(text: &mut String) {
    text.push_str("6304");
    let crc = crc16(text.as_bytes());
    crate::qr::emv::tlv::push_crc_hex(text, crc);
}

const NONCE: [u8; 16] = *b"0123456789abcdef";
const ISSUED: u64 = 1_735_689_600; // 2025-01-01T00:00:00Z
const EXPIRES: u64 = ISSUED + 900;

fn signed_order() -> String {
    issue(
        &order(),
        &signer(),
        Nonce::from_bytes(NONCE),
        ISSUED,
        EXPIRES,
    )
    .expect("order issues")
}

#[test]
fn the_published_key_loads_with_its_published_public_key() {
    assert_eq!(hex(&signer().public_key()), RFC8032_PUBLIC);
}

#[test]
fn worked_example_of_docs_is_stable() {
    // This exact text is the worked example in docs/qr-danbao.md; Ed25519 is deterministic.
    let text = signed_order();
    assert_eq!(text, include_str!("worked_example.txt").trim());
}

#[test]
fn order_code_layout() {
    let text = signed_order();
    let objects = strict::split(&text).expect("splits");
    let tags: Vec<u8> = objects.iter().map(|o| o.tag).collect();
    assert_eq!(tags, [0, 1, 26, 52, 53, 54, 58, 59, 60, 80, 81, 63]);
    assert_eq!(objects[1].value, "12");
    assert_eq!(
        objects[2].value,
        "0010app.danbao0106m-10010317ord-20250101-0042"
    );
    assert_eq!(objects[4].value, "156");
    assert_eq!(objects[5].value, "128.50");
    assert_eq!(
        objects[10].value.len(),
        98,
        "signature template is 98 characters"
    );
    assert!(objects[10].value.starts_with("0010app.danbao0180"));
    assert!(text.starts_with("000201010212"));
}

#[test]
fn signed_order_verifies_and_exposes_its_seal() {
    let text = signed_order();
    let verified = verify(&text, &keys(), ISSUED + 60).expect("verifies");
    assert_eq!(verified.code, order());
    let seal = verified.seal.expect("sealed");
    assert_eq!(seal.key_id, "srv1");
    assert_eq!(seal.nonce.as_bytes(), &NONCE);
    assert_eq!(seal.issued_at, ISSUED);
    assert_eq!(seal.expires_at, EXPIRES);
}

#[test]
fn surrounding_whitespace_is_ignored() {
    let text = format!(" \n{}\r\n", signed_order());
    assert!(verify(&text, &keys(), ISSUED).is_ok());
}

#[test]
fn static_merchant_code_is_unsigned_and_reads_back() {
    let text = encode_unsigned(&merchant()).expect("encodes");
    assert!(text.starts_with("000201010211"));
    assert!(!text.contains("0010app.danbao0104"), "no seal template");
    let verified = verify(&text, &BTreeMap::new(), 0).expect("needs no key");
    assert_eq!(verified.code, merchant());
    assert_eq!(verified.seal, None);
}

#[test]
fn receive_codes_with_and_without_amount() {
    let plain = encode_unsigned(&receive(None)).expect("encodes");
    assert_eq!(parse(&plain).map(|p| p.code), Ok(receive(None)));
    assert!(plain.contains("52040000"), "receive codes carry MCC 0000");

    assert_eq!(
        encode_unsigned(&receive(Some(500))),
        Err(DanbaoError::MissingSignature {
            kind: "receive",
            what: "an amount"
        })
    );
    let signed = issue(
        &receive(Some(500)),
        &signer(),
        Nonce::from_bytes(NONCE),
        ISSUED,
        EXPIRES,
    )
    .expect("issues");
    assert!(signed.contains("54045.00"));
    assert_eq!(
        verify(&signed, &keys(), ISSUED).map(|v| v.code),
        Ok(receive(Some(500)))
    );
}

#[test]
fn a_static_merchant_code_may_be_signed_and_is_then_checked() {
    let text = issue(
        &merchant(),
        &signer(),
        Nonce::from_bytes(NONCE),
        ISSUED,
        EXPIRES,
    )
    .expect("issues");
    assert!(text.starts_with("000201010212"));
    assert_eq!(
        verify(&text, &keys(), EXPIRES),
        Err(DanbaoError::Expired {
            expires_at: EXPIRES,
            now: EXPIRES
        })
    );
}

#[test]
fn expiry_is_exact_and_issued_at_allows_clock_skew() {
    let text = signed_order();
    assert!(verify(&text, &keys(), EXPIRES - 1).is_ok());
    assert_eq!(
        verify(&text, &keys(), EXPIRES),
        Err(DanbaoError::Expired {
            expires_at: EXPIRES,
            now: EXPIRES
        })
    );
    assert!(verify(&text, &keys(), ISSUED - CLOCK_SKEW_SECONDS).is_ok());
    assert_eq!(
        verify(&text, &keys(), ISSUED - CLOCK_SKEW_SECONDS - 1),
        Err(DanbaoError::NotYetValid {
            issued_at: ISSUED,
            now: ISSUED - CLOCK_SKEW_SECONDS - 1
        })
    );
}

#[test]
fn unknown_key_and_wrong_key() {
    let text = signed_order();
    assert_eq!(
        verify(&text, &BTreeMap::new(), ISSUED),
        Err(DanbaoError::UnknownKey {
            key_id: "srv1".to_owned()
        })
    );
    let other = DanbaoSigner::from_pkcs8("srv1", &pkcs8_v1(&[7; 32])).expect("loads");
    let wrong = HashMap::from([("srv1".to_owned(), other.public_key())]);
    assert_eq!(
        verify(&text, &wrong, ISSUED),
        Err(DanbaoError::BadSignature {
            key_id: "srv1".to_owned()
        })
    );
}

#[test]
fn a_stripped_signature_is_missing_not_ignored() {
    // Rebuild the signed order without templates 80/81 (and with POI 11) as a forger would.
    let text = signed_order();
    let mut payload = emv::decode(&text).expect("any EMV reader reads it");
    payload.unreserved_templates.clear();
    payload.point_of_initiation = Some(PointOfInitiation::Static);
    let forged = emv::encode(&payload).expect("any EMV writer writes it");
    assert_eq!(
        verify(&forged, &keys(), ISSUED),
        Err(DanbaoError::MissingSignature {
            kind: "order",
            what: "an order"
        })
    );
}

#[test]
fn parse_refuses_what_issue_never_writes() {
    let crc = |body: &str| {
        let mut text = body.to_owned();
        finish_with_crc(&mut text);
        text
    };
    let cases: Vec<(String, &str)> = vec![
        ("".to_owned(), "empty"),
        ("https://example.com/pay".to_owned(), "2-digit tag"),
        (crc("0002010102112618"), "declares 18"),
        (
            crc("00020101021126200010app.danbao0102m1520458125303156580"),
            "2-digit tag",
        ),
        (
            crc("00020101021126140010com.other15204581253031565802CN5901A6001B"),
            "not a Danbao code",
        ),
        (
            crc("00020101021126200010App.danbao0102m15204581253031565802CN5901A6001B"),
            "not a Danbao code",
        ),
        (
            crc("00020101021126200010app.danbao0102m15204581253031565802CN5901A6001B6201x"),
            "tag 62",
        ),
        (
            crc("00020101021126200010app.danbao0102m15204581253031565802cn5901A6001B"),
            "alpha-2",
        ),
        (
            crc("00020101021226200010app.danbao0102m15204581253031565802CN5901A6001B"),
            "point of initiation",
        ),
        (
            crc("00020101021126200010app.danbao0102m1520458125303156540412.55802CN5901A6001B"),
            "canonically",
        ),
        (
            crc("00020101021126200010app.danbao0102m15204581253039995802CN5901A6001B"),
            "currency",
        ),
        (
            crc("00020101021126260010app.danbao0102m10202h15204581253031565802CN5901A6001B"),
            "exactly one of 01",
        ),
    ];
    for (text, needle) in cases {
        let error = parse(&text).expect_err(&text);
        assert!(
            error.to_string().contains(needle),
            "{text:?}: {error} should mention {needle:?}"
        );
    }
    let good = crc("00020101021126200010app.danbao0102m15204581253031565802CN5901A6001B");
    assert!(parse(&good).is_ok(), "{good}");
    let lower_crc = good.to_ascii_lowercase();
    assert!(parse(&lower_crc).is_err());
}

#[test]
fn issue_refuses_bad_input_with_the_field_named() {
    let mut bad = order();
    if let DanbaoCode::Order(o) = &mut bad {
        o.merchant_name = "A name far longer than twenty-five".to_owned();
    }
    assert!(matches!(
        issue(&bad, &signer(), Nonce::from_bytes(NONCE), ISSUED, EXPIRES),
        Err(DanbaoError::InvalidInput { field: "name", .. })
    ));
    let mut bad = order();
    if let DanbaoCode::Order(o) = &mut bad {
        o.amount_minor = 0;
    }
    assert!(matches!(
        issue(&bad, &signer(), Nonce::from_bytes(NONCE), ISSUED, EXPIRES),
        Err(DanbaoError::InvalidInput {
            field: "amount_minor",
            ..
        })
    ));
    let mut bad = order();
    if let DanbaoCode::Order(o) = &mut bad {
        o.order_id = "order 7".to_owned();
    }
    assert!(matches!(
        issue(&bad, &signer(), Nonce::from_bytes(NONCE), ISSUED, EXPIRES),
        Err(DanbaoError::InvalidInput {
            field: "order_id",
            ..
        })
    ));
    assert!(matches!(
        issue(
            &order(),
            &signer(),
            Nonce::from_bytes(NONCE),
            ISSUED,
            ISSUED
        ),
        Err(DanbaoError::InvalidInput {
            field: "expires_at",
            ..
        })
    ));
    assert!(matches!(
        DanbaoSigner::from_pkcs8("bad id!", &pkcs8_v1(&unhex(RFC8032_SEED))),
        Err(DanbaoError::InvalidInput {
            field: "key_id",
            ..
        })
    ));
    assert!(matches!(
        DanbaoSigner::from_pkcs8("k", b"not a key"),
        Err(DanbaoError::Key { .. })
    ));
}

#[test]
fn generated_keys_sign_and_random_nonces_differ() {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = DanbaoSigner::generate_pkcs8(&rng).expect("generates");
    let signer = DanbaoSigner::from_pkcs8("gen", &pkcs8).expect("loads");
    let a = Nonce::random(&rng).expect("nonce");
    let b = Nonce::random(&rng).expect("nonce");
    assert_ne!(a, b);
    let text = issue(&order(), &signer, a, ISSUED, EXPIRES).expect("issues");
    let keys = HashMap::from([("gen".to_owned(), signer.public_key())]);
    assert_eq!(
        verify(&text, &keys, ISSUED).map(|v| v.seal.map(|s| s.nonce)),
        Ok(Some(a))
    );
    assert!(!format!("{signer:?}").contains(&hex(&pkcs8)));
    assert!(fingerprint_key_id(&signer.public_key()).starts_with('k'));
    assert_eq!(fingerprint_key_id(&signer.public_key()).len(), 9);
}

#[test]
fn multibyte_names_count_characters() {
    let mut code = order();
    if let DanbaoCode::Order(o) = &mut code {
        o.merchant_name = "莲花茶馆".to_owned();
        o.merchant_city = "杭州".to_owned();
    }
    let text = issue(&code, &signer(), Nonce::from_bytes(NONCE), ISSUED, EXPIRES).expect("issues");
    assert!(text.contains("5904莲花茶馆6002杭州"));
    assert_eq!(verify(&text, &keys(), ISSUED).map(|v| v.code), Ok(code));
}
