//! The workspace's own `uniffi-bindgen`, pinned to the same UniFFI as the library.
fn main() {
    uniffi::uniffi_bindgen_main()
}
