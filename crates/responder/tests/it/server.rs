//! The responder's own rules: what it does with bad requests, what its journal records, and
//! that its behaviour can change while it runs.

use std::sync::Arc;

use clock::{Clock, VirtualClock};
use der::{Decode, Encode};
use ocsp::{
    HashAlgorithm, InvalidResponse, ReportedStatus, VerifyContext, build_request, cert_id_for,
    get_path, verify_response,
};
use pki::{PkiProfile, Role, TestPki};
use responder::{
    Behaviour, MAX_REQUEST_BODY, OCSP_RESPONSE_TYPE, Responder, ResponderConfig, ResponderHandle,
    behaviour_named,
};
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::Certificate;

pub(crate) const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);
/// The unsigned answers, byte for byte as RFC 6960 encodes them (not built by the code under
/// test, so that an encoding bug there shows).
const MALFORMED_REQUEST: [u8; 5] = [0x30, 0x03, 0x0a, 0x01, 0x01];
const UNAUTHORIZED: [u8; 5] = [0x30, 0x03, 0x0a, 0x01, 0x06];

pub(crate) struct Setup {
    pub(crate) pki: Arc<TestPki>,
    pub(crate) clock: VirtualClock,
    pub(crate) responder: ResponderHandle,
    pub(crate) http: reqwest::Client,
}

pub(crate) async fn setup(behaviour: Behaviour) -> Setup {
    let pki = Arc::new(TestPki::generate(&PkiProfile::at(AT)).expect("generates"));
    let clock = VirtualClock::new(AT);
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let responder = Responder::start(
        Arc::clone(&pki),
        behaviour,
        ResponderConfig::ephemeral(shared),
    )
    .await
    .expect("starts");
    Setup {
        pki,
        clock,
        responder,
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
    }
}

pub(crate) fn certificate(pki: &TestPki, role: Role) -> Certificate {
    Certificate::from_der(pki.cert(role).der()).expect("decodes")
}

pub(crate) fn request_for(
    pki: &TestPki,
    role: Role,
    algorithm: HashAlgorithm,
    nonce: Option<&[u8]>,
) -> Vec<u8> {
    let cert_id = cert_id_for(
        &certificate(pki, Role::Intermediate),
        &certificate(pki, role),
        algorithm,
    )
    .expect("cert id");
    build_request(cert_id, nonce).expect("request")
}

pub(crate) async fn post(setup: &Setup, body: Vec<u8>) -> reqwest::Response {
    setup
        .http
        .post(setup.responder.url())
        .header("content-type", "application/ocsp-request")
        .body(body)
        .send()
        .await
        .expect("answered")
}

pub(crate) fn verify(
    setup: &Setup,
    der: &[u8],
    role: Role,
    nonce: Option<&[u8]>,
) -> Result<ReportedStatus, InvalidResponse> {
    let serial = certificate(&setup.pki, role).tbs_certificate.serial_number;
    let context = VerifyContext {
        issuer_der: setup.pki.cert(Role::Intermediate).der(),
        serial: &serial,
        now: setup.clock.now(),
        nonce_sent: nonce,
        max_skew: ocsp::DEFAULT_MAX_SKEW,
    };
    verify_response(der, &context).map(|verified| verified.status)
}

#[tokio::test]
async fn an_undecodable_request_gets_malformed_request() {
    let setup = setup(Behaviour::default()).await;
    for body in [b"garbage".to_vec(), Vec::new(), vec![0x30, 0x00]] {
        let answer = post(&setup, body).await;
        assert_eq!(answer.status(), 200);
        assert_eq!(
            answer.bytes().await.expect("body").as_ref(),
            MALFORMED_REQUEST
        );
    }
    let answer = setup
        .http
        .get(format!("{}not-base64!", setup.responder.url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(
        answer.bytes().await.expect("body").as_ref(),
        MALFORMED_REQUEST
    );
    let entries = setup.responder.journal().entries();
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|entry| entry.request.is_err()));
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_and_one_at_the_limit_is_read() {
    let setup = setup(Behaviour::default()).await;
    let answer = post(&setup, vec![0x30; MAX_REQUEST_BODY + 1]).await;
    assert_eq!(answer.status(), 413);
    let answer = post(&setup, vec![0x30; MAX_REQUEST_BODY]).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.bytes().await.expect("body").as_ref(),
        MALFORMED_REQUEST
    );
    // Still serving.
    let answer = post(
        &setup,
        request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha1, None),
    )
    .await;
    let der = answer.bytes().await.expect("body");
    assert_eq!(
        verify(&setup, &der, Role::Proxy, None),
        Ok(ReportedStatus::Good)
    );
}

#[tokio::test]
async fn other_methods_get_405() {
    let setup = setup(Behaviour::default()).await;
    let answer = setup
        .http
        .put(setup.responder.url())
        .body("x")
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 405);
    assert_eq!(answer.headers()["allow"], "GET, POST");
}

#[tokio::test]
async fn the_journal_records_method_path_headers_cert_ids_nonce_and_clock_time() {
    let setup = setup(Behaviour::default()).await;
    let nonce = [0xab; 20];
    let request = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha256, Some(&nonce));
    let answer = post(&setup, request.clone()).await;
    assert_eq!(answer.headers()["content-type"], OCSP_RESPONSE_TYPE);
    setup.clock.advance(time::Duration::minutes(5));
    let get = setup
        .http
        .get(format!(
            "{}ocsp//{}",
            setup.responder.url(),
            get_path(&request)
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(get.status(), 200);

    let entries = setup.responder.journal().entries();
    assert_eq!(entries.len(), 2);
    let (post_entry, get_entry) = (&entries[0], &entries[1]);
    assert_eq!(post_entry.method, "POST");
    assert_eq!(post_entry.path, "/");
    assert_eq!(
        post_entry.header("content-type"),
        Some("application/ocsp-request")
    );
    assert_eq!(post_entry.body_len, request.len());
    assert_eq!(post_entry.time, AT);
    let summary = post_entry.request.as_ref().expect("decoded");
    assert_eq!(summary.cert_ids.len(), 1);
    assert_eq!(summary.cert_ids[0].hash_algorithm, "sha256");
    assert_eq!(
        summary.cert_ids[0].serial,
        setup.pki.cert(Role::Proxy).summary().serial.to_hex()
    );
    assert_eq!(summary.nonce_len, Some(20));
    assert_eq!(summary.nonce.as_deref(), Some("ab".repeat(20).as_str()));

    assert_eq!(get_entry.method, "GET");
    assert!(get_entry.path.starts_with("/ocsp//"), "{}", get_entry.path);
    assert_eq!(get_entry.time, AT + time::Duration::minutes(5));
    assert_eq!(get_entry.request.as_ref().expect("decoded"), summary);
}

#[tokio::test]
async fn get_paths_with_plus_slash_equals_escapes_and_doubled_slashes_are_answered() {
    use base64::Engine;
    let setup = setup(Behaviour::default()).await;
    // Try nonces until the base64 of a request holds '+', '/' and '=' all at once (their
    // lengths vary too, since the padding depends on the request's length).
    let mut found = None;
    for extra in 0u16..5000 {
        let mut nonce = [
            extra.to_be_bytes(),
            extra.to_be_bytes(),
            extra.to_be_bytes(),
        ]
        .concat();
        nonce.truncate(4 + usize::from(extra % 3));
        let der = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha1, Some(&nonce));
        let raw = base64::engine::general_purpose::STANDARD.encode(&der);
        if raw.contains('+') && raw.contains('/') && raw.ends_with('=') {
            found = Some((der, raw));
            break;
        }
    }
    let (der, raw) = found.expect("some nonce gives every special character");
    let escaped = get_path(&der);
    let base = setup.responder.url();
    for url in [
        format!("{base}{escaped}"),
        format!("{base}/{escaped}"),
        format!("{base}ocsp/{escaped}"),
        format!("{base}{}", raw.replace('/', "%2F")),
        format!("{base}{raw}"),
    ] {
        let answer = setup.http.get(&url).send().await.expect("answered");
        let body = answer.bytes().await.expect("body");
        assert_ne!(body.as_ref(), MALFORMED_REQUEST, "{url}");
        assert_ne!(body.as_ref(), UNAUTHORIZED, "{url}");
    }
    assert!(
        setup
            .responder
            .journal()
            .entries()
            .iter()
            .all(|entry| entry.request.is_ok())
    );
}

#[tokio::test]
async fn a_never_issued_serial_is_unknown_and_another_issuer_unauthorized() {
    let setup = setup(Behaviour::default()).await;
    // The root issued the intermediate; our responder answers for the intermediate only.
    let root = certificate(&setup.pki, Role::Root);
    let intermediate = certificate(&setup.pki, Role::Intermediate);
    let foreign = build_request(
        cert_id_for(&root, &intermediate, HashAlgorithm::Sha1).expect("id"),
        None,
    )
    .expect("request");
    let answer = post(&setup, foreign).await;
    assert_eq!(answer.bytes().await.expect("body").as_ref(), UNAUTHORIZED);

    let mut cert_id = cert_id_for(
        &intermediate,
        &certificate(&setup.pki, Role::Proxy),
        HashAlgorithm::Sha1,
    )
    .expect("id");
    cert_id.serial_number =
        x509_cert::serial_number::SerialNumber::new(&[0x7f, 0x01, 0x02]).expect("serial");
    let answer = post(
        &setup,
        build_request(cert_id.clone(), None).expect("request"),
    )
    .await;
    let der = answer.bytes().await.expect("body");
    let response = x509_ocsp::OcspResponse::from_der(&der).expect("decodes");
    let bytes = response.response_bytes.expect("signed");
    let basic = x509_ocsp::BasicOcspResponse::from_der(bytes.response.as_bytes()).expect("basic");
    let single = &basic.tbs_response_data.responses[0];
    assert_eq!(
        single.cert_id.to_der().expect("der"),
        cert_id.to_der().expect("der")
    );
    assert!(matches!(
        single.cert_status,
        x509_ocsp::CertStatus::Unknown(_)
    ));
}

#[tokio::test]
async fn the_behaviour_can_change_while_it_runs() {
    let setup = setup(Behaviour::default()).await;
    let request = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha1, None);
    let status = |der: &[u8]| verify(&setup, der, Role::Proxy, None);
    let first = post(&setup, request.clone())
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(status(&first), Ok(ReportedStatus::Good));

    setup
        .responder
        .set_behaviour(behaviour_named("unknown").expect("named"));
    let second = post(&setup, request.clone())
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(status(&second), Ok(ReportedStatus::Unknown));

    setup
        .responder
        .set_behaviour(behaviour_named("signature-corrupted").expect("named"));
    let third = post(&setup, request).await.bytes().await.expect("body");
    assert!(matches!(status(&third), Err(InvalidResponse::Signature(_))));
    assert_eq!(
        *setup.responder.behaviour(),
        behaviour_named("signature-corrupted").expect("named")
    );
}

#[tokio::test]
async fn responses_are_dated_by_the_responder_clock() {
    let setup = setup(Behaviour::default()).await;
    setup.clock.advance(time::Duration::days(3));
    let request = request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha1, None);
    let der = post(&setup, request).await.bytes().await.expect("body");
    let serial = certificate(&setup.pki, Role::Proxy)
        .tbs_certificate
        .serial_number;
    let context = VerifyContext {
        issuer_der: setup.pki.cert(Role::Intermediate).der(),
        serial: &serial,
        now: setup.clock.now(),
        nonce_sent: None,
        max_skew: ocsp::DEFAULT_MAX_SKEW,
    };
    let verified = verify_response(&der, &context).expect("valid");
    assert_eq!(verified.this_update, AT + time::Duration::days(3));
    assert_eq!(verified.produced_at, AT + time::Duration::days(3));
    assert_eq!(verified.next_update, Some(AT + time::Duration::days(4)));
}
