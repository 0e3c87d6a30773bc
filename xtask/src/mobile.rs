//! The Android and iOS builds (DESIGN.md §8). Each first checks its tooling and, when
//! something is missing (always on Linux CI for iOS, and wherever the Android SDK is not
//! installed), fails naming every missing piece and how to get it. With the tooling present
//! they build the native libraries in the `release-smaller` profile and generate the
//! bindings into android/ and ios/.

use std::env;
use std::fs;
use std::path::PathBuf;

use crate::Workspace;
use crate::bindings;
use crate::runner::{Failure, StepResult, find_on_path, probe, run};

/// The Android ABIs of the AAR and their Rust targets.
pub const ANDROID_ABIS: [(&str, &str); 4] = [
    ("arm64-v8a", "aarch64-linux-android"),
    ("armeabi-v7a", "armv7-linux-androideabi"),
    ("x86_64", "x86_64-linux-android"),
    ("x86", "i686-linux-android"),
];

/// The iOS targets: devices, and the simulator on Apple silicon and on Intel.
pub const IOS_DEVICE: &str = "aarch64-apple-ios";
/// Simulator targets, merged into one library with lipo.
pub const IOS_SIMULATOR: [&str; 2] = ["aarch64-apple-ios-sim", "x86_64-apple-ios"];

/// The cargo arguments, after `build` or `rustc`, that select the shipped library: danbao-ffi
/// alone, in the `release-smaller` profile (size over speed, LTO, stripped).
const RELEASE_SMALLER_LIB: [&str; 5] =
    ["--profile", "release-smaller", "-p", "danbao-ffi", "--lib"];

/// The lowest Android API level the AAR supports (its minSdk).
const ANDROID_MIN_API: &str = "26";

/// `cargo xtask android`: the four ABIs' libdanbao_ffi.so into the AAR module's jniLibs
/// (cargo-ndk; 16 KB page alignment from .cargo/config.toml), then the Android-flavour Kotlin.
pub fn android(ws: &Workspace) -> StepResult {
    let mut missing = Vec::new();
    let sdk = env::var_os("ANDROID_HOME")
        .or_else(|| env::var_os("ANDROID_SDK_ROOT"))
        .map(PathBuf::from)
        .filter(|dir| dir.is_dir());
    if sdk.is_none() {
        missing.push(
            "Android SDK: install it (Android Studio or the command-line tools) and set \
             ANDROID_HOME"
                .to_owned(),
        );
    }
    let ndk_in_sdk = sdk.as_ref().is_some_and(|dir| dir.join("ndk").is_dir());
    let ndk = env::var_os("ANDROID_NDK_HOME")
        .map(PathBuf::from)
        .is_some_and(|dir| dir.is_dir());
    if !ndk && !ndk_in_sdk {
        missing.push(
            "Android NDK (r27 or later): `sdkmanager \"ndk;27.2.12479018\"` and set \
             ANDROID_NDK_HOME"
                .to_owned(),
        );
    }
    if !probe(&ws.cargo, &["ndk", "--version"]) {
        missing.push("cargo-ndk: `cargo install cargo-ndk`".to_owned());
    }
    missing.extend(missing_rust_targets(ANDROID_ABIS.iter().map(|(_, t)| *t)));
    fail_if_missing("android", &missing)?;

    let jni_libs = ws.root.join("android/danbao/src/main/jniLibs");
    let mut args = vec!["ndk", "--platform", ANDROID_MIN_API];
    for (abi, _) in ANDROID_ABIS {
        args.extend(["-t", abi]);
    }
    let out = jni_libs.to_string_lossy().into_owned();
    args.extend(["-o", &out, "build"]);
    args.extend(RELEASE_SMALLER_LIB);
    ws.cargo(&args)?;
    generate_from_host_build(ws)
}

/// `cargo xtask ios`: static libraries for devices and the simulator (lipo), the Swift
/// bindings, and ios/DanbaoFFI.xcframework.
pub fn ios(ws: &Workspace) -> StepResult {
    let mut missing = Vec::new();
    if !cfg!(target_os = "macos") {
        missing.push("macOS: the iOS SDK and xcodebuild exist only there".to_owned());
    }
    for tool in ["xcodebuild", "xcrun", "lipo"] {
        if find_on_path(tool).is_none() {
            missing.push(format!(
                "{tool} (Xcode): install Xcode and run `xcode-select --install`"
            ));
        }
    }
    let targets = [IOS_DEVICE].into_iter().chain(IOS_SIMULATOR);
    missing.extend(missing_rust_targets(targets.clone()));
    fail_if_missing("ios", &missing)?;

    for target in targets {
        ws.cargo(&ios_static_lib_args(target))?;
    }
    let built = |target: &str| {
        ws.target
            .join(target)
            .join("release-smaller/libdanbao_ffi.a")
    };
    let simulator_dir = ws.target.join("ios-simulator");
    fs::create_dir_all(&simulator_dir)
        .map_err(|e| Failure(format!("cannot create {}: {e}", simulator_dir.display())))?;
    let simulator = simulator_dir.join("libdanbao_ffi.a");
    let mut lipo = vec!["-create".to_owned()];
    lipo.extend(IOS_SIMULATOR.map(|t| built(t).to_string_lossy().into_owned()));
    lipo.extend([
        "-output".to_owned(),
        simulator.to_string_lossy().into_owned(),
    ]);
    run(&ws.root, "lipo", &lipo)?;

    generate_from_host_build(ws)?;
    let xcframework = ws.root.join("ios/DanbaoFFI.xcframework");
    if xcframework.exists() {
        fs::remove_dir_all(&xcframework)
            .map_err(|e| Failure(format!("cannot remove {}: {e}", xcframework.display())))?;
    }
    let headers = bindings::swift_headers(ws).to_string_lossy().into_owned();
    let device = built(IOS_DEVICE).to_string_lossy().into_owned();
    let simulator = simulator.to_string_lossy().into_owned();
    let output = xcframework.to_string_lossy().into_owned();
    run(
        &ws.root,
        "xcodebuild",
        [
            "-create-xcframework",
            "-library",
            &device,
            "-headers",
            &headers,
            "-library",
            &simulator,
            "-headers",
            &headers,
            "-output",
            &output,
        ],
    )
}

/// The cargo arguments that build one iOS target's static library. The crate's manifest
/// lists only `lib` and `cdylib` (a staticlib in every debug build would be a 400 MB archive
/// nobody links), so `cargo rustc` asks for the archive here.
fn ios_static_lib_args(target: &str) -> Vec<&str> {
    let mut args = vec!["rustc"];
    args.extend(RELEASE_SMALLER_LIB);
    args.extend(["--crate-type", "staticlib", "--target", target]);
    args
}

/// The bindings are generated from the host's debug library (the interface metadata is the
/// same on every target; the release-smaller libraries are stripped of it).
fn generate_from_host_build(ws: &Workspace) -> StepResult {
    ws.cargo(&["build", "-p", "danbao-ffi", "--lib", "--bins"])?;
    bindings::generate(ws)
}

/// The Rust targets of `targets` that rustup has not installed, as install instructions.
fn missing_rust_targets<'a>(targets: impl Iterator<Item = &'a str>) -> Vec<String> {
    let Some(installed) = rustup_targets() else {
        return vec!["rustup (to install the cross-compilation targets)".to_owned()];
    };
    targets
        .filter(|target| !installed.iter().any(|have| have == target))
        .map(|target| format!("the Rust target {target}: `rustup target add {target}`"))
        .collect()
}

fn rustup_targets() -> Option<Vec<String>> {
    find_on_path("rustup")?;
    let output = std::process::Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| line.trim().to_owned())
            .collect()
    })
}

fn fail_if_missing(platform: &str, missing: &[String]) -> StepResult {
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure(format!(
        "cannot build for {platform} on this machine; missing:\n  - {}\n(see {platform}/README.md)",
        missing.join("\n  - ")
    )))
}
