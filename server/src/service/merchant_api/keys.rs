//! Merchant API keys: a merchant's device creates, lists, rotates and revokes them; a shop's
//! server authenticates with one ([`authenticate`]).
//!
//! A key is `mk_<24 hex>.<64 hex>`: its public id, a dot, and 32 random bytes of secret. Only
//! the SHA-256 of the secret is stored (the secret has 256 bits of entropy, so a fast hash is
//! enough: nobody can search it); the whole key is shown once, in the answer that created or
//! rotated it. The secret is compared in constant time and never logged ([`ApiKeySecret`]'s
//! `Debug` hides it).

use danbao_domain::protocol::wire::{ApiKeyList, ApiKeyView, IssuedApiKey, NewApiKey};
use ring::rand::SecureRandom;

use super::{KeyCaller, Scope};
use crate::service::merchant_profiles::may_charge_codes;
use crate::service::{self, Answer, Caller, ServiceError, ServiceResult};
use crate::store::merchant_api::ApiKeyRecord;
use crate::store::{Store, Tx};

/// Most keys a merchant may hold (revoked ones included).
pub const MAX_KEYS: usize = 50;
/// Longest key name, characters.
pub const MAX_KEY_NAME_CHARS: usize = 60;

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(record: &ApiKeyRecord) -> Self {
        Self {
            id: record.id.clone(),
            name: record.name.clone(),
            scopes: record.scopes.clone(),
            created_at: record.created_at,
            rotated_at: record.rotated_at,
            revoked_at: record.revoked_at,
            last_used_at: record.last_used_at,
        }
    }
}

/// A key's whole text, as the shop's server sends it. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl std::fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

impl ApiKeySecret {
    /// Wraps the text of an `Authorization: Bearer` header.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The key id and the SHA-256 of the secret part; `None` when the text is not a key.
    fn parts(&self) -> Option<(&str, Vec<u8>)> {
        let (id, secret) = self.0.split_once('.')?;
        let id_ok = id.len() == 27
            && id.starts_with("mk_")
            && id[3..].bytes().all(|b| b.is_ascii_hexdigit());
        let secret_ok = secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit());
        (id_ok && secret_ok).then(|| (id, secret_hash(secret)))
    }
}

fn secret_hash(secret: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, secret.as_bytes())
        .as_ref()
        .to_vec()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Fresh random material chosen outside the write job (a job may run twice).
#[derive(Clone)]
pub struct KeyMaterial {
    id: String,
    secret: String,
}

impl KeyMaterial {
    /// A new key id and secret.
    pub fn generate(rng: &dyn SecureRandom) -> ServiceResult<Self> {
        let mut id = [0u8; 12];
        let mut secret = [0u8; 32];
        rng.fill(&mut id)
            .and_then(|()| rng.fill(&mut secret))
            .map_err(|_| ServiceError::storage("the random source failed"))?;
        Ok(Self {
            id: format!("mk_{}", danbao_domain::protocol::hex_lower(&id)),
            secret: danbao_domain::protocol::hex_lower(&secret),
        })
    }

    fn text(&self, id: &str) -> String {
        format!("{id}.{}", self.secret)
    }
}

fn check_name(name: &str) -> ServiceResult<()> {
    crate::service::orders::check_text("name", name, MAX_KEY_NAME_CHARS)
}

fn parse_scopes(scopes: &[String]) -> ServiceResult<Vec<String>> {
    if scopes.is_empty() {
        return Err(ServiceError::unprocessable(
            "invalid_scope",
            format!(
                "a key needs at least one scope of: {}",
                Scope::ALL.map(Scope::as_str).join(", ")
            ),
        ));
    }
    let mut parsed: Vec<Scope> = Vec::new();
    for text in scopes {
        let scope = Scope::parse(text).ok_or_else(|| {
            ServiceError::unprocessable(
                "invalid_scope",
                format!(
                    "scope {text:?} is unknown; the scopes are: {} (none moves money out of \
                     the wallet)",
                    Scope::ALL.map(Scope::as_str).join(", ")
                ),
            )
        })?;
        if !parsed.contains(&scope) {
            parsed.push(scope);
        }
    }
    parsed.sort();
    Ok(parsed.into_iter().map(|s| s.as_str().to_owned()).collect())
}

fn own_key(tx: &mut dyn Tx, user_id: i64, id: &str) -> ServiceResult<ApiKeyRecord> {
    tx.api_key(id)?
        .filter(|key| key.user_id == user_id)
        .ok_or_else(|| {
            ServiceError::not_found(
                "unknown_api_key",
                format!("there is no API key {id:?} of yours"),
            )
        })
}

/// `POST /v1/merchant/api-keys`: an enrolled, enabled merchant's device creates a key.
pub async fn create<S: Store>(
    store: &S,
    caller: Caller,
    body: NewApiKey,
    material: KeyMaterial,
    now: i64,
) -> ServiceResult<Answer> {
    check_name(&body.name)?;
    let scopes = parse_scopes(&body.scopes)?;
    service::write_once(store, caller, now, move |tx, caller| {
        may_charge_codes(tx, caller.user_id)?;
        if tx.api_keys_of(caller.user_id)?.len() >= MAX_KEYS {
            return Err(ServiceError::conflict(
                "too_many_api_keys",
                format!("a merchant holds at most {MAX_KEYS} API keys; revoke unused ones"),
            ));
        }
        let record = ApiKeyRecord {
            id: material.id.clone(),
            user_id: caller.user_id,
            name: body.name.clone(),
            scopes: scopes.clone(),
            secret_hash: secret_hash(&material.secret),
            created_at: now,
            rotated_at: None,
            revoked_at: None,
            last_used_at: None,
        };
        tx.insert_api_key(&record)?;
        Answer::created(&IssuedApiKey {
            key: ApiKeyView::from(&record),
            secret: material.text(&record.id),
        })
    })
    .await
}

/// `GET /v1/merchant/api-keys`: the caller's keys.
pub async fn list<S: Store>(store: &S, user_id: i64) -> ServiceResult<ApiKeyList> {
    store
        .read(move |tx| {
            let items = tx
                .api_keys_of(user_id)?
                .iter()
                .map(ApiKeyView::from)
                .collect();
            Ok(ApiKeyList { items })
        })
        .await
}

/// `POST /v1/merchant/api-keys/{id}/rotate`: a new secret for the key; the old one stops
/// working at once.
pub async fn rotate<S: Store>(
    store: &S,
    caller: Caller,
    id: String,
    material: KeyMaterial,
    now: i64,
) -> ServiceResult<Answer> {
    service::write_once(store, caller, now, move |tx, caller| {
        let key = own_key(tx, caller.user_id, &id)?;
        if key.revoked_at.is_some() {
            return Err(ServiceError::conflict(
                "api_key_revoked",
                format!("API key {id} was revoked; create a new one"),
            ));
        }
        tx.rotate_api_key(&id, &secret_hash(&material.secret), now)?;
        let record = own_key(tx, caller.user_id, &id)?;
        Answer::ok(&IssuedApiKey {
            key: ApiKeyView::from(&record),
            secret: material.text(&id),
        })
    })
    .await
}

/// `POST /v1/merchant/api-keys/{id}/revoke`: the key's requests are refused from now on
/// (revoking twice answers the revoked key).
pub async fn revoke<S: Store>(
    store: &S,
    caller: Caller,
    id: String,
    now: i64,
) -> ServiceResult<Answer> {
    service::write_once(store, caller, now, move |tx, caller| {
        own_key(tx, caller.user_id, &id)?;
        tx.revoke_api_key(&id, now)?;
        Answer::ok(&ApiKeyView::from(&own_key(tx, caller.user_id, &id)?))
    })
    .await
}

/// The key a shop's server presented, checked: well formed, known, not revoked, secret
/// matching (in constant time), its merchant enrolled and enabled. Every failure to prove
/// the key is the same `401 invalid_api_key`, so the answer tells nothing about which ids
/// exist.
pub fn authenticate(tx: &mut dyn Tx, secret: &ApiKeySecret) -> ServiceResult<ApiKeyRecord> {
    let invalid = || {
        ServiceError::unauthorized(
            "invalid_api_key",
            "the API key is not valid: check it was copied whole, and that it was not rotated \
             or revoked",
        )
    };
    let (id, hash) = secret.parts().ok_or_else(invalid)?;
    let key = tx.api_key(id)?.ok_or_else(invalid)?;
    if !constant_time_eq(&key.secret_hash, &hash) || key.revoked_at.is_some() {
        return Err(invalid());
    }
    may_charge_codes(tx, key.user_id)?;
    Ok(key)
}

/// The caller of a request authenticated by `key`.
pub fn caller_of(
    key: &ApiKeyRecord,
    idempotency_key: Option<String>,
    request_hash: Vec<u8>,
) -> KeyCaller {
    KeyCaller {
        key_id: key.id.clone(),
        user_id: key.user_id,
        scopes: key.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        idempotency_key,
        request_hash,
    }
}
