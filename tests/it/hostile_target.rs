//! Remote mode against hostile targets: one that never answers, one slower than the request
//! timeout, one that sends a huge body, one that sends invalid JSON. Each is reported for its
//! scenario (an error, or a failure with the body's start), the run carries on to the next,
//! and the whole run ends within a bound set by `--request-timeout`.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Query;
use axum::routing::{get, post, put};
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
struct Mode {
    mode: String,
}

async fn test(Query(Mode { mode }): Query<Mode>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match mode.as_str() {
        "hang" => std::future::pending().await,
        "slow" => {
            // The hostile side may sleep for real: it is the target, not the code under test.
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late".into_response()
        }
        "huge" => {
            let chunk = vec![b' '; 1 << 20];
            let body = futures_util::stream::iter(
                (0..64).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
            );
            Body::from_stream(body).into_response()
        }
        "garbage" => (
            [("content-type", "application/json")],
            "{\"cert_status\": GOOD",
        )
            .into_response(),
        _ => axum::Json(json!({
            "responder_url": "http://127.0.0.1:1/",
            "cert_status": "GOOD",
            "produced_at": "Sun, 01 Mar 2026 12:00:00 GMT",
            "this_update": "Sun, 01 Mar 2026 12:00:00 GMT",
        }))
        .into_response(),
    }
}

fn config() -> Value {
    json!({
        "ocsp_functionality": false, "query_frequency": 3600, "recovery_frequency": 60,
        "recovery_max_tries": 5, "response_timeout": 1, "responder_url": "",
    })
}

/// A target that answers the setup (configuration, certificate) like a cluster, and the test
/// endpoint as `?mode=` says; or, with `hang_setup`, never answers at all.
fn start_target(hang_setup: bool) -> (String, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let url = runtime.block_on(async move {
        let app = if hang_setup {
            Router::new().fallback(std::future::pending::<()>)
        } else {
            Router::new()
                .route("/v1/ocsp", get(|| async { axum::Json(config()) }))
                .route("/v1/ocsp", put(|| async { axum::Json(config()) }))
                // A target of before 7.22.2: update_cert, no PUT /v1/cluster/certificates;
                // it shows its proxy certificate and key, which a run may then replace.
                .route(
                    "/v1/cluster/update_cert",
                    put(|| async { axum::Json(json!({})) }),
                )
                .route(
                    "/v1/cluster/certificates",
                    get(|| async { axum::Json(json!({"proxy_cert": "C", "proxy_key": "K"})) }),
                )
                .route("/v1/ocsp/test", post(test))
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    });
    (url, runtime)
}

/// Runs the harness, killing it if it outlives `limit` (a guard against a hang, far above
/// what the run needs).
fn run_bounded(args: &[&str], limit: Duration) -> Output {
    let mut child = crate::harness()
        .args(args)
        .env("OCSP_HARNESS_TARGET_USER", "admin")
        .env("OCSP_HARNESS_TARGET_PASSWORD", "pw")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let started = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the run did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn scenario(dir: &std::path::Path, name: &str) {
    let text = format!(
        "id: hostile::{name}
title: t
description: d
rules: [get-config.ok]
level: documented
clock: 2026-03-01T12:00:00Z
steps:
  - send: POST /v1/ocsp/test?mode={name}
    as: admin
    expect: {{status: 200, body: {{cert_status: GOOD}}}}
"
    );
    std::fs::write(dir.join(format!("{name}.yaml")), text).expect("writes");
}

#[test]
fn each_hostile_answer_is_reported_for_its_scenario_and_the_run_carries_on() {
    let (url, _runtime) = start_target(false);
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["garbage", "hang", "huge", "slow", "well-behaved"] {
        scenario(dir.path(), name);
    }
    let output = run_bounded(
        &[
            "run",
            dir.path().to_str().expect("utf-8"),
            "--target",
            &url,
            "--request-timeout",
            "1",
            "--allow-certificate-change",
            "--format",
            "json",
        ],
        Duration::from_secs(120),
    );
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    let results = report["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(output.status.code(), Some(1));
    // The target has no PUT /v1/cluster/certificates: the report says how it was installed.
    assert_eq!(
        report["run"]["notes"],
        serde_json::json!([
            "the proxy certificate was installed through PUT /v1/cluster/update_cert: the target has no PUT /v1/cluster/certificates"
        ]),
        "{report:#}"
    );
    let by_id = |id: &str| {
        results
            .iter()
            .find(|result| result["id"] == format!("hostile::{id}"))
            .unwrap_or_else(|| panic!("{id} in {results:#?}"))
            .clone()
    };
    for (id, fragment) in [
        ("hang", "operation timed out"),
        ("slow", "operation timed out"),
        ("huge", "larger than 4194304 bytes"),
    ] {
        let result = by_id(id);
        assert_eq!(result["verdict"], "error", "{result:#}");
        let message = result["message"].as_str().expect("message");
        assert!(message.contains(fragment), "{id}: {message}");
        assert!(
            result["duration_ms"].as_u64().expect("ms") < 20_000,
            "{id} is bounded by the request timeout: {result:#}"
        );
    }
    let garbage = by_id("garbage");
    assert_eq!(garbage["verdict"], "failed", "{garbage:#}");
    assert_eq!(garbage["mismatches"][0]["path"], "body");
    assert_eq!(
        garbage["mismatches"][0]["actual"],
        "\"{\\\"cert_status\\\": GOOD\""
    );
    assert_eq!(by_id("well-behaved")["verdict"], "passed");
}

#[test]
fn a_target_that_never_answers_is_unreachable_after_the_request_timeout() {
    let (url, _runtime) = start_target(true);
    let output = run_bounded(
        &[
            "run",
            "scenarios/test-endpoint/good.yaml",
            "--target",
            &url,
            "--request-timeout",
            "1",
        ],
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("is unreachable") && stderr.contains("timed out"),
        "{stderr}"
    );
}
