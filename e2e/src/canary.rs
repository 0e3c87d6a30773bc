//! The canary scan shared by the secrets tests (DESIGN.md §6: no secret in plaintext storage or
//! logs): a log writer that keeps every line, the encodings a careless write could give a
//! secret, and a byte search for any of them in logs and database files.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use danbao_client::secrets::{KeyStore, SecretError};
use danbao_domain::protocol::hex_lower;
use ring::rand::{SecureRandom, SystemRandom};

/// Every log line, as written; install with `tracing_subscriber::fmt().with_writer(...)`.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// What was written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A named byte string to look for.
pub type Canary = (String, Vec<u8>);

/// The forms a careless write could give `value`: raw, hex either case, the four base64
/// alphabets with and without padding, and Rust's `{:?}` of the bytes.
pub fn forms(name: &str, value: &[u8]) -> Vec<Canary> {
    let hex = hex_lower(value);
    let mut out = vec![
        (format!("{name} raw"), value.to_vec()),
        (format!("{name} HEX"), hex.to_ascii_uppercase().into_bytes()),
        (format!("{name} hex"), hex.into_bytes()),
    ];
    for (label, engine) in [
        ("base64", &STANDARD),
        ("base64 no pad", &STANDARD_NO_PAD),
        ("base64url", &URL_SAFE),
        ("base64url no pad", &URL_SAFE_NO_PAD),
    ] {
        out.push((format!("{name} {label}"), engine.encode(value).into_bytes()));
    }
    out.push((
        format!("{name} debug list"),
        format!("{value:?}").into_bytes(),
    ));
    out
}

/// The names of the canaries found in `haystack`.
pub fn hits(haystack: &[u8], canaries: &[Canary]) -> Vec<String> {
    canaries
        .iter()
        .filter(|(_, needle)| {
            haystack
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Scans a SQLite database and its `-wal`, `-shm` and `-journal` files; panics naming the file
/// and the canaries it holds. Returns the bytes scanned (so a caller can prove it read a file).
pub fn scan_database(db: &Path, canaries: &[Canary], when: &str) -> usize {
    let mut scanned = 0;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = Path::new(&format!("{}{suffix}", db.display())).to_path_buf();
        if let Ok(bytes) = std::fs::read(&path) {
            scanned += bytes.len();
            let found = hits(&bytes, canaries);
            assert!(
                found.is_empty(),
                "{when}: {} holds {found:?}",
                path.display()
            );
        }
    }
    scanned
}

/// The 32-byte private scalar inside ring's P-256 PKCS#8 (`02 01 01 04 20 <scalar>`, RFC 5915).
pub fn private_scalar(pkcs8: &[u8]) -> Vec<u8> {
    let marker = [0x02, 0x01, 0x01, 0x04, 0x20];
    let at = pkcs8
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("an ECPrivateKey in the PKCS#8 document");
    pkcs8[at + marker.len()..at + marker.len() + 32].to_vec()
}

/// A platform key store that remembers every plaintext data key it wraps or unwraps, so the
/// data key itself can be a canary.
pub struct SpyKeyStore<K> {
    inner: K,
    seen: Mutex<Vec<Vec<u8>>>,
}

impl<K> SpyKeyStore<K> {
    /// Spies on `inner`.
    pub fn new(inner: K) -> Self {
        Self {
            inner,
            seen: Mutex::new(Vec::new()),
        }
    }

    /// The data keys seen, in order.
    pub fn seen(&self) -> Vec<Vec<u8>> {
        self.seen.lock().unwrap().clone()
    }
}

impl<K: KeyStore> KeyStore for SpyKeyStore<K> {
    fn wrap(&self, plaintext_key: &[u8]) -> Result<Vec<u8>, SecretError> {
        self.seen.lock().unwrap().push(plaintext_key.to_vec());
        self.inner.wrap(plaintext_key)
    }
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, SecretError> {
        let key = self.inner.unwrap(wrapped)?;
        self.seen.lock().unwrap().push(key.clone());
        Ok(key)
    }
}

/// `len` random bytes.
pub fn random(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    SystemRandom::new().fill(&mut bytes).unwrap();
    bytes
}
