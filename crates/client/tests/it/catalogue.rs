//! Every row of the behaviour catalogue (docs/contract.md, "Responder behaviours"), served by the real responder
//! over HTTP and checked by the strict client: each must reach its row's verdict. Time-driven
//! rows (delays, drips) run on a virtual clock driven forward; nothing sleeps for real.

use std::collections::HashMap;
use std::sync::Arc;

use client::{HttpMethod, OcspClient, Query, verdict_of};
use clock::{Clock, VirtualClock};
use ocsp::HashAlgorithm;
use pki::{KeyType, PkiProfile, Role, TestPki};
use responder::{
    Behaviour, DEFAULT_RESPONSE_TIMEOUT, Responder, ResponderConfig, Verdict, catalogue,
};
use time::OffsetDateTime;
use time::macros::datetime;

const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

struct World {
    pki: Arc<TestPki>,
}

fn pki(key_type: KeyType) -> Arc<TestPki> {
    let profile = PkiProfile {
        key_type,
        ..PkiProfile::at(AT)
    };
    Arc::new(TestPki::generate(&profile).expect("generates"))
}

/// Serves `behaviour`, queries once, and returns the verdict and how many requests the
/// responder saw.
async fn run(
    world: &World,
    behaviour: Behaviour,
    hash_algorithm: HashAlgorithm,
    method: HttpMethod,
) -> (Verdict, String, u64) {
    let clock = VirtualClock::new(AT);
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let responder = Responder::start(
        Arc::clone(&world.pki),
        behaviour,
        ResponderConfig::ephemeral(Arc::clone(&shared)),
    )
    .await
    .expect("starts");
    let client = OcspClient::new(shared).expect("client");
    let query = Query {
        url: responder.url(),
        cert_der: world.pki.cert(Role::Proxy).der().to_vec(),
        issuer_der: world.pki.cert(Role::Intermediate).der().to_vec(),
        hash_algorithm,
        nonce_len: Some(16),
        method,
        timeout: DEFAULT_RESPONSE_TIMEOUT,
    };
    // Delays and drips wait on the virtual clock; driving it makes them take no real time.
    let outcome = clock.drive(client.query(&query)).await;
    let detail = match &outcome {
        Ok(verified) => format!("{:?}", verified.status),
        Err(error) => error.to_string(),
    };
    let requests = responder.journal().total();
    responder.shutdown().await;
    (verdict_of(&outcome), detail, requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalogue_row_reaches_its_verdict() {
    let mut worlds: HashMap<KeyType, World> = HashMap::new();
    let mut mismatches = Vec::new();
    let entries = catalogue();
    for entry in &entries {
        let key_type = entry.needs_key_type.unwrap_or(KeyType::P256);
        let world = worlds
            .entry(key_type)
            .or_insert_with(|| World { pki: pki(key_type) });
        let (verdict, detail, requests) = run(
            world,
            entry.behaviour.clone(),
            HashAlgorithm::Sha1,
            HttpMethod::Post,
        )
        .await;
        if verdict != entry.verdict {
            mismatches.push(format!(
                "{}: expected {}, got {verdict} ({detail})",
                entry.name, entry.verdict
            ));
        }
        if requests != 1 {
            mismatches.push(format!(
                "{}: the responder saw {requests} requests",
                entry.name
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} rows differ:\n{}",
        mismatches.len(),
        entries.len(),
        mismatches.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_type_signs_good_responses_directly_and_delegated() {
    let names = ["good", "delegated", "revoked-key-compromise", "unknown"];
    let rows: Vec<_> = catalogue()
        .into_iter()
        .filter(|entry| names.contains(&entry.name.as_str()))
        .collect();
    assert_eq!(rows.len(), names.len());
    for key_type in KeyType::ALL {
        let world = World { pki: pki(key_type) };
        for entry in &rows {
            let (verdict, detail, _) = run(
                &world,
                entry.behaviour.clone(),
                HashAlgorithm::Sha256,
                HttpMethod::Post,
            )
            .await;
            assert_eq!(
                verdict, entry.verdict,
                "{key_type} {}: {detail}",
                entry.name
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sha1_and_sha256_cert_ids_over_post_and_get_are_answered() {
    let world = World {
        pki: pki(KeyType::P256),
    };
    for hash_algorithm in HashAlgorithm::ALL {
        for method in [HttpMethod::Post, HttpMethod::Get] {
            let (verdict, detail, requests) =
                run(&world, Behaviour::default(), hash_algorithm, method).await;
            assert_eq!(
                verdict,
                Verdict::Good,
                "{hash_algorithm:?} {method:?}: {detail}"
            );
            assert_eq!(requests, 1);
        }
    }
}
