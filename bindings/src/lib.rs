//! danbao-ffi: the UniFFI surface of the Danbao core.
uniffi::setup_scaffolding!("danbao");
