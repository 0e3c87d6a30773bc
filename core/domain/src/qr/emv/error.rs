//! Why a payload could not be read (structural errors) or written (encode errors).

use std::fmt;

/// Where a data object sits: at the top level of the payload, or inside a template.
///
/// Displayed as `"data object 54"` or `"sub-tag 05 of template 62"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The template the object is nested in (`None` at the top level).
    pub template: Option<u8>,
    /// The object's own id, when it could be read.
    pub tag: Option<u8>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.template, self.tag) {
            (None, Some(tag)) => write!(f, "data object {tag:02}"),
            (None, None) => write!(f, "data object"),
            (Some(t), Some(tag)) => write!(f, "sub-tag {tag:02} of template {t:02}"),
            (Some(t), None) => write!(f, "data object inside template {t:02}"),
        }
    }
}

/// A structural error: the text is not a well-formed EMV MPM payload (TLV layout or CRC).
///
/// Positions count characters (not bytes) from the start of the payload, starting at 0,
/// because EMV lengths count characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input is empty.
    #[error("empty input: an EMV payload starts with \"000201\" and ends with \"6304\" and a CRC")]
    Empty,
    /// The input is longer than any QR code can carry.
    #[error(
        "input is {bytes} bytes long; a QR code carries at most {max} bytes, so this is not a scanned payload"
    )]
    TooLong {
        /// Length of the input in UTF-8 bytes.
        bytes: usize,
        /// The largest accepted length in bytes.
        max: usize,
    },
    /// Fewer than the four characters of an id and a length are left.
    #[error(
        "truncated {location} at character {position}: {remaining} character(s) left, but a data object needs a 2-digit id and a 2-digit length"
    )]
    Truncated {
        /// Character offset of the truncated object.
        position: usize,
        /// Which object was being read.
        location: Location,
        /// How many characters were left.
        remaining: usize,
    },
    /// The 2-character id is not two ASCII digits.
    #[error("{location} at character {position} has id {found:?}; an id is two digits 00-99")]
    NonDigitId {
        /// Character offset of the id.
        position: usize,
        /// Which object was being read.
        location: Location,
        /// The characters found where the id should be.
        found: String,
    },
    /// The 2-character length is not two ASCII digits.
    #[error(
        "{location} at character {position} has length {found:?}; a length is two digits 00-99"
    )]
    NonDigitLength {
        /// Character offset of the object's id.
        position: usize,
        /// Which object was being read.
        location: Location,
        /// The characters found where the length should be.
        found: String,
    },
    /// The declared length runs past the end of the payload or of the enclosing template.
    #[error(
        "{location} at character {position} declares {declared} characters but only {available} remain{}",
        if .location.template.is_some() { " in the template" } else { "" }
    )]
    LengthOverrun {
        /// Character offset of the object's id.
        position: usize,
        /// Which object was being read.
        location: Location,
        /// The declared length.
        declared: usize,
        /// How many characters actually remain.
        available: usize,
    },
    /// The same id appears twice at one level.
    #[error(
        "{location} at character {position} appears a second time; each id may appear once{}",
        if .location.template.is_some() { " per template" } else { "" }
    )]
    DuplicateTag {
        /// Character offset of the second occurrence.
        position: usize,
        /// The repeated object.
        location: Location,
    },
    /// There is no CRC data object (id 63).
    #[error("no CRC: the payload must end with data object 63 (\"6304\" and 4 hex digits)")]
    MissingCrc,
    /// The CRC data object has a length other than 04.
    #[error("CRC (data object 63) at character {position} has length {declared:02}; it must be 04")]
    CrcLength {
        /// Character offset of "63".
        position: usize,
        /// The declared length.
        declared: usize,
    },
    /// More data follows the CRC.
    #[error(
        "CRC (data object 63) at character {position} is not the last data object: {trailing} character(s) follow it"
    )]
    CrcNotLast {
        /// Character offset of "63".
        position: usize,
        /// How many characters follow the CRC.
        trailing: usize,
    },
    /// The CRC value is not 4 hexadecimal digits.
    #[error("CRC {found:?} at character {position} is not 4 hexadecimal digits")]
    NonHexCrc {
        /// Character offset of the CRC value.
        position: usize,
        /// The value found.
        found: String,
    },
    /// The CRC does not match the payload.
    #[error(
        "CRC mismatch: the payload says {found} but its content has CRC {computed}; the code was altered or misread"
    )]
    CrcMismatch {
        /// The CRC written in the payload.
        found: String,
        /// The CRC computed over the payload (4 upper-case hex digits).
        computed: String,
    },
}

/// Why a [`MerchantPayload`](super::MerchantPayload) cannot be encoded.
///
/// `path` names the data object as `"59"` or `"62.05"` (template, then sub-tag).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A value (or a whole template) is longer than the 99 characters a 2-digit length allows.
    #[error("{path} is {chars} characters long; a data object holds at most 99")]
    TooLong {
        /// The data object.
        path: String,
        /// Its length in characters.
        chars: usize,
    },
    /// A value contains a control character, which EMV character sets exclude.
    #[error("{path} contains control character U+{code:04X}; values must be printable text")]
    ControlCharacter {
        /// The data object.
        path: String,
        /// The offending code point.
        code: u32,
    },
    /// A tag is outside the range its field allows.
    #[error("{what} has tag {tag:02}; it must be in {allowed}")]
    TagOutOfRange {
        /// Which kind of object.
        what: &'static str,
        /// The tag given.
        tag: u8,
        /// The allowed range, e.g. "26-51".
        allowed: &'static str,
    },
    /// The same tag would be written twice at one level.
    #[error("tag {path} would be written twice; each id may appear once per level")]
    DuplicateTag {
        /// The repeated data object.
        path: String,
    },
    /// The encoded payload is longer than a QR code can carry.
    #[error("the encoded payload is {bytes} bytes; a QR code carries at most {max} bytes")]
    PayloadTooLong {
        /// Encoded length in bytes.
        bytes: usize,
        /// The limit.
        max: usize,
    },
}
