//! The server side: finds the account from the code alone (its step digit, TOTP and masked
//! index), checks the TOTP within ±1 step, and accepts each code once.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use super::error::{PaycodeError, PaycodeStoreError};
use super::layout::{self, AccountIndex, OTP_MODULUS, STEP_SECONDS};
use super::masks::MaskWindow;
use super::otp::hotp_with_key;
use super::secret::{IndexMaskKey, PaycodeSecret};

/// Steps either side of now that are accepted (RFC 6238 §5.2 recommends at most one).
pub const ACCEPTED_SKEW_STEPS: u64 = 1;
/// Steps before now that are searched, beyond the accepted one, only to tell an expired genuine
/// code from a wrong one. Older codes, and every code of a later step than the accepted
/// one, are reported as wrong.
pub const DIAGNOSTIC_STEPS: u64 = 5;

/// Where the server keeps each device's payment-code secret, by account index.
///
/// Any `Fn(AccountIndex) -> Result<Option<PaycodeSecret>, PaycodeStoreError>` closure is one.
pub trait SecretLookup {
    /// The secret registered for `account_index`, `Ok(None)` if there is none, or an error if
    /// the store could not answer.
    fn secret_for(
        &self,
        account_index: AccountIndex,
    ) -> Result<Option<PaycodeSecret>, PaycodeStoreError>;
}

impl<F> SecretLookup for F
where
    F: Fn(AccountIndex) -> Result<Option<PaycodeSecret>, PaycodeStoreError>,
{
    fn secret_for(
        &self,
        account_index: AccountIndex,
    ) -> Result<Option<PaycodeSecret>, PaycodeStoreError> {
        self(account_index)
    }
}

/// Remembers which (account index, time step) codes were already accepted, so that each code is
/// accepted once. The server backs it with its database (a unique key on the pair); entries
/// older than `ACCEPTED_SKEW_STEPS + 1` steps can be deleted, since such codes no longer verify.
pub trait ReplayStore {
    /// Atomically records that the code of `account_index` for `step` is being used, and says
    /// whether this is its first use (`true`) or it was recorded before (`false`).
    fn first_use(&self, account_index: AccountIndex, step: u64) -> Result<bool, PaycodeStoreError>;
}

/// An in-memory [`SecretLookup`], for tests, the CLI and single-process demos.
#[derive(Debug, Default)]
pub struct InMemorySecrets {
    secrets: HashMap<AccountIndex, PaycodeSecret>,
}

impl InMemorySecrets {
    /// An empty lookup.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) the secret of `account_index`.
    pub fn insert(&mut self, account_index: AccountIndex, secret: PaycodeSecret) {
        self.secrets.insert(account_index, secret);
    }

    /// Forgets the secret of `account_index` (the device was deregistered).
    pub fn remove(&mut self, account_index: AccountIndex) {
        self.secrets.remove(&account_index);
    }
}

impl SecretLookup for InMemorySecrets {
    fn secret_for(
        &self,
        account_index: AccountIndex,
    ) -> Result<Option<PaycodeSecret>, PaycodeStoreError> {
        Ok(self.secrets.get(&account_index).cloned())
    }
}

/// An in-memory [`ReplayStore`], for tests, the CLI and single-process demos.
#[derive(Debug, Default)]
pub struct InMemoryReplayStore {
    used: Mutex<HashSet<(AccountIndex, u64)>>,
}

impl InMemoryReplayStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets codes from steps before `step` (call with `current_step - 2`: such codes no
    /// longer verify, so remembering them is useless).
    pub fn forget_before(&self, step: u64) {
        self.lock().retain(|&(_, used_step)| used_step >= step);
    }

    /// How many used codes are remembered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no used code is remembered.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<(AccountIndex, u64)>> {
        // A panic while holding the lock cannot leave the set half-updated (insert and retain
        // are the only writes), so a poisoned lock is still sound to use.
        self.used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ReplayStore for InMemoryReplayStore {
    fn first_use(&self, account_index: AccountIndex, step: u64) -> Result<bool, PaycodeStoreError> {
        Ok(self.lock().insert((account_index, step)))
    }
}

/// A payment code that the server accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedPaymentCode {
    /// The account index the code belongs to: charge this account.
    pub account_index: AccountIndex,
    /// The time step the code was made in; recorded in the replay store.
    pub step: u64,
    /// `step` minus the verifier's current step: −1, 0 or +1. A steady ±1 from one device
    /// means its clock is off.
    pub step_offset: i8,
}

/// Verifies payment codes on the server.
///
/// Holds only the server's [`IndexMaskKey`] (no device has it); the secret lookup and the
/// replay store are passed to each call, so they can be a request's own database transaction.
///
/// This type does not rate-limit guesses or cap amounts: the server must do both around it
/// (DESIGN.md §5).
#[derive(Debug, Clone)]
pub struct PaymentCodeVerifier {
    mask_key: IndexMaskKey,
}

impl PaymentCodeVerifier {
    /// A verifier for codes masked with `mask_key`.
    pub fn new(mask_key: IndexMaskKey) -> Self {
        Self { mask_key }
    }

    /// The masks the device holding `secret` needs for `steps` steps from `first_step`: what
    /// the server provisions (see [`MaskWindow`]).
    pub fn masks_for(
        &self,
        secret: &PaycodeSecret,
        first_step: u64,
        steps: u32,
    ) -> Result<MaskWindow, PaycodeError> {
        MaskWindow::provision(&self.mask_key, secret, first_step, steps)
    }

    /// Verifies `code` at unix time `now_unix` (seconds) and, if it is genuine, within ±1 step
    /// and not used before, records its use and returns its account and step.
    ///
    /// The code carries the last digit of its step: the step is the one with that digit in
    /// `now − 7 … now + 2` steps, the mask is computed for that step and the code's TOTP, and
    /// the index behind it names the one secret to check.
    ///
    /// Errors, in the order they are checked: [`PaycodeError::Outdated`] /
    /// [`PaycodeError::Malformed`], [`PaycodeError::UnknownAccount`],
    /// [`PaycodeError::Expired`] (genuine, 2–6 steps old) / [`PaycodeError::WrongCode`] (also
    /// for a genuine code of a future step beyond the accepted one),
    /// [`PaycodeError::Replayed`], and [`PaycodeError::Store`] when the lookup or replay store
    /// fails.
    pub fn verify<L, R>(
        &self,
        code: &str,
        now_unix: u64,
        secrets: &L,
        replay: &R,
    ) -> Result<VerifiedPaymentCode, PaycodeError>
    where
        L: SecretLookup + ?Sized,
        R: ReplayStore + ?Sized,
    {
        let fields = layout::parse_fields(code)?;
        let current = now_unix / STEP_SECONDS;
        let Some(step) = layout::step_from_digit(fields.step_digit, current) else {
            // Only in the first minutes after the epoch: no step to unmask with.
            return Err(PaycodeError::UnknownAccount { account_index: 0 });
        };
        let mask = layout::index_mask(&self.mask_key, step, fields.otp);
        let account_index = layout::remove_mask(fields.masked_index, mask);
        let secret = secrets
            .secret_for(account_index)?
            .ok_or(PaycodeError::UnknownAccount {
                account_index: account_index.get(),
            })?;
        let genuine = ct_eq_u32(
            hotp_with_key(secret.hmac_key(), step, OTP_MODULUS),
            fields.otp,
        );
        let wrong = PaycodeError::WrongCode {
            account_index: account_index.get(),
        };
        // −7 … +2; the ends are never accepted nor diagnosed.
        let offset = i128::from(step) - i128::from(current);
        let accepted = i128::from(ACCEPTED_SKEW_STEPS);
        let oldest_diagnosed = accepted + i128::from(DIAGNOSTIC_STEPS);
        if (-accepted..=accepted).contains(&offset) {
            if !genuine {
                return Err(wrong);
            }
            if replay.first_use(account_index, step)? {
                return Ok(VerifiedPaymentCode {
                    account_index,
                    step,
                    step_offset: offset as i8,
                });
            }
            return Err(PaycodeError::Replayed {
                account_index: account_index.get(),
                step,
            });
        }
        // Not acceptable: tell an old genuine code from a wrong one (the customer showed it a
        // while ago and must show a fresh one). A code for a future step is answered exactly
        // like a wrong code: saying "genuine, but early" would confirm a guess, or a code read
        // off a phone whose clock runs ahead, to whoever holds it.
        if (-oldest_diagnosed..-accepted).contains(&offset) && genuine {
            return Err(PaycodeError::Expired {
                account_index: account_index.get(),
                code_step: step,
                current_step: current,
            });
        }
        Err(wrong)
    }
}

/// Equality whose running time does not depend on where the values differ: xor the bytes and
/// fold the differences before the single final test.
fn ct_eq_u32(a: u32, b: u32) -> bool {
    let diff = a
        .to_be_bytes()
        .iter()
        .zip(b.to_be_bytes().iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_is_equality() {
        assert!(ct_eq_u32(0, 0));
        assert!(ct_eq_u32(9_999_999, 9_999_999));
        assert!(!ct_eq_u32(1, 0));
        assert!(!ct_eq_u32(0x0100_0000, 0));
        assert!(!ct_eq_u32(u32::MAX, u32::MAX - 1));
    }

    #[test]
    fn replay_store_forgets_old_steps() {
        let store = InMemoryReplayStore::new();
        let a = AccountIndex::new(1).unwrap();
        assert!(store.first_use(a, 10).unwrap());
        assert!(!store.first_use(a, 10).unwrap());
        assert!(store.first_use(a, 11).unwrap());
        assert_eq!(store.len(), 2);
        store.forget_before(11);
        assert_eq!(store.len(), 1);
        assert!(store.first_use(a, 10).unwrap());
    }
}
