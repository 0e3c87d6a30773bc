//! danbao-ffi: the UniFFI surface of the Danbao core.
//!
//! This crate converts and nothing more (bdk-ffi's "wrap only what cannot cross the boundary"):
//! every rule lives in `danbao-domain` or `danbao-client` and is tested there. Each module here
//! mirrors one area of the core and turns its types into records, enums and errors that Kotlin, Swift and Python
//! can hold. Internal errors become the one public [`DanbaoError`] in `error.rs`.

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
pub use scan::{ForeignNetwork, MerchantCode, OrderCode, ReceiveCode, ScanOutcome, Seal, scan};
pub use wallet::kinds::{
    CommandKind, CommandState, Direction, OrderRole, OrderState, OrderStep, OutboxState,
    RequestStatus, StepInput, order_action,
};
pub use wallet::records::{
    ActionInput, ActivityItem, ActivityPage, Amount, BalanceLine, Change, CodeView, CommandOutcome,
    Contact, HomeSnapshot, OrderButton, OrderCreated, OrderSummary, OutboxItem, PayeeScreen,
    PaymentCodeView, Profile, RequestView, ScanKind, ScanScreen,
};
pub use wallet::{
    OrderAction, Wallet, WalletConfig, enrol_merchant, sandbox_top_up, verify_merchant,
};

uniffi::setup_scaffolding!("danbao");
