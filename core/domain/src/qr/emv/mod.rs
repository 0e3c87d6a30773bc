//! EMV® QR Code Merchant-Presented Mode (EMV QRCPS MPM v1.1): decode, check, encode.
//!
//! A payload is a sequence of data objects: a 2-digit id, a 2-digit length and a value.
//! Lengths count **characters**, not bytes; the CRC (id 63, CRC-16/CCITT-FALSE) is computed over
//! the UTF-8 bytes of everything up to and including `"6304"`.
//!
//! Reading a code has two levels:
//!
//! 1. **Structure** — [`decode`]: the TLV layout must hold at the top level and inside every
//!    template (26-51, 62, 64, 80-99), no id may repeat at one level, and the payload must end
//!    with a matching CRC. Otherwise the code is invalid and [`DecodeError`] says where and why.
//!    The CRC's hex digits are accepted in either case (lower case is reported as a problem).
//! 2. **Conformance** — [`check`]: the spec's rules on values (00 is `"01"`, 52 is four digits,
//!    amount format, …) are reported as a list of [`Problem`]s, each naming its id. Problems do
//!    not reject the code: real schemes bend the spec (PromptPay omits 52, 59 and 60).
//!
//! [`inspect`] does both and adds the [scheme registry](crate::qr::scheme): the one report that
//! the CLI and the bindings show. [`encode`] writes a [`MerchantPayload`] back as text, and
//! `decode(&encode(&p)?) == Ok(p)` for every payload that encodes.

mod conformance;
mod decode;
mod encode;
mod error;
mod model;
pub(crate) mod tlv;

pub use conformance::{Problem, SPEC_MAX_CHARS, check};
pub use encode::encode;
pub use error::{DecodeError, EncodeError, Location};
pub use model::{
    AdditionalData, AlternateLanguage, DataObject, MerchantAccount, MerchantPayload,
    PointOfInitiation, Tip, UnreservedTemplate,
};
pub use tlv::crc16;

use super::scheme::{self, Scheme};

/// The longest input accepted, in UTF-8 bytes: a version-40 QR code in byte mode holds at most
/// 2953 bytes, so anything longer did not come from a camera.
pub const MAX_PAYLOAD_BYTES: usize = 2953;

/// Reads `text` as an EMV MPM payload: TLV structure and CRC (see the [module docs](self)).
///
/// Succeeds for every structurally sound payload, conformant or not; call [`check`] (or use
/// [`inspect`]) for the spec's rules on values.
pub fn decode(text: &str) -> Result<MerchantPayload, DecodeError> {
    decode::decode_with_facts(text).map(|(payload, _)| payload)
}

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
    match decode::decode_with_facts(text) {
        Ok((payload, facts)) => {
            let mut problems = check(&payload);
            conformance::check_text(&facts, &payload, &mut problems);
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
    if text.len() > MAX_PAYLOAD_BYTES {
        return None;
    }
    let (start, _) = text.char_indices().rev().nth(7)?;
    let tail = &text[start..];
    let crc = tail.strip_prefix("6304")?;
    let covered = &text.as_bytes()[..start + 4];
    Some(
        crc.len() == 4
            && u16::from_str_radix(crc, 16).is_ok_and(|v| v == crc16(covered))
            && crc.bytes().all(|b| b.is_ascii_hexdigit()),
    )
}
