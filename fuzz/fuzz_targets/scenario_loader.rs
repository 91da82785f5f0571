//! The scenario loader takes any text: a scenario or an error with a place, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = ocsp_harness::scenario::load_str(Path::new("fuzz.yaml"), &text) {
        // An error always says something.
        assert!(!error.message.is_empty());
    }
});
