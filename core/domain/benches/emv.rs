//! EMV MPM codec throughput: decode, inspect and encode of a ~250-byte payload.
//!
//! Run with `cargo bench -p danbao-domain --bench emv`. Target: decode under 5 µs.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use danbao_domain::qr::emv;

/// The EMVCo MPM v1.1 worked example: 248 characters, 260 UTF-8 bytes, with Chinese text in
/// template 64, two account templates, 62 and an unreserved template.
const SPEC_EXAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

fn bench(c: &mut Criterion) {
    assert!(emv::decode(SPEC_EXAMPLE).is_ok());
    let payload = match emv::decode(SPEC_EXAMPLE) {
        Ok(p) => p,
        Err(e) => panic!("the spec example must decode: {e}"),
    };
    c.bench_function("emv_decode_250B", |b| {
        b.iter(|| emv::decode(black_box(SPEC_EXAMPLE)))
    });
    c.bench_function("emv_inspect_250B", |b| {
        b.iter(|| danbao_domain::qr::inspect(black_box(SPEC_EXAMPLE)))
    });
    c.bench_function("emv_encode_250B", |b| {
        b.iter(|| emv::encode(black_box(&payload)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
