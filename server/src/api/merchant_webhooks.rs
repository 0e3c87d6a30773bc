//! A shop's webhook endpoints over HTTP (merchant key, scope `webhooks:write`): register,
//! list, rotate the secret, enable again, test-send, the delivery log and redelivery. The
//! work is [`crate::service::merchant_api::webhooks`]'s; the sending loop is
//! [`crate::webhooks`].

use axum::Json;
use axum::extract::State;
use danbao_domain::protocol::wire::{
    IssuedWebhookEndpoint, NewWebhookEndpoint, WebhookDeliveryList, WebhookDeliveryView,
    WebhookEndpointList, WebhookEndpointView,
};

use super::extract::Path;
use super::merchant_api::{KEY_401, KEY_403};
use super::merchant_key::KeyAuth;
use crate::app::App;
use crate::error::{ApiResult, Problem};
use crate::service::merchant_api::webhooks::{self, EndpointMaterial};
use crate::service::{self, Answer};
use crate::store::Store;

/// `POST /v1/merchant-api/webhooks` {url, events}: a new endpoint and, this once, its
/// signing secret.
#[utoipa::path(
    post,
    path = "/v1/merchant-api/webhooks",
    tag = "merchant-api",
    request_body = NewWebhookEndpoint,
    params(super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 201, description = "The endpoint and its secret (shown only here)", body = IssuedWebhookEndpoint),
        (status = 400, description = "invalid_body, missing_idempotency_key, bad_idempotency_key", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 409, description = "too_many_webhook_endpoints", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_webhook_url, invalid_webhook_events, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn create<S: Store>(State(app): State<App<S>>, auth: KeyAuth) -> ApiResult<Answer> {
    let body: NewWebhookEndpoint = service::parse_body(&auth.body)?;
    let material = EndpointMaterial::generate(&app.rng)?;
    webhooks::create(&app, auth.caller, body, material).await
}

/// `GET /v1/merchant-api/webhooks`: the merchant's endpoints (never their secrets).
#[utoipa::path(
    get,
    path = "/v1/merchant-api/webhooks",
    tag = "merchant-api",
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The endpoints, oldest first", body = WebhookEndpointList),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn list<S: Store>(
    State(app): State<App<S>>,
    auth: KeyAuth,
) -> ApiResult<Json<WebhookEndpointList>> {
    Ok(Json(
        webhooks::list(&app.store, auth.caller, app.now()).await?,
    ))
}

/// `POST /v1/merchant-api/webhooks/{id}/rotate-secret`: a new secret (this once); for 24 h
/// deliveries are signed with both.
#[utoipa::path(
    post,
    path = "/v1/merchant-api/webhooks/{id}/rotate-secret",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The endpoint id (we_…)"), super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The endpoint and its new secret", body = IssuedWebhookEndpoint),
        (status = 400, description = "missing_idempotency_key, bad_idempotency_key, invalid_body", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_webhook_endpoint", body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn rotate<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    auth: KeyAuth,
) -> ApiResult<Answer> {
    super::http::no_body(&auth.body, "rotating a webhook secret")?;
    let material = EndpointMaterial::generate(&app.rng)?;
    webhooks::rotate(&app, auth.caller, id, material).await
}

/// `POST /v1/merchant-api/webhooks/{id}/enable`: deliveries to a disabled endpoint resume.
#[utoipa::path(
    post,
    path = "/v1/merchant-api/webhooks/{id}/enable",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The endpoint id (we_…)"), super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The endpoint, enabled", body = WebhookEndpointView),
        (status = 400, description = "missing_idempotency_key, bad_idempotency_key, invalid_body", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_webhook_endpoint", body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn enable<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    auth: KeyAuth,
) -> ApiResult<Answer> {
    super::http::no_body(&auth.body, "enabling an endpoint")?;
    webhooks::enable(&app.store, auth.caller, id, app.now()).await
}

/// `POST /v1/merchant-api/webhooks/{id}/test`: queues a `webhook.test` event for this
/// endpoint and answers its delivery.
#[utoipa::path(
    post,
    path = "/v1/merchant-api/webhooks/{id}/test",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The endpoint id (we_…)"), super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 201, description = "The test delivery, queued", body = WebhookDeliveryView),
        (status = 400, description = "missing_idempotency_key, bad_idempotency_key, invalid_body", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_webhook_endpoint", body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn test<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    auth: KeyAuth,
) -> ApiResult<Answer> {
    super::http::no_body(&auth.body, "a test-send")?;
    let event_id = webhooks::random_event_id(&app.rng)?;
    webhooks::test(&app.store, auth.caller, id, event_id, app.now()).await
}

/// `GET /v1/merchant-api/webhooks/{id}/deliveries`: the delivery log with every attempt.
#[utoipa::path(
    get,
    path = "/v1/merchant-api/webhooks/{id}/deliveries",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The endpoint id (we_…)")),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The latest 100 deliveries, newest first", body = WebhookDeliveryList),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_webhook_endpoint", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn deliveries<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    auth: KeyAuth,
) -> ApiResult<Json<WebhookDeliveryList>> {
    Ok(Json(
        webhooks::deliveries(&app.store, auth.caller, id).await?,
    ))
}

/// `POST /v1/merchant-api/webhook-deliveries/{id}/redeliver`: sends the delivery again (same
/// event id) with a fresh retry schedule.
#[utoipa::path(
    post,
    path = "/v1/merchant-api/webhook-deliveries/{id}/redeliver",
    tag = "merchant-api",
    params(("id" = i64, Path, description = "The delivery id"), super::doc::IdempotencyKey),
    security(("Merchant-Key" = [])),
    responses(
        (status = 200, description = "The delivery, pending again", body = WebhookDeliveryView),
        (status = 400, description = "missing_idempotency_key, bad_idempotency_key, invalid_body, invalid_path", body = Problem),
        (status = 401, description = KEY_401, body = Problem),
        (status = 403, description = KEY_403, body = Problem),
        (status = 404, description = "unknown_webhook_delivery", body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn redeliver<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<i64>,
    auth: KeyAuth,
) -> ApiResult<Answer> {
    super::http::no_body(&auth.body, "a redelivery")?;
    webhooks::redeliver(&app.store, auth.caller, id, app.now()).await
}
