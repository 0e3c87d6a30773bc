//! `danbao qr decode`.
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DecodeArgs {
    /// The payload text, or `-` to read it from standard input.
    pub input: String,
}

pub fn run(_args: DecodeArgs) -> ExitCode {
    eprintln!("danbao qr decode: not built yet");
    ExitCode::from(2)
}
