//! The report for people: a header naming the run (target, versions, options), a line per
//! scenario, every mismatch of a failure with its file and line (expected in green, actual in
//! red on a terminal), a command that re-runs just that scenario, an `N passed, N failed`
//! line, and the conformance statement, one line per level, last.

use std::fmt::Write as _;

use super::{RunInfo, RunReport};
use crate::{ScenarioResult, Verdict};

/// The counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Scenarios whose every expectation held.
    pub passed: usize,
    /// Scenarios where the target answered differently.
    pub failed: usize,
    /// Scenarios the harness could not run.
    pub errors: usize,
    /// Scenarios the target cannot give what they need.
    pub skipped: usize,
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
                Verdict::Skipped { .. } => summary.skipped += 1,
            }
        }
        summary
    }
}

/// Whether the report may use ANSI colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Colour {
    /// Plain text: files, pipes, `NO_COLOR`.
    #[default]
    Never,
    /// Colours for a terminal.
    Always,
}

impl Colour {
    /// Colours when `terminal` and the `NO_COLOR` convention (<https://no-color.org>) does not
    /// forbid them: set to anything but the empty string.
    pub fn for_terminal(terminal: bool) -> Self {
        let forbidden = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        if terminal && !forbidden {
            Colour::Always
        } else {
            Colour::Never
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        match self {
            Colour::Never => text.to_owned(),
            Colour::Always => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}

const GREEN: &str = "32";
const RED: &str = "31";
const YELLOW: &str = "33";
const BOLD_RED: &str = "1;31";

/// What the human report adds to the results.
#[derive(Debug, Clone)]
pub struct HumanOptions {
    /// Lines (about the baseline, say) before the closing line.
    pub notes: Vec<String>,
    /// Colours or not.
    pub colour: Colour,
    /// Arguments the re-run command repeats after the scenario's path (the target options,
    /// never a password); `None`: no re-run line (the results are not scenarios).
    pub rerun: Option<String>,
    /// Where the scenarios were read from, which decides how the re-run line names one.
    pub corpus: Corpus,
}

/// Where a run's scenarios came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corpus {
    /// Files given on the command line: a re-run names the scenario's file.
    #[default]
    Files,
    /// The corpus built into the command, whose files need not exist where the report is
    /// read: a re-run selects the scenario by its id.
    BuiltIn,
}

impl Default for HumanOptions {
    fn default() -> Self {
        Self {
            notes: Vec::new(),
            colour: Colour::Never,
            rerun: Some(String::new()),
            corpus: Corpus::Files,
        }
    }
}

/// The report, plain.
pub fn human(report: &RunReport) -> String {
    human_with(report, &HumanOptions::default())
}

/// The report with notes, colours and the re-run arguments of `options`.
pub fn human_with(report: &RunReport, options: &HumanOptions) -> String {
    let colour = options.colour;
    let notes = &options.notes;
    let results = report.results;
    let mut text = header(report.info);
    for result in results {
        let word = match result.verdict {
            Verdict::Passed => colour.paint(GREEN, "PASS "),
            Verdict::Failed { .. } => colour.paint(RED, "FAIL "),
            Verdict::Error { .. } => colour.paint(BOLD_RED, "ERROR"),
            Verdict::Skipped { .. } => colour.paint(YELLOW, "SKIP "),
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
                let mut previous = None;
                for mismatch in mismatches {
                    // One heading per request, then each path that differs in its answer.
                    let request = (mismatch.line, &mismatch.request);
                    if previous != Some(request) {
                        let _ = writeln!(
                            text,
                            "      {}  {}",
                            super::place(result, mismatch.line),
                            mismatch.request
                        );
                        previous = Some(request);
                    }
                    let _ = writeln!(
                        text,
                        "        {}\n          expected {}\n          actual   {}",
                        mismatch.path,
                        colour.paint(GREEN, &mismatch.expected),
                        colour.paint(RED, &mismatch.actual),
                    );
                }
                problem_footer(&mut text, result, options);
            }
            Verdict::Error { message } => {
                let _ = writeln!(text, "      {}: {message}", result.source);
                problem_footer(&mut text, result, options);
            }
            Verdict::Skipped { reason } => {
                let _ = writeln!(text, "      skipped: {reason}");
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
    let skipped = if summary.skipped > 0 {
        format!(", {} skipped", summary.skipped)
    } else {
        String::new()
    };
    let _ = writeln!(
        text,
        "{} passed, {} failed{skipped}",
        summary.passed,
        summary.failed + summary.errors
    );
    let statement = report.statement();
    let _ = writeln!(text);
    for (line, level) in statement.lines().zip(&statement.levels) {
        let painted = match (
            level.conforms,
            level.counts.failed + level.counts.expected_failures,
        ) {
            (true, _) => colour.paint(GREEN, line),
            (false, 0) => colour.paint(YELLOW, line),
            (false, _) => colour.paint(RED, line),
        };
        let _ = writeln!(text, "{painted}");
    }
    text
}

/// The lines naming the run, and a blank line: which harness and contract checked which
/// target, with what options, when.
fn header(info: &RunInfo) -> String {
    let mut text = format!(
        "ocsp-harness against {}, started {}\n{}\n",
        info.target,
        info.started_at,
        info.versions_line()
    );
    if !info.options.is_empty() {
        let _ = writeln!(text, "options: {}", info.options.join(" "));
    }
    for note in &info.notes {
        let _ = writeln!(text, "note: {note}");
    }
    text.push('\n');
    text
}

/// The line with the command that runs this scenario alone, when the options want one.
/// Under a scenario that did not pass: the rules it checks (docs/contract.md says what each
/// rests on), and how to run it alone.
fn problem_footer(text: &mut String, result: &ScenarioResult, options: &HumanOptions) {
    if !result.rules.is_empty() {
        let _ = writeln!(text, "      rules: {}", result.rules.join(", "));
    }
    if let Some(rerun_args) = &options.rerun {
        let _ = writeln!(
            text,
            "      re-run: {}",
            rerun_command(result, options.corpus, rerun_args)
        );
    }
}

/// The command that runs this scenario alone, against the same target.
fn rerun_command(result: &ScenarioResult, corpus: Corpus, rerun_args: &str) -> String {
    let mut command = match corpus {
        Corpus::Files => format!("ocsp-harness run {}", result.source),
        Corpus::BuiltIn => format!("ocsp-harness run --filter {}", result.id),
    };
    if !rerun_args.is_empty() {
        command.push(' ');
        command.push_str(rerun_args);
    }
    command
}
