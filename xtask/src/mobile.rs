//! The Android and iOS builds. They need platform SDKs that Linux CI does not have, so for
//! now each checks its tooling and names everything missing; the builds themselves arrive
//! with the android/ and ios/ issues (DESIGN.md §8).

use std::env;
use std::path::PathBuf;

use crate::runner::{Failure, StepResult, find_on_path, probe};

/// `cargo xtask android`: needs the Android SDK, the NDK and cargo-ndk.
pub fn android() -> StepResult {
    let mut missing = Vec::new();
    let sdk = env::var_os("ANDROID_HOME")
        .or_else(|| env::var_os("ANDROID_SDK_ROOT"))
        .map(PathBuf::from)
        .filter(|dir| dir.is_dir());
    if sdk.is_none() {
        missing.push(
            "Android SDK: install it (Android Studio or the command-line tools) and set \
             ANDROID_HOME",
        );
    }
    let ndk_in_sdk = sdk.as_ref().is_some_and(|dir| dir.join("ndk").is_dir());
    let ndk = env::var_os("ANDROID_NDK_HOME")
        .map(PathBuf::from)
        .is_some_and(|dir| dir.is_dir());
    if !ndk && !ndk_in_sdk {
        missing.push("Android NDK: `sdkmanager \"ndk;<version>\"` and set ANDROID_NDK_HOME");
    }
    if !probe("cargo", &["ndk", "--version"]) {
        missing.push("cargo-ndk: `cargo install cargo-ndk`");
    }
    if find_on_path("rustup").is_none() {
        missing.push(
            "rustup (for the Android targets aarch64-linux-android, armv7-linux-androideabi, \
             i686-linux-android, x86_64-linux-android)",
        );
    }
    fail_with("android", &missing)
}

/// `cargo xtask ios`: needs macOS with Xcode.
pub fn ios() -> StepResult {
    let mut missing = Vec::new();
    if !cfg!(target_os = "macos") {
        missing.push("macOS: the iOS SDK and xcodebuild exist only there");
    }
    if find_on_path("xcodebuild").is_none() || find_on_path("xcrun").is_none() {
        missing.push("Xcode (xcodebuild, xcrun): install Xcode and run `xcode-select --install`");
    }
    fail_with("ios", &missing)
}

fn fail_with(platform: &str, missing: &[&str]) -> StepResult {
    if missing.is_empty() {
        return Err(Failure(format!(
            "the {platform} build is not written yet: it arrives with the {platform}/ issue; \
             the tooling it needs is present"
        )));
    }
    Err(Failure(format!(
        "cannot build for {platform} on this machine; missing:\n  - {}",
        missing.join("\n  - ")
    )))
}
