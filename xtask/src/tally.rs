//! Counting the tests each runner ran, from the summary lines it prints, so that the test
//! command closes with one line for all of them.

use std::cell::RefCell;
use std::fmt;

/// The test runners of `cargo xtask test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// `cargo test --workspace`.
    Rust,
    /// The Kotlin binding tests under Maven Surefire.
    Kotlin,
    /// The Python binding tests under pytest.
    Python,
    /// The Swift package's tests under `swift test` (XCTest) on Linux.
    Swift,
    /// The Android screens' screenshot and UI tests on the JVM (Compose, Maven Surefire).
    Compose,
}

impl fmt::Display for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Runner::Rust => "Rust",
            Runner::Kotlin => "Kotlin",
            Runner::Python => "Python",
            Runner::Swift => "Swift",
            Runner::Compose => "Compose",
        })
    }
}

/// How many tests passed, failed and were skipped in one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl Counts {
    /// Sums cargo's `test result: ok. 12 passed; 0 failed; 1 ignored; ...` lines (one per
    /// test binary and doc-test run).
    pub fn from_cargo_test(output: &str) -> Option<Self> {
        let mut total: Option<Self> = None;
        for line in output.lines() {
            let Some(rest) = line.trim().strip_prefix("test result: ") else {
                continue;
            };
            let sum = total.get_or_insert_with(Self::default);
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(word), Some(number)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(number) = number.parse::<u64>() else {
                    continue;
                };
                match word {
                    "passed" => sum.passed += number,
                    "failed" => sum.failed += number,
                    "ignored" => sum.skipped += number,
                    _ => {}
                }
            }
        }
        total
    }

    /// Surefire's closing `Tests run: 38, Failures: 0, Errors: 0, Skipped: 0` (the one line of
    /// that form without a `Time elapsed`, printed under "Results:").
    pub fn from_surefire(output: &str) -> Option<Self> {
        let line = output
            .lines()
            .rev()
            .filter_map(|line| line.find("Tests run:").map(|at| &line[at..]))
            .find(|line| !line.contains("Time elapsed"))?;
        let number = |label: &str| -> u64 {
            line.split(',')
                .filter_map(|part| part.trim().strip_prefix(label))
                .find_map(|value| value.trim().parse().ok())
                .unwrap_or(0)
        };
        let run = number("Tests run:");
        let failed = number("Failures:") + number("Errors:");
        let skipped = number("Skipped:");
        Some(Self {
            passed: run.saturating_sub(failed + skipped),
            failed,
            skipped,
        })
    }

    /// pytest's closing line, e.g. `1 failed, 59 passed, 2 skipped in 3.20s`.
    pub fn from_pytest(output: &str) -> Option<Self> {
        output.lines().rev().find_map(|line| {
            let line = line.trim().trim_matches('=').trim();
            let (counts, _) = line.split_once(" in ")?;
            let mut found = None;
            for part in counts.split(',') {
                let mut words = part.split_whitespace();
                let (Some(number), Some(word)) = (words.next(), words.next()) else {
                    return None;
                };
                let number: u64 = number.parse().ok()?;
                let sum = found.get_or_insert_with(Self::default);
                match word {
                    "passed" => sum.passed += number,
                    "failed" | "error" | "errors" => sum.failed += number,
                    "skipped" | "xfailed" | "deselected" => sum.skipped += number,
                    _ => {}
                }
            }
            found
        })
    }

    /// XCTest's last `Executed 40 tests, with 2 tests skipped and 1 failure (0 unexpected)`
    /// (the "All tests" suite's, which comes last).
    pub fn from_swift_test(output: &str) -> Option<Self> {
        let line = output
            .lines()
            .rev()
            .map(str::trim)
            .find(|line| line.starts_with("Executed ") && line.contains(" test"))?;
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|word| !word.is_empty())
            .collect();
        let number_before = |labels: &[&str]| -> u64 {
            words
                .windows(2)
                .find(|pair| labels.contains(&pair[1]) && pair[0].parse::<u64>().is_ok())
                .and_then(|pair| pair[0].parse().ok())
                .unwrap_or(0)
        };
        let executed = words.get(1).and_then(|n| n.parse::<u64>().ok())?;
        let failed = number_before(&["failure", "failures"]);
        // "with 2 tests skipped": the number two words before "skipped".
        let skipped = words
            .windows(3)
            .find(|triple| triple[2] == "skipped")
            .and_then(|triple| triple[0].parse().ok())
            .unwrap_or(0);
        Some(Self {
            passed: executed.saturating_sub(failed + skipped),
            failed,
            skipped,
        })
    }
}

/// The counts of every runner that ran, in order.
#[derive(Default)]
pub struct Tally(RefCell<Vec<(Runner, Counts)>>);

impl Tally {
    pub fn add(&self, runner: Runner, counts: Counts) {
        self.0.borrow_mut().push((runner, counts));
    }

    /// One line per runner, then the closing `tests: N passed, N failed, N skipped`.
    pub fn summary(&self) -> String {
        let runs = self.0.borrow();
        let mut total = Counts::default();
        let mut lines = Vec::new();
        for (runner, counts) in runs.iter() {
            total.passed += counts.passed;
            total.failed += counts.failed;
            total.skipped += counts.skipped;
            lines.push(format!(
                "  {:<7} {} passed, {} failed, {} skipped",
                runner.to_string(),
                counts.passed,
                counts.failed,
                counts.skipped
            ));
        }
        lines.push(format!(
            "tests: {} passed, {} failed, {} skipped",
            total.passed, total.failed, total.skipped
        ));
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(passed: u64, failed: u64, skipped: u64) -> Counts {
        Counts {
            passed,
            failed,
            skipped,
        }
    }

    #[test]
    fn cargo_test_lines_are_summed() {
        let output = "running 3 tests\n\
            test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
            test result: FAILED. 10 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(Counts::from_cargo_test(output), Some(counts(13, 2, 1)));
        assert_eq!(Counts::from_cargo_test("no tests here"), None);
    }

    #[test]
    fn surefire_takes_the_results_line_not_a_class_line() {
        let output = "[INFO] Tests run: 5, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 1.2 s -- in a.B\n\
            [INFO] Results:\n\
            [ERROR] Tests run: 38, Failures: 1, Errors: 1, Skipped: 2\n";
        assert_eq!(Counts::from_surefire(output), Some(counts(34, 2, 2)));
    }

    #[test]
    fn pytest_closing_line() {
        let output = "....\n1 failed, 59 passed, 2 skipped in 3.20s\n";
        assert_eq!(Counts::from_pytest(output), Some(counts(59, 1, 2)));
        assert_eq!(
            Counts::from_pytest("===== 61 passed in 9.01s =====\n"),
            Some(counts(61, 0, 0))
        );
    }

    #[test]
    fn xctest_takes_the_last_executed_line() {
        let output = "Test Suite 'FlowTests' passed\n\
            \t Executed 4 tests, with 0 failures (0 unexpected) in 1.0 (1.0) seconds\n\
            Test Suite 'All tests' failed\n\
            \t Executed 40 tests, with 2 tests skipped and 1 failure (0 unexpected) in 9.1 (9.2) seconds\n";
        assert_eq!(Counts::from_swift_test(output), Some(counts(37, 1, 2)));
        let plain = "Executed 12 tests, with 0 failures (0 unexpected) in 2.0 (2.0) seconds";
        assert_eq!(Counts::from_swift_test(plain), Some(counts(12, 0, 0)));
    }

    #[test]
    fn the_summary_closes_with_the_totals() {
        let tally = Tally::default();
        tally.add(Runner::Rust, counts(10, 0, 1));
        tally.add(Runner::Swift, counts(5, 1, 0));
        let summary = tally.summary();
        assert!(
            summary.ends_with("tests: 15 passed, 1 failed, 1 skipped"),
            "{summary}"
        );
        assert!(
            summary.contains("Swift   5 passed, 1 failed, 0 skipped"),
            "{summary}"
        );
    }
}
