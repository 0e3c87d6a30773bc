//! `cargo xtask`: the project's tasks, in Rust so they run wherever cargo does.
//!
//! - `test`: everything CI checks — fmt, clippy, the Rust tests, then the generated Kotlin
//!   bindings under JUnit 5 on the JVM (Maven) and the Python bindings under pytest.
//! - `bindings`: build danbao-ffi and generate the foreign bindings from the built library.
//! - `bench`: criterion benchmarks of the core (`bench` or `bench core`), or the server load
//!   benchmark (`bench server`: danbao-loadgen against the release server on SQLite).
//! - `android`, `ios`: the mobile builds; they need SDKs this machine may not have and say which.

mod bindings;
mod mobile;
mod runner;

use std::env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use runner::{Failure, Step, missing_tool, probe, require_tool, run, run_task};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test       fmt check, clippy -D warnings, cargo test --workspace, then the Kotlin (JVM, Maven)
             and Python (pytest) binding tests against the built libdanbao_ffi
  bindings   build danbao-ffi and generate its bindings: Kotlin (JVM flavour) into
             bindings/tests/kotlin/generated, Python into bindings/tests/python/generated
  bench [core] [ARGS]
             cargo bench -p danbao-core (extra arguments go to cargo bench)
  bench server [ARGS]
             build danbao-server and the danbao-loadgen example in release, then run the
             load benchmark: P2P transfers and escrow cycles against a fresh SQLite server;
             prints transfers/s, p50/p99 latency and CPU per transfer (ARGS go to
             danbao-loadgen; defaults --clients 256 --secs 10; --help lists them)
  android    build the Android library (needs the Android SDK, NDK and cargo-ndk)
  ios        build the iOS xcframework (needs macOS with Xcode)
  help       this text";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let workspace = Workspace::locate();
    let passed = match command.as_str() {
        "test" => test(&workspace),
        "bindings" => run_task(
            "bindings",
            bindings_steps(&workspace, FfiBuild::PackageOnly),
        ),
        "bench" => match rest.first().map(String::as_str) {
            Some("server") => run_task("bench server", bench_server_steps(&workspace, &rest[1..])),
            Some("core") => run_task("bench", vec![bench_step(&workspace, &rest[1..])]),
            _ => run_task("bench", vec![bench_step(&workspace, rest)]),
        },
        "android" => run_task("android", vec![Step::new("android", mobile::android)]),
        "ios" => run_task("ios", vec![Step::new("ios", mobile::ios)]),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            true
        }
        other => {
            eprintln!("xtask: unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Where things are in the workspace.
pub struct Workspace {
    /// The workspace root (where the top Cargo.toml is).
    root: PathBuf,
    /// Cargo's target directory (`CARGO_TARGET_DIR` or `<root>/target`).
    target: PathBuf,
    /// The cargo that ran us (cargo sets `CARGO`), so nested builds use the same toolchain.
    cargo: String,
}

impl Workspace {
    fn locate() -> Self {
        // xtask/ sits directly under the workspace root.
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = manifest.parent().unwrap_or(manifest).to_path_buf();
        let target = env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|dir| {
                if dir.is_absolute() {
                    dir
                } else {
                    root.join(dir)
                }
            })
            .unwrap_or_else(|| root.join("target"));
        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        Self {
            root,
            target,
            cargo,
        }
    }

    fn cargo(&self, args: &[&str]) -> Result<(), Failure> {
        run(&self.root, &self.cargo, args)
    }
}

fn test(ws: &Workspace) -> bool {
    let mut steps = vec![
        Step::new("fmt", || {
            if !probe(&ws.cargo, &["fmt", "--version"]) {
                return Err(missing_tool("rustfmt", "`rustup component add rustfmt`"));
            }
            ws.cargo(&["fmt", "--all", "--", "--check"])
                .map_err(|f| Failure(format!("{f}; run `cargo fmt --all` to fix the formatting")))
        }),
        Step::new("clippy", || {
            if !probe(&ws.cargo, &["clippy", "--version"]) {
                return Err(missing_tool("clippy", "`rustup component add clippy`"));
            }
            ws.cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
        }),
        Step::new("cargo test", || ws.cargo(&["test", "--workspace"])),
    ];
    steps.extend(bindings_steps(ws, FfiBuild::LikeCargoTest));
    steps.push(Step::new("kotlin tests (JVM, Maven)", || kotlin_tests(ws)));
    steps.push(Step::new("python tests (pytest)", || python_tests(ws)));
    run_task("test", steps)
}

/// How to build libdanbao_ffi and uniffi-bindgen.
#[derive(Clone, Copy)]
enum FfiBuild {
    /// `cargo build -p danbao-ffi`: the least to build from cold.
    PackageOnly,
    /// `cargo build --workspace --all-targets`: the dependency features `cargo test
    /// --workspace` resolved, so right after it only the final links are redone
    /// (`-p danbao-ffi` alone resolves other features and recompiles some 40 crates).
    LikeCargoTest,
}

fn bindings_steps(ws: &Workspace, build: FfiBuild) -> Vec<Step<'_>> {
    vec![
        Step::new("build danbao-ffi", move || match build {
            FfiBuild::PackageOnly => ws.cargo(&["build", "-p", "danbao-ffi", "--lib", "--bins"]),
            FfiBuild::LikeCargoTest => ws.cargo(&["build", "--workspace", "--all-targets"]),
        }),
        Step::new("generate bindings (Kotlin JVM, Python)", || {
            bindings::generate(ws)
        }),
    ]
}

fn kotlin_tests(ws: &Workspace) -> Result<(), Failure> {
    require_tool(
        "java",
        "`apt-get install openjdk-17-jdk-headless` (any JDK 17+)",
    )?;
    require_tool("mvn", "`apt-get install maven`")?;
    let library = bindings::library_path(ws);
    let define = format!("-Ddanbao.library={}", library.display());
    // -ntp keeps the log readable on a first run that downloads plugins; no -q so that
    // surefire's "Tests run: N, Failures: 0" line shows.
    run(
        &ws.root.join("bindings/tests/kotlin"),
        "mvn",
        ["-B", "-ntp", "test", define.as_str()],
    )
}

fn python_tests(ws: &Workspace) -> Result<(), Failure> {
    require_tool("python3", "`apt-get install python3`")?;
    if !probe("python3", &["-c", "import pytest"]) {
        return Err(missing_tool(
            "pytest",
            "`python3 -m pip install -r bindings/tests/python/requirements.txt`",
        ));
    }
    run(
        &ws.root,
        "python3",
        ["-m", "pytest", "-q", "bindings/tests/python"],
    )
}

fn bench_step<'a>(ws: &'a Workspace, extra: &'a [String]) -> Step<'a> {
    Step::new("cargo bench -p danbao-core", move || {
        let mut args = vec!["bench", "-p", "danbao-core"];
        if !extra.is_empty() {
            args.push("--");
            args.extend(extra.iter().map(String::as_str));
        }
        ws.cargo(&args)
    })
}

/// Load-generator settings used unless the caller passes the same flag.
const LOADGEN_DEFAULTS: [(&str, &str); 2] = [("--clients", "256"), ("--secs", "10")];

/// The loadgen command line: the caller's arguments plus each default the caller did not set.
fn loadgen_args(extra: &[String]) -> Vec<String> {
    let mut args: Vec<String> = extra.to_vec();
    for (flag, value) in LOADGEN_DEFAULTS {
        let given = extra
            .iter()
            .any(|arg| arg == flag || arg.starts_with(&format!("{flag}=")));
        if !given {
            args.push(flag.to_owned());
            args.push(value.to_owned());
        }
    }
    args
}

fn bench_server_steps<'a>(ws: &'a Workspace, extra: &'a [String]) -> Vec<Step<'a>> {
    vec![
        Step::new(
            "build danbao-server and danbao-loadgen (release)",
            move || {
                ws.cargo(&[
                    "build",
                    "--release",
                    "-p",
                    "danbao-server",
                    "--bin",
                    "danbao-server",
                    "--example",
                    "danbao-loadgen",
                ])
            },
        ),
        Step::new("danbao-loadgen", move || {
            // The loadgen starts target/release/danbao-server (next to its examples/ directory)
            // on a fresh SQLite file in a temp directory, unless ARGS hold --url or --server-bin.
            let loadgen = ws.target.join("release/examples/danbao-loadgen");
            run(
                &ws.root,
                &loadgen.display().to_string(),
                loadgen_args(extra),
            )
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn loadgen_defaults_fill_in_what_the_caller_left_out() {
        assert_eq!(
            loadgen_args(&[]),
            strings(&["--clients", "256", "--secs", "10"])
        );
        assert_eq!(
            loadgen_args(&strings(&["--secs", "3", "--no-escrow"])),
            strings(&["--secs", "3", "--no-escrow", "--clients", "256"])
        );
        assert_eq!(
            loadgen_args(&strings(&["--clients=64", "--secs=2"])),
            strings(&["--clients=64", "--secs=2"])
        );
    }
}
