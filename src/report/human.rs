//! The report for people: a line per scenario, every mismatch of a failure with its file and
//! line, a command that re-runs just that scenario, and a closing `N passed, N failed` line.

use std::fmt::Write as _;

use crate::runner::{ScenarioResult, Verdict};

/// The counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Scenarios whose every expectation held.
    pub passed: usize,
    /// Scenarios where the target answered differently.
    pub failed: usize,
    /// Scenarios the harness could not run.
    pub errors: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[ScenarioResult]) -> Self {
        let mut summary = Summary::default();
        for result in results {
            match result.verdict {
                Verdict::Passed => summary.passed += 1,
                Verdict::Failed { .. } => summary.failed += 1,
                Verdict::Error { .. } => summary.errors += 1,
            }
        }
        summary
    }
}

/// The human report of `results`.
pub fn human(results: &[ScenarioResult]) -> String {
    human_with_notes(results, &[])
}

/// The human report of `results`, with `notes` (e.g. what a baseline made of the run) just
/// before the closing line.
pub fn human_with_notes(results: &[ScenarioResult], notes: &[String]) -> String {
    let mut text = String::new();
    for result in results {
        let word = match result.verdict {
            Verdict::Passed => "PASS ",
            Verdict::Failed { .. } => "FAIL ",
            Verdict::Error { .. } => "ERROR",
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "{word} {} [{}] {} ({} ms)",
            result.id, result.level, result.title, result.duration_ms
        );
        match &result.verdict {
            Verdict::Passed => {}
            Verdict::Failed { mismatches } => {
                for mismatch in mismatches {
                    let _ = writeln!(
                        text,
                        "      {}:{}  {}\n        {}: expected {}, actual {}",
                        result.path.display(),
                        mismatch.line,
                        mismatch.request,
                        mismatch.path,
                        mismatch.expected,
                        mismatch.actual
                    );
                }
                let _ = writeln!(
                    text,
                    "      re-run: ocsp-harness run {}",
                    result.path.display()
                );
            }
            Verdict::Error { message } => {
                let _ = writeln!(text, "      {}: {message}", result.path.display());
            }
        }
    }
    for note in notes {
        let _ = writeln!(text, "{note}");
    }
    let summary = Summary::of(results);
    if summary.errors > 0 {
        let _ = writeln!(text, "{} could not be run", summary.errors);
    }
    let _ = writeln!(
        text,
        "{} passed, {} failed",
        summary.passed,
        summary.failed + summary.errors
    );
    text
}
