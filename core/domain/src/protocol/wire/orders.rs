//! Escrow orders: creating one, its view, its steps and their bodies, and the operator's
//! resolution.

use serde::{Deserialize, Serialize};

use super::{AmountView, BalanceView, PartyView};
use crate::escrow::{Deadline, OrderState, Party};
use crate::money::Money;

/// Body of `POST /v1/orders` (the seller opens an order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateOrder {
    /// What is sold, 1–[`MAX_TITLE_CHARS`](crate::protocol::limits::MAX_TITLE_CHARS) characters.
    pub title: String,
    /// Decimal price, e.g. "199.00".
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Seconds the buyer has to pay ([`MIN_PAY_WINDOW_SECS`](crate::protocol::limits::MIN_PAY_WINDOW_SECS)
    /// to [`MAX_PAY_WINDOW_SECS`](crate::protocol::limits::MAX_PAY_WINDOW_SECS); server default when `None`).
    pub pay_window_secs: Option<i64>,
    /// Seconds after shipping before the order completes by itself
    /// ([`MIN_AUTO_CONFIRM_SECS`](crate::protocol::limits::MIN_AUTO_CONFIRM_SECS) to
    /// [`MAX_AUTO_CONFIRM_SECS`](crate::protocol::limits::MAX_AUTO_CONFIRM_SECS); server default when `None`).
    pub auto_confirm_secs: Option<i64>,
    /// The handle of the one user who may pay this order (and cancel it before it is paid)
    /// by its id; without it the order is paid only by scanning its signed order code
    /// (`POST /v1/orders/pay-code`), which the server checks for validity and single use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<String>,
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
            buyer: None,
        }
    }
}

/// An open refund request on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundRequestView {
    /// What the buyer asked back.
    pub amount: AmountView,
    /// When the seller's silence starts to count (Unix seconds).
    pub answer_by: i64,
}

/// Carrier and tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShipmentView {
    /// Carrier name.
    pub carrier: String,
    /// Tracking number.
    pub tracking: String,
}

/// An order's next timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineView {
    /// Which deadline.
    pub kind: Deadline,
    /// When it fires (Unix seconds).
    pub at: i64,
}

/// An order as one party sees it: the screen's data, including the actions the party may
/// take now (the `/v1/orders/{id}/{action}` path segments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderView {
    /// The order id.
    pub id: String,
    /// What is sold.
    pub title: String,
    /// Where the order is.
    pub state: OrderState,
    /// The viewer's part in the order (buyer, seller or operator).
    #[cfg_attr(feature = "openapi", schema(value_type = super::schema::OrderRole))]
    pub role: Party,
    /// What the viewer may do now: [`StepAction`] path segments.
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
    /// Only in the answer of paying the order: the buyer's balance afterwards, so the app need
    /// not ask again. Absent everywhere else (and from servers before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<BalanceView>,
}

/// Answer of `POST /v1/orders`: the order and the signed code the buyer scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedOrder {
    /// The order as the seller sees it.
    pub order: OrderView,
    /// The signed Danbao order code (EMV text to render as a QR code); valid until `pay_by`.
    pub code: String,
}

/// A page of the caller's orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderList {
    /// The orders as the caller sees them.
    pub items: Vec<OrderView>,
    /// Pass as `cursor` for the next page; `None` when this was the last.
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/orders`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct OrderPage {
    /// `next_cursor` of the previous page; absent for the newest orders.
    pub cursor: Option<String>,
    /// At most this many (1–200, default 50).
    pub limit: Option<u32>,
}

/// Body of `POST /v1/orders/{id}/ship`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ShipBody))]
#[serde(deny_unknown_fields)]
pub struct Ship {
    /// Carrier name, 1–[`MAX_CARRIER_CHARS`](crate::protocol::limits::MAX_CARRIER_CHARS) characters.
    pub carrier: String,
    /// Tracking number, 1–[`MAX_TRACKING_CHARS`](crate::protocol::limits::MAX_TRACKING_CHARS) characters.
    pub tracking: String,
}

/// Body of `POST /v1/orders/{id}/refund-request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RefundBody))]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// How much back, decimal text in the order's currency.
    pub amount: String,
}

/// How an operator settles a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ResolveBody))]
#[serde(deny_unknown_fields)]
pub struct Resolve {
    /// Release, refund or split.
    pub resolution: ResolutionKind,
    /// The seller's share of a split, decimal text.
    pub to_seller: Option<String>,
}

/// A step on an order, as the `/v1/orders/{id}/{action}` path segment names it (the order
/// view's `actions` lists those the viewer may take now). Crosses the FFI as `OrderStep`, one
/// per button (the bindings' `order_action` adds what the user entered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum), uniffi(name = "OrderStep"))]
#[serde(rename_all = "kebab-case")]
pub enum StepAction {
    /// The buyer pays into escrow.
    Pay,
    /// The seller ships (body [`Ship`]).
    Ship,
    /// Buyer or seller closes the order before shipping.
    Cancel,
    /// The buyer confirms receipt (releases the money to the seller).
    Confirm,
    /// The buyer asks for money back (body [`RefundRequest`]).
    #[cfg_attr(feature = "ffi", uniffi(name = "RequestRefund"))]
    RefundRequest,
    /// The seller accepts the open refund request.
    #[cfg_attr(feature = "ffi", uniffi(name = "AcceptRefund"))]
    RefundAccept,
    /// The seller rejects the open refund request (opens a dispute).
    #[cfg_attr(feature = "ffi", uniffi(name = "RejectRefund"))]
    RefundReject,
}

impl StepAction {
    /// Every step, in the order the API documents them.
    pub const ALL: [StepAction; 7] = [
        Self::Pay,
        Self::Ship,
        Self::Cancel,
        Self::Confirm,
        Self::RefundRequest,
        Self::RefundAccept,
        Self::RefundReject,
    ];

    /// The path segment.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Pay => "pay",
            Self::Ship => "ship",
            Self::Cancel => "cancel",
            Self::Confirm => "confirm",
            Self::RefundRequest => "refund-request",
            Self::RefundAccept => "refund-accept",
            Self::RefundReject => "refund-reject",
        }
    }

    /// The step a path segment names.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.slug() == slug)
    }
}

/// A step on an order without parameters (`POST /v1/orders/{id}/{action}` with no body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// The step this is.
    pub fn step(self) -> StepAction {
        match self {
            Self::Pay => StepAction::Pay,
            Self::Cancel => StepAction::Cancel,
            Self::Confirm => StepAction::Confirm,
            Self::AcceptRefund => StepAction::RefundAccept,
            Self::RejectRefund => StepAction::RefundReject,
        }
    }

    /// The path segment.
    pub fn slug(self) -> &'static str {
        self.step().slug()
    }
}
