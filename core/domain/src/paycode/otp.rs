//! HOTP (RFC 4226) and TOTP (RFC 6238), generalised to 1–9 digits and three HMAC hashes.
//!
//! These are the standard algorithms, checked against the RFCs' published test vectors in
//! `core/domain/tests/paycode_rfc_vectors.rs`. The payment code builds on [`hotp_value`] with
//! HMAC-SHA256; SHA-1 exists only so that the RFC 4226 vectors can be checked.

use ring::hmac;

use super::error::PaycodeError;

/// The HMAC hash an OTP is computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpAlgorithm {
    /// HMAC-SHA1: RFC 4226's original. Kept for the published test vectors and for
    /// interoperability checks only; payment codes never use it.
    Sha1,
    /// HMAC-SHA256: what payment codes use (DESIGN.md §5).
    Sha256,
    /// HMAC-SHA512 (RFC 6238 allows it; its Appendix B has vectors for it).
    Sha512,
}

impl OtpAlgorithm {
    pub(crate) fn ring(self) -> hmac::Algorithm {
        match self {
            OtpAlgorithm::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            OtpAlgorithm::Sha256 => hmac::HMAC_SHA256,
            OtpAlgorithm::Sha512 => hmac::HMAC_SHA512,
        }
    }
}

/// The largest number of digits an OTP can have here. RFC 4226's dynamic truncation yields a
/// 31-bit number (at most 2,147,483,647), so 10 digits would not be uniformly distributed and
/// could never start with 3–9; 9 digits is the honest maximum.
pub const MAX_OTP_DIGITS: u32 = 9;

/// 10^digits, after checking that `digits` is in 1..=[`MAX_OTP_DIGITS`].
pub(crate) fn modulus_for(digits: u32) -> Result<u32, PaycodeError> {
    if digits == 0 || digits > MAX_OTP_DIGITS {
        return Err(PaycodeError::InvalidOtpParameter {
            reason: format!(
                "an OTP of {digits} digits was asked for; digits must be 1 to {MAX_OTP_DIGITS} \
                 (dynamic truncation yields 31 bits)"
            ),
        });
    }
    Ok(10u32.pow(digits))
}

/// RFC 4226 §5.3 dynamic truncation: the low nibble of the last MAC byte picks an offset; the
/// 31 bits at that offset (big-endian, top bit masked off) are the result.
pub(crate) fn dynamic_truncate(mac: &[u8]) -> u32 {
    // Every MAC here is ≥ 20 bytes, and offset ≤ 15, so offset + 3 ≤ 18 is in range; the
    // `get` keeps this total for any input all the same.
    let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
    match mac.get(offset..offset + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a & 0x7f, b, c, d]),
        _ => 0,
    }
}

/// HOTP with a prepared key: the 31-bit truncated value reduced modulo `modulus`.
pub(crate) fn hotp_with_key(key: &hmac::Key, counter: u64, modulus: u32) -> u32 {
    let tag = hmac::sign(key, &counter.to_be_bytes());
    dynamic_truncate(tag.as_ref()) % modulus
}

/// HOTP (RFC 4226 §5.3): the `digits`-digit one-time password for `counter` under `key`.
///
/// The result is a number; show it zero-padded to `digits` places (see [`format_otp`]).
/// Fails only if `digits` is not in 1..=9.
pub fn hotp_value(
    algorithm: OtpAlgorithm,
    key: &[u8],
    counter: u64,
    digits: u32,
) -> Result<u32, PaycodeError> {
    let modulus = modulus_for(digits)?;
    let key = hmac::Key::new(algorithm.ring(), key);
    Ok(hotp_with_key(&key, counter, modulus))
}

/// The RFC 6238 time step that contains `unix_time`: ⌊(unix_time − t0) / step_seconds⌋.
///
/// Fails if `step_seconds` is zero or `unix_time` is before `t0`.
pub fn time_step(unix_time: u64, t0: u64, step_seconds: u64) -> Result<u64, PaycodeError> {
    if step_seconds == 0 {
        return Err(PaycodeError::InvalidOtpParameter {
            reason: "the TOTP time step is 0 seconds; it must be at least 1 (Danbao uses 60)"
                .to_owned(),
        });
    }
    match unix_time.checked_sub(t0) {
        Some(elapsed) => Ok(elapsed / step_seconds),
        None => Err(PaycodeError::InvalidOtpParameter {
            reason: format!(
                "time {unix_time} is before the TOTP epoch t0 = {t0}; it must be at or after it"
            ),
        }),
    }
}

/// TOTP (RFC 6238 §4): HOTP over the time step that contains `unix_time` (epoch `t0` = 0).
pub fn totp_value(
    algorithm: OtpAlgorithm,
    key: &[u8],
    unix_time: u64,
    step_seconds: u64,
    digits: u32,
) -> Result<u32, PaycodeError> {
    let step = time_step(unix_time, 0, step_seconds)?;
    hotp_value(algorithm, key, step, digits)
}

/// Formats an OTP value zero-padded to `digits` places, as RFC 4226 shows it ("094287082").
pub fn format_otp(value: u32, digits: u32) -> String {
    format!("{value:0width$}", width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_reads_rfc4226_section_5_4_example() {
        // RFC 4226 §5.4: the SHA-1 HMAC 1f8698690e02ca16618550ef7f19da8e945b555a has
        // offset 0xa and truncates to 0x50ef7f19 = 1357872921.
        let mac = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncate(&mac), 0x50ef_7f19);
        assert_eq!(dynamic_truncate(&mac) % 1_000_000, 872_921);
    }

    #[test]
    fn truncation_masks_the_top_bit() {
        let mut mac = [0xffu8; 20];
        mac[19] = 0xf0; // offset 0
        assert_eq!(dynamic_truncate(&mac), 0x7fff_ffff);
    }

    #[test]
    fn digits_out_of_range_are_refused_with_the_allowed_range() {
        for digits in [0, 10, 32] {
            let err = hotp_value(OtpAlgorithm::Sha256, b"k", 0, digits).unwrap_err();
            assert!(err.to_string().contains("digits must be 1 to 9"), "{err}");
        }
    }

    #[test]
    fn time_step_rejects_zero_step_and_time_before_epoch() {
        assert!(time_step(100, 0, 0).is_err());
        assert!(time_step(5, 10, 30).is_err());
        assert_eq!(time_step(119, 0, 60).unwrap(), 1);
        assert_eq!(time_step(120, 0, 60).unwrap(), 2);
        assert_eq!(time_step(u64::MAX, 0, 60).unwrap(), u64::MAX / 60);
    }

    #[test]
    fn format_pads_with_zeros() {
        assert_eq!(format_otp(7_081_804, 8), "07081804");
        assert_eq!(format_otp(0, 6), "000000");
    }
}
