//! Money requests: a user asks another to pay them; the payer accepts (pays once) or declines.

use axum::Json;
use axum::extract::State;

use super::extract::Path;
use danbao_domain::ledger::TransferId;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{
    FeedEvent, NewRequest, PartyView, PaymentKind, REQUEST_DECLINED, REQUEST_OPEN, REQUEST_PAID,
    RequestAction, RequestEvent, RequestRole, RequestView, parse_amount,
};

use crate::api::wallet::{Payment, pay_user};
use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiError, ApiResult, Problem};
use crate::service::ledger;
use crate::service::{self, Answer};
use crate::store::{MoneyRequest, Store, Tx, User};
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;

const OPEN: &str = REQUEST_OPEN;
const PAID: &str = REQUEST_PAID;
const DECLINED: &str = REQUEST_DECLINED;

fn user(tx: &mut dyn Tx, id: i64) -> ApiResult<User> {
    tx.user(id)?
        .ok_or_else(|| ApiError::not_found("unknown_user", format!("user {id} is gone")))
}

fn amount_of(request: &MoneyRequest) -> ApiResult<Money> {
    let currency = Currency::from_code(&request.currency).map_err(ApiError::storage)?;
    Ok(Money::from_minor(request.amount_minor, currency))
}

fn view(tx: &mut dyn Tx, request: &MoneyRequest) -> ApiResult<RequestView> {
    let requester = user(tx, request.requester_id)?;
    let payer = user(tx, request.payer_id)?;
    Ok(RequestView {
        id: request.id,
        requester: PartyView::from(&requester),
        payer: PartyView::from(&payer),
        amount: amount_of(request)?.into(),
        note: request.note.clone(),
        status: request.status.clone(),
        transfer_id: request.transfer_id.clone(),
        created_at: request.created_at,
    })
}

/// Appends a "request" event with the request's state to both parties' feeds.
fn announce(
    tx: &mut dyn Tx,
    request: &MoneyRequest,
    view: &RequestView,
    action: RequestAction,
    now: i64,
) -> ApiResult<()> {
    for (user_id, role) in [
        (request.requester_id, RequestRole::Requester),
        (request.payer_id, RequestRole::Payer),
    ] {
        let event = RequestEvent::new(action, role, view.clone());
        tx.append_event(user_id, &FeedEvent::Request(event), now)?;
    }
    Ok(())
}

/// The request `id` if the caller is one of its parties; otherwise 404, so nobody learns
/// about others' requests.
fn visible(tx: &mut dyn Tx, id: i64, caller: i64) -> ApiResult<MoneyRequest> {
    match tx.request(id)? {
        Some(request) if request.requester_id == caller || request.payer_id == caller => {
            Ok(request)
        }
        _ => Err(ApiError::not_found(
            "unknown_request",
            format!("you have no money request {id}"),
        )),
    }
}

/// The request `id` if the caller is its payer and it is still open.
fn open_for_payer(tx: &mut dyn Tx, id: i64, caller: i64, verb: &str) -> ApiResult<MoneyRequest> {
    let request = visible(tx, id, caller)?;
    if request.payer_id != caller {
        return Err(ApiError::forbidden(
            "wrong_party",
            format!("only the user asked to pay can {verb} request {id}; you made it"),
        ));
    }
    if request.status != OPEN {
        return Err(ApiError::conflict(
            "request_not_open",
            format!(
                "request {id} is {}; only an open request can be accepted or declined",
                request.status
            ),
        ));
    }
    Ok(request)
}

/// `POST /v1/requests`: asks the user `from` to pay the caller.
#[utoipa::path(
    post,
    path = "/v1/requests",
    tag = "requests",
    request_body = NewRequest,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "The open request", body = RequestView),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_user", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_amount, invalid_currency, note_too_long, same_account, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn create<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let body: NewRequest = service::parse_body(&signed.body)?;
    let amount = parse_amount(&body.amount, &body.currency)?;
    if body.note.chars().count() > MAX_MEMO_CHARS {
        return Err(ApiError::unprocessable(
            "note_too_long",
            format!("a note has at most {MAX_MEMO_CHARS} characters"),
        ));
    }
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let requester = user(tx, signed.user_id)?;
                let payer = tx
                    .user_by_handle(&body.from.to_ascii_lowercase())?
                    .ok_or_else(|| {
                        ApiError::not_found(
                            "unknown_user",
                            format!("no user has the handle {:?}", body.from),
                        )
                    })?;
                if payer.id == requester.id {
                    return Err(ApiError::unprocessable(
                        "same_account",
                        "you cannot request money from yourself",
                    ));
                }
                let mut request = MoneyRequest {
                    id: 0,
                    requester_id: requester.id,
                    payer_id: payer.id,
                    amount_minor: amount.minor(),
                    currency: amount.currency().code().to_owned(),
                    note: body.note.clone(),
                    status: OPEN.to_owned(),
                    transfer_id: None,
                    created_at: now,
                };
                request.id = tx.insert_request(&request)?;
                let view = view(tx, &request)?;
                announce(tx, &request, &view, RequestAction::Created, now)?;
                Answer::with_status(201, &view)
            })
        })
        .await
}

/// The transfer that pays request `id`: derived from the request, not the idempotency key, so
/// no second accept under another key can pay it again.
fn request_transfer_id(request: &MoneyRequest) -> TransferId {
    ledger::transfer_id(
        request.payer_id,
        &format!("money-request-{}", request.id),
        "request",
    )
}

/// `POST /v1/requests/{id}/accept`: the payer pays the request (once).
#[utoipa::path(
    post,
    path = "/v1/requests/{id}/accept",
    tag = "requests",
    params(("id" = i64, Path, description = "The request id"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Paid", body = RequestView),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "wrong_party", body = Problem),
        (status = 404, description = "unknown_request", body = Problem),
        (status = 409, description = "request_not_open", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "insufficient_funds, same_account, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn accept<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Answer> {
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let mut request = open_for_payer(tx, id, signed.user_id, "accept")?;
                let payer = user(tx, request.payer_id)?;
                let requester = user(tx, request.requester_id)?;
                let amount = amount_of(&request)?;
                let transfer = request_transfer_id(&request);
                pay_user(
                    tx,
                    &payer,
                    &requester,
                    amount,
                    Payment {
                        id: transfer,
                        kind: PaymentKind::Request,
                        memo: &request.note,
                    },
                    now,
                )?;
                request.status = PAID.to_owned();
                request.transfer_id = Some(format!("{:032x}", transfer.0));
                tx.save_request(&request)?;
                let view = view(tx, &request)?;
                announce(tx, &request, &view, RequestAction::Paid, now)?;
                Answer::ok(&view)
            })
        })
        .await
}

/// `POST /v1/requests/{id}/decline`: the payer declines the request.
#[utoipa::path(
    post,
    path = "/v1/requests/{id}/decline",
    tag = "requests",
    params(("id" = i64, Path, description = "The request id"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "Declined", body = RequestView),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "wrong_party", body = Problem),
        (status = 404, description = "unknown_request", body = Problem),
        (status = 409, description = "request_not_open", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn decline<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Answer> {
    let now = app.now();
    app.store
        .write(move |tx| {
            service::once(tx, &signed.caller(), now, |tx| {
                let mut request = open_for_payer(tx, id, signed.user_id, "decline")?;
                request.status = DECLINED.to_owned();
                tx.save_request(&request)?;
                let view = view(tx, &request)?;
                announce(tx, &request, &view, RequestAction::Declined, now)?;
                Answer::ok(&view)
            })
        })
        .await
}

/// `GET /v1/requests/{id}`: a request the caller made or was asked to pay.
#[utoipa::path(
    get,
    path = "/v1/requests/{id}",
    tag = "requests",
    params(("id" = i64, Path, description = "The request id")),
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 404, description = "unknown_request", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn get<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    signed: Signed,
) -> ApiResult<Json<RequestView>> {
    let view = app
        .store
        .read(move |tx| {
            let request = visible(tx, id, signed.user_id)?;
            view(tx, &request)
        })
        .await?;
    Ok(Json(view))
}
