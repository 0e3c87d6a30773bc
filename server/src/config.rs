//! Server settings, from flags or environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Parser};

/// How the server runs. Every flag also reads an environment variable.
#[derive(Debug, Clone, Parser)]
#[command(name = "danbao-server", version, about = "Danbao reference backend")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "DANBAO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// SQLite database file (created if missing).
    #[arg(long, env = "DANBAO_DB", default_value = "danbao.db")]
    pub db: PathBuf,
    /// Seconds an unpaid order waits before it is cancelled.
    #[arg(long, env = "DANBAO_PAY_WINDOW_SECS", default_value_t = 15 * 60)]
    pub pay_window_secs: i64,
    /// Seconds after shipping before an order completes by itself.
    #[arg(long, env = "DANBAO_AUTO_CONFIRM_SECS", default_value_t = 10 * 24 * 3600)]
    pub auto_confirm_secs: i64,
    /// Seconds a seller has to answer a refund request.
    #[arg(long, env = "DANBAO_REFUND_ANSWER_SECS", default_value_t = 3 * 24 * 3600)]
    pub refund_answer_secs: i64,
    /// Accept an unanswered refund request instead of opening a dispute.
    #[arg(long, env = "DANBAO_AUTO_ACCEPT_REFUNDS", default_value_t = false, action = ArgAction::Set)]
    pub auto_accept_refunds: bool,
    /// Sandbox mode: top-ups from the funding account and the test clock are enabled.
    #[arg(long, env = "DANBAO_SANDBOX", default_value_t = true, action = ArgAction::Set)]
    pub sandbox: bool,
    /// The operator's bearer token for /v1/admin and sandbox funding. If unset, a random
    /// token is generated and written to `<db>.operator-token` (never logged).
    #[arg(long, env = "DANBAO_OPERATOR_TOKEN", hide_env_values = true)]
    pub operator_token: Option<String>,
    /// How often the timer loop looks for due orders, in milliseconds.
    #[arg(long, env = "DANBAO_TIMER_INTERVAL_MS", default_value_t = 1000)]
    pub timer_interval_ms: u64,
    /// Orders the timer loop handles per write transaction.
    #[arg(long, env = "DANBAO_TIMER_BATCH", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub timer_batch: u32,
    /// Largest payment-code charge (minor units) without extra confirmation.
    #[arg(long, env = "DANBAO_PAYCODE_CAP_MINOR", default_value_t = 200_000)]
    pub paycode_cap_minor: i64,
}

impl Config {
    /// Settings for tests: a database path, an ephemeral port and short timer ticks.
    pub fn for_tests(db: PathBuf) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            db,
            pay_window_secs: 15 * 60,
            auto_confirm_secs: 10 * 24 * 3600,
            refund_answer_secs: 3 * 24 * 3600,
            auto_accept_refunds: false,
            sandbox: true,
            operator_token: Some("operator-test-token".to_owned()),
            timer_interval_ms: 50,
            timer_batch: 100,
            paycode_cap_minor: 200_000,
        }
    }
}
