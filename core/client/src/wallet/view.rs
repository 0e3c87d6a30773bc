//! What the screens show, as data (STYLE.md "screens as data"): the facade's public types and
//! the pure functions that map cached rows and server answers onto them. Nothing here does
//! I/O, so every mapping is unit-tested without a server.

use serde::Serialize;
use serde_json::Value;

use crate::api::{self, AmountView, Command, OrderAction, OrderStepCommand, OrderView, StepAction};
use crate::i18n::{Texts, problem_sentence, region_name};
use crate::store::{
    self, Balance, CachedOrder, CommandState, FeedEvent, OutboxEntry, StoredCommand,
};
use crate::wallet::WalletError;
use danbao_domain::escrow::{OrderState, Party};
use danbao_domain::money::{Currency, Money};
use danbao_domain::protocol::wire::{Direction, RequestStatus};
use danbao_domain::qr::{ScanOutcome, scan};

/// An amount both raw (for logic) and formatted (for display).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Amount {
    /// Exact minor units (fen, cents, yen).
    pub minor: i64,
    /// ISO 4217 alphabetic code, e.g. `CNY`.
    pub currency: String,
    /// Decimal text with the currency's exponent of decimals, e.g. `12.50`.
    pub value: String,
    /// For display, as the wallet's locale writes it: `¥12.50` (zh-Hans-CN), `CN¥12.50`
    /// (en-US), with the locale's grouping.
    pub display: String,
}

impl Amount {
    /// `minor` units of `currency`, formatted with the currency's exponent. A code that is
    /// not ISO 4217 (only possible from a damaged cache) is shown as the bare minor units.
    pub fn new(minor: i64, currency: &str) -> Self {
        match Currency::from_code(currency) {
            Ok(known) => Self::from(Money::from_minor(minor, known)),
            Err(_) => Self {
                minor,
                currency: currency.to_owned(),
                value: minor.to_string(),
                display: format!("{minor} {currency}"),
            },
        }
    }
}

impl Amount {
    /// `minor` units of `currency`, displayed as `texts`' locale writes them.
    pub fn localized(minor: i64, currency: &str, texts: &Texts) -> Self {
        let mut amount = Self::new(minor, currency);
        amount.display = texts.amount(minor, currency);
        amount
    }

    /// The server's amount, displayed as `texts`' locale writes it (the server's own
    /// `display` is `12.50 CNY`).
    pub fn from_view(view: &AmountView, texts: &Texts) -> Self {
        Self {
            minor: view.minor,
            currency: view.currency.clone(),
            value: view.value.clone(),
            display: texts.amount(view.minor, &view.currency),
        }
    }
}

impl From<Money> for Amount {
    /// Through the protocol's one rule for showing an amount ([`AmountView::from`]).
    fn from(money: Money) -> Self {
        AmountView::from(money).into()
    }
}

impl From<AmountView> for Amount {
    fn from(view: AmountView) -> Self {
        Self {
            minor: view.minor,
            currency: view.currency,
            value: view.value,
            display: view.display,
        }
    }
}

impl From<&AmountView> for Amount {
    fn from(view: &AmountView) -> Self {
        Self::from(view.clone())
    }
}

/// The signed-up identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Profile {
    /// The user's id on the server.
    pub user_id: i64,
    /// The handle friends pay.
    pub handle: String,
    /// The name shown to payers.
    pub display_name: String,
    /// This device's id on the server.
    pub device_id: i64,
    /// The server this wallet is registered with.
    pub server_url: String,
}

impl From<store::Profile> for Profile {
    fn from(profile: store::Profile) -> Self {
        Self {
            user_id: profile.user_id,
            handle: profile.handle,
            display_name: profile.display_name,
            device_id: profile.device_id,
            server_url: profile.server_url,
        }
    }
}

/// The balance in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct BalanceLine {
    /// ISO 4217 alphabetic code.
    pub currency: String,
    /// What can be spent now.
    pub available: Amount,
    /// The user's money held in escrow by their unfinished purchases.
    pub held_out: Amount,
    /// Buyers' escrowed money on the way to the user (released on confirmation).
    pub incoming: Amount,
}

impl BalanceLine {
    /// The cached balance, amounts displayed as `texts`' locale writes them.
    pub fn new(balance: &Balance, texts: &Texts) -> Self {
        Self {
            currency: balance.currency.clone(),
            available: Amount::localized(balance.available, &balance.currency, texts),
            held_out: Amount::localized(balance.held_out, &balance.currency, texts),
            incoming: Amount::localized(balance.incoming, &balance.currency, texts),
        }
    }
}

/// One money movement of the activity list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ActivityItem {
    /// Feed position: unique, newest highest; the paging cursor.
    pub seq: i64,
    /// `p2p`, `merchant`, `top_up`, `withdrawal`, `escrow_hold`, `escrow_release`,
    /// `escrow_refund`, `paycode`, `request`, ...
    pub kind: String,
    /// Which way the money moved for this user.
    pub direction: Direction,
    /// The amount moved.
    pub amount: Amount,
    /// The other party's handle, if there is one.
    pub counterparty: Option<String>,
    /// The other party's name as the server knows it.
    pub counterparty_name: Option<String>,
    /// The memo or order title.
    pub memo: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// One line for the list, e.g. "Sent to Bob (@bob)".
    pub title: String,
    /// When, as the locale writes it in the shell's zone: "Dec 6, 2026, 11:08 AM",
    /// "2026年12月6日 11:08".
    pub time_label: String,
}

/// A page of activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ActivityPage {
    /// The items.
    pub items: Vec<ActivityItem>,
    /// Pass as `cursor` for the next (older) page; `None` after the last.
    pub next_cursor: Option<i64>,
}

/// An escrow order as a list row or detail screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct OrderSummary {
    /// The order id (`ord_…`).
    pub id: String,
    /// What is sold.
    pub title: String,
    /// Which side this user is on (the escrow machine's party).
    pub role: Party,
    /// The side in one word, in the wallet's language: "buyer", "卖家".
    pub role_label: String,
    /// Where the order is (the escrow machine's state).
    pub state: OrderState,
    /// The price.
    pub amount: Amount,
    /// What this user may do now, one button each. A step a newer server offers that this
    /// version does not know is left out (no button rather than a wrong one).
    pub actions: Vec<StepAction>,
    /// The state in words for this user's role, e.g. "Paid into escrow: ship it".
    pub state_label: String,
    /// One button per allowed action, in the order of `actions`, with its label and the input
    /// it needs.
    pub buttons: Vec<OrderButton>,
    /// When the next timer fires (Unix seconds), if one runs.
    pub deadline: Option<i64>,
    /// What the timer does and when, in words: "Confirms automatically in 9 days".
    pub deadline_label: Option<String>,
    /// The other party's handle (none while nobody has paid, for the seller).
    pub counterparty: Option<String>,
    /// The carrier and tracking number, once the seller shipped.
    pub shipment: Option<Shipment>,
    /// What the buyer asks back, while a refund request is open (the seller answers it) or
    /// in dispute.
    pub refund_asked: Option<Amount>,
    /// What the seller received, once the order ended with money released.
    pub released: Option<Amount>,
    /// What went back to the buyer, once the order ended with a refund.
    pub refunded: Option<Amount>,
}

/// How a shipped order travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Shipment {
    /// The carrier, e.g. "SF Express".
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking: String,
}

/// A button of the order screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct OrderButton {
    /// The step it performs (one of `OrderSummary::actions`).
    pub action: StepAction,
    /// Its label, e.g. "Confirm receipt".
    pub label: String,
    /// What the user must enter before the action is sent.
    pub input: ActionInput,
}

/// What an order action needs from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum ActionInput {
    /// Nothing: the button sends the action (after a confirmation where money moves).
    Nothing,
    /// An amount to ask back, at most the order's price (`refund-request`).
    RefundAmount,
    /// The carrier and the tracking number (`ship`).
    Shipment,
}

/// What an outbox command is, read from the stored command (a shell branches on this, never
/// on a string). Serialized with the names the outbox list has always used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum CommandKind {
    /// Money to a friend by handle.
    Send,
    /// Money out to the withdrawal account.
    Withdraw,
    /// A scanned merchant or receive code paid.
    PayCode,
    /// A scanned order code paid into escrow.
    PayOrder,
    /// An order paid into escrow by its id.
    OrderPay,
    /// An order marked shipped.
    OrderShip,
    /// An unpaid order cancelled.
    OrderCancel,
    /// Receipt of an order confirmed.
    OrderConfirm,
    /// Money asked back on an order.
    #[serde(rename = "order_refund-request")]
    OrderRefundRequest,
    /// A refund request accepted.
    #[serde(rename = "order_refund-accept")]
    OrderRefundAccept,
    /// A refund request rejected.
    #[serde(rename = "order_refund-reject")]
    OrderRefundReject,
    /// A money request paid.
    RequestAccept,
    /// A money request declined.
    RequestDecline,
    /// A money request made.
    NewRequest,
    /// A merchant or receive code issued.
    IssueCode,
    /// A scanned code resolved.
    ResolveCode,
    /// An escrow order opened.
    CreateOrder,
    /// A customer's payment code charged.
    Charge,
    /// A payment-code secret provisioned.
    ProvisionPaycode,
    /// A user signed up.
    SignUp,
    /// A sandbox top-up (operator).
    TopUp,
    /// A dispute settled (operator).
    ResolveOrder,
    /// The sandbox clock moved (operator).
    AdvanceClock,
    /// The user's display name changed.
    Rename,
    /// A merchant profile changed (operator).
    ChangeMerchant,
    /// Money in against a bank transfer (operator).
    Deposit,
    /// A withdrawal marked paid out by the bank (operator).
    MarkPaidOut,
    /// A withdrawal marked failed, its amount returned (operator).
    MarkFailed,
    /// An approval code for a new device asked for.
    ApproveDevice,
    /// A new device joined with an approval code.
    JoinDevice,
    /// A device revoked.
    RevokeDevice,
    /// A fresh window of payment-code masks asked for.
    RefreshPaycodeMasks,
    /// A row this version cannot read as a command (queued by an older app in a form it could
    /// not convert): shown failed with the reason, never sent.
    Unreadable,
}

/// A command of the outbox as the "waiting to send" list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct OutboxItem {
    /// Local id.
    pub id: i64,
    /// What the command is.
    pub kind: CommandKind,
    /// Where the command is.
    pub state: CommandState,
    /// The state in words, in the wallet's language: "waiting to send", "已发送".
    pub state_label: String,
    /// What the command does, e.g. "Send 12.50 CNY to @bob".
    pub summary: String,
    /// The result once answered, or why it waits.
    pub outcome: Option<String>,
    /// Attempts started.
    pub attempts: u32,
}

/// Everything the home screen shows, from the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct HomeSnapshot {
    /// The identity, `None` before sign-up.
    pub profile: Option<Profile>,
    /// Balances by currency.
    pub balances: Vec<BalanceLine>,
    /// The latest money movements (at most 20).
    pub recent: Vec<ActivityItem>,
    /// Orders waiting for this user (pay, confirm, ship, answer a refund request).
    pub orders_needing_action: Vec<OrderSummary>,
    /// Commands not yet answered by the server.
    pub outbox: Vec<OutboxItem>,
    /// Whether this device can show a payment code (`enable_payment_code` was done).
    pub payment_code_enabled: bool,
    /// The currency new codes, sends and requests use unless the user picks another: the
    /// first balance's, else [`DEFAULT_CURRENCY`] (the reference server's default).
    pub currency: String,
}

/// The currency of a wallet that holds no balance yet: the reference server's default.
pub const DEFAULT_CURRENCY: &str = "CNY";

/// What became of a command sent through the outbox. Crosses the FFI as `CommandState` (the
/// outbox row's own state, [`store::CommandState`], crosses as `OutboxState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum), uniffi(name = "CommandState"))]
pub enum OutcomeState {
    /// The server applied it.
    Done,
    /// The server refused it for good; nothing moved.
    Failed,
    /// Not sent yet (offline): it waits in the outbox and is sent once, later.
    Queued,
}

impl OutcomeState {
    /// The name the CLI and the JSON output use: `done`, `failed` or `queued`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Queued => "queued",
        }
    }
}

/// What a scanned text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum ScanKind {
    /// A Danbao merchant code (static, or signed with an amount).
    MerchantPayment,
    /// A Danbao per-order code: pays an order into escrow.
    DanbaoOrder,
    /// A friend's receive code.
    FriendReceive,
    /// A consumer's 18-digit payment code (a merchant charges it).
    PaymentCode,
    /// An EMV code of another network, not payable here.
    ForeignScheme,
    /// Nothing this wallet can use (or a code the server refused, e.g. tampered).
    Invalid,
}

/// What the confirm screen shows for a scanned text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ScanScreen {
    /// What was scanned.
    pub kind: ScanKind,
    /// Whether `pay(code, ..)` may be offered.
    pub payable: bool,
    /// Who gets paid (the server's answer).
    pub payee_handle: Option<String>,
    /// The payee's name as the server resolved it: the name to show.
    pub payee_name: Option<String>,
    /// The name printed in the code (never show it as the payee's name).
    pub printed_name: Option<String>,
    /// Set when the printed name differs from the real one.
    pub name_warning: Option<String>,
    /// Whether the operator verified the payee as a merchant.
    pub payee_verified: bool,
    /// The verified badge's label, e.g. "Verified merchant: Lotus Tea House" (verified
    /// payees only).
    pub verified_label: Option<String>,
    /// Set when the payee is not verified and its name looks like a verified merchant's, or
    /// like another account's: show it prominently.
    pub look_alike_warning: Option<String>,
    /// Set when this wallet never paid this payee before.
    pub first_payment_warning: Option<String>,
    /// The code's fixed amount.
    pub amount: Option<Amount>,
    /// The code has no amount: the payer must enter one.
    pub needs_amount: bool,
    /// The code's currency.
    pub currency: Option<String>,
    /// The order of an order code.
    pub order_id: Option<String>,
    /// For a foreign code, e.g. "PromptPay, Thailand".
    pub scheme: Option<String>,
    /// Why the code is invalid or not payable, one sentence each.
    pub reasons: Vec<String>,
    /// The scanned text (trimmed), to pass to `pay`.
    pub code: String,
}

/// The result of a command (sent through the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct CommandOutcome {
    /// The outbox id.
    pub command_id: i64,
    /// The idempotency key it is sent with (every attempt).
    pub idempotency_key: String,
    /// Done, failed, or queued (offline: a later `sync`/`flush_outbox` sends it).
    pub state: OutcomeState,
    /// For a person: "Sent 12.50 CNY to @bob", the server's refusal, or "queued: …".
    pub message: String,
    /// The ledger transfer, when the command moved money.
    pub transfer_id: Option<String>,
    /// For a refusal (`failed`), the server's stable problem code, e.g. `insufficient_funds`,
    /// so a shell can offer the right next step without reading `message`.
    pub problem: Option<String>,
}

/// A code to show as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct CodeView {
    /// The EMV payload.
    pub text: String,
    /// The QR code as SVG.
    pub svg: String,
    /// The fixed amount, if the code has one.
    pub amount: Option<Amount>,
    /// When a signed code stops being accepted (Unix seconds).
    pub expires_at: Option<i64>,
}

/// The payment code to show at a till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PaymentCodeView {
    /// The 18 digits.
    pub digits: String,
    /// The digits as a QR code (SVG).
    pub svg: String,
    /// Seconds until the next code should be shown (1–60).
    pub seconds_remaining: u64,
    /// Unix seconds when this code's step ends.
    pub valid_until: u64,
}

/// A one-time approval code to show to a new device ([`Wallet::device_approval_code`]).
///
/// [`Wallet::device_approval_code`]: super::Wallet::device_approval_code
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct DeviceApprovalView {
    /// The code as text, four groups of four, e.g. `7KQ2-M9XD-4HNB-0RTW` (for typing).
    pub code: String,
    /// What the QR code holds.
    pub qr_payload: String,
    /// The payload as a QR code (SVG).
    pub svg: String,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
    /// "Valid until …", in the current locale.
    pub expires_label: String,
    /// What to do with it, in the current locale.
    pub instructions: String,
}

impl std::fmt::Debug for DeviceApprovalView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceApprovalView")
            .field("code", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A device of the user ([`Wallet::devices`]).
///
/// [`Wallet::devices`]: super::Wallet::devices
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct DeviceItem {
    /// The device id (what [`Wallet::revoke_device`] takes).
    ///
    /// [`Wallet::revoke_device`]: super::Wallet::revoke_device
    pub id: i64,
    /// The name given when it was added.
    pub name: String,
    /// Unix seconds it was added.
    pub created_at: i64,
    /// Unix seconds of its last change on the server.
    pub last_seen_at: i64,
    /// Unix seconds it was revoked, `None` while active.
    pub revoked_at: Option<i64>,
    /// Whether it is the device this wallet runs on.
    pub this_device: bool,
    /// Whether it may still act for the user.
    pub active: bool,
    /// The row's title: the name, marked when it is this device.
    pub title: String,
    /// When it was added and last active, or when it was revoked.
    pub detail: String,
}

/// A newly opened order and the code its buyer scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct OrderCreated {
    /// The order as the seller sees it.
    pub order: OrderSummary,
    /// The signed order code (valid until the pay window closes).
    pub code: CodeView,
}

/// A money request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RequestView {
    /// The request id.
    pub id: i64,
    /// Who asks to be paid (handle).
    pub requester: String,
    /// Who is asked to pay (handle).
    pub payer: String,
    /// The amount.
    pub amount: Amount,
    /// What it is for.
    pub note: String,
    /// Open, paid or declined.
    pub status: RequestStatus,
    /// The status in one word, in the wallet's language: "open", "已支付".
    pub status_label: String,
    /// Whether this user is the payer of an open request: show "Pay" and "Decline".
    pub can_answer: bool,
}

impl RequestView {
    /// The server's request, its status said by `texts`; a status this version does not know
    /// is refused by name.
    pub fn new(view: api::RequestView, texts: &Texts) -> Result<Self, WalletError> {
        let status =
            RequestStatus::from_wire(&view.status).ok_or_else(|| WalletError::Protocol {
                detail: format!(
                    "unknown request status {:?}: this app is older than the server",
                    view.status
                ),
            })?;
        Ok(Self {
            id: view.id,
            requester: view.requester.handle,
            payer: view.payer.handle,
            amount: view.amount.into(),
            note: view.note,
            status,
            status_label: texts.get(&format!("request-status-{}", status.as_str())),
            can_answer: false,
        })
    }
}

// ---- mapping ---------------------------------------------------------------------------

/// The requests in cached `request` events (newest first), each once, in the state of its
/// newest event. Events that cannot be read are skipped.
pub fn latest_requests(
    events_newest_first: &[FeedEvent],
    me: Option<&str>,
    texts: &Texts,
) -> Vec<RequestView> {
    let mut seen = std::collections::HashSet::new();
    let mut requests = Vec::new();
    for event in events_newest_first {
        let Ok(data) = serde_json::from_str::<Value>(&event.data_json) else {
            continue;
        };
        let Some(request) = data
            .get("request")
            .and_then(|r| serde_json::from_value::<api::RequestView>(r.clone()).ok())
        else {
            continue;
        };
        if seen.insert(request.id) {
            let amount = Amount::from_view(&request.amount, texts);
            // A status this version does not know (a newer server): the request is left out.
            let Ok(mut view) = RequestView::new(request, texts) else {
                continue;
            };
            view.amount = amount;
            view.can_answer =
                view.status == RequestStatus::Open && me.is_some_and(|me| view.payer == me);
            requests.push(view);
        }
    }
    requests
}

fn text(data: &Value, key: &str) -> Option<String> {
    data.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn amount_in(data: &Value, key: &str, texts: &Texts) -> Option<Amount> {
    data.get(key)
        .and_then(|v| serde_json::from_value::<AmountView>(v.clone()).ok())
        .map(|view| Amount::from_view(&view, texts))
}

/// "Bob (@bob)", or whichever part is known.
pub(crate) fn party_label(handle: Option<&str>, name: Option<&str>, texts: &Texts) -> String {
    match (name, handle) {
        (Some(name), Some(handle)) if name != handle => {
            texts.with("party-name-handle", &[("name", name), ("handle", handle)])
        }
        (_, Some(handle)) => texts.with("party-handle", &[("handle", handle)]),
        (Some(name), None) => name.to_owned(),
        (None, None) => texts.get("party-unknown"),
    }
}

/// ISO 4217's code for "no currency": the amount of an activity row whose data cannot be read
/// is zero of it.
const NO_CURRENCY: &str = "XXX";

/// One activity row from a cached `transfer` event. Total: a row whose data cannot be read
/// still maps (with a zero amount and a title saying so), so one bad row never hides a page.
pub fn activity_item(event: &FeedEvent, texts: &Texts) -> ActivityItem {
    let data: Value = serde_json::from_str(&event.data_json).unwrap_or(Value::Null);
    let kind = text(&data, "type").unwrap_or_else(|| event.kind.clone());
    let direction = match text(&data, "direction").as_deref() {
        Some("out") => Direction::Out,
        _ => Direction::In,
    };
    let amount = amount_in(&data, "amount", texts)
        .unwrap_or_else(|| Amount::localized(0, NO_CURRENCY, texts));
    let counterparty = text(&data, "counterparty");
    let counterparty_name = text(&data, "counterparty_name");
    let memo = text(&data, "memo");
    let title = activity_title(&data, event, &kind, direction, texts);
    ActivityItem {
        seq: event.seq,
        kind,
        direction,
        amount,
        counterparty,
        counterparty_name,
        memo,
        created_at: event.created_at,
        title,
        time_label: texts.date_time(event.created_at),
    }
}

/// An amount field of a feed event's data: (minor units, currency code).
fn minor_of(data: &Value, field: &str) -> Option<(i64, String)> {
    let minor = data.get(field)?.get("minor")?.as_i64()?;
    let currency = data.get(field)?.get("currency")?.as_str()?.to_owned();
    Some((minor, currency))
}

/// The activity row's one line: the catalogue's `activity-<kind>-<in|out>[-memo]` message.
fn activity_title(
    data: &Value,
    event: &FeedEvent,
    kind: &str,
    direction: Direction,
    texts: &Texts,
) -> String {
    let counterparty = text(data, "counterparty");
    let counterparty_name = text(data, "counterparty_name");
    let memo = text(data, "memo");
    let who = party_label(counterparty.as_deref(), counterparty_name.as_deref(), texts);
    let side = direction.as_str();
    let args = [
        ("who", who.as_str()),
        ("memo", memo.as_deref().unwrap_or_default()),
    ];
    match kind {
        "p2p" | "merchant" | "paycode" | "request" => {
            let title = texts.with(&format!("activity-{kind}-{side}"), &args);
            // A merchant payment in the merchant's feed says the platform's fee and what was
            // kept.
            match (
                minor_of(data, "platform_fee"),
                minor_of(data, "net_to_payee"),
            ) {
                (Some((fee, currency)), Some((net, _))) if fee > 0 => texts.with(
                    "activity-payment-fee",
                    &[
                        ("title", title.as_str()),
                        ("fee", texts.amount(fee, &currency).as_str()),
                        ("net", texts.amount(net, &currency).as_str()),
                    ],
                ),
                _ => title,
            }
        }
        "top_up" => texts.get("activity-top-up"),
        "deposit" => texts.get("activity-deposit"),
        "withdrawal" => texts.get("activity-withdrawal"),
        "withdrawal_paid_out" => texts.with(
            "activity-withdrawal-paid-out",
            &[(
                "reference",
                text(data, "payout_ref").unwrap_or_default().as_str(),
            )],
        ),
        "withdrawal_returned" => texts.with(
            "activity-withdrawal-returned",
            &[("reason", text(data, "reason").unwrap_or_default().as_str())],
        ),
        "paycode_guessed" => texts.get("activity-paycode-guessed"),
        "device_added" | "device_revoked" => texts.with(
            &format!("activity-{}", kind.replace('_', "-")),
            &[("name", text(data, "name").unwrap_or_default().as_str())],
        ),
        "escrow_hold" | "escrow_release" | "escrow_refund" => {
            let base = format!("activity-{}-{side}", kind.replace('_', "-"));
            let title = match memo {
                Some(_) => texts.with(&format!("{base}-memo"), &args),
                None => texts.with(&base, &args),
            };
            // A release in the seller's feed says the platform's fee and what was kept.
            let amount = |field: &str| -> Option<(i64, String)> {
                let minor = data.get(field)?.get("minor")?.as_i64()?;
                let currency = data.get(field)?.get("currency")?.as_str()?.to_owned();
                Some((minor, currency))
            };
            match (amount("platform_fee"), amount("net_to_seller")) {
                (Some((fee, currency)), Some((net, _))) if fee > 0 => texts.with(
                    "activity-escrow-release-fee",
                    &[
                        ("title", title.as_str()),
                        ("fee", texts.amount(fee, &currency).as_str()),
                        ("net", texts.amount(net, &currency).as_str()),
                    ],
                ),
                _ => title,
            }
        }
        _ if data.is_null() => texts.with("activity-unreadable", &[("kind", &event.kind)]),
        other => texts.with(
            &format!("activity-other-{side}"),
            &[("kind", &other.replace('_', " "))],
        ),
    }
}

/// The list/detail row of an order view.
pub fn order_summary(view: &OrderView, now: i64, texts: &Texts) -> OrderSummary {
    let role = view.role;
    let counterparty = if role == Party::Seller {
        view.buyer.as_ref().map(|b| b.handle.clone())
    } else {
        Some(view.seller.handle.clone())
    };
    let state = view.state;
    // The server keeps the last request in the view after the order ends; from then on
    // `released` and `refunded` tell the outcome instead.
    let refund_asked = view
        .refund_request
        .as_ref()
        .filter(|_| matches!(state, OrderState::RefundRequested | OrderState::Disputed))
        .map(|r| Amount::from_view(&r.amount, texts));
    let deadline = view.next_deadline.as_ref().map(|d| d.at);
    // The wire names the steps by their path segment; one this version does not know (a
    // newer server's) gets no button.
    let actions: Vec<StepAction> = view
        .actions
        .iter()
        .filter_map(|slug| StepAction::from_slug(slug))
        .collect();
    OrderSummary {
        id: view.id.clone(),
        title: view.title.clone(),
        state_label: state_label(role, state, texts),
        buttons: actions.iter().map(|&a| order_button(a, texts)).collect(),
        deadline_label: deadline.map(|at| deadline_label(state, at, now, texts)),
        role,
        role_label: texts.get(&format!("order-role-{}", role.as_str())),
        state,
        amount: Amount::from_view(&view.amount, texts),
        actions,
        deadline,
        counterparty,
        shipment: view.shipment.as_ref().map(|s| Shipment {
            carrier: s.carrier.clone(),
            tracking: s.tracking.clone(),
        }),
        refund_asked,
        released: view.released.as_ref().map(|a| Amount::from_view(a, texts)),
        refunded: view.refunded.as_ref().map(|a| Amount::from_view(a, texts)),
    }
}

/// An order's state in words, for the buyer or the seller (an operator's or the timer's view
/// reads as the buyer's).
pub fn state_label(role: Party, state: OrderState, texts: &Texts) -> String {
    let role = if role == Party::Seller {
        "seller"
    } else {
        "buyer"
    };
    let key = state.as_str().replace('_', "-");
    match state {
        OrderState::AwaitingPayment
        | OrderState::Paid
        | OrderState::Shipped
        | OrderState::RefundRequested
        | OrderState::Completed => texts.get(&format!("order-state-{key}-{role}")),
        OrderState::Disputed | OrderState::Cancelled | OrderState::Refunded => {
            texts.get(&format!("order-state-{key}"))
        }
    }
}

/// An order's state in one word ("shipped", "已发货"), for outcome messages; `state` is the
/// server's answer's text, which may name a state this version does not know.
fn state_word(state: &str, texts: &Texts) -> String {
    let id = format!("order-state-word-{}", state.replace('_', "-"));
    if texts.has(&id) {
        texts.get(&id)
    } else {
        state.replace('_', " ")
    }
}

/// What the order's timer does and when, relative to `now`, in whole days rounded up
/// ("Confirms automatically in 9 days"); under a day counts as 1.
pub fn deadline_label(state: OrderState, at: i64, now: i64, texts: &Texts) -> String {
    const DAY: i64 = 86_400;
    let left = at.saturating_sub(now);
    let days = if left > 0 {
        left / DAY + i64::from(left % DAY != 0)
    } else {
        left / DAY
    };
    let when = texts.in_days(days);
    let id = match state {
        OrderState::AwaitingPayment | OrderState::Shipped | OrderState::RefundRequested => {
            format!("order-deadline-{}", state.as_str().replace('_', "-"))
        }
        _ => "order-deadline-other".to_owned(),
    };
    texts.with(&id, &[("when", &when)])
}

/// The button for an order step: the catalogue's `order-button-<step>` label.
pub fn order_button(action: StepAction, texts: &Texts) -> OrderButton {
    let input = match action {
        StepAction::Ship => ActionInput::Shipment,
        StepAction::RefundRequest => ActionInput::RefundAmount,
        _ => ActionInput::Nothing,
    };
    OrderButton {
        action,
        label: texts.get(&format!("order-button-{}", action.slug())),
        input,
    }
}

/// The cache row of an order view.
pub(crate) fn cached_order(view: &OrderView) -> Result<CachedOrder, serde_json::Error> {
    Ok(CachedOrder {
        id: view.id.clone(),
        state: view.state.as_str().to_owned(),
        role: view.role.as_str().to_owned(),
        view_json: serde_json::to_string(view)?,
        updated_at: view.updated_at,
    })
}

/// The order view a cached row holds.
pub(crate) fn order_view(cached: &CachedOrder) -> Result<OrderView, String> {
    serde_json::from_str(&cached.view_json).map_err(|e| {
        format!(
            "the cached view of order {} cannot be read ({e}); a sync replaces it",
            cached.id
        )
    })
}

/// Actions that mean "the user should do something now" (cancelling is always optional).
const ACTIONS_NEEDING_THE_USER: [StepAction; 5] = [
    StepAction::Pay,
    StepAction::Confirm,
    StepAction::Ship,
    StepAction::RefundAccept,
    StepAction::RefundReject,
];

/// Whether the order waits for this user.
pub fn needs_action(order: &OrderSummary) -> bool {
    order
        .actions
        .iter()
        .any(|a| ACTIONS_NEEDING_THE_USER.contains(a))
}

fn answer_json(entry: &OutboxEntry) -> Value {
    entry
        .answer
        .as_ref()
        .and_then(|a| serde_json::from_str(&a.body).ok())
        .unwrap_or(Value::Null)
}

/// What a scanned code shows in a summary, from one decode of the code: who it names (the
/// server's name is the one the confirm screen shows), its currency and its fixed amount,
/// displayed for the locale.
struct CodeSummary {
    label: String,
    currency: Option<&'static str>,
    fixed: Option<String>,
}

fn code_summary(code: &str, texts: &Texts) -> CodeSummary {
    match scan(code) {
        ScanOutcome::MerchantPayment { code, .. } => {
            let currency = code.currency.code();
            CodeSummary {
                fixed: code.amount_minor.map(|minor| texts.amount(minor, currency)),
                currency: Some(currency),
                label: code.merchant_name,
            }
        }
        ScanOutcome::FriendReceive { code, .. } => {
            let currency = code.currency.code();
            CodeSummary {
                fixed: code.amount_minor.map(|minor| texts.amount(minor, currency)),
                currency: Some(currency),
                label: texts.with("party-handle", &[("handle", &code.handle)]),
            }
        }
        ScanOutcome::DanbaoOrder { code, .. } => {
            let currency = code.currency.code();
            CodeSummary {
                fixed: Some(texts.amount(code.amount_minor, currency)),
                currency: Some(currency),
                label: texts.with("code-label-order", &[("order", &code.order_id)]),
            }
        }
        _ => CodeSummary {
            label: texts.get("code-label-unknown"),
            currency: None,
            fixed: None,
        },
    }
}

/// A decimal `amount` of `currency` (as a command carries it) displayed for the locale, or as
/// typed when it does not parse.
fn money_text(amount: &str, currency: &str, texts: &Texts) -> String {
    match Currency::from_code(currency).and_then(|c| Money::parse(amount, c)) {
        Ok(money) => texts.amount(money.minor(), currency),
        Err(_) => format!("{amount} {currency}"),
    }
}

/// Minor units and currency of a command's amount.
struct CommandMoney {
    minor: i64,
    currency: String,
}

/// The amount a command moves, from its own typed fields (or the scanned code's fixed amount),
/// `None` when it names none.
fn command_amount(entry: &OutboxEntry) -> Option<CommandMoney> {
    let StoredCommand::Known(command) = &entry.command else {
        return None;
    };
    let parsed = |amount: &str, currency: &str| {
        Currency::from_code(currency)
            .and_then(|c| Money::parse(amount, c))
            .ok()
            .map(|money| CommandMoney {
                minor: money.minor(),
                currency: money.currency().code().to_owned(),
            })
    };
    let fixed = |minor: Option<i64>, currency: Currency, typed: Option<&String>| match typed {
        Some(typed) => parsed(typed, currency.code()),
        None => minor.map(|minor| CommandMoney {
            minor,
            currency: currency.code().to_owned(),
        }),
    };
    match command {
        Command::Send(send) => parsed(&send.amount, &send.currency),
        Command::Charge(charge) => parsed(&charge.amount, &charge.currency),
        Command::PayCode(pay) => match scan(&pay.code) {
            ScanOutcome::MerchantPayment { code, .. } => {
                fixed(code.amount_minor, code.currency, pay.amount.as_ref())
            }
            ScanOutcome::FriendReceive { code, .. } => {
                fixed(code.amount_minor, code.currency, pay.amount.as_ref())
            }
            _ => None,
        },
        Command::PayOrderCode(scanned) => match scan(&scanned.code) {
            ScanOutcome::DanbaoOrder { code, .. } => Some(CommandMoney {
                minor: code.amount_minor,
                currency: code.currency.code().to_owned(),
            }),
            _ => None,
        },
        _ => None,
    }
}

/// The networks' names of a foreign code in the locale's words (`network-<id>`), or the
/// registry's own name for a network the catalogue does not know.
fn network_name(id: &str, name: &str, texts: &Texts) -> String {
    let message = format!("network-{id}");
    if texts.has(&message) {
        texts.get(&message)
    } else {
        name.to_owned()
    }
}

/// The kind of a stored command, for the outbox list.
pub fn command_kind(command: &StoredCommand) -> CommandKind {
    let StoredCommand::Known(command) = command else {
        return CommandKind::Unreadable;
    };
    match command {
        Command::SignUp(_) => CommandKind::SignUp,
        Command::TopUp(_) => CommandKind::TopUp,
        Command::Withdraw(_) => CommandKind::Withdraw,
        Command::Send(_) => CommandKind::Send,
        Command::IssueCode(_) => CommandKind::IssueCode,
        Command::ResolveCode(_) => CommandKind::ResolveCode,
        Command::PayCode(_) => CommandKind::PayCode,
        Command::CreateOrder(_) => CommandKind::CreateOrder,
        Command::PayOrderCode(_) => CommandKind::PayOrder,
        Command::OrderStep { step, .. } => match step.action() {
            StepAction::Pay => CommandKind::OrderPay,
            StepAction::Ship => CommandKind::OrderShip,
            StepAction::Cancel => CommandKind::OrderCancel,
            StepAction::Confirm => CommandKind::OrderConfirm,
            StepAction::RefundRequest => CommandKind::OrderRefundRequest,
            StepAction::RefundAccept => CommandKind::OrderRefundAccept,
            StepAction::RefundReject => CommandKind::OrderRefundReject,
        },
        Command::ResolveOrder { .. } => CommandKind::ResolveOrder,
        Command::NewRequest(_) => CommandKind::NewRequest,
        Command::AcceptRequest { .. } => CommandKind::RequestAccept,
        Command::DeclineRequest { .. } => CommandKind::RequestDecline,
        Command::ProvisionPaycode => CommandKind::ProvisionPaycode,
        Command::Charge(_) => CommandKind::Charge,
        Command::AdvanceClock(_) => CommandKind::AdvanceClock,
        Command::Rename(_) => CommandKind::Rename,
        Command::ChangeMerchant { .. } => CommandKind::ChangeMerchant,
        Command::Deposit(_) => CommandKind::Deposit,
        Command::MarkPaidOut { .. } => CommandKind::MarkPaidOut,
        Command::MarkFailed { .. } => CommandKind::MarkFailed,
        Command::ApproveDevice => CommandKind::ApproveDevice,
        Command::JoinDevice(_) => CommandKind::JoinDevice,
        Command::RevokeDevice { .. } => CommandKind::RevokeDevice,
        Command::RefreshPaycodeMasks => CommandKind::RefreshPaycodeMasks,
    }
}

/// What a command does, for the outbox list.
pub fn command_summary(entry: &OutboxEntry, texts: &Texts) -> String {
    let command = match &entry.command {
        StoredCommand::Known(command) => command,
        StoredCommand::Unreadable(unreadable) => {
            return texts.with("command-unreadable", &[("request", &unreadable.request)]);
        }
    };
    match command {
        Command::Send(send) => texts.with(
            "command-send",
            &[
                ("amount", &money_text(&send.amount, &send.currency, texts)),
                ("to", &send.to),
            ],
        ),
        Command::PayCode(pay) => {
            let code = code_summary(&pay.code, texts);
            let shown = match (&pay.amount, code.currency, code.fixed) {
                (Some(typed), Some(currency), _) => Some(money_text(typed, currency, texts)),
                (None, _, Some(fixed)) => Some(fixed),
                (Some(typed), None, _) => Some(typed.clone()),
                (None, _, None) => None,
            };
            match shown {
                Some(shown) => texts.with(
                    "command-pay-code",
                    &[("payee", &code.label), ("amount", &shown)],
                ),
                None => texts.with("command-pay-code-no-amount", &[("payee", &code.label)]),
            }
        }
        Command::PayOrderCode(scanned) => texts.with(
            "command-pay-order",
            &[("payee", &code_summary(&scanned.code, texts).label)],
        ),
        Command::Charge(charge) => texts.with(
            "command-charge",
            &[(
                "amount",
                &money_text(&charge.amount, &charge.currency, texts),
            )],
        ),
        Command::AcceptRequest { id } => {
            texts.with("command-request-accept", &[("id", &id.to_string())])
        }
        Command::DeclineRequest { id } => {
            texts.with("command-request-decline", &[("id", &id.to_string())])
        }
        Command::OrderStep { order_id, step } => order_command_summary(order_id, step, texts),
        other => texts.with(
            "command-other",
            &[
                ("kind", &other.name()),
                ("method", other.method()),
                ("path", &other.path()),
            ],
        ),
    }
}

/// What an order step (`order_<action>`) of the outbox does.
fn order_command_summary(order: &str, step: &OrderStepCommand, texts: &Texts) -> String {
    match step {
        OrderStepCommand::Ship(ship) => texts.with(
            "command-order-ship",
            &[
                ("order", order),
                ("carrier", &ship.carrier),
                ("tracking", &ship.tracking),
            ],
        ),
        // The refund request carries decimal text in the order's currency, which the command
        // does not name: shown as typed.
        OrderStepCommand::RequestRefund(refund) => texts.with(
            "command-order-refund-request",
            &[("order", order), ("amount", &refund.amount)],
        ),
        OrderStepCommand::Plain(action) => {
            let id = match action {
                OrderAction::Pay => "command-order-pay",
                OrderAction::Cancel => "command-order-cancel",
                OrderAction::Confirm => "command-order-confirm",
                OrderAction::AcceptRefund => "command-order-refund-accept",
                OrderAction::RejectRefund => "command-order-refund-reject",
            };
            texts.with(id, &[("order", order)])
        }
    }
}

fn amount_display(answer: &Value, texts: &Texts) -> String {
    amount_in(answer, "amount", texts)
        .map(|a| a.display)
        .unwrap_or_default()
}

fn party_in(answer: &Value, key: &str, texts: &Texts) -> String {
    let party = answer.get(key).cloned().unwrap_or(Value::Null);
    party_label(
        text(&party, "handle").as_deref(),
        text(&party, "display_name").as_deref(),
        texts,
    )
}

/// What the server's acceptance means, in one sentence.
// Long (75 lines): one arm per kind of command the outbox sends, each reading its answer's
// fields into that command's sentence; split up, the arms would only move apart.
fn done_message(entry: &OutboxEntry, answer: &Value, texts: &Texts) -> String {
    let command = match &entry.command {
        StoredCommand::Known(command) => command,
        StoredCommand::Unreadable(unreadable) => {
            return texts.with("outcome-other", &[("kind", &unreadable.request)]);
        }
    };
    let amount = amount_display(answer, texts);
    let request_id = answer
        .get("id")
        .and_then(Value::as_i64)
        .unwrap_or_default()
        .to_string();
    let order_outcome = match command {
        Command::Send(send) => {
            return texts.with("outcome-sent", &[("amount", &amount), ("to", &send.to)]);
        }
        Command::PayCode(_) => {
            return texts.with(
                "outcome-paid-code",
                &[
                    ("amount", &amount),
                    ("payee", &party_in(answer, "payee", texts)),
                ],
            );
        }
        Command::Charge(_) => {
            return texts.with(
                "outcome-charged",
                &[
                    ("amount", &amount),
                    ("payer", &party_in(answer, "payer", texts)),
                ],
            );
        }
        Command::AcceptRequest { .. } | Command::DeclineRequest { .. } => {
            let id = if matches!(command, Command::AcceptRequest { .. }) {
                "outcome-request-paid"
            } else {
                "outcome-request-declined"
            };
            return texts.with(
                id,
                &[
                    ("amount", &amount),
                    ("requester", &party_in(answer, "requester", texts)),
                    ("id", &request_id),
                ],
            );
        }
        Command::PayOrderCode(_) => "outcome-order-paid",
        Command::OrderStep { step, .. } => match step.action() {
            StepAction::Pay => "outcome-order-paid",
            StepAction::Confirm => "outcome-order-confirm",
            StepAction::Cancel => "outcome-order-cancel",
            StepAction::Ship => "outcome-order-ship",
            StepAction::RefundRequest => "outcome-order-refund-request",
            StepAction::RefundAccept => "outcome-order-refund-accept",
            StepAction::RefundReject => "outcome-order-refund-reject",
        },
        other => return texts.with("outcome-other", &[("kind", &other.name())]),
    };
    texts.with(
        order_outcome,
        &[
            ("amount", &amount),
            ("title", &text(answer, "title").unwrap_or_default()),
            ("id", &text(answer, "id").unwrap_or_default()),
            (
                "state",
                &state_word(&text(answer, "state").unwrap_or_default(), texts),
            ),
        ],
    )
}

/// A refusal in words: English shows the server's sentence and problem code; other languages
/// the catalogue's sentence for the code (`problem-<code>`, or `problem-other`), never the
/// server's English. A shortfall names the command's own amount, written by the locale's
/// formatter (not the server's "500.00 CNY").
fn refusal_message(entry: &OutboxEntry, answer: &Value, texts: &Texts) -> String {
    let detail = text(answer, "detail").unwrap_or_else(|| {
        entry
            .answer
            .as_ref()
            .map(|a| a.body.clone())
            .unwrap_or_default()
    });
    match text(answer, "code") {
        Some(code) => {
            let reason = match (code.as_str(), command_amount(entry)) {
                ("insufficient_funds", Some(money)) => texts.with(
                    "problem-insufficient_funds-amount",
                    &[("amount", &texts.amount(money.minor, &money.currency))],
                ),
                _ => problem_sentence(texts, &code),
            };
            texts.with(
                "outcome-refused-problem",
                &[("detail", &detail), ("code", &code), ("reason", &reason)],
            )
        }
        None => texts.with("outcome-refused", &[("detail", &detail)]),
    }
}

/// The outcome of a command as stored (done, failed or still queued).
pub fn command_outcome(entry: &OutboxEntry, texts: &Texts) -> CommandOutcome {
    let answer = answer_json(entry);
    let problem = match entry.state {
        CommandState::Failed => text(&answer, "code"),
        _ => None,
    };
    let (state, message) = match entry.state {
        CommandState::Done => (OutcomeState::Done, done_message(entry, &answer, texts)),
        CommandState::Failed => (OutcomeState::Failed, refusal_message(entry, &answer, texts)),
        CommandState::Pending | CommandState::Sending => (
            OutcomeState::Queued,
            // The transport's cause ("tcp connect error …") is in the log and the outbox row,
            // not in the sentence.
            match &entry.last_error {
                Some(_) => texts.get("outcome-queued-error"),
                None => texts.get("outcome-queued"),
            },
        ),
    };
    CommandOutcome {
        command_id: entry.id,
        idempotency_key: entry.idempotency_key.clone(),
        state,
        message,
        transfer_id: text(&answer, "transfer_id"),
        problem,
    }
}

/// The outbox row.
pub fn outbox_item(entry: &OutboxEntry, texts: &Texts) -> OutboxItem {
    let outcome = match entry.state {
        CommandState::Pending if entry.last_error.is_none() && entry.attempts == 0 => None,
        _ => Some(command_outcome(entry, texts).message),
    };
    OutboxItem {
        id: entry.id,
        kind: command_kind(&entry.command),
        state: entry.state,
        state_label: texts.get(&format!("outbox-state-{}", entry.state.as_str())),
        summary: command_summary(entry, texts),
        outcome,
        attempts: entry.attempts,
    }
}

// ---- scan ------------------------------------------------------------------------------

fn empty_screen(kind: ScanKind, code: &str) -> ScanScreen {
    ScanScreen {
        kind,
        payable: false,
        payee_handle: None,
        payee_name: None,
        printed_name: None,
        name_warning: None,
        payee_verified: false,
        verified_label: None,
        look_alike_warning: None,
        first_payment_warning: None,
        amount: None,
        needs_amount: false,
        currency: None,
        order_id: None,
        scheme: None,
        reasons: Vec::new(),
        code: code.to_owned(),
    }
}

/// The screen for what needs no server: payment codes, foreign and invalid codes. `None`
/// for Danbao codes (they must be resolved by the server first).
pub fn local_scan_screen(outcome: &ScanOutcome, code: &str, texts: &Texts) -> Option<ScanScreen> {
    let country_name = |c: &str| region_name(texts.icu_locale(), c);
    match outcome {
        ScanOutcome::PaymentCode { .. } => {
            let mut screen = empty_screen(ScanKind::PaymentCode, code);
            screen.reasons.push(texts.get("scan-payment-code"));
            Some(screen)
        }
        ScanOutcome::ForeignScheme {
            schemes,
            description,
            merchant_name,
            country,
        } => {
            let mut screen = empty_screen(ScanKind::ForeignScheme, code);
            let names: Vec<String> = schemes
                .iter()
                .map(|s| {
                    let name = network_name(&s.id, &s.name, texts);
                    match &s.country {
                        Some(c) => texts.with(
                            "scan-foreign-scheme",
                            &[("scheme", &name), ("country", &country_name(c))],
                        ),
                        None => name,
                    }
                })
                .collect();
            screen.scheme = Some(if names.is_empty() {
                match country {
                    Some(c) => texts.with(
                        "scan-unknown-network-country",
                        &[("country", &country_name(c))],
                    ),
                    None => texts.get("scan-unknown-network"),
                }
            } else {
                names.join("; ")
            });
            screen.printed_name = merchant_name.clone();
            // The domain's `description` is English for logs; the screen says it in words of
            // the catalogue, with the networks' names in the locale's language.
            let networks = screen.scheme.clone().unwrap_or_default();
            screen.reasons.push(texts.with(
                "scan-foreign",
                &[("description", description), ("networks", &networks)],
            ));
            Some(screen)
        }
        ScanOutcome::Invalid { reasons } => {
            let mut screen = empty_screen(ScanKind::Invalid, code);
            // The codec's reasons are precise English; a catalogue may say them in its own
            // words instead (the Chinese one has one sentence for all of them).
            for reason in reasons {
                let said = texts.with("scan-invalid-reason", &[("reason", reason)]);
                if !screen.reasons.contains(&said) {
                    screen.reasons.push(said);
                }
            }
            Some(screen)
        }
        ScanOutcome::MerchantPayment { .. }
        | ScanOutcome::DanbaoOrder { .. }
        | ScanOutcome::FriendReceive { .. } => None,
    }
}

/// The kind and printed name of a Danbao code as read locally.
pub(crate) fn danbao_kind(outcome: &ScanOutcome) -> Option<(ScanKind, String)> {
    match outcome {
        ScanOutcome::MerchantPayment { code, .. } => {
            Some((ScanKind::MerchantPayment, code.merchant_name.clone()))
        }
        ScanOutcome::DanbaoOrder { code, .. } => {
            Some((ScanKind::DanbaoOrder, code.merchant_name.clone()))
        }
        ScanOutcome::FriendReceive { code, .. } => {
            Some((ScanKind::FriendReceive, code.name.clone()))
        }
        _ => None,
    }
}

/// What a confirm screen says about the payee before money moves: the verified badge, a
/// look-alike warning, a first-payment warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PayeeScreen {
    /// The payee's handle.
    pub handle: String,
    /// The payee's name as the server knows it: the name to show.
    pub name: String,
    /// Whether the operator verified the payee as a merchant.
    pub verified: bool,
    /// The verified badge's label (verified payees only).
    pub verified_label: Option<String>,
    /// Set when the payee is not verified and its name looks like a verified merchant's, or
    /// like another account's: show it prominently.
    pub look_alike_warning: Option<String>,
    /// Set when this wallet never paid this payee before.
    pub first_payment_warning: Option<String>,
}

/// The payee part of a confirm screen: `standing` is the server's answer, `paid_before`
/// whether this wallet's own store holds a completed payment to `handle`.
pub fn payee_screen(
    handle: &str,
    name: &str,
    standing: &api::PayeeStanding,
    paid_before: bool,
    texts: &Texts,
) -> PayeeScreen {
    let verified_label = standing.verified.then(|| {
        let verified_name = standing.verified_name.as_deref().unwrap_or(name);
        texts.with("payee-verified", &[("name", verified_name)])
    });
    let args = [("name", name), ("handle", handle)];
    // A verified payee is the merchant the operator checked: its badge says so, and a name
    // like someone else's is that other account's problem, not this payment's.
    let look_alike_warning = if standing.verified {
        None
    } else if standing.resembles_verified {
        Some(texts.with("payee-look-alike-verified", &args))
    } else if standing.look_alike {
        Some(texts.with("payee-look-alike", &args))
    } else {
        None
    };
    PayeeScreen {
        handle: handle.to_owned(),
        name: name.to_owned(),
        verified: standing.verified,
        verified_label,
        look_alike_warning,
        first_payment_warning: (!paid_before)
            .then(|| texts.with("payee-first-payment", &[("handle", handle)])),
    }
}

/// The confirm screen of a Danbao code the server resolved; `paid_before` says whether this
/// wallet paid the payee before (no first-payment warning then).
pub fn resolved_scan_screen(
    kind: ScanKind,
    resolved: &api::Resolved,
    code: &str,
    paid_before: bool,
    texts: &Texts,
) -> ScanScreen {
    let mut screen = empty_screen(kind, code);
    let payee = payee_screen(
        &resolved.payee.handle,
        &resolved.payee.display_name,
        &resolved.standing,
        paid_before,
        texts,
    );
    screen.payee_verified = payee.verified;
    screen.verified_label = payee.verified_label;
    screen.look_alike_warning = payee.look_alike_warning;
    screen.first_payment_warning = payee.first_payment_warning;
    screen.payable = true;
    screen.payee_handle = Some(resolved.payee.handle.clone());
    screen.payee_name = Some(resolved.payee.display_name.clone());
    screen.printed_name = Some(resolved.printed_name.clone());
    if resolved.name_mismatch {
        screen.name_warning = Some(texts.with(
            "scan-name-warning",
            &[
                ("printed", &resolved.printed_name),
                ("name", &resolved.payee.display_name),
                ("handle", &resolved.payee.handle),
            ],
        ));
    }
    screen.amount = resolved
        .amount
        .as_ref()
        .map(|a| Amount::from_view(a, texts));
    screen.needs_amount = resolved.amount.is_none();
    screen.currency = Some(resolved.currency.clone());
    screen.order_id = resolved.order_id.clone();
    screen
}

/// The screen of a Danbao code the server refused to resolve (tampered, expired, used):
/// not payable, with the server's reason (`detail`, English) or the catalogue's sentence for
/// its `problem` code.
pub fn refused_scan_screen(
    printed_name: String,
    detail: &str,
    problem: &str,
    code: &str,
    texts: &Texts,
) -> ScanScreen {
    let mut screen = empty_screen(ScanKind::Invalid, code);
    screen.printed_name = Some(printed_name);
    let reason = problem_sentence(texts, problem);
    screen.reasons.push(texts.with(
        "scan-refused",
        &[("detail", detail), ("code", problem), ("reason", &reason)],
    ));
    screen
}
