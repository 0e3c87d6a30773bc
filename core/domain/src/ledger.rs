//! The double-entry ledger (DESIGN.md §3), modelled on TigerBeetle.
//!
//! Every account keeps four counters — `debits_pending`, `debits_posted`, `credits_pending`,
//! `credits_posted` — in minor units of its one currency. Transfers are immutable, carry a
//! client-chosen [`TransferId`] (the ledger's idempotency key), and move one amount from one
//! account to another in that currency. Two-phase transfers are escrow: a *pending* transfer
//! reserves money, *post* completes it (all or part; the rest returns) and *void* returns it; a
//! pending transfer resolves at most once. Accounts flagged `no_overdraft` (user wallets) never
//! spend more than they hold: `debits_pending + debits_posted + amount <= credits_posted`.
//!
//! [`Ledger`] is the in-memory state machine; [`Ledger::apply_linked`] commits several legs all
//! or none. Its journal — the accepted transfers in order — reproduces every balance when
//! replayed ([`Ledger::replay`]), and [`Ledger::check_invariants`] proves conservation. A server
//! keeps the journal durable and rebuilds the state from it.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

/// An account's identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub u64);

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account {}", self.0)
    }
}

/// A transfer's client-chosen identifier: submitting the same transfer twice is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TransferId(pub u128);

impl fmt::Display for TransferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transfer {:032x}", self.0)
    }
}

/// The four counters of an account, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    /// Reserved by pending transfers out of the account.
    pub debits_pending: i64,
    /// Completed transfers out of the account.
    pub debits_posted: i64,
    /// Reserved by pending transfers into the account.
    pub credits_pending: i64,
    /// Completed transfers into the account.
    pub credits_posted: i64,
}

impl Balances {
    /// What the owner can spend now: posted credits less posted and pending debits.
    pub fn available(&self) -> i64 {
        self.credits_posted - self.debits_posted - self.debits_pending
    }

    /// Posted credits less posted debits (pending transfers not counted).
    pub fn posted(&self) -> i64 {
        self.credits_posted - self.debits_posted
    }
}

/// An account: one currency, four counters, and whether it may go below zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Its identifier.
    pub id: AccountId,
    /// Its one currency.
    pub currency: Currency,
    /// True for user wallets: debits may never exceed posted credits.
    pub no_overdraft: bool,
    /// The counters.
    pub balances: Balances,
}

/// What a transfer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TransferKind {
    /// Moves the amount at once.
    Posted,
    /// Reserves the amount (escrow hold) until posted or voided.
    Pending,
    /// Completes a pending transfer with `amount` (at most the reserved amount; the rest goes
    /// back to the debit account). The accounts are the pending transfer's.
    Post {
        /// The pending transfer to complete.
        pending_id: TransferId,
    },
    /// Cancels a pending transfer; the reserved amount goes back. Amount must equal the
    /// pending amount.
    Void {
        /// The pending transfer to cancel.
        pending_id: TransferId,
    },
}

/// An immutable transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Client-chosen identifier.
    pub id: TransferId,
    /// The account the money leaves.
    pub debit: AccountId,
    /// The account the money enters.
    pub credit: AccountId,
    /// How much; always more than zero.
    pub amount: Money,
    /// Plain, pending, post or void.
    pub kind: TransferKind,
}

/// Where a pending transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingStatus {
    /// Still reserving money.
    Open,
    /// Completed by the given post transfer.
    Posted(TransferId),
    /// Cancelled by the given void transfer.
    Voided(TransferId),
}

/// Why the ledger refused a transfer. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The amount is zero or negative.
    #[error("{id}: amount must be more than zero, got {amount}")]
    AmountNotPositive {
        /// The transfer.
        id: TransferId,
        /// Its amount.
        amount: Money,
    },
    /// Debit and credit are the same account.
    #[error("{id}: debit and credit are both {account}")]
    SameAccount {
        /// The transfer.
        id: TransferId,
        /// The account.
        account: AccountId,
    },
    /// An account does not exist.
    #[error("{id}: {account} does not exist")]
    AccountNotFound {
        /// The transfer.
        id: TransferId,
        /// The missing account.
        account: AccountId,
    },
    /// The account keeps another currency.
    #[error("{id}: {account} keeps {account_currency}, the transfer is in {transfer_currency}")]
    CurrencyMismatch {
        /// The transfer.
        id: TransferId,
        /// The account.
        account: AccountId,
        /// The account's currency.
        account_currency: Currency,
        /// The transfer's currency.
        transfer_currency: Currency,
    },
    /// A no-overdraft account would spend more than it holds.
    #[error("{id}: {account} has {available} available, {amount} needed")]
    InsufficientFunds {
        /// The transfer.
        id: TransferId,
        /// The account.
        account: AccountId,
        /// What it can spend.
        available: Money,
        /// What the transfer needs.
        amount: Money,
    },
    /// The id is taken by a different transfer.
    #[error("{id} already exists with different fields")]
    IdReused {
        /// The transfer.
        id: TransferId,
    },
    /// Post or void of a transfer that is not pending.
    #[error("{id}: {pending_id} is not a pending transfer")]
    PendingNotFound {
        /// The post or void transfer.
        id: TransferId,
        /// The id it names.
        pending_id: TransferId,
    },
    /// Post or void of a pending transfer that is already resolved.
    #[error("{id}: {pending_id} is already {status:?}")]
    PendingResolved {
        /// The post or void transfer.
        id: TransferId,
        /// The pending transfer.
        pending_id: TransferId,
        /// How it was resolved.
        status: PendingStatus,
    },
    /// Post/void whose accounts or amount do not fit the pending transfer.
    #[error("{id}: {reason}")]
    PendingMismatch {
        /// The post or void transfer.
        id: TransferId,
        /// What does not fit.
        reason: String,
    },
    /// An account id is taken.
    #[error("{account} already exists")]
    AccountExists {
        /// The account.
        account: AccountId,
    },
    /// Arithmetic on the counters overflowed.
    #[error("{id}: the counters of {account} would overflow")]
    Overflow {
        /// The transfer.
        id: TransferId,
        /// The account.
        account: AccountId,
    },
}

/// A linked batch failed: no leg was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("leg {index} of a linked batch failed, so none was applied: {error}")]
pub struct LinkedError {
    /// The zero-based index of the failing leg.
    pub index: usize,
    /// Why it failed.
    pub error: LedgerError,
}

/// What applying a transfer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applied {
    /// The transfer is new and now in the journal.
    Created,
    /// The same transfer was applied before; nothing changed.
    AlreadyExists,
}

/// A conservation or safety rule that does not hold (a bug, never user input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvariantViolation {
    /// Σ(credits − debits) over all accounts of a currency is not zero.
    #[error("{currency}: posted sums to {posted} and pending to {pending}, both must be 0")]
    NotConserved {
        /// The currency.
        currency: Currency,
        /// Σ(credits_posted − debits_posted).
        posted: i128,
        /// Σ(credits_pending − debits_pending).
        pending: i128,
    },
    /// A no-overdraft account is below zero.
    #[error("{account} is overdrawn: {balances:?}")]
    Overdrawn {
        /// The account.
        account: AccountId,
        /// Its counters.
        balances: Balances,
    },
    /// Replaying the journal does not reproduce the balances.
    #[error("replaying the journal gives different balances for {account}")]
    ReplayDiffers {
        /// The first account that differs.
        account: AccountId,
    },
    /// A pending transfer's status disagrees with the journal.
    #[error("{id}: pending status disagrees with the journal")]
    PendingInconsistent {
        /// The pending transfer.
        id: TransferId,
    },
}

impl TransferKind {
    /// The pending transfer that a post or void resolves.
    pub fn pending_id(self) -> Option<TransferId> {
        match self {
            Self::Post { pending_id } | Self::Void { pending_id } => Some(pending_id),
            Self::Posted | Self::Pending => None,
        }
    }
}

/// The new state of the two accounts (and of a pending transfer) after a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The debit account's counters after the transfer.
    pub debit: Balances,
    /// The credit account's counters after the transfer.
    pub credit: Balances,
    /// A pending transfer whose status changes: the transfer itself when it is a new hold
    /// (`Open`), or the hold that a post or void resolves.
    pub pending: Option<(TransferId, PendingStatus)>,
}

/// Decides one transfer against the current state of its two accounts and, for a post or void,
/// the pending transfer it names with that transfer's status. Every ledger rule of DESIGN.md §3
/// is in this one pure function: [`Ledger`] uses it in memory, and a server uses it on rows it
/// read in the same database transaction. The caller has already checked that the id is new and
/// has found both accounts.
// Long (119 lines): on purpose every rule of DESIGN.md §3 in one pure function (see above), so
// the memory ledger and the server's store cannot apply different rules.
pub fn decide(
    t: &Transfer,
    debit: &Account,
    credit: &Account,
    pending: Option<(&Transfer, PendingStatus)>,
) -> Result<Decision, LedgerError> {
    let id = t.id;
    if t.amount.minor() <= 0 {
        return Err(LedgerError::AmountNotPositive {
            id,
            amount: t.amount,
        });
    }
    if t.debit == t.credit {
        return Err(LedgerError::SameAccount {
            id,
            account: t.debit,
        });
    }
    for account in [debit, credit] {
        if account.currency != t.amount.currency() {
            return Err(LedgerError::CurrencyMismatch {
                id,
                account: account.id,
                account_currency: account.currency,
                transfer_currency: t.amount.currency(),
            });
        }
    }
    debug_assert_eq!((debit.id, credit.id), (t.debit, t.credit));
    let (mut d, mut c) = (debit.balances, credit.balances);
    let amount = t.amount.minor();
    let overflow = |account| LedgerError::Overflow { id, account };
    let pending_change = match t.kind {
        TransferKind::Posted | TransferKind::Pending => {
            if debit.no_overdraft && d.available() < amount {
                return Err(LedgerError::InsufficientFunds {
                    id,
                    account: t.debit,
                    available: Money::from_minor(d.available(), t.amount.currency()),
                    amount: t.amount,
                });
            }
            let is_hold = t.kind == TransferKind::Pending;
            let (debits, credits) = if is_hold {
                (&mut d.debits_pending, &mut c.credits_pending)
            } else {
                (&mut d.debits_posted, &mut c.credits_posted)
            };
            *debits = debits.checked_add(amount).ok_or(overflow(t.debit))?;
            *credits = credits.checked_add(amount).ok_or(overflow(t.credit))?;
            is_hold.then_some((id, PendingStatus::Open))
        }
        TransferKind::Post { pending_id } | TransferKind::Void { pending_id } => {
            let not_found = LedgerError::PendingNotFound { id, pending_id };
            let (hold, status) = pending.ok_or(not_found.clone())?;
            if hold.id != pending_id || hold.kind != TransferKind::Pending {
                return Err(not_found);
            }
            if status != PendingStatus::Open {
                return Err(LedgerError::PendingResolved {
                    id,
                    pending_id,
                    status,
                });
            }
            if (hold.debit, hold.credit) != (t.debit, t.credit) {
                return Err(LedgerError::PendingMismatch {
                    id,
                    reason: format!(
                        "{pending_id} moves {} → {}, not {} → {}",
                        hold.debit, hold.credit, t.debit, t.credit
                    ),
                });
            }
            let held = hold.amount.minor();
            let is_post = matches!(t.kind, TransferKind::Post { .. });
            if is_post && amount > held {
                return Err(LedgerError::PendingMismatch {
                    id,
                    reason: format!(
                        "cannot post {} of {pending_id}, which holds {}",
                        t.amount, hold.amount
                    ),
                });
            }
            if !is_post && amount != held {
                return Err(LedgerError::PendingMismatch {
                    id,
                    reason: format!(
                        "a void must name the held amount {} of {pending_id}, not {}",
                        hold.amount, t.amount
                    ),
                });
            }
            d.debits_pending -= held;
            c.credits_pending -= held;
            if is_post {
                d.debits_posted = d
                    .debits_posted
                    .checked_add(amount)
                    .ok_or(overflow(t.debit))?;
                c.credits_posted = c
                    .credits_posted
                    .checked_add(amount)
                    .ok_or(overflow(t.credit))?;
                Some((pending_id, PendingStatus::Posted(id)))
            } else {
                Some((pending_id, PendingStatus::Voided(id)))
            }
        }
    };
    debug_assert!(!debit.no_overdraft || d.available() >= 0);
    Ok(Decision {
        debit: d,
        credit: c,
        pending: pending_change,
    })
}

/// The in-memory ledger state machine.

#[derive(Debug, Clone, Default)]
pub struct Ledger {
    accounts: BTreeMap<AccountId, Account>,
    transfers: HashMap<TransferId, Transfer>,
    pending: HashMap<TransferId, PendingStatus>,
    journal: Vec<Transfer>,
}

/// How to undo one applied transfer (for linked batches).
struct Undo {
    transfer: Transfer,
    debit_before: Balances,
    credit_before: Balances,
    pending_before: Option<(TransferId, PendingStatus)>,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens an account with zero balances.
    pub fn create_account(
        &mut self,
        id: AccountId,
        currency: Currency,
        no_overdraft: bool,
    ) -> Result<(), LedgerError> {
        if self.accounts.contains_key(&id) {
            return Err(LedgerError::AccountExists { account: id });
        }
        self.accounts.insert(
            id,
            Account {
                id,
                currency,
                no_overdraft,
                balances: Balances::default(),
            },
        );
        Ok(())
    }

    /// An account, if it exists.
    pub fn account(&self, id: AccountId) -> Option<&Account> {
        self.accounts.get(&id)
    }

    /// All accounts, by id.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    /// A transfer, if it exists.
    pub fn transfer(&self, id: TransferId) -> Option<&Transfer> {
        self.transfers.get(&id)
    }

    /// The status of a pending transfer.
    pub fn pending_status(&self, id: TransferId) -> Option<PendingStatus> {
        self.pending.get(&id).copied()
    }

    /// The accepted transfers, in order.
    pub fn journal(&self) -> &[Transfer] {
        &self.journal
    }

    /// Applies one transfer.
    pub fn apply(&mut self, transfer: Transfer) -> Result<Applied, LedgerError> {
        match self.apply_one(transfer)? {
            Some(_) => Ok(Applied::Created),
            None => Ok(Applied::AlreadyExists),
        }
    }

    /// Applies linked legs: all of them or none (e.g. a payment and its fee).
    pub fn apply_linked(&mut self, legs: &[Transfer]) -> Result<Vec<Applied>, LinkedError> {
        let mut undo = Vec::with_capacity(legs.len());
        let mut applied = Vec::with_capacity(legs.len());
        for (index, leg) in legs.iter().enumerate() {
            match self.apply_one(*leg) {
                Ok(Some(step)) => {
                    undo.push(step);
                    applied.push(Applied::Created);
                }
                Ok(None) => applied.push(Applied::AlreadyExists),
                Err(error) => {
                    for step in undo.into_iter().rev() {
                        self.undo(step);
                    }
                    return Err(LinkedError { index, error });
                }
            }
        }
        Ok(applied)
    }

    fn undo(&mut self, step: Undo) {
        let Undo {
            transfer,
            debit_before,
            credit_before,
            pending_before,
        } = step;
        // Post and void name their pending transfer's accounts (checked on apply).
        if let Some(account) = self.accounts.get_mut(&transfer.debit) {
            account.balances = debit_before;
        }
        if let Some(account) = self.accounts.get_mut(&transfer.credit) {
            account.balances = credit_before;
        }
        match pending_before {
            Some((id, status)) => {
                self.pending.insert(id, status);
            }
            None => {
                self.pending.remove(&transfer.id);
            }
        }
        self.transfers.remove(&transfer.id);
        self.journal.pop();
    }

    /// Validates and applies one transfer; `Ok(None)` when the identical transfer exists.
    fn apply_one(&mut self, t: Transfer) -> Result<Option<Undo>, LedgerError> {
        if let Some(existing) = self.transfers.get(&t.id) {
            return if *existing == t {
                Ok(None)
            } else {
                Err(LedgerError::IdReused { id: t.id })
            };
        }
        let find = |account| {
            self.accounts
                .get(&account)
                .ok_or(LedgerError::AccountNotFound { id: t.id, account })
        };
        let (debit, credit) = (find(t.debit)?, find(t.credit)?);
        let pending = match t.kind.pending_id() {
            Some(pending_id) => {
                let not_found = LedgerError::PendingNotFound {
                    id: t.id,
                    pending_id,
                };
                let hold = self.transfers.get(&pending_id).ok_or(not_found.clone())?;
                let status = self.pending.get(&pending_id).ok_or(not_found)?;
                Some((hold, *status))
            }
            None => None,
        };
        let decision = decide(&t, debit, credit, pending)?;
        let (debit_before, credit_before) = (debit.balances, credit.balances);
        if let Some(account) = self.accounts.get_mut(&t.debit) {
            account.balances = decision.debit;
        }
        if let Some(account) = self.accounts.get_mut(&t.credit) {
            account.balances = decision.credit;
        }
        // A new hold has no earlier status; a post or void records the Open it replaced.
        let pending_before = decision.pending.and_then(|(pending_id, status)| {
            let before = self.pending.insert(pending_id, status)?;
            Some((pending_id, before))
        });
        self.transfers.insert(t.id, t);
        self.journal.push(t);
        Ok(Some(Undo {
            transfer: t,
            debit_before,
            credit_before,
            pending_before,
        }))
    }

    /// Rebuilds a ledger from its accounts (with zero balances) and a journal.
    pub fn replay<'a>(
        accounts: impl IntoIterator<Item = &'a Account>,
        journal: impl IntoIterator<Item = &'a Transfer>,
    ) -> Result<Ledger, LedgerError> {
        let mut ledger = Ledger::new();
        for account in accounts {
            ledger.create_account(account.id, account.currency, account.no_overdraft)?;
        }
        for transfer in journal {
            ledger.apply(*transfer)?;
        }
        Ok(ledger)
    }

    /// Checks every invariant of DESIGN.md §3: conservation per currency, no overdrawn wallet,
    /// pending transfers resolved at most once, and the journal reproducing every balance.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        let mut sums: BTreeMap<Currency, (i128, i128)> = BTreeMap::new();
        for account in self.accounts.values() {
            let b = account.balances;
            let sum = sums.entry(account.currency).or_default();
            sum.0 += i128::from(b.credits_posted) - i128::from(b.debits_posted);
            sum.1 += i128::from(b.credits_pending) - i128::from(b.debits_pending);
            if account.no_overdraft && b.available() < 0 {
                return Err(InvariantViolation::Overdrawn {
                    account: account.id,
                    balances: b,
                });
            }
        }
        if let Some((currency, (posted, pending))) =
            sums.into_iter().find(|(_, sum)| *sum != (0, 0))
        {
            return Err(InvariantViolation::NotConserved {
                currency,
                posted,
                pending,
            });
        }
        // Each resolution in the journal names a pending transfer exactly once.
        let mut resolved: HashMap<TransferId, TransferId> = HashMap::new();
        for t in &self.journal {
            if let TransferKind::Post { pending_id } | TransferKind::Void { pending_id } = t.kind
                && resolved.insert(pending_id, t.id).is_some()
            {
                return Err(InvariantViolation::PendingInconsistent { id: pending_id });
            }
        }
        for (id, status) in &self.pending {
            let consistent = match status {
                PendingStatus::Open => !resolved.contains_key(id),
                PendingStatus::Posted(by) | PendingStatus::Voided(by) => {
                    resolved.get(id) == Some(by)
                }
            };
            if !consistent {
                return Err(InvariantViolation::PendingInconsistent { id: *id });
            }
        }
        let replayed = Ledger::replay(self.accounts.values(), &self.journal).map_err(|_| {
            InvariantViolation::ReplayDiffers {
                account: AccountId(0),
            }
        })?;
        for account in self.accounts.values() {
            if replayed.account(account.id).map(|a| a.balances) != Some(account.balances) {
                return Err(InvariantViolation::ReplayDiffers {
                    account: account.id,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FUNDING: AccountId = AccountId(1);
    const ALICE: AccountId = AccountId(10);
    const BOB: AccountId = AccountId(11);
    const USD_WALLET: AccountId = AccountId(20);

    fn cny(minor: i64) -> Money {
        Money::from_minor(minor, Currency::from_code("CNY").unwrap())
    }

    fn ledger() -> Ledger {
        let mut ledger = Ledger::new();
        let cny = Currency::from_code("CNY").unwrap();
        ledger.create_account(FUNDING, cny, false).unwrap();
        ledger.create_account(ALICE, cny, true).unwrap();
        ledger.create_account(BOB, cny, true).unwrap();
        let usd = Currency::from_code("USD").unwrap();
        ledger.create_account(USD_WALLET, usd, true).unwrap();
        ledger
    }

    fn transfer(id: u128, debit: AccountId, credit: AccountId, minor: i64) -> Transfer {
        Transfer {
            id: TransferId(id),
            debit,
            credit,
            amount: cny(minor),
            kind: TransferKind::Posted,
        }
    }

    fn with_kind(t: Transfer, kind: TransferKind) -> Transfer {
        Transfer { kind, ..t }
    }

    fn funded() -> Ledger {
        let mut ledger = ledger();
        ledger.apply(transfer(1, FUNDING, ALICE, 10_000)).unwrap();
        ledger
    }

    /// A funded ledger with a hold of 3_000 from Alice to Bob posted by transfer 3.
    fn with_posted_hold() -> Ledger {
        let mut ledger = funded();
        let hold = with_kind(transfer(2, ALICE, BOB, 3_000), TransferKind::Pending);
        ledger.apply(hold).unwrap();
        let post = TransferKind::Post {
            pending_id: TransferId(2),
        };
        ledger
            .apply(with_kind(transfer(3, ALICE, BOB, 3_000), post))
            .unwrap();
        ledger.check_invariants().unwrap();
        ledger
    }

    // The checker can fail: each test damages a healthy ledger's state behind `apply` in one
    // way and expects exactly that violation.

    #[test]
    fn the_checker_reports_money_created_from_nothing() {
        let mut ledger = with_posted_hold();
        // Bob's posted credits grow with no debit anywhere: money from nothing.
        ledger
            .accounts
            .get_mut(&BOB)
            .unwrap()
            .balances
            .credits_posted += 100;
        assert_eq!(
            ledger.check_invariants(),
            Err(InvariantViolation::NotConserved {
                currency: Currency::from_code("CNY").unwrap(),
                posted: 100,
                pending: 0,
            })
        );
    }

    #[test]
    fn the_checker_reports_an_overdrawn_wallet() {
        let mut ledger = with_posted_hold();
        // Alice spends 8_000 more than she has, balanced by the funding account.
        let alice = &mut ledger.accounts.get_mut(&ALICE).unwrap().balances;
        alice.debits_posted += 8_000;
        let alice_balances = *alice;
        ledger
            .accounts
            .get_mut(&FUNDING)
            .unwrap()
            .balances
            .credits_posted += 8_000;
        assert_eq!(
            ledger.check_invariants(),
            Err(InvariantViolation::Overdrawn {
                account: ALICE,
                balances: alice_balances,
            })
        );
    }

    #[test]
    fn the_checker_reports_balances_the_journal_does_not_reproduce() {
        let mut ledger = with_posted_hold();
        // 500 moved from Alice to Bob in the counters only: conserved, nobody overdrawn, but
        // no journal row says so.
        ledger
            .accounts
            .get_mut(&ALICE)
            .unwrap()
            .balances
            .debits_posted += 500;
        ledger
            .accounts
            .get_mut(&BOB)
            .unwrap()
            .balances
            .credits_posted += 500;
        assert_eq!(
            ledger.check_invariants(),
            Err(InvariantViolation::ReplayDiffers { account: ALICE })
        );
    }

    #[test]
    fn the_checker_reports_a_hold_resolved_twice() {
        let mut ledger = with_posted_hold();
        // A second posting of hold 2 in the journal (the counters untouched).
        let again = TransferKind::Post {
            pending_id: TransferId(2),
        };
        ledger
            .journal
            .push(with_kind(transfer(4, ALICE, BOB, 3_000), again));
        assert_eq!(
            ledger.check_invariants(),
            Err(InvariantViolation::PendingInconsistent { id: TransferId(2) })
        );
    }

    #[test]
    fn the_checker_reports_a_hold_status_the_journal_contradicts() {
        let mut ledger = with_posted_hold();
        // The hold claims to be open while the journal posted it.
        ledger.pending.insert(TransferId(2), PendingStatus::Open);
        assert_eq!(
            ledger.check_invariants(),
            Err(InvariantViolation::PendingInconsistent { id: TransferId(2) })
        );
    }

    #[test]
    fn top_up_and_send_move_money_without_creating_it() {
        let mut ledger = funded();
        ledger.apply(transfer(2, ALICE, BOB, 2_500)).unwrap();
        let alice = ledger.account(ALICE).unwrap().balances;
        let bob = ledger.account(BOB).unwrap().balances;
        assert_eq!((alice.available(), bob.available()), (7_500, 2_500));
        assert_eq!(ledger.account(FUNDING).unwrap().balances.posted(), -10_000);
        ledger.check_invariants().unwrap();
    }

    #[test]
    fn wallets_never_overdraw() {
        let mut ledger = funded();
        let error = ledger.apply(transfer(2, ALICE, BOB, 10_001)).unwrap_err();
        assert_eq!(
            error,
            LedgerError::InsufficientFunds {
                id: TransferId(2),
                account: ALICE,
                available: cny(10_000),
                amount: cny(10_001)
            }
        );
        // Pending holds count against what is available.
        let hold = with_kind(transfer(3, ALICE, BOB, 6_000), TransferKind::Pending);
        ledger.apply(hold).unwrap();
        assert!(matches!(
            ledger.apply(transfer(4, ALICE, BOB, 4_001)),
            Err(LedgerError::InsufficientFunds { .. })
        ));
        ledger.apply(transfer(5, ALICE, BOB, 4_000)).unwrap();
        ledger.check_invariants().unwrap();
    }

    #[test]
    fn same_id_is_idempotent_and_different_fields_are_refused() {
        let mut ledger = funded();
        let t = transfer(2, ALICE, BOB, 100);
        assert_eq!(ledger.apply(t), Ok(Applied::Created));
        assert_eq!(ledger.apply(t), Ok(Applied::AlreadyExists));
        assert_eq!(ledger.account(BOB).unwrap().balances.available(), 100);
        assert_eq!(
            ledger.apply(transfer(2, ALICE, BOB, 101)),
            Err(LedgerError::IdReused { id: TransferId(2) })
        );
    }

    #[test]
    fn refuses_malformed_transfers() {
        let mut ledger = funded();
        assert!(matches!(
            ledger.apply(transfer(2, ALICE, BOB, 0)),
            Err(LedgerError::AmountNotPositive { .. })
        ));
        assert!(matches!(
            ledger.apply(transfer(2, ALICE, BOB, -5)),
            Err(LedgerError::AmountNotPositive { .. })
        ));
        assert!(matches!(
            ledger.apply(transfer(2, ALICE, ALICE, 5)),
            Err(LedgerError::SameAccount { .. })
        ));
        assert!(matches!(
            ledger.apply(transfer(2, ALICE, AccountId(99), 5)),
            Err(LedgerError::AccountNotFound { .. })
        ));
        assert!(matches!(
            ledger.apply(transfer(2, ALICE, USD_WALLET, 5)),
            Err(LedgerError::CurrencyMismatch { .. })
        ));
        assert_eq!(ledger.journal().len(), 1);
    }

    #[test]
    fn pending_posts_partially_once() {
        let mut ledger = funded();
        let hold = with_kind(transfer(2, ALICE, BOB, 6_000), TransferKind::Pending);
        ledger.apply(hold).unwrap();
        let post = with_kind(
            transfer(3, ALICE, BOB, 4_000),
            TransferKind::Post {
                pending_id: TransferId(2),
            },
        );
        ledger.apply(post).unwrap();
        assert_eq!(
            ledger.pending_status(TransferId(2)),
            Some(PendingStatus::Posted(TransferId(3)))
        );
        let alice = ledger.account(ALICE).unwrap().balances;
        let bob = ledger.account(BOB).unwrap().balances;
        assert_eq!((alice.available(), bob.available()), (6_000, 4_000));
        assert_eq!((alice.debits_pending, bob.credits_pending), (0, 0));
        // A second resolution of the same hold is refused.
        let void = with_kind(
            transfer(4, ALICE, BOB, 6_000),
            TransferKind::Void {
                pending_id: TransferId(2),
            },
        );
        assert!(matches!(
            ledger.apply(void),
            Err(LedgerError::PendingResolved { .. })
        ));
        ledger.check_invariants().unwrap();
    }

    #[test]
    fn void_returns_everything_and_checks_its_fields() {
        let mut ledger = funded();
        ledger
            .apply(with_kind(
                transfer(2, ALICE, BOB, 6_000),
                TransferKind::Pending,
            ))
            .unwrap();
        let void = |id, debit, credit, minor| {
            with_kind(
                transfer(id, debit, credit, minor),
                TransferKind::Void {
                    pending_id: TransferId(2),
                },
            )
        };
        assert!(matches!(
            ledger.apply(void(3, ALICE, BOB, 5_000)),
            Err(LedgerError::PendingMismatch { .. })
        ));
        assert!(matches!(
            ledger.apply(void(3, BOB, ALICE, 6_000)),
            Err(LedgerError::PendingMismatch { .. })
        ));
        ledger.apply(void(3, ALICE, BOB, 6_000)).unwrap();
        assert_eq!(ledger.account(ALICE).unwrap().balances.available(), 10_000);
        assert!(matches!(
            ledger.apply(with_kind(
                transfer(4, ALICE, BOB, 1),
                TransferKind::Post {
                    pending_id: TransferId(1)
                }
            )),
            Err(LedgerError::PendingNotFound { .. })
        ));
        ledger.check_invariants().unwrap();
    }

    #[test]
    fn linked_legs_commit_all_or_none() {
        let mut ledger = funded();
        let before = ledger.account(ALICE).unwrap().balances;
        let legs = [
            transfer(2, ALICE, BOB, 9_000),
            transfer(3, ALICE, FUNDING, 2_000), // fee leg overdraws
        ];
        let error = ledger.apply_linked(&legs).unwrap_err();
        assert_eq!(error.index, 1);
        assert_eq!(ledger.account(ALICE).unwrap().balances, before);
        assert!(ledger.transfer(TransferId(2)).is_none());
        assert_eq!(ledger.journal().len(), 1);
        let legs = [
            transfer(2, ALICE, BOB, 9_000),
            transfer(3, ALICE, FUNDING, 1_000),
        ];
        assert_eq!(
            ledger.apply_linked(&legs),
            Ok(vec![Applied::Created, Applied::Created])
        );
        ledger.check_invariants().unwrap();
    }

    #[test]
    fn linked_rollback_reopens_a_resolved_hold() {
        let mut ledger = funded();
        ledger
            .apply(with_kind(
                transfer(2, ALICE, BOB, 5_000),
                TransferKind::Pending,
            ))
            .unwrap();
        let legs = [
            with_kind(
                transfer(3, ALICE, BOB, 5_000),
                TransferKind::Post {
                    pending_id: TransferId(2),
                },
            ),
            transfer(4, BOB, ALICE, 999_999),
        ];
        assert!(ledger.apply_linked(&legs).is_err());
        assert_eq!(
            ledger.pending_status(TransferId(2)),
            Some(PendingStatus::Open)
        );
        ledger.check_invariants().unwrap();
    }

    #[derive(Debug, Clone)]
    enum Op {
        Send(usize, usize, i64),
        Hold(usize, usize, i64),
        Post(usize, i64),
        Void(usize),
        Retry(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..4usize, 0..4usize, -5..3_000i64).prop_map(|(a, b, m)| Op::Send(a, b, m)),
            (0..4usize, 0..4usize, 1..3_000i64).prop_map(|(a, b, m)| Op::Hold(a, b, m)),
            (0..64usize, 1..3_000i64).prop_map(|(i, m)| Op::Post(i, m)),
            (0..64usize).prop_map(Op::Void),
            (0..64usize).prop_map(Op::Retry),
        ]
    }

    proptest! {
        #[test]
        fn random_operations_keep_every_invariant(ops in prop::collection::vec(op(), 1..120)) {
            let accounts = [FUNDING, ALICE, BOB, AccountId(12)];
            let mut ledger = ledger();
            ledger.create_account(AccountId(12), Currency::from_code("CNY").unwrap(), true).unwrap();
            ledger.apply(transfer(1, FUNDING, ALICE, 5_000)).unwrap();
            ledger.apply(transfer(2, FUNDING, BOB, 5_000)).unwrap();
            let mut next_id = 100u128;
            for op in ops {
                next_id += 1;
                let journal = ledger.journal().to_vec();
                let holds: Vec<Transfer> = journal.iter().copied()
                    .filter(|t| t.kind == TransferKind::Pending).collect();
                let t = match op {
                    Op::Send(a, b, m) => transfer(next_id, accounts[a], accounts[b], m),
                    Op::Hold(a, b, m) => with_kind(transfer(next_id, accounts[a], accounts[b], m), TransferKind::Pending),
                    Op::Post(..) | Op::Void(_) if holds.is_empty() => transfer(next_id, ALICE, BOB, 1),
                    Op::Post(i, m) => {
                        let h = holds[i % holds.len()];
                        with_kind(Transfer { id: TransferId(next_id), amount: cny(m), ..h }, TransferKind::Post { pending_id: h.id })
                    }
                    Op::Void(i) => {
                        let h = holds[i % holds.len()];
                        with_kind(Transfer { id: TransferId(next_id), ..h }, TransferKind::Void { pending_id: h.id })
                    }
                    Op::Retry(i) => journal[i % journal.len()],
                };
                let before = ledger.journal().len();
                match ledger.apply(t) {
                    Ok(Applied::Created) => prop_assert_eq!(ledger.journal().len(), before + 1),
                    Ok(Applied::AlreadyExists) | Err(_) => prop_assert_eq!(ledger.journal().len(), before),
                }
                ledger.check_invariants().map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
        }
    }
}
