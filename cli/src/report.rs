//! What a wallet command prints and how it exits.
//!
//! Every command yields a [`Report`]: readable text (default) and a JSON value (`--json`), both
//! on standard output. Refusals go to standard error with the precise message.
//!
//! Exit codes: 0 done; 1 refused or failed (nothing happened, or the server said no); 2 usage;
//! 3 queued — the command is safely in the outbox but the server has not answered yet (do NOT
//! issue it again: `danbao outbox flush` resends it with the same idempotency key).

use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;

use crate::words::word;
use danbao_client::i18n::{Texts, Zone};
use danbao_client::{
    ActivityItem, Amount, BalanceLine, CodeView, CommandOutcome, OrderSummary, OutboxItem,
    OutcomeState, PaymentCodeView, Profile, RequestView, ScanKind, ScanScreen, WalletError,
};
use serde_json::{Value, json};

/// Exit code: refused or failed.
const EXIT_REFUSED: u8 = 1;
/// Exit code: usage error (clap's convention).
const EXIT_USAGE: u8 = 2;
/// Exit code: queued in the outbox, outcome not known yet.
const EXIT_QUEUED: u8 = 3;

/// A command that could not run or was refused.
#[derive(Debug)]
pub struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// Refused or failed (exit 1).
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_REFUSED,
        }
    }

    /// A usage error that clap could not catch (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_USAGE,
        }
    }
}

impl Failure {
    /// The sentence shown.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The failure with `what` in front: "cannot open the wallet: …".
    pub fn context(self, what: &str) -> Self {
        Self {
            message: format!("{what}: {}", self.message),
            code: self.code,
        }
    }
}

/// The words of this run's locale (one per process: the CLI serves one user in one
/// language); set by [`choose_locale`], English until then.
static TEXTS: OnceLock<Texts> = OnceLock::new();

fn texts() -> &'static Texts {
    TEXTS.get_or_init(Texts::english)
}

/// The core's words of this run (for errors said outside a wallet, e.g. by `qr encode`).
pub fn run_texts() -> &'static Texts {
    texts()
}

/// The locale of this run: `--lang`/`DANBAO_LANG`, else the environment's `LC_ALL`,
/// `LC_MESSAGES` or `LANG` (POSIX forms such as `zh_CN.UTF-8` are read), else English. A
/// tag that cannot be read falls back to English with a warning on standard error.
pub fn choose_locale(lang: Option<&str>) -> String {
    let from_env = || {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.trim().is_empty())
    };
    let wanted = lang.map(str::to_owned).or_else(from_env);
    let mut warning = None;
    let chosen = match wanted.as_deref().map(Texts::new) {
        Some(Ok(texts)) => texts,
        Some(Err(error)) => {
            warning = Some(error.tag);
            Texts::english()
        }
        None => Texts::english(),
    };
    let tag = chosen.tag().to_owned();
    crate::words::choose(&tag);
    if let Some(tag) = warning {
        eprintln!("{}", word("warning-locale", &[("tag", &tag)]));
    }
    let chosen = match crate::words::cli_time_zone() {
        zone if zone.is_empty() => chosen,
        zone => match Zone::named(&zone) {
            Ok(zone) => chosen.in_time_zone(zone),
            Err(_) => chosen,
        },
    };
    let _ = TEXTS.set(chosen);
    tag
}

impl From<WalletError> for Failure {
    fn from(error: WalletError) -> Self {
        Self::refused(error.message(texts()))
    }
}

/// What a command tells its user.
pub struct Report {
    /// Readable text (printed as is, newline added).
    pub text: String,
    /// The machine form (`--json`).
    pub json: Value,
    /// The outcome: decides the exit code and what goes to standard error.
    pub status: Status,
}

/// How a command ended.
pub enum Status {
    /// It did what was asked.
    Done,
    /// The server refused it or it could not be done; the message goes to standard error.
    Refused(String),
    /// It waits in the outbox; the message goes to standard error.
    Queued(String),
}

impl Report {
    /// A successful report.
    pub fn done(text: impl Into<String>, json: Value) -> Self {
        Self {
            text: text.into(),
            json,
            status: Status::Done,
        }
    }

    /// The report of an outbox command: done, failed (with the server's detail) or queued.
    pub fn outcome(outcome: &CommandOutcome) -> Self {
        let json = outcome_json(outcome);
        match outcome.state {
            OutcomeState::Done => Self::done(outcome.message.clone(), json),
            OutcomeState::Queued => Self {
                text: word("queued", &[("id", &outcome.command_id.to_string())]),
                json,
                status: Status::Queued(word("queued-detail", &[("message", &outcome.message)])),
            },
            // The message goes to standard error only: printing it twice helps nobody.
            OutcomeState::Failed => Self {
                text: String::new(),
                json,
                status: Status::Refused(outcome.message.clone()),
            },
        }
    }
}

/// Prints a command's result and returns its exit code.
pub fn finish(result: Result<Report, Failure>, as_json: bool) -> ExitCode {
    match result {
        Ok(report) => {
            let mut stdout = std::io::stdout().lock();
            let printed = if as_json {
                match serde_json::to_string_pretty(&report.json) {
                    Ok(text) => writeln!(stdout, "{text}"),
                    Err(e) => {
                        eprintln!("danbao: cannot write the JSON report: {e}");
                        return ExitCode::from(EXIT_REFUSED);
                    }
                }
            } else if report.text.is_empty() {
                Ok(())
            } else {
                writeln!(stdout, "{}", report.text.trim_end())
            };
            if printed.is_err() {
                return ExitCode::from(EXIT_REFUSED);
            }
            match report.status {
                Status::Done => ExitCode::SUCCESS,
                Status::Refused(message) => {
                    eprintln!("danbao: {message}");
                    ExitCode::from(EXIT_REFUSED)
                }
                Status::Queued(message) => {
                    eprintln!("danbao: {message}");
                    ExitCode::from(EXIT_QUEUED)
                }
            }
        }
        Err(failure) => {
            eprintln!("danbao: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Reads a QR payload argument: the text itself, or `-` for standard input (one trailing
/// newline dropped).
pub fn read_arg(text: &str) -> Result<String, Failure> {
    use std::io::Read;
    if text != "-" {
        return Ok(text.to_owned());
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::refused(word("stdin-unreadable", &[("error", &e.to_string())])))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Failure::refused(word("stdin-not-utf8", &[("error", &e.to_string())])))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_owned())
}

/// Writes an SVG file, refusing with the path and reason on error.
pub fn write_svg(path: &std::path::Path, svg: &str) -> Result<(), Failure> {
    std::fs::write(path, svg).map_err(|e| {
        Failure::refused(word(
            "svg-unwritable",
            &[
                ("path", &path.display().to_string()),
                ("error", &e.to_string()),
            ],
        ))
    })
}

/// Writes a code's text (one line) to a file, refusing with the path and reason on error.
pub fn write_text(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, format!("{text}\n")).map_err(|e| {
        Failure::refused(word(
            "code-unwritable",
            &[
                ("path", &path.display().to_string()),
                ("error", &e.to_string()),
            ],
        ))
    })
}

/// `2025-01-31 14:05 UTC` from unix seconds (proleptic Gregorian; civil-from-days after
/// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
/// `unix` seconds as this run's locale writes a date, in its zone (`TZ`, else UTC).
pub fn when(unix: i64) -> String {
    texts().date_time(unix)
}

// ---- JSON forms of the facade's views (field names as in the facade) ----

/// An amount: raw minor units and the formatted forms.
pub fn amount_json(amount: &Amount) -> Value {
    json!({
        "minor": amount.minor,
        "currency": amount.currency,
        "value": amount.value,
        "display": amount.display,
    })
}

/// The signed-up profile.
pub fn profile_json(profile: &Profile) -> Value {
    json!({
        "user_id": profile.user_id,
        "handle": profile.handle,
        "display_name": profile.display_name,
        "device_id": profile.device_id,
        "server_url": profile.server_url,
    })
}

/// One currency's balance.
pub fn balance_json(line: &BalanceLine) -> Value {
    json!({
        "currency": line.currency,
        "available": amount_json(&line.available),
        "held_out": amount_json(&line.held_out),
        "incoming": amount_json(&line.incoming),
    })
}

/// One activity row.
pub fn activity_json(item: &ActivityItem) -> Value {
    json!({
        "seq": item.seq,
        "kind": item.kind,
        "direction": item.direction,
        "amount": amount_json(&item.amount),
        "counterparty": item.counterparty,
        "counterparty_name": item.counterparty_name,
        "memo": item.memo,
        "created_at": item.created_at,
        "title": item.title,
    })
}

/// An order as this user sees it.
pub fn order_json(order: &OrderSummary) -> Value {
    json!({
        "id": order.id,
        "title": order.title,
        "role": order.role,
        "state": order.state,
        "state_label": order.state_label,
        "amount": amount_json(&order.amount),
        "actions": order.actions,
        "buttons": order.buttons.iter().map(|b| json!({
            "action": b.action,
            "label": b.label,
        })).collect::<Vec<_>>(),
        "deadline": order.deadline,
        "deadline_label": order.deadline_label,
        "counterparty": order.counterparty,
        "shipment": order.shipment.as_ref().map(|s| json!({
            "carrier": s.carrier,
            "tracking": s.tracking,
        })),
        "refund_asked": order.refund_asked.as_ref().map(amount_json),
        "released": order.released.as_ref().map(amount_json),
        "refunded": order.refunded.as_ref().map(amount_json),
    })
}

/// One outbox command.
pub fn outbox_json(item: &OutboxItem) -> Value {
    json!({
        "id": item.id,
        "kind": item.kind,
        "state": item.state,
        "summary": item.summary,
        "outcome": item.outcome,
        "attempts": item.attempts,
    })
}

/// The result of an outbox command.
pub fn outcome_json(outcome: &CommandOutcome) -> Value {
    json!({
        "command_id": outcome.command_id,
        "idempotency_key": outcome.idempotency_key,
        "state": outcome.state,
        "message": outcome.message,
        "transfer_id": outcome.transfer_id,
    })
}

/// A QR code to show.
pub fn code_json(code: &CodeView) -> Value {
    json!({
        "text": code.text,
        "amount": code.amount.as_ref().map(amount_json),
        "expires_at": code.expires_at,
    })
}

/// The offline payment code.
pub fn payment_code_json(code: &PaymentCodeView) -> Value {
    json!({
        "digits": code.digits,
        "seconds_remaining": code.seconds_remaining,
        "valid_until": code.valid_until,
    })
}

/// A money request.
pub fn request_json(request: &RequestView) -> Value {
    json!({
        "id": request.id,
        "requester": request.requester,
        "payer": request.payer,
        "amount": amount_json(&request.amount),
        "note": request.note,
        "status": request.status,
    })
}

/// The scan kind as a stable word.
pub fn scan_kind_word(kind: &ScanKind) -> &'static str {
    match kind {
        ScanKind::MerchantPayment => "merchant_payment",
        ScanKind::DanbaoOrder => "danbao_order",
        ScanKind::FriendReceive => "friend_receive",
        ScanKind::PaymentCode => "payment_code",
        ScanKind::ForeignScheme => "foreign_scheme",
        ScanKind::Invalid => "invalid",
    }
}

/// The confirm screen.
pub fn scan_json(screen: &ScanScreen) -> Value {
    json!({
        "kind": scan_kind_word(&screen.kind),
        "payable": screen.payable,
        "payee_handle": screen.payee_handle,
        "payee_name": screen.payee_name,
        "printed_name": screen.printed_name,
        "name_warning": screen.name_warning,
        "amount": screen.amount.as_ref().map(amount_json),
        "needs_amount": screen.needs_amount,
        "currency": screen.currency,
        "order_id": screen.order_id,
        "scheme": screen.scheme,
        "reasons": screen.reasons,
        "code": screen.code,
    })
}
