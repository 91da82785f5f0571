//! The HTML pages in headless Chromium (Debian's chromium package): the report of a run and
//! the comparison of two runs load with no console message and show the right counts and the
//! differences of a failure.
//!
//! Chromium is found through `CHROMIUM`, then `PATH`. Without it the test says so and passes,
//! unless `OCSP_HARNESS_REQUIRE_CHROMIUM` is set (CI sets it, so CI never skips it).

use std::path::Path;
use std::process::Command;

fn harness(args: &[&str]) -> std::process::Output {
    crate::harness()
        .current_dir(crate::workspace_root())
        .args(args)
        .output()
        .expect("runs")
}

/// The DOM after load, and the console lines Chromium logged.
fn load_in_chromium(chromium: &Path, page: &Path, profile: &Path) -> (String, Vec<String>) {
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(output.status.success(), "{output:?}");
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}

fn failing_scenario(dir: &Path) -> String {
    let file = dir.join("wrong.yaml");
    std::fs::write(
        &file,
        "id: demo::expects-revoked
title: The good responder is expected (wrongly) to say REVOKED <b>
description: d
rules: [get-config.ok]
level: reference
clock: 2026-03-01T12:00:00Z
steps:
  - send: POST /v1/ocsp/test
    as: admin
    expect: {status: 200, body: {cert_status: REVOKED}}
",
    )
    .expect("writes");
    file.to_str().expect("utf-8").to_owned()
}

#[test]
fn the_report_and_the_comparison_load_cleanly_with_the_right_counts() {
    let Some(chromium) = crate::program("chromium", "CHROMIUM") else {
        crate::not_run(
            "html_report::the_report_and_the_comparison_load_cleanly_with_the_right_counts",
            "chromium is not found (CHROMIUM, PATH): install Debian's chromium package",
            "OCSP_HARNESS_REQUIRE_CHROMIUM",
        );
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong = failing_scenario(dir.path());
    let passing = dir.path().join("passing");
    let failing = dir.path().join("failing");
    let good = "scenarios/test-endpoint/good.yaml";
    let revoked = "scenarios/test-endpoint/revoked-key-compromise.yaml";
    let first = harness(&[
        "run",
        good,
        revoked,
        "--report",
        passing.to_str().expect("utf-8"),
    ]);
    assert_eq!(first.status.code(), Some(0));
    let second = harness(&[
        "run",
        good,
        revoked,
        &wrong,
        "--report",
        failing.to_str().expect("utf-8"),
    ]);
    assert_eq!(second.status.code(), Some(1));

    let (dom, console) = load_in_chromium(
        &chromium,
        &failing.join("index.html"),
        &dir.path().join("p1"),
    );
    assert!(console.is_empty(), "{console:#?}");
    for expected in [
        "3 scenarios",
        "2 passed",
        "1 failed",
        "0 skipped",
        "<h2>demo</h2>",
        "<h2>test</h2>",
        "expected \"REVOKED\"",
        "actual   \"GOOD\"",
        "REVOKED &lt;b&gt;",
    ] {
        assert!(dom.contains(expected), "{expected:?} in the page");
    }
    assert_eq!(dom.matches("<tr class=\"row ").count(), 3);

    let page = dir.path().join("compare.html");
    let compare = harness(&[
        "report",
        "compare",
        passing.join("results.json").to_str().expect("utf-8"),
        failing.join("results.json").to_str().expect("utf-8"),
        "-o",
        page.to_str().expect("utf-8"),
    ]);
    assert!(compare.status.success(), "{compare:?}");
    let (dom, console) = load_in_chromium(&chromium, &page, &dir.path().join("p2"));
    assert!(console.is_empty(), "{console:#?}");
    for expected in [
        "3 scenarios",
        "2 runs",
        "1 differ",
        "<th>passing<br>",
        "<th>failing<br>",
        "2 passed, 0 failed",
        "2 passed, 1 failed",
    ] {
        assert!(dom.contains(expected), "{expected:?} in the page");
    }
    assert_eq!(dom.matches("class=\"row changed\"").count(), 1);
}

#[test]
fn compare_refuses_a_file_that_is_not_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, "{\"not\": \"results\"}").expect("writes");
    let output = harness(&[
        "report",
        "compare",
        bogus.to_str().expect("utf-8"),
        bogus.to_str().expect("utf-8"),
        "-o",
        dir.path().join("x.html").to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not the JSON results of a run"),
        "{stderr}"
    );
    assert!(!dir.path().join("x.html").exists());
}
