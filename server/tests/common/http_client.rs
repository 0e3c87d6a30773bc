//! A small HTTP/1.1 client for the tests and the load generator, on hyper's client connection:
//! one TCP connection per request, plain `http://` only, the whole answer read before `send`
//! returns. The shape follows the part of reqwest's API the tests used, so they read the same.
#![allow(dead_code)]

use std::fmt;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A failure to build, send or read a request, or to decode an answer.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    fn new(what: &str, cause: impl fmt::Display) -> Self {
        Self(format!("{what}: {cause}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The client: only settings; every request opens its own connection.
#[derive(Debug, Clone, Default)]
pub struct Client {
    timeout: Option<Duration>,
}

/// Settings for a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    timeout: Option<Duration>,
}

impl ClientBuilder {
    /// A limit on each whole request (connect, send, read the answer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        Ok(Client {
            timeout: self.timeout,
        })
    }
}

impl Client {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub fn get(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    pub fn post(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    pub fn put(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    pub fn delete(&self, url: impl AsRef<str>) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    pub fn request(&self, method: Method, url: impl AsRef<str>) -> RequestBuilder {
        let url = url.as_ref();
        let uri = url
            .parse::<Uri>()
            .map_err(|e| Error::new(&format!("bad URL {url}"), e));
        RequestBuilder {
            method,
            uri,
            headers: HeaderMap::new(),
            body: Vec::new(),
            timeout: self.timeout,
            error: None,
        }
    }
}

/// A request being put together; [`RequestBuilder::send`] sends it.
#[derive(Debug)]
pub struct RequestBuilder {
    method: Method,
    uri: Result<Uri, Error>,
    headers: HeaderMap,
    body: Vec<u8>,
    timeout: Option<Duration>,
    /// The first header that could not be built; `send` reports it.
    error: Option<Error>,
}

impl RequestBuilder {
    /// Adds a header (names and values as `&str`, `String`, or hyper's own types).
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: fmt::Display,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: fmt::Display,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            (Err(e), _) => {
                self.error.get_or_insert(Error::new("bad header name", e));
            }
            (_, Err(e)) => {
                self.error.get_or_insert(Error::new("bad header value", e));
            }
        }
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer_auth(self, token: impl fmt::Display) -> Self {
        self.header(header::AUTHORIZATION, format!("Bearer {token}"))
    }

    /// The request body as given (`Vec<u8>`, `String`, `&str`).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// `value` as a JSON body, with `content-type: application/json` unless one is set.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => {
                if !self.headers.contains_key(header::CONTENT_TYPE) {
                    self.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                }
                self.body = body;
            }
            Err(e) => {
                self.error.get_or_insert(Error::new("JSON body", e));
            }
        }
        self
    }

    /// A limit on this request (connect, send, read the answer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends the request on a new connection and reads the whole answer.
    pub async fn send(self) -> Result<Response, Error> {
        match self.timeout {
            Some(limit) => tokio::time::timeout(limit, self.exchange())
                .await
                .map_err(|_| Error(format!("timed out after {limit:?}")))?,
            None => self.exchange().await,
        }
    }

    async fn exchange(self) -> Result<Response, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let uri = self.uri?;
        if uri.scheme_str() != Some("http") {
            return Err(Error(format!("only http:// URLs are supported: {uri}")));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| Error(format!("no host in {uri}")))?
            .clone();
        let address = match authority.port_u16() {
            Some(_) => authority.as_str().to_owned(),
            None => format!("{}:80", authority.host()),
        };
        let target = uri
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .to_owned();

        let mut headers = self.headers;
        // The server checks signatures over `Host`; it is the URL's authority, as written.
        if !headers.contains_key(header::HOST) {
            let host =
                HeaderValue::from_str(authority.as_str()).map_err(|e| Error::new("bad host", e))?;
            headers.insert(header::HOST, host);
        }
        let sends_body = !self.body.is_empty()
            || !matches!(
                self.method,
                Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS
            );
        if sends_body && !headers.contains_key(header::CONTENT_LENGTH) {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        }

        let mut request = hyper::Request::builder()
            .method(self.method)
            .uri(target)
            .body(Full::new(Bytes::from(self.body)))
            .map_err(|e| Error::new("building the request", e))?;
        *request.headers_mut() = headers;

        let stream = tokio::net::TcpStream::connect(&address)
            .await
            .map_err(|e| Error::new(&format!("connecting to {address}"), e))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| Error::new("HTTP/1.1 handshake", e))?;
        // The connection task ends once `sender` is dropped and the exchange is over.
        tokio::spawn(connection);
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| Error::new("sending the request", e))?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| Error::new("reading the answer", e))?
            .to_bytes();
        Ok(Response {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// An answer, read in full.
#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub async fn bytes(self) -> Result<Bytes, Error> {
        Ok(self.body)
    }

    pub async fn text(self) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(&self.body).into_owned())
    }

    pub async fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::new("decoding JSON", e))
    }
}
