//! The wallet's local store: one SQLite file (bundled SQLite, WAL) that caches what the server
//! said (profile, balances, activity, orders, contacts), holds the outbox of commands and the
//! sync cursor, and keeps the device's secrets sealed. See docs/client-storage.md.
//!
//! # Using it
//!
//! [`LocalStore::open`] creates or migrates the file and unwraps the data key through the
//! platform [`KeyStore`]. Every method is synchronous, short (one statement or one small
//! transaction) and takes `&self`: the store is `Send + Sync` (one connection behind a mutex),
//! so an async facade shares it in an `Arc` and calls it from a blocking thread. Times are Unix
//! seconds passed in by the caller, so tests control them.
//!
//! - identity: [`profile`](LocalStore::profile) / [`set_profile`](LocalStore::set_profile)
//! - secrets (sealed transparently): [`put_secret`](LocalStore::put_secret),
//!   [`secret`](LocalStore::secret), [`put_software_signer`](LocalStore::put_software_signer),
//!   [`put_payment_code_credentials`](LocalStore::put_payment_code_credentials)
//! - cache: [`replace_balances`](LocalStore::replace_balances),
//!   [`activity_page`](LocalStore::activity_page), [`upsert_order`](LocalStore::upsert_order),
//!   [`upsert_contact`](LocalStore::upsert_contact), ...
//! - sync: [`apply_sync`](LocalStore::apply_sync) / [`apply_events`](LocalStore::apply_events)
//!   apply one step in one transaction, idempotently; [`cursor`](LocalStore::cursor).
//! - outbox: [`enqueue`](LocalStore::enqueue) (before any network),
//!   [`next_due`](LocalStore::next_due), [`mark_sending`](LocalStore::mark_sending),
//!   [`record_outcome`](LocalStore::record_outcome).
//!
//! Nothing here logs a secret: the only log lines are the open/migration/recovery events
//! below, with paths, versions and counts.

mod error;
mod migrate_v3;
mod outbox;
mod records;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use ring::rand::SystemRandom;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations, SchemaVersion};
use zeroize::Zeroizing;

pub use error::StoreError;
pub use records::{
    AttemptOutcome, Balance, COMMAND_VERSION, CachedOrder, CommandAnswer, CommandState, Contact,
    FeedEvent, NewCommand, OutboxEntry, PaymentCodeCredentials, Profile, SecretSlot, StoredCommand,
    SyncApplied, SyncBatch, UNCONVERTED_COMMAND_VERSION, UnreadableCommand, queued_body,
};

use crate::secrets::{
    DataKey, KeyStore, SealContext, Sealer, SecretBytes, SecretError, SoftwareSigner,
};
use danbao_domain::paycode::{AccountIndex, MaskWindow, PaycodeSecret};
use danbao_domain::protocol::wire::{self, KIND_TRANSFER};
use error::DatabaseContext;

/// The largest page any paging method returns; larger limits are clamped to it.
pub const MAX_PAGE: u32 = 500;

/// The schema, one entry per version (version = position + 1). Never edit a released entry:
/// add a new one, and keep a fixture of the old version (core/client/tests/fixtures/client-db/).
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("sql/001_initial.sql")).foreign_key_check(),
        M::up(include_str!("sql/002_outbox_errors_and_indexes.sql")).foreign_key_check(),
        M::up_with_hook(
            include_str!("sql/003_outbox_commands.sql"),
            migrate_v3::convert_outbox,
        )
        .foreign_key_check(),
    ])
}

/// The schema version this build creates and reads.
pub const SCHEMA_VERSION: usize = 3;

/// The wallet's local SQLite store. See the [module docs](self).
pub struct LocalStore {
    conn: Mutex<Connection>,
    sealer: Sealer,
    rng: SystemRandom,
    path: PathBuf,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn seal_context(slot: SecretSlot) -> SealContext<'static> {
    SealContext {
        table: "secrets",
        column: "sealed",
        row_id: slot.as_str(),
    }
}

fn clamp_limit(limit: u32) -> u32 {
    limit.min(MAX_PAGE)
}

fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl LocalStore {
    /// Opens the store at `path`, creating the file if it does not exist.
    ///
    /// Sets WAL, `synchronous=FULL` (an enqueued command is on disk before the caller sends
    /// it) and foreign keys; migrates the schema to [`SCHEMA_VERSION`] in one transaction;
    /// unwraps the data key with `key_store`, or on first open generates one and stores it
    /// wrapped; and makes commands that a dead process left `Sending` pending again (their
    /// idempotency key makes the resend safe).
    pub fn open(path: impl AsRef<Path>, key_store: &dyn KeyStore) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let open_error = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        let mut conn = Connection::open(&path).map_err(|e| open_error(e.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| open_error(e.to_string()))?;
        let journal_mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| open_error(format!("cannot switch to WAL: {e}")))?;
        if !journal_mode.eq_ignore_ascii_case("wal") {
            return Err(open_error(format!(
                "the journal mode is {journal_mode}; the store needs WAL (is the file on a \
                 file system without shared memory?)"
            )));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| open_error(e.to_string()))?;
        conn.set_prepared_statement_cache_capacity(64);

        let from = migrate(&mut conn, &path)?;
        let key = load_or_create_data_key(&mut conn, key_store)?;
        let interrupted = conn
            .execute(
                "UPDATE outbox SET state = 'pending',
                        last_error = 'interrupted: the app stopped during an attempt'
                  WHERE state = 'sending'",
                [],
            )
            .during("making interrupted outbox commands pending again")?;
        if interrupted > 0 {
            tracing::info!(
                interrupted,
                "outbox commands interrupted by a previous process will be resent"
            );
        }
        tracing::debug!(
            path = %path.display(),
            from_version = from,
            version = SCHEMA_VERSION,
            "client store opened"
        );
        Ok(Self {
            conn: Mutex::new(conn),
            sealer: Sealer::new(key),
            rng: SystemRandom::new(),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file (always [`SCHEMA_VERSION`] after a successful
    /// open).
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        let conn = self.conn();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .during("reading the schema version")?;
        usize::try_from(version).map_err(|_| StoreError::Corrupt {
            what: "schema version".into(),
            reason: format!("{version} is negative"),
        })
    }

    /// The connection. A panic while it was held cannot leave a transaction open (rusqlite
    /// rolls back on drop), so a poisoned lock is safe to take over.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ---- profile -----------------------------------------------------------------------

    /// The signed-up identity, or `None` before sign-up.
    pub fn profile(&self) -> Result<Option<Profile>, StoreError> {
        self.conn()
            .prepare_cached(
                "SELECT server_url, user_id, handle, display_name, device_id
                   FROM profile WHERE id = 1",
            )
            .and_then(|mut stmt| {
                stmt.query_row([], |row| {
                    Ok(Profile {
                        server_url: row.get(0)?,
                        user_id: row.get(1)?,
                        handle: row.get(2)?,
                        display_name: row.get(3)?,
                        device_id: row.get(4)?,
                    })
                })
                .optional()
            })
            .during("reading the profile")
    }

    /// Stores (or replaces) the signed-up identity.
    pub fn set_profile(&self, profile: &Profile, now: i64) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO profile (id, server_url, user_id, handle, display_name, device_id,
                                      updated_at)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET
                     server_url = excluded.server_url, user_id = excluded.user_id,
                     handle = excluded.handle, display_name = excluded.display_name,
                     device_id = excluded.device_id, updated_at = excluded.updated_at",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    profile.server_url,
                    profile.user_id,
                    profile.handle,
                    profile.display_name,
                    profile.device_id,
                    now
                ])
            })
            .during("writing the profile")?;
        Ok(())
    }

    // ---- secrets -----------------------------------------------------------------------

    /// Seals `value` under the data key (bound to `slot`) and stores it, replacing what the
    /// slot held.
    pub fn put_secret(&self, slot: SecretSlot, value: &[u8], now: i64) -> Result<(), StoreError> {
        let sealed = self.sealer.seal(&self.rng, seal_context(slot), value)?;
        put_sealed(&self.conn(), slot, &sealed, now)
    }

    /// The secret in `slot`, unsealed, or `None` if the slot is empty. Fails if the stored
    /// value was altered or copied from another slot.
    pub fn secret(&self, slot: SecretSlot) -> Result<Option<SecretBytes>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn()
            .prepare_cached("SELECT sealed FROM secrets WHERE slot = ?1")
            .and_then(|mut stmt| stmt.query_row([slot.as_str()], |row| row.get(0)).optional())
            .during("reading a sealed secret")?;
        match sealed {
            None => Ok(None),
            Some(sealed) => Ok(Some(self.sealer.open(seal_context(slot), &sealed)?)),
        }
    }

    /// Whether `slot` holds a value (without opening it).
    pub fn has_secret(&self, slot: SecretSlot) -> Result<bool, StoreError> {
        self.conn()
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM secrets WHERE slot = ?1)")
            .and_then(|mut stmt| stmt.query_row([slot.as_str()], |row| row.get(0)))
            .during("looking for a sealed secret")
    }

    /// Empties `slot`. Returns whether it held a value.
    pub fn delete_secret(&self, slot: SecretSlot) -> Result<bool, StoreError> {
        let deleted = self
            .conn()
            .execute("DELETE FROM secrets WHERE slot = ?1", [slot.as_str()])
            .during("deleting a secret")?;
        Ok(deleted > 0)
    }

    /// Stores the software signer's PKCS#8 document, sealed, in
    /// [`SecretSlot::DeviceSigningKey`].
    pub fn put_software_signer(&self, signer: &SoftwareSigner, now: i64) -> Result<(), StoreError> {
        self.put_secret(SecretSlot::DeviceSigningKey, signer.pkcs8().expose(), now)
    }

    /// The software signer stored with [`LocalStore::put_software_signer`], or `None`.
    pub fn software_signer(&self) -> Result<Option<SoftwareSigner>, StoreError> {
        match self.secret(SecretSlot::DeviceSigningKey)? {
            None => Ok(None),
            Some(pkcs8) => Ok(Some(SoftwareSigner::from_pkcs8(pkcs8.expose())?)),
        }
    }

    /// Stores the payment-code secret, masks and account index, each sealed in its slot, in
    /// one transaction.
    pub fn put_payment_code_credentials(
        &self,
        credentials: &PaymentCodeCredentials,
        now: i64,
    ) -> Result<(), StoreError> {
        let index = u64::from(credentials.account_index.get()).to_be_bytes();
        let masks = credentials.masks.to_bytes();
        let parts: [(SecretSlot, &[u8]); 3] = [
            (
                SecretSlot::PaymentCodeSecret,
                credentials.secret.expose_bytes(),
            ),
            (SecretSlot::PaymentCodeMasks, &masks),
            (SecretSlot::PaymentCodeAccountIndex, &index),
        ];
        let mut sealed = Vec::with_capacity(parts.len());
        for (slot, value) in parts {
            sealed.push((
                slot,
                self.sealer.seal(&self.rng, seal_context(slot), value)?,
            ));
        }
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to store the payment-code credentials")?;
        for (slot, value) in &sealed {
            put_sealed(&tx, *slot, value, now)?;
        }
        tx.commit()
            .during("committing the payment-code credentials")?;
        Ok(())
    }

    /// Replaces the payment-code masks (a refreshed window for the same secret), sealed.
    pub fn put_payment_code_masks(&self, masks: &MaskWindow, now: i64) -> Result<(), StoreError> {
        self.put_secret(SecretSlot::PaymentCodeMasks, &masks.to_bytes(), now)
    }

    /// Whether this device was provisioned under the first payment-code layout (its masks
    /// slot holds the deployment's mask key, not a window of masks): it must be provisioned
    /// again, and [`LocalStore::payment_code_credentials`] reads `None` until then.
    pub fn payment_code_outdated(&self) -> Result<bool, StoreError> {
        if !self.has_secret(SecretSlot::PaymentCodeSecret)? {
            return Ok(false);
        }
        // The slot is sealed (authenticated): what does not read as a window is the mask key
        // an earlier version stored there, not damage.
        Ok(self
            .secret(SecretSlot::PaymentCodeMasks)?
            .is_some_and(|masks| MaskWindow::from_bytes(masks.expose()).is_err()))
    }

    /// The payment-code credentials, or `None` if none were provisioned (or only under the
    /// first layout: see [`LocalStore::payment_code_outdated`]). Fails if only some of the
    /// three slots are filled.
    pub fn payment_code_credentials(&self) -> Result<Option<PaymentCodeCredentials>, StoreError> {
        let secret = self.secret(SecretSlot::PaymentCodeSecret)?;
        let masks = self.secret(SecretSlot::PaymentCodeMasks)?;
        let index = self.secret(SecretSlot::PaymentCodeAccountIndex)?;
        let (secret, masks, index) = match (secret, masks, index) {
            (None, None, None) => return Ok(None),
            (Some(s), Some(m), Some(i)) => (s, m, i),
            (s, m, i) => {
                return Err(StoreError::Corrupt {
                    what: "payment-code credentials".into(),
                    reason: format!(
                        "only some parts are stored (secret: {}, masks: {}, account index: \
                         {}); store all three together",
                        s.is_some(),
                        m.is_some(),
                        i.is_some()
                    ),
                });
            }
        };
        let Ok(masks) = MaskWindow::from_bytes(masks.expose()) else {
            // The first layout's mask key: provision again.
            return Ok(None);
        };
        let corrupt = |what: &str, reason: String| StoreError::Corrupt {
            what: what.into(),
            reason,
        };
        let index_bytes: [u8; 8] = index.expose().try_into().map_err(|_| {
            corrupt(
                "payment-code account index",
                format!("it is {} bytes; it must be 8", index.len()),
            )
        })?;
        let account_index = AccountIndex::new(u64::from_be_bytes(index_bytes))
            .map_err(|e| corrupt("payment-code account index", e.to_string()))?;
        Ok(Some(PaymentCodeCredentials {
            secret: PaycodeSecret::from_bytes(secret.expose())
                .map_err(|e| corrupt("payment-code secret", e.to_string()))?,
            masks,
            account_index,
        }))
    }

    // ---- balances ----------------------------------------------------------------------

    /// Replaces the cached balances with `balances` (one transaction). Returns whether they
    /// differ from what was cached.
    pub fn replace_balances(&self, balances: &[Balance], now: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to replace balances")?;
        let changed = replace_balances_in(&tx, balances, now)?;
        tx.commit().during("committing balances")?;
        Ok(changed)
    }

    /// Caches one currency's balance (as a payment's answer gives it), leaving the others;
    /// returns whether it changed.
    pub fn put_balance(&self, balance: &Balance, now: i64) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .prepare_cached(
                "INSERT INTO balances (currency, available, held_out, incoming, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (currency) DO UPDATE SET
                     available = excluded.available, held_out = excluded.held_out,
                     incoming = excluded.incoming, updated_at = excluded.updated_at
                 WHERE (available, held_out, incoming)
                       <> (excluded.available, excluded.held_out, excluded.incoming)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    balance.currency,
                    balance.available,
                    balance.held_out,
                    balance.incoming,
                    now
                ])
            })
            .during("writing a balance")?;
        Ok(changed > 0)
    }

    /// The cached balances, by currency code.
    pub fn balances(&self) -> Result<Vec<Balance>, StoreError> {
        read_balances(&self.conn())
    }

    // ---- activity ----------------------------------------------------------------------

    /// Caches feed events; events already cached (same `seq`) are left as they are. Returns
    /// the `seq`s that were new, ascending.
    pub fn upsert_activity(&self, events: &[FeedEvent]) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting to cache activity")?;
        let new = insert_events(&tx, events)?;
        tx.commit().during("committing activity")?;
        Ok(new)
    }

    /// Newest-first page of cached events with `seq < before_seq` (all when `None`), at
    /// most `limit` (clamped to [`MAX_PAGE`]). Pass the last `seq` of a page as
    /// `before_seq` to get the next one.
    pub fn activity_page(
        &self,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<FeedEvent>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, kind, data, created_at FROM activity
                  WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .during("reading an activity page")?;
        let rows = stmt
            .query_map(
                params![before_seq.unwrap_or(i64::MAX), clamp_limit(limit)],
                feed_event,
            )
            .and_then(Iterator::collect)
            .during("reading an activity page")?;
        Ok(rows)
    }

    /// Like [`LocalStore::activity_page`], only events of `kind` (e.g. `transfer` for the
    /// money-movement list).
    pub fn activity_page_of_kind(
        &self,
        kind: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<FeedEvent>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, kind, data, created_at FROM activity
                  WHERE kind = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
            )
            .during("reading an activity page")?;
        let rows = stmt
            .query_map(
                params![kind, before_seq.unwrap_or(i64::MAX), clamp_limit(limit)],
                feed_event,
            )
            .and_then(Iterator::collect)
            .during("reading an activity page")?;
        Ok(rows)
    }

    // ---- orders ------------------------------------------------------------------------

    /// Caches an order view. A view older than the cached one (`updated_at` smaller) is
    /// ignored. Returns whether the cache changed.
    pub fn upsert_order(&self, order: &CachedOrder) -> Result<bool, StoreError> {
        upsert_order_in(&self.conn(), order)
    }

    /// The cached order `id`, or `None`.
    pub fn order(&self, id: &str) -> Result<Option<CachedOrder>, StoreError> {
        self.conn()
            .prepare_cached("SELECT id, state, role, view, updated_at FROM orders WHERE id = ?1")
            .and_then(|mut stmt| stmt.query_row([id], cached_order).optional())
            .during("reading an order")
    }

    /// Cached orders, most recently updated first, at most `limit` (clamped to
    /// [`MAX_PAGE`]).
    pub fn orders(&self, limit: u32) -> Result<Vec<CachedOrder>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, state, role, view, updated_at FROM orders
                  ORDER BY updated_at DESC, id LIMIT ?1",
            )
            .during("listing orders")?;
        let rows = stmt
            .query_map([clamp_limit(limit)], cached_order)
            .and_then(Iterator::collect)
            .during("listing orders")?;
        Ok(rows)
    }

    /// Cached orders not in a final state (`completed`, `cancelled`, `refunded`): the ones
    /// that may still wait for the user. Most recently updated first, at most `limit`
    /// (clamped to [`MAX_PAGE`]).
    pub fn open_orders(&self, limit: u32) -> Result<Vec<CachedOrder>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, state, role, view, updated_at FROM orders
                  WHERE state NOT IN ('completed', 'cancelled', 'refunded')
                  ORDER BY updated_at DESC, id LIMIT ?1",
            )
            .during("listing open orders")?;
        let rows = stmt
            .query_map([clamp_limit(limit)], cached_order)
            .and_then(Iterator::collect)
            .during("listing open orders")?;
        Ok(rows)
    }

    // ---- contacts ----------------------------------------------------------------------

    /// Caches a contact: the display name is replaced, `last_used_at` only moves forward.
    pub fn upsert_contact(&self, contact: &Contact) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO contacts (handle, display_name, last_used_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (handle) DO UPDATE SET
                     display_name = excluded.display_name,
                     last_used_at = max(last_used_at, excluded.last_used_at)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    contact.handle,
                    contact.display_name,
                    contact.last_used_at
                ])
            })
            .during("writing a contact")?;
        Ok(())
    }

    /// Contacts, most recently used first, at most `limit` (clamped to [`MAX_PAGE`]).
    pub fn contacts(&self, limit: u32) -> Result<Vec<Contact>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT handle, display_name, last_used_at FROM contacts
                  ORDER BY last_used_at DESC, handle LIMIT ?1",
            )
            .during("listing contacts")?;
        let rows = stmt
            .query_map([clamp_limit(limit)], |row| {
                Ok(Contact {
                    handle: row.get(0)?,
                    display_name: row.get(1)?,
                    last_used_at: row.get(2)?,
                })
            })
            .and_then(Iterator::collect)
            .during("listing contacts")?;
        Ok(rows)
    }

    /// Whether this wallet completed a payment to `handle` before: an outgoing payment in the
    /// cached activity (to a friend, a request, a merchant code, a payment code charged, an
    /// order paid into escrow), or a send or code payment the outbox finished (before the
    /// feed brought it). Decides the first-payment warning of the confirm screens.
    pub fn paid_before(&self, handle: &str) -> Result<bool, StoreError> {
        let handle = handle.trim().trim_start_matches('@').to_ascii_lowercase();
        self.conn()
            .prepare_cached(
                "SELECT EXISTS (
                     SELECT 1 FROM activity
                      WHERE kind = 'transfer'
                        AND json_extract(data, '$.direction') = 'out'
                        AND json_extract(data, '$.counterparty') = ?1)
                  OR EXISTS (
                     SELECT 1 FROM outbox
                      WHERE state = 'done'
                        AND CASE json_extract(command, '$.command')
                              WHEN 'send' THEN json_extract(command, '$.args.to') = ?1
                              WHEN 'pay_code' THEN
                                  CASE WHEN json_valid(outcome_body)
                                       THEN json_extract(outcome_body, '$.payee.handle') = ?1
                                  END
                            END)",
            )
            .and_then(|mut stmt| stmt.query_row([handle], |row| row.get(0)))
            .during("reading whether a payee was paid before")
    }

    // ---- sync --------------------------------------------------------------------------

    /// The feed cursor sync stopped at, or `None` before the first sync.
    pub fn cursor(&self) -> Result<Option<i64>, StoreError> {
        read_cursor(&self.conn())
    }

    /// Sets the feed cursor, also backwards (to re-read the feed from an earlier point).
    /// Sync steps use [`LocalStore::apply_sync`], which only moves it forward.
    pub fn set_cursor(&self, cursor: i64, now: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO sync_state (id, cursor, synced_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor,
                                                synced_at = excluded.synced_at",
                params![cursor, now],
            )
            .during("writing the sync cursor")?;
        Ok(())
    }

    /// Applies one sync step in one transaction: caches the new events, upserts the order
    /// views, replaces the balances if given, and moves the cursor forward to
    /// `batch.cursor` (never back). Applying the same batch twice changes nothing the
    /// second time, and a crash leaves either all of it or none.
    pub fn apply_sync(&self, batch: &SyncBatch, now: i64) -> Result<SyncApplied, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting a sync step")?;
        let new_events = insert_events(&tx, &batch.events)?;
        remember_counterparties(&tx, &batch.events)?;
        let mut orders_changed = Vec::new();
        for order in &batch.orders {
            if upsert_order_in(&tx, order)? {
                orders_changed.push(order.id.clone());
            }
        }
        let balances_changed = match &batch.balances {
            Some(balances) => replace_balances_in(&tx, balances, now)?,
            None => false,
        };
        tx.execute(
            "INSERT INTO sync_state (id, cursor, synced_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET cursor = max(cursor, excluded.cursor),
                                            synced_at = excluded.synced_at",
            params![batch.cursor, now],
        )
        .during("moving the sync cursor")?;
        let cursor = read_cursor(&tx)?.unwrap_or(batch.cursor);
        tx.commit().during("committing a sync step")?;
        Ok(SyncApplied {
            new_events,
            orders_changed,
            balances_changed,
            cursor,
        })
    }

    /// [`LocalStore::apply_sync`] with events only.
    pub fn apply_events(
        &self,
        events: &[FeedEvent],
        cursor: i64,
        now: i64,
    ) -> Result<SyncApplied, StoreError> {
        self.apply_sync(
            &SyncBatch {
                events: events.to_vec(),
                cursor,
                ..SyncBatch::default()
            },
            now,
        )
    }
}

/// Migrates to the latest schema; returns the version found.
fn migrate(conn: &mut Connection, path: &Path) -> Result<usize, StoreError> {
    let migrations = migrations();
    let found = migrations
        .current_version(conn)
        .map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            reason: format!("cannot read the schema version: {e}"),
        })?;
    let from = match found {
        SchemaVersion::NoneSet => 0,
        SchemaVersion::Inside(v) => v.get(),
        SchemaVersion::Outside(v) => {
            return Err(StoreError::SchemaTooNew {
                path: path.display().to_string(),
                found: v.get(),
                supported: SCHEMA_VERSION,
            });
        }
    };
    if from < SCHEMA_VERSION {
        migrations
            .to_latest(conn)
            .map_err(|e| StoreError::Migration {
                from,
                to: SCHEMA_VERSION,
                reason: e.to_string(),
            })?;
        tracing::info!(from, to = SCHEMA_VERSION, "client store schema migrated");
    }
    Ok(from)
}

/// Unwraps the stored data key, or makes, wraps and stores a new one on first open.
fn load_or_create_data_key(
    conn: &mut Connection,
    key_store: &dyn KeyStore,
) -> Result<DataKey, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .during("starting to load the data key")?;
    let wrapped: Option<Vec<u8>> = tx
        .query_row("SELECT wrapped FROM data_key WHERE id = 1", [], |row| {
            row.get(0)
        })
        .optional()
        .during("reading the wrapped data key")?;
    let key = match wrapped {
        Some(wrapped) => {
            let plain = Zeroizing::new(key_store.unwrap(&wrapped)?);
            DataKey::from_bytes(&plain).map_err(|e| SecretError::Unwrap {
                reason: format!("the key store returned a wrong key: {e}"),
            })?
        }
        None => {
            let sealed_secrets: i64 = tx
                .query_row("SELECT count(*) FROM secrets", [], |row| row.get(0))
                .during("counting sealed secrets")?;
            if sealed_secrets > 0 {
                return Err(StoreError::Corrupt {
                    what: "data key".into(),
                    reason: format!(
                        "it is missing while {sealed_secrets} sealed secrets exist; they cannot \
                         be opened: delete the database and register the device again"
                    ),
                });
            }
            let key = DataKey::generate(&SystemRandom::new())?;
            let wrapped = key_store.wrap(key.expose())?;
            tx.execute(
                "INSERT INTO data_key (id, wrapped, created_at) VALUES (1, ?1, ?2)",
                params![wrapped, system_now()],
            )
            .during("storing the wrapped data key")?;
            tracing::info!("client store data key created and stored wrapped");
            key
        }
    };
    tx.commit().during("committing the data key")?;
    Ok(key)
}

fn put_sealed(
    conn: &Connection,
    slot: SecretSlot,
    sealed: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO secrets (slot, sealed, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (slot) DO UPDATE SET sealed = excluded.sealed,
                                          updated_at = excluded.updated_at",
    )
    .and_then(|mut stmt| stmt.execute(params![slot.as_str(), sealed, now]))
    .during("writing a sealed secret")?;
    Ok(())
}

fn read_balances(conn: &Connection) -> Result<Vec<Balance>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT currency, available, held_out, incoming FROM balances ORDER BY currency",
        )
        .during("reading balances")?;
    let rows = stmt
        .query_map([], |row| {
            Ok(Balance {
                currency: row.get(0)?,
                available: row.get(1)?,
                held_out: row.get(2)?,
                incoming: row.get(3)?,
            })
        })
        .and_then(Iterator::collect)
        .during("reading balances")?;
    Ok(rows)
}

fn replace_balances_in(
    tx: &Transaction<'_>,
    balances: &[Balance],
    now: i64,
) -> Result<bool, StoreError> {
    let mut wanted = balances.to_vec();
    wanted.sort_by(|a, b| a.currency.cmp(&b.currency));
    if let Some(pair) = wanted.windows(2).find(|w| w[0].currency == w[1].currency) {
        return Err(StoreError::InvalidInput {
            what: "balances",
            reason: format!(
                "{} appears twice; give one balance per currency",
                pair[0].currency
            ),
        });
    }
    if read_balances(tx)? == wanted {
        return Ok(false);
    }
    tx.execute("DELETE FROM balances", [])
        .during("clearing balances")?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO balances (currency, available, held_out, incoming, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .during("writing balances")?;
    for balance in &wanted {
        stmt.execute(params![
            balance.currency,
            balance.available,
            balance.held_out,
            balance.incoming,
            now
        ])
        .during("writing balances")?;
    }
    Ok(true)
}

/// Keeps the people the user paid or was paid by as contacts, from the transfer events' named
/// counterparty (the server's display name), most recent dealing first.
fn remember_counterparties(tx: &Transaction<'_>, events: &[FeedEvent]) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO contacts (handle, display_name, last_used_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (handle) DO UPDATE SET
                 display_name = CASE WHEN excluded.last_used_at >= last_used_at
                                     THEN excluded.display_name ELSE display_name END,
                 last_used_at = max(last_used_at, excluded.last_used_at)",
        )
        .during("remembering contacts")?;
    for event in events.iter().filter(|event| event.kind == KIND_TRANSFER) {
        // An entry this version cannot read (a newer server's) names nobody it knows of.
        let Ok(data) = serde_json::from_str::<serde_json::Value>(&event.data_json) else {
            continue;
        };
        let Ok(typed) = wire::FeedEvent::from_parts(&event.kind, &data) else {
            continue;
        };
        if let Some((handle, name)) = typed.counterparty() {
            stmt.execute(params![handle, name, event.created_at])
                .during("remembering contacts")?;
        }
    }
    Ok(())
}

fn insert_events(tx: &Transaction<'_>, events: &[FeedEvent]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO activity (seq, kind, data, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (seq) DO NOTHING",
        )
        .during("caching activity")?;
    let mut new = Vec::new();
    for event in events {
        let inserted = stmt
            .execute(params![
                event.seq,
                event.kind,
                event.data_json,
                event.created_at
            ])
            .map_err(|e| json_refused(e, "event data", event.seq.to_string()))?;
        if inserted > 0 {
            new.push(event.seq);
        }
    }
    new.sort_unstable();
    Ok(new)
}

fn upsert_order_in(conn: &Connection, order: &CachedOrder) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "INSERT INTO orders (id, state, role, view, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET
                 state = excluded.state, role = excluded.role, view = excluded.view,
                 updated_at = excluded.updated_at
             WHERE excluded.updated_at > orders.updated_at
                OR (excluded.updated_at = orders.updated_at
                    AND (excluded.view IS NOT orders.view OR excluded.state IS NOT orders.state
                         OR excluded.role IS NOT orders.role))",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                order.id,
                order.state,
                order.role,
                order.view_json,
                order.updated_at
            ])
        })
        .map_err(|e| json_refused(e, "order view", order.id.clone()))?;
    Ok(changed > 0)
}

fn read_cursor(conn: &Connection) -> Result<Option<i64>, StoreError> {
    conn.prepare_cached("SELECT cursor FROM sync_state WHERE id = 1")
        .and_then(|mut stmt| stmt.query_row([], |row| row.get(0)).optional())
        .during("reading the sync cursor")
}

/// A CHECK failure on a JSON column means the caller passed text that is not JSON.
fn json_refused(error: rusqlite::Error, what: &'static str, id: String) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::InvalidInput {
            what,
            reason: format!("the {what} of {id} is not valid JSON; pass the server's JSON text"),
        },
        _ => StoreError::Database {
            operation: "writing the cache",
            source: error,
        },
    }
}

fn feed_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<FeedEvent> {
    Ok(FeedEvent {
        seq: row.get(0)?,
        kind: row.get(1)?,
        data_json: row.get(2)?,
        created_at: row.get(3)?,
    })
}

fn cached_order(row: &rusqlite::Row<'_>) -> rusqlite::Result<CachedOrder> {
    Ok(CachedOrder {
        id: row.get(0)?,
        state: row.get(1)?,
        role: row.get(2)?,
        view_json: row.get(3)?,
        updated_at: row.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
        assert_eq!(
            migrations()
                .pending_migrations(&Connection::open_in_memory().unwrap())
                .unwrap(),
            SCHEMA_VERSION as i32
        );
    }
}
