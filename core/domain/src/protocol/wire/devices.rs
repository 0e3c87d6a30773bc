//! Devices: one-time approval codes for adding a device, joining with one, listing and
//! revoking devices (docs/protocol.md "Devices").
//!
//! An approval code is 80 random bits written as 16 characters of Crockford's base32 in four
//! groups (`7KQ2-M9XD-4HNB-0RTW`); the QR payload is the code behind [`APPROVAL_QR_PREFIX`]
//! (QR alphanumeric mode). [`normalize_approval_code`] accepts either, in any case, with or
//! without dashes and spaces, reading `O` as `0` and `I`/`L` as `1`.

use serde::{Deserialize, Serialize};

/// Characters of an approval code without its dashes.
pub const APPROVAL_CODE_CHARS: usize = 16;
/// Random bytes behind an approval code (16 base32 characters = 80 bits).
pub const APPROVAL_CODE_BYTES: usize = 10;
/// Seconds an approval code stays valid.
pub const APPROVAL_CODE_TTL_SECS: i64 = 10 * 60;
/// Approval codes of one user that may be open (unused, unexpired) at once.
pub const MAX_OPEN_APPROVAL_CODES: u32 = 3;
/// Characters of a device name given when joining.
pub const MAX_DEVICE_NAME_CHARS: usize = 40;
/// What a QR payload of an approval code starts with.
pub const APPROVAL_QR_PREFIX: &str = "DANBAO-JOIN:";

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Writes 10 random bytes as an approval code: 16 base32 characters in groups of four.
pub fn encode_approval_code(bytes: &[u8; APPROVAL_CODE_BYTES]) -> String {
    let mut bits: u128 = 0;
    for byte in bytes {
        bits = (bits << 8) | u128::from(*byte);
    }
    let mut out = String::with_capacity(APPROVAL_CODE_CHARS + 3);
    for position in 0..APPROVAL_CODE_CHARS {
        if position > 0 && position % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (APPROVAL_CODE_CHARS - 1 - position);
        let digit = usize::try_from((bits >> shift) & 0x1f).unwrap_or_default();
        out.push(char::from(ALPHABET[digit]));
    }
    out
}

/// Why typed or scanned text is not an approval code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalCodeError {
    /// Too short or too long once dashes and spaces are removed.
    #[error("an approval code has {APPROVAL_CODE_CHARS} letters and digits; this has {found}")]
    Length {
        /// Letters and digits found.
        found: usize,
    },
    /// A character outside the code's alphabet.
    #[error("{found:?} cannot be part of an approval code (letters and digits only, no U)")]
    Character {
        /// The offending character.
        found: char,
    },
}

/// The canonical form of a typed code or a scanned QR payload: 16 upper-case characters of the
/// alphabet in four groups of four, e.g. `7KQ2-M9XD-4HNB-0RTW` (what the server hashes).
pub fn normalize_approval_code(text: &str) -> Result<String, ApprovalCodeError> {
    let text = text.trim();
    let text = text
        .get(..APPROVAL_QR_PREFIX.len())
        .filter(|head| head.eq_ignore_ascii_case(APPROVAL_QR_PREFIX))
        .map_or(text, |_| &text[APPROVAL_QR_PREFIX.len()..]);
    let mut plain = String::with_capacity(APPROVAL_CODE_CHARS);
    for c in text.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return Err(ApprovalCodeError::Character { found: c });
        }
        plain.push(c);
    }
    let found = plain.chars().count();
    if found != APPROVAL_CODE_CHARS {
        return Err(ApprovalCodeError::Length { found });
    }
    let mut grouped = String::with_capacity(APPROVAL_CODE_CHARS + 3);
    for (position, c) in plain.chars().enumerate() {
        if position > 0 && position % 4 == 0 {
            grouped.push('-');
        }
        grouped.push(c);
    }
    Ok(grouped)
}

/// The QR payload showing `code`.
pub fn approval_qr_payload(code: &str) -> String {
    format!("{APPROVAL_QR_PREFIX}{code}")
}

/// Answer of `POST /v1/devices/approvals`: a one-time code a new device joins with. Shown
/// once: the server keeps only its hash and does not store this answer. `Debug` does not print
/// the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceApproval {
    /// The code as text, four groups of four, e.g. `7KQ2-M9XD-4HNB-0RTW`.
    pub code: String,
    /// The QR payload: [`APPROVAL_QR_PREFIX`] and the code.
    pub qr_payload: String,
    /// Unix seconds after which the code is refused (`approval_code_expired`).
    pub expires_at: i64,
}

impl std::fmt::Debug for DeviceApproval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceApproval")
            .field("code", &"<redacted>")
            .field("qr_payload", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Body of `POST /v1/devices/join`, signed with the new device's key (`Danbao-Device: new`).
/// `Debug` does not print the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JoinDevice {
    /// The approval code the existing device shows (text or its QR payload).
    pub code: String,
    /// The user's handle, if the person typed it: the code must then be that user's, and
    /// wrong codes are counted against that user too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// The new device's P-256 public key, uncompressed SEC1 (65 bytes), base64url without
    /// padding.
    pub public_key: String,
    /// A label for the new device.
    pub device_name: String,
}

impl std::fmt::Debug for JoinDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinDevice")
            .field("code", &"<redacted>")
            .field("handle", &self.handle)
            .field("public_key", &self.public_key)
            .field("device_name", &self.device_name)
            .finish()
    }
}

/// Answer of `POST /v1/devices/join`: the new device of an existing user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Joined {
    /// The user the device joined.
    pub user_id: i64,
    /// The new device's id: the `Danbao-Device` header from now on.
    pub device_id: i64,
    /// The user's handle.
    pub handle: String,
    /// The user's display name.
    pub display_name: String,
}

/// A device of the caller's user (`GET /v1/devices`, `POST /v1/devices/{id}/revoke`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceView {
    /// The device id.
    pub id: i64,
    /// The label given when it was registered.
    pub name: String,
    /// Unix seconds it was registered.
    pub created_at: i64,
    /// Unix seconds of its last signed change (reads do not count).
    pub last_seen_at: i64,
    /// Unix seconds it was revoked; `None` while it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    /// Whether it is the device that asked.
    pub this_device: bool,
}

/// Answer of `GET /v1/devices`: active devices first (oldest first), then revoked ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceList {
    /// The devices.
    pub devices: Vec<DeviceView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_alphabet_characters_in_groups_and_read_back_forgivingly() {
        let code = encode_approval_code(&[0xff; APPROVAL_CODE_BYTES]);
        assert_eq!(code, "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let code = encode_approval_code(&[0; APPROVAL_CODE_BYTES]);
        assert_eq!(code, "0000-0000-0000-0000");
        let code = encode_approval_code(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(code.len(), 19);
        assert_eq!(normalize_approval_code(&code), Ok(code.clone()));
        let typed = code.replace('-', " ").to_ascii_lowercase();
        assert_eq!(normalize_approval_code(&typed), Ok(code.clone()));
        assert_eq!(
            normalize_approval_code(&approval_qr_payload(&code)),
            Ok(code.clone())
        );
        assert_eq!(
            normalize_approval_code("danbao-join:oiL0-0000-0000-0000"),
            Ok("0110-0000-0000-0000".to_owned())
        );
        assert_eq!(
            normalize_approval_code("0000-0000"),
            Err(ApprovalCodeError::Length { found: 8 })
        );
        assert_eq!(
            normalize_approval_code("0000-0000-0000-000U"),
            Err(ApprovalCodeError::Character { found: 'U' })
        );
    }

    #[test]
    fn debug_never_prints_a_code() {
        let approval = DeviceApproval {
            code: "SECRET".into(),
            qr_payload: "SECRETQR".into(),
            expires_at: 1,
        };
        let join = JoinDevice {
            code: "SECRET".into(),
            handle: None,
            public_key: "BAAA".into(),
            device_name: "tablet".into(),
        };
        let debug = format!("{approval:?} {join:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
    }
}
