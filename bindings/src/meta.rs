//! Facts about the library itself.

/// The version of the Danbao core library these bindings were built from, e.g. "0.1.0".
///
/// A shell shows it on its "about" screen and sends it in bug reports.
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Does nothing. It exists to measure what one call across the FFI costs from each language
/// (see docs/bindings.md, "Call cost").
#[uniffi::export]
pub fn diagnostics_noop() {}

/// Panics inside the core on purpose, under the same guard as every other call, and so
/// returns `DanbaoError::Internal` carrying `message`. The binding tests use it to prove that
/// a failure inside Rust reaches Kotlin, Swift and Python as an exception, never a crash.
#[uniffi::export]
pub fn diagnostics_panic(message: String) -> Result<(), crate::DanbaoError> {
    crate::error::guard(|| panic!("{message}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_crate_version() {
        assert_eq!(super::version(), env!("CARGO_PKG_VERSION"));
        assert!(super::version().split('.').count() == 3);
    }

    #[test]
    fn the_panic_probe_returns_an_internal_error() {
        let error = super::diagnostics_panic("probe".to_owned()).expect_err("it panics");
        assert_eq!(
            error.to_string(),
            "internal error in the Danbao core: probe"
        );
    }
}
