//! QR payloads.

pub mod danbao;
