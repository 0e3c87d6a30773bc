//! The server's JSON, field for field (server/src/api/*.rs; docs/protocol.md).
//!
//! Requests carry amounts as decimal text plus an ISO 4217 code; answers carry an
//! [`AmountView`]. Answers accept unknown fields (a newer server may add some); the e2e tests
//! prove that every field the server sends is read and written back unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use danbao_domain::escrow::{Deadline, OrderState, Party};
use danbao_domain::money::Money;

/// An amount as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountView {
    /// Exact minor units.
    pub minor: i64,
    /// ISO 4217 alpha code.
    pub currency: String,
    /// Decimal text, e.g. "12.50".
    pub value: String,
    /// For display, e.g. "12.50 CNY".
    pub display: String,
}

/// A wallet balance in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    /// ISO 4217 alpha code.
    pub currency: String,
    /// What the user can spend now.
    pub available: AmountView,
    /// The user's money held in escrow by their pending payments.
    pub held_out: AmountView,
    /// Others' escrowed payments to the user, not yet released.
    pub incoming: AmountView,
}

/// Body of `POST /v1/users` (sign-up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUp {
    /// [`MIN_HANDLE_CHARS`](danbao_domain::protocol::limits::MIN_HANDLE_CHARS)–[`MAX_HANDLE_CHARS`](danbao_domain::protocol::limits::MAX_HANDLE_CHARS)
    /// characters of a-z, 0-9, '_' and '.', starting with a letter.
    pub handle: String,
    /// 1–[`MAX_DISPLAY_NAME_CHARS`](danbao_domain::protocol::limits::MAX_DISPLAY_NAME_CHARS) characters shown to payers.
    pub display_name: String,
    /// The device's P-256 public key, uncompressed SEC1, base64url without padding.
    pub public_key: String,
    /// A label for the device.
    pub device_name: String,
}

/// Answer of sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedUp {
    /// The new user's id.
    pub user_id: i64,
    /// The registered device's id (`Danbao-Device` from now on).
    pub device_id: i64,
    /// The handle.
    pub handle: String,
}

/// A user as others see them (`GET /v1/users/{handle}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProfile {
    /// The handle.
    pub handle: String,
    /// The display name the server knows.
    pub display_name: String,
}

/// The caller's profile and balances (`GET /v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The user id.
    pub user_id: i64,
    /// The handle.
    pub handle: String,
    /// The display name.
    pub display_name: String,
    /// The calling device.
    pub device_id: i64,
    /// Balances per currency.
    pub balances: Vec<BalanceView>,
}

/// Body of `POST /v1/sandbox/top-ups` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUp {
    /// Whose wallet to fund.
    pub handle: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl TopUp {
    /// A top-up of `amount` for `handle`.
    pub fn new(handle: impl Into<String>, amount: Money) -> Self {
        Self {
            handle: handle.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
        }
    }
}

/// Body of `POST /v1/withdrawals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdraw {
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl Withdraw {
    /// A withdrawal of `amount`.
    pub fn new(amount: Money) -> Self {
        Self {
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
        }
    }
}

/// Body of `POST /v1/transfers`: money to a friend by handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Send {
    /// The friend's handle.
    pub to: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// A note shown to both (at most [`MAX_MEMO_CHARS`](danbao_domain::protocol::limits::MAX_MEMO_CHARS) characters).
    pub memo: String,
}

impl Send {
    /// `amount` to `to` with `memo`.
    pub fn new(to: impl Into<String>, amount: Money, memo: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            memo: memo.into(),
        }
    }
}

/// Answer of a money movement (top-up, withdrawal, transfer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// The ledger transfer id (32 hex digits).
    pub transfer_id: String,
    /// The amount.
    pub amount: AmountView,
    /// The caller's (for a top-up: the payee's) balance afterwards.
    pub balance: BalanceView,
}

/// One entry of the activity or event feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the feed; the cursor.
    pub seq: i64,
    /// "transfer", "order", "request", ...
    pub kind: String,
    /// The details, as the server wrote them.
    pub data: serde_json::Value,
    /// Unix seconds.
    pub created_at: i64,
}

/// A page of the activity or event feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedPage {
    /// The entries.
    pub items: Vec<Event>,
    /// Activity: the cursor of the next (older) page, `None` at the end. Events: the cursor
    /// to poll from next (the same one when nothing new arrived).
    pub next_cursor: Option<i64>,
}

/// What kind of Danbao code to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A merchant code: static without an amount, signed with one.
    Merchant,
    /// A friend receive code: signed when it carries an amount.
    Receive,
}

/// Body of `POST /v1/codes`: a code that pays the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCode {
    /// Merchant or receive code.
    pub kind: IssueKind,
    /// Decimal amount; `None` lets the payer enter it.
    pub amount: Option<String>,
    /// ISO 4217 code (server default "CNY").
    pub currency: Option<String>,
    /// City printed in the code (server default "Online").
    pub city: Option<String>,
    /// Country printed in the code, ISO 3166-1 alpha-2 (server default "CN").
    pub country: Option<String>,
    /// Merchant category code, four digits (merchant codes only).
    pub mcc: Option<String>,
    /// Lifetime of a signed code in seconds, [`MIN_CODE_TTL_SECS`](danbao_domain::protocol::limits::MIN_CODE_TTL_SECS) to
    /// [`MAX_CODE_TTL_SECS`](danbao_domain::protocol::limits::MAX_CODE_TTL_SECS) (server default
    /// [`DEFAULT_CODE_TTL_SECS`](danbao_domain::protocol::limits::DEFAULT_CODE_TTL_SECS)).
    pub expires_in_secs: Option<i64>,
    /// Also return an SVG rendering.
    pub svg: bool,
}

impl NewCode {
    /// A code of `kind`, with `amount` fixed or left to the payer; server defaults elsewhere.
    pub fn new(kind: IssueKind, amount: Option<Money>) -> Self {
        Self {
            kind,
            amount: amount.map(Money::format),
            currency: amount.map(|money| money.currency().code().to_owned()),
            city: None,
            country: None,
            mcc: None,
            expires_in_secs: None,
            svg: false,
        }
    }
}

/// A code issued to its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    /// The EMV payload to render as a QR code.
    pub code: String,
    /// "merchant" or "receive".
    pub kind: String,
    /// Whether the code is signed (single use, expires).
    pub signed: bool,
    /// The fixed amount; `None` means the payer enters one.
    pub amount: Option<AmountView>,
    /// ISO 4217 alpha code.
    pub currency: String,
    /// The payee's handle.
    pub payee: String,
    /// The name printed in the code.
    pub printed_name: String,
    /// Unix seconds after which a signed code is refused.
    pub expires_at: Option<i64>,
    /// The SVG rendering, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
}

/// Body of `POST /v1/codes/resolve` and `POST /v1/orders/pay-code`: a scanned code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedCode {
    /// The scanned text.
    pub code: String,
}

/// A user named by a code, request or payment, as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyView {
    /// The handle.
    pub handle: String,
    /// The display name from the server's database.
    pub display_name: String,
}

/// What the confirm screen shows for a scanned code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    /// "merchant", "receive" or "order".
    pub kind: String,
    /// Who gets paid, with the name the server knows (show this one).
    pub payee: PartyView,
    /// The name printed in the code (never show it as the payee's name).
    pub printed_name: String,
    /// The printed name differs from the real one: warn the payer.
    pub name_mismatch: bool,
    /// The fixed amount; `None` means the payer enters one.
    pub amount: Option<AmountView>,
    /// ISO 4217 alpha code.
    pub currency: String,
    /// Whether the code is signed.
    pub signed: bool,
    /// Unix seconds after which the code is refused (signed codes).
    pub expires_at: Option<i64>,
    /// The order id of an order code.
    pub order_id: Option<String>,
}

/// Body of `POST /v1/payments`: pay a scanned merchant or receive code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCode {
    /// The scanned text.
    pub code: String,
    /// Decimal amount: required when the code has none; must equal the code's if given.
    pub amount: Option<String>,
    /// A note shown to both sides.
    pub memo: String,
}

/// Answer of `POST /v1/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodePaid {
    /// The ledger transfer id.
    pub transfer_id: String,
    /// "merchant" or "p2p".
    pub kind: String,
    /// Who was paid.
    pub payee: PartyView,
    /// The amount.
    pub amount: AmountView,
    /// The payer's balance afterwards.
    pub balance: BalanceView,
}

/// Body of `POST /v1/requests`: ask `from` to pay the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    /// The handle asked to pay.
    pub from: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// What it is for (at most [`MAX_MEMO_CHARS`](danbao_domain::protocol::limits::MAX_MEMO_CHARS) characters).
    pub note: String,
}

impl NewRequest {
    /// Ask `from` for `amount`.
    pub fn new(from: impl Into<String>, amount: Money, note: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            note: note.into(),
        }
    }
}

/// A money request as both parties see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// The request id.
    pub id: i64,
    /// Who asks to be paid.
    pub requester: PartyView,
    /// Who is asked to pay.
    pub payer: PartyView,
    /// The amount.
    pub amount: AmountView,
    /// The note.
    pub note: String,
    /// "open", "paid" or "declined".
    pub status: String,
    /// The paying transfer, once paid.
    pub transfer_id: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// Body of `POST /v1/orders` (the seller opens an order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrder {
    /// What is sold, 1–[`MAX_TITLE_CHARS`](danbao_domain::protocol::limits::MAX_TITLE_CHARS) characters.
    pub title: String,
    /// Decimal price.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Seconds the buyer has to pay (server default when `None`).
    pub pay_window_secs: Option<i64>,
    /// Seconds after shipping before the order completes by itself (server default when
    /// `None`).
    pub auto_confirm_secs: Option<i64>,
}

impl CreateOrder {
    /// An order for `title` at `amount` with the server's default windows.
    pub fn new(title: impl Into<String>, amount: Money) -> Self {
        Self {
            title: title.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            pay_window_secs: None,
            auto_confirm_secs: None,
        }
    }
}

/// An open refund request on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequestView {
    /// What the buyer asked back.
    pub amount: AmountView,
    /// When the seller's silence starts to count (Unix seconds).
    pub answer_by: i64,
}

/// Carrier and tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    /// Carrier name.
    pub carrier: String,
    /// Tracking number.
    pub tracking: String,
}

/// An order's next timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineView {
    /// Which deadline.
    pub kind: Deadline,
    /// When it fires (Unix seconds).
    pub at: i64,
}

/// An order as one party sees it, with the actions that party may take now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// The order id.
    pub id: String,
    /// What is sold.
    pub title: String,
    /// Where the order is.
    pub state: OrderState,
    /// The viewer's part (buyer, seller or operator).
    pub role: Party,
    /// What the viewer may do now: [`OrderAction`] path segments.
    pub actions: Vec<String>,
    /// The price.
    pub amount: AmountView,
    /// The seller.
    pub seller: PartyView,
    /// The buyer, once someone paid.
    pub buyer: Option<PartyView>,
    /// When an unpaid order is cancelled (Unix seconds).
    pub pay_by: i64,
    /// When a shipped order completes by itself, while that clock runs.
    pub auto_confirm_at: Option<i64>,
    /// The open refund request.
    pub refund_request: Option<RefundRequestView>,
    /// Carrier and tracking once shipped.
    pub shipment: Option<ShipmentView>,
    /// What the seller received in the end.
    pub released: Option<AmountView>,
    /// What went back to the buyer in the end.
    pub refunded: Option<AmountView>,
    /// The next timer, if one runs.
    pub next_deadline: Option<DeadlineView>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

/// Answer of `POST /v1/orders`: the order and the signed code the buyer scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedOrder {
    /// The order as the seller sees it.
    pub order: OrderView,
    /// The signed order code (EMV text), valid until `order.pay_by`.
    pub code: String,
}

/// A page of the caller's orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderList {
    /// The orders.
    pub items: Vec<OrderView>,
    /// Pass as `cursor` for the next page; `None` after the last.
    pub next_cursor: Option<String>,
}

/// Body of `POST /v1/orders/{id}/ship`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ship {
    /// Carrier name, 1–[`MAX_CARRIER_CHARS`](danbao_domain::protocol::limits::MAX_CARRIER_CHARS) characters.
    pub carrier: String,
    /// Tracking number, 1–[`MAX_TRACKING_CHARS`](danbao_domain::protocol::limits::MAX_TRACKING_CHARS) characters.
    pub tracking: String,
}

/// Body of `POST /v1/orders/{id}/refund-request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// How much back, decimal text in the order's currency.
    pub amount: String,
}

/// How an operator settles a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// Everything to the seller.
    Release,
    /// Everything back to the buyer.
    Refund,
    /// `to_seller` to the seller, the rest back.
    Split,
}

/// Body of `POST /v1/admin/orders/{id}/resolve` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolve {
    /// Release, refund or split.
    pub resolution: ResolutionKind,
    /// The seller's share of a split, decimal text.
    pub to_seller: Option<String>,
}

/// A step on an order without parameters (`POST /v1/orders/{id}/{action}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    /// The buyer pays into escrow.
    Pay,
    /// Buyer or seller closes the order before shipping.
    Cancel,
    /// The buyer confirms receipt (releases the money to the seller).
    Confirm,
    /// The seller accepts the open refund request.
    AcceptRefund,
    /// The seller rejects the open refund request (opens a dispute).
    RejectRefund,
}

impl OrderAction {
    /// The path segment.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Pay => "pay",
            Self::Cancel => "cancel",
            Self::Confirm => "confirm",
            Self::AcceptRefund => "refund-accept",
            Self::RejectRefund => "refund-reject",
        }
    }
}

/// Answer of `POST /v1/paycode/provision`: the device's payment-code secret. Shown once; keep
/// it sealed. `Debug` does not print the secrets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provisioned {
    /// The device's account index, an input of the generator.
    pub account_index: u64,
    /// The TOTP secret, base64 (standard, padded).
    pub secret: String,
    /// The deployment's index mask key, base64.
    pub mask_key: String,
    /// Digits of a code.
    pub digits: usize,
    /// Seconds per code.
    pub step_seconds: u64,
}

impl std::fmt::Debug for Provisioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioned")
            .field("account_index", &self.account_index)
            .field("secret", &"<redacted>")
            .field("mask_key", &"<redacted>")
            .field("digits", &self.digits)
            .field("step_seconds", &self.step_seconds)
            .finish()
    }
}

/// Body of `POST /v1/merchant/charges`: the till charges a customer's payment code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// The 18 digits scanned.
    pub payment_code: String,
    /// Decimal amount.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// A note shown to both sides.
    pub memo: String,
}

impl Charge {
    /// Charge `amount` to `payment_code`.
    pub fn new(payment_code: impl Into<String>, amount: Money, memo: impl Into<String>) -> Self {
        Self {
            payment_code: payment_code.into(),
            amount: amount.format(),
            currency: amount.currency().code().to_owned(),
            memo: memo.into(),
        }
    }
}

/// Answer of a payment-code charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charged {
    /// The ledger transfer id.
    pub transfer_id: String,
    /// Who paid.
    pub payer: PartyView,
    /// The amount.
    pub amount: AmountView,
    /// The merchant's balance afterwards.
    pub balance: BalanceView,
    /// −1, 0 or +1: the customer's clock offset in steps.
    pub step_offset: i8,
}

/// Answer of `GET /v1/admin/invariants` (operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invariants {
    /// True when every invariant holds.
    pub ok: bool,
    /// The first violation.
    pub violation: Option<String>,
    /// Accounts checked.
    pub accounts: usize,
    /// Journal entries replayed.
    pub transfers: usize,
    /// Per currency: Σ posted credits over all accounts, minor units.
    pub posted_volume: BTreeMap<String, i64>,
}

/// Body of `POST /v1/admin/clock` (operator, sandbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceClock {
    /// Seconds to move the server clock forward.
    pub advance_secs: i64,
}

/// Answer of `POST /v1/admin/clock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerTime {
    /// The server's Unix seconds after the move.
    pub now: i64,
}
