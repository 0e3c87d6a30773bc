//! Z85 (ZeroMQ RFC 32/Z85): four bytes as five printable characters.
//!
//! Danbao codes carry their 64-byte Ed25519 signature as 80 Z85 characters, the only common
//! text encoding that fits the signature and its template's GUID into one EMV template (values
//! are at most 99 characters; base64 would need 86 for the signature alone). The decoder is
//! strict: a five-character group whose value exceeds `u32::MAX` is refused, so every accepted
//! text maps to exactly one byte string and no two texts carry the same signature.

const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Why a Z85 text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Z85Error {
    /// The text's length is not a multiple of five.
    Length(usize),
    /// A character outside the Z85 alphabet at this character position.
    Character(usize, char),
    /// The five-character group starting here encodes a value above `u32::MAX`.
    Overflow(usize),
}

impl std::fmt::Display for Z85Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Z85Error::Length(n) => {
                write!(f, "Z85 text has {n} characters: expected a multiple of 5")
            }
            Z85Error::Character(at, c) => {
                write!(f, "{c:?} at position {at} is not a Z85 character")
            }
            Z85Error::Overflow(at) => {
                write!(
                    f,
                    "Z85 group at position {at} exceeds 32 bits (not a canonical encoding)"
                )
            }
        }
    }
}

fn digit(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// Encodes `bytes` (length a multiple of four, which every caller guarantees) as Z85.
pub(crate) fn encode(bytes: &[u8]) -> String {
    debug_assert!(
        bytes.len().is_multiple_of(4),
        "Z85 encodes whole 4-byte groups"
    );
    let mut out = String::with_capacity(bytes.len() / 4 * 5);
    for chunk in bytes.chunks_exact(4) {
        let mut value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let mut group = [0u8; 5];
        for slot in group.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
        out.extend(group.iter().map(|&b| char::from(b)));
    }
    out
}

/// Decodes a Z85 text into bytes, refusing anything that is not a canonical encoding.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, Z85Error> {
    let bytes = text.as_bytes();
    if let Some((at, c)) = text.char_indices().find(|(_, c)| !c.is_ascii()) {
        return Err(Z85Error::Character(at, c));
    }
    if !bytes.len().is_multiple_of(5) {
        return Err(Z85Error::Length(bytes.len()));
    }
    let mut out = Vec::with_capacity(bytes.len() / 5 * 4);
    for (group_index, group) in bytes.chunks_exact(5).enumerate() {
        let start = group_index * 5;
        let mut value: u64 = 0;
        for (offset, &c) in group.iter().enumerate() {
            let d = digit(c).ok_or(Z85Error::Character(start + offset, char::from(c)))?;
            value = value * 85 + u64::from(d);
        }
        let value = u32::try_from(value).map_err(|_| Z85Error::Overflow(start))?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc32_test_vector() {
        // ZeroMQ RFC 32, "Test Case".
        let bytes = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(encode(&bytes), "HelloWorld");
        assert_eq!(decode("HelloWorld"), Ok(bytes.to_vec()));
    }

    #[test]
    fn extremes_round_trip() {
        assert_eq!(encode(&[0, 0, 0, 0]), "00000");
        assert_eq!(encode(&[0xFF; 4]), "%nSc0");
        assert_eq!(decode("%nSc0"), Ok(vec![0xFF; 4]));
    }

    #[test]
    fn refuses_non_canonical_and_foreign_text() {
        // "%nSc1" is u32::MAX + 1.
        assert_eq!(decode("%nSc1"), Err(Z85Error::Overflow(0)));
        assert_eq!(decode("#####"), Err(Z85Error::Overflow(0)));
        assert_eq!(decode("Hello"), Ok(vec![0x86, 0x4F, 0xD2, 0x6F]));
        assert_eq!(decode("Hell"), Err(Z85Error::Length(4)));
        assert_eq!(decode("Hell~"), Err(Z85Error::Character(4, '~')));
        assert_eq!(decode("Hell\""), Err(Z85Error::Character(4, '"')));
        assert_eq!(decode("Hellé"), Err(Z85Error::Character(4, 'é')));
    }

    #[test]
    fn every_byte_value_round_trips() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        assert_eq!(decode(&encode(&bytes)), Ok(bytes));
    }
}
