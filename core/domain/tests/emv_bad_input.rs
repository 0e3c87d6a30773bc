//! The bad-input table: every structural error, where it is reported and what it says.

use danbao_domain::qr::emv::{self, DecodeError, Location, MAX_PAYLOAD_BYTES};

/// Appends "6304" and the correct CRC.
fn with_crc(body: &str) -> String {
    let covered = format!("{body}6304");
    format!("{covered}{:04X}", emv::crc16(covered.as_bytes()))
}

const BODY: &str = "00020101021126180014br.gov.bcb.pix5204000053039865802BR5903ABC6008BRASILIA";

fn body() -> String {
    BODY.to_owned()
}

fn top(tag: u8) -> Location {
    Location {
        template: None,
        tag: Some(tag),
    }
}

#[test]
fn the_base_case_is_valid() {
    let r = danbao_domain::qr::inspect(&with_crc(&body()));
    assert!(r.valid, "{:?}", r.errors);
    assert_eq!(r.problems, vec![]);
}

#[test]
fn bad_inputs_are_rejected_with_a_precise_error() {
    let good = with_crc(&body());
    let crc = &good[good.len() - 4..];
    let wrong_crc = format!(
        "{}{}",
        &good[..good.len() - 4],
        if crc == "0000" { "0001" } else { "0000" }
    );
    let huge = "0".repeat(10 * 1024);
    let cases: Vec<(&str, String, DecodeError)> = vec![
        ("empty", String::new(), DecodeError::Empty),
        (
            "10 KB input",
            huge.clone(),
            DecodeError::TooLong {
                bytes: 10 * 1024,
                max: MAX_PAYLOAD_BYTES,
            },
        ),
        (
            "truncated TLV header",
            "000201010".into(),
            DecodeError::Truncated {
                position: 6,
                location: Location {
                    template: None,
                    tag: Some(1),
                },
                remaining: 3,
            },
        ),
        (
            "length overrun",
            "0002010102115999ABC".into(),
            DecodeError::LengthOverrun {
                position: 12,
                location: top(59),
                declared: 99,
                available: 3,
            },
        ),
        (
            "non-digit length",
            with_crc("00020101021159AXNAME"),
            DecodeError::NonDigitLength {
                position: 12,
                location: top(59),
                found: "AX".into(),
            },
        ),
        (
            "non-digit id",
            with_crc("000201X10211"),
            DecodeError::NonDigitId {
                position: 6,
                location: Location {
                    template: None,
                    tag: None,
                },
                found: "X1".into(),
            },
        ),
        (
            "wrong CRC",
            wrong_crc.clone(),
            DecodeError::CrcMismatch {
                found: wrong_crc[wrong_crc.len() - 4..].into(),
                computed: crc.into(),
            },
        ),
        (
            "non-hex CRC",
            format!("{}6304ZZ1A", body()),
            DecodeError::NonHexCrc {
                position: body().len() + 4,
                found: "ZZ1A".into(),
            },
        ),
        (
            "CRC not last",
            format!("{good}5802BR"),
            DecodeError::CrcNotLast {
                position: body().len(),
                trailing: 6,
            },
        ),
        (
            "CRC of the wrong length",
            format!("{}6305ABCDE", body()),
            DecodeError::CrcLength {
                position: body().len(),
                declared: 5,
            },
        ),
        ("no CRC", body(), DecodeError::MissingCrc),
        (
            "duplicate top-level tag",
            with_crc(&format!("{}5903XYZ", body())),
            DecodeError::DuplicateTag {
                position: body().len(),
                location: top(59),
            },
        ),
        (
            "duplicate sub-tag in 62",
            with_crc(&format!("{}62140503abc0503def", body())),
            DecodeError::DuplicateTag {
                position: body().len() + 4 + 7,
                location: Location {
                    template: Some(62),
                    tag: Some(5),
                },
            },
        ),
        (
            "overrun inside a template",
            with_crc("00020101021126080014br.g"),
            DecodeError::LengthOverrun {
                position: 16,
                location: Location {
                    template: Some(26),
                    tag: Some(0),
                },
                declared: 14,
                available: 4,
            },
        ),
        (
            "truncated inside a template",
            with_crc("0002010102116203050"),
            DecodeError::Truncated {
                position: 16,
                location: Location {
                    template: Some(62),
                    tag: Some(5),
                },
                remaining: 3,
            },
        ),
        (
            "non-UTF-8 replaced by U+FFFD in the header",
            with_crc("000201\u{FFFD}10211"),
            DecodeError::NonDigitId {
                position: 6,
                location: Location {
                    template: None,
                    tag: None,
                },
                found: "\u{FFFD}1".into(),
            },
        ),
        (
            "template content that is not TLV",
            with_crc("00020101021126041234"),
            DecodeError::LengthOverrun {
                position: 16,
                location: Location {
                    template: Some(26),
                    tag: Some(12),
                },
                declared: 34,
                available: 0,
            },
        ),
    ];
    for (name, input, expected) in cases {
        let got = emv::decode(&input);
        assert_eq!(got, Err(expected.clone()), "case {name:?}");
        let report = danbao_domain::qr::inspect(&input);
        assert!(!report.valid, "case {name:?}");
        assert_eq!(report.errors, vec![expected], "case {name:?}");
        assert!(
            report.payload.is_none() && report.problems.is_empty(),
            "case {name:?}"
        );
    }
}

#[test]
fn messages_name_the_position_the_tag_and_the_fix() {
    let msg = emv::decode("0002010102115999ABC").unwrap_err().to_string();
    assert_eq!(
        msg,
        "data object 59 at character 12 declares 99 characters but only 3 remain"
    );
    let msg = emv::decode(&with_crc(&format!("{}62140503abc0503def", body())))
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        format!(
            "sub-tag 05 of template 62 at character {} appears a second time; each id may appear once per template",
            body().len() + 11
        )
    );
    let good = with_crc(&body());
    let bad = format!("{}0000", &good[..good.len() - 4]);
    let msg = emv::decode(&bad).unwrap_err().to_string();
    assert!(
        msg.starts_with("CRC mismatch: the payload says 0000 but its content has CRC "),
        "{msg}"
    );
}

#[test]
fn crc_ok_separates_damage_from_malformation() {
    let good = with_crc(&body());
    // A value edited after the CRC was computed: structure fine, CRC wrong.
    let edited = good.replace("ABC", "ABD");
    let r = danbao_domain::qr::inspect(&edited);
    assert_eq!((r.valid, r.crc_ok), (false, Some(false)));
    // Malformed TLV under a correct CRC: CRC right, structure wrong.
    let r = danbao_domain::qr::inspect(&with_crc("00020101021159AXNAME"));
    assert_eq!((r.valid, r.crc_ok), (false, Some(true)));
    // No CRC where it should be.
    let r = danbao_domain::qr::inspect("000201010");
    assert_eq!((r.valid, r.crc_ok), (false, None));
    let r = danbao_domain::qr::inspect(&"0".repeat(10 * 1024));
    assert_eq!((r.valid, r.crc_ok), (false, None));
}

#[test]
fn lower_case_crc_is_accepted_and_reported() {
    let good = with_crc(&body());
    assert!(good.ends_with("783F"));
    let lower = format!("{}783f", &good[..good.len() - 4]);
    let r = danbao_domain::qr::inspect(&lower);
    assert!(r.valid, "{:?}", r.errors);
    assert_eq!(r.crc_ok, Some(true));
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert_eq!(r.problems[0].tag, "63");
    assert_eq!(emv::decode(&lower), emv::decode(&good));
}

#[test]
fn every_prefix_of_a_valid_code_is_rejected_without_panicking() {
    let good = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";
    for (i, _) in good.char_indices() {
        assert!(emv::decode(&good[..i]).is_err(), "prefix of {i} bytes");
    }
    assert!(emv::decode(good).is_ok());
}
