//! `danbao qr encode …`: write Danbao codes (merchant, order, receive) as text or SVG, and make
//! the Ed25519 signing key that amount- and order-bearing codes need.
//!
//! Exit status: 0 success, 1 the code or key could not be made (a value out of format, an
//! unreadable key file), 2 usage errors (clap's).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::words::word;
use danbao_client::WalletError;
use danbao_domain::money::{Currency, Money};
use danbao_domain::qr::danbao::{
    self, DanbaoCode, DanbaoSigner, MerchantCode, Nonce, OrderCode, ReceiveCode, SystemRandom,
};
use danbao_domain::qr::render::{RenderOptions, render_svg};

/// Arguments of `danbao qr encode`.
#[derive(clap::Args)]
pub struct EncodeArgs {
    #[command(subcommand)]
    command: Box<EncodeCommand>,
}

#[derive(clap::Subcommand)]
enum EncodeCommand {
    /// A merchant's code: static (no amount, unsigned) or with --amount (signed).
    Merchant(MerchantArgs),
    /// A per-order code: amount + order id, always signed (needs --key-file).
    Order(OrderArgs),
    /// A friend's receive code: handle, optional --amount (then signed).
    Receive(ReceiveArgs),
    /// Make a new Ed25519 signing key: writes PKCS#8 DER to --out (mode 0600) and prints the
    /// public key and its default key id as JSON. The private key is never printed.
    Keygen(KeygenArgs),
}

#[derive(clap::Args)]
struct PlaceArgs {
    /// Name as printed in the code (tag 59), 1–25 characters.
    #[arg(long)]
    name: String,
    /// City (tag 60), 1–15 characters.
    #[arg(long)]
    city: String,
    /// ISO 3166-1 alpha-2 country (tag 58), e.g. CN.
    #[arg(long)]
    country: String,
    /// ISO 4217 currency, alphabetic or numeric, e.g. CNY or 156.
    #[arg(long)]
    currency: String,
}

#[derive(clap::Args)]
struct SigningArgs {
    /// PKCS#8 DER Ed25519 private key (from `danbao qr encode keygen`, or `openssl genpkey
    /// -algorithm ed25519 -outform DER`). Required for codes with an amount or an order.
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// Key id written into the code; default: "k" + 8 hex digits of SHA-256(public key).
    #[arg(long)]
    key_id: Option<String>,
    /// Validity of a signed code in seconds.
    #[arg(long, default_value_t = 900)]
    ttl: u64,
    /// Issue time in unix seconds (default: the system clock).
    #[arg(long)]
    now: Option<u64>,
}

#[derive(clap::Args)]
struct OutputArgs {
    /// Write an SVG image of the QR code instead of the payload text.
    #[arg(long)]
    svg: bool,
}

#[derive(clap::Args)]
struct MerchantArgs {
    /// The merchant's Danbao id (tag 26.01).
    #[arg(long)]
    merchant_id: String,
    /// Merchant category code, four digits (tag 52), e.g. 5812.
    #[arg(long)]
    mcc: String,
    /// Amount as a decimal, e.g. 128.50 (makes the code signed).
    #[arg(long)]
    amount: Option<String>,
    #[command(flatten)]
    place: PlaceArgs,
    #[command(flatten)]
    signing: SigningArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args)]
struct OrderArgs {
    /// The seller's Danbao merchant id (tag 26.01).
    #[arg(long)]
    merchant_id: String,
    /// The order id (tag 26.03).
    #[arg(long)]
    order_id: String,
    /// Merchant category code, four digits (tag 52).
    #[arg(long)]
    mcc: String,
    /// Amount as a decimal, e.g. 128.50.
    #[arg(long)]
    amount: String,
    #[command(flatten)]
    place: PlaceArgs,
    #[command(flatten)]
    signing: SigningArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args)]
struct ReceiveArgs {
    /// The friend's Danbao handle, without '@' (tag 26.02).
    #[arg(long)]
    handle: String,
    /// Requested amount as a decimal (makes the code signed).
    #[arg(long)]
    amount: Option<String>,
    #[command(flatten)]
    place: PlaceArgs,
    #[command(flatten)]
    signing: SigningArgs,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(clap::Args)]
struct KeygenArgs {
    /// Where to write the PKCS#8 DER private key (created with mode 0600).
    #[arg(long)]
    out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs `danbao qr encode`.
pub fn run(args: EncodeArgs) -> ExitCode {
    let result = match *args.command {
        EncodeCommand::Keygen(keygen) => run_keygen(&keygen),
        EncodeCommand::Merchant(m) => {
            merchant(&m).and_then(|code| emit(&code, &m.signing, &m.output))
        }
        EncodeCommand::Order(o) => order(&o).and_then(|code| emit(&code, &o.signing, &o.output)),
        EncodeCommand::Receive(r) => {
            receive(&r).and_then(|code| emit(&code, &r.signing, &r.output))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{}", word("encode-failed", &[("message", &message)]));
            ExitCode::from(1)
        }
    }
}

fn currency(text: &str) -> Result<Currency, String> {
    Currency::from_code(text).map_err(|e| option_error("--currency", WalletError::from(e)))
}

fn amount(text: &str, currency: Currency) -> Result<i64, String> {
    Money::parse(text, currency)
        .map(Money::minor)
        .map_err(|e| option_error("--amount", WalletError::from(e)))
}

fn merchant(args: &MerchantArgs) -> Result<DanbaoCode, String> {
    let currency = currency(&args.place.currency)?;
    Ok(DanbaoCode::Merchant(MerchantCode {
        merchant_id: args.merchant_id.clone(),
        merchant_name: args.place.name.clone(),
        merchant_city: args.place.city.clone(),
        country: args.place.country.clone(),
        mcc: args.mcc.clone(),
        currency,
        amount_minor: args
            .amount
            .as_deref()
            .map(|a| amount(a, currency))
            .transpose()?,
    }))
}

fn order(args: &OrderArgs) -> Result<DanbaoCode, String> {
    let currency = currency(&args.place.currency)?;
    Ok(DanbaoCode::Order(OrderCode {
        merchant_id: args.merchant_id.clone(),
        order_id: args.order_id.clone(),
        merchant_name: args.place.name.clone(),
        merchant_city: args.place.city.clone(),
        country: args.place.country.clone(),
        mcc: args.mcc.clone(),
        currency,
        amount_minor: amount(&args.amount, currency)?,
    }))
}

fn receive(args: &ReceiveArgs) -> Result<DanbaoCode, String> {
    let currency = currency(&args.place.currency)?;
    Ok(DanbaoCode::Receive(ReceiveCode {
        handle: args.handle.clone(),
        name: args.place.name.clone(),
        city: args.place.city.clone(),
        country: args.place.country.clone(),
        currency,
        amount_minor: args
            .amount
            .as_deref()
            .map(|a| amount(a, currency))
            .transpose()?,
    }))
}

/// Signs the code when a key is given (or required), then prints text or SVG.
fn emit(code: &DanbaoCode, signing: &SigningArgs, output: &OutputArgs) -> Result<(), String> {
    let text = match &signing.key_file {
        Some(path) => {
            let signer = load_signer(path, signing.key_id.as_deref())?;
            let rng = SystemRandom::new();
            let nonce = Nonce::random(&rng).map_err(refused)?;
            let issued_at = match signing.now {
                Some(now) => now,
                None => SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .map_err(|_| word("clock-before-1970", &[]))?,
            };
            let expires_at = issued_at.checked_add(signing.ttl).ok_or_else(|| {
                word("encode-ttl-too-large", &[("ttl", &signing.ttl.to_string())])
            })?;
            danbao::issue(code, &signer, nonce, issued_at, expires_at).map_err(refused)?
        }
        None if code.needs_signature() => {
            return Err(word("encode-needs-signature", &[("kind", code.kind())]));
        }
        None => danbao::encode_unsigned(code).map_err(refused)?,
    };
    let out = if output.svg {
        render_svg(&text, &RenderOptions::default()).map_err(refused)?
    } else {
        text
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}").map_err(|e| word("stdout-unwritable", &[("error", &e.to_string())]))
}

fn load_signer(path: &Path, key_id: Option<&str>) -> Result<DanbaoSigner, String> {
    let der = fs::read(path).map_err(|e| {
        word(
            "encode-key-unreadable",
            &[
                ("path", &path.display().to_string()),
                ("error", &e.to_string()),
            ],
        )
    })?;
    // Load once under a placeholder id to learn the public key, then under the real id.
    let probe = DanbaoSigner::from_pkcs8("probe", &der).map_err(|e| {
        word(
            "encode-key-invalid",
            &[
                ("path", &path.display().to_string()),
                ("error", &e.to_string()),
            ],
        )
    })?;
    let key_id = match key_id {
        Some(id) => id.to_owned(),
        None => danbao::fingerprint_key_id(&probe.public_key()),
    };
    DanbaoSigner::from_pkcs8(&key_id, &der)
        .map_err(|e| word("encode-key-id-invalid", &[("error", &e.to_string())]))
}

fn run_keygen(args: &KeygenArgs) -> Result<(), String> {
    let rng = SystemRandom::new();
    let der = DanbaoSigner::generate_pkcs8(&rng).map_err(refused)?;
    let probe = DanbaoSigner::from_pkcs8("probe", &der).map_err(refused)?;
    write_private(&args.out, &der, args.force)?;
    let public_key = probe.public_key();
    let report = serde_json::json!({
        "key_file": args.out.display().to_string(),
        "public_key": danbao::hex(&public_key),
        "key_id": danbao::fingerprint_key_id(&public_key),
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{report}")
        .map_err(|e| word("stdout-unwritable", &[("error", &e.to_string())]))
}

fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<(), String> {
    let mut options = fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            word("file-exists", &[("path", &path.display().to_string())])
        } else {
            word(
                "file-uncreatable",
                &[
                    ("path", &path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            )
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| {
            word(
                "file-unwritable",
                &[
                    ("path", &path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            )
        })
}

/// A code the codec or the signer refused, in the run's language (English keeps the codec's
/// precise reason; other languages say it in their words).
fn refused(error: impl std::fmt::Display) -> String {
    word("encode-refused", &[("error", &error.to_string())])
}

/// A refused option value (`--amount 1.234`) in the run's language.
fn option_error(option: &str, error: WalletError) -> String {
    let texts = crate::report::run_texts();
    word(
        "encode-option-invalid",
        &[("option", option), ("error", &error.message(texts))],
    )
}
