//! HTTP routes. Handlers parse and authorize, then hand a job to the store; the rules live in
//! `danbao_domain` and [`crate::service`].

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::App;
use crate::error::ApiError;
use crate::service::Answer;
use crate::store::Store;
use danbao_domain::protocol::limits::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};

pub mod admin;
pub mod extract;
pub mod identity;
pub mod merchant;
pub mod orders;
pub mod paycode;
pub mod requests;
pub mod wallet;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = if status.is_success() {
            "application/json"
        } else {
            "application/problem+json"
        };
        let mut response = (status, self.body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

/// `GET /health`: answers `ok` while the server runs (unauthenticated).
#[utoipa::path(
    get,
    path = "/health",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The server runs", content_type = "text/plain", body = String))
)]
pub async fn health() -> &'static str {
    "ok"
}

/// The `limit` of a paged list: 1–[`MAX_PAGE_LIMIT`], default [`DEFAULT_PAGE_LIMIT`].
pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE_LIMIT) {
        limit @ 1..=MAX_PAGE_LIMIT => Ok(limit),
        other => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit {other} is not within 1–{MAX_PAGE_LIMIT}"),
        )),
    }
}

/// Reads a whole request body, refusing more than [`MAX_BODY_BYTES`] with `413 body_too_large`.
pub async fn read_body(body: axum::body::Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
            )
        })
}

async fn not_found() -> ApiError {
    ApiError::not_found("no_such_route", "no such endpoint; see /openapi.json")
}

/// All routes. Each handler carries its `#[utoipa::path]` annotation, gathered by
/// [`crate::openapi::ApiDoc`] and served at `/openapi.json`.
pub fn router<S: Store>(app: App<S>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/v1/users", post(identity::sign_up::<S>))
        .route("/v1/users/{handle}", get(identity::lookup::<S>))
        .route("/v1/me", get(identity::me::<S>))
        .route("/v1/sandbox/top-ups", post(wallet::top_up::<S>))
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
        .route("/v1/merchant/charges", post(paycode::charge::<S>))
        .route("/v1/admin/invariants", get(admin::invariants::<S>))
        .route("/v1/admin/clock", post(admin::advance_clock::<S>))
        // orders
        .route(
            "/v1/orders",
            post(orders::create::<S>).get(orders::list::<S>),
        )
        .route("/v1/orders/pay-code", post(orders::pay_code::<S>))
        .route("/v1/orders/{id}", get(orders::show::<S>))
        .route("/v1/orders/{id}/{action}", post(orders::act::<S>))
        .route("/v1/admin/orders/{id}", get(orders::admin_show::<S>))
        .route("/v1/admin/orders/{id}/resolve", post(orders::resolve::<S>))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}
