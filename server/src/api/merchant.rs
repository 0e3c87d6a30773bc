//! Danbao codes: issue the caller's merchant or receive code, resolve a scanned code to the
//! payee the server knows, and pay a code once (merchant payment, or P2P by receive code). The
//! flows are [`crate::service::merchant`]'s.

use axum::extract::State;
use danbao_domain::protocol::wire::{
    CodePaid, IssuedCode, NewCode, PayCode, Resolved, ScannedCode,
};

use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiResult, Problem};
use crate::service::Actor;
use crate::service::{self, Answer};
use crate::store::Store;
use danbao_domain::protocol::Command;

/// `POST /v1/codes`: issues a code that pays the caller — a static merchant code, a signed
/// merchant code with an amount, or a friend receive code.
#[utoipa::path(
    post,
    path = "/v1/codes",
    tag = "codes",
    request_body = NewCode,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "The code, to render as a QR code", body = IssuedCode),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_currency, invalid_amount, invalid_expiry, invalid_code_request, render_failed, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn issue_code<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::IssueCode(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `POST /v1/codes/resolve`: what the confirm screen shows for a scanned code — the payee's
/// real name from the database, the printed name, whether they differ, and the amount. Changes
/// nothing (signed so only users can probe codes).
#[utoipa::path(
    post,
    path = "/v1/codes/resolve",
    tag = "codes",
    request_body = ScannedCode,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "What the confirm screen shows: the payee's real name, the printed name and whether they differ", body = Resolved),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 404, description = "unknown_payee", body = Problem),
        (status = 409, description = "code_used, order_not_payable (an order code whose order was cancelled, paid or settled)", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_code, code_unsigned, code_unknown_key, code_signature_invalid, code_expired, code_not_yet_valid", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn resolve_code<S: Store>(
    State(app): State<App<S>>,
    signed: Signed,
) -> ApiResult<Answer> {
    let command = Command::ResolveCode(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}

/// `POST /v1/payments`: pays a scanned merchant or receive code. A signed code is checked
/// (signature, expiry) and its nonce recorded in the same transaction as the payment, so it
/// pays once.
#[utoipa::path(
    post,
    path = "/v1/payments",
    tag = "codes",
    request_body = PayCode,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Paid; `balance` is the payer's", body = CodePaid),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_payee, unknown_user", body = Problem),
        (status = 409, description = "code_used", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "memo_too_long, invalid_code, code_unsigned, code_unknown_key, code_signature_invalid, code_expired, code_not_yet_valid, order_code, amount_mismatch, amount_required, invalid_amount, same_account, insufficient_funds, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn pay_code<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::PayCode(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}
