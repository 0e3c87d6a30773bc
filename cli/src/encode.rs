//! `danbao qr encode`.
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EncodeArgs {}

pub fn run(_args: EncodeArgs) -> ExitCode {
    eprintln!("danbao qr encode: not built yet");
    ExitCode::from(2)
}
