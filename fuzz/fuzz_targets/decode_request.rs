//! The responder's request decoders take any bytes (a POST body) and any text (a GET path):
//! an error, never a panic; what decodes has a summary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocsp_harness::ocsp::DecodedRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = DecodedRequest::from_der(data) {
        let _ = request.summary();
        let _ = request.nonce();
    }
    let path = String::from_utf8_lossy(data);
    if let Ok(request) = DecodedRequest::from_get_path(&path) {
        let _ = request.summary();
    }
});
