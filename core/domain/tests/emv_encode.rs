//! Encode refuses what decode could not read back, naming the data object.

use danbao_domain::qr::emv::{
    self, AdditionalData, AlternateLanguage, DataObject, EncodeError, MerchantAccount,
    MerchantPayload, UnreservedTemplate,
};

fn with(edit: impl FnOnce(&mut MerchantPayload)) -> Result<String, EncodeError> {
    let mut p = MerchantPayload {
        merchant_accounts: vec![MerchantAccount::Primitive {
            tag: 2,
            value: "4111".into(),
        }],
        ..MerchantPayload::default()
    };
    edit(&mut p);
    emv::encode(&p)
}

#[test]
fn a_minimal_payload_encodes() {
    let text = with(|_| {}).unwrap();
    assert_eq!(&text[..18], "000201020441116304");
    assert_eq!(text.len(), 22);
}

#[test]
fn structural_limits_are_enforced() {
    let tpl = |tag, fields| MerchantAccount::Template {
        tag,
        guid: Some("g".into()),
        fields,
    };
    type Edit = Box<dyn FnOnce(&mut MerchantPayload)>;
    let cases: Vec<(Edit, EncodeError)> = vec![
        (
            Box::new(|p| p.merchant_name = Some("x".repeat(100))),
            EncodeError::TooLong {
                path: "59".into(),
                chars: 100,
            },
        ),
        (
            // 99 characters of CJK is 297 bytes but only 99 characters: allowed.
            Box::new(|p| {
                p.merchant_name = Some("北".repeat(99));
                p.merchant_city = Some("\u{7}".into());
            }),
            EncodeError::ControlCharacter {
                path: "60".into(),
                code: 7,
            },
        ),
        (
            Box::new(move |p| {
                p.merchant_accounts = vec![tpl(26, vec![DataObject::new(1, "x".repeat(95))])]
            }),
            EncodeError::TooLong {
                path: "26".into(),
                chars: 104,
            },
        ),
        (
            Box::new(|p| {
                p.merchant_accounts.push(MerchantAccount::Primitive {
                    tag: 2,
                    value: "x".into(),
                })
            }),
            EncodeError::DuplicateTag { path: "02".into() },
        ),
        (
            Box::new(|p| {
                p.merchant_accounts = vec![MerchantAccount::Primitive {
                    tag: 26,
                    value: "x".into(),
                }]
            }),
            EncodeError::TagOutOfRange {
                what: "a primitive merchant account",
                tag: 26,
                allowed: "02-25",
            },
        ),
        (
            Box::new(move |p| p.merchant_accounts = vec![tpl(52, vec![])]),
            EncodeError::TagOutOfRange {
                what: "a merchant account template",
                tag: 52,
                allowed: "26-51",
            },
        ),
        (
            Box::new(move |p| {
                p.merchant_accounts = vec![tpl(30, vec![DataObject::new(0, "guid twice")])]
            }),
            EncodeError::TagOutOfRange {
                what: "a template field",
                tag: 0,
                allowed: "01-99 (sub-tag 00 is the guid)",
            },
        ),
        (
            Box::new(move |p| {
                p.merchant_accounts = vec![tpl(
                    30,
                    vec![DataObject::new(5, "a"), DataObject::new(5, "b")],
                )]
            }),
            EncodeError::DuplicateTag {
                path: "30.05".into(),
            },
        ),
        (
            Box::new(|p| {
                p.additional_data = Some(AdditionalData {
                    other: vec![DataObject::new(5, "x")],
                    ..Default::default()
                })
            }),
            EncodeError::TagOutOfRange {
                what: "an additional data `other` field",
                tag: 5,
                allowed: "00 or 12-99 (01-11 have named fields)",
            },
        ),
        (
            Box::new(|p| {
                p.alternate_language = Some(AlternateLanguage {
                    other: vec![DataObject::new(1, "x")],
                    ..Default::default()
                })
            }),
            EncodeError::TagOutOfRange {
                what: "an alternate language `other` field",
                tag: 1,
                allowed: "03-99",
            },
        ),
        (
            Box::new(|p| p.other = vec![DataObject::new(63, "ABCD")]),
            EncodeError::TagOutOfRange {
                what: "a reserved (`other`) data object",
                tag: 63,
                allowed: "65-79",
            },
        ),
        (
            Box::new(|p| {
                p.unreserved_templates = vec![UnreservedTemplate {
                    tag: 79,
                    guid: None,
                    fields: vec![],
                }]
            }),
            EncodeError::TagOutOfRange {
                what: "an unreserved template",
                tag: 79,
                allowed: "80-99",
            },
        ),
        (
            Box::new(|p| {
                p.unreserved_templates = (80..=99)
                    .map(|tag| UnreservedTemplate {
                        tag,
                        guid: None,
                        fields: vec![DataObject::new(1, "北".repeat(95))],
                    })
                    .collect()
            }),
            EncodeError::PayloadTooLong {
                bytes: 20 * (4 + 4 + 95 * 3) + 22,
                max: emv::MAX_PAYLOAD_BYTES,
            },
        ),
    ];
    for (i, (edit, expected)) in cases.into_iter().enumerate() {
        assert_eq!(with(edit), Err(expected), "case {i}");
    }
}

#[test]
fn lengths_count_characters() {
    let text = with(|p| p.merchant_name = Some("北".repeat(99))).unwrap();
    assert!(text.contains(&format!("5999{}", "北".repeat(99))));
    assert_eq!(
        emv::decode(&text).unwrap().merchant_name,
        Some("北".repeat(99))
    );
}
