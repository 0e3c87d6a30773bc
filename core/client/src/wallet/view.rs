//! What the screens show, as data (STYLE.md "screens as data"): the facade's public types and
//! the pure functions that map cached rows and server answers onto them. Nothing here does
//! I/O, so every mapping is unit-tested without a server.

use serde::Serialize;
use serde_json::Value;

use crate::api::{self, AmountView, OrderView};
use crate::store::{self, Balance, CachedOrder, CommandState, FeedEvent, OutboxEntry};
use danbao_domain::money::{Currency, Money};
use danbao_domain::qr::{ScanOutcome, scan};

/// An amount both raw (for logic) and formatted (for display).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Amount {
    /// Exact minor units (fen, cents, yen).
    pub minor: i64,
    /// ISO 4217 alphabetic code, e.g. `CNY`.
    pub currency: String,
    /// Decimal text with the currency's exponent of decimals, e.g. `12.50`.
    pub value: String,
    /// For display, e.g. `12.50 CNY`.
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

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Self {
            minor: money.minor(),
            currency: money.currency().code().to_owned(),
            value: money.format(),
            display: money.format_with_code(),
        }
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

impl From<&Balance> for BalanceLine {
    fn from(balance: &Balance) -> Self {
        Self {
            currency: balance.currency.clone(),
            available: Amount::new(balance.available, &balance.currency),
            held_out: Amount::new(balance.held_out, &balance.currency),
            incoming: Amount::new(balance.incoming, &balance.currency),
        }
    }
}

/// One money movement of the activity list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityItem {
    /// Feed position: unique, newest highest; the paging cursor.
    pub seq: i64,
    /// `p2p`, `merchant`, `top_up`, `withdrawal`, `escrow_hold`, `escrow_release`,
    /// `escrow_refund`, `paycode`, `request`, ...
    pub kind: String,
    /// `in` or `out`.
    pub direction: String,
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
}

/// A page of activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityPage {
    /// The items.
    pub items: Vec<ActivityItem>,
    /// Pass as `cursor` for the next (older) page; `None` after the last.
    pub next_cursor: Option<i64>,
}

/// An escrow order as a list row or detail screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSummary {
    /// The order id (`ord_…`).
    pub id: String,
    /// What is sold.
    pub title: String,
    /// `buyer` or `seller`.
    pub role: String,
    /// `awaiting_payment`, `paid`, `shipped`, `refund_requested`, `disputed`, `completed`,
    /// `cancelled`, `refunded`.
    pub state: String,
    /// The price.
    pub amount: Amount,
    /// What this user may do now: `pay`, `confirm`, `cancel`, `refund-request`, `ship`,
    /// `refund-accept`, `refund-reject`.
    pub actions: Vec<String>,
    /// The state in words for this user's role, e.g. "Paid into escrow: ship it".
    pub state_label: String,
    /// One button per allowed action, in the order of `actions`, with its label and the input
    /// it needs.
    pub buttons: Vec<OrderButton>,
    /// When the next timer fires (Unix seconds), if one runs.
    pub deadline: Option<i64>,
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
pub struct Shipment {
    /// The carrier, e.g. "SF Express".
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking: String,
}

/// A button of the order screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderButton {
    /// The action it performs (one of `OrderSummary::actions`).
    pub action: String,
    /// Its label, e.g. "Confirm receipt".
    pub label: String,
    /// What the user must enter before the action is sent.
    pub input: ActionInput,
}

/// What an order action needs from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionInput {
    /// Nothing: the button sends the action (after a confirmation where money moves).
    Nothing,
    /// An amount to ask back, at most the order's price (`refund-request`).
    RefundAmount,
    /// The carrier and the tracking number (`ship`).
    Shipment,
}

/// A command of the outbox as the "waiting to send" list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    /// Local id.
    pub id: i64,
    /// `send`, `pay_code`, `pay_order`, `order_confirm`, `request_accept`, `charge`, ...
    pub kind: String,
    /// `pending`, `sending`, `done` or `failed`.
    pub state: String,
    /// What the command does, e.g. "Send 12.50 CNY to @bob".
    pub summary: String,
    /// The result once answered, or why it waits.
    pub outcome: Option<String>,
    /// Attempts started.
    pub attempts: u32,
}

/// Everything the home screen shows, from the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

/// What a scanned text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
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
pub struct CommandOutcome {
    /// The outbox id.
    pub command_id: i64,
    /// The idempotency key it is sent with (every attempt).
    pub idempotency_key: String,
    /// `done`, `failed` or `queued`.
    pub state: String,
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

/// A newly opened order and the code its buyer scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderCreated {
    /// The order as the seller sees it.
    pub order: OrderSummary,
    /// The signed order code (valid until the pay window closes).
    pub code: CodeView,
}

/// A money request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// `open`, `paid` or `declined`.
    pub status: String,
    /// Whether this user is the payer of an open request: show "Pay" and "Decline".
    pub can_answer: bool,
}

impl From<api::RequestView> for RequestView {
    fn from(view: api::RequestView) -> Self {
        Self {
            id: view.id,
            requester: view.requester.handle,
            payer: view.payer.handle,
            amount: view.amount.into(),
            note: view.note,
            status: view.status,
            can_answer: false,
        }
    }
}

// ---- mapping ---------------------------------------------------------------------------

/// The requests in cached `request` events (newest first), each once, in the state of its
/// newest event. Events that cannot be read are skipped.
pub fn latest_requests(events_newest_first: &[FeedEvent], me: Option<&str>) -> Vec<RequestView> {
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
            let mut view = RequestView::from(request);
            view.can_answer = view.status == "open" && me.is_some_and(|me| view.payer == me);
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

fn amount_in(data: &Value, key: &str) -> Option<Amount> {
    data.get(key)
        .and_then(|v| serde_json::from_value::<AmountView>(v.clone()).ok())
        .map(Amount::from)
}

/// "Bob (@bob)", or whichever part is known.
pub(crate) fn party_label(handle: Option<&str>, name: Option<&str>) -> String {
    match (name, handle) {
        (Some(name), Some(handle)) if name != handle => format!("{name} (@{handle})"),
        (_, Some(handle)) => format!("@{handle}"),
        (Some(name), None) => name.to_owned(),
        (None, None) => "someone".to_owned(),
    }
}

/// ISO 4217's code for "no currency": the amount of an activity row whose data cannot be read
/// is zero of it.
const NO_CURRENCY: &str = "XXX";

/// One activity row from a cached `transfer` event. Total: a row whose data cannot be read
/// still maps (with a zero amount and a title saying so), so one bad row never hides a page.
pub fn activity_item(event: &FeedEvent) -> ActivityItem {
    let data: Value = serde_json::from_str(&event.data_json).unwrap_or(Value::Null);
    let kind = text(&data, "type").unwrap_or_else(|| event.kind.clone());
    let direction = text(&data, "direction").unwrap_or_else(|| "in".to_owned());
    let amount = amount_in(&data, "amount").unwrap_or_else(|| Amount::new(0, NO_CURRENCY));
    let counterparty = text(&data, "counterparty");
    let counterparty_name = text(&data, "counterparty_name");
    let memo = text(&data, "memo");
    let who = party_label(counterparty.as_deref(), counterparty_name.as_deref());
    let about = memo
        .as_deref()
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let out = direction == "out";
    let title = match kind.as_str() {
        "p2p" if out => format!("Sent to {who}"),
        "p2p" => format!("Received from {who}"),
        "merchant" if out => format!("Paid {who}"),
        "merchant" => format!("Payment from {who}"),
        "paycode" if out => format!("Paid {who} with the payment code"),
        "paycode" => format!("Charged {who}'s payment code"),
        "request" if out => format!("Paid {who}'s request"),
        "request" => format!("{who} paid your request"),
        "top_up" => "Top-up".to_owned(),
        "withdrawal" => "Withdrawal".to_owned(),
        "escrow_hold" if out => format!("Paid into escrow{about}"),
        "escrow_hold" => format!("{who} paid into escrow{about}"),
        "escrow_release" if out => format!("Released to {who}{about}"),
        "escrow_release" => format!("Released to you by {who}{about}"),
        "escrow_refund" if out => format!("Refunded to {who}{about}"),
        "escrow_refund" => format!("Refund from {who}{about}"),
        "paycode_guessed" => {
            "Someone tried to charge your payment code with wrong codes; it is paused for a \
             while. If you did not show it to anyone, make a fresh one."
                .to_owned()
        }
        _ if data.is_null() => format!("Unreadable {} entry", event.kind),
        other => format!("{} ({direction})", other.replace('_', " ")),
    };
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
    }
}

/// The enum's serde name (`awaiting_payment`, `buyer`, ...).
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// The list/detail row of an order view.
pub fn order_summary(view: &OrderView) -> OrderSummary {
    let role = serde_name(&view.role);
    let counterparty = if role == "seller" {
        view.buyer.as_ref().map(|b| b.handle.clone())
    } else {
        Some(view.seller.handle.clone())
    };
    let state = serde_name(&view.state);
    // The server keeps the last request in the view after the order ends; from then on
    // `released` and `refunded` tell the outcome instead.
    let refund_asked = view
        .refund_request
        .as_ref()
        .filter(|_| matches!(state.as_str(), "refund_requested" | "disputed"))
        .map(|r| Amount::from(&r.amount));
    OrderSummary {
        id: view.id.clone(),
        title: view.title.clone(),
        state_label: state_label(&role, &state),
        buttons: view.actions.iter().map(|a| order_button(a)).collect(),
        role,
        state,
        amount: Amount::from(&view.amount),
        actions: view.actions.clone(),
        deadline: view.next_deadline.as_ref().map(|d| d.at),
        counterparty,
        shipment: view.shipment.as_ref().map(|s| Shipment {
            carrier: s.carrier.clone(),
            tracking: s.tracking.clone(),
        }),
        refund_asked,
        released: view.released.as_ref().map(Amount::from),
        refunded: view.refunded.as_ref().map(Amount::from),
    }
}

/// An order's state in words, for the buyer or the seller.
pub fn state_label(role: &str, state: &str) -> String {
    let seller = role == "seller";
    let label = match state {
        "awaiting_payment" if seller => "Waiting for the buyer to pay",
        "awaiting_payment" => "Waiting for your payment",
        "paid" if seller => "Paid into escrow: ship it",
        "paid" => "Paid into escrow: waiting for the seller to ship",
        "shipped" if seller => "Shipped: waiting for the buyer to confirm receipt",
        "shipped" => "Shipped: confirm receipt when it arrives",
        "refund_requested" if seller => "The buyer asks for a refund: accept or reject it",
        "refund_requested" => "Refund requested: waiting for the seller",
        "disputed" => "In dispute: Danbao support decides",
        "completed" if seller => "Completed: the money is yours",
        "completed" => "Completed: the money went to the seller",
        "cancelled" => "Cancelled",
        "refunded" => "Refunded",
        other => return other.replace('_', " "),
    };
    label.to_owned()
}

/// The button for an order action.
pub fn order_button(action: &str) -> OrderButton {
    let (label, input) = match action {
        "pay" => ("Pay into escrow", ActionInput::Nothing),
        "confirm" => ("Confirm receipt", ActionInput::Nothing),
        "cancel" => ("Cancel the order", ActionInput::Nothing),
        "ship" => ("Mark as shipped", ActionInput::Shipment),
        "refund-request" => ("Ask for a refund", ActionInput::RefundAmount),
        "refund-accept" => ("Accept the refund", ActionInput::Nothing),
        "refund-reject" => ("Reject the refund (opens a dispute)", ActionInput::Nothing),
        other => (other, ActionInput::Nothing),
    };
    OrderButton {
        action: action.to_owned(),
        label: label.to_owned(),
        input,
    }
}

/// The cache row of an order view.
pub(crate) fn cached_order(view: &OrderView) -> Result<CachedOrder, serde_json::Error> {
    Ok(CachedOrder {
        id: view.id.clone(),
        state: serde_name(&view.state),
        role: serde_name(&view.role),
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
const ACTIONS_NEEDING_THE_USER: [&str; 5] =
    ["pay", "confirm", "ship", "refund-accept", "refund-reject"];

/// Whether the order waits for this user.
pub fn needs_action(order: &OrderSummary) -> bool {
    order
        .actions
        .iter()
        .any(|a| ACTIONS_NEEDING_THE_USER.contains(&a.as_str()))
}

fn body_json(entry: &OutboxEntry) -> Value {
    serde_json::from_str(&entry.command.body_json).unwrap_or(Value::Null)
}

fn answer_json(entry: &OutboxEntry) -> Value {
    entry
        .answer
        .as_ref()
        .and_then(|a| serde_json::from_str(&a.body).ok())
        .unwrap_or(Value::Null)
}

fn body_amount(body: &Value) -> Option<String> {
    let amount = text(body, "amount")?;
    Some(match text(body, "currency") {
        Some(currency) => format!("{amount} {currency}"),
        None => amount,
    })
}

/// The order id in `/v1/orders/{id}/{action}`.
fn order_in_path(path: &str) -> String {
    path.trim_start_matches("/v1/orders/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The request id in `/v1/requests/{id}/{action}`.
fn request_in_path(path: &str) -> String {
    path.trim_start_matches("/v1/requests/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Who a scanned code names, from the code alone (for summaries; the server's name is the
/// one shown on the confirm screen).
fn code_label(code: &str) -> String {
    match scan(code) {
        ScanOutcome::MerchantPayment { code, .. } => code.merchant_name,
        ScanOutcome::FriendReceive { code, .. } => format!("@{}", code.handle),
        ScanOutcome::DanbaoOrder { code, .. } => format!("order {}", code.order_id),
        _ => "a scanned code".to_owned(),
    }
}

/// The currency and the fixed amount (for display) of a Danbao code, from the code alone.
fn code_money(code: &str) -> (Option<&'static str>, Option<String>) {
    match scan(code) {
        ScanOutcome::MerchantPayment {
            code,
            display_amount,
            ..
        } => (Some(code.currency.code()), display_amount),
        ScanOutcome::FriendReceive {
            code,
            display_amount,
            ..
        } => (Some(code.currency.code()), display_amount),
        ScanOutcome::DanbaoOrder {
            code,
            display_amount,
            ..
        } => (Some(code.currency.code()), Some(display_amount)),
        _ => (None, None),
    }
}

/// What a command does, for the outbox list.
pub fn command_summary(entry: &OutboxEntry) -> String {
    let body = body_json(entry);
    let command = &entry.command;
    let amount = body_amount(&body);
    let with_amount = |s: String| match &amount {
        Some(a) => format!("{s} {a}"),
        None => s,
    };
    match command.kind.as_str() {
        "send" => format!(
            "Send {} to @{}",
            amount.unwrap_or_default(),
            text(&body, "to").unwrap_or_default()
        ),
        "pay_code" => {
            let code = text(&body, "code").unwrap_or_default();
            let (currency, fixed) = code_money(&code);
            match (text(&body, "amount"), currency, fixed) {
                (Some(amount), Some(currency), _) => {
                    format!("Pay {} {amount} {currency}", code_label(&code))
                }
                (None, _, Some(fixed)) => format!("Pay {} {fixed}", code_label(&code)),
                _ => with_amount(format!("Pay {}", code_label(&code))),
            }
        }
        "pay_order" => format!(
            "Pay {} into escrow",
            code_label(&text(&body, "code").unwrap_or_default())
        ),
        "charge" => format!("Charge {} to a payment code", amount.unwrap_or_default()),
        "request_accept" => format!("Pay request {}", request_in_path(&command.path)),
        "request_decline" => format!("Decline request {}", request_in_path(&command.path)),
        kind if kind.starts_with("order_") => {
            let order = order_in_path(&command.path);
            match kind.trim_start_matches("order_") {
                "confirm" => format!("Confirm receipt of order {order}"),
                "cancel" => format!("Cancel order {order}"),
                "pay" => format!("Pay order {order} into escrow"),
                "ship" => format!(
                    "Mark order {order} shipped ({} {})",
                    text(&body, "carrier").unwrap_or_default(),
                    text(&body, "tracking").unwrap_or_default()
                ),
                "refund-request" => format!(
                    "Ask for {} back on order {order}",
                    text(&body, "amount").unwrap_or_default()
                ),
                "refund-accept" => format!("Accept the refund request on order {order}"),
                "refund-reject" => format!("Reject the refund request on order {order}"),
                other => format!("{other} order {order}"),
            }
        }
        other => format!("{other} ({} {})", command.method, command.path),
    }
}

fn amount_display(answer: &Value) -> String {
    amount_in(answer, "amount")
        .map(|a| a.display)
        .unwrap_or_default()
}

fn party_in(answer: &Value, key: &str) -> String {
    let party = answer.get(key).cloned().unwrap_or(Value::Null);
    party_label(
        text(&party, "handle").as_deref(),
        text(&party, "display_name").as_deref(),
    )
}

/// What the server's acceptance means, in one sentence.
fn done_message(entry: &OutboxEntry, answer: &Value) -> String {
    let body = body_json(entry);
    match entry.command.kind.as_str() {
        "send" => format!(
            "Sent {} to @{}",
            amount_display(answer),
            text(&body, "to").unwrap_or_default()
        ),
        "pay_code" => format!(
            "Paid {} to {}",
            amount_display(answer),
            party_in(answer, "payee")
        ),
        "charge" => format!(
            "Charged {} to {}",
            amount_display(answer),
            party_in(answer, "payer")
        ),
        "request_accept" => format!(
            "Paid {} to {} (request {})",
            amount_display(answer),
            party_in(answer, "requester"),
            answer.get("id").and_then(Value::as_i64).unwrap_or_default()
        ),
        "request_decline" => format!(
            "Declined {}'s request {} for {}",
            party_in(answer, "requester"),
            answer.get("id").and_then(Value::as_i64).unwrap_or_default(),
            amount_display(answer)
        ),
        kind if kind == "pay_order" || kind.starts_with("order_") => {
            let title = text(answer, "title").unwrap_or_default();
            let id = text(answer, "id").unwrap_or_default();
            let state = text(answer, "state").unwrap_or_default().replace('_', " ");
            let did = match kind {
                "pay_order" | "order_pay" => {
                    format!("Paid {} into escrow for", amount_display(answer))
                }
                "order_confirm" => "Confirmed receipt of".to_owned(),
                "order_cancel" => "Cancelled".to_owned(),
                "order_ship" => "Marked shipped:".to_owned(),
                "order_refund-request" => "Asked for a refund on".to_owned(),
                "order_refund-accept" => "Accepted the refund on".to_owned(),
                "order_refund-reject" => "Rejected the refund on".to_owned(),
                _ => "Updated".to_owned(),
            };
            format!("{did} “{title}” ({id}); the order is now {state}")
        }
        other => format!("{other}: done"),
    }
}

/// The outcome of a command as stored (done, failed or still queued).
pub fn command_outcome(entry: &OutboxEntry) -> CommandOutcome {
    let answer = answer_json(entry);
    let problem = match entry.state {
        CommandState::Failed => text(&answer, "code"),
        _ => None,
    };
    let (state, message) = match entry.state {
        CommandState::Done => ("done", done_message(entry, &answer)),
        CommandState::Failed => {
            let detail = text(&answer, "detail").unwrap_or_else(|| {
                entry
                    .answer
                    .as_ref()
                    .map(|a| a.body.clone())
                    .unwrap_or_default()
            });
            let code = text(&answer, "code")
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            ("failed", format!("Refused: {detail}{code}"))
        }
        CommandState::Pending | CommandState::Sending => (
            "queued",
            format!(
                "queued: {}",
                entry
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "waiting to be sent".to_owned())
            ),
        ),
    };
    CommandOutcome {
        command_id: entry.id,
        idempotency_key: entry.command.idempotency_key.clone(),
        state: state.to_owned(),
        message,
        transfer_id: text(&answer, "transfer_id"),
        problem,
    }
}

/// The outbox row.
pub fn outbox_item(entry: &OutboxEntry) -> OutboxItem {
    let outcome = match entry.state {
        CommandState::Pending if entry.last_error.is_none() && entry.attempts == 0 => None,
        _ => Some(command_outcome(entry).message),
    };
    OutboxItem {
        id: entry.id,
        kind: entry.command.kind.clone(),
        state: entry.state.as_str().to_owned(),
        summary: command_summary(entry),
        outcome,
        attempts: entry.attempts,
    }
}

// ---- scan ------------------------------------------------------------------------------

/// The English name of the countries whose domestic schemes the registry knows.
fn country_name(code: &str) -> &str {
    match code.to_ascii_uppercase().as_str() {
        "BR" => "Brazil",
        "TH" => "Thailand",
        "SG" => "Singapore",
        "HK" => "Hong Kong",
        "VN" => "Vietnam",
        "IN" => "India",
        "ID" => "Indonesia",
        "MY" => "Malaysia",
        "PH" => "Philippines",
        "CN" => "China",
        "JP" => "Japan",
        "KR" => "South Korea",
        "US" => "United States",
        "GB" => "United Kingdom",
        _ => code,
    }
}

fn empty_screen(kind: ScanKind, code: &str) -> ScanScreen {
    ScanScreen {
        kind,
        payable: false,
        payee_handle: None,
        payee_name: None,
        printed_name: None,
        name_warning: None,
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
pub fn local_scan_screen(outcome: &ScanOutcome, code: &str) -> Option<ScanScreen> {
    match outcome {
        ScanOutcome::PaymentCode { .. } => {
            let mut screen = empty_screen(ScanKind::PaymentCode, code);
            screen.reasons.push(
                "this is a customer's payment code: a merchant charges it \
                 (charge_payment_code); it cannot be paid from a wallet"
                    .to_owned(),
            );
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
                .map(|s| match &s.country {
                    Some(c) => format!("{}, {}", s.name, country_name(c)),
                    None => s.name.clone(),
                })
                .collect();
            screen.scheme = Some(if names.is_empty() {
                match country {
                    Some(c) => format!("an unknown network, {}", country_name(c)),
                    None => "an unknown network".to_owned(),
                }
            } else {
                names.join("; ")
            });
            screen.printed_name = merchant_name.clone();
            screen
                .reasons
                .push(format!("{description}: this wallet pays Danbao codes only"));
            Some(screen)
        }
        ScanOutcome::Invalid { reasons } => {
            let mut screen = empty_screen(ScanKind::Invalid, code);
            screen.reasons = reasons.clone();
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

/// The confirm screen of a Danbao code the server resolved.
pub fn resolved_scan_screen(kind: ScanKind, resolved: &api::Resolved, code: &str) -> ScanScreen {
    let mut screen = empty_screen(kind, code);
    screen.payable = true;
    screen.payee_handle = Some(resolved.payee.handle.clone());
    screen.payee_name = Some(resolved.payee.display_name.clone());
    screen.printed_name = Some(resolved.printed_name.clone());
    if resolved.name_mismatch {
        screen.name_warning = Some(format!(
            "The code says “{}”, but it pays {} (@{}). Pay only if that is who you mean to pay.",
            resolved.printed_name, resolved.payee.display_name, resolved.payee.handle
        ));
    }
    screen.amount = resolved.amount.as_ref().map(Amount::from);
    screen.needs_amount = resolved.amount.is_none();
    screen.currency = Some(resolved.currency.clone());
    screen.order_id = resolved.order_id.clone();
    screen
}

/// The screen of a Danbao code the server refused to resolve (tampered, expired, used):
/// not payable, with the server's reason.
pub fn refused_scan_screen(printed_name: String, detail: String, code: &str) -> ScanScreen {
    let mut screen = empty_screen(ScanKind::Invalid, code);
    screen.printed_name = Some(printed_name);
    screen.reasons.push(detail);
    screen
}
