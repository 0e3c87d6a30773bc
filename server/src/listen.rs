//! The connection loop: HTTP/1.1 on hyper with a cap on open connections, a deadline for a
//! request's headers and one for the whole request (its body included), so slow clients
//! cannot hold the server's connections or tasks and `/health` keeps answering.
//!
//! - **Connection cap**: at most `max_connections` are open; the next is accepted only when one
//!   closes (meanwhile it waits in the kernel's backlog).
//! - **Header read timeout**: a connection that has not sent a request's complete headers
//!   within `header_read_timeout` is closed (slowloris), including an idle kept-alive one.
//! - **Request timeout**: a request not answered within `request_timeout` — a body trickled
//!   byte by byte, say — is answered `408 request_timeout`. A write already handed to the store
//!   still commits; a retry with the same Idempotency-Key gets its answer.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower_service::Service;

use crate::error::ApiError;

/// How many connections, and how slow, a client may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// Time to send a request's complete headers.
    pub header_read_timeout: Duration,
    /// Time to answer a request, its body's upload included.
    pub request_timeout: Duration,
}

/// Answers `408 request_timeout` when `next` takes longer than the deadline in the state.
pub async fn request_deadline(
    State(deadline): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            danbao_domain::protocol::Refusal::Timeout,
            "request_timeout",
            format!(
                "the request was not complete and answered within {} s; send it again (with the \
                 same Idempotency-Key)",
                deadline.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Serves `router` on `listener` under `limits` until `stop` turns true; then stops accepting
/// and lets open connections finish their requests (at most 30 s).
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let router = router.layer(axum::middleware::from_fn_with_state(
        limits.request_timeout,
        request_deadline,
    ));
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = stopped(&mut stop) => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                let mut router = router.clone();
                async move {
                    let response: Result<Response, Infallible> =
                        router.call(request.map(axum::body::Body::new)).await;
                    response
                }
            });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %remote, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open 30 s after shutdown began; leaving them");
    }
    Ok(())
}

/// Resolves once `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
