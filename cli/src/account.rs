//! The wallet itself: sign up, profile, balances, activity, sync and the outbox.

use crate::words::word;
use std::fmt::Write as _;

use danbao_client::store::CommandState as OutboxState;
use danbao_client::{Change, Wallet};
use danbao_domain::protocol::wire::Direction;
use serde_json::{Value, json};

use crate::home::ProfileDir;
use crate::report::{
    Failure, Report, activity_json, balance_json, outbox_json, outcome_json, profile_json, when,
};

/// Arguments of `danbao signup`.
#[derive(clap::Args)]
pub struct SignupArgs {
    /// The server, e.g. http://127.0.0.1:8080 (plain HTTP only on loopback).
    #[arg(long)]
    server: String,
    /// The handle friends send money to, e.g. alice.
    #[arg(long)]
    handle: String,
    /// Your real name as payers will see it, e.g. "Alice Liu".
    #[arg(long)]
    name: String,
    /// What this device is called in your device list (default: "danbao CLI (<profile>)").
    #[arg(long)]
    device_name: Option<String>,
}

/// Arguments of `danbao activity`.
#[derive(clap::Args)]
pub struct ActivityArgs {
    /// Rows per page, 1–200.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
    limit: u32,
    /// Continue after this position (the `next` value a previous page printed).
    #[arg(long)]
    cursor: Option<i64>,
}

/// Arguments of `danbao outbox`.
#[derive(clap::Args)]
pub struct OutboxArgs {
    #[command(subcommand)]
    command: Option<OutboxCommand>,
}

#[derive(clap::Subcommand)]
enum OutboxCommand {
    /// Recent commands (the last 100, newest first) and how many still wait (the default).
    List,
    /// Resend every queued command now, each with its own idempotency key.
    Flush,
}

/// `danbao signup`: a new wallet in this profile, registered with the server.
pub async fn signup(dir: &ProfileDir, args: SignupArgs) -> Result<Report, Failure> {
    if let Ok(url) = dir.server_url() {
        return Err(Failure::refused(word(
            "signup-profile-taken",
            &[("profile", &dir.name), ("url", &url)],
        )));
    }
    dir.create()?;
    let wallet = dir.open(&args.server).await?;
    if let Some(profile) = wallet.profile()? {
        return Err(Failure::refused(word(
            "signup-already",
            &[
                ("profile", &dir.name),
                ("handle", &profile.handle),
                ("url", &profile.server_url),
            ],
        )));
    }
    let device_name = args
        .device_name
        .unwrap_or_else(|| format!("danbao CLI ({})", dir.name));
    let profile = wallet
        .sign_up(&args.handle, &args.name, &device_name)
        .await?;
    dir.save_server_url(&args.server)?;
    let text = word(
        "signup-done",
        &[
            ("handle", &profile.handle),
            ("name", &profile.display_name),
            ("url", &profile.server_url),
            ("user", &profile.user_id.to_string()),
            ("device", &profile.device_id.to_string()),
            ("profile", &dir.name),
            ("dir", &dir.dir.display().to_string()),
        ],
    );
    let mut json = profile_json(&profile);
    json["profile_dir"] = json!(dir.dir.display().to_string());
    Ok(Report::done(text, json))
}

/// Brings the cache up to date before a read; offline, says so on standard error and goes on
/// with the cached data.
pub async fn refresh(wallet: &Wallet) {
    if let Err(error) = wallet.sync().await {
        let said = wallet.error_message(&error);
        eprintln!(
            "danbao: {}",
            word("sync-failed-cached", &[("error", &said)])
        );
    }
}

/// `danbao profile`.
pub async fn profile(wallet: &Wallet) -> Result<Report, Failure> {
    let profile = wallet
        .profile()?
        .ok_or_else(|| Failure::refused(word("profile-not-signed-up", &[])))?;
    let text = word(
        "profile-line",
        &[
            ("handle", &profile.handle),
            ("name", &profile.display_name),
            ("user", &profile.user_id.to_string()),
            ("device", &profile.device_id.to_string()),
            ("url", &profile.server_url),
        ],
    );
    Ok(Report::done(text, profile_json(&profile)))
}

/// `danbao balance`.
pub async fn balance(wallet: &Wallet) -> Result<Report, Failure> {
    refresh(wallet).await;
    let home = wallet.home()?;
    let mut text = String::new();
    if home.balances.is_empty() {
        text.push_str(&word("balance-none", &[]));
    }
    for line in &home.balances {
        let _ = writeln!(
            text,
            "{}",
            word(
                "balance-line",
                &[
                    ("currency", &line.currency),
                    ("available", &line.available.display),
                    ("held", &line.held_out.display),
                    ("incoming", &line.incoming.display),
                ],
            )
        );
    }
    let json = Value::Array(home.balances.iter().map(balance_json).collect());
    Ok(Report::done(text, json))
}

/// `danbao activity`.
pub async fn activity(wallet: &Wallet, args: ActivityArgs) -> Result<Report, Failure> {
    refresh(wallet).await;
    let page = wallet.activity(args.cursor, args.limit).await?;
    let mut text = String::new();
    if page.items.is_empty() {
        text.push_str(&word("activity-none", &[]));
    }
    for item in &page.items {
        let sign = match item.direction {
            Direction::In => "+",
            Direction::Out => "-",
        };
        let memo = match item.memo.as_deref() {
            Some(memo) if !memo.is_empty() && !item.title.contains(memo) => {
                format!(" — “{memo}”")
            }
            _ => String::new(),
        };
        let _ = writeln!(
            text,
            "{}  {}{:>12}  {}{memo}",
            when(item.created_at),
            sign,
            item.amount.display,
            item.title
        );
    }
    if let Some(next) = page.next_cursor {
        let _ = write!(
            text,
            "\n{}",
            word("activity-more", &[("cursor", &next.to_string())])
        );
    }
    let json = json!({
        "items": page.items.iter().map(activity_json).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    });
    Ok(Report::done(text, json))
}

/// `danbao sync`.
pub async fn sync(wallet: &Wallet) -> Result<Report, Failure> {
    let changes = wallet.sync().await?;
    let words: Vec<&str> = changes.iter().map(change_word).collect();
    let text = if words.is_empty() {
        word("sync-none", &[])
    } else {
        word("sync-changed", &[("changes", &words.join(", "))])
    };
    Ok(Report::done(text, json!({ "changed": words })))
}

fn change_word(change: &Change) -> &'static str {
    match change {
        Change::Balances => "balances",
        Change::Activity => "activity",
        Change::Orders => "orders",
        Change::Outbox => "outbox",
        Change::Profile => "profile",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

/// `danbao outbox [list|flush]`.
pub async fn outbox(wallet: &Wallet, args: OutboxArgs) -> Result<Report, Failure> {
    match args.command.unwrap_or(OutboxCommand::List) {
        OutboxCommand::List => {
            let items = wallet.outbox()?;
            let waiting = items
                .iter()
                .filter(|i| !matches!(i.state, OutboxState::Done | OutboxState::Failed))
                .count();
            let mut text = if waiting == 0 {
                word("outbox-nothing", &[])
            } else {
                word("outbox-waiting", &[("count", &waiting.to_string())])
            };
            text.push('\n');
            if !items.is_empty() {
                text.push_str(&word("outbox-recent", &[]));
                text.push('\n');
            }
            for item in &items {
                let _ = writeln!(
                    text,
                    "#{}  {:<8} {}  ({}){}",
                    item.id,
                    item.state,
                    item.summary,
                    word("outbox-attempts", &[("count", &item.attempts.to_string())]),
                    item.outcome
                        .as_ref()
                        .map(|o| format!(" — {o}"))
                        .unwrap_or_default()
                );
            }
            let json = Value::Array(items.iter().map(outbox_json).collect());
            Ok(Report::done(text, json))
        }
        OutboxCommand::Flush => {
            let outcomes = wallet.flush_outbox().await?;
            let mut text = String::new();
            if outcomes.is_empty() {
                text.push_str(&word("outbox-flush-none", &[]));
            }
            for outcome in &outcomes {
                let _ = writeln!(
                    text,
                    "#{}  {}  {}",
                    outcome.command_id,
                    outcome.state.as_str(),
                    outcome.message
                );
            }
            let json = Value::Array(outcomes.iter().map(outcome_json).collect());
            Ok(Report::done(text, json))
        }
    }
}
