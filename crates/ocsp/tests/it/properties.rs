//! Property tests over outside bytes: the request decoder, the GET path decoder and the strict
//! verifier take anything, including valid messages with bytes flipped, and answer with an
//! error, never a panic; and a valid response with any single byte of its signed part changed
//! never verifies as the original.

use std::sync::{Arc, OnceLock};

use der::Decode;
use ocsp::{
    DEFAULT_MAX_SKEW, DecodedRequest, HashAlgorithm, ResponseFactory, ResponsePlan, VerifyContext,
    build_request, cert_id_for, verify_response,
};
use pki::{PkiProfile, Role, TestPki};
use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::Certificate;
use x509_cert::serial_number::SerialNumber;

const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

struct Fixture {
    pki: Arc<TestPki>,
    request: Vec<u8>,
    response: Vec<u8>,
    serial: SerialNumber,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pki = Arc::new(TestPki::generate(&PkiProfile::at(AT)).expect("generates"));
        let decode = |role| Certificate::from_der(pki.cert(role).der()).expect("decodes");
        let proxy = decode(Role::Proxy);
        let cert_id =
            cert_id_for(&decode(Role::Intermediate), &proxy, HashAlgorithm::Sha1).expect("id");
        let request = build_request(cert_id, Some(&[1; 16])).expect("request");
        let factory = ResponseFactory::new(Arc::clone(&pki)).expect("factory");
        let decoded = DecodedRequest::from_der(&request).expect("decodes");
        let response = factory
            .respond(&ResponsePlan::default(), &decoded, AT)
            .expect("responds");
        Fixture {
            pki,
            request,
            response,
            serial: proxy.tbs_certificate.serial_number,
        }
    })
}

fn verify(bytes: &[u8]) -> Result<ocsp::VerifiedResponse, ocsp::InvalidResponse> {
    let fixture = fixture();
    let context = VerifyContext {
        issuer_der: fixture.pki.cert(Role::Intermediate).der(),
        serial: &fixture.serial,
        now: AT,
        nonce_sent: Some(&[1; 16]),
        max_skew: DEFAULT_MAX_SKEW,
    };
    verify_response(bytes, &context)
}

#[test]
fn the_fixture_itself_verifies() {
    assert!(verify(&fixture().response).is_ok());
    assert!(DecodedRequest::from_der(&fixture().request).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_request_decoder_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = DecodedRequest::from_der(&bytes);
    }

    #[test]
    fn the_get_path_decoder_takes_any_text(path in "[ -~]{0,300}") {
        let _ = DecodedRequest::from_get_path(&path);
    }

    #[test]
    fn the_request_decoder_takes_a_request_with_bytes_changed(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)
    ) {
        let mut bytes = fixture().request.clone();
        for (index, value) in changes {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = DecodedRequest::from_der(&bytes);
    }

    #[test]
    fn the_verifier_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        prop_assert!(verify(&bytes).is_err());
    }

    #[test]
    fn the_verifier_takes_a_response_with_bytes_changed(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)
    ) {
        let mut bytes = fixture().response.clone();
        for (index, value) in changes {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = verify(&bytes);
    }

    #[test]
    fn a_changed_signed_byte_never_verifies(index in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let original = &fixture().response;
        let mut bytes = original.clone();
        let at = index.index(bytes.len());
        bytes[at] ^= flip;
        let outcome = verify(&bytes);
        // A change outside the signed part may still decode and verify; what comes back must
        // then be exactly what the original says.
        if let Ok(verified) = outcome {
            let expected = verify(original).expect("original verifies");
            prop_assert_eq!(verified, expected);
        }
    }
}
