//! The scenario corpus against the embedded reference server, and `ocsp-harness run` exit
//! codes: 0 when every scenario passes, 1 when one fails (with its diff), 2 for a broken file.

use std::path::PathBuf;
use std::process::Command;

use ocsp_harness::runner::{Verdict, run_embedded};
use ocsp_harness::scenario::{load_all, scenario_files};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_corpus_passes_against_the_reference_server() {
    let files = scenario_files(&[PathBuf::from("scenarios")]).expect("the corpus is readable");
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
    let output = Command::new(env!("CARGO_BIN_EXE_ocsp-harness"))
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
    assert!(stdout.ends_with(" passed, 0 failed\n"), "{stdout}");
}

#[test]
fn run_exits_1_with_a_diff_and_a_rerun_line_when_the_target_differs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("wrong.yaml");
    std::fs::write(
        &file,
        "id: demo::expects-revoked
title: The good responder is expected (wrongly) to say REVOKED
description: d
source: s
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
    assert!(
        stdout.contains(&format!("{path}:8  POST /v1/ocsp/test")),
        "{stdout}"
    );
    assert!(
        stdout.contains("status: expected 201, actual 200"),
        "{stdout}"
    );
    assert!(
        stdout.contains("body.cert_status: expected \"REVOKED\", actual \"GOOD\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("body.revocation_time: expected an IMF-fixdate, actual absent"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("re-run: ocsp-harness run {path}")),
        "{stdout}"
    );
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn run_exits_2_naming_the_file_line_and_column_of_a_broken_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, "id: demo::broken\ntitle: t\ndescription: d\nsource: s\nlevel: documented\nclock: 2026-03-01T12:00:00Z\nsteps:\n  - send: POST /v1/ocsp/test\n    as: root\n    expect: {status: 200}\n").expect("write");
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
