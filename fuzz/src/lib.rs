//! What the fuzz targets share: the fixed test PKI they verify against (read from
//! `seeds/pki`, so that seed responses signed with it verify all the way), its instant, and the
//! in-process reference server's routes.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use der::Decode;
use ocsp_harness::pki::{Role, TestPki};
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::Certificate;
use x509_cert::serial_number::SerialNumber;

/// The instant the seed PKI was generated at, and the verifier's "now".
pub const AT: OffsetDateTime = datetime!(2026-03-01 12:00 UTC);

/// The nonce the seed requests carry.
pub const NONCE: [u8; 16] = [7; 16];

/// Where the seeds live.
pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// The seed PKI, and the proxy certificate's serial.
pub fn pki() -> &'static (Arc<TestPki>, SerialNumber) {
    static PKI: OnceLock<(Arc<TestPki>, SerialNumber)> = OnceLock::new();
    PKI.get_or_init(|| {
        let pki = ocsp_harness::pki::read_dir(&seeds_dir().join("pki"))
            .expect("seeds/pki: run `cargo run --bin make_seeds` first");
        let proxy = Certificate::from_der(pki.cert(Role::Proxy).der()).expect("the proxy decodes");
        (Arc::new(pki), proxy.tbs_certificate.serial_number)
    })
}
