//! The request-signing protocol shared by the wallet client and the server (DESIGN.md §6).
//!
//! Every mutating request (and every read of private data) carries four headers:
//!
//! | header | value |
//! |---|---|
//! | `Danbao-Device` | the device id the server assigned at registration |
//! | `Danbao-Timestamp` | Unix seconds when the request was signed |
//! | `Danbao-Nonce` | 16–64 characters `[A-Za-z0-9_-]`, never reused by the device |
//! | `Danbao-Signature` | base64 (standard, padded) of the DER ECDSA P-256/SHA-256 signature of [`signing_message`] |
//!
//! plus `Idempotency-Key` on mutating requests. The signed message binds the method, the path
//! with its query, the SHA-256 of the body, the timestamp, the nonce and the idempotency key,
//! so none of them can be changed or replayed without the device key. The server refuses a
//! timestamp more than [`MAX_CLOCK_SKEW_SECS`] away from its clock and a nonce it has seen.
//!
//! [`wire`] holds every request, answer and feed event of the API, defined once for the server
//! and the client; [`Command`] is every change a client can ask for, as data.
//!
//! [`limits`] holds the protocol's other limits (text lengths, page sizes, code lifetimes,
//! order windows), each defined once for the server and the client.

use ring::digest;

pub mod command;
pub mod limits;
pub mod wire;

pub use command::{Command, OrderStepCommand};

/// Header naming the signing device.
pub const HEADER_DEVICE: &str = "danbao-device";
/// Header with the signing time (Unix seconds).
pub const HEADER_TIMESTAMP: &str = "danbao-timestamp";
/// Header with the single-use nonce.
pub const HEADER_NONCE: &str = "danbao-nonce";
/// Header with the base64 DER signature.
pub const HEADER_SIGNATURE: &str = "danbao-signature";
/// Header with the idempotency key of a mutating request.
pub const HEADER_IDEMPOTENCY_KEY: &str = "idempotency-key";

/// How far a request's timestamp may be from the server's clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Domain separation: a signature over this protocol cannot be replayed in another.
const DOMAIN: &str = "DANBAO-REQUEST-V1";

/// The exact bytes a device signs for one request.
///
/// `path` is the request target as sent (path and query, e.g. `/v1/activity?limit=50`).
/// `idempotency_key` is empty for requests without one.
pub fn signing_message(
    method: &str,
    path: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
    idempotency_key: &str,
) -> Vec<u8> {
    let body_hash = hex_lower(digest::digest(&digest::SHA256, body).as_ref());
    format!(
        "{DOMAIN}\n{}\n{path}\n{body_hash}\n{timestamp}\n{nonce}\n{idempotency_key}",
        method.to_ascii_uppercase()
    )
    .into_bytes()
}

/// True when `nonce` has the allowed length and alphabet.
pub fn nonce_is_well_formed(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// True when `key` is an acceptable idempotency key (8–128 printable ASCII characters).
pub fn idempotency_key_is_well_formed(key: &str) -> bool {
    (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Percent-encodes one path segment or query value: everything but RFC 3986 unreserved
/// characters, so the URL parser sends exactly what was signed.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Lower-case hex of `bytes`.
pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_binds_every_part() {
        let base = signing_message("post", "/v1/transfers", b"{}", 1_700_000_000, "n", "k");
        let text = String::from_utf8(base.clone()).unwrap();
        assert_eq!(
            text,
            "DANBAO-REQUEST-V1\nPOST\n/v1/transfers\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n1700000000\nn\nk"
        );
        let variants = [
            signing_message("PUT", "/v1/transfers", b"{}", 1_700_000_000, "n", "k"),
            signing_message("POST", "/v1/transfer", b"{}", 1_700_000_000, "n", "k"),
            signing_message("POST", "/v1/transfers", b"{ }", 1_700_000_000, "n", "k"),
            signing_message("POST", "/v1/transfers", b"{}", 1_700_000_001, "n", "k"),
            signing_message("POST", "/v1/transfers", b"{}", 1_700_000_000, "m", "k"),
            signing_message("POST", "/v1/transfers", b"{}", 1_700_000_000, "n", "j"),
        ];
        for variant in variants {
            assert_ne!(variant, base);
        }
    }

    #[test]
    fn nonce_and_key_shapes() {
        assert!(nonce_is_well_formed("abcdefghijklmnop"));
        assert!(!nonce_is_well_formed("short"));
        assert!(!nonce_is_well_formed("abcdefghijklmno\n"));
        assert!(idempotency_key_is_well_formed("order-1234"));
        assert!(!idempotency_key_is_well_formed("with space"));
        assert!(!idempotency_key_is_well_formed("short"));
    }
}
