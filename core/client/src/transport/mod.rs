//! Signed HTTPS requests to the Danbao server (DESIGN.md §6, docs/client-transport.md).
//!
//! - **TLS**: rustls on the ring provider only, Mozilla roots compiled in (or a given CA
//!   list), optional SPKI pinning with a required backup pin ([`tls`]).
//! - **HTTPS only**, except loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) for tests and
//!   the CLI against a local server.
//! - **Signing**: every attempt is signed afresh with the device key (new timestamp from the
//!   injected [`Clock`], new nonce from ring's `SystemRandom`), per
//!   [`danbao_domain::protocol::signing_message`].
//! - **Retries** with exponential backoff and full jitter (the [`Jitter`] source is injected)
//!   only for idempotent requests — GETs and POSTs with an `Idempotency-Key` — after connect
//!   failures, timeouts, broken connections, 5xx and 429. Never after any other 4xx.
//! - **Errors** say whether the request may have been applied ([`TransportError::outcome`]).

pub mod error;
pub mod tls;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Url;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};
use ring::rand::{SecureRandom, SystemRandom};

use super::secrets::Signer;
use danbao_domain::protocol::{
    self, HEADER_DEVICE, HEADER_IDEMPOTENCY_KEY, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP,
    SignedParts,
};
pub use error::{Outcome, TimeoutPhase, TransportError};
pub use tls::{PinSet, SpkiPin, TrustRoots};

/// The current time for request signatures. The server refuses a timestamp more than
/// [`protocol::MAX_CLOCK_SKEW_SECS`] from its own clock.
pub trait Clock: Send + Sync {
    /// Unix seconds now.
    fn now_unix_secs(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_secs(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
            })
    }
}

/// Picks the randomised part of a retry delay.
pub trait Jitter: Send + Sync {
    /// A duration between zero and `ceiling`, inclusive.
    fn pick(&self, ceiling: Duration) -> Duration;
}

/// Uniform jitter from ring's `SystemRandom`.
#[derive(Debug, Clone)]
pub struct RandomJitter {
    rng: SystemRandom,
}

impl RandomJitter {
    /// Jitter from the operating system's random source.
    pub fn new() -> Self {
        Self {
            rng: SystemRandom::new(),
        }
    }
}

impl Default for RandomJitter {
    fn default() -> Self {
        Self::new()
    }
}

impl Jitter for RandomJitter {
    fn pick(&self, ceiling: Duration) -> Duration {
        let mut bytes = [0u8; 8];
        if self.rng.fill(&mut bytes).is_err() {
            // No randomness: the full delay is still a correct (if less spread) backoff.
            return ceiling;
        }
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let picked = u64::from_le_bytes(bytes) % ceiling_ms.saturating_add(1);
        Duration::from_millis(picked)
    }
}

/// How often and how patiently idempotent requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The ceiling of the first retry's delay; it doubles with each retry.
    pub base_delay: Duration,
    /// The largest ceiling (and the cap for a server's `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (0 for the first retry): "full jitter" — a random
    /// duration up to `min(max_delay, base_delay · 2^retry)`.
    pub fn delay(&self, retry: u32, jitter: &dyn Jitter) -> Duration {
        let factor = 1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX);
        let ceiling = self
            .base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        jitter.pick(ceiling).min(ceiling)
    }
}

/// Everything the transport is set up with.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// The server's base URL, e.g. `https://api.danbao.app` (a path prefix is kept).
    pub base_url: String,
    /// Limit for opening a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Limit for one whole attempt, connection included.
    pub request_timeout: Duration,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// Which CAs are trusted.
    pub roots: TrustRoots,
    /// SPKI pins of the server's key (with a backup); `None` for no pinning.
    pub pins: Option<PinSet>,
    /// The largest answer body read, in bytes: a longer one (by `Content-Length` or as it
    /// streams in) is refused with [`TransportError::TooLarge`] instead of filling memory.
    pub max_response_bytes: usize,
}

/// [`TransportConfig::max_response_bytes`] by default: 4 MiB, far above the largest answer
/// (a page of 200 feed events or orders is about 300 KB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

impl TransportConfig {
    /// Defaults: 10 s to connect, 30 s per attempt, [`RetryPolicy::default`], Mozilla roots,
    /// no pinning, answers up to [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            roots: TrustRoots::Mozilla,
            pins: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Who a request is sent as.
#[derive(Clone)]
pub enum Credentials {
    /// A registered device: the request is signed with its key.
    Device {
        /// The id the server assigned at sign-up.
        device_id: i64,
        /// The device key.
        signer: Arc<dyn Signer>,
    },
    /// Sign-up: signed with the key being registered, `Danbao-Device: new`.
    NewDevice {
        /// The key being registered.
        signer: Arc<dyn Signer>,
    },
    /// The operator's bearer token (`/v1/admin/*`, `/v1/sandbox/*`).
    Operator {
        /// The token.
        token: String,
    },
    /// No credentials (health checks).
    Anonymous,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Device { device_id, .. } => write!(f, "Device({device_id})"),
            Self::NewDevice { .. } => f.write_str("NewDevice"),
            Self::Operator { .. } => f.write_str("Operator(<token>)"),
            Self::Anonymous => f.write_str("Anonymous"),
        }
    }
}

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A read.
    Get,
    /// A change (carries an `Idempotency-Key` to be retried).
    Post,
}

impl Method {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// One request, before signing.
#[derive(Debug, Clone)]
pub struct Call {
    /// GET or POST.
    pub method: Method,
    /// Path and query below the base URL, starting with `/`, already percent-encoded
    /// (see [`encode_component`]).
    pub path: String,
    /// The JSON body (empty for none).
    pub body: Vec<u8>,
    /// The idempotency key; required for a POST to be retried.
    pub idempotency_key: Option<String>,
}

impl Call {
    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            path: path.into(),
            body: Vec::new(),
            idempotency_key: None,
        }
    }

    /// A POST of `body` to `path` under `idempotency_key`.
    pub fn post(path: impl Into<String>, body: Vec<u8>, idempotency_key: Option<&str>) -> Self {
        Self {
            method: Method::Post,
            path: path.into(),
            body,
            idempotency_key: idempotency_key.map(str::to_owned),
        }
    }

    /// The POST of `command` (its path and JSON body) under `idempotency_key`.
    pub fn command(
        command: &Command,
        idempotency_key: Option<&str>,
    ) -> Result<Self, TransportError> {
        let body = command
            .body_bytes()
            .map_err(|error| TransportError::InvalidRequest {
                detail: format!("the request body does not serialize: {error}"),
            })?;
        Ok(Self::post(command.path(), body, idempotency_key))
    }

    /// Whether sending it twice is harmless.
    pub fn is_idempotent(&self) -> bool {
        self.method == Method::Get || self.idempotency_key.is_some()
    }
}

/// A success answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The 2xx status.
    pub status: u16,
    /// The body bytes.
    pub body: Vec<u8>,
    /// How many attempts it took (1 when the first one succeeded).
    pub attempts: u32,
}

/// The HTTP client: one per server, cheap to clone (connections are pooled and shared).
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    base: Url,
    base_text: String,
    host: String,
    /// The `Host` header every request carries and signs (host, `:port` when not default).
    authority: String,
    config: Arc<TransportConfig>,
    clock: Arc<dyn Clock>,
    jitter: Arc<dyn Jitter>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_text)
            .field("pinned", &self.config.pins.is_some())
            .finish_non_exhaustive()
    }
}

/// Checks a server base URL: https, or http to a loopback host only; no credentials, query or
/// fragment. Returns the URL without a trailing `/`.
pub fn check_base_url(text: &str) -> Result<Url, TransportError> {
    let refuse = |reason: String| TransportError::InvalidUrl {
        url: text.to_owned(),
        reason,
    };
    let url = Url::parse(text.trim()).map_err(|error| {
        refuse(format!(
            "{error}; expected an absolute URL such as https://api.example.com"
        ))
    })?;
    let host = url
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| refuse("it has no host; expected https://<host>[:port]".to_owned()))?
        .to_owned();
    match url.scheme() {
        "https" => {}
        "http" => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = match bare.parse::<IpAddr>() {
                Ok(ip) => ip.is_loopback(),
                Err(_) => {
                    let name = bare.trim_end_matches('.').to_ascii_lowercase();
                    name == "localhost" || name.ends_with(".localhost")
                }
            };
            if !loopback {
                return Err(refuse(format!(
                    "plain http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, \
                     localhost), not {host}; use https://"
                )));
            }
        }
        other => {
            return Err(refuse(format!(
                "scheme {other:?} is not supported; use https:// (or http:// for a loopback host)"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "it carries a user name or password; credentials never go in the URL".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            "it has a query or fragment; give only scheme, host, port and an optional path"
                .to_owned(),
        ));
    }
    Ok(url)
}

use danbao_domain::protocol::Command;
pub use danbao_domain::protocol::encode_component;
use danbao_domain::protocol::wire::Problem;

fn problem(status: u16, body: &[u8], retry_after_secs: Option<u64>) -> TransportError {
    let (code, detail) = match serde_json::from_slice::<Problem>(body) {
        Ok(Problem {
            code,
            detail,
            title,
            ..
        }) => {
            let detail = if detail.is_empty() { title } else { detail };
            (code, detail)
        }
        _ => {
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.chars().take(200).collect();
            (
                format!("http_{status}"),
                if snippet.trim().is_empty() {
                    "the answer had no problem details".to_owned()
                } else {
                    snippet
                },
            )
        }
    };
    TransportError::Http {
        status,
        code,
        detail,
        retry_after_secs,
    }
}

impl Transport {
    /// A transport for `config.base_url`. `clock` signs timestamps; `jitter` spreads retries.
    pub fn new(
        config: TransportConfig,
        clock: Arc<dyn Clock>,
        jitter: Arc<dyn Jitter>,
    ) -> Result<Self, TransportError> {
        let base = check_base_url(&config.base_url)?;
        let host = base.host_str().unwrap_or_default().to_owned();
        let authority = match base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let tls = tls::client_config(&config.roots, config.pins.as_ref())?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            // A redirect would send a signed request somewhere it was not signed for.
            .redirect(reqwest::redirect::Policy::none())
            // A wallet talks to its server directly; proxies from the environment are ignored.
            .no_proxy()
            .user_agent(concat!("danbao-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| TransportError::InvalidConfig {
                detail: format!("cannot build the HTTP client: {error}"),
            })?;
        let base_text = base.as_str().trim_end_matches('/').to_owned();
        Ok(Self {
            http,
            base,
            base_text,
            host,
            authority,
            config: Arc::new(config),
            clock,
            jitter,
            rng: SystemRandom::new(),
        })
    }

    /// A transport with the system clock and random jitter.
    pub fn with_defaults(config: TransportConfig) -> Result<Self, TransportError> {
        Self::new(config, Arc::new(SystemClock), Arc::new(RandomJitter::new()))
    }

    /// The base URL (no trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base_text
    }

    /// The settings.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// A fresh nonce: 16 random bytes as 32 hex characters.
    fn nonce(&self) -> Result<String, TransportError> {
        let mut bytes = [0u8; 16];
        self.rng
            .fill(&mut bytes)
            .map_err(|_| TransportError::Signing {
                detail: "the system random source failed to give a nonce".to_owned(),
            })?;
        Ok(protocol::hex_lower(&bytes))
    }

    /// Sends `call` as `credentials`, retrying idempotent calls as [`RetryPolicy`] allows.
    /// A success is any 2xx; every other status is a [`TransportError::Http`].
    pub async fn execute(
        &self,
        credentials: &Credentials,
        call: &Call,
    ) -> Result<Answer, TransportError> {
        if !call.path.starts_with('/') {
            return Err(TransportError::InvalidRequest {
                detail: format!("path {:?} must start with '/'", call.path),
            });
        }
        if let Some(key) = &call.idempotency_key
            && !protocol::idempotency_key_is_well_formed(key)
        {
            return Err(TransportError::InvalidRequest {
                detail: format!(
                    "idempotency key {key:?} must be 8 to 128 printable ASCII characters \
                     without spaces"
                ),
            });
        }
        let url_text = format!("{}{}", self.base_text, call.path);
        let url = Url::parse(&url_text).map_err(|error| TransportError::InvalidRequest {
            detail: format!("{url_text:?} is not a valid URL: {error}"),
        })?;
        if url.origin() != self.base.origin() {
            return Err(TransportError::InvalidRequest {
                detail: format!("{url_text:?} leaves the server's origin"),
            });
        }
        // The server verifies the request target exactly as it arrives.
        let signed_path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let max_attempts = if call.is_idempotent() {
            self.config.retry.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let error = match self.attempt(credentials, call, &url, &signed_path).await {
                Ok((status, body)) => {
                    return Ok(Answer {
                        status,
                        body,
                        attempts: attempt,
                    });
                }
                Err(error) => error,
            };
            if attempt >= max_attempts || !error.is_retryable() {
                return Err(error);
            }
            let mut delay = self.config.retry.delay(attempt - 1, self.jitter.as_ref());
            if let TransportError::Http {
                retry_after_secs: Some(secs),
                ..
            } = &error
            {
                delay = delay.max(Duration::from_secs(*secs).min(self.config.retry.max_delay));
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// One signed attempt.
    async fn attempt(
        &self,
        credentials: &Credentials,
        call: &Call,
        url: &Url,
        signed_path: &str,
    ) -> Result<(u16, Vec<u8>), TransportError> {
        let headers = self.headers(credentials, call, signed_path)?;
        let method = match call.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let limits = error::Limits {
            host: &self.host,
            connect_ms: millis(self.config.connect_timeout),
            request_ms: millis(self.config.request_timeout),
        };
        let response = self
            .http
            .request(method, url.clone())
            .headers(headers)
            .body(call.body.clone())
            .send()
            .await
            .map_err(|error| error::classify(&error, &limits))?;
        let status = response.status().as_u16();
        let retry_after_secs = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        let body = self.read_body(response, status, &limits).await?;
        if (200..300).contains(&status) {
            Ok((status, body))
        } else {
            Err(problem(status, &body, retry_after_secs))
        }
    }

    /// Reads an answer's body, at most [`TransportConfig::max_response_bytes`] of it.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        status: u16,
        limits: &error::Limits<'_>,
    ) -> Result<Vec<u8>, TransportError> {
        let limit = self.config.max_response_bytes;
        let too_large = || TransportError::TooLarge {
            host: self.host.clone(),
            status,
            limit,
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            let chunk =
                response
                    .chunk()
                    .await
                    .map_err(|error| match error::classify(&error, limits) {
                        // The status line arrived: the request reached the server.
                        TransportError::Offline { host, detail } => {
                            TransportError::Interrupted { host, detail }
                        }
                        other => other,
                    })?;
            let Some(chunk) = chunk else {
                return Ok(body);
            };
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
    }

    /// The headers of one attempt: content type, idempotency key and the credentials (a fresh
    /// signature for a device).
    fn headers(
        &self,
        credentials: &Credentials,
        call: &Call,
        signed_path: &str,
    ) -> Result<HeaderMap, TransportError> {
        let mut headers = HeaderMap::new();
        // Set here, not left to the HTTP stack, so the host sent is the host signed.
        headers.insert(HOST, header_value(&self.authority)?);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if !call.body.is_empty() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let key = call.idempotency_key.as_deref().unwrap_or("");
        if !key.is_empty() {
            headers.insert(HEADER_IDEMPOTENCY_KEY, header_value(key)?);
        }
        match credentials {
            Credentials::Device { device_id, signer } => {
                self.sign(
                    &mut headers,
                    signer.as_ref(),
                    &device_id.to_string(),
                    call,
                    signed_path,
                )?;
            }
            Credentials::NewDevice { signer } => {
                self.sign(&mut headers, signer.as_ref(), "new", call, signed_path)?;
            }
            Credentials::Operator { token } => {
                let mut value = header_value(&format!("Bearer {token}")).map_err(|_| {
                    TransportError::InvalidRequest {
                        detail: "the operator token must be printable ASCII".to_owned(),
                    }
                })?;
                value.set_sensitive(true);
                headers.insert(AUTHORIZATION, value);
            }
            Credentials::Anonymous => {}
        }
        Ok(headers)
    }

    fn sign(
        &self,
        headers: &mut HeaderMap,
        signer: &dyn Signer,
        device: &str,
        call: &Call,
        signed_path: &str,
    ) -> Result<(), TransportError> {
        let timestamp = self.clock.now_unix_secs();
        let nonce = self.nonce()?;
        let message = protocol::signing_message(&SignedParts {
            method: call.method.as_str(),
            host: &self.authority,
            path: signed_path,
            body: &call.body,
            device,
            timestamp,
            nonce: &nonce,
            idempotency_key: call.idempotency_key.as_deref().unwrap_or(""),
        });
        let signature = signer
            .sign(&message)
            .map_err(|error| TransportError::Signing {
                detail: error.to_string(),
            })?;
        headers.insert(
            HeaderName::from_static(HEADER_DEVICE),
            header_value(device)?,
        );
        headers.insert(
            HeaderName::from_static(HEADER_TIMESTAMP),
            header_value(&timestamp.to_string())?,
        );
        headers.insert(HeaderName::from_static(HEADER_NONCE), header_value(&nonce)?);
        headers.insert(
            HeaderName::from_static(HEADER_SIGNATURE),
            header_value(&STANDARD.encode(signature))?,
        );
        Ok(())
    }
}

fn header_value(text: &str) -> Result<HeaderValue, TransportError> {
    HeaderValue::from_str(text).map_err(|_| TransportError::InvalidRequest {
        detail: format!("{text:?} cannot be sent as an HTTP header value"),
    })
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(f64);
    impl Jitter for Fixed {
        fn pick(&self, ceiling: Duration) -> Duration {
            ceiling.mul_f64(self.0)
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_inside() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        };
        let full = Fixed(1.0);
        let delays: Vec<u128> = (0..6).map(|r| policy.delay(r, &full).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(policy.delay(2, &Fixed(0.5)).as_millis(), 200);
        assert_eq!(policy.delay(40, &full).as_millis(), 1000);
        let random = RandomJitter::new();
        for retry in 0..8 {
            assert!(policy.delay(retry, &random) <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://api.danbao.app",
            "https://api.danbao.app/prefix/",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:9",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        let refused = check_base_url("http://api.danbao.app").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "server URL \"http://api.danbao.app\" cannot be used: plain http:// is allowed only \
             for loopback hosts (127.0.0.0/8, ::1, localhost), not api.danbao.app; use https://"
        );
        for bad in [
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
            "https://user:pw@api.danbao.app",
            "https://api.danbao.app/?x=1",
            "api.danbao.app",
        ] {
            let error = check_base_url(bad).unwrap_err();
            assert!(
                matches!(error, TransportError::InvalidUrl { .. }),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn components_are_encoded_exactly() {
        assert_eq!(encode_component("ord_ab12"), "ord_ab12");
        assert_eq!(encode_component("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(encode_component("é"), "%C3%A9");
    }

    #[test]
    fn problems_keep_code_and_detail() {
        let body = br#"{"type":"urn:danbao:problem:insufficient_funds","title":"Unprocessable Entity","status":422,"code":"insufficient_funds","detail":"need more"}"#;
        assert_eq!(
            problem(422, body, None),
            TransportError::Http {
                status: 422,
                code: "insufficient_funds".into(),
                detail: "need more".into(),
                retry_after_secs: None
            }
        );
        let TransportError::Http { code, detail, .. } = problem(502, b"Bad Gateway", Some(3))
        else {
            panic!("not http")
        };
        assert_eq!(
            (code.as_str(), detail.as_str()),
            ("http_502", "Bad Gateway")
        );
    }
}
