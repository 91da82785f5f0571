//! The corpus covers the contract: every documented status code, error code, role on endpoint
//! and edge-case row has a scenario; `ocsp-harness coverage` says which, and exits 1 on a gap.

use ocsp_harness::coverage::{coverage, documented_gaps};
use ocsp_harness::level::Level;
use ocsp_harness::scenario::{load_all, scenario_files};

fn corpus() -> Vec<ocsp_harness::scenario::Scenario> {
    let files = scenario_files(&[crate::workspace_root().join("scenarios")]).expect("the corpus");
    load_all(&files).expect("loads")
}

#[test]
fn every_documented_item_of_the_contract_has_a_scenario() {
    let coverage = coverage(&corpus());
    let gaps: Vec<String> = documented_gaps(&coverage)
        .iter()
        .map(|covered| covered.item.to_string())
        .collect();
    assert!(
        gaps.is_empty(),
        "documented items without a scenario: {gaps:#?}"
    );
}

#[test]
fn every_item_of_every_level_has_a_scenario() {
    // Recommended and reference rows too: the corpus is the contract made executable.
    let coverage = coverage(&corpus());
    let gaps: Vec<String> = coverage
        .iter()
        .filter(|covered| covered.scenarios.is_empty())
        .map(|covered| format!("{} [{}]", covered.item, covered.level))
        .collect();
    assert!(gaps.is_empty(), "items without a scenario: {gaps:#?}");
    assert!(
        coverage
            .iter()
            .any(|covered| covered.level == Level::Reference)
    );
}

#[test]
fn the_corpus_has_at_least_a_hundred_scenarios() {
    assert!(corpus().len() >= 100, "{}", corpus().len());
}

#[test]
fn the_command_lists_scenarios_per_item_and_exits_1_on_a_documented_gap() {
    let run = |path: &str| {
        crate::harness()
            .current_dir(crate::workspace_root())
            .args(["coverage", path])
            .output()
            .expect("runs")
    };
    let whole = run("scenarios");
    let text = String::from_utf8_lossy(&whole.stdout);
    assert_eq!(whole.status.code(), Some(0), "{text}");
    assert!(
        text.contains("POST /v1/ocsp/test 500 task_queued_for_too_long")
            && text.contains("test::task-queued-for-too-long"),
        "{text}"
    );
    assert!(
        text.ends_with("0 documented item(s) without a scenario\n"),
        "{text}"
    );

    let part = run("scenarios/polling");
    let text = String::from_utf8_lossy(&part.stdout);
    assert_eq!(part.status.code(), Some(1), "{text}");
    assert!(text.contains("NONE"), "{text}");
}
