//! Reports: each format is a sibling that only reads the runner's results, the run they come
//! from ([`RunInfo`]) and the conformance [`Statement`] they add up to.

mod html;
mod human;
mod json;
mod junit;
mod run_info;
mod statement;
mod tap;

use std::path::Path;

pub use html::{compare, html};
pub use human::{Colour, Corpus, HumanOptions, Summary, human, human_with};
pub use json::{JsonReport, json};
pub use junit::junit;
pub use run_info::{EMBEDDED_TARGET, RunInfo, contract_version};
pub use statement::{LevelCounts, LevelStatement, Statement, sentence};
pub use tap::tap;

use crate::{Baseline, ScenarioResult, Verdict};
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

/// What every report is made of: the run, its results, and the baseline that says which
/// problems are expected.
#[derive(Debug, Clone, Copy)]
pub struct RunReport<'a> {
    /// The run.
    pub info: &'a RunInfo,
    /// Its results, in order.
    pub results: &'a [ScenarioResult],
    /// The expected failures, if the run has a baseline.
    pub baseline: Option<&'a Baseline>,
}

impl RunReport<'_> {
    /// The conformance statement of the results.
    pub fn statement(&self) -> Statement {
        Statement::of(self.results, self.baseline)
    }
}

impl Format {
    /// `report` in this format.
    pub fn render(self, report: &RunReport) -> String {
        match self {
            Format::Human => human(report),
            Format::Json => json(report),
            Format::Junit => junit(report),
            Format::Tap => tap(report),
        }
    }
}

/// Writes every format into `dir` (report.txt, results.json, junit.xml, report.tap, and the
/// page index.html titled `title`), all or nothing.
pub fn write_all(
    dir: &Path,
    report: &RunReport,
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
            Format::Human => human_with(report, &plain),
            format => format.render(report),
        };
        NewFile {
            name: name.to_owned(),
            contents: contents.into_bytes(),
            private: false,
        }
    })
    .chain(std::iter::once(NewFile {
        name: "index.html".to_owned(),
        contents: html(report, title).into_bytes(),
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

    /// One result of each kind, with fixed durations; the skipped one is the only reference one.
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
        let skipped = ScenarioResult {
            level: Level::Reference,
            ..result(
                "polling::hour",
                Verdict::Skipped {
                    reason:
                        "it moves the clock (line 19), and a remote target runs on its own clock"
                            .to_owned(),
                },
            )
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
            skipped,
        ]
    }

    /// A run with every field of the run information set, fixed so that the snapshots do not
    /// follow the harness's or the contract's version.
    fn info() -> RunInfo {
        RunInfo {
            target: "https://cluster:9443".to_owned(),
            target_product_version: Some("8.2.1".to_owned()),
            product_version: Some("8.2".to_owned()),
            harness_version: "0.1.0".to_owned(),
            contract_version: "2026.11.28 (docs 63f31f6)".to_owned(),
            options: vec![
                "--target https://cluster:9443".to_owned(),
                "--level documented".to_owned(),
            ],
            notes: vec![
                "proxy certificate installed through PUT /v1/cluster/update_cert: the target has no PUT /v1/cluster/certificates".to_owned(),
            ],
            started_at: "2026-03-01T12:00:00Z".to_owned(),
        }
    }

    /// The baseline of the snapshots: the scenario that could not run is expected to fail.
    fn baseline() -> Baseline {
        Baseline::parse("transport::hang\n")
    }

    /// Renders `results` of the fixed run, with the fixed baseline.
    fn render<T>(results: &[ScenarioResult], with: impl Fn(&RunReport) -> T) -> T {
        let (info, baseline) = (info(), baseline());
        with(&RunReport {
            info: &info,
            results,
            baseline: Some(&baseline),
        })
    }

    #[test]
    fn human_report() {
        let options = HumanOptions {
            notes: vec!["expected failures (baseline): transport::hang".to_owned()],
            colour: Colour::Never,
            rerun: Some("--target https://cluster:9443".to_owned()),
            corpus: Corpus::Files,
        };
        insta::assert_snapshot!(render(&results(), |report| human_with(report, &options)));
    }

    #[test]
    fn a_built_in_scenario_is_re_run_by_its_id() {
        let options = HumanOptions {
            corpus: Corpus::BuiltIn,
            ..HumanOptions::default()
        };
        let text = render(&results()[..2], |report| human_with(report, &options));
        let failed = &results()[1];
        assert!(
            text.contains(&format!(
                "re-run: ocsp-harness run --filter {}\n",
                failed.id
            )),
            "{text}"
        );
        assert!(!text.contains(&format!("run {}", failed.source)), "{text}");
    }

    #[test]
    fn human_report_in_colour() {
        let options = HumanOptions {
            colour: Colour::Always,
            ..HumanOptions::default()
        };
        let text = render(&results()[..2], |report| human_with(report, &options));
        assert!(text.contains("\x1b[32mPASS \x1b[0m test::good"), "{text}");
        assert!(text.contains("expected \x1b[32m200\x1b[0m"), "{text}");
        assert!(text.contains("actual   \x1b[31m500\x1b[0m"), "{text}");
        assert!(
            text.contains("\x1b[31mdocumented: 1 passed, 1 failed,"),
            "{text}"
        );
    }

    #[test]
    fn human_report_of_an_embedded_run_with_nothing_set() {
        let info = RunInfo {
            target: EMBEDDED_TARGET.to_owned(),
            harness_version: "0.1.0".to_owned(),
            contract_version: "2026.11.28 (docs 63f31f6)".to_owned(),
            started_at: "2026-03-01T12:00:00Z".to_owned(),
            ..RunInfo::default()
        };
        let results = results();
        let text = human(&RunReport {
            info: &info,
            results: &results[..1],
            baseline: None,
        });
        insta::assert_snapshot!(text);
    }

    #[test]
    fn junit_report() {
        insta::assert_snapshot!(render(&results(), junit));
    }

    #[test]
    fn tap_report() {
        insta::assert_snapshot!(render(&results(), tap));
    }

    #[test]
    fn json_report() {
        insta::assert_snapshot!(render(&results(), json));
    }

    #[test]
    fn html_report() {
        insta::assert_snapshot!(render(&results(), |report| html(
            report,
            "ocsp-harness: https://cluster:9443"
        )));
    }

    #[test]
    fn every_format_names_the_run_and_carries_the_statement() {
        let sentence = "documented: 1 passed, 1 failed, 1 expected failure, 0 skipped of 3: does not conform to the documented contract (1 failed, 1 expected failure)";
        for format in Format::ALL {
            let text = render(&results(), |report| format.render(report));
            assert!(text.contains(sentence), "{format}: {text}");
            assert!(text.contains("https://cluster:9443"), "{format}: {text}");
            assert!(
                text.contains("2026.11.28 (docs 63f31f6)"),
                "{format}: {text}"
            );
        }
        let page = render(&results(), |report| html(report, "run"));
        assert!(page.contains(sentence), "{page}");
    }
}
