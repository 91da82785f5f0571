//! The reference server over real HTTPS: every table of the contract (docs/contract.md), every role against every
//! endpoint, credentials, the cache, the queue limit and the polling timeline on a virtual
//! clock. Bodies are pinned with insta snapshots (dates checked as IMF-fixdate, then redacted).

use std::sync::Arc;

use clock::{Clock, VirtualClock};
use contract::ManagementRole;
use contract::is_imf_fixdate;
use pki::Role;
use reference::{ReferenceOptions, ReferenceServer};
use reqwest::Method;
use responder::behaviour_named;
use serde_json::{Value, json};
use time::Duration;
use time::macros::datetime;

struct World {
    server: ReferenceServer,
    clock: VirtualClock,
    http: reqwest::Client,
}

struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

impl Answer {
    /// Asserts an error answer: its status, its `error_code`, and `message` and `description`
    /// both present and equal.
    fn expect_error(&self, status: u16, code: &str, context: &str) {
        assert_eq!(
            (self.status, self.body["error_code"].as_str()),
            (status, Some(code)),
            "{context} {}",
            self.body
        );
        assert_eq!(self.body["message"], self.body["description"], "{context}");
        assert!(self.body["message"].is_string(), "{context}");
    }
}

async fn world() -> World {
    let options = ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC));
    let server = ReferenceServer::start(options).await.expect("starts");
    let clock = server.virtual_clock().expect("virtual").clone();
    let http = server.http_client().expect("client");
    World {
        server,
        clock,
        http,
    }
}

impl World {
    fn password(&self, role: ManagementRole) -> String {
        self.server
            .users()
            .with_role(role)
            .expect("user")
            .password
            .clone()
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.server.url()))
    }

    async fn call(
        &self,
        role: Option<ManagementRole>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.request(method, path);
        if let Some(role) = role {
            request = request.basic_auth(role.name(), Some(self.password(role)));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call(Some(ManagementRole::Admin), method, path, body)
            .await
    }

    /// Sends while driving the virtual clock, so that waits on it (a stalled queue, a slow
    /// responder) take no real time.
    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = self.clock.drive(request.send()).await.expect("answered");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Answer {
            status,
            content_type,
            body,
        }
    }

    async fn state(&self, method: Method, path: &str, body: Value) -> Value {
        let answer = self.send(self.request(method, path).json(&body)).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.body
    }

    fn install(&self, role: Role) -> Value {
        json!({
            "name": "proxy",
            "certificate": self.server.pki().chain_pem(role),
            "key": self.server.pki().cert(role).key_pem(),
        })
    }

    fn behave(&self, name: &str) {
        self.server
            .responder()
            .set_behaviour(behaviour_named(name).expect("named"));
    }
}

/// Checks that every date field is an IMF-fixdate, then replaces it (and the port of the
/// responder URL) so that snapshots are stable.
fn redact(mut body: Value) -> Value {
    if let Value::Object(fields) = &mut body {
        for (name, value) in fields.iter_mut() {
            if [
                "produced_at",
                "this_update",
                "next_update",
                "revocation_time",
            ]
            .contains(&name.as_str())
            {
                let text = value.as_str().expect("dates are strings");
                assert!(is_imf_fixdate(text), "{name} is not an IMF-fixdate: {text}");
                *value = Value::String("[IMF-fixdate]".into());
            }
            if name == "responder_url"
                && value
                    .as_str()
                    .is_some_and(|url| url.starts_with("http://127.0.0.1:"))
            {
                *value = Value::String("http://127.0.0.1:[port]/".into());
            }
        }
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_against_every_endpoint() {
    let world = world().await;
    let endpoints: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/v1/ocsp", None),
        (
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"query_frequency": 3600})),
        ),
        (Method::GET, "/v1/ocsp/status", None),
        (Method::POST, "/v1/ocsp/test", None),
        (
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(world.install(Role::Proxy)),
        ),
        (
            Method::PUT,
            "/v1/cluster/certificates",
            Some(json!({"certificates": [world.install(Role::Proxy)]})),
        ),
    ];
    let mut forbidden = None;
    for role in ManagementRole::ALL {
        for (method, path, body) in &endpoints {
            let answer = world
                .call(Some(role), method.clone(), path, body.clone())
                .await;
            let expected = if role == ManagementRole::Admin {
                200
            } else {
                403
            };
            assert_eq!(
                answer.status, expected,
                "{role} {method} {path}: {}",
                answer.body
            );
            assert_eq!(
                answer.content_type, "application/json",
                "{role} {method} {path}"
            );
            if answer.status == 403 {
                assert_eq!(answer.body["error_code"], "insufficient_permissions");
                forbidden.get_or_insert(answer.body);
            }
        }
    }
    insta::assert_json_snapshot!("forbidden", forbidden.expect("some 403"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_wrong_and_malformed_credentials_get_401() {
    let world = world().await;
    let admin = world.password(ManagementRole::Admin);
    for (method, path) in [
        (Method::GET, "/v1/ocsp"),
        (Method::PUT, "/v1/ocsp"),
        (Method::GET, "/v1/ocsp/status"),
        (Method::POST, "/v1/ocsp/test"),
        (Method::PUT, "/v1/cluster/update_cert"),
        (Method::PUT, "/v1/cluster/certificates"),
    ] {
        let requests = [
            world.request(method.clone(), path),
            world
                .request(method.clone(), path)
                .basic_auth("admin", Some("wrong")),
            world
                .request(method.clone(), path)
                .basic_auth("nobody", Some(&admin)),
            world
                .request(method.clone(), path)
                .header("authorization", "Bearer token"),
            world
                .request(method.clone(), path)
                .header("authorization", "Basic %%%"),
        ];
        for request in requests {
            let response = world.clock.drive(request.send()).await.expect("answered");
            assert_eq!(response.status(), 401, "{method} {path}");
            assert_eq!(
                response.headers()["www-authenticate"],
                "Basic realm=\"ocsp-harness\""
            );
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error_code"], "unauthorized");
        }
    }
    let answer = world.call(None, Method::GET, "/v1/ocsp", None).await;
    insta::assert_json_snapshot!("unauthorized", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_object_and_its_updates() {
    let world = world().await;
    let answer = world.admin(Method::GET, "/v1/ocsp", None).await;
    assert_eq!(answer.status, 200);
    insta::assert_json_snapshot!("config-default", redact(answer.body));

    let answer = world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"recovery_max_tries": 7})),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["recovery_max_tries"], 7);
    assert_eq!(answer.body["query_frequency"], 3600, "left out, kept");

    for (field, min, max) in [
        ("query_frequency", 60, 86400),
        ("recovery_frequency", 60, 86400),
        ("recovery_max_tries", 1, 100),
        ("response_timeout", 1, 60),
    ] {
        for value in [min, max] {
            let answer = world
                .admin(Method::PUT, "/v1/ocsp", Some(json!({ field: value })))
                .await;
            assert_eq!(answer.status, 200, "{field}={value}: {}", answer.body);
            assert_eq!(answer.body[field], value);
        }
        for value in [
            json!(min - 1),
            json!(max + 1),
            json!("60"),
            json!(60.5),
            json!(null),
        ] {
            let answer = world
                .admin(Method::PUT, "/v1/ocsp", Some(json!({ field: value })))
                .await;
            assert_eq!(answer.status, 400, "{field}={value}");
            assert_eq!(
                answer.body["error_code"], "invalid_schema",
                "{field}={value}"
            );
        }
    }
    for body in [
        json!({"unknown": 1}),
        json!({"responder_url": "http://x/"}),
        json!([]),
        json!("x"),
        json!({"ocsp_functionality": "yes"}),
    ] {
        let answer = world
            .admin(Method::PUT, "/v1/ocsp", Some(body.clone()))
            .await;
        answer.expect_error(400, "invalid_schema", &body.to_string());
    }
    let answer = world
        .admin(Method::PUT, "/v1/ocsp", Some(json!({"bogus": true})))
        .await;
    insta::assert_json_snapshot!("config-unknown-field", answer.body);

    // A body that is not declared JSON is a bad header; none at all is a bad schema.
    let request = world
        .request(Method::PUT, "/v1/ocsp")
        .basic_auth("admin", Some(world.password(ManagementRole::Admin)))
        .header("content-type", "text/plain")
        .body("{}");
    let answer = world.send(request).await;
    answer.expect_error(400, "invalid_header", "");
    let answer = world.admin(Method::PUT, "/v1/ocsp", None).await;
    answer.expect_error(400, "invalid_schema", "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_ocsp_on_needs_a_responder_url() {
    let world = world().await;
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(world.install(Role::ProxyNoAia)),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let config = world.admin(Method::GET, "/v1/ocsp", None).await;
    assert_eq!(config.body["responder_url"], "");
    let answer = world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": true})),
        )
        .await;
    assert_eq!(answer.status, 400);
    insta::assert_json_snapshot!("config-no-responder-url", answer.body);
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    answer.expect_error(500, "no_responder_url", "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_without_the_capability_makes_every_ocsp_endpoint_406() {
    let world = world().await;
    world
        .state(Method::PUT, "/_harness/nodes/1", json!({"ocsp": false}))
        .await;
    for (method, path, body) in [
        (Method::GET, "/v1/ocsp", None),
        (Method::PUT, "/v1/ocsp", Some(json!({}))),
        (Method::GET, "/v1/ocsp/status", None),
        (Method::POST, "/v1/ocsp/test", None),
    ] {
        let answer = world.admin(method.clone(), path, body).await;
        assert_eq!(answer.status, 406, "{method} {path}");
        assert_eq!(answer.body["error_code"], "ocsp_unsupported_by_capability");
    }
    // Credentials and permissions are checked first.
    let answer = world
        .call(
            Some(ManagementRole::DbViewer),
            Method::GET,
            "/v1/ocsp",
            None,
        )
        .await;
    assert_eq!(answer.status, 403);
    let answer = world.admin(Method::GET, "/v1/ocsp", None).await;
    insta::assert_json_snapshot!("unsupported-by-capability", answer.body);
    // The certificate endpoints do not need the capability.
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(world.install(Role::Proxy)),
        )
        .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_endpoint_reports_each_status() {
    let world = world().await;
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["responder_url"], world.server.responder().url());
    insta::assert_json_snapshot!("test-good", redact(answer.body));

    world.behave("revoked-key-compromise");
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    assert_eq!(
        answer.body["revocation_time"],
        "Sun, 01 Mar 2026 11:00:00 GMT"
    );
    insta::assert_json_snapshot!("test-revoked", redact(answer.body));

    world.behave("unknown");
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    insta::assert_json_snapshot!("test-unknown", redact(answer.body));

    world.behave("no-next-update");
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.get("next_update").is_none(), "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_endpoint_takes_no_body_null_or_any_object_and_a_body_declares_its_type() {
    let world = world().await;
    let password = world.password(ManagementRole::Admin);
    let post = || {
        world
            .request(Method::POST, "/v1/ocsp/test")
            .basic_auth("admin", Some(&password))
    };
    for request in [
        post(),
        post().header("content-type", "application/json").body("{}"),
        post()
            .header("content-type", "application/json")
            .body("null"),
        post()
            .header("content-type", "application/json")
            .body("{\"x\":1}"),
    ] {
        let answer = world.send(request).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    for body in ["[]", "nonsense", "1"] {
        let answer = world
            .send(post().header("content-type", "application/json").body(body))
            .await;
        answer.expect_error(400, "invalid_schema", body);
    }
    // A body without its Content-Type (reference: http.content-type-missing).
    let answer = world.send(post().body("{}")).await;
    answer.expect_error(400, "invalid_header", "Content-Type");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_and_missing_answers_and_a_stalled_queue_are_500s() {
    let world = world().await;
    for (behaviour, code) in [
        ("signature-corrupted", "invalid_ocsp_response"),
        ("html-page", "invalid_ocsp_response"),
        ("status-try-later", "invalid_ocsp_response"),
        ("slower-than-timeout", "ocsp_query_failed"),
        ("close-without-answer", "ocsp_query_failed"),
    ] {
        world.behave(behaviour);
        let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
        answer.expect_error(500, code, behaviour);
        if behaviour == "signature-corrupted" {
            insta::assert_json_snapshot!("test-invalid", answer.body);
        }
    }
    world.behave("good");
    world
        .state(Method::PUT, "/_harness/queue", json!({"stalled": true}))
        .await;
    let before = world.clock.now();
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    assert_eq!(
        world.clock.now() - before,
        Duration::seconds(5),
        "the limit is five seconds"
    );
    insta::assert_json_snapshot!("test-queued-too-long", answer.body);
    world
        .state(Method::PUT, "/_harness/queue", json!({"stalled": false}))
        .await;
    let answer = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_cached_only_with_ocsp_on() {
    let world = world().await;
    let empty = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!((empty.status, &empty.body), (200, &json!({})));
    world.admin(Method::POST, "/v1/ocsp/test", None).await;
    let still = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!(still.body, json!({}), "not cached with OCSP off");

    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": true})),
        )
        .await;
    world.server.cluster().wait_for_polls(1).await;
    let cached = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!(cached.body["cert_status"], "GOOD");

    world.behave("revoked");
    let tested = world.admin(Method::POST, "/v1/ocsp/test", None).await;
    let cached = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!(
        cached.body, tested.body,
        "the test result is what is cached"
    );

    world.behave("random-bytes");
    world.admin(Method::POST, "/v1/ocsp/test", None).await;
    let cached = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    cached.expect_error(500, "invalid_ocsp_response", "");

    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": false})),
        )
        .await;
    let cleared = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!(cleared.body, json!({}), "turning OCSP off clears the cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_of_polling_then_recovery_on_the_virtual_clock() {
    let world = world().await;
    let cluster = Arc::clone(world.server.cluster());
    let start = world.clock.now();
    let journal = || world.server.responder().journal().total();
    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": true})),
        )
        .await;
    cluster.wait_for_polls(1).await;
    assert_eq!(journal(), 1, "turning OCSP on polls at once");
    assert_eq!(
        cluster.poll_plan().next_poll,
        Some(start + Duration::hours(1))
    );

    world.clock.set(start + Duration::hours(1));
    cluster.wait_for_polls(2).await;
    assert_eq!(journal(), 2);

    // A failing responder: recovery polls every 60 s, five of them, then back to an hour.
    world.behave("signature-corrupted");
    let mut polls = 2;
    let mut at = start + Duration::hours(2);
    world.clock.set(at);
    polls += 1;
    cluster.wait_for_polls(polls).await;
    for try_number in 1..=5 {
        assert_eq!(cluster.poll_plan().recovery_tries, try_number);
        assert!(!cluster.poll_plan().invalidated, "tries are left");
        assert_eq!(
            cluster.poll_plan().next_poll,
            Some(at + Duration::seconds(60))
        );
        at += Duration::seconds(60);
        world.clock.set(at);
        polls += 1;
        cluster.wait_for_polls(polls).await;
    }
    assert_eq!(cluster.poll_plan().recovery_tries, 0);
    assert_eq!(cluster.poll_plan().next_poll, Some(at + Duration::hours(1)));
    assert!(
        cluster.poll_plan().invalidated,
        "the last try spent without a valid staple invalidates the certificate"
    );
    assert_eq!(journal(), 2 + 1 + 5);
    let cached = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!(cached.body["error_code"], "invalid_ocsp_response");
    let state = world
        .state(Method::GET, "/_harness/state", json!(null))
        .await;
    assert_eq!(state["poll"]["invalidated"], true, "{state}");

    // Still invalid an hour later: recovery starts over and the certificate stays invalidated;
    // a valid staple clears it.
    at += Duration::hours(1);
    world.clock.set(at);
    polls += 1;
    cluster.wait_for_polls(polls).await;
    assert_eq!(cluster.poll_plan().recovery_tries, 1);
    assert!(cluster.poll_plan().invalidated);
    world.behave("good");
    at += Duration::seconds(60);
    world.clock.set(at);
    polls += 1;
    cluster.wait_for_polls(polls).await;
    assert!(!cluster.poll_plan().invalidated);
    assert_eq!(cluster.poll_plan().next_poll, Some(at + Duration::hours(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_state_advances_through_every_poll_on_the_way() {
    let world = world().await;
    let journal = || world.server.responder().journal().total();
    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": true, "recovery_frequency": 60, "recovery_max_tries": 3})),
        )
        .await;
    world.server.cluster().wait_for_polls(1).await;
    world.behave("http-500");
    // One move of an hour and three minutes: the hourly poll fails, then three recovery
    // polls a minute apart, each at its own time; a single jump would have polled once.
    let moved = world
        .state(Method::PUT, "/_harness/clock", json!({"advance": 3780}))
        .await;
    assert_eq!(moved["now"], "2026-03-01T13:03:00Z", "{moved}");
    assert_eq!(journal(), 1 + 1 + 3);
    assert_eq!(world.server.cluster().poll_plan().recovery_tries, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_install_through_both_endpoints_and_bad_ones_are_400() {
    let world = world().await;
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/certificates",
            Some(json!({"certificates": [world.install(Role::ProxyNoAia)]})),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        world.admin(Method::GET, "/v1/ocsp", None).await.body["responder_url"],
        ""
    );
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(world.install(Role::Proxy)),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        world.admin(Method::GET, "/v1/ocsp", None).await.body["responder_url"],
        world.server.responder().url()
    );

    let pki = world.server.pki();
    for (body, status, code) in [
        (
            json!({"name": "proxy", "certificate": "junk", "key": pki.cert(Role::Proxy).key_pem()}),
            400,
            "invalid_certificate",
        ),
        (
            json!({"name": "proxy", "certificate": pki.chain_pem(Role::Proxy), "key": pki.cert(Role::Root).key_pem()}),
            400,
            "invalid_certificate",
        ),
        (
            json!({"name": "nonsense", "certificate": pki.chain_pem(Role::Proxy), "key": pki.cert(Role::Proxy).key_pem()}),
            403,
            "unknown_certificate",
        ),
        (
            json!({"name": "proxy", "certificate": pki.cert(Role::ResponderExpired).pem()}),
            406,
            "expired_certificate",
        ),
        (
            json!({"name": "proxy", "certificate": 5, "key": "x"}),
            400,
            "invalid_schema",
        ),
        (json!({"name": "proxy"}), 400, "invalid_schema"),
    ] {
        let answer = world
            .admin(Method::PUT, "/v1/cluster/update_cert", Some(body.clone()))
            .await;
        answer.expect_error(status, code, "");
        let answer = world
            .admin(
                Method::PUT,
                "/v1/cluster/certificates",
                Some(json!({"certificates": [body]})),
            )
            .await;
        answer.expect_error(status, code, "");
    }
    // A leaf alone and a certificate without a key are accepted.
    for body in [
        json!({"name": "proxy", "certificate": pki.cert(Role::Proxy).pem(), "key": pki.cert(Role::Proxy).key_pem()}),
        json!({"name": "proxy", "certificate": pki.chain_pem(Role::Proxy)}),
    ] {
        let answer = world
            .admin(Method::PUT, "/v1/cluster/update_cert", Some(body))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/certificates",
            Some(json!({"certificates": [], "extra": 1})),
        )
        .await;
    assert_eq!(answer.status, 400);
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(json!({"name": "proxy", "certificate": "junk", "key": "junk"})),
        )
        .await;
    insta::assert_json_snapshot!("certificate-invalid", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_are_404_and_other_methods_405() {
    let world = world().await;
    let answer = world.admin(Method::GET, "/v1/nothing", None).await;
    answer.expect_error(404, "not_found", "");
    let answer = world.admin(Method::DELETE, "/v1/ocsp", None).await;
    answer.expect_error(405, "method_not_allowed", "");
    let answer = world.admin(Method::GET, "/v1/ocsp/test", None).await;
    assert_eq!(answer.status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_parallel_tests_all_answer_right_and_the_cache_holds_one_status() {
    let world = Arc::new(world().await);
    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": true})),
        )
        .await;
    world.server.cluster().wait_for_polls(1).await;
    world.behave("revoked-key-compromise");
    let calls: Vec<_> = (0..64)
        .map(|_| {
            let world = Arc::clone(&world);
            tokio::spawn(async move { world.admin(Method::POST, "/v1/ocsp/test", None).await })
        })
        .collect();
    let mut bodies = Vec::new();
    for call in calls {
        let answer = call.await.expect("joins");
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body["cert_status"], "REVOKED");
        bodies.push(answer.body);
    }
    let cached = world.admin(Method::GET, "/v1/ocsp/status", None).await;
    assert_eq!(cached.body["cert_status"], "REVOKED");
    assert!(
        bodies.contains(&cached.body),
        "the cache holds one of the answers whole"
    );
    assert!(world.server.responder().journal().total() >= 65);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_responder_costs_at_most_the_timeout_and_others_are_still_served() {
    let world = Arc::new(world().await);
    for behaviour in [
        "oversized-body",
        "never-ending-body",
        "slow-drip",
        "reset-mid-body",
        "close-mid-body",
        "slower-than-timeout",
    ] {
        world.behave(behaviour);
        let before = world.clock.now();
        let real = std::time::Instant::now();
        let hostile = {
            let world = Arc::clone(&world);
            tokio::spawn(async move { world.admin(Method::POST, "/v1/ocsp/test", None).await })
        };
        // Meanwhile another endpoint answers (sent without driving the clock: it waits on
        // nothing, and the hostile call's driver alone decides how far time moves).
        let config = world
            .request(Method::GET, "/v1/ocsp")
            .basic_auth("admin", Some(world.password(ManagementRole::Admin)))
            .send()
            .await
            .expect("answered");
        assert_eq!(config.status(), 200, "{behaviour}");
        let answer = hostile.await.expect("joins");
        assert_eq!(answer.status, 500, "{behaviour}: {}", answer.body);
        // The timeout fires at one second; "a little" more is the responder's own next wait
        // (a drip interval) that the clock may reach while the answer travels back.
        let spent = world.clock.now() - before;
        assert!(
            spent <= Duration::milliseconds(1500),
            "{behaviour}: {spent} on the clock, well over response_timeout"
        );
        // Bounded in real time too: the cap and the timeout end it, not the responder.
        assert!(
            real.elapsed() < std::time::Duration::from_secs(20),
            "{behaviour}: {:?}",
            real.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_order_is_401_403_406_then_the_body() {
    let world = world().await;
    world
        .state(Method::PUT, "/_harness/nodes/0", json!({"ocsp": false}))
        .await;
    let bad_body = Some(json!({"query_frequency": "often"}));
    let answer = world
        .call(None, Method::PUT, "/v1/ocsp", bad_body.clone())
        .await;
    assert_eq!(answer.status, 401);
    let answer = world
        .call(
            Some(ManagementRole::ClusterViewer),
            Method::PUT,
            "/v1/ocsp",
            bad_body.clone(),
        )
        .await;
    assert_eq!(answer.status, 403);
    let answer = world.admin(Method::PUT, "/v1/ocsp", bad_body.clone()).await;
    assert_eq!(answer.status, 406);
    world
        .state(Method::PUT, "/_harness/nodes/0", json!({"ocsp": true}))
        .await;
    let answer = world.admin(Method::PUT, "/v1/ocsp", bad_body).await;
    assert_eq!(answer.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_frequency_applies_from_the_next_poll() {
    let world = world().await;
    let cluster = Arc::clone(world.server.cluster());
    let start = world.clock.now();
    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"ocsp_functionality": true})),
        )
        .await;
    cluster.wait_for_polls(1).await;
    world
        .admin(
            Method::PUT,
            "/v1/ocsp",
            Some(json!({"query_frequency": 600})),
        )
        .await;
    assert_eq!(
        cluster.poll_plan().next_poll,
        Some(start + Duration::hours(1)),
        "the planned poll stays"
    );
    world.clock.set(start + Duration::hours(1));
    cluster.wait_for_polls(2).await;
    assert_eq!(
        cluster.poll_plan().next_poll,
        Some(start + Duration::hours(1) + Duration::minutes(10)),
        "then the new frequency"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_serves_the_same_api() {
    let mut options = ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC));
    options.tls = false;
    let server = ReferenceServer::start(options).await.expect("starts");
    assert!(server.url().starts_with("http://"), "{}", server.url());
    let admin = server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin");
    let answer = client::careful_http_client()
        .build()
        .expect("client")
        .post(format!("{}/v1/ocsp/test", server.url()))
        .basic_auth(&admin.username, Some(&admin.password))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["cert_status"], "GOOD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_cannot_write_certificates_is_a_state_that_reset_clears() {
    let world = world().await;
    let set = world
        .state(
            Method::PUT,
            "/_harness/nodes/1",
            json!({"certificates": false}),
        )
        .await;
    assert_eq!(set, json!({"node": 1, "ocsp": true, "certificates": false}));
    let shown = world
        .send(world.request(Method::GET, "/_harness/state"))
        .await;
    assert_eq!(
        shown.body["nodes"][1],
        json!({"ocsp": true, "certificates": false})
    );
    let before = world
        .admin(Method::GET, "/v1/cluster/certificates", None)
        .await;
    assert_eq!(before.status, 200);
    world
        .admin(
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(world.install(Role::ProxyNoAia)),
        )
        .await
        .expect_error(409, "nodes_not_updated", "");
    world
        .admin(Method::POST, "/v1/cluster/certificates/rotate", None)
        .await
        .expect_error(400, "nodes_not_updated", "");
    let after = world
        .admin(Method::GET, "/v1/cluster/certificates", None)
        .await;
    assert_eq!(before.body, after.body);

    world
        .send(world.request(Method::POST, "/_harness/reset"))
        .await;
    let shown = world
        .send(world.request(Method::GET, "/_harness/state"))
        .await;
    assert_eq!(
        shown.body["nodes"][1],
        json!({"ocsp": true, "certificates": true})
    );
    let rotated = world
        .admin(Method::POST, "/v1/cluster/certificates/rotate", None)
        .await;
    assert_eq!((rotated.status, rotated.body), (200, json!({})));
    let empty = world
        .send(
            world
                .request(Method::PUT, "/_harness/nodes/0")
                .json(&json!({})),
        )
        .await;
    assert_eq!(empty.status, 400);
    let missing = world
        .send(
            world
                .request(Method::PUT, "/_harness/nodes/9")
                .json(&json!({"certificates": false})),
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_names_that_do_not_decode_or_exist_are_404_and_expiry_is_named() {
    let world = world().await;
    for path in [
        "/v1/cluster/certificates/%FF",
        "/v1/cluster/certificates/no_such_certificate",
        "/v1/cluster/certificates/ldap_client",
    ] {
        world.admin(Method::DELETE, path, None).await.expect_error(
            404,
            "unknown_certificate",
            path,
        );
    }
    let expired = world.server.pki().cert(Role::ResponderExpired).pem();
    let answer = world
        .admin(
            Method::PUT,
            "/v1/cluster/update_cert",
            Some(json!({"name": "mtls_trusted_ca", "certificate": expired})),
        )
        .await;
    answer.expect_error(406, "expired_certificate", "");
    let message = answer.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("mtls_trusted_ca certificate expired at 20"),
        "{message}"
    );
}
