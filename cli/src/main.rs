//! `danbao`: the terminal front end of the Danbao core — a wallet and merchant tool on the same
//! `Wallet` facade the phone shells use, plus the QR codec tools.
//!
//! Exit codes: 0 success; 1 refused or failed (the input was understood but is invalid, or the
//! server said no), with the precise message on standard error; 2 usage errors (clap's own
//! convention); 3 a wallet command is queued in the outbox and not yet answered (do not issue it
//! again: `danbao outbox flush` resends it with the same idempotency key).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod account;
mod admin;
mod decode;
mod devices;
mod encode;
mod home;
mod orders;
mod payments;
mod report;
mod sandbox;
mod words;

use home::ProfileDir;
use report::{Failure, Report};

#[derive(Parser)]
#[command(name = "danbao", version, about = "Danbao wallet and merchant tool")]
struct Cli {
    /// Which wallet: each profile is a directory under --home.
    #[arg(
        long,
        global = true,
        env = "DANBAO_PROFILE",
        default_value = "default",
        help_heading = "Wallet options"
    )]
    profile: String,
    /// Where profiles live (default: ~/.danbao).
    #[arg(
        long,
        global = true,
        env = "DANBAO_HOME",
        help_heading = "Wallet options"
    )]
    home: Option<PathBuf>,
    /// The language of the wallet's words and amounts, BCP 47 (zh-Hans-CN, en-US); default:
    /// the environment's LC_ALL, LC_MESSAGES or LANG, else English.
    #[arg(
        long,
        global = true,
        env = "DANBAO_LANG",
        help_heading = "Wallet options"
    )]
    lang: Option<String>,
    /// Print wallet results as JSON instead of text.
    #[arg(long, global = true, help_heading = "Wallet options")]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and write QR payloads.
    #[command(subcommand)]
    Qr(QrCommand),
    /// Create this profile's wallet: a device key, signed up with the server.
    Signup(account::SignupArgs),
    /// Who this wallet is.
    Profile,
    /// Balances per currency.
    Balance,
    /// Money movements, newest first.
    Activity(account::ActivityArgs),
    /// Fetch what changed from the server (and resend queued commands).
    Sync,
    /// Show what paying a scanned code would do: the real payee, warnings, the amount.
    Scan(payments::ScanArgs),
    /// Pay a merchant, receive or order code.
    Pay(payments::PayArgs),
    /// Send money to a friend by handle.
    Send(payments::SendArgs),
    /// Ask someone for money.
    Request(payments::RequestArgs),
    /// Answer a money request.
    #[command(subcommand)]
    Requests(payments::RequestsCommand),
    /// My code for friends to pay me (with or without an amount).
    ReceiveCode(payments::ReceiveCodeArgs),
    /// My offline payment code for a merchant's till to charge.
    PayCode(payments::PayCodeArgs),
    /// Escrow orders: list, show, confirm receipt, request a refund, cancel.
    Orders(orders::OrdersArgs),
    /// Selling: order codes, shipping, charging payment codes, answering refunds.
    #[command(subcommand)]
    Merchant(orders::MerchantCommand),
    /// Commands waiting for the server.
    Outbox(account::OutboxArgs),
    /// Devices of this user: add one with a one-time code, join from a new profile, list,
    /// revoke.
    #[command(subcommand)]
    Device(devices::DeviceCommand),
    /// Sandbox operator tools.
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// Operator tools: merchant enrolment and verification.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
}

#[derive(Subcommand)]
enum QrCommand {
    /// Decode a QR payload and print one JSON report.
    Decode(decode::DecodeArgs),
    /// Encode a Danbao code as text or SVG.
    Encode(encode::EncodeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let locale = report::choose_locale(cli.lang.as_deref());
    let command = match cli.command {
        Command::Qr(QrCommand::Decode(args)) => return decode::run(args),
        Command::Qr(QrCommand::Encode(args)) => return encode::run(args),
        other => other,
    };
    let result = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(cli.home, &cli.profile, &locale, command)),
        Err(e) => Err(Failure::refused(words::word(
            "runtime-unstartable",
            &[("error", &e.to_string())],
        ))),
    };
    report::finish(result, cli.json)
}

/// Runs one wallet command.
async fn run(
    home: Option<PathBuf>,
    profile: &str,
    locale: &str,
    command: Command,
) -> Result<Report, Failure> {
    let mut dir = ProfileDir::locate(home, profile)?;
    dir.locale = locale.to_owned();
    match command {
        Command::Signup(args) => return account::signup(&dir, args).await,
        Command::Sandbox(command) => return sandbox::run(&dir, command).await,
        Command::Device(devices::DeviceCommand::Join(args)) => {
            return devices::join(&dir, args).await;
        }
        Command::Admin(command) => return admin::run(&dir, command).await,
        _ => {}
    }
    let wallet = dir.open_existing().await?;
    match command {
        Command::Profile => account::profile(&wallet).await,
        Command::Balance => account::balance(&wallet).await,
        Command::Activity(args) => account::activity(&wallet, args).await,
        Command::Sync => account::sync(&wallet).await,
        Command::Outbox(args) => account::outbox(&wallet, args).await,
        Command::Scan(args) => payments::scan(&wallet, args).await,
        Command::Pay(args) => payments::pay(&wallet, args).await,
        Command::Send(args) => payments::send(&wallet, args).await,
        Command::Request(args) => payments::request(&wallet, args).await,
        Command::Requests(command) => payments::answer(&wallet, command).await,
        Command::ReceiveCode(args) => payments::receive_code(&wallet, args).await,
        Command::PayCode(args) => payments::pay_code(&wallet, args).await,
        Command::Orders(args) => orders::orders(&wallet, args).await,
        Command::Merchant(command) => orders::merchant(&wallet, command).await,
        Command::Device(command) => devices::run(&wallet, command).await,
        Command::Qr(_) | Command::Signup(_) | Command::Sandbox(_) | Command::Admin(_) => {
            Err(Failure::usage(words::word("not-a-wallet-command", &[])))
        }
    }
}
