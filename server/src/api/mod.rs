//! HTTP routes. Handlers parse and authorize, then hand a job to the store; the rules live in
//! `danbao_domain` and [`crate::service`].

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::App;
use crate::error::ApiError;
use crate::store::Store;

pub mod admin;
pub mod devices;
pub mod doc;
pub mod extract;
pub mod http;
pub mod identity;
pub mod merchant;
pub mod merchant_admin;
pub mod merchant_api;
pub mod merchant_fees;
pub mod merchant_key;
pub mod merchant_keys;
pub mod merchant_webhooks;
pub mod orders;
pub mod paycode;
pub mod payouts;
pub mod requests;
pub mod wallet;

async fn not_found() -> ApiError {
    ApiError::not_found("no_such_route", "no such endpoint; see /openapi.json")
}

/// All routes on one listener: [`public_router`] and [`operator_router`] together. Each handler
/// carries its `#[utoipa::path]` annotation, gathered by [`super::doc::ApiDoc`] and served at
/// `/openapi.json`.
pub fn router<S: Store>(app: App<S>) -> Router {
    finish(public_routes::<S>().merge(operator_routes::<S>()), app)
}

/// The routes for devices (and `/health`): what the public listener serves when the operator
/// endpoints have their own (`--operator-bind`); `/v1/admin/*` and `/v1/sandbox/*` are then
/// `404 no_such_route` here.
pub fn public_router<S: Store>(app: App<S>) -> Router {
    finish(public_routes::<S>(), app)
}

/// The operator's routes (`/v1/admin/*`, `/v1/sandbox/*`) and `/health`, for a separate
/// listener (`--operator-bind`) that only the operator's network reaches.
pub fn operator_router<S: Store>(app: App<S>) -> Router {
    finish(
        Router::new()
            .route("/health", get(http::health))
            .merge(operator_routes::<S>()),
        app,
    )
}

fn finish<S: Store>(routes: Router<App<S>>, app: App<S>) -> Router {
    routes
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(http::MAX_BODY_BYTES))
        .with_state(app)
}

fn operator_routes<S: Store>() -> Router<App<S>> {
    Router::new()
        .route("/v1/sandbox/top-ups", post(wallet::top_up::<S>))
        .route("/v1/admin/deposits", post(wallet::deposit::<S>))
        .route("/v1/admin/invariants", get(admin::invariants::<S>))
        .route("/v1/admin/clock", post(admin::advance_clock::<S>))
        .route(
            "/v1/admin/merchants/{handle}",
            post(merchant_admin::change::<S>).get(merchant_admin::show::<S>),
        )
        .route("/v1/admin/fees", post(merchant_fees::set::<S>))
        .route("/v1/admin/orders/{id}", get(orders::admin_show::<S>))
        .route("/v1/admin/orders/{id}/resolve", post(orders::resolve::<S>))
        .route("/v1/admin/withdrawals", get(payouts::list::<S>))
        .route(
            "/v1/admin/withdrawals/{id}/paid-out",
            post(payouts::paid_out::<S>),
        )
        .route(
            "/v1/admin/withdrawals/{id}/failed",
            post(payouts::failed::<S>),
        )
}

fn public_routes<S: Store>() -> Router<App<S>> {
    Router::new()
        .route("/health", get(http::health))
        .route("/v1/users", post(identity::sign_up::<S>))
        .route("/v1/users/{handle}", get(identity::lookup::<S>))
        .route("/v1/me", get(identity::me::<S>))
        .route("/v1/devices", get(devices::list::<S>))
        .route("/v1/devices/approvals", post(devices::new_approval::<S>))
        .route("/v1/devices/join", post(devices::join::<S>))
        .route("/v1/devices/{id}/revoke", post(devices::revoke::<S>))
        .route("/v1/me/display-name", post(merchant_admin::rename::<S>))
        .route("/v1/withdrawals", post(wallet::withdraw::<S>))
        .route("/v1/transfers", post(wallet::send::<S>))
        .route("/v1/balances", get(wallet::balances::<S>))
        .route("/v1/activity", get(wallet::activity::<S>))
        .route("/v1/events", get(wallet::events::<S>))
        // merchant/requests/paycode
        .route("/v1/codes", post(merchant::issue_code::<S>))
        .route("/v1/codes/resolve", post(merchant::resolve_code::<S>))
        .route("/v1/payments", post(merchant::pay_code::<S>))
        .route("/v1/requests", post(requests::create::<S>))
        .route("/v1/requests/{id}", get(requests::get::<S>))
        .route("/v1/requests/{id}/accept", post(requests::accept::<S>))
        .route("/v1/requests/{id}/decline", post(requests::decline::<S>))
        .route("/v1/paycode/provision", post(paycode::provision::<S>))
        .route("/v1/paycode/masks", post(paycode::masks::<S>))
        .route("/v1/merchant/charges", post(paycode::charge::<S>))
        // orders
        .route(
            "/v1/orders",
            post(orders::create::<S>).get(orders::list::<S>),
        )
        .route("/v1/orders/pay-code", post(orders::pay_code::<S>))
        .route("/v1/orders/{id}", get(orders::show::<S>))
        .route("/v1/orders/{id}/{action}", post(orders::act::<S>))
        .merge(merchant_routes::<S>())
}

/// The merchant API: keys managed by the merchant's devices, and what a shop's server does
/// with a key.
fn merchant_routes<S: Store>() -> Router<App<S>> {
    Router::new()
        .route(
            "/v1/merchant/api-keys",
            post(merchant_keys::create::<S>).get(merchant_keys::list::<S>),
        )
        .route(
            "/v1/merchant/api-keys/{id}/rotate",
            post(merchant_keys::rotate::<S>),
        )
        .route(
            "/v1/merchant/api-keys/{id}/revoke",
            post(merchant_keys::revoke::<S>),
        )
        .route(
            "/v1/merchant-api/orders",
            post(merchant_api::create::<S>).get(merchant_api::list::<S>),
        )
        .route("/v1/merchant-api/orders/{id}", get(merchant_api::show::<S>))
        .route(
            "/v1/merchant-api/reports/settlements",
            get(merchant_api::settlements::<S>),
        )
        .route(
            "/v1/merchant-api/webhooks",
            post(merchant_webhooks::create::<S>).get(merchant_webhooks::list::<S>),
        )
        .route(
            "/v1/merchant-api/webhooks/{id}/rotate-secret",
            post(merchant_webhooks::rotate::<S>),
        )
        .route(
            "/v1/merchant-api/webhooks/{id}/enable",
            post(merchant_webhooks::enable::<S>),
        )
        .route(
            "/v1/merchant-api/webhooks/{id}/test",
            post(merchant_webhooks::test::<S>),
        )
        .route(
            "/v1/merchant-api/webhooks/{id}/deliveries",
            get(merchant_webhooks::deliveries::<S>),
        )
        .route(
            "/v1/merchant-api/webhook-deliveries/{id}/redeliver",
            post(merchant_webhooks::redeliver::<S>),
        )
        .route(
            "/v1/merchant-api/orders/{id}/{action}",
            post(merchant_api::act::<S>),
        )
}
