//! Key material: the per-device payment-code secret and the server's index mask key.
//!
//! Both types keep their bytes private, print as `<redacted>` in `Debug`, and overwrite their
//! bytes when dropped. The bytes leave only through `expose_bytes`, for sealing at rest
//! (DESIGN.md §6: no secret in plaintext, none in logs).

use std::fmt;
use std::marker::PhantomData;

use ring::{hmac, rand::SecureRandom};

use super::error::PaycodeError;

/// Shortest accepted key: RFC 4226 §4 R6 requires at least 128 bits.
pub const MIN_KEY_BYTES: usize = 16;
/// Longest accepted key: one SHA-256 block; longer keys are hashed down by HMAC anyway.
pub const MAX_KEY_BYTES: usize = 64;
/// Length of freshly generated keys: the HMAC-SHA256 output size (RFC 4226 §4 recommends
/// a key as long as the HMAC output).
pub const GENERATED_KEY_BYTES: usize = 32;

/// Bytes that are wiped on drop and never printed.
#[derive(Clone)]
struct SecretBytes(Vec<u8>);

impl SecretBytes {
    fn new(bytes: &[u8], what: &str) -> Result<Self, PaycodeError> {
        if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&bytes.len()) {
            return Err(PaycodeError::InvalidKey {
                reason: format!(
                    "the {what} is {} bytes; it must be {MIN_KEY_BYTES} to {MAX_KEY_BYTES} \
                     bytes ({GENERATED_KEY_BYTES} recommended)",
                    bytes.len()
                ),
            });
        }
        Ok(Self(bytes.to_vec()))
    }

    fn generate(rng: &dyn SecureRandom, what: &str) -> Result<Self, PaycodeError> {
        let mut bytes = vec![0u8; GENERATED_KEY_BYTES];
        rng.fill(&mut bytes).map_err(|_| PaycodeError::InvalidKey {
            reason: format!("the system random generator failed while making a {what}"),
        })?;
        Ok(Self(bytes))
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        for byte in self.0.iter_mut() {
            // Volatile so the compiler cannot drop the wipe as a dead store.
            // SAFETY: `byte` is a valid, aligned, exclusive reference into our own buffer.
            unsafe { std::ptr::write_volatile(byte, 0) };
        }
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    }
}

/// HMAC-SHA256 key material of one kind `K` ([`PaycodeSecret`], [`IndexMaskKey`]): checked
/// length, the HMAC key made once, bytes wiped on drop.
///
/// `Debug` prints only the kind and the length.
pub struct HmacSecret<K> {
    bytes: SecretBytes,
    key: hmac::Key,
    kind: PhantomData<K>,
}

/// What a kind of [`HmacSecret`] is called, in errors and in `Debug`.
pub trait SecretKind {
    /// The type's name, for `Debug`.
    const NAME: &'static str;
    /// What it is, in an error's words.
    const WHAT: &'static str;
}

/// The per-device secret that the server provisions and the device keeps; payment codes are
/// TOTPs (HMAC-SHA256) over it.
pub type PaycodeSecret = HmacSecret<DeviceSecret>;

/// The kind of [`PaycodeSecret`].
#[derive(Debug, Clone, Copy)]
pub enum DeviceSecret {}

impl SecretKind for DeviceSecret {
    const NAME: &'static str = "PaycodeSecret";
    const WHAT: &'static str = "payment-code secret";
}

/// The server's key that masks the account index inside payment codes (layout 2: the mask of
/// each code is HMAC(key, step ‖ OTP)), so that a merchant who sees many codes cannot tell
/// which ones come from the same customer. It never leaves the server: a device receives only
/// the masks of its own codes (docs/payment-codes.md).
pub type IndexMaskKey = HmacSecret<MaskKey>;

/// The kind of [`IndexMaskKey`].
#[derive(Debug, Clone, Copy)]
pub enum MaskKey {}

impl SecretKind for MaskKey {
    const NAME: &'static str = "IndexMaskKey";
    const WHAT: &'static str = "index mask key";
}

impl<K: SecretKind> HmacSecret<K> {
    /// Wraps existing bytes (e.g. unsealed from storage). They must be 16–64 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PaycodeError> {
        Ok(Self::with(SecretBytes::new(bytes, K::WHAT)?))
    }

    /// Makes fresh 32 bytes from `rng` (the server does this when it registers a device;
    /// randomness is passed in so tests can control it).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, PaycodeError> {
        Ok(Self::with(SecretBytes::generate(rng, K::WHAT)?))
    }

    fn with(bytes: SecretBytes) -> Self {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &bytes.0);
        Self {
            bytes,
            key,
            kind: PhantomData,
        }
    }

    /// The raw bytes, for sealing at rest or provisioning a device's secret. Never log them.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes.0
    }

    pub(crate) fn hmac_key(&self) -> &hmac::Key {
        &self.key
    }
}

impl<K> Clone for HmacSecret<K> {
    fn clone(&self) -> Self {
        Self {
            bytes: self.bytes.clone(),
            key: self.key.clone(),
            kind: PhantomData,
        }
    }
}

impl<K: SecretKind> fmt::Debug for HmacSecret<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(<redacted {} bytes>)", K::NAME, self.bytes.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_bytes() {
        let secret = PaycodeSecret::from_bytes(b"super-secret-seed-0123456789").unwrap();
        let mask = IndexMaskKey::from_bytes(b"mask-key-material-abcdef").unwrap();
        let shown = format!("{secret:?} {mask:?} {secret:#?}");
        assert!(!shown.contains("super"), "{shown}");
        assert!(!shown.contains("mask-key"), "{shown}");
        assert!(!shown.contains("115, 117"), "{shown}"); // 's', 'u' as numbers
        assert_eq!(format!("{secret:?}"), "PaycodeSecret(<redacted 28 bytes>)");
    }

    #[test]
    fn key_lengths_are_checked_with_the_allowed_range() {
        let err = PaycodeSecret::from_bytes(&[1u8; 15]).unwrap_err();
        assert!(
            err.to_string().contains("15 bytes; it must be 16 to 64"),
            "{err}"
        );
        assert!(PaycodeSecret::from_bytes(&[1u8; 65]).is_err());
        assert!(IndexMaskKey::from_bytes(&[]).is_err());
        assert!(PaycodeSecret::from_bytes(&[1u8; 16]).is_ok());
        assert!(PaycodeSecret::from_bytes(&[1u8; 64]).is_ok());
    }

    #[test]
    fn generated_keys_are_32_random_bytes() {
        let rng = ring::rand::SystemRandom::new();
        let a = PaycodeSecret::generate(&rng).unwrap();
        let b = PaycodeSecret::generate(&rng).unwrap();
        assert_eq!(a.expose_bytes().len(), 32);
        assert_ne!(a.expose_bytes(), b.expose_bytes());
    }
}
