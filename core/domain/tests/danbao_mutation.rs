//! Mutation test (issue 2, item 9): every single-character edit of a signed Danbao code is
//! rejected, even when the forger recomputes the CRC so the edit passes the CRC check.

use std::collections::BTreeMap;

use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{
    DanbaoCode, DanbaoError, DanbaoSigner, Nonce, OrderCode, ReceiveCode, issue, verify,
};

const ISSUED: u64 = 1_735_689_600;
const EXPIRES: u64 = ISSUED + 900;
const NOW: u64 = ISSUED + 60;

/// Replacements tried at every position: digits, letters of both cases, EMV punctuation, Z85
/// punctuation, a space and a multi-byte character.
const REPLACEMENTS: [char; 10] = ['0', '1', '9', 'A', 'a', 'z', '.', '#', ' ', 'é'];

fn signer() -> DanbaoSigner {
    // PKCS#8 v1 wrapping of a fixed seed.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[42u8; 32]);
    DanbaoSigner::from_pkcs8("srv1", &der).expect("fixed key loads")
}

fn crc_hex(text: &str) -> String {
    const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);
    format!("{:04X}", CRC.checksum(text.as_bytes()))
}

fn codes() -> Vec<String> {
    let cny = Currency::from_code("CNY").expect("CNY");
    let order = DanbaoCode::Order(OrderCode {
        merchant_id: "m-1001".to_owned(),
        order_id: "ord-20250101-0042".to_owned(),
        merchant_name: "Lotus Tea House".to_owned(),
        merchant_city: "Hangzhou".to_owned(),
        country: "CN".to_owned(),
        mcc: "5812".to_owned(),
        currency: cny,
        amount_minor: 12_850,
    });
    let receive = DanbaoCode::Receive(ReceiveCode {
        handle: "alice.w".to_owned(),
        name: "王爱丽".to_owned(),
        city: "上海".to_owned(),
        country: "CN".to_owned(),
        currency: cny,
        amount_minor: Some(500),
    });
    [order, receive]
        .iter()
        .map(|code| {
            issue(
                code,
                &signer(),
                Nonce::from_bytes(*b"0123456789abcdef"),
                ISSUED,
                EXPIRES,
            )
            .expect("issues")
        })
        .collect()
}

#[test]
fn every_edited_character_is_rejected() {
    let keys = BTreeMap::from([("srv1".to_owned(), signer().public_key())]);
    let mut tried = 0usize;
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for original in codes() {
        assert!(
            verify(&original, &keys, NOW).is_ok(),
            "control: the unedited code verifies"
        );
        let chars: Vec<char> = original.chars().collect();
        let crc_start = chars.len() - 4;
        for position in 0..chars.len() {
            for &replacement in &REPLACEMENTS {
                if chars[position] == replacement {
                    continue;
                }
                let mut edited = chars.clone();
                edited[position] = replacement;
                let mut edited: String = edited.into_iter().collect();
                if position < crc_start {
                    // The forger recomputes the CRC over the edited text up to "6304".
                    let body: String = edited.chars().take(crc_start).collect();
                    edited = format!("{body}{}", crc_hex(&body));
                }
                if edited.trim() == original {
                    // A space at either end is trimmed away: that is not an edit of the code.
                    continue;
                }
                tried += 1;
                match verify(&edited, &keys, NOW) {
                    Ok(code) => panic!(
                        "edit at {position} ({:?} -> {replacement:?}) verified: {edited}\n{code:?}",
                        chars[position]
                    ),
                    Err(error) => {
                        *kinds.entry(kind(&error)).or_default() += 1;
                    }
                }
            }
        }
    }
    // Two codes of ~300 characters, nine or ten replacements each.
    assert!(tried > 5_000, "tried {tried} edits");
    // Most edits inside the signed part are caught by the signature itself.
    assert!(
        kinds.get("bad signature").copied().unwrap_or(0) > 1_000,
        "{kinds:?}"
    );
    println!("{tried} edits, all rejected: {kinds:?}");
}

fn kind(error: &DanbaoError) -> &'static str {
    match error {
        DanbaoError::Structure { .. } => "structure",
        DanbaoError::NotDanbao => "not danbao",
        DanbaoError::Malformed { .. } => "malformed",
        DanbaoError::MissingSignature { .. } => "missing signature",
        DanbaoError::UnknownKey { .. } => "unknown key",
        DanbaoError::BadSignature { .. } => "bad signature",
        DanbaoError::Expired { .. } => "expired",
        DanbaoError::NotYetValid { .. } => "not yet valid",
        DanbaoError::InvalidInput { .. } => "invalid input",
        DanbaoError::Key { .. } => "key",
    }
}
