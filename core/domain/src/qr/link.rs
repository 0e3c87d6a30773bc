//! Payment links: a Danbao code carried in a URL, so that a buyer on a phone's web browser opens
//! the app on the confirm screen instead of scanning. Two forms carry the same code:
//!
//! - `https://<host>/pay?code=<code>`: an App Link (Android) or Universal Link (iOS) of the
//!   deployment's web host; in a browser without the app it is an ordinary page.
//! - `danbao://pay?code=<code>`: the app's own scheme.
//!
//! `<code>` is the QR payload, percent-encoded (`+` is read as a space, as web forms write it).
//! The link's host is trusted for nothing: the code inside is read and verified exactly as if
//! it had been scanned, so a link can never pay anyone its code does not name.

use std::fmt;

use super::emv::MAX_PAYLOAD_BYTES;
use crate::protocol::encode_component;

/// The app's own URL scheme.
pub const APP_SCHEME: &str = "danbao";
/// The path of a payment link (and the host of an app-scheme link).
pub const PAY_PATH: &str = "pay";
/// The query parameter that carries the code.
pub const CODE_PARAM: &str = "code";
/// The longest link read: a code of [`MAX_PAYLOAD_BYTES`] with every byte percent-encoded,
/// and room for the host.
pub const MAX_LINK_BYTES: usize = MAX_PAYLOAD_BYTES * 3 + 256;

/// Why a payment link could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The link is longer than [`MAX_LINK_BYTES`].
    TooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The link has no `code` parameter, or an empty one.
    NoCode,
    /// The link has more than one `code` parameter.
    TwoCodes,
    /// A `%` is not followed by two hex digits, or the decoded code is not UTF-8.
    BadEncoding,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { bytes } => write!(
                f,
                "the payment link is {bytes} bytes long; a link carries at most {MAX_LINK_BYTES}"
            ),
            Self::NoCode => write!(
                f,
                "the payment link carries no code (its `{CODE_PARAM}` parameter is missing or \
                 empty)"
            ),
            Self::TwoCodes => write!(
                f,
                "the payment link carries two codes; a link pays exactly one"
            ),
            Self::BadEncoding => write!(
                f,
                "the payment link's code is not percent-encoded correctly"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The link that carries `code` under `base`: a web origin such as
/// `https://pay.example.com` (the deployment's link host) gives `https://pay.example.com/pay?code=…`,
/// and [`APP_SCHEME`] alone (or `danbao:`) gives `danbao://pay?code=…`.
pub fn payment_link(base: &str, code: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    let code = encode_component(code);
    if base.eq_ignore_ascii_case(APP_SCHEME) || base.eq_ignore_ascii_case("danbao:") {
        format!("{APP_SCHEME}://{PAY_PATH}?{CODE_PARAM}={code}")
    } else {
        format!("{base}/{PAY_PATH}?{CODE_PARAM}={code}")
    }
}

/// The code that `text` stands for: the code a readable payment link carries, or `text`
/// itself (trimmed). What a client sends to the server, which never sees links.
pub fn carried_code(text: &str) -> String {
    match code_of_link(text) {
        Some(Ok(code)) => code.trim().to_owned(),
        _ => text.trim().to_owned(),
    }
}

/// The code a payment link carries: `None` when `text` is not a payment link at all (then it
/// is read as a code), `Some(Err)` when it is one that cannot be read.
pub fn code_of_link(text: &str) -> Option<Result<String, LinkError>> {
    let query = link_query(text.trim())?;
    if text.len() > MAX_LINK_BYTES {
        return Some(Err(LinkError::TooLong { bytes: text.len() }));
    }
    Some(code_in(query))
}

/// The query of a payment link (`None` if `text` is not one): `https://<host>/pay?…` or
/// `danbao://pay?…`, scheme and host in any case, the fragment dropped.
fn link_query(text: &str) -> Option<&str> {
    let (scheme, rest) = text.split_once("://")?;
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (target, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if scheme.eq_ignore_ascii_case("https") {
        let slash = target.find('/')?;
        let host = &target[..slash];
        if host.is_empty() || host.contains(['@', ' ']) {
            return None;
        }
        target[slash + 1..].trim_end_matches('/')
    } else if scheme.eq_ignore_ascii_case(APP_SCHEME) {
        target.trim_end_matches('/')
    } else {
        return None;
    };
    path.eq_ignore_ascii_case(PAY_PATH).then_some(query)
}

fn code_in(query: &str) -> Result<String, LinkError> {
    let mut found = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name != CODE_PARAM {
            continue;
        }
        if found.is_some() {
            return Err(LinkError::TwoCodes);
        }
        found = Some(decode(value)?);
    }
    found
        .filter(|code| !code.trim().is_empty())
        .ok_or(LinkError::NoCode)
}

/// Percent-decoding of a query value (`+` is a space).
fn decode(value: &str) -> Result<String, LinkError> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut rest = value.bytes();
    while let Some(byte) = rest.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = rest.next().and_then(hex_digit);
                let low = rest.next().and_then(hex_digit);
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(LinkError::BadEncoding);
                };
                bytes.push(high << 4 | low);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).map_err(|_| LinkError::BadEncoding)
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "00020101021226300011app.danbao0107tea-hut5204581253031565802CN5908Tea Hut+6008Shanghai6304ABCD";

    #[test]
    fn a_link_carries_the_code_both_ways() {
        let web = payment_link("https://pay.example.com/", CODE);
        assert!(
            web.starts_with("https://pay.example.com/pay?code=000201"),
            "{web}"
        );
        assert!(web.contains("Tea%20Hut%2B6008"), "{web}");
        assert_eq!(code_of_link(&web), Some(Ok(CODE.to_owned())));

        let app = payment_link("danbao", CODE);
        assert!(app.starts_with("danbao://pay?code=000201"), "{app}");
        assert_eq!(code_of_link(&app), Some(Ok(CODE.to_owned())));
        assert_eq!(carried_code(&format!(" {app} ")), CODE);
        assert_eq!(carried_code(" 000201 "), "000201");
        assert_eq!(
            carried_code("danbao://pay?code=%zz"),
            "danbao://pay?code=%zz"
        );
    }

    #[test]
    fn links_are_read_as_browsers_and_forms_write_them() {
        for link in [
            "HTTPS://Pay.Example.com/PAY/?code=0002+01&utm_source=shop#top",
            "https://pay.example.com/pay?utm=1&code=0002%2001",
            "Danbao://pay/?code=0002%2001",
        ] {
            assert_eq!(code_of_link(link), Some(Ok("0002 01".to_owned())), "{link}");
        }
    }

    #[test]
    fn other_addresses_are_not_payment_links() {
        for text in [
            "https://example.com/",
            "https://example.com/payments?code=1",
            "https://example.com",
            "http://pay.example.com/pay?code=000201",
            "https://user@evil.example/pay?code=000201",
            "ftp://x/pay?code=1",
            "000201010211",
        ] {
            assert_eq!(code_of_link(text), None, "{text}");
        }
    }

    #[test]
    fn a_broken_link_is_a_precise_error() {
        let cases = [
            ("https://a.example/pay", LinkError::NoCode),
            ("https://a.example/pay?code=", LinkError::NoCode),
            ("https://a.example/pay?code=1&code=2", LinkError::TwoCodes),
            ("danbao://pay?code=%zz", LinkError::BadEncoding),
            ("danbao://pay?code=%4", LinkError::BadEncoding),
            ("danbao://pay?code=%ff%fe", LinkError::BadEncoding),
        ];
        for (link, error) in cases {
            assert_eq!(code_of_link(link), Some(Err(error.clone())), "{link}");
        }
        let long = format!("danbao://pay?code={}", "9".repeat(MAX_LINK_BYTES));
        assert_eq!(
            code_of_link(&long),
            Some(Err(LinkError::TooLong { bytes: long.len() }))
        );
        assert!(LinkError::NoCode.to_string().contains("no code"));
    }
}
