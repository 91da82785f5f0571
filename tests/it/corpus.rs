//! The scenario corpus against the embedded reference server, and `ocsp-harness run` exit
//! codes: 0 when every scenario passes, 1 when one fails (with its diff), 2 for a broken file.

use ocsp_harness::runner::{Verdict, run_embedded};
use ocsp_harness::scenario::{load_all, scenario_files};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_corpus_passes_against_the_reference_server() {
    let files = scenario_files(&[crate::workspace_root().join("scenarios")])
        .expect("the corpus is readable");
    let scenarios = load_all(&files).expect("the corpus loads");
    assert!(scenarios.len() >= 13, "{} scenarios", scenarios.len());
    let results = run_embedded(scenarios, 4).await;
    let failures: Vec<String> = results
        .iter()
        .filter(|result| result.verdict != Verdict::Passed)
        .map(|result| format!("{}: {:?}", result.id, result.verdict))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = crate::harness()
        .arg("run")
        .args(args)
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn run_exits_0_when_every_scenario_passes() {
    let (code, stdout, stderr) = run(&["--filter", "test::"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("ocsp-harness against the embedded reference server, started 20"),
        "{stdout}"
    );
    assert!(stdout.contains("\noptions: --filter test::\n"), "{stdout}");
    assert!(stdout.contains(" passed, 0 failed\n\n"), "{stdout}");
    let statement: Vec<&str> = stdout.lines().rev().take(3).collect();
    assert!(
        statement[2].starts_with("documented: ")
            && statement[2].ends_with(": conforms to the documented contract"),
        "{stdout}"
    );
    assert!(
        statement[1].ends_with(": follows the recommended rules"),
        "{stdout}"
    );
    assert!(
        statement[0].ends_with(": behaves as the reference implementation"),
        "{stdout}"
    );
}

#[test]
fn run_exits_1_with_a_diff_its_rules_and_a_rerun_line_when_the_target_differs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("wrong.yaml");
    std::fs::write(
        &file,
        "id: demo::expects-revoked
title: The good responder is expected (wrongly) to say REVOKED
description: d
rules: [get-config.ok]
level: documented
clock: 2026-03-01T12:00:00Z
steps:
  - send: POST /v1/ocsp/test
    as: admin
    expect:
      status: 201
      body: {cert_status: REVOKED, revocation_time: {imf_fixdate: true}}
",
    )
    .expect("write");
    let path = file.to_str().expect("utf-8");
    let (code, stdout, _) = run(&[path]);
    assert_eq!(code, Some(1), "{stdout}");
    let expected = format!(
        "      {path}:8  POST /v1/ocsp/test
        status
          expected 201
          actual   200
        body.cert_status
          expected \"REVOKED\"
          actual   \"GOOD\"
        body.revocation_time
          expected an IMF-fixdate
          actual   absent
      rules: get-config.ok
      re-run: ocsp-harness run {path}
"
    );
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour into a pipe: {stdout}");
    assert!(stdout.contains("\n0 passed, 1 failed\n\n"), "{stdout}");
    assert!(
        stdout.contains("\ndocumented: 0 passed, 1 failed, 0 skipped of 1: does not conform to the documented contract (1 failed)\n"),
        "{stdout}"
    );
}

#[test]
fn run_exits_2_naming_the_file_line_and_column_of_a_broken_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, "id: demo::broken\ntitle: t\ndescription: d\nrules: [get-config.ok]\nlevel: documented\nclock: 2026-03-01T12:00:00Z\nsteps:\n  - send: POST /v1/ocsp/test\n    as: root\n    expect: {status: 200}\n").expect("write");
    let path = file.to_str().expect("utf-8");
    let (code, stdout, stderr) = run(&[path]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{path}:9:9: unknown role \"root\"")),
        "{stderr}"
    );
    assert!(
        stdout.is_empty(),
        "the run stops before it starts: {stdout}"
    );
    let (code, _, stderr) = run(&["/nonexistent/scenarios"]);
    assert_eq!(code, Some(2), "{stderr}");
}

/// A scenario expecting the wrong status of the reference server: it fails.
fn write_failing(dir: &std::path::Path, name: &str) -> String {
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(
        &file,
        format!(
            "id: demo::{name}\ntitle: t\ndescription: d\nrules: [get-config.ok]\nlevel: reference\ntags: [demo]\nclock: 2026-03-01T12:00:00Z\nsteps:\n  - send: GET /v1/ocsp\n    as: admin\n    expect: {{status: 418}}\n"
        ),
    )
    .expect("write");
    file.to_str().expect("utf-8").to_owned()
}

#[test]
fn selection_by_level_tag_and_partition() {
    let (code, all, _) = run(&["--list"]);
    assert_eq!(code, Some(0));
    let all: Vec<&str> = all.lines().collect();
    let (_, reference, _) = run(&["--list", "--level", "reference"]);
    assert!(!reference.is_empty());
    assert!(
        reference.lines().all(|line| line.contains("[reference]")),
        "{reference}"
    );
    let (_, tagged, _) = run(&["--list", "--tag", "queue"]);
    assert_eq!(tagged.lines().count(), 1, "{tagged}");
    let mut shares = Vec::new();
    for share in ["1/3", "2/3", "3/3"] {
        let (_, listed, _) = run(&["--list", "--partition", share]);
        shares.extend(listed.lines().map(str::to_owned));
    }
    shares.sort();
    let mut expected: Vec<String> = all.iter().map(|line| (*line).to_owned()).collect();
    expected.sort();
    assert_eq!(shares, expected, "the shares cover the corpus once");
    let (code, _, stderr) = run(&["--list", "--partition", "4/3"]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn formats_and_the_report_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let failing = write_failing(dir.path(), "teapot");
    let (code, tap, _) = run(&[&failing, "--format", "tap"]);
    assert_eq!(code, Some(1));
    assert!(
        tap.starts_with(
            "TAP version 14\n1..1\n# ocsp-harness against the embedded reference server"
        ),
        "{tap}"
    );
    assert!(
        tap.contains("\nnot ok 1 - demo::teapot [reference]\n"),
        "{tap}"
    );
    assert!(
        tap.ends_with("\n# reference: 0 passed, 1 failed, 0 skipped of 1: does not behave as the reference implementation (1 failed)\n"),
        "{tap}"
    );
    assert!(tap.contains("status: expected 418, actual 200"), "{tap}");
    let (_, junit, _) = run(&[&failing, "--format", "junit"]);
    assert!(junit.contains("failures=\"1\""), "{junit}");
    assert!(junit.contains("<failure message="), "{junit}");
    assert!(
        junit.contains(
            "<property name=\"statement.reference\" value=\"reference: 0 passed, 1 failed"
        ),
        "{junit}"
    );
    let (_, json, _) = run(&[&failing, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let results = &report["results"];
    assert_eq!(results[0]["verdict"], "failed");
    assert_eq!(results[0]["mismatches"][0]["path"], "status");
    assert_eq!(report["run"]["target"], "the embedded reference server");
    assert_eq!(report["run"]["options"][0], failing.as_str());
    let reference = &report["statement"]["levels"][2];
    assert_eq!(reference["level"], "reference");
    assert_eq!(reference["failed"], 1);
    assert_eq!(reference["conforms"], false);

    let reports = dir.path().join("reports");
    let (code, _, _) = run(&[
        "--filter",
        "config::",
        "--report",
        reports.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, Some(0));
    for file in ["report.txt", "results.json", "junit.xml", "report.tap"] {
        assert!(reports.join(file).is_file(), "{file}");
    }
}

#[test]
fn report_compare_reads_the_report_object_and_the_older_bare_array() {
    let dir = tempfile::tempdir().expect("tempdir");
    let failing = write_failing(dir.path(), "teapot");
    let (_, json, _) = run(&[&failing, "--format", "json"]);
    let new = dir.path().join("new.json");
    std::fs::write(&new, &json).expect("write");
    // A report written before the run and the statement were added: the results alone.
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let old = dir.path().join("old.json");
    std::fs::write(&old, report["results"].to_string()).expect("write");
    let page = dir.path().join("compare.html");
    let output = crate::harness()
        .args(["report", "compare"])
        .args([&old, &new])
        .arg("-o")
        .arg(&page)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let page = std::fs::read_to_string(&page).expect("the page");
    assert!(page.contains("<th>old<br>"), "{page}");
    assert!(page.contains("<th>new<br>"), "{page}");
    assert!(page.contains("0 differ"), "{page}");
    assert_eq!(page.matches("demo::teapot").count(), 1, "{page}");
}

#[test]
fn the_expected_failures_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let failing = write_failing(dir.path(), "teapot");
    let baseline = dir.path().join("baseline.txt");
    let baseline_path = baseline.to_str().expect("utf-8");

    std::fs::write(&baseline, "# accepted differences\ndemo::teapot\n").expect("write");
    let (code, stdout, _) = run(&[&failing, "--expected-failures", baseline_path]);
    assert_eq!(
        code,
        Some(0),
        "a listed failure does not fail the run: {stdout}"
    );
    assert!(
        stdout.contains("expected failures (baseline): demo::teapot"),
        "{stdout}"
    );

    std::fs::write(&baseline, "demo::teapot\ntest::good\n").expect("write");
    let (code, stdout, _) = run(&[
        &failing,
        "scenarios",
        "--filter",
        "t",
        "--expected-failures",
        baseline_path,
    ]);
    assert_eq!(
        code,
        Some(1),
        "a listed scenario that passes is stale: {stdout}"
    );
    assert!(
        stdout.contains("stale baseline: test::good passes now"),
        "{stdout}"
    );

    std::fs::write(&baseline, "demo::teapot\ndemo::gone\n").expect("write");
    let (code, stdout, _) = run(&[&failing, "--expected-failures", baseline_path]);
    assert_eq!(
        code,
        Some(1),
        "an entry naming no scenario is stale: {stdout}"
    );
    assert!(
        stdout.contains("stale baseline: no scenario has the id demo::gone"),
        "{stdout}"
    );
}

#[test]
fn fail_fast_starts_nothing_after_the_first_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_failing(dir.path(), "first");
    write_failing(dir.path(), "second");
    let path = dir.path().to_str().expect("utf-8");
    let (code, stdout, _) = run(&[path, "--jobs", "1", "--fail-fast"]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("\n0 passed, 1 failed\n\n"), "{stdout}");
    let (_, stdout, _) = run(&[path, "--jobs", "1"]);
    assert!(stdout.contains("\n0 passed, 2 failed\n\n"), "{stdout}");
}

#[test]
fn a_product_version_leaves_out_what_does_not_hold_for_it_and_says_so() {
    let (code, listed, said) = run(&["--product-version", "7.8", "--list"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("scenario(s) do not hold for product version 7.8 and are left out"),
        "{said}"
    );
    assert!(!listed.contains("certs::put-expired"), "{listed}");
    assert!(listed.contains("certs::update-cert-expired"), "{listed}");
    let (code, listed, said) = run(&["--list"]);
    assert_eq!(code, Some(0));
    assert!(
        said.is_empty(),
        "the newest version holds for every scenario: {said}"
    );
    assert!(
        listed.contains("certs::put-expired [documented] ") && listed.contains("(7.22.2 on)"),
        "{listed}"
    );
    let (code, _, said) = run(&["--product-version", "seven", "--list"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("is not a product version"), "{said}");
}
