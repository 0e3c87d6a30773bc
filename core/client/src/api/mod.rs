//! Typed calls for every server endpoint (server/src/api/mod.rs), on the [`Transport`], with
//! the request and answer types of [`danbao_domain::protocol::wire`].
//!
//! - [`DeviceApi`]: everything a registered device does, signed with its key.
//! - [`DeviceApi::sign_up`]: registers a user with its first device.
//! - [`OperatorApi`]: the operator's bearer-token endpoints (sandbox top-ups, invariants,
//!   clock, dispute resolution).
//!
//! Every change takes the caller's idempotency key (the outbox chooses and stores it before
//! the first attempt, see [`new_idempotency_key`]); retries reuse it with a fresh signature.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use serde::de::DeserializeOwned;

use super::secrets::Signer;
use super::transport::{
    Answer, Call, Credentials, Transport, TransportConfig, TransportError, encode_component,
};
use danbao_domain::money::Money;
/// The request and answer types: the wire protocol of `danbao-domain`, one definition for the
/// server and the client.
pub use danbao_domain::protocol::wire::*;
pub use danbao_domain::protocol::{Command, OrderStepCommand};

/// A fresh idempotency key: `dbk-` and 24 random bytes as hex (52 characters).
pub fn new_idempotency_key() -> Result<String, TransportError> {
    let mut bytes = [0u8; 24];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| TransportError::InvalidRequest {
            detail: "the system random source failed to give an idempotency key".to_owned(),
        })?;
    Ok(format!(
        "dbk-{}",
        danbao_domain::protocol::hex_lower(&bytes)
    ))
}

fn decode<T: DeserializeOwned>(call: &Call, answer: &Answer) -> Result<T, TransportError> {
    serde_json::from_slice(&answer.body).map_err(|error| TransportError::Decode {
        request: format!("{} {}", call.method.as_str(), call.path),
        expected: std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or("the answer"),
        detail: error.to_string(),
    })
}

fn page_query(path: &str, cursor: Option<String>, limit: Option<u32>) -> String {
    let mut parts = Vec::new();
    if let Some(cursor) = cursor {
        parts.push(format!("cursor={}", encode_component(&cursor)));
    }
    if let Some(limit) = limit {
        parts.push(format!("limit={limit}"));
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

async fn run<T: DeserializeOwned>(
    transport: &Transport,
    credentials: &Credentials,
    call: Call,
) -> Result<T, TransportError> {
    let answer = transport.execute(credentials, &call).await?;
    decode(&call, &answer)
}

/// A registered device's calls.
#[derive(Clone, Debug)]
pub struct DeviceApi {
    transport: Transport,
    credentials: Credentials,
    device_id: i64,
}

impl DeviceApi {
    /// Calls as device `device_id`, signing with `signer`.
    pub fn new(transport: Transport, device_id: i64, signer: Arc<dyn Signer>) -> Self {
        Self {
            transport,
            credentials: Credentials::Device { device_id, signer },
            device_id,
        }
    }

    /// `POST /v1/users`: signs up `handle` with `signer`'s key as its first device (signed
    /// with that key, `Danbao-Device: new`) and returns the API bound to the new device.
    pub async fn sign_up(
        transport: Transport,
        signer: Arc<dyn Signer>,
        handle: &str,
        display_name: &str,
        device_name: &str,
        idempotency_key: &str,
    ) -> Result<(Self, SignedUp), TransportError> {
        let body = SignUp {
            handle: handle.to_owned(),
            display_name: display_name.to_owned(),
            public_key: URL_SAFE_NO_PAD.encode(signer.public_key()),
            device_name: device_name.to_owned(),
        };
        let call = Call::command(&Command::SignUp(body), Some(idempotency_key))?;
        let credentials = Credentials::NewDevice {
            signer: signer.clone(),
        };
        let signed_up: SignedUp = run(&transport, &credentials, call).await?;
        Ok((Self::new(transport, signed_up.device_id, signer), signed_up))
    }

    /// `POST /v1/devices/join`: registers `signer`'s key as a new device of the user whose
    /// approval `code` it presents (signed with that key, `Danbao-Device: new`) and returns the
    /// API bound to the new device.
    pub async fn join(
        transport: Transport,
        signer: Arc<dyn Signer>,
        code: &str,
        device_name: &str,
        idempotency_key: &str,
    ) -> Result<(Self, Joined), TransportError> {
        let body = JoinDevice {
            code: code.to_owned(),
            handle: None,
            public_key: URL_SAFE_NO_PAD.encode(signer.public_key()),
            device_name: device_name.to_owned(),
        };
        let call = Call::command(&Command::JoinDevice(body), Some(idempotency_key))?;
        let credentials = Credentials::NewDevice {
            signer: signer.clone(),
        };
        let joined: Joined = run(&transport, &credentials, call).await?;
        Ok((Self::new(transport, joined.device_id, signer), joined))
    }

    /// The device id requests are signed as.
    pub fn device_id(&self) -> i64 {
        self.device_id
    }

    /// The transport underneath.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Sends any call signed as this device and returns the raw answer (for tools and
    /// tests; the typed methods below are the API).
    pub async fn raw(&self, call: &Call) -> Result<Answer, TransportError> {
        self.transport.execute(&self.credentials, call).await
    }

    async fn get<T: DeserializeOwned>(&self, path: String) -> Result<T, TransportError> {
        run(&self.transport, &self.credentials, Call::get(path)).await
    }

    /// Sends `command` under `idempotency_key` and reads its answer.
    pub async fn command<T: DeserializeOwned>(
        &self,
        command: &Command,
        idempotency_key: &str,
    ) -> Result<T, TransportError> {
        let call = Call::command(command, Some(idempotency_key))?;
        run(&self.transport, &self.credentials, call).await
    }

    /// `GET /v1/users/{handle}`: the display name the server knows for a handle.
    pub async fn lookup(&self, handle: &str) -> Result<PublicProfile, TransportError> {
        self.get(format!("/v1/users/{}", encode_component(handle)))
            .await
    }

    /// `GET /v1/me`: profile and balances.
    pub async fn me(&self) -> Result<Me, TransportError> {
        self.get("/v1/me".to_owned()).await
    }

    /// `GET /v1/balances`.
    pub async fn balances(&self) -> Result<Vec<BalanceView>, TransportError> {
        self.get("/v1/balances".to_owned()).await
    }

    /// `GET /v1/activity`: money movements, newest first; `cursor` is the previous page's
    /// `next_cursor`; `limit` 1–[`MAX_PAGE_LIMIT`] (server default [`DEFAULT_PAGE_LIMIT`]).
    ///
    /// [`MAX_PAGE_LIMIT`]: danbao_domain::protocol::limits::MAX_PAGE_LIMIT
    /// [`DEFAULT_PAGE_LIMIT`]: danbao_domain::protocol::limits::DEFAULT_PAGE_LIMIT
    pub async fn activity(
        &self,
        cursor: Option<i64>,
        limit: Option<u32>,
    ) -> Result<FeedPage, TransportError> {
        self.get(page_query(
            "/v1/activity",
            cursor.map(|c| c.to_string()),
            limit,
        ))
        .await
    }

    /// `GET /v1/events`: the sync feed after `cursor`, oldest first.
    pub async fn events(
        &self,
        cursor: Option<i64>,
        limit: Option<u32>,
    ) -> Result<FeedPage, TransportError> {
        self.get(page_query(
            "/v1/events",
            cursor.map(|c| c.to_string()),
            limit,
        ))
        .await
    }

    /// `POST /v1/transfers`: money to a friend by handle.
    pub async fn send(&self, body: &Send, idempotency_key: &str) -> Result<Moved, TransportError> {
        self.command(&Command::Send(body.clone()), idempotency_key)
            .await
    }

    /// `POST /v1/withdrawals`: money out to the withdrawal account.
    pub async fn withdraw(
        &self,
        body: &Withdraw,
        idempotency_key: &str,
    ) -> Result<Moved, TransportError> {
        self.command(&Command::Withdraw(body.clone()), idempotency_key)
            .await
    }

    /// `POST /v1/codes`: a merchant or receive code that pays the caller.
    pub async fn issue_code(
        &self,
        body: &NewCode,
        idempotency_key: &str,
    ) -> Result<IssuedCode, TransportError> {
        self.command(&Command::IssueCode(body.clone()), idempotency_key)
            .await
    }

    /// `POST /v1/codes/resolve`: who a scanned code really pays, and whether the printed name
    /// differs. Changes nothing.
    pub async fn resolve_code(
        &self,
        code: &str,
        idempotency_key: &str,
    ) -> Result<Resolved, TransportError> {
        let body = ScannedCode {
            code: code.to_owned(),
        };
        self.command(&Command::ResolveCode(body), idempotency_key)
            .await
    }

    /// `POST /v1/payments`: pays a scanned merchant or receive code (once).
    pub async fn pay_code(
        &self,
        body: &PayCode,
        idempotency_key: &str,
    ) -> Result<CodePaid, TransportError> {
        self.command(&Command::PayCode(body.clone()), idempotency_key)
            .await
    }

    /// `POST /v1/requests`: asks another user for money.
    pub async fn create_request(
        &self,
        body: &NewRequest,
        idempotency_key: &str,
    ) -> Result<RequestView, TransportError> {
        self.command(&Command::NewRequest(body.clone()), idempotency_key)
            .await
    }

    /// `GET /v1/requests/{id}`.
    pub async fn request(&self, id: i64) -> Result<RequestView, TransportError> {
        self.get(format!("/v1/requests/{id}")).await
    }

    /// `POST /v1/requests/{id}/accept`: the payer pays the request.
    pub async fn accept_request(
        &self,
        id: i64,
        idempotency_key: &str,
    ) -> Result<RequestView, TransportError> {
        self.command(&Command::AcceptRequest { id }, idempotency_key)
            .await
    }

    /// `POST /v1/requests/{id}/decline`.
    pub async fn decline_request(
        &self,
        id: i64,
        idempotency_key: &str,
    ) -> Result<RequestView, TransportError> {
        self.command(&Command::DeclineRequest { id }, idempotency_key)
            .await
    }

    /// `POST /v1/orders`: the seller opens an escrow order and gets its code.
    pub async fn create_order(
        &self,
        body: &CreateOrder,
        idempotency_key: &str,
    ) -> Result<CreatedOrder, TransportError> {
        self.command(&Command::CreateOrder(body.clone()), idempotency_key)
            .await
    }

    /// `GET /v1/orders/{id}`.
    pub async fn order(&self, id: &str) -> Result<OrderView, TransportError> {
        self.get(format!("/v1/orders/{}", encode_component(id)))
            .await
    }

    /// `GET /v1/orders`: the caller's orders, newest first.
    pub async fn orders(
        &self,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<OrderList, TransportError> {
        self.get(page_query("/v1/orders", cursor.map(str::to_owned), limit))
            .await
    }

    /// `POST /v1/orders/pay-code`: pays the order of a scanned order code into escrow.
    pub async fn pay_order_code(
        &self,
        code: &str,
        idempotency_key: &str,
    ) -> Result<OrderView, TransportError> {
        let body = ScannedCode {
            code: code.to_owned(),
        };
        self.command(&Command::PayOrderCode(body), idempotency_key)
            .await
    }

    /// `POST /v1/orders/{id}/{pay|cancel|confirm|refund-accept|refund-reject}`.
    pub async fn order_action(
        &self,
        id: &str,
        action: OrderAction,
        idempotency_key: &str,
    ) -> Result<OrderView, TransportError> {
        self.order_step(id, OrderStepCommand::Plain(action), idempotency_key)
            .await
    }

    /// `POST /v1/orders/{id}/ship`: the seller ships.
    pub async fn ship_order(
        &self,
        id: &str,
        body: &Ship,
        idempotency_key: &str,
    ) -> Result<OrderView, TransportError> {
        self.order_step(id, OrderStepCommand::Ship(body.clone()), idempotency_key)
            .await
    }

    /// `POST /v1/orders/{id}/refund-request`: the buyer asks for (part of) the money back.
    pub async fn request_refund(
        &self,
        id: &str,
        body: &RefundRequest,
        idempotency_key: &str,
    ) -> Result<OrderView, TransportError> {
        let step = OrderStepCommand::RequestRefund(body.clone());
        self.order_step(id, step, idempotency_key).await
    }

    /// `POST /v1/orders/{id}/{action}`: one step on an order.
    pub async fn order_step(
        &self,
        id: &str,
        step: OrderStepCommand,
        idempotency_key: &str,
    ) -> Result<OrderView, TransportError> {
        let command = Command::OrderStep {
            order_id: id.to_owned(),
            step,
        };
        self.command(&command, idempotency_key).await
    }

    /// `POST /v1/devices/approvals`: a one-time code a new device joins this user with. The
    /// server does not keep this answer: a retry asks for another code.
    pub async fn device_approval(
        &self,
        idempotency_key: &str,
    ) -> Result<DeviceApproval, TransportError> {
        self.command(&Command::ApproveDevice, idempotency_key).await
    }

    /// `GET /v1/devices`: this user's devices.
    pub async fn devices(&self) -> Result<DeviceList, TransportError> {
        self.get("/v1/devices".to_owned()).await
    }

    /// `POST /v1/devices/{id}/revoke`: revokes one of this user's devices.
    pub async fn revoke_device(
        &self,
        id: i64,
        idempotency_key: &str,
    ) -> Result<DeviceView, TransportError> {
        self.command(&Command::RevokeDevice { id }, idempotency_key)
            .await
    }

    /// `POST /v1/paycode/provision`: a fresh payment-code secret for this device (replaces
    /// the previous one). The server does not keep this answer: a retry provisions again.
    pub async fn provision_paycode(
        &self,
        idempotency_key: &str,
    ) -> Result<Provisioned, TransportError> {
        self.command(&Command::ProvisionPaycode, idempotency_key)
            .await
    }

    /// `POST /v1/paycode/masks`: a fresh window of index masks for this device's current
    /// payment-code secret.
    pub async fn refresh_paycode_masks(
        &self,
        idempotency_key: &str,
    ) -> Result<PaycodeMasks, TransportError> {
        self.command(&Command::RefreshPaycodeMasks, idempotency_key)
            .await
    }

    /// `POST /v1/merchant/charges`: the caller (merchant) charges a payment code.
    pub async fn charge(
        &self,
        body: &Charge,
        idempotency_key: &str,
    ) -> Result<Charged, TransportError> {
        self.command(&Command::Charge(body.clone()), idempotency_key)
            .await
    }
}

/// The operator's calls (bearer token).
#[derive(Clone)]
pub struct OperatorApi {
    transport: Transport,
    credentials: Credentials,
}

impl std::fmt::Debug for OperatorApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorApi")
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl OperatorApi {
    /// Calls with the operator `token`.
    pub fn new(transport: Transport, token: impl Into<String>) -> Self {
        Self {
            transport,
            credentials: Credentials::Operator {
                token: token.into(),
            },
        }
    }

    /// `POST /v1/sandbox/top-ups`: money in from the sandbox funding account.
    pub async fn top_up(
        &self,
        body: &TopUp,
        idempotency_key: &str,
    ) -> Result<Moved, TransportError> {
        let call = Call::command(&Command::TopUp(body.clone()), Some(idempotency_key))?;
        run(&self.transport, &self.credentials, call).await
    }

    /// A sandbox top-up in one call, as the CLI and the bindings make it: the default
    /// transport to `server_url`, a fresh idempotency key, `amount` for `handle` (a leading `@`
    /// is dropped).
    pub async fn sandbox_top_up(
        server_url: impl Into<String>,
        token: impl Into<String>,
        handle: &str,
        amount: Money,
    ) -> Result<Moved, TransportError> {
        let transport = Transport::with_defaults(TransportConfig::new(server_url))?;
        let key = new_idempotency_key()?;
        let handle = handle.trim().trim_start_matches('@');
        Self::new(transport, token)
            .top_up(&TopUp::new(handle, amount), &key)
            .await
    }

    /// `POST /v1/admin/merchants/{handle}`: enrols, enables, disables, verifies or unverifies
    /// a merchant. Each change sets a state, so it carries no idempotency key and repeating it
    /// is harmless.
    pub async fn change_merchant(
        &self,
        handle: &str,
        change: &MerchantChange,
    ) -> Result<MerchantProfile, TransportError> {
        let command = Command::ChangeMerchant {
            handle: handle.trim().trim_start_matches('@').to_owned(),
            change: change.clone(),
        };
        let call = Call::command(&command, None)?;
        run(&self.transport, &self.credentials, call).await
    }

    /// A merchant change in one call, as the CLI and the bindings make it: the default
    /// transport to `server_url` and the operator `token`.
    pub async fn merchant_change(
        server_url: impl Into<String>,
        token: impl Into<String>,
        handle: &str,
        change: &MerchantChange,
    ) -> Result<MerchantProfile, TransportError> {
        let transport = Transport::with_defaults(TransportConfig::new(server_url))?;
        Self::new(transport, token)
            .change_merchant(handle, change)
            .await
    }

    /// `GET /v1/admin/invariants`: replays the journal and checks the ledger rules.
    pub async fn invariants(&self) -> Result<Invariants, TransportError> {
        run(
            &self.transport,
            &self.credentials,
            Call::get("/v1/admin/invariants"),
        )
        .await
    }

    /// `POST /v1/admin/clock`: moves the sandbox clock forward. Not idempotent, so never
    /// retried.
    pub async fn advance_clock(&self, advance_secs: i64) -> Result<ServerTime, TransportError> {
        let call = Call::command(&Command::AdvanceClock(AdvanceClock { advance_secs }), None)?;
        run(&self.transport, &self.credentials, call).await
    }

    /// `GET /v1/admin/orders/{id}`: any order, as the operator sees it.
    pub async fn order(&self, id: &str) -> Result<OrderView, TransportError> {
        let call = Call::get(format!("/v1/admin/orders/{}", encode_component(id)));
        run(&self.transport, &self.credentials, call).await
    }

    /// `POST /v1/admin/orders/{id}/resolve`: settles a disputed order.
    pub async fn resolve_order(
        &self,
        id: &str,
        body: &Resolve,
        idempotency_key: &str,
    ) -> Result<OrderView, TransportError> {
        let command = Command::ResolveOrder {
            order_id: id.to_owned(),
            resolution: body.clone(),
        };
        let call = Call::command(&command, Some(idempotency_key))?;
        run(&self.transport, &self.credentials, call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_queries() {
        let key = new_idempotency_key().unwrap();
        assert_eq!(key.len(), 52);
        assert!(danbao_domain::protocol::idempotency_key_is_well_formed(
            &key
        ));
        assert_ne!(key, new_idempotency_key().unwrap());
        assert_eq!(page_query("/v1/events", None, None), "/v1/events");
        assert_eq!(
            page_query("/v1/orders", Some("170:ord_1 x".into()), Some(5)),
            "/v1/orders?cursor=170%3Aord_1%20x&limit=5"
        );
    }
}
