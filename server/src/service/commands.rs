//! The one door into the flows: [`run`] takes a [`Command`] (the protocol's data for
//! everything a client can ask) and the [`Actor`] the HTTP layer authenticated, and runs the
//! command's flow inside one store transaction. Handlers only parse, authenticate and build
//! the command; which flow runs, and who may ask for it, is decided here.

use danbao_domain::protocol::Command;

use super::merchant_api::KeyCaller;
use super::orders::Action;
use super::{
    Answer, Caller, OperatorCall, ServiceError, ServiceResult, admin, devices, identity, merchant,
    merchant_api, merchant_profiles, order_flows, paycode, payouts, requests, wallet,
};
use crate::app::App;
use crate::store::Store;

/// Who asks, as the HTTP layer proved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A registered device's signed request.
    Device(Caller),
    /// The operator (bearer token), with the request's idempotency key when it has one.
    Operator(Option<OperatorCall>),
    /// A device that is not registered yet, proving its new key by the sign-up's signature.
    Newcomer(Newcomer),
    /// A shop's server, holding a merchant API key: it runs the merchant's orders within the
    /// key's scopes and never moves money out of the wallet (no transfer, no withdrawal).
    MerchantKey(KeyCaller),
}

/// What a sign-up proves about the device it registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Newcomer {
    /// The new device's public key (the request was signed with its private half).
    pub public_key: Vec<u8>,
    /// The request's idempotency key.
    pub idempotency_key: Option<String>,
    /// What the key is bound to.
    pub request_hash: Vec<u8>,
}

/// Runs `command` for `actor`: the command's flow in one store transaction, exactly once per
/// idempotency key. A command the actor may not give is refused (`403 wrong_actor`), so a
/// route can never run another actor's flow by mistake.
pub async fn run<S: Store>(app: &App<S>, actor: Actor, command: Command) -> ServiceResult<Answer> {
    let now = app.now();
    let store = &app.store;
    match (actor, command) {
        (Actor::Newcomer(newcomer), Command::SignUp(body)) => {
            let Newcomer {
                public_key,
                idempotency_key,
                request_hash,
            } = newcomer;
            identity::sign_up(store, body, public_key, idempotency_key, request_hash, now).await
        }
        (Actor::Newcomer(newcomer), Command::JoinDevice(body)) => {
            let Newcomer {
                public_key,
                idempotency_key,
                request_hash,
            } = newcomer;
            devices::join(store, body, public_key, idempotency_key, request_hash, now).await
        }
        (Actor::Device(caller), command) => run_for_device(app, caller, command, now).await,
        (Actor::Operator(call), command) => run_for_operator(app, call, command, now).await,
        (Actor::MerchantKey(key), command) => run_for_key(app, key, command, now).await,
        (Actor::Newcomer(_), command) => Err(wrong_actor("a device signing up", &command)),
    }
}

/// The protocol's commands a merchant API key may give: a step on one of its orders (ship,
/// cancel, answer a refund request; see [`merchant_api::orders::step`] for the scopes).
/// Everything else — above all a transfer or a withdrawal — is refused: a key can never
/// move money out of the merchant's wallet.
async fn run_for_key<S: Store>(
    app: &App<S>,
    key: KeyCaller,
    command: Command,
    now: i64,
) -> ServiceResult<Answer> {
    match command {
        Command::OrderStep { order_id, step } => {
            let action = Action::from_step(step)?;
            merchant_api::orders::step(&app.store, key, order_id, action, now).await
        }
        other => Err(wrong_actor("a merchant API key", &other)),
    }
}

/// What only a merchant API key asks for (the shop's own requests, which the device
/// protocol has no command for).
#[derive(Clone)]
pub enum MerchantCommand {
    /// `POST /v1/merchant-api/orders`: create an order under the shop's reference (checked
    /// already, with its id chosen).
    CreateOrder(Box<merchant_api::orders::Checked>),
}

/// Runs a merchant API key's own command.
pub async fn run_merchant<S: Store>(
    app: &App<S>,
    key: KeyCaller,
    command: MerchantCommand,
) -> ServiceResult<Answer> {
    match command {
        MerchantCommand::CreateOrder(checked) => {
            merchant_api::orders::create(app, key, *checked).await
        }
    }
}

/// The commands of a registered device.
async fn run_for_device<S: Store>(
    app: &App<S>,
    caller: Caller,
    command: Command,
    now: i64,
) -> ServiceResult<Answer> {
    let store = &app.store;
    match command {
        Command::Withdraw(body) => payouts::withdraw(store, caller, body, now).await,
        Command::Send(body) => wallet::send(store, caller, body, now).await,
        Command::IssueCode(body) => merchant::issue_code(app, caller, body).await,
        Command::ResolveCode(body) => Answer::ok(&merchant::resolve_code(app, body).await?),
        Command::PayCode(body) => merchant::pay_code(app, caller, body).await,
        Command::CreateOrder(body) => order_flows::create(app, caller, body).await,
        Command::PayOrderCode(body) => order_flows::pay_code(app, caller, body).await,
        Command::OrderStep { order_id, step } => {
            let action = Action::from_step(step)?;
            order_flows::step(store, caller, order_id, action, now).await
        }
        // Only the operator settles disputes; asked by a party, the escrow machine refuses it
        // as it refuses any step that is not theirs (`wrong_party`, `illegal_transition`).
        Command::ResolveOrder {
            order_id,
            resolution,
        } => {
            let action = Action::from_resolution(resolution)?;
            order_flows::step(store, caller, order_id, action, now).await
        }
        Command::NewRequest(body) => requests::create(store, caller, body, now).await,
        Command::AcceptRequest { id } => requests::accept(store, caller, id, now).await,
        Command::DeclineRequest { id } => requests::decline(store, caller, id, now).await,
        Command::ProvisionPaycode => Answer::ok(&paycode::provision_device(app, caller).await?),
        Command::Charge(body) => paycode::charge(app, caller, body).await,
        Command::Rename(body) => merchant_profiles::rename(store, caller, body, now).await,
        // The approval code and the masks are secrets: their answers are not kept under the
        // idempotency key (a retry gets fresh ones).
        Command::ApproveDevice => Answer::created(&devices::new_approval(app, caller).await?),
        Command::RevokeDevice { id } => devices::revoke(app, caller, id).await,
        Command::RefreshPaycodeMasks => Answer::ok(&paycode::refresh_masks(app, caller).await?),
        other @ (Command::SignUp(_)
        | Command::JoinDevice(_)
        | Command::TopUp(_)
        | Command::Deposit(_)
        | Command::MarkPaidOut { .. }
        | Command::MarkFailed { .. }
        | Command::AdvanceClock(_)
        | Command::ChangeMerchant { .. }) => Err(wrong_actor("a device", &other)),
    }
}

/// The operator's commands. Every one but the sandbox clock carries an idempotency key.
async fn run_for_operator<S: Store>(
    app: &App<S>,
    call: Option<OperatorCall>,
    command: Command,
    now: i64,
) -> ServiceResult<Answer> {
    let store = &app.store;
    match (command, call) {
        (Command::AdvanceClock(body), _) => Answer::ok(&admin::advance_clock(app, body).await?),
        (Command::ChangeMerchant { handle, change }, _) => {
            Answer::ok(&merchant_profiles::change(store, handle, change, now).await?)
        }
        (Command::TopUp(body), Some(call)) => {
            wallet::top_up(store, app.config.sandbox, call, body, now).await
        }
        (
            Command::ResolveOrder {
                order_id,
                resolution,
            },
            Some(call),
        ) => order_flows::resolve(store, call, order_id, resolution, now).await,
        (Command::Deposit(body), Some(call)) => wallet::deposit(store, call, body, now).await,
        (Command::MarkPaidOut { id, mark }, Some(call)) => {
            payouts::mark_paid_out(store, call, id, mark, now).await
        }
        (Command::MarkFailed { id, mark }, Some(call)) => {
            payouts::mark_failed(store, call, id, mark, now).await
        }
        (
            Command::TopUp(_)
            | Command::ResolveOrder { .. }
            | Command::Deposit(_)
            | Command::MarkPaidOut { .. }
            | Command::MarkFailed { .. },
            None,
        ) => Err(super::missing_key()),
        (other, _) => Err(wrong_actor("the operator", &other)),
    }
}

fn wrong_actor(who: &str, command: &Command) -> ServiceError {
    ServiceError::forbidden(
        "wrong_actor",
        format!("{who} cannot ask for {}", command.name()),
    )
}
