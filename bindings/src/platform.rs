//! The platform services a shell provides, as foreign traits (DESIGN.md §8): the key store
//! that wraps the database's data key, the device signer, the change listener and the logger.
//!
//! Each trait is implemented in Kotlin (Android Keystore), Swift (Secure Enclave, Keychain) or
//! Python, and handed to the core as an `Arc<dyn …>`. The adapters here turn them into the
//! core's own traits (`danbao_client::secrets`), so the core never sees an FFI type, and
//! they keep a misbehaving platform implementation from taking the core down: a thrown
//! exception becomes an error; a panic is caught.

use std::cell::Cell;
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

use danbao_client::secrets::{self as core, SecretError, SoftwareKeyStore};
use danbao_client::wallet as core_wallet;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

use crate::error::{DanbaoError, PlatformError, catch_unwind_message, guard};
use danbao_client::wallet::Change;

/// Wraps and unwraps the local database's 32-byte data key with a key that never leaves the
/// platform's key store (Android Keystore, iOS Keychain/Secure Enclave). The wrapped bytes are
/// stored in the database; the plain key lives only in memory.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// Encrypts `plaintext_key` (32 bytes) and returns the wrapped form to store.
    fn wrap(&self, plaintext_key: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
    /// Decrypts what `wrap` returned, giving back the 32 bytes.
    fn unwrap(&self, wrapped_key: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
}

/// The device's P-256 key: signs every request to the server. On a phone the private key is
/// created in and never leaves the Secure Enclave / StrongBox.
#[uniffi::export(with_foreign)]
pub trait Signer: Send + Sync {
    /// The public key, uncompressed SEC1 (65 bytes, starting with 0x04). Read once when the
    /// wallet opens.
    fn public_key(&self) -> Result<Vec<u8>, PlatformError>;
    /// An ECDSA P-256 signature over SHA-256 of `message`, DER-encoded (what Android's
    /// `SHA256withECDSA` and iOS's `ecdsaSignatureMessageX962SHA256` produce).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, PlatformError>;
}

/// Told what changed, so the shell re-renders it. Called on a core thread: post to the UI
/// thread and return quickly. An exception it throws is logged and ignored (the change is
/// already stored).
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    /// One area changed.
    fn on_change(&self, change: Change) -> Result<(), PlatformError>;
}

/// Receives the core's log lines (Logcat, os_log, Python logging), on core threads. The core
/// never logs keys, codes' secrets or signatures. An exception it throws is dropped.
#[uniffi::export(with_foreign)]
pub trait Logger: Send + Sync {
    /// One log line.
    fn log(&self, record: LogRecord) -> Result<(), PlatformError>;
}

/// How serious a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something unexpected that the core handled.
    Warn,
    /// A notable step (a command queued, a sync applied).
    Info,
    /// Detail for debugging.
    Debug,
    /// Everything, including each request.
    Trace,
}

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    /// Its level.
    pub level: LogLevel,
    /// Where in the core it comes from, e.g. `danbao_client::wallet`.
    pub target: String,
    /// The message, followed by its fields as `name=value`.
    pub message: String,
}

/// A key store for desktop, tests and tools: the wrapping key is a file (created with mode
/// 0600 if missing) next to the database. A phone uses its platform key store instead.
#[uniffi::export]
pub fn file_key_store(path: String) -> Result<Arc<dyn KeyStore>, DanbaoError> {
    guard(|| {
        let store =
            SoftwareKeyStore::open_or_create_file(&path).map_err(|e| DanbaoError::Secrets {
                reason: e.to_string(),
            })?;
        Ok(Arc::new(FileKeyStore(store)) as Arc<dyn KeyStore>)
    })
}

struct FileKeyStore(SoftwareKeyStore);

impl KeyStore for FileKeyStore {
    fn wrap(&self, plaintext_key: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        core::KeyStore::wrap(&self.0, &plaintext_key).map_err(|e| PlatformError::Failed {
            reason: e.to_string(),
        })
    }

    fn unwrap(&self, wrapped_key: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        core::KeyStore::unwrap(&self.0, &wrapped_key).map_err(|e| PlatformError::Failed {
            reason: e.to_string(),
        })
    }
}

/// Calls platform code; a panic on the way (a foreign exception UniFFI could not map) becomes
/// [`PlatformError::Unexpected`] like any other unexpected failure.
fn call_platform<T>(call: impl FnOnce() -> Result<T, PlatformError>) -> Result<T, PlatformError> {
    catch_unwind_message(call).unwrap_or_else(|what| {
        Err(PlatformError::Unexpected {
            reason: format!("the platform callback panicked: {what}"),
        })
    })
}

/// A platform [`KeyStore`] as the core's key store.
pub(crate) struct KeyStoreAdapter(pub Arc<dyn KeyStore>);

impl core::KeyStore for KeyStoreAdapter {
    fn wrap(&self, plaintext_key: &[u8]) -> Result<Vec<u8>, SecretError> {
        let key = plaintext_key.to_vec();
        call_platform(|| self.0.wrap(key)).map_err(|e| SecretError::Wrap {
            reason: e.to_string(),
        })
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, SecretError> {
        let wrapped = wrapped.to_vec();
        call_platform(|| self.0.unwrap(wrapped)).map_err(|e| SecretError::Unwrap {
            reason: e.to_string(),
        })
    }
}

/// A platform [`Signer`] as the core's signer, with the public key read once.
pub(crate) struct SignerAdapter {
    signer: Arc<dyn Signer>,
    public_key: Vec<u8>,
}

impl SignerAdapter {
    /// Reads the public key and checks its form, so a broken signer fails at open with a
    /// clear message rather than at the first request.
    pub(crate) fn new(signer: Arc<dyn Signer>) -> Result<Self, DanbaoError> {
        let public_key =
            call_platform(|| signer.public_key()).map_err(|e| DanbaoError::Secrets {
                reason: format!("the device signer could not give its public key: {e}"),
            })?;
        if public_key.len() != 65 || public_key[0] != 0x04 {
            return Err(DanbaoError::Secrets {
                reason: format!(
                    "the device signer's public key is {} bytes starting with {:#04x}; it must \
                     be an uncompressed SEC1 P-256 point (65 bytes starting with 0x04)",
                    public_key.len(),
                    public_key.first().copied().unwrap_or(0)
                ),
            });
        }
        Ok(Self { signer, public_key })
    }
}

impl core::Signer for SignerAdapter {
    fn public_key(&self) -> Vec<u8> {
        self.public_key.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SecretError> {
        let message = message.to_vec();
        call_platform(|| self.signer.sign(message)).map_err(|e| SecretError::Sign {
            reason: e.to_string(),
        })
    }
}

/// A platform [`ChangeListener`] as the core's listener.
pub(crate) struct ListenerAdapter(pub Arc<dyn ChangeListener>);

impl core_wallet::ChangeListener for ListenerAdapter {
    fn on_change(&self, change: core_wallet::Change) {
        if let Err(error) = call_platform(|| self.0.on_change(change)) {
            tracing::warn!(%error, "the change listener failed; the change is still applied");
        }
    }
}

// ---- logging ---------------------------------------------------------------------------

/// The logger in force and its level; `None` until `set_logger`.
static LOGGER: RwLock<Option<(Arc<dyn Logger>, LogLevel)>> = RwLock::new(None);
/// Whether the forwarding subscriber was installed (once per process), or why not.
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

/// Sends the core's log lines at `max_level` and above to `logger` (replacing any earlier
/// one), or stops logging with `null`. The first call installs the process's `tracing`
/// subscriber; it fails if the host process already installed another one.
#[uniffi::export]
pub fn set_logger(logger: Option<Arc<dyn Logger>>, max_level: LogLevel) -> Result<(), DanbaoError> {
    guard(|| {
        let installed = INSTALLED.get_or_init(|| {
            let subscriber = tracing_subscriber::registry().with(ForwardLayer);
            tracing::subscriber::set_global_default(subscriber).map_err(|e| e.to_string())
        });
        if let Err(reason) = installed {
            return Err(DanbaoError::NotReady {
                reason: format!(
                    "the core's logs cannot be forwarded: this process already has a tracing \
                     subscriber ({reason})"
                ),
            });
        }
        *LOGGER.write().unwrap_or_else(|p| p.into_inner()) =
            logger.map(|logger| (logger, max_level));
        Ok(())
    })
}

fn level_of(level: &tracing::Level) -> LogLevel {
    match *level {
        tracing::Level::ERROR => LogLevel::Error,
        tracing::Level::WARN => LogLevel::Warn,
        tracing::Level::INFO => LogLevel::Info,
        tracing::Level::DEBUG => LogLevel::Debug,
        _ => LogLevel::Trace,
    }
}

/// Forwards each event to the logger in force.
struct ForwardLayer;

thread_local! {
    /// Set while this thread is inside the Logger: an event raised by the Logger's own call
    /// (say it calls back into the wallet) is dropped instead of re-entering it.
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ForwardLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _context: Context<'_, S>) {
        if FORWARDING.with(|busy| busy.replace(true)) {
            return;
        }
        self.forward(event);
        FORWARDING.with(|busy| busy.set(false));
    }
}

impl ForwardLayer {
    fn forward(&self, event: &tracing::Event<'_>) {
        let metadata = event.metadata();
        let level = level_of(metadata.level());
        let logger = match &*LOGGER.read().unwrap_or_else(|p| p.into_inner()) {
            Some((logger, max)) if level <= *max => Arc::clone(logger),
            _ => return,
        };
        let mut line = LineVisitor::default();
        event.record(&mut line);
        let record = LogRecord {
            level,
            target: metadata.target().to_owned(),
            message: line.finish(),
        };
        // A throwing logger must not take the core down; there is nowhere left to report it.
        let _ = call_platform(|| logger.log(record));
    }
}

/// Collects an event's message and fields into one line.
#[derive(Default)]
struct LineVisitor {
    message: String,
    fields: Vec<String>,
}

impl LineVisitor {
    fn finish(self) -> String {
        let mut line = self.message;
        for field in self.fields {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&field);
        }
        line
    }
}

impl Visit for LineVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields.push(format!("{}={value}", field.name()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.fields.push(format!("{}={value:?}", field.name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Broken;

    impl Signer for Broken {
        fn public_key(&self) -> Result<Vec<u8>, PlatformError> {
            Ok(vec![0x02; 33])
        }

        fn sign(&self, _message: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
            panic!("the platform signer blew up")
        }
    }

    struct Panicky;

    impl Signer for Panicky {
        fn public_key(&self) -> Result<Vec<u8>, PlatformError> {
            let mut key = vec![0x04];
            key.extend([7; 64]);
            Ok(key)
        }

        fn sign(&self, _message: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
            panic!("the platform signer blew up")
        }
    }

    #[test]
    fn a_compressed_public_key_is_refused_at_open() {
        let Err(DanbaoError::Secrets { reason }) = SignerAdapter::new(Arc::new(Broken)) else {
            panic!("a 33-byte key must be refused");
        };
        assert!(reason.contains("33 bytes starting with 0x02"), "{reason}");
    }

    #[test]
    fn a_panicking_signer_becomes_a_sign_error() {
        let adapter = SignerAdapter::new(Arc::new(Panicky)).expect("a well-formed key");
        let error = core::Signer::sign(&adapter, b"m").expect_err("the signer panicked");
        assert!(
            matches!(&error, SecretError::Sign { reason } if reason.contains("blew up")),
            "{error:?}"
        );
    }

    /// Logs from inside its own `log` (as a Logger that calls back into the wallet would),
    /// and panics when told to.
    struct Reentrant {
        heard: std::sync::Mutex<Vec<String>>,
        panic: std::sync::atomic::AtomicBool,
    }

    impl Logger for Reentrant {
        fn log(&self, record: LogRecord) -> Result<(), PlatformError> {
            // Tests run in parallel and share the logger: hear only this test's lines.
            let ours = record.target == "reentrancy_probe"
                || (record.target == "danbao_ffi" && record.message.ends_with("core probe"));
            if !ours {
                return Ok(());
            }
            self.heard
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(record.message);
            tracing::error!(target: "reentrancy_probe", "from inside the logger");
            if self.panic.load(std::sync::atomic::Ordering::SeqCst) {
                panic!("the logger blew up");
            }
            Ok(())
        }
    }

    /// The one test that sets the process's logger (tests share it).
    #[test]
    fn a_logger_that_logs_or_panics_inside_log_is_not_reentered() {
        let logger = Arc::new(Reentrant {
            heard: std::sync::Mutex::new(Vec::new()),
            panic: std::sync::atomic::AtomicBool::new(false),
        });
        set_logger(Some(logger.clone()), LogLevel::Debug).expect("the forwarding subscriber");
        tracing::error!(target: "reentrancy_probe", "outer");
        // A panicking Logger, then a core panic that is logged: each heard once, no recursion.
        logger
            .panic
            .store(true, std::sync::atomic::Ordering::SeqCst);
        tracing::error!(target: "reentrancy_probe", "before the panic");
        let outcome = guard(|| -> Result<(), DanbaoError> { panic!("core probe") });
        set_logger(None, LogLevel::Error).expect("stop logging");
        assert!(
            matches!(outcome, Err(DanbaoError::Internal { .. })),
            "{outcome:?}"
        );
        let heard = logger
            .heard
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        assert_eq!(
            heard,
            [
                "outer",
                "before the panic",
                "internal error in the Danbao core: core probe"
            ]
        );
    }

    #[test]
    fn fields_follow_the_message() {
        let mut line = LineVisitor {
            message: "queued".to_owned(),
            ..LineVisitor::default()
        };
        line.fields.push("kind=send".to_owned());
        assert_eq!(line.finish(), "queued kind=send");
    }
}
