//! Facts about the library itself.

/// The version of the Danbao core library these bindings were built from, e.g. "0.1.0".
///
/// A shell shows it on its "about" screen and sends it in bug reports.
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_crate_version() {
        assert_eq!(super::version(), env!("CARGO_PKG_VERSION"));
        assert!(super::version().split('.').count() == 3);
    }
}
