//! The HTTP side of errors: a [`ServiceError`] (the one error type of handlers and services)
//! becomes an RFC 9457 problem-details response here, in one place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use crate::service::ServiceError as ApiError;
pub use danbao_domain::protocol::wire::Problem;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
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

/// Result type of the handlers.
pub type ApiResult<T> = Result<T, ApiError>;
