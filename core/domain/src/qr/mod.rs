//! QR payloads.

pub mod danbao;
pub mod emv;
mod inspect;
pub mod link;
pub mod render;
pub mod scheme;

use serde::Serialize;

use self::danbao::{DanbaoCode, DanbaoError, MerchantCode, OrderCode, ReceiveCode, Seal};
pub use self::inspect::{Inspection, inspect};

/// What a scanned text is, as far as can be told without keys, a clock or the network.
///
/// Danbao codes are read strictly (a malformed one, or one with an amount or order but no
/// signature, is [`ScanOutcome::Invalid`]), but their signature and expiry are **not** checked
/// here: before paying, call [`danbao::verify`] with the trusted keys and the current time (the
/// server verifies again in any case). Serialised with a `"kind"` field in snake case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum ScanOutcome {
    /// A Danbao merchant code, payable here: static (no amount) or with an amount (signed).
    MerchantPayment {
        /// The merchant code as read.
        code: MerchantCode,
        /// The amount for display ("128.50 CNY"), if the code has one.
        display_amount: Option<String>,
        /// The seal of a signed code (not yet verified).
        seal: Option<Seal>,
    },
    /// A Danbao per-order code: pay this order into escrow.
    DanbaoOrder {
        /// The order code as read.
        code: OrderCode,
        /// The amount for display ("128.50 CNY").
        display_amount: String,
        /// The seal (not yet verified); order codes are always signed.
        seal: Seal,
    },
    /// A friend's Danbao receive code.
    FriendReceive {
        /// The receive code as read.
        code: ReceiveCode,
        /// The requested amount for display, if any.
        display_amount: Option<String>,
        /// The seal of a code with an amount (not yet verified).
        seal: Option<Seal>,
    },
    /// A consumer-presented 18-digit payment code: the scanner is a merchant's till, which
    /// charges it through the server (only the server can tell whether it is genuine).
    PaymentCode {
        /// The 18 digits.
        code: String,
    },
    /// A well-formed EMV merchant code of networks this wallet cannot pay.
    ForeignScheme {
        /// The networks the code carries (empty when none is known to the registry).
        schemes: Vec<ForeignNetwork>,
        /// One line for a person, e.g. "PromptPay (TH): not payable with Danbao".
        description: String,
        /// The merchant name printed in the code (tag 59), if any.
        merchant_name: Option<String>,
        /// The country printed in the code (tag 58), if any.
        country: Option<String>,
    },
    /// Not something this wallet can use, with the reasons.
    Invalid {
        /// Why, one sentence each.
        reasons: Vec<String>,
    },
}

/// A payment network found in a foreign code (a row of [`scheme::SCHEMES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ForeignNetwork {
    /// Registry id, e.g. "promptpay".
    pub id: String,
    /// Name for a person, e.g. "PromptPay".
    pub name: String,
    /// ISO 3166-1 alpha-2 country of a domestic scheme, e.g. "TH".
    pub country: Option<String>,
}

/// Classifies a scanned text: Danbao code, payment code, foreign EMV code or invalid. A
/// payment link ([`link`]: `https://<host>/pay?code=…` or `danbao://pay?code=…`) is read as
/// the code it carries, which must be a merchant, order or receive code.
///
/// Pure: no I/O, no clock, no keys. Surrounding whitespace is ignored. See [`ScanOutcome`] for
/// what is and is not checked.
pub fn scan(text: &str) -> ScanOutcome {
    let text = text.trim();
    if text.is_empty() {
        return invalid("nothing was scanned: the text is empty");
    }
    match link::code_of_link(text) {
        None => scan_code(text),
        Some(Err(error)) => invalid(&error.to_string()),
        Some(Ok(code)) if looks_like_payment_code(code.trim()) => invalid(
            "a payment link carries a merchant, order or receive code, never a customer's \
             payment code",
        ),
        Some(Ok(code)) => scan_code(code.trim()),
    }
}

/// Digits only, and not the start of an EMV code: read as a payment code.
fn looks_like_payment_code(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with("00")
}

/// [`scan`] of a code itself (not a link).
fn scan_code(text: &str) -> ScanOutcome {
    if text.is_empty() {
        return invalid("nothing was scanned: the text is empty");
    }
    if text.len() > emv::MAX_PAYLOAD_BYTES {
        return invalid(&format!(
            "the text is {} bytes long; a QR code carries at most {} bytes, so this is not a scanned code",
            text.len(),
            emv::MAX_PAYLOAD_BYTES
        ));
    }
    if looks_like_payment_code(text) {
        return match crate::paycode::check_format(text) {
            Ok(()) => ScanOutcome::PaymentCode {
                code: text.to_owned(),
            },
            Err(error) => invalid(&format!("not a payment code: {error}")),
        };
    }
    let danbao_error = match danbao::parse(text) {
        Ok(parsed) => return danbao_outcome(parsed.code, parsed.seal),
        Err(DanbaoError::NotDanbao) => None,
        Err(error @ DanbaoError::Structure { .. }) => Some(error),
        Err(error) => return invalid(&error.to_string()),
    };
    let inspection = inspect(text);
    let Some(payload) = inspection.payload.filter(|_| inspection.valid) else {
        let mut reasons = vec![not_emv_reason(text)];
        reasons.extend(inspection.errors.iter().map(ToString::to_string));
        return ScanOutcome::Invalid { reasons };
    };
    if inspection.schemes.iter().any(|s| s.id == "danbao") {
        // It claims to be ours but is not a well-formed Danbao code.
        let detail = danbao_error.map_or_else(
            || "the Danbao template is not where or what a Danbao code has".to_owned(),
            |e| e.to_string(),
        );
        return invalid(&format!(
            "carries the Danbao template but is not a valid Danbao code: {detail}"
        ));
    }
    let schemes: Vec<ForeignNetwork> = inspection
        .schemes
        .iter()
        .map(|s| ForeignNetwork {
            id: s.id.to_owned(),
            name: s.name.to_owned(),
            country: s.country.map(str::to_owned),
        })
        .collect();
    let description = if schemes.is_empty() {
        "an EMV merchant code of no network this wallet knows: not payable with Danbao".to_owned()
    } else {
        let names: Vec<String> = schemes
            .iter()
            .map(|s| match &s.country {
                Some(country) => format!("{} ({country})", s.name),
                None => s.name.clone(),
            })
            .collect();
        format!("{}: not payable with Danbao", names.join(", "))
    };
    ScanOutcome::ForeignScheme {
        schemes,
        description,
        merchant_name: payload.merchant_name.clone(),
        country: payload.country_code.clone(),
    }
}

fn danbao_outcome(code: DanbaoCode, seal: Option<Seal>) -> ScanOutcome {
    let display_amount = code.amount().map(|m| m.format_with_code());
    match code {
        DanbaoCode::Merchant(code) => ScanOutcome::MerchantPayment {
            code,
            display_amount,
            seal,
        },
        DanbaoCode::Order(code) => match seal {
            Some(seal) => ScanOutcome::DanbaoOrder {
                display_amount: display_amount.unwrap_or_default(),
                code,
                seal,
            },
            // danbao::parse refuses unsigned order codes; kept total rather than trusted.
            None => invalid("order code carries no signature"),
        },
        DanbaoCode::Receive(code) => ScanOutcome::FriendReceive {
            code,
            display_amount,
            seal,
        },
    }
}

fn not_emv_reason(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        "a web address, not a payment code: Danbao pays EMV merchant codes, 18-digit payment codes and payment links (https://<host>/pay?code=…), never other links".to_owned()
    } else if !text.starts_with("000201") {
        "not a payment code: an EMV merchant code starts with \"000201\" and a payment code is 18 digits".to_owned()
    } else {
        "not a well-formed EMV merchant code".to_owned()
    }
}

fn invalid(reason: &str) -> ScanOutcome {
    ScanOutcome::Invalid {
        reasons: vec![reason.to_owned()],
    }
}
