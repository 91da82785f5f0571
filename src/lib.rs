//! ocsp-harness: a conformance and mock test harness for the OCSP endpoints of the Redis
//! Software cluster REST API.
//!
//! The parts, each usable on its own:
//! - [`client`]: the strict OCSP client of the reference server;
//! - [`clock`]: the only source of time, real or virtual;
//! - [`files`]: writing a set of files all or nothing;
//! - [`pki`]: test CAs, the proxy certificate and OCSP responder certificates;
//! - [`ocsp`]: the protocol, no I/O: requests, responses built from knobs, the strict verifier;
//! - [`responder`]: the fake OCSP responder, its behaviour catalogue and request journal;
//! - [`level`]: how firmly each rule is fixed;
//! - [`reference`]: the reference implementation of the endpoints;
//! - [`scenario`], [`runner`], [`report`]: the scenario format, running it, reporting;
//! - [`coverage`]: what of the contract a corpus checks.

#![forbid(unsafe_code)]

pub mod client;
pub mod clock;
pub mod coverage;
pub mod files;
pub mod level;
pub mod ocsp;
pub mod pki;
pub mod reference;
pub mod report;
pub mod responder;
pub mod runner;
pub mod scenario;
