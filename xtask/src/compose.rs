//! The Android app's Compose screens on the JVM: `android/screens-jvm` compiles the screens and
//! their state holder (android/screens/src/main/kotlin, the sources the Gradle build compiles)
//! with JetBrains Compose Multiplatform desktop from Maven Central, renders every screen at
//! phone size with real data from the core and a real danbao-server into
//! `target/screenshots/android/<screen>.png` (and a contact sheet), and runs the UI tests that
//! press the buttons and check the money on the server.

use std::fs;
use std::process::Command;

use crate::runner::{
    Failure, Step, StepResult, missing_tool, require_tool, run_capturing, run_task,
};
use crate::tally::{Counts, Runner, Tally};
use crate::{FfiBuild, Workspace, bindings, bindings_steps, counted, server_binary};

/// Where the PNGs go, under the workspace's target directory.
const SCREENSHOTS: &str = "screenshots/android";

/// `cargo xtask screens`: the library, the server and the bindings, then the screen tests.
pub fn screens_only(ws: &Workspace) -> bool {
    let tally = Tally::default();
    let mut steps = bindings_steps(ws, FfiBuild::PackageOnly);
    steps.push(Step::new("build danbao-server", || {
        ws.cargo(&["build", "-p", "danbao-server", "--bin", "danbao-server"])
    }));
    steps.push(Step::new("android screens (Compose, JVM)", || {
        test(ws, &tally)
    }));
    let passed = run_task("screens", steps);
    println!("\n{}", tally.summary());
    passed
}

/// Runs the screen tests under Maven; fails, naming the tool, when Java, Maven or the CJK font
/// the Chinese screenshot needs is missing.
pub fn test(ws: &Workspace, tally: &Tally) -> StepResult {
    require_tool(
        "java",
        "`apt-get install openjdk-17-jdk-headless` (any JDK 17+)",
    )?;
    require_tool("mvn", "`apt-get install maven`")?;
    require_cjk_font()?;
    let library = bindings::library_path(ws);
    if !library.is_file() {
        return Err(Failure(format!(
            "{} is missing: run `cargo xtask bindings` first",
            library.display()
        )));
    }
    let screenshots = ws.target.join(SCREENSHOTS);
    // Stale PNGs of a renamed screen would pass for fresh ones in the contact sheet.
    if screenshots.exists() {
        fs::remove_dir_all(&screenshots)
            .map_err(|e| Failure(format!("cannot clear {}: {e}", screenshots.display())))?;
    }
    let library = format!("-Ddanbao.library={}", library.display());
    let server = format!("-Ddanbao.server={}", server_binary(ws)?.display());
    let screenshots_arg = format!("-Ddanbao.screenshots={}", screenshots.display());
    // -ntp keeps the first run's download of Compose (about 150 MB) out of the log.
    let (result, output) = run_capturing(
        &ws.root.join("android/screens-jvm"),
        "mvn",
        [
            "-B",
            "-ntp",
            "test",
            library.as_str(),
            server.as_str(),
            screenshots_arg.as_str(),
        ],
        &[],
    );
    counted(
        tally,
        Runner::Compose,
        Counts::from_surefire(&output),
        result,
    )?;
    println!("    screenshots: {}", screenshots.display());
    Ok(())
}

/// The Chinese screenshot needs glyphs for 最佳运输: Debian's fonts-noto-cjk, seen through
/// fontconfig (which Skia asks too).
fn require_cjk_font() -> StepResult {
    let install = "`apt-get install fonts-noto-cjk`";
    require_tool("fc-list", "`apt-get install fontconfig`")?;
    let listed = Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .map_err(|e| Failure(format!("could not run fc-list: {e}")))?;
    let families = String::from_utf8_lossy(&listed.stdout);
    if families.contains("Noto Sans CJK") {
        Ok(())
    } else {
        Err(missing_tool("fonts-noto-cjk", install))
    }
}
