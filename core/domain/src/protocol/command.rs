//! Everything a client can ask the server to change, as data: one [`Command`] variant per
//! mutating request, carrying its wire body. The command knows its HTTP method, path and JSON
//! body, so a transport sends it and an outbox stores it (serde) without strings of its own.

use serde::{Deserialize, Serialize};

use super::encode_component;
use super::wire::{
    AdvanceClock, Charge, CreateOrder, Deposit, JoinDevice, MarkFailed, MarkPaidOut,
    MerchantChange, NewCode, NewRequest, OrderAction, PayCode, RefundRequest, Rename, Resolve,
    ScannedCode, Send, Ship, SignUp, StepAction, TopUp, Withdraw,
};

/// A step on an order, with the body it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", content = "body", rename_all = "snake_case")]
pub enum OrderStepCommand {
    /// A step without a body (pay, cancel, confirm, accept or reject a refund).
    Plain(OrderAction),
    /// The seller ships.
    Ship(Ship),
    /// The buyer asks for money back.
    RequestRefund(RefundRequest),
}

impl OrderStepCommand {
    /// The path segment.
    pub fn action(&self) -> StepAction {
        match self {
            Self::Plain(action) => action.step(),
            Self::Ship(_) => StepAction::Ship,
            Self::RequestRefund(_) => StepAction::RefundRequest,
        }
    }
}

/// One mutating request of the API (every one is a signed `POST` with an idempotency key,
/// except [`Command::AdvanceClock`], the operator's sandbox clock, and
/// [`Command::ChangeMerchant`], which sets a state and is safe to repeat, which have none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", content = "args", rename_all = "snake_case")]
pub enum Command {
    /// `POST /v1/users`: sign up with the device's key.
    SignUp(SignUp),
    /// `POST /v1/sandbox/top-ups` (operator).
    TopUp(TopUp),
    /// `POST /v1/withdrawals`.
    Withdraw(Withdraw),
    /// `POST /v1/transfers`: money to a friend by handle.
    Send(Send),
    /// `POST /v1/codes`: issue a merchant or receive code.
    IssueCode(NewCode),
    /// `POST /v1/codes/resolve`: who a scanned code pays (changes nothing; signed and keyed
    /// like the writes).
    ResolveCode(ScannedCode),
    /// `POST /v1/payments`: pay a scanned merchant or receive code.
    PayCode(PayCode),
    /// `POST /v1/orders`: the seller opens an escrow order.
    CreateOrder(CreateOrder),
    /// `POST /v1/orders/pay-code`: pay the order of a scanned order code into escrow.
    PayOrderCode(ScannedCode),
    /// `POST /v1/orders/{id}/{action}`: a step on an order.
    OrderStep {
        /// The order id.
        order_id: String,
        /// The step and its body.
        step: OrderStepCommand,
    },
    /// `POST /v1/admin/orders/{id}/resolve` (operator): settle a dispute.
    ResolveOrder {
        /// The order id.
        order_id: String,
        /// How.
        resolution: Resolve,
    },
    /// `POST /v1/requests`: ask someone to pay the caller.
    NewRequest(NewRequest),
    /// `POST /v1/requests/{id}/accept`: pay a money request.
    AcceptRequest {
        /// The request id.
        id: i64,
    },
    /// `POST /v1/requests/{id}/decline`: decline a money request.
    DeclineRequest {
        /// The request id.
        id: i64,
    },
    /// `POST /v1/paycode/provision`: a fresh payment-code secret for the calling device.
    ProvisionPaycode,
    /// `POST /v1/merchant/charges`: the till charges a payment code.
    Charge(Charge),
    /// `POST /v1/admin/clock` (operator, sandbox): move the clock forward.
    AdvanceClock(AdvanceClock),
    /// `POST /v1/me/display-name`: change the caller's display name.
    Rename(Rename),
    /// `POST /v1/admin/merchants/{handle}` (operator): enrol, enable, disable, verify or
    /// unverify a merchant.
    ChangeMerchant {
        /// The merchant's handle.
        handle: String,
        /// What to do.
        change: MerchantChange,
    },
    /// `POST /v1/admin/deposits` (operator): money in against a bank transfer's reference.
    Deposit(Deposit),
    /// `POST /v1/admin/withdrawals/{id}/paid-out` (operator): the bank paid the withdrawal.
    MarkPaidOut {
        /// The withdrawal's id.
        id: i64,
        /// The bank transfer's reference.
        mark: MarkPaidOut,
    },
    /// `POST /v1/admin/withdrawals/{id}/failed` (operator): the payout failed; the amount
    /// returns to the wallet.
    MarkFailed {
        /// The withdrawal's id.
        id: i64,
        /// Why.
        mark: MarkFailed,
    },
    /// `POST /v1/devices/approvals`: a one-time code with which a new device joins the
    /// caller's user.
    ApproveDevice,
    /// `POST /v1/devices/join`: a new device joins the user whose approval code it presents
    /// (signed with the new key, like a sign-up).
    JoinDevice(JoinDevice),
    /// `POST /v1/devices/{id}/revoke`: revoke one of the caller's devices.
    RevokeDevice {
        /// The device id.
        id: i64,
    },
    /// `POST /v1/paycode/masks`: a fresh window of payment-code index masks for the calling
    /// device.
    RefreshPaycodeMasks,
}

impl Command {
    /// The HTTP method: every command is a `POST`.
    pub fn method(&self) -> &'static str {
        "POST"
    }

    /// The request target (path; path segments percent-encoded).
    pub fn path(&self) -> String {
        match self {
            Self::SignUp(_) => "/v1/users".to_owned(),
            Self::TopUp(_) => "/v1/sandbox/top-ups".to_owned(),
            Self::Withdraw(_) => "/v1/withdrawals".to_owned(),
            Self::Send(_) => "/v1/transfers".to_owned(),
            Self::IssueCode(_) => "/v1/codes".to_owned(),
            Self::ResolveCode(_) => "/v1/codes/resolve".to_owned(),
            Self::PayCode(_) => "/v1/payments".to_owned(),
            Self::CreateOrder(_) => "/v1/orders".to_owned(),
            Self::PayOrderCode(_) => "/v1/orders/pay-code".to_owned(),
            Self::OrderStep { order_id, step } => format!(
                "/v1/orders/{}/{}",
                encode_component(order_id),
                step.action().slug()
            ),
            Self::ResolveOrder { order_id, .. } => {
                format!("/v1/admin/orders/{}/resolve", encode_component(order_id))
            }
            Self::NewRequest(_) => "/v1/requests".to_owned(),
            Self::AcceptRequest { id } => format!("/v1/requests/{id}/accept"),
            Self::DeclineRequest { id } => format!("/v1/requests/{id}/decline"),
            Self::ProvisionPaycode => "/v1/paycode/provision".to_owned(),
            Self::Charge(_) => "/v1/merchant/charges".to_owned(),
            Self::AdvanceClock(_) => "/v1/admin/clock".to_owned(),
            Self::Rename(_) => "/v1/me/display-name".to_owned(),
            Self::ChangeMerchant { handle, .. } => {
                format!("/v1/admin/merchants/{}", encode_component(handle))
            }
            Self::Deposit(_) => "/v1/admin/deposits".to_owned(),
            Self::MarkPaidOut { id, .. } => format!("/v1/admin/withdrawals/{id}/paid-out"),
            Self::MarkFailed { id, .. } => format!("/v1/admin/withdrawals/{id}/failed"),
            Self::ApproveDevice => "/v1/devices/approvals".to_owned(),
            Self::JoinDevice(_) => "/v1/devices/join".to_owned(),
            Self::RevokeDevice { id } => format!("/v1/devices/{id}/revoke"),
            Self::RefreshPaycodeMasks => "/v1/paycode/masks".to_owned(),
        }
    }

    /// Whether the request carries an `Idempotency-Key` (all but the sandbox clock and the
    /// merchant changes).
    pub fn is_keyed(&self) -> bool {
        !matches!(self, Self::AdvanceClock(_) | Self::ChangeMerchant { .. })
    }

    /// The body as the bytes sent (and signed): the body type's JSON text in its field
    /// order, or empty for a request without a body.
    pub fn body_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        use serde_json::to_vec;
        match self {
            Self::SignUp(body) => to_vec(body),
            Self::TopUp(body) => to_vec(body),
            Self::Withdraw(body) => to_vec(body),
            Self::Send(body) => to_vec(body),
            Self::IssueCode(body) => to_vec(body),
            Self::ResolveCode(body) | Self::PayOrderCode(body) => to_vec(body),
            Self::PayCode(body) => to_vec(body),
            Self::CreateOrder(body) => to_vec(body),
            Self::OrderStep { step, .. } => match step {
                OrderStepCommand::Plain(_) => Ok(Vec::new()),
                OrderStepCommand::Ship(body) => to_vec(body),
                OrderStepCommand::RequestRefund(body) => to_vec(body),
            },
            Self::ResolveOrder { resolution, .. } => to_vec(resolution),
            Self::NewRequest(body) => to_vec(body),
            Self::AcceptRequest { .. }
            | Self::DeclineRequest { .. }
            | Self::ProvisionPaycode
            | Self::ApproveDevice
            | Self::RevokeDevice { .. }
            | Self::RefreshPaycodeMasks => Ok(Vec::new()),
            Self::Charge(body) => to_vec(body),
            Self::AdvanceClock(body) => to_vec(body),
            Self::Rename(body) => to_vec(body),
            Self::ChangeMerchant { change, .. } => to_vec(change),
            Self::Deposit(body) => to_vec(body),
            Self::MarkPaidOut { mark, .. } => to_vec(mark),
            Self::MarkFailed { mark, .. } => to_vec(mark),
            Self::JoinDevice(body) => to_vec(body),
        }
    }

    /// The JSON body; `None` for a request without one.
    pub fn body(&self) -> Result<Option<serde_json::Value>, serde_json::Error> {
        let bytes = self.body_bytes()?;
        if bytes.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&bytes).map(Some)
    }

    /// A stable name of the command for lists and logs, as the client's outbox has always
    /// named its rows (`send`, `pay_code`, `pay_order`, `order_confirm`, `charge`, ...).
    pub fn name(&self) -> String {
        match self {
            Self::SignUp(_) => "sign_up".to_owned(),
            Self::TopUp(_) => "top_up".to_owned(),
            Self::Withdraw(_) => "withdraw".to_owned(),
            Self::Send(_) => "send".to_owned(),
            Self::IssueCode(_) => "issue_code".to_owned(),
            Self::ResolveCode(_) => "resolve_code".to_owned(),
            Self::PayCode(_) => "pay_code".to_owned(),
            Self::CreateOrder(_) => "create_order".to_owned(),
            Self::PayOrderCode(_) => "pay_order".to_owned(),
            Self::OrderStep { step, .. } => format!("order_{}", step.action().slug()),
            Self::ResolveOrder { .. } => "resolve_order".to_owned(),
            Self::NewRequest(_) => "new_request".to_owned(),
            Self::AcceptRequest { .. } => "request_accept".to_owned(),
            Self::DeclineRequest { .. } => "request_decline".to_owned(),
            Self::ProvisionPaycode => "provision_paycode".to_owned(),
            Self::Charge(_) => "charge".to_owned(),
            Self::AdvanceClock(_) => "advance_clock".to_owned(),
            Self::Rename(_) => "rename".to_owned(),
            Self::ChangeMerchant { change, .. } => format!("merchant_{}", change.action.as_str()),
            Self::Deposit(_) => "deposit".to_owned(),
            Self::MarkPaidOut { .. } => "mark_paid_out".to_owned(),
            Self::MarkFailed { .. } => "mark_failed".to_owned(),
            Self::ApproveDevice => "approve_device".to_owned(),
            Self::JoinDevice(_) => "join_device".to_owned(),
            Self::RevokeDevice { .. } => "revoke_device".to_owned(),
            Self::RefreshPaycodeMasks => "refresh_paycode_masks".to_owned(),
        }
    }
}
