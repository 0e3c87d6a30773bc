//! The one error type of the payment-code API.

/// Why a payment code could not be made or was not accepted.
///
/// Each message says what was wrong and what would be right. Messages never contain a secret
/// or a full payment code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaycodeError {
    /// The text is not a Danbao payment code at all: wrong length, a non-digit, or the wrong
    /// two-digit prefix.
    #[error("not a Danbao payment code: {reason}")]
    Malformed {
        /// What exactly is wrong with the text.
        reason: String,
    },
    /// The code has the layout of the first version (prefix `28`), made with a mask key every
    /// device held: no longer accepted. The customer's app must update its payment codes
    /// (it does when it next syncs online) and show a fresh code.
    #[error(
        "this payment code has the older layout (it starts with 28), which is no longer \
         accepted; the customer's app must go online once to update its payment codes, then \
         show a fresh code"
    )]
    Outdated,
    /// The code names an account index for which the secret lookup has no secret: the code
    /// was mistyped, forged, or the device was deregistered.
    #[error(
        "payment code names account index {account_index}, which has no payment-code secret; \
         the code was mistyped or the device is no longer registered"
    )]
    UnknownAccount {
        /// The account index that the code decodes to.
        account_index: u32,
    },
    /// The code is genuine but from a time step more than one step before now.
    #[error(
        "payment code expired: it was made in time step {code_step}, {} steps before the \
         current step {current_step}; only codes from the previous, current or next 60-second \
         step are accepted, so the customer must show a fresh code",
        current_step - code_step
    )]
    Expired {
        /// The account index of the code (not shown in the message).
        account_index: u32,
        /// The step the code was made in.
        code_step: u64,
        /// The verifier's current step.
        current_step: u64,
    },
    /// The code was already accepted once; each code is single use.
    #[error(
        "payment code for account index {account_index}, time step {step}, was already used; \
         each code is accepted once, so the customer must show a fresh code"
    )]
    Replayed {
        /// The account index of the code.
        account_index: u32,
        /// The time step in which it was first accepted.
        step: u64,
    },
    /// The code names a known account but its one-time password matches no step near now.
    #[error(
        "payment code does not match account index {account_index}'s secret for any time \
         step near now; it was mistyped or forged"
    )]
    WrongCode {
        /// The account index that the code decodes to.
        account_index: u32,
    },
    /// A secret or mask key has an unusable length.
    #[error("invalid payment-code key: {reason}")]
    InvalidKey {
        /// What was wrong and what length would be right.
        reason: String,
    },
    /// An account index does not fit the code.
    #[error(
        "account index {value} does not fit a payment code; it must be below 100000000 \
         (8 digits)"
    )]
    InvalidAccountIndex {
        /// The refused value.
        value: u64,
    },
    /// The device holds no mask for the step of `now`: its provisioned window of masks
    /// (docs/payment-codes.md) ended, or has not begun. Refresh the window online.
    #[error(
        "no payment code can be made for time step {step}: this device's payment-code masks \
         cover steps {first_step} to {last_step}; go online so the app refreshes them"
    )]
    OutsideMaskWindow {
        /// The step a code was asked for.
        step: u64,
        /// The first step the window covers.
        first_step: u64,
        /// The last step the window covers.
        last_step: u64,
    },
    /// Stored or provisioned masks could not be read.
    #[error("invalid payment-code masks: {reason}")]
    InvalidMasks {
        /// What was wrong.
        reason: String,
    },
    /// An HOTP/TOTP parameter is out of range.
    #[error("invalid OTP parameter: {reason}")]
    InvalidOtpParameter {
        /// What was wrong and what would be right.
        reason: String,
    },
    /// The caller's secret lookup or replay store failed.
    #[error("payment-code store failed: {message}")]
    Store {
        /// The store's own message.
        message: String,
    },
}

/// The error a caller's [`SecretLookup`](super::SecretLookup) or
/// [`ReplayStore`](super::ReplayStore) reports when it cannot answer (database down, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PaycodeStoreError {
    /// What failed, for logs. Must not contain a secret.
    pub message: String,
}

impl PaycodeStoreError {
    /// A store error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<PaycodeStoreError> for PaycodeError {
    fn from(err: PaycodeStoreError) -> Self {
        PaycodeError::Store {
            message: err.message,
        }
    }
}
