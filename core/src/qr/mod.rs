//! QR payloads.

pub mod danbao;
pub mod emv;
pub mod scheme;
