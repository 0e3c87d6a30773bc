//! The strict EMV TLV reading and writing that Danbao codes need.
//!
//! The general EMV codec (`qr::emv`) is lenient on purpose: real codes bend the spec. A signed
//! Danbao code is the opposite case: it is read strictly (tags in ascending order, so no
//! duplicates; upper-case CRC; nothing outside the Danbao profile), because every text that
//! verifies must be exactly the text that was signed. The pieces here are small: split a text
//! into (tag, value, position) objects by character-counted lengths, and write objects back.

use std::ops::Range;

/// One TLV object: its two-digit tag, its value, and where the whole object sits in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Object<'a> {
    /// The tag as a number, 0–99.
    pub tag: u8,
    /// The value text.
    pub value: &'a str,
    /// Byte range of the whole object (tag, length and value) in the text that was split.
    pub span: Range<usize>,
}

/// Splits `text` into TLV objects. Lengths count characters (EMV MPM 4.7: "ans" values are
/// counted in characters), and the tags must be strictly ascending except the CRC, tag 63,
/// which sorts last (EMV MPM 4.7.3: it is the last object). Errors are plain sentences.
pub(crate) fn split(text: &str) -> Result<Vec<Object<'_>>, String> {
    let mut objects = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    let mut previous: Option<u8> = None;
    while !rest.is_empty() {
        let header = rest
            .get(..4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_digit()));
        let Some(header) = header else {
            return Err(format!(
                "at byte {offset}: expected a 2-digit tag and a 2-digit length, found {:?}",
                rest.chars().take(4).collect::<String>()
            ));
        };
        let tag = (header.as_bytes()[0] - b'0') * 10 + (header.as_bytes()[1] - b'0');
        let length =
            usize::from((header.as_bytes()[2] - b'0') * 10 + (header.as_bytes()[3] - b'0'));
        let body = &rest[4..];
        // Byte length of the first `length` characters of the body.
        let value_bytes = match body.char_indices().nth(length) {
            Some((end, _)) => end,
            None if body.chars().count() == length => body.len(),
            None => {
                return Err(format!(
                    "tag {tag:02} at byte {offset} declares {length} characters but only {} remain",
                    body.chars().count()
                ));
            }
        };
        if let Some(previous) = previous
            && order_key(tag) <= order_key(previous)
        {
            return Err(format!(
                "tag {tag:02} at byte {offset} follows tag {previous:02}: Danbao codes list each tag once, in ascending order"
            ));
        }
        previous = Some(tag);
        let total = 4 + value_bytes;
        objects.push(Object {
            tag,
            value: &body[..value_bytes],
            span: offset..offset + total,
        });
        rest = &rest[total..];
        offset += total;
    }
    Ok(objects)
}

/// Tags sort by number, except 63 (the CRC), which comes after every other tag.
fn order_key(tag: u8) -> u8 {
    if tag == 63 { 100 } else { tag }
}

/// Appends one TLV object. The caller has checked that the value has at most 99 characters.
pub(crate) fn push(out: &mut String, tag: u8, value: &str) {
    let length = value.chars().count();
    debug_assert!(length <= 99, "EMV values are at most 99 characters");
    out.push_str(&format!("{tag:02}{length:02}"));
    out.push_str(value);
}

/// CRC-16/CCITT-FALSE (EMV MPM 4.7.3), as four upper-case hex digits, over `text`, which
/// must already end with "6304".
pub(crate) fn crc_hex(text: &str) -> String {
    const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_3740);
    format!("{:04X}", CRC.checksum(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_characters_not_bytes() {
        let objects = split("0002015902日本6004City").unwrap_or_default();
        assert_eq!(objects.len(), 3);
        assert_eq!(objects[1].tag, 59);
        assert_eq!(objects[1].value, "日本");
        assert_eq!(objects[1].span, 6..16);
        assert_eq!(objects[2].value, "City");
    }

    #[test]
    fn refuses_overrun_disorder_and_garbage() {
        assert!(split("000501").is_err_and(|e| e.contains("declares 5")));
        assert!(split("000201000201").is_err_and(|e| e.contains("ascending")));
        assert!(split("010212000201").is_err_and(|e| e.contains("ascending")));
        assert!(split("000201630400008100").is_err_and(|e| e.contains("ascending")));
        assert!(split("00020181006304000063040000").is_err_and(|e| e.contains("ascending")));
        assert_eq!(split("00020181006304ABCD").map(|o| o.len()), Ok(3));
        assert!(split("0A0201").is_err_and(|e| e.contains("2-digit tag")));
        assert!(split("00").is_err_and(|e| e.contains("2-digit tag")));
        assert_eq!(split(""), Ok(vec![]));
    }

    #[test]
    fn crc_matches_the_catalogue_check_value() {
        // CRC-16/CCITT-FALSE check value over "123456789" is 0x29B1.
        assert_eq!(crc_hex("123456789"), "29B1");
    }

    #[test]
    fn push_writes_character_lengths() {
        let mut out = String::new();
        push(&mut out, 59, "日本");
        push(&mut out, 0, "01");
        assert_eq!(out, "5902日本000201");
    }
}
