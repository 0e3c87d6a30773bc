//! The device side: makes the code the app shows, offline.

use std::fmt;

use super::error::PaycodeError;
use super::layout::{self, AccountIndex, OTP_MODULUS, STEP_SECONDS};
use super::otp::hotp_with_key;
use super::secret::{IndexMaskKey, PaycodeSecret};

/// A payment code as the app shows it, with the window in which to show it.
///
/// `Debug` hides all but the prefix of the digits: a code is a bearer credential for two
/// minutes and does not belong in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentCode {
    /// The 18 digits to render as QR code and barcode.
    pub digits: String,
    /// The RFC 6238 time step the code was made in (unix time / 60).
    pub step: u64,
    /// Unix time (seconds) at which this code's step began.
    pub valid_from: u64,
    /// Unix time (seconds) at which this code's step ends and the app should show the next
    /// code. The server still accepts the code for one more step (clock skew, slow tills).
    pub valid_until: u64,
    /// Seconds from the `now` the code was made at until `valid_until` (1–60): what the app's
    /// refresh countdown shows.
    pub seconds_remaining: u64,
}

impl fmt::Debug for PaymentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentCode")
            .field(
                "digits",
                &format_args!("{}<redacted>", layout::PAYMENT_CODE_PREFIX),
            )
            .field("step", &self.step)
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .field("seconds_remaining", &self.seconds_remaining)
            .finish()
    }
}

/// Makes payment codes on the device, offline, from what the server provisioned: the device's
/// secret, the deployment's index mask key and the device's account index.
///
/// Time is passed in, never read, so the same inputs always give the same code.
#[derive(Debug, Clone)]
pub struct PaymentCodeGenerator {
    secret: PaycodeSecret,
    mask_key: IndexMaskKey,
    account_index: AccountIndex,
}

impl PaymentCodeGenerator {
    /// A generator for one device.
    pub fn new(secret: PaycodeSecret, mask_key: IndexMaskKey, account_index: AccountIndex) -> Self {
        Self {
            secret,
            mask_key,
            account_index,
        }
    }

    /// The account index this generator puts in its codes.
    pub fn account_index(&self) -> AccountIndex {
        self.account_index
    }

    /// The code for unix time `now_unix` (seconds).
    pub fn generate(&self, now_unix: u64) -> PaymentCode {
        let step = now_unix / STEP_SECONDS;
        let digits = self.code_for_step(step);
        let valid_from = step * STEP_SECONDS;
        // Saturates only in the last minute before u64::MAX seconds.
        let valid_until = valid_from.saturating_add(STEP_SECONDS);
        PaymentCode {
            digits,
            step,
            valid_from,
            valid_until,
            seconds_remaining: valid_until - now_unix,
        }
    }

    /// The 18 digits for a given time step.
    pub(crate) fn code_for_step(&self, step: u64) -> String {
        let otp = hotp_with_key(self.secret.hmac_key(), step, OTP_MODULUS);
        let masked = layout::mask_index(&self.mask_key, self.account_index, otp);
        layout::format_code(masked, otp)
    }
}

/// Convenience for shells that hold the parts separately: checks the index and makes the
/// code for `now_unix`.
pub fn generate_payment_code(
    secret: &PaycodeSecret,
    mask_key: &IndexMaskKey,
    account_index: u64,
    now_unix: u64,
) -> Result<PaymentCode, PaycodeError> {
    let index = AccountIndex::new(account_index)?;
    Ok(PaymentCodeGenerator::new(secret.clone(), mask_key.clone(), index).generate(now_unix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator(index: u64) -> PaymentCodeGenerator {
        PaymentCodeGenerator::new(
            PaycodeSecret::from_bytes(&[1u8; 32]).unwrap(),
            IndexMaskKey::from_bytes(&[2u8; 32]).unwrap(),
            AccountIndex::new(index).unwrap(),
        )
    }

    #[test]
    fn window_and_countdown() {
        let g = generator(42);
        let code = g.generate(1_700_000_000); // 1_700_000_000 = 28_333_333 * 60 + 20
        assert_eq!(code.step, 28_333_333);
        assert_eq!(code.valid_from, 1_699_999_980);
        assert_eq!(code.valid_until, 1_700_000_040);
        assert_eq!(code.seconds_remaining, 40);
        assert_eq!(g.generate(1_699_999_980).seconds_remaining, 60);
        assert_eq!(g.generate(1_700_000_039).seconds_remaining, 1);
    }

    #[test]
    fn same_step_same_code_next_step_new_code() {
        let g = generator(42);
        let a = g.generate(1_699_999_980);
        assert_eq!(a.digits, g.generate(1_700_000_039).digits);
        assert_ne!(a.digits, g.generate(1_700_000_040).digits);
        assert_eq!(a.digits.len(), 18);
        assert!(a.digits.starts_with("28"));
        assert!(a.digits.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let g = generator(0);
        let code = g.generate(u64::MAX);
        assert_eq!(code.step, u64::MAX / 60);
        assert_eq!(code.valid_until, u64::MAX);
        assert_eq!(g.generate(0).valid_until, 60);
    }

    #[test]
    fn debug_hides_the_digits() {
        let code = generator(42).generate(1_700_000_000);
        let shown = format!("{code:?}");
        assert!(!shown.contains(&code.digits[2..]), "{shown}");
        assert!(shown.contains("28<redacted>"), "{shown}");
    }

    #[test]
    fn convenience_checks_the_index() {
        let secret = PaycodeSecret::from_bytes(&[1u8; 32]).unwrap();
        let mask = IndexMaskKey::from_bytes(&[2u8; 32]).unwrap();
        assert!(generate_payment_code(&secret, &mask, 1_000_000_000, 0).is_err());
        let code = generate_payment_code(&secret, &mask, 42, 1_700_000_000).unwrap();
        assert_eq!(code, generator(42).generate(1_700_000_000));
    }
}
