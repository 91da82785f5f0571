//! The fake OCSP responder: an HTTP server that answers real RFC 6960 requests with real signed
//! DER, can break every rule of the usable OCSP responses (docs/contract.md) on purpose, and records every request.

mod admin;
mod answer;
mod behaviour;
mod catalogue;
mod connection;
mod journal;
mod server;
mod socket;
#[cfg(feature = "wiremock")]
mod wiremock_respond;

pub use admin::{ADMIN_PREFIX, MAX_ADMIN_BODY};
pub use answer::OCSP_RESPONSE_TYPE;
pub use behaviour::{Behaviour, Body, Delivery, Socket};
pub use catalogue::{
    CatalogueEntry, behaviour_named, catalogue, catalogue_entry, closest_name, entry_for,
};
// The limits and verdicts the catalogue is written against, for users of the responder alone.
pub use connection::{ConnectionGuard, ConnectionLimits, GuardedStream, InFlight, RequestTracker};
pub use contract::{DEFAULT_RESPONSE_TIMEOUT, RESPONSE_CAP, Verdict};
pub use journal::{Journal, JournalEntry, Undecodable};
pub use server::{
    ACCESS_TARGET, BODY_TIMEOUT, BodyError, HeldBody, MAX_REQUEST_BODY, MAX_REQUEST_HEAD,
    Responder, ResponderConfig, ResponderError, ResponderHandle, read_limited,
};
#[cfg(feature = "wiremock")]
pub use wiremock_respond::{Fidelity, OcspRespond, WiremockError, wiremock_fidelity};
