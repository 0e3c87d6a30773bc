//! Withdrawals as a lifecycle (issue 12 point 5): a user's request moves the amount from the
//! wallet to the payouts-pending account (`requested`); the operator then marks it `paid_out`
//! with the bank transfer's id (the amount moves on to the withdrawal account) or failed (the
//! amount is `returned` to the wallet). Every step is an ordinary posted ledger transfer whose
//! id derives from the withdrawal, so it can happen once; the user's feed gets an event for
//! each step.

use danbao_domain::money::Money;
use danbao_domain::protocol::wire::{
    Direction, MarkFailed, MarkPaidOut, Movement, Payout, TransferEvent, Withdraw, WithdrawalList,
    WithdrawalStatus, WithdrawalView, parse_amount,
};

use crate::service::wallet::{self, check_bank_ref, check_memo, record};
use crate::service::{self, Answer, Caller, OperatorCall, ServiceError, ServiceResult, ledger};
use crate::store::{AccountKind, Store, StoredWithdrawal, Tx, WithdrawalRecord};

/// Most withdrawals one list answer holds.
pub const LIST_LIMIT: u32 = 500;

/// Requests a withdrawal: the amount moves out of the caller's wallet to the payouts-pending
/// account until the operator pays it out or marks it failed (below).
pub async fn withdraw<S: Store>(
    store: &S,
    caller: Caller,
    body: Withdraw,
    now: i64,
) -> ServiceResult<Answer> {
    let amount = parse_amount(&body.amount, &body.currency)?;
    service::write_once(store, caller, now, move |tx, caller| {
        let id = ledger::transfer_id(caller.user_id, caller.key(), "withdrawal");
        request(tx, caller.user_id, id, amount, now)?;
        wallet::moved(tx, id, amount, caller.user_id)
    })
    .await
}

/// Moves `amount` out of `user_id`'s wallet to the payouts-pending account under transfer
/// `id` and records the request; the user's feed gets a `withdrawal` event. Returns the
/// withdrawal's id.
pub fn request(
    tx: &mut dyn Tx,
    user_id: i64,
    id: danbao_domain::ledger::TransferId,
    amount: Money,
    now: i64,
) -> ServiceResult<i64> {
    let currency = amount.currency();
    let wallet = ledger::wallet(tx, user_id, currency)?;
    let pending = ledger::system(tx, AccountKind::PayoutsPending, currency)?;
    ledger::apply(tx, ledger::posted(id, &wallet, &pending, amount), now)?;
    let transfer_id = format!("{:032x}", id.0);
    let withdrawal_id = tx.insert_withdrawal(
        &WithdrawalRecord {
            user_id,
            amount,
            transfer_id: transfer_id.clone(),
        },
        now,
    )?;
    record(
        tx,
        user_id,
        TransferEvent::Withdrawal(Movement {
            direction: Direction::Out,
            transfer_id,
            amount: amount.into(),
        }),
        now,
    )?;
    Ok(withdrawal_id)
}

/// The operator's view of a stored withdrawal.
fn view(tx: &mut dyn Tx, stored: &StoredWithdrawal) -> ServiceResult<WithdrawalView> {
    let handle = tx
        .user(stored.user_id)?
        .map(|user| user.handle)
        .unwrap_or_default();
    Ok(WithdrawalView {
        id: stored.id,
        handle,
        amount: stored.amount.into(),
        status: stored.status,
        payout_ref: stored.payout_ref.clone(),
        reason: stored.reason.clone(),
        requested_at: stored.requested_at,
        settled_at: stored.settled_at,
    })
}

/// `GET /v1/admin/withdrawals?status=…`: the withdrawals in `status`, oldest first.
pub async fn list<S: Store>(store: &S, status: &str) -> ServiceResult<WithdrawalList> {
    let status = WithdrawalStatus::parse(status).ok_or_else(|| {
        ServiceError::bad_request(
            "invalid_status",
            format!("status {status:?} is not one of requested, paid_out, returned"),
        )
    })?;
    store
        .read(move |tx| {
            let rows = tx.withdrawals_with_status(status, LIST_LIMIT)?;
            let items = rows
                .iter()
                .map(|row| view(tx, row))
                .collect::<ServiceResult<Vec<_>>>()?;
            Ok(WithdrawalList { items })
        })
        .await
}

fn unknown(id: i64) -> ServiceError {
    ServiceError::not_found(
        "unknown_withdrawal",
        format!("no withdrawal has the id {id}"),
    )
}

/// The step the operator asks for.
enum Step {
    PaidOut(String),
    Failed(String),
}

/// `POST /v1/admin/withdrawals/{id}/paid-out`: the amount moves from the payouts-pending
/// account to the withdrawal account; the user's feed gets `withdrawal_paid_out`. Marking it
/// again with the same reference answers the same; another reference is `409
/// payout_ref_conflict`; a returned withdrawal is `409 withdrawal_returned`.
pub async fn mark_paid_out<S: Store>(
    store: &S,
    call: OperatorCall,
    id: i64,
    body: MarkPaidOut,
    now: i64,
) -> ServiceResult<Answer> {
    let reference = body.payout_ref;
    check_bank_ref("invalid_payout_ref", "payout_ref", &reference)?;
    settle(store, call, id, Step::PaidOut(reference), now).await
}

/// `POST /v1/admin/withdrawals/{id}/failed`: the amount goes back from the payouts-pending
/// account to the wallet, once; the user's feed gets `withdrawal_returned`. Marking it again
/// answers the same; a paid-out withdrawal is `409 withdrawal_paid_out`.
pub async fn mark_failed<S: Store>(
    store: &S,
    call: OperatorCall,
    id: i64,
    body: MarkFailed,
    now: i64,
) -> ServiceResult<Answer> {
    let reason = body.reason.trim().to_owned();
    if reason.is_empty() {
        return Err(ServiceError::bad_request(
            "invalid_reason",
            "reason must say why the payout failed (it is shown to the user)",
        ));
    }
    check_memo("reason_too_long", "reason", &reason)?;
    settle(store, call, id, Step::Failed(reason), now).await
}

async fn settle<S: Store>(
    store: &S,
    call: OperatorCall,
    id: i64,
    step: Step,
    now: i64,
) -> ServiceResult<Answer> {
    store
        .write(move |tx| {
            service::once_keyed(tx, -1, &call.key, &call.request_hash, now, |tx| {
                let stored = tx.withdrawal(id)?.ok_or_else(|| unknown(id))?;
                match stored.status {
                    WithdrawalStatus::Requested => settle_requested(tx, &stored, &step, now),
                    settled => {
                        repeat_of(&step, settled, &stored)?;
                        Answer::ok(&view(tx, &stored)?)
                    }
                }
            })
        })
        .await
}

/// A step asked again of a withdrawal that is settled already: the same step (paid out under
/// the same reference, or failed) answers as before; any other is refused.
fn repeat_of(
    step: &Step,
    settled: WithdrawalStatus,
    stored: &StoredWithdrawal,
) -> ServiceResult<()> {
    let id = stored.id;
    match (step, settled) {
        (Step::PaidOut(reference), WithdrawalStatus::PaidOut)
            if stored.payout_ref.as_deref() == Some(reference.as_str()) =>
        {
            Ok(())
        }
        (Step::PaidOut(_), WithdrawalStatus::PaidOut) => Err(ServiceError::conflict(
            "payout_ref_conflict",
            format!(
                "withdrawal {id} was paid out under another reference; a withdrawal is paid \
                 out once"
            ),
        )),
        (Step::Failed(_), WithdrawalStatus::Returned) => Ok(()),
        (Step::PaidOut(_), WithdrawalStatus::Returned) => Err(ServiceError::conflict(
            "withdrawal_returned",
            format!(
                "withdrawal {id} failed and its amount was returned to the wallet; it cannot \
                 be paid out"
            ),
        )),
        (Step::Failed(_), WithdrawalStatus::PaidOut) => Err(ServiceError::conflict(
            "withdrawal_paid_out",
            format!(
                "withdrawal {id} was paid out; it cannot fail any more (a bank return is a new \
                 deposit)"
            ),
        )),
        (_, WithdrawalStatus::Requested) => Ok(()),
    }
}

/// Settles a requested withdrawal: the status, the ledger transfer out of payouts-pending (to
/// the withdrawal account, or back to the wallet) and the user's feed event, in one job.
fn settle_requested(
    tx: &mut dyn Tx,
    stored: &StoredWithdrawal,
    step: &Step,
    now: i64,
) -> ServiceResult<Answer> {
    let id = stored.id;
    let currency = stored.amount.currency();
    let pending = ledger::system(tx, AccountKind::PayoutsPending, currency)?;
    let scope = format!("withdrawal:{id}");
    let (status, payout_ref, reason, transfer, leg) = match step {
        Step::PaidOut(reference) => {
            let sink = ledger::system(tx, AccountKind::Withdrawal, currency)?;
            let transfer_id = ledger::transfer_id(-1, &scope, "paid_out");
            (
                WithdrawalStatus::PaidOut,
                Some(reference.as_str()),
                None,
                ledger::posted(transfer_id, &pending, &sink, stored.amount),
                transfer_id,
            )
        }
        Step::Failed(reason) => {
            let wallet = ledger::wallet(tx, stored.user_id, currency)?;
            let transfer_id = ledger::transfer_id(-1, &scope, "returned");
            (
                WithdrawalStatus::Returned,
                None,
                Some(reason.as_str()),
                ledger::posted(transfer_id, &pending, &wallet, stored.amount),
                transfer_id,
            )
        }
    };
    if !tx.settle_withdrawal(id, status, payout_ref, reason, now)? {
        return Err(ServiceError::conflict(
            "withdrawal_settled",
            format!("withdrawal {id} was settled meanwhile; ask again"),
        ));
    }
    ledger::apply(tx, transfer, now)?;
    let payout = Payout {
        direction: if status == WithdrawalStatus::PaidOut {
            Direction::Out
        } else {
            Direction::In
        },
        transfer_id: format!("{:032x}", leg.0),
        amount: stored.amount.into(),
        withdrawal_id: id,
        payout_ref: payout_ref.map(str::to_owned),
        reason: reason.map(str::to_owned),
    };
    let event = if status == WithdrawalStatus::PaidOut {
        TransferEvent::WithdrawalPaidOut(payout)
    } else {
        TransferEvent::WithdrawalReturned(payout)
    };
    record(tx, stored.user_id, event, now)?;
    let settled = tx.withdrawal(id)?.ok_or_else(|| unknown(id))?;
    Answer::ok(&view(tx, &settled)?)
}
