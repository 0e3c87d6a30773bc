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
//! plus `Idempotency-Key` on mutating requests. The signed message ([`SignedParts`]) binds the
//! method, the host, the path with its query, the SHA-256 of the body, the device id, the
//! timestamp, the nonce and the idempotency key, so none of them can be changed, sent to
//! another deployment or replayed without the device key. The server refuses a
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
pub mod outcome;
pub mod wire;

pub use command::{Command, OrderStepCommand};
pub use outcome::{Outcome, Refusal};

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

/// Domain separation: a signature over this protocol cannot be replayed in another. V2 added
/// the host and the device id to the signed bytes; a V1 signature no longer verifies.
const DOMAIN: &str = "DANBAO-REQUEST-V2";

/// The parts of one request that its device signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedParts<'a> {
    /// The HTTP method (compared upper-case).
    pub method: &'a str,
    /// The `Host` header as sent: the server's host name, with `:port` when the port is not
    /// the scheme's default (compared lower-case). Binds a signature to one deployment.
    pub host: &'a str,
    /// The request target as sent: path and query, e.g. `/v1/activity?limit=50`.
    pub path: &'a str,
    /// The body bytes (empty for none); the message holds their SHA-256.
    pub body: &'a [u8],
    /// The `Danbao-Device` header: the device id, or `new` at sign-up.
    pub device: &'a str,
    /// Unix seconds at signing.
    pub timestamp: i64,
    /// The single-use nonce.
    pub nonce: &'a str,
    /// The idempotency key, empty for requests without one.
    pub idempotency_key: &'a str,
}

/// The exact bytes a device signs for one request: every part of [`SignedParts`], one per
/// line after the protocol's version, so none can be changed, moved to another host or
/// device, or replayed without the device key.
pub fn signing_message(parts: &SignedParts<'_>) -> Vec<u8> {
    let body_hash = hex_lower(digest::digest(&digest::SHA256, parts.body).as_ref());
    format!(
        "{DOMAIN}\n{}\n{}\n{}\n{body_hash}\n{}\n{}\n{}\n{}",
        parts.method.to_ascii_uppercase(),
        parts.host.to_ascii_lowercase(),
        parts.path,
        parts.device,
        parts.timestamp,
        parts.nonce,
        parts.idempotency_key,
    )
    .into_bytes()
}

/// Whether a request signed at `timestamp` is fresh at `now`: at most
/// [`MAX_CLOCK_SKEW_SECS`] apart either way. Exact for every `i64`, however far apart.
pub fn is_fresh(timestamp: i64, now: i64) -> bool {
    now.abs_diff(timestamp) <= MAX_CLOCK_SKEW_SECS.unsigned_abs()
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

    const BASE: SignedParts<'static> = SignedParts {
        method: "post",
        host: "API.danbao.example",
        path: "/v1/transfers",
        body: b"{}",
        device: "7",
        timestamp: 1_700_000_000,
        nonce: "n",
        idempotency_key: "k",
    };

    #[test]
    fn message_binds_every_part() {
        let base = signing_message(&BASE);
        let text = String::from_utf8(base.clone()).unwrap();
        assert_eq!(
            text,
            "DANBAO-REQUEST-V2\nPOST\napi.danbao.example\n/v1/transfers\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n7\n1700000000\nn\nk"
        );
        let variants = [
            SignedParts {
                method: "PUT",
                ..BASE
            },
            SignedParts {
                host: "api.danbao.example:8443",
                ..BASE
            },
            SignedParts {
                host: "staging.danbao.example",
                ..BASE
            },
            SignedParts {
                path: "/v1/transfer",
                ..BASE
            },
            SignedParts {
                body: b"{ }",
                ..BASE
            },
            SignedParts {
                device: "8",
                ..BASE
            },
            SignedParts {
                timestamp: 1_700_000_001,
                ..BASE
            },
            SignedParts { nonce: "m", ..BASE },
            SignedParts {
                idempotency_key: "j",
                ..BASE
            },
        ];
        for variant in variants {
            assert_ne!(signing_message(&variant), base, "{variant:?}");
        }
    }

    #[test]
    fn freshness_is_exact_at_the_edges_of_i64() {
        let now = 1_700_000_000;
        assert!(is_fresh(now - MAX_CLOCK_SKEW_SECS, now));
        assert!(is_fresh(now + MAX_CLOCK_SKEW_SECS, now));
        assert!(!is_fresh(now - MAX_CLOCK_SKEW_SECS - 1, now));
        assert!(!is_fresh(now + MAX_CLOCK_SKEW_SECS + 1, now));
        for far in [i64::MIN, i64::MIN + 1, i64::MAX, -1, 0] {
            assert!(!is_fresh(far, now), "{far}");
        }
        assert!(is_fresh(i64::MAX, i64::MAX));
        assert!(!is_fresh(i64::MIN, i64::MAX));
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
