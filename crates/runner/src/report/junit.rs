//! JUnit XML: one `<testsuite>` for the run, one `<testcase>` per scenario (classname its
//! area, name its id); a failed assertion is `<failure>`, a scenario the harness could not
//! run is `<error>`. The suite's `<properties>` name the run (`run.target`,
//! `run.harness_version`, ...) and carry the statement (`statement.documented`, ...).

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{RunInfo, RunReport, problem_lines};
use crate::Verdict;

/// `report` as JUnit XML.
pub fn junit(report: &RunReport) -> String {
    let mut suite = TestSuite::new("ocsp-harness scenarios");
    suite.add_properties(run_properties(report.info));
    for level in report.statement().levels {
        suite.add_property((
            format!("statement.{}", level.level.name()).as_str(),
            level.verdict.as_str(),
        ));
    }
    for result in report.results {
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

/// The run as (name, value) properties; an option or note is one property each, in order.
fn run_properties(info: &RunInfo) -> Vec<(String, String)> {
    let mut properties = vec![
        ("run.target".to_owned(), info.target.clone()),
        ("run.started_at".to_owned(), info.started_at.clone()),
        (
            "run.harness_version".to_owned(),
            info.harness_version.clone(),
        ),
        (
            "run.contract_version".to_owned(),
            info.contract_version.clone(),
        ),
    ];
    if let Some(version) = &info.product_version {
        properties.push(("run.product_version".to_owned(), version.clone()));
    }
    if let Some(version) = &info.target_product_version {
        properties.push(("run.target_product_version".to_owned(), version.clone()));
    }
    for option in &info.options {
        properties.push(("run.option".to_owned(), option.clone()));
    }
    for note in &info.notes {
        properties.push(("run.note".to_owned(), note.clone()));
    }
    properties
}
