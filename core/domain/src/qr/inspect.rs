//! One report on a scanned text: the EMV structure and CRC ([`emv::decode`]), the spec's
//! rules on values ([`emv::check`]) and the payment networks the payload carries (the
//! [scheme registry](super::scheme)). It sits above both, so neither imports the other's
//! caller.

use super::emv::{self, DecodeError, MerchantPayload, Problem};
use super::scheme::{self, Scheme};

/// Everything known about a scanned text: what the CLI prints and the bindings return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// True when the structure and the CRC hold (problems do not make a code invalid).
    pub valid: bool,
    /// Whether the CRC matches: `None` when the text does not end in a CRC data object
    /// (`"6304"` and 4 characters), `Some(false)` when it does but the value is wrong or not hex.
    pub crc_ok: Option<bool>,
    /// The decoded payload, when valid.
    pub payload: Option<MerchantPayload>,
    /// The payment networks the payload carries, in payload order.
    pub schemes: Vec<&'static Scheme>,
    /// Conformance problems (empty when invalid: the values could not be read).
    pub problems: Vec<Problem>,
    /// Why the code is invalid (empty when valid).
    pub errors: Vec<DecodeError>,
}

/// Decodes, checks and recognises `text` in one call.
pub fn inspect(text: &str) -> Inspection {
    match emv::decode_with_facts(text) {
        Ok((payload, facts)) => {
            let mut problems = emv::check(&payload);
            emv::check_text(&facts, &payload, &mut problems);
            Inspection {
                valid: true,
                crc_ok: Some(true),
                schemes: scheme::recognise(&payload),
                payload: Some(payload),
                problems,
                errors: Vec::new(),
            }
        }
        Err(error) => Inspection {
            valid: false,
            crc_ok: tail_crc(text),
            payload: None,
            schemes: Vec::new(),
            problems: Vec::new(),
            errors: vec![error],
        },
    }
}

/// Checks the CRC at the end of `text` without reading the structure, so a report can tell
/// "damaged in transit" (CRC wrong) from "never well-formed" (CRC right, TLV broken).
fn tail_crc(text: &str) -> Option<bool> {
    if text.len() > emv::MAX_PAYLOAD_BYTES {
        return None;
    }
    let (start, _) = text.char_indices().rev().nth(7)?;
    let tail = &text[start..];
    let crc = tail.strip_prefix("6304")?;
    let covered = &text.as_bytes()[..start + 4];
    Some(
        crc.len() == 4
            && u16::from_str_radix(crc, 16).is_ok_and(|v| v == emv::crc16(covered))
            && crc.bytes().all(|b| b.is_ascii_hexdigit()),
    )
}
