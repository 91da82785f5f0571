//! ocsp-harness: a conformance and mock test harness for the OCSP endpoints of the Redis
//! Software cluster REST API.
//!
//! The parts, each usable on its own:
//! - [`clock`]: the only source of time, real or virtual;
//! - [`files`]: writing a set of files all or nothing;
//! - [`pki`]: test CAs, the proxy certificate and OCSP responder certificates.

#![forbid(unsafe_code)]

pub mod clock;
pub mod files;
pub mod pki;
