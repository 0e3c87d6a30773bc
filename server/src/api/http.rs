//! HTTP plumbing the handlers share: how an [`Answer`] becomes a response, the body limit,
//! page limits and the health check. A leaf of the API layer: the route files and the
//! authentication import it; it imports no route file.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, status_of};
use crate::service::{self, Answer, OperatorCall};
use danbao_domain::protocol::Outcome;
use danbao_domain::protocol::limits::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = status_of(self.outcome);
        let content_type = match self.outcome {
            Outcome::Done | Outcome::Created => "application/json",
            Outcome::Refused(_) => "application/problem+json",
        };
        let mut response = (status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
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
            ApiError::payload_too_large(
                "body_too_large",
                format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
            )
        })
}

/// Reads an operator's keyed write: its body, its `Idempotency-Key` and the request hash the
/// key is bound to.
pub async fn operator_call(
    request: axum::extract::Request,
) -> Result<(OperatorCall, axum::body::Bytes), ApiError> {
    let (parts, body) = request.into_parts();
    let body = read_body(body).await?;
    let key = parts
        .headers
        .get(danbao_domain::protocol::HEADER_IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(service::missing_key)?;
    let request_hash = service::request_hash(parts.method.as_str(), parts.uri.path(), &body);
    Ok((OperatorCall { key, request_hash }, body))
}

/// Refuses a body on a request that takes none: it may be empty or `{}` (`what` names the
/// request in the refusal).
pub fn no_body(body: &[u8], what: &str) -> Result<(), ApiError> {
    if body.is_empty() || body == b"{}" {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "invalid_body",
        format!("{what} takes no body (or {{}})"),
    ))
}

/// A response that carries a secret: no cache may keep it.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
