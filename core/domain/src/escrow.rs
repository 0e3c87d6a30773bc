//! The escrow order machine (DESIGN.md §4), as a pure function of (order, event, time).
//!
//! An order moves `AwaitingPayment → Paid (held) → Shipped → Completed`, or ends `Cancelled`
//! (never paid) or `Refunded` (all or part of the money back to the buyer); a refund request
//! pauses the auto-confirm timer until the seller answers, and a rejected or unanswered request
//! becomes `Disputed` until an operator resolves it.
//!
//! [`Order::apply`] decides one step: it checks that the event is legal in the current state and
//! for the party that sent it, and returns the next order plus the ledger [`Effect`]s the caller
//! must commit with it (hold, post, void). It does no I/O and reads no clock, so the server, the
//! tests and the model-based test drive it the same way. Timers are explicit: the caller asks
//! [`Order::next_deadline`] when to wake up, and delivers [`Event::Deadline`] at or after that
//! instant; a deadline that has already fired is refused as an illegal transition, so a timer
//! delivered twice cannot act twice.

use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyError};

/// Seconds since the Unix epoch. Time is always passed in.
pub type Timestamp = i64;

/// Who sent an event; in an order view, the viewer's part in the order. Crosses the FFI as
/// `OrderRole` (the apps' name: an app's user is the buyer or the seller of its orders).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum), uniffi(name = "OrderRole"))]
pub enum Party {
    /// The buyer who pays into escrow.
    Buyer,
    /// The seller who ships and is paid on completion.
    Seller,
    /// The platform operator who resolves disputes.
    Operator,
    /// The scheduler delivering a deadline.
    Timer,
}

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum OrderState {
    /// Created; the buyer has not paid.
    AwaitingPayment,
    /// Paid: the buyer's money is held (a pending transfer).
    Paid,
    /// The seller has shipped; the auto-confirm clock runs.
    Shipped,
    /// The buyer asked for (part of) the money back; the seller must answer.
    RefundRequested,
    /// Paused until an operator resolves it.
    Disputed,
    /// Done: the held money went to the seller.
    Completed,
    /// Closed before payment (by a party, or the pay window passed).
    Cancelled,
    /// Done: all or part of the held money went back to the buyer.
    Refunded,
}

impl Party {
    /// The wire name: `buyer`, `seller`, `operator` or `timer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Seller => "seller",
            Self::Operator => "operator",
            Self::Timer => "timer",
        }
    }
}

impl OrderState {
    /// The wire name, e.g. `awaiting_payment`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingPayment => "awaiting_payment",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::RefundRequested => "refund_requested",
            Self::Disputed => "disputed",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }

    /// True for states no event can leave.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled | Self::Refunded)
    }

    /// True while the buyer's money is held in escrow.
    pub fn holds_money(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Shipped | Self::RefundRequested | Self::Disputed
        )
    }
}

/// What to do when the seller does not answer a refund request within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnansweredRefund {
    /// Open a dispute for the operator (the default).
    Dispute,
    /// Accept the request as asked.
    AutoAccept,
}

/// The windows an order runs on, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    /// From creation until an unpaid order is cancelled (default 15 minutes).
    pub pay: i64,
    /// From shipping until the order completes by itself (default 10 days).
    pub auto_confirm: i64,
    /// From a refund request until the seller's silence counts (default 3 days).
    pub refund_answer: i64,
    /// What the seller's silence means.
    pub unanswered_refund: UnansweredRefund,
}

impl Default for Windows {
    fn default() -> Self {
        Self {
            pay: 15 * 60,
            auto_confirm: 10 * 24 * 3600,
            refund_answer: 3 * 24 * 3600,
            unanswered_refund: UnansweredRefund::Dispute,
        }
    }
}

/// Which deadline fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DeadlineKind))]
pub enum Deadline {
    /// The pay window passed with no payment.
    PayBy,
    /// The auto-confirm window after shipping passed.
    AutoConfirm,
    /// The seller did not answer a refund request in time.
    RefundAnswer,
}

impl std::fmt::Display for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PayBy => "pay window",
            Self::AutoConfirm => "auto-confirm time",
            Self::RefundAnswer => "time to answer the refund request",
        })
    }
}

/// How an operator settles a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Resolution {
    /// Everything to the seller.
    Release,
    /// Everything back to the buyer.
    Refund,
    /// `to_seller` to the seller, the rest back to the buyer.
    Split {
        /// The part of the held amount the seller receives.
        to_seller: Money,
    },
}

/// Something that happens to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// The buyer pays the order amount into escrow.
    Pay,
    /// The seller ships.
    Ship {
        /// Carrier name.
        carrier: String,
        /// Tracking number.
        tracking: String,
    },
    /// Buyer or seller closes the order before it ships.
    Cancel,
    /// The buyer confirms receipt (device-signed on the wire).
    ConfirmReceipt,
    /// The buyer asks for `amount` back (at most what is held).
    RequestRefund {
        /// How much the buyer wants back.
        amount: Money,
    },
    /// The seller accepts the open refund request.
    AcceptRefund,
    /// The seller rejects the open refund request: a dispute opens.
    RejectRefund,
    /// The operator settles a dispute.
    Resolve(Resolution),
    /// A deadline passed (sent by the scheduler as [`Party::Timer`]).
    Deadline(Deadline),
}

impl Event {
    /// A short name for messages and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pay => "pay",
            Self::Ship { .. } => "ship",
            Self::Cancel => "cancel",
            Self::ConfirmReceipt => "confirm receipt",
            Self::RequestRefund { .. } => "request refund",
            Self::AcceptRefund => "accept refund",
            Self::RejectRefund => "reject refund",
            Self::Resolve(_) => "resolve",
            Self::Deadline(Deadline::PayBy) => "pay deadline",
            Self::Deadline(Deadline::AutoConfirm) => "auto-confirm deadline",
            Self::Deadline(Deadline::RefundAnswer) => "refund answer deadline",
        }
    }
}

/// The ledger work a transition requires; the caller commits it atomically with the new order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "effect")]
pub enum Effect {
    /// Reserve `amount` from the buyer for the seller (a pending transfer).
    Hold {
        /// The order amount.
        amount: Money,
    },
    /// Complete the pending transfer with `amount` (≤ held) to the seller; the rest returns to
    /// the buyer.
    Post {
        /// What the seller receives.
        amount: Money,
    },
    /// Cancel the pending transfer: everything returns to the buyer.
    Void,
}

/// Why an event was refused. The order is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscrowError {
    /// The event is not allowed in the order's state.
    #[error("{event} is not allowed while the order is {state:?}")]
    IllegalTransition {
        /// The event's name.
        event: &'static str,
        /// The order's state.
        state: OrderState,
    },
    /// The event is allowed, but not from this party.
    #[error("only the {allowed} may {event}; this request came from the {party:?}")]
    WrongParty {
        /// The event's name.
        event: &'static str,
        /// Who may send it.
        allowed: &'static str,
        /// Who sent it.
        party: Party,
    },
    /// A deadline event delivered before its deadline.
    #[error("the {deadline:?} deadline is at {due}, not yet reached at {now}")]
    DeadlineNotReached {
        /// Which deadline.
        deadline: Deadline,
        /// When it is due.
        due: Timestamp,
        /// The time the event was delivered.
        now: Timestamp,
    },
    /// A party's step after the deadline of the order's state, where the deadline leads
    /// elsewhere (a payment after the pay window, a refund request after auto-confirm).
    #[error("too late to {event}: the {deadline} passed at {due}")]
    DeadlinePassed {
        /// The event's name.
        event: &'static str,
        /// Which deadline passed.
        deadline: Deadline,
        /// When it passed.
        due: Timestamp,
    },
    /// A refund or split amount outside 0 < amount ≤ held, or in another currency.
    #[error("{what} must be more than zero and at most the held {held}; got {got}")]
    AmountOutOfRange {
        /// What the amount was for.
        what: &'static str,
        /// The held amount.
        held: Money,
        /// The amount asked for.
        got: Money,
    },
    /// Arithmetic on amounts failed (mixed currencies).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// An open refund request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// What the buyer asked back.
    pub amount: Money,
    /// The state to which the request applies (Paid or Shipped).
    pub from: OrderState,
    /// When the seller's silence starts to count.
    pub answer_by: Timestamp,
}

/// An escrow order as the machine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// Where the order is.
    pub state: OrderState,
    /// The price the buyer pays into escrow.
    pub amount: Money,
    /// The windows this order runs on.
    pub windows: Windows,
    /// When an unpaid order is cancelled.
    pub pay_by: Timestamp,
    /// When a shipped order completes by itself; `None` unless the clock runs.
    pub auto_confirm_at: Option<Timestamp>,
    /// Auto-confirm time left when a refund request paused the clock.
    pub auto_confirm_paused_for: Option<i64>,
    /// The open refund request, if any.
    pub refund_request: Option<RefundRequest>,
    /// Carrier and tracking once shipped.
    pub shipment: Option<(String, String)>,
    /// What the seller received in the end.
    pub released: Option<Money>,
    /// What went back to the buyer in the end (after payment).
    pub refunded: Option<Money>,
}

impl Order {
    /// A new order awaiting payment, created at `now`.
    pub fn new(amount: Money, windows: Windows, now: Timestamp) -> Self {
        Self {
            state: OrderState::AwaitingPayment,
            amount,
            windows,
            pay_by: now.saturating_add(windows.pay),
            auto_confirm_at: None,
            auto_confirm_paused_for: None,
            refund_request: None,
            shipment: None,
            released: None,
            refunded: None,
        }
    }

    /// The next deadline the scheduler must deliver, if any.
    pub fn next_deadline(&self) -> Option<(Deadline, Timestamp)> {
        match self.state {
            OrderState::AwaitingPayment => Some((Deadline::PayBy, self.pay_by)),
            OrderState::Shipped => self.auto_confirm_at.map(|at| (Deadline::AutoConfirm, at)),
            OrderState::RefundRequested => self
                .refund_request
                .map(|request| (Deadline::RefundAnswer, request.answer_by)),
            _ => None,
        }
    }

    /// The events `party` may send now (what a screen offers as actions). Deadlines excluded.
    pub fn allowed_events(&self, party: Party) -> Vec<&'static str> {
        use OrderState::*;
        let names: &[&'static str] = match (self.state, party) {
            (AwaitingPayment, Party::Buyer) => &["pay", "cancel"],
            (AwaitingPayment, Party::Seller) => &["cancel"],
            (Paid, Party::Buyer) => &["cancel", "request refund"],
            (Paid, Party::Seller) => &["ship", "cancel"],
            (Shipped, Party::Buyer) => &["confirm receipt", "request refund"],
            (RefundRequested, Party::Seller) => &["accept refund", "reject refund"],
            (Disputed, Party::Operator) => &["resolve"],
            _ => &[],
        };
        names.to_vec()
    }

    /// Applies `event` from `party` at `now`: the next order and the ledger effects to commit
    /// with it, or why the event is refused (the order is then unchanged).
    ///
    /// Deadlines are checked here against `now`, not only by the scheduler: once the deadline
    /// of the order's state has passed, a party's step is accepted only when it leads where
    /// the deadline leads (a cancel after the pay window, a confirmation after auto-confirm, a
    /// rejection the unanswered refund would give anyway); any other step is refused with
    /// [`EscrowError::DeadlinePassed`], even if the scheduler has not delivered the deadline
    /// yet. A payment after its window, or a refund request after auto-confirm, never lands.
    pub fn apply(
        &self,
        event: &Event,
        party: Party,
        now: Timestamp,
    ) -> Result<(Order, Vec<Effect>), EscrowError> {
        let (next, effects) = self.transition(event, party, now)?;
        if party != Party::Timer
            && let Some((deadline, due)) = self.next_deadline()
            && now >= due
        {
            let (by_deadline, deadline_effects) =
                self.transition(&Event::Deadline(deadline), Party::Timer, now)?;
            if by_deadline.state != next.state || deadline_effects != effects {
                return Err(EscrowError::DeadlinePassed {
                    event: event.name(),
                    deadline,
                    due,
                });
            }
        }
        Ok((next, effects))
    }

    /// The events `party` may send at `now`: [`Order::allowed_events`] without those a passed
    /// deadline refuses (see [`Order::apply`]).
    pub fn allowed_events_at(&self, party: Party, now: Timestamp) -> Vec<&'static str> {
        let mut names = self.allowed_events(party);
        if let Some((deadline, due)) = self.next_deadline()
            && now >= due
        {
            let outcome = self.transition(&Event::Deadline(deadline), Party::Timer, now);
            names.retain(|name| {
                let leads_there =
                    |event: Event| match (&outcome, self.transition(&event, party, now)) {
                        (Ok((by_deadline, deadline_effects)), Ok((next, effects))) => {
                            by_deadline.state == next.state && *deadline_effects == effects
                        }
                        _ => false,
                    };
                match *name {
                    "cancel" => leads_there(Event::Cancel),
                    "confirm receipt" => leads_there(Event::ConfirmReceipt),
                    "accept refund" => leads_there(Event::AcceptRefund),
                    "reject refund" => leads_there(Event::RejectRefund),
                    // Pay and a refund request never lead where a deadline leads.
                    _ => false,
                }
            });
        }
        names
    }

    /// The state machine proper: [`Order::apply`] without the passed-deadline rule.
    // Long (125 lines): one match arm per (state, event) pair of the machine in DESIGN.md §4,
    // so the whole transition table reads in one place; splitting it would scatter the table.
    fn transition(
        &self,
        event: &Event,
        party: Party,
        now: Timestamp,
    ) -> Result<(Order, Vec<Effect>), EscrowError> {
        use OrderState::*;
        let illegal = || EscrowError::IllegalTransition {
            event: event.name(),
            state: self.state,
        };
        let only = |allowed: &'static str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(EscrowError::WrongParty {
                    event: event.name(),
                    allowed,
                    party,
                })
            }
        };
        let mut next = self.clone();
        let effects = match (self.state, event) {
            (AwaitingPayment, Event::Pay) => {
                only("buyer", party == Party::Buyer)?;
                next.state = Paid;
                vec![Effect::Hold {
                    amount: self.amount,
                }]
            }
            (AwaitingPayment, Event::Cancel) => {
                only(
                    "buyer or seller",
                    matches!(party, Party::Buyer | Party::Seller),
                )?;
                next.state = Cancelled;
                vec![]
            }
            (AwaitingPayment, Event::Deadline(Deadline::PayBy)) => {
                self.due(party, Deadline::PayBy, self.pay_by, now)?;
                next.state = Cancelled;
                vec![]
            }
            (Paid, Event::Ship { carrier, tracking }) => {
                only("seller", party == Party::Seller)?;
                next.state = Shipped;
                next.shipment = Some((carrier.clone(), tracking.clone()));
                next.auto_confirm_at = Some(now.saturating_add(self.windows.auto_confirm));
                vec![]
            }
            (Paid, Event::Cancel) => {
                only(
                    "buyer or seller",
                    matches!(party, Party::Buyer | Party::Seller),
                )?;
                next.finish_refunded(self.amount);
                vec![Effect::Void]
            }
            (Shipped, Event::ConfirmReceipt) => {
                only("buyer", party == Party::Buyer)?;
                next.finish_released(self.amount);
                vec![Effect::Post {
                    amount: self.amount,
                }]
            }
            (Shipped, Event::Deadline(Deadline::AutoConfirm)) => {
                let due = self.auto_confirm_at.ok_or_else(illegal)?;
                self.due(party, Deadline::AutoConfirm, due, now)?;
                next.finish_released(self.amount);
                vec![Effect::Post {
                    amount: self.amount,
                }]
            }
            (Paid | Shipped, Event::RequestRefund { amount }) => {
                only("buyer", party == Party::Buyer)?;
                self.check_part("refund", *amount)?;
                next.state = RefundRequested;
                next.refund_request = Some(RefundRequest {
                    amount: *amount,
                    from: self.state,
                    answer_by: now.saturating_add(self.windows.refund_answer),
                });
                // The auto-confirm clock pauses while the seller answers.
                next.auto_confirm_paused_for = self.auto_confirm_at.map(|at| (at - now).max(0));
                next.auto_confirm_at = None;
                vec![]
            }
            (RefundRequested, Event::AcceptRefund) => {
                only("seller", party == Party::Seller)?;
                next.accept_refund()?
            }
            (RefundRequested, Event::RejectRefund) => {
                only("seller", party == Party::Seller)?;
                next.state = Disputed;
                vec![]
            }
            (RefundRequested, Event::Deadline(Deadline::RefundAnswer)) => {
                let due = self.refund_request.ok_or_else(illegal)?.answer_by;
                self.due(party, Deadline::RefundAnswer, due, now)?;
                match self.windows.unanswered_refund {
                    UnansweredRefund::Dispute => {
                        next.state = Disputed;
                        vec![]
                    }
                    UnansweredRefund::AutoAccept => next.accept_refund()?,
                }
            }
            (Disputed, Event::Resolve(resolution)) => {
                only("operator", party == Party::Operator)?;
                let to_seller = match resolution {
                    Resolution::Release => self.amount,
                    Resolution::Refund => Money::zero(self.amount.currency()),
                    Resolution::Split { to_seller } => {
                        self.check_part("seller's share", *to_seller)?;
                        *to_seller
                    }
                };
                next.settle(to_seller)?
            }
            _ => return Err(illegal()),
        };
        next.debug_check();
        Ok((next, effects))
    }

    fn due(
        &self,
        party: Party,
        deadline: Deadline,
        due: Timestamp,
        now: Timestamp,
    ) -> Result<(), EscrowError> {
        if party != Party::Timer {
            return Err(EscrowError::WrongParty {
                event: Event::Deadline(deadline).name(),
                allowed: "timer",
                party,
            });
        }
        if now < due {
            return Err(EscrowError::DeadlineNotReached { deadline, due, now });
        }
        Ok(())
    }

    fn check_part(&self, what: &'static str, amount: Money) -> Result<(), EscrowError> {
        let out_of_range = || EscrowError::AmountOutOfRange {
            what,
            held: self.amount,
            got: amount,
        };
        if amount.currency() != self.amount.currency() {
            return Err(MoneyError::CurrencyMismatch {
                left: self.amount.currency().code(),
                right: amount.currency().code(),
            }
            .into());
        }
        if amount.minor() <= 0 || amount.minor() > self.amount.minor() {
            return Err(out_of_range());
        }
        Ok(())
    }

    fn accept_refund(&mut self) -> Result<Vec<Effect>, EscrowError> {
        let refund = self
            .refund_request
            .ok_or(EscrowError::IllegalTransition {
                event: "accept refund",
                state: self.state,
            })?
            .amount;
        let to_seller = self.amount.checked_sub(refund)?;
        self.settle(to_seller)
    }

    /// Ends a held order with `to_seller` released and the rest refunded.
    fn settle(&mut self, to_seller: Money) -> Result<Vec<Effect>, EscrowError> {
        let to_buyer = self.amount.checked_sub(to_seller)?;
        if to_seller.is_zero() {
            self.finish_refunded(to_buyer);
            Ok(vec![Effect::Void])
        } else if to_buyer.is_zero() {
            self.finish_released(to_seller);
            Ok(vec![Effect::Post { amount: to_seller }])
        } else {
            self.state = OrderState::Refunded;
            self.released = Some(to_seller);
            self.refunded = Some(to_buyer);
            self.clear_clocks();
            Ok(vec![Effect::Post { amount: to_seller }])
        }
    }

    fn finish_released(&mut self, amount: Money) {
        self.state = OrderState::Completed;
        self.released = Some(amount);
        self.refunded = None;
        self.clear_clocks();
    }

    fn finish_refunded(&mut self, amount: Money) {
        self.state = OrderState::Refunded;
        self.refunded = Some(amount);
        self.released = None;
        self.clear_clocks();
    }

    fn clear_clocks(&mut self) {
        self.auto_confirm_at = None;
        self.auto_confirm_paused_for = None;
    }

    /// Invariant: a finished paid order splits exactly the held amount between the parties.
    fn debug_check(&self) {
        if matches!(self.state, OrderState::Completed | OrderState::Refunded) {
            let zero = Money::zero(self.amount.currency());
            let released = self.released.unwrap_or(zero).minor();
            let refunded = self.refunded.unwrap_or(zero).minor();
            debug_assert_eq!(released + refunded, self.amount.minor());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    const T0: Timestamp = 1_700_000_000;

    fn cny(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("CNY").unwrap())
    }

    fn order() -> Order {
        Order::new(cny(10_000), Windows::default(), T0)
    }

    fn step(order: &Order, event: Event, party: Party, now: Timestamp) -> (Order, Vec<Effect>) {
        order.apply(&event, party, now).unwrap()
    }

    fn ship() -> Event {
        Event::Ship {
            carrier: "SF".into(),
            tracking: "SF123".into(),
        }
    }

    #[test]
    fn happy_path_holds_then_posts_everything() {
        let (paid, effects) = step(&order(), Event::Pay, Party::Buyer, T0 + 10);
        assert_eq!(paid.state, OrderState::Paid);
        assert_eq!(
            effects,
            [Effect::Hold {
                amount: cny(10_000)
            }]
        );
        let (shipped, effects) = step(&paid, ship(), Party::Seller, T0 + 100);
        assert!(effects.is_empty());
        assert_eq!(shipped.auto_confirm_at, Some(T0 + 100 + 10 * 24 * 3600));
        let (done, effects) = step(&shipped, Event::ConfirmReceipt, Party::Buyer, T0 + 200);
        assert_eq!(done.state, OrderState::Completed);
        assert_eq!(
            effects,
            [Effect::Post {
                amount: cny(10_000)
            }]
        );
        assert_eq!(done.released, Some(cny(10_000)));
        assert_eq!(done.next_deadline(), None);
    }

    /// Steps after the deadline of their state, before the scheduler delivered it.
    #[test]
    fn a_passed_deadline_refuses_steps_that_lead_elsewhere() {
        let windows = Windows::default();
        let pay_by = T0 + windows.pay;
        let late = |order: &Order, event: Event, party: Party, now: Timestamp| {
            order.apply(&event, party, now).unwrap_err()
        };

        // The pay window: paying one second late is refused, cancelling is what the deadline
        // does anyway. At the last second before it, paying works.
        assert_eq!(
            late(&order(), Event::Pay, Party::Buyer, pay_by),
            EscrowError::DeadlinePassed {
                event: "pay",
                deadline: Deadline::PayBy,
                due: pay_by,
            }
        );
        assert_eq!(
            late(&order(), Event::Pay, Party::Buyer, pay_by).to_string(),
            format!("too late to pay: the pay window passed at {pay_by}")
        );
        assert_eq!(
            step(&order(), Event::Pay, Party::Buyer, pay_by - 1).0.state,
            OrderState::Paid
        );
        let cancelled = step(&order(), Event::Cancel, Party::Seller, pay_by + 60).0;
        assert_eq!(cancelled.state, OrderState::Cancelled);
        assert_eq!(order().allowed_events_at(Party::Buyer, pay_by), ["cancel"]);
        assert_eq!(
            order().allowed_events_at(Party::Buyer, pay_by - 1),
            ["pay", "cancel"]
        );

        // Auto-confirm: a refund request after it is refused, a confirmation releases as the
        // timer would.
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let shipped = step(&paid, ship(), Party::Seller, T0 + 10).0;
        let auto = shipped.auto_confirm_at.unwrap();
        assert_eq!(
            late(
                &shipped,
                Event::RequestRefund { amount: cny(100) },
                Party::Buyer,
                auto
            ),
            EscrowError::DeadlinePassed {
                event: "request refund",
                deadline: Deadline::AutoConfirm,
                due: auto,
            }
        );
        let (done, effects) = step(&shipped, Event::ConfirmReceipt, Party::Buyer, auto + 1);
        assert_eq!(done.state, OrderState::Completed);
        assert_eq!(
            effects,
            [Effect::Post {
                amount: cny(10_000)
            }]
        );
        assert_eq!(
            shipped.allowed_events_at(Party::Buyer, auto),
            ["confirm receipt"]
        );

        // The refund answer: with the default rule silence opens a dispute, so a late
        // rejection stands and a late acceptance is refused...
        let asked = step(
            &shipped,
            Event::RequestRefund { amount: cny(2_500) },
            Party::Buyer,
            T0 + 20,
        )
        .0;
        let answer_by = asked.refund_request.unwrap().answer_by;
        assert_eq!(
            late(&asked, Event::AcceptRefund, Party::Seller, answer_by),
            EscrowError::DeadlinePassed {
                event: "accept refund",
                deadline: Deadline::RefundAnswer,
                due: answer_by,
            }
        );
        let disputed = step(&asked, Event::RejectRefund, Party::Seller, answer_by).0;
        assert_eq!(disputed.state, OrderState::Disputed);
        assert_eq!(
            asked.allowed_events_at(Party::Seller, answer_by),
            ["reject refund"]
        );

        // ...and where silence accepts, the other way round.
        let accepting = Windows {
            unanswered_refund: UnansweredRefund::AutoAccept,
            ..windows
        };
        let paid = step(
            &Order::new(cny(10_000), accepting, T0),
            Event::Pay,
            Party::Buyer,
            T0,
        )
        .0;
        let asked = step(
            &paid,
            Event::RequestRefund { amount: cny(2_500) },
            Party::Buyer,
            T0 + 5,
        )
        .0;
        let answer_by = asked.refund_request.unwrap().answer_by;
        assert!(matches!(
            late(&asked, Event::RejectRefund, Party::Seller, answer_by),
            EscrowError::DeadlinePassed {
                deadline: Deadline::RefundAnswer,
                ..
            }
        ));
        let (accepted, effects) = step(&asked, Event::AcceptRefund, Party::Seller, answer_by);
        assert_eq!(accepted.refunded, Some(cny(2_500)));
        assert_eq!(effects, [Effect::Post { amount: cny(7_500) }]);
        assert_eq!(
            asked.allowed_events_at(Party::Seller, answer_by),
            ["accept refund"]
        );
    }

    #[test]
    fn wrong_parties_are_refused() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let shipped = step(&paid, ship(), Party::Seller, T0).0;
        let cases = [
            (&order(), Event::Pay, Party::Seller),
            (&paid, ship(), Party::Buyer),
            (&shipped, Event::ConfirmReceipt, Party::Seller),
            (&shipped, Event::ConfirmReceipt, Party::Operator),
            (
                &shipped,
                Event::RequestRefund { amount: cny(1) },
                Party::Seller,
            ),
            (&paid, Event::Cancel, Party::Operator),
        ];
        for (order, event, party) in cases {
            let error = order.apply(&event, party, T0).unwrap_err();
            assert!(
                matches!(error, EscrowError::WrongParty { .. }),
                "{event:?} by {party:?}: {error}"
            );
        }
        assert_eq!(
            shipped
                .apply(&Event::ConfirmReceipt, Party::Seller, T0)
                .unwrap_err()
                .to_string(),
            "only the buyer may confirm receipt; this request came from the Seller"
        );
    }

    #[test]
    fn illegal_transitions_are_refused() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        assert_eq!(
            paid.apply(&Event::Pay, Party::Buyer, T0).unwrap_err(),
            EscrowError::IllegalTransition {
                event: "pay",
                state: OrderState::Paid
            }
        );
        assert!(
            paid.apply(&Event::ConfirmReceipt, Party::Buyer, T0)
                .is_err()
        );
        let shipped = step(&paid, ship(), Party::Seller, T0).0;
        assert!(shipped.apply(&Event::Cancel, Party::Buyer, T0).is_err());
        let done = step(&shipped, Event::ConfirmReceipt, Party::Buyer, T0).0;
        for event in [Event::Pay, Event::Cancel, Event::ConfirmReceipt, ship()] {
            assert!(done.apply(&event, Party::Buyer, T0).is_err());
        }
    }

    #[test]
    fn unpaid_order_expires_once() {
        let o = order();
        assert_eq!(o.next_deadline(), Some((Deadline::PayBy, T0 + 900)));
        assert_eq!(
            o.apply(&Event::Deadline(Deadline::PayBy), Party::Timer, T0 + 899)
                .unwrap_err(),
            EscrowError::DeadlineNotReached {
                deadline: Deadline::PayBy,
                due: T0 + 900,
                now: T0 + 899
            }
        );
        let (cancelled, effects) =
            step(&o, Event::Deadline(Deadline::PayBy), Party::Timer, T0 + 900);
        assert_eq!(cancelled.state, OrderState::Cancelled);
        assert!(effects.is_empty());
        // The same timer delivered again does nothing.
        assert!(
            cancelled
                .apply(&Event::Deadline(Deadline::PayBy), Party::Timer, T0 + 901)
                .is_err()
        );
        // Buyers cannot forge timer events.
        assert!(matches!(
            o.apply(&Event::Deadline(Deadline::PayBy), Party::Buyer, T0 + 901),
            Err(EscrowError::WrongParty { .. })
        ));
    }

    #[test]
    fn auto_confirm_posts_to_the_seller() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let shipped = step(&paid, ship(), Party::Seller, T0).0;
        let due = shipped.auto_confirm_at.unwrap();
        let (done, effects) = step(
            &shipped,
            Event::Deadline(Deadline::AutoConfirm),
            Party::Timer,
            due,
        );
        assert_eq!(done.state, OrderState::Completed);
        assert_eq!(
            effects,
            [Effect::Post {
                amount: cny(10_000)
            }]
        );
    }

    #[test]
    fn refund_request_pauses_the_clock_and_partial_refund_posts_the_rest() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let shipped = step(&paid, ship(), Party::Seller, T0).0;
        let asked = Event::RequestRefund { amount: cny(3_000) };
        let (requested, _) = step(&shipped, asked, Party::Buyer, T0 + 50);
        assert_eq!(requested.state, OrderState::RefundRequested);
        assert_eq!(requested.auto_confirm_at, None);
        assert_eq!(requested.auto_confirm_paused_for, Some(10 * 24 * 3600 - 50));
        let (refunded, effects) = step(&requested, Event::AcceptRefund, Party::Seller, T0 + 60);
        assert_eq!(refunded.state, OrderState::Refunded);
        assert_eq!(effects, [Effect::Post { amount: cny(7_000) }]);
        assert_eq!(refunded.refunded, Some(cny(3_000)));
        assert_eq!(refunded.released, Some(cny(7_000)));
    }

    #[test]
    fn full_refund_voids() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let (requested, _) = step(
            &paid,
            Event::RequestRefund {
                amount: cny(10_000),
            },
            Party::Buyer,
            T0,
        );
        let (refunded, effects) = step(&requested, Event::AcceptRefund, Party::Seller, T0);
        assert_eq!(effects, [Effect::Void]);
        assert_eq!(refunded.refunded, Some(cny(10_000)));
    }

    #[test]
    fn refund_amount_must_be_within_the_held_amount() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        for minor in [0, -1, 10_001] {
            assert!(matches!(
                paid.apply(
                    &Event::RequestRefund { amount: cny(minor) },
                    Party::Buyer,
                    T0
                ),
                Err(EscrowError::AmountOutOfRange { .. })
            ));
        }
        let usd = Money::from_minor(1, Currency::from_code("USD").unwrap());
        assert!(matches!(
            paid.apply(&Event::RequestRefund { amount: usd }, Party::Buyer, T0),
            Err(EscrowError::Money(MoneyError::CurrencyMismatch { .. }))
        ));
    }

    #[test]
    fn unanswered_refund_disputes_or_auto_accepts() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let ask = Event::RequestRefund { amount: cny(500) };
        let (requested, _) = step(&paid, ask.clone(), Party::Buyer, T0);
        let due = T0 + Windows::default().refund_answer;
        assert_eq!(
            requested.next_deadline(),
            Some((Deadline::RefundAnswer, due))
        );
        let (disputed, _) = step(
            &requested,
            Event::Deadline(Deadline::RefundAnswer),
            Party::Timer,
            due,
        );
        assert_eq!(disputed.state, OrderState::Disputed);
        assert_eq!(disputed.next_deadline(), None);

        let windows = Windows {
            unanswered_refund: UnansweredRefund::AutoAccept,
            ..Windows::default()
        };
        let paid = step(
            &Order::new(cny(10_000), windows, T0),
            Event::Pay,
            Party::Buyer,
            T0,
        )
        .0;
        let (requested, _) = step(&paid, ask, Party::Buyer, T0);
        let (refunded, effects) = step(
            &requested,
            Event::Deadline(Deadline::RefundAnswer),
            Party::Timer,
            due,
        );
        assert_eq!(refunded.state, OrderState::Refunded);
        assert_eq!(effects, [Effect::Post { amount: cny(9_500) }]);
    }

    #[test]
    fn operator_resolves_disputes() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        let (requested, _) = step(
            &paid,
            Event::RequestRefund { amount: cny(500) },
            Party::Buyer,
            T0,
        );
        let (disputed, _) = step(&requested, Event::RejectRefund, Party::Seller, T0);
        assert!(matches!(
            disputed.apply(&Event::Resolve(Resolution::Release), Party::Buyer, T0),
            Err(EscrowError::WrongParty { .. })
        ));
        let cases = [
            (
                Resolution::Release,
                OrderState::Completed,
                Effect::Post {
                    amount: cny(10_000),
                },
            ),
            (Resolution::Refund, OrderState::Refunded, Effect::Void),
            (
                Resolution::Split {
                    to_seller: cny(4_000),
                },
                OrderState::Refunded,
                Effect::Post { amount: cny(4_000) },
            ),
        ];
        for (resolution, state, effect) in cases {
            let (done, effects) = step(&disputed, Event::Resolve(resolution), Party::Operator, T0);
            assert_eq!(done.state, state);
            assert_eq!(effects, [effect]);
        }
        assert!(
            disputed
                .apply(
                    &Event::Resolve(Resolution::Split {
                        to_seller: cny(10_001)
                    }),
                    Party::Operator,
                    T0
                )
                .is_err()
        );
    }

    #[test]
    fn allowed_events_match_apply() {
        let paid = step(&order(), Event::Pay, Party::Buyer, T0).0;
        assert_eq!(
            paid.allowed_events(Party::Buyer),
            ["cancel", "request refund"]
        );
        assert_eq!(paid.allowed_events(Party::Seller), ["ship", "cancel"]);
        assert!(paid.allowed_events(Party::Operator).is_empty());
    }
}
