//! ocsp-harness: a conformance and mock test harness for the OCSP endpoints of the Redis
//! Software cluster REST API.
//!
//! Each part is a crate of its own (a test that only needs the fake responder depends on
//! `ocsp-harness-responder` alone); this library re-exports them all under one name:
//! - [`contract`]: the API's vocabulary: roles, permissions, error codes, the configuration
//!   and status objects, the level of each rule;
//! - [`clock`]: the only source of time, real or virtual;
//! - [`files`]: writing a set of files all or nothing;
//! - [`pki`]: test CAs, the proxy certificate and OCSP responder certificates;
//! - [`ocsp`]: the protocol, no I/O: requests, responses built from knobs, the strict verifier;
//! - [`responder`]: the fake OCSP responder, its behaviour catalogue and request journal;
//! - [`client`]: the strict OCSP client of the reference server;
//! - [`reference`]: the reference implementation of the endpoints;
//! - [`scenario`]: the scenario file format;
//! - [`runner`]: running scenarios, with [`report`], [`coverage`] (what of the contract a
//!   corpus checks) and [`probe`] (checks someone else's OCSP responder).
//!
//! In your own tests: a fake responder answering for a test PKI, asked by the strict client
//! (more in `examples/`):
//!
//! ```
//! use std::sync::Arc;
//!
//! use ocsp_harness::client::{HttpMethod, OcspClient, Query, verdict_of};
//! use ocsp_harness::clock::{Clock, SystemClock};
//! use ocsp_harness::ocsp::HashAlgorithm;
//! use ocsp_harness::pki::{PkiProfile, Role, TestPki};
//! use ocsp_harness::responder::{Responder, ResponderConfig, Verdict, behaviour_named};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let clock: Arc<dyn Clock> = Arc::new(SystemClock);
//! let pki = Arc::new(TestPki::generate(&PkiProfile::at(clock.now()))?);
//! let behaviour = behaviour_named("signature-corrupted").ok_or("no such behaviour")?;
//! let config = ResponderConfig::ephemeral(Arc::clone(&clock));
//! let responder = Responder::start(Arc::clone(&pki), behaviour, config).await?;
//!
//! let outcome = OcspClient::new(clock)?
//!     .query(&Query {
//!         url: responder.url(),
//!         cert_der: pki.cert(Role::Proxy).der().to_vec(),
//!         issuer_der: pki.cert(Role::Intermediate).der().to_vec(),
//!         hash_algorithm: HashAlgorithm::Sha1,
//!         nonce_len: Some(16),
//!         method: HttpMethod::Post,
//!         timeout: time::Duration::seconds(1),
//!     })
//!     .await;
//! assert_eq!(verdict_of(&outcome), Verdict::Invalid);
//! assert_eq!(responder.journal().total(), 1);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod corpus;

pub use client;
pub use clock;
pub use contract;
pub use files;
pub use ocsp;
pub use pki;
pub use reference;
pub use responder;
pub use runner;
pub use runner::{coverage, probe, report};
pub use scenario;

/// How firmly each rule is fixed (the contract's [`Level`](contract::Level)).
pub mod level {
    pub use contract::Level;
}
