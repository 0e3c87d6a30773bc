//! The EMVCo MPM v1.1 worked example, decoded field by field, and encode/decode agreement.

use danbao_domain::qr::emv::{
    self, DataObject, MerchantAccount, MerchantPayload, PointOfInitiation, Tip, UnreservedTemplate,
};
use danbao_domain::qr::scheme;

/// EMV QRCPS MPM v1.1, the worked example (Chinese merchant, alternate language template).
const SPEC_EXAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

#[test]
fn spec_example_crc_is_a13a_over_utf8_bytes() {
    let body = &SPEC_EXAMPLE[..SPEC_EXAMPLE.len() - 4];
    assert!(body.ends_with("6304"));
    assert_eq!(emv::crc16(body.as_bytes()), 0xA13A);
    assert_eq!(SPEC_EXAMPLE.chars().count(), 248);
    assert_eq!(SPEC_EXAMPLE.len(), 260);
}

#[test]
fn spec_example_decodes_every_field() {
    let p = emv::decode(SPEC_EXAMPLE).unwrap();
    assert_eq!(p.payload_format_indicator.as_deref(), Some("01"));
    assert_eq!(p.point_of_initiation, Some(PointOfInitiation::Dynamic));
    assert_eq!(
        p.merchant_accounts,
        vec![
            MerchantAccount::Template {
                tag: 29,
                guid: Some("D15600000000".into()),
                fields: vec![DataObject::new(5, "A93FO3230Q")],
            },
            MerchantAccount::Template {
                tag: 31,
                guid: Some("D15600000001".into()),
                fields: vec![DataObject::new(3, "12345678")],
            },
        ]
    );
    assert_eq!(p.merchant_category_code.as_deref(), Some("4111"));
    assert_eq!(p.currency.as_deref(), Some("156"));
    assert_eq!(p.amount.as_deref(), Some("23.72"));
    assert_eq!(p.tip(), Some(Tip::Prompt));
    assert_eq!(p.country_code.as_deref(), Some("CN"));
    assert_eq!(p.merchant_name.as_deref(), Some("BEST TRANSPORT"));
    assert_eq!(p.merchant_city.as_deref(), Some("BEIJING"));
    let lang = p.alternate_language.as_ref().unwrap();
    assert_eq!(lang.language_preference.as_deref(), Some("ZH"));
    assert_eq!(lang.merchant_name.as_deref(), Some("最佳运输"));
    assert_eq!(lang.merchant_city.as_deref(), Some("北京"));
    let add = p.additional_data.as_ref().unwrap();
    assert_eq!(add.store_label.as_deref(), Some("1234"));
    assert_eq!(add.customer_label.as_deref(), Some("***"));
    assert_eq!(add.terminal_label.as_deref(), Some("A6008667"));
    assert_eq!(add.consumer_data_request.as_deref(), Some("ME"));
    assert_eq!(add.bill_number, None);
    assert!(add.other.is_empty());
    assert_eq!(
        p.unreserved_templates,
        vec![UnreservedTemplate {
            tag: 91,
            guid: Some("A011223344998877".into()),
            fields: vec![DataObject::new(7, "12345678")],
        }]
    );
    assert!(p.other.is_empty());
    let money = p.transaction_amount().unwrap();
    assert_eq!((money.minor(), money.currency().code()), (2372, "CNY"));
}

#[test]
fn spec_example_is_conformant_and_carries_no_registered_scheme() {
    let report = danbao_domain::qr::inspect(SPEC_EXAMPLE);
    assert!(report.valid);
    assert_eq!(report.crc_ok, Some(true));
    assert_eq!(report.problems, vec![]);
    assert!(report.errors.is_empty());
    // D156… are not UnionPay's primitive ids 15/16: nothing in the registry matches.
    assert!(report.schemes.is_empty());
}

#[test]
fn spec_example_reencodes_to_the_same_model_in_canonical_order() {
    let p = emv::decode(SPEC_EXAMPLE).unwrap();
    let text = emv::encode(&p).unwrap();
    assert_eq!(emv::decode(&text).unwrap(), p);
    // Same data objects, written in ascending id order, so the same length.
    assert_eq!(text.chars().count(), SPEC_EXAMPLE.chars().count());
    assert!(text.starts_with("000201010212"));
    assert!(text.contains("520441115303156540523.725502015802CN"));
}

#[test]
fn canonical_order_reencodes_byte_for_byte() {
    let text = emv::encode(&emv::decode(SPEC_EXAMPLE).unwrap()).unwrap();
    assert_eq!(emv::encode(&emv::decode(&text).unwrap()).unwrap(), text);
}

#[test]
fn encode_builds_a_pix_code_from_the_typed_model() {
    let p = MerchantPayload {
        point_of_initiation: Some(PointOfInitiation::Static),
        merchant_accounts: vec![MerchantAccount::Template {
            tag: 26,
            guid: Some("br.gov.bcb.pix".into()),
            fields: vec![DataObject::new(1, "123e4567-e12b-12d1-a456-426655440000")],
        }],
        merchant_category_code: Some("0000".into()),
        currency: Some("986".into()),
        country_code: Some("BR".into()),
        merchant_name: Some("Fulano de Tal".into()),
        merchant_city: Some("BRASILIA".into()),
        additional_data: Some(emv::AdditionalData {
            reference_label: Some("***".into()),
            ..Default::default()
        }),
        ..MerchantPayload::default()
    };
    let text = emv::encode(&p).unwrap();
    // The Banco Central do Brasil's static example, with 01 added, CRC recomputed.
    assert_eq!(
        text,
        "00020101021126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***6304".to_owned()
            + &format!("{:04X}", emv::crc16(b"00020101021126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***6304"))
    );
    let report = danbao_domain::qr::inspect(&text);
    assert!(report.valid);
    assert_eq!(report.problems, vec![]);
    assert_eq!(report.schemes, vec![scheme::by_id("pix").unwrap()]);
}

#[test]
fn bcb_static_example_matches_its_published_crc() {
    // Without 01, as published: CRC 1D3D.
    let p = emv::decode("00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D").unwrap();
    assert!(emv::encode(&p).unwrap().ends_with("63041D3D"));
}
