//! `cargo xtask swift`: the Swift package compiled and tested on Linux.
//!
//! Debian 12 has no Swift, Debian 13 ("trixie") packages Swift 6 (`swiftlang`). The step keeps
//! a minimal Debian 13 root with Swift at a fixed place outside the checkout (reused by later
//! runs and checkouts, made again when it is missing or broken, built under a lock), then runs
//! `swift test` on `ios/Package.swift` inside it. The root sees the workspace through a bind
//! mount at the same path, in a private mount namespace (`unshare --mount`), so no mount
//! outlives the step and the host's `libdanbao_ffi.so` and `danbao-server` run unchanged.
//!
//! It needs root (debootstrap, mount, chroot) and Debian's archive. Without them it fails and
//! says why: a Swift step that cannot run is a failure, never a skip.

use std::env;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Workspace;
use crate::bindings;
use crate::runner::{Failure, StepResult, require_tool, run, run_capturing};
use crate::tally::{Counts, Runner, Tally};

/// Where the Debian 13 root lives unless `DANBAO_SWIFT_ROOT` says otherwise.
const DEFAULT_ROOT: &str = "/var/cache/danbao/swift-trixie";

/// What the root holds. A root whose stamp differs from this is made again, so changing the
/// list (or this text) re-provisions every machine once.
const RECIPE: &str = "debian trixie minbase + swiftlang libc6-dev libstdc++-14-dev libssl-dev (v1)";

/// Debian 13's packages the tests need inside the root: the Swift toolchain, the C library's
/// start files and headers (the linker misses `crti.o` without them), the C++ runtime headers
/// the Swift driver asks for, and OpenSSL's libcrypto (the tests' P-256 device signer).
const PACKAGES: [&str; 4] = ["swiftlang", "libc6-dev", "libstdc++-14-dev", "libssl-dev"];

/// The file in the root that says it was finished, holding [`RECIPE`].
const STAMP: &str = ".danbao-swift-root";

/// Where the Linux build of the C module `danbaoFFI` expects the generated headers.
const LINUX_FFI_DIR: &str = "ios/Linux/danbaoFFI";

/// The Debian 13 root: its path and the lock that guards making it.
struct SwiftRoot {
    path: PathBuf,
}

impl SwiftRoot {
    fn locate() -> Self {
        let path = env::var_os("DANBAO_SWIFT_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT));
        Self { path }
    }

    fn stamp(&self) -> PathBuf {
        self.path.join(STAMP)
    }

    /// A root is ready when its stamp names today's recipe and its `swift` runs.
    fn is_ready(&self) -> bool {
        let stamped = fs::read_to_string(self.stamp())
            .map(|text| text.trim() == RECIPE)
            .unwrap_or(false);
        stamped && self.run_inside(&[], "swift --version >/dev/null").is_ok()
    }

    /// Makes the root unless a ready one is there; a lock file beside it keeps two runs (two
    /// checkouts on one machine) from building it at once.
    fn ensure(&self) -> StepResult {
        let parent = self.path.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent)
            .map_err(|e| Failure(format!("cannot create {}: {e}", parent.display())))?;
        let lock_path = self.path.with_extension("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Failure(format!("cannot open {}: {e}", lock_path.display())))?;
        println!("    waiting for the lock {}", lock_path.display());
        lock.lock()
            .map_err(|e| Failure(format!("cannot lock {}: {e}", lock_path.display())))?;
        let made = if self.is_ready() {
            println!("    reusing the Swift root {}", self.path.display());
            Ok(())
        } else {
            self.make()
        };
        drop(lock);
        made
    }

    /// Builds the root in `<root>.new`, then renames it into place: a run that dies halfway
    /// leaves no root that looks finished.
    fn make(&self) -> StepResult {
        require_tool("debootstrap", "`apt-get install debootstrap`")?;
        require_tool("unshare", "`apt-get install util-linux`")?;
        if self.path.exists() {
            println!(
                "    the Swift root {} is not ready (old recipe or a broken toolchain): making it again",
                self.path.display()
            );
            remove_root(&self.path)?;
        }
        let building = self.path.with_extension("new");
        if building.exists() {
            remove_root(&building)?;
        }
        let mirror = debian_mirror();
        let target = building.to_string_lossy().into_owned();
        run(
            Path::new("/"),
            "debootstrap",
            [
                "--variant=minbase",
                "trixie",
                target.as_str(),
                mirror.as_str(),
            ],
        )
        .map_err(|f| {
            Failure(format!(
                "{f}: cannot make the Debian 13 root for Swift (debootstrap needs root and \
                 Debian's archive at {mirror})"
            ))
        })?;
        copy_file(
            Path::new("/etc/resolv.conf"),
            &building.join("etc/resolv.conf"),
        )?;
        let install = format!(
            "apt-get update -qq && apt-get install -y -qq --no-install-recommends {} >/dev/null",
            PACKAGES.join(" ")
        );
        let new_root = SwiftRoot {
            path: building.clone(),
        };
        new_root.run_inside(&[], &install).map_err(|f| {
            Failure(format!(
                "{f}: cannot install Swift in the Debian 13 root (apt-get inside {})",
                building.display()
            ))
        })?;
        new_root
            .run_inside(&[], "swift --version")
            .map_err(|f| Failure(format!("{f}: Swift was installed but does not run")))?;
        fs::write(building.join(STAMP), format!("{RECIPE}\n"))
            .map_err(|e| Failure(format!("cannot write the root's stamp: {e}")))?;
        fs::rename(&building, &self.path).map_err(|e| {
            Failure(format!(
                "cannot move {} to {}: {e}",
                building.display(),
                self.path.display()
            ))
        })?;
        println!("    made the Swift root {}", self.path.display());
        Ok(())
    }

    /// Runs `script` with `sh` inside the root, in a private mount namespace with `/proc`
    /// (Swift's binaries find their libraries through `$ORIGIN`, which needs it), the host's
    /// `/dev`, and each of `binds` mounted at the same path as on the host.
    fn run_inside(&self, binds: &[&Path], script: &str) -> StepResult {
        self.run_inside_with(binds, script, &[]).0
    }

    /// [`Self::run_inside`] with extra environment variables; also returns what the script
    /// printed on stdout.
    fn run_inside_with(
        &self,
        binds: &[&Path],
        script: &str,
        vars: &[(&str, &std::ffi::OsStr)],
    ) -> (StepResult, String) {
        let root = self.path.to_string_lossy().into_owned();
        // The mounts are made by a host shell in the new namespace; the script then runs in
        // the root. Paths arrive as positional parameters, never spliced into the shell text.
        let outer = String::from(
            "set -e; root=\"$1\"; script=\"$2\"; shift 2; \
             mount -t proc proc \"$root/proc\"; \
             mount --rbind /dev \"$root/dev\"; \
             for dir in \"$@\"; do mkdir -p \"$root$dir\"; mount --bind \"$dir\" \"$root$dir\"; done; \
             exec chroot \"$root\" /bin/sh -c \"$script\"",
        );
        let mut args: Vec<String> = vec![
            "--mount".into(),
            "--propagation".into(),
            "private".into(),
            "--".into(),
            "sh".into(),
            "-c".into(),
            outer,
            "danbao-swift-root".into(),
            root,
            script.to_owned(),
        ];
        args.extend(binds.iter().map(|dir| dir.to_string_lossy().into_owned()));
        let mut all_vars: Vec<(&str, &std::ffi::OsStr)> = vec![
            ("DEBIAN_FRONTEND", "noninteractive".as_ref()),
            ("LANG", "C.UTF-8".as_ref()),
            ("HOME", "/root".as_ref()),
            (
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".as_ref(),
            ),
        ];
        all_vars.extend_from_slice(vars);
        run_capturing(Path::new("/"), "unshare", &args, &all_vars)
    }
}

/// Removes a root directory, refusing when something is still mounted inside it (removing
/// would then delete the host's files through the mount).
fn remove_root(path: &Path) -> StepResult {
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    let prefix = path.to_string_lossy();
    if let Some(line) = mounts.lines().find(|line| {
        line.split(' ')
            .nth(1)
            .is_some_and(|at| at.starts_with(&*prefix))
    }) {
        return Err(Failure(format!(
            "{} still has a mount inside it ({line}); unmount it (umount -R) and run again",
            path.display()
        )));
    }
    fs::remove_dir_all(path).map_err(|e| Failure(format!("cannot remove {}: {e}", path.display())))
}

/// The Debian archive apt already uses on this host (its sources list), or Debian's default.
fn debian_mirror() -> String {
    let deb822 = fs::read_to_string("/etc/apt/sources.list.d/debian.sources").unwrap_or_default();
    let from_deb822 = deb822
        .lines()
        .filter_map(|line| line.strip_prefix("URIs:"))
        .flat_map(str::split_whitespace)
        .find(|uri| !uri.contains("security"));
    let classic = fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
    let from_classic = classic
        .lines()
        .filter(|line| line.starts_with("deb "))
        .filter_map(|line| line.split_whitespace().find(|word| word.contains("://")))
        .find(|uri| !uri.contains("security"));
    from_deb822
        .or(from_classic)
        .unwrap_or("http://deb.debian.org/debian")
        .to_owned()
}

fn copy_file(from: &Path, to: &Path) -> StepResult {
    fs::copy(from, to).map(|_| ()).map_err(|e| {
        Failure(format!(
            "cannot copy {} to {}: {e}",
            from.display(),
            to.display()
        ))
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Provisions (or reuses) the root, stages the C header of `danbaoFFI`, builds the Swift
/// package and runs its tests against the host's library and server; counts them in `tally`.
/// A skipped test fails the step: on Linux every test must run.
///
/// `extra` goes to `swift test` (for example `--filter EscrowTests`). The build directory is
/// `target/swift-linux`, or `DANBAO_SWIFT_SCRATCH`.
pub fn test(ws: &Workspace, server: &Path, extra: &[String], tally: &Tally) -> StepResult {
    let root = prepare(ws)?;
    let library_dir = bindings::library_path(ws)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ws.target.clone());
    let scratch = env::var_os("DANBAO_SWIFT_SCRATCH")
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.target.join("swift-linux"));
    let mut script = swift_command(ws, "test --disable-swift-testing", &scratch, &library_dir)?;
    for arg in extra {
        script.push_str(&format!(" '{}'", quoted(Path::new(arg))?));
    }
    script.push_str(" 2>&1");
    let (outcome, output) = root.run_inside_with(
        &binds(ws),
        &script,
        &[("DANBAO_SERVER_BIN", server.as_os_str())],
    );
    let counts = Counts::from_swift_test(&output);
    if let Some(counts) = counts {
        tally.add(Runner::Swift, counts);
    }
    outcome?;
    match counts {
        Some(counts) if counts.passed > 0 && counts.failed == 0 && counts.skipped == 0 => Ok(()),
        Some(counts) => Err(Failure(format!(
            "swift test reported {} passed, {} failed, {} skipped",
            counts.passed, counts.failed, counts.skipped
        ))),
        None => Err(Failure("swift test printed no XCTest summary".into())),
    }
}

/// `cargo xtask bench ffi`'s Swift side: the CallCost benchmark, optimised, against the
/// library in `library_dir` (the release build). It prints one `CALLCOST swift` line.
pub fn call_cost(ws: &Workspace, library_dir: &Path) -> StepResult {
    let root = prepare(ws)?;
    let scratch = ws.target.join("swift-linux-release");
    // The product comes last: `swift run` hands what follows it to the program.
    let script = format!(
        "{} CallCost",
        swift_command(ws, "run -c release", &scratch, library_dir)?
    );
    root.run_inside_with(&binds(ws), &format!("{script} 2>&1"), &[])
        .0
}

/// Checks that the step can run here, makes or reuses the root and stages the C headers.
fn prepare(ws: &Workspace) -> Result<SwiftRoot, Failure> {
    if !is_root() {
        return Err(Failure(
            "the Swift step runs Swift 6 from Debian 13 in a chroot, which needs root \
             (debootstrap, mount, chroot); run `cargo xtask swift` as root"
                .into(),
        ));
    }
    require_tool("unshare", "`apt-get install util-linux`")?;
    let root = SwiftRoot::locate();
    root.ensure()?;
    // One C header per UniFFI namespace, all in the module `danbaoFFI` (its module map in
    // LINUX_FFI_DIR names them).
    for namespace in bindings::NAMESPACES {
        let name = bindings::swift_header(namespace);
        let header = bindings::swift_headers(ws).join(&name);
        copy_file(&header, &ws.root.join(LINUX_FFI_DIR).join(&name))?;
    }
    Ok(root)
}

/// The workspace (and the target directory when it lies elsewhere), mounted in the root.
fn binds(ws: &Workspace) -> Vec<&Path> {
    let mut binds: Vec<&Path> = vec![&ws.root];
    if !ws.target.starts_with(&ws.root) {
        binds.push(&ws.target);
    }
    binds
}

/// `swift SUBCOMMAND` on ios/Package.swift, linking libdanbao_ffi from `library_dir`.
fn swift_command(
    ws: &Workspace,
    subcommand: &str,
    scratch: &Path,
    library_dir: &Path,
) -> Result<String, Failure> {
    // --allow-shlib-undefined: Debian's libswiftObservation.so (swiftlang 6.0.3-2) refers to
    // swift::threading::fatal, which its libswiftCore.so does not export (only the static
    // archives define it), so ld refuses any program that uses Observation. The reference is
    // a function called only on a fatal threading error and is bound lazily, so the tests
    // run; Apple's toolchains and swift.org's Linux builds do not need this.
    Ok(format!(
        "cd '{}' && swift {subcommand} --scratch-path '{}' -Xlinker -L'{}' -Xlinker -rpath \
         -Xlinker '{}' -Xlinker --allow-shlib-undefined",
        quoted(&ws.root.join("ios"))?,
        quoted(scratch)?,
        quoted(library_dir)?,
        quoted(library_dir)?,
    ))
}

/// A path for a single-quoted shell word; refuses one that holds a quote.
fn quoted(path: &Path) -> Result<String, Failure> {
    let text = path.to_string_lossy().into_owned();
    if text.contains('\'') {
        return Err(Failure(format!(
            "the path {text} holds a single quote, which the Swift step cannot pass to the root's shell"
        )));
    }
    Ok(text)
}
