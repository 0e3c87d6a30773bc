//! What a step asks for ([`Action`]), read from the protocol's command and checked, and
//! the machine event it becomes in the order's currency.

use danbao_domain::escrow::{Deadline, Event, Resolution};
use danbao_domain::money::Currency;
use danbao_domain::protocol::OrderStepCommand;
use danbao_domain::protocol::wire::{
    OrderAction, ResolutionKind, Resolve, StepAction, positive_amount,
};

use crate::service::{ServiceError, ServiceResult};
use danbao_domain::protocol::limits::{MAX_CARRIER_CHARS, MAX_TRACKING_CHARS};

/// One requested step, before amounts are read in the order's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Pay into escrow.
    Pay,
    /// Ship with carrier and tracking number.
    Ship {
        /// Carrier name.
        carrier: String,
        /// Tracking number.
        tracking: String,
    },
    /// Close the order before it ships.
    Cancel,
    /// Confirm receipt.
    Confirm,
    /// Ask for `amount` (decimal text in the order's currency) back.
    RequestRefund {
        /// Decimal amount, e.g. "30.00".
        amount: String,
    },
    /// Accept the open refund request.
    AcceptRefund,
    /// Reject the open refund request.
    RejectRefund,
    /// Settle a dispute.
    Resolve {
        /// Release, refund or split.
        resolution: ResolutionKind,
        /// The seller's share for a split (decimal text).
        to_seller: Option<String>,
    },
    /// A deadline passed.
    Deadline(Deadline),
}

impl Action {
    /// The step a party's command asks for, its free text checked.
    pub fn from_step(step: OrderStepCommand) -> ServiceResult<Self> {
        Ok(match step {
            OrderStepCommand::Plain(OrderAction::Pay) => Self::Pay,
            OrderStepCommand::Plain(OrderAction::Cancel) => Self::Cancel,
            OrderStepCommand::Plain(OrderAction::Confirm) => Self::Confirm,
            OrderStepCommand::Plain(OrderAction::AcceptRefund) => Self::AcceptRefund,
            OrderStepCommand::Plain(OrderAction::RejectRefund) => Self::RejectRefund,
            OrderStepCommand::Ship(ship) => {
                check_text("carrier", &ship.carrier, MAX_CARRIER_CHARS)?;
                check_text("tracking", &ship.tracking, MAX_TRACKING_CHARS)?;
                Self::Ship {
                    carrier: ship.carrier,
                    tracking: ship.tracking,
                }
            }
            OrderStepCommand::RequestRefund(refund) => Self::RequestRefund {
                amount: refund.amount,
            },
        })
    }

    /// The operator's settlement of a dispute: a split names the seller's share, release
    /// and refund do not.
    pub fn from_resolution(resolve: Resolve) -> ServiceResult<Self> {
        match (resolve.resolution, &resolve.to_seller) {
            (ResolutionKind::Split, None) => Err(ServiceError::bad_request(
                "invalid_body",
                "a split needs to_seller: the seller's share, e.g. \"40.00\"",
            )),
            (ResolutionKind::Release | ResolutionKind::Refund, Some(_)) => {
                Err(ServiceError::bad_request(
                    "invalid_body",
                    "to_seller is only for resolution \"split\"; release and refund move the \
                     whole amount",
                ))
            }
            _ => Ok(Self::Resolve {
                resolution: resolve.resolution,
                to_seller: resolve.to_seller,
            }),
        }
    }

    /// The machine's event, reading amounts in the order's `currency`.
    pub fn event(&self, currency: Currency) -> ServiceResult<Event> {
        Ok(match self {
            Self::Pay => Event::Pay,
            Self::Ship { carrier, tracking } => Event::Ship {
                carrier: carrier.clone(),
                tracking: tracking.clone(),
            },
            Self::Cancel => Event::Cancel,
            Self::Confirm => Event::ConfirmReceipt,
            Self::RequestRefund { amount } => Event::RequestRefund {
                amount: positive_amount(amount, currency)?,
            },
            Self::AcceptRefund => Event::AcceptRefund,
            Self::RejectRefund => Event::RejectRefund,
            Self::Resolve {
                resolution,
                to_seller,
            } => Event::Resolve(match (resolution, to_seller) {
                (ResolutionKind::Release, _) => Resolution::Release,
                (ResolutionKind::Refund, _) => Resolution::Refund,
                (ResolutionKind::Split, Some(share)) => Resolution::Split {
                    to_seller: positive_amount(share, currency)?,
                },
                (ResolutionKind::Split, None) => {
                    return Err(ServiceError::bad_request(
                        "invalid_body",
                        "a split needs to_seller: the seller's share",
                    ));
                }
            }),
            Self::Deadline(deadline) => Event::Deadline(*deadline),
        })
    }
}

/// Checks a free-text field: 1–`max` characters, no control characters, no outer spaces.
pub fn check_text(field: &str, value: &str, max: usize) -> ServiceResult<()> {
    let count = value.chars().count();
    let problem = if count == 0 || count > max {
        Some(format!("has {count} characters; 1 to {max} are allowed"))
    } else if value.chars().any(char::is_control) {
        Some("contains a control character".to_owned())
    } else if value.trim() != value {
        Some("has leading or trailing spaces".to_owned())
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ServiceError::unprocessable(
            "invalid_text",
            format!("{field} {value:?} {problem}"),
        )),
        None => Ok(()),
    }
}

/// The API path segment of a machine event name (what [`Order::allowed_events`] returns).
pub fn action_slug(event_name: &str) -> &str {
    match event_name {
        "confirm receipt" => StepAction::Confirm.slug(),
        "request refund" => StepAction::RefundRequest.slug(),
        "accept refund" => StepAction::RefundAccept.slug(),
        "reject refund" => StepAction::RefundReject.slug(),
        other => other,
    }
}
