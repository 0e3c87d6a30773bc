//! A merchant's devices manage its API keys: create (with scopes), list, rotate, revoke.
//! The work is [`crate::service::merchant_api::keys`]'s.

use axum::Json;
use axum::extract::State;

use super::extract::Path;
use crate::app::App;
use crate::auth::Signed;
use crate::error::{ApiResult, Problem};
use crate::service::merchant_api::keys::{self, KeyMaterial};
use crate::service::{self, Answer};
use crate::store::Store;
use danbao_domain::protocol::wire::{ApiKeyList, ApiKeyView, IssuedApiKey, NewApiKey};

/// `POST /v1/merchant/api-keys` {name, scopes}: a new API key for the merchant's servers; its
/// secret is in this answer only.
#[utoipa::path(
    post,
    path = "/v1/merchant/api-keys",
    tag = "merchant-api",
    request_body = NewApiKey,
    params(super::doc::IdempotencyKey),
    responses(
        (status = 201, description = "The key and, this once, its secret", body = IssuedApiKey),
        (status = 400, description = super::doc::SIGNED_WRITE_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 403, description = "merchant_not_enrolled, merchant_disabled", body = Problem),
        (status = 409, description = "too_many_api_keys", body = Problem),
        (status = 413, description = super::doc::BODY_413, body = Problem),
        (status = 422, description = "invalid_text, invalid_scope, idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn create<S: Store>(State(app): State<App<S>>, signed: Signed) -> ApiResult<Answer> {
    let body: NewApiKey = service::parse_body(&signed.body)?;
    let material = KeyMaterial::generate(&app.rng)?;
    keys::create(&app.store, signed.caller(), body, material, app.now()).await
}

/// `GET /v1/merchant/api-keys`: the merchant's keys (never their secrets).
#[utoipa::path(
    get,
    path = "/v1/merchant/api-keys",
    tag = "merchant-api",
    responses(
        (status = 200, description = "The keys, oldest first", body = ApiKeyList),
        (status = 401, description = super::doc::SIGNED_READ_401, body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn list<S: Store>(
    State(app): State<App<S>>,
    signed: Signed,
) -> ApiResult<Json<ApiKeyList>> {
    Ok(Json(keys::list(&app.store, signed.user_id).await?))
}

/// `POST /v1/merchant/api-keys/{id}/rotate`: a new secret for the key (in this answer only);
/// the old secret is refused from now on.
#[utoipa::path(
    post,
    path = "/v1/merchant/api-keys/{id}/rotate",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The key id (mk_…)"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "The key and, this once, its new secret", body = IssuedApiKey),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_api_key", body = Problem),
        (status = 409, description = "api_key_revoked", body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn rotate<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    signed: Signed,
) -> ApiResult<Answer> {
    super::http::no_body(&signed.body, "rotating a key")?;
    let material = KeyMaterial::generate(&app.rng)?;
    keys::rotate(&app.store, signed.caller(), id, material, app.now()).await
}

/// `POST /v1/merchant/api-keys/{id}/revoke`: the key's requests are refused from now on.
#[utoipa::path(
    post,
    path = "/v1/merchant/api-keys/{id}/revoke",
    tag = "merchant-api",
    params(("id" = String, Path, description = "The key id (mk_…)"), super::doc::IdempotencyKey),
    responses(
        (status = 200, description = "The revoked key", body = ApiKeyView),
        (status = 400, description = super::doc::SIGNED_KEY_400, body = Problem),
        (status = 401, description = super::doc::SIGNED_WRITE_401, body = Problem),
        (status = 404, description = "unknown_api_key", body = Problem),
        (status = 422, description = "idempotency_key_reused", body = Problem),
        (status = 503, description = super::doc::STORAGE_503, body = Problem),
    )
)]
pub async fn revoke<S: Store>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    signed: Signed,
) -> ApiResult<Answer> {
    super::http::no_body(&signed.body, "revoking a key")?;
    keys::revoke(&app.store, signed.caller(), id, app.now()).await
}
