//! QR payloads.

pub mod danbao;
pub mod emv;
pub mod render;
pub mod scheme;
