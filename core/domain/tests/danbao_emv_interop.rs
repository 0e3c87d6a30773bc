//! Danbao codes are ordinary EMV MPM codes: the general (lenient) decoder reads every kind as
//! valid, conformant, carrying exactly the `danbao` scheme, with the same values the strict
//! Danbao reader sees. Two independent readers agreeing is the evidence that "other EMV readers
//! can still read them".

use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{
    DanbaoCode, DanbaoSigner, MerchantCode, Nonce, OrderCode, ReceiveCode, encode_unsigned, issue,
};

fn signer() -> DanbaoSigner {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[3u8; 32]);
    DanbaoSigner::from_pkcs8("srv1", &der).expect("fixed key loads")
}

#[test]
fn every_kind_reads_as_a_conformant_danbao_emv_code() {
    let jpy = Currency::from_code("JPY").expect("JPY");
    let merchant = MerchantCode {
        merchant_id: "m-7".to_owned(),
        merchant_name: "Kissa Hoshi".to_owned(),
        merchant_city: "Kyoto".to_owned(),
        country: "JP".to_owned(),
        mcc: "5814".to_owned(),
        currency: jpy,
        amount_minor: None,
    };
    let order = OrderCode {
        merchant_id: "m-7".to_owned(),
        order_id: "A-1".to_owned(),
        merchant_name: "Kissa Hoshi".to_owned(),
        merchant_city: "Kyoto".to_owned(),
        country: "JP".to_owned(),
        mcc: "5814".to_owned(),
        currency: jpy,
        amount_minor: 1_250,
    };
    let receive = ReceiveCode {
        handle: "ken".to_owned(),
        name: "Ken".to_owned(),
        city: "Osaka".to_owned(),
        country: "JP".to_owned(),
        currency: jpy,
        amount_minor: Some(800),
    };
    let texts = [
        (
            encode_unsigned(&DanbaoCode::Merchant(merchant)).expect("encodes"),
            None,
            "11",
        ),
        (
            issue(
                &DanbaoCode::Order(order),
                &signer(),
                Nonce::from_bytes([1; 16]),
                10,
                20,
            )
            .expect("issues"),
            Some("1250"),
            "12",
        ),
        (
            issue(
                &DanbaoCode::Receive(receive),
                &signer(),
                Nonce::from_bytes([2; 16]),
                10,
                20,
            )
            .expect("issues"),
            Some("800"),
            "12",
        ),
    ];
    for (text, amount, initiation) in texts {
        let report = danbao_domain::qr::inspect(&text);
        assert!(report.valid, "{text}: {:?}", report.errors);
        assert_eq!(report.crc_ok, Some(true));
        assert!(report.problems.is_empty(), "{text}: {:?}", report.problems);
        let ids: Vec<&str> = report.schemes.iter().map(|s| s.id).collect();
        assert_eq!(ids, ["danbao"], "{text}");
        let payload = report.payload.expect("payload");
        assert_eq!(
            payload.point_of_initiation.as_ref().map(|p| p.as_value()),
            Some(initiation)
        );
        assert_eq!(
            payload.transaction_amount().map(|m| m.format()).as_deref(),
            amount
        );
        assert!(payload.merchant_category_code.is_some());
        assert_eq!(
            payload.account_by_guid("app.danbao").map(|a| a.tag()),
            Some(26)
        );
        // Signed codes carry their seal and signature as unreserved templates 80 and 81.
        let unreserved: Vec<u8> = payload.unreserved_templates.iter().map(|t| t.tag).collect();
        let expected: &[u8] = if initiation == "12" { &[80, 81] } else { &[] };
        assert_eq!(unreserved, expected);
    }
}
