//! The integration tests of this crate, in one binary (one link, not one per file).

// The crate under test by the short name the other crates use for it.
extern crate ocsp_harness_client as client;

mod catalogue;
mod openssl_ocsp;
mod scheme;
