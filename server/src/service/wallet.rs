//! Money in, out and between friends: top-ups, withdrawals, transfers, every payment between
//! two users' wallets ([`pay_user`]), and the reads of balances and the feed.

use danbao_domain::fees::FeeSplit;
use danbao_domain::ledger::TransferId;
use danbao_domain::money::Money;
use danbao_domain::protocol::limits::MAX_MEMO_CHARS;
use danbao_domain::protocol::wire::{
    self, BalanceView, Deposit, Direction, Event, FeedEvent, FeedPage, KIND_TRANSFER, Moved,
    Movement, PaymentKind, Send, TopUp, TransferEvent, parse_amount,
};
use danbao_domain::text::TextError;

use crate::service::users::{caller_user, user_by_handle};
use crate::service::{self, Answer, Caller, OperatorCall, ServiceError, ServiceResult, ledger};
use crate::store::merchant_api::PaymentSettlementRecord;
use crate::store::{AccountKind, DepositRecord, Store, Tx, User};

/// Records a movement in a user's feed.
pub fn record(tx: &mut dyn Tx, user_id: i64, event: TransferEvent, now: i64) -> ServiceResult<()> {
    tx.append_event(user_id, &FeedEvent::Transfer(event), now)?;
    Ok(())
}

/// Refuses a memo (or note) over [`MAX_MEMO_CHARS`] with `code`, and one that hides characters
/// from its reader (`danbao_domain::text`, the rule the wallet applies before queuing) with
/// `invisible_characters`.
pub fn check_memo(code: &'static str, what: &'static str, text: &str) -> ServiceResult<()> {
    match danbao_domain::text::check_note(what, text, MAX_MEMO_CHARS) {
        Ok(()) => Ok(()),
        Err(TextError::TooLong { .. }) => Err(ServiceError::unprocessable(
            code,
            format!("a {what} has at most {MAX_MEMO_CHARS} characters"),
        )),
        Err(hidden @ TextError::Invisible { .. }) => Err(ServiceError::unprocessable(
            "invisible_characters",
            hidden.to_string(),
        )),
    }
}

/// Longest bank transfer reference accepted (a deposit's `external_ref`, a payout's
/// `payout_ref`).
pub const MAX_BANK_REF_CHARS: usize = 128;

/// Refuses a bank transfer's reference (`field`) that is not 1 to [`MAX_BANK_REF_CHARS`]
/// printable ASCII characters without spaces, with `code`.
pub fn check_bank_ref(code: &'static str, field: &str, reference: &str) -> ServiceResult<()> {
    if !reference.is_empty()
        && reference.len() <= MAX_BANK_REF_CHARS
        && reference.bytes().all(|b| b.is_ascii_graphic())
    {
        return Ok(());
    }
    Err(ServiceError::bad_request(
        code,
        format!(
            "{field} must be the bank transfer's id: 1 to {MAX_BANK_REF_CHARS} printable ASCII \
             characters without spaces"
        ),
    ))
}

/// The caller's balance in `amount`'s currency, after a payment.
pub fn balance_after(tx: &mut dyn Tx, user_id: i64, amount: Money) -> ServiceResult<BalanceView> {
    let wallet = ledger::wallet(tx, user_id, amount.currency())?;
    Ok(BalanceView::from(&wallet))
}

pub(crate) fn moved(
    tx: &mut dyn Tx,
    id: TransferId,
    amount: Money,
    user_id: i64,
) -> ServiceResult<Answer> {
    Answer::ok(&Moved {
        transfer_id: format!("{:032x}", id.0),
        amount: amount.into(),
        balance: balance_after(tx, user_id, amount)?,
    })
}

/// Money into `user_id`'s wallet from the sandbox funding account (a top-up); recorded in the
/// user's feed, answered as [`Moved`] with the wallet's balance afterwards. (Money out goes
/// through the withdrawal lifecycle, [`super::payouts`].)
fn top_up_movement(
    tx: &mut dyn Tx,
    user_id: i64,
    id: TransferId,
    amount: Money,
    now: i64,
) -> ServiceResult<Answer> {
    let currency = amount.currency();
    let funding = ledger::system(tx, AccountKind::Funding, currency)?;
    let wallet = ledger::wallet(tx, user_id, currency)?;
    ledger::apply(tx, ledger::posted(id, &funding, &wallet, amount), now)?;
    let movement = Movement {
        direction: Direction::In,
        transfer_id: format!("{:032x}", id.0),
        amount: amount.into(),
    };
    record(tx, user_id, TransferEvent::TopUp(movement), now)?;
    moved(tx, id, amount, user_id)
}

/// Funds `body.handle`'s wallet from the sandbox funding account (operator, sandbox only).
pub async fn top_up<S: Store>(
    store: &S,
    sandbox: bool,
    call: OperatorCall,
    body: TopUp,
    now: i64,
) -> ServiceResult<Answer> {
    if !sandbox {
        return Err(ServiceError::forbidden(
            "sandbox_off",
            "top-ups exist only in sandbox mode",
        ));
    }
    let amount = parse_amount(&body.amount, &body.currency)?;
    store
        .write(move |tx| {
            service::once_keyed(tx, -1, &call.key, &call.request_hash, now, |tx| {
                let user = user_by_handle(tx, &body.handle)?;
                let id = ledger::transfer_id(-1, &call.key, "top-up");
                top_up_movement(tx, user.id, id, amount, now)
            })
        })
        .await
}

/// Credits `body.handle` from the settlement account against the bank reference
/// `body.external_ref` (operator): once per reference. The same reference again with the same
/// user and amount answers the same deposit (its transfer, the balance now); with another user
/// or amount it is refused `409 deposit_ref_conflict`.
pub async fn deposit<S: Store>(
    store: &S,
    call: OperatorCall,
    body: Deposit,
    now: i64,
) -> ServiceResult<Answer> {
    let amount = parse_amount(&body.amount, &body.currency)?;
    let external_ref = body.external_ref.clone();
    check_bank_ref("invalid_external_ref", "external_ref", &external_ref)?;
    store
        .write(move |tx| {
            service::once_keyed(tx, -1, &call.key, &call.request_hash, now, |tx| {
                credit_deposit(tx, &body, &external_ref, amount, now)
            })
        })
        .await
}

fn credit_deposit(
    tx: &mut dyn Tx,
    body: &Deposit,
    external_ref: &str,
    amount: Money,
    now: i64,
) -> ServiceResult<Answer> {
    let user = user_by_handle(tx, &body.handle)?;
    let id = ledger::transfer_id(-1, &format!("deposit:{external_ref}"), "deposit");
    if let Some(known) = tx.deposit(external_ref)? {
        if known.user_id != user.id || known.amount != amount {
            return Err(ServiceError::conflict(
                "deposit_ref_conflict",
                format!(
                    "the bank reference {external_ref:?} was deposited as {} for another \
                             user or amount; a reference is one deposit",
                    known.amount.format_with_code()
                ),
            ));
        }
        return moved(tx, id, amount, user.id);
    }
    tx.insert_deposit(
        &DepositRecord {
            external_ref,
            user_id: user.id,
            amount,
        },
        now,
    )?;
    let settlement = ledger::system(tx, AccountKind::Settlement, amount.currency())?;
    let wallet = ledger::wallet(tx, user.id, amount.currency())?;
    ledger::apply(tx, ledger::posted(id, &settlement, &wallet, amount), now)?;
    let movement = Movement {
        direction: Direction::In,
        transfer_id: format!("{:032x}", id.0),
        amount: amount.into(),
    };
    record(tx, user.id, TransferEvent::Deposit(movement), now)?;
    moved(tx, id, amount, user.id)
}

/// Sends money to a friend by handle.
pub async fn send<S: Store>(
    store: &S,
    caller: Caller,
    body: Send,
    now: i64,
) -> ServiceResult<Answer> {
    let amount = parse_amount(&body.amount, &body.currency)?;
    check_memo("memo_too_long", "memo", &body.memo)?;
    service::write_once(store, caller, now, move |tx, caller| {
        tx.prefetch_users(caller.user_id, &body.to.to_ascii_lowercase())?;
        let from = caller_user(tx, caller.user_id, "sender")?;
        let to = user_by_handle(tx, &body.to)?;
        let id = ledger::transfer_id(caller.user_id, caller.key(), "p2p");
        let payment = Payment {
            id,
            kind: PaymentKind::P2p,
            memo: &body.memo,
        };
        pay_user(tx, &from, &to, amount, payment, now)?;
        moved(tx, id, amount, caller.user_id)
    })
    .await
}

/// What a user-to-user payment is: its transfer id, its kind in the feed, and a memo.
#[derive(Debug, Clone, Copy)]
pub struct Payment<'a> {
    /// The ledger transfer id.
    pub id: TransferId,
    /// Its `type` in the feeds.
    pub kind: PaymentKind,
    /// Shown to both sides.
    pub memo: &'a str,
}

/// Moves `amount` from one user's wallet to another's and records it in both feeds; answers
/// the fee split when the payment carried a platform fee.
///
/// A merchant payment ([`PaymentKind::Merchant`], [`PaymentKind::Paycode`]) to an enrolled
/// merchant with a fee schedule ([`super::fees::schedule_for`], as on escrow releases) carries
/// the platform's fee: in the same transaction, a posted transfer from the merchant's wallet
/// to the platform's revenue account, its id derived from the payment's
/// ([`payment_fee_transfer_id`]) so a retried job cannot charge twice, and a payment settlement
/// record (gross, fee, net) for the settlement reports. Every payment to an enrolled merchant
/// (with a fee or not) writes a `payment.received` webhook event in the same transaction
/// ([`super::merchant_api::webhooks::payment_event`]). Friends (P2P, requests, a non-merchant's
/// receive code) never pay a fee.
pub fn pay_user(
    tx: &mut dyn Tx,
    from: &User,
    to: &User,
    amount: Money,
    payment: Payment<'_>,
    now: i64,
) -> ServiceResult<Option<FeeSplit>> {
    let Payment { id, kind, memo } = payment;
    if from.id == to.id {
        return Err(ServiceError::unprocessable(
            "same_account",
            "you cannot pay yourself",
        ));
    }
    tx.prefetch_payment(&[from.id, to.id], amount.currency(), id)?;
    let source = ledger::wallet(tx, from.id, amount.currency())?;
    let target = ledger::wallet(tx, to.id, amount.currency())?;
    let transfer = ledger::posted(id, &source, &target, amount);
    ledger::apply_between(tx, transfer, &source, &target, now)?;
    let transfer_id = format!("{:032x}", id.0);
    let merchant_payment = matches!(kind, PaymentKind::Merchant | PaymentKind::Paycode)
        && tx.merchant(to.id)?.is_some();
    let fee = if merchant_payment {
        merchant_fee(tx, to, amount, id, &transfer_id, now)?
    } else {
        None
    };
    for (user_id, direction, other) in [(from.id, Direction::Out, to), (to.id, Direction::In, from)]
    {
        let (platform_fee, net_to_payee) = match (&fee, direction) {
            (Some(split), Direction::In) => (Some(split.fee.into()), Some(split.net.into())),
            _ => (None, None),
        };
        let payment = wire::Payment {
            direction,
            transfer_id: transfer_id.clone(),
            counterparty: other.handle.clone(),
            counterparty_name: other.display_name.clone(),
            amount: amount.into(),
            memo: memo.to_owned(),
            platform_fee,
            net_to_payee,
        };
        record(tx, user_id, TransferEvent::payment(kind, payment), now)?;
    }
    if merchant_payment {
        let zero = Money::from_minor(0, amount.currency());
        let data = serde_json::json!({
            "transfer_id": transfer_id,
            "kind": kind.as_str(),
            "payer": from.handle,
            "payer_name": from.display_name,
            "amount": wire::AmountView::from(amount),
            "platform_fee": wire::AmountView::from(fee.as_ref().map_or(zero, |split| split.fee)),
            "net": wire::AmountView::from(fee.as_ref().map_or(amount, |split| split.net)),
            "memo": memo,
            "created_at": now,
        });
        super::merchant_api::webhooks::payment_event(tx, to.id, &transfer_id, data, now)?;
    }
    Ok(fee)
}

/// The id of the fee transfer of the payment `payment`: derived from the payment's own id, so
/// the fee of one payment is one transfer however often its job runs.
pub fn payment_fee_transfer_id(payment: TransferId) -> TransferId {
    ledger::derived_id(&format!("danbao-payment-fee\n{:032x}", payment.0))
}

/// The fee of a merchant payment just moved to the enrolled merchant `payee` (see
/// [`pay_user`]): `None` when the merchant has no fee schedule. Either way the payment is
/// recorded as settled (gross, fee, net), so the merchant's settlement report lists every
/// payment.
fn merchant_fee(
    tx: &mut dyn Tx,
    payee: &User,
    amount: Money,
    id: TransferId,
    transfer_id: &str,
    now: i64,
) -> ServiceResult<Option<FeeSplit>> {
    let currency = amount.currency();
    let scheduled = super::fees::schedule_for(tx, payee.id, currency)?.is_some();
    let split = super::fees::split(tx, payee.id, amount)?;
    let mut fee_transfer_id = None;
    if split.fee.minor() > 0 {
        let merchant = ledger::wallet(tx, payee.id, currency)?;
        let revenue = ledger::system(tx, AccountKind::Revenue, currency)?;
        let fee_id = payment_fee_transfer_id(id);
        let transfer = ledger::posted(fee_id, &merchant, &revenue, split.fee);
        ledger::apply_between(tx, transfer, &merchant, &revenue, now)?;
        fee_transfer_id = Some(format!("{:032x}", fee_id.0));
    }
    tx.insert_payment_settlement(&PaymentSettlementRecord {
        transfer_id: transfer_id.to_owned(),
        merchant_id: payee.id,
        currency,
        gross: split.gross.minor(),
        fee: split.fee.minor(),
        net: split.net.minor(),
        fee_transfer_id,
        settled_at: now,
    })?;
    Ok(scheduled.then_some(split))
}

/// The caller's wallets, one per currency.
pub async fn balances<S: Store>(store: &S, user_id: i64) -> ServiceResult<Vec<BalanceView>> {
    let wallets = store.read(move |tx| tx.wallets_of(user_id)).await?;
    Ok(wallets.iter().map(BalanceView::from).collect())
}

/// The caller's money movements before `before`, newest first: at most `limit`.
pub async fn activity<S: Store>(
    store: &S,
    user_id: i64,
    before: Option<i64>,
    limit: u32,
) -> ServiceResult<FeedPage> {
    let before = before.unwrap_or(i64::MAX);
    let items: Vec<Event> = store
        .read(move |tx| tx.events_before(user_id, KIND_TRANSFER, before, limit))
        .await?;
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last().map(|e| e.seq))
        .flatten();
    Ok(FeedPage { items, next_cursor })
}

/// Everything that happened to the caller after `after`, oldest first: at most `limit`.
pub async fn events<S: Store>(
    store: &S,
    user_id: i64,
    after: Option<i64>,
    limit: u32,
) -> ServiceResult<FeedPage> {
    let after = after.unwrap_or(0);
    let items: Vec<Event> = store
        .read(move |tx| tx.events_after(user_id, after, limit))
        .await?;
    let next_cursor = Some(items.last().map_or(after, |e| e.seq));
    Ok(FeedPage { items, next_cursor })
}
