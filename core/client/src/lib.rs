//! Danbao wallet client: what runs on the phone (DESIGN.md §7), built on the rules of
//! `danbao-domain` (money, codes, payment codes, escrow, request signing).
//!
//! - [`secrets`]: the platform `KeyStore` (wraps the data key) and `Signer` (device P-256 key)
//!   traits, AEAD sealing of sensitive columns, and software implementations for the CLI and
//!   tests.
//! - [`store`]: the local SQLite cache (profile, balances, activity, orders, contacts), the
//!   outbox and the sync cursor, with versioned migrations.
//! - [`transport`]: signed HTTPS requests to the server (rustls on ring), retries, pinning.
//! - [`api`]: typed calls for every server endpoint.
//! - [`i18n`]: the message catalogues (English, Simplified Chinese) and CLDR amounts and times.
//! - [`wallet`]: the `Wallet` facade that shells use, built on these (re-exported here).

pub mod api;
pub mod i18n;
pub mod secrets;
pub mod store;
pub mod transport;
pub mod wallet;

pub use wallet::*;

// The UniFFI scaffolding of this crate's namespace (`danbao_client`): the screen records and
// their enums cross to Kotlin, Swift and Python as they are defined here; only with the `ffi`
// feature (the bindings crate).
#[cfg(feature = "ffi")]
uniffi::setup_scaffolding!();
