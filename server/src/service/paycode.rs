//! Payment codes on the server (DESIGN.md §5, docs/payment-codes.md): provisioning a device's
//! secret, sealed at rest, and verifying a code a merchant's till scanned.
//!
//! The code format, the TOTP window and the replay rule are `danbao_domain::paycode`'s; this module
//! supplies its secret lookup (unsealing rows of the job's own transaction) and replay store
//! (`CodeTx::use_paycode_step` in the same job as the charge), and adds what the verifier leaves
//! to the server: a failure budget per merchant and an amount cap.

use std::cell::RefCell;

use danbao_domain::paycode::{
    AccountIndex, IndexMaskKey, PaycodeError, PaycodeSecret, PaycodeStoreError,
    PaymentCodeVerifier, ReplayStore, VerifiedPaymentCode,
};
use ring::aead::NONCE_LEN;
use ring::hmac;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use danbao_domain::money::Money;
use danbao_domain::paycode::{MASK_WINDOW_STEPS, PAYMENT_CODE_LEN, STEP_SECONDS};
use danbao_domain::protocol::wire::{
    Charge, Charged, FeedEvent, PartyView, PaycodeGuessed, PaycodeMasks, PaymentKind, Provisioned,
    SecurityEvent, parse_amount,
};
use ring::rand::SecureRandom;

use crate::app::App;
use crate::service::sealed;
use crate::service::wallet::{Payment, balance_after, check_memo, pay_user};
use crate::service::{self, Answer, Caller, ServiceError, ServiceResult, ledger};
use crate::store::{Store, Tx};

/// Failed charge attempts (unknown account or wrong code) a merchant may make per window.
pub const FAILURE_BUDGET: u32 = 5;
/// The failure window, seconds.
pub const FAILURE_WINDOW_SECS: i64 = 10 * 60;
/// Wrong codes for one customer's account index, by any merchants together, per window: past
/// it that index's codes are refused for every merchant until the failures leave the window
/// (a new merchant account cannot reset it), and the customer gets a notice.
pub const INDEX_FAILURE_BUDGET: u32 = 5;
/// Failed attempts of all merchants together per window: past it every charge is refused
/// with 429 until the window moves on (guessing spread over many accounts slows down).
pub const GLOBAL_FAILURE_BUDGET: u32 = 500;

const SEAL_CONTEXT: &[u8] = b"danbao/paycode-secret/v1";
const MASK_KEY_CONTEXT: &[u8] = b"danbao/paycode/mask-key/v2";

/// The server's index mask key, derived from the seal key (HMAC-SHA256 with a fixed label) so
/// it needs no key file of its own. It never leaves the server: each device receives only the
/// masks of its own coming codes (`MaskWindow`), which unmask no other device's codes
/// (docs/payment-codes.md).
pub fn mask_key(seal_key: &[u8; 32]) -> ServiceResult<IndexMaskKey> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, seal_key);
    let tag = hmac::sign(&key, MASK_KEY_CONTEXT);
    IndexMaskKey::from_bytes(tag.as_ref()).map_err(ServiceError::storage)
}

fn aad(account_index: u64) -> Vec<u8> {
    let mut aad = SEAL_CONTEXT.to_vec();
    aad.extend_from_slice(&account_index.to_be_bytes());
    aad
}

/// Seals a secret with AES-256-GCM under `seal_key`: `nonce ‖ ciphertext ‖ tag`. The account
/// index is authenticated data, so a sealed secret moved to another row does not open.
pub fn seal(
    seal_key: &[u8; 32],
    nonce: [u8; NONCE_LEN],
    account_index: u64,
    secret: &PaycodeSecret,
) -> ServiceResult<Vec<u8>> {
    sealed::seal(seal_key, nonce, &aad(account_index), secret.expose_bytes())
        .map_err(|_| ServiceError::storage("sealing a payment-code secret failed"))
}

/// Opens what [`seal`] wrote for `account_index`.
pub fn unseal(
    seal_key: &[u8; 32],
    account_index: u64,
    sealed: &[u8],
) -> Result<PaycodeSecret, PaycodeStoreError> {
    let failed = || PaycodeStoreError::new("a sealed payment-code secret does not open");
    sealed::open(
        seal_key,
        &aad(account_index),
        sealed,
        PaycodeSecret::from_bytes,
    )
    .map_err(|_| failed())?
    .map_err(|_| failed())
}

/// Fresh material for one provisioning, drawn outside the job so a retried job is the same.
pub struct Provisioning {
    /// The new secret.
    pub secret: PaycodeSecret,
    /// Candidate account indexes, tried in order until a free one is found.
    pub candidates: Vec<u64>,
    /// The AEAD nonce for sealing.
    pub nonce: [u8; NONCE_LEN],
}

/// Stores `fresh.secret` sealed for `device_id` under the first free candidate index and
/// returns that index. Earlier secrets of the device are revoked.
pub fn provision(
    tx: &mut dyn Tx,
    seal_key: &[u8; 32],
    user_id: i64,
    device_id: i64,
    fresh: &Provisioning,
    now: i64,
) -> ServiceResult<AccountIndex> {
    for &candidate in &fresh.candidates {
        let index = AccountIndex::new(candidate).map_err(ServiceError::storage)?;
        if tx.paycode_secret(candidate)?.is_some() {
            continue;
        }
        let sealed = seal(seal_key, fresh.nonce, candidate, &fresh.secret)?;
        tx.put_device_paycode_secret(candidate, user_id, device_id, &sealed, now)?;
        return Ok(index);
    }
    Err(ServiceError::storage(
        "no free payment-code account index among the candidates",
    ))
}

/// The replay store and secret lookup of one job: both go through the job's transaction.
struct JobStores<'a, 't> {
    tx: RefCell<&'a mut (dyn Tx + 't)>,
    seal_key: &'a [u8; 32],
    owner: RefCell<Option<i64>>,
}

impl ReplayStore for JobStores<'_, '_> {
    fn first_use(&self, account_index: AccountIndex, step: u64) -> Result<bool, PaycodeStoreError> {
        let mut tx = self
            .tx
            .try_borrow_mut()
            .map_err(|_| PaycodeStoreError::new("the transaction is busy"))?;
        tx.use_paycode_step(u64::from(account_index.get()), step)
            .map_err(|error| PaycodeStoreError::new(error.to_string()))
    }
}

impl JobStores<'_, '_> {
    fn secret_for(
        &self,
        account_index: AccountIndex,
    ) -> Result<Option<PaycodeSecret>, PaycodeStoreError> {
        let index = u64::from(account_index.get());
        let row = self
            .tx
            .try_borrow_mut()
            .map_err(|_| PaycodeStoreError::new("the transaction is busy"))?
            .paycode_secret(index)
            .map_err(|error| PaycodeStoreError::new(error.to_string()))?;
        match row {
            None => Ok(None),
            Some((owner, sealed)) => {
                *self.owner.borrow_mut() = Some(owner);
                unseal(self.seal_key, index, &sealed).map(Some)
            }
        }
    }
}

/// A code that verified: whose wallet to charge, and the step details.
#[derive(Debug, Clone, Copy)]
pub struct Accepted {
    /// The payer: the owner of the code's account index.
    pub payer_id: i64,
    /// What the verifier returned.
    pub verified: VerifiedPaymentCode,
}

/// Whether a refusal counts against the failure budgets: guesses, not genuine codes that are
/// a little late or scanned twice. `Some(Some(index))` when the code decoded to a customer's
/// account index with a wrong OTP (counted against that index too), `Some(None)` for an index
/// nobody holds.
pub fn counts_as_guess(error: &PaycodeError) -> Option<Option<u64>> {
    match error {
        PaycodeError::UnknownAccount { .. } => Some(None),
        PaycodeError::WrongCode { account_index } => Some(Some(u64::from(*account_index))),
        _ => None,
    }
}

/// The refusal of a guess, and of a genuine code of a locked account index: the same words,
/// so a merchant cannot tell a locked account from a wrong code.
fn rejected() -> ServiceError {
    paycode_error(PaycodeError::WrongCode { account_index: 0 })
}

/// Verifies `code` at `now` and records its step as used, in the job's transaction.
pub fn verify(
    tx: &mut dyn Tx,
    verifier: &PaymentCodeVerifier,
    seal_key: &[u8; 32],
    code: &str,
    now: i64,
) -> Result<Accepted, PaycodeError> {
    let stores = JobStores {
        tx: RefCell::new(tx),
        seal_key,
        owner: RefCell::new(None),
    };
    let lookup = |index: AccountIndex| stores.secret_for(index);
    let verified = verifier.verify(
        code,
        u64::try_from(now).unwrap_or_default(),
        &lookup,
        &stores,
    )?;
    let payer_id = stores.owner.borrow().ok_or_else(|| PaycodeError::Store {
        message: "the code's owner was not read".to_owned(),
    })?;
    Ok(Accepted { payer_id, verified })
}

/// Maps a payment-code refusal to the API's stable codes. Store failures are 503s.
pub fn paycode_error(error: PaycodeError) -> ServiceError {
    // The account index is the customer's, not the merchant's: refusals never name it.
    let code = match &error {
        PaycodeError::Malformed { .. } => "invalid_payment_code",
        PaycodeError::Outdated => "payment_code_outdated",
        // A locked account index is answered with these words too (see `charge`).
        PaycodeError::UnknownAccount { .. } | PaycodeError::WrongCode { .. } => {
            return ServiceError::unprocessable(
                "payment_code_rejected",
                "the payment code matches no customer's current code: it was mistyped, forged \
                 or belongs to a device that is no longer registered; ask for a fresh code",
            );
        }
        PaycodeError::Expired { .. } => "payment_code_expired",
        PaycodeError::Replayed { .. } => {
            return ServiceError::conflict(
                "payment_code_used",
                "this payment code was already charged; each code is accepted once, so the \
                 customer must show a fresh code",
            );
        }
        PaycodeError::InvalidKey { .. }
        | PaycodeError::InvalidAccountIndex { .. }
        | PaycodeError::OutsideMaskWindow { .. }
        | PaycodeError::InvalidMasks { .. }
        | PaycodeError::InvalidOtpParameter { .. }
        | PaycodeError::Store { .. } => return ServiceError::storage(error),
    };
    ServiceError::unprocessable(code, error.to_string())
}

/// How many candidate account indexes one provisioning draws.
const INDEX_CANDIDATES: usize = 8;
const INDEX_SPACE: u64 = AccountIndex::MAX as u64 + 1;

/// Gives the calling device a fresh payment-code secret and account index, replacing
/// (revoking) any earlier one of the same device. Not kept under the idempotency key (the
/// answer carries a secret); the request nonce is still single use.
pub async fn provision_device<S: Store>(
    app: &App<S>,
    caller: Caller,
) -> ServiceResult<Provisioned> {
    let secret = PaycodeSecret::generate(&app.rng).map_err(ServiceError::storage)?;
    let mut candidates = Vec::with_capacity(INDEX_CANDIDATES);
    for _ in 0..INDEX_CANDIDATES {
        let mut bytes = [0u8; 8];
        app.rng
            .fill(&mut bytes)
            .map_err(|_| ServiceError::storage("no randomness"))?;
        candidates.push(u64::from_be_bytes(bytes) % INDEX_SPACE);
    }
    let mut nonce = [0u8; ring::aead::NONCE_LEN];
    app.rng
        .fill(&mut nonce)
        .map_err(|_| ServiceError::storage("no randomness"))?;
    let fresh = Provisioning {
        secret,
        candidates,
        nonce,
    };
    let verifier = PaymentCodeVerifier::new(mask_key(&app.seal_key)?);
    let seal_key = app.seal_key;
    let now = app.now();
    let (user_id, device_id, request_nonce) = (caller.user_id, caller.device_id, caller.nonce);
    let (index, fresh) = app
        .store
        .write(move |tx| {
            service::spend_nonce(tx, device_id, &request_nonce, now)?;
            let index = provision(tx, &seal_key, user_id, device_id, &fresh, now)?;
            Ok::<_, ServiceError>((index, fresh.secret.clone()))
        })
        .await?;
    tracing::info!(user_id, device_id, "payment-code secret provisioned");
    let masks = masks_from(&verifier, &fresh, now)?;
    let provisioned = Provisioned {
        account_index: u64::from(index.get()),
        secret: STANDARD.encode(fresh.expose_bytes()),
        masks,
        digits: PAYMENT_CODE_LEN,
        step_seconds: STEP_SECONDS,
    };
    Ok(provisioned)
}

/// Steps before now that a provisioned window also covers: a phone whose clock runs a few
/// minutes behind still makes codes (the server accepts one step of skew, and tells a code
/// up to 6 steps old as expired).
pub const MASK_WINDOW_BACK_STEPS: u64 = 10;

/// The device's masks for [`MASK_WINDOW_STEPS`] steps from [`MASK_WINDOW_BACK_STEPS`] before
/// the step of `now`, base64.
fn masks_from(
    verifier: &PaymentCodeVerifier,
    secret: &PaycodeSecret,
    now: i64,
) -> ServiceResult<String> {
    let step = (u64::try_from(now).unwrap_or_default() / STEP_SECONDS)
        .saturating_sub(MASK_WINDOW_BACK_STEPS);
    let window = verifier
        .masks_for(secret, step, MASK_WINDOW_STEPS)
        .map_err(ServiceError::storage)?;
    Ok(STANDARD.encode(window.to_bytes()))
}

/// Gives the calling device a fresh window of masks for its current payment-code secret (the
/// secret and index stay), from the current step. `404 paycode_not_provisioned` when the
/// device has no secret. Not kept under the idempotency key; the request nonce is single use.
pub async fn refresh_masks<S: Store>(app: &App<S>, caller: Caller) -> ServiceResult<PaycodeMasks> {
    let verifier = PaymentCodeVerifier::new(mask_key(&app.seal_key)?);
    let seal_key = app.seal_key;
    let now = app.now();
    let (device_id, request_nonce) = (caller.device_id, caller.nonce);
    let secret = app
        .store
        .write(move |tx| {
            service::spend_nonce(tx, device_id, &request_nonce, now)?;
            let (index, sealed) = tx.device_paycode_secret(device_id)?.ok_or_else(|| {
                ServiceError::not_found(
                    "paycode_not_provisioned",
                    "this device has no payment-code secret; provision it first \
                     (POST /v1/paycode/provision)",
                )
            })?;
            unseal(&seal_key, index, &sealed).map_err(ServiceError::storage)
        })
        .await?;
    let masks = masks_from(&verifier, &secret, now)?;
    tracing::info!(
        user_id = caller.user_id,
        device_id,
        "payment-code masks refreshed"
    );
    Ok(PaycodeMasks { masks })
}

/// Whether merchant `merchant_id` may charge codes now: refused (429, with `Retry-After`:
/// the seconds until the budget has room) after too many wrong codes in the failure window,
/// its own or everyone's.
fn paused(tx: &mut dyn Tx, merchant_id: i64, now: i64) -> ServiceResult<()> {
    let since = now - FAILURE_WINDOW_SECS;
    let everyone = tx.paycode_all_failures_since(since)?;
    if everyone >= GLOBAL_FAILURE_BUDGET {
        let wait = wait_secs(tx, None, everyone, GLOBAL_FAILURE_BUDGET, now)?;
        return Err(ServiceError::too_many_requests(
            "too_many_attempts",
            format!(
                "too many wrong payment codes were tried in the last {} minutes; charging \
                 payment codes is paused for everyone, try again in {wait} s",
                FAILURE_WINDOW_SECS / 60
            ),
        )
        .retry_after(wait));
    }
    let failures = tx.paycode_failures_since(merchant_id, since)?;
    if failures >= FAILURE_BUDGET {
        let wait = wait_secs(tx, Some(merchant_id), failures, FAILURE_BUDGET, now)?;
        return Err(ServiceError::too_many_requests(
            "too_many_attempts",
            format!(
                "{failures} payment codes from this merchant were refused in the last {} \
                 minutes; charging is paused, try again in {wait} s",
                FAILURE_WINDOW_SECS / 60
            ),
        )
        .retry_after(wait));
    }
    Ok(())
}

/// Whether `amount` may be charged by payment code: not above the cap a code can be charged
/// without the customer's confirmation.
fn within_cap(amount: Money, cap: Option<Money>) -> ServiceResult<()> {
    if cap.is_none_or(|cap| amount.minor() > cap.minor()) {
        let why = cap.map_or_else(
            || {
                format!(
                    "no payment-code limit is configured for {}",
                    amount.currency().code()
                )
            },
            |cap| {
                format!(
                    "it is above the payment-code limit of {}",
                    cap.format_with_code()
                )
            },
        );
        return Err(ServiceError::unprocessable(
            "confirmation_required",
            format!(
                "{} cannot be charged by payment code: {why}; ask the customer to pay by \
                 scanning your code instead",
                amount.format_with_code(),
            ),
        ));
    }
    Ok(())
}

/// Seconds until `failures` (of one merchant, or of everyone) in the window drop below
/// `budget`: until the failure that many places from the oldest leaves the window. At least 1.
fn wait_secs(
    tx: &mut dyn Tx,
    merchant_id: Option<i64>,
    failures: u32,
    budget: u32,
    now: i64,
) -> ServiceResult<u64> {
    let nth = failures.saturating_sub(budget);
    let leaves = tx
        .paycode_failure_at(merchant_id, now - FAILURE_WINDOW_SECS, nth)?
        .map_or(FAILURE_WINDOW_SECS, |at| at + FAILURE_WINDOW_SECS - now);
    Ok(u64::try_from(leaves.max(1)).unwrap_or(1))
}

/// Whether `index`'s codes are refused for every merchant (too many wrong codes for it in the
/// window).
fn index_locked(tx: &mut dyn Tx, index: u64, now: i64) -> ServiceResult<bool> {
    Ok(tx.paycode_index_failures_since(index, now - FAILURE_WINDOW_SECS)? >= INDEX_FAILURE_BUDGET)
}

/// The merchant (the signing caller) charges a customer's payment code. Refused with 429
/// after too many wrong codes from this merchant, and with `confirmation_required` above the
/// configured cap. The code is verified once, in the payment's transaction.
pub async fn charge<S: Store>(app: &App<S>, caller: Caller, body: Charge) -> ServiceResult<Answer> {
    let amount = parse_amount(&body.amount, &body.currency)?;
    check_memo("memo_too_long", "memo", &body.memo)?;
    let verifier = PaymentCodeVerifier::new(mask_key(&app.seal_key)?);
    let seal_key = app.seal_key;
    let cap = app.config.paycode_cap.for_currency(amount.currency());
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut guessed: Option<Option<u64>> = None;
            let answer = service::once(tx, &caller, now, |tx| {
                service::merchant_profiles::may_charge_codes(tx, caller.user_id)?;
                // A paused merchant's charge is answered 429 with its Retry-After; a 429 is
                // not kept under the key (`once_keyed`), so the same key works once the
                // budget has room, while the nonce stays spent. A charge answered before is
                // answered the same, before this runs.
                paused(tx, caller.user_id, now)?;
                within_cap(amount, cap)?;
                let code = body.payment_code.trim();
                let accepted = accept(tx, &verifier, &seal_key, code, now, &mut guessed)?;
                let key = caller.key();
                let payer = tx.user(accepted.payer_id)?.ok_or_else(|| {
                    ServiceError::not_found("unknown_user", "the code's owner is gone")
                })?;
                let merchant = tx.user(caller.user_id)?.ok_or_else(|| {
                    ServiceError::not_found("unknown_user", "the calling merchant is gone")
                })?;
                let id = ledger::transfer_id(merchant.id, key, "paycode");
                let fee = pay_user(
                    tx,
                    &payer,
                    &merchant,
                    amount,
                    Payment {
                        id,
                        kind: PaymentKind::Paycode,
                        memo: &body.memo,
                    },
                    now,
                )
                .map_err(|refused| refused.for_the_payee(&amount.format_with_code()))?;
                Answer::ok(&Charged {
                    transfer_id: format!("{:032x}", id.0),
                    payer: PartyView::from(&payer),
                    amount: amount.into(),
                    balance: balance_after(tx, merchant.id, amount)?,
                    step_offset: accepted.verified.step_offset,
                    platform_fee: fee.as_ref().map(|split| split.fee.into()),
                    net_to_payee: fee.as_ref().map(|split| split.net.into()),
                })
            })?;
            // Counted outside the request's savepoint: the refusal rolls back the flow, the
            // failure count must stay.
            if let Some(index) = guessed {
                tx.count_paycode_failure(caller.user_id, index, now, FAILURE_WINDOW_SECS)?;
                if let Some(index) = index {
                    warn_when_locked(tx, index, now)?;
                }
            }
            Ok(answer)
        })
        .await
}

/// Verifies a charged `code` and refuses it while its customer is locked. A failure that
/// counts as a guess is noted in `guessed` (the caller counts it outside the refused flow).
fn accept(
    tx: &mut dyn Tx,
    verifier: &PaymentCodeVerifier,
    seal_key: &[u8; 32],
    code: &str,
    now: i64,
    guessed: &mut Option<Option<u64>>,
) -> ServiceResult<Accepted> {
    let accepted = match verify(tx, verifier, seal_key, code, now) {
        Ok(accepted) => accepted,
        Err(error) => {
            *guessed = counts_as_guess(&error);
            // A genuine code of a locked customer, late or already used, is answered like any
            // of her codes while she is locked: a wrong code.
            if let PaycodeError::Expired { account_index, .. }
            | PaycodeError::Replayed { account_index, .. } = &error
                && index_locked(tx, u64::from(*account_index), now)?
            {
                return Err(rejected());
            }
            return Err(paycode_error(error));
        }
    };
    // A customer whose codes were guessed at too often is protected from every merchant,
    // genuine codes included, until the failures leave the window.
    let index = u64::from(accepted.verified.account_index.get());
    if index_locked(tx, index, now)? {
        return Err(rejected());
    }
    Ok(accepted)
}

/// Tells the owner of `index` once, when this failure was the one that used up the index's
/// budget, that someone is guessing their payment code and that it is refused for a while.
fn warn_when_locked(tx: &mut dyn Tx, index: u64, now: i64) -> ServiceResult<()> {
    let failures = tx.paycode_index_failures_since(index, now - FAILURE_WINDOW_SECS)?;
    if failures != INDEX_FAILURE_BUDGET {
        return Ok(());
    }
    let Some((owner, _)) = tx.paycode_secret(index)? else {
        return Ok(());
    };
    tracing::warn!(
        user_id = owner,
        failures,
        "payment code guessed too often; its codes are refused for a while"
    );
    let notice = SecurityEvent::PaycodeGuessed(PaycodeGuessed {
        failures,
        window_secs: FAILURE_WINDOW_SECS,
        refused_until: now + FAILURE_WINDOW_SECS,
    });
    tx.append_event(owner, &FeedEvent::Security(notice), now)?;
    Ok(())
}
