//! `probe` against our own responder in each fault mode (each check reaches the verdict the
//! fault implies) and against `openssl ocsp -index` (a real responder: the RFC 6960 and
//! RFC 5019 checks pass; it sends no caching headers, and gives no answer at all to a request
//! it cannot decode, where RFC 6960 asks for malformedRequest: both reported).

use std::sync::Arc;

use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::pki::{Overwrite, PkiProfile, Role, TestPki, write_dir};
use ocsp_harness::probe::{ProbeOptions, probe};
use ocsp_harness::responder::{Responder, ResponderConfig, behaviour_named};
use ocsp_harness::runner::{ScenarioResult, Verdict};

fn verdict_word(result: &ScenarioResult) -> &'static str {
    match result.verdict {
        Verdict::Passed => "passed",
        Verdict::Failed { .. } => "failed",
        Verdict::Error { .. } => "error",
        Verdict::Skipped { .. } => "skipped",
    }
}

/// The probe's verdicts, by check name (`probe::` dropped), against our responder serving
/// `behaviour`.
async fn probe_our_responder(pki: &Arc<TestPki>, behaviour: &str) -> Vec<(String, &'static str)> {
    probe_behaviour(pki, behaviour_named(behaviour).expect("a catalogue row")).await
}

async fn probe_behaviour(
    pki: &Arc<TestPki>,
    behaviour: ocsp_harness::responder::Behaviour,
) -> Vec<(String, &'static str)> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let responder = Responder::start(
        Arc::clone(pki),
        behaviour,
        ResponderConfig::ephemeral(clock),
    )
    .await
    .expect("starts");
    let results = probe(ProbeOptions {
        url: responder.url(),
        cert_der: pki.cert(Role::Proxy).der().to_vec(),
        issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
        timeout: std::time::Duration::from_secs(1),
    })
    .await
    .expect("probes");
    responder.shutdown().await;
    results
        .iter()
        .map(|result| {
            (
                result.id.trim_start_matches("probe::").to_owned(),
                verdict_word(result),
            )
        })
        .collect()
}

fn pki() -> Arc<TestPki> {
    Arc::new(TestPki::generate(&PkiProfile::at(SystemClock.now())).expect("generates"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_mode_of_our_responder_gets_its_verdicts() {
    let pki = pki();
    let all_pass = ocsp_harness::probe::CHECKS;
    for behaviour in [
        "good",
        "revoked",
        "unknown",
        "nonce-echoed",
        "nonce-omitted",
    ] {
        let found = probe_our_responder(&pki, behaviour).await;
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, all_pass, "{behaviour}");
        assert!(
            found.iter().all(|(_, verdict)| *verdict == "passed"),
            "{behaviour}: {found:?}"
        );
    }
    for (behaviour, failing) in [
        (
            "signature-corrupted",
            &["post-sha1", "get-sha1", "post-sha256"][..],
        ),
        // Every POST carries a nonce; the GET does not.
        (
            "nonce-different",
            &["post-sha1", "post-sha256", "nonce"][..],
        ),
        // Our responder answers malformedRequest before any behaviour applies.
        (
            "status-try-later",
            &["post-sha1", "get-sha1", "post-sha256"][..],
        ),
        ("html-page", &["post-sha1", "get-sha1", "post-sha256"][..]),
        ("http-500", &["post-sha1", "get-sha1", "post-sha256"][..]),
    ] {
        let found = probe_our_responder(&pki, behaviour).await;
        let failed: Vec<&str> = found
            .iter()
            .filter(|(_, verdict)| *verdict == "failed")
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(failed, failing, "{behaviour}: {found:?}");
        assert!(
            found.iter().all(|(_, verdict)| *verdict != "error"),
            "{behaviour}: {found:?}"
        );
    }
    for behaviour in [
        "close-without-answer",
        "reset-mid-body",
        "slower-than-timeout",
    ] {
        let found = probe_our_responder(&pki, behaviour).await;
        assert_eq!(found[0], ("post-sha1".to_owned(), "error"), "{behaviour}");
        assert!(
            found[1..].iter().all(|(_, verdict)| *verdict == "skipped"),
            "{behaviour}: {found:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_every_catalogue_row_the_first_check_reaches_the_rows_verdict() {
    use ocsp_harness::pki::KeyType;
    use ocsp_harness::responder::{Verdict as Row, catalogue};
    let mut pkis = std::collections::HashMap::new();
    for entry in catalogue() {
        let key_type = entry.needs_key_type.unwrap_or(KeyType::P256);
        let pki = pkis
            .entry(key_type)
            .or_insert_with(|| {
                let profile = PkiProfile {
                    key_type,
                    ..PkiProfile::at(SystemClock.now())
                };
                Arc::new(TestPki::generate(&profile).expect("generates"))
            })
            .clone();
        let found = probe_behaviour(&pki, entry.behaviour.clone()).await;
        let expected = match entry.verdict {
            Row::Good | Row::Revoked | Row::Unknown => "passed",
            Row::Invalid => "failed",
            Row::Failed => "error",
        };
        assert_eq!(
            found[0],
            ("post-sha1".to_owned(), expected),
            "{}",
            entry.name
        );
        assert_eq!(found.len(), 8, "{}", entry.name);
    }
}

#[test]
fn against_openssl_ocsp_the_caching_headers_and_malformed_request_are_reported() {
    let pki = pki();
    let dir = tempfile::tempdir().expect("tempdir");
    write_dir(&pki, dir.path(), Overwrite::Refuse).expect("writes the PKI");
    std::fs::write(
        dir.path().join("index.txt"),
        testkit::index_line(&pki, Role::Proxy, None),
    )
    .expect("index");
    let responder = testkit::OpensslResponder::start(dir.path(), Role::Intermediate, 20);
    let url = responder.url.clone();
    let path = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_owned();
    let output = crate::harness()
        .args(["probe", "--url", &url])
        .args([
            "--cert",
            &path("proxy.cert.pem"),
            "--issuer",
            &path("intermediate.cert.pem"),
        ])
        .args(["--format", "json", "--timeout", "2"])
        .output()
        .expect("probe runs");
    drop(responder);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(report["run"]["target"], url.as_str());
    let results = report["results"].as_array().cloned().unwrap_or_default();
    for result in &results {
        let expected = match result["id"].as_str() {
            Some("probe::caching-headers") => "failed",
            Some("probe::malformed-request") => "error",
            _ => "passed",
        };
        assert_eq!(result["verdict"], expected, "{result:#}");
    }
    assert_eq!(results.len(), 8);
}
