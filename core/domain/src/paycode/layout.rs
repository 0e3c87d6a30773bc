//! The 18-digit layout and the index mask (docs/payment-codes.md has the why).
//!
//! ```text
//!  2 9 | s | m m m m m m m m | t t t t t t t
//! prefix step  masked index     TOTP (HMAC-SHA256, 60 s step, 7 digits)
//!      mod 10
//! ```
//!
//! masked index = (account index + mask(step, otp)) mod 10^8, where
//! mask(step, otp) = first 8 bytes of HMAC-SHA256(server's index mask key,
//! "danbao/paycode/mask/v2" ‖ step as 8 big-endian bytes ‖ otp as 7 ASCII digits), big-endian,
//! mod 10^8. The key never leaves the server: a device receives only the masks of its own
//! future codes ([`MaskWindow`](super::MaskWindow)).

use ring::hmac;

use super::error::PaycodeError;
use super::secret::IndexMaskKey;

/// The two leading digits of every Danbao payment code of the current layout (version 2). In
/// the 25–30 range of Alipay-style consumer-presented codes, so POS scanners that route on the
/// prefix treat it as a wallet payment code.
pub const PAYMENT_CODE_PREFIX: &str = "29";
/// The prefix of the first layout (version 1: a deployment-wide mask key on every device).
/// Such codes are refused with [`PaycodeError::Outdated`].
pub const OUTDATED_PAYMENT_CODE_PREFIX: &str = "28";
/// Total number of digits in a payment code.
pub const PAYMENT_CODE_LEN: usize = 18;
/// Digits of the (masked) account index.
pub const ACCOUNT_INDEX_DIGITS: u32 = 8;
/// Digits of the TOTP part.
pub const OTP_DIGITS: u32 = 7;
/// The RFC 6238 time step of payment codes, in seconds.
pub const STEP_SECONDS: u64 = 60;
/// The code carries its time step modulo this (one digit).
pub const STEP_DIGIT_MODULUS: u64 = 10;

/// 10^8: the number of account indexes a code can carry.
pub(crate) const INDEX_MODULUS: u32 = 100_000_000;
/// 10^7: the number of distinct TOTP values.
pub(crate) const OTP_MODULUS: u32 = 10_000_000;

const PREFIX_LEN: usize = 2;
const STEP_DIGIT_END: usize = PREFIX_LEN + 1;
const INDEX_END: usize = STEP_DIGIT_END + ACCOUNT_INDEX_DIGITS as usize;
const MASK_CONTEXT: &[u8] = b"danbao/paycode/mask/v2";

const _: () = assert!(STEP_DIGIT_END + (ACCOUNT_INDEX_DIGITS + OTP_DIGITS) as usize == 18);

/// The index of a device's payment-code secret on the server: what the code carries so that
/// the server finds the secret without trying every one. At most 99,999,999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountIndex(u32);

impl AccountIndex {
    /// The largest index a payment code can carry.
    pub const MAX: u32 = INDEX_MODULUS - 1;

    /// Checks that `value` fits the 8 index digits.
    pub fn new(value: u64) -> Result<Self, PaycodeError> {
        match u32::try_from(value) {
            Ok(v) if v <= Self::MAX => Ok(Self(v)),
            _ => Err(PaycodeError::InvalidAccountIndex { value }),
        }
    }

    /// The index as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for AccountIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The parts of a well-formed code, before the mask is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeFields {
    /// The code's time step modulo [`STEP_DIGIT_MODULUS`].
    pub step_digit: u64,
    pub masked_index: u32,
    pub otp: u32,
}

/// Checks that `text` has the shape of a Danbao payment code: exactly 18 ASCII digits that
/// start with [`PAYMENT_CODE_PREFIX`]. A code of the first layout (prefix
/// [`OUTDATED_PAYMENT_CODE_PREFIX`]) is [`PaycodeError::Outdated`]. It says nothing about
/// whether the code is genuine; only the server can tell that.
pub fn check_format(text: &str) -> Result<(), PaycodeError> {
    parse_fields(text).map(|_| ())
}

pub(crate) fn parse_fields(text: &str) -> Result<CodeFields, PaycodeError> {
    let chars = text.chars().count();
    if chars != PAYMENT_CODE_LEN {
        return Err(PaycodeError::Malformed {
            reason: format!(
                "it has {chars} characters; a payment code is exactly {PAYMENT_CODE_LEN} digits"
            ),
        });
    }
    if let Some((position, ch)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(PaycodeError::Malformed {
            reason: format!(
                "character {:?} at position {} is not a digit; a payment code is 18 digits 0-9",
                ch,
                position + 1
            ),
        });
    }
    // All 18 characters are ASCII digits, so byte slicing is at character boundaries.
    let prefix = &text[..PREFIX_LEN];
    if prefix == OUTDATED_PAYMENT_CODE_PREFIX {
        return Err(PaycodeError::Outdated);
    }
    if prefix != PAYMENT_CODE_PREFIX {
        return Err(PaycodeError::Malformed {
            reason: format!(
                "it starts with {prefix:?}; Danbao payment codes start with \
                 {PAYMENT_CODE_PREFIX:?}"
            ),
        });
    }
    let bytes = text.as_bytes();
    Ok(CodeFields {
        step_digit: u64::from(digits_value(&bytes[PREFIX_LEN..STEP_DIGIT_END])),
        masked_index: digits_value(&bytes[STEP_DIGIT_END..INDEX_END]),
        otp: digits_value(&bytes[INDEX_END..]),
    })
}

/// The value of a run of ASCII digits (at most 9, so it fits in u32).
fn digits_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
}

/// The step a code with step digit `digit` was made in, seen at step `current`: the one step
/// in `current - 7 ..= current + 2` with that last digit (the accepted ±1, the 2–6 steps
/// before that tell an expired code, and one on each side that is always a wrong code).
/// `None` only in the first minutes after the epoch, when that step would be negative.
pub(crate) fn step_from_digit(digit: u64, current: u64) -> Option<u64> {
    let top = current.checked_add(2)?;
    let back = (top % STEP_DIGIT_MODULUS + STEP_DIGIT_MODULUS - digit % STEP_DIGIT_MODULUS)
        % STEP_DIGIT_MODULUS;
    top.checked_sub(back)
}

/// The keyed mask of the code with TOTP `otp` made in `step`, in 0..10^8. Only the server
/// holds the key; a device gets the masks of its own codes through a
/// [`MaskWindow`](super::MaskWindow).
pub fn index_mask(mask_key: &IndexMaskKey, step: u64, otp: u32) -> u32 {
    let mut ctx = hmac::Context::with_key(mask_key.hmac_key());
    ctx.update(MASK_CONTEXT);
    ctx.update(&step.to_be_bytes());
    ctx.update(format!("{otp:07}").as_bytes());
    let tag = ctx.sign();
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag.as_ref()[..8]);
    // 2^64 mod 10^8 leaves a bias below 6e-12: irrelevant for a mask.
    (u64::from_be_bytes(first) % u64::from(INDEX_MODULUS)) as u32
}

/// `(index + mask) mod 10^8`: the code's middle digits.
pub(crate) fn apply_mask(index: AccountIndex, mask: u32) -> u32 {
    ((u64::from(index.0) + u64::from(mask)) % u64::from(INDEX_MODULUS)) as u32
}

/// `(masked − mask) mod 10^8`: the account index behind a code's middle digits.
pub(crate) fn remove_mask(masked: u32, mask: u32) -> AccountIndex {
    let index = (u64::from(masked) + u64::from(INDEX_MODULUS) - u64::from(mask % INDEX_MODULUS))
        % u64::from(INDEX_MODULUS);
    AccountIndex(index as u32)
}

pub(crate) fn format_code(step: u64, masked_index: u32, otp: u32) -> String {
    format!(
        "{PAYMENT_CODE_PREFIX}{}{masked_index:08}{otp:07}",
        step % STEP_DIGIT_MODULUS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_key() -> IndexMaskKey {
        IndexMaskKey::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    fn format_errors_name_the_problem() {
        let cases = [
            ("", "0 characters"),
            ("29123456789012345", "17 characters"),
            ("2912345678901234567", "19 characters"),
            ("29123456789012345a", "'a' at position 18"),
            ("29 12345678901234 5", "19 characters"),
            ("2912345678901234 5", "' ' at position 17"),
            ("２９1234567890123456", "'２' at position 1"),
            ("251234567890123456", "starts with \"25\""),
        ];
        for (text, needle) in cases {
            let err = check_format(text).unwrap_err();
            assert!(
                matches!(err, PaycodeError::Malformed { .. }),
                "{text}: {err:?}"
            );
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
        assert_eq!(check_format("290000000000000000"), Ok(()));
    }

    #[test]
    fn a_code_of_the_first_layout_is_refused_as_outdated() {
        let err = check_format("282869134728532396").unwrap_err();
        assert_eq!(err, PaycodeError::Outdated);
        assert!(err.to_string().contains("older layout"), "{err}");
    }

    #[test]
    fn fields_are_read_from_the_right_places() {
        let fields = parse_fields("293123456780000042").unwrap();
        assert_eq!(fields.step_digit, 3);
        assert_eq!(fields.masked_index, 12_345_678);
        assert_eq!(fields.otp, 42);
        assert_eq!(format_code(1_234_563, 12_345_678, 42), "293123456780000042");
    }

    #[test]
    fn the_step_comes_back_from_its_last_digit_within_the_window() {
        let current = 28_333_333;
        for step in current - 7..=current + 2 {
            assert_eq!(step_from_digit(step % 10, current), Some(step), "{step}");
        }
        // Three steps ahead reads as seven back: never as a step that could be accepted.
        assert_eq!(
            step_from_digit((current + 3) % 10, current),
            Some(current - 7)
        );
        assert_eq!(step_from_digit(2, 0), Some(2));
        assert_eq!(step_from_digit(5, 0), None);
        assert_eq!(step_from_digit(0, u64::MAX), None);
    }

    #[test]
    fn unmask_inverts_mask_at_the_edges() {
        let key = mask_key();
        for index in [0, 1, 99_999_999, 12_345_678] {
            for otp in [0, 1, 9_999_999, 4_242_424] {
                for step in [0, 28_333_333, u64::MAX] {
                    let index = AccountIndex::new(index).unwrap();
                    let mask = index_mask(&key, step, otp);
                    let masked = apply_mask(index, mask);
                    assert!(masked < INDEX_MODULUS);
                    assert_eq!(remove_mask(masked, mask), index);
                }
            }
        }
    }

    #[test]
    fn the_mask_changes_with_the_step_the_otp_and_the_key() {
        let key = mask_key();
        let other = IndexMaskKey::from_bytes(&[8u8; 32]).unwrap();
        assert_ne!(index_mask(&key, 5, 1), index_mask(&key, 5, 2));
        assert_ne!(index_mask(&key, 5, 1), index_mask(&key, 6, 1));
        assert_ne!(index_mask(&key, 5, 1), index_mask(&other, 5, 1));
    }

    #[test]
    fn account_index_range() {
        assert_eq!(AccountIndex::new(99_999_999).unwrap().get(), 99_999_999);
        let err = AccountIndex::new(100_000_000).unwrap_err();
        assert_eq!(
            err,
            PaycodeError::InvalidAccountIndex { value: 100_000_000 }
        );
        assert!(AccountIndex::new(u64::MAX).is_err());
    }
}
