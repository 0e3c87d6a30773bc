//! Conformance rules: each broken rule yields exactly one problem naming its tag, and a
//! problem never makes the code invalid.

use danbao_domain::qr::emv::{
    self, AdditionalData, AlternateLanguage, DataObject, MerchantAccount, MerchantPayload,
    PointOfInitiation, Problem, UnreservedTemplate,
};

fn base() -> MerchantPayload {
    MerchantPayload {
        point_of_initiation: Some(PointOfInitiation::Dynamic),
        merchant_accounts: vec![MerchantAccount::Template {
            tag: 26,
            guid: Some("br.gov.bcb.pix".into()),
            fields: vec![DataObject::new(1, "fulano@example.com")],
        }],
        merchant_category_code: Some("5411".into()),
        currency: Some("986".into()),
        amount: Some("12.50".into()),
        country_code: Some("BR".into()),
        merchant_name: Some("Fulano de Tal".into()),
        merchant_city: Some("BRASILIA".into()),
        ..MerchantPayload::default()
    }
}

/// Applies `edit` to the base payload and returns the problems of the encoded code.
fn problems(edit: impl FnOnce(&mut MerchantPayload)) -> Vec<Problem> {
    let mut p = base();
    edit(&mut p);
    let text = emv::encode(&p).unwrap();
    let report = danbao_domain::qr::inspect(&text);
    assert!(
        report.valid,
        "problems must not invalidate: {:?}",
        report.errors
    );
    assert_eq!(emv::check(&p), {
        // check() on the model agrees with inspect() except for the text-only rules.
        report
            .problems
            .iter()
            .filter(|x| x.tag != "payload")
            .cloned()
            .collect::<Vec<_>>()
    });
    report.problems
}

fn one(edit: impl FnOnce(&mut MerchantPayload)) -> Problem {
    let ps = problems(edit);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    ps.into_iter().next().unwrap()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn the_base_payload_is_conformant() {
    assert_eq!(problems(|_| {}), vec![]);
    assert_eq!(emv::check(&base()), vec![]);
}

#[test]
fn each_rule_names_its_tag() {
    type Edit = Box<dyn FnOnce(&mut MerchantPayload)>;
    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "00 missing",
            Box::new(|p| p.payload_format_indicator = None),
            "00",
            "is missing",
        ),
        (
            "00 wrong",
            Box::new(|p| p.payload_format_indicator = s("02")),
            "00",
            "must be \"01\"",
        ),
        (
            "01 other",
            Box::new(|p| p.point_of_initiation = Some(PointOfInitiation::Other("13".into()))),
            "01",
            "\"11\" (static) or \"12\" (dynamic)",
        ),
        (
            "no account",
            Box::new(|p| p.merchant_accounts.clear()),
            "02-51",
            "at least one",
        ),
        (
            "template without guid",
            Box::new(|p| {
                p.merchant_accounts = vec![MerchantAccount::Template {
                    tag: 27,
                    guid: None,
                    fields: vec![DataObject::new(1, "x")],
                }]
            }),
            "27",
            "sub-tag 00",
        ),
        (
            "guid too long",
            Box::new(|p| {
                p.merchant_accounts = vec![MerchantAccount::Template {
                    tag: 27,
                    guid: s(&"g".repeat(33)),
                    fields: vec![],
                }]
            }),
            "27.00",
            "33 characters long; at most 32",
        ),
        (
            "52 missing",
            Box::new(|p| p.merchant_category_code = None),
            "52",
            "is missing",
        ),
        (
            "52 three digits",
            Box::new(|p| p.merchant_category_code = s("541")),
            "52",
            "4 digits",
        ),
        (
            "53 missing",
            Box::new(|p| p.currency = None),
            "53",
            "is missing",
        ),
        (
            "53 alpha",
            Box::new(|p| p.currency = s("BRL")),
            "53",
            "3-digit ISO 4217 numeric",
        ),
        (
            "53 unknown",
            Box::new(|p| {
                p.currency = s("000");
                p.amount = None;
            }),
            "53",
            "unknown currency",
        ),
        (
            "54 too many decimals",
            Box::new(|p| p.amount = s("12.345")),
            "54",
            "3 decimals; BRL allows 2",
        ),
        (
            "54 JPY decimals",
            Box::new(|p| {
                p.currency = s("392");
                p.amount = s("999.1");
            }),
            "54",
            "JPY allows 0",
        ),
        (
            "54 garbage",
            Box::new(|p| p.amount = s("1,50")),
            "54",
            "','",
        ),
        (
            "54 zero",
            Box::new(|p| p.amount = s("0.00")),
            "54",
            "is zero",
        ),
        (
            "54 too long",
            Box::new(|p| {
                p.currency = s("392");
                p.amount = s("12345678901234");
            }),
            "54",
            "14 characters long; at most 13",
        ),
        (
            "55 bad",
            Box::new(|p| p.tip_indicator = s("04")),
            "55",
            "\"01\" (prompt)",
        ),
        (
            "55=02 without 56",
            Box::new(|p| p.tip_indicator = s("02")),
            "56",
            "is missing",
        ),
        (
            "55=03 without 57",
            Box::new(|p| p.tip_indicator = s("03")),
            "57",
            "is missing",
        ),
        (
            "56 without 55",
            Box::new(|p| p.convenience_fee_fixed = s("1.00")),
            "56",
            "only allowed when 55 is \"02\"",
        ),
        (
            "57 without 55",
            Box::new(|p| p.convenience_fee_percentage = s("3.00")),
            "57",
            "only allowed when 55 is \"03\"",
        ),
        (
            "57 over 99.99",
            Box::new(|p| {
                p.tip_indicator = s("03");
                p.convenience_fee_percentage = s("100");
            }),
            "57",
            "00.01 to 99.99",
        ),
        (
            "57 zero",
            Box::new(|p| {
                p.tip_indicator = s("03");
                p.convenience_fee_percentage = s("0.00");
            }),
            "57",
            "00.01 to 99.99",
        ),
        (
            "56 with 3 decimals",
            Box::new(|p| {
                p.tip_indicator = s("02");
                p.convenience_fee_fixed = s("1.001");
            }),
            "56",
            "3 decimals",
        ),
        (
            "58 missing",
            Box::new(|p| p.country_code = None),
            "58",
            "is missing",
        ),
        (
            "58 lower case",
            Box::new(|p| p.country_code = s("br")),
            "58",
            "alpha-2",
        ),
        (
            "58 unknown",
            Box::new(|p| p.country_code = s("XQ")),
            "58",
            "alpha-2",
        ),
        (
            "59 missing",
            Box::new(|p| p.merchant_name = None),
            "59",
            "is missing",
        ),
        (
            "59 too long",
            Box::new(|p| p.merchant_name = s(&"N".repeat(26))),
            "59",
            "26 characters long; at most 25",
        ),
        (
            "59 empty",
            Box::new(|p| p.merchant_name = s("")),
            "59",
            "empty",
        ),
        (
            "60 missing",
            Box::new(|p| p.merchant_city = None),
            "60",
            "is missing",
        ),
        (
            "60 too long",
            Box::new(|p| p.merchant_city = s("Cidade de Brasília")),
            "60",
            "18 characters long; at most 15",
        ),
        (
            "61 too long",
            Box::new(|p| p.postal_code = s("12345678901")),
            "61",
            "at most 10",
        ),
        (
            "62 empty",
            Box::new(|p| p.additional_data = Some(AdditionalData::default())),
            "62",
            "empty",
        ),
        (
            "62.05 too long",
            Box::new(|p| {
                p.additional_data = Some(AdditionalData {
                    reference_label: s(&"r".repeat(26)),
                    ..Default::default()
                })
            }),
            "62.05",
            "at most 25",
        ),
        (
            "62.09 bad letters",
            Box::new(|p| {
                p.additional_data = Some(AdditionalData {
                    consumer_data_request: s("AX"),
                    ..Default::default()
                })
            }),
            "62.09",
            "A (address), M (mobile) and E (email)",
        ),
        (
            "62.09 repeated",
            Box::new(|p| {
                p.additional_data = Some(AdditionalData {
                    consumer_data_request: s("AA"),
                    ..Default::default()
                })
            }),
            "62.09",
            "each once",
        ),
        (
            "62.01 empty",
            Box::new(|p| {
                p.additional_data = Some(AdditionalData {
                    bill_number: s(""),
                    store_label: s("1"),
                    ..Default::default()
                })
            }),
            "62.01",
            "empty",
        ),
        (
            "64 without language",
            Box::new(|p| {
                p.alternate_language = Some(AlternateLanguage {
                    merchant_name: s("名"),
                    ..Default::default()
                })
            }),
            "64.00",
            "mandatory",
        ),
        (
            "64 without name",
            Box::new(|p| {
                p.alternate_language = Some(AlternateLanguage {
                    language_preference: s("zh"),
                    ..Default::default()
                })
            }),
            "64.01",
            "mandatory",
        ),
        (
            "64 long city",
            Box::new(|p| {
                p.alternate_language = Some(AlternateLanguage {
                    language_preference: s("zh"),
                    merchant_name: s("名"),
                    merchant_city: s(&"北".repeat(16)),
                    ..Default::default()
                })
            }),
            "64.02",
            "16 characters long; at most 15",
        ),
        (
            "80 without guid",
            Box::new(|p| {
                p.unreserved_templates = vec![UnreservedTemplate {
                    tag: 80,
                    guid: None,
                    fields: vec![DataObject::new(1, "x")],
                }]
            }),
            "80",
            "sub-tag 00",
        ),
    ];
    for (name, edit, tag, needle) in cases {
        let p = one(edit);
        assert_eq!(p.tag, tag, "case {name:?}: {p:?}");
        assert!(
            p.message.contains(needle),
            "case {name:?}: {:?} lacks {needle:?}",
            p.message
        );
    }
}

#[test]
fn valid_tip_combinations_have_no_problem() {
    assert_eq!(problems(|p| p.tip_indicator = s("01")), vec![]);
    assert_eq!(
        problems(|p| {
            p.tip_indicator = s("02");
            p.convenience_fee_fixed = s("2.00");
        }),
        vec![]
    );
    for pct in ["00.01", "3", "3.5", "99.99"] {
        assert_eq!(
            problems(|p| {
                p.tip_indicator = s("03");
                p.convenience_fee_percentage = s(pct);
            }),
            vec![],
            "{pct}"
        );
    }
}

#[test]
fn text_level_rules_need_the_text() {
    // 00 not first: written by hand, since encode always puts 00 first.
    let body =
        "010212000201260802040000520454115303986540512.505802BR5913Fulano de Tal6008BRASILIA6304";
    let text = format!("{body}{:04X}", emv::crc16(body.as_bytes()));
    let report = danbao_domain::qr::inspect(&text);
    assert!(report.valid);
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert_eq!(report.problems[0].tag, "26");
    assert_eq!(report.problems[1].tag, "00");
    assert!(
        report.problems[1]
            .message
            .contains("starts with data object 01")
    );

    // Over 512 characters: reported, not rejected.
    let mut p = base();
    p.unreserved_templates = (80..=85)
        .map(|tag| UnreservedTemplate {
            tag,
            guid: Some("x".repeat(30)),
            fields: vec![DataObject::new(1, "y".repeat(60))],
        })
        .collect();
    let text = emv::encode(&p).unwrap();
    assert!(text.len() > 512);
    let report = danbao_domain::qr::inspect(&text);
    assert!(report.valid);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].tag, "payload");
}

#[test]
fn control_characters_are_reported_on_decode_and_refused_on_encode() {
    let body = "000201010211021012345\n67895204541153039865802BR5901N6001C6304";
    let text = format!("{body}{:04X}", emv::crc16(body.as_bytes()));
    let report = danbao_domain::qr::inspect(&text);
    assert!(report.valid);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].tag, "02");
    assert!(report.problems[0].message.contains("U+000A"));
    let err = emv::encode(report.payload.as_ref().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "02 contains control character U+000A; values must be printable text"
    );
}
