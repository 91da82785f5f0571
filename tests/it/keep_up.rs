//! `run --keep-up ID`: the world of one scenario stays up, and the curl lines it prints for the
//! scenario's steps get the answers the scenario expects.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Starts `run --keep-up id`, returns the curl lines it printed for send steps, runs `check`
/// with them, then interrupts it and checks that it exits cleanly.
fn with_kept_world(id: &str, check: impl FnOnce(&[String])) {
    let mut child = crate::harness()
        .current_dir(crate::workspace_root())
        .args(["run", "--keep-up", id])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("reads");
        assert!(read > 0, "ended early: {lines:?}");
        let done = line.starts_with("up until interrupted");
        lines.push(line);
        if done {
            break;
        }
    }
    assert!(lines[0].starts_with(id), "{lines:?}");
    let curls: Vec<String> = lines
        .iter()
        .filter_map(|line| line.trim().split_once(": curl "))
        .map(|(_, rest)| format!("curl -s {rest}"))
        .collect();
    check(&curls);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let output = child.wait_with_output().expect("exits");
    assert!(output.status.success(), "{output:?}");
}

fn sh(command: &str) -> serde_json::Value {
    let output = Command::new("sh")
        .args(["-c", command])
        .output()
        .expect("sh runs");
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {command}: {output:?}"))
}

#[test]
fn the_printed_curl_line_gets_the_scenarios_answer() {
    with_kept_world("test::good", |curls| {
        assert_eq!(curls.len(), 1, "{curls:?}");
        let body = sh(&curls[0]);
        assert_eq!(body["cert_status"], "GOOD", "{body}");
        assert_eq!(
            body["produced_at"], "Sun, 01 Mar 2026 12:00:00 GMT",
            "the scenario's clock"
        );
    });
}

#[test]
fn a_wait_inside_a_request_is_jumped_over() {
    // The responder answers after 2 s, response_timeout is 1 s: on the virtual clock, the
    // answer is 500 ocsp_query_failed at once.
    with_kept_world("transport::slower-than-timeout", |curls| {
        let test = curls
            .iter()
            .find(|line| line.contains("/v1/ocsp/test"))
            .expect("a test request");
        let body = sh(test);
        assert_eq!(body["error_code"], "ocsp_query_failed", "{body}");
        // The world's clock moved past the timeout (and perhaps the delay): virtual time.
        let ca = test
            .split_whitespace()
            .skip_while(|word| *word != "--cacert")
            .nth(1)
            .expect("a CA file");
        let url = test
            .split_whitespace()
            .last()
            .expect("a URL")
            .trim_matches('\'')
            .replace("/v1/ocsp/test", "/_harness/state");
        let state = sh(&format!("curl -s --cacert {ca} {url}"));
        let now = state["clock"]["now"].as_str().expect("the clock");
        assert!(
            ["2026-03-01T12:00:01Z", "2026-03-01T12:00:02Z"].contains(&now),
            "{state}"
        );
    });
}

#[test]
fn an_unknown_id_is_a_one_line_error() {
    let output = crate::harness()
        .current_dir(crate::workspace_root())
        .args(["run", "--keep-up", "test::nope"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("no scenario has the id \"test::nope\""),
        "{stderr}"
    );
}

#[test]
fn a_kept_world_has_serves_limits_and_clean_refusals_over_http2() {
    with_kept_world("test::good", |curls| {
        let line = &curls[0];
        // The printed line without its method and URL: the CA and the credentials.
        let (options, url) = line.rsplit_once(' ').expect("a URL");
        let options = options.replace("-X POST", "");
        let base = url.trim_matches('\'').replace("/v1/ocsp/test", "");
        let body = tempfile::NamedTempFile::new().expect("a temporary file");
        std::fs::write(body.path(), vec![b' '; 3 * 1024 * 1024]).expect("writes");
        let data = body.path().display();
        for (method, path, status, code) in [
            ("PUT", "/v1/ocsp", 413, "payload_too_large"),
            ("POST", "/v1/nope", 404, "not_found"),
        ] {
            let answer = sh(&format!(
                "{options} -S --http2 -X {method} -H 'content-type: application/json' \
                 --data-binary @{data} -w '{{\"status\": %{{http_code}}, \"version\": \"%{{http_version}}\"}}' \
                 -o /dev/null '{base}{path}'"
            ));
            assert_eq!(answer["status"], status, "{method} {path}");
            assert_eq!(answer["version"], "2", "{method} {path}");
            let body = sh(&format!(
                "{options} --http2 -X {method} -H 'content-type: application/json' \
                 --data-binary @{data} '{base}{path}'"
            ));
            assert_eq!(body["error_code"], code, "{method} {path}");
        }
    });
}
