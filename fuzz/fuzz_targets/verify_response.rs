//! The strict verifier takes any bytes as a response: it answers, never panics, and accepts
//! nothing that does not name the proxy certificate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocsp_harness::ocsp::{DEFAULT_MAX_SKEW, VerifyContext, verify_response};
use ocsp_harness::pki::Role;
use ocsp_harness_fuzz::{AT, NONCE, pki};

fuzz_target!(|data: &[u8]| {
    let (pki, serial) = pki();
    for nonce_sent in [None, Some(&NONCE[..])] {
        let context = VerifyContext {
            issuer_der: pki.cert(Role::Intermediate).der(),
            serial,
            now: AT,
            nonce_sent,
            max_skew: DEFAULT_MAX_SKEW,
        };
        let _ = verify_response(data, &context);
    }
});
