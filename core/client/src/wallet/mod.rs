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
//!
//! This file holds the struct, opening, sign-up and the options; the flows are `impl Wallet`
//! blocks grouped by family: `sync` (sync, flush, the outbox's sending side), `pay` (scan,
//! pay, receive and merchant codes), `orders` (orders, order steps, create order), `friends`
//! (send, money requests, contacts), `paycode` (payment codes), `devices` (approval codes,
//! joining, listing and revoking devices), `home` (home screen and activity pages, cache
//! only) and `args` (checks of typed input shared by the flows).

mod args;
mod devices;
mod error;
mod friends;
mod home;
mod orders;
pub mod outbox;
mod pay;
mod paycode;
mod sync;
pub mod view;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;

pub use error::WalletError;
pub use view::{
    ActionInput, ActivityItem, ActivityPage, Amount, BalanceLine, CodeView, CommandKind,
    CommandOutcome, DEFAULT_CURRENCY, DeviceApprovalView, DeviceItem, HomeSnapshot, OrderButton,
    OrderCreated, OrderSummary, OutboxItem, OutcomeState, PayeeScreen, PaymentCodeView, Profile,
    RequestView, ScanKind, ScanScreen, Shipment,
};

use super::api::DeviceApi;
use super::i18n::{Texts, Words, Zone};
use super::secrets::{KeyStore, Signer, SoftwareSigner};
use super::store::{self, LocalStore};
use super::transport::{
    Clock, PinSet, RandomJitter, RetryPolicy, SystemClock, Transport, TransportConfig,
    TransportError, TrustRoots,
};
use danbao_domain::protocol::limits::{MAX_DISPLAY_NAME_CHARS, MAX_HANDLE_CHARS, MIN_HANDLE_CHARS};

/// Where the wallet keeps its data and which server it talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletConfig {
    /// The SQLite file (created on first open).
    pub db_path: PathBuf,
    /// The server's base URL: `https://…`, or `http://` to a loopback host (tests, CLI).
    pub server_url: String,
    /// SPKI pins (base64 SHA-256) of the server key and a backup key; empty for no pinning.
    pub spki_pins: Vec<String>,
    /// The user's locale, BCP 47 (`zh-Hans-CN`, `en-US`; the shell passes the device's):
    /// the language of every word the records carry and how amounts and times are written.
    /// English for languages without a catalogue. Changed at run time by
    /// [`Wallet::set_locale`].
    pub locale: String,
    /// The shell's time zone as minutes east of UTC (480 for China), in which records write
    /// dates when no [`time_zone`](Self::time_zone) is given; ±1080 at most. Changed by
    /// [`Wallet::set_utc_offset`]. A fixed offset is wrong on one side of a daylight-saving
    /// change: prefer `time_zone`.
    pub utc_offset_minutes: i32,
    /// The shell's time zone by IANA name (`Asia/Shanghai`, `Europe/Berlin`; Android's
    /// `ZoneId.systemDefault().id`, iOS's `TimeZone.current.identifier`): each date is written
    /// with the zone's offset at that instant. Empty = use `utc_offset_minutes`. Changed by
    /// [`Wallet::set_time_zone`].
    pub time_zone: String,
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
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
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
    /// The last code `scan` decoded and the server accepted, for `pay` (pay.rs).
    last_scan: std::sync::Mutex<Option<pay::Scanned>>,
    /// The words and formats of the current locale.
    texts: RwLock<Arc<Texts>>,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("store", &self.store)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
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

/// The transport to `config.server_url` with the options' clock, timeouts, retries and roots,
/// pinned when `config` names SPKI pins.
fn transport_for(config: &WalletConfig, options: &WalletOptions) -> Result<Transport, WalletError> {
    let pins = if config.spki_pins.is_empty() {
        None
    } else {
        Some(PinSet::new(&config.spki_pins).map_err(|e| {
            WalletError::invalid("spki_pins", Words::new("input-detail").text("detail", e))
        })?)
    };
    let transport_config = TransportConfig {
        base_url: config.server_url.clone(),
        connect_timeout: options.connect_timeout,
        request_timeout: options.request_timeout,
        retry: options.retry,
        roots: options.roots.clone(),
        pins,
        ..TransportConfig::new(config.server_url.clone())
    };
    Transport::new(
        transport_config,
        Arc::clone(&options.clock),
        Arc::new(RandomJitter::new()),
    )
    .map_err(|e| match e {
        TransportError::InvalidUrl { .. } => {
            WalletError::invalid("server_url", Words::new("input-detail").text("detail", e))
        }
        other => WalletError::from(other),
    })
}

/// The texts of `locale`, or the refusal naming the field.
fn locale_texts(locale: &str) -> Result<Texts, WalletError> {
    Texts::new(locale).map_err(|e| {
        WalletError::invalid(
            "locale",
            Words::new("input-locale")
                .text("tag", &e.tag)
                .text("detail", &e.detail),
        )
    })
}

/// The zone of the configuration: its IANA name, or else its fixed offset.
fn config_zone(config: &WalletConfig) -> Result<Zone, WalletError> {
    if config.time_zone.trim().is_empty() {
        fixed_zone(config.utc_offset_minutes)
    } else {
        named_zone(&config.time_zone)
    }
}

fn named_zone(name: &str) -> Result<Zone, WalletError> {
    Zone::named(name).map_err(|e| {
        WalletError::invalid(
            "time_zone",
            Words::new("input-time-zone").text("zone", e.name),
        )
    })
}

fn fixed_zone(minutes: i32) -> Result<Zone, WalletError> {
    if (-18 * 60..=18 * 60).contains(&minutes) {
        Ok(Zone::Fixed(minutes))
    } else {
        Err(WalletError::invalid(
            "utc_offset_minutes",
            Words::new("input-utc-offset").text("minutes", minutes),
        ))
    }
}

/// Opens the database (on Tokio's blocking pool when a runtime is running).
async fn open_store(
    config: &WalletConfig,
    key_store: Arc<dyn KeyStore>,
) -> Result<LocalStore, WalletError> {
    let db_path = config.db_path.clone();
    let opened = move || LocalStore::open(&db_path, key_store.as_ref());
    let store = match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle
            .spawn_blocking(opened)
            .await
            .map_err(|e| WalletError::Storage {
                detail: format!("opening the local database stopped: {e}"),
            })??,
        Err(_) => opened()?,
    };
    Ok(store)
}

/// The device key: the platform's `signer`, or (`None`) the software key sealed in the
/// database, created on first open.
async fn device_signer(
    store: &Arc<LocalStore>,
    signer: Option<Arc<dyn Signer>>,
    now: i64,
) -> Result<Arc<dyn Signer>, WalletError> {
    Ok(match signer {
        Some(signer) => signer,
        None => {
            let software = outbox::on_store(store, move |s| match s.software_signer()? {
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
    })
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
        let transport = transport_for(&config, &options)?;
        let texts = locale_texts(&config.locale)?.in_time_zone(config_zone(&config)?);
        let now = options.clock.now_unix_secs();
        let store = Arc::new(open_store(&config, key_store).await?);
        let signer = device_signer(&store, signer, now).await?;
        let profile = outbox::on_store(&store, |s| s.profile()).await?;
        if let Some(profile) = &profile
            && profile.server_url != transport.base_url()
        {
            return Err(WalletError::invalid(
                "server_url",
                Words::new("input-server-url-other")
                    .text("registered", &profile.server_url)
                    .text("given", transport.base_url()),
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
            last_scan: std::sync::Mutex::new(None),
            paused: AtomicBool::new(false),
            texts: RwLock::new(Arc::new(texts)),
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

    /// Speaks `locale` (BCP 47, e.g. `zh-Hans-CN`) from the next record on: the shell calls
    /// it when the device's language changes. A tag that is not BCP 47 is refused
    /// ([`WalletError::InvalidInput`]) and the locale stays as it was.
    pub fn set_locale(&self, locale: &str) -> Result<(), WalletError> {
        let texts = locale_texts(locale)?.in_time_zone(self.texts().zone().clone());
        self.replace_texts(texts);
        Ok(())
    }

    fn replace_texts(&self, texts: Texts) {
        *self
            .texts
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(texts);
    }

    /// `error`'s sentence in the current locale (what a shell shows).
    pub fn error_message(&self, error: &WalletError) -> String {
        error.message(&self.texts())
    }

    /// Writes dates in the zone `minutes` east of UTC from the next record on (the shell calls
    /// it when the device's zone or daylight saving time changes). Outside ±1080 it is refused
    /// ([`WalletError::InvalidInput`]) and nothing changes.
    pub fn set_utc_offset(&self, minutes: i32) -> Result<(), WalletError> {
        let texts = locale_texts(&self.locale())?.in_time_zone(fixed_zone(minutes)?);
        self.replace_texts(texts);
        Ok(())
    }

    /// Writes dates in the IANA time zone `name` (`Asia/Shanghai`, `Europe/Berlin`) from the
    /// next record on, each with the zone's offset at its own instant (daylight saving
    /// included); the shell calls it when the device's zone changes. A name the tz database
    /// does not have is refused ([`WalletError::InvalidInput`] on `time_zone`) and nothing
    /// changes.
    pub fn set_time_zone(&self, name: &str) -> Result<(), WalletError> {
        let texts = locale_texts(&self.locale())?.in_time_zone(named_zone(name)?);
        self.replace_texts(texts);
        Ok(())
    }

    /// The IANA time zone dates are written in, `None` when a fixed offset is used.
    pub fn time_zone(&self) -> Option<String> {
        self.texts().zone().name().map(str::to_owned)
    }

    /// The current locale (canonical BCP 47).
    pub fn locale(&self) -> String {
        self.texts().tag().to_owned()
    }

    /// The words and formats of the current locale.
    pub(crate) fn texts(&self) -> Arc<Texts> {
        Arc::clone(
            &self
                .texts
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
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
                Words::new("input-handle-empty")
                    .text("min", MIN_HANDLE_CHARS)
                    .text("max", MAX_HANDLE_CHARS),
            ));
        }
        let display_name = display_name.trim();
        if display_name.is_empty() {
            return Err(WalletError::invalid(
                "display_name",
                Words::new("input-display-name-empty").text("max", MAX_DISPLAY_NAME_CHARS),
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
        self.keep_profile(profile).await
    }

    /// Stores the identity this device was registered as (by sign-up or by joining a user),
    /// from now on the one its requests are signed as.
    pub(super) async fn keep_profile(
        &self,
        profile: store::Profile,
    ) -> Result<Profile, WalletError> {
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
}

#[cfg(test)]
mod tests;
