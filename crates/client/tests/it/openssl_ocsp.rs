//! Interoperability with the real `openssl ocsp` command, both ways: OpenSSL's client checks
//! what our responder signs, and our strict client reads what OpenSSL's responder signs. Both
//! sides run on the system clock, as OpenSSL has no other.

use std::path::Path;
use std::sync::Arc;

use client::{HttpMethod, OcspClient, Query, verdict_of};
use clock::{Clock, SystemClock};
use ocsp::{CrlReason, HashAlgorithm, ReportedStatus};
use pki::{self, KeyType, Overwrite, PkiProfile, Role, TestPki};
use responder::{
    Behaviour, DEFAULT_RESPONSE_TIMEOUT, Responder, ResponderConfig, Verdict, behaviour_named,
};
use tokio::process::Command;

fn generate(key_type: KeyType) -> (tempfile::TempDir, Arc<TestPki>) {
    let profile = PkiProfile {
        key_type,
        ..PkiProfile::at(SystemClock.now())
    };
    let generated = TestPki::generate(&profile).expect("generates");
    let dir = tempfile::tempdir().expect("tempdir");
    pki::write_dir(&generated, dir.path(), Overwrite::Refuse).expect("writes");
    (dir, Arc::new(generated))
}

struct ClientRun {
    stdout: String,
    stderr: String,
}

/// `openssl ocsp` as a client of `url`, asking about the proxy certificate.
async fn openssl_client(dir: &Path, url: &str, extra: &[&str]) -> ClientRun {
    let output = Command::new("openssl")
        .args([
            "ocsp",
            "-issuer",
            "intermediate.cert.pem",
            "-cert",
            "proxy.cert.pem",
        ])
        .args(["-url", url, "-CAfile", "root.cert.pem", "-timeout", "10"])
        .args(extra)
        .current_dir(dir)
        .output()
        .await
        .expect("the openssl command is installed (see README)");
    ClientRun {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn our_responder(pki: &Arc<TestPki>, behaviour: Behaviour) -> responder::ResponderHandle {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Responder::start(
        Arc::clone(pki),
        behaviour,
        ResponderConfig::ephemeral(clock),
    )
    .await
    .expect("starts")
}

fn named(name: &str) -> Behaviour {
    behaviour_named(name).unwrap_or_else(|| panic!("no behaviour {name}"))
}

#[tokio::test]
async fn openssl_verifies_our_good_revoked_and_unknown_answers() {
    for key_type in KeyType::ALL {
        let (dir, pki) = generate(key_type);
        for (behaviour, status) in [
            ("good", "proxy.cert.pem: good"),
            ("revoked-key-compromise", "proxy.cert.pem: revoked"),
            ("unknown", "proxy.cert.pem: unknown"),
            ("delegated", "proxy.cert.pem: good"),
            ("responder-id-by-name", "proxy.cert.pem: good"),
        ] {
            let responder = our_responder(&pki, named(behaviour)).await;
            for nonce in [&[][..], &["-no_nonce"]] {
                let run = openssl_client(dir.path(), &responder.url(), nonce).await;
                let context = format!(
                    "{key_type} {behaviour} {nonce:?}:\n{}{}",
                    run.stdout, run.stderr
                );
                assert!(run.stderr.contains("Response verify OK"), "{context}");
                assert!(run.stdout.contains(status), "{context}");
            }
            if behaviour == "revoked-key-compromise" {
                let run = openssl_client(dir.path(), &responder.url(), &[]).await;
                assert!(
                    run.stdout.contains("Reason: keyCompromise"),
                    "{}",
                    run.stdout
                );
            }
            assert_eq!(
                responder.journal().total(),
                2 + u64::from(behaviour == "revoked-key-compromise")
            );
            responder.shutdown().await;
        }
    }
}

#[tokio::test]
async fn openssl_rejects_our_forgeries() {
    let (dir, pki) = generate(KeyType::P256);
    for behaviour in [
        "signature-corrupted",
        "signed-by-unrelated-key",
        "delegated-without-eku",
        "delegated-other-ca",
        "delegated-expired",
    ] {
        let responder = our_responder(&pki, named(behaviour)).await;
        let run = openssl_client(dir.path(), &responder.url(), &[]).await;
        assert!(
            run.stderr.contains("Response Verify Failure"),
            "{behaviour}:\n{}{}",
            run.stdout,
            run.stderr
        );
        responder.shutdown().await;
    }
}

#[tokio::test]
async fn openssl_notices_a_different_nonce() {
    let (dir, pki) = generate(KeyType::P256);
    let responder = our_responder(&pki, named("nonce-different")).await;
    let run = openssl_client(dir.path(), &responder.url(), &[]).await;
    assert!(
        run.stderr.contains("Nonce Verify error"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[tokio::test]
async fn our_client_reads_the_status_openssl_serves() {
    for key_type in [KeyType::P256, KeyType::Rsa2048] {
        let (dir, pki) = generate(key_type);
        let index = [
            testkit::index_line(&pki, Role::Proxy, None),
            testkit::index_line(&pki, Role::ProxyNoAia, Some("260101000000Z,keyCompromise")),
        ]
        .concat();
        std::fs::write(dir.path().join("index.txt"), index).expect("index");

        for signer in [Role::Intermediate, Role::Responder] {
            let cases = [
                (Role::Proxy, Verdict::Good),
                (Role::ProxyNoAia, Verdict::Revoked),
                (Role::Server, Verdict::Unknown),
            ];
            let mut responder =
                testkit::OpensslResponder::start(dir.path(), signer, cases.len() * 2);
            let client = OcspClient::new(Arc::new(SystemClock)).expect("client");
            for (role, expected) in cases {
                for method in [HttpMethod::Post, HttpMethod::Get] {
                    let query = Query {
                        url: responder.url.clone(),
                        cert_der: pki.cert(role).der().to_vec(),
                        issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
                        hash_algorithm: HashAlgorithm::Sha1,
                        nonce_len: Some(16),
                        method,
                        timeout: DEFAULT_RESPONSE_TIMEOUT * 10,
                    };
                    let outcome = client.query(&query).await;
                    assert_eq!(
                        verdict_of(&outcome),
                        expected,
                        "{key_type} signed by {signer}, {role} over {method:?}: {outcome:?}"
                    );
                    if let Ok(verified) = &outcome {
                        if let ReportedStatus::Revoked { reason, .. } = verified.status {
                            assert_eq!(reason, Some(CrlReason::KeyCompromise));
                        }
                    }
                }
            }
            let status = responder.wait();
            assert!(status.success(), "openssl ocsp exited with {status}");
        }
    }
}
