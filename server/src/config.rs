//! Server settings, from flags or environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};
use danbao_domain::money::{Currency, Money};

/// How the server runs. Every flag also reads an environment variable.
#[derive(Debug, Clone, Parser)]
#[command(name = "danbao-server", version, about = "Danbao reference backend")]
pub struct Config {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "DANBAO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Serve the operator endpoints (`/v1/admin/*`, `/v1/sandbox/*`) only on this address
    /// (e.g. a private interface); the public listener then answers them 404. Unset: one
    /// listener serves everything.
    #[arg(long, env = "DANBAO_OPERATOR_BIND")]
    pub operator_bind: Option<SocketAddr>,
    /// SQLite database file (created if missing). Ignored when `--database-url` is set.
    #[arg(long, env = "DANBAO_DB", default_value = "danbao.db")]
    pub db: PathBuf,
    /// PostgreSQL instead of SQLite: `postgres://user:password@host:port/database`. Several
    /// instances may share one database (docs/operations.md). Unset: SQLite at `--db`.
    #[arg(long, env = "DANBAO_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,
    /// PostgreSQL connections of this instance (jobs beyond them wait, up to `--write-queue`).
    /// Default: twice this machine's cores, plus one.
    #[arg(long, env = "DANBAO_DATABASE_POOL", default_value_t = crate::store::postgres::default_pool(), value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub database_pool: u32,
    /// The AES-256 key sealing payment-code secrets at rest, 64 hex digits. Unset: a file
    /// beside the SQLite database, or (PostgreSQL) one key generated once and kept in the
    /// database for every instance.
    #[arg(long, env = "DANBAO_SEAL_KEY", hide_env_values = true)]
    pub seal_key: Option<Secret>,
    /// The Ed25519 key signing order and merchant codes, PKCS#8 in standard base64. Unset: as
    /// for `--seal-key`.
    #[arg(long, env = "DANBAO_CODES_KEY", hide_env_values = true)]
    pub codes_key: Option<Secret>,
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
    /// Sandbox mode: top-ups from nothing (the funding account) and the test clock. Off unless
    /// turned on; never in production (money then enters by operator deposits).
    #[arg(long, env = "DANBAO_SANDBOX", default_value_t = false, action = ArgAction::Set)]
    pub sandbox: bool,
    /// The operator's bearer token for /v1/admin and sandbox funding. If unset, a random
    /// token is generated and written to `<db>.operator-token` (never logged).
    #[arg(long, env = "DANBAO_OPERATOR_TOKEN", hide_env_values = true)]
    pub operator_token: Option<Secret>,
    /// How often the timer loop looks for due orders, in milliseconds.
    #[arg(long, env = "DANBAO_TIMER_INTERVAL_MS", default_value_t = 1000)]
    pub timer_interval_ms: u64,
    /// Orders the timer loop handles per write transaction.
    #[arg(long, env = "DANBAO_TIMER_BATCH", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub timer_batch: u32,
    /// Most write jobs waiting for the database writer; beyond them requests are refused
    /// `503 overloaded` with `Retry-After` instead of queueing without limit.
    #[arg(long, env = "DANBAO_WRITE_QUEUE", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub write_queue: u32,
    /// Rate limit per device and per user: requests a minute of each limited kind (sign-up,
    /// payments, money requests, code issuing, charges); beyond it `429 rate_limited`.
    #[arg(long, env = "DANBAO_RATE_LIMIT", default_value_t = 60)]
    pub rate_limit: u32,
    /// Rate limit per client address: requests a minute of each limited kind (higher than per
    /// device: many phones can share one address behind a NAT).
    #[arg(long, env = "DANBAO_RATE_LIMIT_ADDRESS", default_value_t = 600)]
    pub rate_limit_address: u32,
    /// Sign-ups a minute per client address.
    #[arg(long, env = "DANBAO_SIGN_UP_LIMIT", default_value_t = 10)]
    pub sign_up_limit: u32,
    /// Connections open at once; more wait in the kernel's backlog until one closes.
    #[arg(long, env = "DANBAO_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Seconds a client has to send a request's complete headers (slowloris guard).
    #[arg(long, env = "DANBAO_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,
    /// Seconds to receive and answer a request, its body included; then `408 request_timeout`.
    #[arg(long, env = "DANBAO_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Largest payment-code charge without extra confirmation, per currency in major units:
    /// `CNY=2000,USD=300`. A currency without a cap here cannot be charged by payment code
    /// (the charge is refused `confirmation_required`).
    #[arg(
        long,
        env = "DANBAO_PAYCODE_CAP",
        default_value = "CNY=2000,HKD=2000,USD=300,EUR=300,JPY=40000",
        value_parser = PaycodeCaps::parse
    )]
    pub paycode_cap: PaycodeCaps,
}

/// What `danbao-server` does besides serving.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Runs the database migrations (`--database-url`, or the SQLite `--db`) and exits.
    Migrate,
}

/// A setting that must not be printed (a URL with a password, a key): `Debug` shows
/// `Secret(..)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_owned()))
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// The payment-code caps, per currency, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaycodeCaps(Vec<Money>);

impl PaycodeCaps {
    /// Parses `CODE=amount[,CODE=amount...]` with amounts in major units of each currency
    /// ("JPY=40000", "CNY=2000.50"); more decimals than the currency has are refused.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut caps: Vec<Money> = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (code, amount) = entry.split_once('=').ok_or_else(|| {
                format!("payment-code cap {entry:?} must be CODE=amount, e.g. CNY=2000")
            })?;
            let currency = Currency::from_code(code.trim().to_ascii_uppercase().as_str())
                .map_err(|error| format!("payment-code cap {entry:?}: {error}"))?;
            let cap = Money::parse(amount.trim(), currency)
                .map_err(|error| format!("payment-code cap {entry:?}: {error}"))?;
            if cap.minor() <= 0 {
                return Err(format!("payment-code cap {entry:?} must be above zero"));
            }
            if caps.iter().any(|known| known.currency() == currency) {
                return Err(format!(
                    "payment-code cap for {} given twice",
                    currency.code()
                ));
            }
            caps.push(cap);
        }
        Ok(Self(caps))
    }

    /// The cap for `currency`, if one is configured.
    pub fn for_currency(&self, currency: Currency) -> Option<Money> {
        self.0
            .iter()
            .copied()
            .find(|cap| cap.currency() == currency)
    }
}

impl Config {
    /// Settings for tests: a database path, an ephemeral port and short timer ticks.
    pub fn for_tests(db: PathBuf) -> Self {
        Self {
            command: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            operator_bind: None,
            db,
            database_url: None,
            database_pool: 16,
            seal_key: None,
            codes_key: None,
            pay_window_secs: 15 * 60,
            auto_confirm_secs: 10 * 24 * 3600,
            refund_answer_secs: 3 * 24 * 3600,
            auto_accept_refunds: false,
            sandbox: true,
            operator_token: Some("operator-test-token".into()),
            timer_interval_ms: 50,
            timer_batch: 100,
            write_queue: 4096,
            max_connections: 4096,
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            // High enough that no functional test meets them; operations.rs sets low ones.
            rate_limit: 1_000_000,
            rate_limit_address: 1_000_000,
            sign_up_limit: 1_000_000,
            paycode_cap: PaycodeCaps::parse("CNY=2000,HKD=2000,USD=300,EUR=300,JPY=40000")
                .unwrap_or(PaycodeCaps(Vec::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn payment_code_caps_are_major_units_of_each_currency() {
        let caps = PaycodeCaps::parse("CNY=2000, jpy=30000,KWD=150.5").unwrap();
        let minor = |code| caps.for_currency(currency(code)).map(Money::minor);
        assert_eq!(minor("CNY"), Some(200_000), "exponent 2");
        assert_eq!(minor("JPY"), Some(30_000), "exponent 0");
        assert_eq!(minor("KWD"), Some(150_500), "exponent 3");
        assert_eq!(minor("USD"), None, "not configured: no cap, so refused");
        assert_eq!(
            Config::for_tests("x".into())
                .paycode_cap
                .for_currency(currency("CNY"))
                .map(Money::minor),
            Some(200_000)
        );
    }

    #[test]
    fn sandbox_is_off_unless_turned_on() {
        let defaults = Config::try_parse_from(["danbao-server"]).unwrap();
        assert!(!defaults.sandbox);
        assert_eq!(defaults.operator_bind, None);
        let on = Config::try_parse_from(["danbao-server", "--sandbox", "true"]).unwrap();
        assert!(on.sandbox);
        assert!(Config::for_tests("x".into()).sandbox);
    }

    #[test]
    fn the_database_url_selects_postgresql_and_is_never_printed() {
        let sqlite = Config::try_parse_from(["danbao-server"]).unwrap();
        assert_eq!(sqlite.database_url, None);
        assert_eq!(sqlite.command, None);
        let url = "postgres://danbao:hunter2-secret@db.internal:5432/danbao";
        let pg = Config::try_parse_from([
            "danbao-server",
            "--database-url",
            url,
            "--seal-key",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            "--operator-token",
            "operator-token-never-printed",
            "migrate",
        ])
        .unwrap();
        assert_eq!(pg.command, Some(Command::Migrate));
        assert_eq!(pg.database_url.as_ref().map(Secret::expose), Some(url));
        let printed = format!("{pg:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("8899aabb"), "{printed}");
        assert!(!printed.contains("never-printed"), "{printed}");
    }

    #[test]
    fn payment_code_caps_refuse_what_they_cannot_mean() {
        for bad in [
            "CNY",
            "CNY=12.345",
            "JPY=1.5",
            "XYZ=10",
            "CNY=0",
            "CNY=-5",
            "CNY=1,CNY=2",
        ] {
            let error = PaycodeCaps::parse(bad).unwrap_err();
            assert!(error.contains("payment-code cap"), "{bad}: {error}");
        }
    }
}
