//! What the screens show, as UniFFI records: one for each of the core's view types
//! (`danbao_client::wallet::view`), converted field for field. The core decides every
//! value (formatted amounts, titles, allowed actions); a shell only renders them.

use danbao_client::store;
use danbao_client::wallet as core;

use super::kinds::{
    CommandKind, CommandState, Direction, OrderRole, OrderState, OrderStep, OutboxState,
    RequestStatus,
};
use crate::DanbaoError;

/// An amount both raw (for logic) and formatted (for display).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<core::Amount> for Amount {
    fn from(amount: core::Amount) -> Self {
        Self {
            minor: amount.minor,
            currency: amount.currency,
            value: amount.value,
            display: amount.display,
        }
    }
}

/// The signed-up identity.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<core::Profile> for Profile {
    fn from(profile: core::Profile) -> Self {
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
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<core::BalanceLine> for BalanceLine {
    fn from(line: core::BalanceLine) -> Self {
        Self {
            currency: line.currency,
            available: line.available.into(),
            held_out: line.held_out.into(),
            incoming: line.incoming.into(),
        }
    }
}

/// One money movement of the activity list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// When, as the wallet's locale writes it in the device's zone (`utc_offset_minutes`):
    /// "Dec 6, 2026, 11:08 AM", "2026年12月6日 11:08".
    pub time_label: String,
}

impl Lift<core::ActivityItem> for ActivityItem {
    fn lift(item: core::ActivityItem) -> Result<Self, DanbaoError> {
        Ok(Self {
            seq: item.seq,
            kind: item.kind,
            direction: Direction::from_wire(&item.direction)?,
            amount: item.amount.into(),
            counterparty: item.counterparty,
            counterparty_name: item.counterparty_name,
            memo: item.memo,
            created_at: item.created_at,
            title: item.title,
            time_label: item.time_label,
        })
    }
}

/// A page of activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActivityPage {
    /// The items.
    pub items: Vec<ActivityItem>,
    /// Pass as `cursor` for the next (older) page; `null` after the last.
    pub next_cursor: Option<i64>,
}

impl Lift<core::ActivityPage> for ActivityPage {
    fn lift(page: core::ActivityPage) -> Result<Self, DanbaoError> {
        Ok(Self {
            items: lift_all(page.items)?,
            next_cursor: page.next_cursor,
        })
    }
}

/// An escrow order as a list row or detail screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderSummary {
    /// The order id (`ord_…`).
    pub id: String,
    /// What is sold.
    pub title: String,
    /// Which side this user is on.
    pub role: OrderRole,
    /// Where the order is.
    pub state: OrderState,
    /// The price.
    pub amount: Amount,
    /// What this user may do now, one button each (`order_action` turns a step and what the
    /// user entered into the [`OrderAction`] to send).
    ///
    /// [`OrderAction`]: super::OrderAction
    pub actions: Vec<OrderStep>,
    /// The state in words for this user's role, e.g. "Paid into escrow: ship it".
    pub state_label: String,
    /// One button per allowed action, in the order of `actions`: its label and the input it
    /// needs.
    pub buttons: Vec<OrderButton>,
    /// When the next timer fires (Unix seconds), if one runs.
    pub deadline: Option<i64>,
    /// What the timer does and when, in the wallet's language: "Confirms automatically in 9
    /// days", "9天后自动确认收货".
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
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Shipment {
    /// The carrier, e.g. "SF Express".
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking: String,
}

impl From<core::Shipment> for Shipment {
    fn from(shipment: core::Shipment) -> Self {
        Self {
            carrier: shipment.carrier,
            tracking: shipment.tracking,
        }
    }
}

/// A button of the order screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderButton {
    /// The step it performs (one of `OrderSummary.actions`).
    pub action: OrderStep,
    /// Its label, e.g. "Confirm receipt".
    pub label: String,
    /// What the user must enter before the action is sent.
    pub input: ActionInput,
}

impl Lift<core::OrderButton> for OrderButton {
    fn lift(button: core::OrderButton) -> Result<Self, DanbaoError> {
        Ok(Self {
            action: OrderStep::from_wire(&button.action)?,
            label: button.label,
            input: button.input.into(),
        })
    }
}

/// What an order action needs from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ActionInput {
    /// Nothing: the button sends the action (after a confirmation where money moves).
    Nothing,
    /// An amount to ask back, at most the order's price (`OrderAction.RequestRefund`).
    RefundAmount,
    /// The carrier and the tracking number (`OrderAction.Ship`).
    Shipment,
}

impl From<core::ActionInput> for ActionInput {
    fn from(input: core::ActionInput) -> Self {
        match input {
            core::ActionInput::Nothing => Self::Nothing,
            core::ActionInput::RefundAmount => Self::RefundAmount,
            core::ActionInput::Shipment => Self::Shipment,
        }
    }
}

impl Lift<core::OrderSummary> for OrderSummary {
    fn lift(order: core::OrderSummary) -> Result<Self, DanbaoError> {
        Ok(Self {
            id: order.id,
            title: order.title,
            role: OrderRole::from_wire(&order.role)?,
            state: OrderState::from_wire(&order.state)?,
            amount: order.amount.into(),
            actions: order
                .actions
                .iter()
                .map(|action| OrderStep::from_wire(action))
                .collect::<Result<_, _>>()?,
            state_label: order.state_label,
            buttons: lift_all(order.buttons)?,
            deadline: order.deadline,
            deadline_label: order.deadline_label,
            counterparty: order.counterparty,
            shipment: order.shipment.map(Into::into),
            refund_asked: order.refund_asked.map(Into::into),
            released: order.released.map(Into::into),
            refunded: order.refunded.map(Into::into),
        })
    }
}

/// A command of the outbox as the "waiting to send" list shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutboxItem {
    /// Local id.
    pub id: i64,
    /// What the command is.
    pub kind: CommandKind,
    /// Where the command is.
    pub state: OutboxState,
    /// What the command does, e.g. "Send 12.50 CNY to @bob".
    pub summary: String,
    /// The result once answered, or why it waits.
    pub outcome: Option<String>,
    /// Attempts started.
    pub attempts: u32,
}

impl Lift<core::OutboxItem> for OutboxItem {
    fn lift(item: core::OutboxItem) -> Result<Self, DanbaoError> {
        Ok(Self {
            id: item.id,
            kind: item.kind.into(),
            state: OutboxState::from_wire(&item.state)?,
            summary: item.summary,
            outcome: item.outcome,
            attempts: item.attempts,
        })
    }
}

/// Everything the home screen shows, from the local cache (no network).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HomeSnapshot {
    /// The identity, `null` before sign-up.
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

impl Lift<core::HomeSnapshot> for HomeSnapshot {
    fn lift(home: core::HomeSnapshot) -> Result<Self, DanbaoError> {
        let currency = home
            .balances
            .first()
            .map(|line| line.currency.clone())
            .unwrap_or_else(|| DEFAULT_CURRENCY.to_owned());
        Ok(Self {
            currency,
            profile: home.profile.map(Profile::from),
            balances: convert(home.balances),
            recent: lift_all(home.recent)?,
            orders_needing_action: lift_all(home.orders_needing_action)?,
            outbox: lift_all(home.outbox)?,
            payment_code_enabled: home.payment_code_enabled,
        })
    }
}

/// What a scanned text is, for the confirm screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
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

impl From<core::ScanKind> for ScanKind {
    fn from(kind: core::ScanKind) -> Self {
        match kind {
            core::ScanKind::MerchantPayment => Self::MerchantPayment,
            core::ScanKind::DanbaoOrder => Self::DanbaoOrder,
            core::ScanKind::FriendReceive => Self::FriendReceive,
            core::ScanKind::PaymentCode => Self::PaymentCode,
            core::ScanKind::ForeignScheme => Self::ForeignScheme,
            core::ScanKind::Invalid => Self::Invalid,
        }
    }
}

/// What the pay-confirm screen shows for a scanned text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScanScreen {
    /// What was scanned.
    pub kind: ScanKind,
    /// Whether the "Pay" button may be offered (`pay(code, amount)`).
    pub payable: bool,
    /// Who gets paid (the server's answer).
    pub payee_handle: Option<String>,
    /// The payee's name as the server resolved it: the name to show.
    pub payee_name: Option<String>,
    /// The name printed in the code (never show it as the payee's name).
    pub printed_name: Option<String>,
    /// Set when the printed name differs from the real one: show it prominently.
    pub name_warning: Option<String>,
    /// Whether the operator verified the payee as a merchant.
    pub payee_verified: bool,
    /// The verified badge's label, e.g. "Verified merchant: Lotus Tea House" (verified
    /// payees only).
    pub verified_label: Option<String>,
    /// Set when the payee is not verified and its name looks like a verified merchant's, or
    /// like another account's: show it prominently.
    pub look_alike_warning: Option<String>,
    /// Set when this wallet never paid this payee before: show it above the Pay button.
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

impl From<core::ScanScreen> for ScanScreen {
    fn from(screen: core::ScanScreen) -> Self {
        Self {
            kind: screen.kind.into(),
            payable: screen.payable,
            payee_handle: screen.payee_handle,
            payee_name: screen.payee_name,
            printed_name: screen.printed_name,
            name_warning: screen.name_warning,
            payee_verified: screen.payee_verified,
            verified_label: screen.verified_label,
            look_alike_warning: screen.look_alike_warning,
            first_payment_warning: screen.first_payment_warning,
            amount: screen.amount.map(Amount::from),
            needs_amount: screen.needs_amount,
            currency: screen.currency,
            order_id: screen.order_id,
            scheme: screen.scheme,
            reasons: screen.reasons,
            code: screen.code,
        }
    }
}

/// The payee on the confirm screen before sending money by handle
/// (`Wallet.checkPayee`): the name to show, a verified badge, a look-alike warning and a
/// first-payment warning.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<core::PayeeScreen> for PayeeScreen {
    fn from(screen: core::PayeeScreen) -> Self {
        Self {
            handle: screen.handle,
            name: screen.name,
            verified: screen.verified,
            verified_label: screen.verified_label,
            look_alike_warning: screen.look_alike_warning,
            first_payment_warning: screen.first_payment_warning,
        }
    }
}

/// The result of a command sent through the outbox.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CommandOutcome {
    /// The outbox id.
    pub command_id: i64,
    /// The idempotency key it is sent with (every attempt).
    pub idempotency_key: String,
    /// Done, failed, or queued (offline: it is sent by a later `sync`/`flush_outbox`).
    pub state: CommandState,
    /// For a person: "Sent 12.50 CNY to @bob", the server's refusal, or "queued: …".
    pub message: String,
    /// The ledger transfer, when the command moved money.
    pub transfer_id: Option<String>,
    /// For a refusal (`failed`), the server's stable problem code, e.g. `insufficient_funds`.
    pub problem: Option<String>,
}

impl Lift<core::CommandOutcome> for CommandOutcome {
    fn lift(outcome: core::CommandOutcome) -> Result<Self, DanbaoError> {
        Ok(Self {
            command_id: outcome.command_id,
            idempotency_key: outcome.idempotency_key,
            state: CommandState::from_wire(&outcome.state)?,
            message: outcome.message,
            transfer_id: outcome.transfer_id,
            problem: outcome.problem,
        })
    }
}

/// A code to show as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeView {
    /// The EMV payload (what the QR code holds).
    pub text: String,
    /// The QR code as SVG.
    pub svg: String,
    /// The fixed amount, if the code has one.
    pub amount: Option<Amount>,
    /// When a signed code stops being accepted (Unix seconds).
    pub expires_at: Option<i64>,
}

impl From<core::CodeView> for CodeView {
    fn from(code: core::CodeView) -> Self {
        Self {
            text: code.text,
            svg: code.svg,
            amount: code.amount.map(Amount::from),
            expires_at: code.expires_at,
        }
    }
}

/// The payment code to show at a till (refresh when `seconds_remaining` runs out).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<core::PaymentCodeView> for PaymentCodeView {
    fn from(code: core::PaymentCodeView) -> Self {
        Self {
            digits: code.digits,
            svg: code.svg,
            seconds_remaining: code.seconds_remaining,
            valid_until: code.valid_until,
        }
    }
}

/// A one-time approval code to show to a new device (`device_approval_code`): its QR code
/// (`svg`) or its text (`code`), valid once until `expires_at`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeviceApprovalView {
    /// The code as text, four groups of four, e.g. `7KQ2-M9XD-4HNB-0RTW`.
    pub code: String,
    /// What the QR code holds (what `join_with_approval` also accepts).
    pub qr_payload: String,
    /// The payload as a QR code (SVG).
    pub svg: String,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
    /// "Valid until …", in the wallet's locale.
    pub expires_label: String,
    /// What to do with it, in the wallet's locale.
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

impl From<core::DeviceApprovalView> for DeviceApprovalView {
    fn from(view: core::DeviceApprovalView) -> Self {
        Self {
            code: view.code,
            qr_payload: view.qr_payload,
            svg: view.svg,
            expires_at: view.expires_at,
            expires_label: view.expires_label,
            instructions: view.instructions,
        }
    }
}

/// A device of the user (`devices`, `revoke_device`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeviceItem {
    /// The device id (what `revoke_device` takes).
    pub id: i64,
    /// The name given when it was added.
    pub name: String,
    /// Unix seconds it was added.
    pub created_at: i64,
    /// Unix seconds of its last change on the server.
    pub last_seen_at: i64,
    /// Unix seconds it was revoked, `null` while active.
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

impl From<core::DeviceItem> for DeviceItem {
    fn from(item: core::DeviceItem) -> Self {
        Self {
            id: item.id,
            name: item.name,
            created_at: item.created_at,
            last_seen_at: item.last_seen_at,
            revoked_at: item.revoked_at,
            this_device: item.this_device,
            active: item.active,
            title: item.title,
            detail: item.detail,
        }
    }
}

/// A newly opened order and the code its buyer scans.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OrderCreated {
    /// The order as the seller sees it.
    pub order: OrderSummary,
    /// The signed order code (valid until the pay window closes).
    pub code: CodeView,
}

impl Lift<core::OrderCreated> for OrderCreated {
    fn lift(created: core::OrderCreated) -> Result<Self, DanbaoError> {
        Ok(Self {
            order: OrderSummary::lift(created.order)?,
            code: created.code.into(),
        })
    }
}

/// A money request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RequestView {
    /// The request id (pass to `answer_request`).
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
    /// Whether this user is the payer of an open request: show "Pay" and "Decline".
    pub can_answer: bool,
}

impl Lift<core::RequestView> for RequestView {
    fn lift(request: core::RequestView) -> Result<Self, DanbaoError> {
        Ok(Self {
            id: request.id,
            requester: request.requester,
            payer: request.payer,
            amount: request.amount.into(),
            note: request.note,
            status: RequestStatus::from_wire(&request.status)?,
            can_answer: request.can_answer,
        })
    }
}

/// Someone this user has paid or been paid by (the send screen's suggestions).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Contact {
    /// Their handle.
    pub handle: String,
    /// Their display name, as the server resolved it.
    pub display_name: String,
    /// When the user last dealt with them, Unix seconds.
    pub last_used_at: i64,
}

impl From<store::Contact> for Contact {
    fn from(contact: store::Contact) -> Self {
        Self {
            handle: contact.handle,
            display_name: contact.display_name,
            last_used_at: contact.last_used_at,
        }
    }
}

/// What changed, so the shell re-renders that part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<core::Change> for Change {
    fn from(change: core::Change) -> Self {
        match change {
            core::Change::Balances => Self::Balances,
            core::Change::Activity => Self::Activity,
            core::Change::Orders => Self::Orders,
            core::Change::Outbox => Self::Outbox,
            core::Change::Profile => Self::Profile,
        }
    }
}

/// Converts every element of a list.
pub(crate) fn convert<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

/// A record made from the core's view that can be refused: one carrying a name of a closed
/// set (an order step, a state) that this build does not know.
pub(crate) trait Lift<T>: Sized {
    fn lift(value: T) -> Result<Self, DanbaoError>;
}

/// Every record whose conversion cannot fail lifts through its `From`.
macro_rules! lift_through_from {
    ($($record:ty => $core:ty),+ $(,)?) => {
        $(impl Lift<$core> for $record {
            fn lift(value: $core) -> Result<Self, DanbaoError> {
                Ok(Self::from(value))
            }
        })+
    };
}

lift_through_from! {
    Profile => core::Profile,
    ScanScreen => core::ScanScreen,
    PayeeScreen => core::PayeeScreen,
    CodeView => core::CodeView,
    PaymentCodeView => core::PaymentCodeView,
    DeviceApprovalView => core::DeviceApprovalView,
    DeviceItem => core::DeviceItem,
    Contact => store::Contact,
    Change => core::Change,
}

impl<T, U: Lift<T>> Lift<Option<T>> for Option<U> {
    fn lift(value: Option<T>) -> Result<Self, DanbaoError> {
        value.map(U::lift).transpose()
    }
}

/// Lifts every element of a list; the first refusal refuses the list.
pub(crate) fn lift_all<T, U: Lift<T>>(items: Vec<T>) -> Result<Vec<U>, DanbaoError> {
    items.into_iter().map(U::lift).collect()
}
