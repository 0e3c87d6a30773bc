//! Structural decoding: TLV layout and CRC, into the typed model.

use super::MAX_PAYLOAD_BYTES;
use super::error::{DecodeError, Location};
use super::model::{
    AdditionalData, AlternateLanguage, DataObject, MerchantAccount, MerchantPayload,
    PointOfInitiation, UnreservedTemplate,
};
use super::tlv::{Reader, TagSet, Tlv, crc16};

/// Facts about the text that the model does not keep, for the conformance checks.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TextFacts {
    /// Id of the first data object.
    pub first_tag: Option<u8>,
    /// The CRC was written in lower-case hex.
    pub crc_lowercase: bool,
    /// Length of the payload in characters.
    pub chars: usize,
}

/// Reads `text` as an EMV MPM payload. See [`super::decode`].
pub(crate) fn decode_with_facts(text: &str) -> Result<(MerchantPayload, TextFacts), DecodeError> {
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(DecodeError::TooLong {
            bytes: text.len(),
            max: MAX_PAYLOAD_BYTES,
        });
    }
    let mut payload = MerchantPayload {
        payload_format_indicator: None,
        ..MerchantPayload::default()
    };
    let mut facts = TextFacts::default();
    let mut seen = TagSet::default();
    let mut reader = Reader::new(text, 0, None);
    let mut crc_found = false;
    while let Some(tlv) = reader.next_tlv()? {
        if facts.first_tag.is_none() {
            facts.first_tag = Some(tlv.tag);
        }
        if !seen.insert(tlv.tag) {
            return Err(DecodeError::DuplicateTag {
                position: tlv.position,
                location: Location {
                    template: None,
                    tag: Some(tlv.tag),
                },
            });
        }
        if tlv.tag == 63 {
            if tlv.len == 4 && !reader.is_done() {
                return Err(DecodeError::CrcNotLast {
                    position: tlv.position,
                    trailing: reader.remaining_chars(),
                });
            }
            facts.crc_lowercase = verify_crc(text, &tlv)?;
            facts.chars = tlv.value_position + tlv.len;
            crc_found = true;
            break;
        }
        place(&mut payload, &tlv)?;
    }
    if !crc_found {
        return Err(DecodeError::MissingCrc);
    }
    Ok((payload, facts))
}

/// Checks data object 63; returns whether its hex digits were lower-case.
fn verify_crc(text: &str, tlv: &Tlv<'_>) -> Result<bool, DecodeError> {
    if tlv.len != 4 {
        return Err(DecodeError::CrcLength {
            position: tlv.position,
            declared: tlv.len,
        });
    }
    let value = tlv.value;
    if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DecodeError::NonHexCrc {
            position: tlv.value_position,
            found: value.to_owned(),
        });
    }
    // EMV MPM 4.7.3: the CRC covers every byte up to and including "6304".
    let covered = text.as_bytes().get(..tlv.value_byte).unwrap_or_default();
    let computed = crc16(covered);
    let found = u16::from_str_radix(value, 16).map_err(|_| DecodeError::NonHexCrc {
        position: tlv.value_position,
        found: value.to_owned(),
    })?;
    if found != computed {
        return Err(DecodeError::CrcMismatch {
            found: value.to_owned(),
            computed: format!("{computed:04X}"),
        });
    }
    Ok(value.bytes().any(|b| b.is_ascii_lowercase()))
}

fn place(payload: &mut MerchantPayload, tlv: &Tlv<'_>) -> Result<(), DecodeError> {
    let v = || Some(tlv.value.to_owned());
    match tlv.tag {
        0 => payload.payload_format_indicator = v(),
        1 => payload.point_of_initiation = Some(PointOfInitiation::from_value(tlv.value)),
        2..=25 => payload.merchant_accounts.push(MerchantAccount::Primitive {
            tag: tlv.tag,
            value: tlv.value.to_owned(),
        }),
        26..=51 => {
            let (guid, fields) = template(tlv)?;
            payload.merchant_accounts.push(MerchantAccount::Template {
                tag: tlv.tag,
                guid,
                fields,
            });
        }
        52 => payload.merchant_category_code = v(),
        53 => payload.currency = v(),
        54 => payload.amount = v(),
        55 => payload.tip_indicator = v(),
        56 => payload.convenience_fee_fixed = v(),
        57 => payload.convenience_fee_percentage = v(),
        58 => payload.country_code = v(),
        59 => payload.merchant_name = v(),
        60 => payload.merchant_city = v(),
        61 => payload.postal_code = v(),
        62 => payload.additional_data = Some(additional_data(tlv)?),
        64 => payload.alternate_language = Some(alternate_language(tlv)?),
        80..=99 => {
            let (guid, fields) = template(tlv)?;
            payload.unreserved_templates.push(UnreservedTemplate {
                tag: tlv.tag,
                guid,
                fields,
            });
        }
        // 65-79 are reserved for future use: keep them so re-encoding round-trips.
        _ => payload.other.push(DataObject::new(tlv.tag, tlv.value)),
    }
    Ok(())
}

/// Walks the sub-tags of template `tlv`, rejecting repeats.
fn for_each_sub<'a>(tlv: &Tlv<'a>, mut f: impl FnMut(Tlv<'a>)) -> Result<(), DecodeError> {
    let mut reader = Reader::new(tlv.value, tlv.value_position, Some(tlv.tag));
    let mut seen = TagSet::default();
    while let Some(sub) = reader.next_tlv()? {
        if !seen.insert(sub.tag) {
            return Err(DecodeError::DuplicateTag {
                position: sub.position,
                location: Location {
                    template: Some(tlv.tag),
                    tag: Some(sub.tag),
                },
            });
        }
        f(sub);
    }
    Ok(())
}

type TemplateParts = (Option<String>, Vec<DataObject>);

fn template(tlv: &Tlv<'_>) -> Result<TemplateParts, DecodeError> {
    let mut guid = None;
    let mut fields = Vec::new();
    for_each_sub(tlv, |sub| {
        if sub.tag == 0 {
            guid = Some(sub.value.to_owned());
        } else {
            fields.push(DataObject::new(sub.tag, sub.value));
        }
    })?;
    Ok((guid, fields))
}

fn additional_data(tlv: &Tlv<'_>) -> Result<AdditionalData, DecodeError> {
    let mut data = AdditionalData::default();
    for_each_sub(tlv, |sub| match data.slot(sub.tag) {
        Some(slot) => *slot = Some(sub.value.to_owned()),
        None => data.other.push(DataObject::new(sub.tag, sub.value)),
    })?;
    Ok(data)
}

fn alternate_language(tlv: &Tlv<'_>) -> Result<AlternateLanguage, DecodeError> {
    let mut lang = AlternateLanguage::default();
    for_each_sub(tlv, |sub| {
        let value = Some(sub.value.to_owned());
        match sub.tag {
            0 => lang.language_preference = value,
            1 => lang.merchant_name = value,
            2 => lang.merchant_city = value,
            _ => lang.other.push(DataObject::new(sub.tag, sub.value)),
        }
    })?;
    Ok(lang)
}
