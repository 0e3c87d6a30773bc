//! `danbao-server`: serves the Danbao API on an embedded SQLite ledger or on PostgreSQL.

use clap::Parser;
use danbao_server::Config;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: a request allocates and frees many small buffers
/// (JSON, headers, SQL rows) across threads, where glibc's malloc cost ~5 % of the server's CPU
/// (docs/server-evidence.md §3).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    if config.command == Some(danbao_server::config::Command::Migrate) {
        println!("{}", danbao_server::migrate(&config)?);
        return Ok(());
    }
    let bind = config.bind;
    let operator_bind = config.operator_bind;
    let db = config.db.clone();
    let app = danbao_server::open(config)?;
    let listener = TcpListener::bind(bind).await?;
    let database = if app.store.postgres().is_some() {
        "postgresql".to_owned()
    } else {
        db.display().to_string()
    };
    tracing::info!(address = %listener.local_addr()?, db = %database, "danbao-server listening");
    match operator_bind {
        Some(operator_bind) => {
            let operator = TcpListener::bind(operator_bind).await?;
            tracing::info!(address = %operator.local_addr()?, "operator endpoints listening");
            danbao_server::serve_split(app, listener, operator, shutdown_signal()).await?;
        }
        None => danbao_server::serve(app, listener, shutdown_signal()).await?,
    }
    tracing::info!("danbao-server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
