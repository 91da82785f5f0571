//! The fake OCSP responder in your own test: serve a test PKI's proxy certificate as revoked,
//! ask with the strict client, and look at what the responder saw.
//!
//! `cargo run --example responder_in_a_test`

use std::sync::Arc;

use ocsp_harness::client::{HttpMethod, OcspClient, Query, verdict_of};
use ocsp_harness::clock::{Clock, SystemClock};
use ocsp_harness::ocsp::HashAlgorithm;
use ocsp_harness::pki::{PkiProfile, Role, TestPki};
use ocsp_harness::responder::{Responder, ResponderConfig, behaviour_named};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(clock.now()))?);
    let revoked = behaviour_named("revoked-key-compromise").ok_or("no such behaviour")?;
    let responder = Responder::start(
        Arc::clone(&pki),
        revoked,
        ResponderConfig::ephemeral(Arc::clone(&clock)),
    )
    .await?;

    let client = OcspClient::new(clock)?;
    let outcome = client
        .query(&Query {
            url: responder.url(),
            cert_der: pki.cert(Role::Proxy).der().to_vec(),
            issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
            hash_algorithm: HashAlgorithm::Sha1,
            nonce_len: Some(16),
            method: HttpMethod::Post,
            timeout: time::Duration::seconds(1),
        })
        .await;
    println!("verdict: {:?}", verdict_of(&outcome));
    for entry in responder.journal().entries() {
        println!(
            "the responder saw: {} {} ({} bytes)",
            entry.method, entry.path, entry.body_len
        );
    }
    responder.shutdown().await;
    Ok(())
}
