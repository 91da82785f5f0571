//! The catalogue's behaviours mounted on a `wiremock::MockServer` (feature `wiremock`), asked by
//! the strict client: each reaches its row's verdict, as from the responder itself.

use std::sync::Arc;

use client::{HttpMethod, OcspClient, Query, verdict_of};
use clock::{Clock, VirtualClock};
use ocsp::HashAlgorithm;
use pki::{PkiProfile, Role, TestPki};
use responder::{DEFAULT_RESPONSE_TIMEOUT, OcspRespond, Verdict, WiremockError, catalogue_entry};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer};

use crate::server::AT;

#[tokio::test]
async fn mounted_behaviours_reach_their_verdicts_through_the_strict_client() {
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(AT)).expect("generates"));
    let clock: Arc<dyn Clock> = Arc::new(VirtualClock::new(AT));
    let server = MockServer::start().await;
    // A malformed one (random bytes), an unsigned status, an HTTP error, a signed one with the
    // wrong serial, and the three statuses.
    let names = [
        "good",
        "revoked",
        "unknown",
        "random-bytes",
        "status-try-later",
        "http-500",
        "wrong-serial",
        "nonce-omitted",
    ];
    for name in names {
        let respond = OcspRespond::named(Arc::clone(&pki), name)
            .expect("expressible through wiremock")
            .with_clock(Arc::clone(&clock));
        // RFC 5019 GETs carry the request under the path, so every path below /NAME/.
        Mock::given(path_regex(format!("^/{name}(/.*)?$")))
            .respond_with(respond)
            .mount(&server)
            .await;
    }

    let client = OcspClient::new(Arc::clone(&clock)).expect("client");
    for name in names {
        let expected = catalogue_entry(name).expect("a row").verdict;
        for method in [HttpMethod::Post, HttpMethod::Get] {
            let query = Query {
                url: format!("{}/{name}", server.uri()),
                cert_der: pki.cert(Role::Proxy).der().to_vec(),
                issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
                hash_algorithm: HashAlgorithm::Sha256,
                nonce_len: Some(16),
                method,
                timeout: DEFAULT_RESPONSE_TIMEOUT,
            };
            let outcome = client.query(&query).await;
            assert_eq!(
                verdict_of(&outcome),
                expected,
                "{name} by {method:?}: {outcome:?}"
            );
        }
    }
    // Sanity: the three statuses really differ, so the checks above tell them apart.
    let verdicts: Vec<Verdict> = ["good", "revoked", "unknown"]
        .iter()
        .filter_map(|name| catalogue_entry(name).map(|entry| entry.verdict))
        .collect();
    assert_eq!(
        verdicts,
        [Verdict::Good, Verdict::Revoked, Verdict::Unknown]
    );
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), names.len() * 2);
}

#[tokio::test]
async fn an_undecodable_request_gets_malformed_request_and_socket_faults_are_refused() {
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(AT)).expect("generates"));
    let server = MockServer::start().await;
    Mock::given(path_regex("^/"))
        .respond_with(OcspRespond::named(Arc::clone(&pki), "good").expect("good"))
        .mount(&server)
        .await;
    let answer = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(server.uri())
        .body("garbage")
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-type"],
        "application/ocsp-response"
    );
    assert_eq!(
        answer.bytes().await.expect("body").as_ref(),
        [0x30, 0x03, 0x0a, 0x01, 0x01]
    );

    for name in ["reset-mid-body", "close-mid-body", "close-without-answer"] {
        let refused = OcspRespond::named(Arc::clone(&pki), name);
        assert!(
            matches!(refused, Err(WiremockError::Unsupported(_))),
            "{name}: {refused:?}"
        );
    }
    let unknown = OcspRespond::named(pki, "revokd").expect_err("no such row");
    assert!(
        unknown.to_string().contains("did you mean \"revoked\""),
        "{unknown}"
    );
}
