//! The event feed: what the server writes to a user's feed ([`FeedEvent`]), one entry as the
//! API pages it ([`Event`]) and a page of them ([`FeedPage`]).
//!
//! An entry carries its `kind` ("transfer", "order", "request") and `data` (the details). The
//! server writes every entry as a [`FeedEvent`]; a reader turns an entry back into one with
//! [`Event::feed_event`] (or [`FeedEvent::from_parts`] for a cached row), so both sides share
//! one definition of every event. [`Event`] keeps `data` as JSON so that an entry a newer
//! server writes (an event this version does not know) still pages, caches and shows.

use serde::{Deserialize, Serialize};

use super::{AmountView, OrderView, RequestView, StepAction};
use crate::escrow::{self, Deadline};

/// One entry of the activity or event feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Position in the feed: the cursor.
    pub seq: i64,
    /// What happened: "transfer", "order" or "request".
    pub kind: String,
    /// Details, by kind (see [`FeedEvent`]): a transfer has `type`, `direction`,
    /// `transfer_id`, `amount` (AmountView) and for payments between users `counterparty`,
    /// `counterparty_name`, `memo` (escrow movements also `order_id`, a release
    /// `returned_to_buyer`); an order event has `event` (the step) and `order` (OrderView as
    /// the reader sees it); a request event has `type`, `action`, `role` and `request`
    /// (RequestView).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// Unix seconds.
    pub created_at: i64,
}

impl Event {
    /// The typed event; an error for an entry this version does not know.
    pub fn feed_event(&self) -> Result<FeedEvent, serde_json::Error> {
        FeedEvent::from_parts(&self.kind, &self.data)
    }
}

/// A page of feed entries and the cursor for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedPage {
    /// The entries.
    pub items: Vec<Event>,
    /// Activity: the cursor of the next (older) page, `None` at the end. Events: the cursor
    /// to poll from next (the same one when nothing new arrived).
    pub next_cursor: Option<i64>,
}

/// Query of the paged feeds (`GET /v1/activity`, `GET /v1/events`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Cursor: for activity, entries before this seq; for events, entries after it.
    pub cursor: Option<i64>,
    /// At most this many (1–200, default 50).
    pub limit: Option<u32>,
}

/// Everything the server writes to a user's feed. Serialized as `{"kind": …, "data": …}`:
/// `kind` and `data` are the [`Event`] fields of the same names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
// The order and request views are boxed (they are several times a transfer's size); a transfer
// stays inline because most events are transfers and each is built once and serialized at once.
#[allow(clippy::large_enum_variant)]
pub enum FeedEvent {
    /// Money moved in or out of the user's wallet (feed kind "transfer", the activity list).
    Transfer(TransferEvent),
    /// An order of the user changed (boxed: the order view is large).
    Order(Box<OrderEvent>),
    /// A money request of the user changed (boxed: the request view is large).
    Request(Box<RequestEvent>),
    /// Something the user should know about the safety of their account (feed kind
    /// "security"), e.g. someone guessing their payment code.
    Security(SecurityEvent),
}

impl FeedEvent {
    /// The feed kind: "transfer", "order" or "request".
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Transfer(_) => KIND_TRANSFER,
            Self::Order(_) => KIND_ORDER,
            Self::Request(_) => KIND_REQUEST,
            Self::Security(_) => KIND_SECURITY,
        }
    }

    /// The entry's `data`.
    pub fn data(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            Self::Transfer(event) => serde_json::to_value(event),
            Self::Order(event) => serde_json::to_value(event),
            Self::Request(event) => serde_json::to_value(event),
            Self::Security(event) => serde_json::to_value(event),
        }
    }

    /// The entry's `data` as the JSON text stored in a feed row.
    pub fn data_json(&self) -> Result<String, serde_json::Error> {
        match self {
            Self::Transfer(event) => serde_json::to_string(event),
            Self::Order(event) => serde_json::to_string(event),
            Self::Request(event) => serde_json::to_string(event),
            Self::Security(event) => serde_json::to_string(event),
        }
    }

    /// The event an entry of `kind` with `data` holds.
    pub fn from_parts(kind: &str, data: &serde_json::Value) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        match kind {
            KIND_TRANSFER => TransferEvent::deserialize(data).map(Self::Transfer),
            KIND_ORDER => OrderEvent::deserialize(data).map(|event| Self::Order(Box::new(event))),
            KIND_REQUEST => {
                RequestEvent::deserialize(data).map(|event| Self::Request(Box::new(event)))
            }
            KIND_SECURITY => SecurityEvent::deserialize(data).map(Self::Security),
            other => Err(serde_json::Error::custom(format!(
                "unknown feed kind {other:?}; this version reads transfer, order, request and \
                 security"
            ))),
        }
    }

    /// The other user of a payment between users (handle, display name), if there is one.
    pub fn counterparty(&self) -> Option<(&str, &str)> {
        match self {
            Self::Transfer(event) => event.counterparty(),
            Self::Order(_) | Self::Request(_) | Self::Security(_) => None,
        }
    }
}

/// Feed kind of money movements.
pub const KIND_TRANSFER: &str = "transfer";
/// Feed kind of order changes.
pub const KIND_ORDER: &str = "order";
/// Feed kind of money-request changes.
pub const KIND_REQUEST: &str = "request";
/// Feed kind of notices about the account's safety.
pub const KIND_SECURITY: &str = "security";

/// A notice about the safety of the user's account, by its `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SecurityEvent {
    /// Merchants charged wrong codes for the user's payment code until its failure budget ran
    /// out: someone may have seen one of the user's codes and be guessing the next ones. Codes
    /// of this account are refused for every merchant until `refused_until`.
    PaycodeGuessed(PaycodeGuessed),
    /// A device joined the account with an approval code: if the user did not add it, they
    /// revoke it at once from one of their own devices.
    DeviceAdded(DeviceNotice),
    /// A device of the account was revoked (from itself or from another device).
    DeviceRevoked(DeviceNotice),
}

/// Details of [`SecurityEvent::DeviceAdded`] and [`SecurityEvent::DeviceRevoked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceNotice {
    /// The device's id (as `GET /v1/devices` lists it).
    pub device_id: i64,
    /// The device's name.
    pub name: String,
}

/// Details of [`SecurityEvent::PaycodeGuessed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaycodeGuessed {
    /// Wrong codes counted against the account within `window_secs`.
    pub failures: u32,
    /// The counting window, seconds.
    pub window_secs: i64,
    /// Unix seconds until which the account's codes are refused (at the latest).
    pub refused_until: i64,
}

/// Which way money moved for the feed's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum Direction {
    /// Into the owner's wallet.
    In,
    /// Out of the owner's wallet.
    Out,
}

impl Direction {
    /// The wire name: `in` or `out`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }
}

/// A money movement, by its `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TransferEvent {
    /// Money in from the sandbox funding account.
    TopUp(Movement),
    /// Money in from the settlement account: an operator deposit against a bank transfer.
    Deposit(Movement),
    /// A withdrawal requested: money out of the wallet to the payouts-pending account, until
    /// the operator pays it out to the bank or it fails and is returned.
    Withdrawal(Movement),
    /// A requested withdrawal paid out to the user's bank (the operator's payout reference).
    WithdrawalPaidOut(Payout),
    /// A requested withdrawal whose payout failed: the amount back in the wallet.
    WithdrawalReturned(Payout),
    /// A transfer to or from a friend (by handle, or by paying a receive code).
    P2p(Payment),
    /// A money request paid.
    Request(Payment),
    /// A merchant code paid.
    Merchant(Payment),
    /// A payment code charged by a merchant's till.
    Paycode(Payment),
    /// An order paid into escrow (a pending transfer).
    EscrowHold(EscrowMovement),
    /// Escrowed money released to the seller (all, or less: `returned_to_buyer` the rest).
    EscrowRelease(EscrowMovement),
    /// Escrowed money back to the buyer (the hold voided).
    EscrowRefund(EscrowMovement),
}

impl TransferEvent {
    /// A payment between users of `kind`.
    pub fn payment(kind: PaymentKind, payment: Payment) -> Self {
        match kind {
            PaymentKind::P2p => Self::P2p(payment),
            PaymentKind::Request => Self::Request(payment),
            PaymentKind::Merchant => Self::Merchant(payment),
            PaymentKind::Paycode => Self::Paycode(payment),
        }
    }

    /// The ledger transfer id.
    pub fn transfer_id(&self) -> &str {
        match self {
            Self::TopUp(m) | Self::Deposit(m) | Self::Withdrawal(m) => &m.transfer_id,
            Self::WithdrawalPaidOut(p) | Self::WithdrawalReturned(p) => &p.transfer_id,
            Self::P2p(p) | Self::Request(p) | Self::Merchant(p) | Self::Paycode(p) => {
                &p.transfer_id
            }
            Self::EscrowHold(e) | Self::EscrowRelease(e) | Self::EscrowRefund(e) => &e.transfer_id,
        }
    }

    /// The other user (handle, display name) of a movement between users.
    pub fn counterparty(&self) -> Option<(&str, &str)> {
        match self {
            Self::TopUp(_)
            | Self::Deposit(_)
            | Self::Withdrawal(_)
            | Self::WithdrawalPaidOut(_)
            | Self::WithdrawalReturned(_) => None,
            Self::P2p(p) | Self::Request(p) | Self::Merchant(p) | Self::Paycode(p) => {
                Some((&p.counterparty, &p.counterparty_name))
            }
            Self::EscrowHold(e) | Self::EscrowRelease(e) | Self::EscrowRefund(e) => {
                Some((&e.counterparty, &e.counterparty_name))
            }
        }
    }
}

/// The kinds of payment between two users' wallets (the `type` of their transfer events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// To a friend, by handle or receive code.
    P2p,
    /// Paying a money request.
    Request,
    /// Paying a merchant code.
    Merchant,
    /// A till charging a payment code.
    Paycode,
}

impl PaymentKind {
    /// The wire name, as in the feed's `type` and `CodePaid.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::P2p => "p2p",
            Self::Request => "request",
            Self::Merchant => "merchant",
            Self::Paycode => "paycode",
        }
    }
}

/// Money between a wallet and a system account (top-up, withdrawal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// In for a top-up, out for a withdrawal.
    pub direction: Direction,
    /// The ledger transfer id (32 hex digits).
    pub transfer_id: String,
    /// The amount.
    pub amount: AmountView,
}

/// What became of a requested withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    /// Out when paid out to the bank, in when returned to the wallet.
    pub direction: Direction,
    /// The ledger transfer id of this step (32 hex digits).
    pub transfer_id: String,
    /// The amount.
    pub amount: AmountView,
    /// The withdrawal's id.
    pub withdrawal_id: i64,
    /// The bank transfer's id, when paid out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_ref: Option<String>,
    /// Why the payout failed, when returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A payment between two users' wallets, as one of them sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Out for the payer, in for the payee.
    pub direction: Direction,
    /// The ledger transfer id.
    pub transfer_id: String,
    /// The other user's handle.
    pub counterparty: String,
    /// The other user's display name, as the server knows it.
    pub counterparty_name: String,
    /// The amount.
    pub amount: AmountView,
    /// The note shown to both.
    pub memo: String,
    /// A merchant payment, in the merchant's feed: the platform's fee on `amount` (the gross),
    /// moved from the merchant's wallet to the platform in the same transaction. Absent when
    /// the payee has no fee schedule (friends never pay a fee).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_fee: Option<AmountView>,
    /// With `platform_fee`: what the merchant kept, `amount − platform_fee`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_to_payee: Option<AmountView>,
}

/// A movement of an order's escrowed money, as the buyer or the seller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowMovement {
    /// Towards the seller for holds and releases, back to the buyer for refunds.
    pub direction: Direction,
    /// The ledger transfer id.
    pub transfer_id: String,
    /// The order.
    pub order_id: String,
    /// The amount moved.
    pub amount: AmountView,
    /// The other party's handle.
    pub counterparty: String,
    /// The other party's display name.
    pub counterparty_name: String,
    /// The order's title.
    pub memo: String,
    /// A release: what went back to the buyer (zero when the seller got everything).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned_to_buyer: Option<AmountView>,
    /// A release, in the seller's feed: the platform's fee on `amount` (the gross), moved
    /// from the seller's wallet to the platform in the same transaction (zero without a fee
    /// schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_fee: Option<AmountView>,
    /// A release, in the seller's feed: what the seller keeps, `amount − platform_fee`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_to_seller: Option<AmountView>,
}

/// An order changed: which step, and the order as the feed's owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    /// The step.
    pub event: OrderStep,
    /// The order after it, as the reader sees it (their role and actions).
    pub order: OrderView,
}

/// What happened to an order, as its feed event names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStep {
    /// The seller opened it.
    #[serde(rename = "create")]
    Create,
    /// The operator settled a dispute.
    #[serde(rename = "resolve")]
    Resolve,
    /// The pay window passed.
    #[serde(rename = "pay deadline")]
    PayDeadline,
    /// The auto-confirm window passed.
    #[serde(rename = "auto-confirm deadline")]
    AutoConfirmDeadline,
    /// The seller did not answer a refund request in time.
    #[serde(rename = "refund answer deadline")]
    RefundAnswerDeadline,
    /// A buyer or seller step, named by its path segment (untagged variants come last).
    #[serde(untagged)]
    Step(StepAction),
}

impl From<&escrow::Event> for OrderStep {
    fn from(event: &escrow::Event) -> Self {
        match event {
            escrow::Event::Pay => Self::Step(StepAction::Pay),
            escrow::Event::Ship { .. } => Self::Step(StepAction::Ship),
            escrow::Event::Cancel => Self::Step(StepAction::Cancel),
            escrow::Event::ConfirmReceipt => Self::Step(StepAction::Confirm),
            escrow::Event::RequestRefund { .. } => Self::Step(StepAction::RefundRequest),
            escrow::Event::AcceptRefund => Self::Step(StepAction::RefundAccept),
            escrow::Event::RejectRefund => Self::Step(StepAction::RefundReject),
            escrow::Event::Resolve(_) => Self::Resolve,
            escrow::Event::Deadline(Deadline::PayBy) => Self::PayDeadline,
            escrow::Event::Deadline(Deadline::AutoConfirm) => Self::AutoConfirmDeadline,
            escrow::Event::Deadline(Deadline::RefundAnswer) => Self::RefundAnswerDeadline,
        }
    }
}

/// A money request changed, as one of its parties sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEvent {
    /// Always "request" (the entry's `type`).
    #[serde(rename = "type")]
    pub tag: RequestTag,
    /// What happened.
    pub action: RequestAction,
    /// The reader's part in it.
    pub role: RequestRole,
    /// The request after it.
    pub request: RequestView,
}

impl RequestEvent {
    /// `action` happened to `request`, as `role` sees it.
    pub fn new(action: RequestAction, role: RequestRole, request: RequestView) -> Self {
        Self {
            tag: RequestTag::Request,
            action,
            role,
            request,
        }
    }
}

/// The `type` of a request event: there is one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestTag {
    /// "request".
    #[default]
    Request,
}

/// What happened to a money request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestAction {
    /// It was made.
    Created,
    /// The payer paid it.
    Paid,
    /// The payer declined it.
    Declined,
}

/// A party of a money request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestRole {
    /// Who asks to be paid.
    Requester,
    /// Who is asked to pay.
    Payer,
}
