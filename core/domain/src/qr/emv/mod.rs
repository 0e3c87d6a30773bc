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
//! [`crate::qr::inspect`] does both and adds the [scheme registry](crate::qr::scheme): the one
//! report that the CLI and the bindings show. [`encode`] writes a [`MerchantPayload`] back as text, and
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

pub(crate) use conformance::check_text;
pub(crate) use decode::decode_with_facts;

/// The longest input accepted, in UTF-8 bytes: a version-40 QR code in byte mode holds at most
/// 2953 bytes, so anything longer did not come from a camera.
pub const MAX_PAYLOAD_BYTES: usize = 2953;

/// Reads `text` as an EMV MPM payload: TLV structure and CRC (see the [module docs](self)).
///
/// Succeeds for every structurally sound payload, conformant or not; call [`check`] (or use
/// [`crate::qr::inspect`]) for the spec's rules on values.
pub fn decode(text: &str) -> Result<MerchantPayload, DecodeError> {
    decode::decode_with_facts(text).map(|(payload, _)| payload)
}
