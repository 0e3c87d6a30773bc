//! Secrets on the device: the platform traits that hold keys, AEAD sealing of stored secrets,
//! and software implementations for the CLI and tests (DESIGN.md §6).
//!
//! Three keys are involved:
//!
//! - the **device signing key** (P-256), behind [`Signer`]. On phones it lives in Android
//!   Keystore or the Secure Enclave and never leaves it; the CLI and tests use
//!   [`SoftwareSigner`], whose PKCS#8 document is stored only sealed.
//! - the **data key** (32 random bytes, AES-256-GCM), which seals every secret column of the
//!   local store. It is generated on first open and stored only *wrapped* by the platform
//!   [`KeyStore`]; in memory it lives in a [`Sealer`] and is wiped when that is dropped.
//! - the **wrapping key**, which the platform keeps (Android Keystore, iOS Keychain). The core
//!   never sees it; [`SoftwareKeyStore`] stands in for it during development.
//!
//! Sealed values are bound to where they are stored (table, column, row id) through the AEAD
//! associated data, so a value copied from one row to another — say the signing key moved into
//! the payment-code slot by someone who can edit the database file — fails to open instead of
//! being used in the wrong role.
//!
//! Every secret type prints as `<redacted>` in `Debug` and is wiped on drop (`zeroize`).

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use zeroize::Zeroizing;

/// Length of the data key and of the software wrapping key: AES-256.
pub const DATA_KEY_LEN: usize = 32;

/// Length of an uncompressed SEC1 P-256 public key (`04 || X || Y`).
pub const P256_PUBLIC_KEY_LEN: usize = 65;

/// First byte of every sealed value and software-wrapped key: the format version, so a later
/// format can be told apart from this one.
const SEAL_FORMAT_V1: u8 = 1;

/// Associated data of software-wrapped data keys (domain separation from sealed columns).
const SOFTWARE_WRAP_AAD: &[u8] = b"danbao/software-keystore/v1";

/// Associated-data prefix of sealed columns.
const SEAL_AAD_PREFIX: &[u8] = b"danbao/seal/v1";

/// What went wrong with a key or a sealed value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The platform key store could not wrap the data key.
    #[error("the key store could not wrap the data key: {reason}")]
    Wrap {
        /// What the key store reported.
        reason: String,
    },
    /// The platform key store could not unwrap the data key.
    #[error(
        "the key store could not unwrap the data key: {reason} (the wrapping key may have \
         been deleted or replaced, e.g. after a device restore; the local store must then be \
         recreated and the device registered again)"
    )]
    Unwrap {
        /// What the key store reported.
        reason: String,
    },
    /// A key had the wrong length.
    #[error("the {what} is {actual} bytes; it must be {expected} bytes")]
    KeyLength {
        /// Which key.
        what: &'static str,
        /// Its length.
        actual: usize,
        /// The required length.
        expected: usize,
    },
    /// A sealed value could not be opened.
    #[error(
        "the sealed value in {location} could not be opened: it was altered, copied from \
         another row, or sealed under another data key"
    )]
    Open {
        /// Where the value was stored (`table.column[row]`).
        location: String,
    },
    /// A sealed value is shorter than a version byte, nonce and tag, or has an unknown
    /// version.
    #[error("the sealed value in {location} is malformed: {reason}")]
    Malformed {
        /// Where the value was stored, or which wrapped key.
        location: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The system random generator failed.
    #[error("the system random generator failed while making {what}")]
    Random {
        /// What was being generated.
        what: &'static str,
    },
    /// A PKCS#8 document did not hold a P-256 key pair.
    #[error("the signing key is not a valid PKCS#8 P-256 ECDSA key pair: {reason}")]
    InvalidSigningKey {
        /// What ring reported.
        reason: String,
    },
    /// The signer could not sign.
    #[error("the device key could not sign: {reason}")]
    Sign {
        /// What the signer reported.
        reason: String,
    },
    /// The software key file could not be read or written.
    #[error("the key file {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// What went wrong, and what would be right.
        reason: String,
    },
}

/// Bytes of a secret: wiped when dropped, never printed.
///
/// `Debug` shows only the length. Read the bytes with [`SecretBytes::expose`], only to hand
/// them to crypto or to sealing; never log them.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes` (they are wiped when this value is dropped).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Copies `bytes`. The caller remains responsible for wiping its own copy.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }

    /// The secret bytes. Never log them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes (safe to print).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<redacted {} bytes>)", self.0.len())
    }
}

/// The 32-byte AES-256-GCM key that seals the local store's secret columns.
///
/// Wiped on drop; `Debug` is redacted. Created by [`DataKey::generate`] on first open and
/// stored only wrapped by a [`KeyStore`].
pub struct DataKey(Zeroizing<[u8; DATA_KEY_LEN]>);

impl DataKey {
    /// A fresh random key.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, SecretError> {
        let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
        rng.fill(key.as_mut()).map_err(|_| SecretError::Random {
            what: "the data key",
        })?;
        Ok(Self(key))
    }

    /// A key from existing bytes (e.g. unwrapped by the platform key store). They must be
    /// exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
        if bytes.len() != DATA_KEY_LEN {
            return Err(SecretError::KeyLength {
                what: "data key",
                actual: bytes.len(),
                expected: DATA_KEY_LEN,
            });
        }
        key.copy_from_slice(bytes);
        Ok(Self(key))
    }

    /// The key bytes, to hand to [`KeyStore::wrap`]. Never log them.
    pub fn expose(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

/// The platform key store: wraps and unwraps the local store's 32-byte data key under a key
/// that never leaves the platform (Android Keystore, iOS Keychain / Secure Enclave).
///
/// The shells implement it; [`SoftwareKeyStore`] is the development implementation. `wrap`
/// may return any bytes that `unwrap` turns back into the same key; they are stored as they
/// are.
pub trait KeyStore: Send + Sync {
    /// Wraps (encrypts) the data key. Called once, when the store is first created.
    fn wrap(&self, plaintext_key: &[u8]) -> Result<Vec<u8>, SecretError>;
    /// Unwraps (decrypts) what [`KeyStore::wrap`] returned. Called on every open.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, SecretError>;
}

/// The device signing key: P-256 ECDSA with SHA-256, as Android Keystore and the Secure
/// Enclave provide it. The server verifies every request signature with it.
pub trait Signer: Send + Sync {
    /// The public key, uncompressed SEC1 (65 bytes: `04 || X || Y`).
    fn public_key(&self) -> Vec<u8>;
    /// Signs `message` (the platform hashes it with SHA-256) and returns the ASN.1 DER
    /// `ECDSA-Sig-Value`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SecretError>;
}

/// Seals one value with AES-256-GCM: `version || nonce || ciphertext || tag`.
fn seal_with(
    key_bytes: &[u8],
    rng: &dyn SecureRandom,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, SecretError> {
    let key = aead_key(key_bytes)?;
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce).map_err(|_| SecretError::Random {
        what: "a sealing nonce",
    })?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
    out.push(SEAL_FORMAT_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut out[1 + NONCE_LEN..],
        )
        .map_err(|_| SecretError::Random {
            what: "a sealed value (AES-GCM refused the input length)",
        })?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens what [`seal_with`] made. `location` names the value in errors.
fn open_with(
    key_bytes: &[u8],
    aad: &[u8],
    sealed: &[u8],
    location: impl Fn() -> String,
) -> Result<SecretBytes, SecretError> {
    let minimum = 1 + NONCE_LEN + AES_256_GCM.tag_len();
    if sealed.len() < minimum {
        return Err(SecretError::Malformed {
            location: location(),
            reason: format!(
                "it is {} bytes; a sealed value is at least {minimum} bytes",
                sealed.len()
            ),
        });
    }
    if sealed[0] != SEAL_FORMAT_V1 {
        return Err(SecretError::Malformed {
            location: location(),
            reason: format!(
                "format version {} is unknown; this build reads version {SEAL_FORMAT_V1}",
                sealed[0]
            ),
        });
    }
    let key = aead_key(key_bytes)?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
    let mut buffer = Zeroizing::new(sealed[1 + NONCE_LEN..].to_vec());
    let plaintext_len = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            buffer.as_mut_slice(),
        )
        .map_err(|_| SecretError::Open {
            location: location(),
        })?
        .len();
    buffer.truncate(plaintext_len);
    Ok(SecretBytes(buffer))
}

fn aead_key(key_bytes: &[u8]) -> Result<LessSafeKey, SecretError> {
    UnboundKey::new(&AES_256_GCM, key_bytes)
        .map(LessSafeKey::new)
        .map_err(|_| SecretError::KeyLength {
            what: "AES-256-GCM key",
            actual: key_bytes.len(),
            expected: DATA_KEY_LEN,
        })
}

/// Where a sealed value lives; it becomes the AEAD associated data, so the value opens only
/// in this place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealContext<'a> {
    /// The table.
    pub table: &'a str,
    /// The column.
    pub column: &'a str,
    /// The row's key, as text.
    pub row_id: &'a str,
}

impl SealContext<'_> {
    /// The associated data: a prefix and the three names, each length-prefixed so that no
    /// two different contexts give the same bytes.
    fn aad(&self) -> Vec<u8> {
        let mut aad = SEAL_AAD_PREFIX.to_vec();
        for part in [self.table, self.column, self.row_id] {
            aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }

    fn location(&self) -> String {
        format!("{}.{}[{}]", self.table, self.column, self.row_id)
    }
}

/// Seals and opens secret values with AES-256-GCM under the data key.
///
/// Each seal draws a fresh random 96-bit nonce. Secrets are written a handful of times in a
/// device's life, far below the 2^32 seals per key after which random GCM nonces would risk a
/// collision. The key bytes are wiped when the sealer is dropped; ring's expanded key schedule
/// exists only for the duration of each call.
pub struct Sealer {
    key: DataKey,
}

impl Sealer {
    /// A sealer over `key`.
    pub fn new(key: DataKey) -> Self {
        Self { key }
    }

    /// Seals `plaintext` for `context`: `0x01 || nonce (12) || ciphertext || tag (16)`.
    pub fn seal(
        &self,
        rng: &dyn SecureRandom,
        context: SealContext<'_>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SecretError> {
        seal_with(self.key.expose(), rng, &context.aad(), plaintext)
    }

    /// Opens a value that [`Sealer::seal`] made for the same `context`. Fails with
    /// [`SecretError::Open`] if it was altered, sealed for another context or under another
    /// key.
    pub fn open(
        &self,
        context: SealContext<'_>,
        sealed: &[u8],
    ) -> Result<SecretBytes, SecretError> {
        open_with(self.key.expose(), &context.aad(), sealed, || {
            context.location()
        })
    }
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

/// A [`KeyStore`] that wraps the data key with AES-256-GCM under a 32-byte key it holds in
/// memory.
///
/// **For development only** (the CLI, tests, benches): the wrapping key sits in process memory
/// and, with [`SoftwareKeyStore::open_or_create_file`], in a file next to the database, so it
/// protects nothing against someone who can read both. Phones use the platform key store.
pub struct SoftwareKeyStore {
    key: Zeroizing<[u8; DATA_KEY_LEN]>,
    rng: SystemRandom,
}

impl SoftwareKeyStore {
    /// A key store over the given 32 wrapping-key bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        if bytes.len() != DATA_KEY_LEN {
            return Err(SecretError::KeyLength {
                what: "software wrapping key",
                actual: bytes.len(),
                expected: DATA_KEY_LEN,
            });
        }
        let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
        key.copy_from_slice(bytes);
        Ok(Self {
            key,
            rng: SystemRandom::new(),
        })
    }

    /// A key store over a fresh random wrapping key (it is lost when dropped: a store it
    /// created cannot be opened again by another instance).
    pub fn generate() -> Result<Self, SecretError> {
        let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
        SystemRandom::new()
            .fill(key.as_mut())
            .map_err(|_| SecretError::Random {
                what: "a software wrapping key",
            })?;
        Self::from_bytes(key.as_ref())
    }

    /// Reads the 32-byte wrapping key from `path`, or creates the file with a fresh random key
    /// (owner read/write only on Unix) if it does not exist.
    pub fn open_or_create_file(path: impl AsRef<Path>) -> Result<Self, SecretError> {
        let path = path.as_ref();
        let key_file_error = |reason: String| SecretError::KeyFile {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::File::open(path) {
            Ok(mut file) => {
                let mut bytes = Zeroizing::new(Vec::with_capacity(DATA_KEY_LEN));
                file.read_to_end(&mut bytes)
                    .map_err(|e| key_file_error(format!("cannot be read: {e}")))?;
                if bytes.len() != DATA_KEY_LEN {
                    return Err(key_file_error(format!(
                        "holds {} bytes; a software key file holds exactly {DATA_KEY_LEN} \
                         raw bytes",
                        bytes.len()
                    )));
                }
                Self::from_bytes(&bytes)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let store = Self::generate()?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options
                    .open(path)
                    .map_err(|e| key_file_error(format!("cannot be created: {e}")))?;
                file.write_all(store.key.as_ref())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| key_file_error(format!("cannot be written: {e}")))?;
                Ok(store)
            }
            Err(e) => Err(key_file_error(format!("cannot be opened: {e}"))),
        }
    }
}

impl KeyStore for SoftwareKeyStore {
    fn wrap(&self, plaintext_key: &[u8]) -> Result<Vec<u8>, SecretError> {
        if plaintext_key.len() != DATA_KEY_LEN {
            return Err(SecretError::KeyLength {
                what: "data key",
                actual: plaintext_key.len(),
                expected: DATA_KEY_LEN,
            });
        }
        seal_with(
            self.key.as_ref(),
            &self.rng,
            SOFTWARE_WRAP_AAD,
            plaintext_key,
        )
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, SecretError> {
        let key = open_with(self.key.as_ref(), SOFTWARE_WRAP_AAD, wrapped, || {
            "the wrapped data key".to_owned()
        })
        .map_err(|e| SecretError::Unwrap {
            reason: e.to_string(),
        })?;
        // The trait hands back a plain Vec (the shells return platform byte arrays); the
        // caller moves it into a `DataKey` and wipes it.
        Ok(key.expose().to_vec())
    }
}

impl fmt::Debug for SoftwareKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SoftwareKeyStore(<redacted>)")
    }
}

/// A [`Signer`] over a P-256 key pair held in process memory (ring).
///
/// For the CLI and tests; phones use the platform signer. Its PKCS#8 document is kept (wiped
/// on drop) so the store can save it — sealed — and load it again.
pub struct SoftwareSigner {
    pair: EcdsaKeyPair,
    pkcs8: SecretBytes,
    rng: SystemRandom,
}

impl SoftwareSigner {
    /// A fresh key pair from `rng`.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, SecretError> {
        let document =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, rng).map_err(|_| {
                SecretError::Random {
                    what: "a P-256 key pair",
                }
            })?;
        // ring's `Document` cannot be wiped in place; it lives on this stack frame only.
        Self::from_pkcs8(document.as_ref())
    }

    /// Loads a key pair from a PKCS#8 v1 or v2 document (e.g. unsealed from the store).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, SecretError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng).map_err(
            |e| SecretError::InvalidSigningKey {
                reason: e.to_string(),
            },
        )?;
        Ok(Self {
            pair,
            pkcs8: SecretBytes::from_slice(pkcs8),
            rng,
        })
    }

    /// The PKCS#8 document, for sealing into the store. Never log it.
    pub fn pkcs8(&self) -> &SecretBytes {
        &self.pkcs8
    }
}

impl Signer for SoftwareSigner {
    fn public_key(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SecretError> {
        self.pair
            .sign(&self.rng, message)
            .map(|signature| signature.as_ref().to_vec())
            .map_err(|_| SecretError::Sign {
                reason: "ring could not sign (the random generator failed)".to_owned(),
            })
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field(
                "public_key",
                &danbao_domain::protocol::hex_lower(&self.public_key()),
            )
            .field("pkcs8", &self.pkcs8)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

    fn context(row_id: &str) -> SealContext<'_> {
        SealContext {
            table: "secrets",
            column: "sealed",
            row_id,
        }
    }

    #[test]
    fn sealed_value_opens_only_in_its_own_row() {
        let rng = SystemRandom::new();
        let sealer = Sealer::new(DataKey::from_bytes(&[7u8; 32]).unwrap());
        let sealed = sealer
            .seal(&rng, context("device_signing_key"), b"hello")
            .unwrap();
        assert_eq!(sealed.len(), 1 + 12 + 5 + 16);
        assert_eq!(sealed[0], 1);
        let opened = sealer.open(context("device_signing_key"), &sealed).unwrap();
        assert_eq!(opened.expose(), b"hello");
        assert_eq!(
            sealer.open(context("payment_code_secret"), &sealed),
            Err(SecretError::Open {
                location: "secrets.sealed[payment_code_secret]".into()
            })
        );
        let other_column = SealContext {
            column: "other",
            ..context("device_signing_key")
        };
        assert!(matches!(
            sealer.open(other_column, &sealed),
            Err(SecretError::Open { .. })
        ));
    }

    #[test]
    fn context_parts_cannot_be_shifted_between_fields() {
        let a = SealContext {
            table: "ab",
            column: "c",
            row_id: "d",
        };
        let b = SealContext {
            table: "a",
            column: "bc",
            row_id: "d",
        };
        assert_ne!(a.aad(), b.aad());
    }

    #[test]
    fn every_flipped_bit_is_refused() {
        let rng = SystemRandom::new();
        let sealer = Sealer::new(DataKey::generate(&rng).unwrap());
        let sealed = sealer.seal(&rng, context("x"), b"secret").unwrap();
        for i in 1..sealed.len() {
            let mut edited = sealed.clone();
            edited[i] ^= 0x01;
            assert!(
                matches!(
                    sealer.open(context("x"), &edited),
                    Err(SecretError::Open { .. })
                ),
                "bit flip at byte {i} was accepted"
            );
        }
        let mut wrong_version = sealed.clone();
        wrong_version[0] = 2;
        assert!(matches!(
            sealer.open(context("x"), &wrong_version),
            Err(SecretError::Malformed { .. })
        ));
        assert!(matches!(
            sealer.open(context("x"), &sealed[..20]),
            Err(SecretError::Malformed { .. })
        ));
    }

    #[test]
    fn two_seals_of_one_value_differ() {
        let rng = SystemRandom::new();
        let sealer = Sealer::new(DataKey::generate(&rng).unwrap());
        let a = sealer.seal(&rng, context("x"), b"same").unwrap();
        let b = sealer.seal(&rng, context("x"), b"same").unwrap();
        assert_ne!(a[1..13], b[1..13], "nonces must be fresh");
        assert_ne!(a, b);
    }

    #[test]
    fn software_key_store_round_trips_and_refuses_another_key() {
        let store = SoftwareKeyStore::from_bytes(&[1u8; 32]).unwrap();
        let wrapped = store.wrap(&[9u8; 32]).unwrap();
        assert_eq!(store.unwrap(&wrapped).unwrap(), vec![9u8; 32]);
        let other = SoftwareKeyStore::from_bytes(&[2u8; 32]).unwrap();
        assert!(matches!(
            other.unwrap(&wrapped),
            Err(SecretError::Unwrap { .. })
        ));
        assert_eq!(
            store.wrap(&[9u8; 31]),
            Err(SecretError::KeyLength {
                what: "data key",
                actual: 31,
                expected: 32
            })
        );
        // A software-wrapped key is not a sealed column: domain separation by AAD.
        let sealer = Sealer::new(DataKey::from_bytes(&[1u8; 32]).unwrap());
        assert!(sealer.open(context("x"), &wrapped).is_err());
    }

    #[test]
    fn key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.key");
        let first = SoftwareKeyStore::open_or_create_file(&path).unwrap();
        let wrapped = first.wrap(&[5u8; 32]).unwrap();
        let second = SoftwareKeyStore::open_or_create_file(&path).unwrap();
        assert_eq!(second.unwrap(&wrapped).unwrap(), vec![5u8; 32]);
        assert_eq!(std::fs::read(&path).unwrap().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").unwrap();
        let error = SoftwareKeyStore::open_or_create_file(&path).unwrap_err();
        assert!(error.to_string().contains("holds 5 bytes"), "{error}");
    }

    #[test]
    fn software_signer_signs_der_that_p256_verifies() {
        let rng = SystemRandom::new();
        let signer = SoftwareSigner::generate(&rng).unwrap();
        let public_key = signer.public_key();
        assert_eq!(public_key.len(), P256_PUBLIC_KEY_LEN);
        assert_eq!(public_key[0], 0x04);
        let signature = signer.sign(b"message").unwrap();
        assert_eq!(signature[0], 0x30, "DER SEQUENCE");
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &public_key)
            .verify(b"message", &signature)
            .unwrap();
        assert!(
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &public_key)
                .verify(b"other", &signature)
                .is_err()
        );
        let reloaded = SoftwareSigner::from_pkcs8(signer.pkcs8().expose()).unwrap();
        assert_eq!(reloaded.public_key(), public_key);
        assert!(matches!(
            SoftwareSigner::from_pkcs8(b"not a key"),
            Err(SecretError::InvalidSigningKey { .. })
        ));
    }

    #[test]
    fn debug_output_is_redacted() {
        let rng = SystemRandom::new();
        let signer = SoftwareSigner::generate(&rng).unwrap();
        let printed = format!("{signer:?}");
        assert!(printed.contains("redacted"), "{printed}");
        // The PKCS#8 document ends with the public key (which may be printed); no 8-byte
        // window of what precedes it — the private scalar among it — may appear.
        let pkcs8 = signer.pkcs8().expose();
        let private_part = &pkcs8[..pkcs8.len() - P256_PUBLIC_KEY_LEN - 1];
        for window in private_part.windows(8) {
            assert!(!printed.contains(&danbao_domain::protocol::hex_lower(window)));
        }
        assert_eq!(
            format!("{:?}", SecretBytes::from_slice(b"abc")),
            "SecretBytes(<redacted 3 bytes>)"
        );
        assert_eq!(
            format!("{:?}", DataKey::from_bytes(&[1; 32]).unwrap()),
            "DataKey(<redacted>)"
        );
        let key_store = SoftwareKeyStore::from_bytes(&[1; 32]).unwrap();
        assert_eq!(format!("{key_store:?}"), "SoftwareKeyStore(<redacted>)");
    }
}
