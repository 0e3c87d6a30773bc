//! The closed sets a screen branches on — an order's role, state and steps, a movement's
//! direction, a command's and a money request's state — as enums, so that no shell compares
//! strings or keeps a table that must follow the core.
//!
//! The core's view still names them with its wire names (`"refund-request"`, `"paid"`); each
//! enum here reads exactly those names. Some come from the server (an order's steps, a
//! request's status), so a name outside the set — a newer server — refuses the record with
//! `DanbaoError.Protocol` naming it: never a wrong button, never a crash.

use danbao_client::wallet as core;

use super::OrderAction;

/// Generates an enum with the wire name of each variant and its parse from that name.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The core's wire name.
            pub fn wire_name(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// The variant of a core wire name; a name outside the set is refused.
            pub(crate) fn from_wire(name: &str) -> Result<Self, crate::DanbaoError> {
                match name {
                    $($wire => Ok(Self::$variant),)+
                    other => Err(crate::DanbaoError::Protocol {
                        reason: format!(
                            concat!(
                                "unknown ",
                                stringify!($name),
                                " {:?}: this app is older than the server"
                            ),
                            other
                        ),
                    }),
                }
            }
        }
    };
}

wire_enum! {
    /// Which side of an order this user is on.
    OrderRole {
        /// Pays into escrow and confirms receipt.
        Buyer = "buyer",
        /// Ships and is paid on completion.
        Seller = "seller",
    }
}

wire_enum! {
    /// Where an escrow order is.
    OrderState {
        /// Created; the buyer has not paid.
        AwaitingPayment = "awaiting_payment",
        /// The buyer's money is held; the seller ships next.
        Paid = "paid",
        /// Shipped; the auto-confirm clock runs.
        Shipped = "shipped",
        /// The buyer asked for money back; the seller answers.
        RefundRequested = "refund_requested",
        /// Paused until the operator resolves it.
        Disputed = "disputed",
        /// Done: the seller was paid.
        Completed = "completed",
        /// Closed before payment.
        Cancelled = "cancelled",
        /// Done: money went back to the buyer.
        Refunded = "refunded",
    }
}

wire_enum! {
    /// One step a user can take on an order (an order button). `OrderAction` is the same
    /// step with what the user entered; `order_action` builds it.
    OrderStep {
        /// Buyer: pay into escrow.
        Pay = "pay",
        /// Buyer: confirm receipt, releasing the money to the seller.
        Confirm = "confirm",
        /// Buyer or seller: cancel an unpaid order.
        Cancel = "cancel",
        /// Seller: mark as shipped (needs carrier and tracking number).
        Ship = "ship",
        /// Buyer: ask for (part of) the money back (needs an amount).
        RequestRefund = "refund-request",
        /// Seller: accept the refund request.
        AcceptRefund = "refund-accept",
        /// Seller: reject it, which opens a dispute.
        RejectRefund = "refund-reject",
    }
}

wire_enum! {
    /// Which way money moved for this user.
    Direction {
        /// Money came in.
        In = "in",
        /// Money went out.
        Out = "out",
    }
}

wire_enum! {
    /// What became of a command.
    CommandState {
        /// The server applied it.
        Done = "done",
        /// The server refused it for good; nothing moved.
        Failed = "failed",
        /// Not sent yet (offline): it waits in the outbox and is sent once, later.
        Queued = "queued",
    }
}

wire_enum! {
    /// Where a command of the outbox is.
    OutboxState {
        /// Waiting to be sent.
        Pending = "pending",
        /// An attempt is under way.
        Sending = "sending",
        /// Applied by the server.
        Done = "done",
        /// Refused by the server.
        Failed = "failed",
    }
}

wire_enum! {
    /// Where a money request is.
    RequestStatus {
        /// Waiting for the payer.
        Open = "open",
        /// The payer paid it.
        Paid = "paid",
        /// The payer declined it.
        Declined = "declined",
    }
}

/// What a command of the outbox is, read by the core from the stored command: a shell
/// branches on this (an icon, a filter), never on a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
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
    OrderRefundRequest,
    /// A refund request accepted.
    OrderRefundAccept,
    /// A refund request rejected.
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
    /// A row this version cannot read as a command (queued by an older app in a form it could not convert): shown failed with the reason, never sent.
    Unreadable,
}

impl From<core::CommandKind> for CommandKind {
    fn from(kind: core::CommandKind) -> Self {
        match kind {
            core::CommandKind::Send => Self::Send,
            core::CommandKind::Withdraw => Self::Withdraw,
            core::CommandKind::PayCode => Self::PayCode,
            core::CommandKind::PayOrder => Self::PayOrder,
            core::CommandKind::OrderPay => Self::OrderPay,
            core::CommandKind::OrderShip => Self::OrderShip,
            core::CommandKind::OrderCancel => Self::OrderCancel,
            core::CommandKind::OrderConfirm => Self::OrderConfirm,
            core::CommandKind::OrderRefundRequest => Self::OrderRefundRequest,
            core::CommandKind::OrderRefundAccept => Self::OrderRefundAccept,
            core::CommandKind::OrderRefundReject => Self::OrderRefundReject,
            core::CommandKind::RequestAccept => Self::RequestAccept,
            core::CommandKind::RequestDecline => Self::RequestDecline,
            core::CommandKind::NewRequest => Self::NewRequest,
            core::CommandKind::IssueCode => Self::IssueCode,
            core::CommandKind::ResolveCode => Self::ResolveCode,
            core::CommandKind::CreateOrder => Self::CreateOrder,
            core::CommandKind::Charge => Self::Charge,
            core::CommandKind::ProvisionPaycode => Self::ProvisionPaycode,
            core::CommandKind::SignUp => Self::SignUp,
            core::CommandKind::TopUp => Self::TopUp,
            core::CommandKind::ResolveOrder => Self::ResolveOrder,
            core::CommandKind::AdvanceClock => Self::AdvanceClock,
            core::CommandKind::Rename => Self::Rename,
            core::CommandKind::ChangeMerchant => Self::ChangeMerchant,
            core::CommandKind::Deposit => Self::Deposit,
            core::CommandKind::MarkPaidOut => Self::MarkPaidOut,
            core::CommandKind::MarkFailed => Self::MarkFailed,
            core::CommandKind::ApproveDevice => Self::ApproveDevice,
            core::CommandKind::JoinDevice => Self::JoinDevice,
            core::CommandKind::RevokeDevice => Self::RevokeDevice,
            core::CommandKind::RefreshPaycodeMasks => Self::RefreshPaycodeMasks,
            core::CommandKind::Unreadable => Self::Unreadable,
        }
    }
}

/// What the user entered for an order step: `carrier` and `tracking` for `Ship`, `amount`
/// for `RequestRefund`, nothing for the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct StepInput {
    /// The carrier, for `Ship`.
    #[uniffi(default = None)]
    pub carrier: Option<String>,
    /// The tracking number, for `Ship`.
    #[uniffi(default = None)]
    pub tracking: Option<String>,
    /// The amount to ask back (decimal text), for `RequestRefund`.
    #[uniffi(default = None)]
    pub amount: Option<String>,
}

/// The order action of `step` with what the user entered: what an order button sends. A
/// step that needs input refuses without it (`DanbaoError.InvalidInput`), naming the field.
#[uniffi::export]
pub fn order_action(step: OrderStep, input: StepInput) -> Result<OrderAction, crate::DanbaoError> {
    let needed = |value: Option<String>, what: &str| {
        value
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
            .ok_or_else(|| crate::DanbaoError::InvalidInput {
                reason: format!("{what} is needed to {}", step.describe()),
            })
    };
    Ok(match step {
        OrderStep::Pay => OrderAction::Pay,
        OrderStep::Confirm => OrderAction::Confirm,
        OrderStep::Cancel => OrderAction::Cancel,
        OrderStep::Ship => OrderAction::Ship {
            carrier: needed(input.carrier, "the carrier")?,
            tracking: needed(input.tracking, "the tracking number")?,
        },
        OrderStep::RequestRefund => OrderAction::RequestRefund {
            amount: needed(input.amount, "the amount to ask back")?,
        },
        OrderStep::AcceptRefund => OrderAction::AcceptRefund,
        OrderStep::RejectRefund => OrderAction::RejectRefund,
    })
}

impl OrderStep {
    fn describe(self) -> &'static str {
        match self {
            Self::Pay => "pay the order",
            Self::Confirm => "confirm receipt",
            Self::Cancel => "cancel the order",
            Self::Ship => "mark the order shipped",
            Self::RequestRefund => "ask for a refund",
            Self::AcceptRefund => "accept the refund",
            Self::RejectRefund => "reject the refund",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_name_reads_back() {
        for step in [
            OrderStep::Pay,
            OrderStep::Confirm,
            OrderStep::Cancel,
            OrderStep::Ship,
            OrderStep::RequestRefund,
            OrderStep::AcceptRefund,
            OrderStep::RejectRefund,
        ] {
            assert_eq!(OrderStep::from_wire(step.wire_name()).unwrap(), step);
        }
        assert_eq!(
            OrderState::from_wire("refund_requested").unwrap(),
            OrderState::RefundRequested
        );
        assert_eq!(OrderRole::from_wire("seller").unwrap(), OrderRole::Seller);
        assert_eq!(
            CommandState::from_wire("queued").unwrap(),
            CommandState::Queued
        );
    }

    #[test]
    fn an_unknown_name_is_refused_by_name() {
        let refused = OrderState::from_wire("lost").unwrap_err();
        assert!(matches!(refused, crate::DanbaoError::Protocol { .. }));
        assert_eq!(
            refused.to_string(),
            "unknown OrderState \"lost\": this app is older than the server"
        );
    }

    #[test]
    fn steps_that_need_input_say_which() {
        let ship = order_action(
            OrderStep::Ship,
            StepInput {
                carrier: Some("SF Express".into()),
                tracking: Some(" SF123 ".into()),
                amount: None,
            },
        )
        .unwrap();
        assert_eq!(
            ship,
            OrderAction::Ship {
                carrier: "SF Express".into(),
                tracking: "SF123".into()
            }
        );
        let missing = order_action(OrderStep::RequestRefund, StepInput::default()).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "the amount to ask back is needed to ask for a refund"
        );
        assert!(matches!(missing, crate::DanbaoError::InvalidInput { .. }));
        assert_eq!(
            order_action(OrderStep::Confirm, StepInput::default()).unwrap(),
            OrderAction::Confirm
        );
    }
}
