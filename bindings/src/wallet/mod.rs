//! The `Wallet` object: the core's facade (`danbao_client::wallet::Wallet`) across the
//! FFI, method for method.
//!
//! - Network work is `async` (`suspend` in Kotlin, `async` in Swift, a coroutine in Python),
//!   run on the core's Tokio runtime.
//! - The synchronous methods only read the local cache (well under a millisecond: see the
//!   `wallet` bench), so a UI thread may call them.
//! - Every call is guarded: an error is a `DanbaoException` with a readable message, and a
//!   panic inside the core becomes `DanbaoException.Internal`, never a crash.
//! - In Kotlin the object is `AutoCloseable`: `close()` (or `use { }`) releases it at once;
//!   calls still running keep their own reference and finish first.

pub(crate) mod kinds;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use danbao_client::api::{
    MerchantAction, MerchantChange, OperatorApi, OrderAction as PlainAction, OrderStepCommand,
    RefundRequest, Ship,
};
use danbao_client::i18n::Texts;
use danbao_client::wallet::{self as core, WalletError, WalletOptions};
use danbao_domain::money::{Currency, Money};

use crate::error::{DanbaoError, guard, guard_async};
use crate::platform::{
    ChangeListener, KeyStore, KeyStoreAdapter, ListenerAdapter, Signer, SignerAdapter,
};
// The records the methods answer are the core's own (`danbao_client::wallet::view`), with
// their UniFFI derives: nothing here re-declares or converts them.
use danbao_client::store::Contact;
use danbao_client::wallet::{
    ActivityPage, Amount, Change, CodeView, CommandOutcome, DeviceApprovalView, DeviceItem,
    HomeSnapshot, OrderCreated, OrderSummary, OutboxItem, PayeeScreen, PaymentCodeView, Profile,
    RequestView, ScanScreen,
};

/// Where the wallet keeps its data and which server it talks to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WalletConfig {
    /// The SQLite file (created on first open), in the app's private files directory.
    pub db_path: String,
    /// The server's base URL: `https://…`, or `http://` to a loopback host (tests).
    pub server_url: String,
    /// SPKI pins (base64 SHA-256) of the server key and a backup key; empty for no pinning.
    #[uniffi(default = [])]
    pub spki_pins: Vec<String>,
    /// Limit for opening a connection, in milliseconds.
    #[uniffi(default = 10000)]
    pub connect_timeout_ms: u64,
    /// Limit for one request, in milliseconds.
    #[uniffi(default = 30000)]
    pub request_timeout_ms: u64,
    /// The user's locale, BCP 47 (`zh-Hans-CN`, `en-US`): pass the device's. The records'
    /// words and amounts follow it; English for languages without a catalogue.
    #[uniffi(default = "en")]
    pub locale: String,
    /// The device's time zone as minutes east of UTC (480 for China): records write dates in
    /// it when `time_zone` is empty. ±1080 at most. A fixed offset is wrong on one side of a
    /// daylight-saving change: pass `time_zone`.
    #[uniffi(default = 0)]
    pub utc_offset_minutes: i32,
    /// The device's time zone by IANA name (`Asia/Shanghai`, `Europe/Berlin`): Android's
    /// `ZoneId.systemDefault().id`, iOS's `TimeZone.current.identifier`. Each date is written
    /// with the zone's offset at that instant. Empty: `utc_offset_minutes` is used.
    #[uniffi(default = "")]
    pub time_zone: String,
}

/// What to do to an escrow order: one per button of the order screen. Which ones are allowed
/// now is in `OrderSummary.actions` (as `OrderStep`s); `order_action` builds one from a step
/// and what the user entered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum OrderAction {
    /// Buyer: pay the order into escrow (`pay`).
    Pay,
    /// Buyer: confirm receipt, releasing the money to the seller (`confirm`).
    Confirm,
    /// Buyer or seller: cancel an unpaid order (`cancel`).
    Cancel,
    /// Seller: mark as shipped (`ship`).
    Ship {
        /// The carrier, 1–40 characters.
        carrier: String,
        /// The tracking number, 1–64 characters.
        tracking: String,
    },
    /// Buyer: ask for `amount` back (all or part of the price) (`refund-request`).
    RequestRefund {
        /// Decimal text, e.g. "5.00".
        amount: String,
    },
    /// Seller: accept the refund request (`refund-accept`).
    AcceptRefund,
    /// Seller: reject it, which opens a dispute for the operator (`refund-reject`).
    RejectRefund,
}

impl From<OrderAction> for OrderStepCommand {
    /// The protocol's step, as the core's `Wallet::order_step` takes it (no names or JSON in
    /// between).
    fn from(action: OrderAction) -> Self {
        match action {
            OrderAction::Pay => Self::Plain(PlainAction::Pay),
            OrderAction::Confirm => Self::Plain(PlainAction::Confirm),
            OrderAction::Cancel => Self::Plain(PlainAction::Cancel),
            OrderAction::Ship { carrier, tracking } => Self::Ship(Ship { carrier, tracking }),
            OrderAction::RequestRefund { amount } => Self::RequestRefund(RefundRequest { amount }),
            OrderAction::AcceptRefund => Self::Plain(PlainAction::AcceptRefund),
            OrderAction::RejectRefund => Self::Plain(PlainAction::RejectRefund),
        }
    }
}

/// One user's wallet on this device. Share one instance per database file.
#[derive(uniffi::Object)]
pub struct Wallet {
    inner: core::Wallet,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("inner", &self.inner)
            .finish()
    }
}

impl Wallet {
    /// The public error for `error`, its sentence in the wallet's current language.
    fn error(&self, error: WalletError) -> DanbaoError {
        let message = self.inner.error_message(&error);
        DanbaoError::from_wallet(error, message)
    }

    /// `result`, or its error in the wallet's language.
    fn ok<T>(&self, result: Result<T, WalletError>) -> Result<T, DanbaoError> {
        result.map_err(|e| self.error(e))
    }
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[uniffi::export(async_runtime = "tokio")]
impl Wallet {
    /// Opens (or creates) the wallet: the database (its data key unwrapped by `key_store`),
    /// the device key (`signer`; `null` = a software key kept sealed in the database, for
    /// desktop and tests), the connection. Commands left in the outbox are sent if the server
    /// is reachable; opening works offline.
    #[uniffi::constructor]
    pub async fn open(
        config: WalletConfig,
        key_store: Arc<dyn KeyStore>,
        signer: Option<Arc<dyn Signer>>,
    ) -> Result<Arc<Wallet>, DanbaoError> {
        guard_async(async move {
            let signer = match signer {
                Some(signer) => Some(Arc::new(SignerAdapter::new(signer)?)
                    as Arc<dyn danbao_client::secrets::Signer>),
                None => None,
            };
            let options = WalletOptions {
                connect_timeout: Duration::from_millis(config.connect_timeout_ms.max(1)),
                request_timeout: Duration::from_millis(config.request_timeout_ms.max(1)),
                ..WalletOptions::default()
            };
            let texts = Texts::new(&config.locale).ok();
            let core_config = core::WalletConfig {
                db_path: config.db_path.into(),
                server_url: config.server_url,
                spki_pins: config.spki_pins,
                locale: config.locale,
                utc_offset_minutes: config.utc_offset_minutes,
                time_zone: config.time_zone,
            };
            let inner = core::Wallet::open_with(
                core_config,
                Arc::new(KeyStoreAdapter(key_store)),
                signer,
                options,
            )
            .await
            .map_err(|error| {
                let message = match &texts {
                    Some(texts) => error.message(texts),
                    None => error.to_string(),
                };
                DanbaoError::from_wallet(error, message)
            })?;
            Ok(Arc::new(Wallet { inner }))
        })
        .await
    }

    /// The device's public key (uncompressed SEC1), as registered at sign-up.
    pub fn device_public_key(&self) -> Vec<u8> {
        self.inner.device_public_key()
    }

    /// Creates the user on the server and registers this device. Safe to retry after a lost
    /// answer (the same handle and device give the same request).
    pub async fn sign_up(
        &self,
        handle: String,
        display_name: String,
        device_name: String,
    ) -> Result<Profile, DanbaoError> {
        guard_async(async {
            self.ok(self
                .inner
                .sign_up(&handle, &display_name, &device_name)
                .await)
        })
        .await
    }

    /// Makes this new wallet a device of the user whose approval code (the text or the
    /// scanned QR payload) an active device shows, and stores the profile. Safe to retry after
    /// a lost answer with the same code.
    pub async fn join_with_approval(
        &self,
        code: String,
        device_name: String,
    ) -> Result<Profile, DanbaoError> {
        guard_async(async { self.ok(self.inner.join_with_approval(&code, &device_name).await) })
            .await
    }

    /// A one-time code (10 minutes, single use) for adding a new device to this user: show
    /// its QR code or text to the new device (`join_with_approval`). Needs the network.
    pub async fn device_approval_code(&self) -> Result<DeviceApprovalView, DanbaoError> {
        guard_async(async { self.ok(self.inner.device_approval_code().await) }).await
    }

    /// This user's devices from the server: active ones first, this device marked.
    pub async fn devices(&self) -> Result<Vec<DeviceItem>, DanbaoError> {
        guard_async(async { self.ok(self.inner.devices().await) }).await
    }

    /// Revokes one of this user's devices (a lost phone, or this one): its requests and
    /// payment codes are refused from then on. The last active device cannot be revoked
    /// (`last_device`).
    pub async fn revoke_device(&self, id: i64) -> Result<DeviceItem, DanbaoError> {
        guard_async(async { self.ok(self.inner.revoke_device(id).await) }).await
    }

    /// The signed-up identity, `null` before sign-up (cache).
    pub fn profile(&self) -> Result<Option<Profile>, DanbaoError> {
        guard(|| self.ok(self.inner.profile()))
    }

    /// The home screen: balances, recent activity, orders waiting for the user, unsent
    /// commands (cache).
    pub fn home(&self) -> Result<HomeSnapshot, DanbaoError> {
        guard(|| self.ok(self.inner.home()))
    }

    /// Sends the outbox, reads the server's event feed from the stored cursor, applies it and
    /// the balances, tells the listener, and returns what changed.
    pub async fn sync(&self) -> Result<Vec<Change>, DanbaoError> {
        guard_async(async { self.ok(self.inner.sync().await) }).await
    }

    /// What a scanned text is, for the confirm screen: Danbao codes are resolved by the
    /// server (the payee's real name, tampering, expiry); others are classified locally.
    pub async fn scan(&self, text: String) -> Result<ScanScreen, DanbaoError> {
        guard_async(async { self.ok(self.inner.scan(&text).await) }).await
    }

    /// Pays a scanned merchant, receive or order code. `amount` is required when the code
    /// has none and must equal the code's when it has one (`null` = the code's amount).
    pub async fn pay(
        &self,
        code: String,
        amount: Option<String>,
    ) -> Result<CommandOutcome, DanbaoError> {
        guard_async(async { self.ok(self.inner.pay(&code, amount.as_deref()).await) }).await
    }

    /// Sends money to a friend by handle.
    pub async fn send(
        &self,
        to_handle: String,
        amount: String,
        currency: String,
        memo: String,
    ) -> Result<CommandOutcome, DanbaoError> {
        guard_async(async { self.ok(self.inner.send(&to_handle, &amount, &currency, &memo).await) })
            .await
    }

    /// The confirm screen's payee before `send`: the server's name for `to_handle`, a
    /// verified badge, a warning when its name looks like a verified merchant's (or another
    /// account's), and a warning when this wallet never paid it before.
    pub async fn check_payee(&self, to_handle: String) -> Result<PayeeScreen, DanbaoError> {
        guard_async(async { self.ok(self.inner.check_payee(&to_handle).await) }).await
    }

    /// Asks a friend for money.
    pub async fn request_money(
        &self,
        from_handle: String,
        amount: String,
        currency: String,
        note: String,
    ) -> Result<RequestView, DanbaoError> {
        guard_async(async {
            self.ok(self
                .inner
                .request_money(&from_handle, &amount, &currency, &note)
                .await)
        })
        .await
    }

    /// Money requests to and from this user, newest first (cache; `sync` refreshes it).
    pub fn requests(&self) -> Result<Vec<RequestView>, DanbaoError> {
        guard(|| self.ok(self.inner.requests()))
    }

    /// Pays (`accept = true`) or declines a request addressed to this user.
    pub async fn answer_request(
        &self,
        id: i64,
        accept: bool,
    ) -> Result<CommandOutcome, DanbaoError> {
        guard_async(async { self.ok(self.inner.answer_request(id, accept).await) }).await
    }

    /// This user's receive code for a friend to scan; with an amount it is signed, single use
    /// and expires.
    pub async fn receive_code(
        &self,
        amount: Option<String>,
        currency: String,
    ) -> Result<CodeView, DanbaoError> {
        guard_async(async { self.ok(self.inner.receive_code(amount.as_deref(), &currency).await) })
            .await
    }

    /// This user's merchant code for customers to scan; with an amount it is signed, single
    /// use and expires; without, it is the static code for the counter.
    pub async fn merchant_code(
        &self,
        amount: Option<String>,
        currency: String,
    ) -> Result<CodeView, DanbaoError> {
        guard_async(async { self.ok(self.inner.merchant_code(amount.as_deref(), &currency).await) })
            .await
    }

    /// Provisions this device for offline payment codes (once; needs the network).
    pub async fn enable_payment_code(&self) -> Result<(), DanbaoError> {
        guard_async(async {
            self.inner
                .enable_payment_code()
                .await
                .map_err(|e| self.error(e))
        })
        .await
    }

    /// The payment code to show at a till now (no network). Refresh it when
    /// `seconds_remaining` runs out. The screen showing it should block screenshots.
    pub fn payment_code(&self) -> Result<PaymentCodeView, DanbaoError> {
        guard(|| self.ok(self.inner.payment_code(now_unix())))
    }

    /// The user's escrow orders, most recently changed first (cache).
    pub fn orders(&self) -> Result<Vec<OrderSummary>, DanbaoError> {
        guard(|| self.ok(self.inner.orders()))
    }

    /// One order, fresh from the server (and cached).
    pub async fn order(&self, id: String) -> Result<OrderSummary, DanbaoError> {
        guard_async(async { self.ok(self.inner.order(&id).await) }).await
    }

    /// Does `action` to order `id` through the outbox (exactly once, even across a crash).
    pub async fn order_action(
        &self,
        id: String,
        action: OrderAction,
    ) -> Result<CommandOutcome, DanbaoError> {
        let step = OrderStepCommand::from(action);
        guard_async(async { self.ok(self.inner.order_step(&id, step).await) }).await
    }

    /// Opens an escrow order as the seller; the buyer scans the returned code.
    pub async fn create_order(
        &self,
        title: String,
        amount: String,
        currency: String,
    ) -> Result<OrderCreated, DanbaoError> {
        guard_async(async { self.ok(self.inner.create_order(&title, &amount, &currency).await) })
            .await
    }

    /// As a merchant: charges a customer's 18-digit payment code at the till. Only a merchant
    /// the operator enrolled (and did not switch off) may: otherwise the outcome is `failed`
    /// with the problem `merchant_not_enrolled` or `merchant_disabled`.
    pub async fn charge_payment_code(
        &self,
        payment_code: String,
        amount: String,
        currency: String,
    ) -> Result<CommandOutcome, DanbaoError> {
        guard_async(async {
            self.ok(self
                .inner
                .charge_payment_code(&payment_code, &amount, &currency)
                .await)
        })
        .await
    }

    /// A page of activity, newest first, before `cursor` (`null` = the newest); `limit`
    /// 1–500.
    pub async fn activity(
        &self,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<ActivityPage, DanbaoError> {
        guard_async(async { self.ok(self.inner.activity(cursor, limit).await) }).await
    }

    /// Sends the commands waiting in the outbox now.
    pub async fn flush_outbox(&self) -> Result<Vec<CommandOutcome>, DanbaoError> {
        guard_async(async { self.ok(self.inner.flush_outbox().await) }).await
    }

    /// The outbox, newest first (cache).
    pub fn outbox(&self) -> Result<Vec<OutboxItem>, DanbaoError> {
        guard(|| self.ok(self.inner.outbox()))
    }

    /// People this user has paid or been paid by, most recent first (cache).
    pub fn contacts(&self, limit: u32) -> Result<Vec<Contact>, DanbaoError> {
        guard(|| self.ok(self.inner.contacts(limit)))
    }

    /// Sets (or with `null` removes) the listener told about changes.
    pub fn set_listener(&self, listener: Option<Arc<dyn ChangeListener>>) {
        self.inner.set_listener(
            listener.map(|l| Arc::new(ListenerAdapter(l)) as Arc<dyn core::ChangeListener>),
        );
    }

    /// Pauses (`true`) or resumes sending: while paused, commands are queued in the outbox
    /// ("offline mode").
    pub fn pause_sending(&self, paused: bool) {
        self.inner.pause_sending(paused);
    }

    /// Whether sending is paused.
    pub fn sending_paused(&self) -> bool {
        self.inner.sending_paused()
    }

    /// Speaks `locale` (BCP 47, e.g. `zh-Hans-CN`) from the next record on; call it when the
    /// device's language changes. A tag that is not BCP 47 is refused (`InvalidInput`) and
    /// the locale stays.
    pub fn set_locale(&self, locale: String) -> Result<(), DanbaoError> {
        guard(|| self.inner.set_locale(&locale).map_err(|e| self.error(e)))
    }

    /// Writes dates in the zone `minutes` east of UTC from the next record on; call it when
    /// the device's zone or daylight saving time changes. Outside ±1080 it is refused
    /// (`InvalidInput`).
    pub fn set_utc_offset(&self, minutes: i32) -> Result<(), DanbaoError> {
        guard(|| {
            self.inner
                .set_utc_offset(minutes)
                .map_err(|e| self.error(e))
        })
    }

    /// Writes dates in the IANA time zone `name` (`Asia/Shanghai`, `Europe/Berlin`) from the
    /// next record on, each with the zone's offset at its instant (daylight saving included);
    /// call it when the device's zone changes. A name the tz database does not have is refused
    /// (`InvalidInput`) and the zone stays.
    pub fn set_time_zone(&self, name: String) -> Result<(), DanbaoError> {
        guard(|| self.inner.set_time_zone(&name).map_err(|e| self.error(e)))
    }

    /// The IANA time zone dates are written in; `None` while a fixed UTC offset is used.
    pub fn time_zone(&self) -> Option<String> {
        self.inner.time_zone()
    }

    /// The current locale (canonical BCP 47, e.g. `zh-Hans-CN`).
    pub fn locale(&self) -> String {
        self.inner.locale()
    }
}

/// Sandbox only: the operator adds `amount` of `currency` to `handle`'s wallet from the
/// sandbox funding account, and the new available balance is returned. `operator_token` is
/// the server's operator credential (`<db>.operator-token` next to its database). For demo
/// builds and tests; production servers run with sandbox funding off.
#[uniffi::export(async_runtime = "tokio")]
pub async fn sandbox_top_up(
    server_url: String,
    operator_token: String,
    handle: String,
    amount: String,
    currency: String,
) -> Result<Amount, DanbaoError> {
    guard_async(async move {
        let invalid = |reason: String| DanbaoError::InvalidInput { reason };
        let currency = Currency::from_code(currency.trim()).map_err(|e| invalid(e.to_string()))?;
        let money = Money::parse(amount.trim(), currency).map_err(|e| invalid(e.to_string()))?;
        let moved = OperatorApi::sandbox_top_up(server_url, operator_token.trim(), &handle, money)
            .await
            .map_err(WalletError::from)?;
        Ok(core::Amount::from(moved.balance.available))
    })
    .await
}

/// Operator tool: enrols `handle` as a merchant, so its till may charge payment codes (only an
/// enrolled, enabled merchant does). `operator_token` is the server's operator credential. For
/// demo builds and tests; enrolling twice changes nothing.
#[uniffi::export(async_runtime = "tokio")]
pub async fn enrol_merchant(
    server_url: String,
    operator_token: String,
    handle: String,
) -> Result<(), DanbaoError> {
    let change = MerchantChange::new(MerchantAction::Enrol);
    merchant_change(server_url, operator_token, handle, change).await
}

/// Operator tool: records that the merchant `handle` was checked under `verified_name`, so
/// payers see a verified badge and no one else may take a name that looks like it.
#[uniffi::export(async_runtime = "tokio")]
pub async fn verify_merchant(
    server_url: String,
    operator_token: String,
    handle: String,
    verified_name: String,
) -> Result<(), DanbaoError> {
    let change = MerchantChange::verify(verified_name);
    merchant_change(server_url, operator_token, handle, change).await
}

async fn merchant_change(
    server_url: String,
    operator_token: String,
    handle: String,
    change: MerchantChange,
) -> Result<(), DanbaoError> {
    guard_async(async move {
        OperatorApi::merchant_change(server_url, operator_token.trim(), &handle, &change)
            .await
            .map_err(WalletError::from)?;
        Ok(())
    })
    .await
}
