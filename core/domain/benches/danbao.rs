//! Criterion benches for signed Danbao codes: issue (build + Ed25519 sign), verify (strict
//! parse + CRC + Ed25519 verify), parse alone (what `scan` does) and `scan` end to end.
//!
//! Run: `cargo bench -p danbao-domain --bench danbao`.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use danbao_domain::money::Currency;
use danbao_domain::qr::danbao::{DanbaoCode, DanbaoSigner, Nonce, OrderCode, issue, parse, verify};
use danbao_domain::qr::scan;

const ISSUED: u64 = 1_735_689_600;

fn setup() -> (DanbaoCode, DanbaoSigner) {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&[42u8; 32]);
    let signer = DanbaoSigner::from_pkcs8("srv1", &der).expect("fixed key loads");
    let code = DanbaoCode::Order(OrderCode {
        merchant_id: "m-1001".to_owned(),
        order_id: "ord-20250101-0042".to_owned(),
        merchant_name: "Lotus Tea House".to_owned(),
        merchant_city: "Hangzhou".to_owned(),
        country: "CN".to_owned(),
        mcc: "5812".to_owned(),
        currency: Currency::from_code("CNY").expect("CNY"),
        amount_minor: 12_850,
    });
    (code, signer)
}

fn benches(c: &mut Criterion) {
    let (code, signer) = setup();
    let nonce = Nonce::from_bytes([7; 16]);
    let text = issue(&code, &signer, nonce, ISSUED, ISSUED + 900).expect("issues");
    let keys = BTreeMap::from([("srv1".to_owned(), signer.public_key())]);

    c.bench_function("danbao/issue_order (sign)", |b| {
        b.iter(|| issue(black_box(&code), &signer, nonce, ISSUED, ISSUED + 900))
    });
    c.bench_function("danbao/verify_order", |b| {
        b.iter(|| verify(black_box(&text), &keys, ISSUED + 60))
    });
    c.bench_function("danbao/parse_order (no signature check)", |b| {
        b.iter(|| parse(black_box(&text)))
    });
    c.bench_function("qr/scan_danbao_order", |b| {
        b.iter(|| scan(black_box(&text)))
    });
}

criterion_group!(danbao, benches);
criterion_main!(danbao);
