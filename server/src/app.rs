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

    /// Moves the clock forward (sandbox only).
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }
}

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
    pub device_keys: RwLock<HashMap<i64, (i64, Vec<u8>)>>,
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

impl<S: Store> AppState<S> {
    /// Builds the state, loading or creating the key files beside the database.
    pub fn new(store: S, config: Config) -> anyhow::Result<App<S>> {
        let rng = SystemRandom::new();
        let operator_token = match &config.operator_token {
            Some(token) => token.clone(),
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
        let operator_token = operator_token.trim().to_owned();
        check_operator_token(&operator_token)?;
        let pkcs8 = load_or_create(&sibling(&config.db, "codes-key"), || {
            DanbaoSigner::generate_pkcs8(&rng).map_err(|e| anyhow::anyhow!("{e}"))
        })?;
        let probe =
            DanbaoSigner::from_pkcs8("probe", &pkcs8).map_err(|e| anyhow::anyhow!("{e}"))?;
        let code_public_key = probe.public_key();
        let code_signer = DanbaoSigner::from_pkcs8(&fingerprint_key_id(&code_public_key), &pkcs8)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let seal = load_or_create(&sibling(&config.db, "seal-key"), || {
            let mut key = vec![0u8; 32];
            rng.fill(&mut key)
                .map_err(|_| anyhow::anyhow!("no randomness"))?;
            Ok(key)
        })?;
        let seal_key: [u8; 32] = seal
            .try_into()
            .map_err(|_| anyhow::anyhow!("seal key file must hold 32 bytes"))?;
        let rate_limiter = RateLimiter::new(Limits {
            per_account: config.rate_limit,
            per_address: config.rate_limit_address,
            sign_ups: config.sign_up_limit,
        });
        Ok(Arc::new(Self {
            store,
            config,
            clock: Clock::default(),
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
        config.operator_token = token.map(str::to_owned);
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
