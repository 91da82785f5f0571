//! Reports: each format is a sibling that only reads the runner's results.

mod html;
mod human;
mod junit;
mod tap;

use std::path::Path;

pub use html::{compare, html};
pub use human::{Colour, HumanOptions, Summary, human, human_with};
pub use junit::junit;
pub use tap::tap;

use crate::{ScenarioResult, Verdict};
use files::{NewFile, Overwrite, WriteError, write_all_or_nothing};

contract::named_enum! {
    /// The output formats, by their names on the command line.
    pub enum Format: "format" {
        /// For people.
        Human = "human",
        /// The results as JSON.
        Json = "json",
        /// JUnit XML, for CI systems.
        Junit = "junit",
        /// Test Anything Protocol.
        Tap = "tap",
    }
}

impl Format {
    /// `results` in this format.
    pub fn render(self, results: &[ScenarioResult]) -> String {
        match self {
            Format::Human => human(results),
            Format::Json => json(results),
            Format::Junit => junit(results),
            Format::Tap => tap(results),
        }
    }
}

/// The results as pretty JSON.
pub fn json(results: &[ScenarioResult]) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(results).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every format into `dir` (report.txt, results.json, junit.xml, report.tap, and the
/// page index.html titled `title`), all or nothing.
pub fn write_all(
    dir: &Path,
    results: &[ScenarioResult],
    human_options: &HumanOptions,
    title: &str,
) -> Result<(), WriteError> {
    // Files get no colour codes, whatever the terminal does.
    let plain = HumanOptions {
        colour: Colour::Never,
        ..human_options.clone()
    };
    let files = [
        ("report.txt", Format::Human),
        ("results.json", Format::Json),
        ("junit.xml", Format::Junit),
        ("report.tap", Format::Tap),
    ]
    .into_iter()
    .map(|(name, format)| {
        let contents = match format {
            Format::Human => human_with(results, &plain),
            format => format.render(results),
        };
        NewFile {
            name: name.to_owned(),
            contents: contents.into_bytes(),
            private: false,
        }
    })
    .chain(std::iter::once(NewFile {
        name: "index.html".to_owned(),
        contents: html(results, title).into_bytes(),
        private: false,
    }))
    .collect::<Vec<_>>();
    write_all_or_nothing(dir, &files, Overwrite::Allow)
}

/// `file:line` of a step, or the file (a probe's URL) alone when there is no line.
pub(crate) fn place(result: &ScenarioResult, line: Option<u64>) -> String {
    result.source.at(line)
}

/// What went wrong in a result that did not pass, as lines of text.
pub fn problem_lines(result: &ScenarioResult) -> Vec<String> {
    match &result.verdict {
        Verdict::Passed => Vec::new(),
        Verdict::Failed { mismatches } => mismatches
            .iter()
            .map(|mismatch| {
                format!(
                    "{} {}: {}: expected {}, actual {}",
                    place(result, mismatch.line),
                    mismatch.request,
                    mismatch.path,
                    mismatch.expected,
                    mismatch.actual
                )
            })
            .collect(),
        Verdict::Error { message } => vec![format!("{}: {message}", result.source)],
        Verdict::Skipped { reason } => vec![format!("skipped: {reason}")],
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{Mismatch, Source};
    use contract::Level;

    /// One result of each kind, with fixed durations.
    fn results() -> Vec<ScenarioResult> {
        let result = |id: &str, verdict: Verdict| ScenarioResult {
            id: id.to_owned(),
            source: Source::File(PathBuf::from(format!(
                "scenarios/{}.yaml",
                id.replace("::", "/")
            ))),
            level: Level::Documented,
            rules: vec!["test.ok".to_owned()],
            title: format!("the title of {id}"),
            verdict,
            duration_ms: 12,
        };
        vec![
            result("test::good", Verdict::Passed),
            result(
                "test::revoked",
                Verdict::Failed {
                    mismatches: vec![
                        Mismatch {
                            line: Some(13),
                            request: "POST /v1/ocsp/test".to_owned(),
                            path: "status".to_owned(),
                            expected: "200".to_owned(),
                            actual: "500".to_owned(),
                        },
                        Mismatch {
                            line: Some(13),
                            request: "POST /v1/ocsp/test".to_owned(),
                            path: "body.cert_status".to_owned(),
                            expected: "\"REVOKED\"".to_owned(),
                            actual: "absent".to_owned(),
                        },
                        Mismatch {
                            line: Some(20),
                            request: "GET /v1/ocsp/status".to_owned(),
                            path: "journal.requests".to_owned(),
                            expected: "1".to_owned(),
                            actual: "0".to_owned(),
                        },
                    ],
                },
            ),
            result(
                "transport::hang",
                Verdict::Error {
                    message: "line 9: POST /v1/ocsp/test: no answer: operation timed out"
                        .to_owned(),
                },
            ),
            result(
                "polling::hour",
                Verdict::Skipped {
                    reason:
                        "it moves the clock (line 19), and a remote target runs on its own clock"
                            .to_owned(),
                },
            ),
        ]
    }

    #[test]
    fn human_report() {
        let options = HumanOptions {
            notes: vec!["expected failures (baseline): transport::hang".to_owned()],
            colour: Colour::Never,
            rerun: Some("--target https://cluster:9443".to_owned()),
        };
        insta::assert_snapshot!(human_with(&results(), &options));
    }

    #[test]
    fn human_report_in_colour() {
        let options = HumanOptions {
            colour: Colour::Always,
            ..HumanOptions::default()
        };
        let text = human_with(&results()[..2], &options);
        assert!(text.contains("\x1b[32mPASS \x1b[0m test::good"), "{text}");
        assert!(text.contains("expected \x1b[32m200\x1b[0m"), "{text}");
        assert!(text.contains("actual   \x1b[31m500\x1b[0m"), "{text}");
    }

    #[test]
    fn junit_report() {
        insta::assert_snapshot!(junit(&results()));
    }

    #[test]
    fn tap_report() {
        insta::assert_snapshot!(tap(&results()));
    }

    #[test]
    fn json_report() {
        insta::assert_snapshot!(json(&results()));
    }
}
