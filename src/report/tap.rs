//! TAP version 14: `ok`/`not ok` per scenario, problems as YAML diagnostics.

use std::fmt::Write as _;

use super::problem_lines;
use crate::runner::{ScenarioResult, Verdict};

/// `results` as TAP.
pub fn tap(results: &[ScenarioResult]) -> String {
    let mut text = format!("TAP version 14\n1..{}\n", results.len());
    for (index, result) in results.iter().enumerate() {
        let ok = if result.verdict == Verdict::Passed {
            "ok"
        } else {
            "not ok"
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            text,
            "{ok} {} - {} [{}]",
            index + 1,
            result.id,
            result.level
        );
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
