//! Escrow orders (DESIGN.md §4) as jobs over a [`Tx`].
//!
//! The rules are `danbao_domain::escrow::Order::apply`; this module only finds out *who* is
//! asking (the caller's relation to the order gives the [`Party`]), runs the machine, commits
//! the ledger [`Effect`]s it returns in the same transaction, stores the new order (and with it
//! the next deadline the timer loop scans) and appends the change to both parties' feeds.
//!
//! Ledger transfers of an order have ids derived from (order id, leg): one hold, and at most
//! one post or one void of it, so a retried or repeated step can never move money twice.

use std::collections::HashMap;

use danbao_domain::escrow::{Deadline, Effect, Event, Order, Party, Resolution, Windows};
use danbao_domain::ledger::{Transfer, TransferId, TransferKind};
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::OrderStepCommand;
use danbao_domain::protocol::wire::{
    AmountView, DeadlineView, Direction, EscrowMovement, FeedEvent, OrderAction, OrderEvent,
    OrderStep, OrderView, PartyView, RefundRequestView, ResolutionKind, Resolve, ShipmentView,
    StepAction, TransferEvent, positive_amount,
};
use danbao_domain::qr::danbao::{self, DanbaoCode, DanbaoError, DanbaoSigner, Nonce, OrderCode};

use crate::service::ledger;
use crate::service::merchant;
use crate::service::{ServiceError, ServiceResult};
use crate::store::{OrderRecord, Tx, User, attempt};

pub use danbao_domain::protocol::limits::{
    MAX_AUTO_CONFIRM_SECS, MAX_CARRIER_CHARS, MAX_PAY_WINDOW_SECS, MAX_TITLE_CHARS,
    MAX_TRACKING_CHARS, MIN_AUTO_CONFIRM_SECS, MIN_PAY_WINDOW_SECS,
};
/// City written into order codes (EMV tag 60 is mandatory; sellers here are online shops).
pub const ORDER_CODE_CITY: &str = "Online";
/// Country written into order codes (EMV tag 58).
pub const ORDER_CODE_COUNTRY: &str = "CN";
/// Merchant category code written into order codes: 5399, miscellaneous general merchandise.
pub const ORDER_CODE_MCC: &str = "5399";

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

/// One requested step, before amounts are read in the order's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Pay into escrow.
    Pay,
    /// Ship with carrier and tracking number.
    Ship {
        /// Carrier name.
        carrier: String,
        /// Tracking number.
        tracking: String,
    },
    /// Close the order before it ships.
    Cancel,
    /// Confirm receipt.
    Confirm,
    /// Ask for `amount` (decimal text in the order's currency) back.
    RequestRefund {
        /// Decimal amount, e.g. "30.00".
        amount: String,
    },
    /// Accept the open refund request.
    AcceptRefund,
    /// Reject the open refund request.
    RejectRefund,
    /// Settle a dispute.
    Resolve {
        /// Release, refund or split.
        resolution: ResolutionKind,
        /// The seller's share for a split (decimal text).
        to_seller: Option<String>,
    },
    /// A deadline passed.
    Deadline(Deadline),
}

impl Action {
    /// The step a party's command asks for, its free text checked.
    pub fn from_step(step: OrderStepCommand) -> ServiceResult<Self> {
        Ok(match step {
            OrderStepCommand::Plain(OrderAction::Pay) => Self::Pay,
            OrderStepCommand::Plain(OrderAction::Cancel) => Self::Cancel,
            OrderStepCommand::Plain(OrderAction::Confirm) => Self::Confirm,
            OrderStepCommand::Plain(OrderAction::AcceptRefund) => Self::AcceptRefund,
            OrderStepCommand::Plain(OrderAction::RejectRefund) => Self::RejectRefund,
            OrderStepCommand::Ship(ship) => {
                check_text("carrier", &ship.carrier, MAX_CARRIER_CHARS)?;
                check_text("tracking", &ship.tracking, MAX_TRACKING_CHARS)?;
                Self::Ship {
                    carrier: ship.carrier,
                    tracking: ship.tracking,
                }
            }
            OrderStepCommand::RequestRefund(refund) => Self::RequestRefund {
                amount: refund.amount,
            },
        })
    }

    /// The operator's settlement of a dispute: a split names the seller's share, release
    /// and refund do not.
    pub fn from_resolution(resolve: Resolve) -> ServiceResult<Self> {
        match (resolve.resolution, &resolve.to_seller) {
            (ResolutionKind::Split, None) => Err(ServiceError::bad_request(
                "invalid_body",
                "a split needs to_seller: the seller's share, e.g. \"40.00\"",
            )),
            (ResolutionKind::Release | ResolutionKind::Refund, Some(_)) => {
                Err(ServiceError::bad_request(
                    "invalid_body",
                    "to_seller is only for resolution \"split\"; release and refund move the \
                     whole amount",
                ))
            }
            _ => Ok(Self::Resolve {
                resolution: resolve.resolution,
                to_seller: resolve.to_seller,
            }),
        }
    }

    /// The machine's event, reading amounts in the order's `currency`.
    pub fn event(&self, currency: Currency) -> ServiceResult<Event> {
        Ok(match self {
            Self::Pay => Event::Pay,
            Self::Ship { carrier, tracking } => Event::Ship {
                carrier: carrier.clone(),
                tracking: tracking.clone(),
            },
            Self::Cancel => Event::Cancel,
            Self::Confirm => Event::ConfirmReceipt,
            Self::RequestRefund { amount } => Event::RequestRefund {
                amount: positive_amount(amount, currency)?,
            },
            Self::AcceptRefund => Event::AcceptRefund,
            Self::RejectRefund => Event::RejectRefund,
            Self::Resolve {
                resolution,
                to_seller,
            } => Event::Resolve(match (resolution, to_seller) {
                (ResolutionKind::Release, _) => Resolution::Release,
                (ResolutionKind::Refund, _) => Resolution::Refund,
                (ResolutionKind::Split, Some(share)) => Resolution::Split {
                    to_seller: positive_amount(share, currency)?,
                },
                (ResolutionKind::Split, None) => {
                    return Err(ServiceError::bad_request(
                        "invalid_body",
                        "a split needs to_seller: the seller's share",
                    ));
                }
            }),
            Self::Deadline(deadline) => Event::Deadline(*deadline),
        })
    }
}

/// Checks a free-text field: 1–`max` characters, no control characters, no outer spaces.
pub fn check_text(field: &str, value: &str, max: usize) -> ServiceResult<()> {
    let count = value.chars().count();
    let problem = if count == 0 || count > max {
        Some(format!("has {count} characters; 1 to {max} are allowed"))
    } else if value.chars().any(char::is_control) {
        Some("contains a control character".to_owned())
    } else if value.trim() != value {
        Some("has leading or trailing spaces".to_owned())
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ServiceError::unprocessable(
            "invalid_text",
            format!("{field} {value:?} {problem}"),
        )),
        None => Ok(()),
    }
}

/// The API path segment of a machine event name (what [`Order::allowed_events`] returns).
pub fn action_slug(event_name: &str) -> &str {
    match event_name {
        "confirm receipt" => StepAction::Confirm.slug(),
        "request refund" => StepAction::RefundRequest.slug(),
        "accept refund" => StepAction::RefundAccept.slug(),
        "reject refund" => StepAction::RefundReject.slug(),
        other => other,
    }
}

/// The view of `record` for `role`, with the parties already loaded.
pub fn view_of(
    record: &OrderRecord,
    seller: &User,
    buyer: Option<&User>,
    role: Party,
) -> OrderView {
    let order = &record.order;
    OrderView {
        id: record.id.clone(),
        title: record.title.clone(),
        state: order.state,
        role,
        actions: order
            .allowed_events(role)
            .into_iter()
            .map(|name| action_slug(name).to_owned())
            .collect(),
        amount: order.amount.into(),
        seller: seller.into(),
        buyer: buyer.map(PartyView::from),
        pay_by: order.pay_by,
        auto_confirm_at: order.auto_confirm_at,
        refund_request: order.refund_request.map(|request| RefundRequestView {
            amount: request.amount.into(),
            answer_by: request.answer_by,
        }),
        shipment: order
            .shipment
            .as_ref()
            .map(|(carrier, tracking)| ShipmentView {
                carrier: carrier.clone(),
                tracking: tracking.clone(),
            }),
        released: order.released.map(AmountView::from),
        refunded: order.refunded.map(AmountView::from),
        next_deadline: order
            .next_deadline()
            .map(|(kind, at)| DeadlineView { kind, at }),
        created_at: record.created_at,
        updated_at: record.updated_at,
        balance: None,
    }
}

fn user(tx: &mut dyn Tx, id: i64) -> ServiceResult<User> {
    tx.user(id)?
        .ok_or_else(|| ServiceError::storage(format!("order party {id} has no user row")))
}

/// The parties of an order.
struct Parties {
    seller: User,
    buyer: Option<User>,
}

fn parties(tx: &mut dyn Tx, record: &OrderRecord) -> ServiceResult<Parties> {
    Ok(Parties {
        seller: user(tx, record.seller_id)?,
        buyer: record.buyer_id.map(|id| user(tx, id)).transpose()?,
    })
}

/// The view of `record` for `role`, loading the parties.
pub fn view(tx: &mut dyn Tx, record: &OrderRecord, role: Party) -> ServiceResult<OrderView> {
    let Parties { seller, buyer } = parties(tx, record)?;
    Ok(view_of(record, &seller, buyer.as_ref(), role))
}

/// The refusal for an order that does not exist or is not the caller's to see.
pub fn unknown_order(id: &str) -> ServiceError {
    ServiceError::not_found(
        "unknown_order",
        format!("there is no order {id:?} of yours; check the id, or scan the order code to pay"),
    )
}

/// The caller's part in an order, if any.
pub fn role_of(record: &OrderRecord, user_id: i64) -> Option<Party> {
    if record.seller_id == user_id {
        Some(Party::Seller)
    } else if record.buyer_id == Some(user_id) {
        Some(Party::Buyer)
    } else {
        None
    }
}

/// An order for the caller to see: as buyer or seller, otherwise 404.
pub fn visible(tx: &mut dyn Tx, id: &str, user_id: i64) -> ServiceResult<OrderView> {
    let record = tx.order(id)?.ok_or_else(|| unknown_order(id))?;
    let role = role_of(&record, user_id).ok_or_else(|| unknown_order(id))?;
    view(tx, &record, role)
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
            let buyer = crate::service::wallet::user_by_handle(tx, handle)?;
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
            order: view_of(&record, &seller, buyer.as_ref(), role),
        };
        tx.append_event(party.id, &FeedEvent::Order(Box::new(event)), now)?;
    }
    Ok((record, seller))
}

/// Signs the per-order Danbao code the buyer scans: valid from `now` until the pay window
/// closes, with a fresh `nonce` that [`pay_by_code`] marks used.
pub fn order_code(
    signer: &DanbaoSigner,
    nonce: Nonce,
    record: &OrderRecord,
    seller: &User,
    now: i64,
) -> ServiceResult<String> {
    let name: String = seller.display_name.chars().take(25).collect();
    let name = match name.trim() {
        "" => seller.handle.clone(),
        trimmed => trimmed.to_owned(),
    };
    let code = DanbaoCode::Order(OrderCode {
        merchant_id: seller.handle.clone(),
        order_id: record.id.clone(),
        merchant_name: name,
        merchant_city: ORDER_CODE_CITY.to_owned(),
        country: ORDER_CODE_COUNTRY.to_owned(),
        mcc: ORDER_CODE_MCC.to_owned(),
        currency: record.order.amount.currency(),
        amount_minor: record.order.amount.minor(),
    });
    let issued_at = u64::try_from(now).map_err(ServiceError::storage)?;
    let expires_at = u64::try_from(record.order.pay_by).map_err(ServiceError::storage)?;
    danbao::issue(&code, signer, nonce, issued_at, expires_at).map_err(ServiceError::storage)
}

/// Maps why a scanned code was refused to the API's codes.
pub fn code_error(error: DanbaoError) -> ServiceError {
    let code = match error {
        DanbaoError::Expired { .. } => "code_expired",
        DanbaoError::NotYetValid { .. } => "code_not_yet_valid",
        DanbaoError::UnknownKey { .. } | DanbaoError::BadSignature { .. } => "code_not_genuine",
        _ => "invalid_code",
    };
    ServiceError::unprocessable(code, error.to_string())
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

/// Which leg of an order's escrow a movement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MovementKind {
    /// The buyer's money held (pending).
    Hold,
    /// The hold posted to the seller.
    Release,
    /// The hold voided back to the buyer.
    Refund,
}

/// A money movement of an order, for the feeds.
struct Movement {
    kind: MovementKind,
    id: TransferId,
    amount: Money,
    /// For a post: what went back to the buyer.
    returned: Option<Money>,
}

/// A transfer id of an order's leg ("hold", "post", "void"): one of each at most.
pub fn order_transfer_id(order_id: &str, leg: &str) -> TransferId {
    let seed = format!("danbao-order-transfer\n{order_id}\n{leg}");
    let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    TransferId(u128::from_be_bytes(bytes))
}

/// Commits the machine's effects to the ledger: hold, post of the hold, void of the hold.
fn commit_effects(
    tx: &mut dyn Tx,
    record: &mut OrderRecord,
    effects: &[Effect],
    now: i64,
) -> ServiceResult<Vec<Movement>> {
    let mut moved = Vec::new();
    for effect in effects {
        let currency = record.order.amount.currency();
        let buyer_id = record.buyer_id.ok_or_else(|| {
            ServiceError::storage(format!("order {} moves money but has no buyer", record.id))
        })?;
        let buyer = ledger::wallet(tx, buyer_id, currency)?;
        let seller = ledger::wallet(tx, record.seller_id, currency)?;
        let hold = || {
            record.hold_id.ok_or_else(|| {
                ServiceError::storage(format!("order {} resolves a hold it never made", record.id))
            })
        };
        let (kind, transfer, returned) = match *effect {
            Effect::Hold { amount } => {
                let id = order_transfer_id(&record.id, "hold");
                let transfer = Transfer {
                    id,
                    debit: buyer.id,
                    credit: seller.id,
                    amount,
                    kind: TransferKind::Pending,
                };
                (MovementKind::Hold, transfer, None)
            }
            Effect::Post { amount } => {
                let transfer = Transfer {
                    id: order_transfer_id(&record.id, "post"),
                    debit: buyer.id,
                    credit: seller.id,
                    amount,
                    kind: TransferKind::Post {
                        pending_id: hold()?,
                    },
                };
                let returned = record.order.amount.checked_sub(amount)?;
                (MovementKind::Release, transfer, Some(returned))
            }
            Effect::Void => {
                let transfer = Transfer {
                    id: order_transfer_id(&record.id, "void"),
                    debit: buyer.id,
                    credit: seller.id,
                    amount: record.order.amount,
                    kind: TransferKind::Void {
                        pending_id: hold()?,
                    },
                };
                (MovementKind::Refund, transfer, None)
            }
        };
        ledger::apply(tx, transfer, now)?;
        if let Effect::Hold { .. } = effect {
            record.hold_id = Some(transfer.id);
        }
        moved.push(Movement {
            kind,
            id: transfer.id,
            amount: transfer.amount,
            returned,
        });
    }
    Ok(moved)
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
    let (next, effects) = record.order.apply(&event, party, now)?;
    if let (Party::Buyer, Actor::User(user_id), None) = (party, actor, record.buyer_id) {
        record.buyer_id = Some(user_id);
    }
    record.order = next;
    record.updated_at = now;
    let moved = commit_effects(tx, &mut record, &effects, now)?;
    tx.save_order(&record)?;
    announce(tx, &record, OrderStep::from(&event), &moved, now)?;
    Ok(record)
}

/// Appends the change to both parties' feeds: an "order" event with each party's own view,
/// and a "transfer" event per money movement.
fn announce(
    tx: &mut dyn Tx,
    record: &OrderRecord,
    step: OrderStep,
    moved: &[Movement],
    now: i64,
) -> ServiceResult<()> {
    let Parties { seller, buyer } = parties(tx, record)?;
    let mut audience = vec![(&seller, Party::Seller)];
    if let Some(buyer) = &buyer {
        audience.push((buyer, Party::Buyer));
    }
    for (user, role) in &audience {
        let event = OrderEvent {
            event: step,
            order: view_of(record, &seller, buyer.as_ref(), *role),
        };
        tx.append_event(user.id, &FeedEvent::Order(Box::new(event)), now)?;
    }
    let Some(buyer) = &buyer else {
        return Ok(());
    };
    for movement in moved {
        for (user, other, role) in [
            (buyer, &seller, Party::Buyer),
            (&seller, buyer, Party::Seller),
        ] {
            // Holds and releases flow buyer → seller; a refund flows back to the buyer.
            let towards_seller = !matches!(movement.kind, MovementKind::Refund);
            let direction = if towards_seller == (role == Party::Seller) {
                Direction::In
            } else {
                Direction::Out
            };
            let escrow = EscrowMovement {
                direction,
                transfer_id: format!("{:032x}", movement.id.0),
                order_id: record.id.clone(),
                amount: movement.amount.into(),
                counterparty: other.handle.clone(),
                counterparty_name: other.display_name.clone(),
                memo: record.title.clone(),
                returned_to_buyer: movement.returned.map(AmountView::from),
            };
            let event = match movement.kind {
                MovementKind::Hold => TransferEvent::EscrowHold(escrow),
                MovementKind::Release => TransferEvent::EscrowRelease(escrow),
                MovementKind::Refund => TransferEvent::EscrowRefund(escrow),
            };
            tx.append_event(user.id, &FeedEvent::Transfer(event), now)?;
        }
    }
    Ok(())
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

/// The keyset cursor of an order list: created_at and id of the last order shown.
pub fn cursor_of(record: &OrderRecord) -> String {
    format!("{}:{}", record.created_at, record.id)
}

/// Parses a cursor written by [`cursor_of`].
pub fn parse_cursor(text: &str) -> ServiceResult<(i64, String)> {
    text.split_once(':')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.to_owned())))
        .ok_or_else(|| {
            ServiceError::bad_request(
                "invalid_cursor",
                format!("cursor {text:?} is not one this API returned (next_cursor)"),
            )
        })
}
