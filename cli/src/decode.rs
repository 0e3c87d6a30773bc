//! `danbao qr decode <TEXT|->`: decode an EMV MPM payload and print one JSON report.
//!
//! The report has exactly the keys `valid`, `crc_ok`, `point_of_initiation`, `schemes`,
//! `merchant_accounts`, `mcc`, `currency`, `amount`, `country`, `merchant_name`,
//! `merchant_city`, `additional_data`, `problems` and `errors`. Exit status: 0 when the code is
//! valid (conformance problems allowed), 1 when it is invalid (including input that is not
//! UTF-8), 2 on usage errors.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use danbao_domain::qr::emv::{self, MerchantAccount, MerchantPayload, PointOfInitiation};
use danbao_domain::qr::{Inspection, inspect};
use serde::Serialize;

/// Bytes read from standard input at most; far above what any QR code holds, so the decoder's
/// own length error is what the user sees for long input.
const STDIN_LIMIT: u64 = 1 << 20;

#[derive(clap::Args)]
pub struct DecodeArgs {
    /// The payload text, or `-` to read it from standard input (one trailing newline is
    /// ignored).
    pub input: String,
}

#[derive(Serialize)]
struct Report<'a> {
    valid: bool,
    crc_ok: Option<bool>,
    point_of_initiation: Option<&'static str>,
    schemes: Vec<SchemeJson>,
    merchant_accounts: Vec<AccountJson<'a>>,
    mcc: Option<&'a str>,
    currency: Option<&'static str>,
    amount: Option<&'a str>,
    country: Option<&'a str>,
    merchant_name: Option<&'a str>,
    merchant_city: Option<&'a str>,
    additional_data: Option<AdditionalJson<'a>>,
    problems: Vec<ProblemJson>,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct SchemeJson {
    id: &'static str,
    name: &'static str,
    country: Option<&'static str>,
}

/// A primitive account has `value` and `fields: null`; a template has `guid`, `fields` and
/// `value: null`.
#[derive(Serialize)]
struct AccountJson<'a> {
    tag: String,
    guid: Option<&'a str>,
    fields: Option<BTreeMap<String, &'a str>>,
    value: Option<&'a str>,
}

#[derive(Serialize)]
struct AdditionalJson<'a> {
    bill_number: Option<&'a str>,
    mobile_number: Option<&'a str>,
    store_label: Option<&'a str>,
    loyalty_number: Option<&'a str>,
    reference_label: Option<&'a str>,
    customer_label: Option<&'a str>,
    terminal_label: Option<&'a str>,
    purpose: Option<&'a str>,
    consumer_data_request: Option<&'a str>,
    merchant_tax_id: Option<&'a str>,
    merchant_channel: Option<&'a str>,
    /// Sub-tags without a name (00, 12-99), keyed by their 2-digit id.
    other: BTreeMap<String, &'a str>,
}

#[derive(Serialize)]
struct ProblemJson {
    tag: String,
    message: String,
}

fn accounts(p: &MerchantPayload) -> Vec<AccountJson<'_>> {
    p.merchant_accounts
        .iter()
        .map(|a| match a {
            MerchantAccount::Primitive { tag, value } => AccountJson {
                tag: format!("{tag:02}"),
                guid: None,
                fields: None,
                value: Some(value),
            },
            MerchantAccount::Template { tag, guid, fields } => AccountJson {
                tag: format!("{tag:02}"),
                guid: guid.as_deref(),
                fields: Some(
                    fields
                        .iter()
                        .map(|f| (format!("{:02}", f.tag), f.value.as_str()))
                        .collect(),
                ),
                value: None,
            },
        })
        .collect()
}

fn additional(p: &MerchantPayload) -> Option<AdditionalJson<'_>> {
    let d = p.additional_data.as_ref()?;
    Some(AdditionalJson {
        bill_number: d.bill_number.as_deref(),
        mobile_number: d.mobile_number.as_deref(),
        store_label: d.store_label.as_deref(),
        loyalty_number: d.loyalty_number.as_deref(),
        reference_label: d.reference_label.as_deref(),
        customer_label: d.customer_label.as_deref(),
        terminal_label: d.terminal_label.as_deref(),
        purpose: d.purpose_of_transaction.as_deref(),
        consumer_data_request: d.consumer_data_request.as_deref(),
        merchant_tax_id: d.merchant_tax_id.as_deref(),
        merchant_channel: d.merchant_channel.as_deref(),
        other: d
            .other
            .iter()
            .map(|o| (format!("{:02}", o.tag), o.value.as_str()))
            .collect(),
    })
}

fn report(inspection: &Inspection) -> Report<'_> {
    let p = inspection.payload.as_ref();
    Report {
        valid: inspection.valid,
        crc_ok: inspection.crc_ok,
        point_of_initiation: p.and_then(|p| p.point_of_initiation.as_ref()).and_then(
            |poi| match poi {
                PointOfInitiation::Static => Some("static"),
                PointOfInitiation::Dynamic => Some("dynamic"),
                PointOfInitiation::Other(_) => None,
            },
        ),
        schemes: inspection
            .schemes
            .iter()
            .map(|s| SchemeJson {
                id: s.id,
                name: s.name,
                country: s.country,
            })
            .collect(),
        merchant_accounts: p.map(accounts).unwrap_or_default(),
        mcc: p.and_then(|p| p.merchant_category_code.as_deref()),
        currency: p
            .and_then(MerchantPayload::transaction_currency)
            .map(|c| c.code()),
        amount: p.and_then(|p| p.amount.as_deref()),
        country: p.and_then(|p| p.country_code.as_deref()),
        merchant_name: p.and_then(|p| p.merchant_name.as_deref()),
        merchant_city: p.and_then(|p| p.merchant_city.as_deref()),
        additional_data: p.and_then(additional),
        problems: inspection
            .problems
            .iter()
            .map(|x| ProblemJson {
                tag: x.tag.clone(),
                message: x.message.clone(),
            })
            .collect(),
        errors: inspection.errors.iter().map(ToString::to_string).collect(),
    }
}

/// An empty, invalid inspection for input that never reached the decoder.
fn unread() -> Inspection {
    Inspection {
        valid: false,
        crc_ok: None,
        payload: None,
        schemes: Vec::new(),
        problems: Vec::new(),
        errors: Vec::new(),
    }
}

/// Reads standard input: the text without one trailing newline, or why it cannot be read.
fn read_stdin() -> Result<String, String> {
    let mut bytes = Vec::new();
    io::stdin()
        .take(STDIN_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > STDIN_LIMIT {
        return Err(format!(
            "standard input is longer than {STDIN_LIMIT} bytes; a QR payload is at most {} bytes",
            emv::MAX_PAYLOAD_BYTES
        ));
    }
    if bytes.ends_with(b"\r\n") {
        bytes.truncate(bytes.len() - 2);
    } else if bytes.ends_with(b"\n") {
        bytes.truncate(bytes.len() - 1);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let byte = e.as_bytes().get(at).copied().unwrap_or_default();
        format!(
            "input is not UTF-8: byte 0x{byte:02X} at offset {at} does not start a valid UTF-8 sequence; an EMV payload is UTF-8 text"
        )
    })
}

/// Runs the command: prints the report and returns 0 (valid) or 1 (invalid).
pub fn run(args: DecodeArgs) -> ExitCode {
    let text = if args.input == "-" {
        read_stdin()
    } else {
        Ok(args.input)
    };
    let inspection = match &text {
        Ok(t) => inspect(t),
        Err(_) => unread(),
    };
    let mut out = report(&inspection);
    if let Err(e) = text {
        out.errors.push(e);
    }
    let json = match serde_json::to_string_pretty(&out) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("danbao qr decode: cannot write the report: {e}");
            return ExitCode::from(1);
        }
    };
    let mut stdout = io::stdout().lock();
    if writeln!(stdout, "{json}").is_err() {
        return ExitCode::from(1);
    }
    if out.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
