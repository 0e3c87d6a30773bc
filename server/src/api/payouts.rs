//! Withdrawal payouts over HTTP (operator): list withdrawals by status, mark one paid out
//! (with the bank transfer's id) or failed (its amount returned to the wallet). The flows are
//! [`crate::service::payouts`]'s.

use axum::Json;
use axum::extract::{Request, State};
use danbao_domain::protocol::Command;
use danbao_domain::protocol::wire::{MarkFailed, MarkPaidOut, WithdrawalList, WithdrawalView};
use serde::Deserialize;

use super::extract::{Path, Query};
use crate::app::App;
use crate::auth::Operator;
use crate::error::{ApiResult, Problem};
use crate::service::{self, Actor, Answer, payouts};
use crate::store::Store;

/// The query of `GET /v1/admin/withdrawals`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// `requested` (to pay out), `paid_out` or `returned`; `requested` when left out.
    pub status: Option<String>,
}

/// `GET /v1/admin/withdrawals?status=requested|paid_out|returned` (operator): the withdrawals
/// in that status, oldest first (at most 500).
#[utoipa::path(
    get,
    path = "/v1/admin/withdrawals",
    tag = "admin",
    params(StatusQuery),
    security(("operator" = [])),
    responses(
        (status = 200, description = "The withdrawals in that status, oldest first", body = WithdrawalList),
        (status = 400, description = "invalid_status, invalid_query", body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn list<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Query(query): Query<StatusQuery>,
) -> ApiResult<Json<WithdrawalList>> {
    let status = query.status.unwrap_or_else(|| "requested".to_owned());
    Ok(Json(payouts::list(&app.store, &status).await?))
}

/// `POST /v1/admin/withdrawals/{id}/paid-out` (operator) `{payout_ref}`: the withdrawal was
/// paid out to the user's bank. Needs an Idempotency-Key; the same reference again answers
/// the same.
#[utoipa::path(
    post,
    path = "/v1/admin/withdrawals/{id}/paid-out",
    tag = "admin",
    request_body = MarkPaidOut,
    params(("id" = i64, Path, description = "The withdrawal's id"), super::doc::IdempotencyKey),
    security(("operator" = [])),
    responses(
        (status = 200, description = "Paid out (or already paid out under this reference)", body = WithdrawalView),
        (status = 400, description = "invalid_payout_ref, missing_idempotency_key, bad_idempotency_key, invalid_body", body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_withdrawal", body = Problem),
        (status = 409, description = "payout_ref_conflict, withdrawal_returned", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn paid_out<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Path(id): Path<i64>,
    request: Request,
) -> ApiResult<Answer> {
    let (call, body) = super::http::operator_call(request).await?;
    let mark = service::parse_body(&body)?;
    let command = Command::MarkPaidOut { id, mark };
    service::run(&app, Actor::Operator(Some(call)), command).await
}

/// `POST /v1/admin/withdrawals/{id}/failed` (operator) `{reason}`: the payout failed; the
/// amount goes back to the user's wallet, once. Needs an Idempotency-Key.
#[utoipa::path(
    post,
    path = "/v1/admin/withdrawals/{id}/failed",
    tag = "admin",
    request_body = MarkFailed,
    params(("id" = i64, Path, description = "The withdrawal's id"), super::doc::IdempotencyKey),
    security(("operator" = [])),
    responses(
        (status = 200, description = "Returned to the wallet (or already returned)", body = WithdrawalView),
        (status = 400, description = "invalid_reason, missing_idempotency_key, bad_idempotency_key, invalid_body", body = Problem),
        (status = 401, description = super::doc::OPERATOR_401, body = Problem),
        (status = 404, description = "unknown_withdrawal", body = Problem),
        (status = 409, description = "withdrawal_paid_out", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "reason_too_long, invisible_characters, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn failed<S: Store>(
    State(app): State<App<S>>,
    _operator: Operator,
    Path(id): Path<i64>,
    request: Request,
) -> ApiResult<Answer> {
    let (call, body) = super::http::operator_call(request).await?;
    let mark = service::parse_body(&body)?;
    let command = Command::MarkFailed { id, mark };
    service::run(&app, Actor::Operator(Some(call)), command).await
}
