//! What can go wrong talking to the server, and whether a failed request may have been applied.

use std::error::Error as StdError;

/// Which wait ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    /// Opening the connection (TCP + TLS): the request was not sent.
    Connect,
    /// Waiting for the whole answer: the request may have reached the server.
    Response,
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "connecting",
            Self::Response => "waiting for the answer",
        })
    }
}

/// Whether a failed request may have changed anything on the server — what the outbox needs
/// to decide between "send again with the same key" and "give up, nothing happened".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server did not apply the request: it was never sent, or the server refused it.
    NotApplied,
    /// The request may have reached the server; only a retry with the same idempotency key
    /// (or a sync) can tell.
    Unknown,
}

/// A failed call to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The server URL cannot be used.
    #[error("server URL {url:?} cannot be used: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong and what would be right.
        reason: String,
    },
    /// A transport setting (pins, trust roots) is wrong.
    #[error("transport setting refused: {detail}")]
    InvalidConfig {
        /// What is wrong and what would be right.
        detail: String,
    },
    /// The request itself cannot be sent (a bad idempotency key, a body that does not
    /// serialize); nothing was sent.
    #[error("request not sent: {detail}")]
    InvalidRequest {
        /// What is wrong and what would be right.
        detail: String,
    },
    /// The device key could not sign the request; nothing was sent.
    #[error("request not sent: the device key could not sign it: {detail}")]
    Signing {
        /// What the signer reported.
        detail: String,
    },
    /// No connection to the server could be opened (offline, DNS, refused); nothing was sent.
    #[error("cannot reach the server at {host}: {detail}; check the network connection")]
    Offline {
        /// The server host.
        host: String,
        /// The underlying error chain.
        detail: String,
    },
    /// A timeout ran out.
    #[error("no answer from {host} after {after_ms} ms {phase}")]
    Timeout {
        /// The server host.
        host: String,
        /// Which wait ran out.
        phase: TimeoutPhase,
        /// The configured limit in milliseconds.
        after_ms: u64,
    },
    /// The TLS handshake failed (untrusted or expired certificate, wrong name, protocol).
    #[error("secure connection to {host} failed: {detail}")]
    Tls {
        /// The server host.
        host: String,
        /// What rustls reported.
        detail: String,
    },
    /// The server's certificate is valid but its key is not one of the pinned keys: possibly
    /// an interception proxy. Nothing was sent.
    #[error(
        "refusing {host}: its certificate key pin {found} is not one of the {configured} pinned \
         keys (an interception proxy, or the server rotated to a key the app does not know)"
    )]
    PinMismatch {
        /// The server host.
        host: String,
        /// The pin of the key the server presented (base64 SHA-256 of its SPKI).
        found: String,
        /// How many pins are configured.
        configured: usize,
    },
    /// The connection broke after the request was (perhaps) sent.
    #[error(
        "the connection to {host} broke before the answer arrived ({detail}); the request may \
         have been applied — retry it with the same idempotency key"
    )]
    Interrupted {
        /// The server host.
        host: String,
        /// The underlying error chain.
        detail: String,
    },
    /// The server answered with an error status (a problem+json body when it is ours).
    #[error("the server refused the request ({status} {code}): {detail}")]
    Http {
        /// HTTP status.
        status: u16,
        /// The problem's stable `code` (`http_<status>` when the body was not a problem).
        code: String,
        /// The problem's `detail`, for people.
        detail: String,
        /// Seconds the server asked the client to wait (`Retry-After`), if it said.
        retry_after_secs: Option<u64>,
    },
    /// The answer's body is longer than the transport reads.
    #[error(
        "{host} answered {status} with a body longer than {limit} bytes; the answer was not read"
    )]
    TooLarge {
        /// The server host.
        host: String,
        /// The HTTP status of the answer.
        status: u16,
        /// The limit, in bytes ([`super::TransportConfig::max_response_bytes`]).
        limit: usize,
    },
    /// A success answer did not have the expected shape.
    #[error("cannot read the server's answer to {request} as {expected}: {detail}")]
    Decode {
        /// Method and path of the request.
        request: String,
        /// The type that was expected.
        expected: &'static str,
        /// What serde reported.
        detail: String,
    },
}

impl TransportError {
    /// Whether the request may have been applied by the server.
    pub fn outcome(&self) -> Outcome {
        match self {
            Self::InvalidUrl { .. }
            | Self::InvalidConfig { .. }
            | Self::InvalidRequest { .. }
            | Self::Signing { .. }
            | Self::Offline { .. }
            | Self::Tls { .. }
            | Self::PinMismatch { .. } => Outcome::NotApplied,
            Self::Timeout { phase, .. } => match phase {
                TimeoutPhase::Connect => Outcome::NotApplied,
                TimeoutPhase::Response => Outcome::Unknown,
            },
            Self::Interrupted { .. } => Outcome::Unknown,
            // Our server stores nothing for a 5xx, but a gateway in front of it may have
            // forwarded the request before failing: only the 4xx refusals are final.
            Self::Http { status, .. } => {
                if *status >= 500 {
                    Outcome::Unknown
                } else {
                    Outcome::NotApplied
                }
            }
            // A 2xx arrived: the request was applied, but its answer could not be read.
            Self::Decode { .. } => Outcome::Unknown,
            // Only a refusal (4xx) says nothing was applied.
            Self::TooLarge { status, .. } => {
                if (400..500).contains(status) {
                    Outcome::NotApplied
                } else {
                    Outcome::Unknown
                }
            }
        }
    }

    /// Shorthand for `outcome() == Outcome::Unknown`.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome() == Outcome::Unknown
    }

    /// Whether sending the same request again may succeed: connection failures, timeouts,
    /// 5xx and 429. Refusals (4xx), TLS and pin failures and local errors are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Offline { .. } | Self::Timeout { .. } | Self::Interrupted { .. } => true,
            Self::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    /// The HTTP status of a refusal.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The problem `code` of an HTTP refusal.
    pub fn problem_code(&self) -> Option<&str> {
        match self {
            Self::Http { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Every error in `error`'s chain, looking inside `io::Error`s (whose `source` skips the
/// wrapped error itself).
fn chain<'a>(error: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        out.push(current);
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => current.source(),
        };
        if out.len() > 32 {
            break;
        }
    }
    out
}

/// The error chain as one line, without repeats.
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for link in chain(error) {
        let text = link.to_string();
        if !parts.iter().any(|seen| seen.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// What the transport needs to name in its errors.
pub(crate) struct Limits<'a> {
    pub host: &'a str,
    pub connect_ms: u64,
    pub request_ms: u64,
}

/// Maps a reqwest failure to the transport's error, finding TLS and pin failures in the chain.
pub(crate) fn classify(error: &reqwest::Error, limits: &Limits<'_>) -> TransportError {
    let host = limits.host.to_owned();
    for link in chain(error) {
        if let Some(rustls_error) = link.downcast_ref::<rustls::Error>() {
            if let rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) =
                rustls_error
                && let Some(mismatch) = other.0.downcast_ref::<PinMismatch>()
            {
                return TransportError::PinMismatch {
                    host,
                    found: mismatch.found.clone(),
                    configured: mismatch.configured,
                };
            }
            return TransportError::Tls {
                host,
                detail: rustls_error.to_string(),
            };
        }
    }
    if error.is_timeout() {
        return if error.is_connect() {
            TransportError::Timeout {
                host,
                phase: TimeoutPhase::Connect,
                after_ms: limits.connect_ms,
            }
        } else {
            TransportError::Timeout {
                host,
                phase: TimeoutPhase::Response,
                after_ms: limits.request_ms,
            }
        };
    }
    if error.is_connect() {
        return TransportError::Offline {
            host,
            detail: describe(error),
        };
    }
    TransportError::Interrupted {
        host,
        detail: describe(error),
    }
}

/// The leaf certificate's key is not one of the pins (raised by the pinning verifier in
/// `super::tls`, carried inside the rustls error and found again here when classifying a
/// failed request).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the server's public key pin is {found}, which is not one of the {configured} configured pins"
)]
pub struct PinMismatch {
    /// The pin of the key the server presented.
    pub found: String,
    /// How many pins are configured.
    pub configured: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> TransportError {
        TransportError::Http {
            status,
            code: "x".into(),
            detail: "y".into(),
            retry_after_secs: None,
        }
    }

    #[test]
    fn outcome_and_retry_rules() {
        assert_eq!(http(422).outcome(), Outcome::NotApplied);
        assert!(!http(422).is_retryable());
        assert!(http(429).is_retryable());
        assert_eq!(http(429).outcome(), Outcome::NotApplied);
        assert!(http(503).is_retryable());
        assert!(http(503).outcome_unknown());
        let connect = TransportError::Timeout {
            host: "h".into(),
            phase: TimeoutPhase::Connect,
            after_ms: 1,
        };
        assert_eq!(connect.outcome(), Outcome::NotApplied);
        assert!(connect.is_retryable());
        let response = TransportError::Timeout {
            host: "h".into(),
            phase: TimeoutPhase::Response,
            after_ms: 1,
        };
        assert!(response.outcome_unknown());
        let pin = TransportError::PinMismatch {
            host: "h".into(),
            found: "p".into(),
            configured: 2,
        };
        assert!(!pin.is_retryable());
        assert_eq!(pin.outcome(), Outcome::NotApplied);
        assert!(
            TransportError::Interrupted {
                host: "h".into(),
                detail: "d".into()
            }
            .outcome_unknown()
        );
    }

    #[test]
    fn chain_looks_inside_io_errors() {
        let inner = rustls::Error::InvalidCertificate(rustls::CertificateError::Other(
            rustls::OtherError(std::sync::Arc::new(PinMismatch {
                found: "abc".into(),
                configured: 2,
            })),
        ));
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, inner);
        let links = chain(&io);
        assert!(
            links
                .iter()
                .any(|link| link.downcast_ref::<rustls::Error>().is_some())
        );
    }
}
