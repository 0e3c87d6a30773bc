//! Running a task as named steps: each step prints its name before it runs, the first failure
//! stops the task, and a summary line closes it.

use std::env;
use std::ffi::OsStr;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Why a step failed, in words a developer can act on.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The result of a step.
pub type StepResult = Result<(), Failure>;

/// One step of a task: a name to print and the work to do.
pub struct Step<'a> {
    name: &'static str,
    work: Box<dyn FnOnce() -> StepResult + 'a>,
}

impl<'a> Step<'a> {
    /// A step called `name` that does `work`.
    pub fn new(name: &'static str, work: impl FnOnce() -> StepResult + 'a) -> Self {
        Self {
            name,
            work: Box::new(work),
        }
    }
}

/// Runs `steps` in order and stops at the first failure. Prints each step's name before it
/// runs and one summary line at the end; returns whether every step passed.
pub fn run_task(task: &str, steps: Vec<Step<'_>>) -> bool {
    let started = Instant::now();
    let total = steps.len();
    let mut passed: Vec<(&str, Duration)> = Vec::with_capacity(total);
    for (index, step) in steps.into_iter().enumerate() {
        println!("\n==> [{}/{}] {}", index + 1, total, step.name);
        let step_started = Instant::now();
        match (step.work)() {
            Ok(()) => {
                let took = step_started.elapsed();
                println!("    ok: {} ({:.1}s)", step.name, took.as_secs_f64());
                passed.push((step.name, took));
            }
            Err(failure) => {
                eprintln!("\nxtask {task}: step {} FAILED: {failure}", step.name);
                println!(
                    "xtask {task}: FAILED at step {}/{} ({}) after {:.1}s; {} step(s) succeeded before it",
                    index + 1,
                    total,
                    step.name,
                    started.elapsed().as_secs_f64(),
                    passed.len()
                );
                return false;
            }
        }
    }
    let times: Vec<String> = passed
        .iter()
        .map(|(name, took)| format!("{name} {:.1}s", took.as_secs_f64()))
        .collect();
    let all = if total == 1 {
        "the only step".to_owned()
    } else {
        format!("all {total} steps")
    };
    println!(
        "\nxtask {task}: {all} succeeded in {:.1}s ({})",
        started.elapsed().as_secs_f64(),
        times.join(", ")
    );
    true
}

/// Runs `program` with `args` in `dir`, echoing the command line; fails when it cannot start
/// or exits non-zero.
pub fn run<I, S>(dir: &Path, program: &str, args: I) -> StepResult
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with_env(dir, program, args, &[])
}

/// [`run`] with extra environment variables (echoed too).
pub fn run_with_env<I, S>(dir: &Path, program: &str, args: I, vars: &[(&str, &OsStr)]) -> StepResult
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let (mut command, line) = prepare(dir, program, args, vars);
    let status = command
        .status()
        .map_err(|e| Failure(format!("could not start `{line}`: {e}")))?;
    exit_result(status, &line)
}

/// [`run_with_env`] that also keeps what the program writes to stdout (each line is still
/// printed as it comes), for a caller that reads the runner's test counts from it.
pub fn run_capturing<I, S>(
    dir: &Path,
    program: &str,
    args: I,
    vars: &[(&str, &OsStr)],
) -> (StepResult, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let (mut command, line) = prepare(dir, program, args, vars);
    let mut child = match command.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            return (
                Err(Failure(format!("could not start `{line}`: {e}"))),
                String::new(),
            );
        }
    };
    let mut output = String::new();
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut buffer = Vec::new();
        while matches!(reader.read_until(b'\n', &mut buffer), Ok(n) if n > 0) {
            let text = String::from_utf8_lossy(&buffer);
            print!("{text}");
            output.push_str(&text);
            buffer.clear();
        }
    }
    let result = match child.wait() {
        Ok(status) => exit_result(status, &line),
        Err(e) => Err(Failure(format!("could not wait for `{line}`: {e}"))),
    };
    (result, output)
}

/// The command to run and its echoed command line (printed here).
fn prepare<I, S>(dir: &Path, program: &str, args: I, vars: &[(&str, &OsStr)]) -> (Command, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<String> = vars
        .iter()
        .map(|(name, value)| format!("{name}={}", value.to_string_lossy()))
        .chain([program.to_owned()])
        .chain(
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned()),
        )
        .collect();
    let line = shown.join(" ");
    println!("    $ {line}");
    let mut command = Command::new(program);
    command.args(&args).current_dir(dir);
    for (name, value) in vars {
        command.env(name, value);
    }
    without_cargo_run_env(&mut command);
    (command, line)
}

fn exit_result(status: ExitStatus, line: &str) -> StepResult {
    if status.success() {
        Ok(())
    } else {
        Err(Failure(format!("`{line}` exited with {status}")))
    }
}

/// Removes the package variables that `cargo run` set for xtask itself (CARGO_MANIFEST_DIR,
/// CARGO_PKG_NAME, ...). Build scripts such as ring's declare `rerun-if-env-changed` on them,
/// so passing them on would make a nested cargo rebuild ring and everything above it, and
/// then rebuild again on the next plain `cargo` call. `CARGO` and `CARGO_HOME` stay.
fn without_cargo_run_env(command: &mut Command) -> &mut Command {
    for (name, _) in env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let set_by_cargo_run = name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
            );
        if set_by_cargo_run {
            command.env_remove(name);
        }
    }
    command
}

/// The full path of `tool` on `PATH`, if it is there.
pub fn find_on_path(tool: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

/// Fails with "missing tool: TOOL — install with HINT" unless `tool` is on `PATH`.
pub fn require_tool(tool: &str, install: &str) -> StepResult {
    match find_on_path(tool) {
        Some(_) => Ok(()),
        None => Err(missing_tool(tool, install)),
    }
}

/// The failure for a tool that is not installed.
pub fn missing_tool(tool: &str, install: &str) -> Failure {
    Failure(format!("missing tool: {tool} — install with {install}"))
}

/// True when `program args` starts and exits 0 (its output is discarded): a probe for
/// tools that live inside another one (`cargo fmt`, `python3 -m pytest`).
pub fn probe(program: &str, args: &[&str]) -> bool {
    without_cargo_run_env(Command::new(program).args(args))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_step_stops_the_task() {
        let mut ran_after = false;
        let ok = run_task(
            "unit",
            vec![
                Step::new("passes", || Ok(())),
                Step::new("fails", || Err(Failure("no".into()))),
                Step::new("never", || {
                    ran_after = true;
                    Ok(())
                }),
            ],
        );
        assert!(!ok);
        assert!(!ran_after);
    }

    #[test]
    fn all_passing_steps_pass_the_task() {
        assert!(run_task("unit", vec![Step::new("one", || Ok(()))]));
    }

    #[test]
    fn missing_tools_are_named_with_the_install_hint() {
        let failure = require_tool("no-such-tool-danbao", "apt-get install nothing").unwrap_err();
        assert_eq!(
            failure.0,
            "missing tool: no-such-tool-danbao — install with apt-get install nothing"
        );
    }

    #[test]
    fn a_non_zero_exit_is_a_failure() {
        let dir = env::temp_dir();
        assert!(run(&dir, "sh", ["-c", "exit 3"]).is_err());
        assert!(run(&dir, "sh", ["-c", "exit 0"]).is_ok());
        assert!(run(&dir, "no-such-program-danbao", ["x"]).is_err());
    }
}
