//! Payment codes.
