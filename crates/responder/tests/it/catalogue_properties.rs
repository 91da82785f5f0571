//! Property test of the response builder against the catalogue: a response built for any row
//! whose verdict lies in the DER (not in how it is delivered), with random knobs around it (the
//! key type, the request's CertID hash algorithm, a nonce or none), verifies exactly as the
//! row says: GOOD, REVOKED or UNKNOWN, or not at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use der::Decode;
use ocsp::{
    DEFAULT_MAX_SKEW, DecodedRequest, HashAlgorithm, ReportedStatus, ResponseFactory,
    VerifyContext, build_request, cert_id_for, verify_response,
};
use pki::{KeyType, PkiProfile, Role, TestPki};
use proptest::prelude::*;
use responder::{CatalogueEntry, Delivery, Verdict, catalogue};
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::Certificate;

const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

/// One PKI and response factory per key type, made once.
fn factory(key_type: KeyType) -> Arc<ResponseFactory> {
    static FACTORIES: OnceLock<Mutex<HashMap<KeyType, Arc<ResponseFactory>>>> = OnceLock::new();
    let mut factories = FACTORIES
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    Arc::clone(factories.entry(key_type).or_insert_with(|| {
        let profile = PkiProfile {
            key_type,
            ..PkiProfile::at(AT)
        };
        let pki = Arc::new(TestPki::generate(&profile).expect("generates"));
        Arc::new(ResponseFactory::new(pki).expect("factory"))
    }))
}

/// The rows whose verdict the DER alone decides.
fn der_rows() -> Vec<CatalogueEntry> {
    catalogue()
        .into_iter()
        .filter(|entry| entry.behaviour.delivery == Delivery::default())
        .collect()
}

fn verdict(entry: &CatalogueEntry, key_type: KeyType, hash: HashAlgorithm, nonce: bool) -> Verdict {
    let factory = factory(key_type);
    let pki = factory.pki();
    let decode = |role| Certificate::from_der(pki.cert(role).der()).expect("decodes");
    let (issuer, proxy) = (decode(Role::Intermediate), decode(Role::Proxy));
    let nonce_bytes = [9u8; 16];
    let nonce_sent = nonce.then_some(&nonce_bytes[..]);
    let request = build_request(
        cert_id_for(&issuer, &proxy, hash).expect("CertID"),
        nonce_sent,
    )
    .expect("request");
    let request = DecodedRequest::from_der(&request).expect("decodes");
    let Ok(der) = factory.respond(&entry.behaviour.response, &request, AT) else {
        return Verdict::Invalid;
    };
    let context = VerifyContext {
        issuer_der: pki.cert(Role::Intermediate).der(),
        serial: &proxy.tbs_certificate.serial_number,
        now: AT,
        nonce_sent,
        max_skew: DEFAULT_MAX_SKEW,
    };
    match verify_response(&der, &context) {
        Ok(verified) => match verified.status {
            ReportedStatus::Good => Verdict::Good,
            ReportedStatus::Revoked { .. } => Verdict::Revoked,
            ReportedStatus::Unknown => Verdict::Unknown,
        },
        Err(_) => Verdict::Invalid,
    }
}

#[test]
fn most_rows_are_decided_by_the_der() {
    assert!(der_rows().len() >= 50, "{}", der_rows().len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_row_verifies_as_its_verdict_whatever_the_knobs_around_it(
        row in any::<prop::sample::Index>(),
        key in prop::sample::select(KeyType::ALL.to_vec()),
        hash in prop::sample::select(HashAlgorithm::ALL.to_vec()),
        nonce in any::<bool>(),
    ) {
        let rows = der_rows();
        let entry = row.get(&rows);
        let key_type = entry.needs_key_type.unwrap_or(key);
        let nonce = nonce || entry.needs_nonce;
        prop_assert_eq!(
            verdict(entry, key_type, hash, nonce),
            entry.verdict,
            "{} with {:?}, request CertID {}, nonce {}",
            entry.name, key_type, hash.name(), nonce
        );
    }
}
