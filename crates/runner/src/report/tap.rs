//! TAP version 14: `ok`/`not ok` per scenario, problems as YAML diagnostics.

use std::fmt::Write as _;

use super::problem_lines;
use crate::{ScenarioResult, Verdict};

/// `results` as TAP.
pub fn tap(results: &[ScenarioResult]) -> String {
    let mut text = format!("TAP version 14\n1..{}\n", results.len());
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
        // Writing to a String cannot fail.
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
    text
}

/// A TAP directive ends at the line's end, and `#` starts one: neither may appear inside.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('#', "\\#")
}
