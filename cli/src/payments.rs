//! Moving money: scan and pay a code, send to a friend, request money, show my receive code and
//! my payment code.

use crate::words::word;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use danbao_client::{ScanKind, ScanScreen, Wallet};
use serde_json::json;

use crate::report::{
    Failure, Report, code_json, payment_code_json, read_arg, request_json, scan_json, when,
    write_svg, write_text,
};

/// Arguments of `danbao scan`.
#[derive(clap::Args)]
pub struct ScanArgs {
    /// The scanned QR text, or - to read it from standard input.
    text: String,
}

/// Arguments of `danbao pay`.
#[derive(clap::Args)]
pub struct PayArgs {
    /// The code to pay (merchant, receive or order code), or - for standard input.
    code: String,
    /// The amount, for a code that carries none, e.g. 12.50.
    #[arg(long)]
    amount: Option<String>,
}

/// Arguments of `danbao send`.
#[derive(clap::Args)]
pub struct SendArgs {
    /// The friend's handle.
    handle: String,
    /// The amount, e.g. 12.50.
    amount: String,
    /// ISO 4217 code, e.g. CNY.
    currency: String,
    /// A note the friend sees.
    #[arg(long, default_value = "")]
    memo: String,
}

/// Arguments of `danbao request`.
#[derive(clap::Args)]
pub struct RequestArgs {
    /// Who should pay.
    handle: String,
    /// The amount, e.g. 30.00.
    amount: String,
    /// ISO 4217 code, e.g. CNY.
    currency: String,
    /// What it is for.
    #[arg(long, default_value = "")]
    note: String,
}

/// `danbao requests accept|decline ID`.
#[derive(clap::Subcommand)]
pub enum RequestsCommand {
    /// Pay a request someone sent you.
    Accept {
        /// The request id.
        id: i64,
    },
    /// Refuse a request someone sent you.
    Decline {
        /// The request id.
        id: i64,
    },
}

/// Arguments of `danbao receive-code`.
#[derive(clap::Args)]
pub struct ReceiveCodeArgs {
    /// A fixed amount the payer cannot change (the code is then signed and expires).
    #[arg(long)]
    amount: Option<String>,
    /// ISO 4217 code.
    #[arg(long, default_value = "CNY")]
    currency: String,
    /// Also write the QR code as SVG to this file.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Also write the code's text to this file (for `danbao pay - < FILE`).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Arguments of `danbao pay-code`.
#[derive(clap::Args)]
pub struct PayCodeArgs {
    /// Provision the payment code with the server first (needed once per device).
    #[arg(long)]
    enable: bool,
    /// Also write the QR code as SVG to this file.
    #[arg(long)]
    svg: Option<PathBuf>,
}

/// The confirm screen as text.
fn screen_text(screen: &ScanScreen) -> String {
    let mut text = String::new();
    let title = match screen.kind {
        ScanKind::MerchantPayment => "scan-merchant",
        ScanKind::DanbaoOrder => "scan-order",
        ScanKind::FriendReceive => "scan-friend",
        ScanKind::PaymentCode => "scan-payment-code",
        ScanKind::ForeignScheme => "scan-foreign",
        ScanKind::Invalid => "scan-invalid",
    };
    let _ = writeln!(text, "{}", word(title, &[]));
    if let Some(name) = &screen.payee_name {
        let handle = screen
            .payee_handle
            .as_ref()
            .map(|h| format!(" (@{h})"))
            .unwrap_or_default();
        let payee = format!("{name}{handle}");
        let _ = writeln!(text, "{}", word("scan-pay-to", &[("payee", &payee)]));
    }
    if let Some(warning) = &screen.name_warning {
        let _ = writeln!(text, "{}", word("scan-warning", &[("warning", warning)]));
    }
    if let Some(scheme) = &screen.scheme {
        let _ = writeln!(text, "{}", word("scan-scheme", &[("scheme", scheme)]));
    }
    match (&screen.amount, screen.needs_amount) {
        (Some(amount), _) => {
            let _ = writeln!(
                text,
                "{}",
                word("scan-amount", &[("amount", &amount.display)])
            );
        }
        (None, true) => {
            let needed = match screen.currency.as_deref() {
                Some(currency) => word("scan-amount-needed-in", &[("currency", currency)]),
                None => word("scan-amount-needed", &[]),
            };
            let _ = writeln!(text, "{needed}");
        }
        (None, false) => {}
    }
    if let Some(order) = &screen.order_id {
        let _ = writeln!(text, "{}", word("scan-order-id", &[("order", order)]));
    }
    for reason in &screen.reasons {
        let _ = writeln!(text, "{}", word("scan-problem", &[("reason", reason)]));
    }
    let payable = match (screen.payable, screen.needs_amount) {
        (true, true) => "scan-payable-amount",
        (true, false) => "scan-payable",
        (false, _) => "scan-not-payable",
    };
    let _ = write!(text, "{}", word(payable, &[]));
    text
}

/// `danbao scan`: exit 0 when the code can be paid, 1 when it cannot (the reasons are shown).
pub async fn scan(wallet: &Wallet, args: ScanArgs) -> Result<Report, Failure> {
    let text = read_arg(&args.text)?;
    let screen = wallet.scan(&text).await?;
    let mut report = Report::done(screen_text(&screen), scan_json(&screen));
    if !screen.payable {
        let why = if screen.reasons.is_empty() {
            word("scan-cannot-pay", &[])
        } else {
            screen.reasons.join(&word("list-separator", &[]))
        };
        report.status =
            crate::report::Status::Refused(word("scan-not-payable-why", &[("why", &why)]));
    }
    Ok(report)
}

/// `danbao pay`.
pub async fn pay(wallet: &Wallet, args: PayArgs) -> Result<Report, Failure> {
    let code = read_arg(&args.code)?;
    let outcome = wallet.pay(&code, args.amount.as_deref()).await?;
    Ok(Report::outcome(&outcome))
}

/// `danbao send`.
pub async fn send(wallet: &Wallet, args: SendArgs) -> Result<Report, Failure> {
    let handle = args.handle.trim_start_matches('@');
    let outcome = wallet
        .send(handle, &args.amount, &args.currency, &args.memo)
        .await?;
    Ok(Report::outcome(&outcome))
}

/// `danbao request`.
pub async fn request(wallet: &Wallet, args: RequestArgs) -> Result<Report, Failure> {
    let handle = args.handle.trim_start_matches('@');
    let request = wallet
        .request_money(handle, &args.amount, &args.currency, &args.note)
        .await?;
    let id = request.id.to_string();
    let mut args = vec![
        ("id", id.as_str()),
        ("payer", request.payer.as_str()),
        ("amount", request.amount.display.as_str()),
    ];
    let message = if request.note.is_empty() {
        "request-sent"
    } else {
        args.push(("note", request.note.as_str()));
        "request-sent-note"
    };
    let text = word(message, &args);
    Ok(Report::done(text, request_json(&request)))
}

/// `danbao requests accept|decline`.
pub async fn answer(wallet: &Wallet, command: RequestsCommand) -> Result<Report, Failure> {
    let (id, accept) = match command {
        RequestsCommand::Accept { id } => (id, true),
        RequestsCommand::Decline { id } => (id, false),
    };
    let outcome = wallet.answer_request(id, accept).await?;
    Ok(Report::outcome(&outcome))
}

/// `danbao receive-code`.
pub async fn receive_code(wallet: &Wallet, args: ReceiveCodeArgs) -> Result<Report, Failure> {
    let code = wallet
        .receive_code(args.amount.as_deref(), &args.currency)
        .await?;
    let mut text = word("receive-code", &[("code", &code.text)]);
    text.push('\n');
    match &code.amount {
        Some(amount) => {
            let _ = writeln!(
                text,
                "{}",
                word("receive-amount", &[("amount", &amount.display)])
            );
        }
        None => {
            let _ = writeln!(text, "{}", word("receive-amount-open", &[]));
        }
    }
    if let Some(expires) = code.expires_at {
        let _ = writeln!(
            text,
            "{}",
            word("receive-expires", &[("when", &when(expires))])
        );
    }
    let mut json = code_json(&code);
    if let Some(path) = &args.svg {
        write_svg(path, &code.svg)?;
        let _ = writeln!(
            text,
            "{}",
            word("file-svg", &[("path", &path.display().to_string())])
        );
        json["svg_file"] = json!(path.display().to_string());
    }
    if let Some(path) = &args.out {
        write_text(path, &code.text)?;
        let _ = writeln!(
            text,
            "{}",
            word("file-text", &[("path", &path.display().to_string())])
        );
        json["text_file"] = json!(path.display().to_string());
    }
    Ok(Report::done(text, json))
}

/// `danbao pay-code`: the offline 18-digit payment code.
pub async fn pay_code(wallet: &Wallet, args: PayCodeArgs) -> Result<Report, Failure> {
    if args.enable {
        wallet.enable_payment_code().await?;
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Failure::refused(word("clock-before-1970", &[])))?
        .as_secs();
    let code = wallet.payment_code(now)?;
    let mut text = word(
        "payment-code",
        &[
            ("digits", &code.digits),
            ("seconds", &code.seconds_remaining.to_string()),
        ],
    );
    text.push('\n');
    let mut json = payment_code_json(&code);
    if let Some(path) = &args.svg {
        write_svg(path, &code.svg)?;
        let _ = writeln!(
            text,
            "{}",
            word("file-svg", &[("path", &path.display().to_string())])
        );
        json["svg_file"] = json!(path.display().to_string());
    }
    Ok(Report::done(text, json))
}
