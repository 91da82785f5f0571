//! The reference server under concurrent writers: many `PUT /v1/ocsp` at once leave exactly one
//! of the bodies sent (never fields of several), and `POST /v1/ocsp/test` answers only what the
//! contract allows for it while the configuration and the responder change under it.
//!
//! Real time appears only as a guard against a hang; no test measures it. The virtual clock is
//! never moved, so no answer here depends on a timeout firing: every behaviour the responder is
//! switched to answers, or fails, over the socket at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use contract::{Check, CheckScope, Contract, Endpoint, ErrorCode, ManagementRole, is_imf_fixdate};
use reference::{ReferenceOptions, ReferenceServer};
use responder::behaviour_named;
use serde_json::{Value, json};
use time::macros::datetime;
use tokio::sync::Barrier;

/// How long a whole test may take before it counts as hung; a guard, not a measure.
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);
const WRITERS: usize = 50;
const ROUNDS: usize = 5;
const TESTERS: usize = 200;

/// A started server and what a client needs to call it as the admin.
struct Admin {
    server: ReferenceServer,
    http: reqwest::Client,
    password: String,
}

impl Admin {
    async fn start() -> Admin {
        let options = ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC));
        let server = ReferenceServer::start(options).await.expect("starts");
        let http = server.http_client().expect("client");
        let password = server
            .users()
            .with_role(ManagementRole::Admin)
            .expect("an admin")
            .password
            .clone();
        Admin {
            server,
            http,
            password,
        }
    }

    /// Sends, and reads the answer's status and body; a body that is not JSON fails the test.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.server.url()))
            .basic_auth(ManagementRole::Admin.name(), Some(&self.password));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!(
                "{path}: {status} with a body that is not JSON ({error}): {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, body)
    }
}

/// The `index`-th body of `round`: every field differs from every other body of the round
/// (but `ocsp_functionality`, which has two values), so a mix of two bodies cannot pass for
/// one. All within the ranges of contract rule `config.fields`.
fn config_body(round: usize, index: usize) -> Value {
    let round = u32::try_from(round).expect("small");
    let index = u32::try_from(index).expect("small");
    json!({
        // Alternating, and the other way round from one round to the next.
        "ocsp_functionality": (index + round) % 2 == 0,
        // 1 to 60: 50 distinct values in a round.
        "response_timeout": 1 + (index + 7 * round) % 60,
        // 60 to 86400.
        "query_frequency": 60 + index * 97 + round,
        "recovery_frequency": 86_400 - index * 131 - round,
        // 1 to 100; 7 is prime to 100, so 50 indexes give 50 values.
        "recovery_max_tries": 1 + (index * 7 + round) % 100,
    })
}

/// Rules `put-config.partial` and `put-config.all-or-nothing`: many full bodies at once, each
/// accepted and answered with itself; what is left is one of them, every field from the same
/// body.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_config_writes_leave_exactly_one_of_the_bodies() {
    let admin = Arc::new(Admin::start().await);
    let (status, before) = admin.call(reqwest::Method::GET, "/v1/ocsp", None).await;
    assert_eq!(status, 200, "{before}");
    let responder_url = before["responder_url"].clone();
    assert!(responder_url.is_string(), "{before}");

    let rounds = async {
        for round in 0..ROUNDS {
            let bodies: Vec<Value> = (0..WRITERS)
                .map(|index| config_body(round, index))
                .collect();
            let barrier = Arc::new(Barrier::new(WRITERS));
            let tasks: Vec<_> = bodies
                .iter()
                .cloned()
                .map(|body| {
                    let admin = Arc::clone(&admin);
                    let barrier = Arc::clone(&barrier);
                    tokio::spawn(async move {
                        barrier.wait().await;
                        let answer = admin
                            .call(reqwest::Method::PUT, "/v1/ocsp", Some(&body))
                            .await;
                        (body, answer)
                    })
                })
                .collect();
            for task in tasks {
                let (body, (status, answer)) = task.await.expect("the writer ran");
                assert_eq!(status, 200, "round {round}: {body} answered {answer}");
                // The answer is the state this PUT made: its own body, whole.
                let mut expected = body.clone();
                expected["responder_url"] = responder_url.clone();
                assert_eq!(answer, expected, "round {round}");
            }

            let (status, state) = admin.call(reqwest::Method::GET, "/v1/ocsp", None).await;
            assert_eq!(status, 200, "{state}");
            let matching: Vec<usize> = bodies
                .iter()
                .enumerate()
                .filter(|(_, body)| {
                    let mut expected = (*body).clone();
                    expected["responder_url"] = responder_url.clone();
                    state == expected
                })
                .map(|(index, _)| index)
                .collect();
            assert_eq!(
                matching.len(),
                1,
                "round {round}: the state is not exactly one of the bodies sent: {state}"
            );
        }
    };
    tokio::time::timeout(HANG_GUARD, rounds)
        .await
        .expect("the rounds hung");
}

/// Partial updates at once each apply whole: one writer's `query_frequency` among 49 writers of
/// `response_timeout` is never lost to a writer that read the configuration before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_partial_config_writes_lose_no_update() {
    let admin = Arc::new(Admin::start().await);
    let rounds = async {
        for round in 0..ROUNDS * 2 {
            let frequency = 100 + round as u64;
            let barrier = Arc::new(Barrier::new(WRITERS));
            let tasks: Vec<_> = (0..WRITERS)
                .map(|index| {
                    let body = if index == WRITERS / 2 {
                        json!({ "query_frequency": frequency })
                    } else {
                        json!({ "response_timeout": 1 + index % 10 })
                    };
                    let admin = Arc::clone(&admin);
                    let barrier = Arc::clone(&barrier);
                    tokio::spawn(async move {
                        barrier.wait().await;
                        admin
                            .call(reqwest::Method::PUT, "/v1/ocsp", Some(&body))
                            .await
                    })
                })
                .collect();
            for task in tasks {
                let (status, answer) = task.await.expect("the writer ran");
                assert_eq!(status, 200, "round {round}: {answer}");
            }
            let (_, state) = admin.call(reqwest::Method::GET, "/v1/ocsp", None).await;
            assert_eq!(
                state["query_frequency"],
                json!(frequency),
                "round {round}: the query_frequency update was lost: {state}"
            );
        }
    };
    tokio::time::timeout(HANG_GUARD, rounds)
        .await
        .expect("the rounds hung");
}

/// Every `(status, error_code)` the contract allows for `POST /v1/ocsp/test`: the answers its
/// rules check for that endpoint and for every or any endpoint. A check without a code allows
/// any code with its status.
fn allowed_test_answers() -> Vec<(u16, Option<ErrorCode>)> {
    let mut allowed = Vec::new();
    for rule in Contract::embedded().rules() {
        for check in &rule.checks {
            let Check::Answer {
                endpoint,
                status,
                error_code,
            } = check
            else {
                continue;
            };
            let applies = match endpoint {
                CheckScope::Endpoint(endpoint) => *endpoint == Endpoint::PostTest,
                CheckScope::Any | CheckScope::Every => true,
            };
            if applies && !allowed.contains(&(*status, *error_code)) {
                allowed.push((*status, *error_code));
            }
        }
    }
    allowed
}

/// Why an answer to `POST /v1/ocsp/test` is not one the contract allows, if it is not.
fn disallowed(
    status: u16,
    body: &Value,
    responder_url: &Value,
    allowed: &[(u16, Option<ErrorCode>)],
) -> Option<String> {
    if status == 200 {
        // Rule `test.ok` and the status object of `status.*`.
        let cert_status = body["cert_status"].as_str();
        let date = |name: &str| body[name].as_str().is_some_and(is_imf_fixdate);
        let well_formed = body["responder_url"] == *responder_url
            && matches!(cert_status, Some("GOOD" | "REVOKED" | "UNKNOWN"))
            && date("produced_at")
            && date("this_update")
            && (cert_status == Some("REVOKED")) == date("revocation_time");
        return (!well_formed).then(|| "200 without a well-formed status object".to_owned());
    }
    if !allowed.iter().any(|(allowed, _)| *allowed == status) {
        return Some(format!("status {status}, which the contract never gives"));
    }
    let Some(code) = body["error_code"].as_str() else {
        return Some("an error answer without an error_code".to_owned());
    };
    let Ok(code) = code.parse::<ErrorCode>() else {
        return Some(format!(
            "the error_code {code:?}, which the contract does not name"
        ));
    };
    let pairs = allowed.iter().filter(|(allowed, _)| *allowed == status);
    if !pairs
        .clone()
        .any(|(_, allowed)| *allowed == Some(code) || allowed.is_none())
    {
        return Some(format!("{status} {code}, which the contract never pairs"));
    }
    None
}

/// Rules of `POST /v1/ocsp/test` (`test.*`): while one task keeps changing the configuration
/// (`ocsp_functionality`, `response_timeout`, the other fields; `responder_url` is read-only,
/// rule `config.responder-url`, so it is written back unchanged) and the responder's behaviour
/// (good, revoked, unknown, an unusable response, no answer), every one of many concurrent
/// tests gets an answer the contract allows, with a JSON body.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tests_answer_only_what_the_contract_allows_while_the_config_changes() {
    let allowed = allowed_test_answers();
    // The contract must say something of this endpoint, or the check below is empty.
    for expected in [
        (200, None),
        (500, Some(ErrorCode::InvalidOcspResponse)),
        (500, Some(ErrorCode::OcspQueryFailed)),
        (500, Some(ErrorCode::NoResponderUrl)),
    ] {
        assert!(allowed.contains(&expected), "{expected:?} in {allowed:?}");
    }
    let admin = Arc::new(Admin::start().await);
    let (status, config) = admin.call(reqwest::Method::GET, "/v1/ocsp", None).await;
    assert_eq!(status, 200, "{config}");
    let responder_url = config["responder_url"].clone();
    // An answer that fails next to one that does not, so that even a changer that gets only
    // a few turns switches between kinds of answer.
    let behaviours: Vec<_> = [
        "wrong-serial",
        "good",
        "close-without-answer",
        "revoked",
        "signature-corrupted",
        "unknown",
    ]
    .into_iter()
    .map(|name| behaviour_named(name).unwrap_or_else(|| panic!("behaviour {name}")))
    .collect();

    // The testers and the changer start together.
    let barrier = Arc::new(Barrier::new(TESTERS + 1));
    let done = Arc::new(AtomicBool::new(false));
    let changer = {
        let admin = Arc::clone(&admin);
        let barrier = Arc::clone(&barrier);
        let done = Arc::clone(&done);
        let responder_url = responder_url.clone();
        tokio::spawn(async move {
            barrier.wait().await;
            let mut changes = 0usize;
            while !done.load(Ordering::Acquire) {
                let mut body = config_body(changes % ROUNDS, changes % WRITERS);
                // On and off at every change (off at first, the default, so the first change
                // turns it on), however fast the changer runs.
                body["ocsp_functionality"] = json!(changes % 2 == 0);
                body["responder_url"] = responder_url.clone();
                let behaviour = &behaviours[changes % behaviours.len()];
                admin.server.responder().set_behaviour(behaviour.clone());
                let (status, answer) = admin
                    .call(reqwest::Method::PUT, "/v1/ocsp", Some(&body))
                    .await;
                assert_eq!(status, 200, "{body} answered {answer}");
                changes += 1;
                // Let the testers in between changes, even on one worker thread.
                tokio::task::yield_now().await;
            }
            changes
        })
    };

    let testers: Vec<_> = (0..TESTERS)
        .map(|_| {
            let admin = Arc::clone(&admin);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                admin
                    .call(reqwest::Method::POST, "/v1/ocsp/test", None)
                    .await
            })
        })
        .collect();
    let answers = tokio::time::timeout(HANG_GUARD, async {
        let mut answers = Vec::with_capacity(TESTERS);
        for tester in testers {
            answers.push(tester.await.expect("the tester ran"));
        }
        answers
    })
    .await
    .expect("the tests hung");
    done.store(true, Ordering::Release);
    let changes = tokio::time::timeout(HANG_GUARD, changer)
        .await
        .expect("the changer hung")
        .expect("the changer ran");

    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (status, body) in &answers {
        let code = body["error_code"].as_str().unwrap_or("-");
        *kinds.entry(format!("{status} {code}")).or_default() += 1;
        if let Some(why) = disallowed(*status, body, &responder_url, &allowed) {
            wrong.push(format!("{why}: {body}"));
        }
    }
    println!("{TESTERS} tests during {changes} configuration changes: {kinds:?}");
    assert!(
        wrong.is_empty(),
        "answers the contract does not allow: {wrong:#?}"
    );
    assert!(changes > 0, "the configuration never changed");
}
