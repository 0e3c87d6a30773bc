//! The strictness rules of Danbao codes, on top of the EMV reader (`qr::emv::tlv`).
//!
//! The general EMV codec is lenient on purpose: real codes bend the spec. A signed Danbao code
//! is the opposite case: every text that verifies must be exactly the text that was signed, so
//! on top of the EMV TLV layout (character-counted lengths) each level of a Danbao code lists
//! its tags once, in strictly ascending order, with the CRC (tag 63) last (EMV MPM 4.7.3).
//! Writing needs nothing of its own: `qr::emv::encode` writes objects in that order.

use crate::qr::emv::DecodeError;
use crate::qr::emv::tlv::{Reader, Tlv};

/// Reads the top-level objects of `text`, each with its byte [`Tlv::span`] in `text`.
/// Errors are plain sentences.
pub(crate) fn split(text: &str) -> Result<Vec<Tlv<'_>>, String> {
    read(Reader::new(text, 0, None), text, None)
}

/// Reads the sub-objects of template `object` (as [`split`] does for the payload); positions
/// in errors still count from the start of the payload.
pub(crate) fn split_template<'a>(object: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, String> {
    let reader = Reader::new(object.value, object.value_position, Some(object.tag));
    read(reader, object.value, Some(object.tag))
}

fn read<'a>(
    mut reader: Reader<'a>,
    text: &'a str,
    template: Option<u8>,
) -> Result<Vec<Tlv<'a>>, String> {
    let name = |tag: u8| match template {
        Some(t) => format!("tag {t:02}.{tag:02}"),
        None => format!("tag {tag:02}"),
    };
    let mut objects: Vec<Tlv<'a>> = Vec::new();
    loop {
        let tlv = match reader.next_tlv() {
            Ok(Some(tlv)) => tlv,
            Ok(None) => return Ok(objects),
            Err(error) => {
                let rest = text.get(objects.last().map_or(0, |o| o.span().end)..);
                return Err(describe(&error, rest.unwrap_or_default()));
            }
        };
        if let Some(previous) = objects.last()
            && order_key(tlv.tag) <= order_key(previous.tag)
        {
            return Err(format!(
                "{} at character {} follows {}: Danbao codes list each tag once, in ascending order",
                name(tlv.tag),
                tlv.position,
                name(previous.tag),
            ));
        }
        objects.push(tlv);
    }
}

/// The EMV reader's error in Danbao's words; `rest` is the text where the object failed.
fn describe(error: &DecodeError, rest: &str) -> String {
    match error {
        DecodeError::NonDigitId { position, .. }
        | DecodeError::NonDigitLength { position, .. }
        | DecodeError::Truncated { position, .. } => format!(
            "at character {position}: expected a 2-digit tag and a 2-digit length, found {:?}",
            rest.chars().take(4).collect::<String>()
        ),
        other => other.to_string(),
    }
}

/// Tags sort by number, except 63 (the CRC), which comes after every other tag.
fn order_key(tag: u8) -> u8 {
    if tag == 63 { 100 } else { tag }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Result<Vec<u8>, String> {
        split(text).map(|objects| objects.iter().map(|o| o.tag).collect())
    }

    #[test]
    fn splits_by_characters_not_bytes() {
        let objects = split("0002015902日本6004City").unwrap_or_default();
        assert_eq!(objects.len(), 3);
        assert_eq!(objects[1].tag, 59);
        assert_eq!(objects[1].value, "日本");
        assert_eq!(objects[1].span(), 6..16);
        assert_eq!(objects[2].value, "City");
    }

    #[test]
    fn refuses_overrun_disorder_and_garbage() {
        assert!(split("000501").is_err_and(|e| e.contains("declares 5")));
        assert!(split("000201000201").is_err_and(|e| e.contains("ascending")));
        assert!(split("010212000201").is_err_and(|e| e.contains("ascending")));
        assert!(split("000201630400008100").is_err_and(|e| e.contains("ascending")));
        assert!(split("00020181006304000063040000").is_err_and(|e| e.contains("ascending")));
        assert_eq!(tags("00020181006304ABCD"), Ok(vec![0, 81, 63]));
        assert!(split("0A0201").is_err_and(|e| e.contains("2-digit tag")));
        assert!(split("00").is_err_and(|e| e.contains("2-digit tag")));
        assert_eq!(tags(""), Ok(vec![]));
    }

    #[test]
    fn errors_count_characters_from_the_payload_start() {
        assert_eq!(
            split("5902日本0A").err().as_deref(),
            Some("at character 6: expected a 2-digit tag and a 2-digit length, found \"0A\"")
        );
    }

    #[test]
    fn templates_are_strict_too_and_positions_count_from_the_payload() {
        let objects = split("00020126200102m10010app.danbao").unwrap_or_default();
        assert_eq!(objects.len(), 2);
        assert_eq!(
            split_template(&objects[1]).err(),
            Some(
                "tag 26.00 at character 16 follows tag 26.01: Danbao codes list each tag once, in ascending order"
                    .to_owned()
            )
        );
        let objects = split("0002012606000201").unwrap_or_default();
        let fields = split_template(&objects[1]).unwrap_or_default();
        assert_eq!(
            (fields[0].tag, fields[0].value, fields[0].position),
            (0, "01", 10)
        );
    }
}
