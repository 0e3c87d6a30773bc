//! `cargo xtask`: the project's tasks, in Rust so they run wherever cargo does.
//!
//! - `test`: everything CI checks — fmt, clippy, the Rust tests, the server's tests a second
//!   time on a private PostgreSQL ([`postgres::PrivatePostgres`]), then the generated Kotlin
//!   bindings under JUnit 5 on the JVM (Maven), the Python bindings under pytest and the Swift
//!   package under XCTest on Linux, and the Android app's Compose screens rendered and clicked
//!   on the JVM (Compose Multiplatform desktop, Maven); it closes with the counts of every
//!   test runner.
//! - `bindings`: build danbao-ffi and generate the foreign bindings from the built library.
//! - `bench`: criterion benchmarks of danbao-domain and danbao-client (`bench` or `bench core`), the server load
//!   benchmark (`bench server`: danbao-loadgen against the release server on SQLite), or the
//!   cost of an FFI call from Rust and from Kotlin on the JVM (`bench ffi`).
//! - `size`: the stripped size of libdanbao_ffi in the `release-smaller` profile.
//! - `swift`: the Swift package compiled and tested on Linux, in a Debian 13 root with Swift 6.
//! - `android`, `ios`: the mobile builds; they need SDKs this machine may not have and say which.

mod bindings;
mod compose;
mod mobile;
mod postgres;
mod runner;
mod swift;
mod tally;

use std::env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use runner::{
    Failure, Step, StepResult, missing_tool, probe, require_tool, run, run_capturing, run_task,
};
use tally::{Counts, Runner, Tally};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test       fmt check, clippy -D warnings, cargo test --workspace, the server's tests again on a
             private PostgreSQL (initdb in a temp dir as an unprivileged user; needs
             PostgreSQL's server binaries), then the Kotlin (JVM, Maven),
             Python (pytest) and Swift (swift test on Linux, see `swift`) binding tests
             against the built libdanbao_ffi, and the Android screens on the JVM (Compose
             Multiplatform desktop, Maven: screenshots of every screen with a real server into
             target/screenshots/android, UI tests); closes with the test counts of every runner
  swift [ARGS]
             build danbao-ffi and danbao-server, then compile ios/Package.swift with Swift 6
             in a Debian 13 root (made once under /var/cache/danbao, or DANBAO_SWIFT_ROOT;
             needs root and Debian's archive) and run its XCTest suite against them (ARGS go
             to swift test, e.g. --filter EscrowTests; DANBAO_SWIFT_SCRATCH moves its build)
  screens    build danbao-ffi and danbao-server, then only the Android screens on the JVM
             (the test step `android screens (Compose, JVM)`; see android/README.md)
  bindings   build danbao-ffi and generate its bindings: Kotlin (JVM flavour) into
             bindings/tests/kotlin/generated, Python into bindings/tests/python/generated,
             Kotlin (Android flavour) into android/danbao/src/main/kotlin, Swift into
             ios/Sources/Danbao/Generated (its C header and module map into
             target/uniffi-swift/include)
  bench [core] [ARGS]
             cargo bench -p danbao-domain -p danbao-client (extra arguments go to cargo bench)
  bench server [ARGS]
             build danbao-server and the danbao-loadgen example in release, then run the
             load benchmark: P2P transfers and escrow cycles against a fresh SQLite server;
             prints transfers/s, p50/p99 latency and CPU per transfer (ARGS go to
             danbao-loadgen; defaults --clients 256 --secs 10; --help lists them). With
             --database-url URL (an administrative URL such as
             postgres://user@host:5432/postgres, or `private` for a PostgreSQL started here)
             the same load runs on PostgreSQL against one, then two instances, then pgbench
             -b tpcb-like with as many clients, and the ratios are printed; --rounds N
             repeats the three runs N times, interleaved, and prints the median ratios
  bench ffi  the cost of a no-op call and of scan(): criterion from Rust, then the same calls
             from Kotlin on the JVM (Maven) and from Swift on Linux (prints CALLCOST lines)
  size       build libdanbao_ffi in the release-smaller profile and print its stripped size
  android    build the Android libraries for four ABIs into android/danbao/src/main/jniLibs
             and the Android-flavour Kotlin (needs the Android SDK, NDK r27+, cargo-ndk)
  ios        build ios/DanbaoFFI.xcframework and the Swift bindings (needs macOS with Xcode)
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
            Some("ffi") => run_task("bench ffi", bench_ffi_steps(&workspace)),
            Some("core") => run_task("bench", vec![bench_step(&workspace, &rest[1..])]),
            _ => run_task("bench", vec![bench_step(&workspace, rest)]),
        },
        "size" => run_task(
            "size",
            vec![Step::new("release-smaller size", || size(&workspace))],
        ),
        "android" => run_task(
            "android",
            vec![Step::new("android", || mobile::android(&workspace))],
        ),
        "ios" => run_task("ios", vec![Step::new("ios", || mobile::ios(&workspace))]),
        "swift" => swift_only(&workspace, rest),
        "screens" => compose::screens_only(&workspace),
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
    let tally = Tally::default();
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
        Step::new("cargo test", || {
            let (result, output) = run_capturing(&ws.root, &ws.cargo, ["test", "--workspace"], &[]);
            counted(
                &tally,
                Runner::Rust,
                Counts::from_cargo_test(&output),
                result,
            )
        }),
        Step::new("server tests on PostgreSQL", || {
            // The same server suite (HTTP, bank, crash, model tests) a second time, each
            // server on a database of its own in a private PostgreSQL, plus the tests that
            // need PostgreSQL (tests/postgres.rs, tests/instances.rs).
            let postgres = postgres::PrivatePostgres::start(&[])?;
            let url = postgres.url();
            let (result, output) = run_capturing(
                &ws.root,
                &ws.cargo,
                ["test", "-p", "danbao-server"],
                &[("DANBAO_TEST_DATABASE_URL", std::ffi::OsStr::new(&url))],
            );
            drop(postgres);
            counted(
                &tally,
                Runner::Rust,
                Counts::from_cargo_test(&output),
                result,
            )
        }),
    ];
    steps.extend(bindings_steps(ws, FfiBuild::LikeCargoTest));
    steps.push(Step::new("kotlin tests (JVM, Maven)", || {
        kotlin_tests(ws, &tally)
    }));
    steps.push(Step::new("android screens (Compose, JVM)", || {
        compose::test(ws, &tally)
    }));
    steps.push(Step::new("python tests (pytest)", || {
        python_tests(ws, &tally)
    }));
    steps.push(Step::new("swift tests (Swift 6 on Linux, XCTest)", || {
        swift::test(ws, &server_binary(ws)?, &[], &tally)
    }));
    let passed = run_task("test", steps);
    println!("\n{}", tally.summary());
    passed
}

/// Records a runner's counts; a run that exited 0 but printed no count fails, since a runner
/// that ran no test must not pass unseen.
fn counted(
    tally: &Tally,
    runner: Runner,
    counts: Option<Counts>,
    result: StepResult,
) -> StepResult {
    if let Some(counts) = counts {
        tally.add(runner, counts);
    }
    result?;
    match counts {
        Some(counts) if counts.passed > 0 => Ok(()),
        _ => Err(Failure(format!(
            "the {runner} tests printed no passing test count"
        ))),
    }
}

/// `cargo xtask swift`: the library, the server, the bindings, then the Swift tests.
fn swift_only(ws: &Workspace, extra: &[String]) -> bool {
    let tally = Tally::default();
    let mut steps = bindings_steps(ws, FfiBuild::PackageOnly);
    steps.push(Step::new("build danbao-server", || {
        ws.cargo(&["build", "-p", "danbao-server", "--bin", "danbao-server"])
    }));
    steps.push(Step::new("swift tests (Swift 6 on Linux, XCTest)", || {
        swift::test(ws, &server_binary(ws)?, extra, &tally)
    }));
    let passed = run_task("swift", steps);
    println!("\n{}", tally.summary());
    passed
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
        Step::new(
            "generate bindings (Kotlin JVM and Android, Python, Swift)",
            || bindings::generate(ws),
        ),
    ]
}

fn kotlin_tests(ws: &Workspace, tally: &Tally) -> Result<(), Failure> {
    require_tool(
        "java",
        "`apt-get install openjdk-17-jdk-headless` (any JDK 17+)",
    )?;
    require_tool("mvn", "`apt-get install maven`")?;
    let library = format!("-Ddanbao.library={}", bindings::library_path(ws).display());
    let server = format!("-Ddanbao.server={}", server_binary(ws)?.display());
    // -ntp keeps the log readable on a first run that downloads plugins; no -q so that
    // surefire's "Tests run: N, Failures: 0" line shows.
    let (result, output) = run_capturing(
        &ws.root.join("bindings/tests/kotlin"),
        "mvn",
        ["-B", "-ntp", "test", library.as_str(), server.as_str()],
        &[],
    );
    counted(
        tally,
        Runner::Kotlin,
        Counts::from_surefire(&output),
        result,
    )
}

/// The debug danbao-server the binding flow tests start (built by the workspace build).
fn server_binary(ws: &Workspace) -> Result<PathBuf, Failure> {
    let server = ws
        .target
        .join("debug")
        .join(format!("danbao-server{}", env::consts::EXE_SUFFIX));
    if server.is_file() {
        Ok(server)
    } else {
        Err(Failure(format!(
            "{} is missing: the binding flow tests run against it; build it with \
             `cargo build -p danbao-server`",
            server.display()
        )))
    }
}

fn python_tests(ws: &Workspace, tally: &Tally) -> Result<(), Failure> {
    require_tool("python3", "`apt-get install python3`")?;
    if !probe("python3", &["-c", "import pytest"]) {
        return Err(missing_tool(
            "pytest",
            "`python3 -m pip install -r bindings/tests/python/requirements.txt`",
        ));
    }
    let server = server_binary(ws)?;
    let (result, output) = run_capturing(
        &ws.root,
        "python3",
        ["-m", "pytest", "-q", "bindings/tests/python"],
        &[("DANBAO_SERVER_BIN", server.as_os_str())],
    );
    counted(tally, Runner::Python, Counts::from_pytest(&output), result)
}

fn bench_ffi_steps(ws: &Workspace) -> Vec<Step<'_>> {
    let mut steps = vec![Step::new(
        "cargo bench -p danbao-ffi (Rust side)",
        move || ws.cargo(&["bench", "-p", "danbao-ffi", "--bench", "ffi_calls"]),
    )];
    steps.extend(bindings_steps(ws, FfiBuild::PackageOnly));
    steps.push(Step::new(
        "Kotlin side (JVM, Maven, release library)",
        move || {
            require_tool("mvn", "`apt-get install maven`")?;
            // The same optimised code criterion measured, loaded through the generated Kotlin.
            ws.cargo(&["build", "--release", "-p", "danbao-ffi", "--lib"])?;
            let release = ws.target.join("release").join(format!(
                "{}danbao_ffi{}",
                env::consts::DLL_PREFIX,
                env::consts::DLL_SUFFIX
            ));
            let library = format!("-Ddanbao.library={}", release.display());
            run(
                &ws.root.join("bindings/tests/kotlin"),
                "mvn",
                [
                    "-B",
                    "-ntp",
                    "-q",
                    "test",
                    library.as_str(),
                    "-Ddanbao.bench=true",
                    "-Dtest=CallCostTest",
                    "-Dsurefire.failIfNoSpecifiedTests=false",
                ],
            )
        },
    ));
    steps.push(Step::new(
        "Swift side (Swift 6 on Linux, release library)",
        move || {
            // Built by the Kotlin side's step above.
            let release = ws.target.join("release");
            swift::call_cost(ws, &release)
        },
    ));
    steps
}

/// Builds libdanbao_ffi in the release-smaller profile (opt-level z, LTO, one codegen unit,
/// stripped) and prints its size next to the plain release build's.
fn size(ws: &Workspace) -> Result<(), Failure> {
    let name = format!(
        "{}danbao_ffi{}",
        env::consts::DLL_PREFIX,
        env::consts::DLL_SUFFIX
    );
    let mut lines = Vec::new();
    for profile in ["release-smaller", "release"] {
        ws.cargo(&["build", "--profile", profile, "-p", "danbao-ffi", "--lib"])?;
        let library = ws.target.join(profile).join(&name);
        let bytes = std::fs::metadata(&library)
            .map_err(|e| Failure(format!("cannot read {}: {e}", library.display())))?
            .len();
        lines.push(format!(
            "{profile:>16}: {bytes:>10} bytes ({:.2} MiB)  {}",
            bytes as f64 / (1024.0 * 1024.0),
            library.display()
        ));
    }
    println!("\n  {name} for {}:", env::consts::ARCH);
    for line in lines {
        println!("  {line}");
    }
    Ok(())
}

fn bench_step<'a>(ws: &'a Workspace, extra: &'a [String]) -> Step<'a> {
    Step::new("cargo bench -p danbao-domain -p danbao-client", move || {
        let mut args = vec!["bench", "-p", "danbao-domain", "-p", "danbao-client"];
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

/// `--database-url VALUE` taken out of the loadgen's arguments: the PostgreSQL server's
/// administrative URL (`postgres://user@host:port/postgres`), or `private` for one started here.
fn take_database_url(extra: &[String]) -> (Option<String>, Vec<String>) {
    take_option(extra, "--database-url")
}

/// The value of `--NAME VALUE` (or `--NAME=VALUE`) taken out of `extra`, and what is left.
fn take_option(extra: &[String], name: &str) -> (Option<String>, Vec<String>) {
    let mut value = None;
    let mut rest = Vec::new();
    let mut args = extra.iter();
    let with_equals = format!("{name}=");
    while let Some(arg) = args.next() {
        if arg == name {
            value = args.next().cloned();
        } else if let Some(given) = arg.strip_prefix(&with_equals) {
            value = Some(given.to_owned());
        } else {
            rest.push(arg.clone());
        }
    }
    (value, rest)
}

/// `--rounds N` of the PostgreSQL bench (1 when absent).
fn take_rounds(extra: &[String]) -> Result<(usize, Vec<String>), Failure> {
    match take_option(extra, "--rounds") {
        (None, rest) => Ok((1, rest)),
        (Some(value), rest) => match value.parse::<usize>() {
            Ok(rounds) if (1..=20).contains(&rounds) => Ok((rounds, rest)),
            _ => Err(Failure(format!(
                "--rounds must be a whole number from 1 to 20, not {value:?}"
            ))),
        },
    }
}

/// The middle value of `values` (the mean of the two middle ones for an even count).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        len if len % 2 == 1 => values.get(middle).copied(),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

fn bench_server_steps<'a>(ws: &'a Workspace, extra: &'a [String]) -> Vec<Step<'a>> {
    let (database_url, loadgen_extra) = take_database_url(extra);
    let mut steps = vec![Step::new(
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
    )];
    match database_url {
        None => steps.push(Step::new("danbao-loadgen", move || {
            // The loadgen starts target/release/danbao-server (next to its examples/ directory)
            // on a fresh SQLite file in a temp directory, unless ARGS hold --url or --server-bin.
            let loadgen = ws.target.join("release/examples/danbao-loadgen");
            run(
                &ws.root,
                &loadgen.display().to_string(),
                loadgen_args(extra),
            )
        })),
        Some(admin) => steps.push(Step::new(
            "PostgreSQL: danbao-loadgen on one and two instances, then pgbench tpcb-like",
            move || bench_postgres(ws, &admin, &loadgen_extra),
        )),
    }
    steps
}

/// The PostgreSQL bench: the loadgen against one instance, then two, each on a fresh
/// database, then `pgbench -b tpcb-like` (scale 1) with as many clients on the same server;
/// prints the transfers/s of each and their ratio to pgbench's tps. With `--rounds N` the
/// three runs are repeated N times, interleaved (so a change in the machine's load falls on
/// all three), and the median ratios are printed too.
fn bench_postgres(ws: &Workspace, admin: &str, extra: &[String]) -> StepResult {
    let (rounds, extra) = take_rounds(extra)?;
    let extra = &extra[..];
    let private = if admin == "private" {
        Some(postgres::PrivatePostgres::start(&[
            "synchronous_commit=on",
        ])?)
    } else {
        None
    };
    let admin = private
        .as_ref()
        .map_or_else(|| admin.to_owned(), postgres::PrivatePostgres::url);
    let (base, _) = admin.rsplit_once('/').ok_or_else(|| {
        Failure(format!(
            "--database-url {admin:?} must end with /<database>"
        ))
    })?;
    let psql = postgres::tool("psql")?;
    let pgbench = postgres::tool("pgbench")?;
    let args = loadgen_args(extra);
    let clients = args
        .iter()
        .position(|arg| arg == "--clients")
        .and_then(|at| args.get(at + 1))
        .cloned()
        .unwrap_or_else(|| "256".to_owned());
    let secs = args
        .iter()
        .position(|arg| arg == "--secs")
        .and_then(|at| args.get(at + 1))
        .cloned()
        .unwrap_or_else(|| "10".to_owned());
    let stamp = std::process::id();
    let create = |name: &str| {
        run(
            &ws.root,
            &psql.display().to_string(),
            [
                admin.as_str(),
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {name}"),
                "-c",
                &format!("CREATE DATABASE {name}"),
            ],
        )
    };
    let loadgen = ws.target.join("release/examples/danbao-loadgen");
    let pgbench = pgbench.display().to_string();
    // Per round: the transfers/s with one and with two instances, and pgbench's tps.
    let mut results: Vec<([Option<f64>; 2], Option<f64>)> = Vec::new();
    for round in 1..=rounds {
        let mut rates = [None, None];
        for (slot, instances) in [1usize, 2].into_iter().enumerate() {
            let name = format!("danbao_bench_{stamp}_{round}_{instances}");
            create(&name)?;
            let mut run_args = args.clone();
            run_args.extend([
                "--database-url".to_owned(),
                format!("{base}/{name}"),
                "--instances".to_owned(),
                instances.to_string(),
            ]);
            let (result, output) =
                run_capturing(&ws.root, &loadgen.display().to_string(), run_args, &[]);
            result?;
            rates[slot] = per_second(&output, "p2p");
        }
        let name = format!("danbao_pgbench_{stamp}_{round}");
        create(&name)?;
        let db = format!("{base}/{name}");
        run(&ws.root, &pgbench, ["-i", "-s", "1", "-q", db.as_str()])?;
        let (result, output) = run_capturing(
            &ws.root,
            &pgbench,
            [
                "-b",
                "tpcb-like",
                "-c",
                clients.as_str(),
                "-j",
                "2",
                "-T",
                secs.as_str(),
                db.as_str(),
            ],
            &[],
        );
        result?;
        let tps = output
            .lines()
            .find_map(|line| line.trim().strip_prefix("tps = "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|number| number.parse::<f64>().ok());
        results.push((rates, tps));
    }
    println!("\nPostgreSQL bench, {clients} clients, {secs} s each, {rounds} round(s):");
    for (round, (rates, tps)) in results.iter().enumerate() {
        if rounds > 1 {
            println!("  round {}:", round + 1);
        }
        for (slot, rate) in rates.iter().enumerate() {
            let instances = slot + 1;
            match (rate, tps) {
                (Some(rate), Some(tps)) => println!(
                    "  danbao P2P, {instances} instance(s): {rate:.0} transfers/s = {:.2}x pgbench",
                    rate / tps
                ),
                _ => println!("  danbao P2P, {instances} instance(s): {rate:?} transfers/s"),
            }
        }
        println!("  pgbench tpcb-like (scale 1): {tps:?} tps");
    }
    if rounds > 1 {
        for slot in 0..2 {
            let ratios = results
                .iter()
                .filter_map(|(rates, tps)| Some(rates[slot]? / (*tps)?))
                .collect();
            if let Some(ratio) = median(ratios) {
                println!(
                    "  median over {rounds} rounds, {} instance(s): {ratio:.2}x pgbench",
                    slot + 1
                );
            }
        }
    }
    drop(private);
    Ok(())
}

/// The `NAME  N completed in S s = R/s` rate the loadgen printed for phase `name`.
fn per_second(output: &str, name: &str) -> Option<f64> {
    output
        .lines()
        .find(|line| line.starts_with(name) && line.contains("completed in"))
        .and_then(|line| line.rsplit_once('=').map(|(_, rate)| rate))
        .and_then(|rate| rate.trim().split('/').next())
        .and_then(|number| number.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn the_database_url_goes_to_the_bench_and_rates_are_read_back() {
        let (url, rest) = take_database_url(&strings(&[
            "--clients",
            "64",
            "--database-url",
            "private",
            "--no-escrow",
        ]));
        assert_eq!(url.as_deref(), Some("private"));
        assert_eq!(rest, strings(&["--clients", "64", "--no-escrow"]));
        let (url, rest) = take_database_url(&strings(&["--database-url=postgres://u@h:1/p"]));
        assert_eq!(url.as_deref(), Some("postgres://u@h:1/p"));
        assert!(rest.is_empty());
        let (rounds, rest) = take_rounds(&strings(&["--rounds", "3", "--secs", "5"])).unwrap();
        assert_eq!((rounds, rest), (3, strings(&["--secs", "5"])));
        assert_eq!(take_rounds(&[]).unwrap().0, 1);
        assert!(take_rounds(&strings(&["--rounds=0"])).is_err());
        assert!(take_rounds(&strings(&["--rounds", "many"])).is_err());
        assert_eq!(median(vec![0.7, 0.5, 0.6]), Some(0.6));
        assert!(median(vec![0.4, 0.8]).is_some_and(|middle| (middle - 0.6).abs() < 1e-12));
        assert_eq!(median(Vec::new()), None);
        let output = "x\np2p     5695 completed in   8.1 s =      703/s  (0 failures)\n";
        assert_eq!(per_second(output, "p2p"), Some(703.0));
        assert_eq!(per_second(output, "escrow"), None);
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
