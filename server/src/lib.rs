//! danbao-server: the reference backend that holds the authoritative double-entry ledger.
//!
//! Layout: [`store`] (storage traits and the embedded SQLite store), [`service`] (flows as
//! storage-neutral jobs), [`api`] (HTTP routes), [`auth`] (device signatures and the operator
//! credential), [`app`] (shared state), [`error`] (problem details), [`openapi`] (the generated
//! OpenAPI document), [`config`].

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod openapi;
pub mod service;
pub mod store;
pub mod timers;

pub use app::{App, AppState};
pub use config::Config;
pub use store::sqlite::SqliteStore;

use store::Store;

/// How long idempotency records are kept (DESIGN.md §6: at least 24 h).
pub const IDEMPOTENCY_RETENTION_SECS: i64 = 48 * 3600;

/// Opens the SQLite store and builds the state.
pub fn open(config: Config) -> anyhow::Result<App<SqliteStore>> {
    let store = SqliteStore::open(&config.db)?;
    AppState::new(store, config)
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve<S: Store>(
    app: App<S>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let housekeeping = tokio::spawn(housekeeping(app.clone()));
    let timers = tokio::spawn(timers::run(app.clone()));
    let router = api::router(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    housekeeping.abort();
    timers.abort();
    Ok(())
}

/// Forgets expired nonces and idempotency records once a minute.
async fn housekeeping<S: Store>(app: App<S>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = app.now();
        let nonces_before = now - 2 * danbao_core::protocol::MAX_CLOCK_SKEW_SECS;
        let idempotency_before = now - IDEMPOTENCY_RETENTION_SECS;
        if let Err(error) = app
            .store
            .write(move |tx| tx.purge_expired(nonces_before, idempotency_before))
            .await
        {
            tracing::warn!(%error, "housekeeping failed");
        }
    }
}
