//! The shared state of the running server: store, settings, clock and key material.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use danbao_domain::qr::danbao::{DanbaoSigner, fingerprint_key_id};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::Config;
use crate::ratelimit::{Limits, RateLimiter};
use crate::store::Store;
use crate::store::postgres::PgStore;

/// Wall-clock seconds plus a sandbox-only offset (so tests can let timers fire).
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// Unix seconds as the server sees them.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs() as i64);
        wall + self.offset.load(Ordering::Relaxed)
    }

    /// A clock `offset` seconds ahead of the wall clock.
    pub fn with_offset(offset: i64) -> Self {
        Self {
            offset: AtomicI64::new(offset),
        }
    }

    /// Moves the clock forward (sandbox only).
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// Takes the offset every instance shares (read from the database). The offset only
    /// moves forward, so a read that raced with an advance never moves it back.
    pub fn set_offset(&self, offset: i64) {
        self.offset.fetch_max(offset, Ordering::Relaxed);
    }
}

/// Seconds a cached device key is used before the device row is read again (revocation by
/// another instance sharing the database reaches this one within this time).
pub const DEVICE_CACHE_SECS: u64 = 2;

/// A device's owner and public key, and when they were read from the store.
pub type CachedKey = (i64, Vec<u8>, std::time::Instant);

/// Everything a handler needs.
pub struct AppState<S> {
    /// The store.
    pub store: S,
    /// Settings.
    pub config: Config,
    /// The clock.
    pub clock: Clock,
    /// The operator's bearer token.
    pub operator_token: String,
    /// Signs per-order and merchant codes.
    pub code_signer: DanbaoSigner,
    /// Public key of `code_signer`, for verification.
    pub code_public_key: [u8; 32],
    /// Seals payment-code secrets at rest (AES-256-GCM key).
    pub seal_key: [u8; 32],
    /// Device public keys by device id (immutable once registered).
    /// Each entry is trusted for [`DEVICE_CACHE_SECS`] after it was read: a device revoked
    /// through another instance on the same database is refused here within that time.
    pub device_keys: RwLock<HashMap<i64, CachedKey>>,
    /// Devices this instance saw revoked: checked before [`Self::device_keys`], so a key
    /// cached before the revocation is refused on the very next request.
    pub revoked_devices: RwLock<HashSet<i64>>,
    /// Randomness.
    pub rng: SystemRandom,
    /// Rate limits of this instance (in memory).
    pub rate_limiter: RateLimiter,
}

/// The handle every handler receives.
pub type App<S> = Arc<AppState<S>>;

/// The key material and operator token an instance runs with.
pub struct Keys {
    /// The operator's bearer token.
    pub operator_token: String,
    /// The Ed25519 code-signing key, PKCS#8.
    pub codes_pkcs8: Vec<u8>,
    /// The AES-256-GCM key sealing payment-code secrets.
    pub seal_key: Vec<u8>,
}

impl Keys {
    /// The SQLite instance's keys: each from the configuration if given, else from its file
    /// beside the database (created 0600 on first start; a generated operator token too).
    pub fn from_files(config: &Config) -> anyhow::Result<Self> {
        let rng = SystemRandom::new();
        let operator_token = match &config.operator_token {
            Some(token) => token.expose().to_owned(),
            None => {
                let path = sibling(&config.db, "operator-token");
                let token = load_or_create(&path, || {
                    let mut bytes = [0u8; 24];
                    rng.fill(&mut bytes)
                        .map_err(|_| anyhow::anyhow!("no randomness"))?;
                    Ok(danbao_domain::protocol::hex_lower(&bytes).into_bytes())
                })?;
                tracing::info!(path = %path.display(), "operator token file");
                String::from_utf8(token).context("operator token file is not UTF-8")?
            }
        };
        let codes_pkcs8 = match configured_codes_key(config)? {
            Some(key) => key,
            None => load_or_create(&sibling(&config.db, "codes-key"), || new_codes_key(&rng))?,
        };
        let seal_key = match configured_seal_key(config)? {
            Some(key) => key,
            None => load_or_create(&sibling(&config.db, "seal-key"), || new_seal_key(&rng))?,
        };
        Ok(Self {
            operator_token,
            codes_pkcs8,
            seal_key,
        })
    }

    /// The keys of an instance on PostgreSQL, where no file of one instance may hold what the
    /// others need: the operator token must be configured; each key comes from the
    /// configuration, or from the database (generated once by the first instance, under a
    /// lock, and read by every other). Blocking.
    pub fn shared(config: &Config, store: &PgStore, now: i64) -> anyhow::Result<Self> {
        let rng = SystemRandom::new();
        let Some(operator_token) = config
            .operator_token
            .as_ref()
            .map(|t| t.expose().to_owned())
        else {
            anyhow::bail!(
                "on PostgreSQL the operator token must be configured (DANBAO_OPERATOR_TOKEN or \
                 --operator-token, e.g. `openssl rand -hex 24`): every instance needs the same one"
            );
        };
        let codes_pkcs8 = match configured_codes_key(config)? {
            Some(key) => key,
            None => store.shared_secret("codes-key", now, || new_codes_key(&rng))?,
        };
        let seal_key = match configured_seal_key(config)? {
            Some(key) => key,
            None => store.shared_secret("seal-key", now, || new_seal_key(&rng))?,
        };
        Ok(Self {
            operator_token,
            codes_pkcs8,
            seal_key,
        })
    }
}

fn new_codes_key(rng: &SystemRandom) -> anyhow::Result<Vec<u8>> {
    DanbaoSigner::generate_pkcs8(rng).map_err(|e| anyhow::anyhow!("{e}"))
}

fn new_seal_key(rng: &SystemRandom) -> anyhow::Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    rng.fill(&mut key)
        .map_err(|_| anyhow::anyhow!("no randomness"))?;
    Ok(key)
}

fn configured_codes_key(config: &Config) -> anyhow::Result<Option<Vec<u8>>> {
    use base64::Engine;
    config
        .codes_key
        .as_ref()
        .map(|key| {
            base64::engine::general_purpose::STANDARD
                .decode(key.expose().trim())
                .map_err(|_| anyhow::anyhow!("DANBAO_CODES_KEY is not standard base64"))
        })
        .transpose()
}

fn configured_seal_key(config: &Config) -> anyhow::Result<Option<Vec<u8>>> {
    config
        .seal_key
        .as_ref()
        .map(|key| {
            let text = key.expose().trim();
            let bytes: Option<Vec<u8>> = (text.len() == 64)
                .then(|| {
                    (0..32)
                        .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
                        .collect()
                })
                .flatten();
            bytes.ok_or_else(|| anyhow::anyhow!("DANBAO_SEAL_KEY must be 64 hex digits"))
        })
        .transpose()
}

impl<S: Store> AppState<S> {
    /// Builds the state, loading or creating the key files beside the database
    /// ([`Keys::from_files`]).
    pub fn new(store: S, config: Config) -> anyhow::Result<App<S>> {
        let keys = Keys::from_files(&config)?;
        Self::with_keys(store, config, keys, 0)
    }

    /// Builds the state from `keys`, the sandbox clock starting at `clock_offset`.
    pub fn with_keys(
        store: S,
        config: Config,
        keys: Keys,
        clock_offset: i64,
    ) -> anyhow::Result<App<S>> {
        let rng = SystemRandom::new();
        let operator_token = keys.operator_token.trim().to_owned();
        check_operator_token(&operator_token)?;
        let pkcs8 = keys.codes_pkcs8;
        let probe =
            DanbaoSigner::from_pkcs8("probe", &pkcs8).map_err(|e| anyhow::anyhow!("{e}"))?;
        let code_public_key = probe.public_key();
        let code_signer = DanbaoSigner::from_pkcs8(&fingerprint_key_id(&code_public_key), &pkcs8)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let seal_key: [u8; 32] = keys
            .seal_key
            .try_into()
            .map_err(|_| anyhow::anyhow!("the seal key must be 32 bytes"))?;
        let limits = Limits {
            per_account: config.rate_limit,
            per_address: config.rate_limit_address,
            sign_ups: config.sign_up_limit,
        };
        let rate_limiter = RateLimiter::with_shared(limits, store.shared_buckets());
        Ok(Arc::new(Self {
            store,
            config,
            clock: Clock::with_offset(clock_offset),
            operator_token,
            code_signer,
            code_public_key,
            seal_key,
            device_keys: RwLock::new(HashMap::new()),
            revoked_devices: RwLock::new(HashSet::new()),
            rng,
            rate_limiter,
        }))
    }

    /// The server's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(suffix);
    db.with_file_name(name)
}

/// Shortest operator token accepted at start.
pub const MIN_OPERATOR_TOKEN_CHARS: usize = 16;

/// Refuses an operator token an attacker could guess or a shell could mangle: shorter than
/// [`MIN_OPERATOR_TOKEN_CHARS`], or with characters other than printable ASCII (no spaces).
pub fn check_operator_token(token: &str) -> anyhow::Result<()> {
    if token.len() < MIN_OPERATOR_TOKEN_CHARS {
        anyhow::bail!(
            "the operator token has {} characters; it needs at least {MIN_OPERATOR_TOKEN_CHARS} \
             (e.g. `openssl rand -hex 24`), or leave DANBAO_OPERATOR_TOKEN unset to have one \
             generated into <db>.operator-token",
            token.chars().count()
        );
    }
    if let Some(bad) = token.chars().find(|c| !c.is_ascii_graphic()) {
        anyhow::bail!(
            "the operator token holds {bad:?}; use only printable ASCII without spaces \
             (e.g. `openssl rand -hex 24`)"
        );
    }
    Ok(())
}

/// Refuses a secret file that its group or others can read or write.
#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        anyhow::bail!(
            "{} is readable or writable by its group or others (mode {:o}); it holds a secret: \
             run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Reads a secret file (refused if its group or others may read it), or creates it (mode
/// 0600) with `make`.
fn load_or_create(
    path: &Path,
    make: impl FnOnce() -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            check_private(path)?;
            Ok(bytes)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let bytes = make()?;
            write_private(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(bytes)
        }
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    fn open(dir: &Path, token: Option<&str>) -> anyhow::Result<App<SqliteStore>> {
        let mut config = Config::for_tests(dir.join("danbao.db"));
        config.operator_token = token.map(Into::into);
        AppState::new(SqliteStore::open(&config.db)?, config)
    }

    #[test]
    fn a_short_or_spaced_operator_token_is_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            "",
            "   ",
            "short-token",
            "fifteen-chars!!",
            "operator test token",
        ] {
            let error = open(dir.path(), Some(bad)).err().expect(bad).to_string();
            assert!(error.contains("operator token"), "{bad:?}: {error}");
        }
        assert!(open(dir.path(), Some("operator-test-token")).is_ok());
        assert!(open(dir.path(), Some("sixteen-chars-ok")).is_ok());
    }

    #[test]
    fn configured_keys_replace_the_files_and_malformed_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path().join("danbao.db"));
        config.seal_key = Some("ab".repeat(32).as_str().into());
        let keys = Keys::from_files(&config).unwrap();
        assert_eq!(keys.seal_key, vec![0xab; 32]);
        assert!(!sibling(&config.db, "seal-key").exists(), "no file made");
        for bad in ["ab", "zz".repeat(32).as_str(), "ab".repeat(33).as_str()] {
            config.seal_key = Some(bad.into());
            let error = Keys::from_files(&config).err().unwrap().to_string();
            assert!(error.contains("DANBAO_SEAL_KEY"), "{bad}: {error}");
        }
        config.seal_key = None;
        config.codes_key = Some("not base64!".into());
        let error = Keys::from_files(&config).err().unwrap().to_string();
        assert!(error.contains("DANBAO_CODES_KEY"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn secret_files_others_can_read_are_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // First start: the files are created 0600 (a generated token included).
        let app = open(dir.path(), None).unwrap();
        assert!(app.operator_token.len() >= MIN_OPERATOR_TOKEN_CHARS);
        drop(app);
        for suffix in ["operator-token", "codes-key", "seal-key"] {
            let path = sibling(&dir.path().join("danbao.db"), suffix);
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{suffix}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
            let error = open(dir.path(), None).err().expect(suffix).to_string();
            assert!(
                error.contains(&format!("chmod 600 {}", path.display())),
                "{suffix}: {error}"
            );
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            assert!(open(dir.path(), None).is_ok(), "{suffix} fixed");
        }
    }
}
