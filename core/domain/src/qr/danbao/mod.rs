//! Danbao codes: EMV Merchant-Presented Mode payloads with the `app.danbao` template, signed
//! with Ed25519 when they carry an amount or an order.
//!
//! Three kinds ([`DanbaoCode`]): a static merchant code, a per-order code and a friend's
//! receive code. Any EMV reader can read them (they are ordinary MPM payloads with a merchant
//! account template in tag 26); only this module can tell whether they are genuine.
//!
//! - [`encode_unsigned`] writes a code that needs no signature (a merchant or receive code
//!   without an amount).
//! - [`issue`] signs any code with a [`DanbaoSigner`] and gives it a [`Seal`]: key id, a
//!   random [`Nonce`], issued-at and expires-at (unix seconds).
//! - [`parse`] reads a code strictly without checking its signature (what `scan` shows);
//!   [`verify`] also checks the signature against [`TrustedKeys`] and the validity window
//!   against a `now` that the caller passes in. Time is never read inside this module.
//!
//! The layout, what exactly is signed and a worked example are in `docs/qr-danbao.md`. In short:
//! the signature covers [`SIGNATURE_DOMAIN`] followed by the payload text from its first
//! character up to (not including) the signature template `81`, which must be the last object
//! before the CRC `63`. Every other byte of the code is inside that range, except the CRC, and
//! an edited CRC fails the CRC check, so no edited byte verifies.

mod strict;
mod z85;

use std::collections::{BTreeMap, HashMap};

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize, Serializer};

use crate::money::{Currency, Money};
use crate::qr::emv::tlv::Tlv;
use crate::qr::emv::{
    self, DataObject, MerchantAccount, MerchantPayload, PointOfInitiation, UnreservedTemplate,
    crc16,
};

/// ring's random source types, re-exported so callers (the CLI, the server) can make nonces
/// and keys with [`Nonce::random`] and [`DanbaoSigner::generate_pkcs8`] without naming ring.
pub use ring::rand::{SecureRandom, SystemRandom};

/// The globally unique identifier in sub-tag 00 of every Danbao template (EMV MPM 4.6).
pub const DANBAO_GUID: &str = "app.danbao";

/// The domain-separation prefix of every signed message, so a Danbao code signature can never
/// be replayed as a signature over anything else the same key signs (and vice versa).
pub const SIGNATURE_DOMAIN: &[u8] = b"danbao-qr-signature-v1\n";

/// Merchant category code written in a friend's receive code: a person is not a merchant.
pub const RECEIVE_MCC: &str = "0000";

/// How far (seconds) a code's issued-at may lie in the verifier's future before it is refused
/// as not yet valid: phones' clocks drift. Expiry is applied exactly.
pub const CLOCK_SKEW_SECONDS: u64 = 300;

/// Tag of the Danbao merchant account template (the first of 26–51).
pub const TAG_ACCOUNT: u8 = 26;
/// Tag of the seal template (key id, nonce, issued-at, expires-at), unreserved range 80–99.
pub const TAG_SEAL: u8 = 80;
/// Tag of the signature template, always the last object before the CRC.
pub const TAG_SIGNATURE: u8 = 81;

const MAX_ID_CHARS: usize = 32;
const MAX_KEY_ID_CHARS: usize = 16;
/// Longest name a code prints (EMV tag 59 holds 25 characters); the server shortens longer
/// display names to this when it prints them.
pub const MAX_NAME_CHARS: usize = 25;
const MAX_CITY_CHARS: usize = 15;
const MAX_AMOUNT_CHARS: usize = 13;
const MAX_TIME_DIGITS: usize = 12;
const NONCE_BYTES: usize = 16;
const SIGNATURE_BYTES: usize = 64;
/// "6304" and the 4 hex digits of the CRC (EMV MPM 4.7.3).
const CRC_OBJECT_BYTES: usize = 8;

/// Why a Danbao code could not be issued, read or trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DanbaoError {
    /// The text is not a well-formed EMV payload of the strict Danbao profile (TLV or CRC).
    #[error("not a well-formed Danbao payload: {reason}")]
    Structure {
        /// What was wrong and where.
        reason: String,
    },
    /// A well-formed EMV payload without the Danbao account template in tag 26.
    #[error(
        "not a Danbao code: tag 26 must be a merchant account template whose sub-tag 00 is \"app.danbao\""
    )]
    NotDanbao,
    /// A field of a Danbao code is missing, misplaced or has a value outside its format.
    #[error("malformed Danbao code, {field}: {reason}")]
    Malformed {
        /// The field, named by its tag, e.g. "tag 54 (amount)" or "tag 80.02 (nonce)".
        field: String,
        /// What was wrong and what would be right.
        reason: String,
    },
    /// A code that carries an amount or an order has no signature.
    #[error(
        "{kind} code carries {what} but no signature: such codes must be signed (tags 80 and 81)"
    )]
    MissingSignature {
        /// "merchant", "order" or "receive".
        kind: &'static str,
        /// "an amount" or "an order".
        what: &'static str,
    },
    /// The code is signed with a key the verifier does not trust.
    #[error("signed with unknown key id {key_id:?}: no trusted public key has that id")]
    UnknownKey {
        /// The key id the code names.
        key_id: String,
    },
    /// The signature does not match the code: the code was edited or forged.
    #[error(
        "signature does not verify under key {key_id:?}: the code was altered or not issued by that key"
    )]
    BadSignature {
        /// The key id the code names.
        key_id: String,
    },
    /// The code's validity ended.
    #[error("code expired at {expires_at} (unix seconds); it is now {now}")]
    Expired {
        /// When the code expired.
        expires_at: u64,
        /// The verifier's clock.
        now: u64,
    },
    /// The code was issued in the future (beyond [`CLOCK_SKEW_SECONDS`]).
    #[error("code is not valid before {issued_at} (unix seconds); it is now {now}")]
    NotYetValid {
        /// When the code was issued.
        issued_at: u64,
        /// The verifier's clock.
        now: u64,
    },
    /// A value given to [`issue`] or [`encode_unsigned`] cannot be written into a code.
    #[error("cannot issue code, {field}: {reason}")]
    InvalidInput {
        /// The field, e.g. "merchant_name".
        field: &'static str,
        /// What was wrong and what would be right.
        reason: String,
    },
    /// A signing key was refused or could not be made.
    #[error("signing key: {reason}")]
    Key {
        /// What was wrong.
        reason: String,
    },
}

/// A static merchant code, optionally with an amount (then it must be signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct MerchantCode {
    /// The merchant's Danbao id: 1–32 of `A–Z a–z 0–9 . _ -` (tag 26.01).
    pub merchant_id: String,
    /// Name as printed, 1–25 characters (tag 59). The app shows the server's name, not this.
    pub merchant_name: String,
    /// City, 1–15 characters (tag 60).
    pub merchant_city: String,
    /// ISO 3166-1 alpha-2 country, upper case (tag 58).
    pub country: String,
    /// ISO 18245 merchant category code, four digits (tag 52).
    pub mcc: String,
    /// Transaction currency (tag 53).
    pub currency: Currency,
    /// Amount in minor units of `currency`, positive (tag 54); `None` for a static code.
    pub amount_minor: Option<i64>,
}

/// A per-order code: pay this amount for this order into escrow. Always signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct OrderCode {
    /// The seller's Danbao merchant id (tag 26.01).
    pub merchant_id: String,
    /// The order id: 1–32 of `A–Z a–z 0–9 . _ -` (tag 26.03).
    pub order_id: String,
    /// Seller name as printed, 1–25 characters (tag 59).
    pub merchant_name: String,
    /// City, 1–15 characters (tag 60).
    pub merchant_city: String,
    /// ISO 3166-1 alpha-2 country (tag 58).
    pub country: String,
    /// Merchant category code, four digits (tag 52).
    pub mcc: String,
    /// Currency (tag 53).
    pub currency: Currency,
    /// Amount in minor units, positive (tag 54).
    pub amount_minor: i64,
}

/// A friend's receive code: pay this handle, optionally this amount (then it is signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ReceiveCode {
    /// The friend's Danbao handle, without any '@': 1–32 of `A–Z a–z 0–9 . _ -` (tag 26.02).
    pub handle: String,
    /// Display name as printed, 1–25 characters (tag 59).
    pub name: String,
    /// City, 1–15 characters (tag 60; EMV requires one).
    pub city: String,
    /// ISO 3166-1 alpha-2 country (tag 58).
    pub country: String,
    /// Currency the friend receives (tag 53).
    pub currency: Currency,
    /// Requested amount in minor units, positive (tag 54), if any.
    pub amount_minor: Option<i64>,
}

/// A Danbao code of any kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DanbaoCode {
    /// A merchant's code (static, or with an amount).
    Merchant(MerchantCode),
    /// A per-order code.
    Order(OrderCode),
    /// A friend's receive code.
    Receive(ReceiveCode),
}

impl DanbaoCode {
    /// "merchant", "order" or "receive".
    pub fn kind(&self) -> &'static str {
        match self {
            DanbaoCode::Merchant(_) => "merchant",
            DanbaoCode::Order(_) => "order",
            DanbaoCode::Receive(_) => "receive",
        }
    }

    /// The amount the code asks for, if any.
    pub fn amount(&self) -> Option<Money> {
        match self {
            DanbaoCode::Merchant(m) => m.amount_minor.map(|a| Money::from_minor(a, m.currency)),
            DanbaoCode::Order(o) => Some(Money::from_minor(o.amount_minor, o.currency)),
            DanbaoCode::Receive(r) => r.amount_minor.map(|a| Money::from_minor(a, r.currency)),
        }
    }

    /// The code's currency.
    pub fn currency(&self) -> Currency {
        match self {
            DanbaoCode::Merchant(m) => m.currency,
            DanbaoCode::Order(o) => o.currency,
            DanbaoCode::Receive(r) => r.currency,
        }
    }

    /// Whether the code must be signed: it carries an amount or an order.
    pub fn needs_signature(&self) -> bool {
        self.signature_reason().is_some()
    }

    fn signature_reason(&self) -> Option<&'static str> {
        match self {
            DanbaoCode::Order(_) => Some("an order"),
            DanbaoCode::Merchant(MerchantCode {
                amount_minor: Some(_),
                ..
            })
            | DanbaoCode::Receive(ReceiveCode {
                amount_minor: Some(_),
                ..
            }) => Some("an amount"),
            _ => None,
        }
    }
}

/// 16 random bytes that make each signed code unique; the server records used nonces.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce([u8; NONCE_BYTES]);

impl Nonce {
    /// A fresh nonce from a cryptographic random source (`ring::rand::SystemRandom` in
    /// production; tests pass fixed bytes through [`Nonce::from_bytes`]).
    pub fn random(rng: &dyn SecureRandom) -> Result<Self, DanbaoError> {
        let mut bytes = [0u8; NONCE_BYTES];
        rng.fill(&mut bytes).map_err(|_| DanbaoError::Key {
            reason: "the system random source failed to produce a nonce".to_owned(),
        })?;
        Ok(Self(bytes))
    }

    /// A nonce with these bytes.
    pub fn from_bytes(bytes: [u8; NONCE_BYTES]) -> Self {
        Self(bytes)
    }

    /// The nonce's bytes.
    pub fn as_bytes(&self) -> &[u8; NONCE_BYTES] {
        &self.0
    }

    /// The nonce written as text ([`Nonce::to_text`]): 20 Z85 characters for 16 bytes.
    pub fn from_text(text: &str) -> Result<Self, DanbaoError> {
        let field = "tag 80.02 (nonce)";
        let bytes = z85::decode(text).map_err(|e| malformed(field, e.to_string()))?;
        let bytes = <[u8; NONCE_BYTES]>::try_from(bytes.as_slice()).map_err(|_| {
            malformed(
                field,
                format!(
                    "is {} bytes; expected {NONCE_BYTES} (20 Z85 characters)",
                    bytes.len()
                ),
            )
        })?;
        Ok(Self(bytes))
    }

    /// The nonce as written in the code (20 Z85 characters): the form to record as used.
    pub fn to_text(&self) -> String {
        z85::encode(&self.0)
    }
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nonce({})", self.to_text())
    }
}

impl Serialize for Nonce {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_text())
    }
}

/// The signed code's metadata (template 80): who signed it, its nonce and validity window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Seal {
    /// Id of the signing key, 1–16 of `A–Z a–z 0–9 . _ -` (tag 80.01).
    pub key_id: String,
    /// The code's nonce (tag 80.02).
    pub nonce: Nonce,
    /// Issued at, unix seconds (tag 80.03).
    pub issued_at: u64,
    /// Expires at, unix seconds, after `issued_at` (tag 80.04).
    pub expires_at: u64,
}

/// A code read by [`parse`]: well formed, signature not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDanbaoCode {
    /// The code.
    pub code: DanbaoCode,
    /// Its seal, if signed.
    pub seal: Option<Seal>,
    signature: Option<[u8; SIGNATURE_BYTES]>,
    /// Byte length of the signed part of the (trimmed) text.
    signed_len: usize,
}

/// A code that [`verify`] accepted: well formed, and if signed, signed by a trusted key and
/// inside its validity window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedDanbaoCode {
    /// The code.
    pub code: DanbaoCode,
    /// Its seal, if signed (record `seal.nonce` as used once the payment is made).
    pub seal: Option<Seal>,
}

/// The public keys a verifier trusts, by key id.
pub trait TrustedKeys {
    /// The Ed25519 public key (32 bytes) with this id, if trusted.
    fn ed25519_public_key(&self, key_id: &str) -> Option<[u8; 32]>;
}

impl TrustedKeys for HashMap<String, [u8; 32]> {
    fn ed25519_public_key(&self, key_id: &str) -> Option<[u8; 32]> {
        self.get(key_id).copied()
    }
}

impl TrustedKeys for BTreeMap<String, [u8; 32]> {
    fn ed25519_public_key(&self, key_id: &str) -> Option<[u8; 32]> {
        self.get(key_id).copied()
    }
}

impl<T: TrustedKeys + ?Sized> TrustedKeys for &T {
    fn ed25519_public_key(&self, key_id: &str) -> Option<[u8; 32]> {
        (**self).ed25519_public_key(key_id)
    }
}

/// An Ed25519 signing key with its key id: the server's, or an issuing device's.
pub struct DanbaoSigner {
    key_pair: Ed25519KeyPair,
    key_id: String,
}

impl std::fmt::Debug for DanbaoSigner {
    // Never prints the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DanbaoSigner")
            .field("key_id", &self.key_id)
            .field("public_key", &hex(&self.public_key()))
            .finish()
    }
}

impl DanbaoSigner {
    /// A new Ed25519 key as PKCS#8 v2 DER bytes (store them sealed; they are the private key).
    pub fn generate_pkcs8(rng: &dyn SecureRandom) -> Result<Vec<u8>, DanbaoError> {
        Ed25519KeyPair::generate_pkcs8(rng)
            .map(|doc| doc.as_ref().to_vec())
            .map_err(|_| DanbaoError::Key {
                reason: "the system random source failed to produce a key".to_owned(),
            })
    }

    /// A signer from a PKCS#8 DER Ed25519 key (v1 as `openssl genpkey -algorithm ed25519
    /// -outform DER` writes, or v2) under `key_id`.
    pub fn from_pkcs8(key_id: &str, pkcs8: &[u8]) -> Result<Self, DanbaoError> {
        check_key_id(key_id).map_err(|reason| DanbaoError::InvalidInput {
            field: "key_id",
            reason,
        })?;
        let key_pair =
            Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(|e| DanbaoError::Key {
                reason: format!("not a PKCS#8 DER Ed25519 private key ({e})"),
            })?;
        Ok(Self {
            key_pair,
            key_id: key_id.to_owned(),
        })
    }

    /// The key id written into codes this signer issues.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The 32-byte Ed25519 public key, which verifiers put in their [`TrustedKeys`].
    pub fn public_key(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.key_pair.public_key().as_ref());
        out
    }
}

/// A short key id derived from a public key ("k" and the first 8 hex digits of its SHA-256),
/// for issuers that do not name their keys otherwise.
pub fn fingerprint_key_id(public_key: &[u8; 32]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, public_key);
    format!("k{}", hex(&digest.as_ref()[..4]))
}

/// Lower-case hex of `bytes` (for public keys in logs and CLI output).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a code that needs no signature (a merchant or receive code without an amount):
/// point of initiation "11", no templates 80/81.
pub fn encode_unsigned(code: &DanbaoCode) -> Result<String, DanbaoError> {
    if let Some(what) = code.signature_reason() {
        return Err(DanbaoError::MissingSignature {
            kind: code.kind(),
            what,
        });
    }
    write(&payload(code, None)?)
}

/// Signs `code` and writes it: point of initiation "12", seal template 80 (key id, `nonce`,
/// `issued_at`, `expires_at` in unix seconds) and signature template 81. Any kind may be
/// signed; codes with an amount or an order must be.
pub fn issue(
    code: &DanbaoCode,
    signer: &DanbaoSigner,
    nonce: Nonce,
    issued_at: u64,
    expires_at: u64,
) -> Result<String, DanbaoError> {
    if expires_at <= issued_at {
        return Err(DanbaoError::InvalidInput {
            field: "expires_at",
            reason: format!("{expires_at} is not after issued_at {issued_at}"),
        });
    }
    for (field, value) in [("issued_at", issued_at), ("expires_at", expires_at)] {
        if value.to_string().len() > MAX_TIME_DIGITS {
            return Err(DanbaoError::InvalidInput {
                field,
                reason: format!("{value} has more than {MAX_TIME_DIGITS} digits"),
            });
        }
    }
    let seal = Seal {
        key_id: signer.key_id.clone(),
        nonce,
        issued_at,
        expires_at,
    };
    let mut payload = payload(code, Some(&seal))?;
    let unsigned = write(&payload)?;
    // What is signed is everything before template 81, which goes last before the CRC: the
    // text written without 81, less its CRC object ("6304" and 4 hex digits, all ASCII).
    let signed = &unsigned[..unsigned.len() - CRC_OBJECT_BYTES];
    let signature = signer.key_pair.sign(&signed_message(signed));
    payload.unreserved_templates.push(UnreservedTemplate {
        tag: TAG_SIGNATURE,
        guid: Some(DANBAO_GUID.to_owned()),
        fields: vec![DataObject::new(1, z85::encode(signature.as_ref()))],
    });
    let text = write(&payload)?;
    debug_assert!(
        text.starts_with(signed),
        "template 81 is written after the signed part"
    );
    Ok(text)
}

/// Reads a Danbao code strictly, without checking its signature or validity window.
/// Surrounding whitespace is ignored. A code that needs a signature and has none is refused
/// here already ([`DanbaoError::MissingSignature`]).
// Long (206 lines): one strict reading of the tags in EMV order, each check beside the tag it
// reads and its refusal text; split, the helpers would pass the half-read objects around.
pub fn parse(text: &str) -> Result<ParsedDanbaoCode, DanbaoError> {
    let text = text.trim();
    let structure = |reason: String| DanbaoError::Structure { reason };
    let objects = strict::split(text).map_err(structure)?;
    let (Some(first), Some(last)) = (objects.first(), objects.last()) else {
        return Err(structure("the payload is empty".to_owned()));
    };
    if first.tag != 0 || first.value != "01" {
        return Err(structure(
            "the payload must start with tag 00 (payload format indicator) \"01\"".to_owned(),
        ));
    }
    if last.tag != 63 || last.value.len() != 4 {
        return Err(structure(
            "the payload must end with tag 63 (CRC) of 4 characters".to_owned(),
        ));
    }
    if !last
        .value
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
    {
        return Err(structure(format!(
            "CRC {:?} must be 4 upper-case hex digits",
            last.value
        )));
    }
    // EMV MPM 4.7.3: the CRC covers every byte up to and including "6304".
    let expected = crc16(text.as_bytes().get(..last.value_byte).unwrap_or_default());
    if u16::from_str_radix(last.value, 16) != Ok(expected) {
        return Err(structure(format!(
            "CRC is {} but the payload's CRC-16/CCITT-FALSE is {expected:04X}",
            last.value
        )));
    }
    let get = |tag: u8| objects.iter().find(|o| o.tag == tag);

    // The Danbao account template decides whether this is a Danbao code at all.
    let account = get(TAG_ACCOUNT).ok_or(DanbaoError::NotDanbao)?;
    let account_fields = strict::split_template(account)
        .map_err(|reason| malformed("tag 26 (Danbao account)", reason))?;
    if account_fields.first().map(|f| (f.tag, f.value)) != Some((0, DANBAO_GUID)) {
        return Err(DanbaoError::NotDanbao);
    }
    for object in &objects {
        if !matches!(
            object.tag,
            0 | 1 | 26 | 52 | 53 | 54 | 58 | 59 | 60 | 80 | 81 | 63
        ) {
            return Err(malformed(
                &format!("tag {:02}", object.tag),
                "is not part of a Danbao code (expected only 00, 01, 26, 52, 53, 54, 58, 59, 60, 80, 81, 63)".to_owned(),
            ));
        }
    }
    let sub = |tag: u8| {
        account_fields
            .iter()
            .find(|f| f.tag == tag)
            .map(|f| f.value)
    };
    for field in &account_fields {
        if !matches!(field.tag, 0..=3) {
            return Err(malformed(
                &format!("tag 26.{:02}", field.tag),
                "is not a Danbao account field (expected 00 GUID, 01 merchant id, 02 handle, 03 order id)".to_owned(),
            ));
        }
    }

    let required = |tag: u8, name: &str| {
        get(tag)
            .map(|o| o.value)
            .ok_or_else(|| malformed(&format!("tag {tag:02} ({name})"), "is missing".to_owned()))
    };
    let currency_text = required(53, "currency")?;
    let currency = parse_currency(currency_text)?;
    let amount_minor = get(54)
        .map(|o| parse_amount(o.value, currency))
        .transpose()?;
    let country = checked(58, "country", required(58, "country")?, check_country)?;
    let name = checked(59, "name", required(59, "name")?, |v| {
        check_text(v, MAX_NAME_CHARS)
    })?;
    let city = checked(60, "city", required(60, "city")?, |v| {
        check_text(v, MAX_CITY_CHARS)
    })?;
    let mcc = checked(
        52,
        "merchant category code",
        required(52, "merchant category code")?,
        check_mcc,
    )?;

    let code = match (sub(1), sub(2), sub(3)) {
        (Some(merchant_id), None, order) => {
            let merchant_id = checked_sub(1, "merchant id", merchant_id, check_id)?;
            match order {
                None => DanbaoCode::Merchant(MerchantCode {
                    merchant_id,
                    merchant_name: name,
                    merchant_city: city,
                    country,
                    mcc,
                    currency,
                    amount_minor,
                }),
                Some(order_id) => DanbaoCode::Order(OrderCode {
                    merchant_id,
                    order_id: checked_sub(3, "order id", order_id, check_id)?,
                    merchant_name: name,
                    merchant_city: city,
                    country,
                    mcc,
                    currency,
                    amount_minor: amount_minor.ok_or_else(|| {
                        malformed(
                            "tag 54 (amount)",
                            "is missing: an order code needs an amount".to_owned(),
                        )
                    })?,
                }),
            }
        }
        (None, Some(handle), None) => {
            if mcc != RECEIVE_MCC {
                return Err(malformed(
                    "tag 52 (merchant category code)",
                    format!("is {mcc:?}; a receive code has {RECEIVE_MCC:?}"),
                ));
            }
            DanbaoCode::Receive(ReceiveCode {
                handle: checked_sub(2, "handle", handle, check_id)?,
                name,
                city,
                country,
                currency,
                amount_minor,
            })
        }
        _ => {
            return Err(malformed(
                "tag 26 (Danbao account)",
                "needs exactly one of 01 (merchant id, optionally with 03 order id) or 02 (handle)"
                    .to_owned(),
            ));
        }
    };

    let seal_object = get(TAG_SEAL);
    let signature_object = get(TAG_SIGNATURE);
    let (seal, signature, signed_len) = match (seal_object, signature_object) {
        (None, None) => (None, None, text.len()),
        (Some(seal_object), Some(signature_object)) => {
            // Template 81 must be the last object before the CRC, so that the signed prefix
            // covers every other object (tags are ascending, so 80 precedes it).
            let before_crc = objects.len().checked_sub(2).and_then(|i| objects.get(i));
            if before_crc.map(|o| o.tag) != Some(TAG_SIGNATURE) {
                return Err(malformed(
                    "tag 81 (signature)",
                    "must be the last object before tag 63".to_owned(),
                ));
            }
            let seal = parse_seal(seal_object)?;
            let signature = parse_signature(signature_object)?;
            (Some(seal), Some(signature), signature_object.span().start)
        }
        (Some(_), None) => {
            return Err(malformed(
                "tag 81 (signature)",
                "is missing but tag 80 (seal) is present".to_owned(),
            ));
        }
        (None, Some(_)) => {
            return Err(malformed(
                "tag 80 (seal)",
                "is missing but tag 81 (signature) is present".to_owned(),
            ));
        }
    };
    let initiation = required(1, "point of initiation")?;
    let expected_initiation = if seal.is_some() { "12" } else { "11" };
    if initiation != expected_initiation {
        return Err(malformed(
            "tag 01 (point of initiation)",
            format!(
                "is {initiation:?}; a {} Danbao code has {expected_initiation:?}",
                if seal.is_some() { "signed" } else { "unsigned" }
            ),
        ));
    }
    if seal.is_none()
        && let Some(what) = code.signature_reason()
    {
        return Err(DanbaoError::MissingSignature {
            kind: code.kind(),
            what,
        });
    }
    Ok(ParsedDanbaoCode {
        code,
        seal,
        signature,
        signed_len,
    })
}

/// Reads a Danbao code and checks it: well formed, and if signed, signed by a key in `keys`
/// and valid at `now` (unix seconds, from the caller's clock). Checks run in this order:
/// structure, unknown key, signature, not yet valid, expired.
pub fn verify(
    text: &str,
    keys: &dyn TrustedKeys,
    now: u64,
) -> Result<VerifiedDanbaoCode, DanbaoError> {
    let parsed = parse(text)?;
    parsed.verify(text, keys, now)
}

impl ParsedDanbaoCode {
    /// Checks the signature and validity of the code that [`parse`] read from `text` (the
    /// same text). See [`verify`].
    pub fn verify(
        self,
        text: &str,
        keys: &dyn TrustedKeys,
        now: u64,
    ) -> Result<VerifiedDanbaoCode, DanbaoError> {
        let text = text.trim();
        if let (Some(seal), Some(signature)) = (&self.seal, &self.signature) {
            let public_key =
                keys.ed25519_public_key(&seal.key_id)
                    .ok_or_else(|| DanbaoError::UnknownKey {
                        key_id: seal.key_id.clone(),
                    })?;
            let signed = text
                .get(..self.signed_len)
                .ok_or_else(|| DanbaoError::Structure {
                    reason: "the text differs from the one that was parsed".to_owned(),
                })?;
            UnparsedPublicKey::new(&ED25519, public_key)
                .verify(&signed_message(signed), signature)
                .map_err(|_| DanbaoError::BadSignature {
                    key_id: seal.key_id.clone(),
                })?;
            if now.saturating_add(CLOCK_SKEW_SECONDS) < seal.issued_at {
                return Err(DanbaoError::NotYetValid {
                    issued_at: seal.issued_at,
                    now,
                });
            }
            if now >= seal.expires_at {
                return Err(DanbaoError::Expired {
                    expires_at: seal.expires_at,
                    now,
                });
            }
        }
        Ok(VerifiedDanbaoCode {
            code: self.code,
            seal: self.seal,
        })
    }
}

/// The exact bytes an issuer signs: the domain prefix, then the payload text before tag 81.
fn signed_message(prefix: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_DOMAIN.len() + prefix.len());
    message.extend_from_slice(SIGNATURE_DOMAIN);
    message.extend_from_slice(prefix.as_bytes());
    message
}

/// Writes `payload` with the EMV encoder, which puts the objects in ascending tag order (the
/// unreserved templates in list order: 80, then 81) and ends with the CRC.
fn write(payload: &MerchantPayload) -> Result<String, DanbaoError> {
    // Unreachable for a payload built by `payload` (its values are checked first); kept total.
    emv::encode(payload).map_err(|e| DanbaoError::InvalidInput {
        field: "code",
        reason: e.to_string(),
    })
}

/// The EMV payload of `code`: tags 00 to 60, and seal template 80 when sealed.
// Long (97 lines): the whole tag layout of a code written top to bottom, mirroring `parse`.
fn payload(code: &DanbaoCode, seal: Option<&Seal>) -> Result<MerchantPayload, DanbaoError> {
    let invalid =
        |field: &'static str| move |reason: String| DanbaoError::InvalidInput { field, reason };
    let (account_id_tag, account_id, order_id, name, city, country, mcc, currency, amount) =
        match code {
            DanbaoCode::Merchant(m) => (
                1,
                &m.merchant_id,
                None,
                &m.merchant_name,
                &m.merchant_city,
                &m.country,
                m.mcc.as_str(),
                m.currency,
                m.amount_minor,
            ),
            DanbaoCode::Order(o) => (
                1,
                &o.merchant_id,
                Some(&o.order_id),
                &o.merchant_name,
                &o.merchant_city,
                &o.country,
                o.mcc.as_str(),
                o.currency,
                Some(o.amount_minor),
            ),
            DanbaoCode::Receive(r) => (
                2,
                &r.handle,
                None,
                &r.name,
                &r.city,
                &r.country,
                RECEIVE_MCC,
                r.currency,
                r.amount_minor,
            ),
        };
    let id_field = if account_id_tag == 1 {
        "merchant_id"
    } else {
        "handle"
    };
    check_id(account_id).map_err(invalid(id_field))?;
    if let Some(order_id) = order_id {
        check_id(order_id).map_err(invalid("order_id"))?;
    }
    check_text(name, MAX_NAME_CHARS).map_err(invalid("name"))?;
    check_text(city, MAX_CITY_CHARS).map_err(invalid("city"))?;
    check_country(country).map_err(invalid("country"))?;
    check_mcc(mcc).map_err(invalid("mcc"))?;
    let amount = amount
        .map(|minor| format_amount(Money::from_minor(minor, currency)))
        .transpose()
        .map_err(invalid("amount_minor"))?;

    let mut account_fields = vec![DataObject::new(account_id_tag, account_id.as_str())];
    if let Some(order_id) = order_id {
        account_fields.push(DataObject::new(3, order_id.as_str()));
    }
    let mut unreserved_templates = Vec::new();
    if let Some(seal) = seal {
        check_key_id(&seal.key_id).map_err(invalid("key_id"))?;
        unreserved_templates.push(UnreservedTemplate {
            tag: TAG_SEAL,
            guid: Some(DANBAO_GUID.to_owned()),
            fields: vec![
                DataObject::new(1, seal.key_id.as_str()),
                DataObject::new(2, seal.nonce.to_text()),
                DataObject::new(3, seal.issued_at.to_string()),
                DataObject::new(4, seal.expires_at.to_string()),
            ],
        });
    }
    Ok(MerchantPayload {
        payload_format_indicator: Some("01".to_owned()),
        point_of_initiation: Some(if seal.is_some() {
            PointOfInitiation::Dynamic
        } else {
            PointOfInitiation::Static
        }),
        merchant_accounts: vec![MerchantAccount::Template {
            tag: TAG_ACCOUNT,
            guid: Some(DANBAO_GUID.to_owned()),
            fields: account_fields,
        }],
        merchant_category_code: Some(mcc.to_owned()),
        currency: Some(currency.numeric_code()),
        amount,
        country_code: Some(country.clone()),
        merchant_name: Some(name.clone()),
        merchant_city: Some(city.clone()),
        unreserved_templates,
        ..MerchantPayload::default()
    })
}

fn parse_seal(object: &Tlv<'_>) -> Result<Seal, DanbaoError> {
    let field = "tag 80 (seal)";
    let fields = strict::split_template(object).map_err(|reason| malformed(field, reason))?;
    let tags: Vec<u8> = fields.iter().map(|f| f.tag).collect();
    if tags != [0, 1, 2, 3, 4] {
        return Err(malformed(
            field,
            format!(
                "has sub-tags {tags:?}; expected exactly 00 GUID, 01 key id, 02 nonce, 03 issued-at, 04 expires-at"
            ),
        ));
    }
    if fields[0].value != DANBAO_GUID {
        return Err(malformed(
            "tag 80.00 (GUID)",
            format!("is {:?}; expected {DANBAO_GUID:?}", fields[0].value),
        ));
    }
    let key_id = fields[1].value;
    check_key_id(key_id).map_err(|reason| malformed("tag 80.01 (key id)", reason))?;
    let nonce = Nonce::from_text(fields[2].value)?;
    let issued_at =
        parse_time(fields[3].value).map_err(|r| malformed("tag 80.03 (issued-at)", r))?;
    let expires_at =
        parse_time(fields[4].value).map_err(|r| malformed("tag 80.04 (expires-at)", r))?;
    if expires_at <= issued_at {
        return Err(malformed(
            "tag 80.04 (expires-at)",
            format!("{expires_at} is not after issued-at {issued_at}"),
        ));
    }
    Ok(Seal {
        key_id: key_id.to_owned(),
        nonce,
        issued_at,
        expires_at,
    })
}

fn parse_signature(object: &Tlv<'_>) -> Result<[u8; SIGNATURE_BYTES], DanbaoError> {
    let field = "tag 81 (signature)";
    let fields = strict::split_template(object).map_err(|reason| malformed(field, reason))?;
    let tags: Vec<u8> = fields.iter().map(|f| f.tag).collect();
    if tags != [0, 1] {
        return Err(malformed(
            field,
            format!("has sub-tags {tags:?}; expected exactly 00 GUID and 01 signature"),
        ));
    }
    if fields[0].value != DANBAO_GUID {
        return Err(malformed(
            "tag 81.00 (GUID)",
            format!("is {:?}; expected {DANBAO_GUID:?}", fields[0].value),
        ));
    }
    let bytes = z85::decode(fields[1].value)
        .map_err(|e| malformed("tag 81.01 (signature)", e.to_string()))?;
    <[u8; SIGNATURE_BYTES]>::try_from(bytes.as_slice()).map_err(|_| {
        malformed(
            "tag 81.01 (signature)",
            format!(
                "is {} bytes; expected {SIGNATURE_BYTES} (80 Z85 characters)",
                bytes.len()
            ),
        )
    })
}

fn malformed(field: &str, reason: String) -> DanbaoError {
    DanbaoError::Malformed {
        field: field.to_owned(),
        reason,
    }
}

fn checked(
    tag: u8,
    name: &str,
    value: &str,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<String, DanbaoError> {
    check(value).map_err(|reason| malformed(&format!("tag {tag:02} ({name})"), reason))?;
    Ok(value.to_owned())
}

fn checked_sub(
    tag: u8,
    name: &str,
    value: &str,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<String, DanbaoError> {
    check(value).map_err(|reason| malformed(&format!("tag 26.{tag:02} ({name})"), reason))?;
    Ok(value.to_owned())
}

fn parse_currency(value: &str) -> Result<Currency, DanbaoError> {
    let field = "tag 53 (currency)";
    if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(
            field,
            format!("{value:?} is not a 3-digit ISO 4217 numeric code such as \"156\""),
        ));
    }
    Currency::from_code(value).map_err(|e| malformed(field, e.to_string()))
}

fn parse_amount(value: &str, currency: Currency) -> Result<i64, DanbaoError> {
    let field = "tag 54 (amount)";
    let money = Money::parse(value, currency).map_err(|e| malformed(field, e.to_string()))?;
    let canonical = money.format();
    if canonical != value {
        return Err(malformed(
            field,
            format!("{value:?} is not written canonically; Danbao writes {canonical:?}"),
        ));
    }
    if money.minor() <= 0 {
        return Err(malformed(
            field,
            format!("{value:?} must be more than zero"),
        ));
    }
    Ok(money.minor())
}

fn format_amount(money: Money) -> Result<String, String> {
    if money.minor() <= 0 {
        return Err(format!("{} must be more than zero", money.minor()));
    }
    let text = money.format();
    if text.len() > MAX_AMOUNT_CHARS {
        return Err(format!(
            "{text} has {} characters; EMV tag 54 allows {MAX_AMOUNT_CHARS}",
            text.len()
        ));
    }
    Ok(text)
}

fn parse_time(value: &str) -> Result<u64, String> {
    let canonical = !value.is_empty()
        && value.len() <= MAX_TIME_DIGITS
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    if !canonical {
        return Err(format!(
            "{value:?} is not unix seconds written as 1–{MAX_TIME_DIGITS} digits without leading zeros"
        ));
    }
    value
        .parse()
        .map_err(|_| format!("{value:?} is not a number"))
}

fn check_id(value: &str) -> Result<(), String> {
    check_token(value, MAX_ID_CHARS)
}

fn check_key_id(value: &str) -> Result<(), String> {
    check_token(value, MAX_KEY_ID_CHARS)
}

fn check_token(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() || value.len() > max {
        return Err(format!(
            "{value:?} has {} characters; expected 1–{max}",
            value.chars().count()
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "{value:?} contains {c:?}; only A–Z, a–z, 0–9, '.', '_' and '-' are allowed"
        ));
    }
    Ok(())
}

fn check_text(value: &str, max: usize) -> Result<(), String> {
    let count = value.chars().count();
    if count == 0 || count > max {
        return Err(format!(
            "{value:?} has {count} characters; expected 1–{max}"
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!("{value:?} contains the control character {c:?}"));
    }
    if value.trim() != value {
        return Err(format!("{value:?} has leading or trailing spaces"));
    }
    Ok(())
}

fn check_country(value: &str) -> Result<(), String> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not an upper-case ISO 3166-1 alpha-2 code such as \"CN\""
        ))
    }
}

fn check_mcc(value: &str) -> Result<(), String> {
    if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not a four-digit merchant category code such as \"5812\""
        ))
    }
}

#[cfg(test)]
mod tests;
