//! Generating the foreign bindings from the built danbao-ffi library (UniFFI library mode).
//!
//! The library carries the interface metadata, so generation reads the same `.so` that the
//! tests then load: the Kotlin, Python and Swift can never disagree with the Rust they call.
//! The mobile builds generate from the host's debug library too: the metadata is the same on
//! every target, and their release libraries are stripped of it.

use std::env::consts::{DLL_PREFIX, DLL_SUFFIX, EXE_SUFFIX};
use std::fs;
use std::path::{Path, PathBuf};

use crate::Workspace;
use crate::runner::{Failure, StepResult, run};

/// Where the JVM-flavour Kotlin goes: compiled by bindings/tests/kotlin/pom.xml.
const KOTLIN_JVM_OUT: &str = "bindings/tests/kotlin/generated";
/// Where danbao.py and a copy of the library go: put on sys.path by the pytest conftest.
const PYTHON_OUT: &str = "bindings/tests/python/generated";
/// Where the Android-flavour Kotlin goes: the source set of the AAR module.
const KOTLIN_ANDROID_OUT: &str = "android/danbao/src/main/kotlin";
/// The UniFFI configuration of the Android flavour (bindings/uniffi.toml plus `android`).
const ANDROID_CONFIG: &str = "bindings/uniffi-android.toml";
/// Where the Swift goes: the `Danbao` target of ios/Package.swift.
const SWIFT_OUT: &str = "ios/Sources/Danbao/Generated";
/// Where the C headers and module map of `danbaoFFI` go (target-relative): the `-headers` of
/// the xcframework.
const SWIFT_HEADERS: &str = "uniffi-swift/include";

/// The UniFFI namespaces in the library, one per crate with UniFFI derives: the bindings'
/// own (`danbao`: the `Wallet` object, platform traits, money, render, errors) and the core
/// crates', built with their `ffi` feature (`danbao_domain`: the scan outcome, codes and the
/// domain's enums; `danbao_client`: the screen records). Library mode writes one file per
/// namespace and language: Kotlin `app/danbao/core/{,domain/,client/}<namespace>.kt` (the
/// packages set in each crate's uniffi.toml), Python `<namespace>.py`, Swift
/// `<namespace>.swift` with its C header `<namespace>FFI.h`.
pub const NAMESPACES: [&str; 3] = ["danbao", "danbao_domain", "danbao_client"];

/// The generated Kotlin files, relative to a source root, for each namespace.
const KOTLIN_FILES: [&str; 3] = [
    "app/danbao/core/danbao.kt",
    "app/danbao/core/domain/danbao_domain.kt",
    "app/danbao/core/client/danbao_client.kt",
];

/// The C header of a namespace, as `ffi_module_filename` names it (all three are the one C
/// module `danbaoFFI`).
pub fn swift_header(namespace: &str) -> String {
    if namespace == "danbao" {
        "danbaoFFI.h".to_owned()
    } else {
        format!("{namespace}FFI.h")
    }
}

/// The built debug library, e.g. target/debug/libdanbao_ffi.so.
pub fn library_path(ws: &Workspace) -> PathBuf {
    ws.target
        .join("debug")
        .join(format!("{DLL_PREFIX}danbao_ffi{DLL_SUFFIX}"))
}

/// Generates every binding from the built library, replacing what was there:
/// - Kotlin, JVM flavour (bindings/uniffi.toml), for the JVM tests;
/// - Python, with a copy of the library beside it, for pytest;
/// - Kotlin, Android flavour (bindings/uniffi-android.toml), into the AAR module;
/// - Swift into the iOS package, its C header and module map into `target/uniffi-swift`.
///
/// The generators are plain Rust, so all four are written on any host; only compiling the
/// Android and iOS ones needs their SDKs.
pub fn generate(ws: &Workspace) -> StepResult {
    let library = library_path(ws);
    if !library.is_file() {
        return Err(Failure(format!(
            "{} is missing: build it with `cargo build -p danbao-ffi`",
            library.display()
        )));
    }
    let bindgen = Bindgen {
        ws,
        program: ws
            .target
            .join("debug")
            .join(format!("uniffi-bindgen{EXE_SUFFIX}")),
        library: library.clone(),
    };

    let kotlin = fresh_dir(&ws.root.join(KOTLIN_JVM_OUT))?;
    bindgen.generate("kotlin", &kotlin, None)?;

    let python = fresh_dir(&ws.root.join(PYTHON_OUT))?;
    bindgen.generate("python", &python, None)?;
    // The generated danbao.py loads the library from its own directory.
    copy(
        &library,
        &python.join(format!("{DLL_PREFIX}danbao_ffi{DLL_SUFFIX}")),
    )?;

    // The Android source set also holds hand-written Kotlin: replace only the generated files.
    let android = ws.root.join(KOTLIN_ANDROID_OUT);
    for file in KOTLIN_FILES {
        let android_file = android.join(file);
        if android_file.exists() {
            fs::remove_file(&android_file)
                .map_err(|e| Failure(format!("cannot remove {}: {e}", android_file.display())))?;
        }
    }
    bindgen.generate("kotlin", &android, Some(&ws.root.join(ANDROID_CONFIG)))?;

    let swift_tmp = fresh_dir(&ws.target.join("uniffi-swift/generated"))?;
    bindgen.generate("swift", &swift_tmp, None)?;
    let swift = fresh_dir(&ws.root.join(SWIFT_OUT))?;
    let headers = fresh_dir(&swift_headers(ws))?;
    for namespace in NAMESPACES {
        let source = format!("{namespace}.swift");
        copy(&swift_tmp.join(&source), &swift.join(&source))?;
        let header = swift_header(namespace);
        copy(&swift_tmp.join(&header), &headers.join(&header))?;
    }
    // An xcframework's headers directory carries the module map under its standard name: the
    // bindings' (with Darwin's modules) naming every namespace's header.
    let module_map = swift_tmp.join("danbaoFFI.modulemap");
    let text = fs::read_to_string(&module_map)
        .map_err(|e| Failure(format!("cannot read {}: {e}", module_map.display())))?;
    let written = headers.join("module.modulemap");
    fs::write(&written, all_headers(&text)?)
        .map_err(|e| Failure(format!("cannot write {}: {e}", written.display())))?;
    Ok(())
}

/// The generated module map of `danbaoFFI` (which names only the bindings' header) naming
/// the header of every namespace.
fn all_headers(module_map: &str) -> Result<String, Failure> {
    let own = format!("header \"{}\"", swift_header("danbao"));
    if !module_map.contains(&own) {
        return Err(Failure(format!(
            "the generated danbaoFFI.modulemap does not name {own}: UniFFI changed its layout"
        )));
    }
    let every: Vec<String> = NAMESPACES
        .iter()
        .map(|namespace| format!("header \"{}\"", swift_header(namespace)))
        .collect();
    Ok(module_map.replacen(&own, &every.join("\n    "), 1))
}

/// The headers directory of the `danbaoFFI` C module (header + module.modulemap).
pub fn swift_headers(ws: &Workspace) -> PathBuf {
    ws.target.join(SWIFT_HEADERS)
}

/// uniffi-bindgen in library mode over one built library.
struct Bindgen<'a> {
    ws: &'a Workspace,
    program: PathBuf,
    library: PathBuf,
}

impl Bindgen<'_> {
    fn generate(&self, language: &str, out: &Path, config: Option<&Path>) -> StepResult {
        generate_language(self.ws, &self.program, &self.library, language, out, config)
    }
}

fn copy(from: &Path, to: &Path) -> StepResult {
    fs::copy(from, to).map(|_| ()).map_err(|e| {
        Failure(format!(
            "cannot copy {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })
}

fn generate_language(
    ws: &Workspace,
    bindgen: &Path,
    library: &Path,
    language: &str,
    out: &Path,
    config: Option<&Path>,
) -> StepResult {
    let bindgen = bindgen.to_string_lossy();
    let mut args: Vec<String> = [
        "generate",
        "--library",
        &library.to_string_lossy(),
        "--language",
        language,
        "--out-dir",
        &out.to_string_lossy(),
        // Formatting would need ktlint/swiftformat/yapf; the output is compiled, not read.
        "--no-format",
    ]
    .iter()
    .map(|arg| (*arg).to_owned())
    .collect();
    if let Some(config) = config {
        args.push("--config".to_owned());
        args.push(config.to_string_lossy().into_owned());
    }
    run(&ws.root, &bindgen, &args)
}

/// Empties (or creates) a generated directory so that no stale file survives a rename.
fn fresh_dir(dir: &Path) -> Result<PathBuf, Failure> {
    if dir.exists() {
        fs::remove_dir_all(dir)
            .map_err(|e| Failure(format!("cannot clear {}: {e}", dir.display())))?;
    }
    fs::create_dir_all(dir)
        .map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir.to_path_buf())
}
