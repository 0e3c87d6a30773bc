//! Escrow orders (DESIGN.md §4) as jobs over a [`Tx`].
//!
//! The rules are `danbao_domain::escrow::Order::apply`; this module only finds out *who* is
//! asking (the caller's relation to the order gives the [`Party`]), runs the machine, commits
//! the ledger [`Effect`]s it returns in the same transaction, stores the new order (and with it
//! the next deadline the timer loop scans) and appends the change to both parties' feeds.
//!
//! Ledger transfers of an order have ids derived from (order id, leg): one hold, and at most
//! one post or one void of it, so a retried or repeated step can never move money twice.
//!
//! The parts live beside it: what a step asks for (`action`), the views and cursors
//! (`views`), the signed order codes (`codes`), the ledger legs (`legs`) and the feed entries
//! (`feed`); this file holds the flows that use them: create, step, pay by code, and the
//! deadlines the timer loop fires.

mod action;
mod codes;
mod feed;
mod legs;
pub mod views;

use std::collections::HashMap;

use danbao_domain::escrow::{Order, Party, Windows};
use danbao_domain::money::Money;
use danbao_domain::protocol::wire::{FeedEvent, OrderEvent, OrderStep};
use danbao_domain::qr::danbao::{self, DanbaoCode};

use crate::service::merchant;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{OrderRecord, Tx, User, attempt};

use feed::announce;
use legs::commit_effects;
use views::user;

pub use action::{Action, action_slug, check_text};
pub use codes::{ORDER_CODE_CITY, ORDER_CODE_COUNTRY, ORDER_CODE_MCC, code_error, order_code};
pub use danbao_domain::protocol::limits::{
    MAX_AUTO_CONFIRM_SECS, MAX_CARRIER_CHARS, MAX_PAY_WINDOW_SECS, MAX_TITLE_CHARS,
    MAX_TRACKING_CHARS, MIN_AUTO_CONFIRM_SECS, MIN_PAY_WINDOW_SECS,
};
pub use views::{cursor_of, parse_cursor, role_of, unknown_order, view, view_of, visible};

/// Who sends a step: a signed-in user (buyer or seller, decided by the order), the operator,
/// or the timer loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A user, by id.
    User(i64),
    /// The operator (bearer token).
    Operator,
    /// The scheduler delivering a deadline.
    Timer,
}

/// What a seller asks for when creating an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Server-chosen id (random, chosen outside the job so a retried job keeps it).
    pub id: String,
    /// What is sold.
    pub title: String,
    /// The price.
    pub amount: Money,
    /// The windows the order runs on.
    pub windows: Windows,
    /// The handle of the buyer the seller designated, who alone may pay by id.
    pub buyer: Option<String>,
}

/// Stores a new order of `seller_id`, appends it to the seller's feed and returns it.
pub fn create(
    tx: &mut dyn Tx,
    seller_id: i64,
    new: &NewOrder,
    now: i64,
) -> ServiceResult<(OrderRecord, User)> {
    let seller = user(tx, seller_id)?;
    let buyer = match &new.buyer {
        Some(handle) => {
            let buyer = crate::service::users::user_by_handle(tx, handle)?;
            if buyer.id == seller_id {
                return Err(ServiceError::unprocessable(
                    "same_account",
                    "you cannot name yourself the buyer of your own order",
                ));
            }
            Some(buyer)
        }
        None => None,
    };
    let record = OrderRecord {
        id: new.id.clone(),
        seller_id,
        buyer_id: buyer.as_ref().map(|buyer| buyer.id),
        title: new.title.clone(),
        order: Order::new(new.amount, new.windows, now),
        hold_id: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_order(&record)?;
    let mut audience = vec![(&seller, Party::Seller)];
    if let Some(buyer) = &buyer {
        audience.push((buyer, Party::Buyer));
    }
    for (party, role) in audience {
        let event = OrderEvent {
            event: OrderStep::Create,
            order: view_of(&record, &seller, buyer.as_ref(), role, now),
        };
        tx.append_event(party.id, &FeedEvent::Order(Box::new(event)), now)?;
    }
    Ok((record, seller))
}

/// Whether a user who is neither buyer nor seller may become the buyer by this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    /// A step named by the order id: only the order's own parties (issue 12 point 4: an id
    /// is no proof of anything, it travels in links, logs and screenshots).
    ByIdOnly,
    /// Paying with the order's signed code, verified and spent in this transaction.
    ByCode,
}

/// The party `actor` plays in `record` for `action`. A user who is neither buyer nor seller
/// becomes the buyer only by paying, with the order's code, an order that names no buyer;
/// otherwise a stranger gets 404 (as if the order did not exist).
fn party_for(
    record: &OrderRecord,
    actor: Actor,
    action: &Action,
    claim: Claim,
) -> ServiceResult<Party> {
    match actor {
        Actor::Operator => Ok(Party::Operator),
        Actor::Timer => Ok(Party::Timer),
        Actor::User(user_id) => match role_of(record, user_id) {
            Some(role) => Ok(role),
            None if claim == Claim::ByCode
                && record.buyer_id.is_none()
                && *action == Action::Pay =>
            {
                Ok(Party::Buyer)
            }
            None => Err(unknown_order(&record.id)),
        },
    }
}

/// Runs one step of the order `order_id`: the machine decides, the effects are committed to
/// the ledger, the order (with its next deadline) is stored and both feeds get the change.
/// Refusals are the machine's: 409 illegal_transition, 403 wrong_party; 404 for strangers.
/// A step named by the order id never makes a stranger the buyer: see [`pay_by_code`].
pub fn step(
    tx: &mut dyn Tx,
    order_id: &str,
    actor: Actor,
    action: &Action,
    now: i64,
) -> ServiceResult<OrderRecord> {
    run_step(tx, order_id, actor, action, Claim::ByIdOnly, now)
}

fn run_step(
    tx: &mut dyn Tx,
    order_id: &str,
    actor: Actor,
    action: &Action,
    claim: Claim,
    now: i64,
) -> ServiceResult<OrderRecord> {
    let mut record = tx.order(order_id)?.ok_or_else(|| unknown_order(order_id))?;
    let party = party_for(&record, actor, action, claim)?;
    let event = action.event(record.order.amount.currency())?;
    let before = record.order.state;
    let (next, effects) = record.order.apply(&event, party, now)?;
    if let (Party::Buyer, Actor::User(user_id), None) = (party, actor, record.buyer_id) {
        record.buyer_id = Some(user_id);
    }
    record.order = next;
    record.updated_at = now;
    let moved = commit_effects(tx, &mut record, &effects, now)?;
    tx.save_order(&record)?;
    announce(tx, &record, OrderStep::from(&event), &moved, now)?;
    crate::service::merchant_api::events::after_step(tx, &record, before, now)?;
    Ok(record)
}

/// Pays the order named by a scanned order code: verifies the code's signature against the
/// server's own key and its expiry at `now`, checks it matches the order, marks its nonce used
/// (a code pays once) and pays as `payer`.
pub fn pay_by_code(
    tx: &mut dyn Tx,
    text: &str,
    keys: &HashMap<String, [u8; 32]>,
    payer: i64,
    now: i64,
) -> ServiceResult<OrderRecord> {
    let verified =
        danbao::verify(text, keys, u64::try_from(now).unwrap_or(0)).map_err(code_error)?;
    let DanbaoCode::Order(code) = &verified.code else {
        return Err(ServiceError::unprocessable(
            "not_an_order_code",
            format!(
                "this is a {} code; POST /v1/orders/pay-code takes an order code",
                verified.code.kind()
            ),
        ));
    };
    let seal = verified.seal.as_ref().ok_or_else(|| {
        ServiceError::unprocessable("invalid_code", "an order code must be signed")
    })?;
    let record = tx
        .order(&code.order_id)?
        .ok_or_else(|| unknown_order(&code.order_id))?;
    let seller = user(tx, record.seller_id)?;
    let amount = record.order.amount;
    if seller.handle != code.merchant_id
        || amount.currency() != code.currency
        || amount.minor() != code.amount_minor
    {
        return Err(ServiceError::unprocessable(
            "code_mismatch",
            format!(
                "the code asks {} for {} but order {} is {} from {}",
                code.merchant_id,
                Money::from_minor(code.amount_minor, code.currency).format_with_code(),
                record.id,
                amount.format_with_code(),
                seller.handle
            ),
        ));
    }
    if !tx.use_code_nonce(
        &seal.nonce.to_text(),
        now,
        merchant::expiry(seal.expires_at),
    )? {
        return Err(ServiceError::conflict(
            "code_used",
            "this order code was used already; each code pays once",
        ));
    }
    run_step(
        tx,
        &record.id,
        Actor::User(payer),
        &Action::Pay,
        Claim::ByCode,
        now,
    )
}

/// How long the timer waits before it tries again to deliver a deadline that failed, seconds.
pub const DEADLINE_RETRY_SECS: i64 = 60;

/// What one timer pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fired {
    /// Due orders looked at.
    pub due: usize,
    /// Deadlines delivered.
    pub fired: usize,
    /// Deadlines that could not be delivered, put back [`DEADLINE_RETRY_SECS`] later (and
    /// stale schedules cleared).
    pub deferred: usize,
}

/// Delivers every deadline due at `now` (at most `limit` orders) as [`Party::Timer`]. Each
/// order runs in its own savepoint. The order's state changes in the same transaction as its
/// effects, so a deadline that fired is no longer due and can never fire again. One that fails
/// is logged, its effects undone, and the order is looked at again [`DEADLINE_RETRY_SECS`]
/// later, so that failing orders never hold up the ones due after them: every order this pass
/// looked at is either changed or rescheduled.
pub fn fire_due(tx: &mut dyn Tx, now: i64, limit: u32) -> ServiceResult<Fired> {
    let due = tx.due_orders(now, limit)?;
    let mut fired = Fired {
        due: due.len(),
        ..Fired::default()
    };
    for id in due {
        let record = match tx.order(&id) {
            Ok(Some(record)) => record,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(order = %id, %error, "order could not be read; retrying later");
                tx.schedule_order(&id, Some(now + DEADLINE_RETRY_SECS))?;
                fired.deferred += 1;
                continue;
            }
        };
        let Some((deadline, _)) = record.order.next_deadline() else {
            // The stored schedule is stale: the order has nothing left to wait for.
            tx.schedule_order(&id, None)?;
            fired.deferred += 1;
            continue;
        };
        // A panic in one order's step (a broken invariant) is that order's failure, not the
        // whole pass's: otherwise it would stay first in the queue and block every later one.
        match attempt(tx, |tx| {
            step(tx, &id, Actor::Timer, &Action::Deadline(deadline), now)
        })? {
            Ok(_) => fired.fired += 1,
            Err(error) => {
                tracing::warn!(
                    order = %id,
                    ?deadline,
                    %error,
                    retry_in_secs = DEADLINE_RETRY_SECS,
                    "deadline could not be delivered"
                );
                tx.schedule_order(&id, Some(now + DEADLINE_RETRY_SECS))?;
                fired.deferred += 1;
            }
        }
    }
    Ok(fired)
}
