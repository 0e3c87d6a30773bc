//! The webhook delivery loop (issue 15 point 3): sends the deliveries the outbox holds
//! ([`crate::service::merchant_api::webhooks`]), signed following the Standard Webhooks
//! specification, and records each attempt.
//!
//! Sending goes through [`WebhookTransport`], so a deployment can plug another client (with its
//! proxy settings) without touching the outbox. The built-in [`HttpTransport`] is written on
//! hyper's HTTP/1.1 client connection — hyper is already the server's, so the server has no
//! second HTTP stack (no reqwest) — with rustls (ring provider, Mozilla roots) for `https://`;
//! plain `http://` endpoints are accepted only by a sandbox server. Outside the sandbox it
//! refuses to connect to loopback, private and link-local addresses, so an endpoint URL cannot
//! make the server probe its own network.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use danbao_domain::webhook::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};

use crate::app::App;
use crate::service::ServiceResult;
use crate::service::merchant_api::webhooks::{self, Outgoing};
use crate::store::Store;

/// Deliveries sent per pass.
pub const BATCH: u32 = 64;
/// How long one attempt may take, connection included.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// One signed delivery to send.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    /// The endpoint URL.
    pub url: String,
    /// Headers to send besides `content-type: application/json`.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// What an attempt's future resolves to: the HTTP status, or why no status came back.
pub type Sent<'a> = Pin<Box<dyn Future<Output = Result<u16, String>> + Send + 'a>>;

/// Sends a delivery over HTTP.
pub trait WebhookTransport: Send + Sync + 'static {
    /// POSTs `request` and answers the status (any status: the caller decides).
    fn post(&self, request: OutboundRequest) -> Sent<'_>;
}

/// The built-in transport: hyper's HTTP/1.1 client over a TCP (or TLS) connection per
/// attempt.
#[derive(Clone)]
pub struct HttpTransport {
    /// Whether loopback and private addresses may be reached (sandbox only).
    allow_private: bool,
    /// TLS for `https://` endpoints.
    tls: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("allow_private", &self.allow_private)
            .finish_non_exhaustive()
    }
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

impl HttpTransport {
    /// The transport trusting the Mozilla roots (and `extra_roots`, for a private CA or tests);
    /// `allow_private` lets it reach loopback and private addresses (sandbox only).
    pub fn new(
        allow_private: bool,
        extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    ) -> Result<Self, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for root in extra_roots {
            roots
                .add(root.clone())
                .map_err(|error| format!("a webhook CA root is refused: {error}"))?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS set-up: {error}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Self {
            allow_private,
            tls: Arc::new(tls),
        })
    }

    async fn send(&self, request: OutboundRequest) -> Result<u16, String> {
        let uri: hyper::Uri = request
            .url
            .parse()
            .map_err(|error| format!("the URL does not parse: {error}"))?;
        let secure = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err("the URL is not http(s)".to_owned()),
        };
        let host = uri.host().ok_or("the URL has no host")?.to_owned();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let addresses: Vec<_> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|error| format!("{host} does not resolve: {error}"))?
            .collect();
        let address = addresses
            .iter()
            .find(|a| self.allow_private || !is_private(a.ip()))
            .copied()
            .ok_or_else(|| format!("{host} resolves to no public address"))?;
        let stream = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|error| format!("connecting to {address}: {error}"))?;
        if !secure {
            return exchange(stream, &uri, &host, request).await;
        }
        let name =
            rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
                .map_err(|error| format!("{host} is not a TLS server name: {error}"))?;
        let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
            .connect(name, stream)
            .await
            .map_err(|error| format!("TLS with {address}: {error}"))?;
        exchange(tls, &uri, &host, request).await
    }
}

/// One HTTP/1.1 request over `io`; answers the status.
async fn exchange<T>(
    io: T,
    uri: &hyper::Uri,
    host: &str,
    request: OutboundRequest,
) -> Result<u16, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;

    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
            .await
            .map_err(|error| format!("HTTP handshake with {host}: {error}"))?;
    let driver = tokio::spawn(connection);
    {
        let path = uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let authority = uri
            .authority()
            .map_or(host.to_owned(), |a| a.as_str().to_owned());
        let mut builder = hyper::Request::post(path)
            .header(hyper::header::HOST, authority)
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::USER_AGENT, "Danbao-Webhooks/1");
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let outbound = builder
            .body(Full::new(Bytes::from(request.body)))
            .map_err(|error| format!("building the request: {error}"))?;
        let response = sender
            .send_request(outbound)
            .await
            .map_err(|error| format!("sending to {host}: {error}"))?;
        let status = response.status().as_u16();
        // Read (and drop) a little of the answer so the connection closes cleanly.
        let _ = tokio::time::timeout(Duration::from_secs(2), response.into_body().collect()).await;
        driver.abort();
        Ok(status)
    }
}

impl WebhookTransport for HttpTransport {
    fn post(&self, request: OutboundRequest) -> Sent<'_> {
        Box::pin(async move {
            match tokio::time::timeout(ATTEMPT_TIMEOUT, self.send(request)).await {
                Ok(result) => result,
                Err(_) => Err(format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())),
            }
        })
    }
}

/// The signed request of `outgoing` at `now`: `webhook-id`, `webhook-timestamp` and one `v1`
/// signature per secret (two during a rotation's grace).
pub fn signed_request<S: Store>(
    app: &App<S>,
    outgoing: &Outgoing,
    now: i64,
) -> ServiceResult<OutboundRequest> {
    let body = outgoing.payload.clone().into_bytes();
    let mut signatures = Vec::with_capacity(outgoing.sealed_secrets.len());
    for sealed in &outgoing.sealed_secrets {
        let secret = webhooks::open_secret(&app.seal_key, &outgoing.endpoint_id, sealed)?;
        signatures.push(secret.sign(&outgoing.event_id, now, &body));
    }
    Ok(OutboundRequest {
        url: outgoing.url.clone(),
        headers: vec![
            (HEADER_ID, outgoing.event_id.clone()),
            (HEADER_TIMESTAMP, now.to_string()),
            (HEADER_SIGNATURE, signatures.join(" ")),
        ],
        body,
    })
}

/// Sends every delivery due now (a batch at a time) and records each attempt. Returns how many
/// attempts were made.
pub async fn deliver_due<S: Store>(
    app: &App<S>,
    transport: &dyn WebhookTransport,
) -> ServiceResult<usize> {
    let mut attempts = 0;
    loop {
        let now = app.now();
        let due = app
            .store
            .read(move |tx| webhooks::due(tx, now, BATCH))
            .await?;
        let count = due.len();
        for outgoing in due {
            let now = app.now();
            let id = outgoing.delivery_id;
            if !app
                .store
                .write(move |tx| webhooks::claim(tx, id, now))
                .await?
            {
                // Another pass (another instance) claimed it since it was listed.
                continue;
            }
            let (status, error) = match signed_request(app, &outgoing, now) {
                Ok(request) => match transport.post(request).await {
                    Ok(status) if (200..300).contains(&status) => (Some(status), None),
                    Ok(status) => (
                        Some(status),
                        Some(format!("the endpoint answered {status}")),
                    ),
                    Err(error) => (None, Some(error)),
                },
                Err(error) => (None, Some(error.to_string())),
            };
            let at = app.now();
            app.store
                .write(move |tx| webhooks::record_attempt(tx, id, status, error.clone(), at))
                .await?;
            attempts += 1;
        }
        if count < BATCH as usize {
            return Ok(attempts);
        }
    }
}

/// Runs forever: every `config.timer_interval_ms`, sends what is due.
pub async fn run<S: Store>(app: App<S>, transport: Arc<dyn WebhookTransport>) {
    let period = Duration::from_millis(app.config.timer_interval_ms.max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = deliver_due(&app, transport.as_ref()).await {
            tracing::warn!(%error, "webhook pass failed; retrying on the next tick");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_private;

    #[test]
    fn private_loopback_and_link_local_addresses_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }
}
