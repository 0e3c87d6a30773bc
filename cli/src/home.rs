//! Where the CLI keeps its wallets: one directory per profile under the home directory.
//!
//! ```text
//! $DANBAO_HOME (default ~/.danbao)/
//!   <profile>/            mode 0700
//!     wallet.db           the Wallet facade's local store (secrets sealed under the data key)
//!     keystore.key        the dev SoftwareKeyStore wrapping key (0600): protects nothing against
//!                         someone who can read this directory; phones use the platform keystore
//!     server-url          the server this wallet signed up with
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use danbao_client::secrets::SoftwareKeyStore;
use danbao_client::{Wallet, WalletConfig};

use crate::report::Failure;
use crate::words::word;

/// The file that records which server a profile signed up with.
const SERVER_URL_FILE: &str = "server-url";

/// One profile's directory.
pub struct ProfileDir {
    /// The profile name, as given with `--profile`.
    pub name: String,
    /// `<home>/<name>`.
    pub dir: PathBuf,
    /// The locale its wallet speaks (`--lang`), BCP 47.
    pub locale: String,
}

impl ProfileDir {
    /// The profile `name` under `home` (`None`: `$DANBAO_HOME`, else `~/.danbao`).
    pub fn locate(home: Option<PathBuf>, name: &str) -> Result<Self, Failure> {
        check_profile_name(name)?;
        let home = match home {
            Some(home) => home,
            None => match std::env::var_os("HOME") {
                Some(user_home) if !user_home.is_empty() => Path::new(&user_home).join(".danbao"),
                _ => {
                    return Err(Failure::refused(word("home-unknown", &[])));
                }
            },
        };
        Ok(Self {
            name: name.to_owned(),
            dir: home.join(name),
            locale: "en".to_owned(),
        })
    }

    /// The server URL recorded at sign-up, or a message saying how to sign up.
    pub fn server_url(&self) -> Result<String, Failure> {
        let path = self.dir.join(SERVER_URL_FILE);
        match fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
            Ok(_) => Err(Failure::refused(word(
                "profile-url-empty",
                &[("path", &path.display().to_string())],
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Failure::refused(word(
                "profile-no-wallet",
                &[
                    ("profile", &self.name),
                    ("path", &path.display().to_string()),
                ],
            ))),
            Err(e) => Err(Failure::refused(word(
                "file-unreadable",
                &[
                    ("path", &path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            ))),
        }
    }

    /// Records the server URL after a successful sign-up.
    pub fn save_server_url(&self, url: &str) -> Result<(), Failure> {
        let path = self.dir.join(SERVER_URL_FILE);
        fs::write(&path, format!("{url}\n")).map_err(|e| {
            Failure::refused(word(
                "profile-url-unwritable",
                &[
                    ("path", &path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            ))
        })
    }

    /// Creates the directory (owner-only on Unix) if it does not exist.
    pub fn create(&self) -> Result<(), Failure> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&self.dir).map_err(|e| {
            Failure::refused(word(
                "profile-dir-uncreatable",
                &[
                    ("path", &self.dir.display().to_string()),
                    ("error", &e.to_string()),
                ],
            ))
        })
    }

    /// Opens this profile's wallet against `server_url`.
    pub async fn open(&self, server_url: &str) -> Result<Wallet, Failure> {
        let key_path = self.dir.join("keystore.key");
        let key_store = SoftwareKeyStore::open_or_create_file(&key_path).map_err(|e| {
            Failure::refused(word(
                "keystore-unopenable",
                &[
                    ("path", &key_path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            ))
        })?;
        let config = WalletConfig {
            db_path: self.dir.join("wallet.db"),
            server_url: server_url.to_owned(),
            spki_pins: Vec::new(),
            locale: self.locale.clone(),
            utc_offset_minutes: 0,
            time_zone: crate::words::cli_time_zone(),
        };
        Wallet::open(config, Arc::new(key_store), None)
            .await
            .map_err(|e| Failure::from(e).context(&word("wallet-unopenable", &[])))
    }

    /// Opens the wallet of a profile that has signed up.
    pub async fn open_existing(&self) -> Result<Wallet, Failure> {
        let url = self.server_url()?;
        self.open(&url).await
    }
}

/// Profile names become directory names: keep them plain.
fn check_profile_name(name: &str) -> Result<(), Failure> {
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.starts_with('-');
    if plain {
        Ok(())
    } else {
        Err(Failure::usage(word(
            "profile-name-invalid",
            &[("name", name)],
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names() {
        for good in ["default", "alice", "shop-2", "a_b"] {
            assert!(check_profile_name(good).is_ok(), "{good}");
        }
        for bad in ["", "../x", "a/b", "-x", ".", "é", &"x".repeat(65)] {
            assert!(check_profile_name(bad).is_err(), "{bad}");
        }
        let dir = ProfileDir::locate(Some(PathBuf::from("/tmp/h")), "bob").unwrap();
        assert_eq!(dir.dir, PathBuf::from("/tmp/h/bob"));
    }
}
