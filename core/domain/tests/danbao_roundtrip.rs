//! Property tests: every code that can be issued verifies back to itself, with its seal, and
//! reads back through the strict parser to the same text.

use std::collections::HashMap;

use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{
    DanbaoCode, DanbaoError, DanbaoSigner, MerchantCode, Nonce, OrderCode, ReceiveCode,
    encode_unsigned, issue, parse, verify,
};
use proptest::prelude::*;

fn signer() -> DanbaoSigner {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[9u8; 32]);
    DanbaoSigner::from_pkcs8("key-2025.a", &der).expect("fixed key loads")
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._-]{1,32}"
}

fn text(max: usize) -> impl Strategy<Value = String> {
    // Letters, digits, spaces inside, punctuation and CJK; no leading/trailing space.
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9&'中文]([A-Za-z0-9 .&'中文-]{{0,{}}}[A-Za-z0-9中文])?",
        max - 2
    ))
    .expect("valid regex")
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["CNY", "JPY", "KWD", "USD", "THB", "BRL"])
        .prop_map(|code| Currency::from_code(code).expect("known currency"))
}

fn amount() -> impl Strategy<Value = i64> {
    // At most 13 characters once formatted with up to 3 decimals.
    1i64..=9_999_999_999
}

fn code() -> impl Strategy<Value = DanbaoCode> {
    let country = "[A-Z]{2}";
    let mcc = "[0-9]{4}";
    prop_oneof![
        (
            id(),
            text(25),
            text(15),
            country,
            mcc,
            currency(),
            proptest::option::of(amount())
        )
            .prop_map(
                |(merchant_id, name, city, country, mcc, currency, amount_minor)| {
                    DanbaoCode::Merchant(MerchantCode {
                        merchant_id,
                        merchant_name: name,
                        merchant_city: city,
                        country,
                        mcc,
                        currency,
                        amount_minor,
                    })
                }
            ),
        (
            id(),
            id(),
            text(25),
            text(15),
            country,
            mcc,
            currency(),
            amount()
        )
            .prop_map(
                |(merchant_id, order_id, name, city, country, mcc, currency, amount_minor)| {
                    DanbaoCode::Order(OrderCode {
                        merchant_id,
                        order_id,
                        merchant_name: name,
                        merchant_city: city,
                        country,
                        mcc,
                        currency,
                        amount_minor,
                    })
                }
            ),
        (
            id(),
            text(25),
            text(15),
            country,
            currency(),
            proptest::option::of(amount())
        )
            .prop_map(|(handle, name, city, country, currency, amount_minor)| {
                DanbaoCode::Receive(ReceiveCode {
                    handle,
                    name,
                    city,
                    country,
                    currency,
                    amount_minor,
                })
            }),
    ]
}

proptest! {
    #[test]
    fn issue_then_verify_round_trips(
        code in code(),
        nonce in any::<[u8; 16]>(),
        issued_at in 0u64..4_000_000_000,
        validity in 1u64..10_000_000,
        age in 0u64..10_000_000,
    ) {
        let signer = signer();
        let keys = HashMap::from([(signer.key_id().to_owned(), signer.public_key())]);
        let expires_at = issued_at + validity;
        let text = issue(&code, &signer, Nonce::from_bytes(nonce), issued_at, expires_at)
            .expect("a valid code issues");
        let now = issued_at + age;
        match verify(&text, &keys, now) {
            Ok(verified) => {
                prop_assert!(now < expires_at);
                prop_assert_eq!(&verified.code, &code);
                let seal = verified.seal.expect("signed");
                prop_assert_eq!(seal.nonce.as_bytes(), &nonce);
                prop_assert_eq!(seal.issued_at, issued_at);
                prop_assert_eq!(seal.expires_at, expires_at);
                prop_assert_eq!(seal.key_id, "key-2025.a");
            }
            Err(DanbaoError::Expired { expires_at: e, now: n }) => {
                prop_assert_eq!((e, n), (expires_at, now));
                prop_assert!(now >= expires_at);
            }
            Err(other) => prop_assert!(false, "unexpected {other} for {text}"),
        }
        // Issuing is deterministic: the parsed code issues to the same text.
        let parsed = parse(&text).expect("parses");
        let again = issue(&parsed.code, &signer, Nonce::from_bytes(nonce), issued_at, expires_at)
            .expect("issues again");
        prop_assert_eq!(again, text);
    }

    #[test]
    fn unsigned_codes_round_trip_or_demand_a_signature(code in code()) {
        match encode_unsigned(&code) {
            Ok(text) => {
                prop_assert!(!code.needs_signature());
                let verified = verify(&text, &HashMap::new(), 0).expect("needs no key");
                prop_assert_eq!(verified.code, code);
                prop_assert!(verified.seal.is_none());
            }
            Err(DanbaoError::MissingSignature { .. }) => prop_assert!(code.needs_signature()),
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }

    #[test]
    fn parse_never_panics(input in "\\PC{0,300}") {
        let _ = parse(&input);
    }
}
