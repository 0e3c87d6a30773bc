//! An order button's action: the step (the domain's `StepAction`, `OrderStep` across the FFI)
//! with what the user entered.
//!
//! The closed sets a screen branches on — an order's role, state and steps, a movement's
//! direction, a command's, an outbox row's and a money request's state, a command's kind —
//! are the core's own enums (`danbao_domain::escrow`, `danbao_domain::protocol::wire`,
//! `danbao_client::wallet`, `danbao_client::store`), derived for UniFFI there: no shell and
//! no code here keeps a table of their names.

use danbao_domain::protocol::wire::StepAction;

use super::OrderAction;

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
pub fn order_action(step: StepAction, input: StepInput) -> Result<OrderAction, crate::DanbaoError> {
    let needed = |value: Option<String>, what: &str| {
        value
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty())
            .ok_or_else(|| crate::DanbaoError::InvalidInput {
                reason: format!("{what} is needed to {}", describe(step)),
            })
    };
    Ok(match step {
        StepAction::Pay => OrderAction::Pay,
        StepAction::Confirm => OrderAction::Confirm,
        StepAction::Cancel => OrderAction::Cancel,
        StepAction::Ship => OrderAction::Ship {
            carrier: needed(input.carrier, "the carrier")?,
            tracking: needed(input.tracking, "the tracking number")?,
        },
        StepAction::RefundRequest => OrderAction::RequestRefund {
            amount: needed(input.amount, "the amount to ask back")?,
        },
        StepAction::RefundAccept => OrderAction::AcceptRefund,
        StepAction::RefundReject => OrderAction::RejectRefund,
    })
}

/// The step in words, for the refusal of a step without its input (a programming error of
/// the shell, so English like the other `InvalidInput` reasons of the bindings).
fn describe(step: StepAction) -> &'static str {
    match step {
        StepAction::Pay => "pay the order",
        StepAction::Confirm => "confirm receipt",
        StepAction::Cancel => "cancel the order",
        StepAction::Ship => "mark the order shipped",
        StepAction::RefundRequest => "ask for a refund",
        StepAction::RefundAccept => "accept the refund",
        StepAction::RefundReject => "reject the refund",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_that_need_input_say_which() {
        let ship = order_action(
            StepAction::Ship,
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
        let missing = order_action(StepAction::RefundRequest, StepInput::default()).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "the amount to ask back is needed to ask for a refund"
        );
        assert!(matches!(missing, crate::DanbaoError::InvalidInput { .. }));
        assert_eq!(
            order_action(StepAction::Confirm, StepInput::default()).unwrap(),
            OrderAction::Confirm
        );
    }
}
