//! The PostgreSQL store: several server instances on one database.
//!
//! **Driver and pool.** `tokio-postgres` with a `deadpool` pool of connections (module `conn`): a job
//! waits (asynchronously) for a pooled connection, then runs on a blocking thread with it for
//! its whole transaction. The store's jobs are synchronous closures over `&mut dyn Tx` (the
//! contract SQLite needs, where a job runs inside the one writer thread); a job asks for rows
//! one call at a time and decides on what it read, so it waits for each answer on the thread
//! it runs on. Each connection owns a one-thread runtime that drives its socket on the waiting
//! thread itself (module `conn`); statements whose answer the job does not wait for are
//! pipelined with the next one (`Conn::defer`, `PgTx::defer_exec`). An earlier
//! version bridged to one shared runtime instead (commit `fa5595e`, reverted): two more thread
//! wake-ups per statement (docs/server-evidence.md §4). A pooled connection the server closed
//! since its last use is noticed before the job's first statement and replaced
//! (`Conn::revive`).
//!
//! **Isolation: `REPEATABLE READ` plus the row locks of the rows each decision writes.**
//! A write job runs in one `REPEATABLE READ` transaction (a snapshot taken at its first
//! statement). PostgreSQL then refuses to let a transaction update or lock a row that another
//! transaction changed after that snapshot (first updater wins: `40001`). Every decision a job
//! makes on what it read is written back to the rows it read, so two jobs that decide on the
//! same row cannot both commit:
//! - money: a transfer reads the debit and credit accounts and saves both balances
//!   (`save_balances`), so two debits of one wallet conflict and the second runs again on the
//!   new balance (no overdraft, no lost update, conservation);
//! - holds: posting or voiding updates the hold's row, so a hold is resolved once;
//! - orders, money requests, withdrawals, approvals: each change updates the row whose state
//!   it checked;
//! - single-use markers (request nonces, code nonces, payment-code steps, idempotency keys,
//!   deposits' references, transfer ids): primary keys, where a concurrent insert of the same
//!   key fails the second transaction (`23505`, or `40001` for `ON CONFLICT DO NOTHING`);
//! - a device's requests share-lock the device row (`FOR SHARE`) and its revocation updates
//!   it, so a request's change commits before the revocation or sees it (requests of one
//!   device do not write the row, so they do not cancel each other: `last_seen_at` moves once
//!   a minute, skipped while another request holds the row);
//! - counted limits (a merchant's failed payment-code attempts, a user's open approval codes
//!   and refused joins) lock the user's row first, so counts of one user are exact.
//!
//! The global counts (all merchants' failures, all refused joins) may let concurrent attempts
//! each see the count before the others': at most one per connection over the limit, never
//! money. `SERIALIZABLE` was measured first: on small tables its predicate locks cover whole
//! pages, so nearly every pair of concurrent transfers was cancelled as a possible anomaly
//! (thousands of `40001` in one bank test) and some jobs ran out of attempts.
//!
//! **Progress under contention.** Hot rows (a wallet many pay into, a user's feed) cancel
//! concurrent jobs again and again; in the bank test one job in a few hundred was cancelled
//! six times in a row. A transfer saves its two accounts in id order, so opposite transfers do
//! not deadlock. Every write job holds the writers' advisory lock shared; a job cancelled
//! [`ALONE_AFTER`] times takes it exclusively before its next `BEGIN`, waits for the jobs
//! already running, and runs with no other write job open: it commits, so no job starves
//! (no job reached a seventh attempt in the bank test afterwards).
//!
//! A transaction cancelled with `40001` (serialization failure), `40P01` (deadlock) or
//! `23505` (a unique key another transaction took after our snapshot) is rolled back, at any
//! statement or at `COMMIT`, and the job runs again from the start on a new snapshot, after a
//! randomized backoff, up to [`MAX_ATTEMPTS`] times (then the request is answered `503` and
//! the client retries with its idempotency key). Jobs never treat a store error as an answer
//! (they check before they insert), so a unique key that still fails on a fresh snapshot is a
//! real conflict and ends as that `503`. Nothing of a failed attempt is kept, the stored
//! first answer of an idempotent request included, so the answer that commits is the one
//! replayed byte for byte. Reads run in `REPEATABLE READ READ ONLY` transactions: one
//! consistent snapshot, never cancelled.
//!
//! **Order.** A user's feed is numbered per user (`users.feed_seq`, incremented by the job that
//! appends): the increment locks the user's row until commit, so a second transaction
//! appending to the same feed waits for the first and takes the next number only after the
//! first committed. A user's events therefore commit in `seq` order and a sync cursor never
//! passes an event that commits later (see the test
//! `a_feed_cursor_never_skips_a_transaction_that_commits_late`).
//!
//! **Several instances.** Migrations run under an advisory lock; key material is read from the
//! configuration or from `instance_secrets`, written once under a lock; the order timer takes
//! due orders with `FOR UPDATE SKIP LOCKED`; a webhook delivery is claimed (its row updated)
//! before each attempt, so two instances claiming it at once conflict and one sends it;
//! housekeeping runs on one instance at a time (`pg_advisory_xact_lock`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use danbao_domain::ledger::{
    Account, AccountId, Balances, PendingStatus, Transfer, TransferId, TransferKind,
};
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::Outcome;
use danbao_domain::protocol::wire::WithdrawalStatus;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{Row, Statement};

use self::conn::{Conn, Manager, Param, Pool, Pooled};
use super::{
    AccountKind, CodeTx, DepositRecord, Device, Event, FeedTx, IdentityTx, LedgerTx, MoneyRequest,
    OrderRecord, OrderTx, PurgeBefore, Purged, RequestTx, Store, StoreError, StoreResult,
    StoredDeposit, StoredResponse, StoredTransfer, StoredWithdrawal, Tx, User, WithdrawalRecord,
};

mod conn;
mod devices;
mod merchant_api;
mod merchants;
mod ratelimit;

/// Most times one write job is run before its serialization failures are given up on.
pub const MAX_ATTEMPTS: u32 = 40;

/// Connections per instance by default: twice this machine's cores, plus one (PostgreSQL's
/// own rule of thumb for a server's busy connections is about twice its cores). On the
/// 2-core bench machine, 5 connections moved more transfers per second than 16: more
/// backends than cores only take turns, and more of them cancel each other on hot rows
/// (docs/server-evidence.md §4). With several instances or a bigger database server, set
/// `--database-pool` from the database server's cores, shared among the instances.
pub fn default_pool() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |cores| cores.get());
    u32::try_from(cores * 2 + 1).unwrap_or(u32::MAX).min(1000)
}

/// The schema, one entry per version. Never edit a released entry: add a new one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("pg_sql/001_schema.sql")),
    (2, include_str!("pg_sql/002_merchant_api.sql")),
    (3, include_str!("pg_sql/003_payment_settlements.sql")),
    (4, include_str!("pg_sql/004_rate_buckets.sql")),
];

/// Advisory lock keys (arbitrary constants, one per purpose).
const MIGRATION_LOCK: i64 = 0x6461_6e62_616f_0001;
const SECRETS_LOCK: i64 = 0x6461_6e62_616f_0002;
const HOUSEKEEPING_LOCK: i64 = 0x6461_6e62_616f_0003;
/// The writers' lock (session level), written out in [`BEGIN_SHARED`] and [`LOCK_ALONE`]
/// (a test holds them to it).
#[cfg(test)]
const WRITERS_LOCK: i64 = 0x6461_6e62_616f_0004;

/// Runs `work` on a thread of its own and waits for it: the store's start-up calls block (each
/// waits for the database on its thread), which may not happen on a thread that drives async
/// tasks (start-up code runs on one).
pub fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

struct Inner {
    config: tokio_postgres::Config,
    pool: Pool,
    /// The rate limiter's buckets (their thread ends when the last handle is dropped).
    buckets: Arc<dyn super::SharedBuckets>,
    waiting: AtomicUsize,
    queue: usize,
}

/// The PostgreSQL implementation of [`Store`].
#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never printed.
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

fn parse_url(url: &str) -> anyhow::Result<tokio_postgres::Config> {
    // The error names what is wrong, never the URL (which may hold a password).
    tokio_postgres::Config::from_str(url)
        .map_err(|error| anyhow::anyhow!("the database URL is not valid: {error}"))
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), runs the migrations the database
    /// lacks, and keeps up to `pool` connections; at most `queue` jobs wait for one (beyond
    /// them a job is refused [`StoreError::Busy`]). Blocking: call it off the async runtime
    /// (see [`off_runtime`]).
    pub fn connect(url: &str, pool: usize, queue: usize) -> anyhow::Result<Self> {
        let config = parse_url(url)?;
        migrate(&mut Conn::open(&config)?)?;
        let pool = Pool::builder(Manager {
            config: config.clone(),
        })
        .max_size(pool.max(1))
        .build()
        .map_err(|error| anyhow::anyhow!("the connection pool: {error}"))?;
        let buckets = ratelimit::start(&config, queue.max(1))?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                pool,
                buckets,
                waiting: AtomicUsize::new(0),
                queue: queue.max(1),
            }),
        })
    }

    /// Runs the migrations the database at `url` lacks, and nothing else (`danbao-server
    /// migrate`). Returns the versions applied. Blocking.
    pub fn migrate_only(url: &str) -> anyhow::Result<Vec<i64>> {
        migrate(&mut Conn::open(&parse_url(url)?)?)
    }

    /// The secret `name` shared by every instance: read from `instance_secrets`, or made with
    /// `make` and stored by the first instance that asks (under a lock, so two instances
    /// starting at once agree). Blocking.
    pub fn shared_secret(
        &self,
        name: &str,
        now: i64,
        make: impl FnOnce() -> anyhow::Result<Vec<u8>>,
    ) -> anyhow::Result<Vec<u8>> {
        in_transaction(&mut Conn::open(&self.inner.config)?, |conn| {
            conn.execute("SELECT pg_advisory_xact_lock($1)", &[&SECRETS_LOCK])?;
            let stored = conn.query_opt(
                "SELECT value FROM instance_secrets WHERE name = $1",
                &[&name],
            )?;
            Ok(match stored {
                Some(row) => row.try_get(0)?,
                None => {
                    let value = make()?;
                    conn.execute(
                        "INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3)",
                        &[&name, &value, &now],
                    )?;
                    value
                }
            })
        })
    }

    /// The shared sandbox clock offset (at start). Blocking.
    pub fn clock_offset(&self) -> anyhow::Result<i64> {
        let mut conn = Conn::open(&self.inner.config)?;
        Ok(conn
            .query_one("SELECT clock_offset_secs FROM settings WHERE id = 1", &[])?
            .try_get(0)?)
    }

    /// Waits for a pooled connection; refuses at once when [`Inner::queue`] jobs wait already.
    async fn connection(&self) -> StoreResult<Pooled> {
        let waiting = self.inner.waiting.fetch_add(1, Ordering::Relaxed);
        // Counted until this returns, also when the request that waits is dropped meanwhile
        // (else each dropped waiter would keep its place in the queue for good).
        let _waiting = Waiting(&self.inner.waiting);
        if waiting >= self.inner.queue {
            return Err(StoreError::Busy);
        }
        self.inner.pool.get().await.map_err(|error| match error {
            deadpool::managed::PoolError::Backend(error) => error,
            other => StoreError::unavailable(other),
        })
    }

    /// Runs a write job to its commit, again after each serialization failure; after
    /// [`ALONE_AFTER`] failures it runs alone (see [`LOCK_ALONE`]), so it cannot starve.
    /// On a blocking thread.
    fn run_write<T, E>(
        &self,
        conn: &mut Conn,
        job: &mut dyn FnMut(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        conn.revive(&self.inner.config)?;
        let mut backoff = Backoff::new();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let alone = attempt > ALONE_AFTER;
            match run_once(conn, job, alone) {
                Attempt::Done(result) => break result,
                Attempt::Retry(cause) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(attempt, %cause, "serialization failure; running the job again");
                    if !alone {
                        std::thread::sleep(backoff.next());
                    }
                }
                Attempt::Retry(cause) => {
                    tracing::warn!(attempt, %cause, "a write job kept conflicting; given up");
                    break Err(StoreError::Conflict(format!(
                        "the transaction conflicted {attempt} times with concurrent ones: {cause}"
                    ))
                    .into());
                }
            }
        }
    }
}

/// Failed attempts after which a write job runs alone.
pub const ALONE_AFTER: u32 = 6;

/// Every write job holds the writers' lock (a session advisory lock, key
/// `0x6461_6e62_616f_0004`) until after its end: shared, so write jobs run together, each
/// against the others' row locks and serialization failures. Taken by the transaction's first
/// statement, in the same round trip as `BEGIN`.
const BEGIN_SHARED: &str =
    "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_advisory_lock_shared(7233183845354242052)";

/// A job that failed [`ALONE_AFTER`] times takes the writers' lock exclusively before it
/// begins (a round trip of its own, so that its snapshot is taken after the wait): PostgreSQL
/// queues the shared requests that come after it behind it, so it waits only for the write
/// jobs already running, then runs with no other one open and cannot be cancelled by one.
/// (A job queued behind it took its snapshot before the wait and may conflict with it once.)
/// Plain reads and the rate limiter's statement do not take the lock.
const LOCK_ALONE: &str = "SELECT pg_advisory_lock(7233183845354242052)";
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ";

/// Ends a job and lets go of the writers' lock. (A statement after a failed one in the same
/// batch is skipped: [`UNLOCK`] then runs on its own.)
const COMMIT_UNLOCK: &str = "COMMIT; SELECT pg_advisory_unlock_all()";
const ROLLBACK_UNLOCK: &str = "ROLLBACK; SELECT pg_advisory_unlock_all()";
const UNLOCK: &str = "SELECT pg_advisory_unlock_all()";

/// One job waiting for a pooled connection, uncounted when dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What became of one attempt at a write job.
enum Attempt<T, E> {
    /// Committed (`Ok`) or rolled back for the job's own error (`Err`).
    Done(Result<T, E>),
    /// Cancelled by PostgreSQL for a serialization failure or deadlock: run it again.
    Retry(String),
}

fn run_once<T, E: From<StoreError>>(
    conn: &mut Conn,
    job: &mut dyn FnMut(&mut dyn Tx) -> Result<T, E>,
    alone: bool,
) -> Attempt<T, E> {
    // The `BEGIN` goes out with the job's first statement.
    if alone {
        if let Err(error) = conn.batch_execute(LOCK_ALONE) {
            end(conn, UNLOCK);
            return Attempt::Done(Err(StoreError::unavailable(cause(&error)).into()));
        }
        conn.defer(BEGIN);
    } else {
        conn.defer(BEGIN_SHARED);
    }
    let mut tx = PgTx {
        conn,
        retry: None,
        read_only: false,
        expired: None,
        accounts: Vec::new(),
        users_ahead: Vec::new(),
        transfers_ahead: Vec::new(),
    };
    let result = catch_unwind(AssertUnwindSafe(|| job(&mut tx))).unwrap_or_else(|_| {
        tracing::error!("a store job panicked; its changes are rolled back");
        Err(StoreError::Panicked.into())
    });
    let retry = tx.retry.take();
    if let Some(cause) = retry {
        end(conn, ROLLBACK_UNLOCK);
        return Attempt::Retry(cause);
    }
    match result {
        Err(error) => {
            end(conn, ROLLBACK_UNLOCK);
            Attempt::Done(Err(error))
        }
        Ok(value) => match conn.batch_execute(COMMIT_UNLOCK) {
            Ok(()) => Attempt::Done(Ok(value)),
            Err(error) => {
                // COMMIT failed (the transaction is gone) or the unlock did: let go again.
                end(conn, UNLOCK);
                if is_retryable(&error) {
                    Attempt::Retry(cause(&error))
                } else {
                    Attempt::Done(Err(StoreError::unavailable(cause(&error)).into()))
                }
            }
        },
    }
}

/// Runs `sql` (a rollback and unlock); if it fails part-way, unlocks on its own. A connection
/// that cannot be brought back to no transaction and no lock is never handed out again.
fn end(conn: &mut Conn, sql: &str) {
    if conn.batch_execute(sql).is_err() && conn.batch_execute(UNLOCK).is_err() {
        conn.discard();
    }
}

/// PostgreSQL's code and message for `error` (the driver's `Display` says only "db error").
fn cause(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

fn is_retryable(error: &tokio_postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::UNIQUE_VIOLATION
    )
}

/// Randomized exponential backoff: 1 ms doubling to 64 ms, each wait a random part of it.
struct Backoff {
    ceiling_us: u64,
    state: u64,
}

impl Backoff {
    fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.subsec_nanos() as u64)
            | 1;
        Self {
            ceiling_us: 1_000,
            state: seed,
        }
    }

    fn next(&mut self) -> Duration {
        // xorshift64: jitter only, not a secret.
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let wait = self.ceiling_us / 2 + self.state % (self.ceiling_us / 2 + 1);
        self.ceiling_us = (self.ceiling_us * 2).min(64_000);
        Duration::from_micros(wait)
    }
}

/// Runs `work` in a transaction on `conn`: committed if it succeeds, else rolled back.
fn in_transaction<T>(
    conn: &mut Conn,
    work: impl FnOnce(&mut Conn) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    conn.batch_execute("BEGIN")?;
    match work(conn) {
        Ok(value) => {
            conn.batch_execute("COMMIT")?;
            Ok(value)
        }
        Err(error) => {
            let _ = conn.batch_execute("ROLLBACK");
            Err(error)
        }
    }
}

/// Applies every migration the database lacks, under an advisory lock so instances starting
/// together apply each once. Returns the versions applied. Blocking.
fn migrate(conn: &mut Conn) -> anyhow::Result<Vec<i64>> {
    let applied = in_transaction(conn, |conn| {
        conn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        conn.batch_execute(
            "SET LOCAL client_min_messages = warning;
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )?;
        let current: i64 = conn
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )?
            .try_get(0)?;
        let mut applied = Vec::new();
        for (version, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            conn.batch_execute(sql).map_err(|error| {
                anyhow::anyhow!("migration {version} failed: {}", cause(&error))
            })?;
            conn.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[version],
            )?;
            applied.push(*version);
        }
        Ok(applied)
    })?;
    if !applied.is_empty() {
        tracing::info!(?applied, "database migrated");
    }
    Ok(applied)
}

impl Store for PgStore {
    async fn write<T, E, F>(&self, mut job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let mut conn = self.connection().await?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.run_write(&mut conn, &mut job))
            .await
            .map_err(|error| E::from(StoreError::unavailable(error)))?
    }

    async fn read<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let mut conn = self.connection().await?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            conn.revive(&store.inner.config)?;
            conn.defer("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            let mut tx = PgTx {
                conn: &mut conn,
                retry: None,
                read_only: true,
                expired: None,
                accounts: Vec::new(),
                users_ahead: Vec::new(),
                transfers_ahead: Vec::new(),
            };
            let result = catch_unwind(AssertUnwindSafe(|| job(&mut tx)))
                .unwrap_or_else(|_| Err(StoreError::Panicked.into()));
            end(&mut conn, "COMMIT");
            result
        })
        .await
        .map_err(|error| E::from(StoreError::unavailable(error)))?
    }

    fn shared_buckets(&self) -> Option<Arc<dyn super::SharedBuckets>> {
        Some(self.inner.buckets.clone())
    }
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// A job's view of the open PostgreSQL transaction.
pub struct PgTx<'c> {
    conn: &'c mut Conn,
    /// Set when PostgreSQL cancelled the transaction for a serialization failure or deadlock:
    /// the job's outcome is then thrown away and the job runs again.
    retry: Option<String>,
    /// A read transaction: no locks are taken.
    read_only: bool,
    /// The expired-key marker `idempotency` read with the stored answer: (user, key, when
    /// first used).
    expired: Option<(i64, String, Option<i64>)>,
    /// The accounts this transaction found or opened, as it sees them now (its own balance
    /// changes applied): the snapshot does not move, so reading them again would answer the
    /// same (a payment reads the payer's wallet again for its answer).
    accounts: Vec<(AccountKey, Account)>,
    /// Users read ahead by `prefetch_users`, each answered once (then read again).
    users_ahead: Vec<User>,
    /// Transfers looked up ahead by `prefetch_payment` (`None`: no such transfer), each
    /// answered once; forgotten when a transfer is written.
    transfers_ahead: Vec<(TransferId, Option<StoredTransfer>)>,
}

const USER_BY_ID: &str = "SELECT id, handle, display_name, created_at FROM users WHERE id = $1";
const USER_BY_HANDLE: &str =
    "SELECT id, handle, display_name, created_at FROM users WHERE handle = $1";
const TRANSFER_BY_ID: &str =
    "SELECT id, debit_id, credit_id, amount, currency, kind, pending_id, status
     FROM transfers WHERE id = $1";
const WALLETS_OF_OWNERS: &str =
    "SELECT id, currency, no_overdraft, debits_pending, debits_posted, credits_pending,
        credits_posted, owner_id FROM accounts
 WHERE owner_id = ANY($1) AND kind = 'wallet' AND currency = $2";

/// An account's owner, kind and currency ([`LedgerTx::find_account`]'s question).
type AccountKey = (Option<i64>, AccountKind, Currency);

impl PgTx<'_> {
    fn fail(&mut self, error: tokio_postgres::Error) -> StoreError {
        if is_retryable(&error) {
            let cause = cause(&error);
            self.retry = Some(cause.clone());
            return StoreError::Conflict(cause);
        }
        match error.code() {
            Some(code)
                if *code == SqlState::CHECK_VIOLATION
                    || *code == SqlState::FOREIGN_KEY_VIOLATION
                    || *code == SqlState::NOT_NULL_VIOLATION =>
            {
                StoreError::Constraint(error.to_string())
            }
            _ => StoreError::unavailable(cause(&error)),
        }
    }

    fn statement(&mut self, sql: &'static str) -> StoreResult<Statement> {
        self.conn.prepared(sql).map_err(|error| self.fail(error))
    }

    fn rows(&mut self, sql: &'static str, params: Params<'_>) -> StoreResult<Vec<Row>> {
        let statement = self.statement(sql)?;
        match self.conn.query(&statement, params) {
            Ok(rows) => Ok(rows),
            Err(error) => Err(self.fail(error)),
        }
    }

    fn row(&mut self, sql: &'static str, params: Params<'_>) -> StoreResult<Option<Row>> {
        let statement = self.statement(sql)?;
        match self.conn.query_opt(&statement, params) {
            Ok(row) => Ok(row),
            Err(error) => Err(self.fail(error)),
        }
    }

    fn one(&mut self, sql: &'static str, params: Params<'_>) -> StoreResult<Row> {
        self.row(sql, params)?
            .ok_or_else(|| StoreError::NotFound(format!("no row from {sql}")))
    }

    fn exec(&mut self, sql: &'static str, params: Params<'_>) -> StoreResult<u64> {
        let statement = self.statement(sql)?;
        match self.conn.execute(&statement, params) {
            Ok(count) => Ok(count),
            Err(error) => Err(self.fail(error)),
        }
    }

    /// Runs the write `sql` with the next statement ([`Conn::defer_write`]): for writes whose
    /// row count the job does not read. A failure (a serialization failure included) comes
    /// back from that next statement or from the `COMMIT`, and the job is undone or run again
    /// as if it had come from this one.
    fn defer_exec(&mut self, sql: &'static str, params: Vec<Param>) -> StoreResult<()> {
        let statement = self.statement(sql)?;
        self.conn.defer_write(statement, params);
        Ok(())
    }

    /// Writes a user's row (changing nothing) in a write transaction: a second transaction
    /// that does the same waits for this one and, if this one commits, is cancelled and runs
    /// again on a snapshot that sees it (a `FOR UPDATE` lock alone would not cancel it), so
    /// the counted limits of one user are checked one transaction at a time.
    fn lock_user(&mut self, user_id: i64) -> StoreResult<()> {
        if !self.read_only {
            self.exec(
                "UPDATE users SET feed_seq = feed_seq WHERE id = $1",
                &[&user_id],
            )?;
        }
        Ok(())
    }

    /// A `count(*)` as the `u32` the traits answer.
    fn count(&mut self, sql: &'static str, params: Params<'_>) -> StoreResult<u32> {
        let row = self.one(sql, params)?;
        let count: i64 = get(&row, 0)?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }
}

fn get<'r, T: FromSql<'r>>(row: &'r Row, index: usize) -> StoreResult<T> {
    row.try_get(index).map_err(StoreError::unavailable)
}

fn limit(limit: u32) -> i64 {
    i64::from(limit)
}

fn index_i64(index: u64) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}

impl Tx for PgTx<'_> {
    /// A savepoint. Its statements are deferred (sent with the next statement or the end):
    /// one that fails aborts the transaction, which then fails at that statement, so nothing
    /// of the job commits.
    fn nested(&mut self, part: &mut dyn FnMut(&mut dyn Tx) -> bool) -> StoreResult<()> {
        self.conn.defer("SAVEPOINT job");
        let keep = part(self);
        if let Some(cause) = self.retry.clone() {
            // The whole transaction runs again; nothing of this part can be kept.
            return Err(StoreError::Conflict(cause));
        }
        if !keep {
            self.conn.defer("ROLLBACK TO SAVEPOINT job");
        }
        self.conn.defer("RELEASE SAVEPOINT job");
        Ok(())
    }

    fn purge(&mut self, before: &PurgeBefore) -> StoreResult<Purged> {
        if !self.read_only {
            // One instance purges at a time: another one waits, then finds the rows gone.
            self.one("SELECT pg_advisory_xact_lock($1)", &[&HOUSEKEEPING_LOCK])?;
        }
        let steps = index_i64(before.paycode_steps);
        let counted = |count: u64| usize::try_from(count).unwrap_or(usize::MAX);
        Ok(Purged {
            request_nonces: counted(self.exec(
                "DELETE FROM nonces WHERE seen_at < $1",
                &[&before.request_nonces],
            )?),
            idempotency: {
                self.exec(
                    "INSERT INTO idempotency_expired (user_id, key, first_used_at)
                     SELECT user_id, key, created_at FROM idempotency WHERE created_at < $1
                     ON CONFLICT DO NOTHING",
                    &[&before.idempotency],
                )?;
                counted(self.exec(
                    "DELETE FROM idempotency WHERE created_at < $1",
                    &[&before.idempotency],
                )?)
            },
            code_nonces: counted(self.exec(
                "DELETE FROM code_nonces WHERE expires_at < $1",
                &[&before.code_nonces],
            )?),
            paycode_steps: counted(
                self.exec("DELETE FROM paycode_uses WHERE step < $1", &[&steps])?,
            ),
            paycode_failures: counted(self.exec(
                "DELETE FROM paycode_failures WHERE at < $1",
                &[&before.paycode_failures],
            )?),
            device_approvals: counted(self.exec(
                "DELETE FROM device_approvals WHERE expires_at < $1",
                &[&before.device_approvals],
            )?) + counted(self.exec(
                "DELETE FROM device_join_failures WHERE at < $1",
                &[&before.device_approvals],
            )?),
            // On the database's clock, as the buckets are. A take waiting on a row deleted
            // here finds it gone and takes nothing from that (full) bucket: one token more.
            rate_buckets: counted(self.exec(
                "DELETE FROM rate_buckets WHERE at < clock_timestamp() - interval '2 minutes'",
                &[],
            )?),
            webhooks: counted(self.exec(
                "DELETE FROM webhook_attempts WHERE delivery_id IN
                   (SELECT id FROM webhook_deliveries
                     WHERE status <> 'pending' AND created_at < $1)",
                &[&before.webhooks],
            )?) + counted(self.exec(
                "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1",
                &[&before.webhooks],
            )?) + counted(self.exec(
                "DELETE FROM webhook_events WHERE created_at < $1 AND NOT EXISTS
                   (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)",
                &[&before.webhooks],
            )?),
        })
    }

    fn shared_clock_offset(&mut self) -> StoreResult<Option<i64>> {
        let row = self.one("SELECT clock_offset_secs FROM settings WHERE id = 1", &[])?;
        Ok(Some(get(&row, 0)?))
    }

    fn advance_shared_clock(&mut self, secs: i64) -> StoreResult<Option<i64>> {
        let row = self.one(
            "UPDATE settings SET clock_offset_secs = clock_offset_secs + $1 WHERE id = 1
             RETURNING clock_offset_secs",
            &[&secs],
        )?;
        Ok(Some(get(&row, 0)?))
    }
}

fn user_row(row: &Row) -> StoreResult<User> {
    Ok(User {
        id: get(row, 0)?,
        handle: get(row, 1)?,
        display_name: get(row, 2)?,
        created_at: get(row, 3)?,
    })
}

impl IdentityTx for PgTx<'_> {
    fn insert_user(
        &mut self,
        handle: &str,
        display_name: &str,
        now: i64,
    ) -> StoreResult<Option<i64>> {
        self.users_ahead.clear();
        let row = self.row(
            "INSERT INTO users (handle, display_name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (handle) DO NOTHING RETURNING id",
            &[&handle, &display_name, &now],
        )?;
        row.map(|row| get(&row, 0)).transpose()
    }

    fn user(&mut self, id: i64) -> StoreResult<Option<User>> {
        if let Some(at) = self.users_ahead.iter().position(|user| user.id == id) {
            return Ok(Some(self.users_ahead.swap_remove(at)));
        }
        self.row(USER_BY_ID, &[&id])?
            .map(|row| user_row(&row))
            .transpose()
    }

    fn prefetch_users(&mut self, id: i64, handle: &str) -> StoreResult<()> {
        let by_id = self.statement(USER_BY_ID)?;
        let by_handle = self.statement(USER_BY_HANDLE)?;
        let (first, second) = match self
            .conn
            .query_pair((&by_id, &[&id]), (&by_handle, &[&handle]))
        {
            Ok(rows) => rows,
            Err(error) => return Err(self.fail(error)),
        };
        self.users_ahead.clear();
        for row in first.iter().chain(&second) {
            self.users_ahead.push(user_row(row)?);
        }
        Ok(())
    }

    fn user_by_handle(&mut self, handle: &str) -> StoreResult<Option<User>> {
        if let Some(at) = self
            .users_ahead
            .iter()
            .position(|user| user.handle == handle)
        {
            return Ok(Some(self.users_ahead.swap_remove(at)));
        }
        self.row(USER_BY_HANDLE, &[&handle])?
            .map(|row| user_row(&row))
            .transpose()
    }

    fn insert_device(
        &mut self,
        user_id: i64,
        public_key: &[u8],
        name: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let row = self.row(
            "INSERT INTO devices (user_id, public_key, name, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (public_key) DO NOTHING RETURNING id",
            &[&user_id, &public_key, &name, &now],
        )?;
        match row {
            Some(row) => get(&row, 0),
            None => Err(StoreError::PublicKeyTaken),
        }
    }

    fn device(&mut self, id: i64) -> StoreResult<Option<Device>> {
        self.row(
            "SELECT id, user_id, public_key, name, revoked_at FROM devices WHERE id = $1",
            &[&id],
        )?
        .map(|row| {
            Ok(Device {
                id: get(&row, 0)?,
                user_id: get(&row, 1)?,
                public_key: get(&row, 2)?,
                name: get(&row, 3)?,
                revoked_at: get(&row, 4)?,
            })
        })
        .transpose()
    }

    fn use_nonce(&mut self, device_id: i64, nonce: &str, now: i64) -> StoreResult<bool> {
        // Checked in the transaction of the change itself, as on SQLite. `FOR SHARE` locks the
        // device row against a revocation without writing it (requests of one device share
        // the lock): a revocation committed first is seen here, one committed after this
        // snapshot cancels this transaction (it runs again and sees it), and one that comes
        // later waits until this change has committed.
        // One round trip: the nonce's insert and the device's lock and state. (A revoked
        // device's nonce is rolled back with the job, which fails.)
        let row = self.one(
            "WITH spent AS (INSERT INTO nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3)
                            ON CONFLICT DO NOTHING RETURNING 1),
                  device AS (SELECT revoked_at, last_seen_at FROM devices WHERE id = $1 FOR SHARE)
             SELECT (SELECT count(*) FROM spent),
                    (SELECT revoked_at FROM device),
                    (SELECT last_seen_at FROM device)",
            &[&device_id, &nonce, &now],
        )?;
        let inserted: i64 = get(&row, 0)?;
        let revoked: Option<i64> = get(&row, 1)?;
        let last_seen: Option<i64> = get(&row, 2)?;
        if revoked.is_some() {
            return Err(StoreError::DeviceRevoked);
        }
        // Stamped when a minute old, and only if no other request of the device holds the
        // row (`SKIP LOCKED`): waiting for those would deadlock with their own row locks. A
        // skipped stamp is made by a later request.
        let step = crate::store::devices::LAST_SEEN_STEP_SECS;
        if last_seen.is_none_or(|seen| seen <= now - step) {
            self.exec(
                "UPDATE devices SET last_seen_at = $2
                  WHERE id = (SELECT id FROM devices
                               WHERE id = $1
                                 AND (last_seen_at IS NULL OR last_seen_at <= $2::BIGINT - $3::BIGINT)
                                 FOR NO KEY UPDATE SKIP LOCKED)",
                &[&device_id, &now, &step],
            )?;
        }
        Ok(inserted == 1)
    }

    /// Reads the expired marker of the same key in the same round trip and keeps it for
    /// [`IdentityTx::expired_idempotency`], which the service asks next.
    fn idempotency(&mut self, user_id: i64, key: &str) -> StoreResult<Option<StoredResponse>> {
        let row = self.one(
            "SELECT i.request_hash, i.status, i.body, e.first_used_at
               FROM (SELECT $1::BIGINT AS user_id, $2::TEXT AS key) AS k
               LEFT JOIN idempotency i ON i.user_id = k.user_id AND i.key = k.key
               LEFT JOIN idempotency_expired e ON e.user_id = k.user_id AND e.key = k.key",
            &[&user_id, &key],
        )?;
        self.expired = Some((user_id, key.to_owned(), get(&row, 3)?));
        let Some(status) = get::<Option<i64>>(&row, 1)? else {
            return Ok(None);
        };
        let outcome = u16::try_from(status)
            .ok()
            .and_then(Outcome::from_status)
            .ok_or_else(|| {
                StoreError::unavailable(format!(
                    "stored answer status {status} is not the protocol's"
                ))
            })?;
        Ok(Some(StoredResponse {
            request_hash: get(&row, 0)?,
            outcome,
            body: get(&row, 2)?,
        }))
    }

    fn expired_idempotency(&mut self, user_id: i64, key: &str) -> StoreResult<Option<i64>> {
        // Read in this transaction's snapshot by `idempotency` just before, most times.
        if let Some((read_user, read_key, first_used_at)) = self.expired.take()
            && read_user == user_id
            && read_key == key
        {
            return Ok(first_used_at);
        }
        self.row(
            "SELECT first_used_at FROM idempotency_expired WHERE user_id = $1 AND key = $2",
            &[&user_id, &key],
        )?
        .map(|row| get(&row, 0))
        .transpose()
    }

    fn put_idempotency(
        &mut self,
        user_id: i64,
        key: &str,
        response: &StoredResponse,
        now: i64,
    ) -> StoreResult<()> {
        let status = i64::from(response.outcome.status());
        self.defer_exec(
            "INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                Box::new(user_id),
                Box::new(key.to_owned()),
                Box::new(response.request_hash.clone()),
                Box::new(status),
                Box::new(response.body.clone()),
                Box::new(now),
            ],
        )
    }
}

const WITHDRAWAL_COLUMNS_BY_ID: &str = "SELECT id, user_id, amount, currency, transfer_id, status, payout_ref, reason, requested_at, settled_at FROM withdrawals WHERE id = $1";
const WITHDRAWALS_BY_STATUS: &str = "SELECT id, user_id, amount, currency, transfer_id, status, payout_ref, reason, requested_at, settled_at FROM withdrawals WHERE status = $1 ORDER BY id LIMIT $2";

fn withdrawal_row(row: &Row) -> StoreResult<StoredWithdrawal> {
    let currency: String = get(row, 3)?;
    let status: String = get(row, 5)?;
    let (Ok(currency_code), Some(status_value)) = (
        Currency::from_code(&currency),
        WithdrawalStatus::parse(&status),
    ) else {
        return Err(StoreError::unavailable(format!(
            "withdrawal row with currency {currency:?} and status {status:?}"
        )));
    };
    Ok(StoredWithdrawal {
        id: get(row, 0)?,
        user_id: get(row, 1)?,
        amount: Money::from_minor(get(row, 2)?, currency_code),
        transfer_id: get(row, 4)?,
        status: status_value,
        payout_ref: get(row, 6)?,
        reason: get(row, 7)?,
        requested_at: get(row, 8)?,
        settled_at: get(row, 9)?,
    })
}

fn account_row(row: &Row) -> StoreResult<Account> {
    let code: String = get(row, 1)?;
    let currency = Currency::from_code(&code).map_err(StoreError::unavailable)?;
    let id: i64 = get(row, 0)?;
    Ok(Account {
        id: AccountId(id as u64),
        currency,
        no_overdraft: get(row, 2)?,
        balances: Balances {
            debits_pending: get(row, 3)?,
            debits_posted: get(row, 4)?,
            credits_pending: get(row, 5)?,
            credits_posted: get(row, 6)?,
        },
    })
}

fn id_bytes(id: TransferId) -> [u8; 16] {
    id.0.to_be_bytes()
}

fn transfer_id(bytes: Vec<u8>) -> StoreResult<TransferId> {
    let array: [u8; 16] = bytes
        .try_into()
        .map_err(|_| StoreError::unavailable("transfer id is not 16 bytes"))?;
    Ok(TransferId(u128::from_be_bytes(array)))
}

fn transfer_row(row: &Row) -> StoreResult<StoredTransfer> {
    let currency: String = get(row, 4)?;
    let currency = Currency::from_code(&currency).map_err(StoreError::unavailable)?;
    let kind: String = get(row, 5)?;
    let pending_id = get::<Option<Vec<u8>>>(row, 6)?
        .map(transfer_id)
        .transpose()?;
    let kind = match (kind.as_str(), pending_id) {
        ("posted", None) => TransferKind::Posted,
        ("pending", None) => TransferKind::Pending,
        ("post", Some(pending_id)) => TransferKind::Post { pending_id },
        ("void", Some(pending_id)) => TransferKind::Void { pending_id },
        _ => return Err(StoreError::unavailable("stored transfer kind")),
    };
    let status = match get::<Option<String>>(row, 7)? {
        None => None,
        Some(text) => Some(
            super::sqlite::parse_status(&text)
                .ok_or_else(|| StoreError::unavailable("stored hold status"))?,
        ),
    };
    let debit: i64 = get(row, 1)?;
    let credit: i64 = get(row, 2)?;
    Ok(StoredTransfer {
        transfer: Transfer {
            id: transfer_id(get(row, 0)?)?,
            debit: AccountId(debit as u64),
            credit: AccountId(credit as u64),
            amount: Money::from_minor(get(row, 3)?, currency),
            kind,
        },
        status,
    })
}

impl LedgerTx for PgTx<'_> {
    fn deposit(&mut self, external_ref: &str) -> StoreResult<Option<StoredDeposit>> {
        self.row(
            "SELECT user_id, amount, currency FROM deposits WHERE external_ref = $1",
            &[&external_ref],
        )?
        .map(|row| {
            let currency: String = get(&row, 2)?;
            let currency = Currency::from_code(&currency).map_err(StoreError::unavailable)?;
            Ok(StoredDeposit {
                user_id: get(&row, 0)?,
                amount: Money::from_minor(get(&row, 1)?, currency),
            })
        })
        .transpose()
    }

    fn insert_deposit(&mut self, deposit: &DepositRecord<'_>, now: i64) -> StoreResult<()> {
        self.exec(
            "INSERT INTO deposits (external_ref, user_id, amount, currency, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &deposit.external_ref,
                &deposit.user_id,
                &deposit.amount.minor(),
                &deposit.amount.currency().code(),
                &now,
            ],
        )?;
        Ok(())
    }

    fn insert_withdrawal(&mut self, record: &WithdrawalRecord, now: i64) -> StoreResult<i64> {
        let row = self.one(
            "INSERT INTO withdrawals (user_id, amount, currency, transfer_id, status, requested_at)
             VALUES ($1, $2, $3, $4, 'requested', $5) RETURNING id",
            &[
                &record.user_id,
                &record.amount.minor(),
                &record.amount.currency().code(),
                &record.transfer_id,
                &now,
            ],
        )?;
        get(&row, 0)
    }

    fn withdrawal(&mut self, id: i64) -> StoreResult<Option<StoredWithdrawal>> {
        self.row(WITHDRAWAL_COLUMNS_BY_ID, &[&id])?
            .map(|row| withdrawal_row(&row))
            .transpose()
    }

    fn withdrawal_by_transfer(&mut self, transfer_id: &str) -> StoreResult<Option<i64>> {
        self.row(
            "SELECT id FROM withdrawals WHERE transfer_id = $1",
            &[&transfer_id],
        )?
        .map(|row| get(&row, 0))
        .transpose()
    }

    fn withdrawals_with_status(
        &mut self,
        status: WithdrawalStatus,
        count: u32,
    ) -> StoreResult<Vec<StoredWithdrawal>> {
        self.rows(WITHDRAWALS_BY_STATUS, &[&status.as_str(), &limit(count)])?
            .iter()
            .map(withdrawal_row)
            .collect()
    }

    fn settle_withdrawal(
        &mut self,
        id: i64,
        status: WithdrawalStatus,
        payout_ref: Option<&str>,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let changed = self.exec(
            "UPDATE withdrawals SET status = $2, payout_ref = $3, reason = $4, settled_at = $5
             WHERE id = $1 AND status = 'requested'",
            &[&id, &status.as_str(), &payout_ref, &reason, &now],
        )?;
        Ok(changed == 1)
    }

    fn account(&mut self, id: AccountId) -> StoreResult<Option<Account>> {
        if let Some((_, account)) = self.accounts.iter().find(|(_, known)| known.id == id) {
            return Ok(Some(account.clone()));
        }
        let id = id.0 as i64;
        self.row(
            "SELECT id, currency, no_overdraft, debits_pending, debits_posted, credits_pending,
                    credits_posted FROM accounts WHERE id = $1",
            &[&id],
        )?
        .map(|row| account_row(&row))
        .transpose()
    }

    /// Reads the wallets into this transaction's accounts (`find_account` then answers from
    /// there) and looks the transfer up, in one round trip.
    fn prefetch_payment(
        &mut self,
        owners: &[i64],
        currency: Currency,
        transfer: TransferId,
    ) -> StoreResult<()> {
        let owners: Vec<i64> = owners
            .iter()
            .copied()
            .filter(|owner| {
                let key = (Some(*owner), AccountKind::Wallet, currency);
                !self.accounts.iter().any(|(known, _)| *known == key)
            })
            .collect();
        let wallets = self.statement(WALLETS_OF_OWNERS)?;
        let by_id = self.statement(TRANSFER_BY_ID)?;
        let id = id_bytes(transfer);
        let (rows, found) = match self.conn.query_pair(
            (&wallets, &[&owners, &currency.code()]),
            (&by_id, &[&&id[..]]),
        ) {
            Ok(rows) => rows,
            Err(error) => return Err(self.fail(error)),
        };
        let found = found.first().map(transfer_row).transpose()?;
        self.transfers_ahead.clear();
        self.transfers_ahead.push((transfer, found));
        for row in &rows {
            let owner: i64 = get(row, 7)?;
            let key = (Some(owner), AccountKind::Wallet, currency);
            if !self.accounts.iter().any(|(known, _)| *known == key) {
                self.accounts.push((key, account_row(row)?));
            }
        }
        Ok(())
    }

    fn find_account(
        &mut self,
        owner: Option<i64>,
        kind: AccountKind,
        currency: Currency,
    ) -> StoreResult<Option<Account>> {
        let key = (owner, kind, currency);
        if let Some((_, account)) = self.accounts.iter().find(|(known, _)| *known == key) {
            return Ok(Some(account.clone()));
        }
        let found = self
            .row(
                "SELECT id, currency, no_overdraft, debits_pending, debits_posted, credits_pending,
                        credits_posted FROM accounts
                 WHERE coalesce(owner_id, 0) = coalesce($1::BIGINT, 0) AND kind = $2 AND currency = $3",
                &[&owner, &kind.as_str(), &currency.code()],
            )?
            .map(|row| account_row(&row))
            .transpose()?;
        if let Some(account) = &found {
            self.accounts.push((key, account.clone()));
        }
        Ok(found)
    }

    fn create_account(
        &mut self,
        owner: Option<i64>,
        kind: AccountKind,
        currency: Currency,
    ) -> StoreResult<Account> {
        let no_overdraft = matches!(
            kind,
            AccountKind::Wallet | AccountKind::PayoutsPending | AccountKind::Revenue
        );
        let row = self.one(
            "INSERT INTO accounts (owner_id, kind, currency, no_overdraft) VALUES ($1, $2, $3, $4)
             RETURNING id",
            &[&owner, &kind.as_str(), &currency.code(), &no_overdraft],
        )?;
        let id: i64 = get(&row, 0)?;
        let account = Account {
            id: AccountId(id as u64),
            currency,
            no_overdraft,
            balances: Balances::default(),
        };
        self.accounts
            .push(((owner, kind, currency), account.clone()));
        Ok(account)
    }

    fn account_owner(&mut self, id: AccountId) -> StoreResult<Option<i64>> {
        let id = id.0 as i64;
        Ok(self
            .row("SELECT owner_id FROM accounts WHERE id = $1", &[&id])?
            .map(|row| get::<Option<i64>>(&row, 0))
            .transpose()?
            .flatten())
    }

    fn wallets_of(&mut self, user_id: i64) -> StoreResult<Vec<Account>> {
        self.rows(
            "SELECT id, currency, no_overdraft, debits_pending, debits_posted, credits_pending,
                    credits_posted FROM accounts
             WHERE owner_id = $1 AND kind = 'wallet' ORDER BY currency",
            &[&user_id],
        )?
        .iter()
        .map(account_row)
        .collect()
    }

    fn save_balances(&mut self, id: AccountId, b: &Balances) -> StoreResult<()> {
        if let Some((_, account)) = self.accounts.iter_mut().find(|(_, known)| known.id == id) {
            account.balances = *b;
        }
        self.defer_exec(
            "UPDATE accounts SET debits_pending = $2, debits_posted = $3,
             credits_pending = $4, credits_posted = $5 WHERE id = $1",
            vec![
                Box::new(id.0 as i64),
                Box::new(b.debits_pending),
                Box::new(b.debits_posted),
                Box::new(b.credits_pending),
                Box::new(b.credits_posted),
            ],
        )
    }

    fn transfer(&mut self, id: TransferId) -> StoreResult<Option<StoredTransfer>> {
        if let Some(at) = self
            .transfers_ahead
            .iter()
            .position(|(known, _)| *known == id)
        {
            return Ok(self.transfers_ahead.swap_remove(at).1);
        }
        let id = id_bytes(id);
        self.row(TRANSFER_BY_ID, &[&&id[..]])?
            .map(|row| transfer_row(&row))
            .transpose()
    }

    fn insert_transfer(&mut self, t: &Transfer, now: i64) -> StoreResult<()> {
        self.transfers_ahead.clear();
        let status = (t.kind == TransferKind::Pending)
            .then(|| super::sqlite::status_text(PendingStatus::Open));
        let pending_id = t.kind.pending_id().map(|id| id_bytes(id).to_vec());
        let id = id_bytes(t.id).to_vec();
        let debit = t.debit.0 as i64;
        let credit = t.credit.0 as i64;
        self.defer_exec(
            "INSERT INTO transfers (id, debit_id, credit_id, amount, currency, kind, pending_id,
             status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![
                Box::new(id),
                Box::new(debit),
                Box::new(credit),
                Box::new(t.amount.minor()),
                Box::new(t.amount.currency().code().to_owned()),
                Box::new(super::sqlite::kind_name(t.kind).to_owned()),
                Box::new(pending_id),
                Box::new(status),
                Box::new(now),
            ],
        )
    }

    fn set_pending_status(&mut self, id: TransferId, status: PendingStatus) -> StoreResult<()> {
        self.transfers_ahead.clear();
        self.defer_exec(
            "UPDATE transfers SET status = $2 WHERE id = $1",
            vec![
                Box::new(id_bytes(id).to_vec()),
                Box::new(super::sqlite::status_text(status)),
            ],
        )
    }

    fn all_accounts(&mut self) -> StoreResult<Vec<Account>> {
        self.rows(
            "SELECT id, currency, no_overdraft, debits_pending, debits_posted, credits_pending,
                    credits_posted FROM accounts ORDER BY id",
            &[],
        )?
        .iter()
        .map(account_row)
        .collect()
    }

    fn journal(&mut self, after: i64, count: u32) -> StoreResult<Vec<(i64, Transfer)>> {
        self.rows(
            "SELECT id, debit_id, credit_id, amount, currency, kind, pending_id, status, seq
             FROM transfers WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &limit(count)],
        )?
        .iter()
        .map(|row| Ok((get(row, 8)?, transfer_row(row)?.transfer)))
        .collect()
    }
}

fn event_row(row: &Row) -> StoreResult<Event> {
    let data: String = get(row, 2)?;
    Ok(Event {
        seq: get(row, 0)?,
        kind: get(row, 1)?,
        data: serde_json::from_str(&data).map_err(StoreError::unavailable)?,
        created_at: get(row, 3)?,
    })
}

impl FeedTx for PgTx<'_> {
    fn append_event_json(
        &mut self,
        user_id: i64,
        kind: &str,
        json: &str,
        now: i64,
    ) -> StoreResult<i64> {
        // The user's row stays locked until this transaction ends: the next append to this
        // feed waits, so the feed commits in seq order (module docs). One round trip.
        let row = self.one(
            "WITH next AS (UPDATE users SET feed_seq = feed_seq + 1 WHERE id = $1 RETURNING feed_seq)
             INSERT INTO events (user_id, seq, kind, data, created_at)
             SELECT $1, feed_seq, $2::TEXT, $3::TEXT, $4::BIGINT FROM next
             RETURNING seq",
            &[&user_id, &kind, &json, &now],
        )?;
        get(&row, 0)
    }

    fn events_after(&mut self, user_id: i64, after: i64, count: u32) -> StoreResult<Vec<Event>> {
        self.rows(
            "SELECT seq, kind, data, created_at FROM events
             WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[&user_id, &after, &limit(count)],
        )?
        .iter()
        .map(event_row)
        .collect()
    }

    fn events_before(
        &mut self,
        user_id: i64,
        kind: &str,
        before: i64,
        count: u32,
    ) -> StoreResult<Vec<Event>> {
        self.rows(
            "SELECT seq, kind, data, created_at FROM events
             WHERE user_id = $1 AND kind = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4",
            &[&user_id, &kind, &before, &limit(count)],
        )?
        .iter()
        .map(event_row)
        .collect()
    }
}

fn request_row(row: &Row) -> StoreResult<MoneyRequest> {
    Ok(MoneyRequest {
        id: get(row, 0)?,
        requester_id: get(row, 1)?,
        payer_id: get(row, 2)?,
        amount_minor: get(row, 3)?,
        currency: get(row, 4)?,
        note: get(row, 5)?,
        status: get(row, 6)?,
        transfer_id: get(row, 7)?,
        created_at: get(row, 8)?,
    })
}

impl RequestTx for PgTx<'_> {
    fn insert_request(&mut self, r: &MoneyRequest) -> StoreResult<i64> {
        let row = self.one(
            "INSERT INTO money_requests (requester_id, payer_id, amount_minor, currency, note,
             status, transfer_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id",
            &[
                &r.requester_id,
                &r.payer_id,
                &r.amount_minor,
                &r.currency,
                &r.note,
                &r.status,
                &r.transfer_id,
                &r.created_at,
            ],
        )?;
        get(&row, 0)
    }

    fn request(&mut self, id: i64) -> StoreResult<Option<MoneyRequest>> {
        self.row(
            "SELECT id, requester_id, payer_id, amount_minor, currency, note, status,
             transfer_id, created_at FROM money_requests WHERE id = $1",
            &[&id],
        )?
        .map(|row| request_row(&row))
        .transpose()
    }

    fn save_request(&mut self, r: &MoneyRequest) -> StoreResult<()> {
        self.exec(
            "UPDATE money_requests SET status = $2, transfer_id = $3 WHERE id = $1",
            &[&r.id, &r.status, &r.transfer_id],
        )?;
        Ok(())
    }
}

fn order_row(row: &Row) -> StoreResult<OrderRecord> {
    let body: String = get(row, 4)?;
    Ok(OrderRecord {
        id: get(row, 0)?,
        seller_id: get(row, 1)?,
        buyer_id: get(row, 2)?,
        title: get(row, 3)?,
        order: serde_json::from_str(&body).map_err(StoreError::unavailable)?,
        hold_id: get::<Option<Vec<u8>>>(row, 5)?
            .map(transfer_id)
            .transpose()?,
        created_at: get(row, 6)?,
        updated_at: get(row, 7)?,
    })
}

const ORDERS_PAGE: &str =
    "SELECT * FROM (SELECT id, seller_id, buyer_id, title, body, hold_id, created_at, updated_at
             FROM orders
             WHERE seller_id = $1 AND (created_at, id) < ($2, $3)
             ORDER BY created_at DESC, id DESC LIMIT $4) AS sold
         UNION ALL
         SELECT * FROM (SELECT id, seller_id, buyer_id, title, body, hold_id, created_at, updated_at
             FROM orders
             WHERE buyer_id = $1 AND seller_id <> $1 AND (created_at, id) < ($2, $3)
             ORDER BY created_at DESC, id DESC LIMIT $4) AS bought
         ORDER BY created_at DESC, id DESC LIMIT $4";

impl OrderTx for PgTx<'_> {
    fn insert_order(&mut self, record: &OrderRecord) -> StoreResult<()> {
        let (body, state, deadline) = super::sqlite::order_body(record)?;
        let hold = record.hold_id.map(id_bytes);
        self.exec(
            "INSERT INTO orders (id, seller_id, buyer_id, title, state, body, hold_id,
             next_deadline, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &record.id,
                &record.seller_id,
                &record.buyer_id,
                &record.title,
                &state,
                &body,
                &hold.as_ref().map(|b| &b[..]),
                &deadline,
                &record.created_at,
                &record.updated_at,
            ],
        )?;
        Ok(())
    }

    fn order(&mut self, id: &str) -> StoreResult<Option<OrderRecord>> {
        self.row(
            "SELECT id, seller_id, buyer_id, title, body, hold_id, created_at, updated_at
             FROM orders WHERE id = $1",
            &[&id],
        )?
        .map(|row| order_row(&row))
        .transpose()
    }

    fn save_order(&mut self, record: &OrderRecord) -> StoreResult<()> {
        let (body, state, deadline) = super::sqlite::order_body(record)?;
        let hold = record.hold_id.map(id_bytes);
        self.exec(
            "UPDATE orders SET buyer_id = $2, state = $3, body = $4, hold_id = $5,
             next_deadline = $6, updated_at = $7 WHERE id = $1",
            &[
                &record.id,
                &record.buyer_id,
                &state,
                &body,
                &hold.as_ref().map(|b| &b[..]),
                &deadline,
                &record.updated_at,
            ],
        )?;
        Ok(())
    }

    fn due_orders(&mut self, now: i64, count: u32) -> StoreResult<Vec<String>> {
        // Instances firing timers at once take disjoint orders: rows another instance has
        // locked are skipped, and that instance's commit takes them off the due list.
        self.rows(
            "SELECT id FROM orders WHERE next_deadline <= $1 ORDER BY next_deadline LIMIT $2
             FOR UPDATE SKIP LOCKED",
            &[&now, &limit(count)],
        )?
        .iter()
        .map(|row| get(row, 0))
        .collect()
    }

    fn schedule_order(&mut self, id: &str, at: Option<i64>) -> StoreResult<()> {
        self.exec(
            "UPDATE orders SET next_deadline = $2 WHERE id = $1",
            &[&id, &at],
        )?;
        Ok(())
    }

    fn orders_page(
        &mut self,
        user_id: i64,
        before: Option<(i64, &str)>,
        count: u32,
    ) -> StoreResult<Vec<OrderRecord>> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        self.rows(ORDERS_PAGE, &[&user_id, &at, &id, &limit(count)])?
            .iter()
            .map(order_row)
            .collect()
    }
}

impl CodeTx for PgTx<'_> {
    fn use_code_nonce(&mut self, nonce: &str, now: i64, expires_at: i64) -> StoreResult<bool> {
        let inserted = self.exec(
            "INSERT INTO code_nonces (nonce, used_at, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&nonce, &now, &expires_at],
        )?;
        Ok(inserted == 1)
    }

    fn put_paycode_secret(
        &mut self,
        account_index: u64,
        user_id: i64,
        sealed_secret: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT INTO paycode_secrets (account_index, user_id, sealed, created_at)
             VALUES ($1, $2, $3, $4)",
            &[&index_i64(account_index), &user_id, &sealed_secret, &now],
        )?;
        Ok(())
    }

    fn paycode_secret(&mut self, account_index: u64) -> StoreResult<Option<(i64, Vec<u8>)>> {
        self.row(
            "SELECT user_id, sealed FROM paycode_secrets WHERE account_index = $1",
            &[&index_i64(account_index)],
        )?
        .map(|row| Ok((get(&row, 0)?, get(&row, 1)?)))
        .transpose()
    }

    fn use_paycode_step(&mut self, account_index: u64, step: u64) -> StoreResult<bool> {
        let inserted = self.exec(
            "INSERT INTO paycode_uses (account_index, step) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&index_i64(account_index), &index_i64(step)],
        )?;
        Ok(inserted == 1)
    }

    fn count_paycode_failure(
        &mut self,
        merchant_id: i64,
        account_index: Option<u64>,
        now: i64,
        window: i64,
    ) -> StoreResult<u32> {
        let account_index = account_index.map(index_i64);
        self.lock_user(merchant_id)?;
        self.exec(
            "INSERT INTO paycode_failures (merchant_id, account_index, at) VALUES ($1, $2, $3)",
            &[&merchant_id, &account_index, &now],
        )?;
        self.count(
            "SELECT count(*) FROM paycode_failures WHERE merchant_id = $1 AND at > $2",
            &[&merchant_id, &(now - window)],
        )
    }

    fn paycode_index_failures_since(&mut self, account_index: u64, since: i64) -> StoreResult<u32> {
        self.count(
            "SELECT count(*) FROM paycode_failures WHERE account_index = $1 AND at > $2",
            &[&index_i64(account_index), &since],
        )
    }

    fn paycode_all_failures_since(&mut self, since: i64) -> StoreResult<u32> {
        self.count(
            "SELECT count(*) FROM paycode_failures WHERE at > $1",
            &[&since],
        )
    }

    fn code_nonce_used(&mut self, nonce: &str) -> StoreResult<bool> {
        Ok(self
            .row("SELECT 1 FROM code_nonces WHERE nonce = $1", &[&nonce])?
            .is_some())
    }

    fn paycode_failures_since(&mut self, merchant_id: i64, since: i64) -> StoreResult<u32> {
        self.count(
            "SELECT count(*) FROM paycode_failures WHERE merchant_id = $1 AND at > $2",
            &[&merchant_id, &since],
        )
    }

    fn device_paycode_secret(&mut self, device_id: i64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        self.row(
            "SELECT account_index, sealed FROM paycode_secrets WHERE device_id = $1
             ORDER BY created_at DESC LIMIT 1",
            &[&device_id],
        )?
        .map(|row| {
            let index: i64 = get(&row, 0)?;
            Ok((index as u64, get(&row, 1)?))
        })
        .transpose()
    }

    fn paycode_failure_at(
        &mut self,
        merchant_id: Option<i64>,
        since: i64,
        nth: u32,
    ) -> StoreResult<Option<i64>> {
        self.row(
            "SELECT at FROM paycode_failures
             WHERE ($1::BIGINT IS NULL OR merchant_id = $1::BIGINT) AND at > $2
             ORDER BY at LIMIT 1 OFFSET $3",
            &[&merchant_id, &since, &limit(nth)],
        )?
        .map(|row| get(&row, 0))
        .transpose()
    }

    fn put_device_paycode_secret(
        &mut self,
        account_index: u64,
        user_id: i64,
        device_id: i64,
        sealed_secret: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        self.exec(
            "DELETE FROM paycode_secrets WHERE device_id = $1",
            &[&device_id],
        )?;
        self.exec(
            "INSERT INTO paycode_secrets (account_index, user_id, device_id, sealed, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &index_i64(account_index),
                &user_id,
                &device_id,
                &sealed_secret,
                &now,
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writers_statements_name_the_writers_lock() {
        let key = WRITERS_LOCK.to_string();
        assert!(BEGIN_SHARED.contains(&format!("pg_advisory_lock_shared({key})")));
        assert!(LOCK_ALONE.contains(&format!("pg_advisory_lock({key})")));
        for (a, b) in [
            (MIGRATION_LOCK, SECRETS_LOCK),
            (SECRETS_LOCK, HOUSEKEEPING_LOCK),
            (HOUSEKEEPING_LOCK, WRITERS_LOCK),
        ] {
            assert_ne!(a, b);
        }
    }
}
