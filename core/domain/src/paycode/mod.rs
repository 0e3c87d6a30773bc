//! Payment codes: the 18-digit consumer-presented code (like Alipay's 付款码) that the app
//! shows at a till and the merchant's scanner charges (DESIGN.md §5).
//!
//! A code is `28` + a 9-digit masked account index + a 7-digit TOTP (RFC 6238, HMAC-SHA256,
//! 60 s step) over the device's secret. The device makes it offline with
//! [`PaymentCodeGenerator`]; the server checks it with [`PaymentCodeVerifier`], which finds the
//! account from the code alone, accepts ±1 step and accepts each code once through a
//! [`ReplayStore`]. docs/payment-codes.md explains the layout and its trade-offs.
//!
//! ```
//! use danbao_domain::paycode::*;
//!
//! let secret = PaycodeSecret::from_bytes(&[0x5a; 32])?;
//! let mask_key = IndexMaskKey::from_bytes(&[0xa5; 32])?;
//! let index = AccountIndex::new(4_242)?;
//!
//! // Device, offline.
//! let code = PaymentCodeGenerator::new(secret.clone(), mask_key.clone(), index)
//!     .generate(1_700_000_000);
//!
//! // Server, a little later.
//! let mut secrets = InMemorySecrets::new();
//! secrets.insert(index, secret);
//! let used = InMemoryReplayStore::new();
//! let verifier = PaymentCodeVerifier::new(mask_key);
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
mod otp;
mod secret;
mod verifier;

pub use error::{PaycodeError, PaycodeStoreError};
pub use generator::{PaymentCode, PaymentCodeGenerator, generate_payment_code};
pub use layout::{
    ACCOUNT_INDEX_DIGITS, AccountIndex, OTP_DIGITS, PAYMENT_CODE_LEN, PAYMENT_CODE_PREFIX,
    STEP_SECONDS, check_format,
};
pub use otp::{MAX_OTP_DIGITS, OtpAlgorithm, format_otp, hotp_value, time_step, totp_value};
pub use secret::{GENERATED_KEY_BYTES, IndexMaskKey, MAX_KEY_BYTES, MIN_KEY_BYTES, PaycodeSecret};
pub use verifier::{
    ACCEPTED_SKEW_STEPS, DIAGNOSTIC_STEPS, InMemoryReplayStore, InMemorySecrets,
    PaymentCodeVerifier, ReplayStore, SecretLookup, VerifiedPaymentCode,
};
