//! TAP version 14: `ok`/`not ok` per scenario, problems as YAML diagnostics; the run and the
//! conformance statement as `#` comments (a TAP consumer shows them, and ignores them).

use std::fmt::Write as _;

use super::{RunReport, problem_lines};
use crate::Verdict;

/// `report` as TAP.
pub fn tap(report: &RunReport) -> String {
    let results = report.results;
    let info = report.info;
    let mut text = format!("TAP version 14\n1..{}\n", results.len());
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "# ocsp-harness against {}, started {}\n# {}",
        flat(&info.target),
        info.started_at,
        flat(&info.versions_line())
    );
    if !info.options.is_empty() {
        let _ = writeln!(text, "# options: {}", flat(&info.options.join(" ")));
    }
    for note in &info.notes {
        let _ = writeln!(text, "# note: {}", flat(note));
    }
    for (index, result) in results.iter().enumerate() {
        let ok = if result.verdict.is_problem() {
            "not ok"
        } else {
            "ok"
        };
        // TAP's directive: a skipped test is `ok` with `# SKIP reason`.
        let directive = match &result.verdict {
            Verdict::Skipped { reason } => format!(" # SKIP {}", one_line(reason)),
            _ => String::new(),
        };
        let _ = writeln!(
            text,
            "{ok} {} - {} [{}]{directive}",
            index + 1,
            result.id,
            result.level
        );
        if !result.verdict.is_problem() {
            continue;
        }
        let problems = problem_lines(result);
        if !problems.is_empty() {
            let _ = writeln!(text, "  ---\n  problems:");
            for problem in problems {
                let _ = writeln!(text, "    - {}", serde_json::Value::String(problem));
            }
            let _ = writeln!(text, "  ...");
        }
    }
    for line in report.statement().lines() {
        let _ = writeln!(text, "# {}", flat(line));
    }
    text
}

/// A comment ends at the line's end: its text on one line.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TAP directive ends at the line's end, and `#` starts one: neither may appear inside.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('#', "\\#")
}
