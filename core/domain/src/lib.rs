//! Danbao domain: the rules shared by the wallet client (`danbao-client`), the reference server
//! and the CLI. Pure code — no database, network or async runtime — so the server links this crate
//! and nothing of the phone client.
//!
//! - [`money`]: ISO 4217 currencies and integer minor-unit amounts, parsed and formatted exactly.
//! - [`qr`]: everything a camera can hand the wallet — the EMV Merchant-Presented Mode codec,
//!   the scheme registry, signed Danbao codes, QR rendering and the single [`qr::scan`] entry point.
//! - [`escrow`]: the escrow order machine (DESIGN.md §4) as a pure function of order, event, time.
//! - [`ledger`]: the TigerBeetle-style double-entry ledger state machine and its invariants.
//! - [`paycode`]: the consumer-presented 18-digit payment code (TOTP, RFC 6238).
//! - [`protocol`]: the request-signing message shared by the wallet client and the server, and
//!   the protocol's limits ([`protocol::limits`]).
//! - [`text`]: what a typed name, memo or note may hold (no hidden characters) and the TR39
//!   skeleton that finds look-alike names.
//! - [`fees`]: the platform fee on what a seller receives, exact in minor units.
//! - [`webhook`]: Standard Webhooks signatures of merchant event deliveries.

pub mod escrow;
pub mod fees;
#[cfg(feature = "ffi")]
mod ffi;
pub mod ledger;
pub mod money;
pub mod paycode;
pub mod protocol;
pub mod qr;
pub mod text;
pub mod webhook;

// The UniFFI scaffolding of this crate's namespace (`danbao_domain`), at the crate root where
// the derives find it; only with the `ffi` feature (the bindings crate).
#[cfg(feature = "ffi")]
uniffi::setup_scaffolding!();
