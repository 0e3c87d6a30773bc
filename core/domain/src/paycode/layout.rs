//! The 18-digit layout and the index mask (docs/payment-codes.md has the why).
//!
//! ```text
//!  2 8 | m m m m m m m m m | t t t t t t t
//! prefix   masked index        TOTP (HMAC-SHA256, 60 s step, 7 digits)
//! ```
//!
//! masked index = (account index + mask(otp)) mod 10^9, where
//! mask(otp) = first 8 bytes of HMAC-SHA256(index mask key, "danbao/paycode/mask/v1" ‖ otp
//! as 7 ASCII digits), big-endian, mod 10^9.

use ring::hmac;

use super::error::PaycodeError;
use super::secret::IndexMaskKey;

/// The two leading digits of every Danbao payment code. In the 25–30 range of Alipay-style
/// consumer-presented codes, so POS scanners that route on the prefix treat it as a wallet
/// payment code.
pub const PAYMENT_CODE_PREFIX: &str = "28";
/// Total number of digits in a payment code.
pub const PAYMENT_CODE_LEN: usize = 18;
/// Digits of the (masked) account index.
pub const ACCOUNT_INDEX_DIGITS: u32 = 9;
/// Digits of the TOTP part.
pub const OTP_DIGITS: u32 = 7;
/// The RFC 6238 time step of payment codes, in seconds.
pub const STEP_SECONDS: u64 = 60;

/// 10^9: the number of account indexes a code can carry.
pub(crate) const INDEX_MODULUS: u32 = 1_000_000_000;
/// 10^7: the number of distinct TOTP values.
pub(crate) const OTP_MODULUS: u32 = 10_000_000;

const PREFIX_LEN: usize = 2;
const INDEX_END: usize = PREFIX_LEN + ACCOUNT_INDEX_DIGITS as usize;
const MASK_CONTEXT: &[u8] = b"danbao/paycode/mask/v1";

const _: () = assert!(PREFIX_LEN + (ACCOUNT_INDEX_DIGITS + OTP_DIGITS) as usize == 18);

/// The index of a device's payment-code secret on the server: what the code carries so that
/// the server finds the secret without trying every one. At most 999,999,999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountIndex(u32);

impl AccountIndex {
    /// The largest index a payment code can carry.
    pub const MAX: u32 = INDEX_MODULUS - 1;

    /// Checks that `value` fits the 9 index digits.
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
    pub masked_index: u32,
    pub otp: u32,
}

/// Checks that `text` has the shape of a Danbao payment code: exactly 18 ASCII digits that
/// start with [`PAYMENT_CODE_PREFIX`]. It says nothing about whether the code is genuine; only
/// the server can tell that.
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
    if prefix != PAYMENT_CODE_PREFIX {
        return Err(PaycodeError::Malformed {
            reason: format!(
                "it starts with {prefix:?}; Danbao payment codes start with \
                 {PAYMENT_CODE_PREFIX:?}"
            ),
        });
    }
    Ok(CodeFields {
        masked_index: digits_value(&text.as_bytes()[PREFIX_LEN..INDEX_END]),
        otp: digits_value(&text.as_bytes()[INDEX_END..]),
    })
}

/// The value of a run of ASCII digits (at most 9, so it fits in u32).
fn digits_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
}

/// The keyed mask for a given TOTP value, in 0..10^9.
pub(crate) fn index_mask(mask_key: &IndexMaskKey, otp: u32) -> u32 {
    let mut ctx = hmac::Context::with_key(mask_key.hmac_key());
    ctx.update(MASK_CONTEXT);
    ctx.update(format!("{otp:07}").as_bytes());
    let tag = ctx.sign();
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag.as_ref()[..8]);
    // 2^64 mod 10^9 leaves a bias below 6e-11: irrelevant for a mask.
    (u64::from_be_bytes(first) % u64::from(INDEX_MODULUS)) as u32
}

pub(crate) fn mask_index(mask_key: &IndexMaskKey, index: AccountIndex, otp: u32) -> u32 {
    let mask = index_mask(mask_key, otp);
    ((u64::from(index.0) + u64::from(mask)) % u64::from(INDEX_MODULUS)) as u32
}

pub(crate) fn unmask_index(mask_key: &IndexMaskKey, masked: u32, otp: u32) -> AccountIndex {
    let mask = index_mask(mask_key, otp);
    let index =
        (u64::from(masked) + u64::from(INDEX_MODULUS) - u64::from(mask)) % u64::from(INDEX_MODULUS);
    AccountIndex(index as u32)
}

pub(crate) fn format_code(masked_index: u32, otp: u32) -> String {
    format!("{PAYMENT_CODE_PREFIX}{masked_index:09}{otp:07}")
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
            ("28123456789012345", "17 characters"),
            ("2812345678901234567", "19 characters"),
            ("28123456789012345a", "'a' at position 18"),
            ("28 12345678901234 5", "19 characters"),
            ("2812345678901234 5", "' ' at position 17"),
            ("２８1234567890123456", "'２' at position 1"),
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
        assert_eq!(check_format("280000000000000000"), Ok(()));
    }

    #[test]
    fn fields_are_read_from_the_right_places() {
        let fields = parse_fields("281234567890000042").unwrap();
        assert_eq!(fields.masked_index, 123_456_789);
        assert_eq!(fields.otp, 42);
        assert_eq!(format_code(123_456_789, 42), "281234567890000042");
    }

    #[test]
    fn unmask_inverts_mask_at_the_edges() {
        let key = mask_key();
        for index in [0, 1, 999_999_999, 123_456_789] {
            for otp in [0, 1, 9_999_999, 4_242_424] {
                let index = AccountIndex::new(index).unwrap();
                let masked = mask_index(&key, index, otp);
                assert!(masked < INDEX_MODULUS);
                assert_eq!(unmask_index(&key, masked, otp), index);
            }
        }
    }

    #[test]
    fn the_mask_changes_with_the_otp_and_the_key() {
        let key = mask_key();
        let other = IndexMaskKey::from_bytes(&[8u8; 32]).unwrap();
        assert_ne!(index_mask(&key, 1), index_mask(&key, 2));
        assert_ne!(index_mask(&key, 1), index_mask(&other, 1));
    }

    #[test]
    fn account_index_range() {
        assert_eq!(AccountIndex::new(999_999_999).unwrap().get(), 999_999_999);
        let err = AccountIndex::new(1_000_000_000).unwrap_err();
        assert_eq!(
            err,
            PaycodeError::InvalidAccountIndex {
                value: 1_000_000_000
            }
        );
        assert!(AccountIndex::new(u64::MAX).is_err());
    }
}
