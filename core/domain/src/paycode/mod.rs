//! Payment codes: the 18-digit consumer-presented code (like Alipay's 付款码) that the app
//! shows at a till and the merchant's scanner charges (DESIGN.md §5).
//!
//! A code is `29` + the last digit of its time step + an 8-digit masked account index + a
//! 7-digit TOTP (RFC 6238, HMAC-SHA256, 60 s step) over the device's secret. The mask depends
//! on the step and the TOTP under a key only the server holds; the device receives the masks of
//! its own coming codes ([`MaskWindow`]) and makes codes offline with
//! [`PaymentCodeGenerator`]; the server checks them with [`PaymentCodeVerifier`], which finds
//! the account from the code alone, accepts ±1 step and accepts each code once through a
//! [`ReplayStore`]. docs/payment-codes.md explains the layout and its trade-offs.
//!
//! ```
//! use danbao_domain::paycode::*;
//!
//! let secret = PaycodeSecret::from_bytes(&[0x5a; 32])?;
//! let index = AccountIndex::new(4_242)?;
//! // Server: its key never leaves it; the device gets its own masks for the coming days.
//! let verifier = PaymentCodeVerifier::new(IndexMaskKey::from_bytes(&[0xa5; 32])?);
//! let masks = verifier.masks_for(&secret, 1_700_000_000 / STEP_SECONDS, MASK_WINDOW_STEPS)?;
//!
//! // Device, offline.
//! let code = PaymentCodeGenerator::new(secret.clone(), masks, index).generate(1_700_000_000)?;
//!
//! // Server, a little later.
//! let mut secrets = InMemorySecrets::new();
//! secrets.insert(index, secret);
//! let used = InMemoryReplayStore::new();
//! let ok = verifier.verify(&code.digits, 1_700_000_050, &secrets, &used)?;
//! assert_eq!(ok.account_index, index);
//! assert!(matches!(
//!     verifier.verify(&code.digits, 1_700_000_051, &secrets, &used),
//!     Err(PaycodeError::Replayed { .. })
//! ));
//! # Ok::<(), PaycodeError>(())
//! ```

mod error;
mod generator;
mod layout;
mod masks;
mod otp;
mod secret;
mod verifier;

pub use error::{PaycodeError, PaycodeStoreError};
pub use generator::{PaymentCode, PaymentCodeGenerator, generate_payment_code};
pub use layout::{
    ACCOUNT_INDEX_DIGITS, AccountIndex, OTP_DIGITS, OUTDATED_PAYMENT_CODE_PREFIX, PAYMENT_CODE_LEN,
    PAYMENT_CODE_PREFIX, STEP_DIGIT_MODULUS, STEP_SECONDS, check_format, index_mask,
};
pub use masks::{MASK_REFRESH_BELOW_STEPS, MASK_WINDOW_STEPS, MAX_MASK_WINDOW_STEPS, MaskWindow};
pub use otp::{MAX_OTP_DIGITS, OtpAlgorithm, format_otp, hotp_value, time_step, totp_value};
pub use secret::{
    DeviceSecret, GENERATED_KEY_BYTES, HmacSecret, IndexMaskKey, MAX_KEY_BYTES, MIN_KEY_BYTES,
    MaskKey, PaycodeSecret, SecretKind,
};
pub use verifier::{
    ACCEPTED_SKEW_STEPS, DIAGNOSTIC_STEPS, InMemoryReplayStore, InMemorySecrets,
    PaymentCodeVerifier, ReplayStore, SecretLookup, VerifiedPaymentCode,
};
