//! TLS for the transport: a rustls client configuration on the ring provider, trust roots, and
//! SPKI pinning with a backup pin (DESIGN.md §6).
//!
//! A pin is the SHA-256 of the DER `SubjectPublicKeyInfo` of the server's leaf certificate,
//! base64 (standard, padded) — the same value `openssl x509 -pubkey | openssl pkey -pubin
//! -outform der | openssl dgst -sha256 -binary | base64` prints, and the format HPKP used.
//! Pinning never replaces certificate verification: the chain, name and validity are checked
//! first, then the leaf's key must be one of the pins.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::digest;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};

use super::error::{PinMismatch, TransportError};

/// Which certificate authorities the transport trusts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustRoots {
    /// The Mozilla root program, compiled in (`webpki-roots`): the same everywhere, no
    /// dependency on the phone's or the machine's trust store.
    #[default]
    Mozilla,
    /// Only these DER-encoded CA certificates (a private deployment or a test CA).
    Only(Vec<Vec<u8>>),
}

/// The SHA-256 of a certificate's `SubjectPublicKeyInfo`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpkiPin([u8; 32]);

impl SpkiPin {
    /// Reads a pin written as base64 (standard alphabet, padded: 44 characters).
    pub fn from_base64(text: &str) -> Result<Self, TransportError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|error| {
            TransportError::InvalidConfig {
                detail: format!(
                    "SPKI pin {text:?} is not base64 ({error}); a pin is the base64 of a 32-byte \
                     SHA-256, 44 characters ending in '='"
                ),
            }
        })?;
        let array: [u8; 32] =
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| TransportError::InvalidConfig {
                    detail: format!(
                        "SPKI pin {text:?} decodes to {} bytes; a SHA-256 pin has 32",
                        bytes.len()
                    ),
                })?;
        Ok(Self(array))
    }

    /// The pin of a DER certificate's public key.
    pub fn of_certificate(certificate_der: &[u8]) -> Result<Self, TransportError> {
        let spki = subject_public_key_info(certificate_der).map_err(|error| {
            TransportError::InvalidConfig {
                detail: format!("cannot read the certificate's public key: {error}"),
            }
        })?;
        Ok(Self::of_spki(spki))
    }

    /// The pin of a DER `SubjectPublicKeyInfo`.
    pub fn of_spki(spki_der: &[u8]) -> Self {
        let mut array = [0u8; 32];
        array.copy_from_slice(digest::digest(&digest::SHA256, spki_der).as_ref());
        Self(array)
    }

    /// The pin as base64 (standard, padded).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }
}

impl fmt::Debug for SpkiPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpkiPin({})", self.to_base64())
    }
}

/// The keys a pinned server may present: the current key and at least one backup, so a key
/// rotation (or a lost key) does not lock every installed app out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinSet {
    pins: Vec<SpkiPin>,
}

impl PinSet {
    /// A pin set from base64 pins. At least two distinct pins are required: the key in use
    /// and a backup key kept offline.
    pub fn new<S: AsRef<str>>(pins: &[S]) -> Result<Self, TransportError> {
        let mut parsed: Vec<SpkiPin> = Vec::with_capacity(pins.len());
        for pin in pins {
            let pin = SpkiPin::from_base64(pin.as_ref())?;
            if !parsed.contains(&pin) {
                parsed.push(pin);
            }
        }
        if parsed.len() < 2 {
            return Err(TransportError::InvalidConfig {
                detail: format!(
                    "pinning needs at least two distinct SPKI pins (the current key and a backup \
                     key), {} given; without a backup pin a key change locks every client out",
                    parsed.len()
                ),
            });
        }
        Ok(Self { pins: parsed })
    }

    /// True when `pin` is in the set.
    pub fn contains(&self, pin: &SpkiPin) -> bool {
        self.pins.contains(pin)
    }

    /// The pins.
    pub fn pins(&self) -> &[SpkiPin] {
        &self.pins
    }
}

/// Normal webpki verification, then the pin check on the leaf.
#[derive(Debug)]
pub struct PinningVerifier {
    inner: Arc<WebPkiServerVerifier>,
    pins: PinSet,
}

impl PinningVerifier {
    /// Wraps a webpki verifier with a pin set.
    pub fn new(inner: Arc<WebPkiServerVerifier>, pins: PinSet) -> Self {
        Self { inner, pins }
    }

    /// The pin check alone (after the chain was verified).
    pub fn check_pin(&self, end_entity: &[u8]) -> Result<(), rustls::Error> {
        let spki = subject_public_key_info(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let found = SpkiPin::of_spki(spki);
        if self.pins.contains(&found) {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(PinMismatch {
                    found: found.to_base64(),
                    configured: self.pins.pins().len(),
                })),
            )))
        }
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        self.check_pin(end_entity.as_ref())?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The rustls client configuration: ring provider, safe default protocol versions, the trust
/// roots, and the pinning verifier when pins are set.
pub fn client_config(
    roots: &TrustRoots,
    pins: Option<&PinSet>,
) -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut store = RootCertStore::empty();
    match roots {
        TrustRoots::Mozilla => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        TrustRoots::Only(certificates) => {
            for (index, der) in certificates.iter().enumerate() {
                store
                    .add(CertificateDer::from(der.clone()))
                    .map_err(|error| TransportError::InvalidConfig {
                        detail: format!(
                            "trust root {index} is not a usable DER CA certificate: {error}"
                        ),
                    })?;
            }
        }
    }
    if store.is_empty() {
        return Err(TransportError::InvalidConfig {
            detail: "no trust roots: give at least one CA certificate or use the Mozilla roots"
                .to_owned(),
        });
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
        .build()
        .map_err(|error| TransportError::InvalidConfig {
            detail: format!("cannot build the certificate verifier: {error}"),
        })?;
    let verifier: Arc<dyn ServerCertVerifier> = match pins {
        Some(pins) => Arc::new(PinningVerifier::new(webpki, pins.clone())),
        None => webpki,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| TransportError::InvalidConfig {
            detail: format!("the ring provider does not support TLS 1.2/1.3: {error}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Why a certificate could not be walked to its public key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed certificate DER: {0}")]
pub struct DerError(&'static str);

/// One DER element: its tag, the whole encoding, and the content.
struct Element<'a> {
    tag: u8,
    whole: &'a [u8],
    content: &'a [u8],
}

/// Reads the element at the start of `input`; returns it and the rest.
fn element(input: &[u8]) -> Result<(Element<'_>, &[u8]), DerError> {
    let (&tag, after_tag) = input.split_first().ok_or(DerError("truncated tag"))?;
    if tag & 0x1f == 0x1f {
        return Err(DerError(
            "multi-byte tags do not occur in X.509 certificates",
        ));
    }
    let (&first, after_length) = after_tag
        .split_first()
        .ok_or(DerError("truncated length"))?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return Err(DerError("unsupported length encoding"));
        }
        let bytes = after_length
            .get(..count)
            .ok_or(DerError("truncated length"))?;
        let length = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (length, 2 + count)
    };
    let end = header
        .checked_add(length)
        .ok_or(DerError("length overflows"))?;
    let whole = input
        .get(..end)
        .ok_or(DerError("element longer than input"))?;
    Ok((
        Element {
            tag,
            whole,
            content: &whole[header..],
        },
        &input[end..],
    ))
}

fn expect<'a>(
    input: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(Element<'a>, &'a [u8]), DerError> {
    let (found, rest) = element(input)?;
    if found.tag == tag {
        Ok((found, rest))
    } else {
        Err(DerError(what))
    }
}

/// The DER `SubjectPublicKeyInfo` of an X.509 certificate (RFC 5280 §4.1): the seventh field of
/// `tbsCertificate` when the optional `[0] version` is present, the sixth when it is not.
pub fn subject_public_key_info(certificate: &[u8]) -> Result<&[u8], DerError> {
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const VERSION: u8 = 0xa0;
    let (certificate, _) = expect(certificate, SEQUENCE, "certificate is not a SEQUENCE")?;
    let (tbs, _) = expect(
        certificate.content,
        SEQUENCE,
        "tbsCertificate is not a SEQUENCE",
    )?;
    let mut rest = tbs.content;
    if rest.first() == Some(&VERSION) {
        rest = element(rest)?.1;
    }
    rest = expect(rest, INTEGER, "serialNumber is not an INTEGER")?.1;
    for what in [
        "signature algorithm is not a SEQUENCE",
        "issuer is not a SEQUENCE",
        "validity is not a SEQUENCE",
        "subject is not a SEQUENCE",
    ] {
        rest = expect(rest, SEQUENCE, what)?.1;
    }
    let (spki, _) = expect(rest, SEQUENCE, "subjectPublicKeyInfo is not a SEQUENCE")?;
    Ok(spki.whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built minimal certificate shape: version, serial, alg, issuer, validity, subject,
    /// SPKI, and the outer signature fields.
    fn certificate(with_version: bool, spki: &[u8]) -> Vec<u8> {
        let mut tbs = Vec::new();
        if with_version {
            tbs.extend_from_slice(&[0xa0, 0x03, 0x02, 0x01, 0x02]);
        }
        tbs.extend_from_slice(&[0x02, 0x01, 0x07]);
        for _ in 0..4 {
            tbs.extend_from_slice(&[0x30, 0x00]);
        }
        tbs.extend_from_slice(spki);
        let mut tbs_seq = vec![0x30, u8::try_from(tbs.len()).unwrap()];
        tbs_seq.extend_from_slice(&tbs);
        let mut body = tbs_seq;
        body.extend_from_slice(&[0x30, 0x00, 0x03, 0x01, 0x00]);
        let mut out = vec![0x30, 0x81, u8::try_from(body.len()).unwrap()];
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn finds_the_spki_with_and_without_version() {
        let spki = [0x30, 0x05, 0x30, 0x00, 0x03, 0x01, 0x00];
        for with_version in [true, false] {
            let der = certificate(with_version, &spki);
            assert_eq!(subject_public_key_info(&der).unwrap(), &spki);
        }
    }

    #[test]
    fn malformed_certificates_are_errors_not_panics() {
        let der = certificate(true, &[0x30, 0x05, 0x30, 0x00, 0x03, 0x01, 0x00]);
        for cut in 0..der.len() {
            assert!(
                subject_public_key_info(&der[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        assert_eq!(
            subject_public_key_info(&[0x02, 0x01, 0x00]),
            Err(DerError("certificate is not a SEQUENCE"))
        );
    }

    #[test]
    fn pin_sets_need_a_distinct_backup() {
        let a = SpkiPin::of_spki(b"a").to_base64();
        let b = SpkiPin::of_spki(b"b").to_base64();
        assert_eq!(a.len(), 44);
        let one = PinSet::new(&[a.as_str()]).unwrap_err().to_string();
        assert!(one.contains("at least two distinct SPKI pins"), "{one}");
        let same = PinSet::new(&[a.as_str(), a.as_str()]).unwrap_err();
        assert!(same.to_string().contains("1 given"), "{same}");
        let set = PinSet::new(&[a.as_str(), b.as_str()]).unwrap();
        assert!(set.contains(&SpkiPin::of_spki(b"b")));
        assert!(!set.contains(&SpkiPin::of_spki(b"c")));
        let short = SpkiPin::from_base64("AAAA").unwrap_err().to_string();
        assert!(short.contains("3 bytes; a SHA-256 pin has 32"), "{short}");
        let garbage = SpkiPin::from_base64("not base64!").unwrap_err().to_string();
        assert!(garbage.contains("is not base64"), "{garbage}");
    }
}
