//! Webhook signatures following the Standard Webhooks specification
//! (<https://www.standardwebhooks.com/>): what the server signs each delivery with and what a
//! merchant's receiver checks.
//!
//! A delivery carries three headers: [`HEADER_ID`] (the event's id, the same on every retry, so
//! the receiver de-duplicates by it), [`HEADER_TIMESTAMP`] (Unix seconds of this attempt) and
//! [`HEADER_SIGNATURE`]: space-separated `v1,<base64 HMAC-SHA256>` signatures of
//! `<id>.<timestamp>.<body>` under the endpoint's secret — more than one while a rotated
//! secret's predecessor is still honoured. Secrets are written `whsec_<base64 of the key>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;
use ring::rand::SecureRandom;

/// The event id header.
pub const HEADER_ID: &str = "webhook-id";
/// The attempt's Unix seconds header.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The signatures header.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far a delivery's timestamp may be from the receiver's clock (the specification's
/// suggested five minutes), against replays of a captured delivery.
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 5 * 60;

const SECRET_PREFIX: &str = "whsec_";
const SIGNATURE_VERSION: &str = "v1,";
/// Key bytes of a generated secret (the specification asks for 24 to 64).
const GENERATED_KEY_BYTES: usize = 32;

/// An endpoint's signing secret. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookSecret(<redacted {} bytes>)", self.0.len())
    }
}

/// Why a delivery did not verify, or a secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The secret text is not `whsec_<base64>` of 24 to 64 bytes.
    #[error("webhook secret refused: {reason}")]
    BadSecret {
        /// What is wrong.
        reason: String,
    },
    /// The timestamp header is not Unix seconds.
    #[error("{HEADER_TIMESTAMP} {found:?} is not Unix seconds")]
    BadTimestamp {
        /// The header as received.
        found: String,
    },
    /// The delivery is older or newer than the tolerance allows.
    #[error(
        "the delivery was signed at {timestamp}, {} s from now ({now}); at most \
         {TIMESTAMP_TOLERANCE_SECS} s is accepted",
        now.abs_diff(*timestamp)
    )]
    Stale {
        /// The delivery's timestamp.
        timestamp: i64,
        /// The receiver's clock.
        now: i64,
    },
    /// No `v1` signature in the header matches.
    #[error("no v1 signature in {HEADER_SIGNATURE} matches this delivery and secret")]
    NoMatch,
}

impl WebhookSecret {
    /// A fresh random secret.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, WebhookError> {
        let mut key = vec![0u8; GENERATED_KEY_BYTES];
        rng.fill(&mut key).map_err(|_| WebhookError::BadSecret {
            reason: "the system random source failed".to_owned(),
        })?;
        Ok(Self(key))
    }

    /// Reads `whsec_<base64>`.
    pub fn from_text(text: &str) -> Result<Self, WebhookError> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| WebhookError::BadSecret {
                reason: format!("it must start with {SECRET_PREFIX:?}"),
            })?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|error| WebhookError::BadSecret {
                reason: format!("the part after {SECRET_PREFIX:?} is not base64: {error}"),
            })?;
        Self::from_bytes(key)
    }

    /// A secret of 24 to 64 key bytes.
    pub fn from_bytes(key: Vec<u8>) -> Result<Self, WebhookError> {
        if !(24..=64).contains(&key.len()) {
            return Err(WebhookError::BadSecret {
                reason: format!("it holds {} bytes; 24 to 64 are allowed", key.len()),
            });
        }
        Ok(Self(key))
    }

    /// `whsec_<base64>`: what the merchant is shown once and keeps.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// The key bytes, for sealing at rest only.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = hmac::sign(&self.key(), &signed_content(id, timestamp, body));
        format!("{SIGNATURE_VERSION}{}", STANDARD.encode(tag.as_ref()))
    }

    fn key(&self) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &self.0)
    }
}

fn signed_content(id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(id.len() + 24 + body.len());
    content.extend_from_slice(id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(timestamp.to_string().as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    content
}

/// Checks a delivery as a receiver does: the timestamp within [`TIMESTAMP_TOLERANCE_SECS`] of
/// `now`, and one `v1` signature in `signatures` (the header's space-separated list) matching
/// under one of `secrets` (compared in constant time). Unknown signature versions are skipped.
pub fn verify(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let timestamp: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookError::BadTimestamp {
            found: timestamp.to_owned(),
        })?;
    if now.abs_diff(timestamp) > TIMESTAMP_TOLERANCE_SECS.unsigned_abs() {
        return Err(WebhookError::Stale { timestamp, now });
    }
    let content = signed_content(id, timestamp, body);
    let matched = signatures
        .split_whitespace()
        .filter_map(|signature| signature.strip_prefix(SIGNATURE_VERSION))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .any(|tag| {
            secrets
                .iter()
                .any(|secret| hmac::verify(&secret.key(), &content, &tag).is_ok())
        });
    if matched {
        Ok(())
    } else {
        Err(WebhookError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification (its reference libraries' tests).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_the_specifications_example() {
        let secret = WebhookSecret::from_text(SPEC_SECRET).unwrap();
        assert_eq!(
            secret.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY),
            SPEC_SIGNATURE
        );
        assert_eq!(secret.to_text(), SPEC_SECRET);
        assert_eq!(
            verify(
                &[secret],
                SPEC_ID,
                "1614265330",
                SPEC_SIGNATURE,
                SPEC_BODY,
                SPEC_TIMESTAMP + 10
            ),
            Ok(())
        );
    }

    #[test]
    fn every_part_is_bound_and_rotation_keeps_both_secrets_working() {
        let old = WebhookSecret::from_text(SPEC_SECRET).unwrap();
        let new = WebhookSecret::from_bytes(vec![7u8; 32]).unwrap();
        let t = SPEC_TIMESTAMP;
        let signed = new.sign(SPEC_ID, t, SPEC_BODY);
        let ok = |secrets: &[WebhookSecret], id: &str, ts: &str, sig: &str, body: &[u8]| {
            verify(secrets, id, ts, sig, body, t)
        };
        assert_eq!(
            ok(
                std::slice::from_ref(&new),
                SPEC_ID,
                "1614265330",
                &signed,
                SPEC_BODY
            ),
            Ok(())
        );
        // Another id, time or body, or the other secret: no match.
        assert_eq!(
            ok(
                std::slice::from_ref(&new),
                "msg_other",
                "1614265330",
                &signed,
                SPEC_BODY
            ),
            Err(WebhookError::NoMatch)
        );
        assert_eq!(
            ok(
                std::slice::from_ref(&new),
                SPEC_ID,
                "1614265331",
                &signed,
                SPEC_BODY
            ),
            Err(WebhookError::NoMatch)
        );
        assert_eq!(
            ok(
                std::slice::from_ref(&new),
                SPEC_ID,
                "1614265330",
                &signed,
                b"{}"
            ),
            Err(WebhookError::NoMatch)
        );
        assert_eq!(
            ok(
                std::slice::from_ref(&old),
                SPEC_ID,
                "1614265330",
                &signed,
                SPEC_BODY
            ),
            Err(WebhookError::NoMatch)
        );
        // During a rotation the header carries both signatures; either secret verifies it.
        let both = format!("{} {}", old.sign(SPEC_ID, t, SPEC_BODY), signed);
        assert_eq!(
            ok(
                std::slice::from_ref(&old),
                SPEC_ID,
                "1614265330",
                &both,
                SPEC_BODY
            ),
            Ok(())
        );
        assert_eq!(ok(&[new], SPEC_ID, "1614265330", &both, SPEC_BODY), Ok(()));
        // Unknown versions are skipped, not errors.
        let v2 = format!("v2,abc {SPEC_SIGNATURE}");
        assert_eq!(ok(&[old], SPEC_ID, "1614265330", &v2, SPEC_BODY), Ok(()));
    }

    #[test]
    fn stale_and_malformed_deliveries_are_refused() {
        let secret = WebhookSecret::from_text(SPEC_SECRET).unwrap();
        let check = |ts: &str, now: i64| {
            verify(
                std::slice::from_ref(&secret),
                SPEC_ID,
                ts,
                SPEC_SIGNATURE,
                SPEC_BODY,
                now,
            )
        };
        assert_eq!(check("1614265330", SPEC_TIMESTAMP + 300), Ok(()));
        assert_eq!(
            check("1614265330", SPEC_TIMESTAMP + 301),
            Err(WebhookError::Stale {
                timestamp: SPEC_TIMESTAMP,
                now: SPEC_TIMESTAMP + 301
            })
        );
        assert!(matches!(
            check("1614265330", i64::MIN),
            Err(WebhookError::Stale { .. })
        ));
        assert!(matches!(
            check("soon", SPEC_TIMESTAMP),
            Err(WebhookError::BadTimestamp { .. })
        ));
        assert!(matches!(
            WebhookSecret::from_text("MfKQ9r8G"),
            Err(WebhookError::BadSecret { .. })
        ));
        assert!(matches!(
            WebhookSecret::from_text("whsec_!!"),
            Err(WebhookError::BadSecret { .. })
        ));
        assert_eq!(
            WebhookSecret::from_bytes(vec![1; 8])
                .unwrap_err()
                .to_string(),
            "webhook secret refused: it holds 8 bytes; 24 to 64 are allowed"
        );
        assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted 24 bytes>)");
    }
}
