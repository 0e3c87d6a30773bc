//! Payment codes end to end: device-side generation, server-side verification.

use std::cell::Cell;

use danbao_domain::paycode::{
    AccountIndex, InMemoryReplayStore, InMemorySecrets, IndexMaskKey, MASK_WINDOW_STEPS,
    MaskWindow, PaycodeError, PaycodeSecret, PaycodeStoreError, PaymentCode, PaymentCodeGenerator,
    PaymentCodeVerifier, ReplayStore, VerifiedPaymentCode,
};
use proptest::prelude::*;

/// 1_700_000_000 = 28_333_333 × 60 + 20: 20 s into step 28_333_333.
const NOW: u64 = 1_700_000_000;
const STEP: u64 = 28_333_333;

fn secret(byte: u8) -> PaycodeSecret {
    PaycodeSecret::from_bytes(&[byte; 32]).unwrap()
}

fn mask_key() -> IndexMaskKey {
    IndexMaskKey::from_bytes(&[0xa5; 32]).unwrap()
}

fn index(value: u64) -> AccountIndex {
    AccountIndex::new(value).unwrap()
}

struct Bank {
    secrets: InMemorySecrets,
    used: InMemoryReplayStore,
    verifier: PaymentCodeVerifier,
}

impl Bank {
    fn with(devices: &[(u64, u8)]) -> Self {
        let mut secrets = InMemorySecrets::new();
        for &(i, byte) in devices {
            secrets.insert(index(i), secret(byte));
        }
        Self {
            secrets,
            used: InMemoryReplayStore::new(),
            verifier: PaymentCodeVerifier::new(mask_key()),
        }
    }

    fn verify(&self, code: &str, now: u64) -> Result<VerifiedPaymentCode, PaycodeError> {
        self.verifier.verify(code, now, &self.secrets, &self.used)
    }
}

/// A phone with secret `byte` at account index `i`, provisioned by the server of
/// [`mask_key`] with the masks of whatever step it is asked for.
struct Phone {
    secret: PaycodeSecret,
    key: IndexMaskKey,
    index: AccountIndex,
}

impl Phone {
    fn generate(&self, now: u64) -> PaymentCode {
        let masks = MaskWindow::provision(&self.key, &self.secret, now / 60, 1).unwrap();
        PaymentCodeGenerator::new(self.secret.clone(), masks, self.index)
            .generate(now)
            .unwrap()
    }
}

fn device(i: u64, byte: u8) -> Phone {
    Phone {
        secret: secret(byte),
        key: mask_key(),
        index: index(i),
    }
}

/// (secret, mask key, account index, unix time, expected code).
type KnownAnswer = (&'static [u8], &'static [u8], u64, u64, &'static str);

/// Known answers, computed independently (Python's hmac module) from the layout in
/// docs/payment-codes.md, so a change of layout or mask cannot go unnoticed.
#[test]
fn known_answer_codes() {
    let cases: [KnownAnswer; 3] = [
        (
            &[0x5a; 32],
            &[0xa5; 32],
            4242,
            1_700_000_000,
            "293570050498532396",
        ),
        (
            b"12345678901234567890123456789012",
            &[0xa5; 32],
            0,
            59,
            "290579655588920136",
        ),
        (
            b"12345678901234567890123456789012",
            &[
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23, 24, 25, 26, 27, 28, 29, 30, 31,
            ],
            99_999_999,
            1_234_567_890,
            "291857496536450756",
        ),
    ];
    for (secret, mask, i, time, expected) in cases {
        let phone = Phone {
            secret: PaycodeSecret::from_bytes(secret).unwrap(),
            key: IndexMaskKey::from_bytes(mask).unwrap(),
            index: index(i),
        };
        assert_eq!(
            phone.generate(time).digits,
            expected,
            "index {i}, time {time}"
        );
    }
}

#[test]
fn current_step_is_accepted_and_names_the_account() {
    let bank = Bank::with(&[(7, 1), (4242, 2), (99_999_999, 3)]);
    for (i, byte) in [(7, 1), (4242, 2), (99_999_999, 3)] {
        let code = device(i, byte).generate(NOW);
        assert_eq!(
            bank.verify(&code.digits, NOW + 39),
            Ok(VerifiedPaymentCode {
                account_index: index(i),
                step: STEP,
                step_offset: 0
            })
        );
    }
}

#[test]
fn previous_and_next_step_are_accepted() {
    let bank = Bank::with(&[(4242, 2)]);
    let phone = device(4242, 2);

    // Till is a step later than the phone (slow scan, or the phone's clock is behind).
    let code = phone.generate(NOW);
    let ok = bank.verify(&code.digits, NOW + 60).unwrap();
    assert_eq!((ok.step, ok.step_offset), (STEP, -1));

    // The phone's clock is a step ahead.
    let code = phone.generate(NOW + 60);
    let ok = bank.verify(&code.digits, NOW).unwrap();
    assert_eq!((ok.step, ok.step_offset), (STEP + 1, 1));
}

#[test]
fn acceptance_ends_exactly_at_the_step_boundaries() {
    let phone = device(4242, 2);
    let code = phone.generate(STEP * 60 + 59); // last second of STEP
    // Last second of STEP + 1: accepted.
    let bank = Bank::with(&[(4242, 2)]);
    assert!(bank.verify(&code.digits, (STEP + 2) * 60 - 1).is_ok());
    // First second of STEP + 2: expired.
    let bank = Bank::with(&[(4242, 2)]);
    assert_eq!(
        bank.verify(&code.digits, (STEP + 2) * 60),
        Err(PaycodeError::Expired {
            account_index: 4242,
            code_step: STEP,
            current_step: STEP + 2
        })
    );
    // First second of STEP - 1: accepted (phone one step ahead).
    let bank = Bank::with(&[(4242, 2)]);
    assert!(bank.verify(&code.digits, (STEP - 1) * 60).is_ok());
    // Last second of STEP - 2: two steps early, answered like a wrong code.
    let bank = Bank::with(&[(4242, 2)]);
    assert_eq!(
        bank.verify(&code.digits, (STEP - 1) * 60 - 1),
        Err(PaycodeError::WrongCode {
            account_index: 4242
        })
    );
}

#[test]
fn two_steps_late_is_expired_and_two_steps_early_is_wrong() {
    let bank = Bank::with(&[(4242, 2)]);
    let phone = device(4242, 2);
    let code = phone.generate(NOW);

    for k in 2..=6u64 {
        assert_eq!(
            bank.verify(&code.digits, NOW + 60 * k),
            Err(PaycodeError::Expired {
                account_index: 4242,
                code_step: STEP,
                current_step: STEP + k
            }),
            "{k} steps late"
        );
        // A code of a future step tells nothing: a genuine one is answered like a guess
        // (two ahead is read as its own step; further ahead its digit reads as an old step,
        // whose mask names no account).
        let early = bank.verify(&code.digits, NOW - 60 * k);
        assert!(
            early
                == Err(PaycodeError::WrongCode {
                    account_index: 4242
                })
                || matches!(early, Err(PaycodeError::UnknownAccount { .. })),
            "{k} steps early: {early:?}"
        );
        assert_eq!(
            early.map_err(|e| e.to_string().contains("expired")),
            Err(false)
        );
    }
    // Beyond the diagnostic window a genuine old code cannot be told from a wrong one.
    assert_eq!(
        bank.verify(&code.digits, NOW + 60 * 7),
        Err(PaycodeError::WrongCode {
            account_index: 4242
        })
    );
    // Rejections consume nothing: the code still works in its window.
    assert!(bank.used.is_empty());
    assert!(bank.verify(&code.digits, NOW).is_ok());
}

#[test]
fn error_messages_say_what_to_do() {
    let bank = Bank::with(&[(4242, 2)]);
    let code = device(4242, 2).generate(NOW);
    let expired = bank
        .verify(&code.digits, NOW + 120)
        .unwrap_err()
        .to_string();
    assert!(expired.contains("2 steps before"), "{expired}");
    assert!(expired.contains("fresh code"), "{expired}");
    // An early code reads like any wrong code: nothing says it was genuine.
    let early = bank
        .verify(&code.digits, NOW - 120)
        .unwrap_err()
        .to_string();
    assert_eq!(
        early,
        PaycodeError::WrongCode {
            account_index: 4242
        }
        .to_string()
    );
}

#[test]
fn a_code_is_accepted_once() {
    let bank = Bank::with(&[(4242, 2)]);
    let code = device(4242, 2).generate(NOW);
    assert!(bank.verify(&code.digits, NOW).is_ok());
    let replayed = Err(PaycodeError::Replayed {
        account_index: 4242,
        step: STEP,
    });
    assert_eq!(bank.verify(&code.digits, NOW), replayed);
    // Still refused a step later, while it would otherwise still verify.
    assert_eq!(bank.verify(&code.digits, NOW + 60), replayed);
    assert_eq!(bank.used.len(), 1);
    // The next code from the same phone is fine.
    let next = device(4242, 2).generate(NOW + 60);
    assert_eq!(bank.verify(&next.digits, NOW + 60).unwrap().step, STEP + 1);
}

#[test]
fn wrong_secret_for_the_account_is_a_wrong_code() {
    // The server holds secret 2 for account 4242; a phone with secret 9 claims to be 4242.
    let bank = Bank::with(&[(4242, 2)]);
    let impostor = device(4242, 9).generate(NOW);
    assert_eq!(
        bank.verify(&impostor.digits, NOW),
        Err(PaycodeError::WrongCode {
            account_index: 4242
        })
    );
    assert!(bank.used.is_empty());
}

#[test]
fn unregistered_account_is_unknown() {
    let bank = Bank::with(&[(4242, 2)]);
    let stranger = device(4243, 2).generate(NOW);
    assert_eq!(
        bank.verify(&stranger.digits, NOW),
        Err(PaycodeError::UnknownAccount {
            account_index: 4243
        })
    );
}

#[test]
fn another_deployments_mask_key_does_not_find_the_account() {
    let bank = Bank::with(&[(4242, 2)]);
    let foreign = Phone {
        secret: secret(2),
        key: IndexMaskKey::from_bytes(&[0x5a; 32]).unwrap(),
        index: index(4242),
    }
    .generate(NOW);
    assert!(matches!(
        bank.verify(&foreign.digits, NOW),
        Err(PaycodeError::UnknownAccount { account_index }) if account_index != 4242
    ));
}

#[test]
fn every_single_digit_change_is_rejected() {
    let bank = Bank::with(&[(4242, 2), (4243, 3), (0, 4), (99_999_999, 5)]);
    let code = device(4242, 2).generate(NOW).digits;
    let mut tried = 0;
    for position in 0..code.len() {
        for digit in b'0'..=b'9' {
            let mut changed = code.clone().into_bytes();
            if changed[position] == digit {
                continue;
            }
            changed[position] = digit;
            let changed = String::from_utf8(changed).unwrap();
            let result = bank.verify(&changed, NOW);
            match (position, &result) {
                (0 | 1, Err(PaycodeError::Malformed { .. } | PaycodeError::Outdated)) => {}
                (
                    2..,
                    Err(PaycodeError::UnknownAccount { .. } | PaycodeError::WrongCode { .. }),
                ) => {}
                _ => panic!("{changed} (position {position}) gave {result:?}"),
            }
            tried += 1;
        }
    }
    assert_eq!(tried, 18 * 9);
    assert!(bank.used.is_empty(), "a rejected code must not be recorded");
    assert!(bank.verify(&code, NOW).is_ok());
}

#[test]
fn malformed_input_is_described() {
    let bank = Bank::with(&[(4242, 2)]);
    let cases = [
        ("", "0 characters"),
        ("2912345678901234567", "19 characters"),
        ("29123456789012345x", "'x' at position 18"),
        ("131234567890123456", "starts with \"13\""),
        ("29123456789012345６", "'６' at position 18"),
    ];
    for (text, needle) in cases {
        let err = bank.verify(text, NOW).unwrap_err();
        assert!(
            matches!(err, PaycodeError::Malformed { .. }),
            "{text}: {err:?}"
        );
        assert!(err.to_string().contains(needle), "{text}: {err}");
    }
}

#[test]
fn a_closure_can_be_the_secret_lookup_and_store_failures_surface() {
    let verifier = PaymentCodeVerifier::new(mask_key());
    let used = InMemoryReplayStore::new();
    let code = device(4242, 2).generate(NOW).digits;

    let calls = Cell::new(0);
    let lookup = |i: AccountIndex| {
        calls.set(calls.get() + 1);
        Ok(if i == index(4242) {
            Some(secret(2))
        } else {
            None
        })
    };
    assert_eq!(
        verifier
            .verify(&code, NOW, &lookup, &used)
            .unwrap()
            .account_index,
        index(4242)
    );
    assert_eq!(
        calls.get(),
        1,
        "one lookup per code, whatever the number of accounts"
    );

    let down = |_: AccountIndex| Err(PaycodeStoreError::new("secrets database unreachable"));
    assert_eq!(
        verifier.verify(&code, NOW, &down, &used),
        Err(PaycodeError::Store {
            message: "secrets database unreachable".to_owned()
        })
    );

    struct Broken;
    impl ReplayStore for Broken {
        fn first_use(&self, _: AccountIndex, _: u64) -> Result<bool, PaycodeStoreError> {
            Err(PaycodeStoreError::new("replay table locked"))
        }
    }
    let fresh = device(4242, 2).generate(NOW + 60).digits;
    assert_eq!(
        verifier.verify(&fresh, NOW + 60, &lookup, &Broken),
        Err(PaycodeError::Store {
            message: "replay table locked".to_owned()
        })
    );
}

/// The account index part changes every step, so a merchant cannot link one customer's codes.
#[test]
fn the_index_digits_do_not_repeat_across_steps() {
    let phone = device(4242, 2);
    let mut seen = std::collections::HashSet::new();
    for step in 0..100u64 {
        let code = phone.generate(NOW + step * 60).digits;
        seen.insert(code[3..11].to_owned());
    }
    assert_eq!(seen.len(), 100);
    // Two phones in the same step have unrelated index digits too (not index + constant).
    let a: u64 = device(1000, 2).generate(NOW).digits[3..11].parse().unwrap();
    let b: u64 = device(1001, 3).generate(NOW).digits[3..11].parse().unwrap();
    assert_ne!((b + 100_000_000 - a) % 100_000_000, 1);
}

#[test]
fn early_epoch_times_do_not_underflow() {
    let bank = Bank::with(&[(1, 1)]);
    let code = device(1, 1).generate(0);
    assert_eq!(bank.verify(&code.digits, 59).unwrap().step, 0);
    let next = device(1, 1).generate(60);
    assert_eq!(bank.verify(&next.digits, 0).unwrap().step_offset, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generate_then_verify_round_trips(
        secret_bytes in proptest::collection::vec(any::<u8>(), 16..=64),
        mask_bytes in proptest::collection::vec(any::<u8>(), 16..=64),
        account in 0u64..100_000_000,
        made_at in 60u64..100_000_000_000,
        offset in -1i64..=1,
        second in 0u64..60,
    ) {
        let secret = PaycodeSecret::from_bytes(&secret_bytes).unwrap();
        let mask = IndexMaskKey::from_bytes(&mask_bytes).unwrap();
        let account = AccountIndex::new(account).unwrap();
        let masks = MaskWindow::provision(&mask, &secret, made_at / 60, 1).unwrap();
        let code = PaymentCodeGenerator::new(secret.clone(), masks, account)
            .generate(made_at)
            .unwrap();
        prop_assert_eq!(code.digits.len(), 18);
        prop_assert!(code.digits.starts_with("29"));
        prop_assert!(code.valid_from <= made_at && made_at < code.valid_until);
        prop_assert_eq!(code.valid_until - code.valid_from, 60);

        let server_step = code.step.checked_add_signed(offset).unwrap();
        let now = server_step * 60 + second;
        let mut secrets = InMemorySecrets::new();
        secrets.insert(account, secret);
        let used = InMemoryReplayStore::new();
        let verifier = PaymentCodeVerifier::new(mask);
        let ok = verifier.verify(&code.digits, now, &secrets, &used).unwrap();
        prop_assert_eq!(ok.account_index, account);
        // The code carries its step: that step is the one recorded.
        prop_assert_eq!(ok.step, code.step);
        prop_assert_eq!(i64::from(ok.step_offset), -offset);
        let replayed = matches!(
            verifier.verify(&code.digits, now, &secrets, &used),
            Err(PaycodeError::Replayed { .. })
        );
        prop_assert!(replayed);
    }
}

/// A device provisioned for user A holds only the masks of A's own codes. Against a code of
/// user B (same step, B's real code) none of them, nor the TOTP-only rule of the first layout,
/// gives B's account index back.
#[test]
fn a_device_provisioned_for_one_customer_cannot_unmask_anothers_codes() {
    let verifier = PaymentCodeVerifier::new(mask_key());
    let a_secret = secret(1);
    let a_masks = verifier
        .masks_for(&a_secret, STEP - 60, MASK_WINDOW_STEPS)
        .unwrap();
    let b_index = 4242u64;
    let b_code = device(b_index, 2).generate(NOW).digits;
    let b_masked: u64 = b_code[3..11].parse().unwrap();
    let unmask = |mask: u32| (b_masked + 100_000_000 - u64::from(mask)) % 100_000_000;

    // A's own mask of that very step: what A's phone would use for its own code now.
    let same_step = a_masks.mask_for(STEP).unwrap();
    assert_ne!(unmask(same_step), b_index);
    // Every mask A was ever given, whatever step: none recovers B's index.
    let recovered = (a_masks.first_step()..=a_masks.last_step())
        .filter(|&step| unmask(a_masks.mask_for(step).unwrap()) == b_index)
        .count();
    assert_eq!(recovered, 0);
    // A's material holds no key: A's own code unmasks with A's mask, B's does not.
    let a_code = PaymentCodeGenerator::new(a_secret, a_masks.clone(), index(77))
        .generate(NOW)
        .unwrap()
        .digits;
    let a_masked: u64 = a_code[3..11].parse().unwrap();
    assert_eq!(
        (a_masked + 100_000_000 - u64::from(same_step)) % 100_000_000,
        77
    );
    // The server still finds B.
    let bank = Bank::with(&[(b_index, 2)]);
    assert_eq!(
        bank.verify(&b_code, NOW).unwrap().account_index,
        index(b_index)
    );
}

/// Codes of the first layout (prefix 28, a mask key on every device) are refused with their
/// own error, before any lookup.
#[test]
fn a_code_of_the_first_layout_is_refused_as_outdated() {
    let bank = Bank::with(&[(4242, 2)]);
    let lookups = Cell::new(0);
    let lookup = |_: AccountIndex| {
        lookups.set(lookups.get() + 1);
        Ok(None)
    };
    let err = bank
        .verifier
        .verify("282869134728532396", NOW, &lookup, &bank.used)
        .unwrap_err();
    assert_eq!(err, PaycodeError::Outdated);
    assert!(err.to_string().contains("go online once"), "{err}");
    assert_eq!(lookups.get(), 0);
}

/// The device refreshes its window: a new window from a later step makes the same codes as
/// the server expects, and a code past the old window's end is refused on the device with a
/// precise error, never a wrong code.
#[test]
fn a_refreshed_window_continues_where_the_old_one_ends() {
    let verifier = PaymentCodeVerifier::new(mask_key());
    let old = verifier.masks_for(&secret(2), STEP, 10).unwrap();
    let phone = PaymentCodeGenerator::new(secret(2), old, index(4242));
    let past_end = NOW + 10 * 60;
    assert_eq!(
        phone.generate(past_end),
        Err(PaycodeError::OutsideMaskWindow {
            step: STEP + 10,
            first_step: STEP,
            last_step: STEP + 9
        })
    );
    let fresh = verifier.masks_for(&secret(2), STEP + 5, 10).unwrap();
    assert_eq!(fresh.mask_for(STEP + 6), phone.masks().mask_for(STEP + 6));
    let refreshed = PaymentCodeGenerator::new(secret(2), fresh, index(4242));
    let code = refreshed.generate(past_end).unwrap();
    let bank = Bank::with(&[(4242, 2)]);
    assert_eq!(
        bank.verify(&code.digits, past_end).unwrap().account_index,
        index(4242)
    );
}
