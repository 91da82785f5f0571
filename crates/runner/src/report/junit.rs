//! JUnit XML: one `<testsuite>` for the run, one `<testcase>` per scenario (classname its
//! area, name its id); a failed assertion is `<failure>`, a scenario the harness could not
//! run is `<error>`.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::problem_lines;
use crate::{ScenarioResult, Verdict};

/// `results` as JUnit XML.
pub fn junit(results: &[ScenarioResult]) -> String {
    let mut suite = TestSuite::new("ocsp-harness scenarios");
    for result in results {
        let mut status = match &result.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Failed { .. } => TestCaseStatus::non_success(NonSuccessKind::Failure),
            Verdict::Error { .. } => TestCaseStatus::non_success(NonSuccessKind::Error),
            Verdict::Skipped { .. } => TestCaseStatus::skipped(),
        };
        let problems = problem_lines(result);
        if let Some(first) = problems.first() {
            status.set_message(first.as_str());
            status.set_description(problems.join("\n"));
        }
        let mut case = TestCase::new(result.id.as_str(), status);
        let area = result.id.split("::").next().unwrap_or_default();
        case.set_classname(area);
        case.set_time(Duration::from_millis(result.duration_ms));
        case.add_property(("level", result.level.name()));
        if !result.rules.is_empty() {
            case.add_property(("rules", result.rules.join(" ").as_str()));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("ocsp-harness");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}
