//! The `Wallet` facade: the whole API a shell (Android, iOS, CLI) needs (DESIGN.md §7).
//!
//! - Reads for screens ([`Wallet::home`], [`Wallet::orders`], [`Wallet::outbox`],
//!   [`Wallet::profile`], [`Wallet::payment_code`]) come from the local cache: no network, a
//!   few small SQLite reads.
//! - Commands that move money or change an order ([`Wallet::pay`], [`Wallet::send`],
//!   [`Wallet::answer_request`], [`Wallet::order_action`], [`Wallet::charge_payment_code`])
//!   go through the outbox ([`outbox`]): written with their idempotency key before the first
//!   attempt, sent, and retried with the same key until the server answers; exactly once.
//! - [`Wallet::sync`] flushes the outbox, reads the event feed from the stored cursor, applies
//!   it idempotently with the balances, and tells the [`ChangeListener`] what changed.
//! - Time comes from an injectable [`Clock`] ([`WalletOptions`]).
//!
//! Every method returns a [`WalletError`]; nothing input, disk or network can make panics.
//! SQLite work of the async methods runs on Tokio's blocking pool.

mod error;
pub mod outbox;
pub mod view;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::{Value, json};

pub use error::WalletError;
pub use view::{
    ActionInput, ActivityItem, ActivityPage, Amount, BalanceLine, CodeView, CommandOutcome,
    HomeSnapshot, OrderButton, OrderCreated, OrderSummary, OutboxItem, PaymentCodeView, Profile,
    RequestView, ScanKind, ScanScreen, Shipment,
};

use super::api::{self, DeviceApi, IssueKind, NewCode, new_idempotency_key};
use super::secrets::{KeyStore, Signer, SoftwareSigner};
use super::store::{
    self, Balance, CachedOrder, CommandState, FeedEvent, LocalStore, MAX_PAGE, NewCommand,
    OutboxEntry, PaymentCodeCredentials, SyncBatch,
};
use super::transport::{
    Answer, Call, Clock, PinSet, RandomJitter, RetryPolicy, SystemClock, Transport,
    TransportConfig, TransportError, TrustRoots, encode_component,
};
use danbao_domain::money::{Currency, Money};
use danbao_domain::paycode::{
    AccountIndex, IndexMaskKey, PAYMENT_CODE_LEN, PaycodeSecret, PaymentCodeGenerator, STEP_SECONDS,
};
use danbao_domain::qr::render::{RenderOptions, render_svg};
use danbao_domain::qr::{ScanOutcome, scan};

/// Where the wallet keeps its data and which server it talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletConfig {
    /// The SQLite file (created on first open).
    pub db_path: PathBuf,
    /// The server's base URL: `https://…`, or `http://` to a loopback host (tests, CLI).
    pub server_url: String,
    /// SPKI pins (base64 SHA-256) of the server key and a backup key; empty for no pinning.
    pub spki_pins: Vec<String>,
}

/// Settings beyond [`WalletConfig`], with production defaults ([`WalletOptions::default`]);
/// tests inject the clock and shorten the network waits.
#[derive(Clone)]
pub struct WalletOptions {
    /// The time source for signatures, cache stamps and outbox scheduling.
    pub clock: Arc<dyn Clock>,
    /// Retries of one request inside one attempt (the outbox retries across attempts).
    pub retry: RetryPolicy,
    /// Limit for opening a connection.
    pub connect_timeout: Duration,
    /// Limit for one request.
    pub request_timeout: Duration,
    /// Which certificate authorities are trusted.
    pub roots: TrustRoots,
}

impl Default for WalletOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(2),
            },
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            roots: TrustRoots::Mozilla,
        }
    }
}

impl std::fmt::Debug for WalletOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletOptions")
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// Told what changed, so the shell re-renders (called on the thread that made the change;
/// keep it short: post to the UI thread).
pub trait ChangeListener: Send + Sync {
    /// One area changed.
    fn on_change(&self, change: Change);
}

/// What changed (for the shell to re-render).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Balances.
    Balances,
    /// The activity list.
    Activity,
    /// Orders.
    Orders,
    /// The outbox (a command was queued, sent or answered).
    Outbox,
    /// The profile (sign-up, payment codes enabled).
    Profile,
}

/// Largest feed page sync asks for.
const SYNC_PAGE: u32 = 200;
/// Recent activity rows on the home screen.
const HOME_RECENT: u32 = 20;
/// Open orders the home screen looks at (most recently changed first).
const HOME_OPEN_ORDERS: u32 = 100;
/// The most commands one flush sends.
const FLUSH_LIMIT: u32 = 200;
/// Memo and note length the server accepts.
const MAX_NOTE_CHARS: usize = 140;

/// The wallet: one user on one device, one database file. Cheap to share (`Arc`); every
/// method takes `&self`.
pub struct Wallet {
    store: Arc<LocalStore>,
    transport: Transport,
    signer: Arc<dyn Signer>,
    clock: Arc<dyn Clock>,
    profile: RwLock<Option<store::Profile>>,
    listener: RwLock<Option<Arc<dyn ChangeListener>>>,
    flush_lock: tokio::sync::Mutex<()>,
    sync_lock: tokio::sync::Mutex<()>,
    paused: AtomicBool,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("store", &self.store)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

fn check_note(field: &str, text: &str) -> Result<(), WalletError> {
    let chars = text.chars().count();
    if chars > MAX_NOTE_CHARS {
        return Err(WalletError::invalid(
            field,
            format!("it has {chars} characters; at most {MAX_NOTE_CHARS} are allowed"),
        ));
    }
    Ok(())
}

fn currency(code: &str) -> Result<Currency, WalletError> {
    Currency::from_code(code.trim()).map_err(|e| WalletError::invalid("currency", e.to_string()))
}

/// A positive amount typed by the user.
fn positive_amount(text: &str, currency: Currency) -> Result<Money, WalletError> {
    let money = Money::parse(text.trim(), currency)?;
    if money.minor() <= 0 {
        return Err(WalletError::invalid(
            "amount",
            format!(
                "{} is not more than zero; enter a positive amount such as \"12.50\"",
                money.format_with_code()
            ),
        ));
    }
    Ok(money)
}

fn handle_arg(field: &str, handle: &str) -> Result<String, WalletError> {
    let handle = handle.trim().trim_start_matches('@');
    if handle.is_empty() {
        return Err(WalletError::invalid(
            field,
            "it is empty; give the friend's handle, e.g. \"bob\"",
        ));
    }
    Ok(handle.to_ascii_lowercase())
}

/// The amount a payer gives for a code: checked against the code's own amount, or required
/// when the code has none. `None` means "the code's amount".
fn amount_for_code(
    given: Option<&str>,
    currency: Currency,
    fixed: Option<i64>,
) -> Result<Option<String>, WalletError> {
    let given = given.map(str::trim).filter(|t| !t.is_empty());
    match (given, fixed) {
        (None, Some(_)) => Ok(None),
        (None, None) => Err(WalletError::invalid(
            "amount",
            format!(
                "this code has no amount: enter how much to pay in {}, e.g. \"12.50\"",
                currency.code()
            ),
        )),
        (Some(text), fixed) => {
            let money = positive_amount(text, currency)?;
            if let Some(fixed) = fixed
                && fixed != money.minor()
            {
                return Err(WalletError::invalid(
                    "amount",
                    format!(
                        "the code asks for {}; you entered {} (leave the amount out to pay the \
                         code's amount)",
                        Money::from_minor(fixed, currency).format_with_code(),
                        money.format_with_code()
                    ),
                ));
            }
            Ok(Some(money.format()))
        }
    }
}

fn balance_of(view: &api::BalanceView) -> Balance {
    Balance {
        currency: view.currency.clone(),
        available: view.available.minor,
        held_out: view.held_out.minor,
        incoming: view.incoming.minor,
    }
}

fn render(text: &str) -> Result<String, WalletError> {
    render_svg(text, &RenderOptions::default()).map_err(|e| WalletError::Code {
        detail: format!("the code cannot be drawn as a QR code: {e}"),
    })
}

/// Sign-up's idempotency key: derived from the device key and the handle, so a sign-up whose
/// answer was lost is the same request when tried again (the server answers it once).
fn sign_up_key(public_key: &[u8], handle: &str) -> String {
    let mut input = public_key.to_vec();
    input.push(0);
    input.extend_from_slice(handle.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    format!(
        "dbk-signup-{}",
        danbao_domain::protocol::hex_lower(&digest.as_ref()[..20])
    )
}

/// Sends a stored command exactly as stored (fresh signature, same key).
async fn transmit(api: DeviceApi, command: NewCommand) -> Result<Answer, TransportError> {
    let call = Call::post(
        command.path,
        command.body_json.into_bytes(),
        Some(&command.idempotency_key),
    );
    api.raw(&call).await
}

impl Wallet {
    /// Opens (or creates) the wallet at `config.db_path` with the default options. See
    /// [`Wallet::open_with`].
    pub async fn open(
        config: WalletConfig,
        key_store: Arc<dyn KeyStore>,
        signer: Option<Arc<dyn Signer>>,
    ) -> Result<Wallet, WalletError> {
        Self::open_with(config, key_store, signer, WalletOptions::default()).await
    }

    /// Opens (or creates) the wallet: the database (migrated, data key unwrapped through
    /// `key_store`), the device key (`signer`; `None` = a software key kept sealed in the
    /// database, created on first open — CLI and tests), the transport. If commands are
    /// waiting in the outbox, tries to send them (failures leave them queued; open still
    /// succeeds offline).
    pub async fn open_with(
        config: WalletConfig,
        key_store: Arc<dyn KeyStore>,
        signer: Option<Arc<dyn Signer>>,
        options: WalletOptions,
    ) -> Result<Wallet, WalletError> {
        let pins = if config.spki_pins.is_empty() {
            None
        } else {
            Some(
                PinSet::new(&config.spki_pins)
                    .map_err(|e| WalletError::invalid("spki_pins", e.to_string()))?,
            )
        };
        let transport_config = TransportConfig {
            base_url: config.server_url.clone(),
            connect_timeout: options.connect_timeout,
            request_timeout: options.request_timeout,
            retry: options.retry,
            roots: options.roots.clone(),
            pins,
        };
        let transport = Transport::new(
            transport_config,
            Arc::clone(&options.clock),
            Arc::new(RandomJitter::new()),
        )
        .map_err(|e| match e {
            TransportError::InvalidUrl { .. } => WalletError::invalid("server_url", e.to_string()),
            other => WalletError::from(other),
        })?;
        let now = options.clock.now_unix_secs();
        let db_path = config.db_path.clone();
        let opened = move || LocalStore::open(&db_path, key_store.as_ref());
        let store = match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle
                    .spawn_blocking(opened)
                    .await
                    .map_err(|e| WalletError::Storage {
                        detail: format!("opening the local database stopped: {e}"),
                    })??
            }
            Err(_) => opened()?,
        };
        let store = Arc::new(store);
        let signer: Arc<dyn Signer> = match signer {
            Some(signer) => signer,
            None => {
                let software = outbox::on_store(&store, move |s| match s.software_signer()? {
                    Some(existing) => Ok(existing),
                    None => {
                        let fresh = SoftwareSigner::generate(&ring::rand::SystemRandom::new())?;
                        s.put_software_signer(&fresh, now)?;
                        Ok(fresh)
                    }
                })
                .await?;
                Arc::new(software)
            }
        };
        let profile = outbox::on_store(&store, |s| s.profile()).await?;
        if let Some(profile) = &profile
            && profile.server_url != transport.base_url()
        {
            return Err(WalletError::invalid(
                "server_url",
                format!(
                    "this wallet is registered with {}, not {}; open it with that URL or use \
                     another database file",
                    profile.server_url,
                    transport.base_url()
                ),
            ));
        }
        let wallet = Wallet {
            store,
            transport,
            signer,
            clock: options.clock,
            profile: RwLock::new(profile),
            listener: RwLock::new(None),
            flush_lock: tokio::sync::Mutex::new(()),
            sync_lock: tokio::sync::Mutex::new(()),
            paused: AtomicBool::new(false),
        };
        if wallet.cached_profile().is_some() {
            let waiting = outbox::on_store(&wallet.store, |s| s.unfinished_commands(1)).await?;
            if !waiting.is_empty()
                && let Err(error) = wallet.flush_outbox().await
            {
                tracing::info!(%error, "outbox not flushed at open; commands stay queued");
            }
        }
        Ok(wallet)
    }

    fn now(&self) -> i64 {
        self.clock.now_unix_secs()
    }

    fn cached_profile(&self) -> Option<store::Profile> {
        self.profile
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The API as this device; [`WalletError::NotSignedUp`] before sign-up.
    fn api(&self) -> Result<DeviceApi, WalletError> {
        let profile = self.cached_profile().ok_or(WalletError::NotSignedUp)?;
        Ok(DeviceApi::new(
            self.transport.clone(),
            profile.device_id,
            Arc::clone(&self.signer),
        ))
    }

    fn notify(&self, change: Change) {
        let listener = self
            .listener
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if let Some(listener) = listener {
            listener.on_change(change);
        }
    }

    fn notify_all(&self, changes: &BTreeSet<Change>) {
        for change in changes {
            self.notify(*change);
        }
    }

    /// Sets (or with `None` removes) the listener told about changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn ChangeListener>>) {
        *self
            .listener
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = listener;
    }

    /// Pauses (`true`) or resumes sending commands: while paused, commands are queued in the
    /// outbox and nothing is sent ("offline mode"; also how tests stop a command between
    /// its write and its send).
    pub fn pause_sending(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Whether sending is paused.
    pub fn sending_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// The local store underneath (for tools, benches and tests; shells use the methods).
    pub fn local_store(&self) -> &LocalStore {
        &self.store
    }

    /// The device's public key (uncompressed SEC1), as registered at sign-up.
    pub fn device_public_key(&self) -> Vec<u8> {
        self.signer.public_key()
    }

    /// Registers a new user with this device as its first device and stores the profile.
    /// Safe to call again after a lost answer with the same arguments (same idempotency key).
    pub async fn sign_up(
        &self,
        handle: &str,
        display_name: &str,
        device_name: &str,
    ) -> Result<Profile, WalletError> {
        if let Some(profile) = self.cached_profile() {
            return Err(WalletError::AlreadySignedUp {
                handle: profile.handle,
            });
        }
        let handle = handle.trim().to_ascii_lowercase();
        if handle.is_empty() {
            return Err(WalletError::invalid(
                "handle",
                "it is empty; choose 3–20 characters of a-z, 0-9, '_' and '.', starting with a \
                 letter",
            ));
        }
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(WalletError::invalid(
                "display_name",
                "it is empty; give the name payers should see (1–40 characters)",
            ));
        }
        let key = sign_up_key(&self.signer.public_key(), &handle);
        let (_, signed_up) = DeviceApi::sign_up(
            self.transport.clone(),
            Arc::clone(&self.signer),
            &handle,
            display_name,
            device_name.trim(),
            &key,
        )
        .await?;
        let profile = store::Profile {
            server_url: self.transport.base_url().to_owned(),
            user_id: signed_up.user_id,
            handle: signed_up.handle,
            display_name: display_name.to_owned(),
            device_id: signed_up.device_id,
        };
        let now = self.now();
        let stored = profile.clone();
        outbox::on_store(&self.store, move |s| s.set_profile(&stored, now)).await?;
        *self
            .profile
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(profile.clone());
        self.notify(Change::Profile);
        Ok(profile.into())
    }

    /// The signed-up identity, `None` before sign-up (from memory: no I/O).
    pub fn profile(&self) -> Result<Option<Profile>, WalletError> {
        Ok(self.cached_profile().map(Profile::from))
    }

    /// What the home screen shows, from the cache only (no network): profile, balances, the
    /// 20 latest money movements, orders waiting for the user, unsent commands.
    pub fn home(&self) -> Result<HomeSnapshot, WalletError> {
        let balances = self.store.balances()?;
        let recent = self
            .store
            .activity_page_of_kind("transfer", None, HOME_RECENT)?;
        // Finished orders never wait for anyone; the store leaves them out, so only the
        // (few) open orders' views are parsed.
        let orders = self.store.open_orders(HOME_OPEN_ORDERS)?;
        let orders = summaries(&orders);
        let outbox = self.store.unfinished_commands(50)?;
        Ok(HomeSnapshot {
            profile: self.cached_profile().map(Profile::from),
            balances: balances.iter().map(BalanceLine::from).collect(),
            recent: recent.iter().map(view::activity_item).collect(),
            orders_needing_action: orders.into_iter().filter(view::needs_action).collect(),
            outbox: outbox.iter().map(view::outbox_item).collect(),
            payment_code_enabled: self
                .store
                .has_secret(store::SecretSlot::PaymentCodeSecret)?,
        })
    }

    fn cached_orders(&self) -> Result<Vec<OrderSummary>, WalletError> {
        Ok(summaries(&self.store.orders(MAX_PAGE)?))
    }

    /// Brings the cache up to date: sends queued commands, reads the event feed from the
    /// stored cursor (page by page, each page applied in one transaction, idempotently),
    /// refreshes the balances and order views, and tells the listener what changed. Returns
    /// the changes (empty when nothing changed).
    pub async fn sync(&self) -> Result<Vec<Change>, WalletError> {
        let api = self.api()?;
        let _one_sync = self.sync_lock.lock().await;
        let mut changes = BTreeSet::new();
        // Commands first, so their effects arrive with this sync's events and balances.
        let (flushed, _) = self.flush_with(&api).await?;
        if !flushed.is_empty() {
            changes.insert(Change::Outbox);
        }
        loop {
            let cursor = outbox::on_store(&self.store, |s| s.cursor()).await?;
            let page = api.events(cursor, Some(SYNC_PAGE)).await?;
            let batch = sync_batch(&page, cursor);
            // A full page means more may follow, unless the cursor did not move (which
            // would otherwise loop forever on a misbehaving server).
            let last_page = page.items.len() < SYNC_PAGE as usize
                || cursor.is_some_and(|before| batch.cursor <= before);
            let balances = if last_page {
                Some(api.balances().await?.iter().map(balance_of).collect())
            } else {
                None
            };
            let batch = SyncBatch { balances, ..batch };
            let now = self.now();
            let applied = outbox::on_store(&self.store, move |s| s.apply_sync(&batch, now)).await?;
            if !applied.new_events.is_empty() {
                changes.insert(Change::Activity);
            }
            if !applied.orders_changed.is_empty() {
                changes.insert(Change::Orders);
            }
            if applied.balances_changed {
                changes.insert(Change::Balances);
            }
            if last_page {
                break;
            }
        }
        self.notify_all(&changes);
        Ok(changes.into_iter().collect())
    }

    /// What the confirm screen shows for a scanned text. Danbao codes are resolved by the
    /// server (the payee's real name; a warning when the printed name differs; a tampered,
    /// expired or used code comes back [`ScanKind::Invalid`] with the server's reason).
    /// Payment codes, foreign and invalid codes need no network.
    pub async fn scan(&self, text: &str) -> Result<ScanScreen, WalletError> {
        let code = text.trim();
        let outcome = scan(code);
        if let Some(screen) = view::local_scan_screen(&outcome, code) {
            return Ok(screen);
        }
        let Some((kind, printed_name)) = view::danbao_kind(&outcome) else {
            return Err(WalletError::Code {
                detail: "the code could not be classified".to_owned(),
            });
        };
        let api = self.api()?;
        let key = new_idempotency_key()?;
        match api.resolve_code(code, &key).await {
            Ok(resolved) => Ok(view::resolved_scan_screen(kind, &resolved, code)),
            Err(TransportError::Http {
                status,
                code: problem,
                detail,
                ..
            }) if (400..500).contains(&status) && status != 429 => Ok(view::refused_scan_screen(
                printed_name,
                format!("the server refused this code: {detail} ({problem})"),
                code,
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// Pays a scanned merchant code, friend receive code (`POST /v1/payments`) or order code
    /// (`POST /v1/orders/pay-code`, into escrow), through the outbox. `amount` is required
    /// when the code has none, and must equal the code's amount when it has one. The code is
    /// resolved first: a code the server refuses (tampered, expired, used) is refused here,
    /// before anything is queued.
    pub async fn pay(
        &self,
        code: &str,
        amount: Option<&str>,
    ) -> Result<CommandOutcome, WalletError> {
        let code = code.trim();
        let (kind, path, body) = match scan(code) {
            ScanOutcome::MerchantPayment { code: read, .. } => {
                let amount = amount_for_code(amount, read.currency, read.amount_minor)?;
                (
                    "pay_code",
                    "/v1/payments",
                    json!({"code": code, "amount": amount, "memo": ""}),
                )
            }
            ScanOutcome::FriendReceive { code: read, .. } => {
                let amount = amount_for_code(amount, read.currency, read.amount_minor)?;
                (
                    "pay_code",
                    "/v1/payments",
                    json!({"code": code, "amount": amount, "memo": ""}),
                )
            }
            ScanOutcome::DanbaoOrder { code: read, .. } => {
                amount_for_code(amount, read.currency, Some(read.amount_minor))?;
                ("pay_order", "/v1/orders/pay-code", json!({"code": code}))
            }
            ScanOutcome::PaymentCode { .. } => {
                return Err(WalletError::Code {
                    detail: "this is a customer's payment code: a merchant charges it \
                             (charge_payment_code); a wallet cannot pay it"
                        .to_owned(),
                });
            }
            ScanOutcome::ForeignScheme { description, .. } => {
                return Err(WalletError::Code {
                    detail: format!("{description}: this wallet pays Danbao codes only"),
                });
            }
            ScanOutcome::Invalid { reasons } => {
                return Err(WalletError::Code {
                    detail: reasons.join("; "),
                });
            }
        };
        let api = self.api()?;
        // Refuse a code the server will not honour before anything is queued. Offline, the
        // command is queued anyway: the server verifies the code again when it arrives.
        let key = new_idempotency_key()?;
        match api.resolve_code(code, &key).await {
            Ok(_) => {}
            Err(TransportError::Http {
                status,
                code: problem,
                detail,
                ..
            }) if (400..500).contains(&status) && status != 429 => {
                return Err(WalletError::Code {
                    detail: format!("the server refused this code: {detail} ({problem})"),
                });
            }
            Err(error) => {
                tracing::info!(%error, "code not resolved before paying; the server checks it");
            }
        }
        self.run_command(kind, path.to_owned(), Some(body)).await
    }

    /// Sends `amount` to a friend by handle, through the outbox.
    pub async fn send(
        &self,
        to_handle: &str,
        amount: &str,
        currency: &str,
        memo: &str,
    ) -> Result<CommandOutcome, WalletError> {
        let to = handle_arg("to_handle", to_handle)?;
        let money = positive_amount(amount, self::currency(currency)?)?;
        check_note("memo", memo)?;
        if self
            .cached_profile()
            .is_some_and(|profile| profile.handle == to)
        {
            return Err(WalletError::invalid(
                "to_handle",
                format!("@{to} is this wallet; send to someone else"),
            ));
        }
        let body = serde_json::to_value(api::Send::new(to, money, memo)).map_err(|e| {
            WalletError::Protocol {
                detail: e.to_string(),
            }
        })?;
        self.run_command("send", "/v1/transfers".to_owned(), Some(body))
            .await
    }

    /// Asks `from_handle` to pay this user (sent now, not queued: the answer is the request).
    pub async fn request_money(
        &self,
        from_handle: &str,
        amount: &str,
        currency: &str,
        note: &str,
    ) -> Result<RequestView, WalletError> {
        let from = handle_arg("from_handle", from_handle)?;
        let money = positive_amount(amount, self::currency(currency)?)?;
        check_note("note", note)?;
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let request = api
            .create_request(&api::NewRequest::new(from, money, note), &key)
            .await?;
        // The new request reaches `requests()` through the feed: sync now so the list shows
        // it. The request exists either way; a failed sync only delays the list.
        if let Err(error) = self.sync().await {
            tracing::info!(%error, "sync after a money request failed; a later sync shows it");
            self.notify(Change::Activity);
        }
        Ok(request.into())
    }

    /// Money requests this user made or received, newest first, each in its latest known
    /// state (from the cache: run [`Wallet::sync`] to see new ones). An `open` request whose
    /// `payer` is this user waits for [`Wallet::answer_request`].
    pub fn requests(&self) -> Result<Vec<RequestView>, WalletError> {
        let events = self
            .store
            .activity_page_of_kind("request", None, MAX_PAGE)?;
        let me = self.cached_profile().map(|profile| profile.handle);
        Ok(view::latest_requests(&events, me.as_deref()))
    }

    /// Pays (`accept`) or declines a money request addressed to this user, through the
    /// outbox.
    pub async fn answer_request(
        &self,
        id: i64,
        accept: bool,
    ) -> Result<CommandOutcome, WalletError> {
        if id <= 0 {
            return Err(WalletError::invalid(
                "id",
                format!("{id} is not a request id; ids are positive"),
            ));
        }
        let (kind, verb) = if accept {
            ("request_accept", "accept")
        } else {
            ("request_decline", "decline")
        };
        self.run_command(kind, format!("/v1/requests/{id}/{verb}"), None)
            .await
    }

    /// This user's receive code: a friend scans it to pay. With an amount it is signed,
    /// single use and expires; without, the friend enters the amount.
    pub async fn receive_code(
        &self,
        amount: Option<&str>,
        currency: &str,
    ) -> Result<CodeView, WalletError> {
        self.issue_code(IssueKind::Receive, amount, currency).await
    }

    /// This user's merchant code, for a counter or a checkout page: customers scan it to pay
    /// the user as a merchant. With an amount it is signed, single use and expires; without,
    /// it is the static code printed once and the customer enters the amount.
    pub async fn merchant_code(
        &self,
        amount: Option<&str>,
        currency: &str,
    ) -> Result<CodeView, WalletError> {
        self.issue_code(IssueKind::Merchant, amount, currency).await
    }

    async fn issue_code(
        &self,
        kind: IssueKind,
        amount: Option<&str>,
        currency: &str,
    ) -> Result<CodeView, WalletError> {
        let currency = self::currency(currency)?;
        let money = amount
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| positive_amount(t, currency))
            .transpose()?;
        let api = self.api()?;
        let mut request = NewCode::new(kind, money);
        request.currency = Some(currency.code().to_owned());
        let key = new_idempotency_key()?;
        let issued = api.issue_code(&request, &key).await?;
        Ok(CodeView {
            svg: render(&issued.code)?,
            text: issued.code,
            amount: issued.amount.map(Amount::from),
            expires_at: issued.expires_at,
        })
    }

    /// Provisions this device for payment codes (once; again replaces the secret): the
    /// server's secret, mask key and account index are stored sealed. Needs the network.
    pub async fn enable_payment_code(&self) -> Result<(), WalletError> {
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let provisioned = api.provision_paycode(&key).await?;
        if provisioned.digits != PAYMENT_CODE_LEN || provisioned.step_seconds != STEP_SECONDS {
            return Err(WalletError::Protocol {
                detail: format!(
                    "the server provisions {}-digit codes of {} s; this build makes {}-digit \
                     codes of {} s",
                    provisioned.digits, provisioned.step_seconds, PAYMENT_CODE_LEN, STEP_SECONDS
                ),
            });
        }
        let bad = |what: &str, e: String| WalletError::Protocol {
            detail: format!("the provisioned {what} is unusable: {e}"),
        };
        let secret = STANDARD
            .decode(&provisioned.secret)
            .map_err(|e| bad("secret", e.to_string()))
            .and_then(|bytes| {
                PaycodeSecret::from_bytes(&bytes).map_err(|e| bad("secret", e.to_string()))
            })?;
        let mask_key = STANDARD
            .decode(&provisioned.mask_key)
            .map_err(|e| bad("mask key", e.to_string()))
            .and_then(|bytes| {
                IndexMaskKey::from_bytes(&bytes).map_err(|e| bad("mask key", e.to_string()))
            })?;
        let account_index = AccountIndex::new(provisioned.account_index)
            .map_err(|e| bad("account index", e.to_string()))?;
        let credentials = PaymentCodeCredentials {
            secret,
            mask_key,
            account_index,
        };
        let now = self.now();
        outbox::on_store(&self.store, move |s| {
            s.put_payment_code_credentials(&credentials, now)
        })
        .await?;
        self.notify(Change::Profile);
        Ok(())
    }

    /// The payment code to show at a till at `now_unix`, made offline from the sealed
    /// secret; show the next one after `seconds_remaining`.
    pub fn payment_code(&self, now_unix: u64) -> Result<PaymentCodeView, WalletError> {
        let credentials =
            self.store
                .payment_code_credentials()?
                .ok_or_else(|| WalletError::NotReady {
                    detail: "payment codes are not enabled on this device: call \
                             enable_payment_code once (it needs the network)"
                        .to_owned(),
                })?;
        let code = PaymentCodeGenerator::new(
            credentials.secret,
            credentials.mask_key,
            credentials.account_index,
        )
        .generate(now_unix);
        Ok(PaymentCodeView {
            svg: render(&code.digits)?,
            digits: code.digits.clone(),
            seconds_remaining: code.seconds_remaining,
            valid_until: code.valid_until,
        })
    }

    /// The cached orders, most recently changed first (no network).
    pub fn orders(&self) -> Result<Vec<OrderSummary>, WalletError> {
        self.cached_orders()
    }

    /// The people this user paid or was paid by, most recent first (cache only), for the
    /// send-to-a-friend screen. Filled by [`Wallet::sync`] from transfer events.
    pub fn contacts(&self, limit: u32) -> Result<Vec<super::store::Contact>, WalletError> {
        Ok(self.store.contacts(limit)?)
    }

    /// Order `id` fresh from the server; the cache is updated.
    pub async fn order(&self, id: &str) -> Result<OrderSummary, WalletError> {
        let id = id.trim();
        if id.is_empty() {
            return Err(WalletError::invalid(
                "id",
                "it is empty; give an order id (ord_…)",
            ));
        }
        let api = self.api()?;
        let order = api.order(id).await?;
        self.cache_order(&order).await?;
        Ok(view::order_summary(&order))
    }

    async fn cache_order(&self, order: &api::OrderView) -> Result<(), WalletError> {
        let row = view::cached_order(order).map_err(|e| WalletError::Protocol {
            detail: format!("the order view does not serialize: {e}"),
        })?;
        if outbox::on_store(&self.store, move |s| s.upsert_order(&row)).await? {
            self.notify(Change::Orders);
        }
        Ok(())
    }

    /// A step on an order, through the outbox: `confirm`, `cancel`, `pay`,
    /// `refund-request` (body `{"amount": "5.00"}`), `refund-accept`, `refund-reject`,
    /// `ship` (body `{"carrier": "…", "tracking": "…"}`).
    pub async fn order_action(
        &self,
        id: &str,
        action: &str,
        body: Option<Value>,
    ) -> Result<CommandOutcome, WalletError> {
        let id = id.trim();
        if id.is_empty() {
            return Err(WalletError::invalid(
                "id",
                "it is empty; give an order id (ord_…)",
            ));
        }
        let action = action.trim();
        let body = body.filter(|b| !b.is_null() && b.as_object().is_none_or(|o| !o.is_empty()));
        let body = match action {
            "confirm" | "cancel" | "pay" | "refund-accept" | "refund-reject" => {
                if let Some(body) = body {
                    return Err(WalletError::invalid(
                        "body",
                        format!("{action} takes no body; got {body}"),
                    ));
                }
                None
            }
            "refund-request" => Some(self.refund_body(id, body).await?),
            "ship" => Some(ship_body(body)?),
            other => {
                return Err(WalletError::invalid(
                    "action",
                    format!(
                        "{other:?} is not an order action; use confirm, cancel, pay, \
                         refund-request, refund-accept, refund-reject or ship"
                    ),
                ));
            }
        };
        self.run_command(
            &format!("order_{action}"),
            format!("/v1/orders/{}/{action}", encode_component(id)),
            body,
        )
        .await
    }

    async fn refund_body(&self, id: &str, body: Option<Value>) -> Result<Value, WalletError> {
        let amount = match body.as_ref().and_then(|b| b.get("amount")) {
            Some(Value::String(text)) => text.trim().to_owned(),
            Some(other) => {
                return Err(WalletError::invalid(
                    "body.amount",
                    format!(
                        "{other} is not decimal text; give the amount as a string, e.g. \"5.00\""
                    ),
                ));
            }
            None => {
                return Err(WalletError::invalid(
                    "body",
                    "refund-request needs {\"amount\": \"…\"}: how much to ask back",
                ));
            }
        };
        let key = id.to_owned();
        let cached = outbox::on_store(&self.store, move |s| s.order(&key)).await?;
        if let Some(order) = cached.as_ref().and_then(|row| view::order_view(row).ok()) {
            let currency = self::currency(&order.amount.currency)?;
            let asked = positive_amount(&amount, currency)?;
            if asked.minor() > order.amount.minor {
                return Err(WalletError::invalid(
                    "body.amount",
                    format!(
                        "{} is more than the order's {}; ask for at most the amount paid",
                        asked.format_with_code(),
                        order.amount.display
                    ),
                ));
            }
        }
        Ok(json!({"amount": amount}))
    }

    /// Opens an escrow order as the seller and returns it with the signed code the buyer
    /// scans (valid until the pay window closes). Sent now, not queued.
    pub async fn create_order(
        &self,
        title: &str,
        amount: &str,
        currency: &str,
    ) -> Result<OrderCreated, WalletError> {
        let title = title.trim();
        let chars = title.chars().count();
        if !(1..=80).contains(&chars) {
            return Err(WalletError::invalid(
                "title",
                format!("it has {chars} characters; give 1–80"),
            ));
        }
        let money = positive_amount(amount, self::currency(currency)?)?;
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let created = api
            .create_order(&api::CreateOrder::new(title, money), &key)
            .await?;
        self.cache_order(&created.order).await?;
        Ok(OrderCreated {
            order: view::order_summary(&created.order),
            code: CodeView {
                svg: render(&created.code)?,
                text: created.code,
                amount: Some(Amount::from(&created.order.amount)),
                expires_at: Some(created.order.pay_by),
            },
        })
    }

    /// As a merchant, charges a customer's 18-digit payment code, through the outbox.
    pub async fn charge_payment_code(
        &self,
        payment_code: &str,
        amount: &str,
        currency: &str,
    ) -> Result<CommandOutcome, WalletError> {
        let payment_code = payment_code.trim();
        danbao_domain::paycode::check_format(payment_code)
            .map_err(|e| WalletError::invalid("payment_code", e.to_string()))?;
        let money = positive_amount(amount, self::currency(currency)?)?;
        let body =
            serde_json::to_value(api::Charge::new(payment_code, money, "")).map_err(|e| {
                WalletError::Protocol {
                    detail: e.to_string(),
                }
            })?;
        self.run_command("charge", "/v1/merchant/charges".to_owned(), Some(body))
            .await
    }

    /// A page of cached money movements, newest first: `cursor` is the previous page's
    /// `next_cursor` (`None` for the first page); `limit` 1–500.
    pub async fn activity(
        &self,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<ActivityPage, WalletError> {
        if limit == 0 {
            return Err(WalletError::invalid(
                "limit",
                "it is 0; ask for 1 to 500 rows",
            ));
        }
        let limit = limit.min(MAX_PAGE);
        let rows = outbox::on_store(&self.store, move |s| {
            s.activity_page_of_kind("transfer", cursor, limit)
        })
        .await?;
        Ok(activity_page(&rows, limit))
    }

    /// Sends every queued command now (ignoring backoff times), oldest first, each with its
    /// stored key; stops at the first that cannot reach the server (the rest stay queued).
    /// Returns the outcome of each command it looked at.
    pub async fn flush_outbox(&self) -> Result<Vec<CommandOutcome>, WalletError> {
        let api = self.api()?;
        let (outcomes, any_done) = self.flush_with(&api).await?;
        if !outcomes.is_empty() {
            self.notify(Change::Outbox);
        }
        if any_done {
            self.refresh_balances(&api).await;
        }
        Ok(outcomes)
    }

    /// The flush itself: the outcomes, and whether any command completed.
    async fn flush_with(
        &self,
        api: &DeviceApi,
    ) -> Result<(Vec<CommandOutcome>, bool), WalletError> {
        let _one_flush = self.flush_lock.lock().await;
        let waiting = outbox::on_store(&self.store, |s| s.unfinished_commands(FLUSH_LIMIT)).await?;
        let mut outcomes = Vec::with_capacity(waiting.len());
        let mut reachable = !self.sending_paused();
        let mut any_done = false;
        for entry in waiting {
            if !reachable || entry.state != CommandState::Pending {
                outcomes.push(view::command_outcome(&entry));
                continue;
            }
            let entry = self.attempt(api, entry.id).await?;
            if entry.state == CommandState::Pending {
                reachable = false;
            }
            any_done |= entry.state == CommandState::Done;
            outcomes.push(view::command_outcome(&entry));
        }
        Ok((outcomes, any_done))
    }

    /// The outbox, newest first (the last 100 commands, answered ones included).
    pub fn outbox(&self) -> Result<Vec<OutboxItem>, WalletError> {
        Ok(self
            .store
            .outbox(100)?
            .iter()
            .map(view::outbox_item)
            .collect())
    }

    /// One attempt of command `id`, then what its answer teaches the cache.
    async fn attempt(&self, api: &DeviceApi, id: i64) -> Result<OutboxEntry, WalletError> {
        let clock = Arc::clone(&self.clock);
        let sender = api.clone();
        let entry = outbox::attempt(
            &self.store,
            id,
            move || clock.now_unix_secs(),
            move |command| transmit(sender, command),
        )
        .await?;
        if entry.state == CommandState::Done
            && let Some(answer) = &entry.answer
            && (entry.command.kind == "pay_order" || entry.command.kind.starts_with("order_"))
        {
            match serde_json::from_str::<api::OrderView>(&answer.body) {
                Ok(order) => self.cache_order(&order).await?,
                Err(error) => tracing::warn!(%error, "order answer not cached"),
            }
        }
        Ok(entry)
    }

    /// Queues a command, then sends it once now (unless sending is paused).
    async fn run_command(
        &self,
        kind: &str,
        path: String,
        body: Option<Value>,
    ) -> Result<CommandOutcome, WalletError> {
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let command = outbox::command(kind, path, body.as_ref(), key);
        let entry = outbox::enqueue(&self.store, command, self.now()).await?;
        self.notify(Change::Outbox);
        if self.sending_paused() {
            let mut outcome = view::command_outcome(&entry);
            outcome.message = "queued: sending is paused".to_owned();
            return Ok(outcome);
        }
        let entry = self.attempt(&api, entry.id).await?;
        self.notify(Change::Outbox);
        if entry.state == CommandState::Done {
            self.refresh_balances(&api).await;
        }
        Ok(view::command_outcome(&entry))
    }

    /// Re-reads the balances after a command moved money (best effort: a failure leaves
    /// the cache for the next sync).
    async fn refresh_balances(&self, api: &DeviceApi) {
        let balances: Vec<Balance> = match api.balances().await {
            Ok(views) => views.iter().map(balance_of).collect(),
            Err(error) => {
                tracing::info!(%error, "balances not refreshed after a command");
                return;
            }
        };
        let now = self.now();
        match outbox::on_store(&self.store, move |s| s.replace_balances(&balances, now)).await {
            Ok(true) => self.notify(Change::Balances),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "balances not cached"),
        }
    }
}

/// The feed page as a store batch: events, the order views carried by `order` events, and
/// the cursor after them.
fn sync_batch(page: &api::FeedPage, cursor: Option<i64>) -> SyncBatch {
    let mut events = Vec::with_capacity(page.items.len());
    let mut orders: Vec<CachedOrder> = Vec::new();
    for item in &page.items {
        events.push(FeedEvent {
            seq: item.seq,
            kind: item.kind.clone(),
            data_json: item.data.to_string(),
            created_at: item.created_at,
        });
        if item.kind == "order"
            && let Some(order) = item.data.get("order")
        {
            match serde_json::from_value::<api::OrderView>(order.clone())
                .map_err(|e| e.to_string())
                .and_then(|view| view::cached_order(&view).map_err(|e| e.to_string()))
            {
                Ok(row) => {
                    // A later event of the same order in this page wins.
                    orders.retain(|o| o.id != row.id);
                    orders.push(row);
                }
                Err(error) => tracing::warn!(seq = item.seq, %error, "order event not readable"),
            }
        }
    }
    let last_seq = page.items.last().map(|e| e.seq);
    let cursor = [page.next_cursor, last_seq, cursor]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
    SyncBatch {
        events,
        orders,
        balances: None,
        cursor,
    }
}

/// The summaries of cached order rows; a row whose view cannot be read is skipped (logged),
/// and the next sync replaces it.
fn summaries(rows: &[CachedOrder]) -> Vec<OrderSummary> {
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        match view::order_view(row) {
            Ok(order) => orders.push(view::order_summary(&order)),
            Err(reason) => tracing::warn!(order = %row.id, %reason, "cached order skipped"),
        }
    }
    orders
}

/// A page of activity rows and the cursor of the next one.
fn activity_page(rows: &[FeedEvent], limit: u32) -> ActivityPage {
    let next_cursor = if rows.len() == limit as usize {
        rows.last().map(|e| e.seq)
    } else {
        None
    };
    ActivityPage {
        items: rows.iter().map(view::activity_item).collect(),
        next_cursor,
    }
}

fn ship_body(body: Option<Value>) -> Result<Value, WalletError> {
    let body = body.ok_or_else(|| {
        WalletError::invalid(
            "body",
            "ship needs {\"carrier\": \"…\", \"tracking\": \"…\"}",
        )
    })?;
    let field = |name: &str, max: usize| -> Result<String, WalletError> {
        let value = body
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or_default();
        let chars = value.chars().count();
        if !(1..=max).contains(&chars) {
            return Err(WalletError::invalid(
                &format!("body.{name}"),
                format!("it has {chars} characters; give 1–{max}"),
            ));
        }
        Ok(value.to_owned())
    };
    Ok(json!({"carrier": field("carrier", 40)?, "tracking": field("tracking", 64)?}))
}

#[cfg(test)]
mod tests;
