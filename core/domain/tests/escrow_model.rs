//! Model-based test of the escrow machine (DESIGN.md §4) with proptest-state-machine.
//!
//! The reference is a small, independent model: the transition table of DESIGN.md §4 written
//! as data ([`TABLE`]: from state, event, who may send it) plus a few lines for where each
//! legal step goes and what it does to the money. proptest generates random command sequences
//! — legal steps, random (mostly illegal) events from random parties, random time advances,
//! advances to just before/at/after the next deadline, and scheduler ticks that deliver a due
//! deadline — and `danbao_domain::escrow::Order` must agree with the model on every step: the
//! new state, the exact ledger effects or the kind of refusal, the next deadline, the actions
//! each party is offered, and the final split. A tiny ledger applies the effects and checks
//! that a hold is made at most once, resolved at most once, and that at the end what the
//! seller received plus what went back to the buyer is exactly the order amount.

use danbao_domain::escrow::{
    Deadline, Effect, EscrowError, Event, Order, OrderState, Party, Resolution, UnansweredRefund,
    Windows,
};
use danbao_domain::money::{Currency, Money};
use proptest::prelude::*;
use proptest::sample::select;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

// ---------------------------------------------------------------------------------------------
// The reference model.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Awaiting,
    Paid,
    Shipped,
    RefundRequested,
    Disputed,
    Completed,
    Cancelled,
    Refunded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pay,
    Ship,
    Cancel,
    Confirm,
    RequestRefund,
    Accept,
    Reject,
    Resolve,
    PayBy,
    AutoConfirm,
    RefundAnswer,
}

const KINDS: [Kind; 11] = [
    Kind::Pay,
    Kind::Ship,
    Kind::Cancel,
    Kind::Confirm,
    Kind::RequestRefund,
    Kind::Accept,
    Kind::Reject,
    Kind::Resolve,
    Kind::PayBy,
    Kind::AutoConfirm,
    Kind::RefundAnswer,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Buyer,
    Seller,
    Operator,
    Timer,
}

const WHO: [Who; 4] = [Who::Buyer, Who::Seller, Who::Operator, Who::Timer];

use Kind as K;
use St as S;
use Who as W;

/// DESIGN.md §4, row by row: from, event, who may send it. Nothing else is legal.
const TABLE: &[(St, Kind, &[Who])] = &[
    (S::Awaiting, K::Pay, &[W::Buyer]),
    (S::Awaiting, K::Cancel, &[W::Buyer, W::Seller]),
    (S::Awaiting, K::PayBy, &[W::Timer]),
    (S::Paid, K::Ship, &[W::Seller]),
    (S::Paid, K::Cancel, &[W::Buyer, W::Seller]),
    (S::Paid, K::RequestRefund, &[W::Buyer]),
    (S::Shipped, K::Confirm, &[W::Buyer]),
    (S::Shipped, K::AutoConfirm, &[W::Timer]),
    (S::Shipped, K::RequestRefund, &[W::Buyer]),
    (S::RefundRequested, K::Accept, &[W::Seller]),
    (S::RefundRequested, K::Reject, &[W::Seller]),
    (S::RefundRequested, K::RefundAnswer, &[W::Timer]),
    (S::Disputed, K::Resolve, &[W::Operator]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Res {
    Release,
    Refund,
    Split,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eff {
    Hold(i64),
    Post(i64),
    Void,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Illegal,
    WrongParty,
    NotReached,
    /// A party's step after its state's deadline, where the deadline leads elsewhere.
    Passed,
    Amount,
    Currency,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Start,
    /// A tick with nothing due.
    Nothing,
    Done(Vec<Eff>),
    Refused(Refusal),
}

#[derive(Debug, Clone)]
enum Cmd {
    /// `who` sends `kind`; `minor`/`foreign` are the refund or split amount (and whether it is
    /// in another currency), `res` the resolution; ignored by other events.
    Send {
        kind: Kind,
        who: Who,
        minor: i64,
        foreign: bool,
        res: Res,
    },
    /// Time passes.
    Advance(i64),
    /// The scheduler delivers the next deadline if it is due.
    Tick,
}

#[derive(Debug, Clone, Copy)]
struct Win {
    pay: i64,
    auto_confirm: i64,
    refund_answer: i64,
    auto_accept: bool,
}

#[derive(Debug, Clone)]
struct Model {
    st: St,
    amount: i64,
    win: Win,
    start: i64,
    now: i64,
    pay_by: i64,
    auto_confirm_at: Option<i64>,
    answer_by: Option<i64>,
    asked: Option<i64>,
    released: Option<i64>,
    refunded: Option<i64>,
    last: Outcome,
}

impl Model {
    fn deadline(&self) -> Option<(Kind, i64)> {
        match self.st {
            S::Awaiting => Some((K::PayBy, self.pay_by)),
            S::Shipped => self.auto_confirm_at.map(|at| (K::AutoConfirm, at)),
            S::RefundRequested => self.answer_by.map(|at| (K::RefundAnswer, at)),
            _ => None,
        }
    }

    fn allowed(&self, who: Who) -> Vec<&'static str> {
        let mut names: Vec<_> = TABLE
            .iter()
            .filter(|(from, kind, by)| *from == self.st && by.contains(&who) && !is_deadline(*kind))
            .map(|(_, kind, _)| name(*kind))
            .collect();
        names.sort_unstable();
        names
    }

    /// What a party may do at `now`: after the deadline of the state, only the steps that
    /// lead where the deadline leads.
    fn allowed_now(&self, who: Who) -> Vec<&'static str> {
        let passed = self.deadline().is_some_and(|(_, at)| self.now >= at);
        let mut names: Vec<_> = TABLE
            .iter()
            .filter(|(from, kind, by)| *from == self.st && by.contains(&who) && !is_deadline(*kind))
            .filter(|(_, kind, _)| !passed || self.leads_where_the_deadline_leads(*kind))
            .map(|(_, kind, _)| name(*kind))
            .collect();
        names.sort_unstable();
        names
    }

    /// Whether a party's `kind` in this state ends where the state's deadline would.
    fn leads_where_the_deadline_leads(&self, kind: Kind) -> bool {
        match (self.st, kind) {
            (S::Awaiting, K::Cancel) | (S::Shipped, K::Confirm) => true,
            (S::RefundRequested, K::Accept) => self.win.auto_accept,
            (S::RefundRequested, K::Reject) => !self.win.auto_accept,
            _ => false,
        }
    }

    /// Ends the order with `to_seller` released and the rest refunded.
    fn settle(&mut self, to_seller: i64) -> Vec<Eff> {
        self.auto_confirm_at = None;
        self.answer_by = None;
        if to_seller == 0 {
            self.st = S::Refunded;
            self.refunded = Some(self.amount);
            vec![Eff::Void]
        } else if to_seller == self.amount {
            self.st = S::Completed;
            self.released = Some(self.amount);
            vec![Eff::Post(self.amount)]
        } else {
            self.st = S::Refunded;
            self.released = Some(to_seller);
            self.refunded = Some(self.amount - to_seller);
            vec![Eff::Post(to_seller)]
        }
    }

    fn send(&mut self, kind: Kind, who: Who, minor: i64, foreign: bool, res: Res) -> Outcome {
        let Some((_, _, allowed)) = TABLE
            .iter()
            .find(|(from, k, _)| *from == self.st && *k == kind)
        else {
            return Outcome::Refused(Refusal::Illegal);
        };
        if !allowed.contains(&who) {
            return Outcome::Refused(Refusal::WrongParty);
        }
        if let Some((deadline, at)) = self.deadline()
            && deadline == kind
            && self.now < at
        {
            return Outcome::Refused(Refusal::NotReached);
        }
        let in_range = |m: &Model| {
            if foreign {
                Err(Refusal::Currency)
            } else if minor <= 0 || minor > m.amount {
                Err(Refusal::Amount)
            } else {
                Ok(minor)
            }
        };
        if kind == K::RequestRefund
            && let Err(refusal) = in_range(self)
        {
            return Outcome::Refused(refusal);
        }
        // Once the deadline of the state has passed, a party's step stands only where the
        // deadline would lead anyway.
        if who != Who::Timer
            && let Some((_, at)) = self.deadline()
            && self.now >= at
            && !self.leads_where_the_deadline_leads(kind)
        {
            return Outcome::Refused(Refusal::Passed);
        }
        let effects = match (self.st, kind) {
            (S::Awaiting, K::Pay) => {
                self.st = S::Paid;
                vec![Eff::Hold(self.amount)]
            }
            (S::Awaiting, K::Cancel | K::PayBy) => {
                self.st = S::Cancelled;
                vec![]
            }
            (S::Paid, K::Ship) => {
                self.st = S::Shipped;
                self.auto_confirm_at = Some(self.now + self.win.auto_confirm);
                vec![]
            }
            (S::Paid, K::Cancel) => self.settle(0),
            (S::Shipped, K::Confirm | K::AutoConfirm) => self.settle(self.amount),
            (S::Paid | S::Shipped, K::RequestRefund) => match in_range(self) {
                Err(refusal) => return Outcome::Refused(refusal),
                Ok(asked) => {
                    self.st = S::RefundRequested;
                    self.asked = Some(asked);
                    self.answer_by = Some(self.now + self.win.refund_answer);
                    self.auto_confirm_at = None;
                    vec![]
                }
            },
            (S::RefundRequested, K::Accept) => self.settle(self.amount - self.asked.unwrap_or(0)),
            (S::RefundRequested, K::Reject) => {
                self.st = S::Disputed;
                self.answer_by = None;
                vec![]
            }
            (S::RefundRequested, K::RefundAnswer) => {
                if self.win.auto_accept {
                    self.settle(self.amount - self.asked.unwrap_or(0))
                } else {
                    self.st = S::Disputed;
                    self.answer_by = None;
                    vec![]
                }
            }
            (S::Disputed, K::Resolve) => match res {
                Res::Release => self.settle(self.amount),
                Res::Refund => self.settle(0),
                Res::Split => match in_range(self) {
                    Err(refusal) => return Outcome::Refused(refusal),
                    Ok(to_seller) => self.settle(to_seller),
                },
            },
            other => unreachable!("table row without a rule: {other:?}"),
        };
        Outcome::Done(effects)
    }
}

fn is_deadline(kind: Kind) -> bool {
    matches!(kind, K::PayBy | K::AutoConfirm | K::RefundAnswer)
}

fn name(kind: Kind) -> &'static str {
    match kind {
        K::Pay => "pay",
        K::Ship => "ship",
        K::Cancel => "cancel",
        K::Confirm => "confirm receipt",
        K::RequestRefund => "request refund",
        K::Accept => "accept refund",
        K::Reject => "reject refund",
        K::Resolve => "resolve",
        K::PayBy => "pay deadline",
        K::AutoConfirm => "auto-confirm deadline",
        K::RefundAnswer => "refund answer deadline",
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Cmd;

    fn init_state() -> BoxedStrategy<Model> {
        (
            1i64..=1_000_000,
            60i64..=30 * 24 * 3600,
            60i64..=10 * 24 * 3600,
            60i64..=3 * 24 * 3600,
            any::<bool>(),
            1_600_000_000i64..1_900_000_000,
        )
            .prop_map(
                |(amount, pay, auto_confirm, refund_answer, auto_accept, now)| Model {
                    st: S::Awaiting,
                    amount,
                    win: Win {
                        pay,
                        auto_confirm,
                        refund_answer,
                        auto_accept,
                    },
                    start: now,
                    now,
                    pay_by: now + pay,
                    auto_confirm_at: None,
                    answer_by: None,
                    asked: None,
                    released: None,
                    refunded: None,
                    last: Outcome::Start,
                },
            )
            .boxed()
    }

    fn transitions(m: &Model) -> BoxedStrategy<Cmd> {
        let amount = m.amount;
        let minor = prop_oneof![
            4 => 1..=amount,
            1 => Just(amount),
            1 => Just(0i64),
            1 => Just(-1i64),
            1 => Just(amount + 1),
        ];
        let arg = (
            minor,
            prop::bool::weighted(0.05),
            select(vec![Res::Release, Res::Refund, Res::Split]),
        );
        let random = (select(KINDS.to_vec()), select(WHO.to_vec()), arg.clone())
            .prop_map(|(kind, who, (minor, foreign, res))| Cmd::Send {
                kind,
                who,
                minor,
                foreign,
                res,
            })
            .boxed();
        let legal: Vec<(Kind, Who)> = TABLE
            .iter()
            .filter(|(from, _, _)| *from == m.st)
            .flat_map(|(_, kind, by)| by.iter().map(move |who| (*kind, *who)))
            .collect();
        let longest = m.win.pay.max(m.win.auto_confirm).max(m.win.refund_answer);
        let advance = (0..=2 * longest).prop_map(Cmd::Advance).boxed();
        let to_deadline = match m.deadline() {
            Some((_, at)) => {
                let gap = at - m.now;
                (-1i64..=1)
                    .prop_map(move |delta| Cmd::Advance((gap + delta).max(0)))
                    .boxed()
            }
            None => Just(Cmd::Advance(1)).boxed(),
        };
        if legal.is_empty() {
            return prop_oneof![3 => random, 1 => advance, 1 => Just(Cmd::Tick)].boxed();
        }
        // Cancels end an order early; favour the other legal steps so sequences reach the
        // deep states (disputes, resolutions, unanswered refunds) often.
        let onward: Vec<(Kind, Who)> = legal
            .iter()
            .copied()
            .filter(|(kind, _)| *kind != K::Cancel)
            .collect();
        let pick = if onward.is_empty() {
            select(legal).boxed()
        } else {
            prop_oneof![1 => select(legal), 6 => select(onward)].boxed()
        };
        let step = (pick, arg)
            .prop_map(|((kind, who), (minor, foreign, res))| Cmd::Send {
                kind,
                who,
                minor,
                foreign,
                res,
            })
            .boxed();
        prop_oneof![
            5 => step,
            3 => random,
            1 => advance,
            2 => to_deadline,
            2 => Just(Cmd::Tick),
        ]
        .boxed()
    }

    fn apply(mut m: Model, cmd: &Cmd) -> Model {
        m.last = match *cmd {
            Cmd::Send {
                kind,
                who,
                minor,
                foreign,
                res,
            } => m.send(kind, who, minor, foreign, res),
            Cmd::Advance(secs) => {
                m.now += secs;
                Outcome::Nothing
            }
            Cmd::Tick => match m.deadline() {
                Some((kind, at)) if at <= m.now => m.send(kind, W::Timer, 0, false, Res::Release),
                _ => Outcome::Nothing,
            },
        };
        m
    }
}

// ---------------------------------------------------------------------------------------------
// The system under test: the real machine, plus a tiny ledger that applies its effects.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    None,
    Open,
    Resolved,
}

struct Sut {
    order: Order,
    now: i64,
    hold: Hold,
    to_seller: i64,
    to_buyer: i64,
}

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, Currency::from_code("CNY").unwrap())
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::from_code("USD").unwrap())
}

fn party(who: Who) -> Party {
    match who {
        W::Buyer => Party::Buyer,
        W::Seller => Party::Seller,
        W::Operator => Party::Operator,
        W::Timer => Party::Timer,
    }
}

fn event(kind: Kind, minor: i64, foreign: bool, res: Res) -> Event {
    let money = if foreign { usd(minor) } else { cny(minor) };
    match kind {
        K::Pay => Event::Pay,
        K::Ship => Event::Ship {
            carrier: "SF".into(),
            tracking: "SF1".into(),
        },
        K::Cancel => Event::Cancel,
        K::Confirm => Event::ConfirmReceipt,
        K::RequestRefund => Event::RequestRefund { amount: money },
        K::Accept => Event::AcceptRefund,
        K::Reject => Event::RejectRefund,
        K::Resolve => Event::Resolve(match res {
            Res::Release => Resolution::Release,
            Res::Refund => Resolution::Refund,
            Res::Split => Resolution::Split { to_seller: money },
        }),
        K::PayBy => Event::Deadline(Deadline::PayBy),
        K::AutoConfirm => Event::Deadline(Deadline::AutoConfirm),
        K::RefundAnswer => Event::Deadline(Deadline::RefundAnswer),
    }
}

fn kind_of(deadline: Deadline) -> Kind {
    match deadline {
        Deadline::PayBy => K::PayBy,
        Deadline::AutoConfirm => K::AutoConfirm,
        Deadline::RefundAnswer => K::RefundAnswer,
    }
}

fn state_of(state: OrderState) -> St {
    match state {
        OrderState::AwaitingPayment => S::Awaiting,
        OrderState::Paid => S::Paid,
        OrderState::Shipped => S::Shipped,
        OrderState::RefundRequested => S::RefundRequested,
        OrderState::Disputed => S::Disputed,
        OrderState::Completed => S::Completed,
        OrderState::Cancelled => S::Cancelled,
        OrderState::Refunded => S::Refunded,
    }
}

fn refusal(error: &EscrowError) -> Refusal {
    match error {
        EscrowError::IllegalTransition { .. } => Refusal::Illegal,
        EscrowError::WrongParty { .. } => Refusal::WrongParty,
        EscrowError::DeadlineNotReached { .. } => Refusal::NotReached,
        EscrowError::DeadlinePassed { .. } => Refusal::Passed,
        EscrowError::AmountOutOfRange { .. } => Refusal::Amount,
        EscrowError::Money(_) => Refusal::Currency,
    }
}

impl Sut {
    /// Applies one event; commits its effects to the small ledger on success.
    fn send(&mut self, event: &Event, party: Party) -> Outcome {
        match self.order.apply(event, party, self.now) {
            Err(error) => Outcome::Refused(refusal(&error)),
            Ok((next, effects)) => {
                let amount = self.order.amount.minor();
                let mut seen = Vec::new();
                for effect in effects {
                    seen.push(match effect {
                        Effect::Hold { amount: held } => {
                            assert_eq!(self.hold, Hold::None, "a second hold");
                            assert_eq!(held.minor(), amount);
                            self.hold = Hold::Open;
                            Eff::Hold(held.minor())
                        }
                        Effect::Post { amount: posted } => {
                            assert_eq!(self.hold, Hold::Open, "post without an open hold");
                            let posted = posted.minor();
                            assert!(0 < posted && posted <= amount, "post of {posted}");
                            self.hold = Hold::Resolved;
                            self.to_seller += posted;
                            self.to_buyer += amount - posted;
                            Eff::Post(posted)
                        }
                        Effect::Void => {
                            assert_eq!(self.hold, Hold::Open, "void without an open hold");
                            self.hold = Hold::Resolved;
                            self.to_buyer += amount;
                            Eff::Void
                        }
                    });
                }
                self.order = next;
                Outcome::Done(seen)
            }
        }
    }

    /// Delivers the next deadline if due; a deadline delivered again is refused.
    fn tick(&mut self) -> Outcome {
        match self.order.next_deadline() {
            Some((deadline, at)) if at <= self.now => {
                let event = Event::Deadline(deadline);
                let outcome = self.send(&event, Party::Timer);
                let before = self.order.clone();
                let again = self.order.apply(&event, Party::Timer, self.now);
                assert!(again.is_err(), "{deadline:?} fired twice: {again:?}");
                assert_eq!(self.order, before);
                outcome
            }
            _ => Outcome::Nothing,
        }
    }
}

struct EscrowMachine;

impl StateMachineTest for EscrowMachine {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(m: &Model) -> Sut {
        let windows = Windows {
            pay: m.win.pay,
            auto_confirm: m.win.auto_confirm,
            refund_answer: m.win.refund_answer,
            unanswered_refund: if m.win.auto_accept {
                UnansweredRefund::AutoAccept
            } else {
                UnansweredRefund::Dispute
            },
        };
        Sut {
            order: Order::new(cny(m.amount), windows, m.start),
            now: m.start,
            hold: Hold::None,
            to_seller: 0,
            to_buyer: 0,
        }
    }

    fn apply(mut sut: Sut, m: &Model, cmd: Cmd) -> Sut {
        let before = sut.order.clone();
        let outcome = match cmd {
            Cmd::Send {
                kind,
                who,
                minor,
                foreign,
                res,
            } => sut.send(&event(kind, minor, foreign, res), party(who)),
            Cmd::Advance(secs) => {
                sut.now += secs;
                Outcome::Nothing
            }
            Cmd::Tick => sut.tick(),
        };
        assert_eq!(outcome, m.last, "{cmd:?} on {before:?}");
        if let Outcome::Refused(_) = outcome {
            assert_eq!(sut.order, before, "a refused event changed the order");
        }
        sut
    }

    fn check_invariants(sut: &Sut, m: &Model) {
        let order = &sut.order;
        assert_eq!(state_of(order.state), m.st);
        assert_eq!(sut.now, m.now);
        assert_eq!(order.pay_by, m.pay_by);
        assert_eq!(
            order.next_deadline().map(|(d, at)| (kind_of(d), at)),
            m.deadline()
        );
        assert_eq!(order.auto_confirm_at, m.auto_confirm_at);
        assert_eq!(order.released.map(Money::minor), m.released);
        assert_eq!(order.refunded.map(Money::minor), m.refunded);
        for who in WHO {
            let mut offered = order.allowed_events(party(who));
            offered.sort_unstable();
            assert_eq!(
                offered,
                m.allowed(who),
                "actions of the {who:?} in {:?}",
                m.st
            );
            let mut now = order.allowed_events_at(party(who), sut.now);
            now.sort_unstable();
            assert_eq!(
                now,
                m.allowed_now(who),
                "actions of the {who:?} in {:?} at {}",
                m.st,
                m.now
            );
        }
        // Money: held exactly while the state says so; split exactly once it is over.
        assert_eq!(order.state.holds_money(), sut.hold == Hold::Open);
        match m.st {
            S::Completed | S::Refunded => {
                assert_eq!(sut.hold, Hold::Resolved);
                assert_eq!(sut.to_seller + sut.to_buyer, m.amount);
                assert_eq!(Some(sut.to_seller).filter(|v| *v > 0), m.released);
                assert_eq!(Some(sut.to_buyer).filter(|v| *v > 0), m.refunded);
            }
            S::Awaiting | S::Cancelled => assert_eq!(sut.hold, Hold::None),
            _ => assert_eq!(sut.hold, Hold::Open),
        }
    }

    /// Drives what is left of the order to its end (operator splits disputes, the seller
    /// ships, time runs to each deadline) and checks the money is split exactly.
    fn teardown(mut sut: Sut, m: Model) {
        for _ in 0..8 {
            let order = sut.order.clone();
            if order.state.is_final() {
                break;
            }
            let outcome = match order.state {
                OrderState::Disputed => sut.send(
                    &Event::Resolve(Resolution::Split {
                        to_seller: cny((m.amount + 1) / 2),
                    }),
                    Party::Operator,
                ),
                OrderState::Paid => {
                    sut.send(&event(K::Ship, 0, false, Res::Release), Party::Seller)
                }
                _ => {
                    let (_, at) = order.next_deadline().expect("a live order has a deadline");
                    sut.now = sut.now.max(at);
                    sut.tick()
                }
            };
            assert!(
                matches!(outcome, Outcome::Done(_)),
                "{outcome:?} in {order:?}"
            );
        }
        assert!(sut.order.state.is_final(), "{:?}", sut.order);
        if sut.hold != Hold::None {
            assert_eq!(sut.hold, Hold::Resolved);
            assert_eq!(sut.to_seller + sut.to_buyer, m.amount);
            let released = sut.order.released.map_or(0, Money::minor);
            let refunded = sut.order.refunded.map_or(0, Money::minor);
            assert_eq!((released, refunded), (sut.to_seller, sut.to_buyer));
        }
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        max_shrink_iters: 4096,
        .. ProptestConfig::default()
    })]

    #[test]
    fn escrow_order_agrees_with_the_reference_model(sequential 1..48 => EscrowMachine);
}

/// The model itself is checked against DESIGN.md on the happy path, so a wrong model cannot
/// agree with a wrong machine by accident.
#[test]
fn the_model_follows_the_design_table() {
    let mut m = <Reference as ReferenceStateMachine>::apply(
        Model {
            st: S::Awaiting,
            amount: 10_000,
            win: Win {
                pay: 900,
                auto_confirm: 864_000,
                refund_answer: 259_200,
                auto_accept: false,
            },
            start: 0,
            now: 0,
            pay_by: 900,
            auto_confirm_at: None,
            answer_by: None,
            asked: None,
            released: None,
            refunded: None,
            last: Outcome::Start,
        },
        &Cmd::Tick,
    );
    assert_eq!(m.last, Outcome::Nothing);
    let send = |m: Model, kind, who| {
        <Reference as ReferenceStateMachine>::apply(
            m,
            &Cmd::Send {
                kind,
                who,
                minor: 3_000,
                foreign: false,
                res: Res::Split,
            },
        )
    };
    m = send(m, K::Pay, W::Seller);
    assert_eq!(m.last, Outcome::Refused(Refusal::WrongParty));
    m = send(m, K::Pay, W::Buyer);
    assert_eq!(m.last, Outcome::Done(vec![Eff::Hold(10_000)]));
    m = send(m, K::Ship, W::Seller);
    assert_eq!(m.deadline(), Some((K::AutoConfirm, 864_000)));
    m = send(m, K::RequestRefund, W::Buyer);
    assert_eq!(m.deadline(), Some((K::RefundAnswer, 259_200)));
    m = <Reference as ReferenceStateMachine>::apply(m, &Cmd::Advance(259_200));
    m = <Reference as ReferenceStateMachine>::apply(m, &Cmd::Tick);
    assert_eq!((m.st, &m.last), (S::Disputed, &Outcome::Done(vec![])));
    m = send(m, K::Resolve, W::Operator);
    assert_eq!(m.last, Outcome::Done(vec![Eff::Post(3_000)]));
    assert_eq!(
        (m.st, m.released, m.refunded),
        (S::Refunded, Some(3_000), Some(7_000))
    );
}
