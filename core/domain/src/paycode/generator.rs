//! The device side: makes the code the app shows, offline.

use std::fmt;

use super::error::PaycodeError;
use super::layout::{self, AccountIndex, OTP_MODULUS, STEP_SECONDS};
use super::masks::MaskWindow;
use super::otp::hotp_with_key;
use super::secret::PaycodeSecret;

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
/// secret, its window of index masks and its account index. It holds no key that could
/// unmask another device's codes.
///
/// Time is passed in, never read, so the same inputs always give the same code.
#[derive(Debug, Clone)]
pub struct PaymentCodeGenerator {
    secret: PaycodeSecret,
    masks: MaskWindow,
    account_index: AccountIndex,
}

impl PaymentCodeGenerator {
    /// A generator for one device.
    pub fn new(secret: PaycodeSecret, masks: MaskWindow, account_index: AccountIndex) -> Self {
        Self {
            secret,
            masks,
            account_index,
        }
    }

    /// The window of masks this generator can make codes in.
    pub fn masks(&self) -> &MaskWindow {
        &self.masks
    }

    /// The account index this generator puts in its codes.
    pub fn account_index(&self) -> AccountIndex {
        self.account_index
    }

    /// The code for unix time `now_unix` (seconds), or
    /// [`PaycodeError::OutsideMaskWindow`] when the provisioned masks do not cover its step.
    pub fn generate(&self, now_unix: u64) -> Result<PaymentCode, PaycodeError> {
        let step = now_unix / STEP_SECONDS;
        let digits = self.code_for_step(step)?;
        let valid_from = step * STEP_SECONDS;
        // Saturates only in the last minute before u64::MAX seconds.
        let valid_until = valid_from.saturating_add(STEP_SECONDS);
        Ok(PaymentCode {
            digits,
            step,
            valid_from,
            valid_until,
            seconds_remaining: valid_until - now_unix,
        })
    }

    /// The 18 digits for a given time step.
    pub(crate) fn code_for_step(&self, step: u64) -> Result<String, PaycodeError> {
        let mask = self.masks.mask_for(step)?;
        let otp = hotp_with_key(self.secret.hmac_key(), step, OTP_MODULUS);
        let masked = layout::apply_mask(self.account_index, mask);
        Ok(layout::format_code(step, masked, otp))
    }
}

/// Convenience for shells that hold the parts separately: checks the index and makes the
/// code for `now_unix`.
pub fn generate_payment_code(
    secret: &PaycodeSecret,
    masks: &MaskWindow,
    account_index: u64,
    now_unix: u64,
) -> Result<PaymentCode, PaycodeError> {
    let index = AccountIndex::new(account_index)?;
    PaymentCodeGenerator::new(secret.clone(), masks.clone(), index).generate(now_unix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paycode::IndexMaskKey;

    fn masks(first_step: u64, steps: u32) -> MaskWindow {
        MaskWindow::provision(
            &IndexMaskKey::from_bytes(&[2u8; 32]).unwrap(),
            &PaycodeSecret::from_bytes(&[1u8; 32]).unwrap(),
            first_step,
            steps,
        )
        .unwrap()
    }

    fn generator(index: u64) -> PaymentCodeGenerator {
        PaymentCodeGenerator::new(
            PaycodeSecret::from_bytes(&[1u8; 32]).unwrap(),
            masks(28_333_300, 100),
            AccountIndex::new(index).unwrap(),
        )
    }

    #[test]
    fn window_and_countdown() {
        let g = generator(42);
        let code = g.generate(1_700_000_000).unwrap(); // 1_700_000_000 = 28_333_333 * 60 + 20
        assert_eq!(code.step, 28_333_333);
        assert_eq!(code.valid_from, 1_699_999_980);
        assert_eq!(code.valid_until, 1_700_000_040);
        assert_eq!(code.seconds_remaining, 40);
        assert_eq!(g.generate(1_699_999_980).unwrap().seconds_remaining, 60);
        assert_eq!(g.generate(1_700_000_039).unwrap().seconds_remaining, 1);
    }

    #[test]
    fn same_step_same_code_next_step_new_code() {
        let g = generator(42);
        let a = g.generate(1_699_999_980).unwrap();
        assert_eq!(a.digits, g.generate(1_700_000_039).unwrap().digits);
        assert_ne!(a.digits, g.generate(1_700_000_040).unwrap().digits);
        assert_eq!(a.digits.len(), 18);
        assert!(a.digits.starts_with("293"), "{}", a.digits);
        assert!(a.digits.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn outside_the_window_is_a_precise_error_not_a_code() {
        let g = generator(0);
        let last = 28_333_399 * 60;
        assert!(g.generate(last + 59).is_ok());
        assert_eq!(
            g.generate(last + 60),
            Err(PaycodeError::OutsideMaskWindow {
                step: 28_333_400,
                first_step: 28_333_300,
                last_step: 28_333_399
            })
        );
        assert!(g.generate(28_333_299 * 60).is_err());
        assert!(g.generate(u64::MAX).is_err());
        let late = PaymentCodeGenerator::new(
            PaycodeSecret::from_bytes(&[1u8; 32]).unwrap(),
            masks(u64::MAX / 60, 1),
            AccountIndex::new(0).unwrap(),
        );
        let code = late.generate(u64::MAX).unwrap();
        assert_eq!(code.valid_until, u64::MAX);
    }

    #[test]
    fn debug_hides_the_digits() {
        let code = generator(42).generate(1_700_000_000).unwrap();
        let shown = format!("{code:?}");
        assert!(!shown.contains(&code.digits[2..]), "{shown}");
        assert!(shown.contains("29<redacted>"), "{shown}");
    }

    #[test]
    fn convenience_checks_the_index() {
        let secret = PaycodeSecret::from_bytes(&[1u8; 32]).unwrap();
        let window = masks(28_333_300, 100);
        assert!(generate_payment_code(&secret, &window, 100_000_000, 1_700_000_000).is_err());
        let code = generate_payment_code(&secret, &window, 42, 1_700_000_000).unwrap();
        assert_eq!(code, generator(42).generate(1_700_000_000).unwrap());
    }
}
