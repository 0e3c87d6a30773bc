//! Conformance: the EMV MPM rules a structurally sound payload may still break.
//!
//! Real schemes bend the spec (some omit 52, 59 or 60), so a problem never rejects a code: it is
//! reported with the id it concerns, and the caller decides.

use std::str::FromStr;

use iso_currency::Country;

use crate::money::{Currency, Money};

use super::decode::TextFacts;
use super::model::{DataObject, MerchantAccount, MerchantPayload};

/// Payloads longer than this break EMV MPM's size rule (a conformance problem, not an error).
pub const SPEC_MAX_CHARS: usize = 512;

/// One broken conformance rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// The data object concerned: `"54"`, `"62.09"` (template, sub-tag), `"02-51"` for the
    /// merchant accounts as a whole, or `"payload"` for the whole text.
    pub tag: String,
    /// What is wrong and what would be right.
    pub message: String,
}

struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, tag: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            tag: tag.into(),
            message: message.into(),
        });
    }
}

fn name(template: Option<u8>, tag: u8) -> String {
    match template {
        Some(t) => format!("{t:02}.{tag:02}"),
        None => format!("{tag:02}"),
    }
}

fn chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn max_len(out: &mut Problems, tag: &str, what: &str, value: &str, max: usize) {
    let n = chars(value);
    if n > max {
        out.add(
            tag,
            format!("{what} is {n} characters long; at most {max} are allowed"),
        );
    }
}

fn mandatory<'a>(
    out: &mut Problems,
    tag: &str,
    what: &str,
    value: Option<&'a String>,
) -> Option<&'a str> {
    if value.is_none() {
        out.add(tag, format!("{what} ({tag}) is missing; it is mandatory"));
    }
    value.map(String::as_str)
}

/// Parses a decimal of digits with at most one '.'; returns the number of decimals and whether
/// any digit is non-zero.
fn decimal(value: &str) -> Option<(usize, bool)> {
    let (int, frac) = match value.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (value, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) || int.len() + frac.map_or(0, str::len) == 0 {
        return None;
    }
    let nonzero = value.bytes().any(|b| (b'1'..=b'9').contains(&b));
    Some((frac.map_or(0, str::len), nonzero))
}

fn check_amount(
    out: &mut Problems,
    tag: &str,
    what: &str,
    value: &str,
    currency: Option<Currency>,
) {
    max_len(out, tag, what, value, 13);
    if let Some(c) = currency {
        match Money::parse(value, c) {
            Ok(m) if m.is_zero() => out.add(
                tag,
                format!("{what} {value:?} is zero; omit it to let the payer enter the amount"),
            ),
            Ok(_) => {}
            Err(e) => out.add(tag, format!("{what}: {e}")),
        }
        return;
    }
    // Without a known currency only the shape can be checked.
    match decimal(value) {
        None => out.add(
            tag,
            format!(
                "{what} {value:?} is not an amount: write digits with an optional '.' decimal mark, e.g. \"12.50\""
            ),
        ),
        Some((_, false)) => out.add(
            tag,
            format!("{what} {value:?} is zero; omit it to let the payer enter the amount"),
        ),
        Some(_) => {}
    }
}

/// Visits every primitive value, top level and inside templates, as (template, tag, value).
fn each_value(p: &MerchantPayload, mut f: impl FnMut(Option<u8>, u8, &str)) {
    let top: [(u8, Option<&String>); 11] = [
        (0, p.payload_format_indicator.as_ref()),
        (52, p.merchant_category_code.as_ref()),
        (53, p.currency.as_ref()),
        (54, p.amount.as_ref()),
        (55, p.tip_indicator.as_ref()),
        (56, p.convenience_fee_fixed.as_ref()),
        (57, p.convenience_fee_percentage.as_ref()),
        (58, p.country_code.as_ref()),
        (59, p.merchant_name.as_ref()),
        (60, p.merchant_city.as_ref()),
        (61, p.postal_code.as_ref()),
    ];
    for (tag, v) in top {
        if let Some(v) = v {
            f(None, tag, v);
        }
    }
    if let Some(poi) = &p.point_of_initiation {
        f(None, 1, poi.as_value());
    }
    let fields = |f: &mut dyn FnMut(Option<u8>, u8, &str),
                  t: u8,
                  guid: Option<&String>,
                  fs: &[DataObject]| {
        if let Some(g) = guid {
            f(Some(t), 0, g);
        }
        for d in fs {
            f(Some(t), d.tag, &d.value);
        }
    };
    for a in &p.merchant_accounts {
        match a {
            MerchantAccount::Primitive { tag, value } => f(None, *tag, value),
            MerchantAccount::Template {
                tag,
                guid,
                fields: fs,
            } => fields(&mut f, *tag, guid.as_ref(), fs),
        }
    }
    if let Some(d) = &p.additional_data {
        for (sub, _, v) in d.named() {
            if let Some(v) = v {
                f(Some(62), sub, v);
            }
        }
        fields(&mut f, 62, None, &d.other);
    }
    if let Some(l) = &p.alternate_language {
        for (sub, v) in [
            (0, l.language_preference.as_ref()),
            (1, l.merchant_name.as_ref()),
            (2, l.merchant_city.as_ref()),
        ] {
            if let Some(v) = v {
                f(Some(64), sub, v);
            }
        }
        fields(&mut f, 64, None, &l.other);
    }
    for t in &p.unreserved_templates {
        fields(&mut f, t.tag, t.guid.as_ref(), &t.fields);
    }
    for o in &p.other {
        f(None, o.tag, &o.value);
    }
}

/// Checks `payload` against the EMV MPM v1.1 rules and returns every problem found, in id order
/// (an empty list for a conformant payload).
///
/// Rules: 00 present and `"01"`; 01 `"11"` or `"12"`; at least one merchant account (02-51),
/// each template with a GUID (sub-tag 00, at most 32 characters); 52 four digits; 53 a known
/// ISO 4217 numeric code; 54 at most 13 characters, digits with an optional '.', no more
/// decimals than the currency allows, not zero; 55 `"01"`/`"02"`/`"03"`, 56 present exactly
/// when 55 is `"02"`, 57 exactly when 55 is `"03"` and a percentage 00.01-99.99; 58 an ISO 3166
/// alpha-2 code; 59 at most 25 characters, 60 at most 15, 61 at most 10; 62's sub-tags within
/// their lengths and 09 only `A`/`M`/`E`; 64 with language (2 letters) and name; 80-99 with a
/// GUID; no empty values and no control characters.
///
/// Rules about the text itself (00 first, upper-case CRC, at most 512 characters) need the
/// text: [`inspect`](super::inspect) adds them.
// Long (164 lines): the EMV MPM rule table written as one list of checks, one short block per
// tag in the specification's order, so a reader can hold it against the table line by line.
pub fn check(payload: &MerchantPayload) -> Vec<Problem> {
    let mut out = Problems(Vec::new());
    let p = payload;

    match p.payload_format_indicator.as_deref() {
        None => out.add("00", "payload format indicator (00) is missing; it must be the first data object, \"000201\""),
        Some("01") => {}
        Some(v) => out.add("00", format!("payload format indicator is {v:?}; it must be \"01\"")),
    }
    if let Some(poi) = &p.point_of_initiation
        && !matches!(poi.as_value(), "11" | "12")
    {
        out.add(
            "01",
            format!(
                "point of initiation is {:?}; it must be \"11\" (static) or \"12\" (dynamic)",
                poi.as_value()
            ),
        );
    }

    if p.merchant_accounts.is_empty() {
        out.add(
            "02-51",
            "no merchant account information (ids 02-51); at least one is mandatory",
        );
    }
    for a in &p.merchant_accounts {
        if let MerchantAccount::Template { tag, guid, .. } = a {
            check_guid(&mut out, *tag, guid.as_deref(), "merchant account template");
        }
    }

    if let Some(mcc) = mandatory(
        &mut out,
        "52",
        "merchant category code",
        p.merchant_category_code.as_ref(),
    ) && (mcc.len() != 4 || !mcc.bytes().all(|b| b.is_ascii_digit()))
    {
        out.add(
            "52",
            format!("merchant category code {mcc:?} must be 4 digits (ISO 18245), e.g. \"5411\""),
        );
    }

    let mut currency = None;
    if let Some(code) = mandatory(&mut out, "53", "transaction currency", p.currency.as_ref()) {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            out.add(
                "53",
                format!("transaction currency {code:?} must be a 3-digit ISO 4217 numeric code, e.g. \"986\" for BRL"),
            );
        } else {
            match Currency::from_code(code) {
                Ok(c) => currency = Some(c),
                Err(e) => out.add("53", format!("transaction currency: {e}")),
            }
        }
    }
    if let Some(amount) = &p.amount {
        check_amount(&mut out, "54", "transaction amount", amount, currency);
    }

    check_tip(&mut out, p, currency);

    if let Some(cc) = mandatory(&mut out, "58", "country code", p.country_code.as_ref()) {
        let shaped = cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_uppercase());
        if !shaped || Country::from_str(cc).is_err() {
            out.add(
                "58",
                format!("country code {cc:?} is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. \"BR\")"),
            );
        }
    }
    if let Some(n) = mandatory(&mut out, "59", "merchant name", p.merchant_name.as_ref()) {
        max_len(&mut out, "59", "merchant name", n, 25);
    }
    if let Some(c) = mandatory(&mut out, "60", "merchant city", p.merchant_city.as_ref()) {
        max_len(&mut out, "60", "merchant city", c, 15);
    }
    if let Some(pc) = &p.postal_code {
        max_len(&mut out, "61", "postal code", pc, 10);
    }

    if let Some(d) = &p.additional_data {
        if d.named().iter().all(|(_, _, v)| v.is_none()) && d.other.is_empty() {
            out.add("62", "additional data template (62) is empty; omit it");
        }
        for (sub, field, v) in d.named() {
            let Some(v) = v else { continue };
            let tag = name(Some(62), sub);
            let max = match sub {
                9 => 3,
                10 => 20,
                11 => 3,
                _ => 25,
            };
            max_len(&mut out, &tag, field, v, max);
        }
        if let Some(req) = &d.consumer_data_request {
            let mut seen = [false; 3];
            let ok = req.chars().all(|c| {
                let i = match c {
                    'A' => 0,
                    'M' => 1,
                    'E' => 2,
                    _ => return false,
                };
                !std::mem::replace(&mut seen[i], true)
            });
            if !ok {
                out.add(
                    "62.09",
                    format!("consumer data request {req:?} may only list A (address), M (mobile) and E (email), each once"),
                );
            }
        }
    }

    if let Some(l) = &p.alternate_language {
        match l.language_preference.as_deref() {
            None => out.add("64.00", "alternate language template has no language preference (64.00); it is mandatory"),
            Some(lang) if lang.len() != 2 || !lang.bytes().all(|b| b.is_ascii_alphabetic()) => out.add(
                "64.00",
                format!("language preference {lang:?} must be an ISO 639-1 code of two letters, e.g. \"zh\""),
            ),
            Some(_) => {}
        }
        match &l.merchant_name {
            None => out.add(
                "64.01",
                "alternate language template has no merchant name (64.01); it is mandatory",
            ),
            Some(n) => max_len(&mut out, "64.01", "alternate merchant name", n, 25),
        }
        if let Some(c) = &l.merchant_city {
            max_len(&mut out, "64.02", "alternate merchant city", c, 15);
        }
    }

    for t in &p.unreserved_templates {
        check_guid(&mut out, t.tag, t.guid.as_deref(), "unreserved template");
    }

    each_value(p, |template, tag, value| {
        if value.is_empty() {
            out.add(
                name(template, tag),
                "value is empty (length 00); a data object holds 1-99 characters, or is left out",
            );
        }
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            out.add(
                name(template, tag),
                format!(
                    "value contains control character U+{:04X}; only printable text is allowed",
                    u32::from(c)
                ),
            );
        }
    });
    out.0
}

fn check_guid(out: &mut Problems, tag: u8, guid: Option<&str>, what: &str) {
    match guid {
        None => out.add(
            name(None, tag),
            format!(
                "{what} {tag:02} has no globally unique identifier (sub-tag 00); it is mandatory"
            ),
        ),
        Some(g) => max_len(
            out,
            &name(Some(tag), 0),
            "globally unique identifier",
            g,
            32,
        ),
    }
}

fn check_tip(out: &mut Problems, p: &MerchantPayload, currency: Option<Currency>) {
    let indicator = p.tip_indicator.as_deref();
    if let Some(i) = indicator
        && !matches!(i, "01" | "02" | "03")
    {
        out.add(
            "55",
            format!("tip or convenience indicator is {i:?}; it must be \"01\" (prompt), \"02\" (fixed fee) or \"03\" (percentage)"),
        );
    }
    match (indicator, &p.convenience_fee_fixed) {
        (Some("02"), None) => out.add(
            "56",
            "55 is \"02\" (fixed convenience fee) but the fee (56) is missing",
        ),
        (Some("02"), Some(fee)) => check_amount(out, "56", "fixed convenience fee", fee, currency),
        (_, Some(_)) => out.add(
            "56",
            "fixed convenience fee (56) is present, but only allowed when 55 is \"02\"",
        ),
        (_, None) => {}
    }
    match (indicator, &p.convenience_fee_percentage) {
        (Some("03"), None) => out.add(
            "57",
            "55 is \"03\" (percentage convenience fee) but the percentage (57) is missing",
        ),
        (Some("03"), Some(pct)) => {
            let hundredths = percentage_hundredths(pct);
            if pct.len() > 5 || !hundredths.is_some_and(|h| (1..=9999).contains(&h)) {
                out.add(
                    "57",
                    format!("percentage convenience fee {pct:?} must be a percentage from 00.01 to 99.99, at most 5 characters"),
                );
            }
        }
        (_, Some(_)) => out.add(
            "57",
            "percentage convenience fee (57) is present, but only allowed when 55 is \"03\"",
        ),
        (_, None) => {}
    }
}

/// "3.5" → 350; `None` unless digits with at most one '.' and at most 2 decimals.
fn percentage_hundredths(value: &str) -> Option<u32> {
    let (decimals, _) = decimal(value)?;
    if decimals > 2 || value.len() > 5 {
        return None;
    }
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    let int: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac_val: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        frac_val *= 10;
    }
    Some(int * 100 + frac_val)
}

/// The rules that need the text: 00 first, CRC in upper case, size.
pub(crate) fn check_text(
    facts: &TextFacts,
    payload: &MerchantPayload,
    problems: &mut Vec<Problem>,
) {
    let mut out = Problems(std::mem::take(problems));
    if payload.payload_format_indicator.is_some()
        && let Some(first) = facts.first_tag
        && first != 0
    {
        out.add(
            "00",
            format!("the payload starts with data object {first:02}; 00 (payload format indicator) must come first"),
        );
    }
    if facts.crc_lowercase {
        out.add(
            "63",
            "the CRC is written in lower-case hex; EMV MPM writes 4 upper-case hex digits (accepted anyway)",
        );
    }
    if facts.chars > SPEC_MAX_CHARS {
        out.add(
            "payload",
            format!(
                "the payload is {} characters long; EMV MPM allows at most {SPEC_MAX_CHARS}",
                facts.chars
            ),
        );
    }
    *problems = out.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_read_in_hundredths() {
        assert_eq!(percentage_hundredths("3.5"), Some(350));
        assert_eq!(percentage_hundredths("00.01"), Some(1));
        assert_eq!(percentage_hundredths("99.99"), Some(9999));
        assert_eq!(percentage_hundredths("5"), Some(500));
        assert_eq!(percentage_hundredths("1.234"), None);
        assert_eq!(percentage_hundredths("1,5"), None);
    }

    #[test]
    fn decimals_are_counted() {
        assert_eq!(decimal("23.72"), Some((2, true)));
        assert_eq!(decimal("0.00"), Some((2, false)));
        assert_eq!(decimal("100"), Some((0, true)));
        assert_eq!(decimal("."), None);
        assert_eq!(decimal("1.2.3"), None);
        assert_eq!(decimal("-1"), None);
        assert_eq!(decimal(""), None);
    }
}
