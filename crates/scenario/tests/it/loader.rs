//! Broken scenario files: each gives one error naming the file, line and column, and what was
//! expected there. Never a panic.

use std::path::Path;

use scenario::load_str;

const GOOD: &str = "id: test::good
title: t
description: d
rules: [get-config.ok]
level: documented
clock: 2026-03-01T12:00:00Z
steps:
  - send: POST /v1/ocsp/test
    as: admin
    expect: {status: 200}
";

fn error(text: &str) -> String {
    load_str(Path::new("scenarios/broken.yaml"), text)
        .err()
        .map(|error| error.to_string())
        .unwrap_or_else(|| "loaded without error".to_owned())
}

#[test]
fn a_good_file_loads() {
    let scenario = load_str(Path::new("scenarios/good.yaml"), GOOD).expect("loads");
    assert_eq!(scenario.id, "test::good");
    assert_eq!(scenario.steps.len(), 1);
    assert_eq!(scenario.steps[0].line, 8);
}

#[test]
fn broken_files_are_reported_with_file_line_and_column() {
    let cases = [
        ("not-yaml", "id: [unclosed\n".to_owned()),
        ("unknown-top-level-key", format!("{GOOD}bogus: 1\n")),
        (
            "missing-steps",
            GOOD.replace(
                "steps:\n  - send: POST /v1/ocsp/test\n    as: admin\n    expect: {status: 200}\n",
                "",
            ),
        ),
        (
            "bad-level",
            GOOD.replace("level: documented", "level: important"),
        ),
        ("bad-id", GOOD.replace("id: test::good", "id: Good Test")),
        (
            "bad-clock",
            GOOD.replace("clock: 2026-03-01T12:00:00Z", "clock: yesterday"),
        ),
        ("unknown-role", GOOD.replace("as: admin", "as: superuser")),
        (
            "unknown-rule",
            GOOD.replace(
                "rules: [get-config.ok]",
                "rules: [get-config.ok, no.such-rule]",
            ),
        ),
        (
            "no-rule",
            GOOD.replace("rules: [get-config.ok]", "rules: []"),
        ),
        (
            "firmer-than-its-rules",
            GOOD.replace(
                "rules: [get-config.ok]",
                "rules: [get-config.ok, get-status.empty]",
            ),
        ),
        (
            "versions-hold-for-nothing",
            GOOD.replace(
                "rules: [get-config.ok]",
                "rules: [certs.put]\nversions: {until: \"7.22\"}",
            ),
        ),
        (
            "bad-request-line",
            GOOD.replace("send: POST /v1/ocsp/test", "send: /v1/ocsp/test"),
        ),
        (
            "unknown-behaviour",
            GOOD.replace(
                "level: documented\n",
                "level: documented\nworld: {responder: goood}\n",
            ),
        ),
        (
            "bad-duration",
            GOOD.replace(
                "  - send: POST /v1/ocsp/test",
                "  - advance: soon\n  - send: POST /v1/ocsp/test",
            ),
        ),
        (
            "status-not-a-number",
            GOOD.replace("status: 200", "status: ok"),
        ),
        (
            "bad-matcher",
            GOOD.replace(
                "expect: {status: 200}",
                "expect: {status: 200, body: {x: {one_of: []}}}",
            ),
        ),
        (
            "unknown-step-key",
            GOOD.replace("    as: admin\n", "    as: admin\n    wait: 5\n"),
        ),
        (
            "two-actions-in-a-step",
            GOOD.replace(
                "  - send: POST /v1/ocsp/test",
                "  - advance: 1h\n    send: POST /v1/ocsp/test",
            ),
        ),
        (
            "send-without-expect",
            GOOD.replace("    expect: {status: 200}\n", ""),
        ),
        (
            "unknown-key-type",
            GOOD.replace(
                "level: documented\n",
                "level: documented\nworld: {key_type: dsa}\n",
            ),
        ),
        (
            "empty-step",
            GOOD.replace(
                "  - send: POST /v1/ocsp/test",
                "  - {}\n  - send: POST /v1/ocsp/test",
            ),
        ),
        (
            "expect-alone-checks-only-the-journal",
            GOOD.replace(
                "    expect: {status: 200}\n",
                "    expect: {status: 200}\n  - expect: {status: 200}\n",
            ),
        ),
        (
            "expect-alone-without-journal",
            GOOD.replace(
                "    expect: {status: 200}\n",
                "    expect: {status: 200}\n  - expect: {}\n",
            ),
        ),
        (
            "empty-journal",
            GOOD.replace(
                "expect: {status: 200}",
                "expect: {status: 200, journal: {}}",
            ),
        ),
        (
            "journal-method",
            GOOD.replace(
                "expect: {status: 200}",
                "expect: {status: 200, journal: {method: PUT}}",
            ),
        ),
        (
            "journal-hash-algorithm",
            GOOD.replace(
                "expect: {status: 200}",
                "expect: {status: 200, journal: {hash_algorithm: sha3}}",
            ),
        ),
        (
            "journal-cert-role",
            GOOD.replace(
                "expect: {status: 200}",
                "expect: {status: 200, journal: {cert: leaf}}",
            ),
        ),
        (
            "expect-without-status",
            GOOD.replace("expect: {status: 200}", "expect: {body: {}}"),
        ),
    ];
    let report: String = cases
        .iter()
        .map(|(name, text)| format!("{name}:\n  {}\n", error(text)))
        .collect();
    insta::assert_snapshot!(report);
}
