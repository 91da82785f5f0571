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
        text.contains("0 documented item(s) without a scenario\n"),
        "{text}"
    );

    let part = run("scenarios/polling");
    let text = String::from_utf8_lossy(&part.stdout);
    assert_eq!(part.status.code(), Some(1), "{text}");
    assert!(text.contains("NONE"), "{text}");
}

#[test]
fn no_scenario_is_firmer_than_a_rule_it_asserts() {
    // A documented scenario that asserts a reference item (our error code's name, our status
    // where the page gives none) could fail a conformant cluster for a choice of ours.
    let breaches: Vec<String> = ocsp_harness::coverage::level_breaches(&corpus())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(breaches.is_empty(), "{breaches:#?}");
}

#[test]
fn the_level_check_catches_a_documented_scenario_asserting_a_choice_of_ours() {
    let scenario = ocsp_harness::scenario::load_str(
        std::path::Path::new("firm.yaml"),
        "id: a::firm\ntitle: t\ndescription: d\nrules: [http.unknown-path]\nlevel: documented\n\
         clock: 2026-03-01T12:00:00Z\nsteps:\n  - send: GET /v1/nowhere\n    as: admin\n    \
         expect: {status: 404, body: {error_code: not_found}}\n",
    )
    .expect("loads: the cited rule is documented");
    let breaches = ocsp_harness::coverage::level_breaches(&[scenario]);
    assert_eq!(
        breaches.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "a::firm (documented) asserts any endpoint 404 not_found of errors.codes-of-ours (reference)"
        ]
    );
}

#[test]
fn docs_contract_md_is_what_the_rule_file_renders() {
    let path = crate::workspace_root().join("docs/contract.md");
    let rendered = ocsp_harness::runner::contract_doc::contract_markdown();
    if std::env::var_os("UPDATE_CONTRACT_DOC").is_some() {
        std::fs::write(&path, &rendered).expect("writes docs/contract.md");
    }
    let committed = std::fs::read_to_string(&path).expect("docs/contract.md");
    assert!(
        committed == rendered,
        "docs/contract.md is not what crates/contract/rules.yaml renders: run \
         `cargo run -- contract > docs/contract.md` (or this test with UPDATE_CONTRACT_DOC=1)"
    );
}

#[test]
fn product_versions_select_the_scenarios_that_hold_for_them() {
    use ocsp_harness::contract::ProductVersion;
    let version = |text: &str| text.parse::<ProductVersion>().expect("a version");
    let count = |at: &str| {
        ocsp_harness::scenario::Selection {
            filter: None,
            tags: Vec::new(),
            levels: Vec::new(),
            product_version: Some(version(at)),
            partition: None,
        }
        .apply(corpus())
        .len()
    };
    let all = corpus().len();
    // `PUT /v1/cluster/certificates` exists from 7.22.2 on: its scenarios do not run on 7.8.
    assert_eq!(count("8.2"), all);
    assert!(count("7.8") < all);
    assert_eq!(count("7.22.2"), all);
    assert!(count("7.22.1") < all);
    // The 7.4 pages have no user_manager role: its scenarios hold from 7.8 on.
    assert!(count("7.4") < count("7.8"));
}
