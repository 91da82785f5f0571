//! Writes the seed corpus of every fuzz target under `seeds/`: a fixed test PKI, a response for
//! each catalogue behaviour signed with it, requests with every hash algorithm (DER and GET
//! paths), the scenario corpus, and request bodies for each endpoint. Run once; the output is
//! committed, and `fuzz/run.sh` copies it into a scratch corpus.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use der::Decode;
use ocsp_harness::ocsp::{
    DecodedRequest, HashAlgorithm, ResponseFactory, build_request, cert_id_for, get_path,
};
use ocsp_harness::pki::{Overwrite, PkiProfile, Role, TestPki, write_dir};
use ocsp_harness::responder::catalogue;
use ocsp_harness_fuzz::{AT, NONCE, seeds_dir};
use x509_cert::Certificate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds = seeds_dir();
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(AT))?);
    write_dir(&pki, &seeds.join("pki"), Overwrite::Allow)?;
    let decode = |role| Certificate::from_der(pki.cert(role).der());
    let (issuer, proxy) = (decode(Role::Intermediate)?, decode(Role::Proxy)?);

    let requests = seeds.join("decode_request");
    fs::create_dir_all(&requests)?;
    let mut request_with_nonce = Vec::new();
    for algorithm in HashAlgorithm::ALL {
        for nonce in [None, Some(&NONCE[..])] {
            let der = build_request(cert_id_for(&issuer, &proxy, algorithm)?, nonce)?;
            let name = format!(
                "{}-{}",
                algorithm.name(),
                if nonce.is_some() { "nonce" } else { "plain" }
            );
            fs::write(requests.join(format!("{name}.der")), &der)?;
            fs::write(requests.join(format!("{name}.get")), get_path(&der))?;
            if algorithm == HashAlgorithm::Sha1 && nonce.is_some() {
                request_with_nonce = der;
            }
        }
    }

    let responses = seeds.join("verify_response");
    fs::create_dir_all(&responses)?;
    let factory = ResponseFactory::new(Arc::clone(&pki))?;
    let request = DecodedRequest::from_der(&request_with_nonce)?;
    for entry in catalogue() {
        if let Ok(der) = factory.respond(&entry.behaviour.response, &request, AT) {
            fs::write(responses.join(format!("{}.der", entry.name)), der)?;
        }
    }

    let scenarios = seeds.join("scenario_loader");
    fs::create_dir_all(&scenarios)?;
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    for file in ocsp_harness::scenario::scenario_files(&[corpus])? {
        let name = file
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"))?
            .to_string_lossy()
            .replace('/', "-");
        fs::copy(&file, scenarios.join(name))?;
    }

    // The first byte picks the endpoint, the second the Content-Type (see the target).
    let bodies = seeds.join("reference_request");
    fs::create_dir_all(&bodies)?;
    let chain = pki.chain_pem(Role::Proxy);
    let key = pki.cert(Role::Proxy).key_pem();
    let cases: Vec<(u8, u8, String)> = vec![
        (0, 1, r#"{"ocsp_functionality": true, "query_frequency": 600}"#.to_owned()),
        (0, 1, r#"{"recovery_max_tries": 101}"#.to_owned()),
        (0, 0, r#"{"response_timeout": "5"}"#.to_owned()),
        (0, 3, "[1, 2]".to_owned()),
        (1, 0, String::new()),
        (1, 1, "{}".to_owned()),
        (1, 1, "null".to_owned()),
        (2, 1, serde_json::json!({"name": "proxy", "certificate": chain, "key": key}).to_string()),
        (3, 2, serde_json::json!({"certificates": [{"name": "proxy", "certificate": chain, "key": key}]}).to_string()),
        (2, 1, r#"{"name": "proxy", "certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "key": ""}"#.to_owned()),
    ];
    for (index, (endpoint, content_type, body)) in cases.into_iter().enumerate() {
        let mut bytes = vec![endpoint, content_type];
        bytes.extend_from_slice(body.as_bytes());
        fs::write(bodies.join(format!("case-{index:02}")), bytes)?;
    }
    println!("seeds written to {}", seeds.display());
    Ok(())
}
