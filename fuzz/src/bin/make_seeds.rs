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
use ocsp_harness_fuzz::{AT, NONCE, h2, seeds_dir};
use x509_cert::Certificate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds = seeds_dir();
    // `make_seeds serve_front`: only that target's seeds, leaving the PKI and the rest as they are.
    if std::env::args().nth(1).as_deref() == Some("serve_front") {
        return serve_front_seeds(&seeds);
    }
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
    serve_front_seeds(&seeds)?;
    println!("seeds written to {}", seeds.display());
    Ok(())
}

/// The first byte is the target's mode: 0 as it is, 1 after the HTTP/2 preface and SETTINGS,
/// 2 HTTP/1.1 with the admin's credentials put in, 3 HTTP/2 frames on an open admin PUT.
fn serve_front_seeds(seeds: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let dir = seeds.join("serve_front");
    fs::create_dir_all(&dir)?;
    let get_root = [0x82, 0x84, 0x86, 0x41, 0x01, b'x'];
    let config = br#"{"ocsp_functionality": true, "response_timeout": 2}"#;
    let cases: Vec<(u8, Vec<u8>)> = vec![
        (0, b"GET /v1/ocsp HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        (0, b"PUT /v1/ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".to_vec()),
        (0, b"POST /v1/ocsp/test HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".to_vec()),
        (0, b"GET /_harness/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        (0, [h2::PREFACE, h2::SETTINGS, &h2::frame(0x1, 0x5, 1, &get_root)].concat()),
        (1, h2::frame(0x1, 0x5, 1, &get_root)),
        (1, [h2::frame(0x6, 0, 0, &[0; 8]), h2::frame(0x8, 0, 0, &[0, 1, 0, 0])].concat()),
        (2, [&b"PUT /v1/ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 51\r\n\r\n"[..], config].concat()),
        (2, b"POST /v1/ocsp/test HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".to_vec()),
        (2, b"PUT /v1/ocsp HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".to_vec()),
        (2, b"PUT /v1/cluster/update_cert HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{\"name\":\"proxy\",\"key\":\"x\"}   ".to_vec()),
        (3, h2::data(config, true)),
        (3, [h2::data(b"{\"ocsp_", false), h2::data(b"functionality\": false}", true)].concat()),
        (3, [h2::data(b"{", false), h2::frame(0x3, 0, 1, &[0, 0, 0, 8])].concat()),
    ];
    for (index, (mode, bytes)) in cases.into_iter().enumerate() {
        fs::write(
            dir.join(format!("case-{index:02}")),
            [&[mode][..], &bytes].concat(),
        )?;
    }
    Ok(())
}
