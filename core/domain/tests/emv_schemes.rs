//! The scheme registry: every required network is recognised from its GUID/AID or tags,
//! case-insensitively, once, in payload order.

use danbao_domain::qr::emv::{DataObject, MerchantAccount, MerchantPayload};
use danbao_domain::qr::scheme::{self, SCHEMES, recognise};

fn template(tag: u8, guid: &str) -> MerchantAccount {
    MerchantAccount::Template {
        tag,
        guid: Some(guid.into()),
        fields: vec![DataObject::new(1, "x")],
    }
}

fn ids(accounts: Vec<MerchantAccount>) -> Vec<&'static str> {
    let p = MerchantPayload {
        merchant_accounts: accounts,
        ..MerchantPayload::default()
    };
    recognise(&p).iter().map(|s| s.id).collect()
}

#[test]
fn each_required_scheme_is_recognised_with_its_country() {
    let cases: &[(&str, MerchantAccount, Option<&str>)] = &[
        ("pix", template(26, "br.gov.bcb.pix"), Some("BR")),
        ("promptpay", template(29, "A000000677010111"), Some("TH")),
        ("promptpay", template(30, "A000000677010112"), Some("TH")),
        ("promptpay", template(31, "A000000677010113"), Some("TH")),
        ("paynow", template(26, "SG.PAYNOW"), Some("SG")),
        ("sgqr", template(51, "SG.SGQR"), Some("SG")),
        ("fps", template(26, "hk.com.hkicl"), Some("HK")),
        ("vietqr", template(38, "A000000727"), Some("VN")),
        ("upi", template(26, "A000000524"), Some("IN")),
        ("qris", template(51, "ID.CO.QRIS.WWW"), Some("ID")),
        ("duitnow", template(26, "A0000006150001"), Some("MY")),
        ("danbao", template(26, "app.danbao"), None),
        (
            "visa",
            MerchantAccount::Primitive {
                tag: 2,
                value: "4".into(),
            },
            None,
        ),
        (
            "visa",
            MerchantAccount::Primitive {
                tag: 3,
                value: "4".into(),
            },
            None,
        ),
        (
            "mastercard",
            MerchantAccount::Primitive {
                tag: 4,
                value: "5".into(),
            },
            None,
        ),
        (
            "mastercard",
            MerchantAccount::Primitive {
                tag: 5,
                value: "5".into(),
            },
            None,
        ),
        (
            "discover",
            MerchantAccount::Primitive {
                tag: 9,
                value: "6".into(),
            },
            None,
        ),
        (
            "discover",
            MerchantAccount::Primitive {
                tag: 10,
                value: "6".into(),
            },
            None,
        ),
        (
            "amex",
            MerchantAccount::Primitive {
                tag: 11,
                value: "3".into(),
            },
            None,
        ),
        (
            "amex",
            MerchantAccount::Primitive {
                tag: 12,
                value: "3".into(),
            },
            None,
        ),
        (
            "jcb",
            MerchantAccount::Primitive {
                tag: 13,
                value: "3".into(),
            },
            None,
        ),
        (
            "jcb",
            MerchantAccount::Primitive {
                tag: 14,
                value: "3".into(),
            },
            None,
        ),
        (
            "unionpay",
            MerchantAccount::Primitive {
                tag: 15,
                value: "6".into(),
            },
            None,
        ),
        (
            "unionpay",
            MerchantAccount::Primitive {
                tag: 16,
                value: "6".into(),
            },
            None,
        ),
    ];
    for (id, account, country) in cases {
        assert_eq!(ids(vec![account.clone()]), vec![*id], "{account:?}");
        let s = scheme::by_id(id).unwrap();
        assert_eq!(s.country, *country, "{id}");
        assert!(!s.name.is_empty());
    }
}

#[test]
fn guids_match_case_insensitively() {
    assert_eq!(ids(vec![template(26, "BR.GOV.BCB.PIX")]), vec!["pix"]);
    assert_eq!(ids(vec![template(26, "sg.paynow")]), vec!["paynow"]);
    assert_eq!(
        ids(vec![template(29, "a000000677010111")]),
        vec!["promptpay"]
    );
    assert_eq!(ids(vec![template(26, "App.Danbao")]), vec!["danbao"]);
}

#[test]
fn near_misses_are_not_recognised() {
    assert!(ids(vec![template(26, "br.gov.bcb.pixx")]).is_empty());
    assert!(ids(vec![template(26, "A0000006770102")]).is_empty());
    assert!(ids(vec![template(26, "D15600000000")]).is_empty());
    assert!(
        ids(vec![MerchantAccount::Primitive {
            tag: 6,
            value: "x".into()
        }])
        .is_empty()
    );
    assert!(
        ids(vec![MerchantAccount::Template {
            tag: 26,
            guid: None,
            fields: vec![]
        }])
        .is_empty()
    );
}

#[test]
fn schemes_are_listed_once_in_payload_order() {
    let found = ids(vec![
        MerchantAccount::Primitive {
            tag: 15,
            value: "6".into(),
        },
        template(26, "hk.com.hkicl"),
        MerchantAccount::Primitive {
            tag: 16,
            value: "6".into(),
        },
        MerchantAccount::Primitive {
            tag: 2,
            value: "4".into(),
        },
        template(27, "HK.COM.HKICL"),
    ]);
    assert_eq!(found, vec!["unionpay", "fps", "visa"]);
}

#[test]
fn the_registry_is_a_table_with_unique_ids() {
    let mut ids: Vec<&str> = SCHEMES.iter().map(|s| s.id).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);
    assert!(n >= 15);
}
