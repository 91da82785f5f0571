//! The integration tests of this crate, in one binary (one link, not one per file).

// The crate under test by the short name the other crates use for it.
extern crate ocsp_harness_reference as reference;

mod concurrency;
mod date;
mod endpoints;
mod front;
mod journal;
mod nodes;
