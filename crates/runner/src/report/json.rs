//! The JSON report: `{"run": RunInfo, "statement": Statement, "results": [...]}`. Reports
//! written before the run and the statement were added are a bare array of results; readers
//! accept both.

use serde::{Deserialize, Serialize};

use super::{RunInfo, RunReport, Statement};
use crate::ScenarioResult;

/// What the JSON report holds, borrowed for writing.
#[derive(Serialize)]
struct Written<'a> {
    run: &'a RunInfo,
    statement: Statement,
    results: &'a [ScenarioResult],
}

/// The report as pretty JSON.
pub fn json(report: &RunReport) -> String {
    let written = Written {
        run: report.info,
        statement: report.statement(),
        results: report.results,
    };
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(&written).unwrap_or_default();
    text.push('\n');
    text
}

/// A JSON report read back.
#[derive(Debug, Clone, Deserialize)]
pub struct JsonReport {
    /// The run; none in a report of the older, bare-array shape.
    #[serde(default)]
    pub run: Option<RunInfo>,
    /// The statement; none in a report of the older shape.
    #[serde(default)]
    pub statement: Option<Statement>,
    /// The results.
    pub results: Vec<ScenarioResult>,
}

impl JsonReport {
    /// Reads a JSON report of either shape: the object, or the older bare array of results.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        if value.is_array() {
            Ok(Self {
                run: None,
                statement: None,
                results: serde_json::from_value(value)?,
            })
        } else {
            serde_json::from_value(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verdict;

    const RESULT: &str = r#"{"id": "test::good", "path": "scenarios/good.yaml",
        "level": "documented", "title": "GOOD", "verdict": "passed", "duration_ms": 3}"#;

    #[test]
    fn a_bare_array_of_results_still_reads() {
        let report = JsonReport::parse(&format!("[{RESULT}]")).expect("old shape");
        assert!(report.run.is_none() && report.statement.is_none());
        assert_eq!(report.results.len(), 1);
        assert_eq!(report.results[0].verdict, Verdict::Passed);
    }

    #[test]
    fn the_report_written_reads_back() {
        let results: Vec<ScenarioResult> =
            serde_json::from_str(&format!("[{RESULT}]")).expect("result");
        let info = RunInfo {
            options: vec!["--level documented".to_owned()],
            ..RunInfo::embedded(time::macros::datetime!(2026-03-01 12:00 UTC))
        };
        let text = json(&RunReport {
            info: &info,
            results: &results,
            baseline: None,
        });
        let report = JsonReport::parse(&text).expect("new shape");
        assert_eq!(report.run.as_ref(), Some(&info));
        let statement = report.statement.expect("statement");
        assert!(statement.levels[0].conforms);
        assert_eq!(report.results.len(), 1);
    }

    #[test]
    fn neither_shape_is_an_error() {
        assert!(JsonReport::parse(r#"{"run": {}}"#).is_err());
        assert!(JsonReport::parse("42").is_err());
    }
}
