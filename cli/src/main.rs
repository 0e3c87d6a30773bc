//! `danbao`: the terminal front end of the Danbao core.
//!
//! Exit codes: 0 success, 1 the input was understood but is invalid (e.g. a QR code that fails
//! its checks), 2 usage errors (clap's own convention).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod decode;
mod encode;

#[derive(Parser)]
#[command(name = "danbao", version, about = "Danbao wallet and merchant tool")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and write QR payloads.
    #[command(subcommand)]
    Qr(QrCommand),
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
    match cli.command {
        Command::Qr(QrCommand::Decode(args)) => decode::run(args),
        Command::Qr(QrCommand::Encode(args)) => encode::run(args),
    }
}
