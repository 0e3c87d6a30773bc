//! QR payloads.
