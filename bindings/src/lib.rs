//! danbao-ffi: the UniFFI surface of the Danbao core.
//!
//! This crate converts and nothing more (bdk-ffi's "wrap only what cannot cross the boundary"):
//! every rule lives in `danbao-core` and is tested there. Each module here mirrors one area of
//! the core and turns its types into records, enums and errors that Kotlin, Swift and Python
//! can hold. Internal errors become the one public [`DanbaoError`] in `error.rs`.

mod error;
mod meta;
mod money;
mod render;
mod scan;

pub use error::DanbaoError;
pub use meta::version;
pub use money::{
    Currency, Money, currency_from_code, format_money, format_money_with_code, parse_money,
};
pub use render::{
    ErrorCorrection, QrMatrix, RenderOptions, default_render_options, render_qr_matrix,
    render_qr_svg,
};
pub use scan::{ForeignNetwork, MerchantCode, OrderCode, ReceiveCode, ScanOutcome, Seal, scan};

uniffi::setup_scaffolding!("danbao");
