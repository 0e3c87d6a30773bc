//! Generating the foreign bindings from the built danbao-ffi library (UniFFI library mode).
//!
//! The library carries the interface metadata, so generation reads the same `.so` that the
//! tests then load: the Kotlin and the Python can never disagree with the Rust they call.

use std::env::consts::{DLL_PREFIX, DLL_SUFFIX, EXE_SUFFIX};
use std::fs;
use std::path::{Path, PathBuf};

use crate::Workspace;
use crate::runner::{Failure, StepResult, run};

/// Where the JVM-flavour Kotlin goes: compiled by bindings/tests/kotlin/pom.xml.
const KOTLIN_JVM_OUT: &str = "bindings/tests/kotlin/generated";
/// Where danbao.py and a copy of the library go: put on sys.path by the pytest conftest.
const PYTHON_OUT: &str = "bindings/tests/python/generated";

/// The built debug library, e.g. target/debug/libdanbao_ffi.so.
pub fn library_path(ws: &Workspace) -> PathBuf {
    ws.target
        .join("debug")
        .join(format!("{DLL_PREFIX}danbao_ffi{DLL_SUFFIX}"))
}

/// Generates Kotlin (JVM flavour, from bindings/uniffi.toml) and Python from the built
/// library into their test directories, replacing what was there.
///
/// Later issues add the Android flavour (into android/) and Swift (into ios/); they read the
/// same library the same way with a different language and output directory.
pub fn generate(ws: &Workspace) -> StepResult {
    let library = library_path(ws);
    if !library.is_file() {
        return Err(Failure(format!(
            "{} is missing: build it with `cargo build -p danbao-ffi`",
            library.display()
        )));
    }
    let bindgen = ws
        .target
        .join("debug")
        .join(format!("uniffi-bindgen{EXE_SUFFIX}"));

    let kotlin = fresh_dir(&ws.root.join(KOTLIN_JVM_OUT))?;
    generate_language(ws, &bindgen, &library, "kotlin", &kotlin)?;

    let python = fresh_dir(&ws.root.join(PYTHON_OUT))?;
    generate_language(ws, &bindgen, &library, "python", &python)?;
    // The generated danbao.py loads the library from its own directory.
    let beside = python.join(format!("{DLL_PREFIX}danbao_ffi{DLL_SUFFIX}"));
    fs::copy(&library, &beside).map_err(|e| {
        Failure(format!(
            "cannot copy {} to {}: {e}",
            library.display(),
            beside.display()
        ))
    })?;
    Ok(())
}

fn generate_language(
    ws: &Workspace,
    bindgen: &Path,
    library: &Path,
    language: &str,
    out: &Path,
) -> StepResult {
    let bindgen = bindgen.to_string_lossy();
    let library = library.to_string_lossy();
    let out = out.to_string_lossy();
    run(
        &ws.root,
        &bindgen,
        [
            "generate",
            "--library",
            &library,
            "--language",
            language,
            "--out-dir",
            &out,
            // Formatting would need ktlint/yapf; the output is compiled, not read.
            "--no-format",
        ],
    )
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
