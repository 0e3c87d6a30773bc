//! Storage behind traits, so the handlers and services never see SQL.
//!
//! A [`Store`] runs *jobs* — closures over a [`Tx`] — inside transactions: [`Store::write`] in a
//! serializable write transaction (the SQLite store batches many jobs into one durable commit;
//! a job that fails undoes only its own effects), [`Store::read`] on a consistent snapshot. A job may be run
//! again if the store retries a serialization failure (PostgreSQL), so it must depend only on
//! what it reads through the [`Tx`].
//!
//! [`Tx`] is split by area ([`IdentityTx`], [`LedgerTx`], [`FeedTx`], [`RequestTx`],
//! [`OrderTx`], [`CodeTx`]) so each area's rows sit next to the code that needs them. The SQLite
//! implementation is in [`sqlite`], the PostgreSQL one in [`postgres`]; [`Backend`] is
//! whichever the configuration chose.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};

use danbao_domain::escrow::Order;
use danbao_domain::ledger::{Account, AccountId, Balances, PendingStatus, Transfer, TransferId};
use danbao_domain::money::Currency;
use danbao_domain::protocol::Outcome;
use danbao_domain::protocol::wire::{FeedEvent, WithdrawalStatus};
use serde::{Deserialize, Serialize};

mod devices;
pub mod error;
pub mod merchant_api;
pub mod merchants;
pub mod postgres;
pub mod sqlite;

mod backend;
pub use backend::Backend;

pub use devices::{Approval, DeviceRow, DeviceTx};

pub use error::{StoreError, StoreResult};
pub use merchant_api::{MerchantApiTx, WebhookTx};
pub use merchants::{MerchantRecord, MerchantTx, Verification};

/// Runs jobs in transactions. A job returns its own error type `E` (the service's); the
/// store's failures reach it through `E: From<StoreError>`.
pub trait Store: Clone + Send + Sync + 'static {
    /// Runs `job` in a write transaction and returns once its effects are durable.
    /// An `Err` from the job rolls back everything the job did.
    fn write<T, E, F>(&self, job: F) -> impl Future<Output = Result<T, E>> + Send
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static;

    /// Runs `job` on a consistent read snapshot.
    fn read<T, E, F>(&self, job: F) -> impl Future<Output = Result<T, E>> + Send
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static;

    /// The rate-limit buckets this store keeps for every instance at once, if it does
    /// (PostgreSQL). `None`: one instance runs on this store (SQLite), and the limiter counts
    /// in its own memory.
    fn shared_buckets(&self) -> Option<std::sync::Arc<dyn SharedBuckets>> {
        None
    }
}

/// Token buckets shared by every instance on one store (see `crate::ratelimit` for the
/// bucket rule: at most `per_minute` tokens, refilled `per_minute` a minute, evenly).
pub trait SharedBuckets: Send + Sync + 'static {
    /// Takes one token from each `(bucket, per_minute)`, all or none. `Ok(None)`: taken;
    /// `Ok(Some(empty))`: nothing was taken, `empty` says which bucket refused.
    fn take(&self, buckets: Vec<(String, u32)>) -> Taking<'_>;
}

/// What [`SharedBuckets::take`] answers, later.
pub type Taking<'a> =
    std::pin::Pin<Box<dyn Future<Output = StoreResult<Option<EmptyBucket>>> + Send + 'a>>;

/// The bucket that refused a take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptyBucket {
    /// Its place in the buckets asked for (0-based).
    pub place: usize,
    /// Whole seconds until it holds a token again.
    pub wait_secs: u64,
}

/// Everything a job can do.
pub trait Tx:
    IdentityTx
    + DeviceTx
    + LedgerTx
    + FeedTx
    + RequestTx
    + OrderTx
    + CodeTx
    + MerchantTx
    + MerchantApiTx
    + WebhookTx
{
    /// Runs `part` of the job as a unit of its own: its effects are kept when it returns
    /// `true` and undone when it returns `false` (parts nest). How is the store's business
    /// (SQLite uses savepoints). `Err` means the store could not keep or undo the part as
    /// asked; the job passes it on, and the store then undoes or retries the whole job.
    /// Jobs call it through [`attempt`].
    fn nested(&mut self, part: &mut dyn FnMut(&mut dyn Tx) -> bool) -> StoreResult<()>;
    /// Forgets what can no longer matter: every kind of row older than its cutoff.
    fn purge(&mut self, before: &PurgeBefore) -> StoreResult<Purged>;
    /// The sandbox clock offset every instance shares, if the store keeps one (PostgreSQL);
    /// `None`: it lives in this process (SQLite, one instance).
    fn shared_clock_offset(&mut self) -> StoreResult<Option<i64>> {
        Ok(None)
    }
    /// Moves the shared sandbox clock offset forward by `secs` and returns the new offset;
    /// `None` when the store keeps none (see [`Tx::shared_clock_offset`]).
    fn advance_shared_clock(&mut self, secs: i64) -> StoreResult<Option<i64>> {
        let _ = secs;
        Ok(None)
    }
}

/// Runs `part` of a job as a unit of its own ([`Tx::nested`]): its effects are kept if it
/// returns `Ok` and undone if it returns `Err` or panics (a panic becomes
/// [`StoreError::Panicked`]). The inner result is `part`'s; the outer `Err` is the store's own
/// (it could not keep or undo the part): pass it on with `?`.
pub fn attempt<T, E: From<StoreError>>(
    tx: &mut dyn Tx,
    part: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
) -> StoreResult<Result<T, E>> {
    let mut part = Some(part);
    let mut outcome = None;
    tx.nested(&mut |tx| {
        let Some(part) = part.take() else {
            return false;
        };
        let result = catch_unwind(AssertUnwindSafe(|| part(tx))).unwrap_or_else(|_| {
            tracing::error!("a store job panicked; its changes are rolled back");
            Err(E::from(StoreError::Panicked))
        });
        let keep = result.is_ok();
        outcome = Some(result);
        keep
    })?;
    outcome.ok_or_else(|| StoreError::unavailable("the store did not run the part it was given"))
}

/// Housekeeping's cutoffs: rows older than these can no longer be presented or replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeBefore {
    /// Request nonces seen before this time (unix seconds).
    pub request_nonces: i64,
    /// Idempotency records created before this time (their keys stay, refused as expired).
    pub idempotency: i64,
    /// Nonces of signed codes that expired before this time.
    pub code_nonces: i64,
    /// Used payment-code time steps before this step.
    pub paycode_steps: u64,
    /// Merchants' failed payment-code attempts before this time.
    pub paycode_failures: i64,
    /// Device approval codes that expired, and refused joins, before this time.
    pub device_approvals: i64,
    /// Webhook deliveries made before this time that are no longer pending (with their
    /// attempts), and events made before it that have no delivery left.
    pub webhooks: i64,
}

/// How many rows of each kind housekeeping forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Request nonces.
    pub request_nonces: usize,
    /// Idempotency records.
    pub idempotency: usize,
    /// Signed-code nonces.
    pub code_nonces: usize,
    /// Used payment-code steps.
    pub paycode_steps: usize,
    /// Failed payment-code attempts.
    pub paycode_failures: usize,
    /// Expired device approval codes and refused joins.
    pub device_approvals: usize,
    /// Shared rate-limit buckets idle long enough to be full again (PostgreSQL).
    pub rate_buckets: usize,
    /// Finished webhook deliveries, their attempts and spent events.
    pub webhooks: usize,
}

impl Purged {
    /// All rows forgot.
    pub fn total(&self) -> usize {
        self.request_nonces
            + self.idempotency
            + self.code_nonces
            + self.paycode_steps
            + self.paycode_failures
            + self.device_approvals
            + self.rate_buckets
            + self.webhooks
    }
}

/// An operator deposit: who was credited how much against which bank reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepositRecord<'r> {
    /// The bank transfer's id.
    pub external_ref: &'r str,
    /// The credited user.
    pub user_id: i64,
    /// The amount.
    pub amount: danbao_domain::money::Money,
}

/// A new withdrawal request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRecord {
    /// The user.
    pub user_id: i64,
    /// The amount.
    pub amount: danbao_domain::money::Money,
    /// The request's ledger transfer (hex).
    pub transfer_id: String,
}

/// A withdrawal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWithdrawal {
    /// Its id.
    pub id: i64,
    /// The user.
    pub user_id: i64,
    /// The amount.
    pub amount: danbao_domain::money::Money,
    /// The request's ledger transfer (hex).
    pub transfer_id: String,
    /// Where it is.
    pub status: WithdrawalStatus,
    /// The bank transfer's id, once paid out.
    pub payout_ref: Option<String>,
    /// Why it failed, once returned.
    pub reason: Option<String>,
    /// When it was requested.
    pub requested_at: i64,
    /// When it was paid out or returned.
    pub settled_at: Option<i64>,
}

/// A deposit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeposit {
    /// The credited user.
    pub user_id: i64,
    /// The amount.
    pub amount: danbao_domain::money::Money,
}

/// A registered user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Server-assigned id.
    pub id: i64,
    /// Unique handle (lower-case), e.g. "alice".
    pub handle: String,
    /// Name shown to payers.
    pub display_name: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A device of a user, with its P-256 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Server-assigned id.
    pub id: i64,
    /// Its owner.
    pub user_id: i64,
    /// Uncompressed SEC1 P-256 public key (65 bytes).
    pub public_key: Vec<u8>,
    /// A label the user chose.
    pub name: String,
    /// Unix seconds it was revoked (its requests are refused), `None` while active.
    pub revoked_at: Option<i64>,
}

/// Users, devices, request nonces and idempotency records.
pub trait IdentityTx {
    /// Creates a user; `None` if the handle is taken.
    fn insert_user(
        &mut self,
        handle: &str,
        display_name: &str,
        now: i64,
    ) -> StoreResult<Option<i64>>;
    /// A user by id.
    fn user(&mut self, id: i64) -> StoreResult<Option<User>>;
    /// Says that the user `id` and the user with `handle` are about to be asked for
    /// ([`IdentityTx::user`], [`IdentityTx::user_by_handle`], once each): a store that answers
    /// over a network reads both in one round trip now. Nothing by default.
    fn prefetch_users(&mut self, id: i64, handle: &str) -> StoreResult<()> {
        let _ = (id, handle);
        Ok(())
    }
    /// A user by handle (lower-case).
    fn user_by_handle(&mut self, handle: &str) -> StoreResult<Option<User>>;
    /// Registers a device. A public key already registered (for any user) is
    /// [`StoreError::PublicKeyTaken`].
    fn insert_device(
        &mut self,
        user_id: i64,
        public_key: &[u8],
        name: &str,
        now: i64,
    ) -> StoreResult<i64>;
    /// A device by id.
    fn device(&mut self, id: i64) -> StoreResult<Option<Device>>;
    /// Records a request nonce of a device; `false` if it was seen before. A revoked device's
    /// nonce is [`StoreError::DeviceRevoked`] (so every signed change checks revocation in its
    /// own transaction); an accepted one also stamps the device's `last_seen_at`.
    fn use_nonce(&mut self, device_id: i64, nonce: &str, now: i64) -> StoreResult<bool>;
    /// The stored first answer under (user, key).
    fn idempotency(&mut self, user_id: i64, key: &str) -> StoreResult<Option<StoredResponse>>;
    /// When (user, key) was first used, if its answer was purged by housekeeping.
    fn expired_idempotency(&mut self, user_id: i64, key: &str) -> StoreResult<Option<i64>>;
    /// Stores the first answer under (user, key).
    fn put_idempotency(
        &mut self,
        user_id: i64,
        key: &str,
        response: &StoredResponse,
        now: i64,
    ) -> StoreResult<()>;
}

/// The first answer to an idempotent request, kept byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// SHA-256 of method, path and body of the first request.
    pub request_hash: Vec<u8>,
    /// What became of it (stored as its status number on the wire).
    pub outcome: Outcome,
    /// Its body, exactly as sent.
    pub body: Vec<u8>,
}

/// What an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A user's wallet: may not overdraw.
    Wallet,
    /// The sandbox source of top-ups (goes negative as money enters).
    Funding,
    /// The sink of withdrawals paid out to banks.
    Withdrawal,
    /// Requested withdrawals not yet paid out or returned (may not overdraw).
    PayoutsPending,
    /// The operator's bank account as the ledger sees it: the source of deposits (goes
    /// negative as money enters).
    Settlement,
    /// The platform's revenue: the fees taken from sellers (may not overdraw).
    Revenue,
}

impl AccountKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wallet => "wallet",
            Self::Funding => "funding",
            Self::Withdrawal => "withdrawal",
            Self::PayoutsPending => "payouts_pending",
            Self::Settlement => "settlement",
            Self::Revenue => "revenue",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "wallet" => Some(Self::Wallet),
            "funding" => Some(Self::Funding),
            "withdrawal" => Some(Self::Withdrawal),
            "payouts_pending" => Some(Self::PayoutsPending),
            "settlement" => Some(Self::Settlement),
            "revenue" => Some(Self::Revenue),
            _ => None,
        }
    }
}

/// A transfer as stored, with its pending status if it is a hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransfer {
    /// The immutable transfer.
    pub transfer: Transfer,
    /// For holds: open, posted or voided.
    pub status: Option<PendingStatus>,
}

/// Accounts and the transfer journal.
pub trait LedgerTx {
    /// The deposit recorded under a bank reference.
    fn deposit(&mut self, external_ref: &str) -> StoreResult<Option<StoredDeposit>>;
    /// Records a deposit (its reference must be new).
    fn insert_deposit(&mut self, deposit: &DepositRecord<'_>, now: i64) -> StoreResult<()>;
    /// Records a requested withdrawal and returns its id.
    fn insert_withdrawal(&mut self, record: &WithdrawalRecord, now: i64) -> StoreResult<i64>;
    /// A withdrawal by id.
    fn withdrawal(&mut self, id: i64) -> StoreResult<Option<StoredWithdrawal>>;
    /// The id of the withdrawal requested by a ledger transfer (hex).
    fn withdrawal_by_transfer(&mut self, transfer_id: &str) -> StoreResult<Option<i64>>;
    /// Withdrawals in `status`, oldest first, at most `limit`.
    fn withdrawals_with_status(
        &mut self,
        status: WithdrawalStatus,
        limit: u32,
    ) -> StoreResult<Vec<StoredWithdrawal>>;
    /// Moves a requested withdrawal to `status` (paid out with its reference, or returned
    /// with the reason); `false` when it was not in `requested` any more.
    fn settle_withdrawal(
        &mut self,
        id: i64,
        status: WithdrawalStatus,
        payout_ref: Option<&str>,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;
    /// An account by id.
    fn account(&mut self, id: AccountId) -> StoreResult<Option<Account>>;
    /// Says that a payment between the wallets of `owners` in `currency` with the transfer id
    /// `transfer` is about to be made: its wallets ([`LedgerTx::find_account`]) and whether
    /// the transfer exists ([`LedgerTx::transfer`], once) are asked for next. A store that
    /// answers over a network reads them in one round trip now. Nothing by default.
    fn prefetch_payment(
        &mut self,
        owners: &[i64],
        currency: Currency,
        transfer: TransferId,
    ) -> StoreResult<()> {
        let _ = (owners, currency, transfer);
        Ok(())
    }
    /// The account of `owner` (None for system accounts) of `kind` in `currency`.
    fn find_account(
        &mut self,
        owner: Option<i64>,
        kind: AccountKind,
        currency: Currency,
    ) -> StoreResult<Option<Account>>;
    /// Opens an account with zero balances.
    fn create_account(
        &mut self,
        owner: Option<i64>,
        kind: AccountKind,
        currency: Currency,
    ) -> StoreResult<Account>;
    /// The owner of an account (None for system accounts).
    fn account_owner(&mut self, id: AccountId) -> StoreResult<Option<i64>>;
    /// All wallet accounts of a user.
    fn wallets_of(&mut self, user_id: i64) -> StoreResult<Vec<Account>>;
    /// Stores new counters.
    fn save_balances(&mut self, id: AccountId, balances: &Balances) -> StoreResult<()>;
    /// A transfer by id.
    fn transfer(&mut self, id: TransferId) -> StoreResult<Option<StoredTransfer>>;
    /// Appends a transfer to the journal (holds start `Open`).
    fn insert_transfer(&mut self, transfer: &Transfer, now: i64) -> StoreResult<()>;
    /// Records how a hold was resolved.
    fn set_pending_status(&mut self, id: TransferId, status: PendingStatus) -> StoreResult<()>;
    /// Every account.
    fn all_accounts(&mut self) -> StoreResult<Vec<Account>>;
    /// The journal in commit order, from position `after` (exclusive), at most `limit`.
    fn journal(&mut self, after: i64, limit: u32) -> StoreResult<Vec<(i64, Transfer)>>;
}

/// One entry of a user's event feed, as the API pages it.
pub use danbao_domain::protocol::wire::Event;

/// Per-user event feed (sync and activity).
pub trait FeedTx {
    /// Appends an event to a user's feed.
    fn append_event(&mut self, user_id: i64, event: &FeedEvent, now: i64) -> StoreResult<i64> {
        let json = event.data_json().map_err(StoreError::unavailable)?;
        self.append_event_json(user_id, event.kind(), &json, now)
    }
    /// Appends an entry of `kind` whose data is serialized already: `json` must be one JSON
    /// object (what [`Event::data`] is read back as).
    fn append_event_json(
        &mut self,
        user_id: i64,
        kind: &str,
        json: &str,
        now: i64,
    ) -> StoreResult<i64>;
    /// Events after `after` (exclusive), oldest first, at most `limit`.
    fn events_after(&mut self, user_id: i64, after: i64, limit: u32) -> StoreResult<Vec<Event>>;
    /// Events of `kind` before `before` (exclusive), newest first, at most `limit`.
    fn events_before(
        &mut self,
        user_id: i64,
        kind: &str,
        before: i64,
        limit: u32,
    ) -> StoreResult<Vec<Event>>;
}

/// A money request from one user to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyRequest {
    /// Server-assigned id.
    pub id: i64,
    /// Who asks to be paid.
    pub requester_id: i64,
    /// Who is asked to pay.
    pub payer_id: i64,
    /// Minor units.
    pub amount_minor: i64,
    /// ISO alpha code.
    pub currency: String,
    /// A note from the requester.
    pub note: String,
    /// "open", "paid" or "declined".
    pub status: String,
    /// The transfer that paid it.
    pub transfer_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Money requests.
pub trait RequestTx {
    /// Stores a new open request and returns its id.
    fn insert_request(&mut self, request: &MoneyRequest) -> StoreResult<i64>;
    /// A request by id.
    fn request(&mut self, id: i64) -> StoreResult<Option<MoneyRequest>>;
    /// Updates status and transfer of a request.
    fn save_request(&mut self, request: &MoneyRequest) -> StoreResult<()>;
}

/// An escrow order as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    /// Server-assigned id, e.g. "ord_…".
    pub id: String,
    /// The seller.
    pub seller_id: i64,
    /// The buyer, once someone pays.
    pub buyer_id: Option<i64>,
    /// What is sold.
    pub title: String,
    /// The escrow machine's state.
    pub order: Order,
    /// The hold transfer, once paid.
    pub hold_id: Option<TransferId>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

/// Escrow orders and their timers.
pub trait OrderTx {
    /// Stores a new order.
    fn insert_order(&mut self, record: &OrderRecord) -> StoreResult<()>;
    /// An order by id.
    fn order(&mut self, id: &str) -> StoreResult<Option<OrderRecord>>;
    /// Stores an order's new state and its next deadline (what the timer scans).
    fn save_order(&mut self, record: &OrderRecord) -> StoreResult<()>;
    /// Ids of orders whose next deadline is at or before `now`, at most `limit`.
    fn due_orders(&mut self, now: i64, limit: u32) -> StoreResult<Vec<String>>;
    /// Moves the time the timer next looks at an order to `at` (`None`: never), leaving the
    /// order itself alone: a deadline that could not be delivered is retried later instead of
    /// holding up the orders behind it.
    fn schedule_order(&mut self, id: &str, at: Option<i64>) -> StoreResult<()>;
    /// Orders where the user is buyer or seller, newest first by (created_at, id), strictly
    /// before the keyset cursor `before` (from the last row of the previous page), at most `limit`.
    fn orders_page(
        &mut self,
        user_id: i64,
        before: Option<(i64, &str)>,
        limit: u32,
    ) -> StoreResult<Vec<OrderRecord>>;
}

/// Single-use markers for signed QR codes and payment codes.
pub trait CodeTx {
    /// Marks a signed code's nonce used; `false` if it was used before. The mark is kept
    /// until the code expires at `expires_at` (unix seconds).
    fn use_code_nonce(&mut self, nonce: &str, now: i64, expires_at: i64) -> StoreResult<bool>;
    /// Stores the sealed payment-code secret of a device under its account index.
    fn put_paycode_secret(
        &mut self,
        account_index: u64,
        user_id: i64,
        sealed_secret: &[u8],
        now: i64,
    ) -> StoreResult<()>;
    /// The owner and sealed secret for an account index.
    fn paycode_secret(&mut self, account_index: u64) -> StoreResult<Option<(i64, Vec<u8>)>>;
    /// Marks a payment-code time step used; `false` if it was.
    fn use_paycode_step(&mut self, account_index: u64, step: u64) -> StoreResult<bool>;
    /// Counts a failed charge attempt by a merchant, against the account index its code
    /// decoded to when that index is a customer's, and returns the merchant's failures in the
    /// window.
    fn count_paycode_failure(
        &mut self,
        merchant_id: i64,
        account_index: Option<u64>,
        now: i64,
        window: i64,
    ) -> StoreResult<u32>;
    /// Failed attempts against one account index after `since` (exclusive), by any merchant.
    fn paycode_index_failures_since(&mut self, account_index: u64, since: i64) -> StoreResult<u32>;
    /// Failed attempts of every merchant after `since` (exclusive).
    fn paycode_all_failures_since(&mut self, since: i64) -> StoreResult<u32>;
    /// Whether a signed code's nonce was used (read-only; resolving a code checks this).
    fn code_nonce_used(&mut self, nonce: &str) -> StoreResult<bool>;
    /// A merchant's failed charge attempts after `since` (exclusive), without counting one.
    fn paycode_failures_since(&mut self, merchant_id: i64, since: i64) -> StoreResult<u32>;
    /// The account index and sealed secret of a device's current payment-code secret.
    fn device_paycode_secret(&mut self, device_id: i64) -> StoreResult<Option<(u64, Vec<u8>)>>;
    /// The time (`at`) of the failed charge attempt number `nth` (0 = the oldest) after
    /// `since` (exclusive), of one merchant or (`None`) of everyone: when it leaves the window
    /// the count drops below `nth + 1`.
    fn paycode_failure_at(
        &mut self,
        merchant_id: Option<i64>,
        since: i64,
        nth: u32,
    ) -> StoreResult<Option<i64>>;
    /// Stores a device's sealed payment-code secret under `account_index` and forgets every
    /// earlier secret of that device, so re-provisioning revokes the old codes.
    fn put_device_paycode_secret(
        &mut self,
        account_index: u64,
        user_id: i64,
        device_id: i64,
        sealed_secret: &[u8],
        now: i64,
    ) -> StoreResult<()>;
}
