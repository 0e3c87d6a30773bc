//! The rows the local store reads and writes.
//!
//! Money is integer minor units (`i64`); times are Unix seconds (`i64`) passed in by the
//! caller; JSON columns hold the server's JSON text as received (the store checks that it is
//! JSON, it does not interpret it).

use std::fmt;

use danbao_domain::protocol::Command;

/// The signed-up identity of this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Base URL of the server, e.g. `https://api.danbao.example`.
    pub server_url: String,
    /// The user's id on the server.
    pub user_id: i64,
    /// The user's handle (what friends type to pay them).
    pub handle: String,
    /// The user's display name.
    pub display_name: String,
    /// The device id the server assigned at registration (the `Danbao-Device` header).
    pub device_id: i64,
}

/// Where a secret is kept. Each slot's value is sealed with the slot name in its associated
/// data, so a value cannot be moved from one slot to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretSlot {
    /// The software signer's PKCS#8 document (CLI and tests; phones keep the key in the
    /// platform and leave this slot empty).
    DeviceSigningKey,
    /// The payment-code secret the server provisioned for this device.
    PaymentCodeSecret,
    /// The device's window of index masks (`MaskWindow` bytes), provisioned with the
    /// payment-code secret and refreshed on sync. Devices of the first layout hold the
    /// deployment's mask key here (same row id): read as "must re-provision".
    PaymentCodeMasks,
    /// The account index that payment codes carry (8 bytes, big-endian).
    PaymentCodeAccountIndex,
    /// A bearer credential the server may hand the device (session or push-registration
    /// token).
    ApiToken,
}

impl SecretSlot {
    /// Every slot.
    pub const ALL: [SecretSlot; 5] = [
        SecretSlot::DeviceSigningKey,
        SecretSlot::PaymentCodeSecret,
        SecretSlot::PaymentCodeMasks,
        SecretSlot::PaymentCodeAccountIndex,
        SecretSlot::ApiToken,
    ];

    /// The slot's row id in the `secrets` table (stable: it is part of the sealed values'
    /// associated data).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretSlot::DeviceSigningKey => "device_signing_key",
            SecretSlot::PaymentCodeSecret => "payment_code_secret",
            // The row id of the first layout's mask key, kept: the sealed values are bound to it.
            SecretSlot::PaymentCodeMasks => "payment_code_mask_key",
            SecretSlot::PaymentCodeAccountIndex => "payment_code_account_index",
            SecretSlot::ApiToken => "api_token",
        }
    }
}

impl fmt::Display for SecretSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The user's balance in one currency, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// ISO 4217 alphabetic code, e.g. `CNY`.
    pub currency: String,
    /// What the user can spend now.
    pub available: i64,
    /// Held in escrow by the user's pending payments.
    pub held_out: i64,
    /// On the way in: others' pending payments to the user.
    pub incoming: i64,
}

/// One event of the user's server feed (`GET /v1/events`), as cached for sync and the
/// activity screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// The server's feed position: unique, increasing, the paging key.
    pub seq: i64,
    /// What happened: `transfer`, `order`, `request`, ...
    pub kind: String,
    /// The event's details, JSON text as the server sent it.
    pub data_json: String,
    /// When it happened, Unix seconds.
    pub created_at: i64,
}

/// An escrow order as cached: the server's order view plus the columns the store sorts and
/// filters on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedOrder {
    /// The order id.
    pub id: String,
    /// The order state (`awaiting_payment`, `paid`, `shipped`, ...).
    pub state: String,
    /// The user's role in it (`buyer` or `seller`).
    pub role: String,
    /// The server's order view, JSON text.
    pub view_json: String,
    /// When the server last changed the order, Unix seconds. An upsert with an older time
    /// than the cached one is ignored, so out-of-order sync never reverts an order.
    pub updated_at: i64,
}

/// Someone the user paid or was paid by.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Contact {
    /// Their handle.
    pub handle: String,
    /// Their display name, as the server resolved it.
    pub display_name: String,
    /// When the user last dealt with them, Unix seconds.
    pub last_used_at: i64,
}

/// A command for the outbox: what to ask the server, as data, and the idempotency key it
/// is sent with on every attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommand {
    /// The request's idempotency key (8–128 printable ASCII characters), chosen before the
    /// command is stored and reused on every attempt.
    pub idempotency_key: String,
    /// The request: its method, path and body are the [`Command`]'s.
    pub command: Command,
}

/// The version of the stored form of a command that this build writes: the serde JSON of
/// [`Command`] (`{"command": "send", "args": {...}}`). A row of another version is read as
/// [`StoredCommand::Unreadable`], never guessed at.
pub const COMMAND_VERSION: i64 = 1;

/// The stored-form version of a row that schema 2 queued and the migration to schema 3 could
/// not read as a [`Command`]: it keeps the old request (`kind`, `method`, `path`, `body`) and
/// the reason, and is shown failed; it is never sent.
pub const UNCONVERTED_COMMAND_VERSION: i64 = 0;

/// What an outbox row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredCommand {
    /// A command this build reads; it is sent as the command says.
    Known(Command),
    /// A row this build cannot read as a command (queued by an older app in a form the
    /// migration could not convert, or damaged on disk). Kept, shown as failed with the
    /// reason, never sent.
    Unreadable(UnreadableCommand),
}

impl StoredCommand {
    /// The command, when this build reads it.
    pub fn known(&self) -> Option<&Command> {
        match self {
            Self::Known(command) => Some(command),
            Self::Unreadable(_) => None,
        }
    }
}

/// A stored row that is not a command this build reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableCommand {
    /// What the row asked for, as far as it can be told (e.g. `gift (POST /v1/gifts)`).
    pub request: String,
    /// Why it is not read as a command, and what that means for the user.
    pub reason: String,
}

/// Where a command is in its life. Crosses the FFI as `OutboxState` (the outbox row's state;
/// what became of a command is `wallet::OutcomeState`, `CommandState` over there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum), uniffi(name = "OutboxState"))]
pub enum CommandState {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// An attempt is under way. A command found in this state when the store opens was
    /// interrupted (process death) and is made pending again: its idempotency key makes the
    /// resend safe.
    Sending,
    /// The server accepted it; its answer is recorded. Final.
    Done,
    /// The server refused it (e.g. insufficient funds); its answer is recorded. Final.
    Failed,
}

impl CommandState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandState::Pending => "pending",
            CommandState::Sending => "sending",
            CommandState::Done => "done",
            CommandState::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(CommandState::Pending),
            "sending" => Some(CommandState::Sending),
            "done" => Some(CommandState::Done),
            "failed" => Some(CommandState::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for CommandState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The server's final answer to a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandAnswer {
    /// HTTP status.
    pub status: u16,
    /// Response body (JSON text or problem details), as received.
    pub body: String,
}

/// A stored command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Local id (increasing in enqueue order).
    pub id: i64,
    /// The idempotency key every attempt is sent with.
    pub idempotency_key: String,
    /// The command as enqueued.
    pub command: StoredCommand,
    /// Where it is in its life.
    pub state: CommandState,
    /// How many attempts were started.
    pub attempts: u32,
    /// Earliest time of the next attempt, Unix seconds (meaningful while pending).
    pub next_attempt_at: i64,
    /// When it was enqueued.
    pub created_at: i64,
    /// When its state last changed.
    pub updated_at: i64,
    /// Why the last attempt must be retried (network error, 5xx), while it is pending.
    pub last_error: Option<String>,
    /// The server's answer, once `Done` or `Failed`.
    pub answer: Option<CommandAnswer>,
}

/// How an attempt ended, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The server accepted the command: state `Done`.
    Accepted(CommandAnswer),
    /// The server refused the command for good (4xx other than a retryable one): state
    /// `Failed`.
    Refused(CommandAnswer),
    /// No final answer (network error, timeout, 5xx, 429): state `Pending` again, next
    /// attempt not before `next_attempt_at`.
    Retry {
        /// What went wrong, for display (never include secrets).
        error: String,
        /// Earliest time of the next attempt, Unix seconds.
        next_attempt_at: i64,
    },
}

/// One sync step, applied in a single transaction by
/// [`LocalStore::apply_sync`](super::LocalStore::apply_sync).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncBatch {
    /// Feed events; those already cached (same `seq`) are skipped.
    pub events: Vec<FeedEvent>,
    /// Order views to upsert (older than the cached view: ignored).
    pub orders: Vec<CachedOrder>,
    /// The full balance list to replace the cached one with, if the step fetched it.
    pub balances: Option<Vec<Balance>>,
    /// The feed cursor after these events. The stored cursor only moves forward.
    pub cursor: i64,
}

/// What a sync step changed (for the change listener).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncApplied {
    /// Feed positions of the events that were new, ascending.
    pub new_events: Vec<i64>,
    /// Ids of orders whose cached view changed.
    pub orders_changed: Vec<String>,
    /// True when the cached balances were replaced with different values.
    pub balances_changed: bool,
    /// The stored cursor after the step.
    pub cursor: i64,
}

impl SyncApplied {
    /// True when the step changed nothing a screen shows.
    pub fn is_empty(&self) -> bool {
        self.new_events.is_empty() && self.orders_changed.is_empty() && !self.balances_changed
    }
}

/// What the device needs to make payment codes offline, as the server provisioned it.
/// Stored as three sealed secrets, written and read together.
#[derive(Debug, Clone)]
pub struct PaymentCodeCredentials {
    /// The per-device TOTP secret.
    pub secret: danbao_domain::paycode::PaycodeSecret,
    /// The masks of this device's codes for the coming days.
    pub masks: danbao_domain::paycode::MaskWindow,
    /// The account index the codes carry.
    pub account_index: danbao_domain::paycode::AccountIndex,
}

/// The body of a queued command as the outbox sends it: the command's JSON body as one
/// canonical text (keys in sorted order), or empty for a command without a body. The outbox
/// has always sent this form, so a command queued by an earlier version and resent after an
/// upgrade is, byte for byte, the request the server may already have applied (the server's
/// idempotency check compares a hash of the bytes).
pub fn queued_body(command: &Command) -> Result<Vec<u8>, serde_json::Error> {
    Ok(command
        .body()?
        .map(|body| body.to_string().into_bytes())
        .unwrap_or_default())
}
