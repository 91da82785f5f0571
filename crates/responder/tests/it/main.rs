//! The integration tests of this crate, in one binary (one link, not one per file).

// The crate under test by the short name the other crates use for it.
extern crate ocsp_harness_responder as responder;

mod admin;
mod catalogue_properties;
mod hostile;
mod server;
#[cfg(feature = "wiremock")]
mod wiremock_respond;
