//! Property tests: decode(encode(p)) == p for every payload encode accepts, canonical output is
//! a fixed point, arbitrary text never panics, and any one-byte edit breaks the CRC.

use std::collections::BTreeSet;

use danbao_domain::qr::emv::{
    self, AdditionalData, AlternateLanguage, DataObject, MerchantAccount, MerchantPayload,
    PointOfInitiation, UnreservedTemplate,
};
use proptest::collection::{btree_set, vec};
use proptest::option;
use proptest::prelude::*;

/// Printable text, ASCII and a little UTF-8 (lengths count characters), `max` characters.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9 .*@/:_-]{{0,{max}}}|[a-z北京é€ä ]{{0,{max}}}"
    ))
    .expect("valid regex")
}

fn data_objects(
    tags: std::ops::RangeInclusive<u8>,
    max: usize,
    value_len: usize,
) -> impl Strategy<Value = Vec<DataObject>> {
    btree_set(tags, 0..=max).prop_flat_map(move |tags: BTreeSet<u8>| {
        let n = tags.len();
        (Just(tags), vec(text(value_len), n)).prop_map(|(tags, values)| {
            tags.into_iter()
                .zip(values)
                .map(|(tag, value)| DataObject { tag, value })
                .collect()
        })
    })
}

fn template_parts() -> impl Strategy<Value = (Option<String>, Vec<DataObject>)> {
    (option::of(text(20)), data_objects(1..=99, 3, 15))
}

fn account(tag: u8) -> BoxedStrategy<MerchantAccount> {
    if tag <= 25 {
        text(40)
            .prop_map(move |value| MerchantAccount::Primitive { tag, value })
            .boxed()
    } else {
        template_parts()
            .prop_map(move |(guid, fields)| MerchantAccount::Template { tag, guid, fields })
            .boxed()
    }
}

fn accounts() -> impl Strategy<Value = Vec<MerchantAccount>> {
    vec(2u8..=51, 0..4).prop_flat_map(|tags| {
        let mut seen = BTreeSet::new();
        let unique: Vec<u8> = tags.into_iter().filter(|t| seen.insert(*t)).collect();
        unique.into_iter().map(account).collect::<Vec<_>>()
    })
}

fn additional_data() -> impl Strategy<Value = AdditionalData> {
    (
        vec(option::of(text(4)), 11),
        data_objects(12..=99, 1, 3),
        any::<bool>(),
    )
        .prop_map(|(named, mut other, with_zero)| {
            if with_zero {
                other.retain(|d| d.tag != 0);
                other.insert(0, DataObject::new(0, "x"));
            }
            let mut it = named.into_iter();
            let mut next = || it.next().flatten();
            AdditionalData {
                bill_number: next(),
                mobile_number: next(),
                store_label: next(),
                loyalty_number: next(),
                reference_label: next(),
                customer_label: next(),
                terminal_label: next(),
                purpose_of_transaction: next(),
                consumer_data_request: next(),
                merchant_tax_id: next(),
                merchant_channel: next(),
                other,
            }
        })
}

fn alternate_language() -> impl Strategy<Value = AlternateLanguage> {
    (
        option::of(text(2)),
        option::of(text(25)),
        option::of(text(15)),
        data_objects(3..=99, 2, 10),
    )
        .prop_map(
            |(language_preference, merchant_name, merchant_city, other)| AlternateLanguage {
                language_preference,
                merchant_name,
                merchant_city,
                other,
            },
        )
}

fn unreserved() -> impl Strategy<Value = Vec<UnreservedTemplate>> {
    btree_set(80u8..=99, 0..3).prop_flat_map(|tags| {
        tags.into_iter()
            .map(|tag| {
                template_parts().prop_map(move |(guid, fields)| UnreservedTemplate {
                    tag,
                    guid,
                    fields,
                })
            })
            .collect::<Vec<_>>()
    })
}

fn point_of_initiation() -> impl Strategy<Value = PointOfInitiation> {
    prop_oneof![
        Just(PointOfInitiation::Static),
        Just(PointOfInitiation::Dynamic),
        "[0-9]{1,3}"
            .prop_filter("not 11/12", |v| v != "11" && v != "12")
            .prop_map(PointOfInitiation::Other),
    ]
}

prop_compose! {
    fn payload()(
        head in (option::of(text(2)), option::of(point_of_initiation()), accounts()),
        money in (
            option::of(text(4)), option::of(text(3)), option::of(text(13)),
            option::of(text(2)), option::of(text(13)), option::of(text(5)),
        ),
        merchant in (option::of(text(2)), option::of(text(25)), option::of(text(15)), option::of(text(10))),
        templates in (option::of(additional_data()), option::of(alternate_language()), unreserved()),
        other in data_objects(65..=79, 2, 20),
    ) -> MerchantPayload {
        let (payload_format_indicator, point_of_initiation, merchant_accounts) = head;
        let (merchant_category_code, currency, amount, tip_indicator, convenience_fee_fixed, convenience_fee_percentage) = money;
        let (country_code, merchant_name, merchant_city, postal_code) = merchant;
        let (additional_data, alternate_language, unreserved_templates) = templates;
        MerchantPayload {
            payload_format_indicator, point_of_initiation, merchant_accounts,
            merchant_category_code, currency, amount, tip_indicator, convenience_fee_fixed,
            convenience_fee_percentage, country_code, merchant_name, merchant_city, postal_code,
            additional_data, alternate_language, unreserved_templates, other,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_inverts_encode(p in payload()) {
        let text = emv::encode(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(emv::decode(&text), Ok(p.clone()));
        // Canonical output is a fixed point: encoding the decoded payload gives the same text.
        prop_assert_eq!(emv::encode(&p), Ok(text.clone()));
        let report = danbao_domain::qr::inspect(&text);
        prop_assert!(report.valid);
        prop_assert_eq!(report.crc_ok, Some(true));
        prop_assert_eq!(report.payload, Some(p));
    }

    #[test]
    fn any_one_ascii_byte_edit_is_rejected(p in payload(), index in any::<prop::sample::Index>(), byte in 0x20u8..0x7f) {
        let text = emv::encode(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ascii: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| b.is_ascii()).map(|(i, _)| i).collect();
        let i = *index.get(&ascii);
        prop_assume!(text.as_bytes()[i] != byte);
        // The CRC's hex digits are read in either case, so only a case change there survives.
        prop_assume!(!(i >= text.len() - 4 && text.as_bytes()[i].eq_ignore_ascii_case(&byte)));
        let mut bytes = text.into_bytes();
        bytes[i] = byte;
        let edited = String::from_utf8(bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // A CRC-16 catches every burst of up to 16 bits, so no single-byte edit survives.
        prop_assert!(emv::decode(&edited).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics_and_decoded_text_reencodes(s in "(\\PC|[0-9]){0,300}") {
        let report = danbao_domain::qr::inspect(&s);
        prop_assert_eq!(report.valid, report.errors.is_empty());
        if let Ok(p) = emv::decode(&s) {
            let again = emv::encode(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(emv::decode(&again), Ok(p));
        }
    }

    #[test]
    fn tlv_shaped_text_never_panics(fields in vec(("[0-9]{2}", "[0-9]{2}", "[0-9A-Za-z北]{0,12}"), 0..12), crc in "[0-9A-Fa-f]{4}") {
        let mut s: String = fields.iter().map(|(t, l, v)| format!("{t}{l}{v}")).collect();
        s.push_str("6304");
        s.push_str(&crc);
        let _ = danbao_domain::qr::inspect(&s);
    }
}
