//! Payment-code benchmarks: device-side generation, server-side verification (accepted code,
//! wrong code, replayed code) and the raw HOTP core.
//!
//! Run: `cargo bench -p danbao-domain --bench paycode`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use danbao_domain::paycode::{
    AccountIndex, InMemoryReplayStore, InMemorySecrets, IndexMaskKey, MASK_WINDOW_STEPS,
    MaskWindow, OtpAlgorithm, PaycodeError, PaycodeSecret, PaycodeStoreError, PaymentCodeGenerator,
    PaymentCodeVerifier, ReplayStore, hotp_value,
};

const NOW: u64 = 1_700_000_000;

/// A replay store that never remembers, so one code can be verified again and again.
struct AlwaysFirstUse;

impl ReplayStore for AlwaysFirstUse {
    fn first_use(&self, _: AccountIndex, _: u64) -> Result<bool, PaycodeStoreError> {
        Ok(true)
    }
}

fn setup() -> (
    PaymentCodeGenerator,
    PaymentCodeVerifier,
    InMemorySecrets,
    IndexMaskKey,
) {
    let secret = PaycodeSecret::from_bytes(&[0x42; 32]).expect("32-byte secret");
    let mask_key = IndexMaskKey::from_bytes(&[0x24; 32]).expect("32-byte mask key");
    let index = AccountIndex::new(12_345_678).expect("index fits");
    let mut secrets = InMemorySecrets::new();
    // Realistic map size: many registered devices.
    for i in 0..10_000u64 {
        let other = AccountIndex::new(i).expect("index fits");
        secrets.insert(
            other,
            PaycodeSecret::from_bytes(&[(i % 251) as u8 + 1; 32]).expect("key"),
        );
    }
    secrets.insert(index, secret.clone());
    let verifier = PaymentCodeVerifier::new(mask_key.clone());
    let masks = verifier
        .masks_for(&secret, NOW / 60, MASK_WINDOW_STEPS)
        .expect("a window");
    (
        PaymentCodeGenerator::new(secret, masks, index),
        verifier,
        secrets,
        mask_key,
    )
}

fn benches(c: &mut Criterion) {
    let (generator, verifier, secrets, mask_key) = setup();

    let secret = PaycodeSecret::from_bytes(&[0x42; 32]).expect("32-byte secret");
    c.bench_function("paycode/provision_window_3_days", |b| {
        b.iter(|| verifier.masks_for(&secret, black_box(NOW / 60), MASK_WINDOW_STEPS))
    });

    c.bench_function("paycode/generate", |b| {
        b.iter(|| generator.generate(black_box(NOW)))
    });

    let code = generator.generate(NOW).expect("in the window").digits;
    c.bench_function("paycode/verify_accept", |b| {
        b.iter(|| {
            verifier.verify(
                black_box(&code),
                black_box(NOW + 30),
                &secrets,
                &AlwaysFirstUse,
            )
        })
    });

    // The worst case an attacker can cause: a well-formed code for a known account whose TOTP
    // is wrong (made with another secret), so the verifier also searches the diagnostic window.
    let forger_secret = PaycodeSecret::from_bytes(&[0x99; 32]).expect("32-byte secret");
    let forger = PaymentCodeGenerator::new(
        forger_secret.clone(),
        MaskWindow::provision(&mask_key, &forger_secret, NOW / 60, 1).expect("a window"),
        generator.account_index(),
    );
    let wrong = forger.generate(NOW).expect("in the window").digits;
    assert!(
        matches!(
            verifier.verify(&wrong, NOW, &secrets, &AlwaysFirstUse),
            Err(PaycodeError::WrongCode { .. })
        ),
        "a code from another secret must be a wrong code"
    );
    let unknown = {
        let mut digits = code.clone().into_bytes();
        digits[17] = if digits[17] == b'0' { b'1' } else { b'0' };
        String::from_utf8(digits).expect("ascii")
    };
    c.bench_function("paycode/verify_reject_unknown_account", |b| {
        b.iter(|| {
            verifier.verify(
                black_box(&unknown),
                black_box(NOW),
                &secrets,
                &AlwaysFirstUse,
            )
        })
    });
    c.bench_function("paycode/verify_reject_wrong", |b| {
        b.iter(|| verifier.verify(black_box(&wrong), black_box(NOW), &secrets, &AlwaysFirstUse))
    });

    let used = InMemoryReplayStore::new();
    verifier
        .verify(&code, NOW, &secrets, &used)
        .expect("fresh code verifies");
    c.bench_function("paycode/verify_reject_replay", |b| {
        b.iter(|| verifier.verify(black_box(&code), black_box(NOW), &secrets, &used))
    });

    c.bench_function("paycode/hotp_sha256_8_digits", |b| {
        b.iter(|| {
            hotp_value(
                OtpAlgorithm::Sha256,
                black_box(b"12345678901234567890123456789012"),
                black_box(37_037_036),
                8,
            )
        })
    });
}

criterion_group!(paycode, benches);
criterion_main!(paycode);
