//! Payment codes (DESIGN.md §5) over HTTP: provisioning a device's secret, and the merchant's
//! till charging a code a customer shows. The flows are [`crate::service::paycode`]'s.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use danbao_domain::protocol::wire::{Charge, Charged, PaycodeMasks, Provisioned};

use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiResult, Problem};
use crate::service::Actor;
use crate::service::{self, Answer};
use crate::store::Store;
use danbao_domain::protocol::Command;

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
    super::http::no_body(&signed.body, "provisioning")?;
    let provisioned = service::run(
        &app,
        Actor::Device(signed.caller()),
        Command::ProvisionPaycode,
    );
    Ok(super::http::no_store(provisioned.await?.into_response()))
}

/// `POST /v1/paycode/masks`: a fresh window of index masks (the coming 3 days) for the calling
/// device's current payment-code secret; the secret and account index stay. The app asks when
/// it syncs and its window runs below 2 days.
#[utoipa::path(
    post,
    path = "/v1/paycode/masks",
    tag = "paycode",
    params(super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "The device's masks (Cache-Control: no-store; not kept under the idempotency key)", body = PaycodeMasks),
        (status = 400, description = "invalid_body (the body must be empty or {}), missing_idempotency_key, bad_idempotency_key", body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "paycode_not_provisioned", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn masks<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Response> {
    super::http::no_body(&signed.body, "refreshing the masks")?;
    let masks = service::run(
        &app,
        Actor::Device(signed.caller()),
        Command::RefreshPaycodeMasks,
    );
    Ok(super::http::no_store(masks.await?.into_response()))
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
        (status = 403, description = "merchant_not_enrolled, merchant_disabled (only an enrolled merchant the operator did not switch off charges codes)", body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 409, description = "payment_code_used", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, memo_too_long, confirmation_required, invalid_payment_code, payment_code_outdated, payment_code_rejected, payment_code_expired, same_account, insufficient_funds, idempotency_key_reused", body = Problem),
        (status = 429, description = "too_many_attempts (with Retry-After: seconds until the budget has room)", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn charge<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let command = Command::Charge(service::parse_body(&signed.body)?);
    service::run(&app, Actor::Device(signed.caller()), command).await
}
