//! Encoding the typed model as payload text, CRC included.

use super::MAX_PAYLOAD_BYTES;
use super::error::EncodeError;
use super::model::{DataObject, MerchantAccount, MerchantPayload};
use super::tlv::{TagSet, crc16, push_crc_hex, push_two_digits};

/// Names a data object as "59" or "62.05" for error messages.
fn path(template: Option<u8>, tag: u8) -> String {
    match template {
        Some(t) => format!("{t:02}.{tag:02}"),
        None => format!("{tag:02}"),
    }
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Appends one data object after checking its length and characters.
fn put(out: &mut String, template: Option<u8>, tag: u8, value: &str) -> Result<(), EncodeError> {
    let chars = char_len(value);
    if chars > 99 {
        return Err(EncodeError::TooLong {
            path: path(template, tag),
            chars,
        });
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(EncodeError::ControlCharacter {
            path: path(template, tag),
            code: u32::from(c),
        });
    }
    push_two_digits(out, usize::from(tag));
    push_two_digits(out, chars);
    out.push_str(value);
    Ok(())
}

fn put_opt(
    out: &mut String,
    template: Option<u8>,
    tag: u8,
    value: Option<&String>,
) -> Result<(), EncodeError> {
    match value {
        Some(v) => put(out, template, tag, v),
        None => Ok(()),
    }
}

fn check_tag(
    tag: u8,
    range: std::ops::RangeInclusive<u8>,
    what: &'static str,
    allowed: &'static str,
) -> Result<(), EncodeError> {
    if range.contains(&tag) {
        Ok(())
    } else {
        Err(EncodeError::TagOutOfRange { what, tag, allowed })
    }
}

/// Writes a GUID template's content (sub-tag 00, then the fields) into `inner`.
fn template_body(
    inner: &mut String,
    tag: u8,
    guid: Option<&String>,
    fields: &[DataObject],
) -> Result<(), EncodeError> {
    inner.clear();
    put_opt(inner, Some(tag), 0, guid)?;
    let mut seen = TagSet::default();
    for f in fields {
        check_tag(
            f.tag,
            1..=99,
            "a template field",
            "01-99 (sub-tag 00 is the guid)",
        )?;
        if !seen.insert(f.tag) {
            return Err(EncodeError::DuplicateTag {
                path: path(Some(tag), f.tag),
            });
        }
        put(inner, Some(tag), f.tag, &f.value)?;
    }
    Ok(())
}

/// Encodes `payload` as EMV MPM text, ending with a freshly computed CRC (id 63).
///
/// Data objects are written in ascending id order (00, 01, accounts in their list order, 52-62,
/// 64, 65-79, unreserved templates in list order, 63), so a decoded code written in another
/// order re-encodes to different text but to the same model: `decode(&encode(&p)?) == Ok(p)`.
///
/// Encoding checks structure only — each value at most 99 characters without control
/// characters, tags in their field's range, no repeated ids, at most
/// [`MAX_PAYLOAD_BYTES`](super::MAX_PAYLOAD_BYTES) bytes. It does not enforce conformance (e.g.
/// a missing merchant name): call [`check`](super::check) for that.
// Long (122 lines): the tag layout written top to bottom in the order the text must carry it,
// mirroring `decode`; each tag's structural check sits beside the tag it writes.
pub fn encode(payload: &MerchantPayload) -> Result<String, EncodeError> {
    let mut out = String::with_capacity(256);
    let mut inner = String::with_capacity(100);
    let p = payload;
    put_opt(&mut out, None, 0, p.payload_format_indicator.as_ref())?;
    if let Some(poi) = &p.point_of_initiation {
        put(&mut out, None, 1, poi.as_value())?;
    }
    let mut seen = TagSet::default();
    for account in &p.merchant_accounts {
        match account {
            MerchantAccount::Primitive { tag, .. } => {
                check_tag(*tag, 2..=25, "a primitive merchant account", "02-25")?;
            }
            MerchantAccount::Template { tag, .. } => {
                check_tag(*tag, 26..=51, "a merchant account template", "26-51")?;
            }
        }
        let tag = account.tag();
        if !seen.insert(tag) {
            return Err(EncodeError::DuplicateTag {
                path: path(None, tag),
            });
        }
        match account {
            MerchantAccount::Primitive { tag, value } => put(&mut out, None, *tag, value)?,
            MerchantAccount::Template { tag, guid, fields } => {
                template_body(&mut inner, *tag, guid.as_ref(), fields)?;
                put(&mut out, None, *tag, &inner)?;
            }
        }
    }
    put_opt(&mut out, None, 52, p.merchant_category_code.as_ref())?;
    put_opt(&mut out, None, 53, p.currency.as_ref())?;
    put_opt(&mut out, None, 54, p.amount.as_ref())?;
    put_opt(&mut out, None, 55, p.tip_indicator.as_ref())?;
    put_opt(&mut out, None, 56, p.convenience_fee_fixed.as_ref())?;
    put_opt(&mut out, None, 57, p.convenience_fee_percentage.as_ref())?;
    put_opt(&mut out, None, 58, p.country_code.as_ref())?;
    put_opt(&mut out, None, 59, p.merchant_name.as_ref())?;
    put_opt(&mut out, None, 60, p.merchant_city.as_ref())?;
    put_opt(&mut out, None, 61, p.postal_code.as_ref())?;
    if let Some(data) = &p.additional_data {
        inner.clear();
        for (sub, _, value) in data.named() {
            if let Some(v) = value {
                put(&mut inner, Some(62), sub, v)?;
            }
        }
        let mut seen = TagSet::default();
        for o in &data.other {
            if (1..=11).contains(&o.tag) || o.tag > 99 {
                return Err(EncodeError::TagOutOfRange {
                    what: "an additional data `other` field",
                    tag: o.tag,
                    allowed: "00 or 12-99 (01-11 have named fields)",
                });
            }
            if !seen.insert(o.tag) {
                return Err(EncodeError::DuplicateTag {
                    path: path(Some(62), o.tag),
                });
            }
            put(&mut inner, Some(62), o.tag, &o.value)?;
        }
        put(&mut out, None, 62, &inner)?;
    }
    if let Some(lang) = &p.alternate_language {
        inner.clear();
        put_opt(&mut inner, Some(64), 0, lang.language_preference.as_ref())?;
        put_opt(&mut inner, Some(64), 1, lang.merchant_name.as_ref())?;
        put_opt(&mut inner, Some(64), 2, lang.merchant_city.as_ref())?;
        let mut seen = TagSet::default();
        for o in &lang.other {
            check_tag(
                o.tag,
                3..=99,
                "an alternate language `other` field",
                "03-99",
            )?;
            if !seen.insert(o.tag) {
                return Err(EncodeError::DuplicateTag {
                    path: path(Some(64), o.tag),
                });
            }
            put(&mut inner, Some(64), o.tag, &o.value)?;
        }
        put(&mut out, None, 64, &inner)?;
    }
    let mut seen = TagSet::default();
    for o in &p.other {
        check_tag(o.tag, 65..=79, "a reserved (`other`) data object", "65-79")?;
        if !seen.insert(o.tag) {
            return Err(EncodeError::DuplicateTag {
                path: path(None, o.tag),
            });
        }
        put(&mut out, None, o.tag, &o.value)?;
    }
    let mut seen = TagSet::default();
    for t in &p.unreserved_templates {
        check_tag(t.tag, 80..=99, "an unreserved template", "80-99")?;
        if !seen.insert(t.tag) {
            return Err(EncodeError::DuplicateTag {
                path: path(None, t.tag),
            });
        }
        template_body(&mut inner, t.tag, t.guid.as_ref(), &t.fields)?;
        put(&mut out, None, t.tag, &inner)?;
    }
    // EMV MPM 4.7.3: the CRC covers everything up to and including "6304".
    out.push_str("6304");
    let crc = crc16(out.as_bytes());
    push_crc_hex(&mut out, crc);
    if out.len() > MAX_PAYLOAD_BYTES {
        return Err(EncodeError::PayloadTooLong {
            bytes: out.len(),
            max: MAX_PAYLOAD_BYTES,
        });
    }
    Ok(out)
}
