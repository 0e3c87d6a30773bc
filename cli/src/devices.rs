//! `danbao device add|join|list|revoke`: approval codes, joining a user from a new profile, the
//! device list and revocation (issue 12 point 8).

use std::fmt::Write as _;

use danbao_client::{DeviceItem, Wallet};
use serde_json::{Value, json};

use crate::home::ProfileDir;
use crate::report::{Failure, Report, profile_json, write_svg};
use crate::words::word;

/// `danbao device …`.
#[derive(clap::Subcommand)]
pub enum DeviceCommand {
    /// Show a one-time code (10 minutes, single use) that adds a new device to this user.
    Add(AddArgs),
    /// Make this (new) profile a device of the user whose approval code another device shows.
    Join(JoinArgs),
    /// This user's devices, active ones first.
    List,
    /// Revoke a device (a lost phone, or this one): its requests and payment codes are refused.
    Revoke(RevokeArgs),
}

/// Arguments of `danbao device add`.
#[derive(clap::Args)]
pub struct AddArgs {
    /// Also write the code's QR image (SVG) to this file.
    #[arg(long)]
    svg: Option<std::path::PathBuf>,
}

/// Arguments of `danbao device join`.
#[derive(clap::Args)]
pub struct JoinArgs {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    server: String,
    /// The approval code (or the QR payload) the other device shows.
    #[arg(long)]
    code: String,
    /// What this device is called in the device list (default: "danbao CLI (<profile>)").
    #[arg(long)]
    device_name: Option<String>,
}

/// Arguments of `danbao device revoke`.
#[derive(clap::Args)]
pub struct RevokeArgs {
    /// The device id (`danbao device list` shows it).
    id: i64,
}

fn device_json(device: &DeviceItem) -> Value {
    json!({
        "id": device.id,
        "name": device.name,
        "created_at": device.created_at,
        "last_seen_at": device.last_seen_at,
        "revoked_at": device.revoked_at,
        "this_device": device.this_device,
        "active": device.active,
    })
}

fn device_line(device: &DeviceItem) -> String {
    format!("#{}  {}\n     {}", device.id, device.title, device.detail)
}

/// `danbao device join`: a new profile joins an existing user (like `signup`).
pub async fn join(dir: &ProfileDir, args: JoinArgs) -> Result<Report, Failure> {
    if let Ok(url) = dir.server_url() {
        return Err(Failure::refused(word(
            "device-join-profile-taken",
            &[("profile", &dir.name), ("server", &url)],
        )));
    }
    dir.create()?;
    let wallet = dir.open(&args.server).await?;
    let device_name = args
        .device_name
        .unwrap_or_else(|| format!("danbao CLI ({})", dir.name));
    let profile = wallet.join_with_approval(&args.code, &device_name).await?;
    dir.save_server_url(&args.server)?;
    let text = word(
        "device-joined",
        &[
            ("handle", &profile.handle),
            ("name", &profile.display_name),
            ("device", &profile.device_id.to_string()),
            ("profile", &dir.name),
        ],
    );
    Ok(Report::done(text, profile_json(&profile)))
}

/// `danbao device add|list|revoke` on a signed-up wallet.
pub async fn run(wallet: &Wallet, command: DeviceCommand) -> Result<Report, Failure> {
    match command {
        DeviceCommand::Add(args) => {
            let approval = wallet.device_approval_code().await?;
            if let Some(path) = &args.svg {
                write_svg(path, &approval.svg)?;
            }
            let text = format!(
                "{}\n\n    {}\n\n{}\n{}",
                word("device-add-code", &[]),
                approval.code,
                approval.instructions,
                approval.expires_label
            );
            let json = json!({
                "code": approval.code,
                "qr_payload": approval.qr_payload,
                "expires_at": approval.expires_at,
            });
            Ok(Report::done(text, json))
        }
        DeviceCommand::Join(_) => Err(Failure::usage(word("device-join-signed-up", &[]))),
        DeviceCommand::List => {
            let devices = wallet.devices().await?;
            let mut text = String::new();
            for device in &devices {
                let _ = writeln!(text, "{}", device_line(device));
            }
            let json = Value::Array(devices.iter().map(device_json).collect());
            Ok(Report::done(text.trim_end().to_owned(), json))
        }
        DeviceCommand::Revoke(args) => {
            let device = wallet.revoke_device(args.id).await?;
            let text = format!(
                "{}\n{}",
                word("device-revoked", &[("id", &device.id.to_string())]),
                device_line(&device)
            );
            Ok(Report::done(text, device_json(&device)))
        }
    }
}
