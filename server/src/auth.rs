//! Request authentication: device signatures (DESIGN.md §6) and the operator credential.
//!
//! A [`Signed`] request proves that a registered device signed exactly this method, host, path,
//! body, device id, timestamp, nonce and idempotency key (see `danbao_domain::protocol`). The
//! host is the `Host` header the request arrived with: a proxy in front of the server must pass
//! it through unchanged. The timestamp must be
//! within the allowed skew; the nonce is recorded by the write job (see
//! [`crate::service::begin`]), so a replayed mutating request is refused. Reads are signed and
//! fresh but their nonces are not stored.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use danbao_domain::protocol::{
    self, HEADER_DEVICE, HEADER_IDEMPOTENCY_KEY, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP,
    MAX_CLOCK_SKEW_SECS, SignedParts,
};
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

use crate::app::App;
use crate::error::ApiError;
use crate::ratelimit::{Action, Subject};
use crate::store::Store;

/// A request signed by a registered device.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The signing device's owner.
    pub user_id: i64,
    /// The signing device.
    pub device_id: i64,
    /// The request nonce.
    pub nonce: String,
    /// The idempotency key, if the request carried one.
    pub idempotency_key: Option<String>,
    /// The raw body.
    pub body: Bytes,
    /// SHA-256 of method, path and body: what an idempotency key is bound to.
    pub request_hash: Vec<u8>,
}

impl Signed {
    /// The caller as the service layer knows it.
    pub fn caller(&self) -> crate::service::Caller {
        crate::service::Caller {
            user_id: self.user_id,
            device_id: self.device_id,
            nonce: self.nonce.clone(),
            idempotency_key: self.idempotency_key.clone(),
            request_hash: self.request_hash.clone(),
        }
    }
}

/// The parts of a signature that do not depend on who signed.
pub struct Signature {
    /// `Danbao-Device` as sent ("new" on sign-up).
    pub device: String,
    /// The signed timestamp.
    pub timestamp: i64,
    /// The nonce.
    pub nonce: String,
    /// DER signature bytes.
    pub signature: Vec<u8>,
    /// The idempotency key, if any.
    pub idempotency_key: Option<String>,
    /// The exact signed message.
    pub message: Vec<u8>,
    /// SHA-256 of method, path and body.
    pub request_hash: Vec<u8>,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Result<&'h str, ApiError> {
    headers
        .get(name)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "missing_signature",
                format!("the {name} header is required"),
            )
        })?
        .to_str()
        .map_err(|_| ApiError::unauthorized("bad_signature", format!("{name} is not ASCII")))
}

/// Reads the signature headers and checks freshness and shape (not the key).
pub fn read_signature(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Signature, ApiError> {
    let device = header(headers, HEADER_DEVICE)?.to_owned();
    let timestamp: i64 = header(headers, HEADER_TIMESTAMP)?.parse().map_err(|_| {
        ApiError::unauthorized("bad_signature", "Danbao-Timestamp must be Unix seconds")
    })?;
    if !protocol::is_fresh(timestamp, now) {
        return Err(ApiError::unauthorized(
            "stale_request",
            format!(
                "the request was signed at {timestamp}, the server time is {now}; \
                 at most {MAX_CLOCK_SKEW_SECS} s apart is accepted"
            ),
        ));
    }
    let nonce = header(headers, HEADER_NONCE)?.to_owned();
    if !protocol::nonce_is_well_formed(&nonce) {
        return Err(ApiError::unauthorized(
            "bad_signature",
            "Danbao-Nonce must be 16 to 64 characters of A-Z, a-z, 0-9, '-' and '_'",
        ));
    }
    let signature = STANDARD
        .decode(header(headers, HEADER_SIGNATURE)?)
        .map_err(|_| ApiError::unauthorized("bad_signature", "Danbao-Signature is not base64"))?;
    let idempotency_key = match headers.get(HEADER_IDEMPOTENCY_KEY) {
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
    let host = header(headers, HOST.as_str())?;
    let message = protocol::signing_message(&SignedParts {
        method: method.as_str(),
        host,
        path,
        body,
        device: &device,
        timestamp,
        nonce: &nonce,
        idempotency_key: idempotency_key.as_deref().unwrap_or(""),
    });
    let request_hash = crate::service::request_hash(method.as_str(), path, body);
    Ok(Signature {
        device,
        timestamp,
        nonce,
        signature,
        idempotency_key,
        message,
        request_hash,
    })
}

/// Verifies a DER ECDSA P-256 signature against an uncompressed SEC1 public key.
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), ApiError> {
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key)
        .verify(message, signature)
        .map_err(|_| {
            ApiError::unauthorized(
                "bad_signature",
                "the signature does not match this request and device key",
            )
        })
}

/// The request target as signed: path plus query.
pub fn signed_path(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned())
}

impl<S: Store> FromRequest<App<S>> for Signed {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &App<S>) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let body = crate::api::http::read_body(body).await?;
        let path = signed_path(&parts);
        let signature = read_signature(&parts.method, &path, &parts.headers, &body, app.now())?;
        let device_id: i64 = signature.device.parse().map_err(|_| {
            ApiError::unauthorized("bad_signature", "Danbao-Device must be a device id")
        })?;
        let (user_id, public_key) = device_key(app, device_id).await?;
        verify(&public_key, &signature.message, &signature.signature)?;
        if let Some(action) = Action::of(&parts.method, &path) {
            let mut subjects = vec![Subject::Device(device_id), Subject::User(user_id)];
            subjects.extend(client_address(&parts).map(Subject::Address));
            app.rate_limiter.take(action, &subjects).await?;
        }
        if parts.method != Method::GET && signature.idempotency_key.is_none() {
            return Err(ApiError::bad_request(
                "missing_idempotency_key",
                "every mutating request needs an Idempotency-Key header",
            ));
        }
        Ok(Signed {
            user_id,
            device_id,
            nonce: signature.nonce,
            idempotency_key: signature.idempotency_key,
            body,
            request_hash: signature.request_hash,
        })
    }
}

/// The client's address, when the server was started with connection info (it is).
pub fn client_address(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

async fn device_key<S: Store>(app: &App<S>, device_id: i64) -> Result<(i64, Vec<u8>), ApiError> {
    // A poisoned lock is read as it stands: refusing a revoked device must not depend on it.
    let known_revoked = app
        .revoked_devices
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains(&device_id);
    if known_revoked {
        return Err(revoked());
    }
    let fresh = std::time::Duration::from_secs(crate::app::DEVICE_CACHE_SECS);
    if let Some((user_id, key, _)) = app.device_keys.read().ok().and_then(|cache| {
        cache
            .get(&device_id)
            .filter(|(_, _, read_at)| read_at.elapsed() < fresh)
            .cloned()
    }) {
        return Ok((user_id, key));
    }
    let device = app
        .store
        .read(move |tx| tx.device(device_id))
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown_device", "this device is not registered"))?;
    if device.revoked_at.is_some() {
        forget_device(app, device_id);
        return Err(revoked());
    }
    let found = (device.user_id, device.public_key);
    if let Ok(mut cache) = app.device_keys.write() {
        cache.insert(
            device_id,
            (found.0, found.1.clone(), std::time::Instant::now()),
        );
    }
    Ok(found)
}

fn revoked() -> ApiError {
    ApiError::unauthorized(
        "device_revoked",
        "this device was revoked; add it again from one of your active devices",
    )
}

/// Refuses `device_id` from now on in this instance: marks it revoked before dropping its
/// cached key, so a request that read the key just before cannot put it back in use.
pub fn forget_device<S: Store>(app: &App<S>, device_id: i64) {
    app.revoked_devices
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(device_id);
    if let Ok(mut cache) = app.device_keys.write() {
        cache.remove(&device_id);
    }
}

/// A request carrying the operator's bearer token.
#[derive(Debug, Clone, Copy)]
pub struct Operator;

impl<S: Store> FromRequestParts<App<S>> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App<S>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized("operator_only", "this endpoint needs the operator token")
            })?;
        let expected = app.operator_token.as_bytes();
        if !constant_time_eq(token.as_bytes(), expected) {
            return Err(ApiError::unauthorized(
                "operator_only",
                "the operator token is wrong",
            ));
        }
        Ok(Operator)
    }
}

/// Compares secrets without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
