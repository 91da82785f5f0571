//! What the fuzz targets share: the fixed test PKI they verify against (read from
//! `seeds/pki`, so that seed responses signed with it verify all the way), its instant, and the
//! in-process reference server's routes, and HTTP/2 frames for the HTTP front's target.

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

/// HTTP/2 on the wire, enough to open a stream for the `serve_front` target and its seeds.
pub mod h2 {
    /// The client connection preface (RFC 9113 section 3.4).
    pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    /// An empty SETTINGS frame.
    pub const SETTINGS: &[u8] = &[0, 0, 0, 0x4, 0, 0, 0, 0, 0];

    /// A frame of `kind` with `flags` on `stream`.
    pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = u32::try_from(payload.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes();
        let mut bytes = vec![len[1], len[2], len[3], kind, flags];
        bytes.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    }

    /// A DATA frame on stream 1; `last` ends the stream.
    pub fn data(payload: &[u8], last: bool) -> Vec<u8> {
        frame(0x0, u8::from(last), 1, payload)
    }

    /// HEADERS on stream 1 for `PUT /v1/ocsp` with a JSON body to come, as the user of the
    /// Basic `credentials` (base64): HPACK literals without indexing, no Huffman coding.
    pub fn admin_put_headers(credentials: &str) -> Vec<u8> {
        let mut block = Vec::new();
        let authorization = format!("Basic {credentials}");
        // (index of the name in HPACK's static table, value)
        let fields: [(usize, &[u8]); 5] = [
            (2, b"PUT"),
            (4, b"/v1/ocsp"),
            (1, b"x"),
            (31, b"application/json"),
            (23, authorization.as_bytes()),
        ];
        block.push(0x86); // :scheme http, indexed
        for (index, value) in fields {
            integer(&mut block, 4, 0x00, index);
            integer(&mut block, 7, 0x00, value.len());
            block.extend_from_slice(value);
        }
        frame(0x1, 0x4, 1, &block)
    }

    /// An HPACK integer with an `prefix`-bit prefix after the `flags` bits (RFC 7541 5.1).
    fn integer(out: &mut Vec<u8>, prefix: u32, flags: u8, value: usize) {
        let max = (1usize << prefix) - 1;
        if value < max {
            out.push(flags | value as u8);
            return;
        }
        out.push(flags | max as u8);
        let mut rest = value - max;
        while rest >= 128 {
            out.push((rest % 128) as u8 | 0x80);
            rest /= 128;
        }
        out.push(rest as u8);
    }
}
