//! Authentication of a shop's server by its merchant API key: `Authorization: Bearer
//! mk_….<secret>` over TLS (see docs/merchant-guide.md for why a bearer key and not a signed
//! request). The key is checked against its stored hash on every request, so a revoked or
//! rotated key is refused at once; writes need an `Idempotency-Key` like a device's, and
//! creating orders counts against the merchant's rate limit like a device's orders.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::Method;
use danbao_domain::protocol::{self, HEADER_IDEMPOTENCY_KEY};

use crate::app::App;
use crate::auth::signed_path;
use crate::error::ApiError;
use crate::ratelimit::{Action, Subject};
use crate::service::merchant_api::KeyCaller;
use crate::service::merchant_api::keys::{self, ApiKeySecret};
use crate::store::Store;

/// A request authenticated by a merchant API key, with its raw body.
#[derive(Debug, Clone)]
pub struct KeyAuth {
    /// Who asks, and what the key may do.
    pub caller: KeyCaller,
    /// The raw body.
    pub body: Bytes,
}

impl<S: Store> FromRequest<App<S>> for KeyAuth {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &App<S>) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let body = super::http::read_body(body).await?;
        let secret = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|token| ApiKeySecret::new(token.trim()))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "missing_api_key",
                    "the merchant API needs `Authorization: Bearer <API key>`",
                )
            })?;
        let idempotency_key = match parts.headers.get(HEADER_IDEMPOTENCY_KEY) {
            None => None,
            Some(value) => {
                let key = value.to_str().unwrap_or_default();
                if !protocol::idempotency_key_is_well_formed(key) {
                    return Err(ApiError::bad_request(
                        "bad_idempotency_key",
                        "Idempotency-Key must be 8 to 128 printable ASCII characters",
                    ));
                }
                Some(key.to_owned())
            }
        };
        let path = signed_path(&parts);
        let request_hash = crate::service::request_hash(parts.method.as_str(), &path, &body);
        let key = app
            .store
            .read(move |tx| keys::authenticate(tx, &secret))
            .await?;
        if let Some(action) = Action::of(&parts.method, &path) {
            let mut subjects = vec![Subject::User(key.user_id)];
            subjects.extend(crate::auth::client_address(&parts).map(Subject::Address));
            app.rate_limiter.take(action, &subjects).await?;
        }
        if parts.method != Method::GET && idempotency_key.is_none() {
            return Err(ApiError::bad_request(
                "missing_idempotency_key",
                "every mutating request needs an Idempotency-Key header",
            ));
        }
        Ok(Self {
            caller: keys::caller_of(&key, idempotency_key, request_hash),
            body,
        })
    }
}
