//! The embedded SQLite store: WAL, `synchronous=FULL`, versioned migrations, and one writer
//! thread that group-commits.
//!
//! Durability costs one fsync per commit, so the writer takes every job that is waiting (up to
//! [`MAX_BATCH`]), runs them inside one `BEGIN IMMEDIATE … COMMIT`, and answers the jobs only
//! after the commit returned. A job that fails leaves the others alone: the batch runs first
//! without savepoints and, if any job fails, again with each job in its own savepoint (see
//! [`run_writer`]); a commit that fails answers every job of the batch with a
//! storage error (nothing of the batch is durable, and clients retry with their idempotency
//! keys). Reads run on a small pool of read-only connections, each on its own WAL snapshot.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use danbao_domain::ledger::{
    Account, AccountId, Balances, PendingStatus, Transfer, TransferId, TransferKind,
};
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::Outcome;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use rusqlite_migration::{M, Migrations};
use tokio::sync::oneshot;

use super::{
    AccountKind, CodeTx, DepositRecord, Device, Event, FeedTx, IdentityTx, LedgerTx, MoneyRequest,
    OrderRecord, OrderTx, PurgeBefore, Purged, RequestTx, Store, StoreError, StoreResult,
    StoredDeposit, StoredResponse, StoredTransfer, StoredWithdrawal, Tx, User, WithdrawalRecord,
    attempt,
};
use danbao_domain::protocol::wire::WithdrawalStatus;

mod devices;
mod merchant_api;
mod merchants;

/// Most jobs committed together.
pub const MAX_BATCH: usize = 512;

/// Most jobs waiting for the writer by default: a request beyond them is refused at once
/// ([`StoreError::Busy`], `503 overloaded` with `Retry-After`) instead of queueing without
/// limit while the disk is slow or the server is flooded.
pub const DEFAULT_WRITE_QUEUE: usize = 4096;

/// The schema, one entry per version. Never edit a released entry: add a new one.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("sql/001_initial.sql")),
        M::up(include_str!("sql/002_orders.sql")),
        M::up(include_str!("sql/003_merchant.sql")),
        M::up(include_str!("sql/004_drop_redundant_order_indexes.sql")),
        M::up(include_str!("sql/005_forget_spent_codes.sql")),
        M::up(include_str!("sql/006_expired_idempotency_keys.sql")),
        M::up(include_str!("sql/007_one_device_per_public_key.sql")),
        M::up(include_str!("sql/008_deposits.sql")),
        M::up(include_str!("sql/009_paycode_failures_by_index.sql")),
        M::up(include_str!("sql/010_devices.sql")),
        M::up_with_hook(
            include_str!("sql/011_merchants.sql"),
            merchants::fill_name_keys,
        ),
        M::up(include_str!("sql/012_withdrawal_payouts.sql")),
        M::up(include_str!("sql/013_merchant_api.sql")),
        M::up(include_str!("sql/014_webhooks.sql")),
        M::up(include_str!("sql/015_payment_settlements.sql")),
    ])
}

/// A job as the writer thread holds it: run (possibly twice, see [`run_writer`]), then
/// answered once the batch's commit returned.
trait WriteJob: Send {
    /// Runs the job in the open transaction and keeps its outcome. `false` when the job
    /// failed: it returned an error, panicked, or asked to roll back part of its work.
    fn run(&mut self, tx: &mut SqliteTx<'_>) -> bool;
    /// Answers the caller with the kept outcome if `committed` is `Ok`, else with its error.
    fn answer(self: Box<Self>, committed: StoreResult<()>);
}

/// A caller's job, its latest outcome and where to send the answer.
struct Pending<T, E, F> {
    job: F,
    outcome: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> WriteJob for Pending<T, E, F>
where
    T: Send,
    E: From<StoreError> + Send,
    F: FnMut(&mut dyn Tx) -> Result<T, E> + Send,
{
    fn run(&mut self, tx: &mut SqliteTx<'_>) -> bool {
        let outcome = run_job(tx, &mut self.job);
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn answer(self: Box<Self>, committed: StoreResult<()>) {
        let Pending { outcome, reply, .. } = *self;
        let answer = match committed {
            Ok(()) => outcome.unwrap_or_else(|| {
                Err(StoreError::unavailable("the writer did not run this job").into())
            }),
            Err(error) => Err(error.into()),
        };
        let _ = reply.send(answer);
    }
}

/// The SQLite implementation of [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    jobs: mpsc::SyncSender<Box<dyn WriteJob>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    path: Arc<PathBuf>,
}

fn open(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;",
    )?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, migrates it to the latest schema and
    /// starts the writer thread, with a queue of [`DEFAULT_WRITE_QUEUE`] jobs.
    pub fn open(path: impl AsRef<Path>) -> anyhow::Result<Self> {
        Self::open_with_queue(path, DEFAULT_WRITE_QUEUE)
    }

    /// [`SqliteStore::open`] with at most `queue` jobs waiting for the writer (at least 1).
    pub fn open_with_queue(path: impl AsRef<Path>, queue: usize) -> anyhow::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut writer = open(&path, OpenFlags::default())?;
        migrations().to_latest(&mut writer)?;
        // The writer rewrites the same hot index pages batch after batch: a 64 MiB page cache
        // keeps them in memory instead of re-reading them from the OS, and savepoint journals
        // stay in memory (measured: ~170 → ~130 µs of writer CPU per P2P transfer). The WAL is
        // checkpointed every 8,192 frames (32 MiB) instead of 1,000, so a hot page committed by
        // many batches is copied into the database file once per checkpoint, not once per few
        // batches. Commits still fsync the WAL (synchronous = FULL); only the checkpoint is
        // less frequent.
        writer.execute_batch(
            "PRAGMA cache_size = -65536;
             PRAGMA temp_store = MEMORY;
             PRAGMA wal_autocheckpoint = 8192;",
        )?;
        let (jobs, queue) = mpsc::sync_channel::<Box<dyn WriteJob>>(queue.max(1));
        std::thread::Builder::new()
            .name("danbao-sqlite-writer".into())
            .spawn(move || run_writer(writer, queue))?;
        Ok(Self {
            jobs,
            readers: Arc::new(Mutex::new(Vec::new())),
            path: Arc::new(path),
        })
    }

    fn reader(&self) -> StoreResult<Connection> {
        let pooled = self.readers.lock().ok().and_then(|mut pool| pool.pop());
        match pooled {
            Some(conn) => Ok(conn),
            None => Ok(open(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?),
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut pool) = self.readers.lock()
            && pool.len() < 8
        {
            pool.push(conn);
        }
    }
}

/// Takes every waiting job (up to [`MAX_BATCH`]) and commits them together.
///
/// A batch first runs without savepoints: a savepoint makes SQLite copy every page a job
/// first touches into a statement journal, which is most of the cost of isolating a job, and
/// almost every job succeeds. If a job of that pass fails (an error, a panic, or a flow asking
/// to roll back its own part, e.g. a refused request whose answer is still stored), the whole
/// transaction is rolled back and the batch runs again with each job in its own savepoint, so
/// the failed job's effects are undone and the others' are kept. Jobs may run twice: the
/// [`Store`] contract already requires them to depend only on what they read through the `Tx`.
fn run_writer(conn: Connection, queue: mpsc::Receiver<Box<dyn WriteJob>>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = match run_batch(&conn, &mut batch, false) {
            Ok(true) => Ok(()),
            Ok(false) => run_batch(&conn, &mut batch, true).map(|_| ()),
            Err(error) => Err(error),
        };
        for job in batch {
            job.answer(committed.clone());
        }
    }
}

/// Runs `batch` in one transaction and commits it. Without `savepoints` it stops at the first
/// failed job, rolls everything back and returns `Ok(false)`; with them a failed job undoes
/// only its own effects. `Err` when the transaction could not start or commit (nothing of the
/// batch is durable).
fn run_batch(
    conn: &Connection,
    batch: &mut [Box<dyn WriteJob>],
    savepoints: bool,
) -> StoreResult<bool> {
    control(conn, "BEGIN IMMEDIATE").map_err(StoreError::unavailable)?;
    let mut tx = SqliteTx {
        conn,
        savepoints,
        failed: false,
    };
    for job in batch.iter_mut() {
        let ok = job.run(&mut tx);
        if !savepoints && (!ok || tx.failed) {
            let _ = control(conn, "ROLLBACK");
            return Ok(false);
        }
    }
    match control(conn, "COMMIT") {
        Ok(()) => Ok(true),
        Err(error) => {
            let _ = control(conn, "ROLLBACK");
            Err(StoreError::unavailable(error))
        }
    }
}

/// Runs `job` inside a savepoint ([`attempt`]). In a pass without savepoints a failed job
/// makes the rollback fail, which marks the pass failed and the batch runs again.
fn run_job<T, E: From<StoreError>>(
    tx: &mut SqliteTx<'_>,
    job: &mut dyn FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    attempt(tx, |tx| job(tx))?
}

impl Store for SqliteStore {
    async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let (reply, answered) = oneshot::channel();
        let boxed: Box<dyn WriteJob> = Box::new(Pending {
            job,
            outcome: None,
            reply,
        });
        self.jobs.try_send(boxed).map_err(|error| match error {
            mpsc::TrySendError::Full(_) => E::from(StoreError::Busy),
            mpsc::TrySendError::Disconnected(_) => {
                E::from(StoreError::unavailable("the writer thread has stopped"))
            }
        })?;
        answered
            .await
            .map_err(|_| E::from(StoreError::unavailable("the writer dropped a job")))?
    }

    async fn read<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = store.reader()?;
            control(&conn, "BEGIN").map_err(StoreError::from)?;
            let mut tx = SqliteTx {
                conn: &conn,
                savepoints: true,
                failed: false,
            };
            let result = catch_unwind(AssertUnwindSafe(|| job(&mut tx)))
                .unwrap_or_else(|_| Err(StoreError::Panicked.into()));
            let _ = control(&conn, "COMMIT");
            store.give_back(conn);
            result
        })
        .await
        .map_err(|error| E::from(StoreError::unavailable(error)))?
    }
}

/// Runs a transaction-control statement (`BEGIN`, `SAVEPOINT`, `RELEASE`, ...) from the
/// statement cache: every job runs two to four of them, and `execute_batch` would parse each
/// one again every time.
fn control(conn: &Connection, sql: &'static str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// A job's view of the open SQLite transaction.
pub struct SqliteTx<'c> {
    conn: &'c Connection,
    /// Whether savepoints are real. In the writer's first pass over a batch they are not:
    /// undoing a part ([`Tx::nested`]) then fails and marks the pass `failed`, and the batch runs again with
    /// them (see [`run_writer`]).
    savepoints: bool,
    /// A rollback was asked for in a pass without savepoints.
    failed: bool,
}

impl Tx for SqliteTx<'_> {
    /// A savepoint around `part`. In the writer's first pass over a batch there are none: a
    /// part that must be undone then fails the pass (`failed`), and the batch runs again with
    /// savepoints (see [`run_writer`]).
    fn nested(&mut self, part: &mut dyn FnMut(&mut dyn Tx) -> bool) -> StoreResult<()> {
        if self.savepoints {
            control(self.conn, "SAVEPOINT job")?;
        }
        let keep = part(self);
        if !self.savepoints {
            if keep {
                return Ok(());
            }
            self.failed = true;
            return Err(StoreError::unavailable(
                "a rollback in a batch without savepoints; the batch runs again with them",
            ));
        }
        if !keep {
            control(self.conn, "ROLLBACK TO job")?;
        }
        Ok(control(self.conn, "RELEASE job")?)
    }

    fn purge(&mut self, before: &PurgeBefore) -> StoreResult<Purged> {
        let delete = |sql: &str, cutoff: i64| -> StoreResult<usize> {
            Ok(self.conn.prepare_cached(sql)?.execute([cutoff])?)
        };
        Ok(Purged {
            request_nonces: delete(
                "DELETE FROM nonces WHERE seen_at < ?1",
                before.request_nonces,
            )?,
            idempotency: {
                // The key is remembered without its answer, so it is refused, not run again.
                delete(
                    "INSERT OR IGNORE INTO idempotency_expired (user_id, key, first_used_at)
                     SELECT user_id, key, created_at FROM idempotency WHERE created_at < ?1",
                    before.idempotency,
                )?;
                delete(
                    "DELETE FROM idempotency WHERE created_at < ?1",
                    before.idempotency,
                )?
            },
            code_nonces: delete(
                "DELETE FROM code_nonces WHERE expires_at < ?1",
                before.code_nonces,
            )?,
            paycode_steps: delete(
                "DELETE FROM paycode_uses WHERE step < ?1",
                i64::try_from(before.paycode_steps).unwrap_or(i64::MAX),
            )?,
            paycode_failures: delete(
                "DELETE FROM paycode_failures WHERE at < ?1",
                before.paycode_failures,
            )?,
            device_approvals: delete(
                "DELETE FROM device_approvals WHERE expires_at < ?1",
                before.device_approvals,
            )? + delete(
                "DELETE FROM device_join_failures WHERE at < ?1",
                before.device_approvals,
            )?,
            // One instance: the rate limiter counts in memory, not here.
            rate_buckets: 0,
            webhooks: delete(
                "DELETE FROM webhook_attempts WHERE delivery_id IN
                   (SELECT id FROM webhook_deliveries
                     WHERE status <> 'pending' AND created_at < ?1)",
                before.webhooks,
            )? + delete(
                "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < ?1",
                before.webhooks,
            )? + delete(
                "DELETE FROM webhook_events WHERE created_at < ?1 AND NOT EXISTS
                   (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)",
                before.webhooks,
            )?,
        })
    }
}

fn user_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        handle: row.get(1)?,
        display_name: row.get(2)?,
        created_at: row.get(3)?,
    })
}

impl IdentityTx for SqliteTx<'_> {
    fn insert_user(
        &mut self,
        handle: &str,
        display_name: &str,
        now: i64,
    ) -> StoreResult<Option<i64>> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO users (handle, display_name, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (handle) DO NOTHING",
            )?
            .execute(params![handle, display_name, now])?;
        Ok((inserted == 1).then(|| self.conn.last_insert_rowid()))
    }

    fn user(&mut self, id: i64) -> StoreResult<Option<User>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, handle, display_name, created_at FROM users WHERE id = ?1")?
            .query_row([id], user_row)
            .optional()?)
    }

    fn user_by_handle(&mut self, handle: &str) -> StoreResult<Option<User>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, handle, display_name, created_at FROM users WHERE handle = ?1",
            )?
            .query_row([handle], user_row)
            .optional()?)
    }

    fn insert_device(
        &mut self,
        user_id: i64,
        public_key: &[u8],
        name: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO devices (user_id, public_key, name, created_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (public_key) DO NOTHING",
            )?
            .execute(params![user_id, public_key, name, now])?;
        if inserted == 0 {
            return Err(StoreError::PublicKeyTaken);
        }
        Ok(self.conn.last_insert_rowid())
    }

    fn device(&mut self, id: i64) -> StoreResult<Option<Device>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, user_id, public_key, name, revoked_at FROM devices WHERE id = ?1",
            )?
            .query_row([id], |row| {
                Ok(Device {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    public_key: row.get(2)?,
                    name: row.get(3)?,
                    revoked_at: row.get(4)?,
                })
            })
            .optional()?)
    }

    fn use_nonce(&mut self, device_id: i64, nonce: &str, now: i64) -> StoreResult<bool> {
        // Checked in the transaction of the change itself: a request authenticated just
        // before its device was revoked still changes nothing.
        let revoked: Option<Option<i64>> = self
            .conn
            .prepare_cached("SELECT revoked_at FROM devices WHERE id = ?1")?
            .query_row([device_id], |row| row.get(0))
            .optional()?;
        if matches!(revoked, Some(Some(_))) {
            return Err(StoreError::DeviceRevoked);
        }
        self.conn
            .prepare_cached(
                "UPDATE devices SET last_seen_at = ?2
                  WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at <= ?2 - ?3)",
            )?
            .execute(params![device_id, now, super::devices::LAST_SEEN_STEP_SECS])?;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO nonces (device_id, nonce, seen_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![device_id, nonce, now])?;
        Ok(inserted == 1)
    }

    fn idempotency(&mut self, user_id: i64, key: &str) -> StoreResult<Option<StoredResponse>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT request_hash, status, body FROM idempotency WHERE user_id = ?1 AND key = ?2",
            )?
            .query_row(params![user_id, key], |row| {
                let status: u16 = row.get(1)?;
                let outcome = Outcome::from_status(status).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Integer,
                        format!("stored answer status {status} is not the protocol's").into(),
                    )
                })?;
                Ok(StoredResponse {
                    request_hash: row.get(0)?,
                    outcome,
                    body: row.get(2)?,
                })
            })
            .optional()?)
    }

    fn expired_idempotency(&mut self, user_id: i64, key: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT first_used_at FROM idempotency_expired WHERE user_id = ?1 AND key = ?2",
            )?
            .query_row(params![user_id, key], |row| row.get(0))
            .optional()?)
    }

    fn put_idempotency(
        &mut self,
        user_id: i64,
        key: &str,
        response: &StoredResponse,
        now: i64,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                user_id,
                key,
                response.request_hash,
                response.outcome.status(),
                response.body,
                now
            ])?;
        Ok(())
    }
}

/// The columns [`account_row`] reads, as a macro so the SQL below is built at compile time
/// (`concat!`) instead of with `format!` on every call.
macro_rules! withdrawal_columns {
    () => {
        "id, user_id, amount, currency, transfer_id, status, payout_ref, reason, requested_at, settled_at"
    };
}

fn withdrawal_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<StoredWithdrawal>> {
    let currency: String = row.get(3)?;
    let status: String = row.get(5)?;
    let minor: i64 = row.get(2)?;
    let (Ok(currency), Some(status)) = (
        Currency::from_code(&currency),
        WithdrawalStatus::parse(&status),
    ) else {
        return Ok(Err(StoreError::unavailable(format!(
            "withdrawal row with currency {currency:?} and status {status:?}"
        ))));
    };
    Ok(Ok(StoredWithdrawal {
        id: row.get(0)?,
        user_id: row.get(1)?,
        amount: Money::from_minor(minor, currency),
        transfer_id: row.get(4)?,
        status,
        payout_ref: row.get(6)?,
        reason: row.get(7)?,
        requested_at: row.get(8)?,
        settled_at: row.get(9)?,
    }))
}

macro_rules! account_columns {
    () => {
        "id, currency, no_overdraft, debits_pending, debits_posted, credits_pending, credits_posted"
    };
}

fn account_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let code: String = row.get(1)?;
    let currency = Currency::from_code(&code).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(error))
    })?;
    Ok(Account {
        id: AccountId(row.get::<_, i64>(0)? as u64),
        currency,
        no_overdraft: row.get(2)?,
        balances: Balances {
            debits_pending: row.get(3)?,
            debits_posted: row.get(4)?,
            credits_pending: row.get(5)?,
            credits_posted: row.get(6)?,
        },
    })
}

fn id_bytes(id: TransferId) -> [u8; 16] {
    id.0.to_be_bytes()
}

fn transfer_id(bytes: Vec<u8>) -> rusqlite::Result<TransferId> {
    let array: [u8; 16] = bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            "transfer id is not 16 bytes".into(),
        )
    })?;
    Ok(TransferId(u128::from_be_bytes(array)))
}

fn conversion(index: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        what.to_owned().into(),
    )
}

fn transfer_row(row: &Row<'_>) -> rusqlite::Result<StoredTransfer> {
    let currency: String = row.get(4)?;
    let currency = Currency::from_code(&currency).map_err(|_| conversion(4, "currency"))?;
    let kind: String = row.get(5)?;
    let pending_id = row
        .get::<_, Option<Vec<u8>>>(6)?
        .map(transfer_id)
        .transpose()?;
    let kind = match (kind.as_str(), pending_id) {
        ("posted", None) => TransferKind::Posted,
        ("pending", None) => TransferKind::Pending,
        ("post", Some(pending_id)) => TransferKind::Post { pending_id },
        ("void", Some(pending_id)) => TransferKind::Void { pending_id },
        _ => return Err(conversion(5, "transfer kind")),
    };
    let status = match row.get::<_, Option<String>>(7)? {
        None => None,
        Some(text) => Some(parse_status(&text).ok_or_else(|| conversion(7, "status"))?),
    };
    Ok(StoredTransfer {
        transfer: Transfer {
            id: transfer_id(row.get(0)?)?,
            debit: AccountId(row.get::<_, i64>(1)? as u64),
            credit: AccountId(row.get::<_, i64>(2)? as u64),
            amount: Money::from_minor(row.get(3)?, currency),
            kind,
        },
        status,
    })
}

pub(super) fn kind_name(kind: TransferKind) -> &'static str {
    match kind {
        TransferKind::Posted => "posted",
        TransferKind::Pending => "pending",
        TransferKind::Post { .. } => "post",
        TransferKind::Void { .. } => "void",
    }
}

/// Stored form of a hold's status: "open", "posted:<hex id>", "voided:<hex id>".
pub(super) fn status_text(status: PendingStatus) -> String {
    match status {
        PendingStatus::Open => "open".to_owned(),
        PendingStatus::Posted(by) => format!("posted:{:032x}", by.0),
        PendingStatus::Voided(by) => format!("voided:{:032x}", by.0),
    }
}

pub(super) fn parse_status(text: &str) -> Option<PendingStatus> {
    let by = |hex: &str| u128::from_str_radix(hex, 16).ok().map(TransferId);
    match text.split_once(':') {
        None if text == "open" => Some(PendingStatus::Open),
        Some(("posted", hex)) => by(hex).map(PendingStatus::Posted),
        Some(("voided", hex)) => by(hex).map(PendingStatus::Voided),
        _ => None,
    }
}

impl LedgerTx for SqliteTx<'_> {
    fn deposit(&mut self, external_ref: &str) -> StoreResult<Option<StoredDeposit>> {
        let row: Option<(i64, i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT user_id, amount, currency FROM deposits WHERE external_ref = ?1",
            )?
            .query_row([external_ref], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        row.map(|(user_id, minor, currency)| {
            let currency = Currency::from_code(&currency).map_err(StoreError::unavailable)?;
            Ok(StoredDeposit {
                user_id,
                amount: Money::from_minor(minor, currency),
            })
        })
        .transpose()
    }

    fn insert_withdrawal(&mut self, record: &WithdrawalRecord, now: i64) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO withdrawals (user_id, amount, currency, transfer_id, status, requested_at)
                 VALUES (?1, ?2, ?3, ?4, 'requested', ?5)",
            )?
            .execute(params![
                record.user_id,
                record.amount.minor(),
                record.amount.currency().code(),
                record.transfer_id,
                now
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn withdrawal(&mut self, id: i64) -> StoreResult<Option<StoredWithdrawal>> {
        self.conn
            .prepare_cached(concat!(
                "SELECT ",
                withdrawal_columns!(),
                " FROM withdrawals WHERE id = ?1"
            ))?
            .query_row([id], withdrawal_row)
            .optional()?
            .transpose()
    }

    fn withdrawal_by_transfer(&mut self, transfer_id: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM withdrawals WHERE transfer_id = ?1")?
            .query_row([transfer_id], |row| row.get(0))
            .optional()?)
    }

    fn withdrawals_with_status(
        &mut self,
        status: WithdrawalStatus,
        limit: u32,
    ) -> StoreResult<Vec<StoredWithdrawal>> {
        let mut stmt = self.conn.prepare_cached(concat!(
            "SELECT ",
            withdrawal_columns!(),
            " FROM withdrawals WHERE status = ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![status.as_str(), limit], withdrawal_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    fn settle_withdrawal(
        &mut self,
        id: i64,
        status: WithdrawalStatus,
        payout_ref: Option<&str>,
        reason: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE withdrawals SET status = ?2, payout_ref = ?3, reason = ?4, settled_at = ?5
                 WHERE id = ?1 AND status = 'requested'",
            )?
            .execute(params![id, status.as_str(), payout_ref, reason, now])?;
        Ok(changed == 1)
    }

    fn insert_deposit(&mut self, deposit: &DepositRecord<'_>, now: i64) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO deposits (external_ref, user_id, amount, currency, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                deposit.external_ref,
                deposit.user_id,
                deposit.amount.minor(),
                deposit.amount.currency().code(),
                now
            ])?;
        Ok(())
    }

    fn account(&mut self, id: AccountId) -> StoreResult<Option<Account>> {
        Ok(self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts WHERE id = ?1"
            ))?
            .query_row([id.0 as i64], account_row)
            .optional()?)
    }

    fn find_account(
        &mut self,
        owner: Option<i64>,
        kind: AccountKind,
        currency: Currency,
    ) -> StoreResult<Option<Account>> {
        Ok(self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts
                 WHERE coalesce(owner_id, 0) = coalesce(?1, 0) AND kind = ?2 AND currency = ?3"
            ))?
            .query_row(params![owner, kind.as_str(), currency.code()], account_row)
            .optional()?)
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
        self.conn
            .prepare_cached(
                "INSERT INTO accounts (owner_id, kind, currency, no_overdraft) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![owner, kind.as_str(), currency.code(), no_overdraft])?;
        Ok(Account {
            id: AccountId(self.conn.last_insert_rowid() as u64),
            currency,
            no_overdraft,
            balances: Balances::default(),
        })
    }

    fn account_owner(&mut self, id: AccountId) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT owner_id FROM accounts WHERE id = ?1")?
            .query_row([id.0 as i64], |row| row.get(0))
            .optional()?
            .flatten())
    }

    fn wallets_of(&mut self, user_id: i64) -> StoreResult<Vec<Account>> {
        let mut statement = self.conn.prepare_cached(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE owner_id = ?1 AND kind = 'wallet' ORDER BY currency"
        ))?;
        let rows = statement.query_map([user_id], account_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn save_balances(&mut self, id: AccountId, b: &Balances) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE accounts SET debits_pending = ?2, debits_posted = ?3,
                 credits_pending = ?4, credits_posted = ?5 WHERE id = ?1",
            )?
            .execute(params![
                id.0 as i64,
                b.debits_pending,
                b.debits_posted,
                b.credits_pending,
                b.credits_posted
            ])?;
        Ok(())
    }

    fn transfer(&mut self, id: TransferId) -> StoreResult<Option<StoredTransfer>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, debit_id, credit_id, amount, currency, kind, pending_id, status
                 FROM transfers WHERE id = ?1",
            )?
            .query_row([&id_bytes(id)[..]], transfer_row)
            .optional()?)
    }

    fn insert_transfer(&mut self, t: &Transfer, now: i64) -> StoreResult<()> {
        let status = (t.kind == TransferKind::Pending).then(|| status_text(PendingStatus::Open));
        let pending_id = t.kind.pending_id().map(id_bytes);
        self.conn
            .prepare_cached(
                "INSERT INTO transfers (id, debit_id, credit_id, amount, currency, kind, pending_id,
                 status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                &id_bytes(t.id)[..],
                t.debit.0 as i64,
                t.credit.0 as i64,
                t.amount.minor(),
                t.amount.currency().code(),
                kind_name(t.kind),
                pending_id.as_ref().map(|bytes| &bytes[..]),
                status,
                now
            ])?;
        Ok(())
    }

    fn set_pending_status(&mut self, id: TransferId, status: PendingStatus) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE transfers SET status = ?2 WHERE id = ?1")?
            .execute(params![&id_bytes(id)[..], status_text(status)])?;
        Ok(())
    }

    fn all_accounts(&mut self) -> StoreResult<Vec<Account>> {
        let mut statement = self.conn.prepare_cached(concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts ORDER BY id"
        ))?;
        let rows = statement.query_map([], account_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn journal(&mut self, after: i64, limit: u32) -> StoreResult<Vec<(i64, Transfer)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id, debit_id, credit_id, amount, currency, kind, pending_id, status, seq
             FROM transfers WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = statement.query_map(params![after, limit], |row| {
            Ok((row.get::<_, i64>(8)?, transfer_row(row)?.transfer))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The sync feed: served by `events_user_seq` (user_id, seq).
const EVENTS_AFTER: &str = "SELECT seq, kind, data, created_at FROM events
     WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

/// The activity list: served by `events_user_kind_seq` (user_id, kind, seq). With only
/// (user_id, seq) a page would skip every event of the other kinds, so its cost would grow
/// with history; neither event index can replace the other.
const EVENTS_BEFORE: &str = "SELECT seq, kind, data, created_at FROM events
     WHERE user_id = ?1 AND kind = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4";

fn event_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let data: String = row.get(2)?;
    Ok(Event {
        seq: row.get(0)?,
        kind: row.get(1)?,
        data: serde_json::from_str(&data).map_err(|_| conversion(2, "event data"))?,
        created_at: row.get(3)?,
    })
}

impl FeedTx for SqliteTx<'_> {
    fn append_event_json(
        &mut self,
        user_id: i64,
        kind: &str,
        json: &str,
        now: i64,
    ) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO events (user_id, kind, data, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![user_id, kind, json, now])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn events_after(&mut self, user_id: i64, after: i64, limit: u32) -> StoreResult<Vec<Event>> {
        let mut statement = self.conn.prepare_cached(EVENTS_AFTER)?;
        let rows = statement.query_map(params![user_id, after, limit], event_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn events_before(
        &mut self,
        user_id: i64,
        kind: &str,
        before: i64,
        limit: u32,
    ) -> StoreResult<Vec<Event>> {
        let mut statement = self.conn.prepare_cached(EVENTS_BEFORE)?;
        let rows = statement.query_map(params![user_id, kind, before, limit], event_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn request_row(row: &Row<'_>) -> rusqlite::Result<MoneyRequest> {
    Ok(MoneyRequest {
        id: row.get(0)?,
        requester_id: row.get(1)?,
        payer_id: row.get(2)?,
        amount_minor: row.get(3)?,
        currency: row.get(4)?,
        note: row.get(5)?,
        status: row.get(6)?,
        transfer_id: row.get(7)?,
        created_at: row.get(8)?,
    })
}

impl RequestTx for SqliteTx<'_> {
    fn insert_request(&mut self, r: &MoneyRequest) -> StoreResult<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO money_requests (requester_id, payer_id, amount_minor, currency, note,
                 status, transfer_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                r.requester_id,
                r.payer_id,
                r.amount_minor,
                r.currency,
                r.note,
                r.status,
                r.transfer_id,
                r.created_at
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    fn request(&mut self, id: i64) -> StoreResult<Option<MoneyRequest>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, requester_id, payer_id, amount_minor, currency, note, status,
                 transfer_id, created_at FROM money_requests WHERE id = ?1",
            )?
            .query_row([id], request_row)
            .optional()?)
    }

    fn save_request(&mut self, r: &MoneyRequest) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE money_requests SET status = ?2, transfer_id = ?3 WHERE id = ?1",
            )?
            .execute(params![r.id, r.status, r.transfer_id])?;
        Ok(())
    }
}

fn order_row(row: &Row<'_>) -> rusqlite::Result<OrderRecord> {
    let body: String = row.get(4)?;
    Ok(OrderRecord {
        id: row.get(0)?,
        seller_id: row.get(1)?,
        buyer_id: row.get(2)?,
        title: row.get(3)?,
        order: serde_json::from_str(&body).map_err(|_| conversion(4, "order body"))?,
        hold_id: row
            .get::<_, Option<Vec<u8>>>(5)?
            .map(transfer_id)
            .transpose()?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

/// The columns [`order_row`] reads (a macro for `concat!`, like [`account_columns`]).
macro_rules! order_columns {
    () => {
        "id, seller_id, buyer_id, title, body, hold_id, created_at, updated_at"
    };
}

pub(super) fn order_body(record: &OrderRecord) -> StoreResult<(String, String, Option<i64>)> {
    let body = serde_json::to_string(&record.order).map_err(StoreError::unavailable)?;
    let state = serde_json::to_value(record.order.state)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    let deadline = record.order.next_deadline().map(|(_, at)| at);
    Ok((body, state, deadline))
}

/// One keyset page of a user's orders: one index range per role, each stopping after
/// `limit` rows, then merged.
const ORDERS_PAGE: &str = concat!(
    "SELECT * FROM (SELECT ",
    order_columns!(),
    " FROM orders
             WHERE seller_id = ?1 AND (created_at, id) < (?2, ?3)
             ORDER BY created_at DESC, id DESC LIMIT ?4)
         UNION ALL
         SELECT * FROM (SELECT ",
    order_columns!(),
    " FROM orders
             WHERE buyer_id = ?1 AND seller_id <> ?1 AND (created_at, id) < (?2, ?3)
             ORDER BY created_at DESC, id DESC LIMIT ?4)
         ORDER BY created_at DESC, id DESC LIMIT ?4"
);

impl OrderTx for SqliteTx<'_> {
    fn insert_order(&mut self, record: &OrderRecord) -> StoreResult<()> {
        let (body, state, deadline) = order_body(record)?;
        self.conn
            .prepare_cached(
                "INSERT INTO orders (id, seller_id, buyer_id, title, state, body, hold_id,
                 next_deadline, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                record.id,
                record.seller_id,
                record.buyer_id,
                record.title,
                state,
                body,
                record.hold_id.map(id_bytes).as_ref().map(|b| &b[..]),
                deadline,
                record.created_at,
                record.updated_at
            ])?;
        Ok(())
    }

    fn order(&mut self, id: &str) -> StoreResult<Option<OrderRecord>> {
        Ok(self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                order_columns!(),
                " FROM orders WHERE id = ?1"
            ))?
            .query_row([id], order_row)
            .optional()?)
    }

    fn save_order(&mut self, record: &OrderRecord) -> StoreResult<()> {
        let (body, state, deadline) = order_body(record)?;
        self.conn
            .prepare_cached(
                "UPDATE orders SET buyer_id = ?2, state = ?3, body = ?4, hold_id = ?5,
                 next_deadline = ?6, updated_at = ?7 WHERE id = ?1",
            )?
            .execute(params![
                record.id,
                record.buyer_id,
                state,
                body,
                record.hold_id.map(id_bytes).as_ref().map(|b| &b[..]),
                deadline,
                record.updated_at
            ])?;
        Ok(())
    }

    fn due_orders(&mut self, now: i64, limit: u32) -> StoreResult<Vec<String>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT id FROM orders WHERE next_deadline <= ?1 ORDER BY next_deadline LIMIT ?2",
        )?;
        let rows = statement.query_map(params![now, limit], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn schedule_order(&mut self, id: &str, at: Option<i64>) -> StoreResult<()> {
        self.conn
            .prepare_cached("UPDATE orders SET next_deadline = ?2 WHERE id = ?1")?
            .execute(params![id, at])?;
        Ok(())
    }

    fn orders_page(
        &mut self,
        user_id: i64,
        before: Option<(i64, &str)>,
        limit: u32,
    ) -> StoreResult<Vec<OrderRecord>> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let mut statement = self.conn.prepare_cached(ORDERS_PAGE)?;
        let rows = statement.query_map(params![user_id, at, id, limit], order_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl CodeTx for SqliteTx<'_> {
    fn use_code_nonce(&mut self, nonce: &str, now: i64, expires_at: i64) -> StoreResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO code_nonces (nonce, used_at, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![nonce, now, expires_at])?;
        Ok(inserted == 1)
    }

    fn put_paycode_secret(
        &mut self,
        account_index: u64,
        user_id: i64,
        sealed_secret: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO paycode_secrets (account_index, user_id, sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![account_index as i64, user_id, sealed_secret, now])?;
        Ok(())
    }

    fn paycode_secret(&mut self, account_index: u64) -> StoreResult<Option<(i64, Vec<u8>)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT user_id, sealed FROM paycode_secrets WHERE account_index = ?1")?
            .query_row([account_index as i64], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?)
    }

    fn use_paycode_step(&mut self, account_index: u64, step: u64) -> StoreResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO paycode_uses (account_index, step) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![account_index as i64, step as i64])?;
        Ok(inserted == 1)
    }

    fn count_paycode_failure(
        &mut self,
        merchant_id: i64,
        account_index: Option<u64>,
        now: i64,
        window: i64,
    ) -> StoreResult<u32> {
        let account_index = account_index.map(|index| i64::try_from(index).unwrap_or(i64::MAX));
        self.conn
            .prepare_cached(
                "INSERT INTO paycode_failures (merchant_id, account_index, at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![merchant_id, account_index, now])?;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM paycode_failures WHERE merchant_id = ?1 AND at > ?2",
            )?
            .query_row(params![merchant_id, now - window], |row| row.get(0))?)
    }

    fn paycode_index_failures_since(&mut self, account_index: u64, since: i64) -> StoreResult<u32> {
        let account_index = i64::try_from(account_index).unwrap_or(i64::MAX);
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM paycode_failures WHERE account_index = ?1 AND at > ?2",
            )?
            .query_row(params![account_index, since], |row| row.get(0))?)
    }

    fn paycode_all_failures_since(&mut self, since: i64) -> StoreResult<u32> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM paycode_failures WHERE at > ?1")?
            .query_row(params![since], |row| row.get(0))?)
    }

    fn code_nonce_used(&mut self, nonce: &str) -> StoreResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM code_nonces WHERE nonce = ?1")?
            .query_row([nonce], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn paycode_failures_since(&mut self, merchant_id: i64, since: i64) -> StoreResult<u32> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM paycode_failures WHERE merchant_id = ?1 AND at > ?2",
            )?
            .query_row(params![merchant_id, since], |row| row.get(0))?)
    }

    fn device_paycode_secret(&mut self, device_id: i64) -> StoreResult<Option<(u64, Vec<u8>)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT account_index, sealed FROM paycode_secrets WHERE device_id = ?1
                 ORDER BY created_at DESC LIMIT 1",
            )?
            .query_row([device_id], |row| {
                Ok((row.get::<_, i64>(0)? as u64, row.get(1)?))
            })
            .optional()?)
    }

    fn paycode_failure_at(
        &mut self,
        merchant_id: Option<i64>,
        since: i64,
        nth: u32,
    ) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT at FROM paycode_failures
                 WHERE (?1 IS NULL OR merchant_id = ?1) AND at > ?2
                 ORDER BY at LIMIT 1 OFFSET ?3",
            )?
            .query_row(params![merchant_id, since, nth], |row| row.get(0))
            .optional()?)
    }

    fn put_device_paycode_secret(
        &mut self,
        account_index: u64,
        user_id: i64,
        device_id: i64,
        sealed_secret: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        self.conn
            .prepare_cached("DELETE FROM paycode_secrets WHERE device_id = ?1")?
            .execute([device_id])?;
        self.conn
            .prepare_cached(
                "INSERT INTO paycode_secrets (account_index, user_id, device_id, sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![account_index as i64, user_id, device_id, sealed_secret, now])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        migrations().to_latest(&mut conn).expect("migrations");
        conn
    }

    /// The `detail` lines of `EXPLAIN QUERY PLAN sql`, joined.
    fn plan(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> String {
        let mut statement = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let rows = statement
            .query_map(params, |row| row.get::<_, String>(3))
            .expect("plan rows");
        rows.collect::<Result<Vec<_>, _>>()
            .expect("plan")
            .join("\n")
    }

    /// One batch where a job fails after writing, a job rolls back a nested savepoint and
    /// goes on, and plain jobs succeed: the first pass (no savepoints) is abandoned and the
    /// second keeps exactly the effects of the jobs that succeeded.
    #[test]
    fn a_failed_job_in_a_batch_undoes_only_its_own_effects() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut conn = open(&dir.path().join("batch.db"), OpenFlags::default()).expect("open");
        migrations().to_latest(&mut conn).expect("migrations");
        let mut receivers = Vec::new();
        let mut batch: Vec<Box<dyn WriteJob>> = Vec::new();
        type TestJob = Box<dyn FnMut(&mut dyn Tx) -> StoreResult<bool> + Send>;
        let mut push = |job: TestJob| {
            let (reply, answered) = oneshot::channel();
            batch.push(Box::new(Pending {
                job,
                outcome: None,
                reply,
            }));
            receivers.push(answered);
        };
        push(Box::new(|tx| tx.use_nonce(1, "first-nonce-0001", 10)));
        push(Box::new(|tx| {
            tx.use_nonce(2, "failing-nonce-01", 10)?;
            Err(StoreError::Conflict(
                "this job fails after writing".to_owned(),
            ))
        }));
        push(Box::new(|tx| {
            tx.use_nonce(3, "outer-nonce-0001", 10)?;
            let inner: StoreResult<()> = attempt(tx, |tx| {
                tx.use_nonce(3, "inner-nonce-0001", 10)?;
                Err(StoreError::Conflict("undo the inner part".to_owned()))
            })?;
            assert!(inner.is_err());
            Ok(true)
        }));
        push(Box::new(|tx| tx.use_nonce(4, "last-nonce-00001", 10)));
        assert!(!run_batch(&conn, &mut batch, false).expect("first pass"));
        assert!(run_batch(&conn, &mut batch, true).expect("second pass"));
        for job in batch {
            job.answer(Ok(()));
        }
        let answers: Vec<StoreResult<bool>> = receivers
            .into_iter()
            .map(|answered| answered.blocking_recv().expect("answered"))
            .collect();
        assert_eq!(answers[0], Ok(true));
        // The failed job gets its own error back, not the store's.
        assert_eq!(
            answers[1],
            Err(StoreError::Conflict(
                "this job fails after writing".to_owned()
            ))
        );
        assert_eq!(answers[2], Ok(true));
        assert_eq!(answers[3], Ok(true));
        let mut stored: Vec<(i64, String)> = conn
            .prepare("SELECT device_id, nonce FROM nonces ORDER BY device_id, nonce")
            .expect("query")
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("nonces");
        stored.sort();
        assert_eq!(
            stored,
            vec![
                (1, "first-nonce-0001".to_owned()),
                (3, "outer-nonce-0001".to_owned()),
                (4, "last-nonce-00001".to_owned()),
            ]
        );
    }

    #[test]
    fn order_pages_use_the_keyset_indexes_after_the_short_ones_are_dropped() {
        let conn = migrated();
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'")
            .expect("indexes")
            .query_map([], |row| row.get(0))
            .expect("index rows")
            .collect::<Result<_, _>>()
            .expect("index names");
        assert!(!indexes.iter().any(|name| name == "orders_seller"));
        assert!(!indexes.iter().any(|name| name == "orders_buyer"));

        let page = plan(&conn, ORDERS_PAGE, params![1, 10, "x", 20]);
        assert!(page.contains("USING INDEX orders_seller_page"), "{page}");
        assert!(page.contains("USING INDEX orders_buyer_page"), "{page}");
        assert!(!page.contains("SCAN orders"), "{page}");
    }

    #[test]
    fn each_event_query_has_its_own_index() {
        let conn = migrated();
        let after = plan(&conn, EVENTS_AFTER, params![1, 0, 50]);
        assert!(after.contains("USING INDEX events_user_seq"), "{after}");
        assert!(!after.contains("TEMP B-TREE"), "{after}");
        let before = plan(&conn, EVENTS_BEFORE, params![1, "transfer", 100, 50]);
        assert!(
            before.contains("USING INDEX events_user_kind_seq"),
            "{before}"
        );
        assert!(!before.contains("TEMP B-TREE"), "{before}");
    }

    /// A part of a job that panics is undone like one that fails; the job goes on, and the
    /// rest of it commits (the timer relies on this to skip one broken order).
    #[test]
    fn a_panicking_part_of_a_job_is_undone_and_the_job_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(dir.path().join("attempt.db")).expect("store");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let part = runtime
            .block_on(store.write(|tx| {
                tx.use_nonce(1, "kept-nonce-00001", 10)?;
                attempt(tx, |tx| -> StoreResult<()> {
                    tx.use_nonce(1, "undone-nonce-001", 10)?;
                    panic!("probe: a broken invariant")
                })
            }))
            .expect("the job commits");
        let error = part.expect_err("the part panicked");
        // The service answers it as 500 internal_error (service::error's tests).
        assert_eq!(error, StoreError::Panicked);
        let (kept, undone) = runtime
            .block_on(store.write(|tx| {
                Ok::<_, StoreError>((
                    tx.use_nonce(1, "kept-nonce-00001", 11)?,
                    tx.use_nonce(1, "undone-nonce-001", 11)?,
                ))
            }))
            .expect("second job");
        assert_eq!((kept, undone), (false, true), "first seen again: false");
    }

    /// A signed code used before version 5 recorded no expiry: it gets the longest a code
    /// can live (30 days) after its use, so housekeeping never forgets it too early.
    #[test]
    fn code_nonces_from_before_expiries_were_kept_get_the_longest_lifetime() {
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        migrations().to_version(&mut conn, 4).expect("version 4");
        conn.execute(
            "INSERT INTO code_nonces (nonce, used_at) VALUES ('old-nonce', 1000)",
            [],
        )
        .expect("old row");
        migrations().to_latest(&mut conn).expect("latest");
        let expires_at: i64 = conn
            .query_row(
                "SELECT expires_at FROM code_nonces WHERE nonce = 'old-nonce'",
                [],
                |row| row.get(0),
            )
            .expect("expiry");
        assert_eq!(expires_at, 1000 + 30 * 24 * 3600);
    }

    /// Housekeeping deletes by time, not by key: each delete finds its rows by an index
    /// instead of reading the whole table inside the single writer.
    #[test]
    fn every_purge_uses_an_index() {
        let conn = migrated();
        for (sql, index) in [
            ("DELETE FROM nonces WHERE seen_at < ?1", "nonces_seen_at"),
            (
                "DELETE FROM idempotency WHERE created_at < ?1",
                "idempotency_created_at",
            ),
            (
                "DELETE FROM code_nonces WHERE expires_at < ?1",
                "code_nonces_expiry",
            ),
            (
                "DELETE FROM paycode_uses WHERE step < ?1",
                "paycode_uses_step",
            ),
            (
                "DELETE FROM paycode_failures WHERE at < ?1",
                "paycode_failures_at",
            ),
        ] {
            let plan = plan(&conn, sql, [0]);
            assert!(plan.contains(&format!("INDEX {index}")), "{sql}: {plan}");
        }
    }
}
