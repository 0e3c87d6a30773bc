//! danbao-server: the reference backend that holds the authoritative double-entry ledger.
//!
//! Layout: [`store`] (storage traits and the embedded SQLite store), [`service`] (flows as
//! storage-neutral jobs), [`api`] (HTTP routes), [`auth`] (device signatures and the operator
//! credential), [`ratelimit`] (per device, user and address), [`listen`] (the connection loop:
//! cap and read timeouts), [`app`] (shared state), [`error`] (problem details), [`openapi`] (the
//! generated OpenAPI document), [`config`].

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod listen;
pub mod openapi;
pub mod ratelimit;
pub mod service;
pub mod store;
pub mod timers;
pub mod webhooks;

pub use app::{App, AppState};
pub use config::Config;
pub use store::Backend;
pub use store::postgres::PgStore;
pub use store::sqlite::SqliteStore;

use danbao_domain::paycode;
use service::ServiceResult;
use store::{PurgeBefore, Purged, Store};

/// How long idempotency records are kept (DESIGN.md §6: at least 24 h).
pub const IDEMPOTENCY_RETENTION_SECS: i64 = 48 * 3600;

/// Opens the configured store (PostgreSQL with `--database-url`, else SQLite at `--db`),
/// migrated to the latest schema, and builds the state. May block for the database: call it
/// at start.
pub fn open(config: Config) -> anyhow::Result<App<Backend>> {
    match config.database_url.clone() {
        None => {
            let store = SqliteStore::open_with_queue(&config.db, config.write_queue as usize)?;
            AppState::new(Backend::Sqlite(store), config)
        }
        Some(url) => store::postgres::off_runtime(move || {
            let store = PgStore::connect(
                url.expose(),
                config.database_pool as usize,
                config.write_queue as usize,
            )?;
            let wall = app::Clock::default().now();
            let keys = app::Keys::shared(&config, &store, wall)?;
            let offset = if config.sandbox {
                store.clock_offset()?
            } else {
                0
            };
            AppState::with_keys(Backend::Postgres(store), config, keys, offset)
        }),
    }
}

/// Runs the migrations of the configured store and nothing else (`danbao-server migrate`).
/// Returns a line for the operator.
pub fn migrate(config: &Config) -> anyhow::Result<String> {
    match &config.database_url {
        None => {
            SqliteStore::open(&config.db)?;
            Ok(format!("{} is at the latest schema", config.db.display()))
        }
        Some(url) => {
            let url = url.clone();
            let applied =
                store::postgres::off_runtime(move || PgStore::migrate_only(url.expose()))?;
            Ok(match applied.as_slice() {
                [] => "the database was at the latest schema already".to_owned(),
                versions => format!("applied migrations {versions:?}"),
            })
        }
    }
}

/// Every route the server serves: the API ([`api::router`]) and its OpenAPI document at
/// `/openapi.json`.
pub fn router<S: Store>(app: App<S>) -> axum::Router {
    api::router(app).route("/openapi.json", axum::routing::get(openapi::serve))
}

/// Serves the device routes on `public` and the operator's (`/v1/admin/*`, `/v1/sandbox/*`)
/// only on `operator` (`--operator-bind`), until `shutdown` resolves; then both drain.
pub async fn serve_split<S: Store>(
    app: App<S>,
    public: TcpListener,
    operator: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let public_routes =
        api::public_router(app.clone()).route("/openapi.json", axum::routing::get(openapi::serve));
    let operator_routes = api::operator_router(app.clone());
    run(
        app,
        vec![(public, public_routes), (operator, operator_routes)],
        shutdown,
    )
    .await
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve<S: Store>(
    app: App<S>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let routes = router(app.clone());
    run(app, vec![(listener, routes)], shutdown).await
}

/// Runs the housekeeping and timer loops and serves each (listener, routes) under the
/// configured connection limits until `shutdown`.
async fn run<S: Store>(
    app: App<S>,
    listeners: Vec<(TcpListener, axum::Router)>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let limits = listen::ConnectionLimits {
        max_connections: app.config.max_connections as usize,
        header_read_timeout: Duration::from_secs(app.config.header_read_timeout_secs),
        request_timeout: Duration::from_secs(app.config.request_timeout_secs),
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let housekeeping = tokio::spawn(housekeeping(app.clone()));
    let transport: std::sync::Arc<dyn webhooks::WebhookTransport> = std::sync::Arc::new(
        webhooks::HttpTransport::new(app.config.sandbox, &[]).map_err(anyhow::Error::msg)?,
    );
    let deliveries = tokio::spawn(webhooks::run(app.clone(), transport));
    let timers = tokio::spawn(timers::run(app));
    let servers: Vec<_> = listeners
        .into_iter()
        .map(|(listener, routes)| {
            tokio::spawn(listen::serve_router(
                listener,
                routes,
                limits,
                stopped.clone(),
            ))
        })
        .collect();
    let mut outcome = Ok(());
    for server in servers {
        match server.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => outcome = Err(error.into()),
            Err(error) => outcome = Err(anyhow::anyhow!("a listener task failed: {error}")),
        }
    }
    housekeeping.abort();
    timers.abort();
    deliveries.abort();
    outcome
}

/// Runs [`housekeep`] once a minute.
async fn housekeeping<S: Store>(app: App<S>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(error) = housekeep(&app).await {
            tracing::warn!(%error, "housekeeping failed");
        }
    }
}

/// Forgets, in one write job, what can no longer be presented or replayed at `app.now()`:
/// see [`purge_cutoffs`].
pub async fn housekeep<S: Store>(app: &App<S>) -> ServiceResult<Purged> {
    let before = purge_cutoffs(app.now());
    let purged = app.store.write(move |tx| tx.purge(&before)).await?;
    if purged.total() > 0 {
        tracing::debug!(?purged, "housekeeping forgot spent markers");
    }
    Ok(purged)
}

/// What housekeeping may forget at `now`. Each marker outlives the time in which what it
/// guards could still be accepted, with a margin for a server clock stepped back:
/// - a request nonce: requests older than the clock skew are refused for their timestamp;
/// - an idempotency record: kept [`IDEMPOTENCY_RETENTION_SECS`];
/// - a signed code's nonce: the code is refused once it expires;
/// - a used payment-code step: codes more than one step old are refused;
/// - a merchant's failed payment-code attempts: only the last failure window counts;
/// - a finished webhook delivery and its event: kept `RETENTION_SECS` for the delivery log.
pub fn purge_cutoffs(now: i64) -> PurgeBefore {
    let margin = danbao_domain::qr::danbao::CLOCK_SKEW_SECONDS as i64;
    let step_margin = (paycode::ACCEPTED_SKEW_STEPS + 1) * paycode::STEP_SECONDS
        + danbao_domain::qr::danbao::CLOCK_SKEW_SECONDS;
    PurgeBefore {
        request_nonces: now - 2 * danbao_domain::protocol::MAX_CLOCK_SKEW_SECS,
        idempotency: now - IDEMPOTENCY_RETENTION_SECS,
        code_nonces: now - margin,
        paycode_steps: u64::try_from(now)
            .unwrap_or_default()
            .saturating_sub(step_margin)
            / paycode::STEP_SECONDS,
        paycode_failures: now - service::paycode::FAILURE_WINDOW_SECS - margin,
        device_approvals: now - service::devices::FAILURE_WINDOW_SECS - margin,
        webhooks: now - service::merchant_api::webhooks::RETENTION_SECS,
    }
}
