//! danbao-ffi: the UniFFI surface of the Danbao core.
//!
//! This crate converts and nothing more (bdk-ffi's "wrap only what cannot cross the boundary"):
//! every rule lives in `danbao-domain` or `danbao-client` and is tested there. The records and
//! enums of the core cross as they are defined there (their UniFFI derives and scaffolding sit
//! behind the core crates' `ffi` feature, which only this crate enables: one namespace per
//! crate, `danbao_domain`, `danbao_client` and this crate's `danbao`); this crate adds the
//! `Wallet` object, the platform traits, the money and render helpers and the one public
//! [`DanbaoError`] in `error.rs`.

mod error;
mod meta;
mod money;
mod platform;
mod render;
mod scan;
mod wallet;

pub use error::{DanbaoError, PlatformError};
pub use meta::{diagnostics_noop, diagnostics_panic, version};
pub use money::{
    Currency, Money, currency_from_code, format_money, format_money_with_code, parse_money,
};
pub use platform::{
    ChangeListener, KeyStore, LogLevel, LogRecord, Logger, Signer, file_key_store, set_logger,
};
pub use render::{
    ErrorCorrection, QrMatrix, RenderOptions, default_render_options, render_qr_matrix,
    render_qr_svg,
};
pub use scan::scan;
pub use wallet::kinds::{StepInput, order_action};
// The records and enums the FFI answers with are the core's own, re-exported for Rust callers
// (benches, tests) under the names they have there.
pub use danbao_client::store::{CommandState as OutboxState, Contact};
pub use danbao_client::wallet::{
    ActionInput, ActivityItem, ActivityPage, Amount, BalanceLine, Change, CodeView, CommandKind,
    CommandOutcome, DeviceApprovalView, DeviceItem, HomeSnapshot, OrderButton, OrderCreated,
    OrderSummary, OutboxItem, OutcomeState, PayeeScreen, PaymentCodeView, Profile, RequestView,
    ScanKind, ScanScreen, Shipment,
};
pub use danbao_domain::escrow::{OrderState, Party};
pub use danbao_domain::protocol::wire::{Direction, RequestStatus, StepAction};
pub use danbao_domain::qr::ScanOutcome;
pub use danbao_domain::qr::danbao::{MerchantCode, OrderCode, ReceiveCode, Seal};
pub use wallet::{
    OrderAction, Wallet, WalletConfig, enrol_merchant, sandbox_top_up, verify_merchant,
};

uniffi::setup_scaffolding!("danbao");
