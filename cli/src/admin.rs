//! `danbao admin merchant …`: the operator enrols, switches off and verifies merchants. Only an
//! enrolled, enabled merchant charges payment codes; a verified one is shown with a badge and
//! no one else may take a name that looks like its own.
//!
//! Like `danbao sandbox`, it needs the operator's bearer token, not a wallet.

use std::path::PathBuf;

use danbao_client::api::{MerchantAction, MerchantChange, OperatorApi};
use serde_json::json;

use crate::home::ProfileDir;
use crate::report::{Failure, Report};
use crate::sandbox::operator_target;

/// `danbao admin …`.
#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Merchant profiles: enrol, enable, disable, verify, unverify.
    #[command(subcommand)]
    Merchant(MerchantAdmin),
}

/// `danbao admin merchant …`.
#[derive(clap::Subcommand)]
pub enum MerchantAdmin {
    /// Let a user charge payment codes as a merchant.
    Enrol {
        /// The user's handle.
        handle: String,
        /// Its 4-digit merchant category code, e.g. 5814.
        #[arg(long)]
        category: Option<String>,
        #[command(flatten)]
        operator: OperatorArgs,
    },
    /// Let a disabled merchant charge again.
    Enable {
        /// The merchant's handle.
        handle: String,
        #[command(flatten)]
        operator: OperatorArgs,
    },
    /// Stop a merchant charging payment codes.
    Disable {
        /// The merchant's handle.
        handle: String,
        #[command(flatten)]
        operator: OperatorArgs,
    },
    /// Record that the merchant was checked, under the name checked.
    Verify {
        /// The merchant's handle.
        handle: String,
        /// The name checked, e.g. "Lotus Tea House".
        name: String,
        #[command(flatten)]
        operator: OperatorArgs,
    },
    /// Withdraw a verification.
    Unverify {
        /// The merchant's handle.
        handle: String,
        #[command(flatten)]
        operator: OperatorArgs,
    },
}

/// Where the operator's server is and its token.
#[derive(clap::Args)]
pub struct OperatorArgs {
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

/// Runs an admin command.
pub async fn run(dir: &ProfileDir, command: AdminCommand) -> Result<Report, Failure> {
    let AdminCommand::Merchant(command) = command;
    let (handle, change, operator) = match command {
        MerchantAdmin::Enrol {
            handle,
            category,
            operator,
        } => (
            handle,
            MerchantChange {
                category,
                ..MerchantChange::new(MerchantAction::Enrol)
            },
            operator,
        ),
        MerchantAdmin::Enable { handle, operator } => (
            handle,
            MerchantChange::new(MerchantAction::Enable),
            operator,
        ),
        MerchantAdmin::Disable { handle, operator } => (
            handle,
            MerchantChange::new(MerchantAction::Disable),
            operator,
        ),
        MerchantAdmin::Verify {
            handle,
            name,
            operator,
        } => (handle, MerchantChange::verify(name), operator),
        MerchantAdmin::Unverify { handle, operator } => (
            handle,
            MerchantChange::new(MerchantAction::Unverify),
            operator,
        ),
    };
    let (server, token) = operator_target(
        dir,
        operator.server,
        operator.operator_token,
        operator.operator_token_file,
    )?;
    let handle = handle.trim_start_matches('@').to_owned();
    let profile = OperatorApi::merchant_change(server, token, &handle, &change)
        .await
        .map_err(|e| {
            Failure::refused(format!(
                "merchant {} of @{handle} refused: {e}",
                change.action.as_str()
            ))
        })?;
    let state = if profile.enabled {
        "enabled"
    } else {
        "disabled"
    };
    let verified = match &profile.verified_name {
        Some(name) => format!(", verified as {name:?}"),
        None => String::new(),
    };
    let text = format!(
        "@{} ({}) is a merchant, {state}{verified}",
        profile.handle, profile.display_name
    );
    let json = serde_json::to_value(&profile).unwrap_or_else(|_| json!({}));
    Ok(Report::done(text, json))
}
