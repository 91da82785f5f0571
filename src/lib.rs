//! ocsp-harness: a conformance and mock test harness for the OCSP endpoints of the Redis
//! Software cluster REST API.
//!
//! The parts, each usable on its own:
//! - [`clock`]: the only source of time, real or virtual;
//! - [`pki`]: test CAs, the proxy certificate and OCSP responder certificates.

#![forbid(unsafe_code)]

pub mod clock;
pub mod pki;
