//! Path, query and JSON extractors whose refusals are problem details like every other error
//! (axum's own answer plain-text 4xx).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A path parameter; a malformed one is `400 invalid_path`.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

/// A query string; a malformed one is `400 invalid_query`.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

/// A JSON body; a malformed one is `400 invalid_body`.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|rejection| {
                ApiError::bad_request("invalid_path", format!("the path is invalid: {rejection}"))
            })
    }
}

impl<S, T> FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|rejection| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("the query string is invalid: {rejection}"),
                )
            })
    }
}

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(value)| Json(value))
            .map_err(|rejection| {
                ApiError::bad_request(
                    "invalid_body",
                    format!("the JSON body is invalid: {rejection}"),
                )
            })
    }
}
