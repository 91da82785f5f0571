//! Signing and verifying OCSP responses, per key type, beside the bare signature as a peer: the
//! ratio says what building the response costs on top of the signature itself.
//!
//! `cargo bench --bench ocsp`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use der::Decode;
use ocsp_harness::ocsp::{
    DEFAULT_MAX_SKEW, DecodedRequest, HashAlgorithm, ResponseFactory, ResponsePlan, VerifyContext,
    build_request, cert_id_for, verify_response,
};
use ocsp_harness::pki::{KeyType, PkiProfile, Role, TestPki};
use rcgen::SigningKey;
use time::macros::datetime;
use x509_cert::Certificate;

fn benches(c: &mut Criterion) {
    let at = datetime!(2026-03-01 12:00 UTC);
    for key_type in KeyType::ALL {
        let profile = PkiProfile {
            key_type,
            ..PkiProfile::at(at)
        };
        let pki = Arc::new(TestPki::generate(&profile).expect("generates"));
        let decode = |role| Certificate::from_der(pki.cert(role).der()).expect("decodes");
        let proxy = decode(Role::Proxy);
        let cert_id =
            cert_id_for(&decode(Role::Intermediate), &proxy, HashAlgorithm::Sha1).expect("id");
        let request = build_request(cert_id, Some(&[7; 16])).expect("request");
        let decoded = DecodedRequest::from_der(&request).expect("decodes");
        let factory = ResponseFactory::new(Arc::clone(&pki)).expect("factory");
        let plan = ResponsePlan::default();
        let response = factory.respond(&plan, &decoded, at).expect("responds");
        let key = pki.cert(Role::Intermediate).key();

        let mut group = c.benchmark_group(key_type.name());
        group.bench_function("bare signature", |b| {
            b.iter(|| key.sign(black_box(&response[..200])).expect("signs"))
        });
        group.bench_function("decode request", |b| {
            b.iter(|| DecodedRequest::from_der(black_box(&request)).expect("decodes"))
        });
        group.bench_function("sign response", |b| {
            b.iter(|| {
                factory
                    .respond(&plan, black_box(&decoded), at)
                    .expect("responds")
            })
        });
        let serial = proxy.tbs_certificate.serial_number.clone();
        let context = VerifyContext {
            issuer_der: pki.cert(Role::Intermediate).der(),
            serial: &serial,
            now: at,
            nonce_sent: Some(&[7; 16]),
            max_skew: DEFAULT_MAX_SKEW,
        };
        group.bench_function("verify response", |b| {
            b.iter(|| verify_response(black_box(&response), &context).expect("verifies"))
        });
        group.finish();
    }
}

criterion_group!(ocsp, benches);
criterion_main!(ocsp);
