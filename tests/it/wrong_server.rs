//! The runner catches a wrong implementation. A deliberately wrong server (the reference server
//! behind a proxy that breaks one rule) runs the scenarios that should catch that defect and
//! one that should not notice it: the first fails with exactly the expected differences, the
//! second passes, and the run exits 1.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use ocsp_harness::contract::{ManagementRole, User, Users};
use ocsp_harness::reference::{DEFAULT_NODES, ReferenceOptions, ReferenceServer, ServerClock};
use ocsp_harness::responder::Behaviour;

/// One broken rule.
#[derive(Debug, Clone, Copy)]
enum Defect {
    /// 403 answered as 401.
    WrongStatus,
    /// `invalid_schema` answered as `bad_request`.
    WrongErrorCode,
    /// The status object without `responder_url`.
    MissingField,
    /// `produced_at` in RFC 3339 instead of IMF-fixdate.
    BadDateFormat,
    /// A response that failed verification reported GOOD.
    ForgedGood,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    defect: Defect,
}

async fn forward(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    let mut request = proxy
        .http
        .request(method.clone(), format!("{}{path}", proxy.upstream))
        .body(body);
    for name in ["authorization", "content-type", "accept"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let mut status = answer.status();
    let bytes = answer.bytes().await.unwrap_or_default();
    let mut body: Option<Value> = serde_json::from_slice(&bytes).ok();
    let is_test = method == Method::POST && path == "/v1/ocsp/test";
    match (proxy.defect, body.as_mut()) {
        (Defect::WrongStatus, _) if status == StatusCode::FORBIDDEN => {
            status = StatusCode::UNAUTHORIZED;
        }
        (Defect::WrongErrorCode, Some(body)) if body["error_code"] == "invalid_schema" => {
            body["error_code"] = json!("bad_request");
        }
        (Defect::MissingField, Some(Value::Object(fields))) if is_test => {
            fields.remove("responder_url");
        }
        (Defect::BadDateFormat, Some(body)) if is_test && body["produced_at"].is_string() => {
            let text = body["produced_at"].as_str().unwrap_or_default();
            let parsed =
                ocsp_harness::contract::parse_imf_fixdate(text).expect("an IMF-fixdate upstream");
            body["produced_at"] = json!(
                parsed
                    .format(&time::format_description::well_known::Rfc3339)
                    .expect("formats")
            );
        }
        (Defect::ForgedGood, Some(body))
            if is_test && body["error_code"] == "invalid_ocsp_response" =>
        {
            status = StatusCode::OK;
            let now = ocsp_harness::contract::imf_fixdate(time::OffsetDateTime::now_utc());
            *body = json!({
                "responder_url": "http://forged.invalid/",
                "cert_status": "GOOD",
                "produced_at": now,
                "this_update": now,
            });
        }
        _ => {}
    }
    let bytes = body.map_or(bytes.to_vec(), |body| body.to_string().into_bytes());
    (status, [("content-type", "application/json")], bytes).into_response()
}

/// The wrong server: the reference server on the machine's clock, behind the breaking proxy.
struct WrongServer {
    url: String,
    _upstream: ReferenceServer,
    _runtime: tokio::runtime::Runtime,
}

fn wrong_server(defect: Defect) -> WrongServer {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (upstream, url) = runtime.block_on(async {
        let upstream = ReferenceServer::start(ReferenceOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            users: Users::new(vec![
                User {
                    role: ManagementRole::Admin,
                    username: "adm".to_owned(),
                    password: "adm-pw".to_owned(),
                },
                User {
                    role: ManagementRole::ClusterViewer,
                    username: "cv".to_owned(),
                    password: "cv-pw".to_owned(),
                },
                User {
                    role: ManagementRole::None,
                    username: "no".to_owned(),
                    password: "no-pw".to_owned(),
                },
            ]),
            state_hooks: true,
            clock: ServerClock::System,
            key_type: ocsp_harness::pki::KeyType::P256,
            keys: ocsp_harness::pki::KeySource::Shared,
            nodes: DEFAULT_NODES,
            responder_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            behaviour: Behaviour::default(),
            ..ReferenceOptions::embedded(time::OffsetDateTime::UNIX_EPOCH)
        })
        .await
        .expect("the upstream starts");
        let proxy = Arc::new(Proxy {
            upstream: upstream.url().to_owned(),
            // Forwards what upstream says, redirects included, as it says it.
            http: ocsp_harness::client::careful_http_client()
                .build()
                .expect("client"),
            defect,
        });
        let app = axum::Router::new().fallback(forward).with_state(proxy);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (upstream, url)
    });
    WrongServer {
        url,
        _upstream: upstream,
        _runtime: runtime,
    }
}

/// Runs `files` against a server with `defect`; returns the exit code and the results by id.
fn run_against(defect: Defect, files: &[&str]) -> (Option<i32>, Vec<Value>) {
    let server = wrong_server(defect);
    let state_url = format!("{}/_harness", server.url);
    let output = crate::harness()
        .current_dir(crate::workspace_root())
        .arg("run")
        .args(files)
        .args(["--format", "json", "--target", &server.url])
        .args(["--state-url", &state_url, "--allow-certificate-change"])
        .env("OCSP_HARNESS_TARGET_USER", "adm")
        .env("OCSP_HARNESS_TARGET_PASSWORD", "adm-pw")
        .env(
            "OCSP_HARNESS_TARGET_ROLE_USERS",
            "cluster_viewer=cv:cv-pw,none=no:no-pw",
        )
        .output()
        .expect("run runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let results = report["results"].as_array().cloned().unwrap_or_else(|| {
        panic!(
            "no results: {report:#}{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), results)
}

/// `(line, path, actual)` of each mismatch of the scenario `id`, which must have failed.
fn mismatches(results: &[Value], id: &str) -> Vec<(u64, String, String)> {
    let result = results
        .iter()
        .find(|result| result["id"] == id)
        .unwrap_or_else(|| panic!("{id} ran: {results:#?}"));
    assert_eq!(result["verdict"], "failed", "{result:#}");
    result["mismatches"]
        .as_array()
        .expect("mismatches")
        .iter()
        .map(|mismatch| {
            (
                mismatch["line"].as_u64().expect("line"),
                mismatch["path"].as_str().expect("path").to_owned(),
                mismatch["actual"].as_str().expect("actual").to_owned(),
            )
        })
        .collect()
}

fn assert_passed(results: &[Value], id: &str) {
    let result = results
        .iter()
        .find(|result| result["id"] == id)
        .unwrap_or_else(|| panic!("{id} ran: {results:#?}"));
    assert_eq!(result["verdict"], "passed", "{result:#}");
}

fn triple(line: u64, path: &str, actual: &str) -> (u64, String, String) {
    (line, path.to_owned(), actual.to_owned())
}

#[test]
fn a_wrong_status_fails_the_role_scenario() {
    let (code, results) = run_against(
        Defect::WrongStatus,
        &[
            "scenarios/auth/viewer-forbidden.yaml",
            "scenarios/test-endpoint/good.yaml",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        mismatches(&results, "auth::viewer-forbidden"),
        [triple(9, "status", "401"), triple(12, "status", "401")]
    );
    assert_passed(&results, "test::good");
}

#[test]
fn a_wrong_error_code_fails_the_range_scenario() {
    let (code, results) = run_against(
        Defect::WrongErrorCode,
        &[
            "scenarios/configuration/query-frequency-range.yaml",
            "scenarios/test-endpoint/good.yaml",
        ],
    );
    assert_eq!(code, Some(1));
    let bad = "\"bad_request\"";
    assert_eq!(
        mismatches(&results, "config::query-frequency-range"),
        [
            triple(17, "body.error_code", bad),
            triple(21, "body.error_code", bad),
            triple(25, "body.error_code", bad)
        ]
    );
    assert_passed(&results, "test::good");
}

#[test]
fn a_missing_field_fails_the_status_object_scenario() {
    let (code, results) = run_against(
        Defect::MissingField,
        &[
            "scenarios/test-endpoint/good.yaml",
            "scenarios/configuration/defaults.yaml",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        mismatches(&results, "test::good"),
        [triple(13, "body.responder_url", "absent")]
    );
    assert_passed(&results, "config::defaults");
}

#[test]
fn a_bad_date_format_fails_the_status_object_scenario() {
    let (code, results) = run_against(
        Defect::BadDateFormat,
        &[
            "scenarios/test-endpoint/good.yaml",
            "scenarios/auth/wrong-credentials.yaml",
        ],
    );
    assert_eq!(code, Some(1));
    let found = mismatches(&results, "test::good");
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, path, actual) = &found[0];
    assert_eq!((*line, path.as_str()), (13, "body.produced_at"));
    assert!(
        actual.starts_with("\"20") && actual.ends_with("Z\""),
        "{actual}"
    );
    assert_passed(&results, "auth::wrong-credentials");
}

#[test]
fn a_forged_response_reported_good_fails_the_signature_scenario() {
    let (code, results) = run_against(
        Defect::ForgedGood,
        &[
            "scenarios/ocsp-responses/forged-signature.yaml",
            "scenarios/ocsp-responses/delegated-responder.yaml",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        mismatches(&results, "ocsp::forged-signature"),
        [
            triple(11, "status", "200"),
            triple(11, "body.error_code", "absent"),
            triple(11, "body.cert_status", "\"GOOD\"")
        ]
    );
    assert_passed(&results, "ocsp::delegated-responder");
}
