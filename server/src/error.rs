//! The HTTP side of errors: a [`ServiceError`] (the one error type of handlers and services)
//! becomes an RFC 9457 problem-details response here, in one place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use danbao_domain::protocol::Outcome;

pub use crate::service::ServiceError as ApiError;
pub use danbao_domain::protocol::wire::Problem;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            status_of(Outcome::Refused(self.refusal)),
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            )],
            self.body(),
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The HTTP status of an outcome: the protocol's number for its class (docs/protocol.md),
/// the one place a service outcome becomes a status.
pub fn status_of(outcome: Outcome) -> StatusCode {
    StatusCode::from_u16(outcome.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Result type of the handlers.
pub type ApiResult<T> = Result<T, ApiError>;
