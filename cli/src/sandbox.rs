//! `danbao sandbox top-up`: the operator funds a wallet from the sandbox funding account.
//!
//! It needs the operator's bearer token, not a wallet: the server generates one on first start
//! and writes it to `<db>.operator-token` (or takes `DANBAO_OPERATOR_TOKEN`).

use std::path::PathBuf;

use danbao_client::api::OperatorApi;
use danbao_domain::money::{Currency, Money};
use serde_json::json;

use crate::home::ProfileDir;
use crate::report::{Failure, Report};
use crate::words::word;
use danbao_client::WalletError;

/// `danbao sandbox …`.
#[derive(clap::Subcommand)]
pub enum SandboxCommand {
    /// Add sandbox money to a user's wallet (operator only).
    TopUp(TopUpArgs),
}

/// Arguments of `danbao sandbox top-up`.
#[derive(clap::Args)]
pub struct TopUpArgs {
    /// Whose wallet to fund.
    handle: String,
    /// The amount, e.g. 500.00.
    amount: String,
    /// ISO 4217 code, e.g. CNY.
    currency: String,
    /// The server (default: the one the current profile signed up with).
    #[arg(long)]
    server: Option<String>,
    /// The operator token.
    #[arg(long, env = "DANBAO_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// A file holding the operator token, e.g. danbao.db.operator-token.
    #[arg(long, conflicts_with = "operator_token")]
    operator_token_file: Option<PathBuf>,
}

/// Runs a sandbox command.
pub async fn run(dir: &ProfileDir, command: SandboxCommand) -> Result<Report, Failure> {
    let SandboxCommand::TopUp(args) = command;
    let (server, token) = operator_target(
        dir,
        args.server,
        args.operator_token,
        args.operator_token_file,
    )?;
    let currency =
        Currency::from_code(&args.currency).map_err(|e| Failure::from(WalletError::from(e)))?;
    let amount =
        Money::parse(&args.amount, currency).map_err(|e| Failure::from(WalletError::from(e)))?;
    let handle = args.handle.trim_start_matches('@');
    let moved = OperatorApi::sandbox_top_up(server, token, handle, amount)
        .await
        .map_err(|e| {
            let said = Failure::from(WalletError::from(e));
            Failure::refused(word("sandbox-refused", &[("error", said.message())]))
        })?;
    let text = word(
        "sandbox-done",
        &[
            ("handle", handle),
            ("amount", &moved.amount.display),
            ("available", &moved.balance.available.display),
        ],
    );
    let json = serde_json::to_value(&moved).unwrap_or_else(|_| json!({}));
    Ok(Report::done(text, json))
}

/// The server and the operator token of an operator command: `--server` or the profile's
/// server; `--operator-token`, `DANBAO_OPERATOR_TOKEN` or `--operator-token-file`.
pub fn operator_target(
    dir: &ProfileDir,
    server: Option<String>,
    operator_token: Option<String>,
    operator_token_file: Option<PathBuf>,
) -> Result<(String, String), Failure> {
    let server = match server {
        Some(server) => server,
        None => dir
            .server_url()
            .map_err(|_| Failure::usage(word("sandbox-which-server", &[("profile", &dir.name)])))?,
    };
    let token = match (operator_token, operator_token_file) {
        (Some(token), _) => token,
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map_err(|e| {
                Failure::refused(word(
                    "sandbox-token-unreadable",
                    &[
                        ("path", &path.display().to_string()),
                        ("error", &e.to_string()),
                    ],
                ))
            })?
            .trim()
            .to_owned(),
        (None, None) => {
            return Err(Failure::usage(word("sandbox-token-needed", &[])));
        }
    };
    Ok((server, token))
}
