//! Danbao codes: issue the caller's merchant or receive code, resolve a scanned code to the
//! payee the server knows, and pay a code once (merchant payment, or P2P by receive code).

use axum::extract::State;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;
use danbao_domain::protocol::wire::{
    BalanceView, CodePaid, IssueKind, IssuedCode, NewCode, PartyView, PayCode, PaymentKind,
    Resolved, ScannedCode, positive_amount,
};
use danbao_domain::qr::danbao::{DanbaoCode, Nonce};
use danbao_domain::qr::render::{RenderOptions, render_svg};

use crate::api::wallet::{Payment, pay_user};
use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::ledger;
use crate::service::merchant::{
    self, DEFAULT_CITY, DEFAULT_CODE_TTL_SECS, DEFAULT_COUNTRY, DEFAULT_MCC, IssueRequest,
    MAX_CODE_TTL_SECS, MIN_CODE_TTL_SECS,
};
use crate::service::{self, Answer};
use crate::store::Store;

fn caller(tx: &mut dyn crate::store::Tx, user_id: i64) -> ApiResult<crate::store::User> {
    tx.user(user_id)?
        .ok_or_else(|| ApiError::not_found("unknown_user", "the calling user is gone"))
}

fn issue_request(body: &NewCode) -> ApiResult<IssueRequest> {
    let currency = Currency::from_code(body.currency.as_deref().unwrap_or("CNY"))?;
    let amount = body
        .amount
        .as_deref()
        .map(|value| positive_amount(value, currency))
        .transpose()?;
    let ttl_secs = body.expires_in_secs.unwrap_or(DEFAULT_CODE_TTL_SECS);
    if !(MIN_CODE_TTL_SECS..=MAX_CODE_TTL_SECS).contains(&ttl_secs) {
        return Err(ApiError::unprocessable(
            "invalid_expiry",
            format!(
                "expires_in_secs is {ttl_secs}; it must be {MIN_CODE_TTL_SECS} to {MAX_CODE_TTL_SECS}"
            ),
        ));
    }
    if body.kind == IssueKind::Receive && body.mcc.is_some() {
        return Err(ApiError::unprocessable(
            "invalid_code_request",
            "a receive code has no merchant category code; leave mcc out",
        ));
    }
    Ok(IssueRequest {
        kind: body.kind,
        currency,
        amount,
        city: body.city.clone().unwrap_or_else(|| DEFAULT_CITY.to_owned()),
        country: body
            .country
            .clone()
            .unwrap_or_else(|| DEFAULT_COUNTRY.to_owned()),
        mcc: body.mcc.clone().unwrap_or_else(|| DEFAULT_MCC.to_owned()),
        ttl_secs,
    })
}

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
    let body: NewCode = service::parse_body(&signed.body)?;
    let request = issue_request(&body)?;
    let nonce = Nonce::random(&app.rng).map_err(ApiError::storage)?;
    let now = app.now();
    let state = app.clone();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let owner = caller(tx, signed.user_id)?;
                let mut issued = merchant::issue(&state.code_signer, &owner, &request, nonce, now)?;
                if body.svg {
                    issued.svg = Some(
                        render_svg(&issued.code, &RenderOptions::default())
                            .map_err(|e| ApiError::unprocessable("render_failed", e.to_string()))?,
                    );
                }
                Answer::with_status(201, &issued)
            })
        })
        .await
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
) -> ApiResult<axum::Json<Resolved>> {
    let body: ScannedCode = service::parse_body(&signed.body)?;
    let now = app.now();
    let keys = merchant::trusted_keys(&app.code_signer, app.code_public_key);
    let verified = merchant::verify(&body.code, &keys, now)?;
    let resolved = app
        .store
        .read(move |tx| merchant::resolve(tx, verified))
        .await?;
    Ok(axum::Json(resolved))
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
    let body: PayCode = service::parse_body(&signed.body)?;
    if body.memo.chars().count() > MAX_MEMO_CHARS {
        return Err(ApiError::unprocessable(
            "memo_too_long",
            format!("a memo has at most {MAX_MEMO_CHARS} characters"),
        ));
    }
    let now = app.now();
    let keys = merchant::trusted_keys(&app.code_signer, app.code_public_key);
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let key = signed.idempotency_key.as_deref().unwrap_or_default();
                let verified = merchant::verify(&body.code, &keys, now)?;
                if let DanbaoCode::Order(order) = &verified.code {
                    return Err(ApiError::unprocessable(
                        "order_code",
                        format!(
                            "this is the code of order {}; pay it into escrow through the orders API",
                            order.order_id
                        ),
                    ));
                }
                let target = merchant::target(tx, verified)?;
                let amount: Money =
                    merchant::amount_to_pay(&target.verified.code, body.amount.as_deref())?;
                merchant::use_code(tx, &target.verified, now)?;
                let payer = caller(tx, signed.user_id)?;
                let kind = match target.verified.code {
                    DanbaoCode::Receive(_) => PaymentKind::P2p,
                    _ => PaymentKind::Merchant,
                };
                let id = ledger::transfer_id(signed.user_id, key, "code-payment");
                pay_user(
                    tx,
                    &payer,
                    &target.payee,
                    amount,
                    Payment {
                        id,
                        kind,
                        memo: &body.memo,
                    },
                    now,
                )?;
                let wallet = ledger::wallet(tx, payer.id, amount.currency())?;
                Answer::ok(&CodePaid {
                    transfer_id: format!("{:032x}", id.0),
                    kind: kind.as_str().to_owned(),
                    payee: PartyView::from(&target.payee),
                    amount: amount.into(),
                    balance: BalanceView::from(&wallet),
                })
            })
        })
        .await
}
