//! Money requests: a user asks another to pay them; the payer accepts (pays once) or declines.

use danbao_domain::ledger::TransferId;
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{
    FeedEvent, NewRequest, PartyView, PaymentKind, REQUEST_DECLINED, REQUEST_OPEN, REQUEST_PAID,
    RequestAction, RequestEvent, RequestRole, RequestView, parse_amount,
};

use crate::service::wallet::{Payment, balance_after, check_memo, pay_user};
use crate::service::{self, Answer, Caller, ServiceError, ServiceResult, ledger};
use crate::store::{MoneyRequest, Store, Tx, User};

const OPEN: &str = REQUEST_OPEN;
const PAID: &str = REQUEST_PAID;
const DECLINED: &str = REQUEST_DECLINED;

fn user(tx: &mut dyn Tx, id: i64) -> ServiceResult<User> {
    tx.user(id)?
        .ok_or_else(|| ServiceError::not_found("unknown_user", format!("user {id} is gone")))
}

fn amount_of(request: &MoneyRequest) -> ServiceResult<Money> {
    let currency = Currency::from_code(&request.currency).map_err(ServiceError::storage)?;
    Ok(Money::from_minor(request.amount_minor, currency))
}

fn view(tx: &mut dyn Tx, request: &MoneyRequest) -> ServiceResult<RequestView> {
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
        balance: None,
    })
}

/// Appends a "request" event with the request's state to both parties' feeds.
fn announce(
    tx: &mut dyn Tx,
    request: &MoneyRequest,
    view: &RequestView,
    action: RequestAction,
    now: i64,
) -> ServiceResult<()> {
    for (user_id, role) in [
        (request.requester_id, RequestRole::Requester),
        (request.payer_id, RequestRole::Payer),
    ] {
        let event = RequestEvent::new(action, role, view.clone());
        tx.append_event(user_id, &FeedEvent::Request(Box::new(event)), now)?;
    }
    Ok(())
}

/// The request `id` if the caller is one of its parties; otherwise 404, so nobody learns
/// about others' requests.
fn visible(tx: &mut dyn Tx, id: i64, caller: i64) -> ServiceResult<MoneyRequest> {
    match tx.request(id)? {
        Some(request) if request.requester_id == caller || request.payer_id == caller => {
            Ok(request)
        }
        _ => Err(ServiceError::not_found(
            "unknown_request",
            format!("you have no money request {id}"),
        )),
    }
}

/// The request `id` if the caller is its payer and it is still open.
fn open_for_payer(
    tx: &mut dyn Tx,
    id: i64,
    caller: i64,
    verb: &str,
) -> ServiceResult<MoneyRequest> {
    let request = visible(tx, id, caller)?;
    if request.payer_id != caller {
        return Err(ServiceError::forbidden(
            "wrong_party",
            format!("only the user asked to pay can {verb} request {id}; you made it"),
        ));
    }
    if request.status != OPEN {
        return Err(ServiceError::conflict(
            "request_not_open",
            format!(
                "request {id} is {}; only an open request can be accepted or declined",
                request.status
            ),
        ));
    }
    Ok(request)
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

/// Asks the user `body.from` to pay the caller.
pub async fn create<S: Store>(
    store: &S,
    caller: Caller,
    body: NewRequest,
    now: i64,
) -> ServiceResult<Answer> {
    let amount = parse_amount(&body.amount, &body.currency)?;
    check_memo("note_too_long", "note", &body.note)?;
    service::write_once(store, caller, now, move |tx, caller| {
        let requester = user(tx, caller.user_id)?;
        let payer = tx
            .user_by_handle(&body.from.to_ascii_lowercase())?
            .ok_or_else(|| {
                ServiceError::not_found(
                    "unknown_user",
                    format!("no user has the handle {:?}", body.from),
                )
            })?;
        if payer.id == requester.id {
            return Err(ServiceError::unprocessable(
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
        Answer::created(&view)
    })
    .await
}

/// The payer pays request `id` (once). The answer carries the payer's balance afterwards.
pub async fn accept<S: Store>(
    store: &S,
    caller: Caller,
    id: i64,
    now: i64,
) -> ServiceResult<Answer> {
    service::write_once(store, caller, now, move |tx, caller| {
        let mut request = open_for_payer(tx, id, caller.user_id, "accept")?;
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
        let mut answer = view;
        answer.balance = Some(balance_after(tx, payer.id, amount)?);
        Answer::ok(&answer)
    })
    .await
}

/// The payer declines request `id`.
pub async fn decline<S: Store>(
    store: &S,
    caller: Caller,
    id: i64,
    now: i64,
) -> ServiceResult<Answer> {
    service::write_once(store, caller, now, move |tx, caller| {
        let mut request = open_for_payer(tx, id, caller.user_id, "decline")?;
        request.status = DECLINED.to_owned();
        tx.save_request(&request)?;
        let view = view(tx, &request)?;
        announce(tx, &request, &view, RequestAction::Declined, now)?;
        Answer::ok(&view)
    })
    .await
}

/// Request `id` if the caller made it or was asked to pay it.
pub async fn get<S: Store>(store: &S, user_id: i64, id: i64) -> ServiceResult<RequestView> {
    store
        .read(move |tx| {
            let request = visible(tx, id, user_id)?;
            view(tx, &request)
        })
        .await
}
