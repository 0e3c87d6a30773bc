//! Payment codes (DESIGN.md §5): provisioning a device's secret, and the merchant's till
//! charging a code a customer shows.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use danbao_domain::paycode::{PAYMENT_CODE_LEN, PaycodeSecret, PaymentCodeVerifier, STEP_SECONDS};
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;
use danbao_domain::protocol::wire::{
    BalanceView, Charge, Charged, PartyView, PaymentKind, Provisioned, parse_amount,
};
use ring::rand::SecureRandom;

use crate::api::wallet::{Payment, pay_user};
use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::ledger;
use crate::service::paycode::{self, FAILURE_BUDGET, FAILURE_WINDOW_SECS, Provisioning};
use crate::service::{self, Answer};
use crate::store::Store;

/// How many candidate account indexes one provisioning draws.
const INDEX_CANDIDATES: usize = 8;
const INDEX_SPACE: u64 = 1_000_000_000;

/// `POST /v1/paycode/provision`: gives the calling device a fresh payment-code secret and
/// account index, replacing (revoking) any earlier one of the same device.
///
/// The answer carries a secret, so it is not kept under the idempotency key: a retry provisions
/// again, and the device keeps the last answer it receives; the request nonce is still single
/// use.
#[utoipa::path(
    post,
    path = "/v1/paycode/provision",
    tag = "paycode",
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "The fresh secret (Cache-Control: no-store; not kept under the idempotency key)", body = Provisioned),
        (status = 400, description = "invalid_body (the body must be empty or {}), missing_idempotency_key, bad_idempotency_key", body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn provision<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Response> {
    if !signed.body.is_empty() && signed.body.as_ref() != b"{}" {
        return Err(ApiError::bad_request(
            "invalid_body",
            "provisioning takes no body (or {})",
        ));
    }
    let secret = PaycodeSecret::generate(&app.rng).map_err(ApiError::storage)?;
    let mut candidates = Vec::with_capacity(INDEX_CANDIDATES);
    for _ in 0..INDEX_CANDIDATES {
        let mut bytes = [0u8; 8];
        app.rng
            .fill(&mut bytes)
            .map_err(|_| ApiError::storage("no randomness"))?;
        candidates.push(u64::from_be_bytes(bytes) % INDEX_SPACE);
    }
    let mut nonce = [0u8; ring::aead::NONCE_LEN];
    app.rng
        .fill(&mut nonce)
        .map_err(|_| ApiError::storage("no randomness"))?;
    let fresh = Provisioning {
        secret,
        candidates,
        nonce,
    };
    let mask_key = paycode::mask_key(&app.seal_key)?;
    let seal_key = app.seal_key;
    let now = app.now();
    let (user_id, device_id, request_nonce) = (signed.user_id, signed.device_id, signed.nonce);
    let (index, fresh) = app
        .store
        .write(move |tx| {
            if !tx.use_nonce(device_id, &request_nonce, now)? {
                return Err(ApiError::unauthorized(
                    "replayed_request",
                    "this nonce was used before; sign each attempt with a fresh nonce",
                ));
            }
            let index = paycode::provision(tx, &seal_key, user_id, device_id, &fresh, now)?;
            Ok((index, fresh.secret.clone()))
        })
        .await?;
    tracing::info!(user_id, device_id, "payment-code secret provisioned");
    let mut response = Json(Provisioned {
        account_index: u64::from(index.get()),
        secret: STANDARD.encode(fresh.expose_bytes()),
        mask_key: STANDARD.encode(mask_key.expose_bytes()),
        digits: PAYMENT_CODE_LEN,
        step_seconds: STEP_SECONDS,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /v1/merchant/charges`: the merchant (the signing caller) charges a customer's
/// payment code. Refused with 429 after too many wrong codes from this merchant, and with
/// `confirmation_required` above the configured cap.
#[utoipa::path(
    post,
    path = "/v1/merchant/charges",
    tag = "paycode",
    request_body = Charge,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Charged; `balance` is the merchant's", body = Charged),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 409, description = "payment_code_used", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, memo_too_long, confirmation_required, invalid_payment_code, payment_code_rejected, payment_code_expired, payment_code_not_yet_valid, same_account, insufficient_funds, idempotency_key_reused", body = Problem),
        (status = 429, description = "too_many_attempts", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
// Long (85 lines): a handler still holding its flow (failure budget, cap, verify, pay) in one
// write closure; issue 11 point 4 moves such flows into the service layer.
pub async fn charge<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let body: Charge = service::parse_body(&signed.body)?;
    let amount = parse_amount(&body.amount, &body.currency)?;
    if body.memo.chars().count() > MAX_MEMO_CHARS {
        return Err(ApiError::unprocessable(
            "memo_too_long",
            format!("a memo has at most {MAX_MEMO_CHARS} characters"),
        ));
    }
    let verifier = PaymentCodeVerifier::new(paycode::mask_key(&app.seal_key)?);
    let seal_key = app.seal_key;
    let cap = app.config.paycode_cap_minor;
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut guessed = false;
            let answer = service::once(tx, &signed.caller(), now, |tx| {
                let failures =
                    tx.paycode_failures_since(signed.user_id, now - FAILURE_WINDOW_SECS)?;
                if failures >= FAILURE_BUDGET {
                    return Err(ApiError::too_many_requests(
                        "too_many_attempts",
                        format!(
                            "{failures} payment codes from this merchant were refused in the last \
                             {} minutes; charging is paused, try again later",
                            FAILURE_WINDOW_SECS / 60
                        ),
                    ));
                }
                if amount.minor() > cap {
                    return Err(ApiError::unprocessable(
                        "confirmation_required",
                        format!(
                            "{} is above the payment-code limit of {} minor units; ask the \
                             customer to pay by scanning your code instead",
                            amount.format_with_code(),
                            cap
                        ),
                    ));
                }
                let accepted =
                    paycode::verify(tx, &verifier, &seal_key, body.payment_code.trim(), now)
                        .map_err(|error| {
                            guessed = paycode::counts_as_guess(&error);
                            paycode::paycode_error(error)
                        })?;
                let key = signed.idempotency_key.as_deref().unwrap_or_default();
                let payer = tx.user(accepted.payer_id)?.ok_or_else(|| {
                    ApiError::not_found("unknown_user", "the code's owner is gone")
                })?;
                let merchant = tx.user(signed.user_id)?.ok_or_else(|| {
                    ApiError::not_found("unknown_user", "the calling merchant is gone")
                })?;
                let id = ledger::transfer_id(merchant.id, key, "paycode");
                pay_user(
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
                )?;
                let wallet = ledger::wallet(tx, merchant.id, amount.currency())?;
                Answer::ok(&Charged {
                    transfer_id: format!("{:032x}", id.0),
                    payer: PartyView::from(&payer),
                    amount: amount.into(),
                    balance: BalanceView::from(&wallet),
                    step_offset: accepted.verified.step_offset,
                })
            })?;
            // Counted outside the request's savepoint: the refusal rolls back the flow, the
            // failure count must stay.
            if guessed {
                tx.count_paycode_failure(signed.user_id, now, FAILURE_WINDOW_SECS)?;
            }
            Ok(answer)
        })
        .await
}
